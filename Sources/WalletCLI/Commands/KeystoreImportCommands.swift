// keystore 导入导出：Web3 v3（geth/MetaMask）、BIP-39 助记词（或 SLIP-39 份额还原的熵）。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine

enum KeystoreImportExport {
    static let commands: [ParsableCommand.Type] = [KeystoreImportV3.self, KeystoreExportV3.self, KeystoreImportMnemonic.self]
}

struct KeystoreImportV3: AsyncParsableCommand {
    /// 没有地址时 address 是空串（不是 null）。
    struct ImportJSON: Encodable { var id: String; var address: String }

    static let configuration = CommandConfiguration(commandName: "import-v3", abstract: L("导入 Web3 Secret Storage v3 文件 → {id, address}", "import a Web3 Secret Storage v3 file → {id, address}"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("v3 keystore 文件", "v3 keystore file"))) var file: String
    @Option(name: .long, help: ArgumentHelp(L("v3 文件口令文件", "passphrase file for the v3 file"))) var passwordFile: String
    @Option(name: .long, help: ArgumentHelp(L("标签", "label"))) var label: String?

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            guard let data = FileManager.default.contents(atPath: file) else {
                throw WalletError("file.unreadable", zh: "无法读取 v3 文件 '\(file)'。", en: "cannot read v3 file '\(file)'.", badInput: true)
            }
            let pw = try CLI.readSecretFile(passwordFile, what: zh ? "v3 口令" : "v3 password")
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            defer { ks.seal(via: "cli") }
            let info = try ks.importV3(json: data, password: pw, label: label ?? (file as NSString).lastPathComponent)
            if g.json { CLI.printJSON(ImportJSON(id: info.id, address: info.address ?? "")) } else {
                print(zh ? "已导入 \(info.id)：\(info.address ?? "")" : "imported \(info.id): \(info.address ?? "")")
            }
        }
    }
}

struct KeystoreExportV3: AsyncParsableCommand {
    struct ExportJSON: Encodable { var id: String; var out: String; var kdf: String }

    static let configuration = CommandConfiguration(commandName: "export-v3", abstract: L("导出私钥为 Web3 v3 文件（geth / eth-keyfile 可解密）", "export a private key as a Web3 v3 file (decryptable by geth / eth-keyfile)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("密钥 id", "key id"))) var id: String
    @Option(name: .long, help: ArgumentHelp(L("新 v3 文件口令文件", "passphrase file for the new v3 file"))) var passwordFile: String
    @Option(name: .long, help: ArgumentHelp(L("输出文件（0600，已存在则拒绝）", "output file (0600; refused if it already exists)"))) var out: String
    @Option(name: .long, help: ArgumentHelp(L("密钥派生函数：scrypt | pbkdf2", "key derivation function: scrypt | pbkdf2"))) var kdf: String = "scrypt"
    @Option(name: .long, help: ArgumentHelp(L("种子条目的派生路径（默认 m/44'/60'/0'/0/0）", "derivation path for seed entries (default m/44'/60'/0'/0/0)"))) var path: String?
    @Option(name: .long, help: ArgumentHelp(L("scrypt log2(N)（默认 18）", "scrypt log2(N) (default 18)"), visibility: .hidden)) var scryptLogN: Int = 18
    @Option(name: .long, help: ArgumentHelp(L("pbkdf2 迭代（默认 262144）", "pbkdf2 iterations (default 262144)"), visibility: .hidden)) var pbkdf2Iterations: Int = 262_144

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            let choice: Web3SecretStorage.KDFChoice
            switch kdf {
            case "scrypt": choice = .scrypt(n: 1 << UInt64(max(1, min(20, scryptLogN))), r: 8, p: 1)
            case "pbkdf2": choice = .pbkdf2(iterations: max(1, pbkdf2Iterations))
            default: throw WalletError("v3.bad_kdf", zh: "--kdf 只能是 scrypt 或 pbkdf2。", en: "--kdf must be scrypt or pbkdf2.", badInput: true)
            }
            guard !FileManager.default.fileExists(atPath: out) else {
                throw WalletError("file.exists", zh: "输出文件 '\(out)' 已存在，拒绝覆盖。", en: "output file '\(out)' exists; refusing to overwrite.", badInput: true)
            }
            let pw = try CLI.readSecretFile(passwordFile, what: zh ? "v3 口令" : "v3 password")
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            let json = try ks.exportV3(id: id, path: path, password: pw, kdf: choice)
            ks.seal(via: "cli")
            guard FileManager.default.createFile(atPath: out, contents: json, attributes: [.posixPermissions: 0o600]) else {
                throw WalletError("file.unwritable", zh: "无法写入 '\(out)'。", en: "cannot write '\(out)'.", badInput: true)
            }
            if g.json { CLI.printJSON(ExportJSON(id: id, out: out, kdf: kdf)) } else { print(zh ? "已写入 \(out)" : "wrote \(out)") }
        }
    }
}

struct KeystoreImportMnemonic: AsyncParsableCommand {
    struct ImportJSON: Encodable { var id: String; var address: String; var fingerprint: String }

    static let configuration = CommandConfiguration(commandName: "import-mnemonic", abstract: L("导入 BIP-39 助记词（或用 SLIP-39 份额还原）", "import a BIP-39 mnemonic (or recover it from SLIP-39 shares)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("助记词文件", "mnemonic file"))) var mnemonicFile: String?
    @Option(name: .long, help: ArgumentHelp(L("SLIP-39 份额文件（每行一份；还原出熵后转为助记词）", "SLIP-39 share file (one share per line; the recovered entropy is turned into a mnemonic)"))) var slip39SharesFile: String?
    @Option(name: .long, help: ArgumentHelp(L("BIP-39 口令文件", "BIP-39 passphrase file"))) var passphraseFile: String?
    @Option(name: .long, help: ArgumentHelp(L("标签", "label"))) var label: String = "hd-seed"

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            var mnemonic: SecretBytes?
            var shares: [SecretBytes] = []
            if let f = mnemonicFile {
                mnemonic = try CLI.readSecretFile(f, what: zh ? "助记词" : "mnemonic")
            } else if let f = slip39SharesFile {
                shares = try KeystoreCLI.readSecretLines(f, what: zh ? "SLIP-39 份额" : "SLIP-39 shares")
            } else {
                throw WalletError("keystore.no_mnemonic", zh: "需要 --mnemonic-file 或 --slip39-shares-file。", en: "--mnemonic-file or --slip39-shares-file is required.", badInput: true)
            }
            let pass = try passphraseFile.map { try CLI.readSecretFile($0, what: zh ? "BIP-39 口令" : "BIP-39 passphrase") }
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            defer { ks.seal(via: "cli") }
            let info = try mnemonic.map { try ks.importMnemonic($0, passphrase: pass, label: label) }
                ?? ks.importSLIP39(shares: shares, passphrase: pass, label: label)
            if g.json { CLI.printJSON(ImportJSON(id: info.id, address: info.address ?? "", fingerprint: info.fingerprint ?? "")) } else {
                print(zh ? "已导入 \(info.id)：主指纹 \(info.fingerprint ?? "")，热钱包地址 \(info.address ?? "")" : "imported \(info.id): fingerprint \(info.fingerprint ?? ""), hot address \(info.address ?? "")")
            }
        }
    }
}
