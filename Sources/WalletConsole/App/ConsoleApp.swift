import Foundation
import Synchronization
import WalletCrypto

/// 后台任务投递给应用循环的事件。
enum AppEvent: Sendable {
    case header(HeaderSnapshot)
    case data(ViewID, generation: Int, ViewData)
    case refreshFailed(String)
    case actionDone(ActionOutcome)
    case actionFailed(String)
    /// 与刷新无关的失败（例如 `:approve 999` 找不到这笔提现）。
    case failed(String)
    case openApprove(WithdrawalDetail)
    case openReject(WithdrawalRow)
    /// 可批的 id、它们的汇总、逐笔显示的行（含跳过的及原因）。
    case openBulk([String], BulkPreview?, [String])
    case ceremonyStarted(any CeremonySession, CeremonyStep)
    case ceremonyStep(CeremonyStep)
    case ceremonyError(String)
}

/// 应用循环：输入 → 视图意图 → 后台任务；后台结果经 Mailbox 回到循环；每帧只把差异交给驱动。
public final class ConsoleApp {
    enum Mode {
        case normal
        case filter(TextField)
        case command(CommandLineWidget)
        case dialog(Dialog, Purpose)
        case help
        case messages(scroll: Int)
    }
    enum Purpose { case approve(String), reject(String), bulk([String]), requeue(String), unseal(share: Bool), seal, quit, abortCeremony }

    public static let minSize = Size(cols: 80, rows: 24)

    let backend: ConsoleBackend
    public let driver: TerminalDriver
    public private(set) var config: ConsoleConfig
    public var strings: Strings
    public private(set) var views: [ViewID: ConsoleView] = [:]
    public private(set) var current: ViewID = .dashboard
    public private(set) var header: HeaderSnapshot?
    var headerChanged: Set<String> = []
    var mode: Mode = .normal
    /// 状态行消息：显示 `statusTTL` 秒后自动消失；每条都进消息记录（`:messages`）。
    public private(set) var status = "" {
        didSet { if !status.isEmpty { logStatus() } }
    }
    var statusAt = Date.distantPast
    public static let statusTTL: TimeInterval = 10
    public struct LoggedMessage: Sendable, Equatable { public let text: String; public var at: Date; public var count: Int }
    /// 消息记录（最旧在前，最多 500 条；同一消息连续出现只记一次并计数）。
    public private(set) var messages: [LoggedMessage] = []
    /// 新严重告警响铃的次数（测试断言用；铃声本身写给终端）。
    public private(set) var bells = 0
    /// 最近一次拿到页头数据的时刻（单调秒）：页头显示「刷新于 N 秒前」，过久变成醒目的未刷新警告。
    var lastHeaderAt: Double?
    /// 时钟（全项目同一个 WalletClock；测试注入 ManualClock 验证消息过期）。
    public var clock: any WalletClock = SystemClock()
    /// 上一帧状态行是否显示了消息（消息到期时主循环据此重画）。
    var footerShowedStatus = false
    public private(set) var quitRequested = false
    var front: CellBuffer?
    var resolved: ResolvedTheme
    let mailbox = Mailbox<AppEvent>()
    public let refreshGate = RefreshGate()
    var tasks: [(task: Task<Void, Never>, done: DoneFlag)] = []
    var generation: [ViewID: Int] = [:]
    var actionsInFlight = 0
    var ceremony: (any CeremonySession)?
    var lastCeremonyWasSecret = false
    /// 测试与基准：最近一帧写出的格数、帧数。
    public private(set) var framesRendered = 0

    public init(backend: ConsoleBackend, driver: TerminalDriver, config: ConsoleConfig) {
        self.backend = backend; self.driver = driver; self.config = config
        strings = Strings(config.lang)
        resolved = config.theme.resolved(for: driver.colorDepth)
        let t = strings
        let all: [ConsoleView] = [DashboardView(strings: t), DepositsView(strings: t), WithdrawalsView(strings: t),
                                  SweepsView(strings: t), KeysView(strings: t), CeremonyView(), AuditView(strings: t),
                                  DeadLettersView(strings: t), AlertsView(strings: t)]
        for v in all { views[v.id] = v }
        // init 里不触发 didSet：手动记入消息记录（每条警告都记，状态行显示第一条）。
        for w in config.startupWarnings.reversed() { status = "⚠ " + w; logStatus() }
    }

    /// 当前角色：`--readonly` 一律 viewer；否则以引擎报告的登录角色为准（未知前按 viewer）。
    public var role: ConsoleRole { config.readonly ? .viewer : (header?.role ?? .viewer) }
    public var view: ConsoleView { views[current]! }
    public var themeName: String { config.theme.name }
    public var isDialogOpen: Bool { if case .dialog = mode { return true }; return false }
    public var dialog: Dialog? { if case .dialog(let d, _) = mode { return d }; return nil }

    func logStatus() {
        let now = Date(timeIntervalSince1970: TimeInterval(clock.unixTime()))
        statusAt = now
        if let last = messages.last, last.text == status {
            messages[messages.count - 1].at = now; messages[messages.count - 1].count += 1
        } else {
            messages.append(LoggedMessage(text: status, at: now, count: 1))
            if messages.count > 500 { messages.removeFirst(messages.count - 500) }
        }
    }

