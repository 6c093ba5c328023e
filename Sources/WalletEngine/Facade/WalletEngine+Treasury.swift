// 金库：运营方给热钱包注资的记账。只凭链上证据记账——交易收据成功、够确认数、确实转给了我们的热钱包——
// 金额从链上读，不由操作员输入；同一交易只记一次（ref = treasury:<哈希>）。否则对账永远归不了零，或被重复记账。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

public struct TreasuryFunding: Sendable {
    public var asset: String
    public var amount: UInt256
    public var txHash: String
    public var block: UInt64
    /// 这笔交易此前已经记过（幂等重放）。
    public var alreadyRecorded: Bool
}

extension WalletEngine {
    /// 记一笔链上注资（热钱包收到的原生币或 ERC-20）。admin；要求 config.deposits.confirmations 个确认。
    public func recordTreasuryFunding(asset symbol: String, txHash: String, by op: Operator) async throws -> TreasuryFunding {
        try authorize(op, .hotWalletFund)
        guard let asset = asset(symbol) else { throw LedgerError.unknownAsset(symbol) }
        let hash: H256
        do { hash = try H256(hex: txHash) } catch {
            throw EngineError("treasury.bad_hash", zh: "--tx-hash 必须是 0x 加 64 位十六进制的交易哈希。", en: "--tx-hash must be 0x followed by 64 hex digits.", badInput: true)
        }
        let ref = "treasury:\(hash.hex.lowercased())"
        guard let r = try await client.receipt(hash) else {
            throw EngineError("treasury.not_mined", zh: "链上找不到交易 \(hash.hex) 的收据（未上链或哈希有误）。", en: "no receipt for \(hash.hex) on chain (not mined yet, or a wrong hash).", badInput: true)
        }
        guard r.succeeded else {
            throw EngineError("treasury.failed_tx", zh: "交易 \(hash.hex) 在链上执行失败，没有转入任何资金。", en: "transaction \(hash.hex) failed on chain; nothing was transferred.", badInput: true)
        }
        // 扫块器已经看到并分类过这笔（金库注资或待处理）：不能再手工记一次。先于确认数检查——告诉运维「该走哪条路」比「再等等」有用。
        let logIndexes = asset.contract == nil ? [-1] : r.logs.map { Int($0.logIndex) }
        let (classified, recordedByHand) = try gate.with { l in
            (try logIndexes.compactMap { try l.hotInbound(txHash: hash.hex, logIndex: $0) }.first { $0.state != .orphaned },
             try l.store.entryCount(kind: "hot_wallet_funding", ref: ref) > 0)
        }
        // 已经手工记过（之后扫块器也认出了它）：重放照旧幂等地返回「已记过」，不报「扫块器自动记账」（QA：那句话不对）。
        if let c = classified, !recordedByHand {
            // 待处理（发送方不是登记的冷钱包）：直接给出下一步的完整命令（QA：以前只说「用 suspense resolve」，运维得自己去找编号与参数）。
            let next = c.kind == .unattributed
                ? ("它在待处理里（发送方不是登记的冷钱包）：确认是金库资金后，由两位 admin 各执行一次 `wallet-console suspense resolve \(c.id) --as treasury`；以后从这个地址注资，先用 `wallet-console treasury cold-wallet add` 把它登记为冷钱包。",
                   "it is in suspense (the sender is not a registered cold wallet): once you confirm it is treasury money, have two admins each run `wallet-console suspense resolve \(c.id) --as treasury`; register the sender with `wallet-console treasury cold-wallet add` before funding from it again.")
                : ("金库注资会自动记账（够确认后），不用手工记。", "treasury funding is booked automatically once confirmed; nothing to record by hand.")
            throw EngineError("treasury.already_classified", zh: "这笔交易已被扫块器识别为热钱包入账 #\(c.id)（\(c.kindText.zh)，\(c.stateText.zh)）：\(next.0)",
                              en: "this transaction was already classified by the scanner as hot-wallet inbound #\(c.id) (\(c.kindText.en), \(c.stateText.en)): \(next.1)", badInput: true)
        }
        // 只记已最终确定的注资：注资不经过扫块器，被重组撤销时没人会冲正它。节点支持 finalized 就以它为准，
        // 否则要求确认数不少于重组窗口；并核对收据所在的块仍是该高度的规范块。
        let head = try await client.blockNumber()
        if let fin = try await client.block(.finalized) {
            guard r.blockNumber <= fin.number else {
                throw EngineError("treasury.unconfirmed", zh: "交易所在区块 \(r.blockNumber) 还没有最终确定（finalized 高度 \(fin.number)）；最终确定后再记，以免被重组撤销。",
                                  en: "block \(r.blockNumber) is not finalized yet (finalized height \(fin.number)); record it once final so a reorg cannot undo it.", badInput: false)
            }
        } else {
            let conf = head >= r.blockNumber ? Int(head - r.blockNumber + 1) : 0
            let need = max(config.deposits.confirmations, config.deposits.reorgWindow)
            guard conf >= need else {
                throw EngineError("treasury.unconfirmed", zh: "交易只有 \(conf) 个确认，需要 \(need) 个（不少于重组窗口）；稍后再记。",
                                  en: "the transaction has \(conf) confirmation(s); \(need) are needed (at least the reorg window). Try again later.", badInput: false)
            }
        }
        guard try await client.block(.number(r.blockNumber))?.hash == r.blockHash else {
            throw EngineError("treasury.not_canonical", zh: "交易所在的块已不在主链上（重组中）；稍后再试。", en: "the transaction's block is no longer canonical (reorg in progress); try again later.", badInput: false)
        }
        // 我方自己的交易（归集：从充值地址发出；热钱包自转）已经按各自的流程记账，不是注资——记成注资会重复入账。
        guard let tx = try await client.transaction(hash) else {
            throw EngineError("treasury.not_mined", zh: "链上找不到交易 \(hash.hex)。", en: "transaction \(hash.hex) not found on chain.", badInput: true)
        }
        let sender = tx.from.hex.lowercased()
        // 归集交易由充值地址发出，补 gas 由热钱包发出：看发送方即可（一次索引查询，不扫归集表）。
        let ours = try sender == hotAddress || gate.with { l in try l.store.depositAddress(address: sender) != nil }
        guard !ours else {
            throw EngineError("treasury.internal_tx", zh: "交易 \(hash.hex) 是本钱包自己的交易（发送方 \(sender) 是我们的地址，例如归集）：它已按归集流程记账，不能再记成注资。",
                              en: "transaction \(hash.hex) is our own (sender \(sender) is one of our addresses, e.g. a sweep): it is already booked by that flow and cannot be recorded as funding.", badInput: true)
        }
        let hot = try ChainAddress(hex: hotAddress)
        var amount = UInt256.zero
        if let c = asset.contract {
            let contract = try ChainAddress(hex: c)
            for log in r.logs where log.address == contract && log.topics.first == erc20TransferTopic && log.topics.count >= 3
                && log.topics[2].low20Address == hot {
                amount = try amount.checkedAdd((try? UInt256(bigEndian: log.data)) ?? .zero)
            }
        } else if tx.to == hot {
            amount = tx.value
        }
        guard !amount.isZero else {
            throw EngineError("treasury.not_to_hot_wallet", zh: "交易 \(hash.hex) 没有把 \(symbol) 转给热钱包 \(config.hotWallet.address)。",
                              en: "transaction \(hash.hex) sends no \(symbol) to the hot wallet \(config.hotWallet.address).", badInput: true)
        }
        let amt = amount
        // 查重与记账在同一事务里：重放或两个进程同时记同一笔，只会记一次。
        let already = try gate.transaction { l -> Bool in
            if try l.store.entryCount(kind: "hot_wallet_funding", ref: ref) > 0 { return true }
            _ = try l.fundHotWallet(asset: symbol, amount: amt, ref: ref, by: op.name)
            return false
        }
        if !already {
            logger.info("treasury.funded", ["asset": .string(symbol), "amount": .amount(amount), "txHash": .string(hash.hex), "operator": .string(op.name)])
        }
        return TreasuryFunding(asset: symbol, amount: amount, txHash: hash.hex, block: r.blockNumber, alreadyRecorded: already)
    }
}

