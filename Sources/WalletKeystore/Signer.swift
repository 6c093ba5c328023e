// 统一签名接口：无论密钥在 HSM、KMS 还是加密数据库里，引擎都只调用 `sign(digest32:)`。
// 每个签名器都在返回前用公钥核对签名（恢复出的地址必须等于自己的地址），把错误挡在广播之前。
import Foundation
import Synchronization
import WalletCrypto
import WalletKeys

public protocol Signer: Sendable {
    var keyId: String { get }
    var address: EthereumAddress { get }
    var tier: KeyTier { get }
    /// 对 32 字节摘要签名，返回低 S、带恢复 id 的签名。
    func sign(digest32: [UInt8]) async throws -> RecoverableSignature
    /// 健康检查（HSM 会话、KMS 可达与延迟、keystore 是否封存）。
    func health() async -> SignerHealth
}

public struct SignerError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError

    static let badDigest = SignerError(walletError: WalletError("signer.bad_digest", zh: "待签名摘要必须正好 32 字节。",
        en: "the digest to sign must be exactly 32 bytes.", badInput: true))
    static let selfCheckFailed = SignerError(walletError: WalletError("signer.self_check_failed",
        zh: "签名自检失败：恢复出的地址与密钥地址不符，签名已丢弃（设备或服务异常）。",
        en: "signature self-check failed: the recovered address differs from the key's; signature discarded (device/service fault).", badInput: false))
    static let noRecoveryId = SignerError(walletError: WalletError("signer.no_recovery_id",
        zh: "找不到能恢复出该公钥的恢复 id：签名与公钥不匹配。", en: "no recovery id reproduces the public key: signature and key do not match.", badInput: false))
}

enum SignatureTools {
    /// 外部设备（HSM/KMS）给出的 r‖s：规范化为低 S，再找出与公钥一致的恢复 id（复用 WalletCrypto 的实现）。
    static func recoverable(r: [UInt8], s: [UInt8], digest32: [UInt8], publicKey65: [UInt8]) throws -> RecoverableSignature {
        let low = Secp256k1.normalizeLowS(r: r, s: s).s
        guard let recid = try? Secp256k1.findRecoveryId(digest32: digest32, r: r, s: low, publicKey: publicKey65) else {
            throw SignerError.noRecoveryId
        }
        return RecoverableSignature(r: r, s: low, recoveryId: recid)
    }

    static func check(_ sig: RecoverableSignature, digest32: [UInt8], address: EthereumAddress) throws {
        guard ECDSANormalize.isLowS(sig.s),
              let pk = try? Secp256k1.recover(digest32: digest32, signature: sig),
              let a = try? EthereumAddress(publicKey: pk), a == address
        else { throw SignerError.selfCheckFailed }
    }
}

/// 加密数据库层（种子的 tier 4）：机密只在签名的一瞬间解密到内存，用完清零。
public final class LocalSigner: Signer, Sendable {
    public let keyId: String
    public let address: EthereumAddress
    public let tier: KeyTier = .encryptedDB
    public let path: DerivationPath?
    let keystore: Keystore

    init(keystore: Keystore, info: KeyInfo, path: DerivationPath?) throws {
        self.keystore = keystore
        self.keyId = info.id
        self.path = path
        let pub: [UInt8] = try keystore.withSecret(id: info.id) { secret, info in
            try LocalSigner.privateKey(secret, info: info, path: path) { try Secp256k1.publicKey(privateKey: $0, compressed: false) }
        }
        self.address = try EthereumAddress(publicKey: pub)
    }

    static func privateKey<R>(_ secret: SecretBytes, info: KeyInfo, path: DerivationPath?, _ body: (SecretBytes) throws -> R) throws -> R {
        switch info.kind {
        case .hdSeed:
            guard let path else { throw KeystoreError.invalidInput("种子条目需要派生路径 / a seed entry needs a derivation path") }
            return try body(try ExtendedPrivateKey(seed: secret).derive(path: path).privateKey)
        case .privateKey:
            return try body(secret)
        default:
            throw KeystoreError.unsupportedTier("\(info.kind.rawValue) 不能本地签名 / cannot sign locally")
        }
    }

    public func sign(digest32: [UInt8]) async throws -> RecoverableSignature {
        guard digest32.count == 32 else { throw SignerError.badDigest }
        let sig: RecoverableSignature = try keystore.withSecret(id: keyId) { secret, info in
            try LocalSigner.privateKey(secret, info: info, path: path) { try Secp256k1.signRecoverable(digest32: digest32, privateKey: $0) }
        }
        try SignatureTools.check(sig, digest32: digest32, address: address)
        keystore.recordSignature(id: keyId)
        return sig
    }

    public func health() async -> SignerHealth { keystore.isSealed ? .sealed : .ok(latencyMillis: nil) }
}

/// HSM 层：私钥在令牌里生成、不可导出；PIN 以信封加密存在 keystore 条目里（解封后才可用）。
public final class HSMSigner: Signer, Sendable {
    public let keyId: String
    public let address: EthereumAddress
    public let tier: KeyTier = .hsm
    let ref: HSMReference
    let publicKey: [UInt8]
    let keystore: Keystore
    // 会话句柄放进 Mutex：同一会话上的 C 调用（登录、签名、健康检查）都在 withLock 里，天然串行。
    private let session = Mutex<PKCS11Session?>(nil)

