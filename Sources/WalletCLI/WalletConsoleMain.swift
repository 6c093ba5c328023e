// wallet-console 可执行入口。每个命令组一个文件，放在 Commands/ 下。
import ArgumentParser
import Foundation
import WalletEngine
#if PostgreSQL
import WalletPostgres
#endif
import WalletQueueRedis

struct WalletConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet-console",
        abstract: "交易所托管热钱包运维控制台 / custodial hot-wallet operations console",
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

        // 合约：输入错误一律退出 2（运维脚本依赖）。ArgumentParser 对缺参数/未知选项默认退出 64，这里统一改成 2。
        do {
            var command = try WalletConsoleCommand.parseAsRoot()
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
}
