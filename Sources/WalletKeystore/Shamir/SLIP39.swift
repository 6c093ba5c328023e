// SLIP-39：分组 Shamir 助记词份额（https://github.com/satoshilabs/slips/blob/master/slip-0039.md）。
// 与 Trezor 参考实现 python-shamir-mnemonic 逐条对齐：RS1024 校验、Feistel/PBKDF2 口令加密、迭代指数、可扩展标志。
import WalletCrypto

public enum SLIP39Error: WalletErrorConvertible, Equatable {
    /// 第几个词（从 1 起）。不回显词本身：打错的词往往只差一个字母，回显就泄露了份额的一部分。
    case unknownWord(position: Int)
    case invalidLength
    case invalidChecksum
    case invalidPadding
    case groupThresholdExceedsCount
    case parametersMismatch
    case wrongShareCount(String)
    case digestMismatch
    case duplicateIndex
    case invalidPassphrase
    case invalidParameters(String)
    case emptyInput

    /// 码、中英文说明与类别（true = 输入错误，退出码 2）写在同一个 case 里。
    public var walletError: WalletError {
        switch self {
        case .unknownWord(let n):
            return WalletError("slip39.unknown_word", zh: "第 \(n) 个词不在 SLIP-39 词表中：请检查拼写。",
                               en: "word #\(n) is not in the SLIP-39 wordlist: check the spelling.", badInput: true)
        case .invalidLength:
            return WalletError("slip39.invalid_length", zh: "份额长度无效（至少 20 个词，且长度须对应 128/256 位等合法秘密）。",
                               en: "invalid share length (at least 20 words, matching a valid secret size).", badInput: true)
        case .invalidChecksum:
            return WalletError("slip39.invalid_checksum", zh: "份额校验和（RS1024）错误：有单词抄错或顺序错了。",
                               en: "share checksum (RS1024) is wrong: a word is mistyped or out of order.", badInput: true)
        case .invalidPadding:
            return WalletError("slip39.invalid_padding", zh: "份额填充位非零：份额已损坏。",
                               en: "share padding bits are non-zero: the share is corrupted.", badInput: true)
        case .groupThresholdExceedsCount:
            return WalletError("slip39.group_threshold", zh: "份额声明的组阈值大于组数：份额已损坏。",
                               en: "share declares a group threshold above the group count: corrupted share.", badInput: true)
        case .parametersMismatch:
            return WalletError("slip39.parameters_mismatch", zh: "这些份额不属于同一个秘密（标识符、迭代指数或阈值不一致）。",
                               en: "these shares belong to different secrets (identifier, exponent or thresholds differ).", badInput: true)
        case .wrongShareCount(let d):
            return WalletError("slip39.wrong_share_count", zh: "份额数量不对：\(BilingualText.split(d).zh)",
                               en: "wrong number of shares: \(BilingualText.split(d).en)", badInput: true)
        case .digestMismatch:
            return WalletError("slip39.digest_mismatch", zh: "组合后摘要校验失败：至少有一份份额是错的。",
                               en: "digest check failed after combining: at least one share is wrong.", badInput: true)
        case .duplicateIndex:
            return WalletError("slip39.duplicate_index", zh: "同一组内有两份编号相同但内容不同的份额。",
                               en: "two different shares in one group carry the same index.", badInput: true)
        case .invalidPassphrase:
            return WalletError("slip39.invalid_passphrase", zh: "SLIP-39 口令只能包含可打印 ASCII 字符（32–126）。",
                               en: "SLIP-39 passphrase must be printable ASCII (32–126).", badInput: true)
        case .invalidParameters(let d):
            return WalletError("slip39.invalid_parameters", zh: "拆分参数无效：\(BilingualText.split(d).zh)",
                               en: "invalid split parameters: \(BilingualText.split(d).en)", badInput: true)
        case .emptyInput:
            return WalletError("slip39.empty", zh: "没有提供任何份额。",
                               en: "no shares were given.", badInput: true)
        }
    }
}

