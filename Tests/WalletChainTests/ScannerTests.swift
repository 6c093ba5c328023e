import Testing
import WalletCrypto
@testable import WalletChain

func addr(_ n: UInt64) -> ChainAddress {
    ChainAddress(bytes: [UInt8](repeating: 0, count: 12) + withUnsafeBytes(of: n.bigEndian, Array.init))!
}

/// 在模拟链上跑扫描器的场景夹具。
struct ScanFixture {
    let chain = SimChain(chainId: 1337)
    let store = InMemoryScanStore(window: 64)
    let alice = addr(0xA1), bob = addr(0xB0B), outsider = addr(0x0E)
    let usdt = addr(0x05D7), fake = addr(0xFA4E)
    let scanner: DepositScanner

    init(maxReorgDepth: Int = 32, store: InMemoryScanStore? = nil) {
        let st = store ?? self.store
        scanner = DepositScanner(client: chain, store: st, watched: WatchedAddresses([alice, bob]),
                                 tokens: [TokenInfo(contract: usdt, symbol: "USDT", decimals: 6)],
                                 config: ScannerConfig(startBlock: 1, maxReorgDepth: maxReorgDepth))
    }
}

func deposits(_ r: ScanResult) -> [Deposit] {
    r.events.flatMap { if case .block(let b) = $0 { return b.deposits }; return [] }
}
func suspicious(_ r: ScanResult) -> [SuspiciousTransfer] {
    r.events.flatMap { if case .block(let b) = $0 { return b.suspicious }; return [] }
}
func rollbacks(_ r: ScanResult) -> [Rollback] {
    r.events.compactMap { if case .rollback(let x) = $0 { return x }; return nil }
}

@Suite struct ScannerTests {
    @Test func matchesNativeAndTokenDepositsAndFlagsSuspicious() async throws {
        let f = ScanFixture()
        f.chain.mine([
            .native(from: f.outsider, to: f.alice, value: UInt256(5), success: true),
            .native(from: f.outsider, to: f.bob, value: UInt256(6), success: false),          // 失败转账
            .native(from: f.outsider, to: f.outsider, value: UInt256(7), success: true),      // 与我们无关
            .token(contract: f.usdt, from: f.outsider, to: f.bob, amount: UInt256(100), success: true),
            .token(contract: f.fake, from: f.outsider, to: f.alice, amount: UInt256(999), success: true), // 假币
            .token(contract: f.usdt, from: f.outsider, to: f.alice, amount: UInt256(50), success: false), // 失败代币转账（无日志）
            .native(from: f.outsider, to: f.alice, value: .zero, success: true),              // 0 值
        ])
        let r = try await f.scanner.step()
        #expect(r.head == 1)
        let d = deposits(r)
        #expect(d.count == 2)
        #expect(d.contains { $0.asset == .eth && $0.to == f.alice && $0.amount == UInt256(5) && $0.logIndex == nil })
        #expect(d.contains { $0.asset == .token(f.usdt) && $0.to == f.bob && $0.amount == UInt256(100) && $0.logIndex == 0 })
        let s = suspicious(r)
        #expect(s.contains { $0.kind == .failedTransfer && $0.to == f.bob && $0.amount == UInt256(6) })
        #expect(s.contains { $0.kind == .fakeToken && $0.contract == f.fake && $0.amount == UInt256(999) })
        #expect(s.count == 2)
        // 再扫一次：没有新块 → 没有事件（幂等）
        let again = try await f.scanner.step()
        #expect(again.events.isEmpty)
    }

    @Test func shallowReorgRollsBackAndRescans() async throws {
        let f = ScanFixture()
        f.chain.mine([.native(from: f.outsider, to: f.alice, value: UInt256(1), success: true)])
        f.chain.mine([.native(from: f.outsider, to: f.alice, value: UInt256(2), success: true)])
        f.chain.mine([.native(from: f.outsider, to: f.bob, value: UInt256(3), success: true)])
        let first = try await f.scanner.step()
        #expect(deposits(first).count == 3)
        let before = await f.store.tip()!
        // 最后两块被替换：新分支只有给 bob 的 9
        f.chain.reorg(depth: 2, replacement: [[.native(from: f.outsider, to: f.bob, value: UInt256(9), success: true)], []])
        f.chain.mine()
        let r = try await f.scanner.step()
        let rb = rollbacks(r)
        #expect(rb.count == 1)
        #expect(rb[0].orphaned.map(\.number) == [3, 2])
        #expect(rb[0].orphaned.first?.hash == before.hash)
        #expect(rb[0].commonAncestor.number == 1)
        #expect(deposits(r).map(\.amount) == [UInt256(9)])
        let tip = await f.store.tip()!
        #expect(tip.number == 4)
        #expect(tip.hash == f.chain.head.hash)
    }

