import Testing
import WalletCrypto
@testable import WalletLedger

func queue() throws -> SQLiteJobQueue { SQLiteJobQueue(store: try SQLiteLedgerStore(path: Fixture.tempPath())) }

@Test func priorityLeaseAndVisibilityTimeout() throws {
    let q = try queue()
    let low = try q.enqueue(queue: "w", kind: "a", payload: "{}", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
    let high = try q.enqueue(queue: "w", kind: "b", payload: "{}", uniqueKey: "k1", priority: 5, maxAttempts: 3, runAt: 0)
    #expect(try q.enqueue(queue: "w", kind: "b", payload: "{}", uniqueKey: "k1", priority: 5, maxAttempts: 3, runAt: 0).id == high.id)
    _ = try q.enqueue(queue: "w", kind: "later", payload: "{}", uniqueKey: nil, priority: 9, maxAttempts: 3, runAt: 1000)
    #expect(try q.lease(queue: "w", owner: "A", now: 10, visibility: 30)?.id == high.id)
    #expect(try q.lease(queue: "w", owner: "B", now: 10, visibility: 30)?.id == low.id)
    #expect(try q.lease(queue: "w", owner: "B", now: 10, visibility: 30) == nil)
    // A 崩溃未确认：租约到期后别人可以取走
    let again = try q.lease(queue: "w", owner: "C", now: 41, visibility: 30)
    #expect(again?.id == high.id && again?.attempts == 2)
    #expect(throws: LedgerError.self) { try q.complete(id: high.id, owner: "A") }
    try q.complete(id: high.id, owner: "C")
    #expect(try q.count(state: .done) == 1)
}

@Test func retriesWithBackoffThenDeadLetterAndRequeue() throws {
    let q = try queue()
    let j = try q.enqueue(queue: "w", kind: "x", payload: "{}", uniqueKey: nil, priority: 0, maxAttempts: 3, runAt: 0)
    let retry = RetryPolicy(baseSeconds: 10, maxSeconds: 100)
    var now: Int64 = 0
    var delays: [Int64] = []
    for attempt in 1...3 {
        let l = try #require(try q.lease(queue: "w", owner: "o", now: now, visibility: 5))
        #expect(l.attempts == attempt)
        let f = try q.fail(id: j.id, owner: "o", error: "boom \(attempt)", now: now, retry: retry)
        if attempt < 3 {
            #expect(f.state == .pending)
            let d = f.runAt - now
            delays.append(d)
            let base = Int64(10) << Int64(attempt - 1)
            #expect(d >= base && d <= base + base / 2)
            #expect(try q.lease(queue: "w", owner: "o", now: f.runAt - 1, visibility: 5) == nil)
            now = f.runAt
        } else {
            #expect(f.state == .dead && f.lastError == "boom 3")
        }
    }
    #expect(try q.jobs(state: .dead, queue: nil, page: Page()).map(\.id) == [j.id])
    let r = try q.requeue(id: j.id, now: now)
    #expect(r.state == .pending && r.attempts == 0)
    #expect(throws: LedgerError.self) { try q.requeue(id: j.id, now: now) }
}

@Test func jitterComesFromSecureRandomAndStaysInRange() throws {
    let p = RetryPolicy(baseSeconds: 4, maxSeconds: 60)
    var seen = Set<Int64>()
    for _ in 0..<200 { let d = try p.delaySeconds(afterAttempt: 3); #expect(d >= 16 && d <= 24); seen.insert(d) }
    #expect(seen.count > 3)
    #expect(try p.delaySeconds(afterAttempt: 30) <= 90)
}

@Test func leaseLockExcludesSecondEngine() throws {
    let store = try SQLiteLedgerStore(path: Fixture.tempPath())
    let a = SQLiteJobQueue(store: store)
    let b = SQLiteJobQueue(store: try SQLiteLedgerStore(path: store.db.path))  // 第二条连接 = 第二个进程
    #expect(try a.acquire(name: "reconcile", owner: "engine-1", now: 0, ttl: 60))
    #expect(try !b.acquire(name: "reconcile", owner: "engine-2", now: 30, ttl: 60))
    #expect(try a.acquire(name: "reconcile", owner: "engine-1", now: 30, ttl: 60))  // 续约
    #expect(try !b.acquire(name: "reconcile", owner: "engine-2", now: 89, ttl: 60))
    #expect(try b.acquire(name: "reconcile", owner: "engine-2", now: 91, ttl: 60))
    try b.release(name: "reconcile", owner: "engine-2")
    #expect(try a.acquire(name: "reconcile", owner: "engine-1", now: 92, ttl: 60))
}

struct FixedChain: ChainBalanceReader {
    let balances: [String: UInt256]
    func balance(address: String, asset: Asset) async throws -> UInt256 { balances["\(address)|\(asset.symbol)"] ?? .zero }
}

@Test func reconciliationRecordsDifferences() async throws {
    let env = try Fixture.env()
    let l = env.ledger
    let d = try Fixture.credit(l, user: "u1", amount: ether)
    let hot = "0x3333333333333333333333333333333333333333"
    try l.fundHotWallet(asset: "ETH", amount: UInt256(5), ref: "seed", by: "admin")
    let lines = try await l.reconcile(reader: FixedChain(balances: ["\(d.address)|ETH": ether, "\(hot)|ETH": UInt256(4)]),
                                      hotWalletAddress: hot)
    #expect(lines.first { $0.account == "hot_wallet" && $0.asset == "ETH" }?.matches == false)
    #expect(lines.first { $0.account.hasPrefix("deposit_address:ETH:") }?.matches == true)
    #expect(try l.alerts().contains { $0.kind == "reconcile.mismatch" })
    // 同一差异在下一轮对账里不再重复告警；数值变了才再告警一次。
    func mismatchAlerts() throws -> Int { try l.alerts().filter { $0.kind == "reconcile.mismatch" }.count }
    _ = try await l.reconcile(reader: FixedChain(balances: ["\(d.address)|ETH": ether, "\(hot)|ETH": UInt256(4)]), hotWalletAddress: hot)
    #expect(try mismatchAlerts() == 1)
    _ = try await l.reconcile(reader: FixedChain(balances: ["\(d.address)|ETH": ether, "\(hot)|ETH": UInt256(3)]), hotWalletAddress: hot)
    #expect(try mismatchAlerts() == 2)
}

@Test func workerDispatchesRetriesAndDeadLetters() throws {
    let q = try queue()
    let w = JobRunner(queue: q, owner: "engine-1", visibility: 10, retry: RetryPolicy(baseSeconds: 1, maxSeconds: 4))
    _ = try q.enqueue(queue: "w", kind: "ok", payload: "1", uniqueKey: nil, priority: 1, maxAttempts: 3, runAt: 0)
    _ = try q.enqueue(queue: "w", kind: "mystery", payload: "{}", uniqueKey: nil, priority: 0, maxAttempts: 2, runAt: 0)
    var seen: [String] = []
    let handlers: [String: (Job) throws -> Void] = ["ok": { seen.append($0.payload) }]
    #expect(try w.runOnce(queueName: "w", now: 0, handlers: handlers) == .done)
    if case .failed(let m) = try w.runOnce(queueName: "w", now: 0, handlers: handlers) { #expect(m.contains("mystery")) } else { Issue.record("应失败") }
    #expect(try w.runOnce(queueName: "w", now: 0, handlers: handlers) == JobOutcome.none)  // 退避中
    _ = try w.runOnce(queueName: "w", now: 100, handlers: handlers)
    #expect(try q.count(state: .dead) == 1)
    #expect(seen == ["1"])
}

@Test func scheduledJobRunsUnderLeaseLockOnlyOnce() throws {
    let store = try SQLiteLedgerStore(path: Fixture.tempPath())
    let a = SQLiteJobQueue(store: store)
    let b = SQLiteJobQueue(store: try SQLiteLedgerStore(path: store.db.path))
    var runs = 0
    // a 持有锁期间，b 的同名定时任务被跳过
    try a.runExclusive("fee-refresh", owner: "A", now: 0, ttl: 30) {
        let got = try b.runExclusive("fee-refresh", owner: "B", now: 1, ttl: 30) { runs += 100 }
        #expect(!got)
        runs += 1
    }
    let got = try b.runExclusive("fee-refresh", owner: "B", now: 2, ttl: 30) { runs += 10 }
    #expect(got)
    #expect(runs == 11)
}
