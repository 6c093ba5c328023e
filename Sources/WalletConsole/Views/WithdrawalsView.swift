/// 提现队列（按紧急度，由后端排序）与详情。
public final class WithdrawalsView: ListView {
    public override var commands: [Command] {
        if pane != nil { return super.commands + [.approve, .reject] }
        return super.commands + [.approve, .reject, .mark, .bulkApprove, .back]
    }
    var page: [WithdrawalRow] = []
    public private(set) var detail: WithdrawalDetail?
    /// 详情窗格显示的那一笔（详情要另取一次：白名单、限速、链上收据……）。
    public var detailId: String? { paneId }

    public init(strings t: Strings) {
        super.init(id: .withdrawals, columns: [
            TableColumn(t[.colId], width: 8, sort: (.id, "I")), TableColumn(t[.colAsset], width: 6, hideable: true, sort: (.asset, "T")),
            TableColumn(t[.colAmount], width: 16, alignRight: true, sort: (.amount, "M")),
            // 目标地址在宽终端上放宽到整个地址（42 列），不再缩写。
            TableColumn(t[.colDestination], width: 13, flex: true, maxWidth: 42, sort: (.destination, "D")),
            TableColumn(t[.colApprovals], width: Fmt.approvalsWidth(t), sort: (.approvals, "P")),
            TableColumn(t[.colState], width: max(10, Fmt.withdrawalStateWidth(t)), sort: (.state, "S")),
            TableColumn(t[.colRequestedBy], width: 10, sort: (.requestedBy, "B")), TableColumn(t[.colAge], width: 5, alignRight: true, sort: (.age, "E")),
        ], strings: t)
    }

    public override func dataRequest() -> DataRequest? {
        if let id = paneId { return .withdrawalDetail(id: id) }
        return .withdrawals(query())
    }

    public override func apply(_ data: ViewData) {
        switch data {
        case .withdrawals(let p):
            page = p.rows
            sortedOf = p.sortedOf
            table.setPage(offset: p.offset, total: p.total, rows: p.rows.map { Fmt.withdrawalRow($0, strings) })
        case .withdrawalDetail(let d) where d.row.id == paneId:
            detail = d
            refreshPane()
        default: break
        }
    }

    var selectedRow: WithdrawalRow? {
        if let d = detail, paneId != nil { return d.row }
        guard let sel = table.selected else { return nil }
        return page.first { $0.id == sel.id }
    }

    override var supportsDetail: Bool { true }

    override func openPane(_ id: String) {
        detail = nil
        super.openPane(id)
        pane?.title = strings[.detTitle] + " " + id
    }

    public override func back() -> Bool {
        let closed = super.back()
        if closed { detail = nil }
        return closed
    }

    public override func handle(_ cmd: Command) -> ViewEffect {
        switch cmd {
        case .open:
            guard pane == nil, let r = selectedRow else { return .none }
            openPane(r.id)
            return .reload
        case .approve:
            // 不在这里按状态拦：对话框会说明为什么不能批（已拒绝、已批过、自己发起的）。
            guard let r = selectedRow else { return .none }
            return .approve(r)
        case .reject:
            guard let r = selectedRow, r.state == .pending else { return .none }
            return .reject(r)
        case .mark:
            guard pane == nil, let r = table.selected else { return .none }
            if table.marked.contains(r.id) { table.marked.remove(r.id) } else { table.marked.insert(r.id) }
            return table.move(.down) ? .reload : .none
        case .bulkApprove:
            guard pane == nil else { return .none }
            let ids = table.marked.isEmpty ? (selectedRow.map { [$0.id] } ?? []) : table.marked.sorted()
            return ids.isEmpty ? .none : .bulkApprove(ids)
        case .copy where pane == nil:
            if let r = selectedRow { return .copy(r.destination) }
            return .none
        default:
            return super.handle(cmd)
        }
    }

    /// 详情字段：审批要核对的（白名单、EIP-55、限速、策略、审批人）在前，链上事实（nonce、哈希、区块、实付手续费）在后。
    override func detailContent(id: String) -> (title: String, fields: [DetailField])? {
        guard let d = detail, d.row.id == id else { return nil }
        let t = strings
        let (st, role) = Fmt.withdrawal(d.row.state, t)
        let allow: (String, StyleRole) = {
            switch d.allowlist {
            case .listed(let since): return ("✔ " + t.f(.detListedSince, since), .ok)
            case .notListed: return ("⚠ " + t[.detNotListed], .bad)
            }
        }()
        let notYet = t[.detNotYet]
        var f: [DetailField] = [
            DetailField(t[.colState], st, style: role),
            .copyable(t[.colAmount], d.row.amount.display),
            .copyable(t[.detBaseUnits], d.row.amount.baseUnits),
            .copyable(t[.colDestination], d.row.destination),
            DetailField(t[.detAllowlist], allow.0, style: allow.1),
            DetailField(t[.detEip55], d.eip55Valid ? t[.detEip55Ok] : t[.detEip55Bad], style: d.eip55Valid ? .ok : .bad),
            DetailField(t[.detVelocity], d.velocityUse),
            DetailField(t[.detApprovals], Fmt.approvals(d.row, t)),
            DetailField(t[.detApprovers], d.approvers.isEmpty ? "—" : d.approvers.joined(separator: ", ")),
            DetailField(t[.detRule], d.matchedRule),
            DetailField(t[.detFee], d.feeEstimate.display),
            .copyable(t[.colRequestedBy], d.row.requestedBy),
        ]
        if !d.user.isEmpty { f.append(.copyable(t[.detUser], d.user)) }
        if !d.requestId.isEmpty { f.append(.copyable(t[.detRequestId], d.requestId)) }
        if !d.hotWalletAfter.isEmpty { f.append(DetailField(t[.detHotAfter], d.hotWalletAfter, style: d.hotWalletAfter.hasPrefix("⚠") ? .bad : .normal)) }
        f.append(DetailField(t[.detNonce], d.nonce.map(String.init) ?? notYet, copy: d.nonce.map(String.init)))
        f.append(DetailField(t[.colTxHash], d.txHash.isEmpty ? notYet : d.txHash, copy: d.txHash.isEmpty ? nil : d.txHash))
        f.append(DetailField(t[.detBlock], d.block.map(String.init) ?? (d.txHash.isEmpty ? notYet : t[.detNotMined]), copy: d.block.map(String.init)))
        f.append(DetailField(t[.detFeePaid], d.feePaid?.display ?? notYet, copy: d.feePaid?.display))
        if !d.reason.isEmpty { f.append(.copyable(t[.detReason], d.reason, style: d.row.state == .failed ? .bad : .normal)) }
        f.append(.copyable(t[.colId], d.row.id))
        return (t[.detTitle] + " " + d.row.id, f)
    }
}
