// 令牌桶限流：容量 burst，每秒补充 ratePerSecond 个。全项目一个实现——节点客户端（WalletChain，没令牌就等）
// 与 KMS 服务（WalletKeystore，按 uid 拒绝超额请求）共用。放在最底层的 WalletCrypto 是因为它是两者唯一的共同依赖；
// 时钟可注入（单调秒数），测试不用真的等待。
import Foundation
import Synchronization

public final class TokenBucket: Sendable {
    public let ratePerSecond: Double
    public let burst: Double
    // 余量与上次补充时间必须一起读改写，放进同一把 Mutex。
    private let state: Mutex<(tokens: Double, last: Double?)>
    private let now: @Sendable () -> Double

    public init(ratePerSecond: Double, burst: Double, now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        precondition(ratePerSecond > 0 && burst >= 1, "限流参数必须为正")
        self.ratePerSecond = ratePerSecond; self.burst = burst; self.state = Mutex((burst, nil)); self.now = now
    }

    /// 立即尝试取一个令牌；成功返回 nil，失败返回还需等待的秒数。
    public func tryTake() -> Double? {
        state.withLock { s in
            let t = now()
            if let l = s.last { s.tokens = min(burst, s.tokens + max(0, t - l) * ratePerSecond) }
            s.last = t
            if s.tokens >= 1 { s.tokens -= 1; return nil }
            return (1 - s.tokens) / ratePerSecond
        }
    }
}
