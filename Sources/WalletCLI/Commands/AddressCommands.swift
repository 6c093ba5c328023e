// address assign / set-xpub：经引擎（唯一的派生器；分配的地址就是扫块器监视、归集签名的地址）。
import ArgumentParser
import WalletEngine

struct AddressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "address", abstract: L("充值地址", "deposit addresses"),
                                                    subcommands: [Assign.self, SetXpub.self])

    struct AssignJSON: Encodable {
        var user: String
        var asset: String
        var address: String
        var index: Int
        var path: String
    }

    struct SetXpubJSON: Encodable {
        var xpubPath: String
        var firstAddress: String
        var firstPath: String
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("为用户分配充值地址（同一用户同一资产总是同一个地址；approver/custodian/admin）", "assign a deposit address to a user (the same user and asset always get the same address; approver/custodian/admin)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: ArgumentHelp(L("用户 ID", "user ID"))) var user: String
        @Option(name: .long, help: ArgumentHelp(L("资产符号，例如 ETH", "asset symbol, e.g. ETH"))) var asset: String

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let r = try e.assignAddress(user: user, asset: asset, by: try EngineCLI.authenticate(e, auth))
                let o = AssignJSON(user: r.user, asset: r.asset, address: AddressValidator.eip55.display(r.address), index: Int(r.index), path: r.path)
                if g.json { CLI.printJSON(o) } else { print("\(r.user) \(r.asset) → \(AddressValidator.eip55.display(r.address))  (\(r.path))") }
            }
        }
    }

    struct SetXpub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-xpub", abstract: L("设置充值 xpub（管理员；只接受扩展公钥；已分配地址后不可更换）", "set the deposit xpub (admin; extended public keys only; cannot be changed once addresses have been assigned)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("扩展公钥，例如 m/44'/60'/0'/0 的 xpub", "extended public key, e.g. the xpub of m/44'/60'/0'/0"))) var xpub: String
        @Option(name: .long, help: ArgumentHelp(L("该 xpub 自身的完整 BIP-32 路径（第 i 个地址 = 路径/i）", "full BIP-32 path of this xpub itself (address i = path/i)"))) var xpubPath: String = "m/44'/60'/0'/0"

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let first = try e.setDepositXpub(xpub, xpubPath: xpubPath, by: try EngineCLI.authenticate(e, auth))
                let addr = AddressValidator.eip55.display(first.address)
                if g.json { CLI.printJSON(SetXpubJSON(xpubPath: xpubPath, firstAddress: addr, firstPath: first.path)) }
                else { print("OK: \(first.path) → \(addr)") }
            }
        }
    }
}
