import WalletCrypto

// 充值扫描核心：与界面和账本无关。跟随链头，按父哈希检测重组，产生事件；
// 事件与区块哈希的持久化通过 ScanStateStore 一次性原子提交（引擎用账本数据库实现，保证崩溃一致）。

/// 本地记录的已处理区块。
public struct StoredBlock: Sendable, Equatable, Hashable {
    public let number: UInt64
    public let hash: H256
    public let parentHash: H256
    public init(number: UInt64, hash: H256, parentHash: H256) {
        self.number = number; self.hash = hash; self.parentHash = parentHash
    }
}

public enum DepositAsset: Sendable, Equatable, Hashable {
    case eth
    case token(ChainAddress)
}

public struct Deposit: Sendable, Equatable {
    public let asset: DepositAsset
    public let txHash: H256
    /// 原生 ETH 为 nil；ERC-20 为日志序号。账本的幂等键是 (chain, txHash, logIndex)。
    public let logIndex: UInt64?
    public let from: ChainAddress
    public let to: ChainAddress
    public let amount: UInt256
    public let blockNumber: UInt64
    public let blockHash: H256
}

public enum SuspiciousKind: String, Sendable, Equatable {
    /// 收据 status = 0 的转账（失败交易里的 value 并没有到账）。
    case failedTransfer = "failed_transfer"
    /// 不在白名单里的合约发出的 Transfer 事件（假币）。
    case fakeToken = "fake_token"
    /// Transfer 日志格式不对（topic 数、地址高位非零、data 长度）。
    case malformedTransfer = "malformed_transfer"
}

public struct SuspiciousTransfer: Sendable, Equatable {
    public let kind: SuspiciousKind
    public let txHash: H256
    public let logIndex: UInt64?
    public let to: ChainAddress
    /// 发出事件的合约（fakeToken）或 nil（原生 ETH）。
    public let contract: ChainAddress?
    public let amount: UInt256
    public let blockNumber: UInt64
}

public struct ScannedBlock: Sendable, Equatable {
    public let block: StoredBlock
    public let timestamp: UInt64
    public let deposits: [Deposit]
    public let suspicious: [SuspiciousTransfer]
}

public struct Rollback: Sendable, Equatable {
    /// 被孤立的区块（高度从高到低）。引擎据此把这些块里的充值标为 orphaned/reversed。
    public let orphaned: [StoredBlock]
    /// 共同祖先（新分支从它的下一块开始重新扫描）。
    public let commonAncestor: StoredBlock
}

public enum ScanEvent: Sendable, Equatable {
    case block(ScannedBlock)
    case rollback(Rollback)
}

public struct ScanResult: Sendable, Equatable {
    public let head: UInt64
    public let events: [ScanEvent]
}

/// 扫描状态的持久化（引擎用账本 DB 实现；测试用 InMemoryScanStore）。
public protocol ScanStateStore: Sendable {
    func tip() async throws -> StoredBlock?
    func block(at number: UInt64) async throws -> StoredBlock?
    /// 原子地应用事件：.block 追加区块哈希（实现方同时写入充值），.rollback 删除孤块（实现方同时冲正）。
    func apply(_ event: ScanEvent) async throws
}

/// 内存实现：保留最近 `window` 个区块，记录全部事件。
public actor InMemoryScanStore: ScanStateStore {
    public private(set) var blocks: [UInt64: StoredBlock] = [:]
    public private(set) var events: [ScanEvent] = []
    private var top: UInt64?
    public let window: Int

    public init(window: Int = 256) { self.window = window }

    public func tip() -> StoredBlock? { top.flatMap { blocks[$0] } }
    public func block(at number: UInt64) -> StoredBlock? { blocks[number] }

    public func apply(_ event: ScanEvent) throws {
        switch event {
        case .block(let b):
            if let t = top, let cur = blocks[t] {
                guard b.block.number == t + 1, b.block.parentHash == cur.hash else {
                    throw ChainError.inconsistentView(detail: "区块 \(b.block.number) 不能接在本地链头 \(t) 之后 / block \(b.block.number) does not follow the local head \(t)")
                }
            }
            blocks[b.block.number] = b.block
            top = b.block.number
            if b.block.number >= UInt64(window) { blocks[b.block.number - UInt64(window)] = nil }
        case .rollback(let r):
            for o in r.orphaned { blocks[o.number] = nil }
            top = r.commonAncestor.number
        }
        events.append(event)
    }
}