/// 一份 SLIP-39 份额（已解码）。value 是机密，仅短暂存在。
public struct SLIP39Share: Hashable {
    public var identifier: Int
    public var extendable: Bool
    public var iterationExponent: Int
    public var groupIndex: Int
    public var groupThreshold: Int
    public var groupCount: Int
    public var memberIndex: Int
    public var memberThreshold: Int
    var value: [UInt8]

    static let radixBits = 10
    static let checksumWords = 3
    static let metadataWords = 2 + 2 + 3
    static let minMnemonicWords = metadataWords + 13  // 128 位

    static func customization(_ extendable: Bool) -> [UInt8] {
        Array((extendable ? "shamir_extendable" : "shamir").utf8)
    }

    // MARK: RS1024
    static func polymod(_ values: [Int]) -> Int {
        let gen = [0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
                   0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120]
        var chk = 1
        for v in values {
            let b = chk >> 20
            chk = ((chk & 0xFFFFF) << 10) ^ v
            for i in 0..<10 where (b >> i) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    static func createChecksum(_ data: [Int], extendable: Bool) -> [Int] {
        let values = customization(extendable).map(Int.init) + data + [0, 0, 0]
        let pm = polymod(values) ^ 1
        return (0..<3).reversed().map { (pm >> (10 * $0)) & 1023 }
    }

    static func verifyChecksum(_ data: [Int], extendable: Bool) -> Bool {
        polymod(customization(extendable).map(Int.init) + data) == 1
    }

    // MARK: 编解码
    public init(identifier: Int, extendable: Bool, iterationExponent: Int, groupIndex: Int, groupThreshold: Int,
                groupCount: Int, memberIndex: Int, memberThreshold: Int, value: [UInt8]) {
        self.identifier = identifier; self.extendable = extendable; self.iterationExponent = iterationExponent
        self.groupIndex = groupIndex; self.groupThreshold = groupThreshold; self.groupCount = groupCount
        self.memberIndex = memberIndex; self.memberThreshold = memberThreshold; self.value = value
    }

    public init(mnemonic: String) throws {
        var idx: [Int] = []
        let map = SLIP39.wordIndex
        for w in mnemonic.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
            guard let i = map[w.lowercased()] else { throw SLIP39Error.unknownWord(position: idx.count + 1) }
            idx.append(i)
        }
        try self.init(wordIndices: idx)
    }

    /// 从字节解析（机密从文件或终端读来后一直是 SecretBytes）：按字节查词表，整句助记词从不变成 String。
    public init(mnemonic bytes: SecretBytes) throws {
        var idx: [Int] = []
        let map = SLIP39.wordIndexBytes
        var word: [UInt8] = []
        defer { SecretBytes.wipe(&word) }
        func flush() throws {
            guard !word.isEmpty else { return }
            guard let i = map[word] else { throw SLIP39Error.unknownWord(position: idx.count + 1) }
            idx.append(i)
            SecretBytes.wipe(&word); word.removeAll(keepingCapacity: true)
        }
        try bytes.withUnsafeBytes { p in
            for b in p {
                if b == 0x20 || b == 0x0a || b == 0x09 || b == 0x0d { try flush() } else { word.append((0x41...0x5a).contains(b) ? b | 0x20 : b) }
            }
        }
        try flush()
        try self.init(wordIndices: idx)
    }

    init(wordIndices idx: [Int]) throws {
        guard idx.count >= SLIP39Share.minMnemonicWords else { throw SLIP39Error.invalidLength }
        let valueWords = idx.count - SLIP39Share.metadataWords
        let paddingLen = (10 * valueWords) % 16
        guard paddingLen <= 8 else { throw SLIP39Error.invalidLength }
        let idExp = idx[0] << 10 | idx[1]
        identifier = idExp >> 5
        extendable = (idExp >> 4) & 1 == 1
        iterationExponent = idExp & 0xF
        guard SLIP39Share.verifyChecksum(idx, extendable: extendable) else { throw SLIP39Error.invalidChecksum }
        let params = idx[2] << 10 | idx[3]
        groupIndex = (params >> 16) & 0xF
        groupThreshold = ((params >> 12) & 0xF) + 1
        groupCount = ((params >> 8) & 0xF) + 1
        memberIndex = (params >> 4) & 0xF
        memberThreshold = (params & 0xF) + 1
        guard groupCount >= groupThreshold else { throw SLIP39Error.groupThresholdExceedsCount }
        // 10 位一组的大端位流：前 paddingLen 位必须为 0，其后是秘密值。
        var bits: [UInt8] = []
        for w in idx[4..<(idx.count - 3)] {
            for b in (0..<10).reversed() { bits.append(UInt8((w >> b) & 1)) }
        }
        guard bits[0..<paddingLen].allSatisfy({ $0 == 0 }) else { throw SLIP39Error.invalidPadding }
        let body = bits[paddingLen...]
        var v = [UInt8](repeating: 0, count: body.count / 8)
        for (i, bit) in body.enumerated() { v[i / 8] |= bit << UInt8(7 - i % 8) }
        value = v
    }

    public var words: [String] {
        var data: [Int] = []
        let idExp = identifier << 5 | (extendable ? 1 : 0) << 4 | iterationExponent
        data += [idExp >> 10, idExp & 1023]
        let p = groupIndex << 16 | (groupThreshold - 1) << 12 | (groupCount - 1) << 8 | memberIndex << 4 | (memberThreshold - 1)
        data += [p >> 10, p & 1023]
        let wc = (value.count * 8 + 9) / 10
        var bits = [UInt8](repeating: 0, count: wc * 10 - value.count * 8)
        for byte in value { for b in (0..<8).reversed() { bits.append((byte >> UInt8(b)) & 1) } }
        for w in 0..<wc {
            var x = 0
            for b in 0..<10 { x = x << 1 | Int(bits[w * 10 + b]) }
            data.append(x)
        }
        data += SLIP39Share.createChecksum(data, extendable: extendable)
        return data.map { SLIP39Wordlist.words[$0] }
    }

    public var mnemonic: String { words.joined(separator: " ") }

    /// 整句助记词的字节（机密）：逐词拼接词表里的词，不经过拼接出来的 String。
    public var mnemonicBytes: SecretBytes {
        var out: [UInt8] = []
        for (i, w) in words.enumerated() {
            if i > 0 { out.append(0x20) }
            out.append(contentsOf: w.utf8)
        }
        return SecretBytes(consuming: &out)
    }

    var commonKey: [Int] { [identifier, extendable ? 1 : 0, iterationExponent, groupThreshold, groupCount] }
    var groupKey: [Int] { commonKey + [groupIndex, memberThreshold] }
}

public enum SLIP39 {
    static let wordIndex: [String: Int] = {
        var m: [String: Int] = [:]
        for (i, w) in SLIP39Wordlist.words.enumerated() { m[w] = i }
        return m
    }()

