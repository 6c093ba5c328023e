// SLIP-39：Trezor 官方向量全部用例（有效与无效）+ 拆分/组合往返。
import Foundation
import Testing
import WalletCrypto
@testable import WalletKeystore

private let trezor = SecretBytes(Array("TREZOR".utf8))

@Test func slip39WordlistIsComplete() {
    #expect(SLIP39.wordlist.count == 1024)
    #expect(Set(SLIP39.wordlist).count == 1024)
    #expect(SLIP39.wordlist.first == "academic" && SLIP39.wordlist.last == "zero")
}

@Test func slip39AllOfficialVectors() throws {
    let vectors = try #require(try Fixture.json("slip39_vectors.json") as? [[Any]])
    #expect(vectors.count == 45)
    var valid = 0, invalid = 0
    for v in vectors {
        let name = v[0] as! String
        let mnemonics = v[1] as! [String]
        let expected = v[2] as! String
        if expected.isEmpty {
            #expect(throws: (any Error).self, "\(name)") { _ = try SLIP39.combine(mnemonics, passphrase: trezor) }
            invalid += 1
        } else {
            let ms = try SLIP39.combine(mnemonics, passphrase: trezor)
            #expect(ms.unsafeArray().hex == expected, "\(name)")
            // 每个有效份额应能按原样重新编码（编解码互逆）。
            for m in mnemonics { #expect(try SLIP39Share(mnemonic: m).mnemonic == m, "\(name)") }
            valid += 1
        }
    }
    #expect(valid > 10 && invalid > 10)
}

@Test func slip39SplitCombineSubsets() throws {
    let secret = try SecureRandom.secret(32)
    let pass = SecretBytes(Array("correct horse".utf8))
    let groups = try SLIP39.generate(groupThreshold: 2, groups: [(2, 3), (1, 1), (3, 5)], masterSecret: secret,
                                     passphrase: pass, extendable: false, iterationExponent: 0)
    #expect(groups.map(\.count) == [3, 1, 5])
    // 不同子集都能恢复
    let subsets: [[SecretBytes]] = [
        [groups[0][0], groups[0][2], groups[1][0]],
        [groups[1][0], groups[2][4], groups[2][1], groups[2][0]],
        [groups[0][1], groups[0][0], groups[2][3], groups[2][2], groups[2][4]],
    ]
    for s in subsets { #expect(try SLIP39.combine(s, passphrase: pass) == secret) }
    // 份额不足
    #expect(throws: SLIP39Error.self) { _ = try SLIP39.combine([groups[0][0], groups[1][0]], passphrase: pass) }
    // 口令错：能组合但得到不同秘密（SLIP-39 的可否认性设计）
    #expect(try SLIP39.combine(subsets[0], passphrase: SecretBytes(count: 0)) != secret)
}

@Test func slip39ExtendableDefault() throws {
    let secret = try SecureRandom.secret(16)
    let g = try SLIP39.generate(groupThreshold: 1, groups: [(2, 3)], masterSecret: secret, iterationExponent: 0)
    let share = try SLIP39Share(mnemonic: g[0][0])
    #expect(share.extendable)
    #expect(try SLIP39.combine([g[0][2], g[0][1]]) == secret)
    // 改一个词 → 校验和失败
    var words = String(decoding: g[0][0].unsafeArray(), as: UTF8.self).split(separator: " ").map(String.init)
    words[5] = words[5] == "academic" ? "acid" : "academic"
    #expect(throws: SLIP39Error.invalidChecksum) { _ = try SLIP39Share(mnemonic: words.joined(separator: " ")) }
}

/// 用 Trezor 参考实现（Fixtures/shamir_mnemonic_ref，python3 运行）做双向差分：我们拆、它合；它拆、我们合。
@Test func slip39InteropWithTrezorReference() throws {
    let ref = Fixture.url("shamir_mnemonic_ref").path
    let secret = try SecureRandom.secret(32)
    let ours = try SLIP39.generate(groupThreshold: 2, groups: [(2, 3), (3, 5)], masterSecret: secret, passphrase: pass("TREZOR"),
                                   extendable: false, iterationExponent: 0)
    let pick = [ours[0][2], ours[0][0], ours[1][4], ours[1][1], ours[1][3]].map { String(decoding: $0.unsafeArray(), as: UTF8.self) }
    let script = """
    import sys, json
    sys.path.insert(0, sys.argv[1])
    import shamir_mnemonic as sm
    ours = json.loads(sys.argv[2])
    print(sm.combine_mnemonics(ours, b"TREZOR").hex())
    g = sm.generate_mnemonics(1, [(3, 5)], bytes.fromhex("bb54aac4b89dc868ba37d9cc21b2cece"), b"pp", True, 1)
    print(json.dumps(g))
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, ref, String(decoding: try JSONSerialization.data(withJSONObject: pick), as: UTF8.self)]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(text)")
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.first == secret.unsafeArray().hex)
    let theirs = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [[String]])
    #expect(try SLIP39.combine([theirs[0][4], theirs[0][0], theirs[0][2]], passphrase: pass("pp")).unsafeArray().hex
            == "bb54aac4b89dc868ba37d9cc21b2cece")
}
