// address assign
import ArgumentParser
import WalletLedger

struct AddressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "address", abstract: "充值地址 / deposit addresses",
                                                    subcommands: [Assign.self])

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "为用户分配充值地址（同一用户同一资产总是同一个地址）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: "用户 ID") var user: String
        @Option(name: .long, help: "资产符号，例如 ETH") var asset: String

        func run() throws {
            CLI.run(g) {
                let r = try LedgerCLI.open(home).assignAddress(user: user, asset: asset)
                let o: [String: Any] = ["user": r.user, "asset": r.asset, "address": r.address, "index": Int(r.index), "path": r.path]
                if g.json { CLI.printJSON(o) } else { print("\(r.user) \(r.asset) → \(r.address)  (\(r.path))") }
            }
        }
    }
}
