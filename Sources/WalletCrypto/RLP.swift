// RLP（以太坊黄皮书附录 B）。解码严格执行规范形式：拒绝非最短长度、长度前导零、单字节误用短串、尾随字节。
// 不规范的编码会让同一笔交易有多个字节表示（哈希不同），所以必须拒绝。

public struct RLPError: WalletErrorConvertible, Equatable {
    public enum Kind: Sendable {
        case empty, truncated, nonCanonicalSingleByte, nonCanonicalLength, leadingZeroInLength, trailingBytes, tooDeep
        case expectedList, expectedBytes, leadingZeroInInteger, integerTooLarge
    }
    public let kind: Kind
    public let offset: Int
    public init(_ kind: Kind, offset: Int = 0) { self.kind = kind; self.offset = offset }
    /// 都是输入错误（坏的编码）：退出码 2。说明后面带偏移。
    public var walletError: WalletError {
        func make(_ code: String, zh: String, en: String) -> WalletError {
            WalletError(code, zh: "\(zh)（偏移 \(offset)）", en: "\(en) (offset \(offset))", badInput: true)
        }
        switch kind {
        case .empty: return make("rlp.empty", zh: "RLP 数据为空。", en: "RLP input is empty.")
        case .truncated: return make("rlp.truncated", zh: "RLP 数据被截断：声明的长度超过剩余字节。", en: "RLP data truncated: declared length exceeds remaining bytes.")
        case .nonCanonicalSingleByte: return make("rlp.non_canonical_single_byte", zh: "RLP 非规范：单个 < 0x80 的字节必须直接编码，不能带 0x81 前缀。", en: "non-canonical RLP: a single byte < 0x80 must encode as itself, not with 0x81.")
        case .nonCanonicalLength: return make("rlp.non_canonical_length", zh: "RLP 非规范：长度 < 56 时必须使用短格式。", en: "non-canonical RLP: lengths < 56 must use the short form.")
        case .leadingZeroInLength: return make("rlp.leading_zero_in_length", zh: "RLP 非规范：长度字段有前导零。", en: "non-canonical RLP: length field has leading zeros.")
        case .trailingBytes: return make("rlp.trailing_bytes", zh: "RLP 数据后面有多余字节。", en: "trailing bytes after the RLP item.")
        case .tooDeep: return make("rlp.too_deep", zh: "RLP 嵌套过深（> 64 层）。", en: "RLP nesting too deep (> 64).")
        case .expectedList: return make("rlp.expected_list", zh: "此处需要 RLP 列表，却是字节串。", en: "expected an RLP list here, found a byte string.")
        case .expectedBytes: return make("rlp.expected_bytes", zh: "此处需要 RLP 字节串，却是列表。", en: "expected an RLP byte string here, found a list.")
        case .leadingZeroInInteger: return make("rlp.leading_zero_in_integer", zh: "RLP 整数有前导零（非规范）。", en: "RLP integer has leading zeros (non-canonical).")
        case .integerTooLarge: return make("rlp.integer_too_large", zh: "RLP 整数超出 256 位。", en: "RLP integer exceeds 256 bits.")
        }
    }
}

public enum RLP {
    public indirect enum Item: Equatable, Hashable, Sendable {
        case bytes([UInt8])
        case list([Item])

        /// 整数按大端最短形式编码（0 编码为空串）。
        public static func uint(_ v: UInt256) -> Item { .bytes(v.minimalBigEndianBytes) }
        public static func uint(_ v: UInt64) -> Item { .uint(UInt256(v)) }

        public func asBytes() throws -> [UInt8] {
            guard case .bytes(let b) = self else { throw RLPError(.expectedBytes) }
            return b
        }
        public func asList() throws -> [Item] {
            guard case .list(let l) = self else { throw RLPError(.expectedList) }
            return l
        }
        /// 规范整数：不能有前导零，≤ 32 字节。
        public func asUInt256() throws -> UInt256 {
            let b = try asBytes()
            guard b.first != 0 else { throw RLPError(.leadingZeroInInteger) }
            guard b.count <= 32 else { throw RLPError(.integerTooLarge) }
            return try UInt256(bigEndian: b)
        }
    }

