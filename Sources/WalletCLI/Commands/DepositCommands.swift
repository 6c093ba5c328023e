// deposit list
import ArgumentParser
import WalletEngine

struct DepositCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deposit", abstract: L("充值", "deposits"), subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出充值（新到旧，分页）", "list deposits (newest first, paginated)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: ArgumentHelp(L("按状态筛选：seen|confirming|credited|orphaned|reversed|dust", "filter by state: seen|confirming|credited|orphaned|reversed|dust"))) var state: String?
        @Option(name: .long, help: ArgumentHelp(L("用户 ID", "user ID"))) var user: String?
        @Option(name: .long, help: ArgumentHelp(L("每页条数（最多 10000）", "rows per page (at most 10000)"))) var limit: Int = 100
        @Option(name: .long, help: ArgumentHelp(L("跳过条数", "number of rows to skip"))) var offset: Int = 0

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let s = try EngineCLI.parseState(state, DepositState.self, key: "--state")
                let rows = try e.deposits(state: s, user: user, offset: offset, limit: limit).rows.map { EngineCLI.depositJSON(e, $0) }
                if g.json { CLI.printJSON(rows) }
                else { EngineCLI.printRows(rows, keys: ["id", "state", "user", "asset", "amount", "confirmations", "required", "txHash"]) }
            }
        }
    }
}