    static let wordIndexBytes: [[UInt8]: Int] = {
        var m: [[UInt8]: Int] = [:]
        for (i, w) in SLIP39Wordlist.words.enumerated() { m[Array(w.utf8)] = i }
        return m
    }()

    public static var wordlist: [String] { SLIP39Wordlist.words }

    static let digestIndex: UInt8 = 254
    static let secretIndex: UInt8 = 255

    // MARK: Feistel 加密（4 轮，PBKDF2-HMAC-SHA256）
    static func feistel(_ input: [UInt8], passphrase: SecretBytes, exponent: Int, identifier: Int, extendable: Bool,
                        encrypt: Bool) throws -> [UInt8] {
        guard input.count % 2 == 0 else { throw SLIP39Error.invalidLength }
        var l = Array(input[0..<input.count / 2]), r = Array(input[(input.count / 2)...])
        let salt: [UInt8] = extendable ? [] : Array("shamir".utf8) + [UInt8(identifier >> 8), UInt8(identifier & 0xFF)]
        let iterations = (10000 << exponent) / 4
        let rounds: [Int] = encrypt ? [0, 1, 2, 3] : [3, 2, 1, 0]
        for i in rounds {
            let pw = SecretBytes(count: passphrase.count + 1)
            pw.withUnsafeMutableBytes { d in
                d[0] = UInt8(i)
                passphrase.withUnsafeBytes { s in for j in 0..<s.count { d[j + 1] = s[j] } }
            }
            let f = try KDF.pbkdf2(password: pw, salt: salt + r, iterations: iterations, keyLength: r.count, prf: .sha256)
            var fArr = f.unsafeArray()
            let newR = zip(l, fArr).map { $0 ^ $1 }
            SecretBytes.wipe(&fArr)
            l = r; r = newR
        }
        return r + l
    }

