// 交易签名器：不论密钥在哪一层（加密库 / HSM），引擎只看到“给 EthTransaction，拿回 SignedEthTransaction”。
// 每次签名后都用恢复出的发送方核对地址：签名器若拿错了钥匙（或 HSM 返回了别的密钥的签名），绝不会带着错地址上链。
import Foundation
import WalletCrypto
import WalletKeys
import WalletKeystore

public protocol TransactionSigner: Sendable {
    /// 签名密钥对应的地址。
    var address: EthereumAddress { get }
    /// 密钥层级（hsm / kms / encrypted-db），给状态页显示。
    var tier: String { get }
    func sign(_ tx: EthTransaction) async throws -> SignedEthTransaction
}

extension TransactionSigner {
    /// 签名并核对发送方。
    func signChecked(_ tx: EthTransaction) async throws -> SignedEthTransaction {
        let s = try await sign(tx)
        guard s.from == address else {
            throw EngineError("signer.wrong_key", zh: "签名器返回的签名恢复出 \(s.from.checksummed)，而热钱包是 \(address.checksummed)：拒绝使用。检查 config.json 的 hotWallet.keyId。",
                              en: "the signer's signature recovers to \(s.from.checksummed), but the hot wallet is \(address.checksummed): refused. Check hotWallet.keyId in config.json.", badInput: false)
        }
        return s
    }
}

/// 密钥库的统一签名器（WalletKeystore.Signer：加密库 / HSM / KMS 各层同一接口）适配成交易签名器。
/// 密钥库签名器只签 32 字节摘要（返回低 S + 恢复 id，并已自检地址）；这里负责 EIP-1559 的摘要与原始字节装配。
/// 每次签名都计时（指标 wallet_signer_latency_seconds{tier}）：热钱包与归集用的充值地址密钥走同一处，
/// HSM 一次签名是毫秒级、KMS 多一次本机往返，退化先在这里看出来。
public final class KeystoreTxSigner: TransactionSigner, Sendable {
    public let inner: Signer
    let latency: HistogramFamily?
    public var address: EthereumAddress { inner.address }
    public var tier: String { inner.tier.rawValue }

    public init(_ inner: Signer, latency: HistogramFamily? = nil) { self.inner = inner; self.latency = latency }

    /// 按 keyId 取签名器（种子条目用 path 派生）。
    public convenience init(keystore: Keystore, keyId: String, path: String? = nil, latency: HistogramFamily? = nil) throws {
        self.init(try keystore.signer(for: keyId, path: path), latency: latency)
    }

    public func sign(_ tx: EthTransaction) async throws -> SignedEthTransaction {
        let clock = SystemClock(), start = clock.now()
        defer { latency?.observe(clock.now() - start, [tier]) }
        let sig = try await inner.sign(digest32: try tx.signingHash())
        return try tx.applying(signature: sig)
    }
}
