// 256 位无符号整数：金额、手续费、gas 价格一律用它（以最小单位 wei 计），从不使用浮点数。
// 溢出一律显式报告：`+`/`-`/`*` 溢出即 trap（编程错误），业务代码用 `checked*` 得到可处理的错误。

public enum UInt256Error: Error, Equatable, Sendable {
    case empty
    case invalidDigit(Character)
    case overflow
    case negative
}

public struct UInt256: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// 小端序的 4 个 64 位分量：limbs[0] 最低位。
    public private(set) var limbs: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = UInt256(0)
    public static let max = UInt256(limbs: (.max, .max, .max, .max))

    public init(limbs: (UInt64, UInt64, UInt64, UInt64)) { self.limbs = limbs }
    public init(_ v: UInt64) { limbs = (v, 0, 0, 0) }
    public init(_ v: Int) {
        precondition(v >= 0, "UInt256 不能为负")
        limbs = (UInt64(v), 0, 0, 0)
    }

    subscript(i: Int) -> UInt64 {
        get {
            switch i { case 0: return limbs.0; case 1: return limbs.1; case 2: return limbs.2; default: return limbs.3 }
        }
        set {
            switch i {
            case 0: limbs.0 = newValue
            case 1: limbs.1 = newValue
            case 2: limbs.2 = newValue
            default: limbs.3 = newValue
            }
        }
    }

    public var isZero: Bool { limbs.0 | limbs.1 | limbs.2 | limbs.3 == 0 }

    /// 若值能放进 UInt64 则返回它。
    public var uint64: UInt64? { limbs.1 | limbs.2 | limbs.3 == 0 ? limbs.0 : nil }

    /// 有效位数（0 的位宽为 0）。
    public var bitWidth: Int {
        for i in stride(from: 3, through: 0, by: -1) where self[i] != 0 {
            return i * 64 + (64 - self[i].leadingZeroBitCount)
        }
        return 0
    }

    // MARK: 字节

    /// 大端字节（最多 32 字节；左侧补零）。
    public init(bigEndian bytes: some Collection<UInt8>) throws {
        var trimmed = Array(bytes.drop(while: { $0 == 0 }))
        guard trimmed.count <= 32 else { throw UInt256Error.overflow }
        trimmed = [UInt8](repeating: 0, count: 32 - trimmed.count) + trimmed
        var r = UInt256.zero
        for i in 0..<4 {
            var limb: UInt64 = 0
            for j in 0..<8 { limb = limb << 8 | UInt64(trimmed[(3 - i) * 8 + j]) }
            r[i] = limb
        }
        self = r
    }

    /// 固定 32 字节大端。
    public var bigEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<4 {
            let limb = self[3 - i]
            for j in 0..<8 { out[i * 8 + j] = UInt8(truncatingIfNeeded: limb >> UInt64(56 - 8 * j)) }
        }
        return out
    }

    /// 最短大端字节（0 → 空数组），RLP 整数编码用。
    public var minimalBigEndianBytes: [UInt8] { Array(bigEndianBytes.drop(while: { $0 == 0 })) }

    // MARK: 文本

    /// 十进制字符串（只允许数字，不允许符号、空格、小数点）。
    public init(decimal text: String) throws {
        guard !text.isEmpty else { throw UInt256Error.empty }
        if text.hasPrefix("-") { throw UInt256Error.negative }
        var r = UInt256.zero
        for ch in text {
            guard let d = ch.wholeNumberValue, ch.isASCII else { throw UInt256Error.invalidDigit(ch) }
            let (m, o1) = r.multipliedReportingOverflow(by: UInt256(10))
            let (a, o2) = m.addingReportingOverflow(UInt256(UInt64(d)))
            if o1 || o2 { throw UInt256Error.overflow }
            r = a
        }
        self = r
    }

    /// 十六进制（可带 0x）。"0x" 单独出现视为 0（JSON-RPC 惯例中不合法，但由调用方决定是否接受）。
    public init(hex text: String) throws {
        var s = Substring(text)
        if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
        guard !s.isEmpty else { throw UInt256Error.empty }
        let digits = s.drop(while: { $0 == "0" })
        guard digits.count <= 64 else { throw UInt256Error.overflow }
        var r = UInt256.zero
        for ch in digits {
            guard let a = ch.asciiValue, let n = Hex.nibble(a) else { throw UInt256Error.invalidDigit(ch) }
            r = r << 4
            r[0] |= UInt64(n)
        }
        self = r
    }

    /// "0x" 开头十进制以外的两种写法都接受：十进制字符串或 0x 十六进制。
    public init(quantity text: String) throws {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { try self.init(hex: text) } else { try self.init(decimal: text) }
    }

    public var description: String { decimalString }

    public var decimalString: String {
        if isZero { return "0" }
        var chunks: [UInt64] = []
        var v = self
        let base: UInt64 = 10_000_000_000_000_000_000  // 10^19
        while !v.isZero {
            let (q, r) = v.quotientAndRemainder(dividingBy: base)
            chunks.append(r)
            v = q
        }
        var s = String(chunks.removeLast())
        for c in chunks.reversed() {
            let part = String(c)
            s += String(repeating: "0", count: 19 - part.count) + part
        }
        return s
    }

    /// 0x 前缀、无前导零的十六进制（JSON-RPC quantity 格式）。
    public var hexQuantity: String {
        if isZero { return "0x0" }
        let h = Hex.encode(minimalBigEndianBytes)
        return "0x" + (h.hasPrefix("0") ? String(h.dropFirst()) : h)
    }

    // MARK: 算术

    public func addingReportingOverflow(_ o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var r = UInt256.zero
        var carry: UInt64 = 0
        for i in 0..<4 {
            let (s1, c1) = self[i].addingReportingOverflow(o[i])
            let (s2, c2) = s1.addingReportingOverflow(carry)
            r[i] = s2
            carry = (c1 ? 1 : 0) + (c2 ? 1 : 0)
        }
        return (r, carry != 0)
    }

    public func subtractingReportingOverflow(_ o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var r = UInt256.zero
        var borrow: UInt64 = 0
        for i in 0..<4 {
            let (d1, b1) = self[i].subtractingReportingOverflow(o[i])
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            r[i] = d2
            borrow = (b1 ? 1 : 0) + (b2 ? 1 : 0)
        }
        return (r, borrow != 0)
    }

    public func multipliedReportingOverflow(by o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var r = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = self[i].multipliedFullWidth(by: o[j])
                let (s1, c1) = r[i + j].addingReportingOverflow(lo)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                r[i + j] = s2
                carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            r[i + 4] = carry
        }
        let overflow = r[4] | r[5] | r[6] | r[7] != 0
        return (UInt256(limbs: (r[0], r[1], r[2], r[3])), overflow)
    }

    /// 除以 64 位数（十进制格式化的快路径）。
    public func quotientAndRemainder(dividingBy d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        precondition(d != 0, "除以零")
        var q = UInt256.zero
        var rem: UInt64 = 0
        for i in stride(from: 3, through: 0, by: -1) {
            let (qi, ri) = d.dividingFullWidth((rem, self[i]))
            q[i] = qi
            rem = ri
        }
        return (q, rem)
    }

    /// 完整 256 位除法（移位相减；金额运算不在热路径上）。
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero, "除以零")
        if let d64 = d.uint64 {
            let (q, r) = quotientAndRemainder(dividingBy: d64)
            return (q, UInt256(r))
        }
        if self < d { return (.zero, self) }
        var q = UInt256.zero
        var r = UInt256.zero
        for bit in stride(from: bitWidth - 1, through: 0, by: -1) {
            r = r << 1
            if (self[bit / 64] >> UInt64(bit % 64)) & 1 == 1 { r[0] |= 1 }
            if r >= d {
                r = r.subtractingReportingOverflow(d).partialValue
                q[bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
        return (q, r)
    }

    public func checkedAdd(_ o: UInt256) throws -> UInt256 {
        let (v, o) = addingReportingOverflow(o)
        if o { throw UInt256Error.overflow }
        return v
    }

    public func checkedSub(_ o: UInt256) throws -> UInt256 {
        let (v, o) = subtractingReportingOverflow(o)
        if o { throw UInt256Error.negative }
        return v
    }

    public func checkedMul(_ o: UInt256) throws -> UInt256 {
        let (v, o) = multipliedReportingOverflow(by: o)
        if o { throw UInt256Error.overflow }
        return v
    }

    public static func + (a: UInt256, b: UInt256) -> UInt256 {
        let (v, o) = a.addingReportingOverflow(b)
        precondition(!o, "UInt256 加法溢出")
        return v
    }

    public static func - (a: UInt256, b: UInt256) -> UInt256 {
        let (v, o) = a.subtractingReportingOverflow(b)
        precondition(!o, "UInt256 减法下溢")
        return v
    }

    public static func * (a: UInt256, b: UInt256) -> UInt256 {
        let (v, o) = a.multipliedReportingOverflow(by: b)
        precondition(!o, "UInt256 乘法溢出")
        return v
    }

    public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }
    public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }
    public static func += (a: inout UInt256, b: UInt256) { a = a + b }
    public static func -= (a: inout UInt256, b: UInt256) { a = a - b }

    public static func << (a: UInt256, n: Int) -> UInt256 {
        if n <= 0 { return a }
        if n >= 256 { return .zero }
        let limbShift = n / 64, bitShift = UInt64(n % 64)
        var r = UInt256.zero
        for i in stride(from: 3, through: limbShift, by: -1) {
            var v = a[i - limbShift] << bitShift
            if bitShift > 0, i - limbShift - 1 >= 0 { v |= a[i - limbShift - 1] >> (64 - bitShift) }
            r[i] = v
        }
        return r
    }

    public static func >> (a: UInt256, n: Int) -> UInt256 {
        if n <= 0 { return a }
        if n >= 256 { return .zero }
        let limbShift = n / 64, bitShift = UInt64(n % 64)
        var r = UInt256.zero
        for i in 0..<(4 - limbShift) {
            var v = a[i + limbShift] >> bitShift
            if bitShift > 0, i + limbShift + 1 < 4 { v |= a[i + limbShift + 1] << (64 - bitShift) }
            r[i] = v
        }
        return r
    }

    public static func < (a: UInt256, b: UInt256) -> Bool {
        for i in stride(from: 3, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    public static func == (a: UInt256, b: UInt256) -> Bool {
        a.limbs.0 == b.limbs.0 && a.limbs.1 == b.limbs.1 && a.limbs.2 == b.limbs.2 && a.limbs.3 == b.limbs.3
    }

    public func hash(into h: inout Hasher) {
        h.combine(limbs.0); h.combine(limbs.1); h.combine(limbs.2); h.combine(limbs.3)
    }

    // Codable：十进制字符串，JSON 里不丢精度。
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        try self.init(quantity: s)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(decimalString)
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) { self.init(value) }
}
