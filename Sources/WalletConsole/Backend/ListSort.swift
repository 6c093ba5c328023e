import Foundation

/// 列表按列排序（k9s 式：Shift+列的热键字母，再按降序，第三次恢复默认顺序）。列名是稳定的英文键（`SortColumn`），与语言无关。
public struct ListSort: Sendable, Equatable {
    public var column: SortColumn
    public var descending: Bool
    public init(_ column: SortColumn, descending: Bool = false) { self.column = column; self.descending = descending }
}

/// 可排序的列。热键（大写字母）在视图的列定义里给出，见 `TableColumn.sortKey`。
public enum SortColumn: String, Sendable, CaseIterable {
    case id, asset, amount, address, confirmations, state, age, destination, approvals, requestedBy = "requested_by"
    case gasLimit = "gas_limit", fee, net, decision, topUp = "top_up", job, error, attempts, lastAttempt = "last_attempt"
    case time, severity, kind
}

/// 排序值：数字按数值比较，文字按字典序（不区分大小写）。
public enum SortValue: Comparable, Sendable {
    case number(Decimal)
    case text(String)

    public static func < (a: SortValue, b: SortValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.text(let x), .text(let y)): return x.lowercased() < y.lowercased()
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }

    /// 显示文本开头的数（「1.250000 ETH」→ 1.25）：金额按屏幕上看到的数排序，不按最小单位
    /// （ETH 18 位小数、USDT 6 位，按最小单位排 1 USDT 会排在 0.001 ETH 前面）。没有数字时按文字。
    public static func leadingNumber(_ s: String) -> SortValue {
        let head = s.prefix { $0.isNumber || $0 == "." || $0 == "-" }
        if let d = Decimal(string: String(head), locale: Locale(identifier: "en_US_POSIX")), !head.isEmpty { return .number(d) }
        return .text(s)
    }
}

/// 能在内存里排序的行（后端在内存里过滤/分页时用；账本分页的列表在后端取出有限窗口后再用它）。
public protocol SortableRow: Sendable {
    var id: String { get }
    /// 该列的排序值；nil = 这一列不可排序（按原顺序）。
    func sortValue(_ column: SortColumn) -> SortValue?
}

/// 内存行的排序、锚点定位与分页。两个后端（引擎、测试）共用同一段代码，所以屏幕测试看到的顺序就是真实后端的顺序。
public enum RowPaging {
    /// 稳定排序：值相同的行保持后端原来的顺序（例如提现仍按紧急度）；反向时也只反转比较结果，不打乱相同值的原顺序。
    public static func sorted<R: SortableRow>(_ rows: [R], by sort: ListSort?) -> [R] {
        guard let sort else { return rows }
        let keyed = rows.enumerated().map { (i: $0.offset, v: $0.element.sortValue(sort.column), r: $0.element) }
        return keyed.sorted { a, b in
            switch (a.v, b.v) {
            case (let x?, let y?) where x != y: return sort.descending ? y < x : x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.i < b.i
            }
        }.map(\.r)
    }

    /// 排序后取一页；有锚点且锚点在结果里时，返回包含它的那一页（锚点尽量在页中间）。
    public static func page<R: SortableRow>(_ rows: [R], _ q: PageQuery) -> Page<R> {
        let all = sorted(rows, by: q.sort)
        var offset = min(max(0, q.offset), all.count)
        if let a = q.anchor, let i = all.firstIndex(where: { $0.id == a }), !(offset..<(offset + q.limit)).contains(i) {
            offset = max(0, min(i - q.limit / 2, all.count - q.limit))
        }
        return Page(rows: Array(all[offset..<min(all.count, offset + max(0, q.limit))]), total: all.count, offset: offset)
    }
}

extension DepositRow: SortableRow {
    public func sortValue(_ c: SortColumn) -> SortValue? {
        switch c {
        case .id: return .leadingNumber(id)
        case .asset: return .text(asset)
        case .amount: return .leadingNumber(amount.display)
        case .address: return .text(address)
        case .confirmations: return .number(Decimal(confirmations))
        case .state: return .number(Decimal(DepositRowState.allCases.firstIndex(of: state) ?? 0))
        case .age: return .number(Decimal(ageSeconds))
        default: return nil
        }
    }
}

extension WithdrawalRow: SortableRow {
    public func sortValue(_ c: SortColumn) -> SortValue? {
        switch c {
        case .id: return .leadingNumber(id)
        case .asset: return .text(asset)
        case .amount: return .leadingNumber(amount.display)
        case .destination: return .text(destination)
        // 审批：先按还差几人（差得多的在后），再按已批人数。
        case .approvals: return .number(Decimal(approvalsRequired - approvalsGiven))
        case .state: return .number(Decimal(WithdrawalRowState.allCases.firstIndex(of: state) ?? 0))
        case .requestedBy: return .text(requestedBy)
        case .age: return .number(Decimal(ageSeconds))
        default: return nil
        }
    }
}

extension SweepPlanRow: SortableRow {
    public func sortValue(_ c: SortColumn) -> SortValue? {
        switch c {
        case .address: return .text(address)
        case .asset: return .text(asset)
        case .amount: return .leadingNumber(amount.display)
        case .gasLimit: return .number(Decimal(gasLimit))
        case .fee: return .leadingNumber(feeNormal)
        case .net: return .leadingNumber(net.display)
        case .decision: return .text(decision.rawValue)
        case .topUp: return .text(topUpStatus)
        default: return nil
        }
    }
}

extension AlertRow: SortableRow {
    public func sortValue(_ c: SortColumn) -> SortValue? {
        switch c {
        case .time: return .text(time)
        // 级别：严重 < 警告 < 信息（升序时严重的在前）。
        case .severity: return .number(Decimal(AlertLevel.allCases.firstIndex(of: level) ?? 0))
        case .kind: return .text(kind)
        default: return nil
        }
    }
}

extension DeadLetterRow: SortableRow {
    public func sortValue(_ c: SortColumn) -> SortValue? {
        switch c {
        case .id: return .leadingNumber(id)
        case .job: return .text(job)
        case .error: return .text(error)
        case .attempts: return .number(Decimal(attempts))
        case .lastAttempt: return .text(lastAttempt)
        default: return nil
        }
    }
}
