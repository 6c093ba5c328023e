// 恐慌按钮到达运行中的引擎（issue 15）：以前 `keystore seal` 只封存自己这个 CLI 进程、打印「已封存」，
// 而运行中的 `engine run` 继续签名广播（封存后批准的提现 8 秒后照样上链）。现在：custodian 封存 → 引擎 2 秒内丢弃密钥
// （日志与告警为证）、之后批准的提现不签名不上链；重启引擎并提供解封口令后照常发出、恰好一次；审计记下是谁封的。
// 驱动发布版二进制，对着真实 EVM，以链为准。
import Foundation
import Testing

@Suite(.serialized) struct SealCLITests {
    @Test func sealReachesTheRunningEngineWithinTwoSeconds() throws {
        let rel = try CLIRunner.releaseBinary()
        let dev = try CLIDevnet()
        let t = CLIHome("seal")
        let (unseal, h, root) = (t.unseal, t.h, t.op("root"))
        func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + h, executable: rel) }
        #expect(try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "1"]), executable: rel).status == 0)
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
        for (n, role) in [("appr", "approver"), ("cust", "custodian"), ("viewer1", "viewer")] {
            #expect(try run(["operator", "add", "--name", n, "--role", role, "--passphrase-file", t.pw] + root).status == 0)
        }
        let addr = try #require((try run(["address", "assign", "--user", "u", "--asset", "ETH", "--json"] + root).json as? [String: Any])?["address"] as? String)
        let hot = try #require(((try run(["status", "--json"]).json as? [String: Any])?["hotWallet"] as? [String: Any])?["address"] as? String)
        let accts = try dev.accounts()
        let cold = try run(["treasury", "cold-wallet", "add", accts[9], "--label", "vault"] + root)
        #expect(cold.status == 0 && cold.stdout.contains("已登记冷钱包") && cold.stdout.contains("vault"), "\(cold.stdout)")
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x8ac7230489e80000"]])   // 10 ETH
        _ = try dev.call("devnet_send", [["from": accts[1], "to": addr, "value": "0x1bc16d674ec80000"]])  // 2 ETH
        try dev.mine(2)
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0)

        func withdraw(_ rid: String, _ amount: String, _ to: String) throws {
            let w = try run(["withdraw", "request", "--request-id", rid, "--user", "u", "--asset", "ETH", "--amount", amount, "--to", to, "--json"] + root)
            let id = String(((w.json as? [String: Any])?["id"] as? Int) ?? -1)
            #expect(try run(["withdraw", "approve", id] + t.op("appr")).status == 0)
        }
        func waitFor(_ seconds: Double, _ cond: () throws -> Bool) rethrows -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end { if try cond() { return true }; usleep(200_000) }
            return try cond()
        }

        // 常驻引擎，已解封：第一笔提现上链。
        let engine = Process()
        engine.executableURL = rel
        engine.arguments = ["engine", "run", "--unseal-passphrase-file", unseal] + h
        engine.standardOutput = FileHandle.nullDevice; engine.standardError = FileHandle.nullDevice
        try engine.run()
        defer { if engine.isRunning { kill(engine.processIdentifier, SIGKILL); engine.waitUntilExit() } }
        let a = "0x00000000000000000000000000000000000a11ce", b = "0x00000000000000000000000000000000000b0b00"
        try withdraw("s1", "0.1", a)
        #expect(try waitFor(20) { try dev.balance(a) == 100_000_000_000_000_000 }, "封存前引擎应照常签名")
        let nonceBefore = try dev.nonce(hot)
        // status 报的是运行中引擎的真实状态（心跳），不是查询进程自己的（QA：引擎已解封在签名，status 却说 sealed）。
        func engineState() throws -> [String: Any] { ((try run(["status", "--json"]).json as? [String: Any])?["engine"] as? [String: Any]) ?? [:] }
        let running = try waitFor(5) { let e = try engineState(); return e["running"] as? Bool == true && e["sealed"] as? Bool == false }
        #expect(running, "\((try? engineState()) ?? [:])")

        // 观察员不能按恐慌按钮；custodian 可以。
        #expect(try run(["keystore", "seal"] + t.op("viewer1")).status == 2)
        let s = try run(["keystore", "seal", "--json"] + t.op("cust"))
        #expect(s.status == 0, "\(s.stderr)")
        let log = t.home + "/logs/engine.log"
        #expect(waitFor(2) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("keystore.sealed_by_request") },
                "运行中的引擎 2 秒内没有封存")
        let sealedSeen = try waitFor(3) { let e = try engineState(); return e["sealed"] as? Bool == true && e["lastSealBy"] as? String == "cust" }
        #expect(sealedSeen, "\((try? engineState()) ?? [:])")
        // 监控看得见被封存的引擎（QA：以前 healthy: true、退出 0）。
        let st = try run(["status", "--json"])
        #expect(st.status == 1 && ((st.json as? [String: Any])?["problems"] as? [String] ?? []).contains("engine.sealed"), "\(st.stdout)")
        #expect(try run(["signer", "status"]).status == 1)
        try withdraw("s2", "0.2", b)
        usleep(6_000_000)   // 三个提现轮次
        try dev.mine(1)
        #expect(try dev.balance(b) == 0, "封存之后引擎仍在签名")
        #expect(try dev.nonce(hot) == nonceBefore)
        let alerts = (try run(["ledger", "alerts", "--json"]).json as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(alerts.contains("keystore.sealed"), "\(alerts)")
        let audit = try run(["audit", "list", "--action", "keystore.seal", "--json"])
        #expect(audit.stdout.contains("\"operator\" : \"cust\""), "\(audit.stdout)")

        // 持有解封口令的人重启引擎：等待的提现发出、恰好一次；账与链相等。
        kill(engine.processIdentifier, SIGTERM); engine.waitUntilExit()
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0)
        try dev.mine(2)
        #expect(try run(["engine", "run", "--once", "--unseal-passphrase-file", unseal]).status == 0)
        #expect(try dev.balance(b) == 200_000_000_000_000_000)
        #expect(try dev.nonce(hot) == nonceBefore + 1)
        let rec = try run(["ledger", "reconcile", "--json"])
        #expect(rec.status == 0, "\(rec.stdout)")
        #expect(try run(["audit", "verify"]).status == 0)
    }
}