/// 白名单代币。
public struct TokenInfo: Sendable, Equatable {
    public let contract: ChainAddress
    public let symbol: String
    public let decimals: Int
    public init(contract: ChainAddress, symbol: String, decimals: Int) {
        self.contract = contract; self.symbol = symbol; self.decimals = decimals
    }
}

/// 监控地址集合：Set 的定长 20 字节键，百万量级 O(1) 查找。
public struct WatchedAddresses: Sendable {
    public private(set) var members: Set<ChainAddress>
    public init<S: Sequence>(_ s: S) where S.Element == ChainAddress { members = Set(s) }
    public mutating func insert(_ a: ChainAddress) { members.insert(a) }
    @inline(__always) public func contains(_ a: ChainAddress) -> Bool { members.contains(a) }
    public var count: Int { members.count }
}

/// 单块匹配（纯函数，基准测试直接调用）。
public enum DepositMatcher {
    public struct Candidates: Sendable {
        /// 需要查收据的交易（原生转入 + 白名单代币转入）。
        public var txHashes: [H256] = []
        public var native: [ChainTransaction] = []
        public var tokenLogs: [ChainLog] = []
        public var fake: [SuspiciousTransfer] = []
    }

    public static func candidates(block: ChainBlock, logs: [ChainLog], watched: WatchedAddresses,
                                  tokens: [ChainAddress: TokenInfo]) -> Candidates {
        var c = Candidates()
        var seen = Set<H256>()
        for tx in block.transactions {
            if let to = tx.to, !tx.value.isZero, watched.contains(to) {
                c.native.append(tx)
                if seen.insert(tx.hash).inserted { c.txHashes.append(tx.hash) }
            }
        }
        for log in logs where log.topics.first == erc20TransferTopic {
            guard log.topics.count == 3, log.data.count == 32, let to = log.topics[2].asAddress else {
                // 格式不对的 Transfer（例如 ERC-721 把 tokenId 放在第 4 个 topic）：只有收款方在监控集合时才记录。
                if log.topics.count >= 3, case let to = log.topics[2].low20Address, watched.contains(to) {
                    c.fake.append(SuspiciousTransfer(kind: .malformedTransfer, txHash: log.transactionHash, logIndex: log.logIndex,
                                                      to: to, contract: log.address, amount: .zero, blockNumber: log.blockNumber))
                }
                continue
            }
            guard watched.contains(to) else { continue }
            let amount = (try? UInt256(bigEndian: log.data)) ?? .zero
            if tokens[log.address] != nil {
                c.tokenLogs.append(log)
                if seen.insert(log.transactionHash).inserted { c.txHashes.append(log.transactionHash) }
            } else {
                c.fake.append(SuspiciousTransfer(kind: .fakeToken, txHash: log.transactionHash, logIndex: log.logIndex,
                                                 to: to, contract: log.address, amount: amount, blockNumber: log.blockNumber))
            }
        }
        return c
    }

