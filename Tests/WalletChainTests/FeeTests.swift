import Testing
import WalletCrypto
@testable import WalletChain

let gwei = UInt256(1_000_000_000)

/// 以太坊主网风格的 eth_feeHistory 记录（5 块，百分位 10/50/90；数值取自公开节点返回的形状，手工核算期望值）。
let recordedFeeHistory = #"{"oldestBlock":"0x13a5f1a","baseFeePerGas":["0x4a817c800","0x4e3b29200","0x4a817c800","0x45d964b80","0x4a817c800","0x4e3b29200"],"gasUsedRatio":[0.9,0.1,0.0,0.95,0.6],"reward":[["0x3b9aca00","0x77359400","0xb2d05e00"],["0x5f5e100","0x3b9aca00","0x77359400"],["0x0","0x0","0x0"],["0x77359400","0xb2d05e00","0x12a05f200"],["0x3b9aca00","0x59682f00","0xee6b2800"]]}"#

@Suite struct FeeTests {
    func history() throws -> FeeHistory {
        try FeeHistory.parse(try JSON.parse(recordedFeeHistory), blockCount: 5, percentiles: 3)
    }

    @Test func tiersFromRecordedHistory() throws {
        let e = try FeeEstimator.estimate(history: try history(), nodeTip: gwei * UInt256(2), policy: FeePolicy())
        // 空块（ratio 0）被排除 → 4 个样本；上中位数：
        // p10 = sorted[0.1,1,1,2]gwei → 1 gwei；p50 = [1,1.5,2,3] → 2 gwei；p90 = [2,3,4,5] → 4 gwei
        #expect(e.samples[0].count == 4)
        #expect(e.slow.maxPriorityFeePerGas == gwei)
        #expect(e.normal.maxPriorityFeePerGas == gwei * UInt256(2))
        #expect(e.fast.maxPriorityFeePerGas == gwei * UInt256(4))
        // 下一块基础费 21 gwei × 2 + 小费
        #expect(e.nextBaseFee == gwei * UInt256(21))
        #expect(e.baseFee == gwei * UInt256(20))
        #expect(e.normal.maxFeePerGas == gwei * UInt256(44))
        #expect(e.fast.maxFeePerGas == gwei * UInt256(46))
        #expect(e.warnings.isEmpty)
        #expect(e.baseFeeTrend.count == 6)
    }

    @Test func marginIsConfigurable() throws {
        let e = try FeeEstimator.estimate(history: try history(), nodeTip: nil,
                                          policy: FeePolicy(baseFeeMarginBps: 12_500))
        // 21 × 1.25 = 26.25 gwei + 2 gwei
        #expect(e.normal.maxFeePerGas == UInt256(28_250_000_000))
    }

    @Test func nodeDisagreementIsFlagged() throws {
        let e = try FeeEstimator.estimate(history: try history(), nodeTip: gwei * UInt256(20), policy: FeePolicy())
        #expect(e.warnings.contains("fee.node_disagrees"))
        #expect(e.nodeSuggestedTip == gwei * UInt256(20))
    }

    @Test func allEmptyBlocksFallBack() throws {
        let h = FeeHistory(oldestBlock: 1, baseFeePerGas: [gwei, gwei, gwei], gasUsedRatio: [0, 0],
                           reward: [[.zero, .zero, .zero], [.zero, .zero, .zero]])
        let e = try FeeEstimator.estimate(history: h, nodeTip: UInt256(1_500_000_000), policy: FeePolicy())
        #expect(e.warnings.contains("fee.no_samples"))
        #expect(e.slow.maxPriorityFeePerGas == UInt256(1_500_000_000))
        #expect(e.fast.maxFeePerGas == gwei * UInt256(2) + UInt256(1_500_000_000))
    }

    @Test func tiersAreMonotonic() throws {
        // 百分位倒挂的恶意/异常数据：慢 > 快
        let h = FeeHistory(oldestBlock: 1, baseFeePerGas: [gwei, gwei], gasUsedRatio: [0.5],
                           reward: [[gwei * UInt256(5), gwei, UInt256(2)]])
        let e = try FeeEstimator.estimate(history: h, nodeTip: nil, policy: FeePolicy())
        #expect(e.slow.maxPriorityFeePerGas <= e.normal.maxPriorityFeePerGas)
        #expect(e.normal.maxPriorityFeePerGas <= e.fast.maxPriorityFeePerGas)
    }

    @Test func eip1559BaseFeeFormula() {
        let b = gwei * UInt256(100)
        #expect(FeeEstimator.nextBaseFee(parentBaseFee: b, gasUsed: 15_000_000, gasLimit: 30_000_000) == b)
        #expect(FeeEstimator.nextBaseFee(parentBaseFee: b, gasUsed: 30_000_000, gasLimit: 30_000_000) == UInt256(112_500_000_000))
        #expect(FeeEstimator.nextBaseFee(parentBaseFee: b, gasUsed: 0, gasLimit: 30_000_000) == UInt256(87_500_000_000))
    }
}

@Suite struct SweepTests {
    let addr = try! ChainAddress(hex: "0x6813eb9362372eef6200f3b1dbc3f819671cba69")
    let token = try! ChainAddress(hex: "0xf2e246bb76df876cef8b38ae84130f4f55de395b")
    let eth = UInt256(1_000_000_000_000_000_000)

    func fees() throws -> FeeEstimate {
        try FeeEstimator.estimate(history: try FeeHistory.parse(try JSON.parse(recordedFeeHistory), blockCount: 5, percentiles: 3),
                                  nodeTip: nil, policy: FeePolicy())
    }

