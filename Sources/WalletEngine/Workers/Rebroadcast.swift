// 被节点丢弃的已签名交易：用库里存的同一份字节重发（绝不重签）。提现、补 gas、归集共用这一处。
import WalletChain
import WalletCrypto
import WalletKeys

extension ChainClient {
    /// 节点查不到这笔交易时重发原始字节并返回 true；查得到（在池中或已上链）返回 false。
    func rebroadcastIfDropped(hash: String, raw: [UInt8]) async throws -> Bool {
        guard try await transaction(try H256(hex: hash)) == nil else { return false }
        _ = try? await sendRawTransaction(raw)
        return true
    }

    func rebroadcastIfDropped(_ attempt: TxAttempt) async throws -> Bool {
        try await rebroadcastIfDropped(hash: attempt.hash, raw: attempt.raw)
    }
}

extension TxAttempt {
    /// 上一个版本的价格（替换要比它高 replacementBumpPercent）。
    var gasPrice: GasPrice {
        get throws { GasPrice(maxFeePerGas: try UInt256(decimal: maxFeePerGas), maxPriorityFeePerGas: try UInt256(decimal: maxPriorityFeePerGas)) }
    }
}

extension NonceRecord {
    /// 同一 nonce 的新版本（加价替换、取消用的 NOOP）：按 `price` 改费用、签名，追加到尝试列表并记广播时间。
    /// 只返回结果：调用方把记录与自己的状态放在同一个事务里落库，然后才广播。提现、补 gas、NOOP 共用这一处。
    func appendingSigned(_ base: EthTransaction, price: GasPrice, signer: TransactionSigner, at now: Int64) async throws -> (NonceRecord, SignedEthTransaction) {
        var tx = base
        tx.maxFeePerGas = price.maxFeePerGas
        tx.maxPriorityFeePerGas = price.maxPriorityFeePerGas
        let signed = try await signer.signChecked(tx)
        var r = self
        r.attempts.append(TxAttempt(hash: "0x" + Hex.encode(signed.hash), rawHex: Hex.encode(signed.raw), maxFeePerGas: price.maxFeePerGas.decimalString,
                                    maxPriorityFeePerGas: price.maxPriorityFeePerGas.decimalString, signedAt: now))
        r.lastBroadcastAt = now
        return (r, signed)
    }
}