    public static func encode(_ item: Item) -> [UInt8] {
        var out = [UInt8]()
        append(item, to: &out)
        return out
    }

    /// 追加到已有缓冲区（type 2 交易的 0x02 前缀后直接写，少一次拷贝）。
    public static func append(_ item: Item, to out: inout [UInt8]) {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { out.append(b[0]); return }
            appendHeader(b.count, short: 0x80, to: &out)
            out.append(contentsOf: b)
        case .list(let items):
            var body = [UInt8]()
            for i in items { append(i, to: &body) }
            appendHeader(body.count, short: 0xc0, to: &out)
            out.append(contentsOf: body)
        }
    }

    static func appendHeader(_ len: Int, short: UInt8, to out: inout [UInt8]) {
        if len < 56 { out.append(short + UInt8(len)); return }
        var lenBytes = [UInt8]()
        var l = len
        while l > 0 { lenBytes.insert(UInt8(l & 0xff), at: 0); l >>= 8 }
        out.append(short + 55 + UInt8(lenBytes.count))
        out.append(contentsOf: lenBytes)
    }

    /// 严格解码：整个输入必须恰好是一个规范的 RLP 项。
    public static func decode(_ data: [UInt8]) throws -> Item {
        guard !data.isEmpty else { throw RLPError(.empty) }
        var pos = 0
        let item = try decodeItem(data, &pos, end: data.count, depth: 0)
        guard pos == data.count else { throw RLPError(.trailingBytes, offset: pos) }
        return item
    }

    static func decodeItem(_ d: [UInt8], _ pos: inout Int, end: Int, depth: Int) throws -> Item {
        guard depth <= 64 else { throw RLPError(.tooDeep, offset: pos) }
        guard pos < end else { throw RLPError(.truncated, offset: pos) }
        let start = pos
        let p = d[pos]
        switch p {
        case 0x00...0x7f:
            pos += 1
            return .bytes([p])
        case 0x80...0xbf:
            let (len, hdr) = try header(d, pos, end: end, short: 0x80)
            pos += hdr
            guard len <= end - pos else { throw RLPError(.truncated, offset: start) }
            let b = Array(d[pos..<(pos + len)])
            if len == 1 && b[0] < 0x80 { throw RLPError(.nonCanonicalSingleByte, offset: start) }
            pos += len
            return .bytes(b)
        default:
            let (len, hdr) = try header(d, pos, end: end, short: 0xc0)
            pos += hdr
            guard len <= end - pos else { throw RLPError(.truncated, offset: start) }
            let listEnd = pos + len
            var items = [Item]()
            while pos < listEnd { items.append(try decodeItem(d, &pos, end: listEnd, depth: depth + 1)) }
            return .list(items)
        }
    }

    /// 返回（载荷长度，头部长度）。
    static func header(_ d: [UInt8], _ pos: Int, end: Int, short: UInt8) throws -> (Int, Int) {
        let p = d[pos]
        if p <= short + 55 { return (Int(p - short), 1) }
        let lenOfLen = Int(p - short - 55)
        guard lenOfLen <= end - pos - 1 else { throw RLPError(.truncated, offset: pos) }
        guard d[pos + 1] != 0 else { throw RLPError(.leadingZeroInLength, offset: pos) }
        guard lenOfLen <= 7 else { throw RLPError(.truncated, offset: pos) }
        var len = 0
        for i in 0..<lenOfLen { len = len << 8 | Int(d[pos + 1 + i]) }
        guard len >= 56 else { throw RLPError(.nonCanonicalLength, offset: pos) }
        return (len, 1 + lenOfLen)
    }
}
