import Foundation
import WalletConsole
import WalletCrypto

/// 测试用后端：内存数据，按 ListFilter 语义分页，记录收到的查询与动作。仅在测试目标中存在。
final class TestBackend: ConsoleBackend, @unchecked Sendable {
    private let lock = NSLock()
    var headerValue: HeaderSnapshot
    var depositRows: [DepositRow]
    var withdrawalRows: [WithdrawalRow]
    var sweepRows: [SweepPlanRow]
    var keysValue: KeysModel
    var auditRows: [AuditRow] = []
    var deadLetterRows: [DeadLetterRow]
    private(set) var queries: [String: [PageQuery]] = [:]
    private(set) var performed: [String] = []
    /// 提现 id → 已批准的操作员（详情的 approverNames）。
    var approvedBy: [String: [String]] = [:]
    private(set) var headerCalls = 0
    /// 提现 id → 链上事实（nonce、哈希、区块、实付手续费、原因）：详情窗格测试用。
    var withdrawalChain: [String: (nonce: Int64, hash: String, block: UInt64?, fee: String, reason: String)] = [:]
    /// 人为延迟（纳秒），用于验证刷新不阻塞输入、重复刷新被丢弃。
    var delayNs: UInt64 = 0
    var ceremonyFactory: (() -> CeremonySession)?

    init(role: ConsoleRole = .approver, withdrawals: Int = 5, deposits: Int = 5) {
        headerValue = HeaderSnapshot(chainId: 1337, headHeight: 1000, scanLag: 0, node: .ok, breaker: .closed,
                                     seal: .unsealed, operatorName: "alice", role: role)
        depositRows = (0..<deposits).map { i in
            DepositRow(id: "d\(i)", asset: i % 2 == 0 ? "ETH" : "USDT", amount: AmountText(display: "\(i).5 ETH", baseUnits: "\(i)5"),
                       address: String(format: "0x%040x", i + 1), txHash: String(format: "0x%064x", i + 100),
                       confirmations: i % 13, required: 12, state: i % 13 >= 12 ? .credited : .confirming, ageSeconds: i * 7,
                       blockNumber: Int64(900 + i), logIndex: i % 2 == 0 ? -1 : i, user: "user-\(i)")
        }
        withdrawalRows = (0..<withdrawals).map { i in
            WithdrawalRow(id: "w\(i)", asset: "ETH", amount: AmountText(display: "\(i + 1).000000 ETH", baseUnits: "\(i + 1)000000000000000000"),
                          destination: String(format: "0x%036x%04X", i, 0xBEEF + i), state: .pending, approvalsGiven: 0,
                          approvalsRequired: 2, requestedBy: "bob", ageSeconds: 60 * i, urgency: 100 - i)
        }
        sweepRows = [SweepPlanRow(address: "0x00000000000000000000000000000000000000aa", asset: "ETH",
                                  amount: AmountText(display: "0.5 ETH", baseUnits: "500000000000000000"), gasLimit: 21000,
                                  feeSlow: "10.00", feeNormal: "12.00", feeFast: "15.00",
                                  net: AmountText(display: "0.4997 ETH", baseUnits: "499700000000000000"), decision: .sweep,
                                  reason: "above threshold", topUpStatus: "",
                                  feeMax: AmountText(display: "0.000315 ETH", baseUnits: "315000000000000"),
                                  feeExpected: AmountText(display: "0.000252 ETH", baseUnits: "252000000000000"))]
        keysValue = KeysModel(seal: .unsealed, tiers: [KeyTierRow(keyId: "hot-1", tier: "hsm", health: .ok, signatures: 42, lastUse: "2026-11-24 21:00", kekAgeDays: 3)])
        deadLetterRows = [DeadLetterRow(id: "j1", job: "broadcast", error: "node timeout", attempts: 5, lastAttempt: "2026-11-24 20:00")]
    }

    func sync<T>(_ f: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return f() }
    func wait() async { if delayNs > 0 { try? await Task.sleep(nanoseconds: delayNs) } }

    /// 可排序的行：过滤后交给控制台与引擎后端共用的 RowPaging（排序、锚点、分页）。
    func page<R: SortableRow>(_ rows: [R], _ q: PageQuery, _ key: String, text: (R) -> String) -> Page<R> {
        sync { queries[key, default: []].append(q) }
        return RowPaging.page(q.filter.isEmpty ? rows : rows.filter { q.filter.matches(text($0)) }, q)
    }

    func page<R>(_ rows: [R], _ q: PageQuery, _ key: String, text: (R) -> String) -> Page<R> {
        sync { queries[key, default: []].append(q) }
        let f = q.filter.isEmpty ? rows : rows.filter { q.filter.matches(text($0)) }
        let start = min(q.offset, f.count)
        return Page(rows: Array(f[start..<min(f.count, start + q.limit)]), total: f.count, offset: start)
    }

