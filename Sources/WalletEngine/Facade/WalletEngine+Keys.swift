// 密钥：层级状态、封存/解封（口令或 Shamir 份额）、密钥仪式。封存状态与 wallet_keystore_sealed 指标只在这里改。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

/// 一个密钥条目的事实（全部非机密）。
public struct KeyFact: Sendable {
    public var keyId: String
    public var label: String
    public var tier: String
    public var kind: String
    public var signatures: Int
    public var lastUse: String?
    public var kekVersion: Int?
    public var usable: Bool
}

// MARK: - 密钥层级与封存（控制台 Keys 页）

extension WalletEngine {
    /// 封存状态（sealed/unsealed、份额模式的 t/n 与进度）。
    public func sealStatus() -> SealStatus { keystore.status() }

    /// 提交一份 Shamir 份额；凑够阈值自动解封。
    public func unseal(share: SecretBytes) throws -> Keystore.UnsealProgress {
        let p = try keystore.unseal(share: share)
        if p.unsealed { metrics.sealed.set(0); logger.info("keystore.unsealed", ["via": "shares"]) }
        return p
    }

    /// 操作员解封（控制台）：在引擎里授权（custodian/admin）并写审计。
    public func unseal(passphrase: SecretBytes, by op: Operator, via: String) throws {
        try authorize(op, .keystoreUnseal)
        try unseal(passphrase: passphrase)
        try recordAudit(op, action: "keystore.unseal", subject: "passphrase", cli: "keystore unseal", via: via)
    }

    public func unseal(share: SecretBytes, by op: Operator, via: String) throws -> Keystore.UnsealProgress {
        try authorize(op, .keystoreUnseal)
        let p = try unseal(share: share)
        try recordAudit(op, action: "keystore.unseal.share", subject: "\(p.submitted)/\(p.threshold)", cli: "keystore unseal --share-file -", via: via)
        return p
    }

    /// 最近的基础费走势（控制台画迷你折线图；wei/gas）。
    public func baseFeeTrend() async -> [UInt256] {
        if let c = fees.cached { return c.baseFeeTrend }
        return (try? await fees.refresh().baseFeeTrend) ?? []
    }
    public func keyFacts() -> (seal: SealStatus, keys: [KeyFact]) {
        let st = keystore.status()
        let list = (try? keystore.list()) ?? []
        let facts = list.map { k -> KeyFact in
            let u = keystore.usage(id: k.id)
            let tier: String
            switch k.tier {
            case .hsm: tier = "hsm"
            case .kms: tier = "kms"
            case .tee: tier = "tee"
            case .encryptedDB: tier = "db"
            }
            let usable = !st.sealed  // 各层都经密钥库签名（HSM 的 PIN 也在密钥库里），封存即不可用
            return KeyFact(keyId: k.id, label: k.label, tier: tier, kind: k.kind.rawValue, signatures: u.signatures,
                                  lastUse: u.lastUsed, kekVersion: try? keystore.kekVersion(id: k.id), usable: usable)
        }
        return (st, facts)
    }


    /// 开始一次密钥仪式（keystore 的 CeremonyEngine；keystore 必须已解封）。
    public func startCeremony(by op: Operator, label: String) throws -> CeremonyEngine {
        try authorize(op, .ceremonyStart)
        let c = try CeremonyEngine(keystore: keystore, operatorName: op.name, label: label)
        try recordAudit(op, action: "ceremony.start", subject: label, cli: "ceremony --label \(label)", via: "console")
        return c
    }
}

extension WalletEngine {
    /// 最近区块的 base fee（wei），给走势小图。
    public func recentBaseFees(blocks: Int = 30) async throws -> [UInt256] {
        let h = try await client.feeHistory(blockCount: blocks, newest: .latest, percentiles: [])
        return h.baseFeePerGas
    }

    public func headAndScanHeight() async -> (head: UInt64?, scanned: UInt64?) {
        let head = try? await client.blockNumber()
        return (head, try? scanStore.height())
    }

}