    @Test func ethSweepSendsBalanceMinusExactMaxFee() throws {
        let f = try fees()
        let p = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: eth, ethBalance: eth), fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(p.decision == .sweep)
        #expect(p.feeMax == UInt256(21_000) * gwei * UInt256(44))
        #expect(p.amount == eth - p.feeMax)
        #expect(p.amount + p.feeMax == eth)
        // 预计费用 = 21000 × (21 + 2) gwei
        #expect(p.feeMin == UInt256(21_000) * gwei * UInt256(23))
        #expect(p.reason(.zh).contains("可以归集"))
    }

    @Test func ethDustIsSkippedAndSmallIsDeferred() throws {
        let f = try fees()
        let feeMax = UInt256(21_000) * gwei * UInt256(44)
        let dust = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: feeMax, ethBalance: feeMax), fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(dust.decision == .skip && dust.reasonCode == "sweep.insufficient_for_fee")
        // 费用占 1/10 > 5%
        let small = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: feeMax * UInt256(10), ethBalance: feeMax * UInt256(10)),
                                      fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(small.decision == .deferred && small.reasonCode == "sweep.fee_share")
        // 正好 5%：允许
        let edge = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: feeMax * UInt256(20), ethBalance: feeMax * UInt256(20)),
                                     fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(edge.decision == .sweep)
        let zero = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: .zero, ethBalance: .zero), fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(zero.decision == .skip && zero.reasonCode == "sweep.empty")
    }

    @Test func capsDefer() throws {
        let f = try fees()
        var pol = SweepPolicy()
        pol.maxFeePerGasCap = gwei * UInt256(40)
        let p = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: eth, ethBalance: eth), fees: f, tier: f.normal, policy: pol)
        #expect(p.decision == .deferred && p.reasonCode == "sweep.gas_price_cap")
        pol = SweepPolicy(); pol.feeCapWei = UInt256(100_000)
        let q = SweepPlanner.plan(SweepInput(address: addr, asset: .eth, balance: eth, ethBalance: eth), fees: f, tier: f.normal, policy: pol)
        #expect(q.decision == .deferred && q.reasonCode == "sweep.fee_cap")
    }

    @Test func tokenNeedsTopUpFirst() throws {
        let f = try fees()
        let asset = SweepAsset.token(contract: token, symbol: "USDT")
        let gasFee = UInt256(65_000) * gwei * UInt256(44)
        let p = SweepPlanner.plan(SweepInput(address: addr, asset: asset, balance: UInt256(500_000_000), ethBalance: UInt256(1000)),
                                  fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(p.decision == .topUpFirst)
        // 补充 = 费用 × 1.2 − 现有余额
        #expect(p.topUp == gasFee + gasFee * UInt256(2_000) / UInt256(10_000) - UInt256(1000))
        #expect(p.amount == UInt256(500_000_000) && p.net == p.amount)
        let funded = SweepPlanner.plan(SweepInput(address: addr, asset: asset, balance: UInt256(500_000_000), ethBalance: gasFee),
                                       fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(funded.decision == .sweep && funded.topUp == .zero)
        // 有报价时检查费用占比：代币价值 0.01 ETH，费用约 0.00286 ETH → 超过 5%
        let cheap = SweepPlanner.plan(SweepInput(address: addr, asset: asset, balance: UInt256(10), ethBalance: gasFee,
                                                 valueInWei: UInt256(10_000_000_000_000_000)), fees: f, tier: f.normal, policy: SweepPolicy())
        #expect(cheap.decision == .deferred && cheap.reasonCode == "sweep.fee_share")
    }

    @Test func batchAggregatesTopUps() throws {
        let f = try fees()
        let other = try ChainAddress(hex: "0x0000000000000000000000000000000000000001")
        let asset = SweepAsset.token(contract: token, symbol: "USDT")
        let inputs = [
            SweepInput(address: addr, asset: asset, balance: UInt256(5), ethBalance: .zero),
            SweepInput(address: other, asset: asset, balance: UInt256(7), ethBalance: .zero),
            SweepInput(address: other, asset: .eth, balance: .zero, ethBalance: .zero),
        ]
        let b = SweepPlanner.planBatch(inputs, fees: f, tier: f.slow, policy: SweepPolicy())
        #expect(b.plans.count == 3)
        #expect(b.topUps.count == 2)
        #expect(b.totalTopUp == b.topUps[0].1 + b.topUps[1].1)
        #expect(b.topUps[0].0 < b.topUps[1].0)
    }
}

@Suite struct ConfirmationTests {
    @Test func blockCountPolicy() {
        #expect(Confirmations.status(blockNumber: 100, head: 100, finalized: nil, policy: .blocks(12))
                == ConfirmationStatus(confirmations: 1, required: 12, confirmed: false))
        #expect(Confirmations.status(blockNumber: 100, head: 111, finalized: nil, policy: .blocks(12)).confirmed)
        #expect(!Confirmations.status(blockNumber: 100, head: 110, finalized: nil, policy: .blocks(12)).confirmed)
        // 链头落后于充值块（刚重组/落后节点）：0 个确认
        #expect(Confirmations.status(blockNumber: 100, head: 99, finalized: nil, policy: .blocks(1)).confirmations == 0)
    }

    @Test func finalizedPolicy() {
        #expect(!Confirmations.status(blockNumber: 100, head: 120, finalized: nil, policy: .finalized).confirmed)
        let s = Confirmations.status(blockNumber: 100, head: 120, finalized: 99, policy: .finalized)
        #expect(!s.confirmed && s.required == 22 && s.confirmations == 21)
        #expect(Confirmations.status(blockNumber: 100, head: 140, finalized: 100, policy: .finalized).confirmed)
    }
}
