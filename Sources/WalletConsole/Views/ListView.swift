/// 列表视图基类：一个虚拟化表格 + 过滤 + 分页请求。充值、提现、归集、审计、死信都由它派生。
public class ListView: ConsoleView {
    public let id: ViewID
    public let table: TableWidget
    public var strings: Strings
    public var filter = ListFilter("") {
        didSet { if filter != oldValue { table.reset() } }
    }
    /// 详情窗格打开时只有窗格的键（字段间移动、复制、返回）；否则是表格的键。
    public var commands: [Command] {
        if pane != nil { return [.up, .down, .copy, .back] }
        return [.up, .down, .pageUp, .pageDown, .top, .bottom, .filter, .copy] + (supportsDetail ? [.open] : [])
    }
    /// 最近一次绘制时表格区域的高度（决定分页大小）。
    public private(set) var tableHeight = 20
    /// 当前排序（nil = 后端默认顺序）。
    public private(set) var sort: ListSort?
    /// 换排序后第一次取数带上选中项的 id（锚点），让后端返回包含它的那一页。
    var pendingAnchor: String?
    /// 排序只覆盖最新的一个窗口时的真实总数（标题里写明，不假装排了全部）。
    var sortedOf: Int?
    /// 详情窗格（Enter 打开、Esc 关闭）与它显示的那一项。
    public internal(set) var pane: DetailPane?
    public internal(set) var paneId: String?

    init(id: ViewID, columns: [TableColumn], strings: Strings) {
        self.id = id; self.strings = strings; table = TableWidget(columns: columns)
    }

    func query() -> PageQuery {
        let p = table.pageRequest(height: tableHeight)
        defer { pendingAnchor = nil }
        return PageQuery(offset: p.offset, limit: p.limit, filter: filter, sort: sort, anchor: pendingAnchor)
    }

    public func dataRequest() -> DataRequest? { nil }
    public func apply(_ data: ViewData) {}

    // MARK: - 详情窗格

    /// 本视图有没有详情窗格。
    var supportsDetail: Bool { false }
    /// 子类：这一项的详情（标题与字段）；nil = 数据还没到（窗格显示「加载中」）。
    func detailContent(id: String) -> (title: String, fields: [DetailField])? { nil }

    func openPane(_ id: String) {
        let c = detailContent(id: id)
        paneId = id
        pane = DetailPane(title: c?.title ?? strings[.loading], fields: c?.fields ?? [], loading: c == nil)
    }

    /// 新数据到达后刷新窗格（确认数、状态会变）；这一项不在新的一页里时保留上一次的内容，并在标题上写明没有刷新
    /// （新充值把它挤出了当前页、死信已重新入队……），不让人把旧数字当成现在的。
    func refreshPane() {
        guard let id = paneId, let p = pane else { return }
        guard let c = detailContent(id: id) else {
            if !p.fields.isEmpty, !p.title.hasSuffix(strings[.detStale]) { p.title += strings[.detStale] }
            return
        }
        p.title = c.title
        p.update(c.fields)
    }

    /// 窗格底部的按键提示，键名取自键位表（重映射后提示跟着变）。
    func paneHint(_ ctx: RenderContext) -> String {
        func k(_ c: Command) -> String { ctx.keymap.keys(for: c).map(\.label).joined(separator: "/") }
        return ctx.strings.f(.paneHint, k(.down) + " " + k(.up), k(.copy), k(.back))
    }

    // MARK: - 排序

    /// Shift+字母：按热键对应的列升序；同一列再按一次降序，第三次恢复后端的默认顺序（提现回到按紧急度）。
    /// 返回 false = 本视图没有这个热键。
    public func sortBy(hotkey: Character) -> Bool {
        guard pane == nil, let col = table.columns.first(where: { $0.hotkey == hotkey }), let key = col.sortKey else { return false }
        if let s = sort, s.column == key {
            sort = s.descending ? nil : ListSort(key, descending: true)
        } else {
            sort = ListSort(key)
        }
        table.sort = sort
        pendingAnchor = table.selectedId
        return true
    }

