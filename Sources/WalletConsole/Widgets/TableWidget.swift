/// 表格列：最小宽度；flex 列平分剩余宽度。
/// 列至少和列名一样宽（英文列名不再被截成「App…」）；`hideable` 列在太窄时整列隐藏，而不是把所有列都截断。
public struct TableColumn: Sendable {
    public var title: String
    public var width: Int
    public var flex: Bool
    public var alignRight: Bool
    public var hideable: Bool
    /// 金额列：截断时保留单位。
    public var keepsUnit: Bool
    /// flex 列分配多余宽度的先后（小的先分）与上限：例如归集视图先把「原因」放宽到能读，再放宽金额。
    public var growOrder: Int
    public var maxWidth: Int?
    /// 排序：列键与热键（大写字母，Shift+字母排序，再按反向）。列名后留一格给 ▲/▼（或列名里没有该字母时显示的热键）。
    public var sortKey: SortColumn?
    public var hotkey: Character?
    public init(_ title: String, width: Int, flex: Bool = false, alignRight: Bool = false, hideable: Bool = false, keepsUnit: Bool = false,
                growOrder: Int = 0, maxWidth: Int? = nil, sort: (SortColumn, Character)? = nil) {
        self.title = title; self.width = max(width, TextWidth.of(title) + (sort == nil ? 0 : 1)); self.flex = flex
        self.alignRight = alignRight; self.hideable = hideable; self.keepsUnit = keepsUnit
        self.growOrder = growOrder; self.maxWidth = maxWidth
        self.sortKey = sort?.0; self.hotkey = sort?.1
    }

    /// 热键字母在列名里的位置（不分大小写，第一个）；nil = 列名里没有（中文列名），热键显示在列名后面。
    var hotkeyIndexInTitle: String.Index? {
        guard let hk = hotkey else { return nil }
        return title.firstIndex { String($0).uppercased() == String(hk).uppercased() }
    }
}

/// 一行：单元格文本已由视图格式化（含状态符号，含义不只靠颜色）。
public struct TableRow: Sendable, Equatable {
    public var id: String
    public var cells: [String]
    public var style: StyleRole
    /// 复制（y）时取的值：地址或交易哈希。
    public var copyValue: String
    /// 单元格的完整文本（列 → 文本）：列宽放得下时显示它（宽终端上地址、哈希不再缩写），放不下时显示 cells 里的缩写。
    public var full: [Int: String]
    public init(id: String, cells: [String], style: StyleRole = .normal, copyValue: String = "", full: [Int: String] = [:]) {
        self.id = id; self.cells = cells; self.style = style; self.copyValue = copyValue; self.full = full
    }
}

/// 虚拟化表格：只持有当前窗口的行（由后端分页提供），只格式化、只绘制可见行。
public final class TableWidget {
    public var columns: [TableColumn]
    public private(set) var total = 0
    public private(set) var windowOffset = 0
    public private(set) var rows: [TableRow] = []
    public private(set) var cursor = 0
    /// 光标所在行的 id：刷新后行序变了（新行插到前面、批准后按紧急度移走），光标跟着这一项走，而不是停在原来的行号上。
    public private(set) var selectedId: String?
    public private(set) var top = 0
    public private(set) var loaded = false
    /// 行 id → 本次刷新中值变化了的列（k9s 式增量标记）。
    public private(set) var changed: [String: Set<Int>] = [:]
    public var marked: Set<String> = []
    /// 当前排序（表头显示 ▲/▼）；由列表视图设置。
    public var sort: ListSort?
    private var previous: [String: [String]] = [:]
    /// 最近一次绘制实际绘制的数据行数（测试：10 万行只画可见行）。
    public private(set) var lastDrawnRows = 0
    public private(set) var lastHeight = 10

    public init(columns: [TableColumn]) { self.columns = columns }

    /// 装入一页数据并计算增量。
    public func setPage(offset: Int, total: Int, rows: [TableRow]) {
        var ch: [String: Set<Int>] = [:]
        for r in rows {
            if let old = previous[r.id] {
                let diff = Set(r.cells.indices.filter { $0 < old.count && old[$0] != r.cells[$0] })
                if !diff.isEmpty { ch[r.id] = diff }
            }
        }
        changed = ch
        previous = Dictionary(rows.map { ($0.id, $0.cells) }, uniquingKeysWith: { a, _ in a })
        self.windowOffset = offset; self.total = total; self.rows = rows; loaded = true
        // 选中项还在这一页里就跟过去；不在（已离开窗口或消失）才退回原行号。
        if let id = selectedId, let i = rows.firstIndex(where: { $0.id == id }) { cursor = offset + i }
        clamp()
        selectedId = selected?.id
    }

