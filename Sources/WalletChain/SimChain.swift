import Foundation
import Synchronization
import WalletCrypto

// 内存中的模拟链（演示链与测试夹具共用的核心）。
// ⚠️ 这是演示/测试用的模拟器，不是以太坊：哈希是 SHA-256 派生的确定性值，不执行 EVM。
// 它实现与真实节点相同的 ChainClient 接口，支持手动出块、构造重组、失败交易和假币事件。

/// 模拟交易的描述。
public enum SimTransfer: Sendable, Equatable {
    /// 原生 ETH 转账；success=false 表示交易被打包但执行失败（status 0，value 未到账）。
    case native(from: ChainAddress, to: ChainAddress, value: UInt256, success: Bool)
    /// 代币合约 contract 的 Transfer；success=false 时收据 status 0 且没有日志。
    case token(contract: ChainAddress, from: ChainAddress, to: ChainAddress, amount: UInt256, success: Bool)
}

/// 解码后的已签名交易（由 WalletKeys 的解码器提供，模拟链据此校验签名、链 ID、nonce 和余额）。
public struct DecodedRawTransaction: Sendable, Equatable {
    public let hash: H256
    public let from: ChainAddress
    public let to: ChainAddress?
    public let value: UInt256
    public let nonce: UInt64
    public let gasLimit: UInt64
    public let maxFeePerGas: UInt256
    public let maxPriorityFeePerGas: UInt256
    public let chainId: UInt64
    public let data: [UInt8]
    public init(hash: H256, from: ChainAddress, to: ChainAddress?, value: UInt256, nonce: UInt64, gasLimit: UInt64,
                maxFeePerGas: UInt256, maxPriorityFeePerGas: UInt256, chainId: UInt64, data: [UInt8]) {
        self.hash = hash; self.from = from; self.to = to; self.value = value; self.nonce = nonce; self.gasLimit = gasLimit
        self.maxFeePerGas = maxFeePerGas; self.maxPriorityFeePerGas = maxPriorityFeePerGas; self.chainId = chainId; self.data = data
    }
}

/// 把原始字节解码并验证签名（恢复出 from）。验证失败必须抛错。
public protocol RawTransactionDecoder: Sendable {
    func decode(_ raw: [UInt8]) throws -> DecodedRawTransaction
}

struct SimBlockRecord {
    var block: ChainBlock
    var receipts: [H256: ChainReceipt]
    var logs: [ChainLog]
    /// 该块带来的余额变化（回滚时撤销）。
    var ethDeltas: [(ChainAddress, UInt256, Bool)]  // (地址, 数量, 是否为增加)
    var tokenDeltas: [(ChainAddress, ChainAddress, UInt256, Bool)]  // (合约, 地址, 数量, 增加)
    var nonceBumps: [ChainAddress]
    var ourTxs: [(DecodedRawTransaction, [UInt8])]
}

public final class SimChain: ChainClient, Sendable {
    public let chainIdValue: UInt64
    private let state: Mutex<State>
    public let decoder: RawTransactionDecoder?
    /// safe / finalized 标签相对链头的深度。
    public var finalityDepth: UInt64 {
        get { state.withLock { $0.finality } }
        set { state.withLock { $0.finality = newValue } }
    }
    public let gasLimit: UInt64 = SimChain.blockGasLimit
    static let blockGasLimit: UInt64 = 30_000_000

    public init(chainId: UInt64, decoder: RawTransactionDecoder? = nil, genesisBaseFee: UInt256 = UInt256(1_000_000_000),
                prefund: [(ChainAddress, UInt256)] = []) {
        self.chainIdValue = chainId
        self.decoder = decoder
        var s = State(chainIdValue: chainId, gasLimit: Self.blockGasLimit)
        for (a, v) in prefund { s.eth[a, default: .zero] += v }
        let g = ChainBlock(number: 0, hash: Self.h("genesis", chainId), parentHash: .zero, timestamp: 1_700_000_000,
                           baseFeePerGas: genesisBaseFee, gasUsed: 0, gasLimit: s.gasLimit, transactions: [])
        s.blocks.append(SimBlockRecord(block: g, receipts: [:], logs: [], ethDeltas: [], tokenDeltas: [], nonceBumps: [], ourTxs: []))
        state = Mutex(s)
    }

