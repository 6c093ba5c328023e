// bech32（BIP-173）与 bech32m（BIP-350）编解码，以及隔离见证地址（v0 用 bech32，v1+ 用 bech32m）。

public struct Bech32Error: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    /// 都是输入错误：退出码 2。
    init(_ code: String, _ zh: String, _ en: String) { walletError = WalletError(code, zh: zh, en: en, badInput: true) }
    static let mixedCase = Bech32Error("bech32.mixed_case", "bech32 字符串不能大小写混用。", "bech32 string mixes upper and lower case.")
    static let badChar = Bech32Error("bech32.invalid_character", "含有 bech32 字母表之外的字符。", "contains a character outside the bech32 alphabet.")
    static let badLength = Bech32Error("bech32.bad_length", "长度无效（总长 ≤ 90，人类可读部分 1–83 字符，校验和 6 字符）。", "invalid length (≤ 90 total, HRP 1–83, 6-char checksum).")
    static let noSeparator = Bech32Error("bech32.no_separator", "缺少分隔符 '1'。", "missing separator '1'.")
    static let badChecksum = Bech32Error("bech32.bad_checksum", "bech32 校验和错误：地址有字符抄错。", "bech32 checksum mismatch: a character is wrong.")
    static let badHRP = Bech32Error("bech32.bad_hrp", "人类可读部分（如 bc/tb）与预期网络不符。", "human-readable part (e.g. bc/tb) does not match the expected network.")
    static let badProgram = Bech32Error("bech32.bad_program", "见证版本或见证程序长度无效。", "invalid witness version or program length.")
    static let badPadding = Bech32Error("bech32.bad_padding", "5 位到 8 位转换的填充无效。", "invalid padding in 5-to-8-bit conversion.")
    static let wrongVariant = Bech32Error("bech32.wrong_variant", "见证版本与编码不匹配（v0 必须 bech32，v1+ 必须 bech32m）。", "witness version does not match the encoding (v0 bech32, v1+ bech32m).")
}

public enum Bech32 {
    public enum Variant: Sendable { case bech32, bech32m
        var constant: UInt32 { self == .bech32 ? 1 : 0x2bc8_30a3 }
    }
    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    static let rev: [Int8] = {
        var t = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    static func polymod(_ values: [UInt8]) -> UInt32 {
        let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    static func hrpExpand(_ hrp: [UInt8]) -> [UInt8] { hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } }

    public static func encode(hrp: String, data: [UInt8], variant: Variant) -> String {
        let h = Array(hrp.lowercased().utf8)
        let pm = polymod(hrpExpand(h) + data + [0, 0, 0, 0, 0, 0]) ^ variant.constant
        let checksum = (0..<6).map { UInt8((pm >> UInt32(5 * (5 - $0))) & 31) }
        return String(decoding: h + [0x31] + (data + checksum).map { charset[Int($0)] }, as: UTF8.self)
    }

    /// 返回（hrp 小写，5 位数据，变体）。
    public static func decode(_ s: String) throws -> (hrp: String, data: [UInt8], variant: Variant) {
        let b = Array(s.utf8)
        guard b.count <= 90, b.count == s.unicodeScalars.count else { throw Bech32Error.badLength }
        guard b.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { throw Bech32Error.badChar }
        let hasLower = b.contains { $0 >= 0x61 && $0 <= 0x7a }, hasUpper = b.contains { $0 >= 0x41 && $0 <= 0x5a }
        guard !(hasLower && hasUpper) else { throw Bech32Error.mixedCase }
        let lower = b.map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 32 : $0 }
        guard let pos = lower.lastIndex(of: 0x31) else { throw Bech32Error.noSeparator }
        guard pos >= 1, pos + 7 <= lower.count else { throw Bech32Error.badLength }
        let hrp = Array(lower[..<pos])
        var data = [UInt8]()
        for c in lower[(pos + 1)...] {
            guard c < 128, rev[Int(c)] >= 0 else { throw Bech32Error.badChar }
            data.append(UInt8(rev[Int(c)]))
        }
        let pm = polymod(hrpExpand(hrp) + data)
        let variant: Variant
        switch pm {
        case Variant.bech32.constant: variant = .bech32
        case Variant.bech32m.constant: variant = .bech32m
        default: throw Bech32Error.badChecksum
        }
        return (String(decoding: hrp, as: UTF8.self), Array(data.dropLast(6)), variant)
    }

    public static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) throws -> [UInt8] {
        var acc = 0, bits = 0
        var out = [UInt8]()
        let maxv = (1 << to) - 1
        for v in data {
            guard Int(v) >> from == 0 else { throw Bech32Error.badPadding }
            acc = (acc << from) | Int(v)
            bits += from
            while bits >= to { bits -= to; out.append(UInt8((acc >> bits) & maxv)) }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
        } else if bits >= from || ((acc << (to - bits)) & maxv) != 0 {
            throw Bech32Error.badPadding
        }
        return out
    }

    /// 隔离见证地址编码。
    public static func encodeSegwit(hrp: String, version: UInt8, program: [UInt8]) throws -> String {
        try checkProgram(version, program)
        guard hrp == hrp.lowercased(), !hrp.isEmpty else { throw Bech32Error.badHRP }  // 与参考实现一致：编码只接受小写 hrp
        let s = encode(hrp: hrp, data: [version] + (try convertBits(program, from: 8, to: 5, pad: true)),
                       variant: version == 0 ? .bech32 : .bech32m)
        _ = try decodeSegwit(hrp: hrp.lowercased(), s)
        return s
    }

    public static func decodeSegwit(hrp: String, _ addr: String) throws -> (version: UInt8, program: [UInt8]) {
        let d = try decode(addr)
        guard d.hrp == hrp else { throw Bech32Error.badHRP }
        guard let v = d.data.first, v <= 16 else { throw Bech32Error.badProgram }
        let prog = try convertBits(Array(d.data.dropFirst()), from: 5, to: 8, pad: false)
        try checkProgram(v, prog)
        guard (v == 0) == (d.variant == .bech32) else { throw Bech32Error.wrongVariant }
        return (v, prog)
    }

    static func checkProgram(_ v: UInt8, _ p: [UInt8]) throws {
        guard v <= 16, (2...40).contains(p.count) else { throw Bech32Error.badProgram }
        if v == 0 { guard p.count == 20 || p.count == 32 else { throw Bech32Error.badProgram } }
    }
}
