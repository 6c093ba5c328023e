// 高层 API：导入助记词/私钥、登记 HSM/KMS 密钥、取签名器、层级状态。
import Foundation
import Synchronization
import WalletCrypto
import WalletKeys

extension Keystore {
    /// 默认热钱包路径（BIP-44 以太坊第一个地址）。
    public static let defaultHotWalletPath = "m/44'/60'/0'/0/0"

    /// 导入 BIP-39 助记词：校验后只保存 64 字节种子（信封加密），返回条目（含主指纹与默认地址）。
    @discardableResult
    public func importMnemonic(_ mnemonic: SecretBytes, passphrase: SecretBytes? = nil, label: String) throws -> KeyInfo {
        _ = try BIP39.validate(mnemonic)
        let seed = try BIP39.seed(mnemonic: mnemonic, passphrase: passphrase)
        return try importSeed(seed, label: label)
    }

    /// 保存 BIP-32 种子。
    @discardableResult
    public func importSeed(_ seed: SecretBytes, label: String) throws -> KeyInfo {
        let master = try ExtendedPrivateKey(seed: seed)
        let hot = try master.derive(path: try DerivationPath(string: Keystore.defaultHotWalletPath))
        let addr = try EthereumAddress(publicKey: try Secp256k1.publicKey(privateKey: hot.privateKey, compressed: false))
        let acct = try master.derive(path: try DerivationPath(string: "m/44'/60'/0'")).extendedPublicKey
        return try store(secret: seed, kind: .hdSeed, label: label, tier: .encryptedDB, algorithm: "secp256k1/bip32",
                         address: addr.checksummed, publicKey: acct.serialized, fingerprint: master.fingerprint.hex)
    }

    /// 生成新种子（CSPRNG），返回条目和助记词（机密，只给仪式展示用）。
    public func createSeed(words: Int = 24, wordlist: Wordlist = .english, label: String) throws -> (KeyInfo, SecretBytes) {
        let m = try BIP39.generate(words: words, wordlist: wordlist)
        return (try importMnemonic(m, label: label), m)
    }

    /// 导入单个私钥（例如从 Web3 v3）。
    @discardableResult
    public func importPrivateKey(_ key: SecretBytes, label: String) throws -> KeyInfo {
        guard Secp256k1.isValidPrivateKey(key) else {
            throw KeystoreError.invalidInput("不是有效的 secp256k1 私钥 / not a valid secp256k1 private key")
        }
        let pub = try Secp256k1.publicKey(privateKey: key, compressed: false)
        return try store(secret: key, kind: .privateKey, label: label, tier: .encryptedDB, algorithm: "secp256k1",
                         address: try EthereumAddress(publicKey: pub).checksummed, publicKey: pub.hex)
    }

    /// 在 PKCS#11 令牌上生成 secp256k1 密钥并登记（PIN 以信封加密保存，供解封后重连）。
    @discardableResult
    public func generateHSMKey(modulePath: String, tokenLabel: String, pin: SecretBytes, label: String) throws -> KeyInfo {
        let m = try PKCS11Module.load(modulePath)
        let s = try PKCS11Session(module: m, slot: try m.slot(forToken: tokenLabel))
        try s.login(pin)
        let id = try SecureRandom.bytes(16)
        let pub = try s.generateSecp256k1(label: label, id: id)
        let addr = try EthereumAddress(publicKey: pub)
        let ref = HSMReference(modulePath: modulePath, tokenLabel: tokenLabel, keyLabel: label, keyIdHex: id.hex)
        return try store(secret: pin, kind: .hsmKey, label: label, tier: .hsm, algorithm: "secp256k1/ckm-ecdsa",
                         address: addr.checksummed, publicKey: pub.hex, hsm: ref)
    }

    /// 令牌上的用户 PIN 改了之后更新存着的 PIN：先用新 PIN 登录并找到这把密钥（错的 PIN 不会被存下），再换条目机密；
    /// 丢掉缓存的签名器，下一次签名用新 PIN 重新登录。
    public func updateHSMPin(id: String, pin: SecretBytes) throws {
        let info = try self.info(id: id)
        guard info.kind == .hsmKey, let ref = info.hsm else {
            throw KeystoreError.invalidInput("密钥 \(id) 不是 HSM 密钥 / key \(id) is not an HSM key")
        }
        let m = try PKCS11Module.load(ref.modulePath)
        let s = try PKCS11Session(module: m, slot: try m.slot(forToken: ref.tokenLabel))
        try s.login(pin)
        _ = try s.publicKey(id: try Hex.decode(ref.keyIdHex))
        try replaceSecret(id: id, secret: pin)
        signerCache.removeAll()
    }