    static func h(_ parts: Any...) -> H256 {
        H256(bytes: Hash.sha256(Array(parts.map { "\($0)" }.joined(separator: "|").utf8)))!
    }

    // MARK: 出块与重组（测试/演示控制）

    /// 出一个块：包含内存池中的已签名交易和给定的模拟转账。gasUsedHint 控制基础费走势（nil = 按交易数估）。
    @discardableResult
    public func mine(_ transfers: [SimTransfer] = [], gasUsedHint: UInt64? = nil) -> ChainBlock {
        state.withLock { $0.mineLocked(transfers, gasUsedHint: gasUsedHint) }
    }

    // 链上全部可变状态一起放进 Mutex；出块、重组等辅助函数是 State 的 mutating 方法（只在 state.withLock 里调用）。
    fileprivate struct State {
        let chainIdValue: UInt64
        let gasLimit: UInt64
        var blocks: [SimBlockRecord] = []
        var eth: [ChainAddress: UInt256] = [:]
        var tokenBal: [ChainAddress: [ChainAddress: UInt256]] = [:]
        var nonces: [ChainAddress: UInt64] = [:]
        var mempool: [(DecodedRawTransaction, [UInt8])] = []
        var salt: UInt64 = 0
        var txCounter: UInt64 = 0
        var finality: UInt64 = 12

        mutating func mineLocked(_ transfers: [SimTransfer], gasUsedHint: UInt64?) -> ChainBlock {
            let parent = blocks.last!.block
            let number = parent.number + 1
            let baseFee = FeeEstimator.nextBaseFee(parentBaseFee: parent.baseFeePerGas ?? .zero, gasUsed: parent.gasUsed, gasLimit: parent.gasLimit)
            salt += 1
            let hash = SimChain.h("block", chainIdValue, number, parent.hash.hex, salt)
            var rec = SimBlockRecord(block: parent, receipts: [:], logs: [], ethDeltas: [], tokenDeltas: [], nonceBumps: [], ourTxs: [])
            var txs: [ChainTransaction] = []
            var gasUsed: UInt64 = 0
            var logIndex: UInt64 = 0
            func addTx(hash th: H256, from: ChainAddress, to: ChainAddress?, value: UInt256, input: [UInt8], nonce: UInt64,
                       gas: UInt64, used: UInt64, success: Bool, logs: [ChainLog], tip: UInt256, maxFee: UInt256) {
                let idx = UInt64(txs.count)
                txs.append(ChainTransaction(hash: th, from: from, to: to, value: value, input: input, nonce: nonce, gas: gas, type: 2,
                                            maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, gasPrice: nil, blockHash: hash,
                                            blockNumber: number, transactionIndex: idx))
                gasUsed += used
                let fixed = logs.map { l in
                    ChainLog(address: l.address, topics: l.topics, data: l.data, blockNumber: number, blockHash: hash,
                             transactionHash: th, transactionIndex: idx, logIndex: l.logIndex, removed: false)
                }
                rec.logs += fixed
                rec.receipts[th] = ChainReceipt(transactionHash: th, blockHash: hash, blockNumber: number, transactionIndex: idx,
                                                status: success ? 1 : 0, gasUsed: used, effectiveGasPrice: baseFee + tip,
                                                from: from, to: to, contractAddress: nil, logs: fixed)
            }
            // 我们自己签名的交易（已在 sendRawTransaction 时校验）
            let pool = mempool; mempool = []
            for (tx, raw) in pool {
                let tip = min(tx.maxPriorityFeePerGas, tx.maxFeePerGas > baseFee ? tx.maxFeePerGas - baseFee : .zero)
                guard tx.maxFeePerGas >= baseFee, nonces[tx.from, default: 0] == tx.nonce else { mempool.append((tx, raw)); continue }
                let gasCost = UInt256(21_000) * (baseFee + tip)
                let need = tx.value + gasCost
                guard eth[tx.from, default: .zero] >= need else { mempool.append((tx, raw)); continue }
                var logs: [ChainLog] = []
                var success = true
                // ERC-20 transfer(address,uint256)
                if let to = tx.to, tx.data.count == 68, tx.data[0..<4] == [0xa9, 0x05, 0x9c, 0xbb] {
                    let dest = ChainAddress(bytes: tx.data[16..<36])!
                    let amt = (try? UInt256(bigEndian: tx.data[36..<68])) ?? .zero
                    if tokenBal[to]?[tx.from, default: .zero] ?? .zero >= amt {
                        moveToken(to, tx.from, dest, amt, &rec)
                        logs.append(transferLog(to, tx.from, dest, amt, logIndex)); logIndex += 1
                    } else { success = false }
                }
                debit(tx.from, gasCost + (success ? tx.value : .zero), &rec)
                if success, let to = tx.to, !tx.value.isZero { credit(to, tx.value, &rec) }
                nonces[tx.from, default: 0] += 1; rec.nonceBumps.append(tx.from)
                rec.ourTxs.append((tx, raw))
                addTx(hash: tx.hash, from: tx.from, to: tx.to, value: tx.value, input: tx.data, nonce: tx.nonce, gas: tx.gasLimit,
                      used: tx.data.isEmpty ? 21_000 : 50_000, success: success, logs: logs, tip: tip, maxFee: tx.maxFeePerGas)
            }
            for t in transfers {
                txCounter += 1
                let th = SimChain.h("tx", chainIdValue, txCounter, salt)
                let tip = UInt256(1_000_000_000)
                switch t {
                case let .native(from, to, value, success):
                    if success { credit(to, value, &rec) }
                    addTx(hash: th, from: from, to: to, value: value, input: [], nonce: 0, gas: 21_000, used: 21_000,
                          success: success, logs: [], tip: tip, maxFee: baseFee * UInt256(2) + tip)
                case let .token(contract, from, to, amount, success):
                    var logs: [ChainLog] = []
                    if success {
                        addTokenRaw(contract, to, amount, &rec)
                        logs.append(transferLog(contract, from, to, amount, logIndex)); logIndex += 1
                    }
                    var input: [UInt8] = [0xa9, 0x05, 0x9c, 0xbb] + [UInt8](repeating: 0, count: 12) + to.bytes
                    input += amount.bigEndianBytes
                    addTx(hash: th, from: from, to: contract, value: .zero, input: input, nonce: 0, gas: 65_000, used: 50_000,
                          success: success, logs: logs, tip: tip, maxFee: baseFee * UInt256(2) + tip)
                }
            }
            let used = min(gasUsedHint ?? gasUsed, gasLimit)
            let block = ChainBlock(number: number, hash: hash, parentHash: parent.hash, timestamp: parent.timestamp + 12,
                                   baseFeePerGas: baseFee, gasUsed: used, gasLimit: gasLimit, transactions: txs)
            rec.block = block
            blocks.append(rec)
            return block
        }

        func transferLog(_ c: ChainAddress, _ from: ChainAddress, _ to: ChainAddress, _ amt: UInt256, _ idx: UInt64) -> ChainLog {
            let pad = [UInt8](repeating: 0, count: 12)
            return ChainLog(address: c, topics: [erc20TransferTopic, H256(bytes: pad + from.bytes)!, H256(bytes: pad + to.bytes)!],
                            data: amt.bigEndianBytes, blockNumber: 0, blockHash: .zero, transactionHash: .zero,
                            transactionIndex: 0, logIndex: idx, removed: false)
        }

        mutating func credit(_ a: ChainAddress, _ v: UInt256, _ rec: inout SimBlockRecord) {
            eth[a, default: .zero] += v; rec.ethDeltas.append((a, v, true))
        }
        mutating func debit(_ a: ChainAddress, _ v: UInt256, _ rec: inout SimBlockRecord) {
            eth[a, default: .zero] -= v; rec.ethDeltas.append((a, v, false))
        }
        mutating func addTokenRaw(_ c: ChainAddress, _ a: ChainAddress, _ v: UInt256, _ rec: inout SimBlockRecord) {
            tokenBal[c, default: [:]][a, default: .zero] += v; rec.tokenDeltas.append((c, a, v, true))
        }
        mutating func moveToken(_ c: ChainAddress, _ from: ChainAddress, _ to: ChainAddress, _ v: UInt256, _ rec: inout SimBlockRecord) {
            tokenBal[c, default: [:]][from, default: .zero] -= v; rec.tokenDeltas.append((c, from, v, false))
            addTokenRaw(c, to, v, &rec)
        }

        mutating func reorgLocked(depth: Int, replacement: [[SimTransfer]]) -> [ChainBlock] {
            precondition(depth >= 1 && depth < blocks.count, "重组深度超出链长")
            var returned: [(DecodedRawTransaction, [UInt8])] = []
            for _ in 0..<depth {
                let rec = blocks.removeLast()
                for (a, v, inc) in rec.ethDeltas.reversed() { if inc { eth[a]! -= v } else { eth[a, default: .zero] += v } }
                for (c, a, v, inc) in rec.tokenDeltas.reversed() {
                    if inc { tokenBal[c]![a]! -= v } else { tokenBal[c, default: [:]][a, default: .zero] += v }
                }
                for a in rec.nonceBumps { nonces[a]! -= 1 }
                returned = rec.ourTxs + returned
            }
            mempool = returned + mempool
            var out: [ChainBlock] = []
            for i in 0..<max(depth, replacement.count) {
                out.append(mineLocked(i < replacement.count ? replacement[i] : [], gasUsedHint: nil))
            }
            return out
        }

        /// 第 i 块时的余额：当前余额撤销 i 之后各块的变化（块外的 fund 视为开局就有）。
        func ethAt(_ a: ChainAddress, _ i: Int) -> UInt256 {
            var v = eth[a] ?? .zero
            for rec in blocks.dropFirst(i + 1) {
                for (x, amt, inc) in rec.ethDeltas where x == a { v = inc ? v - amt : v + amt }
            }
            return v
        }
        func tokenAt(_ c: ChainAddress, _ a: ChainAddress, _ i: Int) -> UInt256 {
            var v = tokenBal[c]?[a] ?? .zero
            for rec in blocks.dropFirst(i + 1) {
                for (cc, x, amt, inc) in rec.tokenDeltas where cc == c && x == a { v = inc ? v - amt : v + amt }
            }
            return v
        }

        func resolve(_ tag: BlockTag) -> Int? {
            let headN = UInt64(blocks.count - 1)
            let n: UInt64
            switch tag {
            case .latest, .pending: n = headN
            case .earliest: n = 0
            case .safe: n = headN > finality / 2 ? headN - finality / 2 : 0
            case .finalized: n = headN > finality ? headN - finality : 0
            case .number(let x): n = x
            }
            return n <= headN ? Int(n) : nil
        }
    }