    init(keystore: Keystore, info: KeyInfo) throws {
        guard let ref = info.hsm, let pkHex = info.publicKey, let pk = try? Hex.decode(pkHex) else {
            throw KeystoreError.corrupted(file: info.id, detail: "HSM 条目缺少引用或公钥 / HSM entry lacks reference or public key")
        }
        self.keystore = keystore; self.keyId = info.id; self.ref = ref; self.publicKey = pk
        self.address = try EthereumAddress(publicKey: pk)
    }

    private func openSession(_ session: inout PKCS11Session?) throws -> PKCS11Session {
        if let session { return session }
        let m = try PKCS11Module.load(ref.modulePath)
        let s = try PKCS11Session(module: m, slot: try m.slot(forToken: ref.tokenLabel))
        try keystore.withSecret(id: keyId) { pin, _ in try s.login(pin) }
        session = s
        return s
    }

    private func rawSign(_ digest: [UInt8]) throws -> [UInt8] {
        try session.withLock { session in
        let id = try Hex.decode(ref.keyIdHex)
        do {
            return try openSession(&session).signDigest(digest, id: id)
        } catch HSMError.sessionLost {
            session = nil  // 会话丢失：重连一次
            return try openSession(&session).signDigest(digest, id: id)
        } catch let e as HSMError {
            dropSession(after: e, &session)
            throw e
        }
        }
    }

    /// 出错后丢掉会话；像令牌被拔出过的错误（调用失败、令牌或钥匙找不到）还要让模块重新初始化、重新枚举——
    /// SoftHSM2 实测：令牌目录拔掉再放回，已初始化的模块看不见它（C_GetTokenInfo 一直 CKR_GENERAL_ERROR，或一直「找不到令牌」）。
    /// 模块只在没有别的活会话时才重新初始化（`PKCS11Module.reinitialize`），不打断同一模块上正常工作的会话。
    /// PIN 错、会话丢失不碰模块。
    private func dropSession(after e: Error, _ session: inout PKCS11Session?) {
        session = nil
        guard let h = e as? HSMError else { return }
        switch h {
        case .call, .tokenNotFound, .keyNotFound: _ = try? PKCS11Module.load(ref.modulePath).reinitialize()
        default: break
        }
    }

    /// 测试用：让设备端丢掉当前会话。
    func simulateSessionLoss() {
        session.withLock { $0?.closeOnDevice() }
    }

    public func sign(digest32: [UInt8]) async throws -> RecoverableSignature {
        guard digest32.count == 32 else { throw SignerError.badDigest }
        // 封存即停止签名：即使令牌会话仍处于登录状态。
        guard !keystore.isSealed else { throw KeystoreError.sealed }
        let raw = try rawSign(digest32)
        let sig = try SignatureTools.recoverable(r: Array(raw[0..<32]), s: Array(raw[32...]), digest32: digest32, publicKey65: publicKey)
        try SignatureTools.check(sig, digest32: digest32, address: address)
        keystore.recordSignature(id: keyId)
        return sig
    }

    public func health() async -> SignerHealth { checkHealth() }

    func checkHealth() -> SignerHealth {
        if keystore.isSealed { return .sealed }
        let start = Date()
        return session.withLock { session in
        do {
            let s = try openSession(&session)
            _ = try s.publicKey(id: try Hex.decode(ref.keyIdHex))
            return .ok(latencyMillis: Int(Date().timeIntervalSince(start) * 1000))
        } catch let e as any WalletErrorConvertible {
            dropSession(after: e, &session)
            return .error(code: e.code, message: e.message(.zh))
        } catch { session = nil; return .error(code: "hsm.unknown", message: WalletError(error).zh) }
        }
    }
}

/// KMS 层：密钥在独立的 KMS 进程里，签名在那里完成。
public final class KMSSigner: Signer, Sendable {
    public let keyId: String
    public let address: EthereumAddress
    public let tier: KeyTier = .kms
    let ref: KMSReference
    let publicKey: [UInt8]
    let client: KMSClient
    let keystore: Keystore

    init(keystore: Keystore, info: KeyInfo) throws {
        guard let ref = info.kms, let pkHex = info.publicKey, let pk = try? Hex.decode(pkHex) else {
            throw KeystoreError.corrupted(file: info.id, detail: "KMS 条目缺少引用或公钥 / KMS entry lacks reference or public key")
        }
        self.keystore = keystore; self.keyId = info.id; self.ref = ref; self.publicKey = pk
        self.address = try EthereumAddress(publicKey: pk)
        self.client = KMSClient(socketPath: ref.socketPath)
    }

    public func sign(digest32: [UInt8]) async throws -> RecoverableSignature {
        guard digest32.count == 32 else { throw SignerError.badDigest }
        guard !keystore.isSealed else { throw KeystoreError.sealed }
        let r = try client.call(["op": "Sign", "keyId": ref.keyId, "digest": digest32.hex])
        guard let rh = r["r"] as? String, let sh = r["s"] as? String, let rr = try? Hex.decode(rh), let ss = try? Hex.decode(sh),
              rr.count == 32, ss.count == 32 else { throw SignerError.selfCheckFailed }
        // 不信任服务给的 recid：自己规范化并恢复
        let sig = try SignatureTools.recoverable(r: rr, s: ss, digest32: digest32, publicKey65: publicKey)
        try SignatureTools.check(sig, digest32: digest32, address: address)
        keystore.recordSignature(id: keyId)
        return sig
    }

    public func health() async -> SignerHealth {
        if keystore.isSealed { return .sealed }
        do { return .ok(latencyMillis: try client.ping()) } catch let e as any WalletErrorConvertible {
            return .error(code: e.code, message: e.message(.zh))
        } catch { return .error(code: "kms.unknown", message: WalletError(error).zh) }
    }
}
