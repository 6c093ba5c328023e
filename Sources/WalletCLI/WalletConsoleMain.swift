// wallet-console 可执行入口。每个命令组一个文件，放在 Commands/ 下。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine
#if PostgreSQL
import WalletPostgres
#endif
import WalletQueueRedis

struct WalletConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet-console",
        abstract: L("交易所托管热钱包运维控制台", "custodial exchange hot-wallet operations console"),
        subcommands: CommandRegistry.all,
        defaultSubcommand: ConsoleCommand.self)  // 不带子命令 = 打开控制台
}

/// 入口是 async 的：长时间运行的命令（engine run、kms serve）是 AsyncParsableCommand，在 Swift 并发里跑、由 ServiceGroup 接信号。
/// （不能写成 main.swift 顶层代码：那里 `try await asyncCommand.run()` 会被解析成同步的 run() 要求、只打印帮助。）
@main
enum WalletConsoleMain {
    static func main() async {
        // 任何机密进内存之前：关 core dump、禁止 ptrace 附加；RLIMIT_MEMLOCK 不受限时锁定全部内存。
        ProcessHardening.apply()
        _ = ProcessHardening.memoryLock
        // 账本后端：config.json 里有 database.url 时经 PostgreSQL（WalletPostgres）打开。
        // 不带 PostgreSQL 特性构建时（README 的 debug 测试构建）不登记，打开 postgresql:// 得到 postgres.unavailable。
        #if PostgreSQL
        PostgresBackend.register()
        #endif
        // 任务队列：config.json 里有 queue.url 时经 Redis Streams（WalletQueueRedis）。
        RedisQueueBackend.register()

        // --help 文字按 --lang 选语言：解析之前先从 argv 里找 --lang，help/abstract 经 L(中文, English) 取用（见 HelpText.swift）。
        let argv = Array(CommandLine.arguments.dropFirst())
        CLI.language = preScanLanguage(argv)

        // 合约：输入错误一律退出 2（运维脚本依赖）。ArgumentParser 对缺参数/未知选项默认退出 64，这里统一改成 2。
        do {
            var command = try WalletConsoleCommand.parseAsRoot(movingLangOption(argv))
            // 长时间运行的命令（engine run、kms serve）是 AsyncParsableCommand：在 Swift 并发里跑，ServiceGroup 接信号。
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = WalletConsoleCommand.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((WalletConsoleCommand.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            WalletConsoleCommand.exit(withError: error)
        }
    }

    /// args[i] 是不是 `--lang X` / `--lang=X`：是就给出值与占了几个参数（`--lang` 在行尾时值为空）。三处扫描共用这一个解析。
    static func langOption(_ args: [String], at i: Int) -> (value: String, width: Int)? {
        if args[i] == "--lang" { return (i + 1 < args.count ? args[i + 1] : "", 2) }
        if args[i].hasPrefix("--lang=") { return (String(args[i].dropFirst("--lang=".count)), 1) }
        return nil
    }

    /// 预扫 argv 里的 `--lang en` / `--lang=en`（zh 同理；最后一个有效值为准，`--` 之后不看）。
    /// 无效值不在这里报错：保持默认 zh，由 GlobalOptions 的正常校验报告。
    static func preScanLanguage(_ args: [String]) -> Language {
        var lang = Language.zh, i = 0
        while i < args.count, args[i] != "--" {
            guard let o = langOption(args, at: i) else { i += 1; continue }
            if let l = Language(rawValue: o.value) { lang = l }
            i += o.width
        }
        return lang
    }

    /// 根命令没有 --lang：写在子命令前面的 `--lang X` 会让 ArgumentParser 把整行交给默认子命令 console
    /// （`--lang en withdraw request --help` 显示的是 console 的帮助，`--lang en --help` 看不到根命令的帮助），
    /// 内建的 `help` 命令也不认 --lang。语言已由 preScanLanguage 定下，这里只挪动/去掉 --lang，别的参数原样、顺序不变：
    /// - 开头的 --lang 后面是子命令名：挪到整行末尾（`--` 之前），交给子命令自己的 --lang；
    /// - 开头的 --lang 后面只有 -h/--help/--help-hidden（根命令的帮助）或是 `help …`：去掉 --lang；
    /// - 其他情况（只有 --lang、后面是 console 的选项等）一律不动：仍由默认子命令 console 处理，和以前一样。
    /// 去掉 --lang 的两种情况里，值无效（不是 zh/en）就整行不动，让 ArgumentParser 照常报错，不悄悄吞掉。
    static func movingLangOption(_ args: [String]) -> [String] {
        // 去掉所有值有效的 --lang（`--` 之后不动）；有无效值时返回 nil。
        func strip(_ a: [String]) -> [String]? {
            var rest: [String] = [], i = 0
            while i < a.count {
                if a[i] == "--" { rest += a[i...]; break }
                if let o = langOption(a, at: i) {
                    guard Language(rawValue: o.value) != nil else { return nil }
                    i += o.width
                    continue
                }
                rest.append(a[i])
                i += 1
            }
            return rest
        }
        if args.first == "help" { return strip(args) ?? args }
        guard !args.isEmpty, langOption(args, at: 0) != nil else { return args }
        var i = 0, leading: [String] = []
        while i < args.count, let o = langOption(args, at: i) {
            // 行尾的 `--lang` 没有值：width 2 会越过行尾，下面 args[i...] 就越界崩溃（`wallet-console --lang`）。夹到行尾。
            leading += args[i..<min(i + o.width, args.count)]
            i = min(i + o.width, args.count)
        }
        let rest = Array(args[i...])
        guard let next = rest.first else { return args }
        if next == "help" { return strip(args) ?? args }
        if next.hasPrefix("-") {
            return rest.allSatisfy({ ["-h", "--help", "--help-hidden"].contains($0) }) ? (strip(args) ?? args) : args
        }
        let end = rest.firstIndex(of: "--") ?? rest.count
        return Array(rest[..<end]) + leading + Array(rest[end...])
    }
}
