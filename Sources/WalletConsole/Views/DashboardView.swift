/// 总览：四个实时面板（充值确认、待审提现、归集估算、密钥层级）。
public final class DashboardView: ConsoleView {
    public let id = ViewID.dashboard
    public var filter = ListFilter("")
    public var commands: [Command] { [.refresh] }
    public var strings: Strings
    public let deposits: TableWidget
    public let withdrawals: TableWidget
    public let sweeps: TableWidget
    public let keys: TableWidget
    public private(set) var model: DashboardModel?
    var rowsPerPanel = 8

    public init(strings t: Strings) {
        strings = t
        deposits = TableWidget(columns: [TableColumn(t[.colAsset], width: 5, hideable: true),
                                         TableColumn(t[.colAmount], width: 10, flex: true, alignRight: true),
                                         TableColumn(t[.colConfirmations], width: 10), TableColumn(t[.colState], width: Fmt.depositStateWidth(t))])
        withdrawals = TableWidget(columns: [TableColumn(t[.colId], width: 6), TableColumn(t[.colAmount], width: 12, flex: true, alignRight: true),
                                            TableColumn(t[.colApprovals], width: 5),
                                            // 面板只列未结束的单：按这几种状态的名字定宽。
                                            TableColumn(t[.colState], width: Fmt.withdrawalStateWidth(t, [.pending, .approved, .signing, .broadcast]))])
        sweeps = TableWidget(columns: [TableColumn(t[.colAddress], width: 12, flex: true), TableColumn(t[.colNet], width: 12, alignRight: true, keepsUnit: true),
                                       TableColumn(t[.colDecision], width: 8, hideable: true)])
        keys = TableWidget(columns: [TableColumn(t[.colKeyId], width: 10, flex: true), TableColumn(t[.colTier], width: 5),
                                     TableColumn(t[.colHealth], width: 8), TableColumn(t[.colSignatures], width: 8, alignRight: true)])
    }

    public func dataRequest() -> DataRequest? { .dashboard(rowsPerPanel: rowsPerPanel) }

    public func apply(_ data: ViewData) {
        guard case .dashboard(let m) = data else { return }
        model = m
        let t = strings
        deposits.setPage(offset: 0, total: m.deposits.rows.count, rows: m.deposits.rows.map { d in
            let (st, role) = Fmt.deposit(d.state, t)
            return TableRow(id: d.id, cells: [d.asset, d.amount.display, ProgressBar.render(d.confirmations, of: d.required, width: 10), st],
                            style: d.reorg ? .reorg : role, copyValue: d.txHash)
        })
        withdrawals.setPage(offset: 0, total: m.withdrawals.rows.count, rows: m.withdrawals.rows.map { w in
            let (st, role) = Fmt.withdrawal(w.state, t)
            return TableRow(id: w.id, cells: [w.id, w.amount.display, (w.waitingOn == .you ? "★" : "") + "\(w.approvalsGiven)/\(w.approvalsRequired)", st], style: role)
        })
        sweeps.setPage(offset: 0, total: m.sweeps.rows.count, rows: m.sweeps.rows.map { s in
            TableRow(id: s.address + s.asset, cells: [TextWidth.shortAddress(s.address), s.net.display, s.decision.rawValue])
        })
        keys.setPage(offset: 0, total: m.keys.tiers.count, rows: m.keys.tiers.map { k in
            let (health, role) = Fmt.tierHealth(k.health, t)
            return TableRow(id: k.keyId, cells: [Fmt.keyLabel(k, compact: true), k.tier, health, String(k.signatures)], style: role)
        })
    }

    public func handle(_ cmd: Command) -> ViewEffect { cmd == .refresh ? .reload : .none }

    public func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) {
        let t = ctx.strings
        let lw = rect.width / 2, rw = rect.width - lw
        let th = rect.height / 2, bh = rect.height - th
        rowsPerPanel = max(1, th - 3)
        let panels: [(TableWidget, String, Rect)] = [
            (deposits, t[.panelDeposits], Rect(x: rect.x, y: rect.y, width: lw, height: th)),
            (withdrawals, t[.panelWithdrawals], Rect(x: rect.x + lw, y: rect.y, width: rw, height: th)),
            (sweeps, t[.panelSweeps] + (model.map { " · " + $0.fees.latestDisplay + " " + Sparkline.render($0.fees.baseFeePerGas, width: 12) } ?? ""),
             Rect(x: rect.x, y: rect.y + th, width: lw, height: bh)),
            (keys, t[.panelKeys] + (model.map { " · " + sealText($0.keys.seal, t) } ?? ""), Rect(x: rect.x + lw, y: rect.y + th, width: rw, height: bh)),
        ]
        for (table, title, r) in panels {
            buf.box(r, title: title)
            table.render(into: &buf, rect: r.inset(1), strings: t, focused: false)
        }
    }
}

func sealText(_ s: SealState, _ t: Strings) -> String {
    switch s {
    case .sealed: return "🔒 " + t[.hdrSealed]
    case .unsealing(let p, let n): return "◐ " + t[.hdrUnsealing] + " \(p)/\(n)"
    case .unsealed: return "🔓 " + t[.hdrUnsealed]
    }
}
