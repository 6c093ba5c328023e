import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

@Test func migratesFromEmptyAndUsesWAL() throws {
    let path = Fixture.tempPath()
    let store = try SQLiteLedgerStore(path: path)
    #expect(try Migrations.version(store.db) == Migrations.latest)
    #expect(try store.db.query("PRAGMA journal_mode").first?.text("journal_mode") == "wal")
    // 重复打开是空操作。
    let again = try SQLiteLedgerStore(path: path)
    #expect(try Migrations.version(again.db) == Migrations.latest)
}

@Test(arguments: Migrations.all.map(\.0).dropLast())
func migratesFromEachEarlierVersion(version: Int) throws {
    let path = Fixture.tempPath()
    do {
        let old = try SQLiteLedgerStore(unmigrated: path)
        try Migrations.migrate(old.db, to: version)
        #expect(try Migrations.version(old.db) == version)
        // 在旧版本里写点数据（v1 起就有的表）。
        try old.db.execute("INSERT INTO settings (key, value) VALUES ('chain.id', '1')")
        try old.db.execute("INSERT INTO assets (symbol, decimals, confirmations, min_deposit) VALUES ('ETH', 18, 12, ?)", [UInt256.zero])
    }
    let store = try SQLiteLedgerStore(path: path)
    #expect(try Migrations.version(store.db) == Migrations.latest)
    #expect(try store.setting("chain.id") == "1")
    #expect(try store.asset("ETH")?.decimals == 18)
    // 新表可用。
    let q = SQLiteJobQueue(store: store)
    _ = try q.enqueue(queue: "q", kind: "k", payload: "{}", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
    try store.insertReconciliation(at: 1, account: "a", asset: "ETH", ledger: .zero, chain: .zero, matches: true)
}

@Test func refusesNewerDatabase() throws {
    let path = Fixture.tempPath()
    let store = try SQLiteLedgerStore(path: path)
    try store.db.execute("INSERT INTO schema_version (version) VALUES (999)")
    #expect(throws: LedgerError.self) { _ = try SQLiteLedgerStore(path: path) }
}

@Test func journalIsImmutable() throws {
    let env = try Fixture.env()
    try Fixture.credit(env.ledger, user: "u1", amount: ether)
    let db = (env.ledger.store as! any SQLBackedStore).sqlDatabase
    #expect(throws: LedgerError.self) { try db.execute("UPDATE postings SET amount = ?", [UInt256(1)]) }
    #expect(throws: LedgerError.self) { try db.execute("DELETE FROM journal_entries") }
    #expect(try env.ledger.check().isEmpty)
}
