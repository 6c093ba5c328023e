// 多个引擎共用一个数据库（issue 13）：谁干哪份独占的活由库里的租约决定，写入由隔离令牌把关。
//
//   leader          扫块入账、对账、手续费采样、演示链出块——全库只能有一个在做（重复扫块虽然幂等，但对账与告警会打架）
//   signer:<热钱包>  提现执行与归集（都要用热钱包的 nonce）——一个地址同一时刻只有一个签名者，nonce 才不会撞车
//   jobs            任务队列消费跟着 leader（处理器里有重扫、对账）；立即归集的任务另外要 signer 租约
//   其余            封存监视：每个引擎都做（封存状态是每个进程自己的）
//
// 分开放：有两个以上的活引擎时，leader 与 signer 不在同一个引擎上——持有 signer 的引擎在「另有一个什么都不持有的活引擎」时
// 不拿 leader、拿着的在本进程没有 leader 轮次在跑时交出（`begin`）。这样签名广播不与扫块、对账抢同一个账本连接与同一批核，
// 一个引擎卡住也只卡一种活。只让 leader：leader 的活不需要密钥，任何活引擎都能接；signer 若交给一个封存着的引擎，提现就停了。
// 反过来，封存着的引擎在「另有一个活着、解封着的引擎」时不拿 signer、拿着的交出（QA：带 --sealed 起来的引擎接过签名租约，整个集群停签，
// 别的主机上的 status 还说健康）。只剩封存着的引擎时它照拿：签不了名，但确认、重播同一份字节、重组后的核对照做。
//
// 为什么租约在数据库里、而不是 Redis 的 SET NX PX：写钱的事务本来就在这个库里，核对令牌与写入在同一个事务里完成（先拿写锁再核对），
// 没有「核对完、写之前租约被抢走」的窗口；Redis 锁要做到这一点得让数据库也认令牌，等于又回到库里。见 docs/scale-out.md。
import Foundation
import Logging
import Synchronization
import WalletCrypto
import WalletLedger

/// 当前任务（某个 worker 的一轮）持有的租约：LedgerGate 在锁内把它交给存储，每个写事务开头核对。
public enum LeaseScope {
    @TaskLocal public static var current: LeaseFence?
}

public final class EngineCluster: Sendable {
    /// 租约时长：持有者每轮续约；被 SIGKILL 的引擎最多这么久之后被接管。
    public static let leaseTTLSeconds: Int64 = 10
    public let id: String
    public let hostName: String
    let gate: LedgerGate
    let clock: any WalletClock
    let hotWallet: String
    let startedAt: Int64
    /// 本进程持有的租约（令牌、到期）、每个租约正在跑的轮次数、正在交出（等轮次跑完）的租约。
    private struct Leases {
        var held: [String: (token: Int64, expires: Int64)] = [:]
        var active: [String: Int] = [:]
        var draining: Set<String> = []
    }
    private let state = Mutex<Leases>(Leases())
    /// 刚起来不到这么久的引擎不算「空闲的活引擎」：一次性命令（sweep run、engine run --once）也会短暂登记。
    static let settleSeconds: Int64 = 2
    private let lastBeat = Mutex<Int64>(0)
    private let lockID = Mutex<String>("")

    let logger: Logger?
    /// 本进程此刻能不能签名（密钥库没封存）。由 WalletEngine 设置；默认能。
    let canSign = Mutex<@Sendable () -> Bool>({ true })
    /// 「空闲的活引擎」要求的心跳新鲜度：心跳每 2 秒一次，超过两次没写就不算（QA：刚被 kill -9、心跳还不到 10 秒的引擎被让了 leader）。
    static let freshHeartbeatSeconds: Int64 = 4
    /// 失联多久的引擎从 engines 表里删掉（status 不再列出）：60 个租期。
    static let forgetLostAfterSeconds: Int64 = 600

    init(gate: LedgerGate, clock: any WalletClock, hotWallet: String, logger: Logger? = nil) {
        self.gate = gate; self.clock = clock; self.hotWallet = hotWallet.lowercased(); self.logger = logger
        startedAt = clock.unixTime()
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let suffix = Hex.encode((try? SecureRandom.bytes(3)) ?? [0, 0, 0])
        hostName = String(cString: host)
        id = "\(hostName)-\(getpid())-\(suffix)"
    }

