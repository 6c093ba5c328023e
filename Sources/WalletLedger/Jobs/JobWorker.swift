// 任务执行：取一个任务（租约）→ 交给处理函数 → 成功确认 / 失败重试或进死信。全项目只有这一份逻辑：
// 引擎的 JobWorker（异步处理器）用 lease + finish，同步调用方用 runOnce。
// 处理函数必须幂等：租约过期后任务可能被另一个进程再执行一次（至少一次语义）。
import WalletCrypto

public enum JobOutcome: Sendable, Equatable { case done, failed(String), none }

public struct JobRunner {
    public let queue: any JobQueue
    public let owner: String
    public var visibility: Int64 = 60
    public var retry = RetryPolicy.jobs

    public init(queue: any JobQueue, owner: String, visibility: Int64 = 60, retry: RetryPolicy = .jobs) {
        self.queue = queue; self.owner = owner; self.visibility = visibility; self.retry = retry
    }

    /// 领取一个到期任务（带租约）；没有则 nil。
    public func lease(queueName: String, now: Int64) throws -> Job? {
        try queue.lease(queue: queueName, owner: owner, now: now, visibility: visibility)
    }

    /// 结束一个已领取的任务：error 为 nil 则确认完成，否则按退避重试或进死信。返回失败后的任务状态（成功为 nil）。
    @discardableResult
    public func finish(_ job: Job, error: String?, now: Int64) throws -> Job? {
        guard let error else { try queue.complete(id: job.id, owner: owner); return nil }
        return try queue.fail(id: job.id, owner: owner, error: error, now: now, retry: retry)
    }

    /// 处理一个到期任务（没有则返回 .none）。handlers 按 kind 分派；未知 kind 视为失败（最终进死信，不会被悄悄丢弃）。
    @discardableResult
    public func runOnce(queueName: String, now: Int64, handlers: [String: (Job) throws -> Void]) throws -> JobOutcome {
        guard let job = try lease(queueName: queueName, now: now) else { return JobOutcome.none }
        do {
            guard let h = handlers[job.kind] else { throw LedgerError.invalidArgument("job.kind", "没有处理函数：\(job.kind)", en: "no handler for \(job.kind)") }
            try h(job)
            try finish(job, error: nil, now: now)
            return .done
        } catch {
            let msg = WalletError(error).logText
            try finish(job, error: msg, now: now)
            return .failed(msg)
        }
    }
}

extension LeaseLock {
    /// 在租约锁下运行定时任务：拿不到锁（另一进程正在跑）就跳过，返回 false。
    @discardableResult
    public func runExclusive(_ name: String, owner: String, now: Int64, ttl: Int64, _ body: () throws -> Void) throws -> Bool {
        guard try acquire(name: name, owner: owner, now: now, ttl: ttl) else { return false }
        defer { try? release(name: name, owner: owner) }
        try body()
        return true
    }
}
