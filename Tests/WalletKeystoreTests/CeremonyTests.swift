// 仪式引擎：完整流程、每一步中止都不留痕迹、完成后在 keystore 目录与日志里搜索机密（不得出现）。
import Foundation
import Testing
import WalletCrypto
import WalletKeys
@testable import WalletKeystore

/// 模拟操作员：记下显示的词与份额，按提示作答。
final class Operator {
    var words: [String] = []
    var shares: [String] = []
    var currentShare: [String] = []
    let passphrase: String?
    let split: String
    let dice: String
    init(passphrase: String?, split: String, dice: String = "") { self.passphrase = passphrase; self.split = split; self.dice = dice }

    func answer(_ p: CeremonyEngine.Prompt) -> String {
        switch p.step {
        case .chooseStrength: return "24"
        case .chooseWordlist: return "en"
        case .dice: return dice
        case .showWords:
            words = p.lines.map { String($0.split(separator: " ").last!) }
            return ""
        case .verifyWord:
            let n = Int(p.titleEn.split(separator: "#")[1].split(separator: " ")[0])!
            return words[n - 1]
        case .passphrase, .confirmPassphrase: return passphrase ?? ""
        case .chooseSplit: return split
        case .showShare:
            shares.append(p.lines.dropFirst().map { String($0.split(separator: " ").last!) }.joined(separator: " "))
            return ""
        default: return ""
        }
    }

    @discardableResult
    func run(_ e: CeremonyEngine, stopAt: CeremonyEngine.Step? = nil) throws -> Int {
        var steps = 0
        while !e.isFinished {
            if e.prompt.step == stopAt { return steps }
            try e.submit(pass(answer(e.prompt)))
            steps += 1
        }
        return steps
    }
}

@Test func ceremonyFullFlowWithSplitAndPassphrase() throws {
    let home = Fixture.tempDir("cer").path
    let ks = try Keystore.initialize(home: home, passphrase: pass("ceremony-pass"), options: fastOptions)
    let e = try CeremonyEngine(keystore: ks, operatorName: "alice", label: "主种子")
    let op = Operator(passphrase: "bip39 pass", split: "2:2-of-3,1-of-1", dice: "163524")
    try op.run(e)
    #expect(e.prompt.step == .done)
    let s = try #require(e.summary)
    #expect(op.words.count == 24)
    #expect(op.shares.count == 4)
    // 独立重算：助记词 + 口令 → 指纹、xpub、地址一致
    let mnemonic = pass(op.words.joined(separator: " "))
    let seed = try BIP39.seed(mnemonic: mnemonic, passphrase: pass("bip39 pass"))
    let master = try ExtendedPrivateKey(seed: seed)
    #expect(s.fingerprint == master.fingerprint.hex)
    #expect(s.accountXpubs.map(\.path) == ["m/44'/60'/0'", "m/44'/0'/0'", "m/84'/0'/0'"])
    #expect(s.accountXpubs[0].xpub == (try master.derive(path: DerivationPath(string: "m/44'/60'/0'")).extendedPublicKey.serialized))
    #expect(s.addresses.map(\.path) == ["m/44'/60'/0'/0/0", "m/44'/60'/0'/0/1", "m/44'/60'/0'/0/2", "m/44'/0'/0'/0/0", "m/84'/0'/0'/0/0"])
    let signer = try ks.signer(for: s.keyId)
    #expect(signer.address.checksummed == s.addresses[0].address)
    // SLIP-39 份额（组 1 任 2 份 + 组 2）还原熵 → 同一助记词
    let entropy = try SLIP39.combine([op.shares[2], op.shares[0], op.shares[3]])
    #expect(try BIP39.mnemonic(entropy: entropy) == mnemonic)
    // 审计记录：谁、指纹；绝无助记词
    let done = ks.audit.entries().first { $0["event"] as? String == "ceremony.complete" }
    let detail = done?["detail"] as? [String: String]
    #expect(detail?["operator"] == "alice" && detail?["fingerprint"] == s.fingerprint)

    // —— 机密搜索：keystore 目录下任何文件都不得出现助记词、种子、私钥、口令、份额 ——
    var needles: [String: [UInt8]] = [
        "mnemonic": Array(op.words.joined(separator: " ").utf8),
        "first-3-words": Array(op.words[0..<3].joined(separator: " ").utf8),
        "seed-hex": Array(seed.unsafeArray().hex.utf8),
        "seed-raw": seed.unsafeArray(),
        "entropy-raw": entropy.unsafeArray(),
        "entropy-hex": Array(entropy.unsafeArray().hex.utf8),
        "bip39-passphrase": Array("bip39 pass".utf8),
        "master-key-raw": master.privateKey.unsafeArray(),
        "xprv": Array(master.serializedSecret().utf8),
    ]
    for (i, sh) in op.shares.enumerated() { needles["share\(i)"] = Array(sh.split(separator: " ")[4..<8].joined(separator: " ").utf8) }
    for path in ["m/44'/60'/0'/0/0", "m/44'/60'/0'/0/1", "m/44'/0'/0'/0/0", "m/84'/0'/0'/0/0"] {
        let k = try master.derive(path: DerivationPath(string: path)).privateKey.unsafeArray()
        needles["priv \(path)"] = k
        needles["priv-hex \(path)"] = Array(k.hex.utf8)
    }
    let en = FileManager.default.enumerator(atPath: home)!
    var scanned = 0
    while let f = en.nextObject() as? String {
        guard let data = FileManager.default.contents(atPath: home + "/" + f) else { continue }
        let bytes = [UInt8](data)
        scanned += 1
        for (name, n) in needles where contains(bytes, n) { Issue.record("在 \(f) 中发现机密：\(name)") }
    }
    #expect(scanned >= 3)  // keystore.wcks、条目、audit.log
}