    /// 在 KMS 服务里创建 secp256k1 密钥并登记引用。
    @discardableResult
    public func createKMSKey(socketPath: String, label: String) throws -> KeyInfo {
        let c = KMSClient(socketPath: socketPath)
        let kid = try c.createKey(spec: KMSServer.secp256k1Spec, label: label)
        guard let pkHex = try c.call(["op": "GetPublicKey", "keyId": kid])["publicKey"] as? String,
              let pub = try? Hex.decode(pkHex) else { throw KMSError.badRequest("GetPublicKey 无公钥 / no public key") }
        return try store(secret: SecretBytes(count: 0), kind: .kmsKey, label: label, tier: .kms, algorithm: "secp256k1/kms",
                         address: try EthereumAddress(publicKey: pub).checksummed, publicKey: pub.hex,
                         kms: KMSReference(socketPath: socketPath, keyId: kid))
    }

    /// 取签名器。种子条目需要路径（默认热钱包路径）。同一 (id, 路径) 复用同一实例（HSM 会话、KMS 连接因此复用）。
    public func signer(for keyId: String, path: String? = nil) throws -> Signer {
        let cacheKey = keyId + "|" + (path ?? "")
        if let s = signerCache.get(cacheKey) { return s }
        let s = try makeSigner(for: keyId, path: path)
        signerCache.set(cacheKey, s)
        return s
    }

    func makeSigner(for keyId: String, path: String?) throws -> Signer {
        let info = try self.info(id: keyId)
        switch info.kind {
        case .hdSeed:
            return try LocalSigner(keystore: self, info: info, path: try DerivationPath(string: path ?? Keystore.defaultHotWalletPath))
        case .privateKey:
            return try LocalSigner(keystore: self, info: info, path: nil)
        case .hsmKey:
            return try HSMSigner(keystore: self, info: info)
        case .kmsKey:
            return try KMSSigner(keystore: self, info: info)
        }
    }

    /// 控制台的 key-tier 视图：每把密钥的层级、地址、使用统计、健康与 KEK 年龄。
    public func keyTierStatus() async -> [KeyTierStatus] {
        let st = status()
        guard let keys = try? list() else { return [] }
        var out: [KeyTierStatus] = []
        for k in keys {
            let u = usage(id: k.id)
            var health: SignerHealth = st.sealed ? .sealed : .ok(latencyMillis: nil)
            if !st.sealed, k.kind == .hsmKey || k.kind == .kmsKey {
                do { health = await (try signer(for: k.id)).health() } catch let e as any WalletErrorConvertible {
                    health = .error(code: e.code, message: e.message(.zh))
                } catch { health = .error(code: "internal", message: WalletError(error).zh) }
            }
            out.append(KeyTierStatus(id: k.id, label: k.label, tier: k.tier, algorithm: k.algorithm, address: k.address,
                                     fingerprint: k.fingerprint, created: k.created, lastUsed: u.lastUsed, signatures: u.signatures,
                                     health: health, kekVersion: try? kekVersion(id: k.id), kekAgeSeconds: st.kekAgeSeconds))
        }
        return out
    }
}

extension Keystore {
    /// 导出（仅加密库层级的私钥/种子派生私钥）：私钥只在闭包内存在，例如直接加密成 Web3 v3。
    public func exportPrivateKey<R>(id: String, path: String? = nil, _ body: (SecretBytes) throws -> R) throws -> R {
        let r: R = try withSecret(id: id) { secret, info in
            guard info.tier == .encryptedDB else {
                throw KeystoreError.unsupportedTier("\(info.tier.rawValue) 层级的密钥不可导出 / keys of this tier are not exportable")
            }
            let p = info.kind == .hdSeed ? try DerivationPath(string: path ?? Keystore.defaultHotWalletPath) : nil
            return try LocalSigner.privateKey(secret, info: info, path: p, body)
        }
        audit.record("keystore.export", result: "ok", detail: ["id": id])
        return r
    }
}

/// 签名器缓存（线程安全）。
final class SignerCache: Sendable {
    private let items = Mutex<[String: Signer]>([:])
    func get(_ k: String) -> Signer? { items.withLock { $0[k] } }
    func set(_ k: String, _ s: Signer) { items.withLock { $0[k] = s } }
    func removeAll() { items.withLock { $0 = [:] } }
}
