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
    let addr = try engine.assignAddress(user: user, asset: "ETH").address
    try await dev.send(from: accts[0], to: addr, wei: amount)
    try await dev.send(from: accts[0], to: engine.hotAddress, wei: ether * UInt256(10))
    try engine.recordHotWalletFunding(asset: "ETH", amount: ether * UInt256(10), ref: "test-funding", by: "admin")
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

    @Test func withdrawalSignedByHSMOnSoftHSM2() async throws {
        guard let token = try SoftHSMToken.make() else {
            Issue.record("SoftHSM2 不可用（需要 softhsm2：install.sh 会安装）")
            return
        }
        defer { token.cleanup() }
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "hsm", confirmations: 2)
        // 热钱包换成 HSM 上生成的密钥：私钥不可导出，签名只在令牌里发生。
        let signer = try token.signer()
        try engine.useSignerForTests(signer)
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
        let engine = try await makeDevnetHome(dev, tag: "brk", confirmations: 1)
        let accts = try await prepareFunds(dev, engine, user: "dave", amount: ether * UInt256(2))
        let w = try approvedWithdrawal(engine, id: "req-brk", user: "dave", amount: "1", to: accts[7])
        // 节点连续返回 HTTP 500：签名照常落库，广播结果不明 → 停在 unknown/signed，熔断器打开。
        try await dev.fault("http500", count: 40)
        _ = await engine.runOnce(["withdrawals"])
        let mid = try engine.withdrawal(id: w.id)
        #expect(mid.txHash != nil)
        #expect([.unknown, .signed, .approved].contains(mid.state), "\(mid.state)")
        #expect(engine.chain.health.contains { $0.breaker == .open })
        #expect(await engine.status().json["breakers"] != nil)
        // 节点恢复、熔断冷却后：按已存哈希核对，同一份字节只上链一次。
        try await dev.fault("http500", count: 0)
        var state = mid.state
        for _ in 0..<40 where state != .confirmed {
            try await Task.sleep(nanoseconds: 1_000_000_000)
            _ = await engine.runOnce(["withdrawals"])
            try await dev.mine(1)
            state = try engine.withdrawal(id: w.id).state
        }
        let done = try engine.withdrawal(id: w.id)
        #expect(done.state == .confirmed, "\(done.state)")
        if mid.txHash != nil { #expect(done.txHash == mid.txHash) }   // 从未重新签名
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)
    }
}

extension WalletEngine {
    /// 测试：把配置里的热钱包换成签名器的地址（HSM 密钥在令牌上生成），再装上签名器。
    func useSignerForTests(_ s: TransactionSigner) throws {
        var cfg = config
        cfg.hotWallet.address = s.address.checksummed
        try cfg.save(home: home)
        try replaceConfigForTests(cfg)
        try useSigner(s)
    }
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

    func signer() throws -> PKCS11TxSigner {
        let m = try PKCS11Module.load(module)
        let s = try PKCS11Session(module: m, slot: try m.slot(forToken: "wallet"))
        try s.login(SecretBytes(Array("1234".utf8)))
        let id: [UInt8] = [0x01, 0x02, 0x03, 0x04]
        _ = try s.generateSecp256k1(label: "hot-wallet", id: id)
        return try PKCS11TxSigner(session: s, keyID: id)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
}