    /// 构造重组：丢弃最近 depth 个块（撤销其余额变化，我们的交易回到内存池），再按 replacement 出新块。
    /// 新分支至少与旧分支一样长（replacement 不足时补空块），新块哈希必然不同（salt 递增）。
    @discardableResult
    public func reorg(depth: Int, replacement: [[SimTransfer]] = []) -> [ChainBlock] {
        state.withLock { $0.reorgLocked(depth: depth, replacement: replacement) }
    }

    public var head: ChainBlock { state.withLock { $0.blocks.last!.block } }
    public var pendingCount: Int { state.withLock { $0.mempool.count } }

    public func fund(_ a: ChainAddress, _ v: UInt256) { state.withLock { $0.eth[a, default: .zero] += v } }
    public func tokenBalance(_ c: ChainAddress, _ a: ChainAddress) -> UInt256 {
        state.withLock { $0.tokenBal[c]?[a] ?? .zero }
    }
    public func fundToken(_ c: ChainAddress, _ a: ChainAddress, _ v: UInt256) {
        state.withLock { $0.tokenBal[c, default: [:]][a, default: .zero] += v }
    }

    // MARK: ChainClient

    public func chainId() async throws -> UInt64 { chainIdValue }
    public func blockNumber() async throws -> UInt64 { state.withLock { s in UInt64(s.blocks.count - 1) } }

