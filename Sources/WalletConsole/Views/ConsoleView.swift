/// 视图编号：数字键 1–9 与 `:` 命令名。
public enum ViewID: String, Sendable, CaseIterable {
    case dashboard, deposits, withdrawals, sweeps, keys, ceremony, audit, deadLetters = "deadletters", alerts

    public var title: L {
        switch self {
        case .dashboard: return .viewDashboard
        case .deposits: return .viewDeposits
        case .withdrawals: return .viewWithdrawals
        case .sweeps: return .viewSweeps
        case .keys: return .viewKeys
        case .ceremony: return .viewCeremony
        case .audit: return .viewAudit
        case .deadLetters: return .viewDeadLetters
        case .alerts: return .viewAlerts
        }
    }
}

/// 视图需要的数据：视图只描述需求，由应用循环在输入路径之外去取（视图从不自己取数）。
public enum DataRequest: Sendable, Equatable {
    case dashboard(rowsPerPanel: Int)
    case deposits(PageQuery)
    case withdrawals(PageQuery)
    case withdrawalDetail(id: String)
    case sweeps(PageQuery)
    case keys
    case audit(PageQuery)
    case deadLetters(PageQuery)
    case alerts(PageQuery)
}

public enum ViewData: Sendable {
    case dashboard(DashboardModel)
    case deposits(Page<DepositRow>)
    case withdrawals(Page<WithdrawalRow>)
    case withdrawalDetail(WithdrawalDetail)
    case sweeps(Page<SweepPlanRow>, FeeHistory)
    case keys(KeysModel)
    case audit(Page<AuditRow>)
    case deadLetters(Page<DeadLetterRow>)
    case alerts(Page<AlertRow>)
    case ceremony(CeremonyStep)
}

extension DataRequest {
    /// 执行请求（在后台任务中调用）。
    public func load(from b: ConsoleBackend) async throws -> ViewData {
        switch self {
        case .dashboard(let n): return .dashboard(try await b.dashboard(rowsPerPanel: n))
        case .deposits(let q): return .deposits(try await b.deposits(q))
        case .withdrawals(let q): return .withdrawals(try await b.withdrawals(q))
        case .withdrawalDetail(let id): return .withdrawalDetail(try await b.withdrawalDetail(id: id))
        case .sweeps(let q):
            async let page = b.sweeps(q)
            async let fees = b.feeHistory()
            return .sweeps(try await page, try await fees)
        case .keys: return .keys(try await b.keys())
        case .audit(let q): return .audit(try await b.audit(q))
        case .deadLetters(let q): return .deadLetters(try await b.deadLetters(q))
        case .alerts(let q): return .alerts(try await b.alerts(q))
        }
    }
}

/// 需要应用层处理的意图（对话框、复制、仪式输入等）。
public enum ViewEffect {
    case none
    case reload
    case approve(WithdrawalRow)
    case reject(WithdrawalRow)
    case bulkApprove([String])
    case requeue(DeadLetterRow)
    case unseal(share: Bool)
    case seal
    case copy(String)
    /// 详情窗格里复制选中的字段（状态行写「已复制 字段名：值」）。
    case copyField(String, String)
    case startCeremony
    case ceremony(CeremonyInput)
    /// 中止进行中的仪式（先确认）。
    case abortCeremony
}

public struct RenderContext {
    public var strings: Strings
    public var role: ConsoleRole
    public var keymap: KeyMap
    public var header: HeaderSnapshot?
    public init(strings: Strings, role: ConsoleRole, keymap: KeyMap, header: HeaderSnapshot?) {
        self.strings = strings; self.role = role; self.keymap = keymap; self.header = header
    }
}

/// 一个屏幕。视图读视图模型、画进缓冲、把按键翻译成意图。
public protocol ConsoleView: AnyObject {
    var id: ViewID { get }
    /// 本视图特有的命令（帮助浮层列出；再按角色过滤）。
    var commands: [Command] { get }
    var filter: ListFilter { get set }
    /// 视图在输入文字（过滤框之外的文本，例如仪式测验）时返回 true，此时按键不作快捷键解释。
    var capturesText: Bool { get }
    func dataRequest() -> DataRequest?
    func apply(_ data: ViewData)
    func handle(_ cmd: Command) -> ViewEffect
    func handleText(_ key: Key) -> ViewEffect
    /// Esc：视图内部可后退时返回 true（例如从详情回到列表）。
    func back() -> Bool
    func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext)
}

extension ConsoleView {
    public var capturesText: Bool { false }
    public func handleText(_ key: Key) -> ViewEffect { .none }
    public func back() -> Bool { false }
}

