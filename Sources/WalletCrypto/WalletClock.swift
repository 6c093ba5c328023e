// 全项目唯一的时间抽象。墙钟（账本时间戳、过期、冷静期、卡住判定、心跳）与单调钟（耗时、退避、熔断冷却、宽限期）
// 都从这里取，睡眠也经它——测试注入 ManualClock 就能把「等 10 秒」变成「拨 10 秒」，不用真的等。
// 放在最底层的 WalletCrypto：账本、链客户端、引擎都依赖它，却不必互相依赖。
import Foundation
import Synchronization

public protocol WalletClock: Sendable {
    /// 单调秒数（只用来算间隔；起点任意）。
    func now() -> Double
    /// 墙钟：Unix 秒。
    func unixTime() -> Int64
    /// 睡 seconds 秒（可被任务取消打断）。
    func sleep(_ seconds: Double) async throws
}

/// 真实时间。
public struct SystemClock: WalletClock {
    private let start = ContinuousClock.now
    public init() {}
    public func now() -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    public func unixTime() -> Int64 { Int64(Date().timeIntervalSince1970) }
    public func sleep(_ seconds: Double) async throws {
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    }
}

/// 手动时钟（测试）：sleep 立即把时间往前拨并记下等了多久（断言退避序列用）；advance 同时拨动单调钟与墙钟。
public final class ManualClock: WalletClock {
    private struct State { var t: Double = 0; var slept: [Double] = [] }
    private let state = Mutex(State())
    private let unixStart: Int64
    public init(unixStart: Int64 = Int64(Date().timeIntervalSince1970)) { self.unixStart = unixStart }
    public func now() -> Double { state.withLock { $0.t } }
    public func unixTime() -> Int64 { unixStart + Int64(now().rounded(.down)) }
    public func advance(_ s: Double) { state.withLock { $0.t += max(0, s) } }
    public func sleep(_ seconds: Double) async throws {
        state.withLock { $0.slept.append(seconds); $0.t += max(0, seconds) }
    }
    public var sleeps: [Double] { state.withLock { $0.slept } }
}