    public func block(_ tag: BlockTag) async throws -> ChainBlock? {
        return state.withLock { s in
        return s.resolve(tag).map { s.blocks[$0].block }
        }
    }

    public func logs(_ f: LogFilter) async throws -> [ChainLog] {
        return state.withLock { s in
        guard f.fromBlock <= f.toBlock else { return [] }
        var out: [ChainLog] = []
        let hi = min(Int(clamping: f.toBlock), s.blocks.count - 1)
        guard Int(clamping: f.fromBlock) <= hi else { return [] }
        for i in Int(f.fromBlock)...hi {
            for l in s.blocks[i].logs {
                if !f.addresses.isEmpty && !f.addresses.contains(l.address) { continue }
                var ok = true
                for (k, want) in f.topics.enumerated() {
                    if let want, k >= l.topics.count || !want.contains(l.topics[k]) { ok = false; break }
                }
                if ok { out.append(l) }
            }
        }
        return out
        }
    }

    public func receipt(_ hash: H256) async throws -> ChainReceipt? {
        return state.withLock { s in
        for b in s.blocks.reversed() { if let r = b.receipts[hash] { return r } }
        return nil
        }
    }

    public func transaction(_ hash: H256) async throws -> ChainTransaction? {
        return state.withLock { s in
        for b in s.blocks.reversed() { if let t = b.block.transactions.first(where: { $0.hash == hash }) { return t } }
        if let (tx, _) = s.mempool.first(where: { $0.0.hash == hash }) {
            return ChainTransaction(hash: tx.hash, from: tx.from, to: tx.to, value: tx.value, input: tx.data, nonce: tx.nonce,
                                    gas: tx.gasLimit, type: 2, maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
                                    gasPrice: nil, blockHash: nil, blockNumber: nil, transactionIndex: nil)
        }
        return nil
        }
    }

