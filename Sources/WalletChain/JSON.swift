// 严格的 JSON 解析器：节点返回的内容一律视为不可信输入。
// 自己写而不用 JSONSerialization 的原因：可控的深度/长度上限（防嵌套炸弹导致栈溢出）、
// 数字保持原文（不经浮点，防精度丢失）、重复键报错、任何畸形输入都得到类型化错误而不是崩溃。
import WalletCrypto

public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// 数字保持原文，由调用方按需要解释（金额从不经 Double）。
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true }; return false }
}

public struct JSONLimits: Sendable {
    public var maxDepth: Int
    public var maxBytes: Int
    public var maxStringBytes: Int
    public init(maxDepth: Int = 64, maxBytes: Int = 64 << 20, maxStringBytes: Int = 16 << 20) {
        self.maxDepth = maxDepth; self.maxBytes = maxBytes; self.maxStringBytes = maxStringBytes
    }
    public static let `default` = JSONLimits()
}

public struct JSONParseError: Error, Equatable, Sendable {
    public let reason: String
    public let offset: Int
}

public enum JSON {
    public static func parse(_ text: String, limits: JSONLimits = .default) throws -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws -> JSONValue {
        guard bytes.count <= limits.maxBytes else { throw JSONParseError(reason: "too large", offset: 0) }
        return try bytes.withUnsafeBufferPointer { buf in
            var p = Parser(b: buf, limits: limits)
            p.skipWS()
            let v = try p.value(depth: 0)
            p.skipWS()
            guard p.i == buf.count else { throw JSONParseError(reason: "trailing data", offset: p.i) }
            return v
        }
    }

    /// 紧凑序列化（请求体与测试夹具用）；对象键排序，输出稳定。
    public static func serialize(_ v: JSONValue) -> String {
        var out = ""
        write(v, into: &out)
        return out
    }

    private static func write(_ v: JSONValue, into out: inout String) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out += "["
            for (i, e) in a.enumerated() { if i > 0 { out += "," }; write(e, into: &out) }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                writeString(k, into: &out); out += ":"; write(o[k]!, into: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""; JSONString.append(s, to: &out); out += "\""
    }
}

private struct Parser {
    let b: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var i = 0

    init(b: UnsafeBufferPointer<UInt8>, limits: JSONLimits) { self.b = b; self.limits = limits }

    func fail(_ r: String) -> JSONParseError { JSONParseError(reason: r, offset: i) }

    mutating func skipWS() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0a || b[i] == 0x0d || b[i] == 0x09 { i += 1 }
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nesting too deep") }
        guard i < b.count else { throw fail("unexpected end") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ s: String) throws {
        let u = Array(s.utf8)
        guard i + u.count <= b.count else { throw fail("bad literal") }
        for k in 0..<u.count where b[i + k] != u[k] { throw fail("bad literal") }
        i += u.count
    }

    mutating func number() throws -> String {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { throw fail("bad number") }
        if b[i] == UInt8(ascii: "0") { i += 1 } else {
            guard isDigit(b[i]) else { throw fail("bad number") }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw fail("bad number") }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw fail("bad number") }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        guard i - start <= 256 else { throw fail("number too long") }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    mutating func string() throws -> String {
        i += 1  // 开头引号
        let start = i
        // 快路径：无转义的 ASCII/UTF-8 段直接切片
        var simple = true
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { simple = false; break }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        guard i < b.count else { throw fail("unterminated string") }
        if simple {
            guard i - start <= limits.maxStringBytes else { throw fail("string too long") }
            let slice = UnsafeBufferPointer(rebasing: b[start..<i])
            guard let s = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8") }
            i += 1
            return s
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: bytes, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return s
            }
            if c < 0x20 { throw fail("control character in string") }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < b.count else { throw fail("unterminated escape") }
                let e = b[i]; i += 1
                switch e {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5c)
                case UInt8(ascii: "/"): bytes.append(0x2f)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0c)
                case UInt8(ascii: "n"): bytes.append(0x0a)
                case UInt8(ascii: "r"): bytes.append(0x0d)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var cp = try hex4()
                    if (0xD800...0xDBFF).contains(cp) {
                        guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                            throw fail("lone surrogate")
                        }
                        i += 2
                        let lo = try hex4()
                        guard (0xDC00...0xDFFF).contains(lo) else { throw fail("bad surrogate pair") }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(cp) {
                        throw fail("lone surrogate")
                    }
                    guard let sc = Unicode.Scalar(cp) else { throw fail("bad code point") }
                    bytes.append(contentsOf: Array(String(Character(sc)).utf8))
                default: throw fail("bad escape")
                }
            } else {
                bytes.append(c); i += 1
            }
            guard bytes.count <= limits.maxStringBytes else { throw fail("string too long") }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw fail("bad \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let n: UInt32
            switch c {
            case 0x30...0x39: n = UInt32(c - 0x30)
            case 0x61...0x66: n = UInt32(c - 0x61 + 10)
            case 0x41...0x46: n = UInt32(c - 0x41 + 10)
            default: throw fail("bad \\u escape")
            }
            v = v << 4 | n; i += 1
        }
        return v
    }

    mutating func array(depth: Int) throws -> JSONValue {
        i += 1
        var out: [JSONValue] = []
        skipWS()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
        while true {
            skipWS()
            out.append(try value(depth: depth))
            skipWS()
            guard i < b.count else { throw fail("unterminated array") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
            throw fail("expected , or ]")
        }
    }

    mutating func object(depth: Int) throws -> JSONValue {
        i += 1
        var out: [String: JSONValue] = [:]
        skipWS()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
        while true {
            skipWS()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected key") }
            let k = try string()
            skipWS()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected :") }
            i += 1
            skipWS()
            let v = try value(depth: depth)
            // 重复键：不同解析器取前/取后不一致，是经典的走私手法，直接拒绝。
            guard out.updateValue(v, forKey: k) == nil else { throw fail("duplicate key \(k.prefix(40))") }
            skipWS()
            guard i < b.count else { throw fail("unterminated object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
            throw fail("expected , or }")
        }
    }
}
