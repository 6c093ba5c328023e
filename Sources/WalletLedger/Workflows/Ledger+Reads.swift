// 控制台与 CLI 用的只读接口：全部从数据库分页，不一次读入全部行。
import WalletCrypto
extension Ledger {
    public func audits(_ f: AuditFilter = AuditFilter(), page: Page = Page()) throws -> [AuditRecord] { try store.audits(f, page: page) }
    public func auditCount(_ f: AuditFilter = AuditFilter()) throws -> Int { try store.auditCount(f) }
    public func verifyAudit() throws -> AuditChain.Verification { try AuditChain.verify(store, sealer: sealer) }
    public func check() throws -> [InvariantViolation] { try InvariantChecker.check(store) }
    public func alerts(page: Page = Page()) throws -> [Alert] { try store.alerts(page: page) }
    public func alertCounts() throws -> [String: Int] { try store.alertCounts() }

    /// 任务队列：配置了外部队列（Redis Streams）就用它，否则是与账本同库的表（SQLite 或 PostgreSQL）。
    public var jobQueue: (any JobQueue & LeaseLock)? {
        externalJobQueue ?? (store as? any SQLBackedStore)?.makeJobQueue()
    }
}

extension Ledger {
    /// 死信重新入队并记审计。
    public func requeueJob(id: Int64, by op: Operator, queue: any JobQueue) throws -> Job {
        try requireRole(op, [.admin], "jobs requeue")
        return try store.transaction {
            let j = try queue.requeue(id: id, now: now)
            try audit(op.name, "jobs.requeue", String(id), ["kind": j.kind, "cli": ShellWords.join(["jobs", "requeue", String(id), "--operator", op.name])])
            return j
        }
    }
}
