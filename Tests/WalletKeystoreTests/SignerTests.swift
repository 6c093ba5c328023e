// Signer：同一接口覆盖加密库（种子派生/私钥）、HSM（SoftHSM2）、KMS（独立进程）。签名都必须低 S、可恢复到密钥地址。
import Foundation
import Testing
import WalletCrypto
import WalletKeys
@testable import WalletKeystore

private func checkSigner(_ s: Signer, rounds: Int = 8) async throws {
    for i in 0..<rounds {
        let d = Keccak.keccak256(Array("tx \(i) \(s.keyId)".utf8))
        let sig = try await s.sign(digest32: d)
        #expect(ECDSANormalize.isLowS(sig.s))
        #expect(sig.recoveryId <= 1)
        let pk = try Secp256k1.recover(digest32: d, signature: sig)
        #expect(try EthereumAddress(publicKey: pk) == s.address)
        #expect(Secp256k1.verify(digest32: d, signature: sig, publicKey: pk))
    }
    await #expect(throws: SignerError.self) { _ = try await s.sign(digest32: [1, 2, 3]) }
}

@Test func localSignerFromMnemonicAtPath() async throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("signer-pass-1"), options: fastOptions)
    // BIP-39 官方向量（trezor/python-mnemonic vectors.json 第一条，口令 TREZOR）
    let m = pass("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
    let info = try ks.importMnemonic(m, passphrase: pass("TREZOR"), label: "seed")
    #expect(info.kind == .hdSeed && info.tier == .encryptedDB)
    let seed = try BIP39.seed(mnemonic: m, passphrase: pass("TREZOR"))
    #expect(seed.unsafeArray().hex.hasPrefix("c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e5349553"))
    let master = try ExtendedPrivateKey(seed: seed)
    #expect(info.fingerprint == master.fingerprint.hex)
    let s0 = try ks.signer(for: info.id)
    let expected = try EthereumAddress(publicKey: try Secp256k1.publicKey(privateKey: master.derive(path: try DerivationPath(string: "m/44'/60'/0'/0/0")).privateKey, compressed: false))
    #expect(s0.address == expected)
    #expect(info.address == expected.checksummed)
    let s5 = try ks.signer(for: info.id, path: "m/44'/60'/0'/0/5")
    #expect(s5.address != s0.address)
    try await checkSigner(s0)
    #expect(ks.usage(id: info.id).signatures == 8)
    // 封存后签名失败且健康状态为 sealed
    ks.seal()
    #expect(await s0.health() == .sealed)
    await #expect(throws: KeystoreError.sealed) { _ = try await s0.sign(digest32: [UInt8](repeating: 1, count: 32)) }
}

@Test func localSignerPrivateKeyAndExport() async throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("signer-pass-2"), options: fastOptions)
    let (key, addr) = try Web3SecretStorage.decrypt(json: try Fixture.data("very-light-scrypt.json"), password: SecretBytes(count: 0))
    let info = try ks.importPrivateKey(key, label: "geth")
    #expect(info.address == addr.checksummed)
    let s = try ks.signer(for: info.id)
    #expect(s.address == addr && s.tier == .encryptedDB)
    try await checkSigner(s)
    // 导出为 v3 再导入：同一私钥
    let json = try ks.exportPrivateKey(id: info.id) { try Web3SecretStorage.encrypt(privateKey: $0, password: pass("x"), kdf: .scrypt(n: 1024, r: 8, p: 1)) }
    #expect(try Web3SecretStorage.decrypt(json: json, password: pass("x")).privateKey == key)
    #expect(throws: KeystoreError.self) { _ = try ks.importPrivateKey(SecretBytes([UInt8](repeating: 0, count: 32)), label: "zero") }
}

@Suite(.serialized) struct HSMSignerTests {
    init() { _ = SoftHSMEnv.dir }

    @Test func hsmSignerLowSAndRecoveryId() async throws {
        let home = Fixture.tempDir().path
        let ks = try Keystore.initialize(home: home, passphrase: pass("hsm-signer-pass"), options: fastOptions)
        let info = try ks.generateHSMKey(modulePath: SoftHSMEnv.module, tokenLabel: "wallet", pin: pass("1234"), label: "hot-hsm")
        #expect(info.tier == .hsm && info.kind == .hsmKey)
        let s = try ks.signer(for: info.id)
        #expect(s.tier == .hsm)
        #expect(s.address.checksummed == info.address)
        // 大量签名中一定出现过 HSM 原始的 high-S，且全部被规范化、recid 正确
        try await checkSigner(s, rounds: 16)
        if case .ok = await s.health() {} else { Issue.record("HSM 健康检查应为 ok") }
        // 会话在设备端丢失 → 签名器自动重连（用加密保存的 PIN 重新登录），调用方无感
        let hs = try #require(s as? HSMSigner)
        hs.simulateSessionLoss()
        try await checkSigner(s, rounds: 1)
        // 新实例（重新打开 keystore）用加密保存的 PIN 重连
        let k2 = try Keystore.open(home: home, options: fastOptions)
        try k2.unseal(passphrase: pass("hsm-signer-pass"))
        try await checkSigner(try k2.signer(for: info.id), rounds: 2)
        let st = await k2.keyTierStatus()
        #expect(st.first?.tier == .hsm && st.first?.signatures == 19)
        // 同一 id 复用同一签名器实例
        #expect(try k2.signer(for: info.id) as AnyObject === (try k2.signer(for: info.id)) as AnyObject)
        // 封存后 HSM 签名器拒绝签名（即使令牌会话还在）
        let held = try k2.signer(for: info.id)
        k2.seal()
        await #expect(throws: KeystoreError.sealed) { _ = try await held.sign(digest32: [UInt8](repeating: 9, count: 32)) }
        #expect(await held.health() == .sealed)
    }