    // MARK: 一层 Shamir（带摘要份额）
    static func splitSecret(threshold: Int, count: Int, secret: [UInt8]) throws -> [GF256.RawShare] {
        guard threshold >= 1, threshold <= count, count <= 16 else {
            throw SLIP39Error.invalidParameters("阈值 \(threshold)-of-\(count) / threshold \(threshold)-of-\(count)")
        }
        if threshold == 1 { return (0..<count).map { GF256.RawShare(x: UInt8($0), data: secret) } }
        var shares: [GF256.RawShare] = []
        for i in 0..<(threshold - 2) { shares.append(GF256.RawShare(x: UInt8(i), data: try SecureRandom.bytes(secret.count))) }
        let randomPart = try SecureRandom.bytes(secret.count - 4)
        let digest = Array(Hash.hmacSHA256(key: randomPart, data: secret).prefix(4))
        let base = shares + [GF256.RawShare(x: digestIndex, data: digest + randomPart), GF256.RawShare(x: secretIndex, data: secret)]
        for i in (threshold - 2)..<count { shares.append(GF256.RawShare(x: UInt8(i), data: try GF256.interpolate(base, at: UInt8(i)))) }
        return shares
    }

    static func recoverSecret(threshold: Int, shares: [GF256.RawShare]) throws -> [UInt8] {
        if threshold == 1 { return shares[0].data }
        do {
            let secret = try GF256.interpolate(shares, at: secretIndex)
            let ds = try GF256.interpolate(shares, at: digestIndex)
            guard ds.count >= 4, SecretBytes.constantTimeEqual(Array(ds.prefix(4)), Array(Hash.hmacSHA256(key: Array(ds.dropFirst(4)), data: secret).prefix(4)))
            else { throw SLIP39Error.digestMismatch }
            return secret
        } catch ShamirError.duplicateIndex { throw SLIP39Error.duplicateIndex }
          catch ShamirError.lengthMismatch { throw SLIP39Error.parametersMismatch }
    }

    // MARK: 公开 API

    /// 生成分组份额。groups 为每组 (成员阈值, 成员数)。返回的助记词是机密：只在展示时短暂存在。
    public static func generate(groupThreshold: Int, groups: [(threshold: Int, count: Int)], masterSecret: SecretBytes,
                                passphrase: SecretBytes = SecretBytes(count: 0), extendable: Bool = true,
                                iterationExponent: Int = 1) throws -> [[SecretBytes]] {
        guard passphrase.withUnsafeBytes({ $0.allSatisfy { (32...126).contains($0) } }) else { throw SLIP39Error.invalidPassphrase }
        guard masterSecret.count >= 16, masterSecret.count % 2 == 0 else {
            throw SLIP39Error.invalidParameters("主秘密必须至少 16 字节且为偶数长度 / master secret ≥16 bytes, even length")
        }
        guard !groups.isEmpty, groupThreshold >= 1, groupThreshold <= groups.count else {
            throw SLIP39Error.invalidParameters("组阈值 \(groupThreshold) 超过组数 \(groups.count) / group threshold \(groupThreshold) exceeds the \(groups.count) groups")
        }
        guard (0...15).contains(iterationExponent) else { throw SLIP39Error.invalidParameters("迭代指数 0..15 / iteration exponent 0..15") }
        for g in groups where g.threshold == 1 && g.count > 1 {
            throw SLIP39Error.invalidParameters("成员阈值为 1 时只能有 1 份（用 1-of-1） / a member threshold of 1 allows only 1 share (use 1-of-1)")
        }
        let idBytes = try SecureRandom.bytes(2)
        let identifier = (Int(idBytes[0]) << 8 | Int(idBytes[1])) & 0x7FFF
        var ms = masterSecret.unsafeArray()
        defer { SecretBytes.wipe(&ms) }
        let ems = try feistel(ms, passphrase: passphrase, exponent: iterationExponent, identifier: identifier,
                              extendable: extendable, encrypt: true)
        let groupShares = try splitSecret(threshold: groupThreshold, count: groups.count, secret: ems)
        var out: [[SecretBytes]] = []
        for (g, gs) in zip(groups, groupShares) {
            let members = try splitSecret(threshold: g.threshold, count: g.count, secret: gs.data)
            out.append(members.map {
                SLIP39Share(identifier: identifier, extendable: extendable, iterationExponent: iterationExponent,
                            groupIndex: Int(gs.x), groupThreshold: groupThreshold, groupCount: groups.count,
                            memberIndex: Int($0.x), memberThreshold: g.threshold, value: $0.data).mnemonicBytes
            })
        }
        return out
    }

