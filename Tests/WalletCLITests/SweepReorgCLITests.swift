// 已记账的归集被重组拿掉（QA 第三轮）：以前归集停在 confirmed、交易已不在链上，热钱包账上有链上没有的钱，对账永远差。
// 运维的一天：充值、归集（ETH 直接归集；代币先补 gas）、一笔提现，然后重组把归集、提现与代币充值都拿掉——引擎用原字节重发、
// 告警 sweep.reorged / withdraw.reorged，重新上链后按收据改账；重发之后、重新上链之前对账也平（按在途算）。以链为准：对账、不变量、审计链都过；每个充值地址的 nonce 只用一次；热钱包链上余额 = 账。发布版二进制 + 真实 EVM。
import Foundation
import Testing

@Suite(.serialized) struct SweepReorgCLITests {
    @Test func sweepsRemovedByAReorgAreResentAndTheBooksFollowTheChain() throws {
        let rel = try CLIRunner.releaseBinary()
        let dev = try CLIDevnet()
        let t = CLIHome("sweeporg")
        let (unseal, h, root) = (t.unseal, t.h, t.op("root"))
        func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + h, executable: rel) }
        func once() throws {
            let r = try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal])
            #expect(r.status == 0, "\(r.stdout.suffix(400))\(r.stderr.suffix(400))")
        }
        func books(_ when: String) throws {
            for cmd in [["ledger", "reconcile", "--json"], ["ledger", "check", "--json"], ["audit", "verify", "--json"]] {
                let r = try run(cmd)
                #expect(r.status == 0, "\(when)：\(cmd.joined(separator: " ")) → \(r.stdout.prefix(700))")
            }
        }
        #expect(try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "1"]), executable: rel).status == 0)
        let token = try #require(try dev.call("devnet_deployToken", ["Tether", "USDT", 6]) as? String)
        #expect(try run(["asset", "add", "--symbol", "USDT", "--contract", token, "--decimals", "6", "--confirmations", "1"] + root).status == 0)
        func assign(_ asset: String) throws -> String {
            try #require((try run(["address", "assign", "--user", "u", "--asset", asset, "--json"] + root).json as? [String: Any])?["address"] as? String)
        }
        let ethAddr = try assign("ETH"), tokAddr = try assign("USDT")
        let hot = try #require(((try run(["status", "--json"]).json as? [String: Any])?["hotWallet"] as? [String: Any])?["address"] as? String)
        let accts = try dev.accounts()
        #expect(try run(["treasury", "cold-wallet", "add", accts[9], "--label", "vault"] + root).status == 0)
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x8ac7230489e80000"]])     // 10 ETH 金库注资（付补 gas）
        _ = try dev.call("devnet_send", [["from": accts[1], "to": ethAddr, "value": "0x1bc16d674ec80000"]]) // 2 ETH 充值
        try dev.mine(2)
        try once()
        // 快照在 ETH 充值之后、代币充值之前。
        let snap = try dev.call("evm_snapshot")
        _ = try dev.call("devnet_mintToken", [token, tokAddr, "0x3b9aca00"])                              // 1000 USDT 充值
        try dev.mine(2)
        try once()
        #expect(try run(["sweep", "run", "--unseal-passphrase-file", unseal] + root).status == 0)
        for _ in 0..<3 { try dev.mine(1); try once() }
        try books("归集之后")
        #expect(try dev.tokenBalance(token, hot) == 1_000_000_000, "代币已归集进热钱包")
        // 一笔提现（0.5 ETH，1 人审批），确认之后才重组。
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
        #expect(try run(["operator", "add", "--name", "appr", "--role", "approver", "--passphrase-file", t.pw] + root).status == 0)
        let payee = "0x00000000000000000000000000000000000bee01", payeeBefore = try dev.balance(payee)   // 新地址：余额从 0 起
        let wid = try #require(((try run(["withdraw", "request", "--request-id", "r1", "--user", "u", "--asset", "ETH", "--amount", "0.5",
                                          "--to", payee, "--json"] + root).json as? [String: Any])?["id"] as? Int))
        #expect(try run(["withdraw", "approve", String(wid)] + t.op("appr")).status == 0)
        for _ in 0..<2 { try once(); try dev.mine(1) }
        try once()
        func shown() throws -> [String: Any] {
            try #require(((try run(["withdraw", "list", "--json"]).json as? [[String: Any]]) ?? []).first { $0["id"] as? Int == wid })
        }
        let wd = try shown()
        #expect(wd["state"] as? String == "confirmed", "\(wd)")
        try books("提现之后")

        // 重组：回到代币充值之前、出一条更长的分支。归集、补 gas、代币充值都不在链上了。
        _ = try dev.call("evm_revert", [snap])
        try dev.mine(8)
        #expect(try dev.balance(payee) == payeeBefore, "重组拿掉了提现")
        // 测试链暂停出块：重发了、还没重新上链的这一段，对账把它们当在途（以前提现与补 gas 在这里报差异）。
        _ = try dev.call("devnet_setAutoMine", [false])
        try once()   // 扫块器撤销代币充值；补 gas、提现与两笔归集用原字节重发
        let alerts = ((try run(["ledger", "alerts", "--json"]).json as? [[String: Any]]) ?? []).map { $0["kind"] as? String ?? "" }
        #expect(alerts.filter { $0 == "sweep.reorged" }.count == 2, "两笔归集各告警一次：\(alerts)")
        #expect(alerts.filter { $0 == "withdraw.reorged" }.count == 2, "补 gas 与提现各告警一次：\(alerts)")
        let resent = try shown()
        #expect(resent["reorged"] as? Bool == true, "\(resent)")
        try books("重发之后、重新上链之前")
        let pending = try #require(try run(["ledger", "reconcile", "--json"]).json as? [String: Any])
        let kinds = ((pending["inFlight"] as? [[String: Any]]) ?? []).map { "\($0["kind"] ?? "")" }.sorted()
        #expect(kinds == ["sweep", "sweep", "topup", "withdrawal"], "\(pending)")
        _ = try dev.call("devnet_setAutoMine", [true])
        for _ in 0..<3 { try dev.mine(1); try once() }
        try books("重组、重发、重新核对之后")
        #expect(try dev.nonce(ethAddr) == 1 && (try dev.nonce(tokAddr)) == 1, "每个充值地址的 nonce 只用一次")
        #expect(try dev.tokenBalance(token, hot) == 0, "代币充值没了：重发的代币归集在链上回滚")
        let hotBooks = ((try run(["ledger", "balances", "--asset", "USDT", "--json"]).json as? [[String: Any]]) ?? [])
            .first { ($0["account"] as? String)?.hasPrefix("hot_wallet:USDT") == true }?["balanceBaseUnits"] as? String ?? "0"
        #expect(hotBooks == "0", "热钱包代币账 = 链上 0：\(hotBooks)")
        #expect(try dev.balance(payee) - payeeBefore == 500_000_000_000_000_000, "收款方只收到一次")
        #expect(try dev.nonce(hot) == 2, "热钱包 nonce 0（补 gas）与 1（提现）各上链一次")
        let status = try run(["status", "--json"])
        #expect(status.status == 0, "重组处理完之后 status 健康：\(status.stdout.suffix(600))")
    }
}
