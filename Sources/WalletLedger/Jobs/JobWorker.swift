// 任务执行助手：取一个任务 → 交给处理函数 → 成功确认 / 失败重试或进死信。
// 处理函数必须幂等：租约过期后任务可能被另一个进程再执行一次（至少一次语义）。
import WalletCrypto

public enum JobOutcome: Sendable, Equatable { case done, failed(String), none }

public struct JobWorker {
    public let queue: any JobQueue
    public let owner: String
    public var visibility: Int64 = 60
    public var retry = RetryPolicy()

    public init(queue: any JobQueue, owner: String, visibility: Int64 = 60, retry: RetryPolicy = RetryPolicy()) {
        self.queue = queue; self.owner = owner; self.visibility = visibility; self.retry = retry
    }

    /// 处理一个到期任务（没有则返回 .none）。handlers 按 kind 分派；未知 kind 视为失败（最终进死信，不会被悄悄丢弃）。
    @discardableResult
    public func runOnce(queueName: String, now: Int64, handlers: [String: (Job) throws -> Void]) throws -> JobOutcome {
        guard let job = try queue.lease(queue: queueName, owner: owner, now: now, visibility: visibility) else { return JobOutcome.none }
        do {
            guard let h = handlers[job.kind] else { throw LedgerError.invalidArgument("job.kind", "没有处理函数：\(job.kind)") }
            try h(job)
            try queue.complete(id: job.id, owner: owner)
            return .done
        } catch {
            let msg = (error as? WalletError)?.description ?? "\(error)"
            _ = try queue.fail(id: job.id, owner: owner, error: msg, now: now, retry: retry)
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