extension WalletEngine {
    public func addColdWallet(_ address: String, label: String, by op: Operator) throws -> ColdWallet {
        try authorize(op, .coldWalletAdd)
        try quorumGate(op, .coldWalletAdd, summary: "treasury cold-wallet add \(address) (\(label))", payload: ["address": address, "label": label])
        return try gate.with { l in try l.addColdWallet(address, label: label, by: op) }
    }

    public func coldWallets() throws -> [ColdWallet] { try gate.with { l in try l.coldWallets() } }

    /// 热钱包的外来入账（默认：待处理的在前）。
    public func hotInbound(states: [HotInbound.State] = [.pending, .booked, .resolved, .orphaned], limit: Int = 500) throws -> [HotInbound] {
        try gate.with { l in try l.hotInbound(states: states, page: Page(limit: limit)) }
    }

    /// 处理待处理入账：两个不同的管理员，一人提议、一人以同样的处理方式确认后执行。
    public func resolveSuspense(id: Int64, asTreasury: Bool, user: String?, by op: Operator) throws -> HotInbound {
        try authorize(op, .suspenseResolve)
        let resolution = asTreasury ? "treasury" : "deposit:\(user ?? "")"
        let h = try gate.with { l in try l.resolveHotInbound(id: id, resolution: resolution, by: op) }
        logger.info(h.state == .resolved ? "suspense.resolved" : "suspense.proposed", ["id": .int(id), "as": .string(resolution), "operator": .string(op.name)])
        return h
    }
}
