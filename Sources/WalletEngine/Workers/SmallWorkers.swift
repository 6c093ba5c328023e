// 小 worker：手续费刷新、对账（含过期提现清理与任务队列指标）。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

public final class FeeWorker: EngineWorker, Sendable {
    public let name = "fees"
    public let intervalMs: Int
    unowned let engine: WalletEngine

    init(engine: WalletEngine) { self.engine = engine; intervalMs = engine.config.workers.feeIntervalMs }

    /// 当前生效的费用告警（存库：--once 的每个进程不重复告警；恢复正常后清掉，下次再出现再告警）。
    static let alertKey = "engine.fees.alert"

    func raise(_ kind: String?, zh: String = "", en: String = "") throws {
        try engine.gate.alertOnce(Self.alertKey, kind: kind, zh: zh, en: en, at: engine.clock.unixTime())
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let e: FeeEstimate
        do { e = try await engine.fees.refresh() } catch let err as ChainError {
            if case .malformedResponse(_, let field, let detail) = err {
                try raise("fees.out_of_range", zh: "节点给出的手续费数据不可信（\(field)：\(detail)）：已拒收，提现与归集等待正常报价。检查节点或换节点。",
                          en: "the node's fee data is not credible (\(field): \(detail)); rejected. Withdrawals and sweeps wait for sane quotes. Check or replace the node.")
            }
            throw err
        }
        let cap = engine.config.fees.maxFeePerGasCap
        if e.normal.maxFeePerGas > cap {
            try raise("fees.above_cap", zh: "手续费 \(e.normal.maxFeePerGas) wei/gas 超过上限 fees.maxFeePerGasCap = \(cap)：新提现与归集暂停签名，回落后自动继续。",
                      en: "fees of \(e.normal.maxFeePerGas) wei/gas exceed fees.maxFeePerGasCap = \(cap): new withdrawals and sweeps are not signed until fees fall.")
        } else {
            try raise(nil)
        }
        try engine.gate.put("engine.fees.latest", FeeSnapshot(e))
        engine.chain.exportBreakers(engine.metrics)
        if !e.warnings.isEmpty { ctx.logger.warn("fees.warnings", ["warnings": .string(e.warnings.joined(separator: ","))]) }
        return RoundReport(processed: 1, summary: "baseFee=\(e.baseFee) normalTip=\(e.normal.maxPriorityFeePerGas)")
    }
}

/// 封存请求的守望：每 500 ms 看一眼密钥库目录里的封存代次（一次小文件读取），保证 2 秒内封存。
public final class SealWatchWorker: EngineWorker, Sendable {
    public let name = "seal-watch"
    public let intervalMs = 500
    unowned let engine: WalletEngine
    private let lastBeat = Protected<Int64>(0)
    init(engine: WalletEngine) { self.engine = engine }
    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let sealed = engine.enforceSealRequests() || engine.enforceClusterSeal()
        // 心跳（每 2 秒）：别的进程（status、控制台）据此报告「运行中的引擎」的真实状态，而不是查询进程自己的。
        let now = engine.clock.unixTime()
        if sealed || now - lastBeat.get >= 2 {
            try engine.writeHeartbeat()
            lastBeat.write { $0 = now }
        }
        return RoundReport(processed: sealed ? 1 : 0, summary: sealed ? "sealed by request" : "ok")
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
public final class ReconcileWorker: EngineWorker, Sendable {
    public let name = "reconcile"
    public let intervalMs: Int
    unowned let engine: WalletEngine
    let owner = LocalProcess.ownerName

    init(engine: WalletEngine) { self.engine = engine; intervalMs = engine.config.workers.reconcileIntervalMs }

    struct Reader: ChainBalanceReader {
        let client: ChainClient
        func balance(address: String, asset: Asset) async throws -> UInt256 { try await balance(address: address, asset: asset, at: .latest) }

