import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

// 分片事务与分片审计链。默认只在 PostgreSQL 上走分片（SQLite 整库一把写锁，分片没有意义）；这里在 SQLite 上打开，
// 让 CI 覆盖分片链的逻辑（链、检查点、校验、跨分片拒绝）。并行本身在 PostgreSQL 上测：ConcurrencyTests（WALLET_LEDGER_TEST_BACKEND=postgres）
// 与发布版二进制的 PostgreSQL 一致性测试。

extension Fixture {
    static func enableShards(_ l: Ledger) {
        if let s = l.store as? SQLiteLedgerStore { s.shardedWrites = true }
    }
    /// 打开了分片写的账本（SQLite 上默认不分片）。
    static func shardedLedger() throws -> Ledger {
        let l = try env().ledger
        enableShards(l)
        return l
    }
    /// 只能写库的人删掉一条分片链的最后一条记录，并把链头键改回上一条——库内的哈希链看不出来。
    static func dropShardTail(_ l: Ledger, chain c: Int) throws {
        let db = (l.store as! any SQLBackedStore).sqlDatabase
        let tail = try #require(try l.store.lastAuditHead(chain: c))
        let prev = try #require(try AuditChain.record(l.store, chain: c, seq: tail.seq - 1))
        try db.execute("DELETE FROM audit_log WHERE chain = ? AND seq = ?", [c, tail.seq])
        try db.execute("UPDATE settings SET value = ? WHERE key = ?", ["\(prev.seq):\(prev.hash)", "audit.head.\(c)"])
    }
    /// 落在不同分片上的 n 个用户名。
    static func usersInDistinctShards(_ n: Int) -> [String] {
        var seen = Set<Int>(), out: [String] = []
        for i in 0..<1000 where out.count < n {
            if seen.insert(LedgerShards.of(user: "s\(i)")).inserted { out.append("s\(i)") }
        }
        return out
    }
}

@Test func shardOfAUserIsStableAcrossProcesses() {
    // FNV-1a 64 的已知值（用 Python 按 FNV-1a 64 的定义独立算出）——换成带随机种子的 Hasher 这里就会失败。
    #expect(LedgerShards.of(user: "") == 5)   // 0xcbf29ce484222325 % 16
    #expect(LedgerShards.of(user: "alice") == 7)   // FNV-1a 64("alice") = 0x508b2abb65a03907
    #expect((0..<200).map { LedgerShards.of(user: "u\($0)") }.allSatisfy { (0..<LedgerShards.count).contains($0) })
}

@Test func shardTransactionsKeepTheirOwnAuditChainsAndCheckpointsAnchorThem() throws {
    let l = try Fixture.shardedLedger()
    let users = Fixture.usersInDistinctShards(3)
    for u in users { try Fixture.credit(l, user: u, amount: ether) }
    let chains = try l.store.auditChains()
    #expect(Set(chains) == Set(users.map { LedgerShards.of(user: $0) + 1 }))
    // 每条分片链：deposit.seen + deposit.credit，seq 1、2。
    for c in chains {
        let recs = try l.store.audits(chain: c, afterSeq: 0, limit: 10)
        #expect(recs.map(\.seq) == [1, 2] && recs.map(\.action) == ["deposit.seen", "deposit.credit"])
    }
    #expect(try l.verifyAudit().ok)
    #expect(try l.checkpointAudit())
    #expect(try !l.checkpointAudit())   // 链头没变就不再写
    let v = try l.verifyAudit()
    let total = try l.auditCount()
    #expect(v.ok && v.records == total)

    // 删掉一条分片链的尾部、把链头键改回去：库内的哈希链看不出来，主链上的检查点看得出来。
    try Fixture.dropShardTail(l, chain: chains[0])
    let bad = try l.verifyAudit()
    #expect(!bad.ok)
    #expect(bad.reason?.contains("检查点") == true, "\(bad)")
}

@Test func shardChainEditsAreCaught() throws {
    let l = try Fixture.shardedLedger()
    let u = Fixture.usersInDistinctShards(1)[0]
    try Fixture.credit(l, user: u, amount: ether)
    let db = (l.store as! any SQLBackedStore).sqlDatabase
    let c = LedgerShards.of(user: u) + 1
    let first = try db.query("SELECT id FROM audit_log WHERE chain = ? AND seq = 1", [c]).first!.int("id")
    try db.execute("UPDATE audit_log SET details = '{\"amount\":\"999\"}' WHERE id = ?", [first])
    let bad = try l.verifyAudit()
    #expect(!bad.ok && bad.firstBad == first && bad.reason?.contains("分片链 \(c)") == true)
}

