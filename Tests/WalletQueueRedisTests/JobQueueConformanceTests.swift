// 一致性测试：同一张行为清单同时跑 SQLiteJobQueue 与 RedisStreamsJobQueue。
// 换实现（--queue-url）不能改变任何可观察的语义：幂等入队、优先级、延迟、租约、重试/死信、列表与计数。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletQueueRedis

enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, redis
    var testDescription: String { rawValue }

    /// Redis 那一半在 CI 上必跑（起不来就失败）；本机没装 redis-server 时只跑 SQLite。
    static var available: [Backend] { RedisFixture.enabled ? [.sqlite, .redis] : [.sqlite] }
}

/// 一个「共享存储」：make() 每次给一条新连接（= 另一个进程/消费者），都指向同一个库或同一个 Redis 前缀。
struct QueueWorld: Sendable {
    let backend: Backend
    let make: @Sendable () throws -> any JobQueue & LeaseLock

    init(_ backend: Backend) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wq-sqlite-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("wallet.db").path
            _ = try SQLiteLedgerStore(path: path)                    // 先迁移一次，后面的连接并发打开时不抢迁移
            make = { SQLiteJobQueue(store: try SQLiteLedgerStore(path: path)) }
        case .redis:
            let url = try RedisFixture.url()
            let prefix = RedisFixture.freshPrefix()
            make = { try RedisStreamsJobQueue(url: url, prefix: prefix) }
        }
    }
}

