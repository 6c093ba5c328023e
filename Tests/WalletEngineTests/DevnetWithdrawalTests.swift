// 端到端（真实 EVM）：提现 批准 → 签名（加密库层 / SoftHSM2 上的 HSM 层）→ 广播 → 确认，EVM 接受我们的原始交易；
// 节点故障时熔断打开、不重复广播；卡住的交易以同一 nonce 加价替换。
import Foundation
import Testing
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger
@testable import WalletEngine

/// 给用户充值并入账、给热钱包注资（链上 + 账本），返回收款地址。
func prepareFunds(_ dev: Devnet, _ engine: WalletEngine, user: String, amount: UInt256) async throws -> [String] {
    let accts = try await dev.accounts()
    let addr = try engine.assignAddress(user: user, asset: "ETH", by: try engine.op("admin", role: .admin)).address
    try await dev.send(from: accts[0], to: addr, wei: amount)
    // 注资热钱包：扫块器把这笔外来入账记进热钱包（来源未登记 → 待处理）；不再另外手工记一笔（以前记了两次，账比链多 10 ETH，对账不平）。
    try await dev.send(from: accts[0], to: engine.hotAddress, wei: ether * UInt256(10))
    try await dev.mine(3)
    try await engine.runWorker("scanner")
    #expect(try engine.gate.with { l in try l.available(user: user, asset: "ETH") } == amount)
    return accts
}

func approvedWithdrawal(_ engine: WalletEngine, id: String, user: String, amount: String, to: String) throws -> Withdrawal {
    let clerk = try engine.op("clerk", role: .approver)
    let w = try engine.requestWithdrawal(WithdrawalRequest(requestID: id, user: user, asset: "ETH", amount: amount, to: to), by: clerk)
    #expect(w.state == .awaitingApproval)
    // 四眼原则：发起人不能批自己的。
    #expect(throws: LedgerError.self) { try engine.approve(withdrawalID: w.id, by: clerk) }
    return try engine.approve(withdrawalID: w.id, by: try engine.op("admin", role: .admin))
}

