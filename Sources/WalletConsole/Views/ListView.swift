/// 列表视图基类：一个虚拟化表格 + 过滤 + 分页请求。充值、提现、归集、审计、死信都由它派生。
public class ListView: ConsoleView {
    public let id: ViewID
    public let table: TableWidget
    public var strings: Strings
    public var filter = ListFilter("") {
        didSet { if filter != oldValue { table.reset() } }
    }
    public var commands: [Command] { [.up, .down, .pageUp, .pageDown, .top, .bottom, .filter, .copy] }
    /// 最近一次绘制时表格区域的高度（决定分页大小）。
    public private(set) var tableHeight = 20

    init(id: ViewID, columns: [TableColumn], strings: Strings) {
        self.id = id; self.strings = strings; table = TableWidget(columns: columns)
    }

    func query() -> PageQuery {
        let p = table.pageRequest(height: tableHeight)
        return PageQuery(offset: p.offset, limit: p.limit, filter: filter)
    }

    public func dataRequest() -> DataRequest? { nil }
    public func apply(_ data: ViewData) {}

    public func handle(_ cmd: Command) -> ViewEffect {
        switch cmd {
        case .up, .down, .pageUp, .pageDown, .top, .bottom:
            return table.move(cmd) ? .reload : .none
        case .copy:
            if let r = table.selected, !r.copyValue.isEmpty { return .copy(r.copyValue) }
            return .none
        default: return .none
        }
    }

    public func back() -> Bool { false }

    /// 子类可在表格上方画额外内容，返回占用的行数。
    func renderExtra(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) -> Int { 0 }

    public func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) {
        let extra = renderExtra(into: &buf, rect: rect, ctx: ctx)
        let inner = Rect(x: rect.x, y: rect.y + extra, width: rect.width, height: rect.height - extra)
        let count = ctx.strings.f(.rowsTotal, String(table.total))
        let title = ctx.strings[id.title] + (filter.isEmpty ? "" : " /\(filter.raw)") + " · " + count
        buf.box(inner, title: title)
        tableHeight = max(2, inner.height - 2)
        table.render(into: &buf, rect: inner.inset(1), strings: ctx.strings)
    }
}

public final class DepositsView: ListView {
    public init(strings t: Strings) {
        super.init(id: .deposits, columns: [
            // 资产列与金额里的单位重复：窄终端时先隐藏它。状态列留出重组标记「⚠ 」。
            TableColumn(t[.colAsset], width: 6, hideable: true), TableColumn(t[.colAmount], width: 18, alignRight: true),
            TableColumn(t[.colAddress], width: 13, flex: true), TableColumn(t[.colConfirmations], width: 14),
            TableColumn(t[.colState], width: max(12, Fmt.depositStateWidth(t) + 2)), TableColumn(t[.colAge], width: 5, alignRight: true),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .deposits(query()) }
    public override func apply(_ data: ViewData) {
        guard case .deposits(let p) = data else { return }
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { Fmt.depositRow($0, strings) })
    }
}

public final class AuditView: ListView {
    public init(strings t: Strings) {
        super.init(id: .audit, columns: [
            TableColumn(t[.colTime], width: 19), TableColumn(t[.colActor], width: 10), TableColumn(t[.colAction], width: 12),
            TableColumn(t[.colTarget], width: 10), TableColumn(t[.colCommand], width: 20, flex: true),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .audit(query()) }
    public override func apply(_ data: ViewData) {
        guard case .audit(let p) = data else { return }
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map {
            TableRow(id: $0.id, cells: [$0.time, $0.actor, $0.action, $0.target, $0.cliCommand], copyValue: $0.cliCommand)
        })
    }
}

public final class DeadLettersView: ListView {
    public override var commands: [Command] { super.commands + [.requeue] }
    var page: [DeadLetterRow] = []
    public init(strings t: Strings) {
        super.init(id: .deadLetters, columns: [
            TableColumn(t[.colId], width: 8), TableColumn(t[.colJob], width: 14), TableColumn(t[.colError], width: 20, flex: true),
            TableColumn(t[.colAttempts], width: 5, alignRight: true), TableColumn(t[.colLastAttempt], width: 19),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .deadLetters(query()) }
    public override func apply(_ data: ViewData) {
        guard case .deadLetters(let p) = data else { return }
        page = p.rows
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map {
            TableRow(id: $0.id, cells: [$0.id, $0.job, "✖ " + $0.error, String($0.attempts), $0.lastAttempt], style: .bad)
        })
    }
    public override func handle(_ cmd: Command) -> ViewEffect {
        if cmd == .requeue, let sel = table.selected, let row = page.first(where: { $0.id == sel.id }) { return .requeue(row) }
        return super.handle(cmd)
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
            TableColumn(t[.colTime], width: 19), TableColumn(t[.colSeverity], width: lw),
            TableColumn(t[.colKind], width: 30), TableColumn(t[.colMessage], width: 30, flex: true),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .alerts(query()) }
    public override func apply(_ data: ViewData) {
        guard case .alerts(let p) = data else { return }
        let t = strings
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { a in
            let (label, style) = Self.level(a.level, t)
            return TableRow(id: a.id, cells: [a.time, label, a.kind, a.message], style: style)
        })
    }
}

public final class SweepsView: ListView {
    public private(set) var fees = FeeHistory(baseFeePerGas: [], latestDisplay: "")
    public init(strings t: Strings) {
        super.init(id: .sweeps, columns: [
            // 金额与净额带单位、截断时保留单位，宽终端上和原因列一起分到多余的宽度；窄终端先隐藏资产、Gas 上限、补 Gas。
            TableColumn(t[.colAddress], width: 12), TableColumn(t[.colAsset], width: 6, hideable: true),
            TableColumn(t[.colAmount], width: 14, flex: true, alignRight: true, keepsUnit: true, growOrder: 1, maxWidth: 26),
            TableColumn(t[.colGasLimit], width: 7, alignRight: true, hideable: true),
            TableColumn(t[.colFeeSlow], width: 6, alignRight: true), TableColumn(t[.colFeeNormal], width: 6, alignRight: true),
            TableColumn(t[.colFeeFast], width: 6, alignRight: true),
            TableColumn(t[.colNet], width: 14, flex: true, alignRight: true, keepsUnit: true, growOrder: 1, maxWidth: 26),
            TableColumn(t[.colDecision], width: 9), TableColumn(t[.colReason], width: 10, flex: true, maxWidth: 24),
            TableColumn(t[.colTopUp], width: 7, hideable: true),
        ], strings: t)
    }
    public override func dataRequest() -> DataRequest? { .sweeps(query()) }
    public override func apply(_ data: ViewData) {
        guard case .sweeps(let p, let f) = data else { return }
        fees = f
        table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { s in
            let (sym, role): (String, StyleRole) = s.decision == .sweep ? ("✔ ", .ok) : s.decision == .skip ? ("– ", .dim) : ("⛽ ", .warn)
            return TableRow(id: s.address + s.asset, cells: [TextWidth.shortAddress(s.address), s.asset, s.amount.display,
                                                            String(s.gasLimit), s.feeSlow, s.feeNormal, s.feeFast, s.net.display,
                                                            sym + s.decision.rawValue, s.reason, s.topUpStatus],
                            style: role, copyValue: s.address)
        })
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