    @Test func hsmWrongPinAndMissingTokenReportedAsHealth() async throws {
        let home = Fixture.tempDir().path
        let ks = try Keystore.initialize(home: home, passphrase: pass("hsm-signer-pass"), options: fastOptions)
        let m = try PKCS11Module.load(SoftHSMEnv.module)
        let slot = try SoftHSMEnv.freshToken(m)
        let label = try #require(try m.tokens().first { $0.slot == slot }?.label)
        #expect(throws: HSMError.wrongPin) { _ = try ks.generateHSMKey(modulePath: SoftHSMEnv.module, tokenLabel: label, pin: pass("9999"), label: "x") }
        // 条目指向不存在的令牌：签名报 token_not_found，健康状态为 error，而不是崩溃
        let ref = HSMReference(modulePath: SoftHSMEnv.module, tokenLabel: "gone", keyLabel: "k", keyIdHex: "0102")
        let pub = try Secp256k1.publicKey(privateKey: try SecureRandom.secret(32), compressed: false)
        let info = try ks.store(secret: pass("1234"), kind: .hsmKey, label: "gone", tier: .hsm, publicKey: pub.hex, hsm: ref)
        let s = try ks.signer(for: info.id)
        await #expect(throws: HSMError.tokenNotFound("gone")) { _ = try await s.sign(digest32: [UInt8](repeating: 2, count: 32)) }
        if case .error(let code, _) = await s.health() { #expect(code == "hsm.token_not_found") } else { Issue.record("应为 error") }
    }
}

@Test func kmsSignerInSeparateProcess() async throws {
    let kms = try KMSProcess()
    defer { kms.stop() }
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("kms-signer-pass"), options: fastOptions)
    let info = try ks.createKMSKey(socketPath: kms.socket, label: "kms-hot")
    #expect(info.tier == .kms)
    let s = try ks.signer(for: info.id)
    try await checkSigner(s)
    if case .ok(let ms) = await s.health() { #expect(ms != nil) } else { Issue.record("KMS 应可达") }
    // 私钥不在引擎的 keystore 里：条目机密为空
    #expect(try ks.withSecret(id: info.id) { sec, _ in sec.count } == 0)
    // 服务停止 → 健康状态报告 unreachable，签名报清楚的错误
    kms.stop()
    if case .error(let code, _) = await s.health() { #expect(code == "kms.unreachable") } else { Issue.record("应不可达") }
    await #expect(throws: KMSError.self) { _ = try await s.sign(digest32: [UInt8](repeating: 3, count: 32)) }
}

@Test func teeReportedHonestly() throws {
    let st = TEE.detect()
    let present = TEE.candidates.contains { FileManager.default.fileExists(atPath: $0) }
    #expect(st.state == (present ? .detectedNotIntegrated : .unavailable))
    #expect(!st.reason.isEmpty)
    // 模拟根目录下存在 SGX 设备：也只报告 detected-not-integrated
    let root = Fixture.tempDir("tee").path
    try FileManager.default.createDirectory(atPath: root + "/dev", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: root + "/dev/sgx_enclave", contents: nil)
    let fake = TEE.detect(root: root)
    #expect(fake.state == .detectedNotIntegrated && fake.devices == ["/dev/sgx_enclave"])
}

/// 引擎的真实用法：交易签名哈希 → 任一层级的 Signer → applying(signature:) → 原始交易解码后发送方 = 签名器地址。
@Suite(.serialized) struct SignerTransactionTests {
    init() { _ = SoftHSMEnv.dir }

    @Test func signedTransactionsRecoverSenderForEveryTier() async throws {
        let home = Fixture.tempDir().path
        let ks = try Keystore.initialize(home: home, passphrase: pass("tx-signer-pass"), options: fastOptions)
        let seed = try ks.importSeed(try SecureRandom.secret(64), label: "seed")
        let hsm = try ks.generateHSMKey(modulePath: SoftHSMEnv.module, tokenLabel: "wallet", pin: pass("1234"), label: "tx-hsm")
        let to = try EthereumAddress(string: "0x3535353535353535353535353535353535353535")
        for id in [seed.id, hsm.id] {
            let signer = try ks.signer(for: id)
            for nonce in 0..<6 {
                let tx = nonce % 2 == 0
                    ? EthTransaction.legacy(chainId: 1, nonce: UInt64(nonce), gasPrice: UInt256(20_000_000_000), gasLimit: 21000,
                                            to: to, value: try UInt256(decimal: "1000000000000000000"))
                    : EthTransaction.eip1559(chainId: 1337, nonce: UInt64(nonce), maxPriorityFeePerGas: UInt256(1_000_000_000),
                                             maxFeePerGas: UInt256(30_000_000_000), gasLimit: 21000, to: to, value: UInt256(1))
                let sig = try await signer.sign(digest32: try tx.signingHash())
                let signed = try tx.applying(signature: sig)
                let decoded = try SignedEthTransaction.decode(raw: signed.raw)
                #expect(decoded.from == signer.address, "\(signer.tier) nonce \(nonce)")
            }
        }
    }
}