    /// 状态行此刻是否显示消息。
    public var statusVisible: Bool { !status.isEmpty && Date(timeIntervalSince1970: TimeInterval(clock.unixTime())).timeIntervalSince(statusAt) < Self.statusTTL }

    // MARK: - 数据刷新（不在输入路径上）

    /// 启动一次后台刷新（页头 + 当前视图）。上一次未完成则丢弃本次，返回 false。
    @discardableResult
    public func requestRefresh() -> Bool {
        guard refreshGate.tryBegin() else { return false }
        let req = view.dataRequest()
        let vid = current
        let gen = (generation[vid] ?? 0)
        let backend = self.backend, box = mailbox, gate = refreshGate, lang = config.lang
        spawn {
            defer { gate.end() }
            do {
                box.post(.header(try await backend.header()))
                if let r = req { box.post(.data(vid, generation: gen, try await r.load(from: backend))) }
            } catch { box.post(.refreshFailed(describe(error, lang))) }
        }
        return true
    }

    /// 视图换页/换过滤条件时立即取数（不经闸门；旧代数的结果会被丢弃）。
    func loadCurrentView() {
        guard let req = view.dataRequest() else { return }
        let vid = current
        let gen = (generation[vid] ?? 0) + 1
        generation[vid] = gen
        let backend = self.backend, box = mailbox, lang = config.lang
        spawn {
            do { box.post(.data(vid, generation: gen, try await req.load(from: backend))) } catch {
                box.post(.refreshFailed(describe(error, lang)))
            }
        }
    }

    func spawn(_ body: @escaping @Sendable () async -> Void) {
        // 只保留未结束的任务：每次刷新都会新建任务，若不清理，控制台开一夜这个数组就一直涨。
        tasks.removeAll { $0.done.isSet }
        let flag = DoneFlag()
        tasks.append((Task.detached { await body(); flag.set() }, flag))
    }

    /// 等待所有后台任务结束并处理其结果（测试用，使结果确定）。
    public func settle() async {
        while !tasks.isEmpty {
            let t = tasks; tasks = []
            for entry in t { await entry.task.value }
            drain()
        }
        drain()
    }

    /// 取出后台结果并应用。返回是否有变化。
    @discardableResult
    public func drain() -> Bool {
        let events = mailbox.drain()
        for e in events { apply(e) }
        return !events.isEmpty
    }

    func apply(_ e: AppEvent) {
        switch e {
        case .header(let h):
            if let old = header {
                var ch: Set<String> = []
                if old.headHeight != h.headHeight { ch.insert("head") }
                if old.scanLag != h.scanLag { ch.insert("lag") }
                if old.node != h.node { ch.insert("node") }
                if old.breaker != h.breaker { ch.insert("breaker") }
                if old.seal != h.seal { ch.insert("seal") }
                if old.cluster != h.cluster { ch.insert("cluster") }
                headerChanged = ch
                // 新的严重告警：响铃一次（启动时已有的不响——值班的人已经看过了）。
                if let a = h.latestAlert, a.level == .critical, a.id != old.latestAlert?.id {
                    bells += 1
                    driver.writeRaw("\u{07}")
                }
            }
            header = h
            lastHeaderAt = clock.now()
        case .data(let vid, let gen, let d):
            // 翻页后旧请求的结果作废。
            if let g = generation[vid], gen < g { return }
            views[vid]?.apply(d)
            // 光标跟着选中项移出了已载入的窗口：按新位置取那一页。
            if vid == current, let lv = view as? ListView, lv.table.needsPage(height: lv.tableHeight) { loadCurrentView() }
        case .refreshFailed(let m): status = "✖ " + strings.f(.refreshFailed, m)
        case .actionDone(let o):
            actionsInFlight -= 1
            status = "✔ " + strings.f(.actionDone, o.cliCommand) + (o.message.isEmpty ? "" : " — " + o.message)
            loadCurrentView()
        case .actionFailed(let m):
            actionsInFlight -= 1
            status = "✖ " + m
        case .failed(let m): status = "✖ " + m
        case .openApprove(let d): openApprove(d)
        case .openReject(let row): openReject(row)
        case .openBulk(let ids, let p, let lines):
            let action = ConsoleAction.bulkApprove(ids: ids)
            // 逐笔列出（放不下的部分写「另有 N 笔」）；不能批的在打开前就剔除并说明原因。
            let room = max(3, driver.size.rows - 14)
            var body = lines.count > room ? Array(lines.prefix(room - 1)) + [strings.f(.bulkMore, String(lines.count - room + 1))] : lines
            guard let p, !ids.isEmpty else {
                mode = .dialog(Dialog(title: strings[.dlgBulkTitle], body: body, confirmLabel: strings[.dlgApprove],
                                      blocked: strings[.bulkNoneValid]), .bulk([]))
                return
            }
            body.insert(strings.f(.dlgBulkSummary, String(p.count), p.total, String(p.uniqueRecipients)), at: 0)
            let d = Dialog(title: strings[.dlgBulkTitle], body: body,
                           prompt: strings.f(.dlgBulkTypeHint, String(p.count)), mustType: String(p.count),
                           confirmLabel: strings[.dlgApprove], cliTwin: backend.cliTwin(for: action))
            mode = .dialog(d, .bulk(ids))
        case .ceremonyStarted(let s, let step):
            ceremony = s
            applyCeremony(step)
        case .ceremonyStep(let step): applyCeremony(step)
        case .ceremonyError(let m): (views[.ceremony] as? CeremonyView)?.fail(m)
        }
    }

