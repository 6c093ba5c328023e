/// 提现队列（按紧急度，由后端排序）与详情。
public final class WithdrawalsView: ListView {
    public override var commands: [Command] {
        super.commands + [.open, .approve, .reject, .mark, .bulkApprove, .back]
    }
    var page: [WithdrawalRow] = []
    public private(set) var detail: WithdrawalDetail?
    public private(set) var detailId: String?

    public init(strings t: Strings) {
        super.init(id: .withdrawals, columns: [
            TableColumn(t[.colId], width: 8), TableColumn(t[.colAsset], width: 6, hideable: true),
            TableColumn(t[.colAmount], width: 16, alignRight: true), TableColumn(t[.colDestination], width: 13, flex: true),
            TableColumn(t[.colApprovals], width: Fmt.approvalsWidth(t)), TableColumn(t[.colState], width: max(10, Fmt.withdrawalStateWidth(t))),
            TableColumn(t[.colRequestedBy], width: 10), TableColumn(t[.colAge], width: 5, alignRight: true),
        ], strings: t)
    }

    public override func dataRequest() -> DataRequest? {
        if let id = detailId { return .withdrawalDetail(id: id) }
        return .withdrawals(query())
    }

    public override func apply(_ data: ViewData) {
        switch data {
        case .withdrawals(let p):
            page = p.rows
            table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { Fmt.withdrawalRow($0, strings) })
        case .withdrawalDetail(let d) where d.row.id == detailId:
            detail = d
        default: break
        }
    }

    var selectedRow: WithdrawalRow? {
        if let d = detail, detailId != nil { return d.row }
        guard let sel = table.selected else { return nil }
        return page.first { $0.id == sel.id }
    }

    public override func handle(_ cmd: Command) -> ViewEffect {
        switch cmd {
        case .open:
            guard let r = selectedRow else { return .none }
            detailId = r.id; detail = nil
            return .reload
        case .approve:
            // 不在这里按状态拦：对话框会说明为什么不能批（已拒绝、已批过、自己发起的）。
            guard let r = selectedRow else { return .none }
            return .approve(r)
        case .reject:
            guard let r = selectedRow, r.state == .pending else { return .none }
            return .reject(r)
        case .mark:
            guard let r = table.selected else { return .none }
            if table.marked.contains(r.id) { table.marked.remove(r.id) } else { table.marked.insert(r.id) }
            return table.move(.down) ? .reload : .none
        case .bulkApprove:
            let ids = table.marked.isEmpty ? (selectedRow.map { [$0.id] } ?? []) : table.marked.sorted()
            return ids.isEmpty ? .none : .bulkApprove(ids)
        case .copy:
            if let r = selectedRow { return .copy(r.destination) }
            return .none
        default:
            if detailId != nil { return .none }
            return super.handle(cmd)
        }
    }

    public override func back() -> Bool {
        if detailId != nil { detailId = nil; detail = nil; return true }
        return false
    }

    public override func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) {
        guard detailId != nil else { return super.render(into: &buf, rect: rect, ctx: ctx) }
        let t = ctx.strings
        buf.box(rect, title: t[.detTitle] + " " + (detailId ?? ""))
        guard let d = detail else {
            buf.put(t[.loading], x: rect.x + 2, y: rect.y + 1, style: Style(.dim)); return
        }
        let (st, role) = Fmt.withdrawal(d.row.state, t)
        let allow: (String, StyleRole) = {
            switch d.allowlist {
            case .listed(let since): return ("✔ " + t.f(.detListedSince, since), .ok)
            case .notListed: return ("⚠ " + t[.detNotListed], .bad)
            }
        }()
        let lines: [(String, String, StyleRole)] = [
            (t[.colState], st, role),
            (t[.colAmount], "\(d.row.amount.display)  (\(d.row.amount.baseUnits))", .normal),
            (t[.colDestination], d.row.destination, .normal),
            (t[.detAllowlist], allow.0, allow.1),
            (t[.detEip55], d.eip55Valid ? t[.detEip55Ok] : t[.detEip55Bad], d.eip55Valid ? .ok : .bad),
            (t[.detVelocity], d.velocityUse, .normal),
            (t[.detApprovals], "\(d.row.approvalsGiven)/\(d.row.approvalsRequired)", .normal),
            (t[.detApprovers], d.approvers.isEmpty ? "—" : d.approvers.joined(separator: ", "), .normal),
            (t[.detRule], d.matchedRule, .normal),
            (t[.detFee], d.feeEstimate.display, .normal),
            (t[.colRequestedBy], d.row.requestedBy, .normal),
        ] + (d.hotWalletAfter.isEmpty ? [] : [(t[.detHotAfter], d.hotWalletAfter, d.hotWalletAfter.hasPrefix("⚠") ? .bad : .normal)])
        for (i, l) in lines.enumerated() where i < rect.height - 2 {
            let y = rect.y + 1 + i
            buf.put(TextWidth.fit(l.0, to: 14), x: rect.x + 2, y: y, style: Style(.title))
            buf.put(l.1, x: rect.x + 17, y: y, maxWidth: rect.width - 19, style: Style(l.2))
        }
    }
}
