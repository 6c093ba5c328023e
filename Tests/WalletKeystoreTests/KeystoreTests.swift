// keystore 核心：信封加密往返、口令/份额解封、错误口令、篡改检测、并发解封、KEK 轮换、退避与审计、权限。
import Foundation
import Testing
import WalletCrypto
@testable import WalletKeystore

let fastOptions = Keystore.Options(scrypt: ScryptParams(n: 1 << 10, r: 8, p: 1), backoffBase: 0, backoffMax: 0)
func pass(_ s: String) -> SecretBytes { SecretBytes(Array(s.utf8)) }

private func files(_ dir: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let e = FileManager.default.enumerator(atPath: dir)!
    while let f = e.nextObject() as? String {
        let p = dir + "/" + f
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue,
           f.hasSuffix(".wcks") { out[f] = [UInt8](FileManager.default.contents(atPath: p)!) }
    }
    return out
}

@Test func envelopeRoundTripAndReopen() throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("operator-pass-1"), options: fastOptions)
    let secret = try SecureRandom.secret(64)
    let info = try ks.store(secret: secret, kind: .hdSeed, label: "热钱包种子")
    #expect(try ks.withSecret(id: info.id) { s, _ in s == secret })
    ks.seal()
    #expect(throws: KeystoreError.sealed) { try ks.withSecret(id: info.id) { _, _ in () } }
    // 重新打开（另一个实例）→ 封存 → 口令解封
    let ks2 = try Keystore.open(home: home, options: fastOptions)
    #expect(ks2.isSealed)
    #expect(try ks2.list().map(\.id) == [info.id])
    try ks2.unseal(passphrase: pass("operator-pass-1"))
    #expect(try ks2.withSecret(id: info.id) { s, i in s == secret && i.label == "热钱包种子" })
    // 权限：目录 0700、文件 0600
    let dir = home + "/keystore"
    let dmode = (try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as! NSNumber).intValue
    #expect(dmode == 0o700)
    for f in files(dir).keys {
        let m = (try FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.posixPermissions] as! NSNumber).intValue
        #expect(m == 0o600, "\(f)")
    }
    // 重复 init 被拒绝
    #expect(throws: KeystoreError.self) { _ = try Keystore.initialize(home: home, passphrase: pass("xxxxxxxxxx"), options: fastOptions) }
}

@Test func wrongPassphraseChangesNothingAndIsAudited() throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("right-passphrase"), options: fastOptions)
    try ks.store(secret: try SecureRandom.secret(32), kind: .privateKey, label: "a")
    let before = files(home + "/keystore")
    let k2 = try Keystore.open(home: home, options: fastOptions)
    #expect(throws: KeystoreError.wrongPassphrase) { try k2.unseal(passphrase: pass("wrong-passphrase")) }
    #expect(k2.isSealed)
    #expect(files(home + "/keystore") == before)
    #expect(k2.status().failedAttempts == 1)
    #expect(k2.audit.entries().contains { $0["event"] as? String == "keystore.unseal.passphrase" && $0["result"] as? String == "failed" })
    try k2.unseal(passphrase: pass("right-passphrase"))
    #expect(k2.status().failedAttempts == 0)
}

@Test func backoffGrowsAfterFailures() throws {
    let home = Fixture.tempDir().path
    let opts = Keystore.Options(scrypt: fastOptions.scrypt, backoffBase: 30, backoffMax: 600)
    _ = try Keystore.initialize(home: home, passphrase: pass("right-passphrase"), options: opts)
    let k = try Keystore.open(home: home, options: opts)
    #expect(throws: KeystoreError.wrongPassphrase) { try k.unseal(passphrase: pass("nope-nope-nope")) }
    // 立刻再试（即使口令正确）也被节流
    do { try k.unseal(passphrase: pass("right-passphrase")); Issue.record("应被节流") } catch let KeystoreError.tooManyFailures(s) {
        #expect(s > 0 && s <= 30)
    }
    #expect(k.isSealed)
    #expect(k.backoffDelay(failures: 1) == 30 && k.backoffDelay(failures: 2) == 60 && k.backoffDelay(failures: 10) == 600)
    #expect(k.audit.entries().contains { $0["result"] as? String == "throttled" })
}

