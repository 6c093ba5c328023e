import Foundation
import Testing
import WalletCrypto
import WalletEngine
import WalletLedger
@testable import WalletConsole

/// EngineConsoleBackend 在真实引擎（演示链 home、真实账本与密钥库）上的行为：数据来自引擎，
/// 动作经过账本策略（角色、四眼、不能批自己）并写入带 CLI 孪生命令的审计。
@Suite(.serialized) struct EngineBackendTests {
    static func demo() async throws -> (WalletEngine, String) {
        let path = NSTemporaryDirectory() + "/wc-backend-\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000) % 1_000_000)"
        let s = try await DemoHome.create(at: path, blockIntervalMs: 500)
        return (s.engine, path)
    }

    func backend(_ e: WalletEngine, _ name: String, readonly: Bool = false) throws -> EngineConsoleBackend {
        let op = try #require(try e.operatorNamed(name))
        return EngineConsoleBackend(engine: e, operator: op, readonly: readonly, lang: .zh)
    }

    /// 告警面板的数据来自引擎账本：新到旧、级别按类别（深度重组停机是严重，取消是信息），页头带最新一条。
    @Test func alertsComeFromTheLedgerWithSeverity() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 密钥页的 nonce 面板来自引擎的 nonceStatus（演示链上没有缺口、没有外部使用）。
        let k = try await backend(e, "demo").keys()
        #expect(k.nonce?.ok == true && k.nonce?.chainLatest != nil, "\(String(describing: k.nonce))")
        try e.gate.with { l in
            try l.store.insertAlert(kind: "withdraw.cancelled", message: "提现 4 已取消", messageEn: "withdrawal 4 cancelled", at: 1_800_000_000)
            try l.store.insertAlert(kind: "scanner.halted", message: "深度重组超过窗口", messageEn: "deep reorg beyond the window", at: 1_800_000_060)
        }
        let b = try backend(e, "demo")
        let page = try await b.alerts(PageQuery(offset: 0, limit: 10))
        let mine = page.rows.filter { ["scanner.halted", "withdraw.cancelled"].contains($0.kind) }
        #expect(mine.map(\.kind) == ["scanner.halted", "withdraw.cancelled"], "新到旧：\(page.rows)")
        #expect(mine.map(\.level) == [.critical, .info])
        #expect(mine[0].message == "深度重组超过窗口")
        #expect(page.total >= 2)
        let h = try await b.header()
        #expect(h.latestAlert?.kind == "scanner.halted" && h.latestAlert?.level == .critical)
        let en = EngineConsoleBackend(engine: e, operator: try #require(try e.operatorNamed("demo")), readonly: false, lang: .en)
        #expect(try await en.alerts(PageQuery(offset: 0, limit: 1)).rows.first?.message == "deep reorg beyond the window")
        let filtered = try await b.alerts(PageQuery(offset: 0, limit: 10, filter: ListFilter("critical")))
        #expect(filtered.rows.allSatisfy { $0.level == .critical } && filtered.rows.contains { $0.kind == "scanner.halted" })
        // 按级别排序（issue 14）：严重的在最前，最近 1000 条里做。
        let bySeverity = try await b.alerts(PageQuery(offset: 0, limit: 50, sort: ListSort(.severity)))
        let ranks = bySeverity.rows.map { AlertLevel.allCases.firstIndex(of: $0.level)! }
        #expect(ranks == ranks.sorted() && bySeverity.rows.first?.level == .critical && bySeverity.total == page.total, "\(bySeverity.rows.map(\.level))")
        // 之后来了一条警告：页头仍是那条严重告警（不被更新的警告挤掉）。
        try e.gate.with { l in try l.store.insertAlert(kind: "sweep.failed", message: "归集失败", messageEn: "sweep failed", at: 1_800_000_120) }
        #expect(try await b.header().latestAlert?.kind == "scanner.halted")
    }

