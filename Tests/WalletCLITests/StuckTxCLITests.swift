// 卡住的交易（issue 11）：以前补 gas 只会用同一份字节重发，一笔出价过低的补 gas 卡住热钱包之后的每一个 nonce。
// 现在与提现同一规则加价替换（同一 nonce），哪个版本上链都按内部补 gas 记账。驱动发布版二进制，对着真实 EVM，以链为准。
import Foundation
import Testing

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