@Suite struct JobQueueConformanceTests {
    @Test(arguments: Backend.available)
    func idempotentEnqueueByUniqueKey(_ b: Backend) throws {
        let q = try QueueWorld(b).make()
        let a = try q.enqueue(queue: "w", kind: "k", payload: "{\"n\":1}", uniqueKey: "dep:0xabc:1", priority: 0, maxAttempts: 3, runAt: 0)
        let again = try q.enqueue(queue: "w", kind: "k", payload: "other", uniqueKey: "dep:0xabc:1", priority: 9, maxAttempts: 5, runAt: 7)
        #expect(again == a, "同一 uniqueKey 返回已有任务，原样不变")
        // 唯一键全局唯一（与 SQLite 的唯一索引一致），换个队列也是同一个任务
        #expect(try q.enqueue(queue: "other", kind: "k", payload: "", uniqueKey: "dep:0xabc:1", priority: 0, maxAttempts: 3, runAt: 0).id == a.id)
        let plain = try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
        let plain2 = try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
        #expect(plain.id != plain2.id && plain.id > a.id)
        #expect(try q.count(state: nil) == 3 && q.count(state: .pending) == 3)
        #expect(a.state == .pending && a.attempts == 0 && a.maxAttempts == 3 && a.uniqueKey == "dep:0xabc:1" && a.leaseOwner == nil)
        #expect(throws: LedgerError.self) {
            try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 0, runAt: 0)
        }
    }

    @Test(arguments: Backend.available)
    func leasesByPriorityThenRunAtThenId(_ b: Backend) throws {
        let q = try QueueWorld(b).make()
        let low = try q.enqueue(queue: "w", kind: "low", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
        let high = try q.enqueue(queue: "w", kind: "high", payload: "", uniqueKey: nil, priority: 5, maxAttempts: 3, runAt: 0)
        let neg = try q.enqueue(queue: "w", kind: "neg", payload: "", uniqueKey: nil, priority: -2, maxAttempts: 3, runAt: 0)
        let mid1 = try q.enqueue(queue: "w", kind: "mid", payload: "", uniqueKey: nil, priority: 3, maxAttempts: 3, runAt: 5)
        let mid2 = try q.enqueue(queue: "w", kind: "mid", payload: "", uniqueKey: nil, priority: 3, maxAttempts: 3, runAt: 2)
        let mid3 = try q.enqueue(queue: "w", kind: "mid", payload: "", uniqueKey: nil, priority: 3, maxAttempts: 3, runAt: 2)
        _ = try q.enqueue(queue: "elsewhere", kind: "x", payload: "", uniqueKey: nil, priority: 99, maxAttempts: 3, runAt: 0)
        var order: [Int64] = []
        while let j = try q.lease(queue: "w", owner: "o", now: 10, visibility: 60) { order.append(j.id) }
        #expect(order == [high.id, mid2.id, mid3.id, mid1.id, low.id, neg.id])
    }

    @Test(arguments: Backend.available)
    func delayedJobsWaitForRunAt(_ b: Backend) throws {
        let q = try QueueWorld(b).make()
        let later = try q.enqueue(queue: "w", kind: "later", payload: "", uniqueKey: nil, priority: 9, maxAttempts: 3, runAt: 100)
        let now1 = try q.enqueue(queue: "w", kind: "now", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 10)
        #expect(try q.lease(queue: "w", owner: "o", now: 9, visibility: 5) == nil)
        #expect(try q.lease(queue: "w", owner: "o", now: 10, visibility: 5)?.id == now1.id)
        #expect(try q.lease(queue: "w", owner: "o", now: 99, visibility: 5)?.id == now1.id, "租约 15 过期后重取")
        try q.complete(id: now1.id, owner: "o")
        #expect(try q.lease(queue: "w", owner: "o", now: 99, visibility: 5) == nil)
        let l = try #require(try q.lease(queue: "w", owner: "o", now: 100, visibility: 5))
        #expect(l.id == later.id && l.state == .leased && l.leaseUntil == 105 && l.attempts == 1 && l.runAt == 100)
    }

    @Test(arguments: Backend.available)
    func leaseIsExclusiveBetweenTwoConsumers(_ b: Backend) throws {
        let w = try QueueWorld(b)
        let a = try w.make(), c = try w.make()                    // 两条独立连接
        let j = try a.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
        let got = try #require(try a.lease(queue: "w", owner: "A", now: 10, visibility: 30))
        #expect(got.id == j.id && got.leaseOwner == "A" && got.leaseUntil == 40)
        #expect(try c.lease(queue: "w", owner: "C", now: 39, visibility: 30) == nil, "租约未到期，别人拿不到")
        try a.complete(id: j.id, owner: "A")
        #expect(try c.lease(queue: "w", owner: "C", now: 1000, visibility: 30) == nil, "完成的任务不再出现")
        #expect(try c.count(state: .done) == 1 && c.count(state: .leased) == 0)
    }

    @Test(arguments: Backend.available)
    func onlyTheLeaseOwnerCanCompleteOrFail(_ b: Backend) throws {
        let w = try QueueWorld(b)
        let a = try w.make(), c = try w.make()
        let j = try a.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
        #expect(throws: LedgerError.self) { try a.complete(id: j.id, owner: "A") }   // 还没租出去
        _ = try a.lease(queue: "w", owner: "A", now: 0, visibility: 30)
        #expect(throws: LedgerError.self) { try c.complete(id: j.id, owner: "C") }
        #expect(throws: LedgerError.self) { try c.fail(id: j.id, owner: "C", error: "x", now: 1, retry: .jobs) }
        #expect(try c.jobs(state: .leased, queue: "w", page: Page()).map(\.leaseOwner) == ["A"])
        try a.complete(id: j.id, owner: "A")
        #expect(throws: LedgerError.self) { try a.complete(id: j.id, owner: "A") }   // 不能完成两次
        do { try a.complete(id: 987_654, owner: "A"); Issue.record("不存在的任务应报错") } catch let e as LedgerError {
            #expect(e.code == "ledger.not_found")
        }
    }

    @Test(arguments: Backend.available)
    func failRetriesWithBackoffThenDeadLetters(_ b: Backend) throws {
        let q = try QueueWorld(b).make()
        let j = try q.enqueue(queue: "w", kind: "x", payload: "p", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
        let retry = RetryPolicy(baseSeconds: 10, maxSeconds: 100)
        var now: Int64 = 0
        for attempt in 1...3 {
            let l = try #require(try q.lease(queue: "w", owner: "o", now: now, visibility: 5))
            #expect(l.id == j.id && l.attempts == attempt)
            let f = try q.fail(id: j.id, owner: "o", error: "boom \(attempt)", now: now, retry: retry)
            #expect(f.leaseOwner == nil && f.leaseUntil == nil && f.lastError == "boom \(attempt)")
            if attempt < 3 {
                #expect(f.state == .pending)
                let d = f.runAt - now, base = Int64(10) << Int64(attempt - 1)
                #expect(d >= base && d <= base + base / 2, "退避 \(d) 应在 [\(base), \(base + base / 2)]")
                #expect(try q.lease(queue: "w", owner: "o", now: f.runAt - 1, visibility: 5) == nil, "退避期内不可取")
                now = f.runAt
            } else {
                #expect(f.state == .dead && f.attempts == 3)
            }
        }
        #expect(try q.lease(queue: "w", owner: "o", now: now + 10_000, visibility: 5) == nil, "死信不会再被取走")
        #expect(try q.jobs(state: .dead, queue: "w", page: Page()).map(\.id) == [j.id])
        #expect(try q.count(state: .dead) == 1 && q.count(state: .pending) == 0)
    }

    @Test(arguments: Backend.available)
    func requeueBringsADeadJobBack(_ b: Backend) throws {
        let q = try QueueWorld(b).make()
        let j = try q.enqueue(queue: "w", kind: "x", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        #expect(throws: LedgerError.self) { try q.requeue(id: j.id, now: 0) }        // 只有 dead 能重新入队
        _ = try q.lease(queue: "w", owner: "o", now: 0, visibility: 5)
        #expect(try q.fail(id: j.id, owner: "o", error: "bad", now: 1, retry: .jobs).state == .dead)
        let r = try q.requeue(id: j.id, now: 50)
        #expect(r.state == .pending && r.attempts == 0 && r.runAt == 50 && r.lastError == "bad")
        #expect(throws: LedgerError.self) { try q.requeue(id: j.id, now: 50) }
        #expect(try q.lease(queue: "w", owner: "o", now: 49, visibility: 5) == nil)
        let l = try #require(try q.lease(queue: "w", owner: "o", now: 50, visibility: 5))
        #expect(l.id == j.id && l.attempts == 1)
        try q.complete(id: j.id, owner: "o")
        #expect(try q.count(state: .dead) == 0 && q.count(state: .done) == 1)
    }

    @Test(arguments: Backend.available)
    func countsAndListingPerState(_ b: Backend) throws {
        let q = try QueueWorld(b).make()
        var ids: [Int64] = []
        for i in 0..<7 { ids.append(try q.enqueue(queue: i % 2 == 0 ? "a" : "b", kind: "k\(i)", payload: "\(i)", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0).id) }
        // a: ids[0,2,4,6]  b: ids[1,3,5]
        let l1 = try #require(try q.lease(queue: "a", owner: "o", now: 0, visibility: 100))   // ids[0] → done
        try q.complete(id: l1.id, owner: "o")
        let l2 = try #require(try q.lease(queue: "a", owner: "o", now: 0, visibility: 100))   // ids[2] → dead
        _ = try q.fail(id: l2.id, owner: "o", error: "e", now: 0, retry: .jobs)
        _ = try #require(try q.lease(queue: "b", owner: "o", now: 0, visibility: 100))        // ids[1] → leased
        #expect(try q.count(state: nil) == 7)
        #expect(try q.count(state: .pending) == 4 && q.count(state: .leased) == 1 && q.count(state: .done) == 1 && q.count(state: .dead) == 1)
        #expect(try q.jobs(state: nil, queue: nil, page: Page()).map(\.id) == ids.reversed())
        #expect(try q.jobs(state: nil, queue: "a", page: Page()).map(\.id) == [ids[6], ids[4], ids[2], ids[0]])
        #expect(try q.jobs(state: .pending, queue: nil, page: Page()).map(\.id) == [ids[6], ids[5], ids[4], ids[3]])
        #expect(try q.jobs(state: .pending, queue: "b", page: Page()).map(\.id) == [ids[5], ids[3]])
        #expect(try q.jobs(state: .leased, queue: "b", page: Page()).map(\.id) == [ids[1]])
        #expect(try q.jobs(state: .dead, queue: "b", page: Page()).isEmpty)
        #expect(try q.jobs(state: nil, queue: nil, page: Page(limit: 2, offset: 3)).map(\.id) == [ids[3], ids[2]])
        #expect(try q.jobs(state: nil, queue: nil, page: Page(limit: 0)).isEmpty)
        #expect(try q.jobs(state: nil, queue: nil, page: Page(limit: 5, offset: 100)).isEmpty)
        let dead = try #require(try q.jobs(state: .dead, queue: nil, page: Page()).first)
        #expect(dead.kind == "k2" && dead.payload == "2" && dead.queue == "a" && dead.lastError == "e")
    }

    @Test(arguments: Backend.available)
    func deadConsumersJobIsReclaimedAfterVisibility(_ b: Backend) throws {
        let w = try QueueWorld(b)
        let dying = try w.make(), rescuer = try w.make()
        let j = try dying.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 2, maxAttempts: 5, runAt: 0)
        _ = try dying.enqueue(queue: "w", kind: "lower", payload: "", uniqueKey: nil, priority: 1, maxAttempts: 5, runAt: 0)
        #expect(try dying.lease(queue: "w", owner: "dying", now: 10, visibility: 30)?.id == j.id)
        // 「死掉」的消费者再也不确认。未到期前救援者只能拿到低优先级的那个
        let other = try #require(try rescuer.lease(queue: "w", owner: "rescuer", now: 39, visibility: 30))
        #expect(other.id != j.id)
        let r = try #require(try rescuer.lease(queue: "w", owner: "rescuer", now: 40, visibility: 30))
        #expect(r.id == j.id && r.attempts == 2 && r.leaseOwner == "rescuer" && r.leaseUntil == 70)
        if b == .redis, let rq = rescuer as? RedisStreamsJobQueue {
            // PEL 里这一条的消费者确实换成了救援者（XAUTOCLAIM 转移了所有权）
            let pel = try rq.connection.call(["XPENDING", rq.streamKey(queue: "w", priority: 2), RedisStreamsJobQueue.group, "-", "+", "10"])
            guard case .array(let rows) = pel, rows.count == 1, case .array(let row) = rows[0] else { Issue.record("PEL: \(pel)"); return }
            #expect(row[1].text == "rescuer" && row[3].text == "2", "投递次数 2：\(row)")
        }
        #expect(throws: LedgerError.self) { try dying.complete(id: j.id, owner: "dying") }   // 复活的旧消费者不能再确认
        try rescuer.complete(id: j.id, owner: "rescuer")
        #expect(try rescuer.count(state: .done) == 1)
        if b == .redis, let rq = rescuer as? RedisStreamsJobQueue {
            let pel = try rq.connection.call(["XPENDING", rq.streamKey(queue: "w", priority: 2), RedisStreamsJobQueue.group])
            #expect(pel.arrayFirst == .integer(0), "完成后 PEL 为空：\(pel)")
        }
    }

    /// 与 WalletLedgerTests.leaseLockExcludesSecondEngine 同一剧本：两个引擎（两条连接）抢同一个定时任务锁。
    @Test(arguments: Backend.available)
    func leaseLockExcludesASecondEngine(_ b: Backend) throws {
        let w = try QueueWorld(b)
        let a = try w.make(), c = try w.make()
        #expect(try a.leaseHolder(name: "reconcile", now: 0) == nil)
        #expect(try a.acquire(name: "reconcile", owner: "engine-1", now: 0, ttl: 60))
        #expect(try !c.acquire(name: "reconcile", owner: "engine-2", now: 30, ttl: 60))
        #expect(try c.leaseHolder(name: "reconcile", now: 59) == "engine-1")
        #expect(try a.acquire(name: "reconcile", owner: "engine-1", now: 30, ttl: 60))    // 续约到 90
        #expect(try !c.acquire(name: "reconcile", owner: "engine-2", now: 89, ttl: 60))
        #expect(try c.leaseHolder(name: "reconcile", now: 90) == nil, "到期即无人持有")
        #expect(try c.acquire(name: "reconcile", owner: "engine-2", now: 91, ttl: 60))
        try a.release(name: "reconcile", owner: "engine-1")                               // 不是自己的锁：不起作用
        #expect(try a.leaseHolder(name: "reconcile", now: 92) == "engine-2")
        #expect(try c.acquire(name: "fee-refresh", owner: "engine-2", now: 92, ttl: 60))  // 不同名字互不影响
        try c.release(name: "reconcile", owner: "engine-2")
        #expect(try a.acquire(name: "reconcile", owner: "engine-1", now: 92, ttl: 60))
        var ran = 0
        #expect(try !c.runExclusive("reconcile", owner: "engine-2", now: 93, ttl: 60) { ran += 1 })
        #expect(ran == 0)
    }

    /// N 个线程各用一条连接，从同一个队列抢 M 个任务：每个任务恰好完成一次。顺便量一下吞吐（只打印，不断言时间）。
    @Test(arguments: Backend.available)
    func concurrentConsumersCompleteEachJobExactlyOnce(_ b: Backend) throws {
        let w = try QueueWorld(b)
        let n = 4, m = 1000
        let setup = try w.make()
        for i in 0..<m { _ = try setup.enqueue(queue: "c", kind: "k", payload: "\(i)", uniqueKey: "c-\(i)", priority: i % 3, maxAttempts: 3, runAt: 0) }
        let log = CompletionLog()
        let start = Date()              // 含建连接的时间（各实现都很小）
        // 真线程（不用 concurrentPerform：它在 2 核机器上只并发 2 个迭代，栅栏会死锁）
        let finished = DispatchGroup()
        for t in 0..<n {
            finished.enter()
            Thread {
                defer { finished.leave() }
                let made = Result { try w.make() }
                log.arriveAndWait(total: n)                   // 连接都建好再一起开抢，否则先到的线程可能一个人做完（建失败也要到场，免得别人死等）
                do {
                    let q = try made.get()
                    while let j = try q.lease(queue: "c", owner: "worker-\(t)", now: 100, visibility: 3600) {
                        try q.complete(id: j.id, owner: "worker-\(t)")
                        log.add(j.id, worker: t)
                    }
                } catch { log.fail("\(t): \(WalletError(error).logText)") }
            }.start()
        }
        finished.wait()
        let secs = Date().timeIntervalSince(start)
        #expect(log.errors.isEmpty, "\(log.errors)")
        #expect(log.ids.count == m && Set(log.ids).count == m, "完成 \(log.ids.count) 次，去重 \(Set(log.ids).count)")
        #expect(try setup.count(state: .done) == m && setup.count(state: .pending) == 0 && setup.count(state: .leased) == 0)
        if let rq = setup as? RedisStreamsJobQueue { #expect(try RedisInvariants.violations(rq) == []) }
        // 不断言「每个线程都分到任务」：那是调度属性（SQLite 的写锁常被同一连接连续拿到），不是正确性。只打印分布。
        print("吞吐 \(b.rawValue): \(n) 个消费者 lease+complete \(m) 个任务用时 \(String(format: "%.3f", secs)) s ≈ \(Int(Double(m) / secs)) 任务/秒；各线程完成数 \(log.perWorker)")
    }
}

/// 线程间共享的完成记录。
// @unchecked Sendable：所有可变状态只在 lock 内读写
final class CompletionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _ids: [Int64] = [], _errors: [String] = [], _workerCounts: [Int: Int] = [:]
    private let gate = NSCondition()
    private var arrived = 0
    /// 简单的栅栏：total 个线程都到了才一起放行。
    func arriveAndWait(total: Int) {
        gate.lock(); defer { gate.unlock() }
        arrived += 1
        if arrived >= total { gate.broadcast() } else { while arrived < total { gate.wait() } }
    }
    func add(_ id: Int64, worker: Int) { lock.withLock { _ids.append(id); _workerCounts[worker, default: 0] += 1 } }
    func fail(_ s: String) { lock.withLock { _errors.append(s) } }
    var ids: [Int64] { lock.withLock { _ids } }
    var errors: [String] { lock.withLock { _errors } }
    var perWorker: [Int] { lock.withLock { _workerCounts.sorted(by: { $0.key < $1.key }).map(\.value) } }
}

extension RedisReply {
    var arrayFirst: RedisReply? { if case .array(let a) = self { return a.first }; return nil }
}
