// 版本化迁移：schema_version 表记录已应用的最高版本；每个版本在单个事务里应用，崩溃不会留下半个版本。
// 新版本只能追加在列表末尾，已发布的版本永不修改（测试会从每个早期版本升级到最新）。
import WalletCrypto

public enum Migrations {
    /// (版本号, 脚本)。SQL 只用 SQLite 与 PostgreSQL 都支持的常见子集（INTEGER/TEXT/BLOB，无 SQLite 专有函数）。
    public static let all: [(Int, String)] = [
        (1, """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE assets (
            symbol TEXT PRIMARY KEY, decimals INTEGER NOT NULL, contract TEXT,
            confirmations INTEGER NOT NULL, use_finalized INTEGER NOT NULL DEFAULT 0,
            tiers TEXT NOT NULL DEFAULT '[]', min_deposit TEXT NOT NULL);
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, asset TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '', debit_total TEXT NOT NULL, credit_total TEXT NOT NULL);
        CREATE INDEX accounts_kind ON accounts(kind, asset);
        CREATE TABLE journal_entries (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, memo TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL);
        CREATE TABLE postings (
            id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES journal_entries(id),
            account_id INTEGER NOT NULL REFERENCES accounts(id), asset TEXT NOT NULL,
            side TEXT NOT NULL CHECK (side IN ('D','C')), amount TEXT NOT NULL);
        CREATE INDEX postings_entry ON postings(entry_id);
        CREATE INDEX postings_account ON postings(account_id);
        -- 分录不可变：数据库层面拒绝改删（更正只能记新分录）。
        CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal_entries BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
        CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal_entries BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
        CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
        CREATE TABLE deposit_addresses (
            address TEXT PRIMARY KEY, user_id TEXT NOT NULL, asset TEXT NOT NULL, idx INTEGER NOT NULL UNIQUE,
            path TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE(user_id, asset));
        CREATE TABLE deposits (
            id INTEGER PRIMARY KEY, chain TEXT NOT NULL, tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL,
            asset TEXT NOT NULL, amount TEXT NOT NULL, address TEXT NOT NULL, user_id TEXT NOT NULL,
            block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, confirmations INTEGER NOT NULL DEFAULT 0,
            required INTEGER NOT NULL, state TEXT NOT NULL, credit_entry INTEGER, reversal_entry INTEGER,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            UNIQUE(chain, tx_hash, log_index));
        CREATE INDEX deposits_state ON deposits(state, id);
        CREATE INDEX deposits_user ON deposits(user_id, id);
        CREATE TABLE withdrawals (
            id INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, asset TEXT NOT NULL,
            amount TEXT NOT NULL, to_address TEXT NOT NULL, state TEXT NOT NULL, requested_by TEXT NOT NULL,
            rule TEXT NOT NULL DEFAULT '', approvals_required INTEGER NOT NULL DEFAULT 0,
            reason TEXT NOT NULL DEFAULT '', nonce INTEGER, from_address TEXT, raw_tx BLOB, tx_hash TEXT,
            fee TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
        CREATE INDEX withdrawals_state ON withdrawals(state, id);
        CREATE UNIQUE INDEX withdrawals_nonce ON withdrawals(from_address, nonce);
        CREATE TABLE approvals (
            withdrawal_id INTEGER NOT NULL REFERENCES withdrawals(id), operator TEXT NOT NULL,
            created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (withdrawal_id, operator));
        CREATE TABLE nonces (from_address TEXT PRIMARY KEY, next_nonce INTEGER NOT NULL);
        CREATE TABLE sweeps (
            id INTEGER PRIMARY KEY, address TEXT NOT NULL, nonce INTEGER NOT NULL, asset TEXT NOT NULL,
            amount TEXT NOT NULL, fee TEXT NOT NULL, topup TEXT NOT NULL, state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '', tx_hash TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            UNIQUE(address, nonce));
        CREATE TABLE operators (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, salt TEXT NOT NULL, hash TEXT NOT NULL,
            kdf_n INTEGER NOT NULL, kdf_r INTEGER NOT NULL, kdf_p INTEGER NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE allowlist (
            address TEXT PRIMARY KEY, added_by TEXT NOT NULL, added_at INTEGER NOT NULL,
            activated_by TEXT, activated_at INTEGER);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,
            subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
        """),
        (2, """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY, queue TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
            unique_key TEXT UNIQUE, priority INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL, run_at INTEGER NOT NULL,
            lease_owner TEXT, lease_until INTEGER, last_error TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX jobs_ready ON jobs(queue, state, priority, run_at);
        CREATE TABLE lease_locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ts INTEGER NOT NULL);
        """),
        (3, """
        CREATE TABLE reconciliations (
            id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, account TEXT NOT NULL, asset TEXT NOT NULL,
            ledger_amount TEXT NOT NULL, chain_amount TEXT NOT NULL, matches INTEGER NOT NULL);
        CREATE INDEX audit_action ON audit_log(action, id);
        """),
        (4, """
        CREATE INDEX journal_ref ON journal_entries(ref, kind);
        """),
        // 提现紧急度排序的表达式索引：表达式必须与 SQLiteLedgerStore.withdrawalUrgencyOrder 逐字一致，
        // 否则 SQLite 不会用它排序（测试用 EXPLAIN QUERY PLAN 核对没有临时排序 B 树）。
        (5, """
        CREATE INDEX withdrawals_urgency ON withdrawals(
            (CASE WHEN state IN ('awaiting_approval','requested','risk_checked') THEN 0 WHEN state = 'unknown' THEN 1 WHEN state IN ('approved','signed','broadcast') THEN 2 ELSE 3 END),
            (CASE WHEN state IN ('confirmed','failed','rejected','expired') THEN -id ELSE created_at END),
            id);
        """),
        // 6：资产可停用（停用 = 不再分配新地址、不受理新提现；已在监视的地址照常扫描入账，钱不会丢在链上）。
        (6, """
        ALTER TABLE assets ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
        """),
        // 7：重组回滚按被孤立的区块哈希精确选出充值（不再按 id 顺序往回翻，那样会漏掉重新出块的充值）。
        (7, """
        CREATE INDEX deposits_block_hash ON deposits(chain, block_hash);
        """),
        // 8：告警的英文文本（--lang en 绝不显示中文）。旧告警没有英文时显示代码。
        (8, """
        ALTER TABLE alerts ADD COLUMN message_en TEXT NOT NULL DEFAULT '';
        """),
        // 9：热钱包入账的分类——登记的冷钱包（金库往来）与无法归属的入账（待处理，两人处理）。
        (9, """
        CREATE TABLE cold_wallets (
            address TEXT PRIMARY KEY, label TEXT NOT NULL, added_by TEXT NOT NULL, added_at INTEGER NOT NULL);
        CREATE TABLE hot_inbound (
            id INTEGER PRIMARY KEY, chain TEXT NOT NULL, tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL,
            asset TEXT NOT NULL, amount TEXT NOT NULL, from_address TEXT NOT NULL, block_number INTEGER NOT NULL,
            block_hash TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, resolution TEXT NOT NULL DEFAULT '',
            proposed_by TEXT NOT NULL DEFAULT '', resolved_by TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE(chain, tx_hash, log_index));
        CREATE INDEX hot_inbound_block ON hot_inbound(chain, block_hash);
        CREATE INDEX hot_inbound_state ON hot_inbound(state);
        """),
        // 10：按账户取最近一次对账（告警只在「新出现或数值变了的差异」时写，不每轮重复）。
        (10, """
        CREATE INDEX reconciliations_account ON reconciliations(account, asset, id);
        """),
        // 11：外来入账也可能落在「已派生、未分配」的充值地址上（BIP-44 间隙窗口）；空串 = 热钱包。
        (11, """
        ALTER TABLE hot_inbound ADD COLUMN to_address TEXT NOT NULL DEFAULT '';
        """),
        // 12：审计记录的 MAC（密钥在数据库之外）；旧记录为空串。
        (12, """
        ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
        """),
        // 13：多引擎（issue 13）——带隔离令牌（fencing token）的租约，与各引擎的登记/心跳。
        (13, clusterTables),
        // 14：审计分片链（issue 13）——chain 0 是主链，分片事务写各自的链；seq 是链内连续序号。旧记录都在主链，seq = id。
        (14, """
        ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE audit_log ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        UPDATE audit_log SET seq = id;
        CREATE UNIQUE INDEX audit_chain_seq ON audit_log(chain, seq);
        """),
    ]