    /// 这个 worker 需要哪个租约（nil = 每个引擎都做）。
    public func leaseName(for worker: String) -> String? {
        switch worker {
        // 任务队列的处理器里有重扫、对账（leader 的活）与立即归集（还要 signer，见 JobWorker.handle）：由 leader 消费。
        case "scanner", "reconcile", "fees", "demo-chain", "jobs": return Self.leaderLease
        case "withdrawals", "sweeper": return signerLease
        default: return nil
        }
    }

    public static let leaderLease = "leader"
    public var signerLease: String { "signer:\(hotWallet)" }

    /// 持有（必要时获得或续约）租约；别人持有则 nil（本轮当备用）。剩余时间过半才去库里续约。
    public func fence(_ name: String) throws -> LeaseFence? {
        let now = clock.unixTime()
        heartbeat(now)
        if let h = state.withLock({ $0.held[name] }), h.expires - now > Self.leaseTTLSeconds / 2 {
            return LeaseFence(name: name, holder: id, token: h.token, ttl: Self.leaseTTLSeconds)
        }
        let ttl = Self.leaseTTLSeconds
        let token = try gate.with { l -> Int64? in
            if let t = try l.store.acquireLease(name: name, holder: id, now: now, ttl: ttl, presumedDead: nil) { return t }
            // 持有者是「同一个 home 锁文件」上的上一个引擎（被 kill -9、崩溃后重启）：我们此刻独占着这把 flock，
            // 它必然已经死了（活着就还握着锁），不必等租约过期。别的 home（别的主机、别的拷贝）的持有者一律等过期。
            let mine = lockID.withLock { $0 }
            guard !mine.isEmpty, let h = try l.store.leases().first(where: { $0.name == name })?.holder, h != id,
                  try l.store.engines().first(where: { $0.id == h })?.lockID == mine else { return nil }
            return try l.store.acquireLease(name: name, holder: id, now: now, ttl: ttl, presumedDead: h)
        }
        let before = state.withLock { s -> Int64? in
            defer { s.held[name] = token.map { ($0, now + ttl) } }
            return s.held[name]?.token
        }
        // 角色变化进日志（接管、交出）：事后复盘「谁在什么时候干活」靠它（QA：20 多次接管日志里一条都没有）。
        if let t = token, t != before {
            logger?.info("cluster.lease_acquired", ["lease": .string(name), "token": .int(t), "engine": .string(id)])
        } else if token == nil, let b = before {
            logger?.warn("cluster.lease_lost", ["lease": .string(name), "token": .int(b), "engine": .string(id)])
        }
        return token.map { LeaseFence(name: name, holder: id, token: $0, ttl: ttl) }
    }

    // MARK: 一轮的租约（EngineRuntime）

    /// 一轮开始：拿到（或续上）这轮要的租约并记下「本进程有一轮在用它」，轮次结束必须调 `end`。nil = 本轮当备用。
    /// leader 按文件头的规则分开放、signer 由封存着的引擎交出：要交出时不再发新令牌给新轮次，等本进程用它的轮次都结束再在库里交出——
    /// 直接交出也安全（旧令牌的写入会被隔离令牌拒绝），但会让跑到一半的轮次失败、日志里多一条 lease_lost。
    public func begin(_ name: String) throws -> LeaseFence? {
        let now = clock.unixTime()
        let cached = state.withLock { s -> LeaseFence?? in
            if s.draining.contains(name) { return .some(nil) }
            guard let h = s.held[name], h.expires - now > Self.leaseTTLSeconds / 2 else { return nil }
            s.active[name, default: 0] += 1
            return .some(LeaseFence(name: name, holder: id, token: h.token, ttl: Self.leaseTTLSeconds))
        }
        if let cached { heartbeat(now); return cached }
        let leave = name == Self.leaderLease ? try shouldLeaveLeader(now) : (name == signerLease ? try shouldLeaveSigner(now) : false)
        if leave {
            let releaseNow = state.withLock { s -> Bool in
                guard s.held[name] != nil else { return false }   // 没持有：不去拿，留给空闲的引擎
                guard s.active[name, default: 0] == 0 else { s.draining.insert(name); return false }
                s.held.removeValue(forKey: name)
                return true
            }
            if releaseNow { release(name, now) }
            return nil
        }
        guard let f = try fence(name) else { return nil }
        state.withLock { $0.active[name, default: 0] += 1 }
        return f
    }

