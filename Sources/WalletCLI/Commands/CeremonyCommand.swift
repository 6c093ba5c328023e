// `wallet-console ceremony`：无界面的密钥仪式，在 TTY 上驱动 CeremonyEngine。
// 机密步骤显示在 /dev/tty 上，离开即清屏；stdout 只输出最终摘要（无机密）。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine
#if canImport(Glibc)
import Glibc
#endif

struct CeremonyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ceremony", abstract: L("密钥仪式（生成、核验、SLIP-39 拆分、入库）", "key ceremony (generate, verify, SLIP-39 split, store)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("种子标签", "seed label"))) var label: String = "hd-seed"
    @OptionGroup var auth: OperatorOptions   // 完整钱包 home：admin 认证；只有密钥库的目录：--operator 只是写入审计的名字

    /// xpubs：账户路径 → xpub。
    struct SummaryJSON: Encodable {
        struct Address: Encodable { var path: String; var address: String }
        var id: String
        var fingerprint: String
        var xpubs: [String: String]
        var addresses: [Address]
    }

    func run() async throws {
        await CLI.runAsync(g) {
            let lang = g.language
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: lang)
            let engine = try ks.startCeremony(operatorName: auth.operator ?? NSUserName(), label: label)
            // 整个仪式在备用屏幕里进行：结束、中止或 Ctrl-C 时清屏并回到主屏幕，助记词与份额不进终端回滚区。
            guard let screen = SecretScreen() else { engine.abort(); throw KeystoreCLI.noTTY(lang == .zh ? "仪式交互" : "ceremony interaction") }
            defer { screen.close() }
            let tty = screen.fd
            func say(_ s: String) { screen.raw(s + "\n") }
            // Ctrl-C：中止仪式（清零并删除已写入的条目），离开备用屏幕
            signal(SIGINT, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "ceremony.sigint"))
            src.setEventHandler {
                engine.abort(); screen.close()
                FileHandle.standardError.write(Data((engine.prompt.title(lang) + "\n").utf8)); Foundation.exit(1)
            }
            src.resume()
            while !engine.isFinished {
                let p = engine.prompt
                say("\n== " + p.title(lang) + " ==")
                if let e = p.error(lang) { say("! " + e) }
                for l in p.lines { say(l) }
                let answer: SecretBytes
                switch p.input {
                case .confirm:
                    answer = try KeystoreCLI.promptSecret(lang == .zh ? "[回车继续，输入 abort 中止] " : "[Enter to continue, 'abort' to abort] ", what: "")
                case .secret:
                    answer = try KeystoreCLI.promptSecret("> ", what: "")
                case .text, .choice:
                    var hint = ""
                    if case .choice(let c) = p.input { hint = c.joined(separator: "/") }
                    if let d = p.defaultAnswer, !d.isEmpty { hint += " [\(d)]" }
                    answer = try KeystoreCLI.promptLine(hint + "> ", tty: tty)
                }
                if String(decoding: answer.unsafeArray(), as: UTF8.self) == "abort" { engine.abort(); break }
                do { try engine.submit(answer) } catch {}
                if p.sensitive { say("\u{1b}[2J\u{1b}[H") }  // 离开机密步骤：清屏
            }
            src.cancel()
            screen.close()
            if engine.prompt.step == .aborted {
                throw WalletError("ceremony.aborted", zh: "仪式已中止，未留下任何数据。", en: "ceremony aborted; nothing was kept.", badInput: false)
            }
            ks.seal(via: "cli")
            let s = engine.summary!
            if g.json {
                CLI.printJSON(SummaryJSON(id: s.keyId, fingerprint: s.fingerprint,
                                          xpubs: Dictionary(uniqueKeysWithValues: s.accountXpubs.map { ($0.path, $0.xpub) }),
                                          addresses: s.addresses.map { .init(path: $0.path, address: $0.address) }))
            } else {
                print("id \(s.keyId)\nfingerprint \(s.fingerprint)")
                for x in s.accountXpubs { print("\(x.path) \(x.xpub)") }
                for a in s.addresses { print("\(a.path) \(a.address)") }
            }
        }
    }
}