    /// 两个方言共用这段 DDL（BIGINT 在 SQLite 里是整数亲和性）。
    static let clusterTables = """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL,
            acquired_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
        CREATE TABLE engines (
            id TEXT PRIMARY KEY, host TEXT NOT NULL, pid BIGINT NOT NULL, version TEXT NOT NULL,
            lock_id TEXT NOT NULL DEFAULT '', started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL);
        """

    public static var latest: Int { all.last!.0 }

    /// PostgreSQL 的迁移。基线 12 = SQLite 版本 1…12 合起来的同一个模式（PostgreSQL 后端从版本 12 起才有，没有更早的库要升级）；
    /// 之后每个新版本必须在两个列表里各加一条、版本号相同（测试核对两边最新版本相等）。
    /// 与 SQLite 的差别：id 用 IDENTITY、整数列 BIGINT、BLOB → BYTEA、金额列加 CHECK（64 位小写十六进制，字典序 = 数值序，
    /// COLLATE "C" 让比较按字节而不按语言排序规则）、不可变分录用 PL/pgSQL 触发器。
    public static let postgres: [(Int, String)] = [
        (12, """
        CREATE FUNCTION wallet_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% are immutable', TG_TABLE_NAME; END $$;
        CREATE DOMAIN amount_hex AS TEXT COLLATE "C" CHECK (VALUE ~ '^[0-9a-f]{64}$');
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE assets (
            symbol TEXT PRIMARY KEY, decimals BIGINT NOT NULL, contract TEXT,
            confirmations BIGINT NOT NULL, use_finalized BIGINT NOT NULL DEFAULT 0,
            tiers TEXT NOT NULL DEFAULT '[]', min_deposit amount_hex NOT NULL, enabled BIGINT NOT NULL DEFAULT 1);
        CREATE TABLE accounts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, asset TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '', debit_total amount_hex NOT NULL, credit_total amount_hex NOT NULL);
        CREATE INDEX accounts_kind ON accounts(kind, asset);
        CREATE TABLE journal_entries (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, memo TEXT NOT NULL DEFAULT '',
            created_at BIGINT NOT NULL);
        CREATE TABLE postings (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, entry_id BIGINT NOT NULL REFERENCES journal_entries(id),
            account_id BIGINT NOT NULL REFERENCES accounts(id), asset TEXT NOT NULL,
            side TEXT NOT NULL CHECK (side IN ('D','C')), amount amount_hex NOT NULL);
        CREATE INDEX postings_entry ON postings(entry_id);
        CREATE INDEX postings_account ON postings(account_id);
        CREATE TRIGGER journal_immutable BEFORE UPDATE OR DELETE ON journal_entries FOR EACH ROW EXECUTE FUNCTION wallet_immutable();
        CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings FOR EACH ROW EXECUTE FUNCTION wallet_immutable();
        CREATE INDEX journal_ref ON journal_entries(ref, kind);
        CREATE TABLE deposit_addresses (
            address TEXT PRIMARY KEY, user_id TEXT NOT NULL, asset TEXT NOT NULL, idx BIGINT NOT NULL UNIQUE,
            path TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE(user_id, asset));
        CREATE TABLE deposits (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, chain TEXT NOT NULL, tx_hash TEXT NOT NULL, log_index BIGINT NOT NULL,
            asset TEXT NOT NULL, amount amount_hex NOT NULL, address TEXT NOT NULL, user_id TEXT NOT NULL,
            block_number BIGINT NOT NULL, block_hash TEXT NOT NULL, confirmations BIGINT NOT NULL DEFAULT 0,
            required BIGINT NOT NULL, state TEXT NOT NULL, credit_entry BIGINT, reversal_entry BIGINT,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
            UNIQUE(chain, tx_hash, log_index));
        CREATE INDEX deposits_state ON deposits(state, id);
        CREATE INDEX deposits_user ON deposits(user_id, id);
        CREATE INDEX deposits_block_hash ON deposits(chain, block_hash);
        CREATE TABLE withdrawals (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, asset TEXT NOT NULL,
            amount amount_hex NOT NULL, to_address TEXT NOT NULL, state TEXT NOT NULL, requested_by TEXT NOT NULL,
            rule TEXT NOT NULL DEFAULT '', approvals_required BIGINT NOT NULL DEFAULT 0,
            reason TEXT NOT NULL DEFAULT '', nonce BIGINT, from_address TEXT, raw_tx BYTEA, tx_hash TEXT,
            fee amount_hex, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
        CREATE INDEX withdrawals_state ON withdrawals(state, id);
        CREATE UNIQUE INDEX withdrawals_nonce ON withdrawals(from_address, nonce);
        CREATE INDEX withdrawals_urgency ON withdrawals(
            (CASE WHEN state IN ('awaiting_approval','requested','risk_checked') THEN 0 WHEN state = 'unknown' THEN 1 WHEN state IN ('approved','signed','broadcast') THEN 2 ELSE 3 END),
            (CASE WHEN state IN ('confirmed','failed','rejected','expired') THEN -id ELSE created_at END),
            id);
        CREATE TABLE approvals (
            withdrawal_id BIGINT NOT NULL REFERENCES withdrawals(id), operator TEXT NOT NULL,
            created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (withdrawal_id, operator));
        CREATE TABLE nonces (from_address TEXT PRIMARY KEY, next_nonce BIGINT NOT NULL);
        CREATE TABLE sweeps (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, address TEXT NOT NULL, nonce BIGINT NOT NULL, asset TEXT NOT NULL,
            amount amount_hex NOT NULL, fee amount_hex NOT NULL, topup amount_hex NOT NULL, state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '', tx_hash TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
            UNIQUE(address, nonce));
        CREATE TABLE operators (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, salt TEXT NOT NULL, hash TEXT NOT NULL,
            kdf_n BIGINT NOT NULL, kdf_r BIGINT NOT NULL, kdf_p BIGINT NOT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE allowlist (
            address TEXT PRIMARY KEY, added_by TEXT NOT NULL, added_at BIGINT NOT NULL,
            activated_by TEXT, activated_at BIGINT);
        CREATE TABLE audit_log (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ts BIGINT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,
            subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL DEFAULT '');
        CREATE INDEX audit_action ON audit_log(action, id);
        CREATE TABLE alerts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ts BIGINT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL,
            message_en TEXT NOT NULL DEFAULT '');
        CREATE TABLE jobs (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, queue TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
            unique_key TEXT UNIQUE, priority BIGINT NOT NULL DEFAULT 0, state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0, max_attempts BIGINT NOT NULL, run_at BIGINT NOT NULL,
            lease_owner TEXT, lease_until BIGINT, last_error TEXT NOT NULL DEFAULT '',
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE INDEX jobs_ready ON jobs(queue, state, priority, run_at);
        CREATE TABLE lease_locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ts BIGINT NOT NULL);
        CREATE TABLE reconciliations (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ts BIGINT NOT NULL, account TEXT NOT NULL, asset TEXT NOT NULL,
            ledger_amount amount_hex NOT NULL, chain_amount amount_hex NOT NULL, matches BIGINT NOT NULL);
        CREATE INDEX reconciliations_account ON reconciliations(account, asset, id);
        CREATE TABLE cold_wallets (
            address TEXT PRIMARY KEY, label TEXT NOT NULL, added_by TEXT NOT NULL, added_at BIGINT NOT NULL);
        CREATE TABLE hot_inbound (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, chain TEXT NOT NULL, tx_hash TEXT NOT NULL, log_index BIGINT NOT NULL,
            asset TEXT NOT NULL, amount amount_hex NOT NULL, from_address TEXT NOT NULL, block_number BIGINT NOT NULL,
            block_hash TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, resolution TEXT NOT NULL DEFAULT '',
            proposed_by TEXT NOT NULL DEFAULT '', resolved_by TEXT NOT NULL DEFAULT '',
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, to_address TEXT NOT NULL DEFAULT '',
            UNIQUE(chain, tx_hash, log_index));
        CREATE INDEX hot_inbound_block ON hot_inbound(chain, block_hash);
        CREATE INDEX hot_inbound_state ON hot_inbound(state);
        """),
        (13, clusterTables),
        // 以前主链的 id 由程序给（链头 + 1），序列没动过：接着用 IDENTITY 之前先把序列拨到最大 id 之后。
        (14, """
        ALTER TABLE audit_log ADD COLUMN chain BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE audit_log ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
        UPDATE audit_log SET seq = id;
        CREATE UNIQUE INDEX audit_chain_seq ON audit_log(chain, seq);
        SELECT setval(pg_get_serial_sequence('audit_log', 'id'), COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1, false);
        """),
    ]