    func header() async throws -> HeaderSnapshot { await wait(); return sync { headerCalls += 1; return headerValue } }
    func dashboard(rowsPerPanel n: Int) async throws -> DashboardModel {
        await wait()
        return DashboardModel(deposits: page(sync { depositRows }, PageQuery(offset: 0, limit: n), "dash", text: { $0.id }),
                              withdrawals: page(sync { withdrawalRows }, PageQuery(offset: 0, limit: n), "dash", text: { $0.id }),
                              sweeps: page(sweepRows, PageQuery(offset: 0, limit: n), "dash", text: { $0.address }),
                              fees: FeeHistory(baseFeePerGas: [10, 12, 9, 15, 20, 18], latestDisplay: "18 gwei",
                                               tipPerGas: sync { tipValues }, latestTipDisplay: "1.5 gwei"),
                              keys: sync { keysValue }, depositsPerMinute: sync { depositRate }, outflow: sync { outflowValue })
    }
    func deposits(_ q: PageQuery) async throws -> Page<DepositRow> {
        page(sync { depositRows }, q, "deposits") { "\($0.id) \($0.asset) \($0.address) \($0.state.rawValue)" }
    }
    func withdrawals(_ q: PageQuery) async throws -> Page<WithdrawalRow> {
        // 模拟引擎后端的排序窗口：排序时只在前 sortWindow 行里排，并报告真实总数。
        if let w = sync({ sortWindow }), q.sort != nil, withdrawalRows.count > w {
            var p = page(Array(sync { withdrawalRows }.prefix(w)), q, "withdrawals") { "\($0.id)" }
            p.sortedOf = withdrawalRows.count
            return p
        }
        return page(sync { withdrawalRows }, q, "withdrawals") { "\($0.id) \($0.asset) \($0.destination) \($0.requestedBy)" }
    }
    var sortWindow: Int?
    func withdrawalDetail(id: String) async throws -> WithdrawalDetail {
        guard let r = sync({ withdrawalRows.first(where: { $0.id == id }) }) else {
            throw WalletError("withdraw.not_found", zh: "找不到提现 \(id)", en: "withdrawal \(id) not found", badInput: true)
        }
        let c = sync { withdrawalChain[id] }
        return WithdrawalDetail(row: r, allowlist: .listed(firstSeen: "2026-01-02"), eip55Valid: true, velocityUse: "3 / 10 ETH (24h)",
                                approvers: [], matchedRule: "large-eth-2of3", feeEstimate: AmountText(display: "0.00042 ETH", baseUnits: "420000000000000"),
                                approverNames: sync { approvedBy[id] ?? [] }, requestId: "req-\(id)", user: "user-\(id)",
                                nonce: c?.nonce, txHash: c?.hash ?? "", block: c?.block,
                                feePaid: c.map { AmountText(display: $0.fee, baseUnits: "0") }, reason: c?.reason ?? "")
    }
    func bulkPreview(ids: [String]) async throws -> BulkPreview {
        BulkPreview(count: ids.count, total: "\(ids.count).000000 ETH", uniqueRecipients: ids.count)
    }
    func sweeps(_ q: PageQuery) async throws -> Page<SweepPlanRow> { page(sweepRows, q, "sweeps") { $0.address } }
    func feeHistory() async throws -> FeeHistory { FeeHistory(baseFeePerGas: [1, 2, 3, 4, 5, 6, 7, 8], latestDisplay: "8 gwei") }
    func keys() async throws -> KeysModel { sync { keysValue } }
    func audit(_ q: PageQuery) async throws -> Page<AuditRow> { page(sync { auditRows }, q, "audit") { $0.cliCommand } }
    func deadLetters(_ q: PageQuery) async throws -> Page<DeadLetterRow> { page(deadLetterRows, q, "dead") { $0.job } }
    var alertRows: [AlertRow] = []
    /// 总览走势图：小费（wei/gas）与每分钟充值笔数。
    var tipValues: [UInt64] = [1, 2, 3]
    var depositRate: [UInt64] = [0, 1, 4]
    var outflowValue: [OutflowGauge] = [OutflowGauge(asset: "ETH", balance: "500 ETH", pending: "1.65 ETH", ratio: 0.0033),
                                        OutflowGauge(asset: "USDT", balance: "100 USDT", pending: "250 USDT", ratio: 2.5)]
    func alerts(_ q: PageQuery) async throws -> Page<AlertRow> { page(alertRows, q, "alerts") { "\($0.kind) \($0.message)" } }

