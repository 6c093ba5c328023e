/// 列表过滤：空格分隔的多个词须全部满足；词以 `!` 开头表示“不包含”。大小写不敏感。
/// 后端实现分页查询时用 `matches` 判断一行的可搜索文本，保证与控制台语义一致。
public struct ListFilter: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var text: String
        public var negated: Bool
    }
    public let raw: String
    public let terms: [Term]

    public init(_ raw: String) {
        self.raw = raw
        terms = raw.split(separator: " ").compactMap { part in
            var s = String(part)
            var neg = false
            if s.hasPrefix("!") { neg = true; s.removeFirst() }
            if s.isEmpty { return nil }
            return Term(text: s.lowercased(), negated: neg)
        }
    }

    public var isEmpty: Bool { terms.isEmpty }

    /// 把整词等于某个键（不分大小写）的过滤词换成对应的值，保留 `!`；其余词原样。
    /// 用途：屏幕上的状态名（「待审」「pending」）换成账本里的状态名（awaiting_approval）再下推。
    public func replacingTerms(_ map: [String: String]) -> ListFilter {
        guard terms.contains(where: { map[$0.text] != nil }) else { return self }
        return ListFilter(terms.map { ($0.negated ? "!" : "") + (map[$0.text] ?? $0.text) }.joined(separator: " "))
    }

    public func matches(_ haystack: String) -> Bool {
        let h = haystack.lowercased()
        for t in terms {
            if h.contains(t.text) == t.negated { return false }
        }
        return true
    }
}
