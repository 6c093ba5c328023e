import Foundation
import Synchronization

/// 刷新闸门：上一次刷新还没结束时，新的刷新被丢弃（而不是排队），与 k9s 相同——慢后端不会堆积请求。
public final class RefreshGate: Sendable {
    private let state = Mutex<(running: Bool, dropped: Int, started: Int)>((false, 0, 0))
    public var dropped: Int { state.withLock { $0.dropped } }
    public var started: Int { state.withLock { $0.started } }

    public init() {}

    public func tryBegin() -> Bool {
        state.withLock { s in
            if s.running { s.dropped += 1; return false }
            s.running = true; s.started += 1
            return true
        }
    }

    public func end() { state.withLock { $0.running = false } }

    public var isRunning: Bool { state.withLock { $0.running } }
}

/// 后台任务把结果投递到这里，应用循环在自己的线程上取出——输入处理从不等待数据。
public final class Mailbox<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    public init() {}
    public func post(_ item: T) { items.withLock { $0.append(item) } }
    public func drain() -> [T] { items.withLock { i in defer { i = [] }; return i } }
}