    /// 结合收据得出最终充值与可疑记录。收据必须属于同一区块，否则说明读取期间发生了重组。
    public static func resolve(block: ChainBlock, candidates c: Candidates, receipts: [H256: ChainReceipt]) throws
        -> (deposits: [Deposit], suspicious: [SuspiciousTransfer]) {
        var deposits: [Deposit] = []
        var suspicious = c.fake
        func receipt(_ h: H256) throws -> ChainReceipt {
            guard let r = receipts[h] else { throw ChainError.inconsistentView(detail: "区块 \(block.number) 的交易缺少收据 / a transaction in block \(block.number) has no receipt") }
            guard r.blockHash == block.hash else { throw ChainError.inconsistentView(detail: "收据属于另一个区块（重组进行中） / the receipt belongs to another block (reorg in progress)") }
            return r
        }
        for tx in c.native {
            let r = try receipt(tx.hash)
            if r.succeeded {
                deposits.append(Deposit(asset: .eth, txHash: tx.hash, logIndex: nil, from: tx.from, to: tx.to!, amount: tx.value,
                                        blockNumber: block.number, blockHash: block.hash))
            } else {
                suspicious.append(SuspiciousTransfer(kind: .failedTransfer, txHash: tx.hash, logIndex: nil, to: tx.to!,
                                                     contract: nil, amount: tx.value, blockNumber: block.number))
            }
        }
        for log in c.tokenLogs {
            let r = try receipt(log.transactionHash)
            let to = log.topics[2].low20Address
            let amount = (try? UInt256(bigEndian: log.data)) ?? .zero
            // 以收据里的日志为准：节点的 getLogs 结果必须能在收据中找到同一条日志。
            let inReceipt = r.logs.contains { $0.logIndex == log.logIndex && $0.address == log.address && $0.topics == log.topics && $0.data == log.data }
            if r.succeeded && inReceipt {
                let from = log.topics[1].low20Address
                deposits.append(Deposit(asset: .token(log.address), txHash: log.transactionHash, logIndex: log.logIndex,
                                        from: from, to: to, amount: amount, blockNumber: block.number, blockHash: block.hash))
            } else {
                suspicious.append(SuspiciousTransfer(kind: .failedTransfer, txHash: log.transactionHash, logIndex: log.logIndex,
                                                     to: to, contract: log.address, amount: amount, blockNumber: block.number))
            }
        }
        return (deposits, suspicious)
    }
}

public struct ScannerConfig: Sendable {
    /// 没有本地状态时从哪一块开始扫描。
    public var startBlock: UInt64
    /// 回溯找共同祖先的最大深度；超过即深度重组，停下来等人工处理。必须 ≤ 存储窗口。
    public var maxReorgDepth: Int
    /// 每次 step 最多处理的区块数（追赶时分批，让其他 worker 有机会运行）。
    public var maxBlocksPerStep: Int
    public init(startBlock: UInt64 = 0, maxReorgDepth: Int = 128, maxBlocksPerStep: Int = 200) {
        self.startBlock = startBlock; self.maxReorgDepth = maxReorgDepth; self.maxBlocksPerStep = maxBlocksPerStep
    }
}

