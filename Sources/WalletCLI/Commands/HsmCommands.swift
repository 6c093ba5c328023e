// `wallet-console hsm init-token|keygen|list|sign`：真实 PKCS#11 模块（SoftHSM2 或硬件 HSM 的 .so）。PIN 只从文件或 TTY 读取。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine

struct HsmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hsm", abstract: L("PKCS#11 HSM 令牌与签名", "PKCS#11 HSM tokens and signing"),
                                                    subcommands: [HsmInitToken.self, HsmKeygen.self, HsmList.self, HsmSign.self, HsmSetPin.self])
    static let defaultModule = "/usr/lib/softhsm/libsofthsm2.so"

    struct InitTokenJSON: Encodable { var label: String; var slot: UInt }
    /// hsm keygen、kms keygen：新密钥；没有地址时 address 是空串。
    struct KeygenJSON: Encodable { var id: String; var address: String; var tier: String }
    struct TokenJSON: Encodable { var slot: UInt; var label: String; var initialized: Bool; var serial: String }
    struct ListJSON: Encodable { var tokens: [TokenJSON]; var keys: [KeystoreCLI.KeyJSON] }
    /// r、s 是 32 字节十六进制（不带 0x），v 是恢复 id（0/1）。
    struct SignJSON: Encodable { var r: String; var s: String; var v: Int; var address: String }
    struct SetPinJSON: Encodable { var keyId: String; var updated = true }
}

struct HsmInitToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init-token", abstract: L("在空槽位初始化令牌并设置用户 PIN", "initialize a token in an empty slot and set the user PIN"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("PKCS#11 模块路径", "PKCS#11 module path"))) var module: String = HsmCommand.defaultModule
    @Option(name: .long, help: ArgumentHelp(L("令牌标签", "token label"))) var label: String
    @Option(name: .long, help: ArgumentHelp(L("安全官（SO）PIN 文件", "security officer (SO) PIN file"))) var soPinFile: String?
    @OptionGroup var auth: OperatorOptions
    @Option(name: .long, help: ArgumentHelp(L("用户 PIN 文件", "user PIN file"))) var pinFile: String?

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            // 完整钱包 home 里初始化令牌也要 admin（授权在引擎里）；只有密钥库的目录以持有 PIN 为准。
            if HomeKeystore.isWalletHome(home.resolved) {
                let e = try await EngineCLI.open(home)
                _ = try e.managedKeystore(by: try EngineCLI.authenticate(e, auth))
            }
            let so = try KeystoreCLI.readSecret(file: soPinFile, what: "SO PIN", prompt: zh ? "SO PIN：" : "SO PIN: ")
            let pin = try KeystoreCLI.readSecret(file: pinFile, what: zh ? "用户 PIN" : "user PIN", prompt: zh ? "用户 PIN：" : "User PIN: ")
            let slot = try HomeKeystore.initHSMToken(module: module, label: label, soPin: so, userPin: pin)
            if g.json { CLI.printJSON(HsmCommand.InitTokenJSON(label: label, slot: slot)) } else {
                print(zh ? "令牌 '\(label)' 已初始化（槽位 \(slot)）。" : "token '\(label)' initialised (slot \(slot)).")
            }
        }
    }
}

struct HsmKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: L("在令牌上生成 secp256k1 密钥（不可导出）并登记到 keystore", "generate a secp256k1 key on the token (non-extractable) and register it in the keystore"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("PKCS#11 模块路径", "PKCS#11 module path"))) var module: String = HsmCommand.defaultModule
    @Option(name: .long, help: ArgumentHelp(L("令牌标签", "token label"))) var token: String
    @Option(name: .long, help: ArgumentHelp(L("用户 PIN 文件", "user PIN file"))) var pinFile: String?
    @Option(name: .long, help: ArgumentHelp(L("密钥标签", "key label"))) var label: String

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            defer { ks.seal(via: "cli") }
            let pin = try KeystoreCLI.readSecret(file: pinFile, what: zh ? "用户 PIN" : "user PIN", prompt: zh ? "用户 PIN：" : "User PIN: ")
            let info = try ks.generateHSMKey(module: module, token: token, pin: pin, label: label)
            if g.json { CLI.printJSON(HsmCommand.KeygenJSON(id: info.id, address: info.address ?? "", tier: info.tier.rawValue)) } else {
                print(zh ? "已在令牌 '\(token)' 上生成密钥 \(info.id)，地址 \(info.address ?? "")" : "generated key \(info.id) on token '\(token)', address \(info.address ?? "")")
            }
        }
    }
}

