// 指数退避：全项目一个实现。节点请求（WalletChain：秒级小数、全抖动）与持久任务（WalletLedger：整秒、
// 不低于基准的「加半」抖动——任务至少等满退避时间）共用。抖动只来自 SecureRandom（项目规定的唯一随机源）。
// 参考：AWS Architecture Blog「Exponential Backoff and Jitter」。
import Foundation

public struct RetryPolicy: Sendable, Equatable {
    public enum Jitter: Sendable, Equatable {
        /// 在 [0, min(cap, base·2^(n-1))] 内均匀取值（请求重试：分散重试风暴）。
        case full
        /// 在 [d, d + d/2] 内均匀取值，d = min(cap, base·2^(n-1))（任务重试：至少等满退避）。
        case upToHalf
    }
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public var jitter: Jitter

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 5, jitter: Jitter = .full) {
        self.maxAttempts = maxAttempts; self.baseDelay = baseDelay; self.maxDelay = maxDelay; self.jitter = jitter
    }

    /// 持久任务的退避（整秒；次数上限由任务自己的 maxAttempts 决定）。
    public init(baseSeconds: Int64, maxSeconds: Int64) {
        self.init(maxAttempts: .max, baseDelay: Double(baseSeconds), maxDelay: Double(maxSeconds), jitter: .upToHalf)
    }

    /// 任务默认：2 s 起，最多 1 小时。
    public static let jobs = RetryPolicy(baseSeconds: 2, maxSeconds: 3600)

    /// 第 n 次失败后的等待秒数。
    public func delay(afterAttempt n: Int) throws -> Double {
        let exp = Double(min(max(n - 1, 0), 40))
        let ceiling = min(maxDelay, baseDelay * pow(2, exp))
        let micros = UInt64(max(0, ceiling) * 1_000_000)
        switch jitter {
        case .full:
            guard micros > 0 else { return 0 }
            return Double(try SecureRandom.uniform(micros + 1)) / 1_000_000
        case .upToHalf:
            guard micros / 2 > 0 else { return ceiling }
            return ceiling + Double(try SecureRandom.uniform(micros / 2 + 1)) / 1_000_000
        }
    }

    /// 整秒形式（持久任务的 runAt 以秒计）：整数运算，不受浮点舍入影响。
    public func delaySeconds(afterAttempt n: Int) throws -> Int64 {
        let exp = Int64(min(max(n - 1, 0), 40))
        let base = Int64(baseDelay), cap = Int64(maxDelay)
        let raw = base > 0 && exp < 62 && base <= cap >> exp ? base << exp : cap
        let d = min(cap, raw)
        switch jitter {
        case .upToHalf: return d + (d / 2 > 0 ? Int64(try SecureRandom.uniform(UInt64(d / 2) + 1)) : 0)
        case .full: return d > 0 ? Int64(try SecureRandom.uniform(UInt64(d) + 1)) : 0
        }
    }
}
