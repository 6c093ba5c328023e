// audit verify / list
import ArgumentParser
import Foundation
import WalletEngine

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: L("审计日志", "audit log"), subcommands: [Verify.self, List.self])

    /// audit verify：链完好时 firstBad 与 reason 为 null。
    struct VerifyJSON: Encodable {
        var ok: Bool
        var records: Int
        @ExplicitNull var firstBad: Int64?
        @ExplicitNull var reason: String?
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("校验哈希链（被改、删、调序时指出第一条坏记录，退出 1）", "verify the hash chain (if records were altered, deleted or reordered, reports the first bad record and exits 1)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        func run() async throws {
            await CLI.runAsync(g) {
                let v = try await EngineCLI.open(home).verifyAudit()
                if g.json {
                    let reason = g.language == .zh ? v.reason : v.reasonEn
                    CLI.printJSON(VerifyJSON(ok: v.ok, records: v.records, firstBad: v.firstBad, reason: reason))
                } else if v.ok { print(g.language == .zh ? "审计链完整（\(v.records) 条）" : "audit chain intact (\(v.records) records)") }
                else { print((g.language == .zh ? "审计链被破坏，第一条坏记录 #" : "audit chain broken, first bad record #") + "\(v.firstBad ?? 0): \((g.language == .zh ? v.reason : v.reasonEn) ?? "")") }
                if !v.ok { throw LedgerCheckFailed(code: "audit_verify.failed", what: "audit_verify") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出审计记录（新到旧，分页）", "list audit records (newest first, paginated)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long) var action: String?
        @Option(name: .long, help: ArgumentHelp(L("按操作员筛选", "filter by operator"))) var by: String?
        @Option(name: .long) var limit: Int = 100
        @Option(name: .long) var offset: Int = 0
        func run() async throws {
            await CLI.runAsync(g) {
                let rows = try await EngineCLI.open(home).audits(action: action, operatorName: by, offset: offset, limit: limit).rows
                    .map(EngineCLI.auditJSON)
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "ts", "operator", "action", "subject", "details"]) }
            }
        }
    }
}
