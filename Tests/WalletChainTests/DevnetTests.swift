import Foundation
import Testing
import WalletCrypto
@testable import WalletChain

/// 针对真实 EVM（py-evm）的测试。每个测试自己启动一个 devnet 子进程。
@Suite(.enabled(if: Devnet.available, Devnet.skipMessage), .serialized)
struct DevnetTests {
    let alice = addr(0xA11CE), bob = addr(0xB0B)

    @Test func chainIdCheckAndBasicReads() async throws {
        let dev = try Devnet(); defer { dev.stop() }
        let (c, rpc) = try dev.client()
        try await rpc.verifyChainId()
        #expect(try await c.chainId() == Devnet.chainId)
        let wrong = try ResilientRPC.http(urls: [dev.url], config: ResilienceConfig(expectedChainId: 1))
        await #expect(throws: ChainError.chainIdMismatch(endpoint: dev.url, expected: 1, got: Devnet.chainId)) {
            try await wrong.verifyChainId()
        }
        try await dev.call("devnet_send", [.object(["to": .string(alice.hex), "value": UInt256(12345).q])])
        #expect(try await c.balance(alice, .latest) == UInt256(12345))
        let head = try await c.blockNumber()
        let b = try #require(try await c.block(.latest))
        #expect(b.number == head && b.transactions.count == 1 && b.transactions[0].to == alice)
        #expect(try await c.block(.number(head + 100)) == nil)
        // 只取块头的哈希（入账前核对规范块用）与整块的一致；超过链头是 nil。
        #expect(try await c.blockHash(head) == b.hash)
        #expect(try await c.blockHash(head + 100) == nil)
        let fin = try #require(try await c.block(.finalized))
        #expect(fin.number <= head)
        #expect(try await c.header(.finalized) == StoredBlock(number: fin.number, hash: fin.hash, parentHash: fin.parentHash))
        let acc0 = try ChainAddress(hex: try await dev.callFirstAccount())
        #expect(try await c.transactionCount(acc0, .latest) == 1)
        #expect(try await c.transactionCount(acc0, .pending) == 1)
        let r = try #require(try await c.receipt(b.transactions[0].hash))
        #expect(r.succeeded && r.blockHash == b.hash)
        #expect(try await c.blockReceipts(b.hash) == [r])
        #expect(try await c.blockReceipts(H256.zero) == nil)
        #expect(try await c.estimateGas(CallRequest(from: acc0, to: bob, value: UInt256(1))) == 21_000)
    }

    @Test func scannerFindsRealDepositsFakeTokensAndFailures() async throws {
        let dev = try Devnet(); defer { dev.stop() }
        let (c, _) = try dev.client()
        let usdt = try ChainAddress(hex: try await dev.str("devnet_deployToken", [.string("Tether USD"), .string("USDT"), .number("6")]))
        let fake = try ChainAddress(hex: try await dev.str("devnet_deployToken", [.string("Tether USD"), .string("USDT"), .number("6")]))
        let start = try await c.blockNumber() + 1
        let accounts = try await dev.accounts()
        try await dev.call("devnet_mintToken", [.string(usdt.hex), .string(accounts[1]), UInt256(1_000_000).q])
        try await dev.call("devnet_mintToken", [.string(fake.hex), .string(accounts[1]), UInt256(1_000_000).q])
        try await dev.call("devnet_send", [.object(["to": .string(alice.hex), "value": UInt256(777).q])])
        try await dev.call("devnet_tokenTransfer", [.string(usdt.hex), .number("1"), .string(bob.hex), UInt256(250).q])
        try await dev.call("devnet_tokenTransfer", [.string(fake.hex), .number("1"), .string(alice.hex), UInt256(999).q])
        // 余额不足 → 交易打包但 status 0，没有 Transfer 日志，不能入账
        try await dev.call("devnet_tokenTransfer", [.string(usdt.hex), .number("1"), .string(alice.hex), UInt256(5_000_000).q])
        let store = InMemoryScanStore()
        let s = DepositScanner(client: c, store: store, watched: WatchedAddresses([alice, bob]),
                               tokens: [TokenInfo(contract: usdt, symbol: "USDT", decimals: 6)], config: ScannerConfig(startBlock: start))
        let r = try await s.step()
        let d = deposits(r)
        #expect(d.count == 2)
        #expect(d.contains { $0.asset == .eth && $0.to == alice && $0.amount == UInt256(777) })
        #expect(d.contains { $0.asset == .token(usdt) && $0.to == bob && $0.amount == UInt256(250) && $0.logIndex == 0 })
        let sus = suspicious(r)
        #expect(sus.count == 1 && sus[0].kind == .fakeToken && sus[0].contract == fake)
        #expect(await store.tip()?.number == r.head)
        #expect(try await ERC20.balanceOf(c, token: usdt, owner: bob) == UInt256(250))
        #expect(try await ERC20.balanceOf(c, token: usdt, owner: alice) == .zero)
    }

    /// 一个块里有多笔候选交易时，扫块器一次取全块收据（eth_getBlockReceipts），不再逐笔问；结果与逐笔一样。
    @Test func scannerTakesAllReceiptsOfABlockInOneCall() async throws {
        let dev = try Devnet(); defer { dev.stop() }
        let log = CallLog()
        let rpc = try ResilientRPC.http(urls: [dev.url], config: ResilienceConfig(expectedChainId: Devnet.chainId),
                                        observer: { _, m, _, _ in log.add(m) })
        let c = JSONRPCChainClient(rpc: rpc)
        let usdt = try ChainAddress(hex: try await dev.str("devnet_deployToken", [.string("Tether USD"), .string("USDT"), .number("6")]))
        let accounts = try await dev.accounts()
        try await dev.call("devnet_mintToken", [.string(usdt.hex), .string(accounts[4]), UInt256(1_000).q])
        let start = try await c.blockNumber() + 1
        try await dev.call("devnet_setAutoMine", [.bool(false)])
        for (i, v) in [(1, 11), (2, 22), (3, 33)] {
            try await dev.call("devnet_send", [.object(["from": .string(accounts[i]), "to": .string(alice.hex), "value": UInt256(UInt64(v)).q])])
        }
        try await dev.call("devnet_tokenTransfer", [.string(usdt.hex), .number("4"), .string(bob.hex), UInt256(250).q])
        try await dev.call("evm_mine", [.string("0x1")])
        try await dev.call("devnet_setAutoMine", [.bool(true)])
        let s = DepositScanner(client: c, store: InMemoryScanStore(), watched: WatchedAddresses([alice, bob]),
                               tokens: [TokenInfo(contract: usdt, symbol: "USDT", decimals: 6)], config: ScannerConfig(startBlock: start))
        let d = deposits(try await s.step())
        #expect(d.count == 4)
        #expect(Set(d.compactMap { $0.asset == .eth ? $0.amount : nil }) == [UInt256(11), UInt256(22), UInt256(33)])
        #expect(d.contains { $0.asset == .token(usdt) && $0.to == bob && $0.amount == UInt256(250) })
        #expect(log.count("eth_getBlockReceipts") == 1 && log.count("eth_getTransactionReceipt") == 0, "\(log.all)")
        #expect(await s.blockReceiptsSupported)
    }

    @Test func reorgBuiltWithSnapshotRevert() async throws {
        let dev = try Devnet(); defer { dev.stop() }
        let (c, _) = try dev.client()
        try await dev.call("evm_mine", [.string("0x2")])
        let start = try await c.blockNumber()
        let store = InMemoryScanStore()
        let s = DepositScanner(client: c, store: store, watched: WatchedAddresses([alice, bob]), tokens: [],
                               config: ScannerConfig(startBlock: start))
        _ = try await s.step()
        let snap = try await dev.str("evm_snapshot")
        try await dev.call("devnet_send", [.object(["to": .string(alice.hex), "value": UInt256(1000).q])])
        try await dev.call("devnet_send", [.object(["to": .string(alice.hex), "value": UInt256(2000).q])])
        let r1 = try await s.step()
        #expect(deposits(r1).map(\.amount) == [UInt256(1000), UInt256(2000)])
        let orphanedTip = try #require(await store.tip())
        // 回到快照，走另一条分支：只有给 bob 的一笔，且更长
        try await dev.call("evm_revert", [.string(snap)])
        try await dev.call("devnet_send", [.object(["to": .string(bob.hex), "value": UInt256(3000).q])])
        try await dev.call("evm_mine", [.string("0x2")])
        let r2 = try await s.step()
        let rb = rollbacks(r2)
        #expect(rb.count == 1)
        #expect(rb.first?.orphaned.count == 2)
        #expect(rb.first?.orphaned.first == orphanedTip)
        #expect(rb.first?.commonAncestor.number == start)
        #expect(deposits(r2).map(\.amount) == [UInt256(3000)])
        #expect(try await c.balance(alice, .latest) == .zero)   // 孤块里的充值在新分支上不存在
        #expect(await store.tip()?.hash == (try await c.block(.latest))?.hash)
    }

    @Test func feeHistoryFromRealEVM() async throws {
        let dev = try Devnet(); defer { dev.stop() }
        let (c, _) = try dev.client()
        for i in 1...4 { try await dev.call("devnet_send", [.object(["to": .string(bob.hex), "value": UInt256(UInt64(i)).q])]) }
        let est = try await FeeEstimator.fetch(c, policy: FeePolicy(blockCount: 4))
        #expect(est.blockCount == 4)
        #expect(est.baseFeeTrend.count == 5)
        #expect(!est.nextBaseFee.isZero)
        #expect(est.normal.maxFeePerGas == est.nextBaseFee * UInt256(2) + est.normal.maxPriorityFeePerGas)
        #expect(est.nodeSuggestedTip == UInt256(1_000_000_000))
    }

    @Test func nodeFaultsRetriesBreakerAndNoRebroadcast() async throws {
        let dev = try Devnet(); defer { dev.stop() }
        let (c, rpc) = try dev.client(timeout: 1, attempts: 4, threshold: 3)
        try await rpc.verifyChainId()
        // 两次 HTTP 500 之后恢复：读请求经重试成功
        try await dev.call("devnet_fault", [.string("http500"), .number("2")])
        _ = try await c.blockNumber()
        #expect(rpc.health[0].breaker == .closed)
        // 畸形 JSON：同样当作失败并重试
        try await dev.call("devnet_fault", [.string("garbage"), .number("1")])
        _ = try await c.block(.latest)
        // 发送：一次 HTTP 500 → 结果未知，绝不重试（故障计数只被消耗 1 次）
        try await dev.call("devnet_fault", [.string("http500"), .number("2")])
        await #expect(throws: ChainError.broadcastUnknown(endpoint: dev.url, detail: "HTTP 500")) {
            try await c.sendRawTransaction([0x02, 0xc0])
        }
        // 剩下的 1 次故障被下一个读请求消耗，读请求重试成功
        _ = try await c.blockNumber()
        // 超时：devnet 每次睡 2 秒，客户端 1 秒超时；连续失败打开熔断
        try await dev.call("devnet_fault", [.string("sleep2"), .number("4")])
        do { _ = try await c.blockNumber(); Issue.record("应失败") } catch let e as ChainError {
            #expect(e.code == "chain.no_healthy_endpoint")
        }
        #expect(rpc.health[0].breaker == .open)
        #expect(rpc.health[0].lastErrorCode == "chain.timeout")
        // 节点拒绝无效交易：类型化错误，不重试，端点健康
        let (c2, rpc2) = try dev.client()
        await #expect(throws: ChainError.self) { try await c2.sendRawTransaction([0x02, 0xc0]) }
        #expect(rpc2.health[0].breaker == .closed)
    }
}

extension Devnet {
    func accounts() async throws -> [String] {
        guard case .array(let a) = try await call("devnet_accounts") else { return [] }
        return a.compactMap { if case .string(let s) = $0 { return s }; return nil }
    }
    func callFirstAccount() async throws -> String { try await accounts()[0] }
}

/// 记下每次 RPC 的方法名（ResilientRPC 的观察者回调）。
final class CallLog: @unchecked Sendable {
    private let lock = NSLock()
    private var methods: [String] = []
    func add(_ m: String) { lock.withLock { methods.append(m) } }
    func count(_ m: String) -> Int { lock.withLock { methods.filter { $0 == m }.count } }
    var all: [String] { lock.withLock { methods } }
}