    /// 一轮结束（不论成败）。正在交出的租约在最后一轮结束时交出。
    public func end(_ name: String) {
        let releaseNow = state.withLock { s -> Bool in
            s.active[name] = max(0, s.active[name, default: 0] - 1)
            guard s.draining.contains(name), s.active[name, default: 0] == 0 else { return false }
            s.draining.remove(name)
            return s.held.removeValue(forKey: name) != nil
        }
        if releaseNow { release(name, clock.unixTime()) }
    }

    /// 本引擎持有 signer、能签名，且另有一个活着（心跳新鲜、起来超过 settleSeconds、不是本 home 的上一任）、既不持有 leader 也不持有 signer 的引擎。
    func shouldLeaveLeader(_ now: Int64) throws -> Bool {
        // 封存着的引擎要交的是 signer（shouldLeaveSigner），留着 leader：两样都交会让 leader 白换一手（第四轮 QA 的重跑里看到）。
        guard state.withLock({ $0.held[signerLease].map { $0.expires > now } ?? false }), canSign.withLock({ $0 })() else { return false }
        heartbeat(now)
        let mine = lockID.withLock { $0 }
        let (engines, leases) = try gate.with { l in (try l.store.engines(), try l.store.leases()) }
        let busy = Set(leases.filter { ($0.name == Self.leaderLease || $0.name == signerLease) && $0.expiresAt > now }.map(\.holder))
        return engines.contains {
            $0.id != id && now - $0.heartbeatAt <= Self.freshHeartbeatSeconds && now - $0.startedAt >= Self.settleSeconds
                && !busy.contains($0.id) && (mine.isEmpty || $0.lockID != mine)
        }
    }

    /// 本进程签不了名（密钥库封存着），且另有一个活着（心跳新鲜、不是本 home 的上一任）、解封着（它自己写的运行心跳：10 秒内、sealed = false）的引擎。
    func shouldLeaveSigner(_ now: Int64) throws -> Bool {
        guard !canSign.withLock({ $0 })() else { return false }
        heartbeat(now)
        let mine = lockID.withLock { $0 }
        let engines = try gate.with { l in try l.store.engines() }
        for e in engines where e.id != id && now - e.heartbeatAt <= Self.freshHeartbeatSeconds && !e.lockID.isEmpty && (mine.isEmpty || e.lockID != mine) {
            if let h = try gate.get(WalletEngine.heartbeatKey(lockID: e.lockID), as: WalletEngine.Heartbeat.self), !h.sealed, now - h.at <= 10 {
                return true
            }
        }
        return false
    }

    /// 此刻持有这份租约的另一个活引擎（租约未过期、心跳在租期内）；没有则 nil。
    public func liveHolder(_ name: String) throws -> String? {
        let now = clock.unixTime()
        let (engines, leases) = try gate.with { l in (try l.store.engines(), try l.store.leases()) }
        guard let h = leases.first(where: { $0.name == name && $0.expiresAt > now })?.holder, h != id,
              engines.contains(where: { $0.id == h && now - $0.heartbeatAt <= Self.leaseTTLSeconds }) else { return nil }
        return h
    }

    private func release(_ name: String, _ now: Int64) {
        _ = try? gate.with { l in try l.store.releaseLease(name: name, holder: id, now: now) }
        // leader 让给空闲的引擎（spread）；signer 由封存着的引擎交给解封着的（sealed）。
        logger?.info("cluster.lease_released", ["leases": .string(name), "engine": .string(id), "reason": .string(name == Self.leaderLease ? "spread" : "sealed")])
    }

    // MARK: 入账分片（DepositCreditWorker）

    static func creditLease(_ shard: Int) -> String { "credit:\(shard)" }

