// LedgerStore 的 SQLite 实现（续）：提现、归集、操作员、审计、对账。
import Foundation
import WalletCrypto

extension SQLLedgerStore: WithdrawalRepository {
    public func withdrawal(id: Int64) throws -> Withdrawal? {
        try db.query("SELECT * FROM withdrawals WHERE id = ?", [id]).first.map(mapWithdrawal)
    }
    public func withdrawal(requestID: String) throws -> Withdrawal? {
        try db.query("SELECT * FROM withdrawals WHERE request_id = ?", [requestID]).first.map(mapWithdrawal)
    }
    public func insertWithdrawal(_ w: Withdrawal) throws -> Int64 {
        return try db.insert("""
            INSERT INTO withdrawals (request_id, user_id, asset, amount, to_address, state, requested_by, rule,
              approvals_required, reason, created_at, updated_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [w.requestID, w.user, w.asset, w.amount, w.to, w.state.rawValue, w.requestedBy, w.rule,
                  w.approvalsRequired, w.reason, w.createdAt, w.updatedAt, w.expiresAt])
    }
    public func updateWithdrawal(_ w: Withdrawal) throws {
        try db.execute("""
            UPDATE withdrawals SET state = ?, rule = ?, approvals_required = ?, reason = ?, nonce = ?, from_address = ?,
              raw_tx = ?, tx_hash = ?, fee = ?, updated_at = ?, expires_at = ? WHERE id = ?
            """, [w.state.rawValue, w.rule, w.approvalsRequired, w.reason, w.nonce, w.fromAddress,
                  w.rawTx.map { SQLBlob($0) }, w.txHash, w.fee, w.updatedAt, w.expiresAt, w.id])
    }
    public func insertApproval(withdrawalID: Int64, _ a: Approval) throws {
        // 同一人的过期审批被新的一条替换（主键 (提现, 操作员)）。
        try db.execute("""
            INSERT INTO approvals (withdrawal_id, operator, created_at, expires_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(withdrawal_id, operator) DO UPDATE SET created_at = excluded.created_at, expires_at = excluded.expires_at
            """, [withdrawalID, a.operatorName, a.createdAt, a.expiresAt])
    }
    func withdrawalWhere(_ f: WithdrawalFilter) -> (String, [SQLBindable]) {
        Self.whereClause([("state = ?", f.state?.rawValue), ("user_id = ?", f.user), ("asset = ?", f.asset)],
                         text: f.text, haystack: Self.withdrawalHaystack)
    }
    public func withdrawals(_ f: WithdrawalFilter, page: Page) throws -> [Withdrawal] {
        let (w, args) = withdrawalWhere(f)
        let order: String
        switch f.order {
        case .newest: order = "id DESC"
        case .urgency: order = Self.withdrawalUrgencyOrder
        }
        return try db.query("SELECT * FROM withdrawals\(w) ORDER BY \(order) LIMIT ? OFFSET ?", args + [page.limit, page.offset]).map(mapWithdrawal)
    }
    public func withdrawalCount(_ f: WithdrawalFilter) throws -> Int {
        let (w, args) = withdrawalWhere(f)
        return Int(try db.query("SELECT COUNT(*) AS n FROM withdrawals\(w)", args).first!.int("n"))
    }
    public func withdrawalVolume(asset: String, user: String?, since: Int64) throws -> [UInt256] {
        var sql = "SELECT amount FROM withdrawals WHERE asset = ? AND created_at > ? AND state NOT IN ('rejected','expired','failed')"
        var args: [SQLBindable] = [asset, since]
        if let user { sql += " AND user_id = ?"; args.append(user) }
        return try db.query(sql, args).map { try $0.amount("amount") }
    }
    public func openWithdrawalAmounts() throws -> [(user: String, asset: String, amount: UInt256)] {
        try db.query("SELECT user_id, asset, amount FROM withdrawals WHERE state NOT IN ('confirmed','failed','rejected','expired')")
            .map { ($0.text("user_id"), $0.text("asset"), try $0.amount("amount")) }
    }
    public func expirable(before: Int64, limit: Int) throws -> [Withdrawal] {
        try db.query("""
            SELECT * FROM withdrawals WHERE state IN ('requested','risk_checked','awaiting_approval','approved')
            AND nonce IS NULL AND expires_at <= ? ORDER BY id LIMIT ?
            """, [before, limit]).map(mapWithdrawal)
    }
    public func allocateNonce(from: String) throws -> Int64 {
        try db.transaction {
            let cur = try db.query("SELECT next_nonce FROM nonces WHERE from_address = ?", [from]).first?.int("next_nonce") ?? 0
            try db.execute("INSERT INTO nonces (from_address, next_nonce) VALUES (?, ?) ON CONFLICT(from_address) DO UPDATE SET next_nonce = excluded.next_nonce", [from, cur + 1])
            return cur
        }
    }
    public func nonceCollisions() throws -> [String] {
        try db.query("""
            SELECT from_address, nonce, COUNT(DISTINCT tx_hash) AS n FROM withdrawals WHERE nonce IS NOT NULL AND tx_hash IS NOT NULL
            GROUP BY from_address, nonce HAVING COUNT(DISTINCT tx_hash) > 1
            """).map { "\($0.text("from_address"))#\($0.int("nonce"))" }
    }
    func mapAllow(_ r: SQLRow) -> AllowlistEntry {
        AllowlistEntry(address: r.text("address"), addedBy: r.text("added_by"), addedAt: r.int("added_at"),
                       activatedBy: r.textOpt("activated_by"), activatedAt: r.intOpt("activated_at"))
    }
    public func allowlistEntry(_ address: String) throws -> AllowlistEntry? {
        try db.query("SELECT * FROM allowlist WHERE address = ?", [address]).first.map(mapAllow)
    }
    public func upsertAllowlist(_ e: AllowlistEntry) throws {
        try db.execute("""
            INSERT INTO allowlist (address, added_by, added_at, activated_by, activated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(address) DO UPDATE SET activated_by = excluded.activated_by, activated_at = excluded.activated_at
            """, [e.address, e.addedBy, e.addedAt, e.activatedBy, e.activatedAt])
    }
    public func allowlist(page: Page) throws -> [AllowlistEntry] {
        try db.query("SELECT * FROM allowlist ORDER BY added_at, address LIMIT ? OFFSET ?", [page.limit, page.offset]).map(mapAllow)
    }
}

/// BLOB 参数包装。
struct SQLBlob: SQLBindable {
    let bytes: [UInt8]
    init(_ b: [UInt8]) { bytes = b }
    var sqlValue: SQLValue { .blob(bytes) }
}

extension SQLLedgerStore: SweepRepository {
    public func sweep(address: String, nonce: Int64) throws -> Sweep? {
        try db.query("SELECT * FROM sweeps WHERE address = ? AND nonce = ?", [address, nonce]).first.map(mapSweep)
    }
    public func sweep(id: Int64) throws -> Sweep? {
        try db.query("SELECT * FROM sweeps WHERE id = ?", [id]).first.map(mapSweep)
    }
    public func insertSweep(_ s: Sweep) throws -> Int64 {
        return try db.insert("""
            INSERT INTO sweeps (address, nonce, asset, amount, fee, topup, state, reason, tx_hash, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [s.address, s.nonce, s.asset, s.amount, s.fee, s.topup, s.state.rawValue, s.reason, s.txHash, s.createdAt, s.updatedAt])
    }
    public func updateSweep(_ s: Sweep) throws {
        try db.execute("UPDATE sweeps SET state = ?, reason = ?, tx_hash = ?, fee = ?, updated_at = ? WHERE id = ?",
                       [s.state.rawValue, s.reason, s.txHash, s.fee, s.updatedAt, s.id])
    }
    public func sweeps(state: SweepState?, page: Page) throws -> [Sweep] {
        let (w, args) = Self.whereClause([("state = ?", state?.rawValue)])
        return try db.query("SELECT * FROM sweeps\(w) ORDER BY id DESC LIMIT ? OFFSET ?", args + [page.limit, page.offset]).map(mapSweep)
    }
}

extension SQLLedgerStore: OperatorRepository {
    public func storedOperator(_ name: String) throws -> StoredOperator? {
        try db.query("SELECT * FROM operators WHERE name = ?", [name]).first.map {
            StoredOperator(op: Operator(name: $0.text("name"), role: OperatorRole(rawValue: $0.text("role")) ?? .viewer,
                                        createdAt: $0.int("created_at")),
                           salt: try Hex.decode($0.text("salt")), hash: try Hex.decode($0.text("hash")),
                           n: UInt64($0.int("kdf_n")), r: UInt64($0.int("kdf_r")), p: UInt64($0.int("kdf_p")))
        }
    }
    public func insertOperator(_ o: StoredOperator) throws {
        try db.execute("INSERT INTO operators (name, role, salt, hash, kdf_n, kdf_r, kdf_p, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [o.op.name, o.op.role.rawValue, Hex.encode(o.salt), Hex.encode(o.hash), Int64(o.n), Int64(o.r), Int64(o.p), o.op.createdAt])
    }
    public func operators() throws -> [Operator] {
        try db.query("SELECT name, role, created_at FROM operators ORDER BY name").map {
            Operator(name: $0.text("name"), role: OperatorRole(rawValue: $0.text("role")) ?? .viewer, createdAt: $0.int("created_at"))
        }
    }
}

extension SQLLedgerStore: AuditRepository, ReconciliationRepository {
    public func lastAuditHead(chain: Int) throws -> (seq: Int64, hash: String)? {
        if let hit = withTxnCache({ $0.auditHeads[chain] }), let h = hit { return h }
        let h = try db.query("SELECT seq, hash FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1", [chain]).first.map { ($0.int("seq"), $0.text("hash")) }
        if let h { _ = withTxnCache { $0.auditHeads[chain] = h } }
        return h
    }
    /// 链内序号 seq 由调用方给（= 链头 + 1，在该链的锁内算出），`audit verify` 要求它连续；id 只是全表行号
    /// （PostgreSQL 的 IDENTITY 不随回滚退回、会有空号——所以连续性看 seq 不看 id）。调用方给了 id 时照用（测试造数据）。
    public func insertAudit(_ r: AuditRecord) throws -> Int64 {
        let id: Int64
        if r.id > 0 {
            try db.execute("INSERT INTO audit_log (id, ts, operator, action, subject, details, prev_hash, hash, mac, chain, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [r.id, r.ts, r.operatorName, r.action, r.subject, r.details, r.prevHash, r.hash, r.mac, r.chain, r.seq])
            id = r.id
        } else {
            id = try db.insert("INSERT INTO audit_log (ts, operator, action, subject, details, prev_hash, hash, mac, chain, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [r.ts, r.operatorName, r.action, r.subject, r.details, r.prevHash, r.hash, r.mac, r.chain, r.seq])
        }
        _ = withTxnCache { $0.auditHeads[r.chain] = (r.seq, r.hash) }
        return id
    }
    func auditWhere(_ f: AuditFilter) -> (String, [SQLBindable]) {
        Self.whereClause([("action = ?", f.action), ("operator = ?", f.operatorName)], text: f.text, haystack: Self.auditHaystack)
    }
    public func audits(_ f: AuditFilter, page: Page) throws -> [AuditRecord] {
        let (w, args) = auditWhere(f)
        return try db.query("SELECT * FROM audit_log\(w) ORDER BY id DESC LIMIT ? OFFSET ?", args + [page.limit, page.offset]).map(mapAudit)
    }
    public func auditCount(_ f: AuditFilter) throws -> Int {
        let (w, args) = auditWhere(f)
        return Int(try db.query("SELECT COUNT(*) AS n FROM audit_log\(w)", args).first!.int("n"))
    }
    public func audits(chain: Int, afterSeq: Int64, limit: Int) throws -> [AuditRecord] {
        try db.query("SELECT * FROM audit_log WHERE chain = ? AND seq > ? ORDER BY seq LIMIT ?", [chain, afterSeq, limit]).map(mapAudit)
    }
    public func auditChains() throws -> [Int] {
        try db.query("SELECT DISTINCT chain FROM audit_log WHERE chain > 0 ORDER BY chain").map { Int($0.int("chain")) }
    }
    public func insertAlert(kind: String, message: String, messageEn: String, at: Int64) throws {
        try db.execute("INSERT INTO alerts (ts, kind, message, message_en) VALUES (?, ?, ?, ?)", [at, kind, message, messageEn])
    }
    public func alerts(page: Page) throws -> [Alert] {
        try db.query("SELECT * FROM alerts ORDER BY id DESC LIMIT ? OFFSET ?", [page.limit, page.offset])
            .map { Alert(id: $0.int("id"), ts: $0.int("ts"), kind: $0.text("kind"), message: $0.text("message"), messageEn: $0.text("message_en")) }
    }
    public func alertCounts() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try db.query("SELECT kind, COUNT(*) AS n FROM alerts GROUP BY kind", []) { out[r.text("kind")] = Int(r.int("n")) }
        return out
    }
    public func insertReconciliation(at: Int64, account: String, asset: String, ledger: UInt256, chain: UInt256, matches: Bool) throws {
        try db.execute("INSERT INTO reconciliations (ts, account, asset, ledger_amount, chain_amount, matches) VALUES (?, ?, ?, ?, ?, ?)",
                       [at, account, asset, ledger, chain, matches])
    }
    public func lastReconciliation(account: String, asset: String) throws -> (ledger: UInt256, chain: UInt256, matches: Bool)? {
        try db.query("SELECT * FROM reconciliations WHERE account = ? AND asset = ? ORDER BY id DESC LIMIT 1", [account, asset])
            .first.map { (try $0.amount("ledger_amount"), try $0.amount("chain_amount"), $0.int("matches") != 0) }
    }
    public func reconciliations(page: Page) throws -> [(ts: Int64, account: String, asset: String, ledger: UInt256, chain: UInt256, matches: Bool)] {
        try db.query("SELECT * FROM reconciliations ORDER BY id DESC LIMIT ? OFFSET ?", [page.limit, page.offset])
            .map { ($0.int("ts"), $0.text("account"), $0.text("asset"), try $0.amount("ledger_amount"), try $0.amount("chain_amount"), $0.int("matches") != 0) }
    }
}
