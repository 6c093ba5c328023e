// `wallet-console keystore …`：初始化、解封/封存、状态、列表、KEK 轮换（导入导出见 KeystoreImportCommands.swift）。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine

struct KeystoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keystore",
        abstract: L("加密 keystore：封存/解封、KEK 轮换、v3 导入导出", "encrypted keystore: seal/unseal, KEK rotation, Web3 v3 import/export"),
        subcommands: [KeystoreInit.self, KeystoreUnseal.self, KeystoreSeal.self, KeystoreStatus.self, KeystoreList.self,
                      KeystoreRotateKEK.self] + KeystoreImportExport.commands)
}

struct KeystoreInit: AsyncParsableCommand {
    /// 口令模式只有 keystoreId 与 mode；份额模式另有 threshold、shareCount、shares。
    struct InitJSON: Encodable {
        var keystoreId: String
        var mode: String
        var threshold: Int?
        var shareCount: Int?
        var shares: [String]?
    }

    static let configuration = CommandConfiguration(commandName: "init", abstract: L("创建 keystore（口令或 T-of-N 份额解封）", "create the keystore (unsealed by a passphrase or T-of-N shares)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("操作员口令文件（口令模式）", "operator passphrase file (passphrase mode)"))) var passphraseFile: String?
    @Option(name: .long, help: ArgumentHelp(L("份额模式：T-of-N，例如 3-of-5；KEK 份额只打印这一次", "share mode: T-of-N, e.g. 3-of-5; the KEK shares are printed this one time only"))) var unsealShares: String?
    @Option(name: .long, help: ArgumentHelp(L("scrypt log2(N)（默认 17）", "scrypt log2(N) (default 17)"), visibility: .hidden)) var scryptLogN: Int = 17

    func run() async throws {
        await CLI.runAsync(g) {
            guard (passphraseFile == nil) != (unsealShares == nil) else {
                throw WalletError("keystore.init_mode", zh: "必须二选一：--passphrase-file F 或 --unseal-shares T-of-N。",
                                        en: "choose exactly one: --passphrase-file F or --unseal-shares T-of-N.", badInput: true)
            }
            if let f = passphraseFile {
                let p = try CLI.readSecretFile(f, what: g.language == .zh ? "口令" : "passphrase")
                let ks = try HomeKeystore.create(home: home.resolved, passphrase: p, scryptLogN: scryptLogN)
                if g.json { CLI.printJSON(InitJSON(keystoreId: ks.keystoreId, mode: "passphrase")) } else {
                    print(g.language == .zh ? "已创建 keystore \(ks.keystoreId)（口令解封）。" : "created keystore \(ks.keystoreId) (passphrase unseal).")
                }
            } else {
                let parts = unsealShares!.lowercased().split(separator: "-")
                guard parts.count == 3, parts[1] == "of", let t = Int(parts[0]), let n = Int(parts[2]) else {
                    throw WalletError("keystore.shares_format", zh: "--unseal-shares 格式应为 T-of-N，例如 3-of-5。",
                                            en: "--unseal-shares must look like T-of-N, e.g. 3-of-5.", badInput: true)
                }
                let zh = g.language == .zh
                let (ks, shares) = try HomeKeystore.create(home: home.resolved, threshold: t, shares: n, scryptLogN: scryptLogN)
                if g.json {
                    // 脚本要的 JSON：份额在这里才变成文本（脚本自己负责把它送到哪里）。
                    CLI.printJSON(InitJSON(keystoreId: ks.keystoreId, mode: "shares", threshold: t, shareCount: n,
                                           shares: shares.map { String(decoding: $0.unsafeArray(), as: UTF8.self) }))
                } else if isatty(STDOUT_FILENO) == 1, let screen = SecretScreen() {
                    // 终端上：备用屏幕，一次一份、每份按回车确认后清屏；结束后主屏幕与回滚区里没有任何份额。
                    for (i, s) in shares.enumerated() {
                        screen.page(zh ? "解封份额 \(i + 1)/\(n)（任意 \(t) 份可解封）——只请第 \(i + 1) 位持有人看屏幕并抄写：" : "Unseal share \(i + 1)/\(n) (any \(t) unseal) — only holder \(i + 1) looks and copies:",
                                    secret: s,
                                    footer: zh ? "抄好后按回车（屏幕会清空，再叫下一位）" : "Press Enter when copied (the screen clears before the next holder)")
                        screen.waitForEnter()
                    }
                    screen.close()
                    print(zh ? "已创建 keystore \(ks.keystoreId)：解封需要 \(n) 份中的任意 \(t) 份；\(n) 份已逐一显示并清屏。"
                             : "created keystore \(ks.keystoreId): any \(t) of \(n) shares unseal it; all \(n) were shown one at a time and cleared.")
                } else {
                    print(zh
                          ? "已创建 keystore \(ks.keystoreId)：解封需要 \(n) 份中的任意 \(t) 份。以下份额只显示这一次，每位持有人抄写自己那一份："
                          : "created keystore \(ks.keystoreId): any \(t) of \(n) shares unseal it. Shown only once; each holder copies their own:")
                    for (i, s) in shares.enumerated() { print("  [\(i + 1)/\(n)] " + String(decoding: s.unsafeArray(), as: UTF8.self)) }
                }
            }
        }
    }
}

struct KeystoreUnseal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unseal",
        abstract: L("验证解封材料（口令或份额）；每个命令进程独立解封，进程结束即封存", "verify the unseal material (passphrase or shares); each command process unseals on its own and is sealed again when it exits"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("份额文件（每行一份），等同 --unseal-shares-file", "share file (one share per line); same as --unseal-shares-file"))) var sharesFile: String?

