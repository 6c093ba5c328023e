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
        let head = try await client.blockNumber()
        let conf = head >= r.blockNumber ? Int(head - r.blockNumber + 1) : 0
        guard conf >= config.deposits.confirmations else {
            throw EngineError("treasury.unconfirmed", zh: "交易只有 \(conf) 个确认，需要 \(config.deposits.confirmations) 个；稍后再记。",
                              en: "the transaction has \(conf) confirmation(s); \(config.deposits.confirmations) are needed. Try again later.")
        }
        let hot = try ChainAddress(hex: hotAddress)
        var amount = UInt256.zero
        if let c = asset.contract {
            let contract = try ChainAddress(hex: c)
            for log in r.logs where log.address == contract && log.topics.first == erc20TransferTopic && log.topics.count >= 3
                && log.topics[2].low20Address == hot {
                amount = try amount.checkedAdd((try? UInt256(bigEndian: log.data)) ?? .zero)
            }
        } else if let tx = try await client.transaction(hash), tx.to == hot {
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