    /// 节点链头比本地链头低：节点那一头的块与我们同高度的块不同 = 重组到了更短的分支，当场回滚；
    /// 相同 = 节点只是落后（我们扫过的链的前缀），等它追上——不能因此撤销真实的充值。
    /// （模拟链重组后总是一样长，所以用另一条确定性相同的短链当「节点」，共用同一个扫块存储。）
    @Test func aShorterBranchRollsBackButALaggingNodeIsWaitedFor() async throws {
        func pay(_ f: ScanFixture, _ v: Int, to: ChainAddress? = nil) { f.chain.mine([.native(from: f.outsider, to: to ?? f.alice, value: UInt256(v), success: true)]) }
        let scanned = ScanFixture()
        for v in 1...3 { pay(scanned, v) }
        _ = try await scanned.scanner.step()

        let lagging = ScanFixture(store: scanned.store)   // 只出了第 1 块：我们扫过的链的前缀
        pay(lagging, 1)
        try #require(try await lagging.chain.header(.number(1))?.hash == (try await scanned.chain.header(.number(1)))?.hash)
        let waited = try await lagging.scanner.step()
        #expect(rollbacks(waited).isEmpty)
        #expect(await scanned.store.tip()?.number == 3)

        let shorter = ScanFixture(store: scanned.store)   // 第 2 块就不同、只到第 2 块：更短的分支
        pay(shorter, 1); pay(shorter, 2)
        _ = shorter.chain.reorg(depth: 1, replacement: [[.native(from: shorter.outsider, to: shorter.bob, value: UInt256(9), success: true)]])
        let r = try await shorter.scanner.step()
        #expect(rollbacks(r).first?.orphaned.map(\.number) == [3, 2])
        #expect(deposits(r).map(\.amount) == [UInt256(9)])
        #expect(await scanned.store.tip()?.hash == shorter.chain.head.hash)
    }

    @Test func sameHeightReorgDetectedWhenCaughtUp() async throws {
        let f = ScanFixture()
        f.chain.mine([.native(from: f.outsider, to: f.alice, value: UInt256(1), success: true)])
        _ = try await f.scanner.step()
        f.chain.reorg(depth: 1)      // 同高度换块，链头号不变
        let r = try await f.scanner.step()
        #expect(rollbacks(r).count == 1)
        #expect(rollbacks(r)[0].orphaned.count == 1)
        #expect(deposits(r).isEmpty)
        #expect(await f.store.tip()!.hash == f.chain.head.hash)
    }

    @Test func reorgDetectedAcrossRestart() async throws {
        let store = InMemoryScanStore(window: 64)
        let f = ScanFixture(store: store)
        for i in 1...5 { f.chain.mine([.native(from: f.outsider, to: f.alice, value: UInt256(UInt64(i)), success: true)]) }
        _ = try await f.scanner.step()
        // “进程重启”：新的扫描器实例，同一个持久化存储；期间链重组了 3 块
        f.chain.reorg(depth: 3, replacement: [[], [], [], []])
        let restarted = DepositScanner(client: f.chain, store: store, watched: WatchedAddresses([f.alice]), tokens: [],
                                       config: ScannerConfig(startBlock: 1))
        let r = try await restarted.step()
        #expect(rollbacks(r).first?.orphaned.map(\.number) == [5, 4, 3])
        #expect(await store.tip()!.number == 6)
    }

