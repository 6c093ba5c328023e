// wallet-console 可执行入口。每个命令组一个文件，放在 Commands/ 下。
import ArgumentParser

struct WalletConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet-console",
        abstract: "交易所托管热钱包运维控制台 / custodial hot-wallet operations console",
        subcommands: CommandRegistry.all)
}

WalletConsoleCommand.main()
