// LedgerStore 的 SQL 实现（所有 SQL 只在 Storage/ 下）。一份仓储代码，两个后端：
// SQLiteDatabase（嵌入式默认）与 WalletPostgres 的 PostgresSQLDatabase；SQL 只用两者共有的子集。
import Foundation
import WalletCrypto

/// 有 SQL 数据库的存储：同库的任务队列/租约锁由它给出（Ledger.jobQueue）。
public protocol SQLBackedStore: AnyObject {
    func makeJobQueue() -> any JobQueue & LeaseLock
    /// 底层连接（工具与测试用：快照、EXPLAIN）。
    var sqlDatabase: any SQLDatabase { get }
}

public final class SQLLedgerStore<DB: SQLDatabase>: SQLBackedStore {
    public let db: DB
    public var fence: LeaseFence?
    public var fenceClock: any WalletClock = SystemClock()

    /// 事务内缓存：只在一个写事务里有效（持有写锁，别的连接改不了这些行；本事务自己改时同步更新）。
    /// 资产（每笔充值读两次）与审计链头（每条审计读一次）——入账热路径上省下的往返，见 docs/ledger.md「性能」。
    /// 事务外一律读库：多个引擎之间不存在过期的缓存。
    struct TxnCache {
        var generation: UInt64 = .max
        var assets: [String: Asset] = [:]
        var auditHeads: [Int: (seq: Int64, hash: String)] = [:]
    }
    private var cache = TxnCache()

    /// 当前写事务的缓存；不在事务里时为 nil。
    func withTxnCache<T>(_ body: (inout TxnCache) -> T) -> T? {
        let st = db.transactionState
        guard st.depth > 0 else { return nil }
        if cache.generation != st.generation { cache = TxnCache(generation: st.generation) }
        return body(&cache)
    }

    /// 在已打开的连接上迁移到最新版本。
    public init(database: DB) throws {
        db = database
        try Migrations.migrate(db)
    }

    /// 仅供迁移测试：不迁移。
    public init(unmigrated database: DB) { db = database }

    public func makeJobQueue() -> any JobQueue & LeaseLock { SQLJobQueue(db: db) }
    public var sqlDatabase: any SQLDatabase { db }