    /// 机密步骤离开后清屏并整屏重绘，避免残留在终端缓冲里。
    func applyCeremony(_ step: CeremonyStep) {
        views[.ceremony]?.apply(.ceremony(step))
        if lastCeremonyWasSecret && !step.showsSecret { invalidate() }
        lastCeremonyWasSecret = step.showsSecret
        if case .finished = step { ceremony = nil }
        if case .aborted = step { ceremony = nil }
        // 仪式进行中 Ctrl-C / Ctrl-\ 不能直接杀掉进程（会留下写了一半的密钥库条目）：关掉终端的信号键，
        // 让它们作为按键到达，再弹出「退出？」确认（默认取消）。仪式结束后恢复。
        driver.setSignalKeys(ceremony == nil)
    }

    public func invalidate() {
        front = nil
        driver.invalidate()
    }

    // MARK: - 输入

    public func handle(_ key: Key) {
        if key == .resize { invalidate(); return }
        // 仪式进行中按 Ctrl-C / Ctrl-\（信号键已关，作为按键到达）：与 q 相同，先确认。
        if ceremony != nil, key == .ctrl("c") || key == .char("\u{1c}") {
            if case .dialog = mode { return }
            mode = .dialog(Dialog(title: strings[.dlgQuitTitle], body: [strings[.dlgQuitBody]], confirmLabel: strings[.dlgQuit]), .quit)
            return
        }
        switch mode {
        case .help:
            if key == .esc || config.keymap.command(for: key, role: role) == .help || key == .char("q") { mode = .normal }
            return
        case .messages(let scroll):
            switch config.keymap.command(for: key, role: role) {
            case .up: mode = .messages(scroll: max(0, scroll - 1))
            case .down: mode = .messages(scroll: scroll + 1)
            case .pageUp: mode = .messages(scroll: max(0, scroll - 10))
            case .pageDown: mode = .messages(scroll: scroll + 10)
            default: if key == .esc || key == .char("q") || key == .enter { mode = .normal }
            }
            return
        case .dialog(let d, let purpose):
            switch d.handle(key) {
            case .none: break
            case .cancelled: mode = .normal
            case .confirmed(let text, let secret):
                mode = .normal
                confirm(purpose, text: text, secret: secret)
            }
            return
        case .filter(let f):
            switch key {
            case .esc: f.clear(); mode = .normal; setFilter("")
            case .enter: mode = .normal
            default: f.handle(key); setFilter(f.text)
            }
            return
        case .command(let c):
            switch key {
            case .esc: mode = .normal
            case .tab: c.complete()
            case .enter: mode = .normal; execute(c.text)
            default: c.field.handle(key)
            }
            return
        case .normal: break
        }
        if view.capturesText && key != .esc {
            perform(view.handleText(key)); return
        }
        guard let cmd = config.keymap.command(for: key, role: role) else {
            // Shift+字母（键位表没占用的大写字母）：按该列排序（再按降序，第三次恢复默认顺序）；选中项不变（后端按锚点返回它所在的页）。
            if case .char(let c) = key, c.isUppercase, !config.keymap.isBound(key), let lv = view as? ListView, lv.sortBy(hotkey: c) {
                loadCurrentView()
            }
            return
        }
        switch cmd {
        case .quit:
            if actionsInFlight > 0 || ceremony != nil {
                mode = .dialog(Dialog(title: strings[.dlgQuitTitle], body: [strings[.dlgQuitBody]], confirmLabel: strings[.dlgQuit]), .quit)
            } else { quitRequested = true }
        case .back:
            if !view.back() { if current != .dashboard { switchTo(.dashboard) } } else { loadCurrentView() }
        case .help: mode = .help
        case .filter:
            guard let lv = views[current] as? ListView, lv.pane == nil else { return }
            let f = TextField(); f.set(view.filter.raw); mode = .filter(f)
        case .commandLine: mode = .command(CommandLineWidget(commands: completions()))
        case .nextView, .prevView:
            let all = ViewID.allCases
            var i = all.firstIndex(of: current)!
            repeat {
                i = (i + (cmd == .nextView ? 1 : all.count - 1)) % all.count
            } while all[i] == .ceremony && !allowedSilently(.ceremony)
            switchTo(all[i])
        case .view1, .view2, .view3, .view4, .view5, .view6, .view7, .view8, .view9:
            let n = Int(cmd.rawValue.dropFirst(4))! - 1
            switchTo(ViewID.allCases[n])
        case .refresh: requestRefresh()
        default:
            // 无权限的命令已在 KeyMap 里被视为未绑定；这里再按角色复核一次。
            guard RolePolicy.permits(role, cmd) else { return }
            perform(view.handle(cmd))
        }
    }

    func setFilter(_ text: String) {
        let f = ListFilter(text)
        if view.filter != f { view.filter = f; loadCurrentView() }
    }

    public func switchTo(_ id: ViewID) {
        guard id != current else { return }
        // 仪式视图只对 admin 存在。
        if id == .ceremony && !allowedSilently(.ceremony) { return }
        // 离开仪式视图时正显示助记词/份额：标记为已隐藏，回来后不再显示（只显示一次），并清屏。
        if current == .ceremony, let cv = views[.ceremony] as? CeremonyView, cv.step?.showsSecret == true {
            cv.hideSecret(); invalidate()
        }
        current = id
        loadCurrentView()
    }

