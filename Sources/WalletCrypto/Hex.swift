// 十六进制编解码：全项目唯一实现，别处不要再写一份。

public enum HexError: Error, Equatable, Sendable {
    case oddLength(Int)
    case invalidCharacter(Character, offset: Int)
}

public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 小写十六进制，不带 0x。
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 接受可选的 0x/0X 前缀；长度必须为偶数。
    public static func decode(_ text: String) throws -> [UInt8] {
        var utf8 = Array(text.utf8)
        var offset = 0
        if utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 {
            utf8.removeFirst(2)
            offset = 2
        }
        guard utf8.count % 2 == 0 else { throw HexError.oddLength(utf8.count) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]) else {
                throw HexError.invalidCharacter(Character(UnicodeScalar(utf8[i])), offset: i + offset)
            }
            guard let lo = nibble(utf8[i + 1]) else {
                throw HexError.invalidCharacter(Character(UnicodeScalar(utf8[i + 1])), offset: i + 1 + offset)
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    public var hex: String { Hex.encode(self) }
}