    /// 写事务；设了隔离租约时先核对它（在拿到写锁之后，所以核对与写入之间不会有人接管）。
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        guard let f = fence else { return try db.transaction(body) }
        return try db.transaction {
            try checkFence(f, now: fenceClock.unixTime())
            return try body()
        }
    }

    /// 分片写事务（隔离租约的核对同上）。
    public func transaction<T>(shard: Int, _ body: () throws -> T) throws -> T {
        guard let f = fence else { return try db.transaction(shard: shard, body) }
        return try db.transaction(shard: shard) {
            try checkFence(f, now: fenceClock.unixTime())
            return try body()
        }
    }

    /// 默认只在能并行写的后端（PostgreSQL）上走分片事务；测试可在 SQLite 上打开，以便在 CI 里覆盖分片链的逻辑。
    public lazy var shardedWrites: Bool = db.parallelShards
    public var inTransaction: Bool { db.transactionDepth > 0 }
    public var currentShard: Int? { db.transactionState.shard }

    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard db.transactionDepth > 0 else { return try transaction(body) }
        return try db.savepoint(body)
    }

    // —— 行映射 ——
    func mapDeposit(_ r: SQLRow) throws -> Deposit {
        Deposit(id: r.int("id"), chain: r.text("chain"), txHash: r.text("tx_hash"), logIndex: Int(r.int("log_index")),
                asset: r.text("asset"), amount: try r.amount("amount"), address: r.text("address"),
                user: r.text("user_id"), blockNumber: r.int("block_number"), blockHash: r.text("block_hash"),
                confirmations: Int(r.int("confirmations")), required: Int(r.int("required")),
                state: DepositState(rawValue: r.text("state")) ?? .seen, creditEntry: r.intOpt("credit_entry"),
                reversalEntry: r.intOpt("reversal_entry"), createdAt: r.int("created_at"), updatedAt: r.int("updated_at"))
    }

    func mapWithdrawal(_ r: SQLRow) throws -> Withdrawal {
        let id = r.int("id")
        let approvals = try db.query("SELECT operator, created_at, expires_at FROM approvals WHERE withdrawal_id = ? ORDER BY created_at, operator", [id])
            .map { Approval(operatorName: $0.text("operator"), createdAt: $0.int("created_at"), expiresAt: $0.int("expires_at")) }
        return Withdrawal(id: id, requestID: r.text("request_id"), user: r.text("user_id"), asset: r.text("asset"),
                          amount: try r.amount("amount"), to: r.text("to_address"),
                          state: WithdrawalState(rawValue: r.text("state")) ?? .requested,
                          requestedBy: r.text("requested_by"), rule: r.text("rule"),
                          approvalsRequired: Int(r.int("approvals_required")), approvals: approvals,
                          reason: r.text("reason"), nonce: r.intOpt("nonce"), fromAddress: r.textOpt("from_address"),
                          rawTx: r.blob("raw_tx"), txHash: r.textOpt("tx_hash"),
                          fee: try r.textOpt("fee").map { try UInt256.fromStored($0) },
                          createdAt: r.int("created_at"), updatedAt: r.int("updated_at"), expiresAt: r.int("expires_at"))
    }

    func mapSweep(_ r: SQLRow) throws -> Sweep {
        Sweep(id: r.int("id"), address: r.text("address"), nonce: r.int("nonce"), asset: r.text("asset"),
              amount: try r.amount("amount"), fee: try r.amount("fee"), topup: try r.amount("topup"),
              state: SweepState(rawValue: r.text("state")) ?? .planned, reason: r.text("reason"),
              txHash: r.textOpt("tx_hash"), createdAt: r.int("created_at"), updatedAt: r.int("updated_at"))
    }

    func mapAudit(_ r: SQLRow) -> AuditRecord {
        AuditRecord(id: r.int("id"), ts: r.int("ts"), operatorName: r.text("operator"), action: r.text("action"),
                    subject: r.text("subject"), details: r.text("details"), prevHash: r.text("prev_hash"), hash: r.text("hash"), mac: r.text("mac"),
                    chain: Int(r.int("chain")), seq: r.int("seq"))
    }

    func mapAsset(_ r: SQLRow) throws -> Asset {
        let tiersText = r.text("tiers")
        let tiers = tiersText == "[]" ? [] : ((try? JSONDecoder().decode([ConfirmationTier].self, from: Data(tiersText.utf8))) ?? [])
        return Asset(symbol: r.text("symbol"), decimals: Int(r.int("decimals")), contract: r.textOpt("contract"),
                     confirmations: Int(r.int("confirmations")), useFinalized: r.int("use_finalized") != 0,
                     tiers: tiers, minDeposit: try r.amount("min_deposit"), enabled: r.int("enabled") != 0)
    }

    func mapBalance(_ r: SQLRow) throws -> AccountBalance {
        AccountBalance(id: r.int("id"),
                       ref: AccountRef(AccountKind(rawValue: r.text("kind")) ?? .equity, r.text("asset"), r.text("owner")),
                       debitTotal: try r.amount("debit_total"), creditTotal: try r.amount("credit_total"))
    }

    /// 动态 WHERE（参数化，绝不拼接值）。
    static func whereClause(_ conds: [(String, SQLBindable?)], text: TextFilter? = nil, haystack: String = "") -> (String, [SQLBindable]) {
        var parts: [String] = [], args: [SQLBindable] = []
        for (sql, v) in conds { if let v { parts.append(sql); args.append(v) } }
        // 文本过滤：每个词一个 LIKE / NOT LIKE，参数绑定，% _ \ 转义后按字面匹配。
        for t in text?.terms ?? [] {
            parts.append("\(haystack) \(t.negated ? "NOT LIKE" : "LIKE") ? ESCAPE '\\'")
            args.append("%" + likeEscape(t.text.lowercased()) + "%")
        }
        return (parts.isEmpty ? "" : " WHERE " + parts.joined(separator: " AND "), args)
    }

    /// LIKE 模式转义：转义符自身先转义，再转义 % 与 _。
    static func likeEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\\" || c == "%" || c == "_" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// 人看得见的列拼成一个小写字符串（空格分隔，词里没有空格，不会跨列误配）。LOWER 与 || 在 SQLite 与 PostgreSQL 都可用。
    static var depositHaystack: String { """
        LOWER(CAST(id AS TEXT) || ' ' || user_id || ' ' || asset || ' ' || address || ' ' || tx_hash || ' ' || state)
        """ }
    static var withdrawalHaystack: String { """
        LOWER(CAST(id AS TEXT) || ' ' || request_id || ' ' || user_id || ' ' || asset || ' ' || to_address || ' ' || state \
        || ' ' || requested_by || ' ' || COALESCE(tx_hash, ''))
        """ }
    static var auditHaystack: String { """
        LOWER(CAST(id AS TEXT) || ' ' || operator || ' ' || action || ' ' || subject || ' ' || details)
        """ }
    /// 与迁移 5 的索引表达式逐字一致。
    static var withdrawalUrgencyOrder: String { """
        (CASE WHEN state IN ('awaiting_approval','requested','risk_checked') THEN 0 WHEN state = 'unknown' THEN 1 \
        WHEN state IN ('approved','signed','broadcast') THEN 2 ELSE 3 END), \
        (CASE WHEN state IN ('confirmed','failed','rejected','expired') THEN -id ELSE created_at END), id
        """ }
}

