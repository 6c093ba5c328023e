// admin proposals / approve / reject：管理员法定人数（另一位管理员批准后才执行）。
import ArgumentParser
import Foundation
import WalletEngine

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: L("管理员提议与批准（法定人数）", "admin proposals and approvals (quorum)"),
                                                    subcommands: [Proposals.self, Approve.self, Reject.self])

    /// 一条管理员提议；decidedBy、decidedAt、note 没有时不出现这个键。
    struct ProposalJSON: Encodable {
        var id: Int
        var operation: String
        var summary: String
        var proposedBy: String
        var proposedAt: Int64
        var state: String
        var approvedBy: [String]
        var decidedBy: String?
        var decidedAt: Int64?
        var note: String?

        init(_ p: AdminProposal) {
            id = p.id; operation = p.operation; summary = p.summary; proposedBy = p.proposedBy; proposedAt = p.proposedAt
            state = p.state.rawValue; approvedBy = p.approvedBy; decidedBy = p.decidedBy; decidedAt = p.decidedAt; note = p.note
        }
    }

    /// 记为提议、尚未生效（退出码 3）时打到 stdout 的对象。
    struct PendingJSON: Encodable {
        var proposal: ProposalJSON
        var pending = true
    }

    struct Proposals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出提议（默认只列待批准的；--all 全部）", "list proposals (pending ones only by default; --all for everything)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Flag(name: .long, help: ArgumentHelp(L("包括已执行、已驳回、执行失败的", "include executed, rejected and failed proposals"))) var all = false
        func run() async throws {
            await CLI.runAsync(g) {
                let rows = try await EngineCLI.open(home).adminProposals().filter { all || $0.state == .pending }.map(AdminCommand.ProposalJSON.init)
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "state", "operation", "summary", "proposedBy"]) }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("批准另一位管理员的提议并执行（提议人不能批准自己的）", "approve and execute another admin's proposal (proposers cannot approve their own)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("提议 id", "proposal id"))) var id: Int
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let op = try EngineCLI.authenticate(e, auth)
                let p = try await e.approveProposal(id, by: op)
                if g.json { CLI.printJSON(AdminCommand.ProposalJSON(p)) } else {
                    print(g.language == .zh ? "已批准并执行提议 #\(p.id)：\(p.summary)（\(p.proposedBy) 提议，\(op.name) 批准）"
                                            : "approved and executed proposal #\(p.id): \(p.summary) (proposed by \(p.proposedBy), approved by \(op.name))")
                }
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("驳回另一位管理员的提议", "reject another admin's proposal"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("提议 id", "proposal id"))) var id: Int
        @Option(name: .long, help: ArgumentHelp(L("驳回原因", "reason for rejection"))) var reason: String
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let p = try e.rejectProposal(id, reason: reason, by: try EngineCLI.authenticate(e, auth))
                if g.json { CLI.printJSON(AdminCommand.ProposalJSON(p)) } else {
                    print(g.language == .zh ? "已驳回提议 #\(p.id)" : "rejected proposal #\(p.id)")
                }
            }
        }
    }
}