    func run() async throws {
        await CLI.runAsync(g) {
            var uo = u
            if uo.unsealSharesFile == nil { uo.unsealSharesFile = sharesFile }
            let ks = try await EngineCLI.keystore(home, unseal: uo, lang: g.language)
            let n = try ks.list().count
            if g.json { CLI.printJSON(KeystoreCLI.statusJSON(ks.sealStatus(), keys: n)) } else {
                print(g.language == .zh ? "解封成功：keystore \(ks.keystoreId)，\(n) 把密钥。" : "unsealed keystore \(ks.keystoreId), \(n) keys.")
            }
            ks.seal(via: "cli")
        }
    }
}

struct KeystoreSeal: AsyncParsableCommand {
    struct SealJSON: Encodable {
        var sealed = true
        var generation: Int
        var `operator`: String
        var at: Int64
    }

    static let configuration = CommandConfiguration(commandName: "seal",
        abstract: L("恐慌按钮：封存，并让每个运行中的引擎 2 秒内丢弃全部密钥材料、停止签名（custodian/admin；审计）", "panic button: seal, and make every running engine drop all key material and stop signing within 2 seconds (custodian/admin; audited)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            let req: Keystore.SealRequest
            if HomeKeystore.isWalletHome(home.resolved) {
                let e = try await EngineCLI.open(home)
                req = try e.requestSeal(by: try EngineCLI.authenticate(e, auth), via: "cli")
            } else {
                req = try HomeKeystore.open(home: home.resolved).requestSeal(by: NSUserName(), via: "cli")
            }
            if g.json {
                CLI.printJSON(SealJSON(generation: req.generation, operator: req.operatorName, at: req.at))
            } else {
                print(zh ? "已封存（第 \(req.generation) 次封存请求，\(req.operatorName)）：运行中的引擎会在 2 秒内丢弃密钥、停止签名；已批准的提现等待。解封：重启 engine run 并提供解封口令或份额。"
                         : "sealed (seal request #\(req.generation) by \(req.operatorName)): running engines drop their keys and stop signing within 2 seconds; approved withdrawals wait. To unseal, restart engine run with the unseal passphrase or shares.")
            }
        }
    }
}