extension SQLLedgerStore: SettingsRepository, AssetRepository {
    public func setting(_ key: String) throws -> String? {
        try db.query("SELECT value FROM settings WHERE key = ?", [key]).first?.text("value")
    }
    public func setSetting(_ key: String, _ value: String) throws {
        try db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
    }
    public func asset(_ symbol: String) throws -> Asset? {
        if let hit = withTxnCache({ $0.assets[symbol] }), let a = hit { return a }
        let a = try db.query("SELECT * FROM assets WHERE symbol = ?", [symbol]).first.map(mapAsset)
        if let a { _ = withTxnCache { $0.assets[symbol] = a } }
        return a
    }
    public func allAssets() throws -> [Asset] { try db.query("SELECT * FROM assets ORDER BY symbol").map(mapAsset) }
    public func upsertAsset(_ a: Asset) throws {
        _ = withTxnCache { $0.assets[a.symbol] = nil }
        let tiers = String(decoding: try JSONEncoder().encode(a.tiers), as: UTF8.self)
        try db.execute("""
            INSERT INTO assets (symbol, decimals, contract, confirmations, use_finalized, tiers, min_deposit, enabled)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(symbol) DO UPDATE SET decimals = excluded.decimals,
            contract = excluded.contract, confirmations = excluded.confirmations, use_finalized = excluded.use_finalized,
            tiers = excluded.tiers, min_deposit = excluded.min_deposit, enabled = excluded.enabled
            """, [a.symbol, a.decimals, a.contract, a.confirmations, a.useFinalized, tiers, a.minDeposit, a.enabled])
    }
}

