// 充值扫描 worker：WalletChain.DepositScanner 负责跟链头、按父哈希发现重组；这里负责把它的事件落进账本：
//   .block    → 在一个事务里：记下区块哈希（engine.scan.blocks）+ 每笔充值 observeDeposit（幂等）+ 可疑转账告警
//   .rollback → 在一个事务里：删掉孤块哈希 + 孤块里的充值 orphanDeposit（未入账 → orphaned；已入账 → reversed + 告警）
// 然后按链头更新所有在途充值的确认数，达到要求的由账本入账。崩溃在任何一步之间都安全：区块哈希与充值同事务提交，
// 重启后从本地链头继续，父哈希不符即先回滚（跨重启的重组检测）。
import Logging
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletLedger

/// 扫描状态存进账本数据库（与充值写入同一事务）。
/// 扫块器的持久控制状态（settings 表 engine.scan.*）：起点、代次（rescan 时 +1，运行中的扫块器据此重建）、停机原因。
public enum ScanControl {
    static let startKey = "engine.scan.start"
    static let generationKey = "engine.scan.generation"
    static let haltKey = "engine.scan.halt"
}

/// 扫块器因超过窗口的深度重组而停机（需要 admin `scanner rescan --from N`）。
public struct ScanHalt: Codable, Sendable, Equatable {
    public var halted: Bool
    public var at: Int64
    public var height: UInt64
    public var reason: String
}

/// 我方发出的内部交易（补 gas 等），在签名后、广播前与 nonce 记录同一事务登记。分类充值时按（哈希, 发送方 = 热钱包）识别。
struct InternalTx: Codable, Equatable {
    var kind: String
    var ref: Int64
    static func key(_ hash: String) -> String { "engine.internal_tx.\(hash.lowercased())" }
}

public final class LedgerScanStore: ScanStateStore, Sendable {
    public struct Row: Codable, Equatable, Sendable { var n: UInt64; var h: String; var p: String }
    static let key = "engine.scan.blocks"

    let gate: LedgerGate
    let window: Int
    let metrics: EngineMetrics
    let logger: Logger
    let nativeSymbol: String
    /// 热钱包地址（小写）：内部交易的发送方。
    let hotWallet: String?
    let clock: any WalletClock

    public init(gate: LedgerGate, window: Int, metrics: EngineMetrics, logger: Logger, nativeSymbol: String = "ETH",
                hotWallet: String? = nil, clock: any WalletClock = SystemClock()) {
        self.gate = gate; self.window = window; self.metrics = metrics; self.logger = logger
        self.nativeSymbol = nativeSymbol; self.hotWallet = hotWallet?.lowercased(); self.clock = clock
    }

    /// 这笔入账是否是我方内部交易（补 gas）：发送方是热钱包，且哈希是我们登记过的。只看其一都不够——
    /// 热钱包也会给某个用户的充值地址提现（那是真实充值），而别人无法伪造我们登记的哈希。
    func internalTx(_ d: WalletChain.Deposit) throws -> InternalTx? {
        try gate.with { l in try internalTx(d, in: l) }
    }

    // 闸门锁内（事务闭包里）用这两个带 l 的版本：Mutex 不可重入。
    func internalTx(_ d: WalletChain.Deposit, in l: Ledger) throws -> InternalTx? {
        guard let hot = hotWallet, d.asset == .eth, d.from.hex.lowercased() == hot else { return nil }
        return try l.get(InternalTx.key(d.txHash.hex), as: InternalTx.self)
    }

    func rows() throws -> [Row] { try gate.with { l in try rows(in: l) } }
    func rows(in l: Ledger) throws -> [Row] { try Self.rows(in: l) }
    /// 扫块窗口（入账前的规范块核对也读它：CanonicalBlocks）。
    static func rows(in l: Ledger) throws -> [Row] { try l.get(key, as: [Row].self) ?? [] }

    func stored(_ r: Row) throws -> StoredBlock {
        StoredBlock(number: r.n, hash: try H256(hex: r.h), parentHash: try H256(hex: r.p))
    }

    public func tip() async throws -> StoredBlock? { try rows().last.map(stored) }

    public func block(at number: UInt64) async throws -> StoredBlock? {
        try rows().first { $0.n == number }.map(stored)
    }

    /// 本地扫描高度（状态页用）。
    public func height() throws -> UInt64? { try rows().last?.n }

    func symbol(for asset: DepositAsset, in l: Ledger) throws -> String? {
        switch asset {
        case .eth: return nativeSymbol
        case .token(let c):
            return try l.store.allAssets().first { ($0.contract ?? "").lowercased() == c.hex.lowercased() }?.symbol
        }
    }