    func perform(_ e: ViewEffect) {
        let t = strings
        switch e {
        case .none: break
        case .reload: loadCurrentView()
        case .copy(let value):
            let b64 = Data(value.utf8).base64EncodedString()
            driver.writeRaw("\u{1b}]52;c;\(b64)\u{07}")
            status = "✔ " + t.f(.copied, value)
        case .copyField(let label, let value):
            driver.writeRaw("\u{1b}]52;c;\(Data(value.utf8).base64EncodedString())\u{07}")
            status = "✔ " + t.f(.copiedField, label, value)
        case .approve(let row):
            guard allowed(.approve) else { return }
            // 先取详情：对话框要显示申请人、请求号、白名单、已审批人等，并在打开前判断能不能批。
            fetchApprove(row.id)
        case .reject(let row):
            guard allowed(.reject) else { return }
            openReject(row)
        case .bulkApprove(let ids):
            guard allowed(.bulkApprove) else { return }
            let backend = self.backend, box = mailbox, lang = config.lang, t = strings, me = header?.operatorName
            spawn {
                var valid: [String] = [], lines: [String] = [], skipped: [String] = []
                for id in ids {
                    do {
                        let d = try await backend.withdrawalDetail(id: id)
                        if let why = Self.approveBlocker(d, me: me, t) { skipped.append(t.f(.blkSkipped, id, why)); continue }
                        valid.append(id)
                        lines.append("#\(id)  \(d.row.amount.display) → \(TextWidth.shortAddress(d.row.destination))  \(d.row.approvalsGiven)/\(d.row.approvalsRequired)")
                    } catch { skipped.append(t.f(.blkSkipped, id, describe(error, lang))) }
                }
                do {
                    let p = valid.isEmpty ? nil : try await backend.bulkPreview(ids: valid)
                    box.post(.openBulk(valid, p, lines + skipped))
                } catch { box.post(.failed(describe(error, lang))) }
            }
        case .requeue(let row):
            guard allowed(.requeue) else { return }
            mode = .dialog(Dialog(title: t.f(.dlgRequeueTitle, row.id), body: [row.job, row.error], confirmLabel: t[.dlgRequeue],
                                  cliTwin: backend.cliTwin(for: .requeue(deadLetterId: row.id))), .requeue(row.id))
        case .seal:
            guard allowed(.seal) else { return }
            mode = .dialog(Dialog(title: t[.dlgSealTitle], body: [t[.dlgSealBody]], confirmLabel: t[.actSeal],
                                  cliTwin: backend.cliTwin(for: .seal)), .seal)
        case .unseal(let share):
            guard allowed(.unseal) else { return }
            mode = .dialog(Dialog(title: t[.dlgUnsealTitle], body: [], prompt: share ? t[.dlgUnsealShare] : t[.dlgUnsealPassphrase],
                                  requireText: true, secret: true, confirmLabel: t[.actUnseal]), .unseal(share: share))
        case .startCeremony:
            guard allowed(.ceremony) else { return }
            current = .ceremony
            let backend = self.backend, box = mailbox, lang = config.lang
            spawn {
                do {
                    let s = try await backend.startCeremony()
                    box.post(.ceremonyStarted(s, await s.current()))
                } catch { box.post(.ceremonyError(describe(error, lang))) }
            }
        case .ceremony(let input):
            guard allowed(.ceremony), let s = ceremony else { return }
            let box = mailbox, lang = config.lang
            spawn {
                do { box.post(.ceremonyStep(try await s.submit(input))) } catch {
                    // 出错时引擎可能已经退回别的步骤（核对词答错 → 回到抄写页）：立即按引擎的当前步骤显示，再显示原因。
                    // 以前界面还停在测验上，下一个（正确的）词被送给了抄写页，看起来像答错。
                    box.post(.ceremonyStep(await s.current()))
                    box.post(.ceremonyError(describe(error, lang)))
                }
            }
        case .abortCeremony:
            guard allowed(.ceremony), ceremony != nil else { return }
            mode = .dialog(Dialog(title: t[.dlgAbortCeremonyTitle], body: [t[.dlgAbortCeremonyBody]], confirmLabel: t[.actAbortCeremony]),
                           .abortCeremony)
        }
    }

    func allowed(_ k: ActionKind) -> Bool {
        if RolePolicy.allowed(role).contains(k) { return true }
        status = "✖ " + strings.f(.notPermitted, k.rawValue)
        return false
    }

    func fetchApprove(_ id: String) {
        let backend = self.backend, box = mailbox, lang = config.lang, t = strings
        spawn {
            do { box.post(.openApprove(try await backend.withdrawalDetail(id: id))) } catch {
                box.post(.failed(t.f(.lookupFailed, id, describe(error, lang))))
            }
        }
    }

    /// 当前登录者为什么不能批这笔（nil = 可以批）。只是为了不给出注定失败的按钮；真正的判定仍在引擎。
    static func approveBlocker(_ d: WithdrawalDetail, me: String?, _ t: Strings) -> String? {
        if d.row.state != .pending { return t.f(.blkState, Fmt.withdrawal(d.row.state, t).0) }
        if let me, d.row.requestedBy == me { return t[.blkOwn] }
        if let me, d.approverNames.contains(me) { return t.f(.blkAlready, "\(d.row.approvalsGiven)/\(d.row.approvalsRequired)") }
        return nil
    }

