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
                              en: "the signer's signature recovers to \(s.from.checksummed), but the hot wallet is \(address.checksummed): refused. Check hotWallet.keyId in config.json.")
        }
        return s
    }
}

/// 加密库层（envelope 加密的私钥条目）：私钥只在 withSecret 闭包内存在，签完即清零。
public final class KeystoreKeySigner: TransactionSigner, @unchecked Sendable {
    public let keystore: Keystore
    public let keyId: String
    public let address: EthereumAddress
    public var tier: String { KeyTier.encryptedDB.rawValue }

    public init(keystore: Keystore, keyId: String) throws {
        self.keystore = keystore
        self.keyId = keyId
        let info = try keystore.info(id: keyId)
        guard info.kind == .privateKey, let a = info.address else {
            throw EngineError("signer.not_a_key", zh: "密钥 \(keyId) 不是可签名的私钥条目（类型 \(info.kind.rawValue)）。",
                              en: "key \(keyId) is not a signing private-key entry (kind \(info.kind.rawValue)).", badInput: true)
        }
        address = try EthereumAddress(string: a)
    }

    public func sign(_ tx: EthTransaction) async throws -> SignedEthTransaction {
        let s = try keystore.withSecret(id: keyId) { secret, _ in try tx.sign(privateKey: secret) }
        keystore.recordSignature(id: keyId)
        return s
    }
}

/// HD 种子派生的地址（充值地址归集时签名用）：种子只在闭包内解出，派生出的子私钥同样随即清零。
public final class SeedPathSigner: TransactionSigner, @unchecked Sendable {
    public let keystore: Keystore
    public let seedId: String
    public let path: DerivationPath
    public let address: EthereumAddress
    public var tier: String { KeyTier.encryptedDB.rawValue }

    public init(keystore: Keystore, seedId: String, path: DerivationPath, address: EthereumAddress) {
        self.keystore = keystore; self.seedId = seedId; self.path = path; self.address = address
    }

    public func sign(_ tx: EthTransaction) async throws -> SignedEthTransaction {
        let s = try keystore.withSecret(id: seedId) { seed, _ in
            let k = try ExtendedPrivateKey(seed: seed).derive(path: path)
            return try tx.sign(privateKey: k.privateKey)
        }
        keystore.recordSignature(id: seedId)
        return s
    }
}

/// HSM 层（PKCS#11）：私钥在令牌里、不可导出。令牌只返回 r‖s：我们把 s 规范成低 S，再用公钥找出恢复 id。
public final class PKCS11TxSigner: TransactionSigner, @unchecked Sendable {
    private let session: PKCS11Session
    private let keyID: [UInt8]
    private let publicKey: [UInt8]
    private let lock = NSLock()
    public let address: EthereumAddress
    public var tier: String { KeyTier.hsm.rawValue }

    public init(session: PKCS11Session, keyID: [UInt8]) throws {
        self.session = session
        self.keyID = keyID
        publicKey = try session.publicKey(id: keyID)
        address = try EthereumAddress(publicKey: publicKey)
    }

    public func sign(_ tx: EthTransaction) async throws -> SignedEthTransaction {
        let digest = try tx.signingHash()
        let rs: [UInt8] = try { lock.lock(); defer { lock.unlock() }; return try session.signDigest(digest, id: keyID) }()
        guard rs.count == 64 else {
            throw EngineError("signer.hsm_bad_signature", zh: "HSM 返回的签名长度 \(rs.count) 不是 64 字节。", en: "the HSM returned a \(rs.count)-byte signature, not 64.")
        }
        let r = Array(rs[0..<32])
        let s = Secp256k1.normalizeLowS(r: r, s: Array(rs[32..<64])).s
        let recid = try Secp256k1.findRecoveryId(digest32: digest, r: r, s: s, publicKey: publicKey)
        return try tx.applying(signature: RecoverableSignature(r: r, s: s, recoveryId: recid))
    }
}
