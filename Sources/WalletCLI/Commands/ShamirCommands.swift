// `wallet-console shamir split|combine`：SLIP-39 分组份额（与 Trezor 参考实现互通）。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletKeystore

struct ShamirCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shamir", abstract: L("SLIP-39 份额拆分与组合", "SLIP-39 Shamir shares: split and combine"),
                                                    subcommands: [ShamirSplit.self, ShamirCombine.self])
}

enum ShamirCLI {
    /// 主秘密文件：十六进制文本（16–32+ 字节，偶数长度）。
    static func readMasterSecret(_ path: String, lang: Language) throws -> SecretBytes {
        let raw = try CLI.readSecretFile(path, what: lang == .zh ? "主秘密" : "master secret")
        var text = raw.unsafeArray().filter { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        defer { SecretBytes.wipe(&text) }
        var bytes = (try? Hex.decode(String(decoding: text, as: UTF8.self))) ?? []
        guard !bytes.isEmpty else {
            throw WalletError("shamir.secret_format", zh: "主秘密文件应包含十六进制文本（例如 32 个十六进制字符 = 16 字节）。",
                                    en: "the master secret file must contain hex text (e.g. 32 hex chars = 16 bytes).", badInput: true)
        }
        return SecretBytes(consuming: &bytes)
    }

    static func passphrase(_ file: String?, lang: Language) throws -> SecretBytes {
        guard let file else { return SecretBytes(count: 0) }
        return try CLI.readSecretFile(file, what: lang == .zh ? "SLIP-39 口令" : "SLIP-39 passphrase")
    }
}

struct ShamirSplit: AsyncParsableCommand {
    /// 每组一个数组，每项一份 SLIP-39 助记词。
    struct SplitJSON: Encodable { var groups: [[String]] }

    static let configuration = CommandConfiguration(commandName: "split", abstract: L("把主秘密拆成 SLIP-39 分组份额", "split a master secret into grouped SLIP-39 shares"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("主秘密文件（十六进制文本）", "master secret file (hex text)"))) var secretFile: String
    @Option(name: .long, help: ArgumentHelp(L("需要的组数", "number of groups required"))) var groupThreshold: Int = 1
    @Option(name: .long, help: ArgumentHelp(L("一个组：M-of-N（可重复）", "one group: M-of-N (repeatable)"))) var group: [String] = []
    @Option(name: .long, help: ArgumentHelp(L("SLIP-39 口令文件（可打印 ASCII）", "SLIP-39 passphrase file (printable ASCII)"))) var passphraseFile: String?
    @Option(name: .long, help: ArgumentHelp(L("PBKDF2 迭代指数 0..15（默认 1）", "PBKDF2 iteration exponent 0..15 (default 1)"))) var iterationExponent: Int = 1
    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp(L("可扩展份额标志（默认开启）", "extendable-shares flag (on by default)"))) var extendable = true

    func run() async throws {
        await CLI.runAsync(g) {
            guard !group.isEmpty else {
                throw WalletError("shamir.no_group", zh: "至少给一个 --group M-of-N。", en: "give at least one --group M-of-N.", badInput: true)
            }
            let groups: [(threshold: Int, count: Int)] = try group.map { s in
                let p = s.lowercased().split(separator: "-")
                guard p.count == 3, p[1] == "of", let m = Int(p[0]), let n = Int(p[2]) else {
                    throw WalletError("shamir.group_format", zh: "--group 格式应为 M-of-N（收到 '\(s)'）。", en: "--group must look like M-of-N (got '\(s)').", badInput: true)
                }
                return (m, n)
            }
            let secret = try ShamirCLI.readMasterSecret(secretFile, lang: g.language)
            let pass = try ShamirCLI.passphrase(passphraseFile, lang: g.language)
            let out = try SLIP39.generate(groupThreshold: groupThreshold, groups: groups, masterSecret: secret, passphrase: pass,
                                          extendable: extendable, iterationExponent: iterationExponent)
            // 这条命令的用途就是输出份额：只在打印这一刻解码成文字。
            func text(_ s: SecretBytes) -> String { String(decoding: s.unsafeArray(), as: UTF8.self) }
            if g.json { CLI.printJSON(SplitJSON(groups: out.map { $0.map(text) })); return }
            for (gi, shares) in out.enumerated() {
                print(g.language == .zh ? "第 \(gi + 1) 组（\(groups[gi].threshold)-of-\(groups[gi].count)）：" : "group \(gi + 1) (\(groups[gi].threshold)-of-\(groups[gi].count)):")
                for (i, s) in shares.enumerated() { print("  [\(i + 1)] " + text(s)) }
            }
        }
    }
}

struct ShamirCombine: AsyncParsableCommand {
    struct CombineJSON: Encodable { var masterSecret: String }

    static let configuration = CommandConfiguration(commandName: "combine", abstract: L("组合 SLIP-39 份额，恢复主秘密", "combine SLIP-39 shares to recover the master secret"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("份额文件：每行一份助记词", "share file: one share mnemonic per line"))) var sharesFile: String
    @Option(name: .long, help: ArgumentHelp(L("SLIP-39 口令文件", "SLIP-39 passphrase file"))) var passphraseFile: String?

    func run() async throws {
        await CLI.runAsync(g) {
            let lines = try KeystoreCLI.readSecretLines(sharesFile, what: g.language == .zh ? "份额" : "shares")
            let mnemonics = lines.map { String(decoding: $0.unsafeArray(), as: UTF8.self) }
            let ms = try SLIP39.combine(mnemonics, passphrase: try ShamirCLI.passphrase(passphraseFile, lang: g.language))
            if g.json { CLI.printJSON(CombineJSON(masterSecret: ms.unsafeArray().hex)) } else { print(ms.unsafeArray().hex) }
        }
    }
}