@Test func shamirUnsealProgressResetAndWrongShare() throws {
    let home = Fixture.tempDir().path
    let (ks, shares) = try Keystore.initialize(home: home, threshold: 3, shares: 5, options: fastOptions)
    #expect(shares.count == 5)
    let secret = try SecureRandom.secret(32)
    let info = try ks.store(secret: secret, kind: .privateKey, label: "k")
    ks.seal()
    // 不同子集都能解封
    for subset in [[0, 1, 2], [4, 2, 3], [1, 3, 4]] {
        let k = try Keystore.open(home: home, options: fastOptions)
        var p = try k.unseal(share: shares[subset[0]])
        #expect(p == .init(submitted: 1, threshold: 3, unsealed: false))
        #expect(k.status().progress == 1)
        p = try k.unseal(share: shares[subset[1]])
        #expect(!p.unsealed)
        p = try k.unseal(share: shares[subset[2]])
        #expect(p.unsealed)
        #expect(try k.withSecret(id: info.id) { s, _ in s == secret })
    }
    // 重复提交、重置
    let k = try Keystore.open(home: home, options: fastOptions)
    try k.unseal(share: shares[0])
    #expect(throws: KeystoreError.self) { try k.unseal(share: shares[0]) }
    k.resetUnseal()
    #expect(k.status().progress == 0)
    // 别的 keystore 的份额：校验直接拒绝
    let (_, other) = try Keystore.initialize(home: Fixture.tempDir().path, threshold: 2, shares: 3, options: fastOptions)
    #expect(throws: KeystoreError.self) { try k.unseal(share: other[0]) }
    // 抄错一个字符
    var bad = shares[1].unsafeArray(); bad[10] = bad[10] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
    #expect(throws: KeystoreError.self) { try k.unseal(share: SecretBytes(bad)) }
    // 口令模式接口在份额模式下报清楚的错
    #expect(throws: KeystoreError.self) { try k.unseal(passphrase: pass("whatever-pass")) }
    #expect(k.isSealed)
}

@Test func tamperAnyByteIsDetected() throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("tamper-pass-1"), options: fastOptions)
    let secret = try SecureRandom.secret(64)
    let info = try ks.store(secret: secret, kind: .hdSeed, label: "seed")
    let dir = home + "/keystore"
    let entryPath = dir + "/keys/\(info.id).wcks"
    let headerPath = dir + "/keystore.wcks"
    let entryOrig = [UInt8](FileManager.default.contents(atPath: entryPath)!)
    let headerOrig = [UInt8](FileManager.default.contents(atPath: headerPath)!)

    func write(_ p: String, _ b: [UInt8]) { FileManager.default.createFile(atPath: p, contents: Data(b), attributes: [.posixPermissions: 0o600]) }
    // 1) 条目：每个字节翻转 → 读取/解密失败（有的在校验和处，有的在 GCM 处）
    for i in 0..<entryOrig.count {
        var b = entryOrig; b[i] ^= 0x01
        write(entryPath, b)
        #expect(throws: (any Error).self, "entry byte \(i)") { try ks.withSecret(id: info.id) { _, _ in () } }
        // 恶意篡改：重算外层校验和，仍须被 AES-GCM 发现
        if i < entryOrig.count - 32 {
            var m = Array(b[0..<(b.count - 32)]); m += Hash.sha256(m)
            write(entryPath, m)
            #expect(throws: (any Error).self, "entry byte \(i) (checksum fixed)") { try ks.withSecret(id: info.id) { _, _ in () } }
        }
    }
    write(entryPath, entryOrig)
    // 截断
    for cut in [1, 17, entryOrig.count / 2, entryOrig.count - 1] {
        write(entryPath, Array(entryOrig[0..<cut]))
        #expect(throws: KeystoreError.self) { try ks.withSecret(id: info.id) { _, _ in () } }
    }
    write(entryPath, entryOrig)
    #expect(try ks.withSecret(id: info.id) { s, _ in s == secret })
    // 2) 头文件：每个字节翻转（并重算校验和）→ 打开或解封失败
    for i in 0..<(headerOrig.count - 32) {
        var b = headerOrig; b[i] ^= 0x01
        var m = Array(b[0..<(b.count - 32)]); m += Hash.sha256(m)
        write(headerPath, m)
        #expect(throws: (any Error).self, "header byte \(i)") {
            let k = try Keystore.open(home: home, options: fastOptions)
            try k.unseal(passphrase: pass("tamper-pass-1"))
        }
        #expect([UInt8](FileManager.default.contents(atPath: headerPath)!) == m, "失败的操作不得改写文件")
    }
    write(headerPath, headerOrig)
    let k = try Keystore.open(home: home, options: fastOptions)
    try k.unseal(passphrase: pass("tamper-pass-1"))
    #expect(try k.withSecret(id: info.id) { s, _ in s == secret })
}

