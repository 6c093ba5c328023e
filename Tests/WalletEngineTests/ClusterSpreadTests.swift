// 多引擎时 leader 与 signer 分开放（EngineCluster.begin）：三个 EngineCluster 共用一个库（= 三个引擎进程），时钟手动拨。
// 只有 signer 的持有者让出 leader；有轮次在跑时等它们结束再交出；空闲引擎消失后 leader 回到唯一的引擎上。
import Foundation
import Testing
import WalletCrypto
@testable import WalletEngine
@testable import WalletLedger

@Suite struct ClusterSpreadTests {
    let clock = ManualClock(unixStart: 1_800_000_000)
    let gate: LedgerGate

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spread-\(UUID().uuidString).sqlite").path
        gate = LedgerGate(Ledger(store: try SQLiteLedgerStore(path: path)))
    }
    func engine() -> EngineCluster { EngineCluster(gate: gate, clock: clock, hotWallet: "0x00000000000000000000000000000000000000aa") }
    func holder(_ name: String) throws -> String? {
        let now = clock.unixTime()
        return try gate.with { l in try l.store.leases() }.first { $0.name == name && $0.expiresAt > now }?.holder
    }
    /// 一轮：拿到就马上结束（EngineRuntime 的用法）。
    func round(_ c: EngineCluster, _ name: String) throws -> Bool {
        guard try c.begin(name) != nil else { return false }
        c.end(name)
        return true
    }

    @Test func theSignerHandsLeaderToAnIdleEngineAndTakesItBackWhenAlone() throws {
        let a = engine(), b = engine()
        let leader = EngineCluster.leaderLease, signer = a.signerLease
        #expect(try round(a, leader) && round(a, signer), "独自一个引擎：两份活都是它的")
        // B 起来了：两份都被 A 拿着，B 当备用。刚起来的引擎（不到 settleSeconds）不算空闲。
        #expect(try !round(b, leader) && !round(b, signer))
        #expect(try !a.shouldLeaveLeader(clock.unixTime()))
        // 拨到 A 的 leader 该续约（剩余不到一半）：B 已起来超过 2 秒、什么都不持有 → A 交出 leader，signer 留着。
        clock.advance(6)
        #expect(try !round(b, leader), "A 还持有 leader，B 等")
        #expect(try round(a, signer), "signer 不让")
        #expect(try !round(a, leader), "A 持有 signer、B 空闲：A 交出 leader")
        #expect(try holder(leader) == nil)
        #expect(try round(b, leader), "B 接手 leader")
        #expect(try holder(leader) == b.id && holder(signer) == a.id)
        // A 不再去拿 leader（B 持有，不空闲也拿不到）；B 也拿不到 signer。
        #expect(try !round(a, leader) && !round(b, signer))
        // B 死了（不再心跳）：租约过期后 A 一个人，两份活都回到 A。
        for _ in 0..<3 { clock.advance(4); _ = try round(a, signer) }
        #expect(try round(a, leader), "没有别的活引擎：A 重新拿 leader")
        #expect(try holder(leader) == a.id && holder(signer) == a.id)
    }

    @Test func leaderIsHandedOverOnlyAfterTheRoundsUsingItEnd() throws {
        let a = engine(), b = engine()
        let leader = EngineCluster.leaderLease, signer = a.signerLease
        #expect(try round(a, signer))
        let scanner = try #require(try a.begin(leader))   // 一轮扫块还在跑
        _ = try round(b, leader)                          // B 登记心跳
        clock.advance(6)
        _ = try round(b, leader)
        #expect(try round(a, signer))
        #expect(try a.begin(leader) == nil, "要交出了：新轮次当备用")
        #expect(try holder(leader) == a.id, "还有一轮在用旧令牌：先不在库里交出")
        #expect(try !round(b, leader))
        a.end(leader)                                     // 扫块这一轮结束
        #expect(try holder(leader) == nil)
        #expect(try round(b, leader))
        let newToken = try #require(try gate.with { l in try l.store.leases() }.first { $0.name == leader }?.token)
        #expect(newToken == scanner.token + 1, "接手的一任令牌加一：旧令牌的写入会被拒")
    }

    @Test func anEngineWithoutTheSignerNeverGivesUpLeader() throws {
        let a = engine(), b = engine(), c = engine()
        let leader = EngineCluster.leaderLease, signer = a.signerLease
        #expect(try round(a, leader))
        #expect(try round(b, signer))
        _ = try round(c, leader)
        clock.advance(6)
        _ = try round(c, leader); _ = try round(b, signer)
        #expect(try round(a, leader), "A 不持有 signer：有空闲的 C 也不让")
        #expect(try holder(leader) == a.id && holder(signer) == b.id)
    }

    /// 封存着的引擎不占着 signer（QA 第四轮：带 --sealed 起来的引擎接过签名租约，整个集群停签）：另有活着、解封着的引擎时交出；
    /// 没有（别的也封存着）时照拿——签不了名，但确认与重播照做。
    @Test func aSealedEngineHandsTheSignerToAnUnsealedOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spread-locks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = engine(), b = engine()
        let lockA = try ProcessLock(path: dir.appendingPathComponent("a.lock").path), lockB = try ProcessLock(path: dir.appendingPathComponent("b.lock").path)
        a.bind(lockA); b.bind(lockB)
        a.canSign.withLock { $0 = { false } }
        let signer = a.signerLease
        func runtimeBeat(sealed: Bool) throws {
            try gate.put(WalletEngine.heartbeatKey(lockID: lockB.identity),
                         WalletEngine.Heartbeat(pid: 1, at: clock.unixTime(), sealed: sealed, signerTier: nil, signerKeyId: "k", signerAddress: "0x",
                                                lastSealBy: nil, lastSealAt: nil, sealedSince: nil, signer: nil, approvedWaiting: nil, waitingReason: nil))
        }
        #expect(try round(a, signer), "只有 A：封存着也拿（确认、重播照做）")
        _ = try round(b, EngineCluster.leaderLease)
        try runtimeBeat(sealed: true)
        clock.advance(6)
        _ = try round(b, EngineCluster.leaderLease); try runtimeBeat(sealed: true)
        #expect(try round(a, signer), "B 也封存着：A 不让")
        clock.advance(6)
        _ = try round(b, EngineCluster.leaderLease); try runtimeBeat(sealed: false)
        #expect(try !round(a, signer), "B 解封着：封存着的 A 交出 signer")
        #expect(try holder(signer) == nil)
        #expect(try round(b, signer), "解封着的 B 接手")
        #expect(try !round(a, signer))
        a.canSign.withLock { $0 = { true } }
        #expect(try !round(a, signer), "A 解封了也不抢：B 持有")
    }
}

