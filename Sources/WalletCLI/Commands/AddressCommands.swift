// address assign
import ArgumentParser
import WalletLedger

struct AddressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "address", abstract: "充值地址 / deposit addresses",
                                                    subcommands: [Assign.self, SetXpub.self])

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "为用户分配充值地址（同一用户同一资产总是同一个地址）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: "用户 ID") var user: String
        @Option(name: .long, help: "资产符号，例如 ETH") var asset: String

        func run() throws {
            CLI.run(g) {
                let r = try LedgerCLI.open(home).assignAddress(user: user, asset: asset)
                let o: [String: Any] = ["user": r.user, "asset": r.asset, "address": AddressValidator.eip55.display(r.address), "index": Int(r.index), "path": r.path]
                if g.json { CLI.printJSON(o) } else { print("\(r.user) \(r.asset) → \(AddressValidator.eip55.display(r.address))  (\(r.path))") }
            }
        }
    }

    struct SetXpub: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-xpub", abstract: "设置充值账户 xpub（管理员；只接受扩展公钥）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: "账户级扩展公钥，例如 m/44'/60'/0' 的 xpub") var xpub: String
        @Option(name: .long, help: "该 xpub 的账户路径（仅用于显示）") var accountPath: String = "m/44'/60'/0'"

        func run() throws {
            CLI.run(g) {
                let l = try LedgerCLI.open(home)
                let op = try LedgerCLI.authenticate(l, auth)
                guard op.role == .admin else { throw LedgerError.forbidden(operator: op.name, role: op.role.rawValue, action: "address set-xpub") }
                try l.setDepositXpub(xpub, accountPath: accountPath, by: op.name)
                let first = try l.deriver!.derive(index: 0)
                if g.json { CLI.printJSON(["accountPath": accountPath, "firstAddress": first.address, "firstPath": first.path]) }
                else { print("OK: \(first.path) → \(first.address)") }
            }
        }
    }
}
