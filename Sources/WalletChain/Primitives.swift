import WalletCrypto

/// 20 字节以太坊地址。以三个整数存储：百万级 Set 查找只做定长比较和哈希，不分配内存。
public struct ChainAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let a: UInt64, b: UInt64, c: UInt32

    public init?(bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBufferPointer({ ChainAddress.load($0) }) else { return nil }
        self = v
    }

    public init?(bytes: ArraySlice<UInt8>) {
        guard let v = bytes.withUnsafeBufferPointer({ ChainAddress.load($0) }) else { return nil }
        self = v
    }

    init(a: UInt64, b: UInt64, c: UInt32) { self.a = a; self.b = b; self.c = c }

    /// 非泛型的加载（热路径：每条日志、每笔交易都要构造）。
    static func load(_ p: UnsafeBufferPointer<UInt8>) -> ChainAddress? {
        guard p.count == 20 else { return nil }
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        for i in 0..<8 { a = a << 8 | UInt64(p[i]) }
        for i in 8..<16 { b = b << 8 | UInt64(p[i]) }
        for i in 16..<20 { c = c << 8 | UInt32(p[i]) }
        return ChainAddress(a: a, b: b, c: c)
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

/// 32 字节哈希（区块哈希、交易哈希、日志 topic）。内联存成 4 个整数：解析每笔交易不必为哈希分配堆内存，比较与哈希也更快。
public struct H256: Hashable, Sendable, CustomStringConvertible {
    let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init?(bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBufferPointer({ H256.load($0) }) else { return nil }
        self = v
    }

    private init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) { self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3 }

    static func load(_ p: UnsafeBufferPointer<UInt8>) -> H256? {
        guard p.count == 32 else { return nil }
        func word(_ o: Int) -> UInt64 { var x: UInt64 = 0; for i in o..<(o + 8) { x = x << 8 | UInt64(p[i]) }; return x }
        return H256(word(0), word(8), word(16), word(24))
    }

    public init(hex: String) throws {
        var s = hex
        let v: H256? = s.withUTF8 { u -> H256? in
            guard u.count == 66, u[0] == 0x30, u[1] == 0x78 || u[1] == 0x58 else { return nil }
            func word(_ o: Int) -> UInt64? {
                var x: UInt64 = 0
                for k in o..<(o + 16) { guard let n = StrictHex.nibble(u[k]) else { return nil }; x = x << 4 | UInt64(n) }
                return x
            }
            guard let a = word(2), let b = word(18), let c = word(34), let d = word(50) else { return nil }
            return H256(a, b, c, d)
        }
        guard let v else {
            if hex.utf8.count != 66 { throw StrictHexError.badLength(expected: 32, text: String(hex.prefix(80))) }
            throw StrictHexError.badCharacter(text: String(hex.prefix(80)))
        }
        self = v
    }

    public var bytes: [UInt8] {
        var out = [UInt8](); out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] { for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: w >> UInt64(i * 8))) } }
        return out
    }

    /// 作为 ABI 编码的地址参数（indexed address topic）：高 12 字节必须为 0，低 20 字节是地址。
    public var asAddress: ChainAddress? {
        guard w0 == 0, w1 >> 32 == 0 else { return nil }
        return ChainAddress(a: w1 << 32 | w2 >> 32, b: w2 << 32 | w3 >> 32, c: UInt32(truncatingIfNeeded: w3))
    }

    /// 低 20 字节（不检查高位），用于记录格式不对的 topic 的收款方。
    public var low20Address: ChainAddress {
        ChainAddress(a: w1 << 32 | w2 >> 32, b: w2 << 32 | w3 >> 32, c: UInt32(truncatingIfNeeded: w3))
    }

    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }
    public static let zero = H256(0, 0, 0, 0)
}

public enum StrictHexError: Error, Equatable, Sendable {
    case badLength(expected: Int, text: String)
    case badCharacter(text: String)
    case notQuantity(text: String)
}

/// JSON-RPC 的两种十六进制编码（以太坊 JSON-RPC 规范 “quantity” 与 “data”）。
public enum StrictHex {
    /// quantity：0x 开头，至少一位，除 "0x0" 外不允许前导零，最多 64 位。
    /// 直接在 UTF-8 字节上解析（热路径：每笔交易十几个字段）。
    public static func quantity(_ s: String) throws -> UInt256 {
        var str = s
        let r: UInt256? = str.withUTF8 { u -> UInt256? in
            let n = u.count
            guard n >= 3, n <= 66, u[0] == 0x30, u[1] == 0x78 else { return nil }
            if n > 3 && u[2] == 0x30 { return nil }
            var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            // 从最低位开始，每 16 个十六进制字符填一个 64 位分量
            var limb = 0, shift: UInt64 = 0, acc: UInt64 = 0
            var i = n - 1
            while i >= 2 {
                guard let v = nibble(u[i]) else { return nil }
                acc |= UInt64(v) << shift
                shift += 4
                if shift == 64 {
                    switch limb { case 0: limbs.0 = acc; case 1: limbs.1 = acc; case 2: limbs.2 = acc; default: limbs.3 = acc }
                    limb += 1; shift = 0; acc = 0
                }
                i -= 1
            }
            if shift > 0 {
                switch limb { case 0: limbs.0 = acc; case 1: limbs.1 = acc; case 2: limbs.2 = acc; default: limbs.3 = acc }
            }
            return UInt256(limbs: limbs)
        }
        guard let r else { throw StrictHexError.notQuantity(text: String(s.prefix(80))) }
        return r
    }

    @inline(__always) static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
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
