// 持久化任务队列（asynq 模型）：优先级、租约/可见性超时、指数退避 + 抖动重试、死信队列与重新入队。
// 这里只定义接口；SQLite 实现在 Storage/SQLiteJobQueue.swift，多机部署用 WalletQueueRedis 的 RedisStreamsJobQueue（见 docs/queue.md）。
import WalletCrypto

public enum JobState: String, Sendable, CaseIterable { case pending, leased, done, dead }

public struct Job: Sendable, Equatable {
    public var id: Int64
    public var queue: String
    public var kind: String
    public var payload: String
    public var uniqueKey: String?
    public var priority: Int
    public var state: JobState
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Int64
    public var leaseOwner: String?
    public var leaseUntil: Int64?
    public var lastError: String

    /// 公开的逐字段构造：WalletLedger 以外的队列实现（WalletQueueRedis）从自己的存储还原任务。
    public init(id: Int64, queue: String, kind: String, payload: String, uniqueKey: String?, priority: Int, state: JobState,
                attempts: Int, maxAttempts: Int, runAt: Int64, leaseOwner: String?, leaseUntil: Int64?, lastError: String) {
        self.id = id; self.queue = queue; self.kind = kind; self.payload = payload; self.uniqueKey = uniqueKey
        self.priority = priority; self.state = state; self.attempts = attempts; self.maxAttempts = maxAttempts
        self.runAt = runAt; self.leaseOwner = leaseOwner; self.leaseUntil = leaseUntil; self.lastError = lastError
    }
}

// 失败重试的退避用 WalletCrypto.RetryPolicy（RetryPolicy.jobs：整秒、至少等满退避）。

public protocol JobQueue: AnyObject {
    /// 入队；uniqueKey 已存在则返回已有任务（幂等入队）。
    @discardableResult
    func enqueue(queue: String, kind: String, payload: String, uniqueKey: String?, priority: Int, maxAttempts: Int, runAt: Int64) throws -> Job
    /// 取一个到期任务并加租约（优先级高者先，同级先到先得）。租约过期的 leased 任务视为可再取（可见性超时）。
    func lease(queue: String, owner: String, now: Int64, visibility: Int64) throws -> Job?
    /// 完成：只有当前租约持有者能确认。
    func complete(id: Int64, owner: String) throws
    /// 失败：未超过次数 → 退避后重试；超过 → 死信。
    func fail(id: Int64, owner: String, error: String, now: Int64, retry: RetryPolicy) throws -> Job
    func requeue(id: Int64, now: Int64) throws -> Job
    func jobs(state: JobState?, queue: String?, page: Page) throws -> [Job]
    func count(state: JobState?) throws -> Int
}

/// 定时任务的租约锁：同一数据库上的多个引擎进程，同一时刻只有一个在跑某个定时任务。
public protocol LeaseLock: AnyObject {
    /// 获得或续约（自己持有时）；别人持有且未过期 → false。
    func acquire(name: String, owner: String, now: Int64, ttl: Int64) throws -> Bool
    func release(name: String, owner: String) throws
    /// 租约当前的持有人（未过期）；没有则 nil。
    func leaseHolder(name: String, now: Int64) throws -> String?
}
