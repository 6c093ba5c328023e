// jobs list / dead / requeue
import ArgumentParser
import WalletLedger

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "任务队列 / job queue",
                                                    subcommands: [List.self, Dead.self, Requeue.self])

    static func queue(_ l: Ledger) throws -> any JobQueue & LeaseLock {
        guard let q = l.jobQueue else { throw LedgerError.storage("当前存储后端没有任务队列") }
        return q
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "列出任务")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: "pending|leased|done|dead") var state: String?
        @Option(name: .long) var limit: Int = 100
        @Option(name: .long) var offset: Int = 0
        func run() throws {
            CLI.run(g) {
                let l = try LedgerCLI.open(home)
                let s = try LedgerCLI.parseState(state, JobState.self, key: "--state")
                let rows = try queue(l).jobs(state: s, queue: nil, page: Page(limit: limit, offset: offset)).map(LedgerCLI.jobJSON)
                if g.json { CLI.printJSON(rows) } else { LedgerCLI.printRows(rows, keys: ["id", "queue", "kind", "state", "attempts", "lastError"]) }
            }
        }
    }

    struct Dead: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "死信队列")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long) var limit: Int = 100
        @Option(name: .long) var offset: Int = 0
        func run() throws {
            CLI.run(g) {
                let rows = try queue(try LedgerCLI.open(home)).jobs(state: .dead, queue: nil, page: Page(limit: limit, offset: offset)).map(LedgerCLI.jobJSON)
                if g.json { CLI.printJSON(rows) } else { LedgerCLI.printRows(rows, keys: ["id", "queue", "kind", "attempts", "lastError"]) }
            }
        }
    }

    struct Requeue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "把死信任务重新入队（管理员）")
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument var id: Int64
        func run() throws {
            CLI.run(g) {
                let l = try LedgerCLI.open(home)
                let op = try LedgerCLI.authenticate(l, auth)
                guard op.role == .admin else { throw LedgerError.forbidden(operator: op.name, role: op.role.rawValue, action: "jobs requeue") }
                let j = try l.requeueJob(id: id, by: op, queue: try queue(l))
                if g.json { CLI.printJSON(LedgerCLI.jobJSON(j)) } else { print("#\(j.id) \(j.state.rawValue)") }
            }
        }
    }
}
