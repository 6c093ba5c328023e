import Foundation
import Synchronization
import WalletCrypto

/// 时间源就是全项目的 WalletClock（WalletCrypto）；这个别名保留给既有的链客户端接口。
public typealias ChainClock = WalletClock

// MARK: - 熔断器

public enum BreakerState: String, Sendable, Equatable {
    case closed, open, halfOpen = "half_open"
}

public struct BreakerConfig: Sendable {
    /// 连续失败多少次后打开。
    public var failureThreshold: Int
    /// 打开后多久进入半开（放一个探测请求）。
    public var openSeconds: Double
    public init(failureThreshold: Int = 5, openSeconds: Double = 30) {
        self.failureThreshold = failureThreshold; self.openSeconds = openSeconds
    }
}

/// 每个端点一个：closed →（连续失败达到阈值）→ open →（冷却到期）→ half_open →（探测成功）closed / （失败）open。
public final class CircuitBreaker: Sendable {
    public let config: BreakerConfig
    // 状态、计数与迁移历史一起变化，放进同一把 Mutex。
    private struct State {
        var state: BreakerState = .closed
        var failures = 0
        var openedAt: Double = 0
        var probeInFlight = false
        var transitions: [BreakerState] = []
        mutating func move(_ s: BreakerState) { state = s; transitions.append(s) }
    }
    private let guarded = Mutex(State())

    public init(config: BreakerConfig) { self.config = config }

    /// 是否放行一次请求；open 冷却到期时转 half_open 并只放行一个探测。
    public func allow(now: Double) -> Bool {
        guarded.withLock { s in
            switch s.state {
            case .closed: return true
            case .open:
                guard now >= s.openedAt + config.openSeconds else { return false }
                s.move(.halfOpen); s.probeInFlight = true
                return true
            case .halfOpen:
                if s.probeInFlight { return false }
                s.probeInFlight = true
                return true
            }
        }
    }

    public func recordSuccess() {
        guarded.withLock { s in
            s.failures = 0; s.probeInFlight = false
            if s.state != .closed { s.move(.closed) }
        }
    }

    public func recordFailure(now: Double) {
        guarded.withLock { s in
            s.failures += 1; s.probeInFlight = false
            switch s.state {
            case .halfOpen: s.openedAt = now; s.move(.open)
            case .closed where s.failures >= config.failureThreshold: s.openedAt = now; s.move(.open)
            default: break
            }
        }
    }

    public var currentState: BreakerState { guarded.withLock { $0.state } }
    public var consecutiveFailures: Int { guarded.withLock { $0.failures } }
    /// 状态迁移历史（控制台展示与测试用）。
    public var history: [BreakerState] { guarded.withLock { $0.transitions } }
}

// MARK: - 令牌桶限流

/// 客户端限流用 WalletCrypto.TokenBucket（与 KMS 共用一个实现）：没令牌就按链时钟等待，而不是把请求打到节点被 429。
extension TokenBucket {
    public convenience init(ratePerSecond: Double, burst: Double, clock: ChainClock) {
        self.init(ratePerSecond: ratePerSecond, burst: burst, now: { clock.now() })
    }

    public func acquire(sleepingOn clock: ChainClock) async throws {
        while let wait = tryTake() { try await clock.sleep(wait) }
    }
}

// MARK: - 重试

// 重试退避用 WalletCrypto.RetryPolicy（全抖动，与持久任务共用一个实现）。

/// 只有这些方法可以自动重试/换端点重发。eth_sendRawTransaction 绝不重试：
/// 重发同一笔已签名交易本身无害，但“超时后重试”会掩盖结果未知状态，必须交给引擎按哈希确认。
public let idempotentRPCMethods: Set<String> = [
    "eth_chainId", "eth_blockNumber", "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getLogs",
    "eth_getTransactionReceipt", "eth_getTransactionByHash", "eth_getTransactionCount", "eth_feeHistory",
    "eth_maxPriorityFeePerGas", "eth_estimateGas", "eth_getBalance", "eth_call", "eth_gasPrice",
]

