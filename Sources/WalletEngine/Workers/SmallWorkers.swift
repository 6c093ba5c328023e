// 小 worker：手续费刷新、对账（含过期提现清理与任务队列指标）。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

public final class FeeWorker: EngineWorker, @unchecked Sendable {
    public let name = "fees"
    public let intervalMs: Int
    unowned let engine: WalletEngine

    init(engine: WalletEngine) { self.engine = engine; intervalMs = engine.config.workers.feeIntervalMs }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let e = try await engine.fees.refresh()
        try engine.gate.put("engine.fees.latest", FeeSnapshot(e))
        engine.chain.exportBreakers(engine.metrics)
        if !e.warnings.isEmpty { ctx.logger.warn("fees.warnings", ["warnings": .string(e.warnings.joined(separator: ","))]) }
        return RoundReport(processed: 1, summary: "baseFee=\(e.baseFee) normalTip=\(e.normal.maxPriorityFeePerGas)")
    }
}

/// 存进 KV 的手续费快照（给 CLI 离线查看）。
public struct FeeSnapshot: Codable, Sendable, Equatable {
    public var baseFee: String
    public var nextBaseFee: String
    public var slow: [String: String]
    public var normal: [String: String]
    public var fast: [String: String]
    public var oldestBlock: UInt64
    public var blockCount: Int
    public var warnings: [String]
    public var trend: [String]

    public init(_ e: FeeEstimate) {
        func t(_ f: FeeTier) -> [String: String] {
            ["maxFeePerGas": f.maxFeePerGas.decimalString, "maxPriorityFeePerGas": f.maxPriorityFeePerGas.decimalString]
        }
        baseFee = e.baseFee.decimalString; nextBaseFee = e.nextBaseFee.decimalString
        slow = t(e.slow); normal = t(e.normal); fast = t(e.fast)
        oldestBlock = e.oldestBlock; blockCount = e.blockCount; warnings = e.warnings
        trend = e.baseFeeTrend.map(\.decimalString)
    }
}

/// 对账：账本里热钱包与充值地址的余额 vs 链上余额（账本模块的 reconcile，链读取由这里实现）；
/// 顺带把到期未处理的提现置为 expired（解冻），并更新任务队列指标。定时任务在租约锁下运行：同库的两个引擎不会同时跑。
public final class ReconcileWorker: EngineWorker, @unchecked Sendable {
    public let name = "reconcile"
    public let intervalMs: Int
    unowned let engine: WalletEngine
    let owner = "engine-\(getpid())"

    init(engine: WalletEngine) { self.engine = engine; intervalMs = engine.config.workers.reconcileIntervalMs }

    struct Reader: ChainBalanceReader {
        let client: ChainClient
        func balance(address: String, asset: Asset) async throws -> UInt256 {
            let a = try ChainAddress(hex: address)
            if let c = asset.contract, !c.isEmpty {
                let out = try await client.call(CallRequest(to: try ChainAddress(hex: c), data: TxBuilder.erc20BalanceOf(a.bytes)), .latest)
                return try UInt256(bigEndian: out.suffix(32))
            }
            return try await client.balance(a, .latest)
        }
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let gate = engine.gate
        let now = engine.clock()
        let lease = try gate.with { l -> Bool in
            guard let q = l.jobQueue else { return true }
            return try q.acquire(name: "reconcile", owner: owner, now: now, ttl: 600)
        }
        guard lease else { return RoundReport(processed: 0, summary: "lease held by another engine") }
        let expired = try gate.with { l in try l.expireDue() }
        // 与账本的 reconcile 同样三步（同一组函数），但读链在闸门外：闸门内取目标，闸门外读链，再闸门内记录（差异写告警）。
        let hot = engine.config.hotWallet.address.lowercased()
        let targets = try gate.with { l in try l.reconciliationTargets(hotWalletAddress: hot) }
        let reader = Reader(client: engine.client)
        var lines: [ReconciliationLine] = []
        for t in targets where !ctx.shouldStop {
            lines.append(ReconciliationLine(t, chain: try await reader.balance(address: t.address, asset: t.asset)))
        }
        try gate.with { l in try l.recordReconciliation(lines) }
        let bad = lines.filter { !$0.matches }
        engine.metrics.reconciliationMismatches.set(bad.count)
        try gate.with { l in
            if let q = l.jobQueue {
                engine.metrics.pendingJobs.set(try q.count(state: .pending), [JobWorker.queue])
                engine.metrics.deadJobs.set(try q.count(state: .dead))
                try q.release(name: "reconcile", owner: owner)
            }
        }
        for b in bad {
            ctx.logger.warn("reconcile.mismatch", ["account": .string(b.account), "asset": .string(b.asset),
                                                    "ledger": .amount(b.ledger), "chain": .amount(b.chain)])
        }
        return RoundReport(processed: lines.count + expired, summary: "lines=\(lines.count) mismatches=\(bad.count) expired=\(expired)")
    }
}