    public func apply(_ event: ScanEvent) async throws {
        switch event {
        case .block(let b):
            var seen: [(String, Int64)] = []
            try gate.transaction { l in
                var rows = try rows(in: l)
                if let last = rows.last {
                    guard b.block.number == last.n + 1, b.block.parentHash.hex == last.h else {
                        throw ChainError.inconsistentView(detail: "区块 \(b.block.number) 不能接在本地链头 \(last.n) 之后 / block \(b.block.number) does not follow the local head \(last.n)")
                    }
                }
                rows.append(Row(n: b.block.number, h: b.block.hash.hex, p: b.block.parentHash.hex))
                if rows.count > window { rows.removeFirst(rows.count - window) }
                try l.put(Self.key, rows)
                for d in b.deposits {
                    guard let sym = try symbol(for: d.asset, in: l) else { continue }
                    if let hot = hotWallet, d.to.hex.lowercased() == hot {
                        // 进入热钱包的钱：我方归集（来自充值地址）与自转已按各自流程记账；其余按来源分类。
                        let from = d.from.hex.lowercased()
                        if try from == hot || l.store.depositAddress(address: from) != nil { continue }
                        let obs = DepositObservation(txHash: d.txHash.hex, logIndex: d.logIndex.map { Int($0) } ?? -1, address: d.to.hex,
                                                     asset: sym, amount: d.amount, blockNumber: Int64(d.blockNumber), blockHash: d.blockHash.hex)
                        let h = try l.observeHotInbound(obs, from: from)
                        logger.info("hot_inbound.seen", ["id": .int(h.id), "asset": .string(sym), "kind": .string(h.kind.rawValue), "from": .string(from)])
                        continue
                    }
                    if let own = try internalTx(d, in: l) {
                        logger.info("deposit.internal", ["kind": .string(own.kind), "ref": .int(own.ref), "txHash": .string(d.txHash.hex)])
                        continue
                    }
                    let logIdx = d.logIndex.map { Int($0) } ?? -1
                    if let prior = try l.hotInbound(txHash: d.txHash.hex, logIndex: logIdx) {
                        // 同一笔转账已按外来入账分类过（例如当时地址还没分配，后来分给了某人，又 rescan）：只处理重新出块，
                        // 绝不再记成充值——否则待处理里处理过的钱会被第二次记给用户（QA 发现的双重入账）。
                        let obs = DepositObservation(txHash: d.txHash.hex, logIndex: logIdx, address: d.to.hex, asset: sym, amount: d.amount,
                                                     blockNumber: Int64(d.blockNumber), blockHash: d.blockHash.hex)
                        _ = try l.observeHotInbound(obs, from: d.from.hex, unassigned: prior.to.isEmpty ? nil : d.to.hex)
                        continue
                    }
                    if try l.store.depositAddress(address: d.to.hex.lowercased()) == nil {
                        // 间隙窗口里已派生、未分配的地址：钱归我们的种子控制但不属于任何用户 → 待处理 + 告警；扫块照常继续。
                        let obs = DepositObservation(txHash: d.txHash.hex, logIndex: d.logIndex.map { Int($0) } ?? -1, address: d.to.hex,
                                                     asset: sym, amount: d.amount, blockNumber: Int64(d.blockNumber), blockHash: d.blockHash.hex)
                        let h = try l.observeHotInbound(obs, from: d.from.hex, unassigned: d.to.hex)
                        logger.warn("deposit.unassigned", ["id": .int(h.id), "asset": .string(sym), "address": .string(d.to.hex)])
                        continue
                    }
                    let obs = DepositObservation(txHash: d.txHash.hex, logIndex: d.logIndex.map { Int($0) } ?? -1,
                                                 address: d.to.hex, asset: sym, amount: d.amount,
                                                 blockNumber: Int64(d.blockNumber), blockHash: d.blockHash.hex)
                    let dep = try l.observeDeposit(obs)
                    seen.append((sym, dep.id))
                }
                for s in b.suspicious {
                    try l.store.insertAlert(kind: "deposit.suspicious.\(s.kind.rawValue)",
                                            message: "可疑转账（\(s.kind.rawValue)）：交易 \(s.txHash.hex) → \(s.to.hex)，金额 \(s.amount.decimalString)，区块 \(s.blockNumber)，已忽略",
                                            messageEn: "suspicious transfer (\(s.kind.rawValue)): tx \(s.txHash.hex) → \(s.to.hex), amount \(s.amount.decimalString), block \(s.blockNumber); ignored",
                                            at: clock.unixTime())
                }
            }
            for (sym, id) in seen {
                metrics.depositsSeen.inc([sym])
                logger.info("deposit.seen", ["id": .int(id), "asset": .string(sym), "block": .uint(b.block.number)])
            }
            for s in b.suspicious {
                metrics.depositsSuspicious.inc([s.kind.rawValue])
                logger.warn("deposit.suspicious", ["kind": .string(s.kind.rawValue), "txHash": .string(s.txHash.hex), "block": .uint(s.blockNumber)])
            }
        case .rollback(let r):
            let orphanHashes = Set(r.orphaned.map { $0.hash.hex.lowercased() })
            var results: [(String, WalletLedger.DepositState)] = []
            try gate.transaction { l in
                var rows = try rows(in: l)
                rows.removeAll { $0.n > r.commonAncestor.number }
                try l.put(Self.key, rows)
                // 按被孤立的区块哈希精确选出充值（含重新出块后又落在这些块里的），不按 id 顺序往回翻。
                for after in try l.orphanDeposits(inBlocks: Array(orphanHashes)) { results.append((after.asset, after.state)) }
                for h in try l.orphanHotInbound(inBlocks: Array(orphanHashes)) {
                    logger.warn("hot_inbound.orphaned", ["id": .int(h.id), "asset": .string(h.asset)])
                }
            }
            metrics.reorgs.inc()
            for (sym, st) in results { (st == .reversed ? metrics.depositsReversed : metrics.depositsOrphaned).inc([sym]) }
            logger.warn("scan.reorg", ["depth": .int(Int64(r.orphaned.count)), "ancestor": .uint(r.commonAncestor.number),
                                       "orphaned": .int(Int64(results.filter { $0.1 == .orphaned }.count)),
                                       "reversed": .int(Int64(results.filter { $0.1 == .reversed }.count))])
        }
    }
}

