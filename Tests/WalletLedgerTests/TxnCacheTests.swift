// 事务内缓存（资产、审计链头）绝不活过它的事务：另一条连接（= 另一个引擎）的改动，下一个事务必须看到。
// 若缓存是进程级的，第二个事务会读到旧的确认数、把审计接在旧链头后面（链校验失败）。两个后端都跑（WALLET_LEDGER_TEST_BACKEND）。
import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

@Test func cachesNeverOutliveTheirTransaction() throws {
    let env = try Fixture.env()
    let a = env.ledger
    let b = Ledger(store: try Fixture.reopen(env.path), deriver: HashDeriver())
    // A：一个事务里读两次资产、写两条审计（第二次起走缓存）
    try a.store.transaction {
        #expect(try a.asset("ETH").confirmations == 3)
        #expect(try a.asset("ETH").confirmations == 3)
        try a.appendAudit(operatorName: "t", action: "cache.a", subject: "1", details: [:])
        try a.appendAudit(operatorName: "t", action: "cache.a", subject: "2", details: [:])
    }
    // B（另一条连接）：改资产、追加审计
    _ = try b.updateAsset("ETH", by: "admin") { $0.confirmations = 7 }
    try b.appendAudit(operatorName: "t", action: "cache.b", subject: "3", details: [:])
    // A 的下一个事务：看到 B 的确认数，审计接在 B 的链头之后
    try a.store.transaction {
        #expect(try a.asset("ETH").confirmations == 7)
        try a.appendAudit(operatorName: "t", action: "cache.a", subject: "4", details: [:])
    }
    #expect(try AuditChain.verify(a.store).ok)
    // 本事务自己改资产：同一事务里随后读到的是新值
    try a.store.transaction {
        _ = try a.asset("ETH")
        _ = try a.updateAsset("ETH", by: "admin") { $0.confirmations = 9 }
        #expect(try a.asset("ETH").confirmations == 9)
    }
    // 保存点撤销了一条审计：链头缓存随之作废，之后的审计接在真实链头后面
    try a.store.transaction {
        try a.appendAudit(operatorName: "t", action: "cache.a", subject: "5", details: [:])
        #expect(throws: LedgerError.self) {
            try a.store.savepoint {
                try a.appendAudit(operatorName: "t", action: "cache.a", subject: "undone", details: [:])
                throw LedgerError.amountZero
            }
        }
        try a.appendAudit(operatorName: "t", action: "cache.a", subject: "6", details: [:])
    }
    #expect(try AuditChain.verify(a.store).ok)
    #expect(try a.check().isEmpty)
}