    static func list(_ dialect: SQLDialect) -> [(Int, String)] { dialect == .sqlite ? all : postgres }

    /// 把数据库升级到 target（默认最新）。返回升级前的版本。
    /// 整个升级在一个写事务里（任何一个版本失败，整个升级回滚）：崩溃不会留下半个版本；PostgreSQL 上几个引擎同时第一次打开同一个库时，
    /// 后拿到写锁的看到已迁移就什么都不做。
    @discardableResult
    public static func migrate(_ db: some SQLDatabase, to target: Int = latest) throws -> Int {
        try db.transaction {
            try db.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            let current = Int(try db.query("SELECT MAX(version) AS v FROM schema_version").first?.intOpt("v") ?? 0)
            guard current <= latest else {
                throw LedgerError.migration("数据库版本 \(current) 比本程序支持的 \(latest) 新")
            }
            for (v, sql) in list(db.dialect) where v > current && v <= target {
                do {
                    try db.transaction {
                        try db.executeScript(sql)
                        try db.execute("INSERT INTO schema_version (version) VALUES (?)", [v])
                    }
                } catch {
                    throw LedgerError.migration("版本 \(v)：\(WalletError(error).zh) / version \(v): \(WalletError(error).en)")
                }
            }
            return current
        }
    }

    public static func version(_ db: some SQLDatabase) throws -> Int {
        Int(try db.query("SELECT MAX(version) AS v FROM schema_version").first?.intOpt("v") ?? 0)
    }
}