@Test func aShardTransactionRefusesAnotherShardsUser() throws {
    let l = try Fixture.shardedLedger()
    let us = Fixture.usersInDistinctShards(2)
    let a2 = try l.assignAddress(user: us[1], asset: "ETH")
    let before = try Fixture.snapshot(l)
    #expect(throws: LedgerError.self) {
        try l.store.transaction(shard: LedgerShards.of(user: us[0])) {
            _ = try l.observeDeposit(DepositObservation(txHash: "0xabc", logIndex: 0, address: a2.address, asset: "ETH",
                                                        amount: ether, blockNumber: 1, blockHash: "0xb"))
        }
    }
    #expect(try Fixture.snapshot(l) == before)
    // 同一分片、或外层是全局事务：照常加入。
    try l.store.transaction(shard: LedgerShards.of(user: us[1])) {
        _ = try l.observeDeposit(DepositObservation(txHash: "0xabc", logIndex: 0, address: a2.address, asset: "ETH",
                                                    amount: ether, blockNumber: 1, blockHash: "0xb"))
    }
    try l.store.transaction {
        _ = try l.observeDeposit(DepositObservation(txHash: "0xabd", logIndex: 0, address: a2.address, asset: "ETH",
                                                    amount: ether, blockNumber: 1, blockHash: "0xb"))
    }
    #expect(try l.verifyAudit().ok && l.check().isEmpty)
}

/// 迁移 14 之前的库：审计都在主链、id 连续、链头键是「id:hash」。升级后照样通过校验，新记录接着 seq 往下写。
@Test func auditChainFromBeforeShardsStillVerifiesAfterTheUpgrade() throws {
    let path = Fixture.tempPath()
    do {
        let old = try SQLiteLedgerStore(unmigrated: path)
        try Migrations.migrate(old.db, to: 13)
        var prev = AuditChain.genesis
        for i in 1...5 {
            let det = AuditChain.details(["k": "v\(i)"])
            let h = AuditChain.hash(prev: prev, ts: Int64(i), operatorName: "admin", action: "settings.set", subject: "k", details: det)
            try old.db.execute("INSERT INTO audit_log (id, ts, operator, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               [Int64(i), Int64(i), "admin", "settings.set", "k", det, prev, h])
            prev = h
        }
        try old.db.execute("INSERT INTO settings (key, value) VALUES ('audit.head', ?)", ["5:\(prev)"])
    }
    let l = Ledger(store: try SQLiteLedgerStore(path: path), deriver: HashDeriver())
    #expect(try l.verifyAudit().ok)
    try l.setSetting("k", "v6")
    let v = try l.verifyAudit()
    #expect(v.ok && v.records == 6)
    #expect(try l.store.lastAuditHead(chain: 0)?.seq == 6)
}

/// QA 发现：删掉分片链的尾部（并改好链头）之后引擎接着写，下一个检查点记下被改过的链，校验从此通过。
/// 现在：新检查点只能延长上一个——不符就不写、告警一次；校验也拒绝「倒退」的检查点序列。
@Test func aCheckpointNeverLaundersAnAlteredShardChain() throws {
    let l = try Fixture.shardedLedger()
    let u = Fixture.usersInDistinctShards(1)[0]
    try Fixture.credit(l, user: u, amount: ether)
    #expect(try l.checkpointAudit())
    let c = LedgerShards.of(user: u) + 1
    // 删掉链尾（seq 2）并改好链头；然后正常业务又写了一笔（新的 seq 2，hash 不同）。
    let first = try #require(try AuditChain.record(l.store, chain: c, seq: 1))
    try Fixture.dropShardTail(l, chain: c)
    try Fixture.credit(l, user: u, amount: ether * UInt256(2))
    #expect(try !l.checkpointAudit())
    #expect(try l.alerts(page: Page(limit: 10)).contains { $0.kind == "audit.tampered" })
    let v = try l.verifyAudit()
    #expect(!v.ok && v.reason?.contains("检查点") == true, "\(v)")

    // 旧版本的引擎可能已经写下了「倒退」的检查点：校验拒绝。
    _ = try AuditChain.append(l.store, at: l.now, operatorName: "system", action: AuditChain.checkpointAction, subject: "shards",
                              details: [String(c): "1:\(first.hash)"])
    let v2 = try l.verifyAudit()
    #expect(!v2.ok && v2.reason?.contains("检查点倒退") == true, "\(v2)")
}

/// 失联太久的引擎登记被删掉（QA：kill -9 过的引擎永远以「失联」留在 status 里）。
@Test func longLostEnginesArePruned() throws {
    let env = try Fixture.env()
    let s = env.ledger.store
    try s.heartbeatEngine(EngineRecord(id: "old", host: "h", pid: 1, version: "v", lockID: "", startedAt: 0, heartbeatAt: 100))
    try s.heartbeatEngine(EngineRecord(id: "new", host: "h", pid: 2, version: "v", lockID: "", startedAt: 0, heartbeatAt: 1000))
    #expect(try s.pruneEngines(heartbeatBefore: 500) == 1)
    #expect(try s.engines().map(\.id) == ["new"])
}