struct KeystoreStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: L("封存状态、阈值、KEK 版本与年龄、失败次数", "seal state, threshold, KEK version and age, failure count"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption

    func run() async throws {
        await CLI.runAsync(g) {
            guard HomeKeystore.exists(home: home.resolved) else {
                if g.json { CLI.printJSON(KeystoreCLI.NotInitializedJSON()) } else {
                    print(g.language == .zh ? "尚未初始化 keystore（keystore init）。" : "no keystore yet (keystore init).")
                }
                return
            }
            let ks = try await EngineCLI.keystore(home, lang: g.language)
            let s = ks.sealStatus()
            let n = try ks.list().count
            let tiers = KeystoreCLI.tiers(ks, home)
            if g.json {
                CLI.printJSON(Merged(base: KeystoreCLI.statusJSON(s, keys: n), extra: KeystoreCLI.TiersField(tiers: KeystoreCLI.tiersJSON(tiers))))
                return
            }
            let zh = g.language == .zh
            print(zh ? "keystore \(s.keystoreId)" : "keystore \(s.keystoreId)")
            print(zh ? "  状态：\(s.sealed ? "已封存" : "已解封")" : "  state: \(s.sealed ? "sealed" : "unsealed")")
            if s.mode == .shares {
                print(zh ? "  解封：\(s.threshold ?? 0)-of-\(s.shareCount ?? 0) 份额，进度 \(s.progress)" : "  unseal: \(s.threshold ?? 0)-of-\(s.shareCount ?? 0) shares, progress \(s.progress)")
            } else { print(zh ? "  解封：操作员口令（scrypt）" : "  unseal: operator passphrase (scrypt)") }
            print(zh ? "  KEK：v\(s.kekVersion)，创建于 \(s.kekCreated)（\(s.kekAgeSeconds / 86400) 天）" : "  KEK: v\(s.kekVersion), created \(s.kekCreated) (\(s.kekAgeSeconds / 86400) days)")
            print(zh ? "  密钥：\(n) 把；连续解封失败：\(s.failedAttempts) 次" : "  keys: \(n); consecutive unseal failures: \(s.failedAttempts)")
            for t in tiers { print("  \(t.tier.rawValue)\(zh ? "：" : ": ")\(t.available ? (zh ? "可用" : "available") : (zh ? "不可用" : "unavailable"))  \(BilingualText.pick(t.detail, g.language))") }
        }
    }
}

struct KeystoreList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("列出密钥（不需要解封）", "list keys (no unseal needed)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption

    func run() async throws {
        await CLI.runAsync(g) {
            let keys = try await EngineCLI.keystore(home, lang: g.language).list()
            if g.json { CLI.printJSON(keys.map(KeystoreCLI.keyJSON)); return }
            if keys.isEmpty { print(g.language == .zh ? "（没有密钥）" : "(no keys)") }
            for k in keys { print("\(k.id)  \(k.tier.rawValue)  \(k.kind.rawValue)  \(k.address ?? k.fingerprint ?? "-")  \(k.label)  \(k.created)") }
        }
    }
}

struct KeystoreRotateKEK: AsyncParsableCommand {
    struct RotateJSON: Encodable { var kekVersion: Int }

    static let configuration = CommandConfiguration(commandName: "rotate-kek", abstract: L("轮换 KEK：重新封装全部数据密钥，退役旧版本", "rotate the KEK: re-wrap all data keys and retire the old version"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions

    func run() async throws {
        await CLI.runAsync(g) {
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            let v = try ks.rotateKEK()
            ks.seal(via: "cli")
            if g.json { CLI.printJSON(RotateJSON(kekVersion: v)) } else {
                print(g.language == .zh ? "KEK 已轮换到 v\(v)；旧版本已退役。" : "KEK rotated to v\(v); old versions retired.")
            }
        }
    }
}