extension SQLLedgerStore: JournalRepository {
    func accountID(_ ref: AccountRef) throws -> Int64 {
        if let id = try db.query("SELECT id FROM accounts WHERE code = ?", [ref.code]).first?.int("id") { return id }
        guard db.parallelShards else {
            return try db.insert("INSERT INTO accounts (code, kind, asset, owner, debit_total, credit_total) VALUES (?, ?, ?, ?, ?, ?)",
                                 [ref.code, ref.kind.rawValue, ref.asset, ref.owner, UInt256.zero, UInt256.zero])
        }
        // 两个分片事务可能同时第一次用到同一个共享账户（例如粉尘待处理）：后到的不报唯一键冲突，等前者提交后读它的 id 并锁住。
        try db.execute("INSERT INTO accounts (code, kind, asset, owner, debit_total, credit_total) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                       [ref.code, ref.kind.rawValue, ref.asset, ref.owner, UInt256.zero, UInt256.zero])
        guard let id = try db.query(lockAccountSQL, [ref.code]).first?.int("id") else {
            throw LedgerError.bug("账户 \(ref.code) 插入后读不到 / account \(ref.code) vanished right after insert")
        }
        return id
    }

    /// 记账前读累计。能并行写的后端上加行锁（FOR UPDATE）：两个分片事务碰同一个共享账户时串行，不会丢更新（读-改-写）。
    var lockAccountSQL: String {
        db.parallelShards ? "SELECT id, debit_total, credit_total FROM accounts WHERE code = ? FOR UPDATE"
                          : "SELECT id, debit_total, credit_total FROM accounts WHERE code = ?"
    }

    public func insertEntry(kind: String, ref: String, memo: String, at: Int64, postings: [Posting]) throws -> (id: Int64, balances: [AccountBalance]) {
        try db.transaction {
            let entry = try db.insert("INSERT INTO journal_entries (kind, ref, memo, created_at) VALUES (?, ?, ?, ?)", [kind, ref, memo, at])
            var out: [AccountBalance] = []
            for p in postings {
                // 一次读出 id 与两个累计（以前是按 code 查 id、再按 id 查累计两次读）。
                var b: AccountBalance
                if let row = try db.query(lockAccountSQL, [p.account.code]).first {
                    b = AccountBalance(id: row.int("id"), ref: p.account, debitTotal: try row.amount("debit_total"),
                                       creditTotal: try row.amount("credit_total"))
                } else {
                    b = AccountBalance(id: try accountID(p.account), ref: p.account, debitTotal: .zero, creditTotal: .zero)
                }
                try db.execute("INSERT INTO postings (entry_id, account_id, asset, side, amount) VALUES (?, ?, ?, ?, ?)",
                               [entry, b.id, p.account.asset, p.side.rawValue, p.amount])
                // 256 位累计溢出是不可能的业务量，但仍显式检查而不是回绕。
                if p.side == .debit {
                    b.debitTotal = try b.debitTotal.checkedAdd(p.amount)
                    try db.execute("UPDATE accounts SET debit_total = ? WHERE id = ?", [b.debitTotal, b.id])
                } else {
                    b.creditTotal = try b.creditTotal.checkedAdd(p.amount)
                    try db.execute("UPDATE accounts SET credit_total = ? WHERE id = ?", [b.creditTotal, b.id])
                }
                out.append(b)
            }
            return (entry, out)
        }
    }

    public func balance(_ ref: AccountRef) throws -> AccountBalance? {
        try db.query("SELECT * FROM accounts WHERE code = ?", [ref.code]).first.map(mapBalance)
    }

    public func balances(kind: AccountKind?, asset: String?, owner: String?, page: Page) throws -> [AccountBalance] {
        let (w, args) = Self.whereClause([("kind = ?", kind?.rawValue), ("asset = ?", asset), ("owner = ?", owner)])
        return try db.query("SELECT * FROM accounts\(w) ORDER BY id LIMIT ? OFFSET ?", args + [page.limit, page.offset]).map(mapBalance)
    }

    public func postings(afterEntry: Int64, entryLimit: Int) throws -> [StoredPosting] {
        try db.query("""
            SELECT entry_id, account_id, asset, side, amount FROM postings
            WHERE entry_id > ? AND entry_id <= (SELECT COALESCE(MAX(id), 0) FROM
              (SELECT id FROM journal_entries WHERE id > ? ORDER BY id LIMIT ?) AS page)
            ORDER BY entry_id, id
            """, [afterEntry, afterEntry, entryLimit]).map {
            StoredPosting(entryID: $0.int("entry_id"), accountID: $0.int("account_id"), asset: $0.text("asset"),
                          side: $0.text("side") == "D" ? .debit : .credit, amount: try $0.amount("amount"))
        }
    }

    public func entryCount(kind: String?, ref: String?) throws -> Int {
        let (w, args) = Self.whereClause([("kind = ?", kind), ("ref = ?", ref)])
        return Int(try db.query("SELECT COUNT(*) AS n FROM journal_entries\(w)", args).first!.int("n"))
    }
}

extension SQLLedgerStore: DepositRepository {
    func mapAddr(_ r: SQLRow) -> DepositAddressRecord {
        DepositAddressRecord(user: r.text("user_id"), asset: r.text("asset"), address: r.text("address"),
                             index: UInt32(r.int("idx")), path: r.text("path"))
    }
    public func depositAddress(user: String, asset: String) throws -> DepositAddressRecord? {
        try db.query("SELECT * FROM deposit_addresses WHERE user_id = ? AND asset = ?", [user, asset]).first.map(mapAddr)
    }
    public func depositAddress(address: String) throws -> DepositAddressRecord? {
        try db.query("SELECT * FROM deposit_addresses WHERE address = ?", [address]).first.map(mapAddr)
    }
    public func nextDepositIndex() throws -> UInt32 {
        UInt32(try db.query("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM deposit_addresses").first!.int("n"))
    }
    public func depositAddresses(fromIndex: UInt32, limit: Int) throws -> [DepositAddressRecord] {
        try db.query("SELECT * FROM deposit_addresses WHERE idx >= ? ORDER BY idx LIMIT ?", [Int64(fromIndex), Int64(limit)]).map(mapAddr)
    }
    public func insertDepositAddress(_ r: DepositAddressRecord, at: Int64) throws {
        try db.execute("INSERT INTO deposit_addresses (address, user_id, asset, idx, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       [r.address, r.user, r.asset, Int64(r.index), r.path, at])
    }
    public func deposit(chain: String, txHash: String, logIndex: Int) throws -> Deposit? {
        try db.query("SELECT * FROM deposits WHERE chain = ? AND tx_hash = ? AND log_index = ?", [chain, txHash, logIndex]).first.map(mapDeposit)
    }
    public func deposit(id: Int64) throws -> Deposit? {
        try db.query("SELECT * FROM deposits WHERE id = ?", [id]).first.map(mapDeposit)
    }
    public func insertDeposit(_ d: Deposit) throws -> Int64 {
        return try db.insert("""
            INSERT INTO deposits (chain, tx_hash, log_index, asset, amount, address, user_id, block_number, block_hash,
              confirmations, required, state, credit_entry, reversal_entry, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [d.chain, d.txHash, d.logIndex, d.asset, d.amount, d.address, d.user, d.blockNumber, d.blockHash,
                  d.confirmations, d.required, d.state.rawValue, d.creditEntry, d.reversalEntry, d.createdAt, d.updatedAt])
    }
    public func updateDeposit(_ d: Deposit) throws {
        try db.execute("""
            UPDATE deposits SET confirmations = ?, required = ?, state = ?, credit_entry = ?, reversal_entry = ?,
              block_number = ?, block_hash = ?, updated_at = ? WHERE id = ?
            """, [d.confirmations, d.required, d.state.rawValue, d.creditEntry, d.reversalEntry, d.blockNumber,
                  d.blockHash, d.updatedAt, d.id])
    }
    func depositWhere(_ f: DepositFilter) -> (String, [SQLBindable]) {
        Self.whereClause([("state = ?", f.state?.rawValue), ("user_id = ?", f.user), ("asset = ?", f.asset), ("id < ?", f.beforeID)],
                         text: f.text, haystack: Self.depositHaystack)
    }
    public func deposits(_ f: DepositFilter, page: Page) throws -> [Deposit] {
        let (w, args) = depositWhere(f)
        return try db.query("SELECT * FROM deposits\(w) ORDER BY id DESC LIMIT ? OFFSET ?", args + [page.limit, page.offset]).map(mapDeposit)
    }
    public func depositIDs(chain: String, fromBlock: Int64, states: [DepositState]) throws -> [Int64] {
        guard !states.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: states.count).joined(separator: ",")
        return try db.query("SELECT id FROM deposits WHERE chain = ? AND block_number >= ? AND state IN (\(marks)) ORDER BY id",
                            [chain, fromBlock] + states.map(\.rawValue)).map { $0.int("id") }
    }
    public func depositIDs(chain: String, blockHashes: [String]) throws -> [Int64] {
        var out: [Int64] = []
        for chunk in stride(from: 0, to: blockHashes.count, by: 500).map({ Array(blockHashes[$0..<min($0 + 500, blockHashes.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            out += try db.query("SELECT id FROM deposits WHERE chain = ? AND block_hash IN (\(marks)) ORDER BY id",
                                [chain] + chunk.map { $0.lowercased() }).map { $0.int("id") }
        }
        return out
    }
    public func depositCount(_ f: DepositFilter) throws -> Int {
        let (w, args) = depositWhere(f)
        return Int(try db.query("SELECT COUNT(*) AS n FROM deposits\(w)", args).first!.int("n"))
    }
}

/// 嵌入式默认后端。
public typealias SQLiteLedgerStore = SQLLedgerStore<SQLiteDatabase>
public typealias SQLiteJobQueue = SQLJobQueue<SQLiteDatabase>

extension SQLLedgerStore where DB == SQLiteDatabase {
    /// 打开（必要时创建）SQLite 数据库并迁移到最新版本。
    public convenience init(path: String) throws { try self.init(database: try SQLiteDatabase(path: path)) }
    /// 仅供迁移测试：打开但不迁移。
    public convenience init(unmigrated path: String) throws { self.init(unmigrated: try SQLiteDatabase(path: path)) }
}

extension SQLJobQueue where DB == SQLiteDatabase {
    public convenience init(store: SQLiteLedgerStore) { self.init(db: store.db) }
}
