// JobQueue 的 Redis Streams 实现：语义与 SQLiteJobQueue 逐条一致（同一套一致性测试跑两个实现）。
//
// 键布局（P = 前缀，Q = 编码后的队列名，见 encodeQueue）：
//   P:seq                自增任务 id
//   P:uniq               哈希 uniqueKey → id（幂等入队；与 SQLite 的唯一索引一样全局唯一，不分队列）
//   P:job:ID             任务哈希：状态的唯一事实来源（列表、计数、租约持有者、尝试次数）
//   P:idx:all / P:idx:s:STATE / P:idx:q:Q / P:idx:q:Q:s:STATE   有序集合（分数 = id），供分页列表与计数
//   P:q:Q:delayed        有序集合（分数 = runAt）：未到期或尚未进流的 pending 任务
//   P:q:Q:p:PRIO         每个优先级一条流；消费组 GROUP（每个队列一个组名，挂在该队列的各优先级流上）
//   P:q:Q:prios          该队列出现过的优先级
//   P:q:Q:leases         有序集合（分数 = leaseUntil）：已租出的任务，按调用方的 now 判断过期
//   P:q:Q:dead           死信流：当前处于 dead 的任务各一条（requeue 时删掉）
//   P:lock:NAME          租约锁（LeaseLock）：哈希 owner / until，过期同样按调用方的 now 判断
//
// 为什么所有迁移都是 Lua：一次迁移要同时改任务哈希、索引、流/PEL 与延迟集合；脚本在服务器上原子执行，
// 进程在两步之间崩溃不会留下「哈希说 leased、PEL 里却没有」这类半成品，也就不会丢任务或多出一份。
// 脚本在里面按 id 拼键，不是 Cluster 友好的（键不全在 KEYS 里）：只支持单实例或 Sentinel 主节点。
//
// 租约过期与服务器时钟：协议显式传入 now（Unix 秒），SQLite 用它比较 lease_until。这里也一样——
// 过期以哈希里的 lease_until <= now 为准，而不是 XAUTOCLAIM 的 min-idle-time（那是服务器毫秒时钟，
// 与调用方的 now 无关，且无法表达「每个租约自己的可见性」）。判定过期后，用 XAUTOCLAIM（min-idle 0、
// 起点 = 该条目 id、COUNT 1）把这一条 PEL 条目的所有权原子地转给新消费者；先用 XPENDING 确认条目在 PEL 里，
// 保证 XAUTOCLAIM 不会顺手拿走别的条目。好处：测试不用睡眠（传更大的 now 即可），两种实现行为一致。
// 代价：各进程的时钟要大致同步（与 SQLite 多进程部署时相同的要求）。
//
// 顺序：优先级高者先；同一优先级内比较 (runAt, id)——候选是每个优先级流里下一条未投递条目与过期租约。
// 流内顺序是进流顺序；到期任务每次按 (runAt, id) 成批进流，所以在时钟单调时与 SQLite 的 ORDER BY 一致。
// 唯一的差别：若有人入队一个 runAt 早于已进流任务的任务，它排在那些任务之后（见 docs/queue.md）。
import WalletCrypto
import WalletLedger

public final class RedisStreamsJobQueue: JobQueue, LeaseLock {
    public let connection: RedisConnection
    public let prefix: String
    /// 每个队列的消费组名（各优先级流共用）。
    public static let group = "workers"
    /// 每次 lease 最多把多少个到期任务搬进流：限制单个脚本的执行时间（脚本执行期间 Redis 不处理别的命令）。
    public static let promoteBatch = 500

    /// prefix 是命名空间：同一个 Redis 上的多个 home、多次测试互不干扰。
    public init(connection: RedisConnection, prefix: String) throws {
        try Self.validate(prefix: prefix)
        self.connection = connection; self.prefix = prefix
    }

    /// 先查前缀再连接：配置写错时报配置错，而不是先报连不上。
    public convenience init(url: String, prefix: String, timeout: Double = 2, connectNow: Bool = true) throws {
        try Self.validate(prefix: prefix)
        try self.init(connection: try RedisConnection(url: url, timeout: timeout, connectNow: connectNow), prefix: prefix)
    }

