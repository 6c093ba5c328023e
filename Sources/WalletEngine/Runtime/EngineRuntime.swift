// 引擎运行时：每个 worker 是结构化并发里的一个子任务（TaskGroup），互不阻塞；
// 停机分三步：① 置停止标志——各 worker 不再领新活；② 等在途轮次在宽限期内自然结束（资金操作的每一步
// 都是“先落库再动链”，见 WithdrawalExecutor）；③ 超时才取消任务，被打断的广播在下次启动时按存下的哈希核对。
import Logging
import Foundation
import Synchronization
import WalletCrypto
import WalletLedger

/// 一轮工作的结果（写日志与指标）。
public struct RoundReport: Sendable, Equatable {
    /// 本轮处理的条目数（区块、提现、归集地址……）。
    public var processed: Int
    /// 给人看的一句话摘要（英文机器友好，进日志）。
    public var summary: String
    public init(processed: Int = 0, summary: String = "") { self.processed = processed; self.summary = summary }
}

/// 停止令牌：worker 在安全点（两笔资金操作之间）检查它。
public final class StopToken: Sendable {
    // 标志与原因一起写（只记第一次的原因），放进同一把 Mutex。
    private let state = Mutex<(stopped: Bool, reason: String)>((false, ""))
    public init() {}
    public var isStopping: Bool { state.withLock { $0.stopped } }
    public var stopReason: String { state.withLock { $0.reason } }
    public func stop(_ why: String) {
        state.withLock { s in if !s.stopped { s.stopped = true; s.reason = why } }
    }

    /// 可被停止打断的睡眠：每 50 ms 检查一次，停机时最多晚 50 ms 醒来。按时钟计（注入的 ManualClock 立即返回）。
    public func sleep(milliseconds ms: Int, clock: any WalletClock = SystemClock()) async {
        let deadline = clock.now() + Double(ms) / 1000
        while clock.now() < deadline && !isStopping && !Task.isCancelled {
            try? await clock.sleep(min(0.05, deadline - clock.now()))
        }
    }
}

public struct WorkerContext: Sendable {
    public let stop: StopToken
    public let logger: Logger
    /// true：`engine run --once`，每个 worker 做完一整轮（例如扫到链头）就返回。
    public let once: Bool
    /// 安全点检查：停机中或任务被取消时不再开始新的资金操作。
    public var shouldStop: Bool { stop.isStopping || Task.isCancelled }
}

/// 一个后台 worker。`runRound` 必须能在任意两步之间安全停下：每一步本身是原子的（一次数据库事务）。
public protocol EngineWorker: Sendable {
    var name: String { get }
    /// 两轮之间的间隔（毫秒）。
    var intervalMs: Int { get }
    func runRound(_ ctx: WorkerContext) async throws -> RoundReport
}

public struct WorkerOutcome: Sendable {
    public var worker: String
    public var report: RoundReport?
    public var error: String?
    public var ok: Bool { error == nil }
}

/// 停机结果：在宽限期内正常结束，还是被强制取消。
public enum ShutdownKind: String, Sendable {
    case graceful, forced, notRequested
}

public final class EngineRuntime: Sendable {
    public let workers: [EngineWorker]
    public let stop = StopToken()
    let logger: Logger
    let metrics: EngineMetrics
    let graceMs: Int
    let clock: any WalletClock
    /// 多引擎的租约（nil = 不分工，测试里单跑某个 worker 时）。
    let cluster: EngineCluster?

    public init(workers: [EngineWorker], logger: Logger, metrics: EngineMetrics, graceSeconds: Int, clock: any WalletClock = SystemClock(),
                cluster: EngineCluster? = nil) {
        self.workers = workers; self.logger = logger; self.metrics = metrics; self.graceMs = graceSeconds * 1000; self.clock = clock
        self.cluster = cluster
    }

    public func requestStop(_ reason: String) {
        logger.info("engine.stop_requested", ["reason": .string(reason)])
        stop.stop(reason)
    }