    func perform(_ action: ConsoleAction) async throws -> ActionOutcome {
        let cmd = cliTwin(for: action)
        sync {
            performed.append(cmd)
            auditRows.insert(AuditRow(id: "a\(auditRows.count)", time: "2026-11-24 22:00:00", actor: headerValue.operatorName,
                                      action: action.kind.rawValue, target: "", cliCommand: cmd), at: 0)
            if case .approve(let id) = action, let i = withdrawalRows.firstIndex(where: { $0.id == id }) {
                withdrawalRows[i].approvalsGiven += 1
                approvedBy[id, default: []].append(headerValue.operatorName)
                if withdrawalRows[i].approvalsGiven >= withdrawalRows[i].approvalsRequired { withdrawalRows[i].state = .approved }
            }
        }
        return ActionOutcome(cliCommand: cmd, message: "", auditId: "a1")
    }

    func cliTwin(for action: ConsoleAction) -> String {
        switch action {
        case .approve(let id): return "wallet-console withdraw approve \(id)"
        case .reject(let id, let reason): return "wallet-console withdraw reject \(id) --reason '\(reason)'"
        case .bulkApprove(let ids): return "wallet-console withdraw approve \(ids.joined(separator: " "))"
        case .requeue(let id): return "wallet-console jobs requeue \(id)"
        case .unsealPassphrase: return "wallet-console keystore unseal --passphrase-file -"
        case .unsealShare: return "wallet-console keystore unseal --share-file -"
        case .setTheme(let n): return "wallet-console config set theme \(n)"
        case .seal: return "wallet-console keystore seal"
        }
    }

    func set(_ f: (TestBackend) -> Void) { sync { f(self) } }

    func startCeremony() async throws -> CeremonySession {
        guard let f = ceremonyFactory else { throw WalletError("ceremony.none", zh: "无", en: "none", badInput: true) }
        return f()
    }
}

/// 测试用仪式：词 → 测验 → 口令两次 → 两份份额 → 摘要 → 完成。
final class TestCeremony: CeremonySession, @unchecked Sendable {
    let words = ["abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract", "absurd", "abuse", "access", "accident"]
    var step: CeremonyStep = .intro(description: "test ceremony")
    var quizFailures = 0
    private let lock = NSLock()

    func secret(_ ws: [String]) -> SecretWords { SecretWords(words: ws.map { SecretBytes(Array($0.utf8)) }) }

    func current() async -> CeremonyStep { lock.withLock { step } }
    func submit(_ input: CeremonyInput) async throws -> CeremonyStep { try lock.withLock { try advance(input) } }
    private func advance(_ input: CeremonyInput) throws -> CeremonyStep {
        switch (step, input) {
        case (.intro, .proceed): step = .showWords(secret(words))
        case (.showWords, .proceed): step = .quiz(positions: [3, 7])
        case (.quiz, .quizAnswers(let a)):
            let got = a.map { String(decoding: $0.unsafeArray(), as: UTF8.self) }
            guard got == [words[2], words[6]] else {
                quizFailures += 1
                throw WalletError("ceremony.quiz_wrong", zh: "测验答错", en: "quiz answer wrong", badInput: true)
            }
            step = .passphrase(confirm: false)
        case (.passphrase(false), .passphrase): step = .passphrase(confirm: true)
        case (.passphrase(true), .passphrase): step = .showShare(index: 1, of: 2, words: secret(["share", "one", "words"]))
        case (.showShare(1, _, _), .nextShare): step = .showShare(index: 2, of: 2, words: secret(["share", "two", "words"]))
        case (.showShare(2, _, _), .nextShare): step = .summary(fingerprint: "d34db33f", xpub: "xpub6Test", firstAddresses: ["0xabc"])
        case (.summary, .proceed): step = .finished
        default: break
        }
        return step
    }
    func abort() async { lock.withLock { step = .aborted(reason: "abort") } }
}

/// 构造一个无头应用并完成首轮刷新。
func makeApp(_ backend: TestBackend, size: Size = Size(cols: 120, rows: 40), readonly: Bool = false,
             lang: Language = .zh, depth: ColorDepth = .truecolor) async -> (ConsoleApp, HeadlessDriver) {
    let d = HeadlessDriver(size: size, colorDepth: depth)
    let app = ConsoleApp(backend: backend, driver: d, config: ConsoleConfig(lang: lang, readonly: readonly))
    app.requestRefresh()
    await app.settle()
    app.render()
    return (app, d)
}

extension ConsoleApp {
    /// 处理按键、等后台结束、画一帧。
    func press(_ keys: Key...) async {
        for k in keys { handle(k); await settle() }
        render()
    }
    func type(_ s: String) async {
        for c in s { handle(.char(c)) }
        await settle()
        render()
    }
}
