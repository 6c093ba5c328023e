// 大表分页：提现紧急度排序与文本过滤都在 SQL 里完成；用 Swift 里独立算出的期望结果逐行核对（2 万行）。
import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

@Suite(.serialized) struct PagingTests {
    static let n = 20_000
    static let states = WithdrawalState.allCases
    static let terminal: Set<WithdrawalState> = [.confirmed, .failed, .rejected, .expired]

    /// 请求号里混入字面 % 与 _，用来核对 LIKE 转义；申请人在 alice/bob/carol 间轮换。
    static func requestID(_ i: Int) -> String {
        switch i % 97 { case 0: return "r%\(i)"; case 1: return "r_\(i)"; case 2: return "r\\\(i)"; default: return "r-\(i)" }
    }

    static func seedWithdrawals() throws -> SQLiteLedgerStore {
        let store = try SQLiteLedgerStore(path: Fixture.tempPath("paging"))
        var rng = SplitMix64(state: 42)
        try store.transaction {
            for i in 0..<n {
                let st = states[rng.int(states.count)]
                let created = Int64(1_700_000_000 + rng.int(1_000_000))
                let w = Withdrawal(requestID: requestID(i), user: "user\(i % 300)", asset: i % 3 == 0 ? "USDT" : "ETH",
                                   amount: UInt256(UInt64(i + 1)), to: String(format: "0x%040x", i * 7919),
                                   state: st, requestedBy: ["alice", "bob", "carol"][i % 3], createdAt: created,
                                   expiresAt: created + 3600, txHash: i % 5 == 0 ? String(format: "0x%064x", i) : nil)
                _ = try store.insertWithdrawal(w)
            }
        }
        return store
    }

    /// 与 SQL 的 withdrawalHaystack 同义的 Swift 版本（测试的独立期望）。
    static func haystack(_ w: Withdrawal) -> String {
        "\(w.id) \(w.requestID) \(w.user) \(w.asset) \(w.to) \(w.state.rawValue) \(w.requestedBy) \(w.txHash ?? "")".lowercased()
    }
    static func matches(_ f: TextFilter, _ h: String) -> Bool { f.terms.allSatisfy { h.contains($0.text) != $0.negated } }

    static func bucket(_ s: WithdrawalState) -> Int {
        switch s {
        case .awaitingApproval, .requested, .riskChecked: return 0
        case .unknown: return 1
        case .approved, .signed, .broadcast: return 2
        default: return 3
        }
    }
    static func urgencyKey(_ w: Withdrawal) -> (Int, Int64, Int64) {
        (bucket(w.state), terminal.contains(w.state) ? -w.id : w.createdAt, w.id)
    }

    static func all(_ store: SQLiteLedgerStore, _ f: WithdrawalFilter, pageSize: Int = 2_500) throws -> [Withdrawal] {
        var out: [Withdrawal] = [], off = 0
        while true {
            let p = try store.withdrawals(f, page: Page(limit: pageSize, offset: off))
            out += p; off += pageSize
            if p.count < pageSize { return out }
        }
    }

    @Test func urgencyOrderAndTextFilterInSQL() throws {
        let store = try Self.seedWithdrawals()
        let everything = try Self.all(store, WithdrawalFilter())
        #expect(everything.count == Self.n)

        // 紧急度：跨页拼起来的顺序 = 独立排序的结果。
        let urgent = try Self.all(store, WithdrawalFilter(order: .urgency))
        let expected = everything.sorted { Self.urgencyKey($0) < Self.urgencyKey($1) }
        #expect(urgent.map(\.id) == expected.map(\.id))
        #expect(urgent.first?.state == .awaitingApproval || urgent.first?.state == .requested || urgent.first?.state == .riskChecked)
        #expect(Self.terminal.contains(urgent.last!.state))

        // 过滤：多词、否定、% _ \ 字面匹配；每个都与 Swift 期望比对行集与计数。
        let queries = ["r%", "r_", "r\\", "%", "_1", "alice !usdt", "bob usdt !awaiting", "user17 !r-", "0x0000 unknown",
                       "awaiting_approval carol", "ALICE", "!eth !usdt", "r_1 !alice"]
        for q in queries {
            let tf = TextFilter(q)
            let want = everything.filter { Self.matches(tf, Self.haystack($0)) }
            let got = try Self.all(store, WithdrawalFilter(text: tf, order: .urgency))
            #expect(Set(got.map(\.id)) == Set(want.map(\.id)), "过滤 '\(q)'")
            #expect(got.map(\.id) == want.sorted { Self.urgencyKey($0) < Self.urgencyKey($1) }.map(\.id), "过滤后仍按紧急度 '\(q)'")
            #expect(try store.withdrawalCount(WithdrawalFilter(text: tf)) == want.count, "计数 '\(q)'")
        }
        // 转义确实生效：未转义时 "r_" 会匹配所有 "r-" 开头的请求号。
        let underscore = try store.withdrawalCount(WithdrawalFilter(text: TextFilter("r_")))
        #expect(underscore == (0..<Self.n).filter { $0 % 97 == 1 }.count)
        #expect(try store.withdrawalCount(WithdrawalFilter(text: TextFilter("r%"))) == (0..<Self.n).filter { $0 % 97 == 0 }.count)
        #expect(try store.withdrawalCount(WithdrawalFilter(text: TextFilter("!eth !usdt"))) == 0)
    }