    /// 组合份额并用口令解密，得到主秘密。
    public static func combine(_ mnemonics: [String], passphrase: SecretBytes = SecretBytes(count: 0)) throws -> SecretBytes {
        try combine(shares: try mnemonics.map { try SLIP39Share(mnemonic: $0) }, passphrase: passphrase)
    }

    /// 同上，份额是字节（从文件、终端、仪式来的机密）。
    public static func combine(_ mnemonics: [SecretBytes], passphrase: SecretBytes = SecretBytes(count: 0)) throws -> SecretBytes {
        try combine(shares: try mnemonics.map { try SLIP39Share(mnemonic: $0) }, passphrase: passphrase)
    }

    static func combine(shares: [SLIP39Share], passphrase: SecretBytes) throws -> SecretBytes {
        guard !shares.isEmpty else { throw SLIP39Error.emptyInput }
        guard Set(shares.map(\.commonKey)).count == 1 else { throw SLIP39Error.parametersMismatch }
        var groups: [Int: [SLIP39Share]] = [:]
        for s in shares {
            if let first = groups[s.groupIndex]?.first, first.groupKey != s.groupKey { throw SLIP39Error.parametersMismatch }
            if groups[s.groupIndex]?.contains(s) == true { continue }  // 完全相同的份额视为一份
            groups[s.groupIndex, default: []].append(s)
        }
        let p = shares[0]
        guard groups.count >= p.groupThreshold else {
            throw SLIP39Error.wrongShareCount("需要 \(p.groupThreshold) 组，只有 \(groups.count) 组 / need \(p.groupThreshold) groups, have \(groups.count)")
        }
        guard groups.count == p.groupThreshold else {
            throw SLIP39Error.wrongShareCount("需要恰好 \(p.groupThreshold) 组，提供了 \(groups.count) 组 / expected exactly \(p.groupThreshold) groups, got \(groups.count)")
        }
        var groupSecrets: [GF256.RawShare] = []
        for (gi, members) in groups.sorted(by: { $0.key < $1.key }) {
            let t = members[0].memberThreshold
            guard members.count == t else {
                throw SLIP39Error.wrongShareCount("第 \(gi) 组需要 \(t) 份，提供了 \(members.count) 份 / group \(gi) needs \(t), got \(members.count)")
            }
            let gs = try recoverSecret(threshold: t, shares: members.map { GF256.RawShare(x: UInt8($0.memberIndex), data: $0.value) })
            groupSecrets.append(GF256.RawShare(x: UInt8(gi), data: gs))
        }
        let ems = try recoverSecret(threshold: p.groupThreshold, shares: groupSecrets)
        var ms = try feistel(ems, passphrase: passphrase, exponent: p.iterationExponent, identifier: p.identifier,
                             extendable: p.extendable, encrypt: false)
        return SecretBytes(consuming: &ms)
    }
}
