import WalletCrypto

/// 20 字节以太坊地址。以三个整数存储：百万级 Set 查找只做定长比较和哈希，不分配内存。
public struct ChainAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let a: UInt64, b: UInt64, c: UInt32

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 20 else { return nil }
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        for (i, x) in bytes.enumerated() {
            if i < 8 { a = a << 8 | UInt64(x) } else if i < 16 { b = b << 8 | UInt64(x) } else { c = c << 8 | UInt32(x) }
        }
        self.a = a; self.b = b; self.c = c
    }

    /// 严格解析：必须 0x + 40 个十六进制字符（大小写不限；EIP-55 校验由 WalletKeys 负责输入层）。
    public init(hex: String) throws {
        guard hex.utf8.count == 42, hex.hasPrefix("0x") || hex.hasPrefix("0X") else {
            throw StrictHexError.badLength(expected: 20, text: String(hex.prefix(50)))
        }
        guard let bytes = try? Hex.decode(hex), let v = ChainAddress(bytes: bytes) else {
            throw StrictHexError.badCharacter(text: String(hex.prefix(50)))
        }
        self = v
    }

    public var bytes: [UInt8] {
        var out = [UInt8](); out.reserveCapacity(20)
        for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: a >> UInt64(i * 8))) }
        for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: b >> UInt64(i * 8))) }
        for i in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: c >> UInt32(i * 8))) }
        return out
    }

    /// 小写 0x 形式（展示给人时由上层做 EIP-55）。
    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }

    public static func < (l: ChainAddress, r: ChainAddress) -> Bool { (l.a, l.b, l.c) < (r.a, r.b, r.c) }
}

/// 32 字节哈希（区块哈希、交易哈希、日志 topic）。
public struct H256: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }
    public init(hex: String) throws {
        guard hex.utf8.count == 66, hex.hasPrefix("0x") || hex.hasPrefix("0X") else {
            throw StrictHexError.badLength(expected: 32, text: String(hex.prefix(80)))
        }
        guard let b = try? Hex.decode(hex) else { throw StrictHexError.badCharacter(text: String(hex.prefix(80))) }
        self.bytes = b
    }
    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }
    public static let zero = H256(bytes: [UInt8](repeating: 0, count: 32))!
}

public enum StrictHexError: Error, Equatable, Sendable {
    case badLength(expected: Int, text: String)
    case badCharacter(text: String)
    case notQuantity(text: String)
}

/// JSON-RPC 的两种十六进制编码（以太坊 JSON-RPC 规范 “quantity” 与 “data”）。
public enum StrictHex {
    /// quantity：0x 开头，至少一位，除 "0x0" 外不允许前导零，最多 64 位。
    public static func quantity(_ s: String) throws -> UInt256 {
        let u = s.utf8
        guard u.count >= 3, s.hasPrefix("0x") else { throw StrictHexError.notQuantity(text: String(s.prefix(80))) }
        let digits = s.dropFirst(2)
        if digits.count > 1, digits.first == "0" { throw StrictHexError.notQuantity(text: String(s.prefix(80))) }
        guard digits.count <= 64 else { throw StrictHexError.notQuantity(text: String(s.prefix(80))) }
        do { return try UInt256(hex: s) } catch { throw StrictHexError.notQuantity(text: String(s.prefix(80))) }
    }

    public static func quantity64(_ s: String) throws -> UInt64 {
        guard let v = try quantity(s).uint64 else { throw StrictHexError.notQuantity(text: String(s.prefix(80))) }
        return v
    }

    /// data：0x 开头、偶数长度的十六进制字节串。
    public static func data(_ s: String) throws -> [UInt8] {
        guard s.hasPrefix("0x") else { throw StrictHexError.badCharacter(text: String(s.prefix(80))) }
        do { return try Hex.decode(s) } catch { throw StrictHexError.badCharacter(text: String(s.prefix(80))) }
    }

    public static func encodeData(_ b: [UInt8]) -> String { "0x" + Hex.encode(b) }
}

/// 区块标签（EIP-1898 之外的常用形式；`finalized`/`safe` 见合并后的共识层语义）。
public enum BlockTag: Sendable, Equatable, Hashable {
    case number(UInt64)
    case latest, pending, safe, finalized, earliest

    public var rpc: String {
        switch self {
        case .number(let n): return UInt256(n).hexQuantity
        case .latest: return "latest"
        case .pending: return "pending"
        case .safe: return "safe"
        case .finalized: return "finalized"
        case .earliest: return "earliest"
        }
    }
}