    @Test func urgencyOrderUsesTheMigrationIndex() throws {
        let store = try Self.seedWithdrawals()
        let plan = try store.db.query("EXPLAIN QUERY PLAN SELECT * FROM withdrawals ORDER BY \(SQLiteLedgerStore.withdrawalUrgencyOrder) LIMIT 50 OFFSET 6000")
            .map { $0.text("detail") }.joined(separator: " | ")
        #expect(plan.contains("withdrawals_urgency") && !plan.contains("TEMP B-TREE"), "查询计划：\(plan)")
    }

    @Test func depositTextFilterInSQL() throws {
        let store = try SQLiteLedgerStore(path: Fixture.tempPath("paging-dep"))
        let dstates = DepositState.allCases
        try store.transaction {
            for i in 0..<Self.n {
                let d = Deposit(id: 0, chain: "eth", txHash: i % 101 == 0 ? "0x_\(i)" : String(format: "0x%064x", i), logIndex: 0,
                                asset: i % 2 == 0 ? "ETH" : "USDT", amount: UInt256(UInt64(i + 1)),
                                address: String(format: "0x%040x", i % 1000), user: "u\(i % 250)", blockNumber: Int64(i),
                                blockHash: "0xb", confirmations: 0, required: 3, state: dstates[i % dstates.count],
                                creditEntry: nil, reversalEntry: nil, createdAt: Int64(i), updatedAt: Int64(i))
                _ = try store.insertDeposit(d)
            }
        }
        var everything: [Deposit] = []
        for off in stride(from: 0, to: Self.n, by: 5_000) { everything += try store.deposits(DepositFilter(), page: Page(limit: 5_000, offset: off)) }
        #expect(everything.count == Self.n)
        func hay(_ d: Deposit) -> String { "\(d.id) \(d.user) \(d.asset) \(d.address) \(d.txHash) \(d.state.rawValue)".lowercased() }
        for q in ["0x_", "u17 !usdt", "credited eth", "!credited !seen", "0x%", "dust u2"] {
            let tf = TextFilter(q)
            let want = everything.filter { Self.matches(tf, hay($0)) }
            #expect(try store.depositCount(DepositFilter(text: tf)) == want.count, "计数 '\(q)'")
            // 取第 5000 行之后的一页，核对与期望的同一段一致（id 倒序）。
            let page = try store.deposits(DepositFilter(text: tf), page: Page(limit: 40, offset: min(5_000, max(0, want.count - 40))))
            let off = min(5_000, max(0, want.count - 40))
            #expect(page.map(\.id) == Array(want.dropFirst(off).prefix(40)).map(\.id), "分页 '\(q)'")
        }
        #expect(try store.depositCount(DepositFilter(text: TextFilter("0x_"))) == (0..<Self.n).filter { $0 % 101 == 0 }.count)
    }

    @Test func auditTextFilterInSQL() throws {
        let store = try SQLiteLedgerStore(path: Fixture.tempPath("paging-audit"))
        let actions = ["withdraw.approve", "withdraw.reject", "keystore.unseal", "jobs.requeue"]
        try store.transaction {
            for i in 0..<Self.n {
                let r = AuditRecord(id: Int64(i + 1), ts: Int64(i), operatorName: ["alice", "bob"][i % 2], action: actions[i % 4],
                                    subject: i % 89 == 0 ? "50%_off-\(i)" : "w\(i)", details: "{\"cli\":\"withdraw approve \(i)\"}",
                                    prevHash: "", hash: "", seq: Int64(i + 1))
                _ = try store.insertAudit(r)
            }
        }
        var everything: [AuditRecord] = []
        for off in stride(from: 0, to: Self.n, by: 5_000) { everything += try store.audits(AuditFilter(), page: Page(limit: 5_000, offset: off)) }
        func hay(_ a: AuditRecord) -> String { "\(a.id) \(a.operatorName) \(a.action) \(a.subject) \(a.details)".lowercased() }
        for q in ["withdraw. !reject", "%_", "bob jobs", "approve 1234", "!alice !bob"] {
            let tf = TextFilter(q)
            let want = everything.filter { Self.matches(tf, hay($0)) }
            #expect(try store.auditCount(AuditFilter(text: tf)) == want.count, "计数 '\(q)'")
            let off = min(6_000, max(0, want.count - 30))
            let page = try store.audits(AuditFilter(text: tf), page: Page(limit: 30, offset: off))
            #expect(page.map(\.id) == Array(want.dropFirst(off).prefix(30)).map(\.id), "分页 '\(q)'")
        }
        #expect(try store.auditCount(AuditFilter(text: TextFilter("%_"))) == (0..<Self.n).filter { $0 % 89 == 0 }.count)
    }
}
