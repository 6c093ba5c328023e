import WalletCrypto

// EIP-1559 手续费估算：纯函数，输入为 eth_feeHistory 的结果，输出保留全部输入便于界面展示“为什么是这个数”。

public struct FeeTier: Sendable, Equatable {
    public let maxFeePerGas: UInt256
    public let maxPriorityFeePerGas: UInt256
}

public struct FeePolicy: Sendable, Equatable {
    /// 查询的区块数与百分位（慢/中/快）。
    public var blockCount: Int
    public var percentiles: [Double]
    /// 基础费安全倍数（基点，20000 = ×2：可扛住连续 6 个满块各涨 12.5%）。
    public var baseFeeMarginBps: UInt64
    /// 小费下限（空块多时百分位为 0，给一个不至于永远不被打包的值）。
    public var minTip: UInt256
    /// 节点建议与我们的 normal 小费相差超过此倍数时给出警告。
    public var nodeDisagreementFactor: UInt64
    public init(blockCount: Int = 20, percentiles: [Double] = [10, 50, 90], baseFeeMarginBps: UInt64 = 20_000,
                minTip: UInt256 = UInt256(1_000_000), nodeDisagreementFactor: UInt64 = 3) {
        self.blockCount = blockCount; self.percentiles = percentiles; self.baseFeeMarginBps = baseFeeMarginBps
        self.minTip = minTip; self.nodeDisagreementFactor = nodeDisagreementFactor
    }
}

public struct FeeEstimate: Sendable, Equatable {
    public let oldestBlock: UInt64
    public let blockCount: Int
    /// 最新已出块的基础费。
    public let baseFee: UInt256
    /// 下一块的基础费（feeHistory 最后一项）。
    public let nextBaseFee: UInt256
    public let marginBps: UInt64
    public let percentiles: [Double]
    /// 参与计算的（非空块）每个百分位的样本。
    public let samples: [[UInt256]]
    public let slow: FeeTier
    public let normal: FeeTier
    public let fast: FeeTier
    public let nodeSuggestedTip: UInt256?
    /// 机器码：fee.no_samples（全是空块，用了下限/节点建议）、fee.node_disagrees。
    public let warnings: [String]
    /// 最近块的基础费走势（控制台画迷你折线图）。
    public let baseFeeTrend: [UInt256]
}

public enum FeeEstimator {
    public static func estimate(history h: FeeHistory, nodeTip: UInt256?, policy: FeePolicy) throws -> FeeEstimate {
        guard policy.percentiles.count == 3 else {
            throw ChainError.invalidConfiguration(key: "fees.percentiles", detail: "需要恰好 3 个百分位（慢/中/快） / needs exactly 3 percentiles (slow/normal/fast)")
        }
        guard let next = h.baseFeePerGas.last else {
            throw ChainError.malformedResponse(method: "eth_feeHistory", field: "baseFeePerGas", detail: "为空 / empty")
        }
        // 节点给的数是外来输入：单价超过 2^64 wei/gas（≈18 ETH/gas，任何真实网络都远达不到）就是坏数据，拒收而不是拿去乘。
        // 这样下游 gas（UInt64）× 单价最多 2^128，不可能溢出。
        let sane = UInt256(UInt64.max)
        if h.baseFeePerGas.contains(where: { $0 > sane }) {
            throw ChainError.malformedResponse(method: "eth_feeHistory", field: "baseFeePerGas", detail: "超出合理范围（> 2^64 wei/gas） / out of range (> 2^64 wei/gas)")
        }
        if h.reward.contains(where: { $0.contains { $0 > sane } }) {
            throw ChainError.malformedResponse(method: "eth_feeHistory", field: "reward", detail: "超出合理范围（> 2^64 wei/gas） / out of range (> 2^64 wei/gas)")
        }
        let nodeTip = nodeTip.flatMap { $0 > sane ? nil : $0 }
        let latest = h.baseFeePerGas.count >= 2 ? h.baseFeePerGas[h.baseFeePerGas.count - 2] : next
        var samples: [[UInt256]] = [[], [], []]
        for (i, row) in h.reward.enumerated() where i < h.gasUsedRatio.count && h.gasUsedRatio[i] > 0 && row.count == 3 {
            for k in 0..<3 { samples[k].append(row[k]) }
        }
        var warnings: [String] = []
        var tips: [UInt256]
        if samples[0].isEmpty {
            warnings.append("fee.no_samples")
            let t = max(nodeTip ?? policy.minTip, policy.minTip)
            tips = [t, t, t]
        } else {
            tips = samples.map { max(median($0), policy.minTip) }
        }
        // 保证 慢 ≤ 中 ≤ 快。
        tips[1] = max(tips[1], tips[0]); tips[2] = max(tips[2], tips[1])
        if let nt = nodeTip {
            let f = UInt256(policy.nodeDisagreementFactor)
            let (a, o1) = tips[1].multipliedReportingOverflow(by: f)
            let (b, o2) = nt.multipliedReportingOverflow(by: f)
            if (!o1 && a < nt) || (!o2 && b < tips[1]) { warnings.append("fee.node_disagrees") }
        }
        let projected = try next.checkedMul(UInt256(policy.baseFeeMarginBps)) / UInt256(10_000)
        func tier(_ tip: UInt256) throws -> FeeTier {
            FeeTier(maxFeePerGas: try projected.checkedAdd(tip), maxPriorityFeePerGas: tip)
        }
        return FeeEstimate(oldestBlock: h.oldestBlock, blockCount: h.gasUsedRatio.count, baseFee: latest, nextBaseFee: next,
                           marginBps: policy.baseFeeMarginBps, percentiles: policy.percentiles, samples: samples,
                           slow: try tier(tips[0]), normal: try tier(tips[1]), fast: try tier(tips[2]),
                           nodeSuggestedTip: nodeTip, warnings: warnings, baseFeeTrend: h.baseFeePerGas)
    }

    /// 上中位数（偶数个取较大的那个，宁可略高也别卡住）。
    static func median(_ xs: [UInt256]) -> UInt256 {
        let s = xs.sorted()
        return s[s.count / 2]
    }

    /// 从链上取数并估算（feeHistory + 节点建议；节点不支持 eth_maxPriorityFeePerGas 时只用自己的）。
    public static func fetch(_ client: ChainClient, policy: FeePolicy = FeePolicy()) async throws -> FeeEstimate {
        let h = try await client.feeHistory(blockCount: policy.blockCount, newest: .latest, percentiles: policy.percentiles)
        let nodeTip = try? await client.maxPriorityFeePerGas()
        return try estimate(history: h, nodeTip: nodeTip, policy: policy)
    }

    /// EIP-1559 下一块基础费公式（演示链与测试用）：目标 = gasLimit/2，变化上限 1/8。
    public static func nextBaseFee(parentBaseFee: UInt256, gasUsed: UInt64, gasLimit: UInt64) -> UInt256 {
        let target = gasLimit / 2
        guard target > 0 else { return parentBaseFee }
        if gasUsed == target { return parentBaseFee }
        if gasUsed > target {
            let delta = max(parentBaseFee * UInt256(gasUsed - target) / UInt256(target) / UInt256(8), UInt256(1))
            return parentBaseFee + delta
        }
        let delta = parentBaseFee * UInt256(target - gasUsed) / UInt256(target) / UInt256(8)
        return parentBaseFee - delta
    }
}
