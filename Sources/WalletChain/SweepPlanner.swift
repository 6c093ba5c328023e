import WalletCrypto

// 归集规划：纯函数。每个计划带金额、gas 上限、费用区间、净额、决定和原因（码 + 中英文）。

public enum SweepAsset: Sendable, Equatable {
    case eth
    case token(contract: ChainAddress, symbol: String)
}

public struct SweepPolicy: Sendable, Equatable {
    /// 手续费占归集金额的上限（基点，500 = 5%）；超过则推迟，等费用回落。
    public var maxFeeShareBps: UInt64
    /// 单笔归集手续费上限（wei）。
    public var feeCapWei: UInt256
    /// maxFeePerGas 上限（wei/gas）；网络拥堵超过它就推迟。
    public var maxFeePerGasCap: UInt256
    public var ethGasLimit: UInt64
    public var tokenGasLimit: UInt64
    /// 补 gas 时额外多给的比例（基点），吸收两次估算之间的涨价。
    public var topUpBufferBps: UInt64
    public init(maxFeeShareBps: UInt64 = 500, feeCapWei: UInt256 = UInt256(10_000_000_000_000_000),
                maxFeePerGasCap: UInt256 = UInt256(500_000_000_000), ethGasLimit: UInt64 = 21_000,
                tokenGasLimit: UInt64 = 65_000, topUpBufferBps: UInt64 = 2_000) {
        self.maxFeeShareBps = maxFeeShareBps; self.feeCapWei = feeCapWei; self.maxFeePerGasCap = maxFeePerGasCap
        self.ethGasLimit = ethGasLimit; self.tokenGasLimit = tokenGasLimit; self.topUpBufferBps = topUpBufferBps
    }
}

public struct SweepInput: Sendable, Equatable {
    public let address: ChainAddress
    public let asset: SweepAsset
    /// 待归集资产的余额（ETH 为 wei；代币为代币最小单位）。
    public let balance: UInt256
    /// 该地址的 ETH 余额（代币归集付 gas 用；ETH 归集时与 balance 相同）。
    public let ethBalance: UInt256
    /// 代币金额折合的 wei（有报价时用于费用占比检查；nil 则只检查上限）。
    public let valueInWei: UInt256?
    public init(address: ChainAddress, asset: SweepAsset, balance: UInt256, ethBalance: UInt256, valueInWei: UInt256? = nil) {
        self.address = address; self.asset = asset; self.balance = balance; self.ethBalance = ethBalance; self.valueInWei = valueInWei
    }
}

public enum SweepDecision: String, Sendable, Equatable {
    case sweep
    /// 代币归集：先从热钱包补 ETH 作 gas，等补充交易的收据后再发代币。
    case topUpFirst = "top_up_first"
    case deferred = "defer"
    case skip
}

public struct SweepPlan: Sendable, Equatable {
    public let address: ChainAddress
    public let asset: SweepAsset
    /// 发送的数量（ETH = 余额 − 最大手续费；代币 = 全部余额）。
    public let amount: UInt256
    public let gasLimit: UInt64
    /// 预计手续费（gasLimit × (下一块基础费 + 小费)）与最坏手续费（gasLimit × maxFeePerGas）。
    public let feeMin: UInt256
    public let feeMax: UInt256
    /// 到账净额（进入热钱包的数量）。
    public let net: UInt256
    /// 需要补充的 ETH（仅 topUpFirst）。
    public let topUp: UInt256
    public let tier: FeeTier
    public let decision: SweepDecision
    public let reasonCode: String

    public func reason(_ lang: Language) -> String {
        let zh: [String: String] = [
            "sweep.ok": "费用在允许范围内，可以归集",
            "sweep.empty": "余额为 0，无需归集",
            "sweep.gas_price_cap": "当前 maxFeePerGas 超过配置上限，推迟到费用回落",
            "sweep.insufficient_for_fee": "余额不足以支付手续费（粉尘），跳过",
            "sweep.fee_cap": "手续费超过单笔上限，推迟",
            "sweep.fee_share": "手续费占金额比例超过配置上限，推迟到金额更大或费用更低",
            "sweep.needs_top_up": "地址 ETH 不足以支付代币转账的 gas，先补充 ETH，收到补充交易收据后再归集",
        ]
        let en: [String: String] = [
            "sweep.ok": "fee within limits, sweep now",
            "sweep.empty": "balance is zero, nothing to sweep",
            "sweep.gas_price_cap": "maxFeePerGas above the configured cap, deferred until fees drop",
            "sweep.insufficient_for_fee": "balance cannot pay the fee (dust), skipped",
            "sweep.fee_cap": "fee above the per-sweep cap, deferred",
            "sweep.fee_share": "fee share of the amount above the configured limit, deferred",
            "sweep.needs_top_up": "not enough ETH for the token transfer's gas: top up first, sweep after the top-up's receipt",
        ]
        return (lang == .zh ? zh : en)[reasonCode] ?? reasonCode
    }
}

