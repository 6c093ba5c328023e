// 控制台与 CLI 用的只读接口：全部从数据库分页，不一次读入全部行。
extension Ledger {
    public func audits(_ f: AuditFilter = AuditFilter(), page: Page = Page()) throws -> [AuditRecord] { try store.audits(f, page: page) }
    public func auditCount(_ f: AuditFilter = AuditFilter()) throws -> Int { try store.auditCount(f) }
    public func verifyAudit() throws -> AuditChain.Verification { try AuditChain.verify(store) }
    public func check() throws -> [InvariantViolation] { try InvariantChecker.check(store) }
    public func alerts(page: Page = Page()) throws -> [(id: Int64, ts: Int64, kind: String, message: String)] { try store.alerts(page: page) }

    /// SQLite 后端的任务队列（与账本同库）。
    public var jobQueue: (any JobQueue & LeaseLock)? {
        (store as? SQLiteLedgerStore).map { SQLiteJobQueue(store: $0) }
    }
}