    public func transactionCount(_ a: ChainAddress, _ tag: BlockTag) async throws -> UInt64 {
        return state.withLock { s in
        let base = s.nonces[a] ?? 0
        if tag == .pending { return base + UInt64(s.mempool.filter { $0.0.from == a }.count) }
        return base
        }
    }

    public func sendRawTransaction(_ raw: [UInt8]) async throws -> H256 {
        guard let decoder else {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "模拟链未配置交易解码器")
        }
        let tx: DecodedRawTransaction
        do { tx = try decoder.decode(raw) } catch {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "invalid signature or encoding: \(error)")
        }
        return try state.withLock { s in
        guard tx.chainId == chainIdValue else {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "invalid chain id \(tx.chainId)")
        }
        if s.mempool.contains(where: { $0.0.hash == tx.hash }) || s.blocks.contains(where: { $0.receipts[tx.hash] != nil }) {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "already known")
        }
        let pendingNonce = (s.nonces[tx.from] ?? 0) + UInt64(s.mempool.filter { $0.0.from == tx.from }.count)
        if tx.nonce < (s.nonces[tx.from] ?? 0) {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "nonce too low")
        }
        if let i = s.mempool.firstIndex(where: { $0.0.from == tx.from && $0.0.nonce == tx.nonce }) {
            // 同 nonce 替换：小费与上限都必须至少 +10%（与 geth 的 txpool 规则一致）。
            let old = s.mempool[i].0
            guard tx.maxFeePerGas * UInt256(10) >= old.maxFeePerGas * UInt256(11),
                  tx.maxPriorityFeePerGas * UInt256(10) >= old.maxPriorityFeePerGas * UInt256(11) else {
                throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "replacement transaction underpriced")
            }
            s.mempool[i] = (tx, raw)
            return tx.hash
        }
        guard tx.nonce == pendingNonce else {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "nonce gap (expected \(pendingNonce))")
        }
        let need = tx.value + UInt256(tx.gasLimit) * tx.maxFeePerGas
        guard (s.eth[tx.from] ?? .zero) >= need else {
            throw ChainError.rpcError(method: "eth_sendRawTransaction", code: -32000, message: "insufficient funds for gas * price + value")
        }
        s.mempool.append((tx, raw))
        return tx.hash
        }
    }

    public func feeHistory(blockCount: Int, newest: BlockTag, percentiles: [Double]) async throws -> FeeHistory {
        return try state.withLock { s in
        guard let newestI = s.resolve(newest) else { throw ChainError.rpcError(method: "eth_feeHistory", code: -32000, message: "unknown block") }
        let count = max(1, min(blockCount, newestI + 1))
        let oldest = newestI - count + 1
        var base: [UInt256] = [], ratio: [Double] = [], reward: [[UInt256]] = []
        for i in oldest...newestI {
            let b = s.blocks[i].block
            base.append(b.baseFeePerGas ?? .zero)
            ratio.append(Double(b.gasUsed) / Double(b.gasLimit))
            let tips = b.transactions.compactMap(\.maxPriorityFeePerGas).sorted()
            reward.append(percentiles.map { p in
                tips.isEmpty ? .zero : tips[min(tips.count - 1, Int(Double(tips.count) * p / 100))]
            })
        }
        let last = s.blocks[newestI].block
        base.append(FeeEstimator.nextBaseFee(parentBaseFee: last.baseFeePerGas ?? .zero, gasUsed: last.gasUsed, gasLimit: last.gasLimit))
        return FeeHistory(oldestBlock: UInt64(oldest), baseFeePerGas: base, gasUsedRatio: ratio, reward: percentiles.isEmpty ? [] : reward)
        }
    }

    public func maxPriorityFeePerGas() async throws -> UInt256 { UInt256(1_000_000_000) }

    public func estimateGas(_ call: CallRequest) async throws -> UInt64 { call.data.isEmpty ? 21_000 : 65_000 }

    /// 按区块标签给余额：对账把链上余额钉在某个区块（以前模拟器忽略标签、总给最新值，演示链上每块都有新充值，
    /// 对账就把「那个块之后」的充值也算进链上，演示一开局就报充值地址差异）。
    public func balance(_ a: ChainAddress, _ tag: BlockTag) async throws -> UInt256 {
        state.withLock { s in s.ethAt(a, s.resolve(tag) ?? s.blocks.count - 1) }
    }

    /// 只支持 ERC-20 balanceOf(address)（选择器 0x70a08231）。
    public func call(_ c: CallRequest, _ tag: BlockTag) async throws -> [UInt8] {
        return try state.withLock { s in
        guard let to = c.to, c.data.count == 36, c.data[0..<4] == [0x70, 0xa0, 0x82, 0x31],
              let who = ChainAddress(bytes: c.data[16..<36]) else {
            throw ChainError.rpcError(method: "eth_call", code: 3, message: "execution reverted")
        }
        return s.tokenAt(to, who, s.resolve(tag) ?? s.blocks.count - 1).bigEndianBytes
        }
    }
}

