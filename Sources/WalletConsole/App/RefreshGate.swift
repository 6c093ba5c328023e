import Foundation

/// 刷新闸门：上一次刷新还没结束时，新的刷新被丢弃（而不是排队），与 k9s 相同——慢后端不会堆积请求。
public final class RefreshGate: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    public private(set) var dropped = 0
    public private(set) var started = 0

    public init() {}

    public func tryBegin() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if running { dropped += 1; return false }
        running = true; started += 1
        return true
    }

    public func end() { lock.lock(); running = false; lock.unlock() }

    public var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }
}

/// 后台任务把结果投递到这里，应用循环在自己的线程上取出——输入处理从不等待数据。
public final class Mailbox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    public init() {}
    public func post(_ item: T) { lock.lock(); items.append(item); lock.unlock() }
    public func drain() -> [T] { lock.lock(); defer { lock.unlock() }; let i = items; items = []; return i }
}