public actor DepositScanner {
    public let client: ChainClient
    public let store: ScanStateStore
    public let config: ScannerConfig
    public private(set) var watched: WatchedAddresses
    public private(set) var tokens: [ChainAddress: TokenInfo]
    /// 节点是否支持 eth_getBlockReceipts（第一次被拒后为 false，本扫块器此后逐笔取收据）。
    public private(set) var blockReceiptsSupported = true

    public init(client: ChainClient, store: ScanStateStore, watched: WatchedAddresses, tokens: [TokenInfo], config: ScannerConfig) {
        self.client = client; self.store = store; self.watched = watched; self.config = config
        self.tokens = Dictionary(tokens.map { ($0.contract, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func watch(_ a: ChainAddress) { watched.insert(a) }
    public func addToken(_ t: TokenInfo) { tokens[t.contract] = t }

    /// 一轮扫描：追到链头（最多 maxBlocksPerStep 块），遇到重组先回滚再沿新分支继续。
    public func step() async throws -> ScanResult {
        let head = try await client.blockNumber()
        var events: [ScanEvent] = []
        var processed = 0
        while processed < config.maxBlocksPerStep {
            let tip = try await store.tip()
            let next = tip.map { $0.number + 1 } ?? config.startBlock
            if next > head {
                // 已追上：确认本地链头仍在主链上（同高度重组不会产生新块号）；链头比本地链头还低 = 重组到了更短的分支。
                // 节点链头比本地链头还低时，只有节点那一头的块与本地同高度的块不同才是重组到了更短的分支；
                // 相同就是节点落后（我们扫过的链的前缀），等它追上——否则一个落后的节点会让我们撤销真实的充值。
                var moved = false
                if let tip {
                    let n = min(tip.number, head)
                    let ours = n == tip.number ? tip : try await store.block(at: n)
                    if let ours, let theirs = try await client.header(.number(n)) { moved = theirs.hash != ours.hash }
                }
                if let tip, moved {
                    let rb = try await findRollback(from: tip)
                    try await store.apply(.rollback(rb)); events.append(.rollback(rb))
                    continue
                }
                break
            }
            guard let blk = try await client.block(.number(next)) else { break }
            if let tip, blk.parentHash != tip.hash {
                let rb = try await findRollback(from: tip)
                try await store.apply(.rollback(rb)); events.append(.rollback(rb))
                continue
            }
            let ev = ScanEvent.block(try await scan(blk))
            try await store.apply(ev)
            events.append(ev)
            processed += 1
        }
        return ScanResult(head: head, events: events)
    }

    /// 从本地链头往回走，直到本地哈希与节点的主链一致。走的过程中链可能继续变化：
    /// 得到的回滚也许不完整，但下一块的父哈希检查会再次触发回滚，最终收敛。
    func findRollback(from tip: StoredBlock) async throws -> Rollback {
        var orphaned: [StoredBlock] = []
        var n = tip.number
        for depth in 0...config.maxReorgDepth {
            if n < config.startBlock {
                // 扫描过的区间全部被替换：共同祖先是起点的前一块（本地从未保存它，直接取主链上的）。
                guard let anchor = try await client.block(.number(n)) else {
                    throw ChainError.inconsistentView(detail: "起点之前的区块 \(n) 不可得 / block \(n) before the start is unavailable")
                }
                return Rollback(orphaned: orphaned, commonAncestor: StoredBlock(number: n, hash: anchor.hash, parentHash: anchor.parentHash))
            }
            guard let stored = try await store.block(at: n) else {
                throw ChainError.deepReorg(depth: depth, window: config.maxReorgDepth)
            }
            let canon = try await client.block(.number(n))
            if let canon, canon.hash == stored.hash {
                return Rollback(orphaned: orphaned, commonAncestor: stored)
            }
            orphaned.append(stored)
            guard n > 0 else { break }
            n -= 1
        }
        throw ChainError.deepReorg(depth: orphaned.count, window: config.maxReorgDepth)
    }

    func scan(_ blk: ChainBlock) async throws -> ScannedBlock {
        let logs = try await client.logs(LogFilter(fromBlock: blk.number, toBlock: blk.number, topics: [[erc20TransferTopic]]))
        for l in logs where l.blockHash != blk.hash {
            throw ChainError.inconsistentView(detail: "区块 \(blk.number) 的日志来自另一分支 / logs of block \(blk.number) come from another branch")
        }
        let c = DepositMatcher.candidates(block: blk, logs: logs, watched: watched, tokens: tokens)
        var receipts: [H256: ChainReceipt] = [:]
        // 候选交易多于一笔时先整块取收据（一次往返）；节点不支持就记住、以后都逐笔取。缺的（不该缺）照样逐笔补。
        if c.txHashes.count > 1, blockReceiptsSupported {
            if let all = try await client.blockReceipts(blk.hash) {
                for r in all { receipts[r.transactionHash] = r }
            } else { blockReceiptsSupported = false }
        }
        for h in c.txHashes where receipts[h] == nil {
            guard let r = try await client.receipt(h) else {
                throw ChainError.inconsistentView(detail: "区块 \(blk.number) 的交易收据暂不可得 / receipts of block \(blk.number) are not available yet")
            }
            receipts[h] = r
        }
        let (deposits, suspicious) = try DepositMatcher.resolve(block: blk, candidates: c, receipts: receipts)
        return ScannedBlock(block: StoredBlock(number: blk.number, hash: blk.hash, parentHash: blk.parentHash),
                            timestamp: blk.timestamp, deposits: deposits, suspicious: suspicious)
    }
}