func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, hay.count >= needle.count else { return false }
    for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return true }
    return false
}

@Test func ceremonyVerifyFailureAndPassphraseMismatchRecover() throws {
    let home = Fixture.tempDir("cer").path
    let ks = try Keystore.initialize(home: home, passphrase: pass("ceremony-pass"), options: fastOptions)
    let e = try CeremonyEngine(keystore: ks, operatorName: "bob", label: "s")
    let op = Operator(passphrase: nil, split: "")
    try op.run(e, stopAt: .verifyWord)
    // 答错 → 退回显示助记词，并给出原因
    #expect(throws: CeremonyError.self) { try e.submit(pass("zzzz")) }
    #expect(e.prompt.step == .showWords && e.prompt.error(.zh) != nil)
    try op.run(e, stopAt: .passphrase)
    try e.submit(pass("one"))
    #expect(throws: CeremonyError.self) { try e.submit(pass("two")) }
    #expect(e.prompt.step == .passphrase)
    #expect(throws: CeremonyError.self) { try e.submit(pass("x")); try e.submit(pass("y")) }
    try e.submit(SecretBytes(count: 0))  // 不用口令
    #expect(e.prompt.step == .chooseSplit)
    #expect(throws: CeremonyError.self) { try e.submit(pass("3 of 2")) }
    try op.run(e)
    #expect(e.prompt.step == .done)
    #expect(try ks.list().count == 1)
    // 无效输入
    let e2 = try CeremonyEngine(keystore: ks, operatorName: "bob", label: "s2")
    #expect(throws: CeremonyError.self) { try e2.submit(pass("13")) }
    try e2.submit(pass("12"))
    #expect(throws: CeremonyError.self) { try e2.submit(pass("klingon")) }
    try e2.submit(SecretBytes(count: 0))
    #expect(throws: CeremonyError.self) { try e2.submit(pass("1237")) }
    e2.abort()
}

@Test func ceremonyAbortAtEveryStepLeavesNothing() throws {
    let home = Fixture.tempDir("cer").path
    let ks = try Keystore.initialize(home: home, passphrase: pass("ceremony-pass"), options: fastOptions)
    let steps: [CeremonyEngine.Step] = [.chooseStrength, .chooseWordlist, .dice, .showWords, .verifyWord, .passphrase,
                                         .confirmPassphrase, .chooseSplit, .showShare, .summary]
    let keysDir = home + "/keystore/keys"
    for stop in steps {
        let before = try FileManager.default.contentsOfDirectory(atPath: keysDir)
        let e = try CeremonyEngine(keystore: ks, operatorName: "carol", label: "abort-\(stop.rawValue)")
        let op = Operator(passphrase: "pp", split: "2-of-2")
        try op.run(e, stopAt: stop)
        #expect(e.prompt.step == stop, "\(stop)")
        e.abort()
        #expect(e.prompt.step == .aborted)
        #expect(e.summary == nil)
        #expect(throws: CeremonyError.self) { try e.submit(SecretBytes(count: 0)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: keysDir) == before, "中止于 \(stop) 后不得留下条目")
    }
    #expect(try ks.list().isEmpty)
    #expect(ks.audit.entries().filter { $0["event"] as? String == "ceremony.abort" }.count == steps.count)
    #expect(throws: KeystoreError.sealed) { ks.seal(); _ = try CeremonyEngine(keystore: ks, operatorName: "x", label: "y") }
}

/// 摘要里的核对信息与公开已知值一致（BIP-39 "abandon … about"，无口令）：
/// BIP-84 官方向量的第一个地址、BIP-44 比特币第一个地址、以太坊 m/44'/60'/0'/0/0。
@Test func ceremonyCrossCheckKnownAnswers() throws {
    let seed = try BIP39.seed(mnemonic: pass("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"))
    let (xpubs, addrs) = try CeremonyEngine.crossCheck(master: try ExtendedPrivateKey(seed: seed))
    #expect(xpubs.count == 3)
    let a = Dictionary(uniqueKeysWithValues: addrs.map { ($0.path, $0.address) })
    #expect(a["m/84'/0'/0'/0/0"] == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
    #expect(a["m/44'/0'/0'/0/0"] == "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA")
    #expect(a["m/44'/60'/0'/0/0"] == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
    #expect(xpubs[1].xpub == "xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj")
}