    public func handle(_ cmd: Command) -> ViewEffect {
        if let p = pane {
            switch cmd {
            case .up, .down, .pageUp, .pageDown, .top, .bottom:
                p.move(cmd); return .none
            case .copy:
                if let f = p.selected, let v = f.copyValue, !v.isEmpty { return .copyField(f.label, v) }
                return .none
            case .open, .filter, .mark: return .none
            default: break
            }
        }
        switch cmd {
        case .up, .down, .pageUp, .pageDown, .top, .bottom:
            return table.move(cmd) ? .reload : .none
        case .open:
            guard supportsDetail, let r = table.selected else { return .none }
            openPane(r.id)
            return .none
        case .copy:
            if let r = table.selected, !r.copyValue.isEmpty { return .copy(r.copyValue) }
            return .none
        default: return .none
        }
    }

    public func back() -> Bool {
        if pane != nil { pane = nil; paneId = nil; return true }
        return false
    }

    /// 子类可在表格上方画额外内容，返回占用的行数。
    func renderExtra(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) -> Int { 0 }

    public func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) {
        if let p = pane {
            p.render(into: &buf, rect: rect, strings: ctx.strings, hint: paneHint(ctx))
            return
        }
        let extra = renderExtra(into: &buf, rect: rect, ctx: ctx)
        let inner = Rect(x: rect.x, y: rect.y + extra, width: rect.width, height: rect.height - extra)
        var count = ctx.strings.f(.rowsTotal, String(table.total))
        if sort != nil, let all = sortedOf { count = ctx.strings.f(.sortedWindow, String(table.total), String(all)) }
        let title = ctx.strings[id.title] + (filter.isEmpty ? "" : " /\(filter.raw)") + " · " + count
        buf.box(inner, title: title)
        tableHeight = max(2, inner.height - 2)
        let bound = Set(ctx.keymap.bindings.values.flatMap { $0 }.compactMap { k -> Character? in if case .char(let c) = k { return c }; return nil })
        table.render(into: &buf, rect: inner.inset(1), strings: ctx.strings, boundKeys: bound)
    }
}

