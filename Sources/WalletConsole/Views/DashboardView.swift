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

    /// 走势条：base fee、小费（gwei）与充值速率（笔/分钟）三张图并排。高终端（可用高度 ≥ 30 行）画 4 行高的柱状图（btop 式），
    /// 否则每张图一行迷你图；返回占用的行数。
    func renderCharts(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) -> Int {
        guard let m = model else { return 0 }
        let t = ctx.strings
        let tall = rect.height >= 30
        let h = tall ? 7 : 3
        let box = Rect(x: rect.x, y: rect.y, width: rect.width, height: h)
        // 待出超过余额的资产写进标题：矮终端上没有第四张图，也要看得见。
        let short = m.outflow.filter { ($0.ratio ?? 0) > 1 }.map { g in
            g.asset + " " + ((g.ratio ?? 0).isFinite ? String(format: "%.0f%%", (g.ratio ?? 0) * 100) : "∞")
        }
        buf.box(box, title: t[.chartTitle])
        if !short.isEmpty {
            let warn = " " + t.f(.chartOutflowShort, short.joined(separator: ", ")) + " "
            let x0 = box.x + 2 + TextWidth.of(" " + t[.chartTitle] + " ") + 1
            buf.put(warn, x: x0, y: box.y, maxWidth: max(0, box.x + box.width - 1 - x0), style: Style(.bad, bold: true, reverse: true))
        }
        let series: [(String, [UInt64], String)] = [
            (t[.chartBaseFee], m.fees.baseFeePerGas, m.fees.latestDisplay),
            (t[.chartTip], m.fees.tipPerGas, m.fees.latestTipDisplay.isEmpty ? "—" : m.fees.latestTipDisplay),
            (t[.chartDeposits], m.depositsPerMinute, m.depositsPerMinute.last.map { t.f(.chartPerMinute, String($0)) } ?? "—"),
        ]
        let inner = box.inset(1)
        // 高终端再加第四张：热钱包余额 vs 待出（每个资产一行横条）。
        let n = tall ? 4 : 3
        let w3 = inner.width / n
        if tall {
            let x = inner.x + 1 + 3 * w3, w = inner.width - 3 * w3 - 2
            buf.put(t[.chartOutflow], x: x, y: inner.y, maxWidth: w, style: Style(.title, bold: true))
            for (r, g) in m.outflow.prefix(4).enumerated() {
                let y = inner.y + 1 + r
                let pct = g.ratio.map { $0.isFinite ? String(format: "%.1f%%", $0 * 100) : "∞" } ?? "—"
                let bad = (g.ratio ?? 0) > 1
                let lw = min(6, w / 4)
                buf.put(TextWidth.fit(g.asset, to: lw), x: x, y: y, style: Style(.normal))
                let pw = TextWidth.of(pct) + 1
                let bw = max(0, w - lw - pw - 1)
                let filled = Int(((g.ratio ?? 0).isFinite ? min(1, g.ratio ?? 0) : 1) * Double(bw)) + ((g.ratio ?? 0) > 0 ? 1 : 0)
                let bar = String(repeating: "█", count: min(bw, filled)) + String(repeating: "░", count: max(0, bw - filled))
                buf.put(bar, x: x + lw + 1, y: y, maxWidth: bw, style: Style(bad ? .bad : .sparkline, bold: bad))
                buf.put(" " + pct, x: x + lw + 1 + bw, y: y, maxWidth: pw, style: Style(bad ? .bad : .normal, bold: true))
            }
            if m.outflow.isEmpty { buf.put("—", x: x, y: inner.y + 1, style: Style(.dim)) }
            for r in 0..<inner.height { buf.put("│", x: x - 2, y: inner.y + r, style: Style(.border)) }
        }
        for (i, (label, values, now)) in series.enumerated() {
            let x = inner.x + 1 + i * w3
            let w = (i == 2 && !tall ? inner.width - 2 * w3 : w3) - 2
            if tall {
                let used = buf.put(label + " ", x: x, y: inner.y, maxWidth: w, style: Style(.title, bold: true))
                buf.put(now, x: x + used, y: inner.y, maxWidth: max(0, w - used), style: Style(.normal, bold: true))
                for (r, line) in Sparkline.rows(values, width: w, height: 4, fromZero: i == 2).enumerated() {
                    buf.put(line, x: x, y: inner.y + 1 + r, maxWidth: w, style: Style(.sparkline))
                }
            } else {
                let used = buf.put(label + " ", x: x, y: inner.y, maxWidth: w, style: Style(.title, bold: true))
                let vw = TextWidth.of(now) + 1
                let sw = max(0, w - used - vw)
                let drawn = buf.put(Sparkline.render(values, width: sw), x: x + used, y: inner.y, maxWidth: sw, style: Style(.sparkline))
                buf.put(" " + now, x: x + used + drawn, y: inner.y, maxWidth: max(0, w - used - drawn), style: Style(.normal, bold: true))
            }
            if i > 0 { for r in 0..<inner.height { buf.put("│", x: x - 2, y: inner.y + r, style: Style(.border)) } }
        }
        return h
    }

    public func render(into buf: inout CellBuffer, rect full: Rect, ctx: RenderContext) {
        let t = ctx.strings
        let ch = renderCharts(into: &buf, rect: full, ctx: ctx)
        let rect = Rect(x: full.x, y: full.y + ch, width: full.width, height: full.height - ch)
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