public struct SweepBatch: Sendable, Equatable {
    public let plans: [SweepPlan]
    /// 需要补 gas 的地址与金额（热钱包一次性批量发出）。
    public let topUps: [(ChainAddress, UInt256)]
    public let totalTopUp: UInt256
    public static func == (l: SweepBatch, r: SweepBatch) -> Bool {
        l.plans == r.plans && l.totalTopUp == r.totalTopUp && l.topUps.map(\.0) == r.topUps.map(\.0) && l.topUps.map(\.1) == r.topUps.map(\.1)
    }
}

public enum SweepPlanner {
    public static func plan(_ input: SweepInput, fees: FeeEstimate, tier: FeeTier, policy: SweepPolicy) -> SweepPlan {
        let isEth = input.asset == .eth
        let gas = isEth ? policy.ethGasLimit : policy.tokenGasLimit
        let (feeMax, o1) = UInt256(gas).multipliedReportingOverflow(by: tier.maxFeePerGas)
        let expectedPrice = min(tier.maxFeePerGas, fees.nextBaseFee.addingReportingOverflow(tier.maxPriorityFeePerGas).partialValue)
        let (feeMinRaw, o2) = UInt256(gas).multipliedReportingOverflow(by: expectedPrice)
        let feeMin = o2 ? UInt256.max : feeMinRaw   // 外来报价：溢出不陷入，下面按超上限延后
        func make(_ amount: UInt256, _ net: UInt256, _ topUp: UInt256, _ d: SweepDecision, _ code: String) -> SweepPlan {
            SweepPlan(address: input.address, asset: input.asset, amount: amount, gasLimit: gas, feeMin: feeMin,
                      feeMax: o1 ? .max : feeMax, net: net, topUp: topUp, tier: tier, decision: d, reasonCode: code)
        }
        if input.balance.isZero { return make(.zero, .zero, .zero, .skip, "sweep.empty") }
        if o1 || tier.maxFeePerGas > policy.maxFeePerGasCap { return make(.zero, .zero, .zero, .deferred, "sweep.gas_price_cap") }
        if isEth {
            // 预留最坏手续费：EIP-1559 交易要求 余额 ≥ value + gasLimit × maxFeePerGas。
            guard input.balance > feeMax else { return make(.zero, .zero, .zero, .skip, "sweep.insufficient_for_fee") }
            let amount = input.balance - feeMax
            if feeMax > policy.feeCapWei { return make(amount, amount, .zero, .deferred, "sweep.fee_cap") }
            if exceedsShare(fee: feeMax, of: input.balance, bps: policy.maxFeeShareBps) {
                return make(amount, amount, .zero, .deferred, "sweep.fee_share")
            }
            return make(amount, amount, .zero, .sweep, "sweep.ok")
        }
        let amount = input.balance
        if feeMax > policy.feeCapWei { return make(amount, amount, .zero, .deferred, "sweep.fee_cap") }
        if let v = input.valueInWei, exceedsShare(fee: feeMax, of: v, bps: policy.maxFeeShareBps) {
            return make(amount, amount, .zero, .deferred, "sweep.fee_share")
        }
        if input.ethBalance < feeMax {
            let want = feeMax + feeMax * UInt256(policy.topUpBufferBps) / UInt256(10_000)
            return make(amount, amount, want - min(want, input.ethBalance), .topUpFirst, "sweep.needs_top_up")
        }
        return make(amount, amount, .zero, .sweep, "sweep.ok")
    }

    public static func planBatch(_ inputs: [SweepInput], fees: FeeEstimate, tier: FeeTier, policy: SweepPolicy) -> SweepBatch {
        let plans = inputs.map { plan($0, fees: fees, tier: tier, policy: policy) }
        var topUps: [ChainAddress: UInt256] = [:]
        for p in plans where p.decision == .topUpFirst {
            // 同一地址多个代币只补一次：取最大需求量（gas 够付其中最贵的一笔，余下的下一轮再补）。
            topUps[p.address] = max(topUps[p.address] ?? .zero, p.topUp)
        }
        let list = topUps.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let total = list.reduce(UInt256.zero) { $0 + $1.1 }
        return SweepBatch(plans: plans, topUps: list, totalTopUp: total)
    }

    static func exceedsShare(fee: UInt256, of amount: UInt256, bps: UInt64) -> Bool {
        let (l, o1) = fee.multipliedReportingOverflow(by: UInt256(10_000))
        let (r, o2) = amount.multipliedReportingOverflow(by: UInt256(bps))
        if o1 && !o2 { return true }
        if o2 { return false }
        return l > r
    }
}
