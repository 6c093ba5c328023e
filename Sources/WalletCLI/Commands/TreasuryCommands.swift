// treasury fund：把运营方给热钱包的链上注资记入账本（金额从链上读，按交易哈希幂等）。
import ArgumentParser
import Foundation
import WalletEngine

struct TreasuryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "treasury", abstract: L("金库：热钱包注资记账", "treasury: hot-wallet funding records"),
                                                    subcommands: [Fund.self, ColdWalletCmd.self])

    struct FundJSON: Encodable {
        var asset: String
        var amount: String
        var amountBaseUnits: String
        var txHash: String
        var block: UInt64
        var alreadyRecorded: Bool
    }

    struct ColdWalletJSON: Encodable {
        var address: String
        var label: String
        var addedBy: String
        /// 只有 cold-wallet list 有（add 的回执没有这个键）。
        var addedAt: Int64?
    }

    struct Fund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("记一笔链上注资（admin）：收据成功、够确认、确实转给热钱包；金额取自链上；同一交易只记一次", "record an on-chain funding transfer (admin): the receipt must be successful, sufficiently confirmed and actually pay the hot wallet; the amount is read from the chain; each transaction is recorded only once"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: ArgumentHelp(L("资产符号，例如 ETH", "asset symbol, e.g. ETH"))) var asset: String
        @Option(name: .long, help: ArgumentHelp(L("注资交易哈希（0x…）", "funding transaction hash (0x…)"))) var txHash: String

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let op = try EngineCLI.authenticate(e, auth)
                let (sym, hash) = (asset, txHash)
                let f = try await e.recordTreasuryFunding(asset: sym, txHash: hash, by: op)
                let zh = g.language == .zh
                if g.json {
                    CLI.printJSON(FundJSON(asset: f.asset, amount: e.format(f.asset, f.amount), amountBaseUnits: f.amount.decimalString,
                                           txHash: f.txHash, block: f.block, alreadyRecorded: f.alreadyRecorded))
                } else if f.alreadyRecorded {
                    print(zh ? "这笔注资此前已记账（\(f.txHash)），未重复记。" : "this funding was already recorded (\(f.txHash)); nothing added.")
                } else {
                    print(zh ? "已记账：热钱包 +\(e.format(f.asset, f.amount)) \(f.asset)（区块 \(f.block)）。" : "recorded: hot wallet +\(e.format(f.asset, f.amount)) \(f.asset) (block \(f.block)).")
                }
            }
        }
    }

    struct ColdWalletCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cold-wallet", abstract: L("冷钱包登记：它转入热钱包的钱自动记为金库注资", "cold-wallet registry: transfers from a registered cold wallet to the hot wallet are recorded as treasury funding automatically"),
                                                        subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: L("登记冷钱包（admin）", "register a cold wallet (admin)"))
            @OptionGroup var g: GlobalOptions
            @OptionGroup var home: HomeOption
            @OptionGroup var auth: OperatorOptions
            @Argument(help: ArgumentHelp(L("冷钱包地址（EIP-55）", "cold-wallet address (EIP-55)"))) var address: String
            @Option(name: .long, help: ArgumentHelp(L("标签", "label"))) var label: String = "cold"
            func run() async throws {
                await CLI.runAsync(g) {
                    let e = try await EngineCLI.open(home)
                    let c = try e.addColdWallet(address, label: label, by: try EngineCLI.authenticate(e, auth))
                    let a = AddressValidator.eip55.display(c.address)
                    if g.json { CLI.printJSON(ColdWalletJSON(address: a, label: c.label, addedBy: c.addedBy)) }
                    else {
                        print(g.language == .zh ? "已登记冷钱包 \(a)（\(c.label)，\(c.addedBy)）：从它打到热钱包的钱够确认后自动记为金库注资。"
                                                : "registered cold wallet \(a) (\(c.label), by \(c.addedBy)): transfers from it to the hot wallet are booked as treasury funding once confirmed.")
                    }
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: L("列出冷钱包", "list cold wallets"))
            @OptionGroup var g: GlobalOptions
            @OptionGroup var home: HomeOption
            func run() async throws {
                await CLI.runAsync(g) {
                    let rows = try await EngineCLI.open(home).coldWallets().map {
                        ColdWalletJSON(address: AddressValidator.eip55.display($0.address), label: $0.label, addedBy: $0.addedBy, addedAt: $0.addedAt)
                    }
                    if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["address", "label", "addedBy"]) }
                }
            }
        }
    }
}

