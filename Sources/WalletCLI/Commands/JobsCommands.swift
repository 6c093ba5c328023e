// jobs list / dead / requeue
import ArgumentParser
import WalletEngine

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: L("任务队列", "job queue"),
                                                    subcommands: [List.self, Dead.self, Requeue.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出任务", "list jobs"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: ArgumentHelp(L("按状态筛选：pending|leased|done|dead", "filter by state: pending|leased|done|dead"))) var state: String?
        @Option(name: .long) var limit: Int = 100
        @Option(name: .long) var offset: Int = 0
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let s = try EngineCLI.parseState(state, JobState.self, key: "--state")
                let rows = try e.jobs(state: s, offset: offset, limit: limit).map(EngineCLI.jobJSON)
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "queue", "kind", "state", "attempts", "lastError"]) }
            }
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("死信队列", "dead-letter queue"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long) var limit: Int = 100
        @Option(name: .long) var offset: Int = 0
        func run() async throws {
            await CLI.runAsync(g) {
                let rows = try await EngineCLI.open(home).jobs(state: .dead, offset: offset, limit: limit).map(EngineCLI.jobJSON)
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["id", "queue", "kind", "attempts", "lastError"]) }
            }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("把死信任务重新入队（管理员）", "requeue a dead-lettered job (admin)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument var id: Int64
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let j = try e.requeue(jobID: id, by: try EngineCLI.authenticate(e, auth))
                if g.json { CLI.printJSON(EngineCLI.jobJSON(j)) } else { print("#\(j.id) \(j.state.rawValue)") }
            }
        }
    }
}