    @Test func reorgDuringWalkBackConverges() async throws {
        // 中途重组：回溯过程中链又变了。用一个在第一次回溯查询后再次重组的客户端包装。
        let f = ScanFixture()
        for _ in 1...6 { f.chain.mine([.native(from: f.outsider, to: f.alice, value: UInt256(1), success: true)]) }
        _ = try await f.scanner.step()
        f.chain.reorg(depth: 1)
        f.chain.mine()
        let flaky = ReorgingClient(inner: f.chain, afterBlockCalls: 3) { $0.reorg(depth: 4, replacement: [[], [], [], [], []]) }
        let s = DepositScanner(client: flaky, store: f.store, watched: WatchedAddresses([f.alice]), tokens: [], config: ScannerConfig(startBlock: 1))
        var all: [ScanEvent] = []
        for _ in 0..<4 { all += try await s.step().events }
        let tip = await f.store.tip()!
        #expect(tip.hash == f.chain.head.hash)
        // 本地保存的每一块都必须在当前主链上
        for n in 1...tip.number {
            let stored = await f.store.block(at: n)
            let canon = try await f.chain.block(.number(n))
            #expect(stored?.hash == canon?.hash)
        }
        let orphaned = all.flatMap { if case .rollback(let r) = $0 { return r.orphaned.map(\.number) }; return [] }
        // 第一次回滚只看到 6；回溯途中发生的第二次重组（替换 4…7）由下一块的父哈希检查发现并回滚 5、4
        #expect(orphaned == [6, 5, 4])
    }

    @Test func deepReorgStopsWithTypedError() async throws {
        let f = ScanFixture(maxReorgDepth: 3)
        for _ in 1...8 { f.chain.mine() }
        _ = try await f.scanner.step()
        f.chain.reorg(depth: 6)
        f.chain.mine()
        do { _ = try await f.scanner.step(); Issue.record("应报深度重组") } catch let e as ChainError {
            #expect(e.code == "chain.deep_reorg")
        }
        // 状态没有被部分回滚
        #expect(await f.store.tip()!.number == 8)
    }

    @Test func tokenLogMissingFromReceiptIsSuspicious() throws {
        // 节点的 getLogs 与收据矛盾（恶意/故障节点）：不入账，记为可疑。
        let usdt = addr(0x05D7), bob = addr(0xB0B)
        let bh = H256(bytes: [UInt8](repeating: 1, count: 32))!, th = H256(bytes: [UInt8](repeating: 2, count: 32))!
        let pad = [UInt8](repeating: 0, count: 12)
        let log = ChainLog(address: usdt, topics: [erc20TransferTopic, H256(bytes: pad + addr(1).bytes)!, H256(bytes: pad + bob.bytes)!],
                           data: UInt256(10).bigEndianBytes, blockNumber: 1, blockHash: bh, transactionHash: th,
                           transactionIndex: 0, logIndex: 0, removed: false)
        let block = ChainBlock(number: 1, hash: bh, parentHash: .zero, timestamp: 0, baseFeePerGas: nil, gasUsed: 0, gasLimit: 1, transactions: [])
        let c = DepositMatcher.candidates(block: block, logs: [log], watched: WatchedAddresses([bob]),
                                          tokens: [usdt: TokenInfo(contract: usdt, symbol: "USDT", decimals: 6)])
        let receipt = ChainReceipt(transactionHash: th, blockHash: bh, blockNumber: 1, transactionIndex: 0, status: 1, gasUsed: 1,
                                   effectiveGasPrice: nil, from: nil, to: nil, contractAddress: nil, logs: [])
        let (d, s) = try DepositMatcher.resolve(block: block, candidates: c, receipts: [th: receipt])
        #expect(d.isEmpty)
        #expect(s.count == 1 && s[0].kind == .failedTransfer)
        // 收据属于另一个块 → 读取期间重组，整块放弃
        let other = ChainReceipt(transactionHash: th, blockHash: .zero, blockNumber: 1, transactionIndex: 0, status: 1, gasUsed: 1,
                                 effectiveGasPrice: nil, from: nil, to: nil, contractAddress: nil, logs: [log])
        #expect(throws: ChainError.self) { try DepositMatcher.resolve(block: block, candidates: c, receipts: [th: other]) }
    }

    @Test func malformedTransferToWatchedIsFlagged() {
        let bob = addr(0xB0B), nft = addr(0x721)
        let pad = [UInt8](repeating: 0, count: 12)
        // ERC-721 风格：4 个 topic、data 为空
        let log = ChainLog(address: nft, topics: [erc20TransferTopic, H256(bytes: pad + addr(1).bytes)!, H256(bytes: pad + bob.bytes)!, H256.zero],
                           data: [], blockNumber: 1, blockHash: .zero, transactionHash: .zero, transactionIndex: 0, logIndex: 3, removed: false)
        let block = ChainBlock(number: 1, hash: .zero, parentHash: .zero, timestamp: 0, baseFeePerGas: nil, gasUsed: 0, gasLimit: 1, transactions: [])
        let c = DepositMatcher.candidates(block: block, logs: [log], watched: WatchedAddresses([bob]), tokens: [nft: TokenInfo(contract: nft, symbol: "X", decimals: 0)])
        #expect(c.tokenLogs.isEmpty && c.fake.count == 1 && c.fake[0].kind == .malformedTransfer)
    }

