// 入账分给各引擎（issue 13）：扫块（发现充值、重组）仍是 leader 独占；「确认数够了 → 入账」按用户分片分给活着的引擎。
//
//   leader 的扫块器   每轮照旧给在途充值更新确认数、入账——但跳过「别的活引擎持有 credit:<分片> 租约」的分片
//   其他引擎的 credits 只在「至少两个活引擎、且 leader 在别人手里」时工作：拿 16/活引擎数 个 credit:<分片> 租约，给这些分片的充值入账
//
// 正确性不靠分工：同一笔充值两个引擎同时入账，账本的分片事务（同一分片一把锁）让后到的看到「已入账」什么都不做；
// 入账前都核对充值所在块仍是规范块。分工只为吞吐：PostgreSQL 上不同分片的事务互不等待（docs/scale-out.md 1.2）。
// 单个引擎（含嵌入式 SQLite）时 credits 什么都不做，扫块器入账全部分片，行为与分工之前一致。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

/// 在途充值（seen/confirming）按链头更新确认数；账本在达到要求（或 finalized）时入账。扫块器与 credits worker 共用这一份。
struct DepositCrediter {
    let gate: LedgerGate
    let client: ChainClient
    let metrics: EngineMetrics

    /// include：这个分片归不归我；fence：该分片的租约（nil = 用调用方任务的，例如 leader 的）。
    func run(head: UInt64, _ ctx: WorkerContext, include: (Int) -> Bool, fence: (Int) -> LeaseFence?) async throws -> Int {
        let finalized = (try? await client.header(.finalized))??.number
        var credited = 0
        var canonical = CanonicalBlocks(gate: gate, client: client)
        for state in [WalletLedger.DepositState.seen, .confirming] {
            // 按 id 键集分页：别的引擎同时在给它的分片入账（行离开这个状态），偏移分页会因此跳过行（两引擎时实测每轮漏掉一截，等下一轮）。
            var cursor: Int64? = nil
            while true {
                let page = try gate.with { l in try l.deposits(DepositFilter(state: state, beforeID: cursor), page: Page(limit: 500)) }
                guard let last = page.last else { break }
                cursor = last.id
                for d in page {
                    let shard = LedgerShards.of(user: d.user)
                    guard include(shard) else { continue }
                    let conf = head >= UInt64(d.blockNumber) ? Int(head - UInt64(d.blockNumber) + 1) : 0
                    let isFinal = finalized.map { UInt64(d.blockNumber) <= $0 } ?? false
                    // 确认数没变、也没终结：上一轮已经按这个数写过（够了的当时就入账了），不再开一个写事务。
                    // 以前每轮给每笔在途充值都写一次——链头不动时也写，几百笔在途就是每轮几百个空写。
                    if d.state == .confirming, d.confirmations == conf, !isFinal { continue }
                    // 入账前再核对一次：充值所在的块仍是该高度的规范块。不是（扫块器还没发现的重组）就这轮不入账。
                    if conf >= d.required || isFinal {
                        let h = try await canonical.hash(at: d.blockNumber)
                        guard h == d.blockHash.lowercased() else {
                            ctx.logger.warn("deposit.not_canonical", ["id": .int(d.id), "block": .int(d.blockNumber),
                                                                      "stored": .string(d.blockHash), "canonical": .string(h ?? "-")])
                            continue
                        }
                    }
                    let after = try LeaseScope.$current.withValue(fence(shard) ?? LeaseScope.current) {
                        try gate.with { l in try l.updateConfirmations(depositID: d.id, confirmations: conf, finalized: isFinal, user: d.user) }
                    }
                    if after.state == .credited {
                        credited += 1
                        metrics.depositsCredited.inc([after.asset])
                        ctx.logger.info("deposit.credited", ["id": .int(after.id), "asset": .string(after.asset),
                                                             "amount": .amount(after.amount), "confirmations": .int(Int64(conf)),
                                                             "shard": .int(Int64(shard))])
                    }
                }
                if page.count < 500 { break }
            }
        }
        return credited
    }
}

/// 一轮之内「这个高度的规范块是哪个」：入账与热钱包外来入账共用。第一次真要核对时才读扫块窗口、问链一次（没有够确认的记录的轮次不问链），
/// 之后窗口内的高度不再问；窗口外（或窗口不可信）的按高度各问一次块头，本轮内缓存（同一个块里的多笔只问一次）。
///
/// 扫块器记下的最近区块窗口（engine.scan.blocks）按父哈希首尾相接，只要链上该高度的块仍是窗口的最后一块，整个窗口就都是规范块：
/// 区块哈希承诺了父哈希，同一个哈希的祖先只能是同一串块。于是每轮只问链一次（窗口顶），而不是每个有充值的块问一次——
/// 几百笔在途充值分布在几十个块里时，这是几十次往返与一次的差别。窗口断了一环、或窗口顶对不上（链刚重组、扫块器还没跟上）就不认窗口，
/// 逐块去问（与以前一样）。
struct CanonicalBlocks {
    let gate: LedgerGate
    let client: ChainClient
    private var cache: [Int64: String]? = nil   // 高度 → 哈希（小写）；nil = 还没读窗口

    init(gate: LedgerGate, client: ChainClient) { self.gate = gate; self.client = client }

    mutating func hash(at n: Int64) async throws -> String? {
        if cache == nil { cache = try await Self.window(gate: gate, client: client) }
        if let h = cache?[n] { return h }
        let h = try await client.blockHash(UInt64(max(0, n)))?.hex.lowercased()
        if let h { cache?[n] = h }
        return h
    }

    /// 可信的窗口（高度 → 哈希，小写）；不可信时空。
    static func window(gate: LedgerGate, client: ChainClient) async throws -> [Int64: String] {
        let rows = try gate.with { l in try LedgerScanStore.rows(in: l) }
        guard let top = rows.last else { return [:] }
        for (a, b) in zip(rows, rows.dropFirst()) where b.n != a.n + 1 || b.p.lowercased() != a.h.lowercased() { return [:] }
        guard try await client.blockHash(top.n)?.hex.lowercased() == top.h.lowercased() else { return [:] }
        var out: [Int64: String] = [:]
        for r in rows { out[Int64(r.n)] = r.h.lowercased() }
        return out
    }
}

/// 非 leader 引擎的入账帮手（见文件头）。
public final class DepositCreditWorker: EngineWorker, Sendable {
    public let name = "credits"
    public let intervalMs: Int
    let crediter: DepositCrediter
    let cluster: EngineCluster

    init(gate: LedgerGate, client: ChainClient, config: EngineConfig, metrics: EngineMetrics, cluster: EngineCluster) {
        crediter = DepositCrediter(gate: gate, client: client, metrics: metrics)
        self.cluster = cluster
        intervalMs = config.workers.scanIntervalMs
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let mine = try cluster.creditShards()
        guard !mine.isEmpty else { return RoundReport(processed: 0, summary: "standby (leader credits)") }
        let head = try await crediter.client.blockNumber()
        let credited = try await crediter.run(head: head, ctx, include: { mine[$0] != nil }, fence: { mine[$0] })
        return RoundReport(processed: credited, summary: "credited=\(credited) shards=\(mine.keys.sorted().map(String.init).joined(separator: ","))")
    }
}