// MARK: - 多端点容错

/// 控制台与指标看到的端点健康状况。
public struct EndpointHealth: Sendable, Equatable {
    public let endpoint: String
    public let breaker: BreakerState
    public let consecutiveFailures: Int
    public let lastErrorCode: String?
    public let lastLatencyMs: Double?
    public let chainIdVerified: Bool
    public let disabled: Bool
}

public struct ResilienceConfig: Sendable {
    public var expectedChainId: UInt64
    public var timeoutSeconds: Double
    public var retry: RetryPolicy
    public var breaker: BreakerConfig
    public var ratePerSecond: Double
    public var burst: Double
    /// 允许端点链头比已见最高值落后多少块（0 = 不允许任何回退）。
    public var staleHeadTolerance: UInt64
    /// **所有**端点都报更低的链头（没有一个有更高的）时，回退不超过这么多块就认为是链自己退回去了（重组到更短的分支）而不是节点落后：
    /// 信它。0 = 从不信（旧行为：链头回退期间所有调用都失败，直到新链头超过旧高度，QA：约 30 秒、重组检测跟着晚）。
    public var maxChainRollback: UInt64
    public init(expectedChainId: UInt64, timeoutSeconds: Double = 10, retry: RetryPolicy = RetryPolicy(),
                breaker: BreakerConfig = BreakerConfig(), ratePerSecond: Double = 20, burst: Double = 40,
                staleHeadTolerance: UInt64 = 0, maxChainRollback: UInt64 = 0) {
        self.expectedChainId = expectedChainId; self.timeoutSeconds = timeoutSeconds; self.retry = retry
        self.breaker = breaker; self.ratePerSecond = ratePerSecond; self.burst = burst
        self.staleHeadTolerance = staleHeadTolerance; self.maxChainRollback = maxChainRollback
    }
}

/// 每次请求的观测回调（引擎接 Prometheus 延迟直方图）。不含任何地址/哈希。
public typealias RPCObserver = @Sendable (_ endpoint: String, _ method: String, _ seconds: Double, _ ok: Bool) -> Void

final class EndpointRuntime: Sendable {
    let caller: RPCCaller
    let label: String
    let breaker: CircuitBreaker
    let bucket: TokenBucket
    // health 要一次读到一致的四个值，所以放在同一把 Mutex 里。
    private struct State {
        var verified = false
        var disabled = false
        var lastError: String?
        var latency: Double?
    }
    private let state = Mutex(State())

    init(caller: RPCCaller, label: String, config: ResilienceConfig, clock: ChainClock) {
        self.caller = caller; self.label = label
        breaker = CircuitBreaker(config: config.breaker)
        bucket = TokenBucket(ratePerSecond: config.ratePerSecond, burst: config.burst, clock: clock)
    }

    var verified: Bool { get { state.withLock { $0.verified } } set { state.withLock { $0.verified = newValue } } }
    var disabled: Bool { get { state.withLock { $0.disabled } } set { state.withLock { $0.disabled = newValue } } }
    func note(error: String?, latency: Double?) {
        state.withLock { s in s.lastError = error; if let latency { s.latency = latency } }
    }
    var health: EndpointHealth {
        state.withLock { s in
            EndpointHealth(endpoint: label, breaker: breaker.currentState, consecutiveFailures: breaker.consecutiveFailures,
                           lastErrorCode: s.lastError, lastLatencyMs: s.latency.map { $0 * 1000 },
                           chainIdVerified: s.verified, disabled: s.disabled)
        }
    }
}

/// 带容错的多端点 RPC：按配置顺序优先使用靠前的端点，失败则切换；只对幂等读做重试与退避；
/// 每端点熔断与限流；链头回退保护；每个端点首次使用前校验 chainId。
public final class ResilientRPC: RPCCaller, Sendable {
    let endpoints: [EndpointRuntime]
    public let config: ResilienceConfig
    private let clock: ChainClock
    private let observer: RPCObserver?
    private let highestHead = Mutex<UInt64>(0)