public final class DepositScanWorker: EngineWorker, Sendable {
    public let name = "scanner"
    public let intervalMs: Int
    let gate: LedgerGate
    let client: ChainClient
    let store: LedgerScanStore
    let metrics: EngineMetrics
    let startBlock: UInt64
    let maxReorgDepth: Int
    let batch: Int
    private struct State { var scanner: DepositScanner?; var watchedCount: UInt32 = 0; var lastHead: UInt64 = 0; var generation = 0
                           var lookaheadFrom: UInt32? }
    private let state = Protected(State())
    /// 多引擎时用来查「哪些入账分片归别的引擎」；nil = 单跑（测试）。
    let cluster: EngineCluster?

    public init(gate: LedgerGate, client: ChainClient, store: LedgerScanStore, config: EngineConfig, metrics: EngineMetrics,
                startBlock: UInt64 = 0, cluster: EngineCluster? = nil) {
        self.gate = gate; self.client = client; self.store = store; self.cluster = cluster
        self.metrics = metrics; self.intervalMs = config.workers.scanIntervalMs; self.startBlock = startBlock
        self.maxReorgDepth = config.deposits.reorgWindow - 1; self.batch = config.deposits.scanBatchBlocks
    }

    func tokens() throws -> [TokenInfo] {
        try gate.with { l in try l.store.allAssets() }.compactMap { a in
            guard let c = a.contract, !c.isEmpty, let addr = try? ChainAddress(hex: c) else { return nil }
            return TokenInfo(contract: addr, symbol: a.symbol, decimals: a.decimals)
        }
    }