public final class DepositsView: ListView {
    var page: [DepositRow] = []
    public init(strings t: Strings) {
        super.init(id: .deposits, columns: [
            // 资产列与金额里的单位重复：窄终端时先隐藏它。状态列留出重组标记「⚠ 」。
            // 地址列在宽终端上放宽到整个地址（42 列）；交易哈希列只在放得下时出现（最右、先隐藏），宽终端上显示全哈希。
            TableColumn(t[.colAsset], width: 6, hideable: true, sort: (.asset, "T")),
            TableColumn(t[.colAmount], width: 18, alignRight: true, sort: (.amount, "M")),
            TableColumn(t[.colAddress], width: 13, flex: true, maxWidth: 42, sort: (.address, "D")),
            TableColumn(t[.colConfirmations], width: 14, sort: (.confirmations, "C")),
            TableColumn(t[.colState], width: max(12, Fmt.depositStateWidth(t) + 2), sort: (.state, "S")),
            TableColumn(t[.colAge], width: 5, alignRight: true, sort: (.age, "E")),
            TableColumn(t[.colTxHash], width: 13, flex: true, hideable: true, growOrder: 1, maxWidth: 66),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .deposits(query()) }
    public override func apply(_ data: ViewData) {
        guard case .deposits(let p) = data else { return }
        page = p.rows
        sortedOf = p.sortedOf
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { Fmt.depositRow($0, strings) })
        refreshPane()
    }

    override var supportsDetail: Bool { true }
    override func detailContent(id: String) -> (title: String, fields: [DetailField])? {
        guard let d = page.first(where: { $0.id == id }) else { return nil }
        let t = strings
        let (st, role) = Fmt.deposit(d.state, t)
        return (t.f(.detDepositTitle, d.id), [
            DetailField(t[.colState], (d.reorg ? "⚠ " : "") + st, style: d.reorg ? .reorg : role),
            .copyable(t[.colTxHash], d.txHash),
            DetailField(t[.detBlock], d.blockNumber > 0 ? String(d.blockNumber) : "—", copy: d.blockNumber > 0 ? String(d.blockNumber) : nil),
            DetailField(t[.detLogIndex], d.logIndex >= 0 ? String(d.logIndex) : t[.detNoLog], copy: d.logIndex >= 0 ? String(d.logIndex) : nil),
            .copyable(t[.detUser], d.user),
            .copyable(t[.colAddress], d.address),
            .copyable(t[.colAmount], d.amount.display),
            .copyable(t[.detBaseUnits], d.amount.baseUnits),
            DetailField(t[.colConfirmations], "\(d.confirmations)/\(d.required)"),
            DetailField(t[.colAge], Fmt.age(d.ageSeconds)),
            .copyable(t[.colId], d.id),
        ])
    }
}

public final class AuditView: ListView {
    public init(strings t: Strings) {
        super.init(id: .audit, columns: [
            TableColumn(t[.colTime], width: 19), TableColumn(t[.colActor], width: 10), TableColumn(t[.colAction], width: 12),
            TableColumn(t[.colTarget], width: 10), TableColumn(t[.colCommand], width: 20, flex: true),
        ], strings: t)
    }
    var page: [AuditRow] = []
    public override func dataRequest() -> DataRequest? { .audit(query()) }
    public override func apply(_ data: ViewData) {
        guard case .audit(let p) = data else { return }
        page = p.rows
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map {
            TableRow(id: $0.id, cells: [$0.time, $0.actor, $0.action, $0.target, $0.cliCommand], copyValue: $0.cliCommand)
        })
        refreshPane()
    }

    override var supportsDetail: Bool { true }
    /// 审计详情：CLI 孪生命令全文折行（表格里只放得下开头），复制后可直接重放。
    override func detailContent(id: String) -> (title: String, fields: [DetailField])? {
        guard let a = page.first(where: { $0.id == id }) else { return nil }
        let t = strings
        return (t.f(.detAuditTitle, a.id), [
            .copyable(t[.colCommand], a.cliCommand.isEmpty ? "—" : a.cliCommand),
            .copyable(t[.colTime], a.time), .copyable(t[.colActor], a.actor), .copyable(t[.colAction], a.action),
            .copyable(t[.colTarget], a.target), .copyable(t[.colId], a.id),
        ].map { f in f.value == "—" ? DetailField(f.label, f.value) : f })
    }
}