    func openApprove(_ d: WithdrawalDetail) {
        let t = strings, row = d.row
        let c = t[.colon]
        let allow: String = {
            switch d.allowlist {
            case .listed(let since): return "✔ " + t.f(.detListedSince, since)
            case .notListed: return "⚠ " + t[.detNotListed]
            }
        }()
        var body = [t[.colAmount] + c + row.amount.display, t[.colDestination] + c + row.destination,
                    t[.detAllowlist] + c + allow, t[.colRequestedBy] + c + row.requestedBy]
        if !d.user.isEmpty { body.append(t[.detUser] + c + d.user) }
        if !d.requestId.isEmpty { body.append(t[.detRequestId] + c + d.requestId) }
        body += [t[.detRule] + c + d.matchedRule, t[.detVelocity] + c + d.velocityUse, t[.detFee] + c + d.feeEstimate.display]
        if !d.hotWalletAfter.isEmpty { body.append(t[.detHotAfter] + c + d.hotWalletAfter) }
        body += [
                 t[.colApprovals] + c + "\(row.approvalsGiven)/\(row.approvalsRequired)",
                 t[.detApprovers] + c + (d.approvers.isEmpty ? "—" : d.approvers.joined(separator: ", "))]
        let blocker = Self.approveBlocker(d, me: header?.operatorName, t)
        let dlg = Dialog(title: t.f(.dlgApproveTitle, row.id), body: body,
                         prompt: t[.dlgApproveTypeHint], mustType: String(row.destination.suffix(4)),
                         confirmLabel: t[.dlgApprove], cliTwin: backend.cliTwin(for: .approve(id: row.id)), blocked: blocker)
        mode = .dialog(dlg, .approve(row.id))
    }

    func openReject(_ row: WithdrawalRow) {
        let t = strings
        let action = ConsoleAction.reject(id: row.id, reason: "…")
        mode = .dialog(Dialog(title: t.f(.dlgRejectTitle, row.id), body: ["\(row.amount.display) → \(row.destination)"],
                              prompt: t[.dlgRejectReason], requireText: true, confirmLabel: t[.dlgReject],
                              cliTwin: backend.cliTwin(for: action)), .reject(row.id))
    }

    func confirm(_ p: Purpose, text: String, secret: SecretBytes?) {
        let action: ConsoleAction
        switch p {
        case .quit: quitRequested = true; return
        case .abortCeremony:
            guard let s = ceremony else { return }
            let box = mailbox
            spawn { await s.abort(); box.post(.ceremonyStep(await s.current())) }
            return
        case .approve(let id): action = .approve(id: id)
        case .reject(let id): action = .reject(id: id, reason: text)
        case .bulk(let ids):
            guard !ids.isEmpty else { return }
            action = .bulkApprove(ids: ids)
            // 批量动作已经发出：清掉标记，免得下一次误把同一批又批一遍。
            (views[.withdrawals] as? WithdrawalsView)?.table.marked = []
        case .requeue(let id): action = .requeue(deadLetterId: id)
        case .seal: action = .seal
        case .unseal(let share):
            guard let s = secret else { return }
            action = share ? .unsealShare(s) : .unsealPassphrase(s)
        }
        guard allowed(action.kind) else { return }
        run(action)
    }

    func run(_ action: ConsoleAction) {
        actionsInFlight += 1
        let backend = self.backend, box = mailbox, lang = config.lang
        spawn {
            do { box.post(.actionDone(try await backend.perform(action))) } catch { box.post(.actionFailed(describe(error, lang))) }
        }
    }

    // MARK: - 命令行

    /// 按角色给出的补全表：无权的命令不出现。
    func completions() -> [String: [String]] {
        var c: [String: [String]] = [:]
        for v in ViewID.allCases where v != .ceremony || allowedSilently(.ceremony) { c[v.rawValue] = [] }
        c["theme"] = BuiltinThemes.names
        c["quit"] = []
        c["help"] = []
        c["messages"] = []
        if allowedSilently(.approve) || allowedSilently(.reject) {
            let ids = ((views[.withdrawals] as? WithdrawalsView)?.page ?? []).filter { $0.state == .pending }.map(\.id)
            if allowedSilently(.approve) { c["approve"] = ids }
            if allowedSilently(.reject) { c["reject"] = ids }
        }
        if allowedSilently(.unseal) && header?.seal != .unsealed { c["unseal"] = ["passphrase", "share"] }
        if allowedSilently(.seal) { c["seal"] = [] }
        return c
    }

    func allowedSilently(_ k: ActionKind) -> Bool { RolePolicy.allowed(role).contains(k) }