    public func reset() { cursor = 0; top = 0; loaded = false; rows = []; total = 0; windowOffset = 0; selectedId = nil }

    public var selected: TableRow? {
        let i = cursor - windowOffset
        return rows.indices.contains(i) ? rows[i] : nil
    }

    /// 光标移动；返回是否需要新的一页。
    @discardableResult
    public func move(_ cmd: Command) -> Bool {
        let page = max(1, lastHeight - 1)
        switch cmd {
        case .up: cursor -= 1
        case .down: cursor += 1
        case .pageUp: cursor -= page
        case .pageDown: cursor += page
        case .top: cursor = 0
        case .bottom: cursor = total - 1
        default: return false
        }
        clamp()
        selectedId = selected?.id
        return needsPage(height: lastHeight)
    }

    private func clamp() {
        cursor = max(0, min(cursor, total - 1))
        let h = max(1, lastHeight - 1)
        if cursor < top { top = cursor }
        if cursor >= top + h { top = cursor - h + 1 }
        top = max(0, min(top, max(0, total - h)))
    }

    /// 可见区间是否已载入。
    public func needsPage(height: Int) -> Bool {
        let h = max(1, height - 1)
        let end = min(total, top + h)
        return !(top >= windowOffset && end <= windowOffset + rows.count) && total > 0
    }

    /// 下一次应请求的页：从 top 起，一屏高度。
    public func pageRequest(height: Int) -> (offset: Int, limit: Int) {
        lastHeight = max(2, height)
        return (top, max(1, height - 1))
    }

    /// 各列实际宽度；0 表示该列被隐藏。
    /// 金额列（keepsUnit）至少和本页最宽的金额一样宽、也不参与压缩：金额截成「2.7… ETH」读起来像另一个数（QA 发现），
    /// 宁可压缩别的 flex 列、隐藏可隐藏的列。
    func columnWidths(_ width: Int) -> [Int] {
        var shown = columns.map { _ in true }
        let base = columns.indices.map { i -> Int in
            guard columns[i].keepsUnit else { return columns[i].width }
            return rows.reduce(columns[i].width) { max($0, i < $1.cells.count ? TextWidth.of($1.cells[i]) : 0) }
        }
        func squeezable(_ i: Int) -> Bool { columns[i].flex && !columns[i].keepsUnit }
        func layout() -> (widths: [Int], overflow: Int) {
            let cols = columns.indices.filter { shown[$0] }
            let gaps = max(0, cols.count - 1) + 2
            let fixed = cols.reduce(0) { $0 + base[$1] }
            let flexCount = cols.filter(squeezable).count
            let extra = width - gaps - fixed
            var w = columns.map { _ in 0 }
            if extra < 0 && flexCount > 0 {
                // 太窄：先压缩（非金额的）flex 列（不窄于列名），剩下的在绘制时从右侧裁掉，绝不越过边框。
                let cut = (-extra + flexCount - 1) / flexCount
                for i in cols { w[i] = squeezable(i) ? max(4, TextWidth.of(columns[i].title), base[i] - cut) : base[i] }
            } else {
                for i in cols { w[i] = base[i] }
                var left = max(0, extra)
                // 按 growOrder 分组依次放宽，每组平分、不超过 maxWidth；除不尽的零头不分（与以前一致）。
                for order in Set(cols.map { columns[$0].growOrder }).sorted() {
                    while left > 0 {
                        let open = cols.filter { columns[$0].flex && columns[$0].growOrder == order && w[$0] < max(base[$0], columns[$0].maxWidth ?? Int.max) }
                        guard !open.isEmpty, left / open.count > 0 else { break }
                        let share = left / open.count
                        for i in open { let add = min(share, max(base[i], columns[i].maxWidth ?? Int.max) - w[i]); w[i] += add; left -= add }
                    }
                }
                // 所有 flex 列都到了上限：剩下的给第一个 flex 列，表格仍铺满。
                if left > 0, columns.contains(where: { $0.maxWidth != nil }), let f = cols.first(where: { columns[$0].flex }) { w[f] += left }
            }
            return (w, cols.reduce(gaps) { $0 + w[$1] } - width)
        }
        // flex 列要被压到基准宽度以下、或仍然放不下时：先从右往左整列隐藏可隐藏的列（宁可少一列，也不把金额截断）。
        func squeezed() -> Bool {
            let cols = columns.indices.filter { shown[$0] }
            let need = cols.reduce(max(0, cols.count - 1) + 2) { $0 + base[$1] }
            return need > width
        }
        for i in columns.indices.reversed() where columns[i].hideable && squeezed() { shown[i] = false }
        return layout().widths
    }

