// ledger balances / check / reconcile / alerts / policy-check（全部经引擎）
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: L("复式账本", "double-entry ledger"),
        subcommands: [Balances.self, Check.self, Reconcile.self, Alerts.self, PolicyCheck.self])

    struct CheckJSON: Encodable {
        struct Violation: Encodable { var code: String; var detail: String }
        var ok: Bool
        var violations: [Violation]
    }

    /// ledger reconcile：ledger / chain 是基本单位的十进制字符串（ledger 可带 "-"）。
    struct ReconcileJSON: Encodable {
        struct Mismatch: Encodable { var account: String; var address: String; var asset: String; var ledger: String; var chain: String }
        struct InFlight: Encodable { var kind: String; var ref: Int64; var txHash: String; var mined: Bool }
        var ok: Bool
        var block: UInt64
        var checked: Int
        var mismatches: [Mismatch]
        var inFlight: [InFlight]
        var scanned: UInt64?
    }

    struct AlertJSON: Encodable {
        var id: Int64
        var ts: Int64
        var kind: String
        var message: String
    }

    struct PolicyCheckJSON: Encodable {
        var ok: Bool
        var rules: [String]
    }

    struct Balances: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("账户余额（可按用户、资产筛选）", "account balances (filterable by user and asset)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: ArgumentHelp(L("只看该用户的可用/冻结", "show only this user's available/frozen balances"))) var user: String?
        @Option(name: .long) var asset: String?
        @Option(name: .long) var limit: Int = 1000
        @Option(name: .long) var offset: Int = 0

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let rows = try e.balances(user: user, asset: asset, offset: offset, limit: limit).map { EngineCLI.balanceJSON(e, $0) }
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["account", "balance"]) }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("检查账本不变量（失败退出 1）", "check the ledger invariants (exits 1 on failure)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        func run() async throws {
            await CLI.runAsync(g) {
                let v = try await EngineCLI.open(home).ledgerCheck()
                if g.json { CLI.printJSON(CheckJSON(ok: v.isEmpty, violations: v.map { .init(code: $0.code, detail: $0.detail) })) }
                else if v.isEmpty { print(g.language == .zh ? "账本一致：所有不变量成立" : "ledger consistent: all invariants hold") }
                else { for x in v { print(x.description) } }
                if !v.isEmpty { throw LedgerCheckFailed(code: "ledger_check.failed", what: "ledger_check") }
            }
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("对账：钉在当前链头区块，账本余额 ± 在途 vs 链上余额（热钱包与每个充值地址）；有差异退出 1", "reconcile, pinned to the current head block: ledger balance ± in-flight vs on-chain balance (hot wallet and every deposit address); exits 1 on any difference"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Flag(name: .long, help: ArgumentHelp(L("不在这里对账，而是入队一个对账任务给运行中的引擎（结果写告警与指标；需要 --operator）", "instead of reconciling here, queue a reconciliation job for the running engine (results go to alerts and metrics; requires --operator)"))) var enqueue = false
        @OptionGroup var auth: OperatorOptions
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                if enqueue {
                    let j = try e.requestReconcile(by: try EngineCLI.authenticate(e, auth))
                    if g.json { CLI.printJSON(EnqueuedJSON(j)) }
                    else { print(g.language == .zh ? "已入队对账任务 #\(j.id)（jobs list 查看）。" : "queued reconcile job #\(j.id) (see jobs list).") }
                    return
                }
                let r = try await e.reconcile(record: false)
                let zh = g.language == .zh
                if g.json {
                    CLI.printJSON(ReconcileJSON(
                        ok: r.ok, block: r.block, checked: r.checked,
                        mismatches: r.mismatches.map { .init(account: $0.account, address: $0.address, asset: $0.asset, ledger: $0.ledger, chain: $0.chain) },
                        inFlight: r.inFlight.map { .init(kind: $0.kind, ref: $0.ref, txHash: $0.txHash, mined: $0.mined) },
                        scanned: r.scanned))
                } else {
                    print(zh ? "对账 @区块 \(r.block)：\(r.checked) 项，\(r.mismatches.count) 项差异，\(r.inFlight.count) 笔在途" : "reconcile @block \(r.block): \(r.checked) checked, \(r.mismatches.count) mismatch(es), \(r.inFlight.count) in flight")
                    for m in r.mismatches { print("  \(m.account) \(m.asset): \(zh ? "账" : "ledger") \(m.ledger) ≠ \(zh ? "链" : "chain") \(m.chain)") }
                }
                // 扫块器落后：最近几块的外来入账（充值、注资）账上还没有——差异可能是假的，说清楚怎么办（stderr，不混进 JSON）。
                if let s = r.scanned, r.scannerBehind, !r.ok {
                    CLI.warn("扫块器只扫到区块 \(s)（链头 \(r.block)）：之后几块里的外来入账账上还没有，上面的差异可能是假的。启动引擎（engine run）等扫块器追上后再对账，或用 ledger reconcile --enqueue 交给运行中的引擎（它会等扫块器）。",
                             "the scanner has only reached block \(s) (head \(r.block)): inflows in the blocks after it are not in the books yet, so the differences above may be false. Start the engine (engine run) and reconcile once the scanner has caught up, or use ledger reconcile --enqueue to hand it to the running engine (which waits for the scanner).", g.language)
                }
                if !r.ok { throw LedgerCheckFailed(code: "reconcile.failed", what: "reconcile") }
            }
        }
    }

    struct Alerts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("告警（重组撤销、失败、对账差异）", "alerts (reorg reversals, failures, reconciliation differences)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long) var limit: Int = 100
        func run() async throws {
            await CLI.runAsync(g) {
                let rows = try await EngineCLI.open(home).alerts(limit: limit)
                    .map { AlertJSON(id: $0.id, ts: $0.ts, kind: $0.kind, message: $0.text(g.language)) }
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "kind", "message"]) }
            }
        }
    }

    struct PolicyCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "policy-check", abstract: L("校验审批策略文件（错误会指出键路径）", "validate an approval policy file (errors point to the key path)"))
        @OptionGroup var g: GlobalOptions
        @Argument(help: ArgumentHelp(L("策略 JSON 文件", "policy JSON file"))) var file: String
        func run() async throws {
            await CLI.runAsync(g) {
                let p = try ApprovalPolicy.load(path: file)
                if g.json { CLI.printJSON(PolicyCheckJSON(ok: true, rules: p.rules.map(\.name))) }
                else { print("OK: " + p.rules.map(\.name).joined(separator: " → ")) }
            }
        }
    }
}

/// 检查未通过（退出 1）：结果已打印在 stdout，这里只给 stderr 一行可读说明。
struct LedgerCheckFailed: WalletErrorConvertible {
    let code: String
    let what: String
    /// 检查失败：退出码 1。码写在抛出处（登记扫描看得见）。
    var walletError: WalletError {
        WalletError(code, zh: "\(what) 未通过，详见上面的输出", en: "\(what) failed; see the output above", badInput: false)
    }
}