    /// 执行 `:` 命令。
    public func execute(_ line: String) {
        let parts = line.split(separator: " ").map(String.init)
        guard let head = parts.first else { return }
        let arg = parts.count > 1 ? parts[1] : nil
        if let v = ViewID(rawValue: head), v != .ceremony || allowedSilently(.ceremony) { switchTo(v); return }
        switch head {
        case "q", "quit": handle(config.keymap.keys(for: .quit).first ?? .char("q"))
        case "help": mode = .help
        case "messages", "msg": mode = .messages(scroll: 0)
        case "theme":
            guard let name = arg else { return }
            let (theme, err) = ThemeParser.load(nameOrPath: name, readFile: { try? String(contentsOfFile: $0, encoding: .utf8) })
            if let e = err { status = "✖ " + strings.f(.themeInvalid, e.reason(config.lang)) + strings.f(.themeKept, config.theme.name); return }
            config.theme = theme
            resolved = theme.resolved(for: driver.colorDepth)
            invalidate()
            status = "✔ " + strings.f(.themeChanged, theme.name)
            let backend = self.backend
            spawn { _ = try? await backend.perform(.setTheme(name: theme.name)) }
        case "approve", "reject":
            guard allowed(head == "approve" ? .approve : .reject), let id = arg else { return }
            let backend = self.backend, box = mailbox, lang = config.lang, t = strings
            let isApprove = head == "approve"
            spawn {
                do {
                    let d = try await backend.withdrawalDetail(id: id)
                    box.post(isApprove ? .openApprove(d) : .openReject(d.row))
                } catch { box.post(.failed(t.f(.lookupFailed, id, describe(error, lang)))) }
            }
        case "unseal":
            if header?.seal == .unsealed { status = "✔ " + strings[.alreadyUnsealed]; return }
            perform(.unseal(share: arg == "share"))
        case "seal":
            perform(.seal)
        default:
            status = "✖ " + strings.f(.unknownCommand, head)
        }
    }

    // MARK: - 渲染

    /// 画一帧并只把差异交给驱动。
    public func render() {
        // 只有默认状态行会显示消息；其余情况（命令行、过滤框、终端太小）视为未显示，免得主循环以为消息还挂着、每轮都重画。
        footerShowedStatus = false
        let size = driver.size
        var buf = CellBuffer(size: size)
        buf.fill(Rect(x: 0, y: 0, width: size.cols, height: size.rows), style: Style(.normal))
        if size.cols < Self.minSize.cols || size.rows < Self.minSize.rows {
            let msg = strings[.tooSmall]
            let hint = strings.f(.tooSmallHint, String(size.cols), String(size.rows))
            buf.put("⚠ " + msg, x: max(0, (size.cols - TextWidth.of(msg) - 2) / 2), y: size.rows / 2 - 1, style: Style(.notice))
            buf.put(hint, x: max(0, (size.cols - TextWidth.of(hint)) / 2), y: size.rows / 2 + 1, style: Style(.normal))
        } else {
            let ctx = RenderContext(strings: strings, role: role, keymap: config.keymap, header: header)
            renderHeader(into: &buf, width: size.cols)
            renderTabs(into: &buf, width: size.cols)
            view.render(into: &buf, rect: Rect(x: 0, y: 2, width: size.cols, height: size.rows - 3), ctx: ctx)
            renderFooter(into: &buf, size: size)
            switch mode {
            case .dialog(let d, _): d.render(into: &buf, screen: size, strings: strings)
            case .help:
                var lines = HelpOverlay.lines(commands: globalCommands + view.commands, keymap: config.keymap, role: role, strings: strings)
                if let lv = view as? ListView, lv.pane == nil, lv.table.columns.contains(where: { $0.hotkey != nil }) {
                    lines.append(TextWidth.fit(strings[.sortHotkeyLabel], to: 12) + " " + strings[.actSort])
                }
                HelpOverlay.render(into: &buf, screen: size, lines: lines, strings: strings)
            case .messages(let scroll): renderMessages(into: &buf, size: size, scroll: scroll)
            default: break
            }
        }
        let changes = buf.diff(from: front)
        driver.apply(changes, theme: resolved)
        front = buf
        framesRendered += 1
    }

    var globalCommands: [Command] { [.help, .quit, .back, .nextView, .prevView, .commandLine, .view1, .refresh] }

