// 引擎拥有的密钥库服务：`keystore`、`hsm`、`kms`、`ceremony` 命令组经它操作 home 里的密钥库（或 KMS 自己的密钥库），
// CLI 不再自己打开、解封密钥库。解封只有一种实现（这里与 WalletEngine 共用 Unsealable 协议），
// 读口令/份额的 I/O（文件或 TTY）留在面里。
import Foundation
import WalletCrypto
import WalletKeys
import WalletKeystore

/// 能解封的对象：运行中的引擎，或单独的密钥库服务。面按这个接口读机密、逐份提交份额。
public protocol Unsealable: AnyObject {
    func sealStatus() -> SealStatus
    func unseal(passphrase: SecretBytes) throws
    func unseal(share: SecretBytes) throws -> Keystore.UnsealProgress
}

extension WalletEngine: Unsealable {}

public final class HomeKeystore: Unsealable, Sendable {
    let keystore: Keystore

    init(_ ks: Keystore) { keystore = ks }

    /// 这个 home 是否是完整的钱包 home（有配置与账本、有操作员）。是的话，改动密钥库要经引擎授权（WalletEngine.managedKeystore）。
    public static func isWalletHome(_ home: String) -> Bool { HomeLayout(home).exists }

    public static func exists(home: String) -> Bool { Keystore.exists(home: home) }

    public static func open(home: String) throws -> HomeKeystore { HomeKeystore(try Keystore.open(home: home)) }

    public static func options(scryptLogN: Int) throws -> Keystore.Options {
        guard (10...20).contains(scryptLogN) else {
            throw EngineError("keystore.scrypt_n", zh: "scrypt log2(N) 须在 10..20。", en: "scrypt log2(N) must be 10..20.", badInput: true)
        }
        return Keystore.Options(scrypt: ScryptParams(n: 1 << UInt64(scryptLogN), r: 8, p: 1))
    }

    /// 口令模式新建。
    public static func create(home: String, passphrase: SecretBytes, scryptLogN: Int) throws -> HomeKeystore {
        HomeKeystore(try Keystore.initialize(home: home, passphrase: passphrase, options: try options(scryptLogN: scryptLogN)))
    }

    /// T-of-N 份额模式新建；份额只在这里返回一次。
    public static func create(home: String, threshold: Int, shares: Int, scryptLogN: Int) throws -> (HomeKeystore, [SecretBytes]) {
        let (ks, s) = try Keystore.initialize(home: home, threshold: threshold, shares: shares, options: try options(scryptLogN: scryptLogN))
        return (HomeKeystore(ks), s)
    }

    public var keystoreId: String { keystore.keystoreId }
    public func sealStatus() -> SealStatus { keystore.status() }
    public func list() throws -> [KeyInfo] { try keystore.list() }
    public func tierAvailability(hsmModule: String?, kmsSocket: String?) -> [TierAvailability] {
        Keystore.tierAvailability(hsmModule: hsmModule, kmsSocket: kmsSocket)
    }

    public func unseal(passphrase: SecretBytes) throws { try keystore.unseal(passphrase: passphrase) }
    public func unseal(share: SecretBytes) throws -> Keystore.UnsealProgress { try keystore.unseal(share: share) }

    /// 封存并写密钥库审计（via：cli / console / kms）。
    public func seal(via: String) {
        keystore.seal()
        keystore.audit.record("keystore.seal", result: "ok", detail: ["via": via])
    }

    public func rotateKEK() throws -> Int { try keystore.rotateKEK() }

    /// 只有密钥库的目录（没有操作员）：封存请求以本地用户名记名。完整 home 走 WalletEngine.requestSeal（要操作员）。
    @discardableResult
    public func requestSeal(by name: String, via: String) throws -> Keystore.SealRequest { try keystore.requestSeal(by: name, via: via) }

    /// 导入 Web3 v3 文件（先按预算界定 KDF 参数再解密，见 Web3SecretStorage）。
    public func importV3(json: Data, password: SecretBytes, label: String) throws -> KeyInfo {
        let (key, _) = try Web3SecretStorage.decrypt(json: json, password: password)
        return try keystore.importPrivateKey(key, label: label)
    }

    public func exportV3(id: String, path: String?, password: SecretBytes, kdf: Web3SecretStorage.KDFChoice) throws -> Data {
        try keystore.exportPrivateKey(id: id, path: path) { key in try Web3SecretStorage.encrypt(privateKey: key, password: password, kdf: kdf) }
    }

    public func importMnemonic(_ mnemonic: SecretBytes, passphrase: SecretBytes?, label: String) throws -> KeyInfo {
        try keystore.importMnemonic(mnemonic, passphrase: passphrase, label: label)
    }

    /// SLIP-39 份额还原熵 → BIP-39 助记词 → 导入。
    public func importSLIP39(shares: [SecretBytes], passphrase: SecretBytes?, label: String) throws -> KeyInfo {
        let entropy = try SLIP39.combine(shares)
        return try importMnemonic(try BIP39.mnemonic(entropy: entropy), passphrase: passphrase, label: label)
    }

    public func generateHSMKey(module: String, token: String, pin: SecretBytes, label: String) throws -> KeyInfo {
        try keystore.generateHSMKey(modulePath: module, tokenLabel: token, pin: pin, label: label)
    }

    /// 用登记的密钥签 32 字节摘要（低 S + 恢复 id）。
    public func createKMSKey(socket: String, label: String) throws -> KeyInfo {
        try keystore.createKMSKey(socketPath: socket, label: label)
    }

    public func signDigest(id: String, digest: [UInt8]) async throws -> (signature: RecoverableSignature, address: String) {
        let s = try keystore.signer(for: id)
        return (try await s.sign(digest32: digest), s.address.checksummed)
    }

    public func startCeremony(operatorName: String, label: String) throws -> CeremonyEngine {
        try CeremonyEngine(keystore: keystore, operatorName: operatorName, label: label)
    }

    public func kmsServer(_ config: KMSServer.Config) -> KMSServer { KMSServer(keystore: keystore, config: config) }

    // —— 令牌管理（不涉及密钥库）——
    public static func initHSMToken(module: String, label: String, soPin: SecretBytes, userPin: SecretBytes) throws -> UInt {
        try PKCS11Module.load(module).initToken(label: label, soPin: soPin, userPin: userPin)
    }

    public static func hsmTokens(module: String) throws -> [PKCS11Module.Token] { try PKCS11Module.load(module).tokens() }
}

// 面需要读的密钥库值类型（机密类型不在其中）。
public typealias SealStatus = WalletKeystore.SealStatus
public typealias KeyInfo = WalletKeystore.KeyInfo
public typealias TierAvailability = WalletKeystore.TierAvailability
public typealias CeremonyEngine = WalletKeystore.CeremonyEngine
public typealias KMSServer = WalletKeystore.KMSServer
public typealias KMSClient = WalletKeystore.KMSClient
public typealias Web3SecretStorage = WalletKeystore.Web3SecretStorage
public typealias ProcessHardening = WalletKeystore.ProcessHardening
public typealias Keystore = WalletKeystore.Keystore
public typealias ShamirError = WalletKeystore.ShamirError

extension WalletEngine {
    /// 完整 home 的密钥库管理（轮换、导入导出、HSM 生成与签名、仪式）：admin，在引擎里授权并写审计。
    public func managedKeystore(by op: Operator) throws -> HomeKeystore {
        try authorize(op, .keystoreManage)
        try recordAudit(op, action: "keystore.manage", subject: keystore.keystoreId, cli: "keystore", via: "cli")
        return HomeKeystore(keystore)
    }
}
