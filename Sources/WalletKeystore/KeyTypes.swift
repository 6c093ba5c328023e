// keystore 的公开数据类型：层级、密钥信息、封存状态。全部不含机密，可直接给控制台显示。
import Foundation
import WalletCrypto

/// 密钥层级（种子的层次：HSM > TEE > KMS > 加密数据库）。
public enum KeyTier: String, Codable, Sendable, CaseIterable {
    case hsm, tee, kms, encryptedDB = "encrypted-db"
}

/// 存储的密钥类型。
public enum KeyKind: String, Codable, Sendable {
    /// BIP-32 种子（64 字节），热钱包地址由它按路径派生。
    case hdSeed = "hd-seed"
    /// 单个 secp256k1 私钥（例如从 Web3 v3 导入）。
    case privateKey = "private-key"
    /// 位于 PKCS#11 令牌中的密钥（本地只存引用与公钥）。
    case hsmKey = "hsm-key"
    /// 位于 KMS 服务中的密钥（本地只存引用与公钥）。
    case kmsKey = "kms-key"
}

/// 外部令牌上的密钥引用（不含 PIN）。
public struct HSMReference: Codable, Sendable, Equatable {
    public var modulePath: String
    public var tokenLabel: String
    public var keyLabel: String
    public var keyIdHex: String
    public init(modulePath: String, tokenLabel: String, keyLabel: String, keyIdHex: String) {
        self.modulePath = modulePath; self.tokenLabel = tokenLabel; self.keyLabel = keyLabel; self.keyIdHex = keyIdHex
    }
}

public struct KMSReference: Codable, Sendable, Equatable {
    public var socketPath: String
    public var keyId: String
    public init(socketPath: String, keyId: String) { self.socketPath = socketPath; self.keyId = keyId }
}

/// 一把密钥的不可变元数据：作为 AES-GCM 关联数据绑定到密文上，改任何字段都会被发现。
public struct KeyInfo: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var id: String
    public var label: String
    public var tier: KeyTier
    public var kind: KeyKind
    public var algorithm: String
    /// 以太坊地址（0x…，EIP-55）或空（种子条目显示主指纹）。
    public var address: String?
    /// 未压缩公钥（hex）或 xpub。
    public var publicKey: String?
    /// BIP-32 主指纹（hex）——仅种子条目。
    public var fingerprint: String?
    public var created: String
    public var hsm: HSMReference?
    public var kms: KMSReference?
}

/// KEK 版本信息（不含密钥本身）。
public struct KEKVersionInfo: Codable, Sendable, Equatable {
    public var version: Int
    public var created: String
}

public enum SealMode: String, Codable, Sendable {
    case passphrase, shares
}

/// 封存状态（控制台和 `keystore status` 显示）。
public struct SealStatus: Sendable, Equatable {
    public var initialized: Bool
    public var sealed: Bool
    public var mode: SealMode
    /// 份额模式下的 t/n；口令模式为 nil。
    public var threshold: Int?
    public var shareCount: Int?
    /// 已提交的份额数（解封进度）。
    public var progress: Int
    public var kekVersion: Int
    public var kekCreated: String
    public var kekAgeSeconds: Int
    public var failedAttempts: Int
    public var keystoreId: String
}

/// 单把密钥的层级状态（给控制台的 key-tier 视图）。
public struct KeyTierStatus: Sendable, Equatable {
    public var id: String
    public var label: String
    public var tier: KeyTier
    public var algorithm: String
    public var address: String?
    public var fingerprint: String?
    public var created: String
    public var lastUsed: String?
    public var signatures: Int
    public var health: SignerHealth
    public var kekVersion: Int?
    public var kekAgeSeconds: Int?
}

/// 签名器健康状况。
public enum SignerHealth: Sendable, Equatable {
    case ok(latencyMillis: Int?)
    case sealed
    case unavailable(reason: String)
    case error(code: String, message: String)

    public var label: String {
        switch self {
        case .ok: return "ok"
        case .sealed: return "sealed"
        case .unavailable: return "unavailable"
        case .error: return "error"
        }
    }
}

enum ISOTime {
    static func now() -> String { format(Date()) }
    static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
    static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}