    /// 前缀只用可打印 ASCII 的安全子集：会出现在 redis-cli 命令里，且不能含 { }（Cluster 哈希标签）或空白。
    public static func validate(prefix: String) throws {
        guard (1...64).contains(prefix.count),
              prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.:-".contains($0)) }) else {
            throw RedisQueueError.badNamespace(prefix)
        }
    }

    // MARK: 键名（公开给运维与测试：redis-cli 检查用）

    /// 队列名可以是任意字符串：字母数字与 _ . - 原样保留，其余字节写成 %XX，保证不同队列名不会映射到同一个键。
    public static func encodeQueue(_ q: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for b in q.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80, c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" { out.append(c) }
            else { out.append("%"); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)]) }
        }
        return out
    }

    public func streamKey(queue: String, priority: Int) -> String { "\(prefix):q:\(Self.encodeQueue(queue)):p:\(priority)" }
    public func deadKey(queue: String) -> String { "\(prefix):q:\(Self.encodeQueue(queue)):dead" }
    public func delayedKey(queue: String) -> String { "\(prefix):q:\(Self.encodeQueue(queue)):delayed" }
    public func jobKey(_ id: Int64) -> String { "\(prefix):job:\(id)" }

    // MARK: JobQueue

    @discardableResult
    public func enqueue(queue: String, kind: String, payload: String, uniqueKey: String?, priority: Int = 0,
                        maxAttempts: Int = 8, runAt: Int64) throws -> Job {
        guard maxAttempts >= 1 else { throw LedgerError.invalidArgument("maxAttempts", "至少 1", en: "at least 1") }
        let r = try connection.eval(Scripts.enqueue, args: [
            prefix, Self.encodeQueue(queue), queue, kind, payload, uniqueKey == nil ? "0" : "1", uniqueKey ?? "",
            String(priority), String(maxAttempts), String(runAt),
        ])
        return try job(from: try check(r, id: nil))
    }

    public func lease(queue: String, owner: String, now: Int64, visibility: Int64) throws -> Job? {
        let r = try check(try connection.eval(Scripts.lease, args: [
            prefix, Self.encodeQueue(queue), owner, String(now), String(visibility), Self.group, String(Self.promoteBatch),
        ]), id: nil)
        if case .null = r { return nil }
        return try job(from: r)
    }

    public func complete(id: Int64, owner: String) throws {
        _ = try check(try connection.eval(Scripts.complete, args: [prefix, String(id), owner, Self.group]), id: id, to: "done")
    }

    public func fail(id: Int64, owner: String, error: String, now: Int64, retry: RetryPolicy) throws -> Job {
        // 退避的抖动来自 SecureRandom（项目唯一随机源），只能在客户端算：先读尝试次数，再让脚本核对它没变（乐观并发）。
        // 持有租约期间只有租约被别人（或自己）重新领取才会改变次数；那时脚本拒绝，我们按新状态重来。
        for _ in 0..<5 {
            let cur = try get(id)
            guard cur.state == .leased, cur.leaseOwner == owner else {
                throw LedgerError.invalidTransition(kind: "任务", id: id, from: cur.state.rawValue, to: "failed")
            }
            let delay = cur.attempts >= cur.maxAttempts ? 0 : try retry.delaySeconds(afterAttempt: cur.attempts)
            let r = try connection.eval(Scripts.fail, args: [
                prefix, String(id), owner, Self.group, error, String(now), String(delay), String(cur.attempts),
            ])
            if case .error(let m) = r, m.hasPrefix("WQ_STALE") || m.hasPrefix("ERR WQ_STALE") { continue }
            return try job(from: try check(r, id: id, to: "failed"))
        }
        throw RedisQueueError.server("job \(id) kept changing while failing it")
    }

    public func requeue(id: Int64, now: Int64) throws -> Job {
        try job(from: try check(try connection.eval(Scripts.requeue, args: [prefix, String(id), String(now)]), id: id, to: "pending"))
    }

    public func jobs(state: JobState?, queue: String?, page: Page) throws -> [Job] {
        guard page.limit > 0 else { return [] }
        let r = try check(try connection.eval(Scripts.list, args: [prefix, indexKey(state: state, queue: queue),
                                                                  String(page.offset), String(page.limit)]), id: nil)
        guard case .array(let items) = r else { throw RedisQueueError.server("unexpected list reply") }
        return try items.map(job(from:))
    }

    public func count(state: JobState?) throws -> Int {
        guard case .integer(let n) = try connection.call(["ZCARD", indexKey(state: state, queue: nil)], idempotent: true) else {
            throw RedisQueueError.server("unexpected ZCARD reply")
        }
        return Int(n)
    }

    /// 按 id 读一个任务；不存在抛 ledger.not_found（与 SQLite 相同）。
    public func get(_ id: Int64) throws -> Job {
        let r = try connection.call(["HGETALL", jobKey(id)], idempotent: true)
        if case .array(let a) = r, a.isEmpty { throw LedgerError.notFound("任务", String(id)) }
        return try job(from: r)
    }

    // MARK: LeaseLock（定时任务锁：多台引擎共用一个 Redis 时，同一时刻只有一台跑某个定时任务）

    public func lockKey(_ name: String) -> String { "\(prefix):lock:\(Self.encodeQueue(name))" }

    public func acquire(name: String, owner: String, now: Int64, ttl: Int64) throws -> Bool {
        let r = try check(try connection.eval(Scripts.acquireLock, args: [prefix, lockKey(name), owner, String(now), String(ttl)]), id: nil)
        return r == .integer(1)
    }

    public func release(name: String, owner: String) throws {
        _ = try check(try connection.eval(Scripts.releaseLock, args: [prefix, lockKey(name), owner]), id: nil)
    }

    public func leaseHolder(name: String, now: Int64) throws -> String? {
        let f = try connection.call(["HMGET", lockKey(name), "owner", "until"], idempotent: true)
        guard case .array(let a) = f, a.count == 2, let owner = a[0].text, let until = a[1].text.flatMap({ Int64($0) }), until > now else { return nil }
        return owner
    }

    // MARK: 内部

    func indexKey(state: JobState?, queue: String?) -> String {
        switch (state, queue) {
        case (nil, nil): return "\(prefix):idx:all"
        case (let s?, nil): return "\(prefix):idx:s:\(s.rawValue)"
        case (nil, let q?): return "\(prefix):idx:q:\(Self.encodeQueue(q))"
        case (let s?, let q?): return "\(prefix):idx:q:\(Self.encodeQueue(q)):s:\(s.rawValue)"
        }
    }

    /// 脚本的业务错误映射回与 SQLite 相同的 LedgerError，调用方不必区分实现。
    func check(_ r: RedisReply, id: Int64?, to: String = "") throws -> RedisReply {
        guard case .error(let raw) = r else { return r }
        // 错误回复的第一个词是错误码；脚本给的文本没有空格时服务器会补上 "ERR "，两种形式都认。
        let m = raw.hasPrefix("ERR WQ_") ? String(raw.dropFirst(4)) : raw
        if m.hasPrefix("WQ_NOTFOUND") { throw LedgerError.notFound("任务", String(id ?? 0)) }
        if m.hasPrefix("WQ_TRANSITION ") {
            throw LedgerError.invalidTransition(kind: "任务", id: id ?? 0, from: String(m.dropFirst("WQ_TRANSITION ".count)), to: to)
        }
        throw RedisQueueError.server(m)
    }

    /// HGETALL 的扁平数组 → Job。缺字段说明键被外部改动过：报 queue.redis_error，不猜。
    func job(from r: RedisReply) throws -> Job {
        guard case .array(let flat) = r, flat.count % 2 == 0, !flat.isEmpty else { throw RedisQueueError.server("job hash missing or malformed") }
        var f: [String: String] = [:]
        var i = 0
        while i < flat.count { if let k = flat[i].text, let v = flat[i + 1].text { f[k] = v }; i += 2 }
        func int(_ k: String) throws -> Int64 {
            guard let s = f[k], let n = Int64(s) else { throw RedisQueueError.server("job hash field \(k) missing") }
            return n
        }
        guard let queue = f["queue"], let kind = f["kind"], let payload = f["payload"],
              let state = f["state"].flatMap(JobState.init(rawValue:)) else {
            throw RedisQueueError.server("job hash fields missing")
        }
        return Job(id: try int("id"), queue: queue, kind: kind, payload: payload, uniqueKey: f["unique_key"],
                   priority: Int(try int("priority")), state: state, attempts: Int(try int("attempts")),
                   maxAttempts: Int(try int("max_attempts")), runAt: try int("run_at"), leaseOwner: f["lease_owner"],
                   leaseUntil: f["lease_until"].flatMap { Int64($0) }, lastError: f["last_error"] ?? "")
    }
}