@Test func swappedCiphertextsAreRejected() throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("swap-pass-123"), options: fastOptions)
    let a = try ks.store(secret: try SecureRandom.secret(32), kind: .privateKey, label: "a")
    let b = try ks.store(secret: try SecureRandom.secret(32), kind: .privateKey, label: "b")
    let pa = home + "/keystore/keys/\(a.id).wcks", pb = home + "/keystore/keys/\(b.id).wcks"
    let ca = try Container.decode([UInt8](FileManager.default.contents(atPath: pa)!), file: pa)
    var cb = try Container.decode([UInt8](FileManager.default.contents(atPath: pb)!), file: pb)
    cb.blobB = ca.blobB  // 把 a 的机密密文塞进 b
    FileManager.default.createFile(atPath: pb, contents: Data(cb.encode()), attributes: [.posixPermissions: 0o600])
    #expect(throws: KeystoreError.self) { try ks.withSecret(id: b.id) { _, _ in () } }
    cb.blobA = ca.blobA  // 连同数据密钥一起换
    FileManager.default.createFile(atPath: pb, contents: Data(cb.encode()), attributes: [.posixPermissions: 0o600])
    #expect(throws: KeystoreError.self) { try ks.withSecret(id: b.id) { _, _ in () } }
}

@Test func concurrentUnsealAttempts() async throws {
    let home = Fixture.tempDir().path
    _ = try Keystore.initialize(home: home, passphrase: pass("concurrent-pass"), options: fastOptions)
    let k = try Keystore.open(home: home, options: fastOptions)
    let results = await withTaskGroup(of: String.self) { g in
        for i in 0..<16 {
            g.addTask {
                do { try k.unseal(passphrase: pass(i % 4 == 0 ? "concurrent-pass" : "wrong-\(i)-pass")); return "ok" }
                catch KeystoreError.wrongPassphrase { return "wrong" }
                catch { return "other:\(error)" }
            }
        }
        var r: [String] = []
        for await x in g { r.append(x) }
        return r
    }
    #expect(!k.isSealed)
    #expect(results.filter { $0 == "ok" }.count >= 4)
    #expect(results.allSatisfy { $0 == "ok" || $0 == "wrong" })
    // 已解封后的错误口令调用直接返回（不会把已解封的 keystore 弄坏）
    try k.unseal(passphrase: pass("concurrent-pass"))
    #expect(!k.isSealed)
    // 两个进程内实例同时写条目：都成功、互不覆盖
    let k2 = try Keystore.open(home: home, options: fastOptions)
    try k2.unseal(passphrase: pass("concurrent-pass"))
    await withTaskGroup(of: Void.self) { g in
        for i in 0..<10 { g.addTask { _ = try? (i % 2 == 0 ? k : k2).store(secret: SecretBytes([UInt8(i)]), kind: .privateKey, label: "c\(i)") } }
    }
    #expect(try k.list().count == 10)
}

@Test func kekRotationRewrapsWithoutTouchingSecrets() throws {
    let home = Fixture.tempDir().path
    let ks = try Keystore.initialize(home: home, passphrase: pass("rotate-pass-1"), options: fastOptions)
    let s1 = try SecureRandom.secret(32), s2 = try SecureRandom.secret(64)
    let a = try ks.store(secret: s1, kind: .privateKey, label: "a")
    let b = try ks.store(secret: s2, kind: .hdSeed, label: "b")
    let pa = home + "/keystore/keys/\(a.id).wcks"
    let before = try Container.decode([UInt8](FileManager.default.contents(atPath: pa)!), file: pa)
    #expect(try ks.rotateKEK() == 2)
    let after = try Container.decode([UInt8](FileManager.default.contents(atPath: pa)!), file: pa)
    #expect(before.blobB == after.blobB)       // 机密密文不动
    #expect(before.blobA != after.blobA)       // 数据密钥重新封装
    #expect(try ks.kekVersion(id: a.id) == 2)
    #expect(ks.status().kekVersion == 2)
    let k = try Keystore.open(home: home, options: fastOptions)
    try k.unseal(passphrase: pass("rotate-pass-1"))
    #expect(try k.withSecret(id: a.id) { s, _ in s == s1 })
    #expect(try k.withSecret(id: b.id) { s, _ in s == s2 })
    // 旧条目（v1 封装）在旧版本退役后无法再用：把旧文件放回 → 报告损坏而非静默成功
    FileManager.default.createFile(atPath: pa, contents: Data(before.encode()), attributes: [.posixPermissions: 0o600])
    #expect(throws: KeystoreError.self) { try k.withSecret(id: a.id) { _, _ in () } }
}