/// 格式化工具：状态带符号，含义不只靠颜色。
enum Fmt {
    static func age(_ s: Int) -> String {
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    static func deposit(_ s: DepositRowState, _ t: Strings) -> (String, StyleRole) {
        switch s {
        case .confirming: return ("◔ " + t[.stConfirming], .warn)
        case .credited: return ("✔ " + t[.stCredited], .ok)
        case .orphaned: return ("✖ " + t[.stOrphaned], .bad)
        case .reversed: return ("↺ " + t[.stReversed], .bad)
        case .suspicious: return ("⚠ " + t[.stSuspicious], .bad)
        }
    }

    /// 签名器健康：✔ 正常、⚠ 降级/不可用、⏸ 封存、✖ 错误；热钱包签名器行首 ★。
    static func tierHealth(_ h: TierHealth, _ t: Strings) -> (String, StyleRole) {
        switch h {
        case .ok: return ("✔ " + t[.hlOk], .ok)
        case .degraded: return ("⚠ " + t[.hlDegraded], .warn)
        case .sealed: return ("⏸ " + t[.hlSealed], .dim)
        case .unavailable: return ("⚠ " + t[.hlUnavailable], .warn)
        case .error: return ("✖ " + t[.hlError], .bad)
        }
    }

    /// compact：总览的窄面板里不留对齐空格，保证名字本身尽量不被截断。
    static func keyLabel(_ k: KeyTierRow, compact: Bool = false) -> String {
        compact ? (k.hotSigner ? "★" : "") + k.keyId : (k.hotSigner ? "★ " : "  ") + k.keyId
    }

    static func withdrawal(_ s: WithdrawalRowState, _ t: Strings) -> (String, StyleRole) {
        switch s {
        case .pending: return ("◷ " + t[.wsPending], .warn)
        case .approved: return ("✔ " + t[.wsApproved], .ok)
        case .rejected: return ("✖ " + t[.wsRejected], .dim)
        case .signing: return ("✎ " + t[.wsSigning], .normal)
        case .broadcast: return ("↗ " + t[.wsBroadcast], .normal)
        case .confirmed: return ("◉ " + t[.wsConfirmed], .ok)
        case .failed: return ("✖ " + t[.wsFailed], .bad)
        }
    }

    /// 状态列宽度：按当前语言最长的状态名（含符号）算，英文状态不再被截成「confi…」。
    static func depositStateWidth(_ t: Strings) -> Int { DepositRowState.allCases.map { TextWidth.of(deposit($0, t).0) }.max() ?? 8 }
    static func withdrawalStateWidth(_ t: Strings, _ states: [WithdrawalRowState] = WithdrawalRowState.allCases) -> Int {
        states.map { TextWidth.of(withdrawal($0, t).0) }.max() ?? 8
    }

    static func role(_ r: ConsoleRole, _ t: Strings) -> String {
        switch r {
        case .viewer: return t[.roleViewer]
        case .operator_: return t[.roleOperator]
        case .approver: return t[.roleApprover]
        case .admin: return t[.roleAdmin]
        }
    }

    static func depositRow(_ d: DepositRow, _ t: Strings) -> TableRow {
        let (st, role) = Fmt.deposit(d.state, t)
        return TableRow(id: d.id, cells: [d.asset, d.amount.display, TextWidth.shortAddress(d.address),
                                          ProgressBar.render(d.confirmations, of: d.required, width: 14),
                                          (d.reorg ? "⚠ " : "") + st, age(d.ageSeconds), TextWidth.shortAddress(d.txHash)],
                        style: d.reorg ? .reorg : role, copyValue: d.txHash.isEmpty ? d.address : d.txHash,
                        full: [2: d.address, 6: d.txHash])
    }

    /// 审批列：「1/2 ★等你」「0/1 等他人」——值班的人一眼看出哪些是自己该处理的。
    static func approvals(_ w: WithdrawalRow, _ t: Strings) -> String {
        let n = "\(w.approvalsGiven)/\(w.approvalsRequired)"
        switch w.waitingOn {
        case .you: return n + " " + t[.waitYou]
        case .others: return n + " " + t[.waitOthers]
        case .nobody: return n
        }
    }
    static func approvalsWidth(_ t: Strings) -> Int { max(TextWidth.of(t[.colApprovals]), 4 + max(TextWidth.of(t[.waitYou]), TextWidth.of(t[.waitOthers]))) }

    static func withdrawalRow(_ w: WithdrawalRow, _ t: Strings) -> TableRow {
        let (st, role) = Fmt.withdrawal(w.state, t)
        return TableRow(id: w.id, cells: [w.id, w.asset, w.amount.display, TextWidth.shortAddress(w.destination),
                                          approvals(w, t), st, w.requestedBy, age(w.ageSeconds)],
                        style: role, copyValue: w.destination, full: [3: w.destination])
    }
}
