import Foundation
import Synchronization
import WalletCrypto
import WalletKeys

// ⚠️ 演示链（DEMO）：进程内模拟器，给 `wallet-console demo` 一个没有节点也“活着”的钱包。
// 由种子完全确定；绝不能作为真实配置的默认值。随机数来自带种子的 SplitMix64——只用于模拟行情，
// 与任何机密无关（机密一律来自 SecureRandom）。

/// WalletKeys 的解码器：RLP 解码 + 从签名恢复发送方（签名无效即抛错）。
public struct WalletKeysTransactionDecoder: RawTransactionDecoder {
    public init() {}
    public func decode(_ raw: [UInt8]) throws -> DecodedRawTransaction {
        let s = try SignedEthTransaction.decode(raw: raw)
        let t = s.transaction
        guard let chainId = t.chainId else {
            throw WalletError("chain.demo.no_chain_id", zh: "拒绝没有链 ID 的交易（EIP-155 之前，可跨链重放）。",
                                    en: "Pre-EIP-155 transactions without a chain id (replayable) are refused.", badInput: true)
        }
        let isLegacy = t.type == .legacy
        return DecodedRawTransaction(
            hash: H256(bytes: s.hash)!, from: ChainAddress(bytes: s.from.bytes)!, to: t.to.flatMap { ChainAddress(bytes: $0.bytes) },
            value: t.value, nonce: t.nonce, gasLimit: t.gasLimit,
            maxFeePerGas: isLegacy ? t.gasPrice : t.maxFeePerGas,
            maxPriorityFeePerGas: isLegacy ? t.gasPrice : t.maxPriorityFeePerGas,
            chainId: chainId, data: t.data)
    }
}

/// 演示链的行为参数。
public struct DemoChainConfig: Sendable {
    public var chainId: UInt64
    public var seed: UInt64
    /// 自动出块间隔（秒）；测试用 `step()` 手动出块。
    public var blockInterval: Double
    /// 每块平均给监控地址的充值笔数（0…n 均匀）。
    public var maxDepositsPerBlock: Int
    /// 每多少块大约发生一次重组（0 = 不重组）与最大深度。
    public var reorgEvery: Int
    public var maxReorgDepth: Int
    public init(chainId: UInt64 = 1337, seed: UInt64 = 1, blockInterval: Double = 3, maxDepositsPerBlock: Int = 3,
                reorgEvery: Int = 25, maxReorgDepth: Int = 2) {
        self.chainId = chainId; self.seed = seed; self.blockInterval = blockInterval
        self.maxDepositsPerBlock = maxDepositsPerBlock; self.reorgEvery = reorgEvery; self.maxReorgDepth = maxReorgDepth
    }
}

/// 演示链：SimChain + 确定性的随机事件 + 可选的后台出块任务。实现 ChainClient。
public final class DemoChain: ChainClient, Sendable {
    public static let label = "DEMO CHAIN（演示链，非真实网络）"
    public let config: DemoChainConfig
    public let sim: SimChain
    // 随机数、关注的地址与出块任务一起放进 Mutex；出块与重组交给自带锁的 SimChain，在锁外进行。
    private struct State {
        var rng: DemoRandom
        var watched: [ChainAddress] = []
        var tokens: [ChainAddress] = []
        var steps = 0
        var producer: Task<Void, Never>?
    }
    private let state: Mutex<State>
    private let fakeToken: ChainAddress
    /// 外部“用户”地址（充值来源）。
    private let outsiders: [ChainAddress]

    public init(config: DemoChainConfig, tokens: [ChainAddress] = [], prefund: [(ChainAddress, UInt256)] = []) {
        self.config = config
        self.sim = SimChain(chainId: config.chainId, decoder: WalletKeysTransactionDecoder(), prefund: prefund)
        self.state = Mutex(State(rng: DemoRandom(seed: config.seed), tokens: tokens))
        self.fakeToken = Self.derivedAddress("fake-token", config.seed)
        self.outsiders = (0..<8).map { Self.derivedAddress("outsider-\($0)", config.seed) }
        sim.finalityDepth = 12
    }

    static func derivedAddress(_ tag: String, _ seed: UInt64) -> ChainAddress {
        ChainAddress(bytes: Hash.sha256(Array("demo|\(tag)|\(seed)".utf8)).prefix(20))!
    }

    /// 设置会收到随机充值的地址（钱包的存款地址）。
    public func setWatched(_ addrs: [ChainAddress]) { state.withLock { $0.watched = addrs } }
    public func setTokens(_ t: [ChainAddress]) { state.withLock { $0.tokens = t } }
    public var fakeTokenAddress: ChainAddress { fakeToken }

