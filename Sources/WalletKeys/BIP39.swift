// BIP-39 助记词：熵 → 词（带校验位），助记词 → 种子（PBKDF2-HMAC-SHA512，2048 轮，盐 "mnemonic"+口令）。
// 助记词与口令先做 NFKD 规范化：同一个字在不同输入法下可能有不同的 Unicode 组合形式，不规范化会得到另一个种子。
import Foundation
import WalletCrypto

public enum Wordlist: String, CaseIterable, Sendable {
    case english = "en"
    case chineseSimplified = "zh-Hans"
    case chineseTraditional = "zh-Hant"

    /// 2048 个词（首次访问时从内嵌文本切分并缓存）。
    public var words: [String] { Wordlist.cache[self]!.words }
    func index(of w: String) -> Int? { Wordlist.cache[self]!.index[w] }

    struct Table { let words: [String]; let index: [String: Int] }
    static let cache: [Wordlist: Table] = {
        var out = [Wordlist: Table]()
        for (wl, text) in [(Wordlist.english, englishText), (.chineseSimplified, chineseSimplifiedText),
                           (.chineseTraditional, chineseTraditionalText)] {
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            precondition(words.count == 2048, "内嵌词表损坏：\(wl.rawValue) 只有 \(words.count) 个词")
            var idx = [String: Int](minimumCapacity: 2048)
            for (i, w) in words.enumerated() { idx[w] = i }
            out[wl] = Table(words: words, index: idx)
        }
        return out
    }()
}

public struct BIP39Error: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    public let suggestions: [String]
    /// 都是输入错误：退出码 2。
    init(_ code: String, zh: String, en: String, suggestions: [String] = []) {
        walletError = WalletError(code, zh: zh, en: en, badInput: true); self.suggestions = suggestions
    }
}

public enum BIP39 {
    public static let validWordCounts = [12, 15, 18, 21, 24]

    /// 用 SecureRandom 生成助记词（UTF-8，空格分隔，返回机密）。
    public static func generate(words: Int = 24, wordlist: Wordlist = .english) throws -> SecretBytes {
        guard validWordCounts.contains(words) else {
            throw BIP39Error("bip39.word_count", zh: "词数必须是 12、15、18、21 或 24（收到 \(words)）。",
                             en: "word count must be 12, 15, 18, 21 or 24 (got \(words)).")
        }
        let entropy = try SecureRandom.secret(words / 3 * 4)
        return try mnemonic(entropy: entropy, wordlist: wordlist)
    }

    /// 熵（16–32 字节，4 的倍数）→ 助记词。校验位 = SHA256(熵) 的前 ENT/32 位。
    public static func mnemonic(entropy: SecretBytes, wordlist: Wordlist = .english) throws -> SecretBytes {
        guard (16...32).contains(entropy.count), entropy.count % 4 == 0 else {
            throw BIP39Error("bip39.bad_entropy", zh: "熵长度必须是 16–32 字节且为 4 的倍数。", en: "entropy must be 16–32 bytes, a multiple of 4.")
        }
        var bytes = entropy.unsafeArray()
        defer { SecretBytes.wipe(&bytes) }
        bytes.append(Hash.sha256(Array(bytes))[0])
        let nWords = entropy.count * 8 / 11 + 1  // (ENT + CS) / 11
        let list = wordlist.words
        var out = [UInt8]()
        for w in 0..<nWords {
            var idx = 0
            for b in 0..<11 {
                let bit = w * 11 + b
                idx = idx << 1 | Int((bytes[bit / 8] >> (7 - UInt8(bit % 8))) & 1)
            }
            if w > 0 { out.append(0x20) }
            out += Array(list[idx].utf8)
        }
        return SecretBytes(consuming: &out)
    }