    /// `endpoints`：(名称, 单端点调用器)。真实部署用 `ResilientRPC.http(urls:config:)`。
    public init(endpoints: [(label: String, caller: RPCCaller)], config: ResilienceConfig,
                clock: ChainClock = SystemClock(), observer: RPCObserver? = nil) throws {
        guard !endpoints.isEmpty else { throw ChainError.invalidConfiguration(key: "rpc", detail: "至少需要一个 RPC 端点 / at least one RPC endpoint is required") }
        guard config.retry.maxAttempts >= 1 else { throw ChainError.invalidConfiguration(key: "retry.maxAttempts", detail: "至少为 1 / must be at least 1") }
        self.endpoints = endpoints.map { EndpointRuntime(caller: $0.caller, label: $0.label, config: config, clock: clock) }
        self.config = config; self.clock = clock; self.observer = observer
    }

    public static func http(urls: [String], config: ResilienceConfig, clock: ChainClock = SystemClock(),
                            observer: RPCObserver? = nil) throws -> ResilientRPC {
        let eps: [(label: String, caller: RPCCaller)] = try urls.map { s in
            guard let u = URL(string: s) else { throw ChainError.invalidConfiguration(key: "rpc", detail: "不是合法 URL：\(s.prefix(100)) / not a valid URL: \(s.prefix(100))") }
            let t = try HTTPTransport(url: u)
            return (t.label, JSONRPCEndpoint(transport: t, timeout: config.timeoutSeconds))
        }
        return try ResilientRPC(endpoints: eps, config: config, clock: clock, observer: observer)
    }

    public var health: [EndpointHealth] { endpoints.map(\.health) }
    public var highestHeadSeen: UInt64 { highestHead.withLock { $0 } }

    /// 启动时调用：每个可达端点的 chainId 必须等于配置，否则抛 `.chainIdMismatch`（拒绝运行）。
    /// 全部不可达时抛 `.noHealthyEndpoint`。
    public func verifyChainId() async throws {
        var anyOK = false
        var last = "unreachable"
        for ep in endpoints where !ep.disabled {
            do { try await verify(ep); anyOK = true } catch let e as ChainError {
                if case .chainIdMismatch = e { throw e }
                last = e.code
            }
        }
        if !anyOK { throw ChainError.noHealthyEndpoint(method: "eth_chainId", lastError: last) }
    }

    private func verify(_ ep: EndpointRuntime) async throws {
        if ep.verified { return }
        let r = try await ep.caller.call("eth_chainId", [])
        guard case .string(let s) = r, let id = try? StrictHex.quantity64(s) else {
            throw ChainError.malformedResponse(method: "eth_chainId", field: "result", detail: "不是数量 / not a quantity")
        }
        guard id == config.expectedChainId else {
            ep.disabled = true
            ep.note(error: "chain.chain_id_mismatch", latency: nil)
            throw ChainError.chainIdMismatch(endpoint: ep.label, expected: config.expectedChainId, got: id)
        }
        ep.verified = true
    }