@Suite(.serialized) struct DevnetWithdrawalTests {
    @Test func withdrawalSignedBroadcastConfirmedEncryptedDBTier() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "wd", confirmations: 2)
        let accts = try await prepareFunds(dev, engine, user: "alice", amount: ether * UInt256(3))
        let dest = accts[5]
        let before = try await dev.balance(dest)
        let w = try approvedWithdrawal(engine, id: "req-1", user: "alice", amount: "1.25", to: dest)
        #expect(w.state == .approved)
        #expect(engine.hotWalletSigner()?.tier == "encrypted-db")

        try await engine.runWorker("withdrawals")
        var now = try engine.withdrawal(id: w.id)
        #expect(now.state == .broadcast, "\(now.state) \(now.reason)")
        #expect(now.nonce == 0)
        #expect(now.rawTx?.first == 0x02)   // EIP-1559 类型交易
        // EVM 已接受并打包我们的原始交易：收款方余额精确增加。
        let after = try await dev.balance(dest)
        #expect(after - before == ether + ether / UInt256(4))
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)

        try await dev.mine(2)
        try await engine.runWorker("withdrawals")
        now = try engine.withdrawal(id: w.id)
        #expect(now.state == .confirmed)
        #expect((now.fee ?? .zero) > .zero)
        #expect(try engine.gate.with { l in try l.frozen(user: "alice", asset: "ETH") } == .zero)
        #expect(try engine.ledgerCheck().isEmpty)
        let ns = try await engine.nonceStatus()
        #expect(ns.ok && ns.nextNonce == 1 && ns.chainLatest == 1)
    }

    /// 热钱包的 nonce 在引擎之外被用掉（密钥在别处用过，或库从旧备份恢复）：停签、告警只一次（以前每轮一条），
    /// status 报 nonce.external_use（以前 healthy、退出 0，QA）；对账有差异时 status 报 reconcile.mismatch。
    @Test func externalNonceUseStopsSigningAlertsOnceAndShowsInStatus() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "wdext", confirmations: 1)
        let accts = try await prepareFunds(dev, engine, user: "alice", amount: ether * UInt256(3))
        // 引擎之外用热钱包的密钥发一笔（nonce 0）。
        let signer = try #require(await engine.usableHotSigner())
        let outside = try await signer.signChecked(.eip1559(chainId: engine.config.chain.id, nonce: 0, maxPriorityFeePerGas: UInt256(1_000_000_000),
                                                            maxFeePerGas: UInt256(100_000_000_000), gasLimit: 21_000,
                                                            to: try EthereumAddress(string: accts[6]), value: UInt256(1)))
        _ = try await engine.client.sendRawTransaction(outside.raw)
        let w = try approvedWithdrawal(engine, id: "req-ext", user: "alice", amount: "1", to: accts[5])
        for _ in 0..<3 { try await engine.runWorker("withdrawals") }
        #expect(try engine.withdrawal(id: w.id).state == .approved, "不签名")
        #expect(try engine.alerts().filter { $0.kind == "nonce.external_use" }.count == 1, "告警只一次")
        #expect(try engine.alerts().first { $0.kind == "nonce.external_use" }?.message.contains("备份") == true)
        let st = await engine.status()
        #expect(st.problems.contains("nonce.external_use") && !st.healthy, "\(st.problems)")
        #expect(!st.problems.contains("reconcile.mismatch"))
        // 对账：热钱包付了这笔的手续费与 1 wei，账上没有 → 差异；记录下来后 status 报出来。
        let rec = try await engine.reconcile(record: true)
        #expect(!rec.ok)
        #expect(await engine.status().problems.contains("reconcile.mismatch"))
    }

    /// 已确认的提现被重组掉（QA）：链上 nonce 退回、交易消失 → 下一轮用存下的原字节重发（同一哈希）、告警 withdraw.reorged（critical，只一次）；
    /// 重新打包后收款方只收到一次、链上 nonce 恢复、后面的提现照常发出。以前：提现停在 confirmed、收款方没收到、下一个 nonce 永远卡住。
    @Test func aConfirmedWithdrawalRemovedByAReorgIsResentWithTheSameBytes() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "wdreorg", confirmations: 2)
        let accts = try await prepareFunds(dev, engine, user: "alice", amount: ether * UInt256(3))
        let dest = accts[5]
        let before = try await dev.balance(dest)
        let snap = try await dev.snapshot()
        let w = try approvedWithdrawal(engine, id: "req-r1", user: "alice", amount: "1", to: dest)
        try await engine.runWorker("withdrawals")
        try await dev.mine(2)
        try await engine.runWorker("withdrawals")
        let done = try engine.withdrawal(id: w.id)
        #expect(done.state == .confirmed)

        // 重组：回到提现之前（注资与充值在快照之前，仍在），出一条更长的分支。
        try await dev.revert(snap)
        try await dev.mine(6)
        #expect(try await dev.transactionCount(engine.hotAddress) == 0)
        #expect(try await dev.balance(dest) == before)
        // nonce status 看得出来（以前「本地已确认、链上没有」时 ok、退出 0，QA）。
        let seen = try await engine.nonceStatus()
        #expect(seen.reorged == [0] && !seen.ok, "\(seen.reorged)")
        // 重发之后、重新上链之前（测试链暂停出块）：账上记过、链上没有——对账把它当在途（退回记过的效果），不报差异
        // （以前这一段 status 一直是 reconcile.mismatch，QA）。
        try await dev.setAutoMine(false)
        try await engine.runWorker("withdrawals")
        #expect(try await dev.transactionCount(engine.hotAddress) == 0)
        let pending = try await engine.reconcile(record: true)
        #expect(pending.ok, "\(pending.mismatches)")
        #expect(pending.inFlight.contains { $0.kind == "withdrawal" && $0.ref == w.id && !$0.mined })
        #expect(await !engine.status().problems.contains("reconcile.mismatch"))
        try await dev.setAutoMine(true)
        try await dev.mine(1)
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)
        // 重新上链、还没够确认：手续费按新块算、与记过的不同，对账仍平（按链上实际算）。
        let remined = try await engine.reconcile(record: false)
        #expect(remined.ok, "\(remined.mismatches)")
        #expect(remined.inFlight.contains { $0.kind == "withdrawal" && $0.ref == w.id && $0.mined })
        #expect(try await engine.nonceStatus().ok)
        #expect(try await dev.balance(dest) - before == ether)
        // withdraw list / show 标出它（以前重新确认之前一直只显示 confirmed，QA）。
        #expect(try engine.withdrawalsAwaitingReconfirmation() == [w.id])
        let reorged = try engine.alerts().filter { $0.kind == "withdraw.reorged" }
        #expect(reorged.count == 1 && reorged.first?.severity == .critical)
        #expect(reorged.first?.message.contains(done.txHash ?? "?") == true)
        // 再一轮：节点查得到这笔，不再重发、不再告警。
        try await engine.runWorker("withdrawals")
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)
        #expect(try engine.alerts().filter { $0.kind == "withdraw.reorged" }.count == 1)
        // 重新上链的块基础费不同 → 实付手续费不同（QA：账上留着第一次的手续费，对账从此差几 gwei）。够确认后补一条调整分录，对账平。
        try await dev.mine(2)
        try await engine.runWorker("withdrawals")
        let after = try engine.withdrawal(id: w.id)
        #expect(try engine.withdrawalsAwaitingReconfirmation().isEmpty)
        #expect(after.fee != done.fee, "重新上链的块基础费应不同：\(String(describing: done.fee))")
        let rec = try await engine.reconcile(record: false)
        #expect(rec.ok, "\(rec)")
        #expect(try engine.gate.with { l in try l.store.entryCount(kind: "network_fee_adjust", ref: nil) } == 1)
        try await engine.runWorker("withdrawals")   // 幂等：不再调整
        #expect(try engine.gate.with { l in try l.store.entryCount(kind: "network_fee_adjust", ref: nil) } == 1)
        // 后面的提现照常发出（以前这里永远卡在 signed：节点要 nonce 0，我们发 nonce 1）。
        let w2 = try approvedWithdrawal(engine, id: "req-r2", user: "alice", amount: "0.5", to: dest)
        try await engine.runWorker("withdrawals")
        #expect(try engine.withdrawal(id: w2.id).state == .broadcast)
        #expect(try await dev.transactionCount(engine.hotAddress) == 2)
        #expect(try engine.ledgerCheck().isEmpty)
    }

    @Test func erc20WithdrawalTransfersTokensOnTheEVM() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "wd20", confirmations: 1)
        let accts = try await dev.accounts()
        let usdt = try await dev.deployToken("Tether", "USDT", decimals: 6)
        _ = try await engine.addAsset(symbol: "USDT", contract: usdt, decimals: 6, confirmations: 1, by: try engine.op("admin", role: .admin))
        let dep = try engine.assignAddress(user: "gina", asset: "USDT", by: try engine.op("admin", role: .admin)).address
        try await dev.mint(usdt, to: dep, UInt256(300_000_000))
        try await dev.mint(usdt, to: engine.hotAddress, UInt256(1_000_000_000))   // 热钱包的代币库存
        try await dev.send(from: accts[0], to: engine.hotAddress, wei: ether)       // 付 gas 的 ETH
        try engine.recordHotWalletFunding(asset: "USDT", amount: UInt256(1_000_000_000), ref: "fund-usdt", by: try engine.op("admin", role: .admin))
        try engine.recordHotWalletFunding(asset: "ETH", amount: ether, ref: "fund-eth", by: try engine.op("admin", role: .admin))
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        let clerk = try engine.op("clerk", role: .approver)
        let w = try engine.requestWithdrawal(WithdrawalRequest(requestID: "usdt-1", user: "gina", asset: "USDT", amount: "120.5",
                                                               to: accts[9]), by: clerk)
        _ = try engine.approve(withdrawalID: w.id, by: try engine.op("admin", role: .admin))
        try await engine.runWorker("withdrawals")
        try await dev.mine(1)
        try await engine.runWorker("withdrawals")
        let done = try engine.withdrawal(id: w.id)
        #expect(done.state == .confirmed, "\(done.state) \(done.reason)")
        let asset = try engine.gate.with { l in try l.asset("USDT") }
        #expect(try await engine.chainBalance(address: accts[9], asset: asset) == UInt256(120_500_000))
        #expect(try engine.gate.with { l in try l.available(user: "gina", asset: "USDT") } == UInt256(179_500_000))
        #expect(try engine.ledgerCheck().isEmpty)
    }

    @Test func failedReceiptUnfreezesAndAlerts() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "wdfail", confirmations: 1)
        let accts = try await dev.accounts()
        let usdt = try await dev.deployToken("Tether", "USDT", decimals: 6)
        _ = try await engine.addAsset(symbol: "USDT", contract: usdt, decimals: 6, confirmations: 1, by: try engine.op("admin", role: .admin))
        let dep = try engine.assignAddress(user: "hank", asset: "USDT", by: try engine.op("admin", role: .admin)).address
        try await dev.mint(usdt, to: dep, UInt256(500_000_000))
        try await dev.mint(usdt, to: engine.hotAddress, UInt256(100_000_000))   // 热钱包只够付一笔
        try await dev.send(from: accts[0], to: engine.hotAddress, wei: ether)
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        let clerk = try engine.op("clerk", role: .approver)
        let admin = try engine.op("admin", role: .admin)
        // 热钱包的链上注资要记账，否则账上的热钱包为负（ledger check 不变量 7）。
        try engine.recordHotWalletFunding(asset: "USDT", amount: UInt256(100_000_000), ref: "fund-usdt", by: admin)
        try engine.recordHotWalletFunding(asset: "ETH", amount: ether, ref: "fund-eth", by: admin)
        var ids: [Int64] = []
        for i in 0..<2 {
            let w = try engine.requestWithdrawal(WithdrawalRequest(requestID: "fail-\(i)", user: "hank", asset: "USDT", amount: "100",
                                                                   to: accts[8]), by: clerk)
            ids.append(w.id)
        }
        // 不自动出块：第一笔批准、签名、广播（还在内存池）；再批准第二笔——链上 latest 余额仍够（流动性检查只看已上链的
        // 与本轮排在前面的），于是也签名广播；出块时第二笔因余额不足执行失败（收据 status 0）。
        try await dev.setAutoMine(false)
        _ = try engine.approve(withdrawalID: ids[0], by: admin)
        try await engine.runWorker("withdrawals")
        _ = try engine.approve(withdrawalID: ids[1], by: admin)
        try await engine.runWorker("withdrawals")
        let mid = try ids.map { try engine.withdrawal(id: $0).state }
        // 第二笔：eth-tester 在不出块时可能拒收后一个 nonce → 节点明确拒绝 → 回到 signed，下轮用同一份字节重发。
        #expect(mid[0] == .broadcast && (mid[1] == .broadcast || mid[1] == .signed), "\(mid)")
        let secondHash = try engine.withdrawal(id: ids[1]).txHash
        try await dev.setAutoMine(true)
        try await dev.mine(2)
        try await engine.runWorker("withdrawals")
        let a = try engine.withdrawal(id: ids[0]), b = try engine.withdrawal(id: ids[1])
        #expect(a.state == .confirmed)
        #expect(b.state == .failed, "\(b.state)")
        #expect((b.fee ?? .zero) > .zero)   // 失败也付了 gas
        #expect(b.txHash == secondHash)      // 没有重新签名
        // 失败的那笔已解冻，退回用户可用余额；并有告警。
        #expect(try engine.gate.with { l in try l.frozen(user: "hank", asset: "USDT") } == .zero)
        #expect(try engine.gate.with { l in try l.available(user: "hank", asset: "USDT") } == UInt256(400_000_000))
        #expect(try engine.alerts().contains { $0.kind == "withdraw.failed" })
        #expect(try await dev.transactionCount(engine.hotAddress) == 2)
        let violations = try engine.ledgerCheck()
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test func withdrawalSignedByHSMOnSoftHSM2() async throws {
        guard let token = try SoftHSMToken.make() else {
            Issue.record("SoftHSM2 不可用（需要 softhsm2：install.sh 会安装）")
            return
        }
        defer { token.cleanup() }
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "hsm", confirmations: 2)
        // 热钱包换成 HSM 上生成的密钥（经密钥库登记，PIN 信封加密保存）：私钥不可导出，签名只在令牌里发生，
        // 引擎经密钥库的统一 Signer 接口使用它（低 S 规范化与恢复 id 由 HSM 签名器完成）。
        let info = try engine.keystore.generateHSMKey(modulePath: token.module, tokenLabel: "wallet",
                                                      pin: SecretBytes(Array("1234".utf8)), label: "hot-hsm")
        var cfg = engine.config
        cfg.hotWallet = HotWalletSettings(keyId: info.id, address: try #require(info.address))
        try cfg.save(home: engine.home)
        try engine.replaceConfigForTests(cfg)
        let accts = try await prepareFunds(dev, engine, user: "carol", amount: ether * UInt256(2))
        let w = try approvedWithdrawal(engine, id: "req-hsm", user: "carol", amount: "0.5", to: accts[6])
        #expect(engine.hotWalletSigner()?.tier == "hsm")
        try await engine.runWorker("withdrawals")
        try await dev.mine(2)
        try await engine.runWorker("withdrawals")
        let now = try engine.withdrawal(id: w.id)
        #expect(now.state == .confirmed, "\(now.state) \(now.reason)")
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)
    }

    @Test func nodeErrorsOpenBreakerWithoutDoubleBroadcast() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let base = try await makeDevnetHome(dev, tag: "brk", confirmations: 1)
        // 同一个 home 重新打开：链客户端 = 真实多端点 RPC（熔断阈值 3、断开 2 秒）+ 广播前注入节点故障。
        let rpc = try ResilientRPC.http(urls: [dev.url], config: ResilienceConfig(
            expectedChainId: dev.chainId, timeoutSeconds: 5, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.05, maxDelay: 0.1),
            breaker: BreakerConfig(failureThreshold: 3, openSeconds: 2)))
        let faulty = FaultOnBroadcast(inner: JSONRPCChainClient(rpc: rpc), dev: dev)
        let engine = try await WalletEngine.open(home: base.home.root, options: EngineOpenOptions(
            unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)), clientOverride: faulty, rpcOverride: rpc,
            keystoreOptions: fastKeystore))
        let accts = try await prepareFunds(dev, engine, user: "dave", amount: ether * UInt256(2))
        let w = try approvedWithdrawal(engine, id: "req-brk", user: "dave", amount: "1", to: accts[7])
        faulty.armed.write { $0 = true }
        _ = await engine.runOnce(["withdrawals"])
        let mid = try engine.withdrawal(id: w.id)
        // 签名已在广播前落库；广播结果不明 → unknown，绝不重新签名。
        #expect(mid.txHash != nil && mid.rawTx != nil)
        #expect(mid.state == .unknown, "\(mid.state)")
        // 故障持续：查询也失败，熔断器打开（状态页可见）。
        for _ in 0..<3 { _ = await engine.runOnce(["withdrawals"]) }
        #expect(engine.chain.health.contains { $0.breaker == .open })
        let st = await engine.status().json.breakers
        #expect(st.first?.state == "open")
        // 节点恢复、熔断冷却：按已存哈希核对（节点没收到）→ 用同一份字节重发 → 上链一次。
        try await dev.fault("http500", count: 0)
        #expect(try await dev.transactionCount(engine.hotAddress) == 0)
        var state = mid.state
        for _ in 0..<20 where state != .confirmed {
            try await Task.sleep(nanoseconds: 700_000_000)
            _ = await engine.runOnce(["withdrawals"])
            try await dev.mine(1)
            state = try engine.withdrawal(id: w.id).state
        }
        let done = try engine.withdrawal(id: w.id)
        #expect(done.state == .confirmed, "\(done.state)")
        #expect(done.txHash == mid.txHash)   // 从未重新签名
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)
        #expect(faulty.broadcasts.get >= 2)  // 确实重发过（同一份字节）
    }

    /// 签名器故障是事件（issue 15）：已解封却不能签（这里：签名密钥的地址不是配置的热钱包）时，执行器这一轮失败
    /// （`engine run --once` 因此退出 1），告警一次，提现保持 approved；旧代码只写一行日志、本轮「成功」、steps=0。
    @Test func signerFailureFailsTheRoundAndAlerts() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "signerfail", confirmations: 1)
        let accts = try await dev.accounts()
        let admin = try engine.op("admin", role: .admin)
        let dep = try engine.assignAddress(user: "ivy", asset: "ETH", by: admin).address
        try await dev.send(from: accts[1], to: dep, wei: ether)
        try await dev.send(from: accts[0], to: engine.hotAddress, wei: ether)
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        try engine.recordHotWalletFunding(asset: "ETH", amount: ether, ref: "fund-eth", by: admin)
        let w = try engine.requestWithdrawal(WithdrawalRequest(requestID: "sf-1", user: "ivy", asset: "ETH", amount: "0.1", to: accts[7]),
                                             by: try engine.op("clerk", role: .approver))
        _ = try engine.approve(withdrawalID: w.id, by: admin)
        var cfg = engine.config
        cfg.hotWallet.address = "0x1111111111111111111111111111111111111111"
        try engine.replaceConfigForTests(cfg)
        await #expect(throws: (any Error).self) { try await engine.runWorker("withdrawals") }
        await #expect(throws: (any Error).self) { try await engine.runWorker("withdrawals") }
        #expect(try engine.withdrawal(id: w.id).state == .approved)
        #expect(try engine.alerts().filter { $0.kind == "signer.address_mismatch" }.count == 1)
        #expect(try await dev.transactionCount(engine.hotAddress) == 0)
    }
}