    /// NFKD 并按空白（含全角空格）切词。不可避免地短暂经过 String；用完即丢弃。
    static func normalizedWords(_ phrase: SecretBytes) throws -> [String] {
        guard let s = phrase.withUnsafeBytes({ String(bytes: $0, encoding: .utf8) }) else {
            throw BIP39Error("bip39.not_utf8", zh: "助记词不是合法的 UTF-8 文本。", en: "mnemonic is not valid UTF-8.")
        }
        return s.decomposedStringWithCompatibilityMapping.split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    /// 校验助记词，返回熵与所用词表。wordlist 为 nil 时自动识别。
    @discardableResult
    public static func validate(_ phrase: SecretBytes, wordlist: Wordlist? = nil) throws -> (entropy: SecretBytes, wordlist: Wordlist) {
        let words = try normalizedWords(phrase)
        guard validWordCounts.contains(words.count) else {
            throw BIP39Error("bip39.word_count", zh: "助记词有 \(words.count) 个词；必须是 12、15、18、21 或 24 个（用空格分隔）。",
                             en: "the mnemonic has \(words.count) words; it must have 12, 15, 18, 21 or 24 (space separated).")
        }
        let candidates: [Wordlist]
        if let wordlist { candidates = [wordlist] } else {
            // 简繁词表有大量共用字：先找全部词都在表里的，再用校验和区分
            let full = Wordlist.allCases.filter { wl in words.allSatisfy { wl.index(of: nfc($0)) != nil } }
            candidates = full.isEmpty ? [Wordlist.allCases.max(by: { a, b in
                words.filter { a.index(of: nfc($0)) != nil }.count < words.filter { b.index(of: nfc($0)) != nil }.count })!] : full
        }
        var lastError: Error?
        for wl in candidates {
            do { return (try entropy(words, wl), wl) } catch { lastError = error }
        }
        throw lastError!
    }

    /// 词表文件是 NFC 形式（中文无差别；英文全 ASCII）。NFKD 后的词要换回 NFC 才能查表。
    static func nfc(_ w: String) -> String { w.precomposedStringWithCanonicalMapping }

    static func entropy(_ words: [String], _ wl: Wordlist) throws -> SecretBytes {
        var bits = [UInt8]()
        bits.reserveCapacity(words.count * 11)
        for (pos, raw) in words.enumerated() {
            let w = nfc(raw)
            guard let idx = wl.index(of: w) else {
                let near = closest(w, in: wl)
                // 只报位置：错词（以及「最接近的词」）本身就是助记词的一部分，会进 stderr、日志与终端回滚区。
                // 建议词留在 suggestions 里，只给在机密屏幕上作答的界面用。
                throw BIP39Error("bip39.unknown_word",
                                 zh: "第 \(pos + 1) 个词不在 \(wl.rawValue) 词表中（为了不把助记词写进终端与日志，这里不显示它）。请对照纸质备份逐字核对第 \(pos + 1) 个词。",
                                 en: "word \(pos + 1) is not in the \(wl.rawValue) wordlist (not shown, so the mnemonic stays out of terminals and logs). Check word \(pos + 1) against your paper backup.",
                                 suggestions: near)
            }
            for b in stride(from: 10, through: 0, by: -1) { bits.append(UInt8((idx >> b) & 1)) }
        }
        defer { SecretBytes.wipe(&bits) }
        let csBits = words.count / 3
        let entBytes = (bits.count - csBits) / 8
        var ent = [UInt8](repeating: 0, count: entBytes)
        for i in 0..<entBytes * 8 { ent[i / 8] |= bits[i] << (7 - UInt8(i % 8)) }
        let h = Hash.sha256(ent)[0]
        for i in 0..<csBits where bits[entBytes * 8 + i] != (h >> (7 - UInt8(i))) & 1 {
            SecretBytes.wipe(&ent)
            throw BIP39Error("bip39.bad_checksum",
                             zh: "助记词校验和不符：每个词都在词表里，但顺序或某个词抄错了（最后一个词携带校验位）。",
                             en: "mnemonic checksum mismatch: all words are valid but one is wrong or out of order (the last word carries the checksum).")
        }
        return SecretBytes(consuming: &ent)
    }

    /// 最接近的 3 个有效词：先按共同前缀，再按编辑距离。
    static func closest(_ w: String, in wl: Wordlist) -> [String] {
        let a = Array(w)
        func dist(_ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1..<(b.count + 1) {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return a.isEmpty ? b.count : prev[b.count]
        }
        return wl.words.map { cand -> (String, Int, Int) in
            let c = Array(cand)
            let prefix = zip(a, c).prefix(while: { $0 == $1 }).count
            return (cand, dist(c), -prefix)
        }
        .sorted { ($0.1, $0.2, $0.0) < ($1.1, $1.2, $1.0) }
        .prefix(3).map { $0.0 }
    }

    /// 助记词 → 64 字节种子。不校验词表（BIP-39 允许任意文本），调用方应先 validate。
    public static func seed(mnemonic: SecretBytes, passphrase: SecretBytes? = nil) throws -> SecretBytes {
        func nfkd(_ s: SecretBytes) throws -> [UInt8] {
            guard let str = s.withUnsafeBytes({ String(bytes: $0, encoding: .utf8) }) else {
                throw BIP39Error("bip39.not_utf8", zh: "助记词或口令不是合法的 UTF-8 文本。", en: "mnemonic or passphrase is not valid UTF-8.")
            }
            return Array(str.decomposedStringWithCompatibilityMapping.utf8)
        }
        // 词之间统一为单个空格（NFKD 已把全角空格 U+3000 变成普通空格；多余空白不应改变种子）
        var m = Array(try normalizedWords(mnemonic).joined(separator: " ").utf8)
        var salt = Array("mnemonic".utf8) + (try passphrase.map(nfkd) ?? [])
        defer { SecretBytes.wipe(&m); SecretBytes.wipe(&salt) }
        let ms = SecretBytes(consuming: &m)
        return try KDF.pbkdf2(password: ms, salt: salt, iterations: 2048, keyLength: 64, prf: .sha512)
    }
}
