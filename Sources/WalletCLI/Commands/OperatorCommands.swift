// operator add / list
import ArgumentParser
import WalletCrypto
import WalletLedger

struct OperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "operator", abstract: "操作员管理 / operators",
                                                    subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "添加操作员（第一个必须是 admin，无需认证；之后需要 admin 认证）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: "操作员名") var name: String
        @Option(name: .long, help: "viewer|approver|custodian|admin") var role: String
        @Option(name: .long, help: "新操作员口令文件") var passphraseFile: String

        func run() throws {
            CLI.run(g) {
                let l = try LedgerCLI.open(home, create: true)
                guard let r = try LedgerCLI.parseState(role, OperatorRole.self, key: "--role") else { return }
                let actor = auth.operator == nil ? nil : try LedgerCLI.authenticate(l, auth)
                let pw = try CLI.readSecretFile(passphraseFile, what: "口令")
                let op = try l.addOperator(name: name, role: r, passphrase: pw, by: actor)
                if g.json { CLI.printJSON(["name": op.name, "role": op.role.rawValue]) }
                else { print(g.language == .zh ? "已添加操作员 \(op.name)（\(op.role.rawValue)）" : "added operator \(op.name) (\(op.role.rawValue))") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "列出操作员")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        func run() throws {
            CLI.run(g) {
                let rows: [[String: Any]] = try LedgerCLI.open(home).operators().map { ["name": $0.name, "role": $0.role.rawValue] }
                if g.json { CLI.printJSON(rows) } else { LedgerCLI.printRows(rows, keys: ["name", "role"]) }
            }
        }
    }
}