    public func call(_ method: String, _ params: [JSONValue]) async throws -> JSONValue {
        let idempotent = idempotentRPCMethods.contains(method)
        var lastError: ChainError = .noHealthyEndpoint(method: method, lastError: "none")
        var attempt = 0
        // 这是一次「链头」观测（不是按高度取块）：只有它能说明链自己退回去了。
        let reportsHead = method == "eth_blockNumber" || (method == "eth_getBlockByNumber" && params.first == .string("latest"))
        var rolledBack = false   // 每次调用最多信一次（节点一直往回报时不在这里打转）
        while true {
            attempt += 1
            var triedAny = false
            var staleHeads: [UInt64] = [], otherFailure = false
            for ep in endpoints where !ep.disabled {
                guard ep.breaker.allow(now: clock.now()) else { continue }
                triedAny = true
                try await ep.bucket.acquire(sleepingOn: clock)
                let t0 = clock.now()
                do {
                    try await verify(ep)
                    let r = try await ep.caller.call(method, params)
                    try checkHead(method: method, params: params, result: r, endpoint: ep.label)
                    ep.breaker.recordSuccess()
                    ep.note(error: nil, latency: clock.now() - t0)
                    observer?(ep.label, method, clock.now() - t0, true)
                    return r
                } catch let e as ChainError {
                    observer?(ep.label, method, clock.now() - t0, false)
                    ep.note(error: e.code, latency: nil)
                    if case .staleHead(_, _, let got) = e, reportsHead { staleHeads.append(got) } else { otherFailure = true }
                    if case .chainIdMismatch = e { throw e }
                    if case .rpcError = e, !e.isRetryable {
                        // 节点正常地拒绝了请求（参数错、交易无效等）：端点是健康的，换端点也没用。
                        ep.breaker.recordSuccess()
                        throw e
                    }
                    ep.breaker.recordFailure(now: clock.now())
                    if !idempotent {
                        // 发送类请求：网络层失败意味着结果未知，交给上层按哈希确认。
                        switch e {
                        case .transport(let l, let d): throw ChainError.broadcastUnknown(endpoint: l, detail: d)
                        case .timeout(let l, _, let s): throw ChainError.broadcastUnknown(endpoint: l, detail: "超时 \(s)s / timed out after \(s)s")
                        case .malformedResponse(_, _, let d): throw ChainError.broadcastUnknown(endpoint: ep.label, detail: d)
                        default: throw e
                        }
                    }
                    lastError = e
                } catch {
                    // 非 ChainError（例如任务取消）原样抛出。
                    throw error
                }
            }
            // 每个试过的端点都报了更低的链头、没有一个有更高的：是链退回去了（重组到更短的分支），不是哪个节点落后——
            // 回退在 maxChainRollback 之内就把「已见最高」降到它们中最高的那个，当场重试（扫块器随后按父哈希发现重组）。
            if !rolledBack, !staleHeads.isEmpty, !otherFailure, config.maxChainRollback > 0, let best = staleHeads.max(),
               best + config.maxChainRollback >= highestHead.withLock({ $0 }) {
                highestHead.withLock { $0 = min($0, best) }
                rolledBack = true
                continue
            }
            if !triedAny && attempt == 1 {
                throw ChainError.noHealthyEndpoint(method: method, lastError: "所有端点熔断中 / all endpoints have open breakers")
            }
            guard idempotent, attempt < config.retry.maxAttempts else {
                throw ChainError.noHealthyEndpoint(method: method, lastError: lastError.code)
            }
            try await clock.sleep(try config.retry.delay(afterAttempt: attempt))
        }
    }

    /// 链头回退保护：见过更高的链头后，端点回答更旧的链头（或自称没有已见过的高度的区块）即不可信。
    private func checkHead(method: String, params: [JSONValue], result: JSONValue, endpoint: String) throws {
        var observed: UInt64?
        switch method {
        case "eth_blockNumber":
            if case .string(let s) = result { observed = try? StrictHex.quantity64(s) }
        case "eth_getBlockByNumber":
            guard let tag = params.first else { return }
            if tag == .string("latest") {
                if case .string(let s)? = result["number"] { observed = try? StrictHex.quantity64(s) }
            } else if result.isNull, case .string(let s) = tag, let n = try? StrictHex.quantity64(s) {
                let h = highestHead.withLock { $0 }
                if n <= h { throw ChainError.staleHead(endpoint: endpoint, seen: h, got: n - 1) }
            }
        default: return
        }
        guard let got = observed else { return }
        // 比较与推进在同一次加锁里完成；锁外只抛错（抛错语句保持原样）。
        let stale: UInt64? = highestHead.withLock { h in
            if got + config.staleHeadTolerance < h { return h }
            h = max(h, got); return nil
        }
        if let highestHead = stale {
            throw ChainError.staleHead(endpoint: endpoint, seen: highestHead, got: got)
        }
    }
}
