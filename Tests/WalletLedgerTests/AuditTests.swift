import Testing
import WalletCrypto
@testable import WalletLedger

func auditEnv(records: Int) throws -> (Ledger, SQLiteDatabase) {
    let env = try Fixture.env()
    for i in 0..<records { try env.ledger.setSetting("k\(i)", "v\(i)") }
    return (env.ledger, (env.ledger.store as! SQLiteLedgerStore).db)
}

@Test func auditChainVerifiesAndDetectsEdits() throws {
    let (l, db) = try auditEnv(records: 5)
    let v = try l.verifyAudit()
    #expect(try v.ok && v.firstBad == nil && v.records == l.auditCount())
    try db.execute("UPDATE audit_log SET details = '{\"value\":\"evil\"}' WHERE id = 7")
    let bad = try l.verifyAudit()
    #expect(!bad.ok && bad.firstBad == 7)
}

@Test func auditChainDetectsDeletion() throws {
    let (l, db) = try auditEnv(records: 5)
    try db.execute("DELETE FROM audit_log WHERE id = 4")
    #expect(try l.verifyAudit().firstBad == 5)
}

@Test func auditChainDetectsReorder() throws {
    let (l, db) = try auditEnv(records: 5)
    // 交换两条记录的内容（含各自 hash），id 顺序被打乱。
    let rows = try db.query("SELECT * FROM audit_log WHERE id IN (5, 6) ORDER BY id")
    for (target, src) in [(5, rows[1]), (6, rows[0])] {
        try db.execute("UPDATE audit_log SET ts = ?, operator = ?, action = ?, subject = ?, details = ?, prev_hash = ?, hash = ? WHERE id = ?",
                       [src.int("ts"), src.text("operator"), src.text("action"), src.text("subject"), src.text("details"),
                        src.text("prev_hash"), src.text("hash"), target])
    }
    #expect(try l.verifyAudit().firstBad == 5)
}

@Test func auditChainDetectsTailDeletion() throws {
    let (l, db) = try auditEnv(records: 3)
    let n = try l.auditCount()
    try db.execute("DELETE FROM audit_log WHERE id = ?", [n])
    let v = try l.verifyAudit()
    #expect(!v.ok && v.firstBad == Int64(n))
}
