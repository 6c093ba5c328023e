// wallet-console 可执行入口。子命令分组见 Commands/。
import ArgumentParser

struct WalletConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet-console",
        abstract: "交易所托管热钱包运维控制台 / custodial hot-wallet operations console")
}

WalletConsoleCommand.main()
