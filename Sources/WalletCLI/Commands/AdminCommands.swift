// admin proposals / approve / reject：管理员法定人数（另一位管理员批准后才执行）。
import ArgumentParser
import Foundation
import WalletEngine

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "管理员提议与批准（法定人数）/ admin quorum",
                                                    subcommands: [Proposals.self, Approve.self, Reject.self])

    static func json(_ p: AdminProposal) -> [String: Any] {
        var o: [String: Any] = ["id": p.id, "operation": p.operation, "summary": p.summary, "proposedBy": p.proposedBy,
                                "proposedAt": p.proposedAt, "state": p.state.rawValue, "approvedBy": p.approvedBy]
        if let d = p.decidedBy { o["decidedBy"] = d }
        if let t = p.decidedAt { o["decidedAt"] = t }
        if let n = p.note { o["note"] = n }
        return o
    }

    struct Proposals: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "列出提议（默认只列待批准的；--all 全部）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Flag(name: .long, help: "包括已执行、已驳回、执行失败的") var all = false
        func run() throws {
            CLI.run(g) {
                let rows = try EngineCLI.open(home).adminProposals().filter { all || $0.state == .pending }.map(AdminCommand.json)
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "state", "operation", "summary", "proposedBy"]) }
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "批准另一位管理员的提议并执行（提议人不能批准自己的）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: "提议 id") var id: Int
        func run() throws {
            CLI.run(g) {
                let e = try EngineCLI.open(home)
                let op = try EngineCLI.authenticate(e, auth)
                let p = try runBlocking { try await e.approveProposal(id, by: op) }
                if g.json { CLI.printJSON(AdminCommand.json(p)) } else {
                    print(g.language == .zh ? "已批准并执行提议 #\(p.id)：\(p.summary)（\(p.proposedBy) 提议，\(op.name) 批准）"
                                            : "approved and executed proposal #\(p.id): \(p.summary) (proposed by \(p.proposedBy), approved by \(op.name))")
                }
            }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "驳回另一位管理员的提议")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: "提议 id") var id: Int
        @Option(name: .long, help: "驳回原因") var reason: String
        func run() throws {
            CLI.run(g) {
                let e = try EngineCLI.open(home)
                let p = try e.rejectProposal(id, reason: reason, by: try EngineCLI.authenticate(e, auth))
                if g.json { CLI.printJSON(AdminCommand.json(p)) } else {
                    print(g.language == .zh ? "已驳回提议 #\(p.id)" : "rejected proposal #\(p.id)")
                }
            }
        }
    }
}
