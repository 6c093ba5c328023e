// operator add / list
import ArgumentParser
import WalletCrypto
import WalletEngine

struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "operator", abstract: L("操作员管理", "operator management"),
                                                    subcommands: [Add.self, List.self])

    struct OperatorJSON: Encodable {
        var name: String
        var role: String
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("添加操作员（需要 admin；第一个管理员由 init 创建）", "add an operator (requires admin; the first admin is created by init)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: ArgumentHelp(L("操作员名", "operator name"))) var name: String
        @Option(name: .long, help: ArgumentHelp(L("角色：viewer|approver|custodian|admin", "role: viewer|approver|custodian|admin"))) var role: String
        @Option(name: .long, help: ArgumentHelp(L("新操作员口令文件", "passphrase file for the new operator"))) var passphraseFile: String

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                guard let r = try EngineCLI.parseState(role, OperatorRole.self, key: "--role") else { return }
                let actor = try EngineCLI.authenticate(e, auth)
                let pw = try CLI.readSecretFile(passphraseFile, what: "口令")
                let op = try e.addOperator(name: name, role: r, passphrase: pw, by: actor)
                if g.json { CLI.printJSON(OperatorJSON(name: op.name, role: op.role.rawValue)) }
                else { print(g.language == .zh ? "已添加操作员 \(op.name)（\(op.role.rawValue)）" : "added operator \(op.name) (\(op.role.rawValue))") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出操作员", "list operators"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        func run() async throws {
            await CLI.runAsync(g) {
                let rows = try await EngineCLI.open(home).operators().map { OperatorJSON(name: $0.name, role: $0.role.rawValue) }
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["name", "role"]) }
            }
        }
    }
}