    /// 监视的正是账本里落库的充值地址（address assign 写入的那一行），不再自行派生：分配即监视，由构造保证。
    /// 首轮读全部；之后每轮只读新分配的（按派生索引递增）。
    func ensureScanner() async throws -> DepositScanner {
        // rescan（admin）会把代次 +1：丢掉内存里的扫块器，按新的起点重建。
        let generation = try gate.get(ScanControl.generationKey, as: Int.self) ?? 0
        if state.read({ $0.generation }) != generation { state.write { $0 = State(); $0.generation = generation } }
        let (existing, from) = state.read { ($0.scanner, $0.watchedCount) }
        var fresh: [ChainAddress] = []
        var next = from
        while true {
            let page = try gate.with { l in try l.store.depositAddresses(fromIndex: next, limit: 5000) }
            for r in page { fresh.append(try ChainAddress(hex: r.address)); next = max(next, r.index + 1) }
            if page.count < 5000 { break }
        }
        // 间隙窗口：下一个未用索引变了才重新派生（只增不减：已监视的地址分配后仍被监视）。
        if state.read({ $0.lookaheadFrom }) != next {
            for a in try gate.with({ l in try l.lookaheadAddresses() }) { fresh.append(try ChainAddress(hex: a)) }
        }
        if let s = existing {
            for a in fresh { await s.watch(a) }
            for t in try tokens() { await s.addToken(t) }
            state.write { $0.watchedCount = next; $0.lookaheadFrom = next }
            return s
        }
        // 起点：init 时记下的链头（或 --start-block / rescan --from）；没有记录时用构造参数（测试）。
        let start = try gate.get(ScanControl.startKey, as: UInt64.self) ?? startBlock
        // 也监视热钱包：每一笔进入热钱包的外来资金都要分类（金库注资 / 待处理），不能只在对账时才发现。
        if let hot = store.hotWallet, let a = try? ChainAddress(hex: hot) { fresh.append(a) }
        let s = DepositScanner(client: client, store: store, watched: WatchedAddresses(fresh), tokens: try tokens(),
                               config: ScannerConfig(startBlock: start, maxReorgDepth: maxReorgDepth, maxBlocksPerStep: batch))
        state.write { $0.scanner = s; $0.watchedCount = next; $0.lookaheadFrom = next }
        return s
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let s = try await ensureScanner()
        var blocks = 0, reorgs = 0
        var head: UInt64 = 0
        // --once：一直扫到链头；常驻：每轮一批，让别的 worker 有机会运行。
        while true {
            let r: ScanResult
            do { r = try await s.step() } catch let e as ChainError {
                if case .deepReorg = e { try recordHalt(e) }
                throw e
            }
            head = r.head
            for e in r.events { if case .block = e { blocks += 1 } else { reorgs += 1 } }
            let height = try store.height() ?? 0
            if r.events.isEmpty || !ctx.once || ctx.shouldStop || height >= head { break }
        }
        let credited = try await updateConfirmations(head: head, ctx)
        _ = try await bookHotInbound(head: head, finalized: (try? await client.header(.finalized))??.number, ctx)
        let h = try store.height() ?? 0
        metrics.chainHead.set(head)
        metrics.scanHeight.set(h)
        metrics.scanLagBlocks.set(head > h ? head - h : 0)
        state.write { $0.lastHead = head }
        return RoundReport(processed: blocks + reorgs + credited, summary: "blocks=\(blocks) reorgs=\(reorgs) credited=\(credited) head=\(head)")
    }

    /// 超过窗口的深度重组：记下停机（只告警一次），status 据此报 scanner.halted 并退出 1。
    func recordHalt(_ e: ChainError) throws {
        let height = try store.height() ?? 0
        try gate.transaction { l in
            if let h = try l.get(ScanControl.haltKey, as: ScanHalt.self), h.halted { return }
            try l.put(ScanControl.haltKey, ScanHalt(halted: true, at: store.clock.unixTime(), height: height, reason: e.code))
            try l.store.insertAlert(kind: "scanner.halted",
                                    message: "扫块器停机：重组深度超过窗口（本地高度 \(height)，\(e.message(.zh))）。核对后用 `scanner rescan --from N` 恢复。",
                                    messageEn: "scanner halted: a reorg deeper than the window (local height \(height), \(e.message(.en))). Check, then resume with `scanner rescan --from N`.",
                                    at: store.clock.unixTime())
        }
        metrics.scannerHalted.set(1)
    }

    /// 热钱包外来入账：够确认（且所在块仍是规范块）即记账（金库注资或待处理）。
    func bookHotInbound(head: UInt64, finalized: UInt64?, _ ctx: WorkerContext) async throws -> Int {
        let pending = try gate.with { l in try l.hotInbound(states: [.pending], page: Page(limit: 500)) }
        var booked = 0
        var canonical = CanonicalBlocks(gate: gate, client: client)   // 第一次真要核对时才问链（以前只要有待处理就每轮问一次）
        for h in pending {
            let asset = try gate.with { l in try l.asset(h.asset) }
            let conf = head >= UInt64(h.blockNumber) ? Int(head - UInt64(h.blockNumber) + 1) : 0
            let isFinal = finalized.map { UInt64(h.blockNumber) <= $0 } ?? false
            guard asset.useFinalized ? isFinal : conf >= asset.requiredConfirmations(for: h.amount) else { continue }
            guard try await canonical.hash(at: h.blockNumber) == h.blockHash.lowercased() else { continue }
            let after = try gate.with { l in try l.bookHotInbound(id: h.id) }
            booked += 1
            ctx.logger.info("hot_inbound.booked", ["id": .int(after.id), "kind": .string(after.kind.rawValue), "asset": .string(after.asset)])
        }
        return booked
    }

    /// 在途充值按链头更新确认数、够了就入账（DepositCrediter）。多引擎时跳过「别的活引擎持有入账分片租约」的分片（那些由它的 credits worker 入账）。
    func updateConfirmations(head: UInt64, _ ctx: WorkerContext) async throws -> Int {
        let others = (try? cluster?.creditShardsHeldByOthers()) ?? []
        return try await DepositCrediter(gate: gate, client: client, metrics: metrics)
            .run(head: head, ctx, include: { !others.contains($0) }, fence: { _ in nil })
    }

    public var head: UInt64 { state.read { $0.lastHead } }
}
