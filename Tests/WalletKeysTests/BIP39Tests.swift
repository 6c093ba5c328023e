import Foundation
import Testing
import WalletCrypto
@testable import WalletKeys

private func s(_ t: String) -> SecretBytes { SecretBytes(Array(t.utf8)) }

/// 内嵌词表与上游文件一致（2048 词、sha256 与 bitcoin/bips 原文件相同）。
@Test func embeddedWordlistsMatchUpstream() {
    let sha: [Wordlist: String] = [
        .english: "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda",
        .chineseSimplified: "5c5942792bd8340cb8b27cd592f1015edf56a8c5b26276ee18a482428e7c5726",
        .chineseTraditional: "417b26b3d8500a4ae3d59717d7011952db6fc2fb84b807f3f94ac734e89c1b5f",
    ]
    for wl in Wordlist.allCases {
        #expect(wl.words.count == 2048)
        #expect(Set(wl.words).count == 2048)
        let file = Array(wl.words.joined(separator: "\n").utf8) + [0x0a]
        #expect(Hash.sha256(file).hex == sha[wl]!)
    }
}

/// Trezor 官方向量（英文、简体中文、繁体中文，口令 "TREZOR"）：熵→助记词、助记词→种子、种子→xprv。
@Test func trezorVectors() throws {
    let root = try Fixture.json("trezor_vectors.json") as! [String: [[String]]]
    let map: [String: Wordlist] = ["english": .english, "chinese_simplified": .chineseSimplified, "chinese_traditional": .chineseTraditional]
    var n = 0
    for (lang, wl) in map {
        for v in root[lang]! {
            let ent = SecretBytes(try Hex.decode(v[0]))
            let m = try BIP39.mnemonic(entropy: ent, wordlist: wl)
            #expect(m == s(v[1]), "\(lang) \(v[0])")
            let (back, detected) = try BIP39.validate(s(v[1]), wordlist: wl)
            #expect(back == ent)
            _ = detected
            let seed = try BIP39.seed(mnemonic: s(v[1]), passphrase: s("TREZOR"))
            #expect(seed.unsafeArray().hex == v[2])
            #expect(try ExtendedPrivateKey(seed: seed).serializedSecret() == v[3])
            n += 1
        }
    }
    #expect(n == 72)
}

/// 日文向量：助记词用全角空格、口令含需 NFKD 的字符（㍍、半角片假名等）。种子计算与词表无关。
@Test func japaneseNFKDVectors() throws {
    let list = try Fixture.json("test_JP_BIP39.json") as! [[String: String]]
    #expect(list.count == 24)
    for v in list {
        let seed = try BIP39.seed(mnemonic: s(v["mnemonic"]!), passphrase: s(v["passphrase"]!))
        #expect(seed.unsafeArray().hex == v["seed"]!)
        #expect(try ExtendedPrivateKey(seed: seed).serializedSecret() == v["bip32_xprv"]!)
    }
}

@Test func autoDetectWordlist() throws {
    for wl in Wordlist.allCases {
        let m = try BIP39.generate(words: 12, wordlist: wl)
        #expect(try BIP39.validate(m).wordlist == wl)
    }
}

@Test func preciseErrors() throws {
    let good = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
    do { try BIP39.validate(s(good.replacingOccurrences(of: "about", with: "abuot"))); Issue.record("应失败") } catch let e as BIP39Error {
        #expect(e.code == "bip39.unknown_word")
        #expect(e.suggestions.contains("about"))
        #expect(e.message(.zh).contains("第 12 个词"))
        #expect(!e.message(.zh).contains("abuot") && !e.message(.en).contains("abuot") && !e.message(.en).contains("about"))
    }
    do { try BIP39.validate(s("abandon abandon abandon")); Issue.record("应失败") } catch let e as BIP39Error {
        #expect(e.code == "bip39.word_count")
    }
    do { try BIP39.validate(s(good.replacingOccurrences(of: "about", with: "abandon"))); Issue.record("应失败") } catch let e as BIP39Error {
        #expect(e.code == "bip39.bad_checksum")
    }
    #expect(throws: BIP39Error.self) { try BIP39.generate(words: 13) }
}

@Test func generateHasEntropyAndChecksum() throws {
    for n in BIP39.validWordCounts {
        let m = try BIP39.generate(words: n)
        let (ent, _) = try BIP39.validate(m)
        #expect(ent.count == n / 3 * 4)
    }
    #expect(try BIP39.generate(words: 24) != BIP39.generate(words: 24))
}

/// 模糊：随机词序列/随机字节只会报错，不会崩溃。
@Test func mnemonicParseFuzzNeverCrashes() throws {
    var st: UInt64 = 3
    func next() -> Int { st = st &* 6364136223846793005 &+ 1442695040888963407; return Int(st >> 33) }
    let words = Wordlist.english.words + Wordlist.chineseSimplified.words.prefix(50) + ["", "x", "ábc", "\u{3000}"]
    var rejected = 0
    for i in 0..<400 {
        let m: SecretBytes
        if i % 2 == 0 {
            m = SecretBytes((0..<(next() % 200)).map { _ in UInt8(truncatingIfNeeded: next()) })
        } else {
            m = s((0..<[12, 15, 24, 11, 13][next() % 5]).map { _ in words[next() % words.count] }.joined(separator: " "))
        }
        do { try BIP39.validate(m) } catch is any WalletErrorConvertible { rejected += 1 } catch { Issue.record("\(error)") }
    }
    #expect(rejected > 350)
}
