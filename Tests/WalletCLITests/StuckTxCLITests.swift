// 卡住的交易（issue 11）：以前补 gas 只会用同一份字节重发，一笔出价过低的补 gas 卡住热钱包之后的每一个 nonce。
// 现在与提现同一规则加价替换（同一 nonce），哪个版本上链都按内部补 gas 记账。驱动发布版二进制，对着真实 EVM，以链为准。
import Foundation
import Testing
import WalletCrypto

@Suite(.serialized) struct StuckTxCLITests {
    @Test func stuckGasTopUpIsFeeBumpedAndLandsExactlyOnce() throws {
        let f = TierFixture(rel: try CLIRunner.releaseBinary(), dev: try CLIDevnet(), t: CLIHome("topupbump"))
        try f.setUp()
        let root = f.t.op("root")
        // 卡住判定用最短的 10 秒（配置唯一来源：config.json）。
        let cfgPath = f.t.home + "/config.json"
        var cfg = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cfgPath))) as? [String: Any])
        var fees = cfg["fees"] as? [String: Any] ?? [:]
        fees["stuckAfterSeconds"] = 10
        cfg["fees"] = fees
        try JSONSerialization.data(withJSONObject: cfg, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: cfgPath))

        let token = try #require(try f.dev.call("devnet_deployToken", ["Tether", "USDT", 6]) as? String)
        #expect(try f.run(["asset", "add", "--symbol", "USDT", "--contract", token, "--decimals", "6", "--confirmations", "1"] + root).status == 0)
        let hot = try #require(((try f.json(["status"]))["hotWallet"] as? [String: Any])?["address"] as? String)
        try f.fund(hot: hot)   // 热钱包 10 ETH（冷钱包注资），用户 2 ETH 充值
        let tokAddr = try #require(try f.json(["address", "assign", "--user", "u", "--asset", "USDT"] + root)["address"] as? String)
        _ = try f.dev.call("devnet_mintToken", [token, tokAddr, "0xee6b280"])   // 250 USDT
        try f.dev.mine(2)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        let nonceBefore = try f.dev.nonce(hot)

        // 不出块：补 gas 广播后停在交易池里。
        _ = try f.dev.call("devnet_setAutoMine", [false])
        let s1 = try f.run(["sweep", "run", "--unseal-passphrase-file", f.t.unseal, "--json"] + root)
        #expect(s1.status == 0, "\(s1.stdout)\(s1.stderr)")
        func topUpAttempts() throws -> Int {
            let inFlight = (try f.json(["nonce", "status"])["inFlight"] as? [[String: Any]]) ?? []
            return inFlight.first { $0["kind"] as? String == "topup" }?["attempts"] as? Int ?? 0
        }
        #expect(try topUpAttempts() == 1)
        usleep(11_000_000)   // 超过 stuckAfterSeconds
        let once = try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(try topUpAttempts() == 2, "卡住的补 gas 应被加价替换（同一 nonce）")
        let log = (try? String(contentsOfFile: f.t.home + "/logs/engine.log", encoding: .utf8)) ?? ""
        #expect(log.contains("sweep.topup_replaced"))

        // 出块：只有一个版本上链，之后代币归集完成；热钱包这一个 nonce 只用了一次。
        _ = try f.dev.call("devnet_setAutoMine", [true])
        try f.dev.mine(2)
        for _ in 0..<3 {
            #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
            try f.dev.mine(2)
        }
        #expect(try f.dev.nonce(hot) == nonceBefore + 1)
        #expect(try f.dev.tokenBalance(token, tokAddr) == 0 && f.dev.tokenBalance(token, hot) == 250_000_000, "代币归集应完成")
        #expect(try f.dev.nonce(tokAddr) == 1)
        // 补 gas 不是用户充值：用户的 ETH 仍是 2。
        let bal = (try f.run(["ledger", "balances", "--user", "u", "--json"]).json as? [[String: Any]]) ?? []
        #expect(bal.contains { $0["account"] as? String == "user_available:ETH:u" && $0["balance"] as? String == "2" }, "\(bal)")
        try f.checkBooks()
    }
}