/// 测试用链客户端：第一次广播前让测试链进入“HTTP 500”故障模式（模拟节点在广播时出故障），其余原样转发。
final class FaultOnBroadcast: ChainClient, @unchecked Sendable {
    let inner: ChainClient
    let dev: Devnet
    let armed = Protected(false)
    let broadcasts = Protected(0)
    init(inner: ChainClient, dev: Devnet) { self.inner = inner; self.dev = dev }
    func chainId() async throws -> UInt64 { try await inner.chainId() }
    func blockNumber() async throws -> UInt64 { try await inner.blockNumber() }
    func block(_ tag: BlockTag) async throws -> ChainBlock? { try await inner.block(tag) }
    func logs(_ filter: LogFilter) async throws -> [ChainLog] { try await inner.logs(filter) }
    func receipt(_ hash: H256) async throws -> ChainReceipt? { try await inner.receipt(hash) }
    func transaction(_ hash: H256) async throws -> ChainTransaction? { try await inner.transaction(hash) }
    func transactionCount(_ address: ChainAddress, _ tag: BlockTag) async throws -> UInt64 { try await inner.transactionCount(address, tag) }
    func sendRawTransaction(_ raw: [UInt8]) async throws -> H256 {
        broadcasts.write { $0 += 1 }
        if armed.write({ a -> Bool in let was = a; a = false; return was }) { try await dev.fault("http500", count: 1000) }
        return try await inner.sendRawTransaction(raw)
    }
    func feeHistory(blockCount: Int, newest: BlockTag, percentiles: [Double]) async throws -> WalletChain.FeeHistory {
        try await inner.feeHistory(blockCount: blockCount, newest: newest, percentiles: percentiles)
    }
    func maxPriorityFeePerGas() async throws -> UInt256 { try await inner.maxPriorityFeePerGas() }
    func estimateGas(_ call: CallRequest) async throws -> UInt64 { try await inner.estimateGas(call) }
    func balance(_ address: ChainAddress, _ tag: BlockTag) async throws -> UInt256 { try await inner.balance(address, tag) }
    func call(_ call: CallRequest, _ tag: BlockTag) async throws -> [UInt8] { try await inner.call(call, tag) }
}

/// 临时 SoftHSM2 令牌（真实 PKCS#11）。
struct SoftHSMToken {
    let dir: String
    let module: String
    let conf: String

    static func make() throws -> SoftHSMToken? {
        let module = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
            .first { FileManager.default.fileExists(atPath: $0) }
        guard let module, FileManager.default.isExecutableFile(atPath: "/usr/bin/softhsm2-util") else { return nil }
        let dir = NSTemporaryDirectory() + "/wc-hsm-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/tokens", withIntermediateDirectories: true)
        let conf = dir + "/softhsm2.conf"
        try "directories.tokendir = \(dir)/tokens\nobjectstore.backend = file\n".write(toFile: conf, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", conf, 1)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        p.arguments = ["--init-token", "--free", "--label", "wallet", "--pin", "1234", "--so-pin", "5678"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return SoftHSMToken(dir: dir, module: module, conf: conf)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
}