    func renderHeader(into buf: inout CellBuffer, width: Int) {
        let t = strings
        buf.fill(Rect(x: 0, y: 0, width: width, height: 1), style: Style(.header))
        guard let h = header else {
            buf.put(" " + t[.appTitle] + " · " + t[.loading], x: 0, y: 0, style: Style(.header)); return
        }
        let parts: [(String, String)] = [
            ("", width >= 110 ? " " + t[.appTitle] : ""),
            ("chain", "\(t[.hdrChain]) \(h.chainId)" + (h.chainLabel.map { " ⚠\($0)" } ?? "")),
            // 最新告警紧跟链 id：窄终端截断的是右边的高度/节点，不是它。
            ("alert", h.latestAlert.map { a in "\(a.level == .critical ? "!" : "•")\(t[.hdrAlert]) \(a.kind)" } ?? ""),
            ("cluster", h.cluster.map { c in
                "\(t[.hdrCluster]) \(c.alive)/\(c.total)" + " · \(t[.hdrLeader]) \(c.leader ?? "—")"
                    + (c.signer != nil && c.signer != c.leader ? " · \(t[.hdrSigner]) \(c.signer!)" : "")
            } ?? ""),
            ("head", "\(t[.hdrHead]) \(h.headHeight)"),
            ("lag", "\(t[.hdrLag]) \(h.scanLag)"),
            ("node", "\(t[.hdrNode]) \(h.node == .ok ? "●" : h.node == .degraded ? "◐" : "✖")\(h.node.rawValue)"),
            ("breaker", "\(t[.hdrBreaker]) \(h.breaker == .closed ? "●" : "✖")\(h.breaker.rawValue)"),
            ("seal", sealText(h.seal, t)),
        ]
        // 操作员与角色固定在右端，窄终端时截断左侧信息而不是它。
        let op = "\(h.operatorName)(\(Fmt.role(role, t)))" + (config.readonly ? " [\(t[.readonlyBadge])]" : "") + " "
        let opW = TextWidth.of(op)
        buf.put(op, x: max(0, width - opW), y: 0, style: Style(.header, bold: true))
        let limit = max(0, width - opW - 1)
        // 放不下时按重要性丢：先丢标题、落后、熔断、告警（标签行的「9 告警!」仍在），然后才是节点、高度；
        // 链与封存状态最后才丢（80 列也看得到封存与否）。
        let dropOrder = ["", "lag", "breaker", "cluster", "alert", "node", "head", "seal", "chain"]
        var shownKeys = Set(parts.filter { !$0.1.isEmpty }.map(\.0))
        func total() -> Int {
            let ws = parts.filter { shownKeys.contains($0.0) }.map { TextWidth.of(headerChanged.contains($0.0) ? $0.1 + "Δ" : $0.1) }
            return ws.reduce(0, +) + max(0, ws.count - 1) * 3
        }
        for k in dropOrder where total() > limit && shownKeys.count > 1 { shownKeys.remove(k) }
        var x = 0
        for (key, text) in parts where shownKeys.contains(key) {
            let bad = (key == "node" && h.node != .ok) || (key == "breaker" && h.breaker != .closed)
                || (key == "alert" && h.latestAlert?.level == .critical) || (key == "cluster" && h.cluster?.degraded == true)
            let st = headerChanged.contains(key) ? Style(.header, bold: true, underline: true) : Style(.header, bold: bad, reverse: bad)
            let shown = headerChanged.contains(key) ? text + "Δ" : text
            if text.isEmpty { continue }
            if x > 0 { x += buf.put(" │ ", x: x, y: 0, maxWidth: max(0, limit - x), style: Style(.header)) }
            if x >= limit { break }
            x += buf.put(shown, x: x, y: 0, maxWidth: limit - x, style: st)
        }
    }

    /// 数据多久没刷新了（秒）；超过三个刷新周期（至少 10 秒）算过期——数字可能已经不是真的。
    var refreshAge: Int? { lastHeaderAt.map { Int(max(0, clock.now() - $0)) } }
    var refreshIsStale: Bool { (refreshAge ?? 0) >= max(10, 3 * config.refreshIntervalMs / 1000) }
    func refreshAgeText(_ t: Strings) -> String {
        guard let age = refreshAge else { return "" }
        return refreshIsStale ? t.f(.hdrStale, String(age)) : t.f(.hdrRefreshed, String(age))
    }

    func renderTabs(into buf: inout CellBuffer, width: Int) {
        var x = 0
        let tabs = ViewID.allCases.enumerated().filter { $0.element != .ceremony || allowedSilently(.ceremony) }
        // 全部标签放不下（英文 80 列）时，只有当前视图写全名，其余只写编号——不截断成「7 Audit …」。
        let age = refreshAgeText(strings)
        let ageW = age.isEmpty ? 0 : TextWidth.of(age) + 1
        let tabLimit = width - ageW > 20 ? width - ageW : width
        let full = tabs.reduce(0) { $0 + TextWidth.of(" \($1.offset + 1) \(strings[$1.element.title]) ") } <= tabLimit
        // 右端：数据新鲜度（「刷新于 N 秒前」；过期时醒目）。先占位，标签不覆盖它。
        if tabLimit < width {
            buf.put(age, x: width - ageW, y: 1, style: refreshIsStale ? Style(.bad, bold: true, reverse: true) : Style(.dim))
        }
        // 有严重告警时告警标签带「!」：页头放不下告警字段的窄终端上也看得见。
        let badge = header?.latestAlert?.level == .critical
        for (i, v) in tabs {
            let mark = v == .alerts && badge ? "!" : ""
            let label = full || v == current ? " \(i + 1) \(strings[v.title])\(mark) " : " \(i + 1)\(mark) "
            let st = v == current ? Style(.selected) : Style(.dim)
            x += buf.put(label, x: x, y: 1, maxWidth: max(0, tabLimit - x), style: st)
        }
    }