/// 两个「进程」（各自打开的 Keystore 实例，状态互不共享，只共享文件与文件锁）交错轮换与存储：
/// 修复前，用打开时的旧 KEK 环写回头部会丢掉对方的新版本，对方重新封装过的条目从此无法解开（密钥被毁）。
@Test func interleavedRotationsAndStoresFromSeparateHandlesKeepEveryKey() throws {
    let home = Fixture.tempDir().path
    let a = try Keystore.initialize(home: home, passphrase: pass("rotate-pass-1"), options: fastOptions)
    let b = try Keystore.open(home: home, options: fastOptions)
    try b.unseal(passphrase: pass("rotate-pass-1"))
    let s1 = try SecureRandom.secret(32)
    let k1 = try a.store(secret: s1, kind: .privateKey, label: "k1")
    #expect(try b.rotateKEK() == 2)                 // b 重新封装了 k1（v2）
    #expect(try a.rotateKEK() == 3)                 // a 打开时只见过 v1：必须先重读头部
    let s2 = try SecureRandom.secret(32)
    let k2 = try b.store(secret: s2, kind: .privateKey, label: "k2")   // b 只见过 v2：必须用当前的 v3 封装
    #expect(try b.kekVersion(id: k2.id) == 3)
    #expect(try a.withSecret(id: k2.id) { s, _ in s == s2 })          // a 读 b 写的条目
    #expect(try b.withSecret(id: k1.id) { s, _ in s == s1 })          // b 读 a 重新封装的条目
    let fresh = try Keystore.open(home: home, options: fastOptions)
    try fresh.unseal(passphrase: pass("rotate-pass-1"))
    for (id, s) in [(k1.id, s1), (k2.id, s2)] { #expect(try fresh.withSecret(id: id) { x, _ in x == s }) }
}

@Test func concurrentRotationsAndStoresNeverLoseAKey() throws {
    let home = Fixture.tempDir().path
    _ = try Keystore.initialize(home: home, passphrase: pass("rotate-pass-1"), options: fastOptions)
    let handles = try (0..<4).map { _ -> Keystore in
        let k = try Keystore.open(home: home, options: fastOptions)
        try k.unseal(passphrase: pass("rotate-pass-1"))
        return k
    }
    final class Box: @unchecked Sendable { let lock = NSLock(); var stored: [(String, SecretBytes)] = []; var errors: [String] = [] }
    let box = Box()
    DispatchQueue.concurrentPerform(iterations: 4) { i in
        for j in 0..<6 {
            do {
                if (i + j) % 2 == 0 { _ = try handles[i].rotateKEK() } else {
                    let s = try SecureRandom.secret(32)
                    let info = try handles[i].store(secret: s, kind: .privateKey, label: "t\(i)-\(j)")
                    box.lock.lock(); box.stored.append((info.id, s)); box.lock.unlock()
                }
            } catch { box.lock.lock(); box.errors.append("\(error)"); box.lock.unlock() }
        }
    }
    #expect(box.errors.isEmpty, "\(box.errors)")
    #expect(box.stored.count == 12)
    let fresh = try Keystore.open(home: home, options: fastOptions)
    try fresh.unseal(passphrase: pass("rotate-pass-1"))
    for (id, s) in box.stored { #expect(try fresh.withSecret(id: id) { x, _ in x == s }, "\(id)") }
}

@Test func insecurePermissionsRefused() throws {
    let home = Fixture.tempDir().path
    _ = try Keystore.initialize(home: home, passphrase: pass("perm-pass-123"), options: fastOptions)
    chmod(home + "/keystore/keystore.wcks", 0o644)
    #expect(throws: KeystoreError.self) { _ = try Keystore.open(home: home, options: fastOptions) }
    chmod(home + "/keystore/keystore.wcks", 0o600)
    chmod(home + "/keystore", 0o755)
    #expect(throws: KeystoreError.self) { _ = try Keystore.open(home: home, options: fastOptions) }
}

@Test func coreDumpsDisabled() {
    ProcessHardening.apply()
    #expect(ProcessHardening.coreLimit == 0)
    #expect(ProcessHardening.dumpable == 0)
}

@Test func defaultScryptIsStrong() {
    #expect(ScryptParams.standard == ScryptParams(n: 1 << 17, r: 8, p: 1))
}

@Test func tamperedScryptParamsCannotExhaustMemory() throws {
    let home = Fixture.tempDir().path
    _ = try Keystore.initialize(home: home, passphrase: pass("dos-pass-1234"), options: fastOptions)
    let path = home + "/keystore/keystore.wcks"
    var c = try Container.decode([UInt8](FileManager.default.contents(atPath: path)!), file: path)
    var meta = try JSONSerialization.jsonObject(with: Data(c.immutableMeta)) as! [String: Any]
    meta["scrypt"] = ["n": 1 << 22, "r": 32, "p": 16]
    c.immutableMeta = [UInt8](try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys]))
    FileManager.default.createFile(atPath: path, contents: Data(c.encode()), attributes: [.posixPermissions: 0o600])
    let k = try Keystore.open(home: home, options: fastOptions)
    do { try k.unseal(passphrase: pass("dos-pass-1234")); Issue.record("应拒绝") } catch let e as KeystoreError {
        #expect(e.code == "keystore.corrupted")
    }
}
