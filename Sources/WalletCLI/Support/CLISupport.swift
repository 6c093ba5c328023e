// CLI 公共约定：--lang/--json/--home、错误输出与退出码、从文件读取机密。
// 约定：机器输出是 stdout 上的 JSON；错误在 stderr；输入错误退出 2，检查失败退出 1。
import ArgumentParser
import Foundation
import WalletEngine
import WalletCrypto

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(L("界面语言 zh|en", "interface language: zh|en"))) var lang: String = "zh"
    @Flag(name: .long, help: ArgumentHelp(L("以 JSON 输出（供脚本使用）", "output JSON (for scripts)"))) var json = false

    var language: Language { Language(rawValue: lang) ?? .zh }

    mutating func validate() throws {
        guard Language(rawValue: lang) != nil else {
            throw ValidationError("--lang 只能是 zh 或 en（收到 '\(lang)'） / --lang must be zh or en (got '\(lang)')")
        }
    }
}

struct HomeOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(L("数据目录（默认 $WALLET_CONSOLE_HOME 或 ~/.local/share/wallet-console）", "data directory (default $WALLET_CONSOLE_HOME or ~/.local/share/wallet-console)")))
    var home: String?

    var resolved: String {
        if let home { return home }
        if let env = ProcessInfo.processInfo.environment["WALLET_CONSOLE_HOME"], !env.isEmpty { return env }
        let base = ProcessInfo.processInfo.environment["XDG_DATA_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("wallet-console")
    }
}

enum CLI {
    /// 把错误以所选语言写到 stderr 并以约定的退出码结束。
    static func fail(_ error: Error, lang: Language, json: Bool) -> Never {
        // 一个错误模型：码、说明、退出码都来自 WalletError；不认识的错误报 internal（只带类型名，不打印任意错误的描述）。
        let w = WalletError(error)
        let code = w.code.rawValue, message = w.message(lang), exitCode = w.exitCode
        let prefix = lang == .zh ? "错误" : "error"
        FileHandle.standardError.write(Data("\(prefix) [\(code)]: \(message)\n".utf8))
        if json {
            FileHandle.standardError.write(encodeJSON(ErrorJSON(error: .init(code: code, message: message)), pretty: false) + Data("\n".utf8))
        }
        Foundation.exit(exitCode)
    }

    /// 当前命令的界面语言（CLI.run 设置；给没有 GlobalOptions 的辅助函数用）。
    nonisolated(unsafe) static var language: Language = .zh

    /// 运行命令体，统一处理错误。
    static func run(_ g: GlobalOptions, _ body: () throws -> Void) {
        language = g.language
        do { try body() } catch let p as AdminProposalPending {
            // 记为提议、尚未生效：退出码 3（不是失败，也不能被脚本当成已执行）。提议本身打到 stdout。
            if g.json {
                printJSON(AdminCommand.PendingJSON(proposal: AdminCommand.ProposalJSON(p.proposal)))
            } else {
                print(p.message(g.language))
            }
            Foundation.exit(3)
        } catch { fail(error, lang: g.language, json: g.json) }
    }

    /// 报错时说的「什么文件」：不少调用处只给了中文名，英文说明里换成英文（--lang en 绝不显示中文）。
    static let englishNames = ["口令": "passphrase", "助记词": "mnemonic", "种子": "seed", "私钥": "private key", "交易": "transaction",
                               "原始交易": "raw transaction", "请求": "request", "扩展密钥": "extended key", "解封口令": "unseal passphrase",
                               "管理员口令": "admin passphrase", "主秘密": "master secret", "份额": "share"]
    static func englishName(_ what: String) -> String {
        englishNames[what] ?? (BilingualText.hasCJK(what) ? "input" : what)
    }

    static func warn(_ zh: String, _ en: String, _ lang: Language) {
        FileHandle.standardError.write(Data(((lang == .zh ? zh : en) + "\n").utf8))
    }

    /// 从文件读取机密（UTF-8 文本，去掉一个结尾换行）。返回 SecretBytes，绝不经过 argv。
    static func readSecretFile(_ path: String, what: String) throws -> SecretBytes {
        // 组或其他人可读的机密文件：照样读（不打断脚本），但在 stderr 明确提醒（ssh 对私钥文件同样挑剔）。
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            let mode = String(st.st_mode & 0o777, radix: 8)
            warn("警告：\(what)文件 '\(path)' 的权限是 \(mode)，组或其他用户可读；请 chmod 600 '\(path)'。",
                 "warning: the secret file '\(path)' has mode \(mode) and is readable by group or others; run chmod 600 '\(path)'.", language)
        }
        guard var bytes = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            throw WalletError("file.unreadable", zh: "无法读取\(what)文件 '\(path)'：文件不存在或没有读权限。",
                                    en: "cannot read \(englishName(what)) file '\(path)': missing or not readable.", badInput: true)
        }
        if bytes.last == 0x0a { bytes.removeLast() }
        if bytes.last == 0x0d { bytes.removeLast() }
        return SecretBytes(consuming: &bytes)
    }

    /// 写机密文件：不覆盖已有文件（O_EXCL）、0600、写满后 fsync；失败时删掉半成品。
    static func writeSecretFile(_ path: String, _ secret: SecretBytes) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw WalletError("file.unwritable", zh: "无法创建 '\(path)'：\(String(cString: strerror(errno)))。", en: "cannot create '\(path)': \(String(cString: strerror(errno))).", badInput: true)
        }
        var ok = false
        defer { close(fd); if !ok { unlink(path) } }
        let written = secret.withUnsafeBytes { b -> Bool in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return write(fd, "\n", 1) == 1 && fsync(fd) == 0
        }
        guard written else {
            throw WalletError("file.unwritable", zh: "写入 '\(path)' 失败。", en: "writing '\(path)' failed.", badInput: true)
        }
        ok = true
    }

    /// 读取非机密文本文件。
    static func readTextFile(_ path: String, what: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path), let s = String(data: d, encoding: .utf8) else {
            throw WalletError("file.unreadable", zh: "无法读取\(what)文件 '\(path)'（不存在、无权限或不是 UTF-8）。",
                                    en: "cannot read \(englishName(what)) file '\(path)' (missing, unreadable or not UTF-8).", badInput: true)
        }
        return s
    }
}

/// 在同步命令里等待一个异步操作（ArgumentParser 的入口是同步的）。CLI 里唯一的 async→sync 桥。
func runBlocking<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let sem = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.r = .success(try await body()) } catch { box.r = .failure(error) }
        sem.signal()
    }
    sem.wait()
    return try box.r!.get()
}

/// 跨任务传回结果（由信号量保证先写后读）。
// @unchecked Sendable：r 只由分离任务写一次、写完才 signal；调用方在 sem.wait() 返回后才读，信号量建立先写后读。
// T 可以不是 Sendable（泛型结果），放不进 Mutex。
final class ResultBox<T>: @unchecked Sendable { var r: Result<T, Error>? }
