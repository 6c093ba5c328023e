// policy status / apply：手改的 policy.json 要经管理员（两位以上管理员时是法定人数）批准才生效。
import ArgumentParser
import Foundation
import WalletEngine

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policy", abstract: L("审批策略：生效的哈希与批准", "approval policy: active hash and approval"),
                                                    subcommands: [Status.self, Apply.self])

    /// 哈希为 null：activeHash = 默认策略，fileHash = 没有 policy.json。
    struct StateJSON: Encodable {
        @ExplicitNull var activeHash: String?
        @ExplicitNull var fileHash: String?
        var pendingApproval: Bool
        init(_ s: PolicyState) { activeHash = s.activeHash; fileHash = s.fileHash; pendingApproval = s.pendingApproval }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("生效策略的哈希、policy.json 的哈希、是否等待批准", "hash of the active policy, hash of policy.json, and whether approval is pending"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        func run() async throws {
            await CLI.runAsync(g) {
                let s = try await EngineCLI.open(home).policyState()
                if g.json { CLI.printJSON(PolicyCommand.StateJSON(s)) } else {
                    let zh = g.language == .zh
                    print((zh ? "生效：" : "active: ") + (s.activeHash ?? (zh ? "默认策略" : "default policy")))
                    print((zh ? "文件：" : "file:   ") + (s.fileHash ?? (zh ? "（没有 policy.json）" : "(no policy.json)")))
                    if s.pendingApproval {
                        print(zh ? "policy.json 被改过、尚未生效：管理员运行 `policy apply`（两位以上管理员时需另一位批准）。"
                                 : "policy.json was edited and is not in effect: an admin runs `policy apply` (another admin approves when there are two or more).")
                    }
                }
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("让磁盘上的 policy.json 生效（admin；两位以上管理员时是提议，退出码 3）", "activate the policy.json on disk (admin; with two or more admins this is a proposal, exit code 3)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let s = try e.applyPolicyFile(by: try EngineCLI.authenticate(e, auth))
                if g.json { CLI.printJSON(PolicyCommand.StateJSON(s)) } else {
                    print((g.language == .zh ? "策略已生效：" : "policy in effect: ") + (s.activeHash ?? ""))
                }
            }
        }
    }
}