    /// 手动推进一步：出一个块（偶尔先重组）。返回新链头。
    @discardableResult
    public func step() -> ChainBlock {
        let (doReorg, depth, plan, altPlan, used) = state.withLock { s in
            s.steps += 1
            let doReorg = config.reorgEvery > 0 && s.steps > 3 && s.rng.next(config.reorgEvery) == 0
            let depth = 1 + s.rng.next(max(1, config.maxReorgDepth))
            let plan = makeTransfers(&s)
            let altPlan = makeTransfers(&s)
            // 费用行情：块使用率在 10%…100% 之间摆动，基础费按 EIP-1559 随之涨落
            let used = UInt64(3_000_000 + s.rng.next(27_000_000))
            return (doReorg, depth, plan, altPlan, used)
        }
        if doReorg, sim.head.number > UInt64(depth) {
            var repl: [[SimTransfer]] = [altPlan]
            for _ in 1..<depth { repl.append([]) }
            sim.reorg(depth: depth, replacement: repl)
        }
        return sim.mine(plan, gasUsedHint: used)
    }

    private func makeTransfers(_ s: inout State) -> [SimTransfer] {
        guard !s.watched.isEmpty else { return [] }
        var out: [SimTransfer] = []
        let n = s.rng.next(config.maxDepositsPerBlock + 1)
        for _ in 0..<n {
            let to = s.watched[s.rng.next(s.watched.count)]
            let from = outsiders[s.rng.next(outsiders.count)]
            let roll = s.rng.next(100)
            switch roll {
            case 0..<45:   // ETH 充值 0.01…2 ETH
                let v = UInt256(UInt64(1 + s.rng.next(200))) * UInt256(10_000_000_000_000_000)
                out.append(.native(from: from, to: to, value: v, success: true))
            case 45..<80 where !s.tokens.isEmpty:  // 代币充值 1…5000（6 位小数）
                let amt = UInt256(UInt64(1 + s.rng.next(5000))) * UInt256(1_000_000)
                out.append(.token(contract: s.tokens[s.rng.next(s.tokens.count)], from: from, to: to, amount: amt, success: true))
            case 80..<88:  // 失败的 ETH 转账
                out.append(.native(from: from, to: to, value: UInt256(50_000_000_000_000_000), success: false))
            case 88..<96:  // 假币
                out.append(.token(contract: fakeToken, from: from, to: to, amount: UInt256(1_000_000_000), success: true))
            default:       // 失败的代币转账
                if let t = s.tokens.first { out.append(.token(contract: t, from: from, to: to, amount: UInt256(1_000_000), success: false)) }
            }
        }
        return out
    }

    /// 按配置间隔在后台出块，直到 stop()。
    public func start() {
        state.withLock { s in
            guard s.producer == nil else { return }
            let interval = config.blockInterval
            s.producer = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                    if Task.isCancelled { break }
                    self?.step()
                }
            }
        }
    }

    public func stop() { state.withLock { $0.producer?.cancel(); $0.producer = nil } }

    // MARK: ChainClient（转发给模拟链）
    public func chainId() async throws -> UInt64 { try await sim.chainId() }
    public func blockNumber() async throws -> UInt64 { try await sim.blockNumber() }
    public func block(_ tag: BlockTag) async throws -> ChainBlock? { try await sim.block(tag) }
    public func logs(_ f: LogFilter) async throws -> [ChainLog] { try await sim.logs(f) }
    public func receipt(_ h: H256) async throws -> ChainReceipt? { try await sim.receipt(h) }
    public func transaction(_ h: H256) async throws -> ChainTransaction? { try await sim.transaction(h) }
    public func transactionCount(_ a: ChainAddress, _ t: BlockTag) async throws -> UInt64 { try await sim.transactionCount(a, t) }
    public func sendRawTransaction(_ raw: [UInt8]) async throws -> H256 { try await sim.sendRawTransaction(raw) }
    public func feeHistory(blockCount: Int, newest: BlockTag, percentiles: [Double]) async throws -> FeeHistory {
        try await sim.feeHistory(blockCount: blockCount, newest: newest, percentiles: percentiles)
    }
    public func maxPriorityFeePerGas() async throws -> UInt256 { try await sim.maxPriorityFeePerGas() }
    public func estimateGas(_ c: CallRequest) async throws -> UInt64 { try await sim.estimateGas(c) }
    public func balance(_ a: ChainAddress, _ t: BlockTag) async throws -> UInt256 { try await sim.balance(a, t) }
    public func call(_ c: CallRequest, _ t: BlockTag) async throws -> [UInt8] { try await sim.call(c, t) }
}

/// 带种子的 SplitMix64：只驱动演示行情，保证同一种子得到同一条链。不是机密随机源。
struct DemoRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextRaw() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    /// [0, n) 的整数（n ≤ 2^32，取模偏差对演示无关紧要）。
    mutating func next(_ n: Int) -> Int { n <= 1 ? 0 : Int(nextRaw() % UInt64(n)) }
}