    /// 列头：列名 + 排序标记（▲ 升序、▼ 降序）；热键字母加下划线（列名里没有该字母时写在列名后，暗色下划线）。
    func renderHeader(_ c: TableColumn, into buf: inout CellBuffer, x: Int, y: Int, width w: Int, hotkeyShown: Bool) {
        let st = Style(.title, bold: true)
        let sorted = c.sortKey != nil && sort?.column == c.sortKey
        let mark = sorted ? (sort!.descending ? "▼" : "▲") : ""
        let inTitle = hotkeyShown ? c.hotkeyIndexInTitle : nil
        let suffix = hotkeyShown && inTitle == nil && !sorted ? String(c.hotkey!) : ""
        let text = TextWidth.truncate(c.title + suffix + mark, to: w)
        let pad = c.alignRight ? max(0, w - TextWidth.of(text)) : 0
        buf.put(TextWidth.fit(text, to: w, alignRight: c.alignRight), x: x, y: y, maxWidth: w, style: st)
        guard TextWidth.of(text) == TextWidth.of(c.title + suffix + mark) else { return }   // 被截断了就不再标下划线
        if let i = inTitle {
            let dx = TextWidth.of(String(c.title[..<i]))
            buf.put(String(c.title[i]), x: x + pad + dx, y: y, maxWidth: 1, style: Style(.title, bold: true, underline: true))
        } else if !suffix.isEmpty {
            buf.put(suffix, x: x + pad + TextWidth.of(c.title), y: y, maxWidth: 1, style: Style(.dim, underline: true))
        }
    }

    /// 绘制：表头一行 + 可见数据行。
    /// `boundKeys`：键位表里已占用的字符——被占用的热键不提示（按下去执行的是那个命令，不是排序）。
    public func render(into buf: inout CellBuffer, rect: Rect, strings: Strings, focused: Bool = true, boundKeys: Set<Character> = []) {
        lastHeight = max(2, rect.height)
        clamp()
        let widths = columnWidths(rect.width)
        let right = rect.x + rect.width
        var x = rect.x + 2
        for (i, c) in columns.enumerated() where widths[i] > 0 {
            let w = min(widths[i], right - x)
            if w <= 0 { break }
            renderHeader(c, into: &buf, x: x, y: rect.y, width: w, hotkeyShown: c.hotkey.map { !boundKeys.contains($0) } ?? false)
            x += widths[i] + 1
        }
        var drawn = 0
        if total == 0 {
            buf.put(loaded ? strings[.empty] : strings[.loading], x: rect.x + 2, y: rect.y + 1, maxWidth: rect.width - 2, style: Style(.dim))
        }
        for line in 0..<(rect.height - 1) {
            let abs = top + line
            if abs >= total { break }
            let y = rect.y + 1 + line
            let i = abs - windowOffset
            guard rows.indices.contains(i) else {
                buf.put("…", x: rect.x + 2, y: y, style: Style(.dim)); continue
            }
            let r = rows[i]
            drawn += 1
            let isSel = focused && abs == cursor
            let isMarked = marked.contains(r.id)
            let ch = changed[r.id] ?? []
            // 行首标记列：▶ 光标、● 已标记、Δ 有变化——含义不只靠颜色。
            let marker = isSel ? "▶" : (isMarked ? "●" : (ch.isEmpty ? " " : "Δ"))
            let base = isSel ? Style(.selected) : Style(isMarked ? .marked : r.style)
            if isSel { buf.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base) }
            buf.put(marker, x: rect.x, y: y, style: base)
            var cx = rect.x + 2
            for (ci, fullW) in widths.enumerated() where fullW > 0 {
                let w = min(fullW, right - cx)
                if w <= 0 { break }
                let short = ci < r.cells.count ? r.cells[ci] : ""
                let text = r.full[ci].flatMap { TextWidth.of($0) <= w ? $0 : nil } ?? short
                let st = (!isSel && ch.contains(ci)) ? Style(.delta) : base
                let cell = columns[ci].keepsUnit ? TextWidth.fitKeepingSuffix(text, to: w, alignRight: columns[ci].alignRight)
                                                 : TextWidth.fit(text, to: w, alignRight: columns[ci].alignRight)
                buf.put(cell, x: cx, y: y, maxWidth: w, style: st)
                cx += fullW + 1
            }
        }
        lastDrawnRows = drawn
    }
}
