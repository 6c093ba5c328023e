// JobQueue / LeaseLock 的 SQL 实现（与账本同库）：每个操作一个写事务，取任务与加租约原子完成。
import WalletCrypto

public final class SQLJobQueue<DB: SQLDatabase>: JobQueue, LeaseLock {
    let db: DB
    public init(db: DB) { self.db = db }

    func map(_ r: SQLRow) -> Job {
        Job(id: r.int("id"), queue: r.text("queue"), kind: r.text("kind"), payload: r.text("payload"),
            uniqueKey: r.textOpt("unique_key"), priority: Int(r.int("priority")),
            state: JobState(rawValue: r.text("state")) ?? .pending, attempts: Int(r.int("attempts")),
            maxAttempts: Int(r.int("max_attempts")), runAt: r.int("run_at"), leaseOwner: r.textOpt("lease_owner"),
            leaseUntil: r.intOpt("lease_until"), lastError: r.text("last_error"))
    }

    func get(_ id: Int64) throws -> Job {
        guard let r = try db.query("SELECT * FROM jobs WHERE id = ?", [id]).first else { throw LedgerError.notFound("任务", String(id)) }
        return map(r)
    }

    public func enqueue(queue: String, kind: String, payload: String, uniqueKey: String?, priority: Int = 0,
                        maxAttempts: Int = 8, runAt: Int64) throws -> Job {
        guard maxAttempts >= 1 else { throw LedgerError.invalidArgument("maxAttempts", "至少 1", en: "at least 1") }
        return try db.transaction {
            if let k = uniqueKey, let r = try db.query("SELECT * FROM jobs WHERE unique_key = ?", [k]).first { return map(r) }
            let newID = try db.insert("""
                INSERT INTO jobs (queue, kind, payload, unique_key, priority, state, attempts, max_attempts, run_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)
                """, [queue, kind, payload, uniqueKey, priority, maxAttempts, runAt, runAt, runAt])
            return try get(newID)
        }
    }

    public func lease(queue: String, owner: String, now: Int64, visibility: Int64) throws -> Job? {
        try db.transaction {
            guard let r = try db.query("""
                SELECT * FROM jobs WHERE queue = ? AND ((state = 'pending' AND run_at <= ?) OR (state = 'leased' AND lease_until <= ?))
                ORDER BY priority DESC, run_at, id LIMIT 1
                """, [queue, now, now]).first else { return nil }
            let id = r.int("id")
            // 租约过期被重新取走也算一次尝试（处理者可能在处理中崩溃）。
            try db.execute("UPDATE jobs SET state = 'leased', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
                           [owner, now + visibility, now, id])
            return try get(id)
        }
    }

    public func complete(id: Int64, owner: String) throws {
        try db.transaction {
            let j = try get(id)
            guard j.state == .leased, j.leaseOwner == owner else {
                throw LedgerError.invalidTransition(kind: "任务", id: id, from: j.state.rawValue, to: "done")
            }
            try db.execute("UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL WHERE id = ?", [id])
        }
    }

    public func fail(id: Int64, owner: String, error: String, now: Int64, retry: RetryPolicy) throws -> Job {
        try db.transaction {
            let j = try get(id)
            guard j.state == .leased, j.leaseOwner == owner else {
                throw LedgerError.invalidTransition(kind: "任务", id: id, from: j.state.rawValue, to: "failed")
            }
            if j.attempts >= j.maxAttempts {
                try db.execute("UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?",
                               [error, now, id])
            } else {
                let runAt = now + (try retry.delaySeconds(afterAttempt: j.attempts))
                try db.execute("UPDATE jobs SET state = 'pending', lease_owner = NULL, lease_until = NULL, last_error = ?, run_at = ?, updated_at = ? WHERE id = ?",
                               [error, runAt, now, id])
            }
            return try get(id)
        }
    }

    public func requeue(id: Int64, now: Int64) throws -> Job {
        try db.transaction {
            let j = try get(id)
            guard j.state == .dead else { throw LedgerError.invalidTransition(kind: "任务", id: id, from: j.state.rawValue, to: "pending") }
            try db.execute("UPDATE jobs SET state = 'pending', attempts = 0, run_at = ?, updated_at = ? WHERE id = ?", [now, now, id])
            return try get(id)
        }
    }

    public func jobs(state: JobState?, queue: String?, page: Page) throws -> [Job] {
        let (w, args) = SQLLedgerStore<DB>.whereClause([("state = ?", state?.rawValue), ("queue = ?", queue)])
        return try db.query("SELECT * FROM jobs\(w) ORDER BY id DESC LIMIT ? OFFSET ?", args + [page.limit, page.offset]).map(map)
    }

    public func count(state: JobState?) throws -> Int {
        let (w, args) = SQLLedgerStore<DB>.whereClause([("state = ?", state?.rawValue)])
        return Int(try db.query("SELECT COUNT(*) AS n FROM jobs\(w)", args).first!.int("n"))
    }

    public func acquire(name: String, owner: String, now: Int64, ttl: Int64) throws -> Bool {
        try db.transaction {
            if let r = try db.query("SELECT owner, until_ts FROM lease_locks WHERE name = ?", [name]).first,
               r.text("owner") != owner, r.int("until_ts") > now {
                return false
            }
            try db.execute("INSERT INTO lease_locks (name, owner, until_ts) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until_ts = excluded.until_ts",
                           [name, owner, now + ttl])
            return true
        }
    }

    public func leaseHolder(name: String, now: Int64) throws -> String? {
        guard let r = try db.query("SELECT owner, until_ts FROM lease_locks WHERE name = ?", [name]).first, r.int("until_ts") > now else { return nil }
        return r.text("owner")
    }

    public func release(name: String, owner: String) throws {
        try db.execute("DELETE FROM lease_locks WHERE name = ? AND owner = ?", [name, owner])
    }
}