extension StuckTxCLITests {
    /// 取消卡住的提现：两人（提出人不能自己批准）→ 同一 nonce 的 0 值 NOOP 上链 → 提现 failed（取消）、资金此时才解冻；
    /// 收款地址一分没收到，热钱包 nonce 只前进 1，账与链相等，审计有提出、批准、NOOP、取消四条。
    @Test func stuckWithdrawalIsCancelledByASameNonceNoop() throws {
        let f = TierFixture(rel: try CLIRunner.releaseBinary(), dev: try CLIDevnet(), t: CLIHome("noop"))
        try f.setUp()
        let root = f.t.op("root")
        let hot = try #require(((try f.json(["status"]))["hotWallet"] as? [String: Any])?["address"] as? String)
        try f.fund(hot: hot)
        let nonceBefore = try f.dev.nonce(hot)
        func available() throws -> String? {
            let rows = (try f.run(["ledger", "balances", "--user", "u", "--json"]).json as? [[String: Any]]) ?? []
            return rows.first { $0["account"] as? String == "user_available:ETH:u" }?["balance"] as? String
        }
        _ = try f.dev.call("devnet_setAutoMine", [false])
        let to = "0x00000000000000000000000000000000000c0ffe"
        let w = try f.json(["withdraw", "request", "--request-id", "n1", "--user", "u", "--asset", "ETH", "--amount", "0.5", "--to", to] + root)
        let id = String(try #require(w["id"] as? Int))
        // 还没签名的提现不能用 NOOP 取消（驳回就行）。
        let early = try f.run(["withdraw", "cancel", id, "--reason", "x"] + root)
        #expect(early.status == 2 && early.stderr.contains("withdraw.cancel_state"), "\(early.stderr)")
        #expect(try f.run(["withdraw", "approve", id] + f.t.op("appr")).status == 0)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        #expect(try available() == "1.5", "签名广播后 0.5 冻结")

        let req = try f.json(["withdraw", "cancel", id, "--reason", "卡在交易池；用户撤回 it's fine"] + f.t.op("appr"))
        #expect(req["state"] as? String == "requested", "\(req)")
        let selfApprove = try f.run(["withdraw", "cancel-approve", id] + f.t.op("appr"))
        #expect(selfApprove.status == 2 && selfApprove.stderr.contains("withdraw.cancel_self"), "\(selfApprove.stderr)")
        let ok = try f.json(["withdraw", "cancel-approve", id] + root)
        #expect(ok["state"] as? String == "approved", "\(ok)")
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        #expect(try available() == "1.5", "NOOP 确认之前资金不能解冻")

        _ = try f.dev.call("devnet_setAutoMine", [true])
        try f.dev.mine(2)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        let list = (try f.run(["withdraw", "list", "--json"]).json as? [[String: Any]]) ?? []
        let row = try #require(list.first { String(($0["id"] as? Int) ?? -1) == id })
        #expect(row["state"] as? String == "failed" && (row["reason"] as? String ?? "").contains("NOOP"), "\(row)")
        // 引擎写的原因两种语言都存：中文界面只显示中文，--lang en 只显示英文。
        #expect((row["reason"] as? String ?? "").hasPrefix("已取消"), "\(row)")
        let listEn = (try f.run(["withdraw", "list", "--json", "--lang", "en"]).json as? [[String: Any]]) ?? []
        let reasonEn = listEn.first { String(($0["id"] as? Int) ?? -1) == id }?["reason"] as? String ?? ""
        #expect(reasonEn.hasPrefix("cancelled: the same-nonce NOOP") && !BilingualText.hasCJK(reasonEn), "\(reasonEn)")
        #expect(try available() == "2", "NOOP 确认后资金解冻")
        #expect(try f.dev.balance(to) == 0, "收款地址不能收到钱")
        #expect(try f.dev.nonce(hot) == nonceBefore + 1, "同一个 nonce 只上链一笔（NOOP）")
        let actions = ["withdraw.cancel_request", "withdraw.cancel_approve", "withdraw.noop_signed", "withdraw.cancelled"]
        for a in actions {
            let r = (try f.run(["audit", "list", "--action", a, "--json"]).json as? [[String: Any]]) ?? []
            #expect(!r.isEmpty, "审计缺 \(a)")
        }
        try f.checkBooks()
    }
}
