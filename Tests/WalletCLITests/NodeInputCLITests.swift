// 节点给的数是外来输入（issue 11）：一个离谱的小费报价（reward × 2^225）以前让归集规划里的 `UInt256 *` 陷入，
// engine run 崩溃重启、再崩溃。现在：拒收并告警 `fees.out_of_range`，命令以错误退出、绝不崩溃；
// 报价高于配置上限时告警 `fees.above_cap`，已批准的提现等待（不签名），回落后照常发出。
import Foundation
import Testing

@Suite(.serialized) struct NodeInputCLITests {
    @Test func absurdFeeQuotesAreRefusedWithAnAlertNotACrash() throws {
        let dev = try CLIDevnet()
        let proxy = try CLIRPCProxy(upstream: dev.url)
        let t = CLIHome("fees")
        let (unseal, h, root) = (t.unseal, t.h, t.op("root"))
        func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + h) }
        #expect(try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: proxy.url, ["--confirmations", "1"])).status == 0)
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
        _ = try run(["operator", "add", "--name", "appr", "--role", "approver", "--passphrase-file", t.pw] + root)
        let addr = try #require((try run(["address", "assign", "--user", "u", "--asset", "ETH", "--json"] + root).json as? [String: Any])?["address"] as? String)
        let hot = try #require(((try run(["status", "--json"]).json as? [String: Any])?["hotWallet"] as? [String: Any])?["address"] as? String)
        let accts = try dev.accounts()
        _ = try run(["treasury", "cold-wallet", "add", accts[9], "--label", "vault"] + root)
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x8ac7230489e80000"]])   // 10 ETH
        _ = try dev.call("devnet_send", [["from": accts[1], "to": addr, "value": "0xde0b6b3a7640000"]])   // 1 ETH
        try dev.mine(2)
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0)

        // 1. 离谱的报价：拒收、告警、不崩溃。
        try proxy.feeSpike("53919893334301279589334030174039261347274288845081144962207220498432", only: "reward")   // 2^225
        for args in [["fees", "--json"], ["sweep", "plan", "--json"], ["engine", "run", "--once", "--unseal-passphrase-file", unseal]] {
            let r = try run(args)
            #expect(!r.crashed && !r.stderr.contains("Fatal error"), "\(args): \(r.status) \(r.stderr.suffix(400))")
        }
        let alerts = { (try run(["ledger", "alerts", "--json"]).json as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String } }
        let a1 = try alerts()
        #expect(a1.filter { $0 == "fees.out_of_range" }.count == 1, "\(a1)")
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status != 0)
        #expect(try alerts().filter { $0 == "fees.out_of_range" }.count == 1, "同一情况只告警一次")

        // 2. 高于配置上限（默认 500 gwei）：告警，已批准的提现等待；回落后照常发出、恰好一次。
        try proxy.feeSpike("100000")
        let w = try run(["withdraw", "request", "--request-id", "f1", "--user", "u", "--asset", "ETH", "--amount", "0.25",
                         "--to", "0x00000000000000000000000000000000000f0e01", "--json"] + root)
        let id = String(((w.json as? [String: Any])?["id"] as? Int) ?? -1)
        #expect(try run(["withdraw", "approve", id] + t.op("appr")).status == 0)
        _ = try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal])
        let a2 = try alerts()
        #expect(a2.contains("fees.above_cap"), "\(a2)")
        #expect(try dev.balance("0x00000000000000000000000000000000000f0e01") == 0)
        try proxy.feeSpike("1")
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0)
        try dev.mine(2)
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0)
        #expect(try dev.balance("0x00000000000000000000000000000000000f0e01") == 250_000_000_000_000_000)
        let rec = try run(["ledger", "reconcile", "--json"])
        #expect(rec.status == 0, "\(rec.stdout)")
    }
}