public final class DeadLettersView: ListView {
    public override var commands: [Command] { super.commands + [.requeue] }
    var page: [DeadLetterRow] = []
    public init(strings t: Strings) {
        super.init(id: .deadLetters, columns: [
            TableColumn(t[.colId], width: 8, sort: (.id, "I")), TableColumn(t[.colJob], width: 14, sort: (.job, "J")),
            TableColumn(t[.colError], width: 20, flex: true, sort: (.error, "E")),
            TableColumn(t[.colAttempts], width: 5, alignRight: true, sort: (.attempts, "N")),
            TableColumn(t[.colLastAttempt], width: 19, sort: (.lastAttempt, "L")),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .deadLetters(query()) }
    public override func apply(_ data: ViewData) {
        guard case .deadLetters(let p) = data else { return }
        page = p.rows
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map {
            TableRow(id: $0.id, cells: [$0.id, $0.job, "✖ " + $0.error, String($0.attempts), $0.lastAttempt], style: .bad)
        })
        refreshPane()
    }
    public override func handle(_ cmd: Command) -> ViewEffect {
        if cmd == .requeue, let id = paneId ?? table.selected?.id, let row = page.first(where: { $0.id == id }) { return .requeue(row) }
        return super.handle(cmd)
    }

    override var supportsDetail: Bool { true }
    /// 死信详情：错误全文按宽度折行（表格里只放得下开头）。
    override func detailContent(id: String) -> (title: String, fields: [DetailField])? {
        guard let r = page.first(where: { $0.id == id }) else { return nil }
        let t = strings
        return (t.f(.detDeadTitle, r.id), [
            .copyable(t[.colError], r.error, style: .bad),
            .copyable(t[.colJob], r.job),
            DetailField(t[.colAttempts], String(r.attempts)),
            .copyable(t[.colLastAttempt], r.lastAttempt),
            .copyable(t[.colId], r.id),
        ])
    }
}

/// 告警（重组、冲正、深度重组停机、卡住/未知交易、熔断、对账不一致、暂挂款、签名器……）：新到旧；严重的红色。
public final class AlertsView: ListView {
    static func level(_ l: AlertLevel, _ t: Strings) -> (String, StyleRole) {
        switch l {
        case .critical: ("✖ " + t[.sevCritical], .bad)
        case .warning: ("⚠ " + t[.sevWarning], .warn)
        case .info: (t[.sevInfo], .normal)
        }
    }
    public init(strings t: Strings) {
        // 级别列按最长的标签定宽（英文 "✖ critical" 不能被截成 "✖ cri…"）。
        let lw = max(TextWidth.of(t[.colSeverity]), AlertLevel.allCases.map { TextWidth.of(Self.level($0, t).0) }.max() ?? 6)
        super.init(id: .alerts, columns: [
            TableColumn(t[.colTime], width: 19, sort: (.time, "T")), TableColumn(t[.colSeverity], width: lw, sort: (.severity, "V")),
            TableColumn(t[.colKind], width: 30, sort: (.kind, "K")), TableColumn(t[.colMessage], width: 30, flex: true),
        ], strings: t)
    }
    var page: [AlertRow] = []
    public override func dataRequest() -> DataRequest? { .alerts(query()) }
    public override func apply(_ data: ViewData) {
        guard case .alerts(let p) = data else { return }
        let t = strings
        page = p.rows
        sortedOf = p.sortedOf
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { a in
            let (label, style) = Self.level(a.level, t)
            return TableRow(id: a.id, cells: [a.time, label, a.kind, a.message], style: style)
        })
        refreshPane()
    }

    override var supportsDetail: Bool { true }
    /// 告警详情：说明全文折行（里面常有交易哈希、金额、提现编号，值班要复制去查）。
    override func detailContent(id: String) -> (title: String, fields: [DetailField])? {
        guard let a = page.first(where: { $0.id == id }) else { return nil }
        let t = strings
        let (label, style) = Self.level(a.level, t)
        return (t.f(.detAlertTitle, a.id), [
            .copyable(t[.colMessage], a.message, style: style),
            DetailField(t[.colSeverity], label, style: style),
            .copyable(t[.colKind], a.kind), .copyable(t[.colTime], a.time), .copyable(t[.colId], a.id),
        ])
    }
}

