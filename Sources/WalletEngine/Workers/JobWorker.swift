// 任务 worker：从账本的持久任务队列（queue = "engine"）领取到期任务并执行——操作员在控制台/CLI 里发起的
// “立即归集”“立即对账”“清理过期提现”等。领取带租约（可见性超时）：进程在执行中死掉，租约到期后任务可被再领；
// 失败按指数退避重试，超过次数进死信队列，运维可查看并重新入队（`jobs dead` / `jobs requeue ID`）。
// 处理器都是幂等的（归集以 (地址, nonce) 幂等、对账只追加记录、过期清理按状态转换），所以“至少一次”执行是安全的。
import Foundation
import WalletCrypto
import WalletLedger

public enum EngineJobKind: String, Sendable, CaseIterable {
    case sweepRun = "sweep.run"
    case reconcile = "reconcile.run"
    case expireWithdrawals = "withdrawals.expire"
    case refreshFees = "fees.refresh"
    case scannerRescan = "scanner.rescan"
}

public final class JobWorker: EngineWorker, Sendable {
    public static let queue = "engine"
    public let name = "jobs"
    public let intervalMs: Int
    unowned let engine: WalletEngine
    let owner = LocalProcess.ownerName

    init(engine: WalletEngine) { self.engine = engine; intervalMs = engine.config.workers.withdrawalIntervalMs }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        var done = 0, failed = 0
        while !ctx.shouldStop {
            let now = engine.clock.unixTime()
            // 领取/确认/失败重试都用账本的 JobRunner（唯一实现）；这里只负责异步执行处理器。
            func runner(_ l: Ledger) -> JobRunner? { l.jobQueue.map { JobRunner(queue: $0, owner: owner, visibility: 300) } }
            guard let job = try engine.gate.with({ l in try runner(l)?.lease(queueName: Self.queue, now: now) }) else { break }
            do {
                try await handle(job, ctx)
                try engine.gate.with { l in _ = try runner(l)?.finish(job, error: nil, now: engine.clock.unixTime()) }
                done += 1
                ctx.logger.info("job.done", ["id": .int(job.id), "kind": .string(job.kind), "attempt": .int(Int64(job.attempts))])
            } catch {
                let msg = WalletError(error).logText
                let after: Job? = try engine.gate.with { l in try runner(l)?.finish(job, error: msg, now: engine.clock.unixTime()) ?? nil }
                failed += 1
                ctx.logger.warn("job.failed", ["id": .int(job.id), "kind": .string(job.kind), "error": .error(error),
                                               "state": .string(after?.state.rawValue ?? "?")])
            }
            if done + failed >= 50 { break }   // 一轮最多 50 个，给别的 worker 让路
        }
        try engine.gate.with { l in
            if let q = l.jobQueue {
                engine.metrics.pendingJobs.set(try q.count(state: .pending), [Self.queue])
                engine.metrics.deadJobs.set(try q.count(state: .dead))
            }
        }
        return RoundReport(processed: done + failed, summary: "jobs done=\(done) failed=\(failed)")
    }

    func handle(_ job: Job, _ ctx: WorkerContext) async throws {
        guard let kind = EngineJobKind(rawValue: job.kind) else {
            throw EngineError("job.unknown_kind", zh: "未知的任务类型 \(job.kind)。", en: "unknown job kind \(job.kind).", badInput: false)
        }
        switch kind {
        case .sweepRun:
            // 归集要用热钱包的 nonce（补 gas）：只有持有 signer 租约的引擎能做。任务由 leader 消费，而多引擎时 leader 与 signer
            // 分在两个引擎上（EngineCluster 文件头）：交给持有 signer 的活引擎——记下请求，它的归集 worker 下一轮做一整轮 sweep run。
            // 以前这里失败重试：角色分开时重试多少次都轮不到，任务最后进死信（这次改动之前只在两个引擎同时起来时偶尔发生）。
            if let signer = try engine.cluster.fence(engine.cluster.signerLease) {
                _ = try await LeaseScope.$current.withValue(signer) { try await engine.sweepRun(logger: ctx.logger, requireSigner: true) }
            } else if let holder = try engine.cluster.liveHolder(engine.cluster.signerLease) {
                // 等签名者做完（它每 2 秒看一次）才算完成：任务显示 done 就是真归集过一轮（QA：以前转交即 done，签名者封存着时什么都没做）。
                let requestedAt = engine.clock.unixTime()
                let token = "\(job.id):\(requestedAt)"
                try engine.gate.put(WalletEngine.sweepRequestedKey, token)
                ctx.logger.info("sweep.run_handed_over", ["job": .int(job.id), "signer": .string(holder)])
                let deadline = engine.clock.now() + 30
                while true {
                    // 做完的是这个请求，或是严格更晚的请求（那一轮一定在本请求之后开始；同一秒的别的请求不算，秒级时间分不出先后）。
                    if let served = try engine.gate.get(WalletEngine.sweepServedKey, as: String.self),
                       served == token || (Int64(served.split(separator: ":").last ?? "") ?? 0) > requestedAt { break }
                    guard engine.clock.now() < deadline, !ctx.shouldStop else {
                        // 最后一次尝试也没等到：撤回请求（还没被别的请求覆盖时），否则任务进了死信、签名者恢复后又悄悄做了（QA 第五轮）。
                        if job.attempts >= job.maxAttempts {
                            try engine.gate.transaction { l in
                                // 记成「已处理」（请求 = 已做）：签名者之后不再做它。
                                if try l.get(WalletEngine.sweepRequestedKey, as: String.self) == token { try l.put(WalletEngine.sweepServedKey, token) }
                            }
                        }
                        throw EngineError("sweep.handover_pending", zh: "已交给持有签名租约的引擎 \(holder)，它 30 秒内没有做这一轮（密钥库封存着？签名器不可用？看它的 status）。稍后重试。",
                                          en: "handed to the engine holding the signer lease (\(holder)), which did not run the sweep within 30 s (sealed? signer unavailable? check its status). Retrying later.", badInput: false)
                    }
                    try await engine.clock.sleep(0.5)
                }
            } else {
                throw EngineError("job.not_signer", zh: "没有哪个活着的引擎持有热钱包的签名租约（都封存着或刚失联），稍后重试。",
                                  en: "no live engine holds the hot-wallet signer lease (all sealed or just lost); retrying later.", badInput: false)
            }
        case .reconcile: _ = try await ReconcileWorker(engine: engine).runRound(ctx, asJob: true)
        case .expireWithdrawals: _ = try engine.gate.with { l in try l.expireDue() }
        case .refreshFees: _ = try await engine.fees.refresh()
        case .scannerRescan:
            // 负载由 requestRescan 写入（授权已在入队时做）：{"from": N, "operator": NAME}
            guard let o = try? JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: Any],
                  let from = (o["from"] as? NSNumber)?.uint64Value, let who = o["operator"] as? String else {
                throw EngineError("job.bad_payload", zh: "rescan 任务的负载无效：\(job.payload)", en: "invalid rescan job payload: \(job.payload)", badInput: false)
            }
            _ = try await engine.rescan(from: from, operatorName: who)
        }
    }
}

extension WalletEngine {
    /// 入队一个引擎任务（控制台“立即归集”等）。uniqueKey 相同的任务只入队一次（幂等）。
    @discardableResult
    public func enqueue(_ kind: EngineJobKind, payload: String = "{}", uniqueKey: String? = nil, priority: Int = 0) throws -> Job {
        try gate.with { l in
            guard let q = l.jobQueue else {
                throw EngineError("job.no_queue", zh: "当前存储后端没有任务队列。", en: "the storage backend has no job queue.", badInput: false)
            }
            return try q.enqueue(queue: JobWorker.queue, kind: kind.rawValue, payload: payload, uniqueKey: uniqueKey, priority: priority,
                                 maxAttempts: 5, runAt: clock.unixTime())
        }
    }
}
