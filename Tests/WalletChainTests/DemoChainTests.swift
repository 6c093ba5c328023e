import Testing
import WalletCrypto
import WalletKeys
@testable import WalletChain

@Suite struct DemoChainTests {
    let watched = (1...20).map { addr(0x1000 + UInt64($0)) }
    let usdt = addr(0x05D7)

    func run(seed: UInt64, steps: Int) -> (DemoChain, [H256]) {
        let d = DemoChain(config: DemoChainConfig(seed: seed, reorgEvery: 5), tokens: [usdt])
        d.setWatched(watched)
        var hashes: [H256] = []
        for _ in 0..<steps { hashes.append(d.step().hash) }
        return (d, hashes)
    }

    @Test func deterministicFromSeed() async throws {
        let (a, ha) = run(seed: 7, steps: 60)
        let (_, hb) = run(seed: 7, steps: 60)
        let (_, hc) = run(seed: 8, steps: 60)
        #expect(ha == hb)
        #expect(ha != hc)
        #expect(try await a.blockNumber() >= 60)
    }

    @Test func scannerSeesDepositsSuspiciousAndReorgs() async throws {
        let (d, _) = run(seed: 3, steps: 0)
        let store = InMemoryScanStore()
        let s = DepositScanner(client: d, store: store, watched: WatchedAddresses(watched),
                               tokens: [TokenInfo(contract: usdt, symbol: "USDT", decimals: 6)], config: ScannerConfig(startBlock: 1))
        var all: [ScanEvent] = []
        for _ in 0..<80 { d.step(); all += try await s.step().events }
        let deps = all.flatMap { if case .block(let b) = $0 { return b.deposits }; return [] }
        let sus = all.flatMap { if case .block(let b) = $0 { return b.suspicious }; return [] }
        let rbs = all.compactMap { if case .rollback(let r) = $0 { return r }; return nil }
        #expect(deps.contains { $0.asset == .eth })
        #expect(deps.contains { $0.asset == .token(usdt) })
        #expect(sus.contains { $0.kind == .fakeToken && $0.contract == d.fakeTokenAddress })
        #expect(sus.contains { $0.kind == .failedTransfer })
        #expect(!rbs.isEmpty)
        #expect(await store.tip()?.hash == d.sim.head.hash)
        // 链上代币余额 = 扫描到的代币充值之和（演示链的代币余额随重组正确撤销）
        var credited: [ChainAddress: UInt256] = [:]
        for dep in deps where dep.asset == .token(usdt) { credited[dep.to, default: .zero] += dep.amount }
        var orphanedAmounts: [ChainAddress: UInt256] = [:]
        for rb in rbs { for o in rb.orphaned { for case .block(let b) in all where b.block == o {
            for dep in b.deposits where dep.asset == .token(usdt) { orphanedAmounts[dep.to, default: .zero] += dep.amount }
        } } }
        for w in watched {
            let onChain = try await ERC20.balanceOf(d, token: usdt, owner: w)
            #expect(onChain + (orphanedAmounts[w] ?? .zero) == (credited[w] ?? .zero))
        }
        // 费用行情在摆动
        let h = try await d.feeHistory(blockCount: 30, newest: .latest, percentiles: [10, 50, 90])
        #expect(Set(h.baseFeePerGas).count > 5)
    }

