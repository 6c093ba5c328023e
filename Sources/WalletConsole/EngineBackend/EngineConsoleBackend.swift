// 真实后端：ConsoleBackend 的全部数据来自 WalletEngine 门面（账本、密钥库、链）。
// 只通过门面调用；WalletLedger / WalletKeystore 仅引入其模型类型名（与本模块同名的类型以本模块为准）。
// WalletChain 只为引擎公开接口里的手续费类型（FeeEstimate、FeeTier）的名字；提现所在区块经 engine.transactionBlock 问链。
// 权限：一切动作由引擎的角色矩阵与账本策略判定（角色、四眼、不能批自己）；控制台只是不显示无权的按键。
import Foundation
import Synchronization
import struct WalletChain.FeeEstimate
import struct WalletChain.FeeTier
import WalletCrypto
import WalletEngine

public final class EngineConsoleBackend: ConsoleBackend, Sendable {
    public let engine: WalletEngine
    public let op: Operator
    public let readonly: Bool
    public let lang: Language
    /// 死信（只有 state=dead 的任务，通常很少）一次读取的上限；其余列表都按页从数据库取。
    let deadLetterLimit = 5000
    /// 按列排序时（充值、提现）一次读入内存排序的上限：账本只按默认顺序分页，排序在这一窗口里做（最新的这么多行）。
    public static let sortWindow = 5000
    private struct Caches {
        var sweepCache: (at: Date, rows: [SweepPlanLine])?
        var feeCache: (at: Date, value: FeeHistory)?
        /// 热钱包链上余额（按资产，3 秒）：详情每秒刷新、批量批准逐笔取详情，不必每次都问节点。
        var hotBalanceCache: [String: (at: Date, value: UInt256)] = [:]
        /// 密钥页的 nonce 面板（3 秒）：总览每秒刷新也要取 keys()，不必每秒两次问节点、扫一遍在途 nonce。
        var nonceCache: (at: Date, value: NonceSummary?)?
        /// 提现交易的收据区块（按哈希，10 秒）：详情每秒刷新，不必每秒问节点。
        var receiptCache: [String: (at: Date, block: UInt64?)] = [:]
        /// 充值速率（5 秒）：总览每秒刷新，不必每秒读一遍最近的充值。
        var rateCache: (at: Date, value: [UInt64])?
        /// 热钱包 vs 待出（5 秒）。
        var outflowCache: (at: Date, value: [OutflowGauge])?
        /// 页头的集群徽标（3 秒）：页头每秒刷新，不必每秒读 engines + leases 两张表（单机部署也会付这次读）。
        var clusterCache: (at: Date, value: ClusterBadge?)?
    }
    private let caches = Mutex(Caches())

    func hotWalletBalance(_ a: Asset) async -> UInt256? {
        if let c = caches.withLock({ $0.hotBalanceCache[a.symbol] }), Date().timeIntervalSince(c.at) < 3 { return c.value }
        guard let v = try? await engine.chainBalance(address: engine.hotAddress, asset: a) else { return nil }
        caches.withLock { $0.hotBalanceCache[a.symbol] = (Date(), v) }
        return v
    }

    public init(engine: WalletEngine, operator op: Operator, readonly: Bool, lang: Language) {
        self.engine = engine; self.op = op; self.readonly = readonly; self.lang = lang
    }

    var now: Int64 { Int64(Date().timeIntervalSince1970) }

    // MARK: - 格式

    func amount(_ v: UInt256, _ symbol: String) -> AmountText {
        let a = engine.asset(symbol)
        let text = a.map { $0.format(v) } ?? v.decimalString
        return AmountText(display: "\(text) \(symbol)", baseUnits: v.decimalString)
    }

    static func role(_ r: OperatorRole) -> ConsoleRole {
        switch r {
        case .viewer: return .viewer
        case .approver: return .approver
        case .custodian: return .operator_
        case .admin: return .admin
        }
    }

    static func seal(_ s: SealStatus) -> SealState {
        if !s.sealed { return .unsealed }
        if s.mode == .shares, let t = s.threshold, s.progress > 0 { return .unsealing(provided: s.progress, threshold: t) }
        return .sealed
    }

    static func gwei(_ wei: UInt256) -> String {
        let g = UInt256(1_000_000_000)
        let whole = wei / g
        let frac = (wei % g) / UInt256(10_000_000)
        let f = frac.decimalString
        return "\(whole.decimalString).\(f.count < 2 ? "0" + f : f) gwei"
    }

