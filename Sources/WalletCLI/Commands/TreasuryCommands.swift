// treasury fund：把运营方给热钱包的链上注资记入账本（金额从链上读，按交易哈希幂等）。
import ArgumentParser
import Foundation
import WalletEngine

struct TreasuryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "treasury", abstract: "金库：热钱包注资记账 / treasury: hot-wallet funding",
                                                    subcommands: [Fund.self])

    struct Fund: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "记一笔链上注资（admin）：收据成功、够确认、确实转给热钱包；金额取自链上；同一交易只记一次")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: "资产符号，例如 ETH") var asset: String
        @Option(name: .long, help: "注资交易哈希（0x…）") var txHash: String

        func run() throws {
            CLI.run(g) {
                let e = try EngineCLI.open(home)
                let op = try EngineCLI.authenticate(e, auth)
                let (sym, hash) = (asset, txHash)
                let f = try runBlocking { try await e.recordTreasuryFunding(asset: sym, txHash: hash, by: op) }
                let zh = g.language == .zh
                if g.json {
                    CLI.printJSON(["asset": f.asset, "amount": e.format(f.asset, f.amount), "amountBaseUnits": f.amount.decimalString,
                                   "txHash": f.txHash, "block": NSNumber(value: f.block), "alreadyRecorded": f.alreadyRecorded])
                } else if f.alreadyRecorded {
                    print(zh ? "这笔注资此前已记账（\(f.txHash)），未重复记。" : "this funding was already recorded (\(f.txHash)); nothing added.")
                } else {
                    print(zh ? "已记账：热钱包 +\(e.format(f.asset, f.amount)) \(f.asset)（区块 \(f.block)）。" : "recorded: hot wallet +\(e.format(f.asset, f.amount)) \(f.asset) (block \(f.block)).")
                }
            }
        }
    }
}
