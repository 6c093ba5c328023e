// Base58 / Base58Check（比特币地址、WIF、BIP-32 扩展密钥的文本形式）。校验和 = SHA256d 前 4 字节。

public struct Base58Error: WalletErrorConvertible, Equatable {
    public enum Kind: Sendable { case invalidCharacter, badChecksum, tooShort }
    public let kind: Kind
    public let detail: String
    /// 非法字符的位置（从 1 起；0 = 不知道）与字符本身（不是 ASCII 时为 nil）。分开存，两种语言各自排版。
    public let position: Int
    public let character: Character?
    public init(_ kind: Kind, detail: String = "") { self.kind = kind; self.detail = detail; position = 0; character = nil }
    public init(invalidCharacter c: Character?, position: Int) {
        kind = .invalidCharacter; detail = ""; character = c; self.position = position
    }
    /// 都是输入错误：退出码 2。
    public var walletError: WalletError {
        switch kind {
        case .invalidCharacter:
            let zhAt = character.map { "'\($0)'（第 \(position) 个）" } ?? "（第 \(position) 字节）"
            let enAt = character.map { "'\($0)' (character \(position))" } ?? "(byte \(position))"
            return WalletError("base58.invalid_character", zh: "Base58 文本含非法字符 \(position > 0 ? zhAt : detail)（Base58 不含 0、O、I、l）。请检查是否抄错。",
                               en: "Base58 text contains invalid character \(position > 0 ? enAt : detail) (Base58 has no 0, O, I, l). Check for typos.", badInput: true)
        case .badChecksum: return WalletError("base58.bad_checksum", zh: "Base58Check 校验和不匹配：文本有字符抄错或被截断。",
                                              en: "Base58Check checksum mismatch: a character is wrong or the text is truncated.", badInput: true)
        case .tooShort: return WalletError("base58.too_short", zh: "Base58Check 数据太短（不足 4 字节校验和）。",
                                           en: "Base58Check data too short (less than the 4-byte checksum).", badInput: true)
        }
    }
}

public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let table: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        var digits = [UInt8]()  // 小端 58 进制
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)
        for b in bytes[zeros...] {
            var carry = Int(b)
            for i in 0..<digits.count {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 { digits.append(UInt8(carry % 58)); carry /= 58 }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        for d in digits.reversed() { out.append(alphabet[Int(d)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> [UInt8] {
        let chars = Array(text.utf8)
        let zeros = chars.prefix(while: { $0 == alphabet[0] }).count
        var bytes = [UInt8]()  // 小端 256 进制
        for (pos, c) in chars.enumerated() {
            let v = table[Int(c)]
            guard v >= 0 else {
                let ch: Character? = text.unicodeScalars.count == chars.count ? Character(UnicodeScalar(c)) : nil
                throw Base58Error(invalidCharacter: ch, position: pos + 1)
            }
            if pos < zeros { continue }
            var carry = Int(v)
            for i in 0..<bytes.count {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 { bytes.append(UInt8(carry & 0xff)); carry >>= 8 }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }

    public static func encodeCheck(_ payload: [UInt8]) -> String {
        encode(payload + Hash.sha256d(payload).prefix(4))
    }

    public static func decodeCheck(_ text: String) throws -> [UInt8] {
        let raw = try decode(text)
        guard raw.count >= 4 else { throw Base58Error(.tooShort) }
        let payload = Array(raw.dropLast(4))
        guard SecretBytes.constantTimeEqual(Array(Hash.sha256d(payload).prefix(4)), Array(raw.suffix(4))) else {
            throw Base58Error(.badChecksum)
        }
        return payload
    }
}