public final class SweepsView: ListView {
    public private(set) var fees = FeeHistory(baseFeePerGas: [], latestDisplay: "")
    var page: [SweepPlanRow] = []
    public init(strings t: Strings) {
        super.init(id: .sweeps, columns: [
            // 金额与净额带单位、截断时保留单位，宽终端上和原因列一起分到多余的宽度；窄终端先隐藏资产、Gas 上限、补 Gas。
            // 手续费三列与 Gas 上限不设排序热键：同一时刻各地址的每 gas 费几乎相同，而列名后的热键格会挤掉「原因」。
            TableColumn(t[.colAddress], width: 12, sort: (.address, "D")), TableColumn(t[.colAsset], width: 6, hideable: true, sort: (.asset, "T")),
            TableColumn(t[.colAmount], width: 14, flex: true, alignRight: true, keepsUnit: true, growOrder: 1, maxWidth: 26, sort: (.amount, "M")),
            TableColumn(t[.colGasLimit], width: 7, alignRight: true, hideable: true),
            TableColumn(t[.colFeeSlow], width: 6, alignRight: true), TableColumn(t[.colFeeNormal], width: 6, alignRight: true),
            TableColumn(t[.colFeeFast], width: 6, alignRight: true),
            TableColumn(t[.colNet], width: 14, flex: true, alignRight: true, keepsUnit: true, growOrder: 1, maxWidth: 26, sort: (.net, "N")),
            TableColumn(t[.colDecision], width: 9, sort: (.decision, "C")), TableColumn(t[.colReason], width: 10, flex: true, maxWidth: 24),
            TableColumn(t[.colTopUp], width: 7, hideable: true, sort: (.topUp, "U")),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .sweeps(query()) }
    public override func apply(_ data: ViewData) {
        guard case .sweeps(let p, let f) = data else { return }
        fees = f
        page = p.rows
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { s in
            let (sym, role): (String, StyleRole) = s.decision == .sweep ? ("✔ ", .ok) : s.decision == .skip ? ("– ", .dim) : ("⛽ ", .warn)
            return TableRow(id: s.id, cells: [TextWidth.shortAddress(s.address), s.asset, s.amount.display,
                                              String(s.gasLimit), s.feeSlow, s.feeNormal, s.feeFast, s.net.display,
                                              sym + s.decision.rawValue, s.reason, s.topUpStatus],
                            style: role, copyValue: s.address, full: [0: s.address])
        })
        refreshPane()
    }

    override var supportsDetail: Bool { true }
    /// 归集详情：这个地址的金额、gas 与手续费（每 gas 三档、总额最坏/预计）、净额、补 gas。
    override func detailContent(id: String) -> (title: String, fields: [DetailField])? {
        guard let s = page.first(where: { $0.id == id }) else { return nil }
        let t = strings
        var f: [DetailField] = [
            .copyable(t[.colAddress], s.address),
            DetailField(t[.colAsset], s.asset),
            .copyable(t[.colAmount], s.amount.display),
            .copyable(t[.detBaseUnits], s.amount.baseUnits),
            .copyable(t[.colGasLimit], String(s.gasLimit)),
            DetailField(t[.detFeeTiers], "\(s.feeSlow) / \(s.feeNormal) / \(s.feeFast) gwei"),
        ]
        if let m = s.feeMax { f.append(.copyable(t[.detFeeMax], m.display)) }
        if let e = s.feeExpected { f.append(.copyable(t[.detFeeExpected], e.display)) }
        f.append(.copyable(t[.colNet], s.net.display))
        if !s.topUpStatus.isEmpty { f.append(DetailField(t[.colTopUp], s.topUpStatus, style: .warn)) }
        let role: StyleRole = s.decision == .sweep ? .ok : s.decision == .skip ? .dim : .warn
        f.append(DetailField(t[.colDecision], s.decision.rawValue, style: role))
        f.append(DetailField(t[.colReason], s.reason))
        return (t.f(.detSweepTitle, TextWidth.shortAddress(s.address) + " " + s.asset), f)
    }
    override func renderExtra(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) -> Int {
        let label = ctx.strings[.sweepsFeeTrend] + " "
        let used = buf.put(label, x: rect.x + 1, y: rect.y, style: Style(.title))
        let w = max(0, rect.width - used - 20)
        let spark = Sparkline.render(fees.baseFeePerGas, width: w)
        let sw = buf.put(spark, x: rect.x + 1 + used, y: rect.y, maxWidth: w, style: Style(.sparkline))
        buf.put(" " + fees.latestDisplay, x: rect.x + 1 + used + sw, y: rect.y, maxWidth: 19, style: Style(.normal, bold: true))
        return 1
    }
}