    /// 执行一轮并记录日志、指标；错误不外抛（一个 worker 失败不拖垮其他 worker）。
    func round(_ w: EngineWorker, once: Bool) async -> WorkerOutcome {
        let ctx = WorkerContext(stop: stop, logger: logger.child(w.name), once: once)
        let start = clock.now()
        let lease = cluster?.leaseName(for: w.name)
        var began = false
        defer { if began, let lease { cluster?.end(lease) } }
        do {
            await FailPoint.stall("runtime.round_stall")
            var fence: LeaseFence?
            if let lease, let cluster {
                // 别的引擎持有这份独占的活（或本引擎正把它让给空闲的引擎）：本轮当备用，什么都不做。
                guard let f = try cluster.begin(lease) else {
                    return WorkerOutcome(worker: w.name, report: RoundReport(summary: "standby (\(lease))"), error: nil)
                }
                fence = f
                began = true
            }
            let r = try await LeaseScope.$current.withValue(fence) { try await w.runRound(ctx) }
            let secs = clock.now() - start
            metrics.workerRounds.inc([w.name])
            metrics.workerRoundSeconds.observe(secs, [w.name])
            if r.processed > 0 || once {
                logger.info("worker.round", ["worker": .string(w.name), "processed": .int(Int64(r.processed)),
                                             "summary": .string(r.summary), "ms": .int(Int64(secs * 1000))])
            }
            return WorkerOutcome(worker: w.name, report: r, error: nil)
        } catch {
            if case LedgerError.leaseLost? = error as? LedgerError, let lease { cluster?.forget(lease) }
            metrics.workerErrors.inc([w.name])
            logger.error("worker.round_failed", ["worker": .string(w.name), "error": .error(error)])
            let msg = WalletError(error).logText
            return WorkerOutcome(worker: w.name, report: nil, error: msg)
        }
    }

    /// `engine run --once`：按顺序每个 worker 跑一整轮后返回。
    public func runOnce() async -> [WorkerOutcome] {
        metrics.up.set(1)
        defer { metrics.up.set(0) }
        logger.info("engine.once_start", ["workers": .string(workers.map(\.name).joined(separator: ","))])
        var out: [WorkerOutcome] = []
        for w in workers {
            if stop.isStopping { break }
            out.append(await round(w, once: true))
        }
        logger.info("engine.once_done", ["failed": .int(Int64(out.filter { !$0.ok }.count))])
        cluster?.leave()
        return out
    }

    /// 常驻运行直到 requestStop；返回停机方式。
    @discardableResult
    public func run() async -> ShutdownKind {
        metrics.up.set(1)
        defer { metrics.up.set(0) }
        logger.info("engine.start", ["workers": .string(workers.map(\.name).joined(separator: ","))])
        let forced = ManagedFlag()
        await withTaskGroup(of: Void.self) { group in
            for w in workers {
                group.addTask { [self] in
                    while !stop.isStopping && !Task.isCancelled {
                        _ = await round(w, once: false)
                        await stop.sleep(milliseconds: w.intervalMs, clock: clock)
                    }
                    logger.info("worker.stopped", ["worker": .string(w.name)])
                }
            }
            // 看门狗：停止请求后超过宽限期仍未结束 → 取消所有 worker。
            group.addTask { [self] in
                while !stop.isStopping && !Task.isCancelled {
                    try? await clock.sleep(0.05)
                }
                // 按时钟读数计宽限期（负载高时 sleep 会变长，不能靠累加睡眠次数）。
                let deadline = clock.now() + Double(graceMs) / 1000
                while clock.now() < deadline && !Task.isCancelled {
                    try? await clock.sleep(0.05)
                }
                if !Task.isCancelled {
                    forced.set()
                    logger.warn("engine.grace_expired", ["graceMs": .int(Int64(graceMs))])
                }
            }
            // 所有 worker 退出后，看门狗也不必再等。
            var remaining = workers.count + 1
            while remaining > 0 {
                _ = await group.next()
                remaining -= 1
                if forced.value { group.cancelAll() }
                if remaining == 1 && !forced.value { group.cancelAll() }
            }
        }
        cluster?.leave()
        let kind: ShutdownKind = forced.value ? .forced : (stop.isStopping ? .graceful : .notRequested)
        logger.info("engine.stopped", ["shutdown": .string(kind.rawValue)])
        return kind
    }
}