    /// 这个引擎此刻负责入账的分片及各自的租约。只在「至少两个活引擎、leader 在另一个活引擎手里」时非空：
    /// 份额 = 16 / 活引擎数（leader 不拿，负责剩下没人持有的分片）；从按引擎 id 错开的位置开始拿，多出来的交还。
    public func creditShards() throws -> [Int: LeaseFence] {
        let now = clock.unixTime()
        heartbeat(now)
        let (engines, leases) = try gate.with { l in (try l.store.engines(), try l.store.leases()) }
        let alive = Set(engines.filter { now - $0.heartbeatAt <= Self.leaseTTLSeconds }.map(\.id))
        let leader = leases.first { $0.name == Self.leaderLease && $0.expiresAt > now }?.holder
        var mine: [Int: LeaseFence] = [:]
        if alive.count >= 2, let leader, leader != id, alive.contains(leader) {
            let target = LedgerShards.count / alive.count
            let start = LedgerShards.of(user: id)
            for i in 0..<LedgerShards.count where mine.count < target {
                let s = (start + i) % LedgerShards.count
                if let f = try fence(Self.creditLease(s)) { mine[s] = f }
            }
        }
        // 不再负责的分片：交还（别人不用等过期）。
        let extra = state.withLock { s in s.held.keys.filter { $0.hasPrefix("credit:") && mine[Int($0.dropFirst("credit:".count)) ?? -1] == nil } }
        if !extra.isEmpty {
            _ = try? gate.with { l in for n in extra { try l.store.releaseLease(name: n, holder: id, now: now) } }
            state.withLock { s in for n in extra { s.held.removeValue(forKey: n) } }
            logger?.info("cluster.lease_released", ["leases": .string(extra.sorted().joined(separator: ",")), "engine": .string(id)])
        }
        return mine
    }

    /// 扫块器（leader）要跳过的分片：credit 租约未过期、持有者是另一个活着的引擎（心跳在租期内）、且不是本 home 上一任（同一把锁文件 = 已死）。
    public func creditShardsHeldByOthers() throws -> Set<Int> {
        let now = clock.unixTime()
        let mineLock = lockID.withLock { $0 }
        let (engines, leases) = try gate.with { l in (try l.store.engines(), try l.store.leases()) }
        let live = Dictionary(uniqueKeysWithValues: engines.filter { now - $0.heartbeatAt <= Self.leaseTTLSeconds }.map { ($0.id, $0.lockID) })
        var out = Set<Int>()
        for l in leases where l.name.hasPrefix("credit:") && l.expiresAt > now && l.holder != id {
            guard let lock = live[l.holder], mineLock.isEmpty || lock != mineLock, let s = Int(l.name.dropFirst("credit:".count)) else { continue }
            out.insert(s)
        }
        return out
    }

    /// 本进程已独占 home 的引擎锁（engine run、CLI 的进程内执行）：登记锁的身份，崩溃重启时可立刻接回自己 home 上一个引擎的租约。
    public func bind(_ lock: ProcessLock) {
        lockID.withLock { $0 = lock.identity }
        lastBeat.withLock { $0 = 0 }   // 下一次心跳立刻把锁身份写进 engines 表
    }

    /// 写入被拒（租约丢了）：忘掉本地缓存，下一轮重新去库里问。
    public func forget(_ name: String) {
        if let t = state.withLock({ s -> Int64? in s.draining.remove(name); return s.held.removeValue(forKey: name)?.token }) {
            logger?.warn("cluster.lease_lost", ["lease": .string(name), "token": .int(t), "engine": .string(id)])
        }
    }

    func heartbeat(_ now: Int64) {
        let due = lastBeat.withLock { last -> Bool in
            guard now - last >= 2 else { return false }
            last = now
            return true
        }
        guard due else { return }
        let rec = EngineRecord(id: id, host: hostName, pid: Int64(getpid()), version: "schema-\(Migrations.latest)",
                               lockID: lockID.withLock { $0 }, startedAt: startedAt, heartbeatAt: now)
        _ = try? gate.with { l in
            try l.store.heartbeatEngine(rec)
            _ = try l.store.pruneEngines(heartbeatBefore: now - Self.forgetLostAfterSeconds)
        }
    }

    /// 优雅停机：交出全部租约、注销自己，备用引擎立刻接手（不用等租约过期）。
    public func leave() {
        let now = clock.unixTime()
        let names = state.withLock { s -> [String] in defer { s.held.removeAll(); s.draining.removeAll() }; return Array(s.held.keys) }
        _ = try? gate.with { l in
            for n in names { try l.store.releaseLease(name: n, holder: id, now: now) }
            try l.store.removeEngine(id: id)
        }
    }
}