    static func u64(_ v: UInt256) -> UInt64 { UInt64(v.decimalString) ?? UInt64.max }

    /// 总手续费（wei）÷ gas 上限 → 每 gas 的 gwei 数，两位小数（只有数字，单位在列名里）。
    static func gweiPerGas(_ fee: UInt256, gasLimit: UInt64) -> String {
        guard gasLimit > 0 else { return "—" }
        let perGas = fee / UInt256(gasLimit)
        let centi = perGas / UInt256(10_000_000)   // 0.01 gwei
        let whole = centi / UInt256(100), frac = (centi % UInt256(100)).decimalString
        return whole.decimalString + "." + (frac.count < 2 ? "0" + frac : frac)
    }

    static func iso(_ t: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    // MARK: - 页头与仪表盘

    public func header() async throws -> HeaderSnapshot {
        let (head, scanned) = await engine.headAndScanHeight()
        let health = engine.chain.health
        let breaker: BreakerState
        if health.isEmpty || health.contains(where: { $0.breaker.rawValue == "closed" }) {
            breaker = health.allSatisfy { $0.breaker.rawValue == "closed" } ? .closed : .halfOpen
        } else {
            breaker = health.contains { $0.breaker.rawValue.contains("half") } ? .halfOpen : .open
        }
        let node: NodeHealth = head == nil ? .down : (breaker == .closed ? .ok : .degraded)
        let h = head ?? 0
        var snap = HeaderSnapshot(chainId: engine.config.chain.id, headHeight: h, scanLag: h > (scanned ?? 0) ? h - (scanned ?? 0) : 0,
                                  node: node, breaker: breaker, seal: Self.seal(engine.keystore.status()),
                                  operatorName: op.name, role: readonly ? .viewer : Self.role(op.role))
        if engine.isDemo { snap.chainLabel = "DEMO" }
        // 页头给最近 20 条里最严重的那条（新到的警告不能把还在的严重告警挤下去；QA 发现），没有严重的就给最新一条。
        if let c = caches.withLock({ $0.clusterCache }), Date().timeIntervalSince(c.at) < 3 {
            snap.cluster = c.value
        } else {
            let badge = (try? engine.clusterStatus()).flatMap(Self.clusterBadge)
            caches.withLock { $0.clusterCache = (Date(), badge) }
            snap.cluster = badge
        }
        let recent = (try? engine.alerts(limit: 20)) ?? []
        snap.latestAlert = (recent.first { $0.severity == .critical } ?? recent.first).map { Self.alertRow($0, lang) }
        return snap
    }

    /// 活着的引擎数、leader / signer 租约持有者的主机名（未过期的租约才算）。
    static func clusterBadge(_ cs: ClusterStatus) -> ClusterBadge? {
        guard !cs.engines.isEmpty else { return nil }
        func host(_ prefix: String) -> String? {
            guard let l = cs.leases.first(where: { ($0.name == prefix || $0.name.hasPrefix(prefix + ":")) && $0.expiresInSeconds > 0 }) else { return nil }
            return cs.engines.first { $0.id == l.holder }.map { "\($0.host):\($0.pid)" } ?? String(l.holder.prefix(12))
        }
        return ClusterBadge(alive: cs.engines.filter(\.alive).count, total: cs.engines.count, leader: host("leader"), signer: host("signer"))
    }

    public func dashboard(rowsPerPanel: Int) async throws -> DashboardModel {
        let n = max(1, rowsPerPanel)
        return DashboardModel(deposits: try await deposits(PageQuery(offset: 0, limit: n)),
                              withdrawals: try await openWithdrawals(limit: n),
                              sweeps: try await sweeps(PageQuery(offset: 0, limit: n)),
                              fees: try await feeHistory(), keys: try await keys(), depositsPerMinute: try depositRate(),
                              outflow: try await outflow())
    }

    /// 每个资产：热钱包链上余额（3 秒缓存）与还冻结着资金的提现金额之和（待审、已批准、已签名、已广播、状态未知）。
    /// 只读紧急度顺序的前 5000 笔：未结束的排在前面，超过 5000 笔未结束的提现时少算（那时早已顶格）。
    func outflow() async throws -> [OutflowGauge] {
        if let c = caches.withLock({ $0.outflowCache }), Date().timeIntervalSince(c.at) < 5 { return c.value }
        var sums: [String: UInt256] = [:]
        for w in try engine.withdrawals(text: "", order: .urgency, offset: 0, limit: 5000).rows where w.state.holdsFunds {
            sums[w.asset] = (try? sums[w.asset, default: .zero].checkedAdd(w.amount)) ?? sums[w.asset, default: .zero]
        }
        var out: [OutflowGauge] = []
        for a in try engine.assets() {
            let pending = sums[a.symbol] ?? .zero
            let bal = await hotWalletBalance(a)
            let ratio: Double? = bal.map { b in
                if b.isZero { return pending.isZero ? 0 : .infinity }
                return (Double(pending.decimalString) ?? 0) / (Double(b.decimalString) ?? 1)
            }
            out.append(OutflowGauge(asset: a.symbol, balance: bal.map { amount($0, a.symbol).display } ?? "—",
                                    pending: amount(pending, a.symbol).display, ratio: ratio))
        }
        caches.withLock { $0.outflowCache = (Date(), out) }
        return out
    }

    /// 最近 30 分钟每分钟新发现的充值笔数（旧到新）。读最新的至多 5000 笔（账本按 id 倒序）；
    /// 30 分钟里超过 5000 笔时较早的几分钟会少算——那时走势图已经顶格，够看出「很多」。
    func depositRate(minutes: Int = 30) throws -> [UInt64] {
        if let c = caches.withLock({ $0.rateCache }), Date().timeIntervalSince(c.at) < 5 { return c.value }
        let t = now
        let start = t - Int64(minutes * 60)
        var buckets = [UInt64](repeating: 0, count: minutes)
        for d in try engine.deposits(offset: 0, limit: 5000).rows where d.createdAt > start {
            let i = min(minutes - 1, Int((d.createdAt - start - 1) / 60))
            buckets[max(0, i)] += 1
        }
        caches.withLock { $0.rateCache = (Date(), buckets) }
        return buckets
    }

    /// 仪表盘的「待处理提现」面板：只列未结束的（紧急度排序里已结束的排在最后，所以一页过滤即可）。
    func openWithdrawals(limit n: Int) async throws -> Page<WithdrawalRow> {
        let page = try await withdrawals(PageQuery(offset: 0, limit: n))
        let done: Set<WithdrawalRowState> = [.rejected, .confirmed, .failed]
        let open = page.rows.filter { !done.contains($0.state) }
        return Page(rows: open, total: open.count, offset: 0)
    }

    // MARK: - 充值

    func depositRow(_ d: Deposit, head: UInt64?) -> DepositRow {
        let state: DepositRowState
        switch d.state {
        case .seen, .confirming: state = .confirming
        case .credited: state = .credited
        case .orphaned: state = .orphaned
        case .reversed: state = .reversed
        case .dust: state = .suspicious
        }
        var conf = d.confirmations
        // 确认数按当前链头实时计算（扫描器落库的值可能慢一轮）。
        if state == .confirming, let h = head, h + 1 >= UInt64(max(0, d.blockNumber)) {
            conf = max(conf, min(d.required, Int(h + 1 - UInt64(d.blockNumber))))
        }
        // 已入账的显示 N/N（链上继续增加的确认不再有意义）。
        if state == .credited { conf = d.required }
        return DepositRow(id: String(d.id), asset: d.asset, amount: amount(d.amount, d.asset), address: d.address, txHash: d.txHash,
                          confirmations: conf, required: d.required, state: state, ageSeconds: Int(max(0, now - d.createdAt)),
                          reorg: d.state == .orphaned || d.state == .reversed, blockNumber: d.blockNumber, logIndex: d.logIndex, user: d.user)
    }

    /// 屏幕上的状态名（中英两种都认）→ 账本状态名：操作员照着屏幕输入「/待审」也要能过滤出来。
    /// 一个屏幕状态对应多个账本状态时取主要的那个（待审 → awaiting_approval；已广播不含 unknown，失败不含 expired）。
    static func labelMap(_ pairs: [(L, String)]) -> [String: String] {
        var m: [String: String] = [:]
        for lang in [Language.zh, .en] { for (k, v) in pairs { m[Strings(lang)[k].lowercased()] = v } }
        return m
    }
    static let depositLabels = labelMap([(.stConfirming, "confirming"), (.stCredited, "credited"), (.stOrphaned, "orphaned"),
                                         (.stReversed, "reversed"), (.stSuspicious, "dust")])
    static let withdrawalLabels = labelMap([(.wsPending, "awaiting_approval"), (.wsApproved, "approved"), (.wsRejected, "rejected"),
                                            (.wsSigning, "signed"), (.wsBroadcast, "broadcast"), (.wsConfirmed, "confirmed"),
                                            (.wsFailed, "failed")])

    public func deposits(_ q: PageQuery) async throws -> Page<DepositRow> {
        let head = await engine.headAndScanHeight().head
        // 只取可见的一页；过滤与总数都由账本在数据库里完成（10 万行也只读一页）。
        let text = q.filter.replacingTerms(Self.depositLabels).raw
        if q.sort != nil {
            // 按列排序：读入最新的 sortWindow 行在内存里排（账本只按默认顺序分页）。
            let (rows, total) = try engine.deposits(text: text, offset: 0, limit: Self.sortWindow)
            var p = RowPaging.page(rows.map { depositRow($0, head: head) }, q)
            if total > rows.count { p.sortedOf = total }
            return p
        }
        let (rows, total) = try engine.deposits(text: text, offset: q.offset, limit: q.limit)
        return Page(rows: rows.map { depositRow($0, head: head) }, total: total, offset: q.offset)
    }

    // MARK: - 提现

    static func wstate(_ s: WithdrawalState) -> WithdrawalRowState {
        switch s {
        case .requested, .riskChecked, .awaitingApproval: return .pending
        case .approved: return .approved
        case .signed: return .signing
        case .broadcast, .unknown: return .broadcast
        case .confirmed: return .confirmed
        case .failed, .expired: return .failed
        case .rejected: return .rejected
        }
    }

    /// 紧急度分值（只用于显示；列表顺序由账本 WithdrawalOrder.urgency 在数据库里排，两者同序）：
    /// 待审（越老越急）> 状态未知 > 执行中 > 已结束。
    func urgency(_ w: Withdrawal) -> Int {
        let age = Int(max(0, now - w.createdAt))
        switch w.state {
        case .awaitingApproval, .requested, .riskChecked: return 4_000_000 + min(age, 999_999)
        case .unknown: return 3_000_000 + min(age, 999_999)
        case .approved, .signed, .broadcast: return 2_000_000 + min(age, 999_999)
        default: return max(0, 1_000_000 - age)
        }
    }

    func withdrawalRow(_ w: Withdrawal) -> WithdrawalRow {
        let valid = Set(w.approvals.filter { $0.expiresAt > now }.map(\.operatorName))
        let state = Self.wstate(w.state)
        // 等你：还在等审批、你有审批权（非只读）、不是申请人、还没批过。引擎在批准时仍会按同样的规则复核。
        let canApprove = !readonly && (op.role == .approver || op.role == .admin)
        let waiting: WaitingOn = state != .pending ? .nobody
            : (canApprove && w.requestedBy != op.name && !valid.contains(op.name) ? .you : .others)
        return WithdrawalRow(id: String(w.id), asset: w.asset, amount: amount(w.amount, w.asset), destination: w.to,
                             state: state, approvalsGiven: valid.count, approvalsRequired: w.approvalsRequired,
                             requestedBy: w.requestedBy, ageSeconds: Int(max(0, now - w.createdAt)), urgency: urgency(w),
                             waitingOn: waiting)
    }

    public func withdrawals(_ q: PageQuery) async throws -> Page<WithdrawalRow> {
        // 紧急度排序、文本过滤、总数都在数据库里（账本 WithdrawalOrder.urgency + TextFilter），只取可见的一页。
        let text = q.filter.replacingTerms(Self.withdrawalLabels).raw
        if q.sort != nil {
            // 按列排序：紧急度顺序的前 sortWindow 行在内存里稳定排序（值相同的仍按紧急度）。
            let (ws, total) = try engine.withdrawals(text: text, order: .urgency, offset: 0, limit: Self.sortWindow)
            var p = RowPaging.page(ws.map(withdrawalRow), q)
            if total > ws.count { p.sortedOf = total }
            return p
        }
        let (ws, total) = try engine.withdrawals(text: text, order: .urgency, offset: q.offset, limit: q.limit)
        return Page(rows: ws.map(withdrawalRow), total: total, offset: q.offset)
    }

    func withdrawalID(_ s: String) throws -> Int64 {
        guard let id = Int64(s.hasPrefix("#") ? String(s.dropFirst()) : s) else {
            throw EngineError("console.bad_id", zh: "提现编号 '\(s)' 不是数字。", en: "withdrawal id '\(s)' is not a number.", badInput: true)
        }
        return id
    }

    public func withdrawalDetail(id: String) async throws -> WithdrawalDetail {
        let f = try engine.withdrawalFacts(id: try withdrawalID(id))
        let w = f.withdrawal
        let allow: AllowlistStatus = f.allowlist.map { .listed(firstSeen: Self.iso($0.addedAt)) } ?? .notListed
        // EIP-55：账本保存规范化小写地址；引擎给出其校验和形式（无效地址为 nil）。
        let eip55 = f.checksummed != nil
        var vel: [String] = []
        if let u = f.velocity.perUser { vel.append("\(f.asset.format(u))" + (f.velocityLimit.perUser.map { " / \($0)" } ?? "") + " \(w.asset) (\(lang == .zh ? "用户" : "user"))") }
        if let g = f.velocity.global { vel.append("\(f.asset.format(g))" + (f.velocityLimit.global.map { " / \($0)" } ?? "") + " \(w.asset) (\(lang == .zh ? "全局" : "global"))") }
        if let s = f.velocityLimit.windowSeconds, !vel.isEmpty { vel.append("\(s / 3600)h") }
        let fee = f.feeEstimateWei.map { amount($0, "ETH") } ?? AmountText(display: lang == .zh ? "（尚无手续费数据）" : "(no fee data yet)", baseUnits: "0")
        let valid = w.approvals.filter { $0.expiresAt > now }
        let approvers = valid.map { "\($0.operatorName) @ \(Self.iso($0.createdAt))" }
        var row = withdrawalRow(w)
        if let c = f.checksummed { row.destination = c }
        // 还没发出的单：热钱包现在的链上余额 → 发出后（ETH 再减预计手续费）。取不到链上余额就不显示。
        var hotAfter = ""
        if row.state == .pending || row.state == .approved, let a = engine.asset(w.asset),
           let bal = await hotWalletBalance(a) {
            let fee = a.contract == nil ? (f.feeEstimateWei ?? .zero) : .zero
            let need = (try? w.amount.checkedAdd(fee)) ?? w.amount
            if let after = try? bal.checkedSub(need) {
                hotAfter = "\(amount(bal, w.asset).display) → \(amount(after, w.asset).display)"
            } else {
                hotAfter = (lang == .zh ? "⚠ 余额不足：" : "⚠ insufficient: ") + "\(amount(bal, w.asset).display) < \(amount(need, w.asset).display)"
            }
        }
        // 链上事实：nonce、哈希、实付手续费在账本里；区块号读收据（签名了才有哈希，上链了才有收据）。
        let hash = w.txHash ?? ""
        let block = hash.isEmpty ? nil : await receiptBlock(hash)
        return WithdrawalDetail(row: row, allowlist: allow, eip55Valid: eip55,
                                velocityUse: vel.isEmpty ? "—" : vel.joined(separator: "  "), approvers: approvers,
                                matchedRule: "\(w.rule) (\(w.approvalsRequired) \(lang == .zh ? "人审批" : w.approvalsRequired == 1 ? "approval" : "approvals"))",
                                feeEstimate: fee, approverNames: valid.map(\.operatorName), requestId: w.requestID, user: w.user,
                                hotWalletAfter: hotAfter, nonce: w.nonce, txHash: hash, block: block,
                                feePaid: w.fee.map { amount($0, "ETH") }, reason: w.reason)
    }

    /// 交易所在区块（收据里的）；没有收据（还在内存池、被替换、节点不可达）为 nil。按哈希缓存 10 秒。
    func receiptBlock(_ hash: String) async -> UInt64? {
        if let c = caches.withLock({ $0.receiptCache[hash] }), Date().timeIntervalSince(c.at) < 10 { return c.block }
        let block = await engine.transactionBlock(txHash: hash)
        caches.withLock { c in
            if c.receiptCache.count > 256 { c.receiptCache.removeAll() }
            c.receiptCache[hash] = (Date(), block)
        }
        return block
    }

    public func bulkPreview(ids: [String]) async throws -> BulkPreview {
        var totals: [String: UInt256] = [:]
        var recipients = Set<String>()
        for s in ids {
            let w = try engine.withdrawal(id: try withdrawalID(s))
            totals[w.asset, default: .zero] = try totals[w.asset, default: .zero].checkedAdd(w.amount)
            recipients.insert(w.to.lowercased())
        }
        let total = totals.keys.sorted().map { amount(totals[$0]!, $0).display }.joined(separator: " + ")
        return BulkPreview(count: ids.count, total: total.isEmpty ? "0" : total, uniqueRecipients: recipients.count)
    }

    // MARK: - 归集与手续费

    func sweepLines() async throws -> [SweepPlanLine] {
        if let c = caches.withLock({ $0.sweepCache }), Date().timeIntervalSince(c.at) < 3 { return c.rows }
        let rows = try await engine.sweepPlan()
        caches.withLock { $0.sweepCache = (Date(), rows) }
        return rows
    }

    public func sweeps(_ q: PageQuery) async throws -> Page<SweepPlanRow> {
        var rows = try await sweepLines().map { p -> SweepPlanRow in
            let d: SweepDecision = p.decision == "sweep" ? .sweep : p.decision.hasPrefix("top") ? .topUp : .skip
            let reason = lang == .zh ? p.reasonZh : p.reasonEn
            let decisionNote = p.decision == "defer" ? (lang == .zh ? "推迟：" : "deferred: ") : ""
            return SweepPlanRow(address: p.address, asset: p.asset, amount: amount(p.amount, p.asset), gasLimit: p.gasLimit,
                                // 三档都用「gas 上限 × 该档最高费」：以前中档用的是预计费（口径不同），所以「慢」比「中」还贵。
                                feeSlow: Self.gweiPerGas(p.feeSlow, gasLimit: p.gasLimit), feeNormal: Self.gweiPerGas(p.fee, gasLimit: p.gasLimit),
                                feeFast: Self.gweiPerGas(p.feeFast, gasLimit: p.gasLimit), net: amount(p.net, p.asset), decision: d,
                                reason: decisionNote + reason,
                                topUpStatus: p.topUp.isZero ? "" : (lang == .zh ? "需补 " : "needs ") + amount(p.topUp, "ETH").display,
                                feeMax: amount(p.fee, "ETH"), feeExpected: amount(p.feeExpected, "ETH"))
        }
        if !q.filter.isEmpty { rows = rows.filter { q.filter.matches("\($0.address) \($0.asset) \($0.decision.rawValue) \($0.reason)") } }
        return RowPaging.page(rows, q)
    }

    public func feeHistory() async throws -> FeeHistory {
        if let c = caches.withLock({ $0.feeCache }), Date().timeIntervalSince(c.at) < 1 { return c.value }
        let fees = try await engine.recentBaseFees(blocks: 30)
        // 小费：手续费预言机最近一次估算里各非空块的 50 百分位（eth_feeHistory 的 reward），当前值是「中」档的小费。
        // 没有估算（fee worker 还没跑过）就空着，不为了画图再问一次节点。
        let est = engine.fees.cached
        let tips = est.map { $0.samples.count > 1 ? $0.samples[1].map(Self.u64) : [] } ?? []
        let v = FeeHistory(baseFeePerGas: fees.map(Self.u64), latestDisplay: fees.last.map(Self.gwei) ?? "—",
                           tipPerGas: tips, latestTipDisplay: est.map { Self.gwei($0.normal.maxPriorityFeePerGas) } ?? "")
        caches.withLock { $0.feeCache = (Date(), v) }
        return v
    }

    // MARK: - 密钥

    public func keys() async throws -> KeysModel {
        let (st, facts) = engine.keyFacts()
        let kekDays = st.kekAgeSeconds / 86_400
        let hotKey = engine.config.hotWallet.keyId
        // 热钱包签名器：有运行中的引擎就报它的真实检查（心跳），否则本进程检查；其他 HSM/KMS 钥匙已解封时逐个真实检查。
        var hotReport = engine.runningEngine()?.signer
        if hotReport == nil, !st.sealed { _ = await engine.usableHotSigner(); hotReport = engine.lastSignerReport }
        var device: [String: TierHealth] = [:]
        if !st.sealed {
            for k in await engine.keystore.keyTierStatus() {
                switch k.health {
                case .ok: device[k.id] = .ok
                case .sealed: device[k.id] = .sealed
                case .unavailable: device[k.id] = .unavailable
                case .error: device[k.id] = .error
                }
            }
        }
        let tiers = facts.map { k -> KeyTierRow in
            var h: TierHealth = st.sealed ? .sealed : (device[k.keyId] ?? .ok)
            if k.keyId == hotKey, let r = hotReport { h = TierHealth(rawValue: r.state) ?? .error }
            return KeyTierRow(keyId: "\(k.label) \(k.keyId.prefix(8))", tier: k.tier, health: h,
                              signatures: UInt64(k.signatures), lastUse: k.lastUse ?? "—", kekAgeDays: kekDays, hotSigner: k.keyId == hotKey)
        }
        return KeysModel(seal: Self.seal(st), tiers: tiers, nonce: await nonceSummary())
    }

    func nonceSummary() async -> NonceSummary? {
        if let c = caches.withLock({ $0.nonceCache }), Date().timeIntervalSince(c.at) < 3 { return c.value }
        let n = try? await engine.nonceStatus()
        let v = n.map { NonceSummary(next: $0.nextNonce, chainLatest: $0.chainLatest, chainPending: $0.chainPending,
                                      inFlight: $0.inFlight.count, gaps: $0.gaps, externalUse: $0.externalUse) }
        caches.withLock { $0.nonceCache = (Date(), v) }
        return v
    }

    // MARK: - 审计与死信

    static func cliOf(_ details: String) -> String? {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(details.utf8))) as? [String: Any], let c = o["cli"] as? String else { return nil }
        return c.hasPrefix("wallet-console") ? c : "wallet-console " + c
    }

    public func audit(_ q: PageQuery) async throws -> Page<AuditRow> {
        func row(_ a: AuditRecord) -> AuditRow {
            AuditRow(id: String(a.id), time: Self.iso(a.ts), actor: a.operatorName, action: a.action, target: a.subject,
                     cliCommand: Self.cliOf(a.details) ?? "")
        }
        // 账本按 id 倒序分页：最新的在前；过滤与总数在数据库里做，只取可见的一页。
        let (rows, total) = try engine.audits(text: q.filter.raw, offset: q.offset, limit: q.limit)
        return Page(rows: rows.map(row), total: total, offset: q.offset)
    }

    public func deadLetters(_ q: PageQuery) async throws -> Page<DeadLetterRow> {
        var rows = try engine.jobs(state: .dead, limit: deadLetterLimit).map { j in
            DeadLetterRow(id: String(j.id), job: "\(j.queue)/\(j.kind)", error: j.lastError, attempts: j.attempts,
                          lastAttempt: Self.iso(j.runAt))
        }
        if !q.filter.isEmpty { rows = rows.filter { q.filter.matches("\($0.id) \($0.job) \($0.error)") } }
        return RowPaging.page(rows, q)
    }

    public func alerts(_ q: PageQuery) async throws -> Page<AlertRow> {
        if q.filter.isEmpty && q.sort == nil {
            let (rows, total) = try engine.alerts(offset: q.offset, limit: q.limit)
            return Page(rows: rows.map { Self.alertRow($0, lang) }, total: total, offset: q.offset)
        }
        // 过滤或按列排序：在最近 1000 条里做（过滤按屏幕上的文字匹配类别、级别、说明）；超过 1000 条时如实报告总数。
        let rows = try engine.alerts(limit: 1000).map { Self.alertRow($0, lang) }
            .filter { q.filter.isEmpty || q.filter.matches("\($0.kind) \($0.level.rawValue) \($0.message)") }
        var p = RowPaging.page(rows, q)
        if q.sort != nil, q.filter.isEmpty, rows.count == 1000 {
            let total = try engine.alerts(offset: 0, limit: 1).total
            if total > rows.count { p.sortedOf = total }
        }
        return p
    }

    static func alertRow(_ a: Alert, _ lang: Language) -> AlertRow {
        let level: AlertLevel = switch a.severity { case .critical: .critical; case .warning: .warning; case .info: .info }
        return AlertRow(id: String(a.id), time: iso(a.ts), kind: a.kind, level: level, message: a.text(lang))
    }

    // MARK: - 动作

    /// 等价的 CLI 命令：按 shell 词转义（拒绝原因等用户输入不会在重放时变成第二条命令），带上 --home 与 --operator。
    public func cliTwin(for action: ConsoleAction) -> String {
        let ctx = ["--home", engine.home.root, "--operator", op.name]
        func cmd(_ words: [String]) -> String { ShellWords.join(["wallet-console"] + words + ctx) }
        switch action {
        case .approve(let id): return cmd(["withdraw", "approve", id])
        case .reject(let id, let reason): return cmd(["withdraw", "reject", id, "--reason", reason])
        case .bulkApprove(let ids): return ids.map { cmd(["withdraw", "approve", $0]) }.joined(separator: " && ")
        case .requeue(let id): return cmd(["jobs", "requeue", id])
        case .unsealPassphrase: return ShellWords.join(["wallet-console", "keystore", "unseal", "--home", engine.home.root])
        case .unsealShare: return ShellWords.join(["wallet-console", "keystore", "unseal", "--home", engine.home.root, "--shares-file", "-"])
        case .setTheme(let name): return ShellWords.join(["wallet-console", "console", "--home", engine.home.root, "--theme", name])
        case .seal: return cmd(["keystore", "seal"])
        }
    }

    struct ReadonlyError: WalletErrorConvertible {
        var walletError: WalletError {
            WalletError("console.readonly", zh: "只读模式（--readonly）不能执行任何动作；去掉 --readonly 并以有权限的操作员登录。",
                        en: "read-only mode (--readonly) performs no actions; drop --readonly and sign in as an operator with the role.", badInput: true)
        }
    }

    public func perform(_ action: ConsoleAction) async throws -> ActionOutcome {
        if readonly, action.kind != .theme { throw ReadonlyError() }
        let cli = cliTwin(for: action)
        let zh = lang == .zh
        switch action {
        case .approve(let s):
            let w = try engine.approve(withdrawalID: try withdrawalID(s), by: op)
            let valid = Set(w.approvals.filter { $0.expiresAt > now }.map(\.operatorName)).count
            return ActionOutcome(cliCommand: cli, message: (zh ? "已批准 #\(w.id)：" : "approved #\(w.id): ") + "\(valid)/\(w.approvalsRequired) → \(w.state.rawValue)",
                                 auditId: try lastAuditId())
        case .reject(let s, let reason):
            let w = try engine.reject(withdrawalID: try withdrawalID(s), reason: reason, by: op)
            return ActionOutcome(cliCommand: cli, message: (zh ? "已拒绝 #\(w.id)" : "rejected #\(w.id)"), auditId: try lastAuditId())
        case .bulkApprove(let ids):
            var done: [String] = []
            for s in ids {
                do { _ = try engine.approve(withdrawalID: try withdrawalID(s), by: op); done.append(s) } catch {
                    // 部分成功也要如实报告：已批准的已写审计，失败的那一笔说明原因。
                    let why = WalletError(error)
                    throw EngineError("console.bulk_partial", zh: "已批准 \(done.count)/\(ids.count)（\(done.joined(separator: ","))）；#\(s) 失败：\(why.zh)",
                                      en: "approved \(done.count)/\(ids.count) (\(done.joined(separator: ","))); #\(s) failed: \(why.en)", badInput: false)
                }
            }
            return ActionOutcome(cliCommand: cli, message: (zh ? "已批准 \(done.count) 笔" : "approved \(done.count)"), auditId: try lastAuditId())
        case .requeue(let s):
            guard let id = Int64(s) else { throw EngineError("console.bad_id", zh: "任务编号 '\(s)' 不是数字。", en: "job id '\(s)' is not a number.", badInput: true) }
            let j = try engine.requeue(jobID: id, by: op)
            return ActionOutcome(cliCommand: cli, message: (zh ? "已重新入队 #\(j.id)" : "requeued #\(j.id)"), auditId: try lastAuditId())
        case .unsealPassphrase(let p):
            try engine.unseal(passphrase: p, by: op, via: "console")
            return ActionOutcome(cliCommand: cli, message: zh ? "密钥库已解封" : "keystore unsealed", auditId: try lastAuditId())
        case .unsealShare(let share):
            let p = try engine.unseal(share: share, by: op, via: "console")
            let msg = p.unsealed ? (zh ? "密钥库已解封" : "keystore unsealed") : (zh ? "份额已接受 \(p.submitted)/\(p.threshold)" : "share accepted \(p.submitted)/\(p.threshold)")
            return ActionOutcome(cliCommand: cli, message: msg, auditId: try lastAuditId())
        case .setTheme(let name):
            return ActionOutcome(cliCommand: cli, message: name)
        case .seal:
            let r = try engine.requestSeal(by: op, via: "console")
            return ActionOutcome(cliCommand: cli, message: zh ? "已封存（第 \(r.generation) 次封存请求）：运行中的引擎 2 秒内停止签名" : "sealed (seal request #\(r.generation)): running engines stop signing within 2 s",
                                 auditId: try lastAuditId())
        }
    }

    func lastAuditId() throws -> String? {
        try engine.audits(offset: 0, limit: 1).rows.first.map { String($0.id) }
    }

    public func startCeremony() async throws -> any CeremonySession {
        if readonly { throw ReadonlyError() }
        let c = try engine.startCeremony(by: op, label: "ceremony-\(Self.iso(now).replacingOccurrences(of: " ", with: "T"))")
        let (engine, op) = (self.engine, self.op)
        return EngineCeremonySession(c, lang: lang) { c, completed in try? engine.recordCeremonyEnd(c, by: op, completed: completed) }
    }
}