struct SuspenseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "suspense", abstract: L("待处理入账：热钱包或未分配充值地址收到的无法归属的钱", "suspense: unattributable funds received by the hot wallet or by unassigned deposit addresses"),
                                                    subcommands: [List.self, Resolve.self])

    /// 一笔待处理入账；to 为 "hot_wallet" 或收款的充值地址。
    struct ItemJSON: Encodable {
        var id: Int64
        var asset: String
        var amount: String
        var amountBaseUnits: String
        var from: String
        var txHash: String
        var blockNumber: Int64
        var kind: String
        var state: String
        var resolution: String
        var proposedBy: String
        var resolvedBy: String
        var to: String
    }

    static func json(_ e: WalletEngine, _ h: HotInbound) -> ItemJSON {
        ItemJSON(id: h.id, asset: h.asset, amount: e.format(h.asset, h.amount), amountBaseUnits: h.amount.decimalString,
                 from: AddressValidator.eip55.display(h.from), txHash: h.txHash, blockNumber: h.blockNumber, kind: h.kind.rawValue,
                 state: h.state.rawValue, resolution: h.resolution, proposedBy: h.proposedBy, resolvedBy: h.resolvedBy,
                 to: h.to.isEmpty ? "hot_wallet" : AddressValidator.eip55.display(h.to))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出热钱包的外来入账（--all 含金库注资与已处理的）", "list unexpected incoming transfers to the hot wallet (--all includes treasury funding and resolved ones)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Flag(name: .long, help: ArgumentHelp(L("包括金库注资、已处理与被重组撤销的", "include treasury funding, resolved entries and entries reversed by reorgs"))) var all = false
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let rows = try e.hotInbound().filter { all || ($0.kind == .unattributed && $0.state != .resolved && $0.state != .orphaned) }
                    .map { SuspenseCommand.json(e, $0) }
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "state", "asset", "amount", "from", "to", "resolution", "proposedBy"]) }
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("处理一笔待处理入账（两个不同的 admin：第一次提议，第二次以相同方式确认后执行）", "resolve a suspense entry (two different admins: the first call proposes, a second identical call confirms and executes)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("待处理编号", "suspense entry id"))) var id: Int64
        @Option(name: .long, help: ArgumentHelp(L("treasury（金库资金）或 deposit（某用户的充值，需 --user）", "treasury (treasury funds) or deposit (a user's deposit; requires --user)"))) var `as`: String
        @Option(name: .long, help: ArgumentHelp(L("--as deposit 时：记给哪个用户", "with --as deposit: the user to credit"))) var user: String?
        func run() async throws {
            await CLI.runAsync(g) {
                guard `as` == "treasury" || (`as` == "deposit" && user != nil) else {
                    throw EngineError("suspense.bad_resolution", zh: "--as 只能是 treasury，或 deposit 加 --user U。", en: "--as must be treasury, or deposit with --user U.", badInput: true)
                }
                let e = try await EngineCLI.open(home)
                let h = try e.resolveSuspense(id: id, asTreasury: `as` == "treasury", user: user, by: try EngineCLI.authenticate(e, auth))
                let zh = g.language == .zh
                if g.json { CLI.printJSON(SuspenseCommand.json(e, h)) }
                else if h.state == .resolved { print(zh ? "已处理 #\(h.id)：\(h.resolution)（\(h.proposedBy) 提议，\(h.resolvedBy) 确认）" : "settled #\(h.id): \(h.resolution) (proposed by \(h.proposedBy), confirmed by \(h.resolvedBy))") }
                else { print(zh ? "已提议 #\(h.id)：\(h.resolution)，等另一位管理员确认。" : "proposed #\(h.id): \(h.resolution); another admin must confirm.") }
            }
        }
    }
}