    @Test func acceptsOurSignedTransactionAndRejectsForgeries() async throws {
        let d = DemoChain(config: DemoChainConfig(chainId: 1337, seed: 1))
        let key = try SecretBytes(Hex.decode("4646464646464646464646464646464646464646464646464646464646464646"))
        let to = try EthereumAddress(string: "0x3535353535353535353535353535353535353535")
        func tx(_ nonce: UInt64, chainId: UInt64 = 1337, tip: UInt64 = 2_000_000_000, maxFee: UInt64 = 100_000_000_000) throws -> SignedEthTransaction {
            try EthTransaction.eip1559(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: UInt256(tip), maxFeePerGas: UInt256(maxFee),
                                       gasLimit: 21_000, to: to, value: UInt256(1_000_000_000_000_000)).sign(privateKey: key)
        }
        let t0 = try tx(0)
        let from = ChainAddress(bytes: t0.from.bytes)!
        // 余额不足 → 节点拒绝
        await #expect(throws: ChainError.self) { try await d.sendRawTransaction(t0.raw) }
        d.sim.fund(from, UInt256(10_000_000_000_000_000_000))
        let h = try await d.sendRawTransaction(t0.raw)
        #expect(h.bytes == t0.hash)
        #expect(try await d.transactionCount(from, .pending) == 1)
        // 重复广播、错误链 ID、nonce 跳号、篡改签名：都被拒绝
        await #expect(throws: ChainError.self) { try await d.sendRawTransaction(t0.raw) }
        await #expect(throws: ChainError.self) { try await d.sendRawTransaction(try tx(1, chainId: 1).raw) }
        await #expect(throws: ChainError.self) { try await d.sendRawTransaction(try tx(5).raw) }
        var forged = t0.raw
        forged[forged.count - 5] ^= 0x01
        await #expect(throws: ChainError.self) { try await d.sendRawTransaction(forged) }
        // 同 nonce 替换：涨价不足 10% 拒绝，足够则替换
        await #expect(throws: ChainError.self) { try await d.sendRawTransaction(try tx(0, tip: 2_100_000_000, maxFee: 105_000_000_000).raw) }
        let bumped = try tx(0, tip: 2_200_000_000, maxFee: 110_000_000_000)
        _ = try await d.sendRawTransaction(bumped.raw)
        d.step()
        let r = try #require(try await d.receipt(H256(bytes: bumped.hash)!))
        #expect(r.succeeded)
        #expect(try await d.receipt(H256(bytes: t0.hash)!) == nil)
        #expect(try await d.transactionCount(from, .latest) == 1)
        #expect(try await d.balance(ChainAddress(bytes: to.bytes)!, .latest) == UInt256(1_000_000_000_000_000))
    }

    @Test func ourTransactionSurvivesReorgBackToMempool() async throws {
        let d = DemoChain(config: DemoChainConfig(chainId: 1337, seed: 1, reorgEvery: 0))
        let key = try SecretBytes(Hex.decode("4646464646464646464646464646464646464646464646464646464646464646"))
        let t = try EthTransaction.eip1559(chainId: 1337, nonce: 0, maxPriorityFeePerGas: UInt256(2_000_000_000),
                                           maxFeePerGas: UInt256(100_000_000_000), gasLimit: 21_000,
                                           to: try EthereumAddress(string: "0x3535353535353535353535353535353535353535"),
                                           value: UInt256(1)).sign(privateKey: key)
        d.sim.fund(ChainAddress(bytes: t.from.bytes)!, UInt256(1_000_000_000_000_000_000))
        _ = try await d.sendRawTransaction(t.raw)
        d.step()
        let first = try #require(try await d.receipt(H256(bytes: t.hash)!))
        // 交易所在块被孤立：交易回到内存池并被新分支的第一个块重新打包（与真实节点一致），收据换了区块
        d.sim.reorg(depth: 1, replacement: [[]])
        #expect(d.sim.pendingCount == 0)
        let again = try #require(try await d.receipt(H256(bytes: t.hash)!))
        #expect(again.blockHash != first.blockHash)
    }

    @Test func backgroundProducerMakesBlocks() async throws {
        let d = DemoChain(config: DemoChainConfig(seed: 2, blockInterval: 0.05))
        d.start()
        // 机器繁忙时调度会慢：轮询到出块为止（最多 20 秒），而不是固定睡眠
        var waited = 0
        while try await d.blockNumber() < 3 && waited < 400 {
            try await Task.sleep(nanoseconds: 50_000_000); waited += 1
        }
        d.stop()
        #expect(try await d.blockNumber() >= 3)
        try await Task.sleep(nanoseconds: 200_000_000)
        let after = try await d.blockNumber()
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(try await d.blockNumber() == after)   // stop 之后不再出块
    }
}
