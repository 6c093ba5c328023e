// 热钱包流动性（QA）：用户的 USDT 还在充值地址上（没归集），热钱包里 0 USDT 时批准了一笔 USDT 提现——
// 以前执行器估算 gas 回滚后直接判 failed，告警里是原始回滚字节。现在：提现保持 approved、不签名不占 nonce，
// 告警 `withdraw.insufficient_liquidity` 说清缺多少、怎么办；归集之后照常发出、恰好一次。发布版二进制 + 真实 EVM。
import Foundation
import Testing

@Suite(.serialized) struct LiquidityCLITests {
    @Test func approvedWithdrawalWaitsForLiquidityInsteadOfFailing() throws {
        let rel = try CLIRunner.releaseBinary()
        let dev = try CLIDevnet()
        let t = CLIHome("liq")
        let (unseal, h, root) = (t.unseal, t.h, t.op("root"))
        func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + h, executable: rel) }
        func once() throws { #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0) }
        #expect(try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "1"]), executable: rel).status == 0)
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
        let token = try #require(try dev.call("devnet_deployToken", ["Tether", "USDT", 6]) as? String)
        #expect(try run(["asset", "add", "--symbol", "USDT", "--contract", token, "--decimals", "6", "--confirmations", "1"] + root).status == 0)
        #expect(try run(["operator", "add", "--name", "appr", "--role", "approver", "--passphrase-file", t.pw] + root).status == 0)
        let addr = try #require((try run(["address", "assign", "--user", "u", "--asset", "USDT", "--json"] + root).json as? [String: Any])?["address"] as? String)
        let hot = try #require(((try run(["status", "--json"]).json as? [String: Any])?["hotWallet"] as? [String: Any])?["address"] as? String)
        let accts = try dev.accounts()
        #expect(try run(["treasury", "cold-wallet", "add", accts[9], "--label", "vault"] + root).status == 0)
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x8ac7230489e80000"]])   // 10 ETH（手续费）
        _ = try dev.call("devnet_mintToken", [token, addr, "0x5f5e100"])                                 // 100 USDT 给用户
        try dev.mine(2)
        try once()

        let to = "0x00000000000000000000000000000000000c0ffe"
        let w = try run(["withdraw", "request", "--request-id", "l1", "--user", "u", "--asset", "USDT", "--amount", "10", "--to", to, "--json"] + root)
        let id = String(((w.json as? [String: Any])?["id"] as? Int) ?? -1)
        #expect(try run(["withdraw", "approve", id] + t.op("appr")).status == 0)
        try once(); try once()
        let state = { ((try run(["withdraw", "list", "--json"]).json as? [[String: Any]] ?? []).first { String($0["id"] as? Int ?? -2) == id }?["state"] as? String) ?? "?" }
        #expect(try state() == "approved", "热钱包没有 USDT 时应等待，而不是失败")
        let alerts = (try run(["ledger", "alerts", "--json"]).json as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "withdraw.insufficient_liquidity" }
        #expect(alerts.count == 1, "只告警一次：\(alerts)")
        #expect((alerts.first?["message"] as? String ?? "").contains("sweep"), "\(alerts)")
        #expect(try dev.tokenBalance(token, to) == 0)

        // 归集（先补 gas 再归集）之后：同一笔提现发出、恰好一次。
        #expect(try run(["sweep", "run", "--unseal-passphrase-file", unseal] + root).status == 0)
        for _ in 0..<6 { try dev.mine(1); try once() }
        #expect(try dev.tokenBalance(token, to) == 10_000_000)
        #expect(try state() == "confirmed")
        let rec = try run(["ledger", "reconcile", "--json"])
        #expect(rec.status == 0, "\(rec.stdout)")
    }
}