        /// 钉在某个区块上读余额（对账必须所有地址读同一个区块，否则中途出块就会假差异）。
        func balance(address: String, asset: Asset, at tag: BlockTag) async throws -> UInt256 {
            let a = try ChainAddress(hex: address)
            if let c = asset.contract, !c.isEmpty {
                let out = try await client.call(CallRequest(to: try ChainAddress(hex: c), data: TxBuilder.erc20BalanceOf(a.bytes)), tag)
                return try UInt256(bigEndian: out.suffix(32))
            }
            return try await client.balance(a, tag)
        }
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport { try await runRound(ctx, asJob: false) }

    /// asJob：操作员入队的「立即对账」。租约被别的活引擎占着时抛错（任务按退避重试），绝不「什么都没做却报完成」。
    public func runRound(_ ctx: WorkerContext, asJob: Bool) async throws -> RoundReport {
        let gate = engine.gate
        let now = engine.clock.unixTime()
        let lease = try gate.with { l -> Bool in
            guard let q = l.jobQueue else { return true }
            if try q.acquire(name: "reconcile", owner: owner, now: now, ttl: 600) { return true }
            // 持有人是本机（同一 pid 命名空间）上已经死掉的引擎（被 kill -9，没来得及释放）：接管，而不是空等 10 分钟。
            // 别的主机上的持有人看不见它的 pid，不能据此判死（LocalProcess.isDeadLocalOwner）。
            if let holder = try q.leaseHolder(name: "reconcile", now: now), LocalProcess.isDeadLocalOwner(holder) {
                try q.release(name: "reconcile", owner: holder)
                return try q.acquire(name: "reconcile", owner: owner, now: now, ttl: 600)
            }
            return false
        }
        guard lease else {
            if asJob {
                throw EngineError("reconcile.busy", zh: "另一个引擎正在对账（持有租约）；稍后重试。", en: "another engine holds the reconcile lease; retrying later.", badInput: false)
            }
            return RoundReport(processed: 0, summary: "lease held by another engine")
        }
        defer { try? gate.with { l in try l.jobQueue?.release(name: "reconcile", owner: owner) } }
        let expired = try gate.with { l in try l.expireDue() }
        // 扫块器还没扫到链头：那几块里的外来入账（充值、注资）账上还没有，对账会报假差异（QA：引擎一启动对账先于扫块器跑，
        // 告警 reconcile.mismatch 留在告警里）。这一轮推迟；连续推迟 3 轮之后照跑——出块比扫块快的链上不能因此永远不对账。
        let head = try await engine.client.blockNumber()
        // 还没扫过（引擎第一次启动）也算落后（QA 第五轮：第一次启动 0.3 秒就对账，假差异让 status 不健康到下一次定时对账，7 分半）。
        let scanned = try engine.scanStore.height()
        if (scanned ?? 0) < head || scanned == nil, engine.reconcileDeferred.get < 3 {
            engine.reconcileDeferred.write { $0 += 1 }
            if asJob {
                throw EngineError("reconcile.scanner_behind", zh: "扫块器还没扫到链头（\(scanned.map(String.init) ?? "-") / \(head)）：稍后重试对账。",
                                  en: "the scanner has not reached the chain head (\(scanned.map(String.init) ?? "-") / \(head)); retrying the reconciliation later.", badInput: false)
            }
            return RoundReport(processed: expired, summary: "deferred: scanned=\(scanned.map(String.init) ?? "-") head=\(head) expired=\(expired)")
        }
        engine.reconcileDeferred.write { $0 = 0 }
        // 与 `ledger reconcile` 同一条路径：钉在一个区块上、计入在途，差异写告警与指标。
        let report = try await engine.reconcile(record: true, head: head)
        try gate.with { l in
            if let q = l.jobQueue {
                engine.metrics.pendingJobs.set(try q.count(state: .pending), [JobWorker.queue])
                engine.metrics.deadJobs.set(try q.count(state: .dead))
            }
        }
        return RoundReport(processed: report.checked + expired,
                           summary: "block=\(report.block) lines=\(report.checked) mismatches=\(report.mismatches.count) inflight=\(report.inFlight.count) expired=\(expired)")
    }
}
