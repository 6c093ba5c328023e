// 租约与引擎登记的 SQL 实现。租约的读-判-写在一个写事务里（SQLite：BEGIN IMMEDIATE；PostgreSQL：事务级咨询锁），
// 所以两个引擎同时抢也只有一个拿到；令牌存在库里、单调加一，核对也在库里做（见 LeaseFence）。
import WalletCrypto

extension SQLLedgerStore: ClusterRepository {
    public func acquireLease(name: String, holder: String, now: Int64, ttl: Int64, presumedDead: String? = nil) throws -> Int64? {
        try db.transaction {
            guard let r = try db.query("SELECT holder, token, expires_at FROM leases WHERE name = ?", [name]).first else {
                try db.execute("INSERT INTO leases (name, holder, token, acquired_at, expires_at) VALUES (?, ?, 1, ?, ?)",
                               [name, holder, now, now + ttl])
                return 1
            }
            let live = r.int("expires_at") > now && r.text("holder") != presumedDead
            if r.text("holder") == holder && live {
                try db.execute("UPDATE leases SET expires_at = ? WHERE name = ?", [now + ttl, name])
                return r.int("token")
            }
            guard !live else { return nil }
            // 过期（哪怕原来就是自己）：新的一任，令牌加一——中间可能有别人拿过又放掉，旧令牌一律作废。
            let token = r.int("token") + 1
            try db.execute("UPDATE leases SET holder = ?, token = ?, acquired_at = ?, expires_at = ? WHERE name = ?",
                           [holder, token, now, now + ttl, name])
            return token
        }
    }

    public func releaseLease(name: String, holder: String, now: Int64) throws {
        try db.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?", [now, name, holder, now])
    }

    public func leases() throws -> [LeaseRecord] {
        try db.query("SELECT * FROM leases ORDER BY name").map {
            LeaseRecord(name: $0.text("name"), holder: $0.text("holder"), token: $0.int("token"),
                        acquiredAt: $0.int("acquired_at"), expiresAt: $0.int("expires_at"))
        }
    }

    public func heartbeatEngine(_ e: EngineRecord) throws {
        try db.execute("""
            INSERT INTO engines (id, host, pid, version, lock_id, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, lock_id = excluded.lock_id
            """, [e.id, e.host, e.pid, e.version, e.lockID, e.startedAt, e.heartbeatAt])
    }

    public func removeEngine(id: String) throws { try db.execute("DELETE FROM engines WHERE id = ?", [id]) }

    public func pruneEngines(heartbeatBefore before: Int64) throws -> Int {
        try db.execute("DELETE FROM engines WHERE heartbeat_at < ?", [before])
    }

    public func engines() throws -> [EngineRecord] {
        try db.query("SELECT * FROM engines ORDER BY started_at, id").map {
            EngineRecord(id: $0.text("id"), host: $0.text("host"), pid: $0.int("pid"), version: $0.text("version"),
                         lockID: $0.text("lock_id"), startedAt: $0.int("started_at"), heartbeatAt: $0.int("heartbeat_at"))
        }
    }

    /// 写事务开头的核对（已在写锁下）：持有者仍是自己、令牌没变 → 放行，并顺手续约。
    /// 安全靠令牌，不靠时间：接管必然改写持有者与令牌（也在写锁下），所以「持有者与令牌都没变」= 没人接管过，
    /// 哪怕本地估计的到期时间已过（长的一轮、机器很忙）也可以续上；停顿醒来的旧持有者若已被接管，这里一定不符。
    func checkFence(_ f: LeaseFence, now: Int64) throws {
        let r = try db.query("SELECT holder, token, expires_at FROM leases WHERE name = ?", [f.name]).first
        guard let r, r.text("holder") == f.holder, r.int("token") == f.token else {
            throw LedgerError.leaseLost(name: f.name, token: f.token)
        }
        if r.int("expires_at") - now < f.ttl / 2 {
            try db.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND token = ?", [now + f.ttl, f.name, f.token])
        }
    }
}