    func renderFooter(into buf: inout CellBuffer, size: Size) {
        let y = size.rows - 1
        switch mode {
        case .filter(let f):
            buf.fill(Rect(x: 0, y: y, width: size.cols, height: 1), style: Style(.dialog))
            let used = buf.put(strings[.filterPrompt] + " /", x: 0, y: y, style: Style(.title, bold: true))
            f.render(into: &buf, x: used, y: y, width: max(10, size.cols - used))
        case .command(let c):
            c.render(into: &buf, y: y, width: size.cols, prompt: strings[.commandPrompt])
        default:
            // 状态行：消息 + 当前视图可用按键（按角色过滤，无权的键不显示）。
            // 动作键优先显示；导航键只在帮助里列出。
            let nav: Set<Command> = [.up, .down, .pageUp, .pageDown, .top, .bottom]
            let cmds = view.commands.filter { $0.requires != nil } + view.commands.filter { $0.requires == nil && !nav.contains($0) } + [.help, .quit]
            let hints = cmds.filter { RolePolicy.permits(role, $0) }.compactMap { c -> String? in
                guard let k = config.keymap.keys(for: c).first else { return nil }
                return "<\(k.label)>\(strings[c.label])"
            }
            footerShowedStatus = statusVisible
            var used = 0
            if footerShowedStatus {
                // 消息优先占满整行；放不下时截断并提示去 :messages 看全文，按键提示等消息消失后再回来。
                let st = Style(status.hasPrefix("✖") ? .bad : .ok)
                if TextWidth.of(status) + 2 <= size.cols {
                    used = buf.put(status + "  ", x: 0, y: y, maxWidth: size.cols, style: st)
                } else {
                    let more = strings[.msgMore]
                    let head = TextWidth.truncate(status, to: max(1, size.cols - TextWidth.of(more)))
                    used = buf.put(head, x: 0, y: y, maxWidth: size.cols, style: st)
                    used += buf.put(more, x: used, y: y, maxWidth: max(0, size.cols - used), style: Style(.dim))
                }
            }
            // 剩下的地方太窄就不画按键提示（否则只剩一个孤零零的「…」）。
            if size.cols - used >= 12 || used == 0 {
                buf.put(hints.joined(separator: " "), x: used, y: y, maxWidth: max(0, size.cols - used), style: Style(.dim))
            }
        }
    }

    /// `:messages`：消息记录浮层，最新在前，长消息折行。
    func renderMessages(into buf: inout CellBuffer, size: Size, scroll: Int) {
        let w = size.cols - 4, h = size.rows - 4
        let r = Rect(x: 2, y: 2, width: w, height: h)
        buf.fill(r, style: Style(.dialog))
        buf.box(r, title: strings.f(.msgLogTitle, String(messages.count)), style: Style(.dialog, bold: true))
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.dateFormat = "HH:mm:ss"
        var lines: [(String, StyleRole)] = []
        for m in messages.reversed() {
            let head = f.string(from: m.at) + (m.count > 1 ? " ×\(m.count)" : "") + "  "
            let role: StyleRole = m.text.hasPrefix("✖") ? .bad : .dialog
            for (i, part) in TextWidth.wrap(m.text, to: max(10, w - 4 - TextWidth.of(head))).enumerated() {
                lines.append(((i == 0 ? head : String(repeating: " ", count: TextWidth.of(head))) + part, role))
            }
        }
        if lines.isEmpty { lines = [(strings[.msgLogEmpty], .dim)] }
        let visible = h - 3
        let top = min(scroll, max(0, lines.count - visible))
        for (i, l) in lines.dropFirst(top).prefix(visible).enumerated() {
            buf.put(l.0, x: r.x + 2, y: r.y + 1 + i, maxWidth: w - 4, style: Style(l.1))
        }
        buf.put(strings[.msgLogClose], x: r.x + 2, y: r.y + h - 2, maxWidth: w - 4, style: Style(.dim))
    }

    /// 退出后打印在正常屏幕上的一行：已退出 + 最后一条消息（如有）。
    public var exitMessage: String {
        guard let last = messages.last else { return strings[.exitBye] }
        return strings[.exitBye] + " " + strings.f(.exitLastMessage, last.text)
    }

    /// 当前视图的按键提示（测试用）。
    public var footerHints: String { front.map { $0.line(driver.size.rows - 1) } ?? "" }

    // MARK: - 主循环

    /// 运行直到退出。输入轮询最多等 `tick` 毫秒，刷新在后台任务里进行，永不阻塞输入。
    public func run() throws {
        try driver.start()
        defer { driver.stop() }
        // 颜色深度要到终端初始化（start）之后才知道：在这里重新解析主题，否则开屏只有粗体/反显、没有颜色。
        resolved = config.theme.resolved(for: driver.colorDepth)
        requestRefresh()
        render()
        var lastRefresh = Date()
        while !quitRequested && !driver.isHungUp {
            var dirty = false
            if let k = driver.readKey(timeoutMs: 50) {
                handle(k); dirty = true
                // 连续按键一次处理完再画，避免按住方向键时逐帧积压。
                while let more = driver.readKey(timeoutMs: 0) { handle(more) }
            }
            if drain() { dirty = true }
            if Date().timeIntervalSince(lastRefresh) * 1000 >= Double(config.refreshIntervalMs) {
                requestRefresh(); lastRefresh = Date()
            }
            // 状态行消息到期：重画一帧让它消失。
            if footerShowedStatus && !statusVisible { dirty = true }
            if dirty { render() }
        }
        // 仪式进行中退出：必须等中止真正完成（删除已写入的条目、清零熵、写审计）再返回，否则进程先退出、什么都没清理。
        if let s = ceremony {
            let done = DispatchSemaphore(value: 0)
            Task.detached { await s.abort(); done.signal() }
            _ = done.wait(timeout: .now() + 15)
        }
    }
}

/// 后台任务结束标记（Task 本身没有「已完成」查询）。
final class DoneFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// 状态行上的错误：一律经 WalletError（不认识的错误只报类型名，不把任意错误的描述打到屏幕上）。
func describe(_ error: Error, _ lang: Language) -> String {
    let w = WalletError(error)
    return "\(w.code): \(w.message(lang))"
}
