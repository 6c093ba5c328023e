// 进程内的异步互斥：同一时刻只有一个任务在临界区里，await 期间也不放开（普通锁不能跨 await 持有）。
// 先来先得；等待者不占线程。
public actor AsyncMutex {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if locked { await withCheckedContinuation { waiters.append($0) } } else { locked = true }
        defer { if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() } }
        return try await body()
    }
}