struct HsmList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("列出模块上的令牌与 keystore 中登记的 HSM 密钥", "list the module's tokens and the HSM keys registered in the keystore"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("PKCS#11 模块路径", "PKCS#11 module path"))) var module: String = HsmCommand.defaultModule

    func run() async throws {
        await CLI.runAsync(g) {
            let tokens = try HomeKeystore.hsmTokens(module: module)
            let keys = HomeKeystore.exists(home: home.resolved) ? try await EngineCLI.keystore(home, lang: g.language).list().filter { $0.tier == .hsm } : []
            if g.json {
                CLI.printJSON(HsmCommand.ListJSON(tokens: tokens.map { .init(slot: $0.slot, label: $0.label, initialized: $0.initialized, serial: $0.serial) },
                                                  keys: keys.map(KeystoreCLI.keyJSON)))
                return
            }
            for t in tokens { print("slot \(t.slot)  \(t.initialized ? t.label : (g.language == .zh ? "（空）" : "(empty)"))  \(t.serial)") }
            for k in keys { print("\(k.id)  \(k.hsm?.tokenLabel ?? "")  \(k.address ?? "")  \(k.label)") }
        }
    }
}

struct HsmSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: L("用 HSM 密钥签 32 字节摘要（低 S + 恢复 id）", "sign a 32-byte digest with an HSM key (low S + recovery id)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("keystore 中的密钥 id", "key id in the keystore"))) var id: String
    @Option(name: .long, help: ArgumentHelp(L("32 字节摘要（十六进制）", "32-byte digest (hex)"))) var digest: String

    func run() async throws {
        await CLI.runAsync(g) {
            guard let d = try? Hex.decode(digest), d.count == 32 else {
                throw WalletError("hsm.bad_digest", zh: "--digest 必须是 32 字节十六进制。", en: "--digest must be 32 bytes of hex.", badInput: true)
            }
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            defer { ks.seal(via: "cli") }
            let (sig, address) = try await ks.signDigest(id: id, digest: d)
            let out = HsmCommand.SignJSON(r: sig.r.hex, s: sig.s.hex, v: Int(sig.recoveryId), address: address)
            if g.json { CLI.printJSON(out) } else { print("r=\(sig.r.hex)\ns=\(sig.s.hex)\nv=\(sig.recoveryId)") }
        }
    }
}

struct HsmSetPin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set-pin",
        abstract: L("令牌上的用户 PIN 改了之后更新存着的 PIN（custodian/admin，先在令牌上验证，审计）", "update the stored PIN after the user PIN on the token has changed (custodian/admin; verified on the token first; audited)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("keystore 中的 HSM 密钥 id", "HSM key id in the keystore"))) var key: String
    @Option(name: .long, help: ArgumentHelp(L("新的用户 PIN 文件（缺省时在 TTY 上提示）", "new user PIN file (prompted for on the TTY if omitted)"))) var pinFile: String?

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            let e = try await EngineCLI.open(home)
            let op = try EngineCLI.authenticate(e, auth)
            try EngineCLI.unseal(e, u, lang: g.language)
            defer { e.seal() }
            let pin = try KeystoreCLI.readSecret(file: pinFile, what: zh ? "新的用户 PIN" : "new user PIN", prompt: zh ? "新的用户 PIN：" : "New user PIN: ")
            try e.updateHSMPin(keyId: key, pin: pin, by: op)
            if g.json { CLI.printJSON(HsmCommand.SetPinJSON(keyId: key)) } else {
                print(zh ? "密钥 \(key) 的 PIN 已在令牌上验证并更新；运行中的引擎下一次重连时用新 PIN。" : "the PIN of key \(key) was verified on the token and updated; a running engine uses it on its next reconnect.")
            }
        }
    }
}
