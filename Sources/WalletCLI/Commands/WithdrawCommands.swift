// withdraw request / list / approve / reject / allowlist-*
import ArgumentParser
import Foundation
import WalletEngine

struct WithdrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: L("提现", "withdrawals"),
        subcommands: [Request.self, List.self, Approve.self, Reject.self, Cancel.self, CancelApprove.self, AllowlistAdd.self, AllowlistActivate.self, Allowlist.self])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("发起提现（按 --request-id 幂等）", "request a withdrawal (idempotent by --request-id)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: ArgumentHelp(L("客户端请求号（幂等键）", "client request id (idempotency key)"))) var requestId: String?
        @Option(name: .long) var user: String?
        @Option(name: .long) var asset: String?
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(L("显示单位的十进制金额，例如 0.25", "decimal amount in display units, e.g. 0.25"))) var amount: String?
        @Option(name: .long, help: ArgumentHelp(L("目标地址（EIP-55）", "destination address (EIP-55)"))) var to: String?
        @Option(name: .long, help: ArgumentHelp(L("从 JSON 文件读取请求（- 表示标准输入）：{\"requestId\",\"user\",\"asset\",\"amount\",\"to\"}，amount 必须是字符串", "read the request from a JSON file (- for stdin): {\"requestId\",\"user\",\"asset\",\"amount\",\"to\"}; amount must be a string")))
        var input: String?

        func request() throws -> WithdrawalRequest {
            if let input {
                // 文件与命令行参数只能二选一：同时给时以谁为准都可能付错钱（QA：--amount 5 被静默忽略、按文件里的 0.1 发起）。
                let conflicting = [("--request-id", requestId), ("--user", user), ("--asset", asset), ("--amount", amount), ("--to", to)]
                    .filter { $0.1 != nil }.map(\.0)
                guard conflicting.isEmpty else {
                    throw LedgerError.invalidArgument("--input", "不能与 \(conflicting.joined(separator: " ")) 同时使用：请求要么全在文件里，要么全在参数里",
                                                      en: "cannot be combined with \(conflicting.joined(separator: " ")): put the whole request either in the file or in the flags")
                }
                let data = input == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                                        : Data(try CLI.readTextFile(input, what: "请求").utf8)
                guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                    throw LedgerError.invalidArgument("--input", "不是 JSON 对象", en: "not a JSON object")
                }
                for k in o.keys where !["requestId", "user", "asset", "amount", "to"].contains(k) {
                    throw LedgerError.invalidArgument("--input", "未知的键 '\(k)'", en: "unknown key '\(k)'")
                }
                func field(_ k: String) throws -> String {
                    guard let v = o[k] as? String else {
                        throw LedgerError.invalidArgument("--input.\(k)", k == "amount" ? "必须是十进制字符串（如 \"1.5\"），不接受 JSON 数字以免精度丢失" : "缺少或不是字符串",
                                                          en: k == "amount" ? "must be a decimal string (e.g. \"1.5\"); JSON numbers are refused to avoid precision loss" : "missing or not a string")
                    }
                    return v
                }
                return WithdrawalRequest(requestID: try field("requestId"), user: try field("user"), asset: try field("asset"),
                                         amount: try field("amount"), to: try field("to"))
            }
            guard let requestId, let user, let asset, let amount, let to else {
                throw LedgerError.invalidArgument("withdraw request", "需要 --request-id --user --asset --amount --to，或 --input FILE", en: "needs --request-id --user --asset --amount --to, or --input FILE")
            }
            return WithdrawalRequest(requestID: requestId, user: user, asset: asset, amount: amount, to: to)
        }

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let req = try request()
                let w = try e.requestWithdrawal(req, by: try EngineCLI.authenticate(e, auth))
                let o = EngineCLI.withdrawalJSON(e, w)
                if g.json { CLI.printJSON(o) }
                else { print("#\(w.id) \(w.state.rawValue)  \(g.language == .zh ? "需审批" : "approvals") \(o.approvals)/\(w.approvalsRequired)  rule=\(w.rule)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("列出提现（含审批与命中的规则）", "list withdrawals (with approvals and the matched rule)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @Option(name: .long, help: ArgumentHelp(L("按状态筛选：requested|risk_checked|awaiting_approval|approved|signed|broadcast|confirmed|failed|rejected|expired|unknown", "filter by state: requested|risk_checked|awaiting_approval|approved|signed|broadcast|confirmed|failed|rejected|expired|unknown")))
        var state: String?
        @Option(name: .long) var user: String?
        @Option(name: .long) var limit: Int = 100
        @Option(name: .long) var offset: Int = 0

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let s = try EngineCLI.parseState(state, WithdrawalState.self, key: "--state")
                let reorged = try e.withdrawalsAwaitingReconfirmation()
                let rows = try e.withdrawals(state: s, user: user, offset: offset, limit: limit).rows.map { EngineCLI.withdrawalJSON(e, $0, reorged: reorged) }
                if g.json { CLI.printJSON(rows) }
                else {
                    // 重组拿掉、等重新上链的：state 后面写明，不让值班只看到 confirmed（QA）。
                    let shown = rows.map { r -> WithdrawalJSON in
                        var r = r
                        if r.reorged { r.state += g.language == .zh ? "（被重组，待重新确认）" : " (reorged, awaiting re-confirmation)" }
                        return r
                    }
                    EngineCLI.printRows(shown, keys: ["id", "requestId", "state", "user", "asset", "amount", "to", "approvals", "approvalsRequired", "rule"])
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("批准提现（发起人不能批准自己的请求）", "approve a withdrawal (requesters cannot approve their own requests)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("提现 ID", "withdrawal ID"))) var id: Int64

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let w = try e.approve(withdrawalID: id, by: try EngineCLI.authenticate(e, auth))
                let o = EngineCLI.withdrawalJSON(e, w)
                if g.json { CLI.printJSON(o) } else { print("#\(w.id) \(w.state.rawValue) \(o.approvals)/\(w.approvalsRequired)") }
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("拒绝提现并解冻资金", "reject a withdrawal and unfreeze the funds"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("提现 ID", "withdrawal ID"))) var id: Int64
        @Option(name: .long, help: ArgumentHelp(L("拒绝原因（写入审计日志）", "reason for rejection (written to the audit log)"))) var reason: String

        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let w = try e.reject(withdrawalID: id, reason: reason, by: try EngineCLI.authenticate(e, auth))
                if g.json { CLI.printJSON(EngineCLI.withdrawalJSON(e, w)) } else { print("#\(w.id) \(w.state.rawValue)") }
            }
        }
    }

    /// withdraw cancel / cancel-approve：尚未批准时 approvedBy、approvedAt 为 null，NOOP 未发出时 noopHash 为 null。
    struct CancelJSON: Encodable {
        var id: Int64
        var state: String
        var reason: String
        var requestedBy: String
        var requestedAt: Int64
        @ExplicitNull var approvedBy: String?
        @ExplicitNull var approvedAt: Int64?
        @ExplicitNull var noopHash: String?
        init(_ c: WithdrawalCancel) {
            id = c.withdrawalID; state = c.state; reason = c.reason; requestedBy = c.requestedBy; requestedAt = c.requestedAt
            approvedBy = c.approvedBy; approvedAt = c.approvedAt; noopHash = c.noopHash
        }
    }

    struct AllowlistAddJSON: Encodable { var address: String; var addedBy: String; var active: Bool }
    struct AllowlistActivateJSON: Encodable { var address: String; var activatedBy: String; var usableFrom: Int64 }
    /// withdraw allowlist 的一行：未激活时 activatedBy 是空串。
    struct AllowlistJSON: Encodable { var address: String; var addedBy: String; var activatedBy: String; var usableFrom: Int64 }

    static func printCancel(_ c: WithdrawalCancel, _ g: GlobalOptions) {
        if g.json { CLI.printJSON(CancelJSON(c)); return }
        let zh = g.language == .zh
        if c.approvedBy == nil {
            print(zh ? "提现 #\(c.withdrawalID) 的取消已提出（\(c.requestedBy)）：另一位 approver 或 admin 运行 `withdraw cancel-approve \(c.withdrawalID)` 后，引擎用同一 nonce 的 NOOP 替换它；NOOP 确认后资金才解冻。"
                     : "cancel of withdrawal #\(c.withdrawalID) requested (\(c.requestedBy)): after another approver or admin runs `withdraw cancel-approve \(c.withdrawalID)`, the engine replaces it with a same-nonce NOOP; funds unfreeze only once the NOOP is confirmed.")
        } else {
            print(zh ? "提现 #\(c.withdrawalID) 的取消已批准（\(c.approvedBy!)）：引擎下一轮发出 NOOP；若原交易先上链，取消作废（告警 withdraw.cancel_too_late）。"
                     : "cancel of withdrawal #\(c.withdrawalID) approved (\(c.approvedBy!)): the engine sends the NOOP next round; if the original lands first, the cancel is void (alert withdraw.cancel_too_late).")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("提出取消一笔卡住、已占 nonce 的提现（approver/admin；另一人批准后用同一 nonce 的 0 值 NOOP 替换）", "propose cancelling a stuck withdrawal that already holds a nonce (approver/admin; once someone else approves, it is replaced by a zero-value NOOP with the same nonce)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("提现 ID", "withdrawal ID"))) var id: Int64
        @Option(name: .long, help: ArgumentHelp(L("取消原因（写入审计日志）", "reason for cancelling (written to the audit log)"))) var reason: String
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                WithdrawCommand.printCancel(try e.requestCancel(withdrawalID: id, reason: reason, by: try EngineCLI.authenticate(e, auth)), g)
            }
        }
    }

    struct CancelApprove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel-approve", abstract: L("批准另一人提出的取消（approver/admin，不能是提出人）", "approve a cancellation proposed by someone else (approver/admin; not the proposer)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument(help: ArgumentHelp(L("提现 ID", "withdrawal ID"))) var id: Int64
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                WithdrawCommand.printCancel(try e.approveCancel(withdrawalID: id, by: try EngineCLI.authenticate(e, auth)), g)
            }
        }
    }

    struct AllowlistAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allowlist-add", abstract: L("把目标地址加入白名单（待管理员激活）", "add a destination address to the allowlist (pending admin activation)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument var address: String
        func run() async throws {
            await CLI.runAsync(g) {
                let engine = try await EngineCLI.open(home)
                let e = try engine.allowlistAdd(address, by: try EngineCLI.authenticate(engine, auth))
                if g.json { CLI.printJSON(WithdrawCommand.AllowlistAddJSON(address: e.address, addedBy: e.addedBy, active: e.activatedAt != nil)) } else { print(e.address) }
            }
        }
    }

    struct AllowlistActivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allowlist-activate", abstract: L("管理员激活白名单地址（之后经冷静期才可用）", "activate an allowlisted address (admin; usable only after the cooling-off period)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Argument var address: String
        func run() async throws {
            await CLI.runAsync(g) {
                let engine = try await EngineCLI.open(home)
                let (e, usable) = try engine.allowlistActivate(address, by: try EngineCLI.authenticate(engine, auth))
                if g.json { CLI.printJSON(WithdrawCommand.AllowlistActivateJSON(address: e.address, activatedBy: e.activatedBy ?? "", usableFrom: usable)) }
                else { print("\(e.address) usableFrom=\(usable)") }
            }
        }
    }

    struct Allowlist: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allowlist", abstract: L("列出白名单", "list the allowlist"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        func run() async throws {
            await CLI.runAsync(g) {
                let rows = try await EngineCLI.open(home).allowlist().map {
                    WithdrawCommand.AllowlistJSON(address: $0.entry.address, addedBy: $0.entry.addedBy, activatedBy: $0.entry.activatedBy ?? "", usableFrom: $0.usableFrom)
                }
                if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["address", "addedBy", "activatedBy", "usableFrom"]) }
            }
        }
    }
}