    @Test func millionWatchedAddressesLookup() {
        var w = WatchedAddresses([])
        for i in 0..<1_000_000 as Range<UInt64> { w.insert(addr(i &* 2_654_435_761)) }
        #expect(w.count == 1_000_000)
        #expect(w.contains(addr(999_999 &* 2_654_435_761)))
        #expect(!w.contains(addr(3)))
    }
}

/// 在第 N 次 block() 调用后执行一次链变动，模拟“回溯过程中链又重组了”。
final class ReorgingClient: ChainClient, @unchecked Sendable {
    let inner: SimChain
    var remaining: Int
    let action: (SimChain) -> Void
    init(inner: SimChain, afterBlockCalls: Int, action: @escaping (SimChain) -> Void) {
        self.inner = inner; self.remaining = afterBlockCalls; self.action = action
    }
    func block(_ tag: BlockTag) async throws -> ChainBlock? {
        let r = try await inner.block(tag)
        remaining -= 1
        if remaining == 0 { action(inner) }
        return r
    }
    func chainId() async throws -> UInt64 { try await inner.chainId() }
    func blockNumber() async throws -> UInt64 { try await inner.blockNumber() }
    func logs(_ f: LogFilter) async throws -> [ChainLog] { try await inner.logs(f) }
    func receipt(_ h: H256) async throws -> ChainReceipt? { try await inner.receipt(h) }
    func transaction(_ h: H256) async throws -> ChainTransaction? { try await inner.transaction(h) }
    func transactionCount(_ a: ChainAddress, _ t: BlockTag) async throws -> UInt64 { try await inner.transactionCount(a, t) }
    func sendRawTransaction(_ raw: [UInt8]) async throws -> H256 { try await inner.sendRawTransaction(raw) }
    func feeHistory(blockCount: Int, newest: BlockTag, percentiles: [Double]) async throws -> FeeHistory {
        try await inner.feeHistory(blockCount: blockCount, newest: newest, percentiles: percentiles)
    }
    func maxPriorityFeePerGas() async throws -> UInt256 { try await inner.maxPriorityFeePerGas() }
    func estimateGas(_ c: CallRequest) async throws -> UInt64 { try await inner.estimateGas(c) }
    func balance(_ a: ChainAddress, _ t: BlockTag) async throws -> UInt256 { try await inner.balance(a, t) }
    func call(_ c: CallRequest, _ t: BlockTag) async throws -> [UInt8] { try await inner.call(c, t) }
}

/// 模拟器按区块标签给余额（对账把链上余额钉在某个块）：以前忽略标签、总给最新值，演示链上每块都有新充值，一开局就报对账差异。
@Test func simChainBalancesArePinnedToTheRequestedBlock() async throws {
    let sim = SimChain(chainId: 1337)
    let a = try ChainAddress(hex: "0x00000000000000000000000000000000000000a1")
    let b = try ChainAddress(hex: "0x00000000000000000000000000000000000000b2")
    let usdt = try ChainAddress(hex: "0x00000000000000000000000000000000000000c3")
    sim.fund(a, UInt256(1_000))
    sim.fundToken(usdt, a, UInt256(500))
    let before = sim.mine([]).number
    let after = sim.mine([.native(from: a, to: b, value: UInt256(300), success: true),
                          .token(contract: usdt, from: a, to: b, amount: UInt256(200), success: true)]).number
    #expect(try await sim.balance(b, .number(before)) == .zero)
    #expect(try await sim.balance(b, .number(after)) == UInt256(300))
    #expect(try await sim.balance(b, .latest) == UInt256(300))
    func tokenOf(_ who: ChainAddress, _ tag: BlockTag) async throws -> UInt256 {
        let data: [UInt8] = [0x70, 0xa0, 0x82, 0x31] + [UInt8](repeating: 0, count: 12) + who.bytes
        return try UInt256(bigEndian: try await sim.call(CallRequest(to: usdt, data: data), tag))
    }
    #expect(try await tokenOf(b, .number(before)) == .zero)
    #expect(try await tokenOf(b, .number(after)) == UInt256(200))
    #expect(try await tokenOf(a, .number(before)) == UInt256(500))
}