    @Test func dataComesFromTheEngine() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let b = try backend(e, "demo")
        let h = try await b.header()
        #expect(h.chainId == 1337 && h.chainLabel == "DEMO" && h.operatorName == "demo" && h.role == .admin)
        #expect(h.headHeight >= 30 && h.seal == .unsealed)
        let d = try await b.deposits(PageQuery(offset: 0, limit: 500))
        #expect(d.total > 0 && d.rows.contains { $0.state == .credited && $0.confirmations == $0.required })
        #expect(d.rows.allSatisfy { $0.confirmations <= $0.required && $0.amount.display.hasSuffix($0.asset) })
        let w = try await b.withdrawals(PageQuery(offset: 0, limit: 50))
        #expect(w.total >= 2 && w.rows.allSatisfy { $0.state == .pending && $0.requestedBy != "demo" })
        // 「等你 / 等别人」：demo 是管理员、不是申请人、还没批 → 等你；只读的同一个人 → 等别人（没有审批权）。
        #expect(w.rows.allSatisfy { $0.waitingOn == .you }, "\(w.rows.map(\.waitingOn))")
        let ro = try await backend(e, "demo", readonly: true).withdrawals(PageQuery(offset: 0, limit: 50))
        #expect(ro.rows.allSatisfy { $0.waitingOn == .others })
        #expect(zip(w.rows, w.rows.dropFirst()).allSatisfy { $0.urgency >= $1.urgency }, "按紧急度排序")
        // 演示提现的目标地址取自 EIP-55 规范的测试向量（全大写与全小写两类）；详情必须逐字给出校验和形式。
        let eip55Vectors: Set<String> = ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                                         "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"]
        for r in w.rows {
            let detail = try await b.withdrawalDetail(id: r.id)
            #expect(!detail.matchedRule.isEmpty && detail.eip55Valid && detail.approvers.isEmpty)
            #expect(eip55Vectors.contains(detail.row.destination), "详情显示 EIP-55 校验和形式：\(detail.row.destination)")
        }
        let fees = try await b.feeHistory()
        #expect(fees.baseFeePerGas.count >= 10 && fees.latestDisplay.hasSuffix("gwei"))
        let keys = try await b.keys()
        #expect(keys.tiers.contains { $0.keyId.hasPrefix("hot-wallet") && $0.tier == "db" && $0.health == .ok })
        let f = try await b.withdrawals(PageQuery(offset: 0, limit: 50, filter: ListFilter("alice !bob")))
        #expect(f.total >= 1 && f.total < w.total && f.rows.allSatisfy { $0.requestedBy.hasPrefix("alice") })
    }

    @Test func approvalsGoThroughLedgerPolicyAndAudit() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let demo = try backend(e, "demo")
        let rows = try await demo.withdrawals(PageQuery(offset: 0, limit: 50)).rows
        let big = try #require(rows.first { $0.approvalsRequired == 2 })
        let aliceOwn = try #require(rows.first { $0.requestedBy == "alice-ops" && $0.id != big.id })
        // 不能批自己发起的单（账本规则，不是界面规则）。
        let alice = try backend(e, "alice-ops")
        await #expect(throws: (any Error).self) { _ = try await alice.perform(.approve(id: aliceOwn.id)) }
        // 观察员无权审批。
        let viewer = try backend(e, "dave-viewer")
        await #expect(throws: (any Error).self) { _ = try await viewer.perform(.approve(id: big.id)) }
        // 四眼：大额单需两人；demo 批一次后仍待审，再批一次被拒（同一人只算一次）。
        let r1 = try await demo.perform(.approve(id: big.id))
        // 孪生命令可直接重放：带 --home 与 --operator（issue 14）。
        #expect(r1.cliCommand == "wallet-console withdraw approve \(big.id) --home \(e.home.root) --operator demo" && r1.message.contains("1/2"),
                "\(r1.cliCommand)")
        await #expect(throws: (any Error).self) { _ = try await demo.perform(.approve(id: big.id)) }
        let second = try backend(e, big.requestedBy == "alice-ops" ? "bob-ops" : "alice-ops")
        let r2 = try await second.perform(.approve(id: big.id))
        #expect(r2.message.contains("2/2") && r2.message.contains("approved"))
        // 只读后端不执行任何动作。
        let ro = try backend(e, "demo", readonly: true)
        await #expect(throws: (any Error).self) { _ = try await ro.perform(.reject(id: aliceOwn.id, reason: "x")) }
        // 拒绝要写原因并进入审计；审计行带 CLI 孪生命令。
        _ = try await demo.perform(.reject(id: aliceOwn.id, reason: "可疑地址"))
        let audit = try await demo.audit(PageQuery(offset: 0, limit: 20, filter: ListFilter("withdraw.")))
        #expect(audit.rows.contains { $0.actor == "demo" && $0.cliCommand == "wallet-console withdraw reject \(aliceOwn.id) --reason '可疑地址' --operator demo" })
        #expect(audit.rows.contains { $0.actor == second.op.name && $0.cliCommand == "wallet-console withdraw approve \(big.id) --operator \(second.op.name)" })
        // 仪表盘的待处理面板只列未结束的提现（刚拒绝的那笔不在里面，issue 14）。
        let dash = try await demo.dashboard(rowsPerPanel: 50)
        #expect(!dash.withdrawals.rows.contains { [.rejected, .confirmed, .failed].contains($0.state) }, "\(dash.withdrawals.rows.map(\.state))")
        #expect(!dash.withdrawals.rows.contains { $0.id == aliceOwn.id })
        let preview = try await demo.bulkPreview(ids: rows.map(\.id))
        #expect(preview.count == rows.count && preview.uniqueRecipients == Set(rows.map { $0.destination.lowercased() }).count
                && preview.total.hasSuffix("ETH"))
    }

    @Test func ceremonyAdapterDrivesCeremonyEngine() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let approver = try backend(e, "alice-ops")
        await #expect(throws: (any Error).self) { _ = try await approver.startCeremony() }
        let s = try await backend(e, "demo").startCeremony()
        guard case .intro = await s.current() else { Issue.record("应从引言开始"); return }
        guard case .showWords(let words) = try await s.submit(.proceed) else { Issue.record("应显示助记词"); return }
        #expect(words.words.count == 24)
        var step = try await s.submit(.proceed)
        // 答错：步骤不前进（引擎退回到抄写页）。
        if case .quiz = step {
            await #expect(throws: (any Error).self) { _ = try await s.submit(.quizAnswers([SecretBytes(Array("notaword".utf8))])) }
            guard case .showWords = await s.current() else { Issue.record("答错应退回抄写页"); return }
            step = try await s.submit(.proceed)
        }
        while case .quiz(let p) = step {
            step = try await s.submit(.quizAnswers([SecretBytes(Array(words.reveal(p[0] - 1).utf8))]))
        }
        guard case .passphrase(false) = step else { Issue.record("应进入口令步骤：\(step)"); return }
        step = try await s.submit(.passphrase(SecretBytes(Array("".utf8))))
        var shares = 0
        while case .showShare(let i, let n, let w) = step {
            #expect(n == 3 && i == shares + 1 && w.words.count >= 20)
            shares += 1
            step = try await s.submit(.nextShare)
        }
        #expect(shares == 3)
        guard case .summary(let fp, let xpub, let addrs) = step else { Issue.record("应到摘要：\(step)"); return }
        #expect(fp.count == 8 && xpub.contains("xpub") && addrs.first?.contains("0x") == true)
        guard case .finished = try await s.submit(.proceed) else { Issue.record("应完成"); return }
        // 完成写进账本审计（带指纹、不带任何机密）；之后再中止不改变什么、也不再记。
        await s.abort()
        let audits = try e.audits(limit: 20).rows.filter { $0.action.hasPrefix("ceremony.") }
        #expect(audits.map(\.action).sorted() == ["ceremony.complete", "ceremony.start"], "\(audits.map(\.action))")
        let done = try #require(audits.first { $0.action == "ceremony.complete" })
        #expect(done.details.contains(fp) && done.operatorName == "demo")
        // CLI 孪生能照抄：程序名、--home、--operator 都在，bash -n 语法通过。
        let twin = try #require((try JSONSerialization.jsonObject(with: Data(done.details.utf8)) as? [String: Any])?["cli"] as? String)
        #expect(twin.hasPrefix("wallet-console ceremony --label ") && twin.contains("--home ") && twin.contains("--operator demo"), "\(twin)")
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-n", "-c", twin]
        try bash.run(); bash.waitUntilExit()
        #expect(bash.terminationStatus == 0, "bash -n：\(twin)")
        for i in 0..<words.words.count { #expect(!done.details.contains("\"\(words.reveal(i))\"")) }
        // 另一场中途中止：记 ceremony.abort。
        let s2 = try await backend(e, "demo").startCeremony()
        _ = try await s2.submit(.proceed)
        await s2.abort()
        #expect(try e.audits(limit: 20).rows.contains { $0.action == "ceremony.abort" })
    }

    @Test func deadLettersListAndAdminRequeue() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 一个引擎不认识的任务，只允许试 1 次：任务 worker 跑一轮后它进死信。
        let job = try e.gate.with { l -> Job in
            let q = try #require(l.jobQueue)
            return try q.enqueue(queue: "engine", kind: "bogus.kind", payload: "{}", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        }
        _ = await e.runOnce(["jobs"])
        let demo = try backend(e, "demo")
        let dead = try await demo.deadLetters(PageQuery(offset: 0, limit: 10))
        let row = try #require(dead.rows.first { $0.id == String(job.id) })
        #expect(row.job == "engine/bogus.kind" && row.error.contains("job.unknown_kind") && row.attempts == 1)
        // 只有 admin 能重新入队（账本规则）。
        let approver = try backend(e, "alice-ops")
        await #expect(throws: (any Error).self) { _ = try await approver.perform(.requeue(deadLetterId: row.id)) }
        let out = try await demo.perform(.requeue(deadLetterId: row.id))
        #expect(out.cliCommand == "wallet-console jobs requeue \(job.id) --home \(e.home.root) --operator demo")
        let after = try await demo.deadLetters(PageQuery(offset: 0, limit: 10))
        #expect(!after.rows.contains { $0.id == row.id })
        let audit = try await demo.audit(PageQuery(offset: 0, limit: 5, filter: ListFilter("jobs.requeue")))
        #expect(audit.rows.first?.cliCommand == "wallet-console jobs requeue \(job.id) --operator demo")
    }

    /// 详情窗格的数据（issue 14）：充值的区块、日志序号、用户；提现的 nonce、哈希、实付手续费、原因（没有收据时区块为 nil）；
    /// 归集的总手续费；按列排序在后端完成，锚点返回包含选中项的那一页。
    @Test func detailFieldsAndSortingComeFromTheEngine() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let b = try backend(e, "demo")
        let d = try await b.deposits(PageQuery(offset: 0, limit: 500))
        #expect(!d.rows.isEmpty && d.rows.allSatisfy { $0.blockNumber > 0 && !$0.user.isEmpty && $0.txHash.hasPrefix("0x") }, "\(d.rows.map { ($0.blockNumber, $0.user) })")
        #expect(d.rows.contains { $0.asset == "ETH" && $0.logIndex == -1 } && d.rows.contains { $0.asset != "ETH" && $0.logIndex >= 0 })
        // 排序：按金额（屏幕上的数）降序；锚点在第二页时返回包含它的那一页。
        let sorted = try await b.deposits(PageQuery(offset: 0, limit: 500, sort: ListSort(.amount, descending: true)))
        let nums = sorted.rows.map { Double($0.amount.display.split(separator: " ")[0]) ?? -1 }
        #expect(nums == nums.sorted(by: >) && sorted.total == d.total, "\(nums)")
        if sorted.rows.count >= 4 {
            let last = sorted.rows.last!.id
            let p = try await b.deposits(PageQuery(offset: 0, limit: 2, sort: ListSort(.amount, descending: true), anchor: last))
            #expect(p.rows.contains { $0.id == last } && p.offset > 0)
        }
        // 已签名并确认的提现：nonce、哈希、实付手续费来自账本；演示链上没有这个哈希的收据 → 区块为 nil（界面写「尚未上链」）。
        let hash = "0x" + String(repeating: "5a", count: 32)
        let id = try e.gate.with { l -> Int64 in
            let now = Int64(Date().timeIntervalSince1970)
            var w = Withdrawal(requestID: "detail-1", user: "u-detail", asset: "ETH", amount: UInt256(UInt64(1_000_000_000_000_000)),
                               to: String(format: "0x%040x", 77), state: .confirmed, requestedBy: "bob-ops", createdAt: now, expiresAt: now + 3600,
                               txHash: hash)
            w.reason = "test reason"
            w.id = try l.store.insertWithdrawal(w)
            // insert 只写请求字段；链上字段（nonce、哈希、手续费）像执行器那样用 update 写。
            w.nonce = 42; w.txHash = hash; w.fee = UInt256(UInt64(21_000_000_000_000))
            try l.store.updateWithdrawal(w)
            return w.id
        }
        let det = try await b.withdrawalDetail(id: String(id))
        #expect(det.nonce == 42 && det.txHash == hash && det.block == nil && det.feePaid?.display == "0.000021 ETH" && det.reason == "test reason",
                "\(det.nonce as Any) \(det.txHash) \(det.block as Any) \(det.feePaid as Any) \(det.reason)")
        // 走势图：充值速率是最近 30 分钟每分钟的新充值（演示数据都是刚发现的，总数对得上）；小费来自手续费预言机的估算。
        _ = try await e.feesJSON()
        let dash = try await b.dashboard(rowsPerPanel: 5)
        #expect(dash.depositsPerMinute.count == 30 && dash.depositsPerMinute.reduce(0, +) == UInt64(d.total), "\(dash.depositsPerMinute) vs \(d.total)")
        #expect(!dash.fees.tipPerGas.isEmpty && dash.fees.latestTipDisplay.hasSuffix("gwei"), "\(dash.fees)")
        // 热钱包 vs 待出：每个资产一项；演示里 ETH 有待审提现（待出 > 0），余额来自链上。
        let eth = try #require(dash.outflow.first { $0.asset == "ETH" }, "\(dash.outflow)")
        #expect(eth.balance.hasSuffix("ETH") && eth.pending.hasSuffix("ETH") && (eth.ratio ?? 0) > 0 && (eth.ratio ?? 9) < 1, "\(eth)")
        #expect(Set(dash.outflow.map(\.asset)) == Set(try e.assets().map(\.symbol)))
        let sweeps = try await b.sweeps(PageQuery(offset: 0, limit: 50))
        #expect(sweeps.rows.allSatisfy { $0.feeMax?.display.hasSuffix("ETH") == true && $0.feeExpected != nil })
        let dead = try await b.deadLetters(PageQuery(offset: 0, limit: 10, sort: ListSort(.id, descending: true)))
        #expect(dead.rows.map(\.id) == dead.rows.map(\.id).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) })
    }

    /// 1.2 万条提现：过滤后的第 5000 行之后的一页必须正确（以前只在内存里扫 5000 行），紧急度顺序跨页成立。
    /// 只用工作进程不会推进的状态（待审且远未过期、已确认、已拒绝、失败），避免测试中途状态变化。
    @Test func pagesBeyondFiveThousandComeFromTheDatabase() async throws {
        let (e, path) = try await Self.demo()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let b = try backend(e, "demo")
        let now = Int64(Date().timeIntervalSince1970)
        let states: [WithdrawalState] = [.awaitingApproval, .confirmed, .rejected, .failed]
        var seeded: [(id: Int64, state: WithdrawalState, asset: String)] = []
        try e.gate.with { l in
            try l.store.transaction {
                for i in 0..<12_000 {
                    let st = i % 3 == 0 ? states[1 + (i / 3) % 3] : states[0]
                    let created = now - 500_000 + Int64(i) * 10
                    let asset = i % 4 == 1 ? "USDT" : "ETH"
                    let w = Withdrawal(requestID: "bulk-\(i)", user: "bulk-user\(i % 40)", asset: asset, amount: UInt256(UInt64(i + 1)),
                                       to: String(format: "0x%040x", i), state: st, requestedBy: "bulkop",
                                       createdAt: created, expiresAt: now + 864_000)
                    seeded.append((try l.store.insertWithdrawal(w), st, asset))
                }
            }
        }
        // 期望：待审在前（越早越前），终态在后（越新越前）。
        let want = seeded.filter { $0.asset != "USDT" }
        let open = want.filter { $0.state == .awaitingApproval }.map(\.id)
        let done = want.filter { $0.state != .awaitingApproval }.map(\.id).sorted(by: >)
        let expected = (open + done).map(String.init)
        #expect(want.count == 9_000 && open.count > 5_000)

        let q = ListFilter("bulkop !usdt")
        let p = try await b.withdrawals(PageQuery(offset: 6_000, limit: 50, filter: q))
        #expect(p.total == expected.count)
        #expect(p.rows.map(\.id) == Array(expected[6_000..<6_050]), "第 6000 行起的过滤页")
        // 横跨 5000 行边界与待审/终态分界的页。
        for off in [4_990, open.count - 25, 8_980] {
            let pg = try await b.withdrawals(PageQuery(offset: off, limit: 50, filter: q))
            #expect(pg.rows.map(\.id) == Array(expected[off..<min(expected.count, off + 50)]), "偏移 \(off)")
        }
        // 紧急度分值跨页单调不增。
        var last = Int.max, seen = 0
        for off in stride(from: 0, to: expected.count, by: 1_000) {
            let pg = try await b.withdrawals(PageQuery(offset: off, limit: 1_000, filter: q))
            for r in pg.rows { #expect(r.urgency <= last, "紧急度 \(r.id)"); last = r.urgency }
            seen += pg.rows.count
        }
        #expect(seen == expected.count)
        // 不带过滤：全表总数含演示数据与 1.2 万条；第一页是待审。
        let all = try await b.withdrawals(PageQuery(offset: 0, limit: 20))
        #expect(all.total >= 12_000 && all.rows.allSatisfy { $0.state == .pending })
        // 按列排序只在最新（紧急度最前）的 5000 行里做，并如实报告真实总数（标题写「排序只在最新的 5000 行里」）。
        let sorted = try await b.withdrawals(PageQuery(offset: 0, limit: 20, sort: ListSort(.amount, descending: true)))
        #expect(sorted.total == EngineConsoleBackend.sortWindow && sorted.sortedOf == all.total, "\(sorted.total) \(String(describing: sorted.sortedOf))")
        let amts = sorted.rows.map { Double($0.amount.display.split(separator: " ")[0]) ?? -1 }
        #expect(amts == amts.sorted(by: >), "\(amts)")
    }
}
