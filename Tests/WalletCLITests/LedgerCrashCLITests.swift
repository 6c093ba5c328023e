// 崩溃测试：测试支撑程序 WalletTestWorker（不是产品）在随机时刻被 SIGKILL，由 wallet-console（经引擎）检查：
// 每次重启后：不变量成立（ledger check）、没有充值入账两次、一个 nonce 只广播过一笔交易、审计链完整。
import Foundation
import Testing

@Test func ledgerSurvivesSigkillAtRandomPoints() throws {
    let home = CLIRunner.tempDir("ledger-crash")
    let h = ["--home", home.path]
    let seed = try CLIRunner.runWorker(["--mode", "seed"] + h)
    #expect(seed.status == 0, "\(seed.stderr)")
    var rng: UInt64 = 0xC0FFEE
    func next(_ n: UInt64) -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return (rng >> 33) % n }
    let kills = 120
    var killedMidway = 0
    for k in 0..<kills {
        let p = Process()
        p.executableURL = CLIRunner.workerBinary
        p.arguments = h
        let ready = Pipe()
        p.standardOutput = ready
        p.standardError = FileHandle.nullDevice
        try p.run()
        // 等到子进程真正开始业务再计时（CI 并行跑测试时进程启动可能比 kill 间隔还慢）。
        _ = ready.fileHandleForReading.availableData
        usleep(useconds_t(next(80_000)))
        if p.isRunning { kill(p.processIdentifier, SIGKILL); killedMidway += 1 }
        p.waitUntilExit()
        let c = try CLIRunner.run(["ledger", "check", "--json"] + h)
        #expect(c.status == 0, "第 \(k) 次 kill 后不变量失败：\(c.stdout)\(c.stderr)")
        if c.status != 0 { break }
    }
    #expect(killedMidway > kills / 2)
    // 结束后再完整跑几步，处理掉被打断的 unknown / signed
    let fin = try CLIRunner.runWorker(["--steps", "3"] + h)
    #expect(fin.status == 0, "\(fin.stderr)")
    #expect(try CLIRunner.run(["ledger", "check"] + h).status == 0)
    #expect(try CLIRunner.run(["audit", "verify"] + h).status == 0)
    // 「链」上：每个 (from, nonce) 只出现过一个交易哈希，且就是库里存的那个。
    let log = (try? String(contentsOf: home.appendingPathComponent("broadcast.log"), encoding: .utf8)) ?? ""
    var byNonce: [String: Set<String>] = [:]
    for line in log.split(separator: "\n") {
        let parts = line.split(separator: " ")
        guard parts.count == 2 else { continue }  // 被 kill 截断的半行不算广播
        byNonce[String(parts[0]), default: []].insert(String(parts[1]))
    }
    #expect(byNonce.count > 20, "进展太少：\(byNonce.count)")
    #expect(byNonce.values.allSatisfy { $0.count == 1 }, "同一 nonce 广播了不同交易：\(byNonce.filter { $0.value.count > 1 })")
    let ws = (try CLIRunner.run(["withdraw", "list", "--limit", "10000", "--json"] + h).json as? [[String: Any]]) ?? []
    let stored = Dictionary(ws.compactMap { w -> (String, String)? in
        guard let n = w["nonce"] as? Int, let hsh = w["txHash"] as? String else { return nil }
        return ("0x3333333333333333333333333333333333333333#\(n)", hsh)
    }, uniquingKeysWith: { a, _ in a })
    for (nonce, hashes) in byNonce { #expect(stored[nonce] == hashes.first, "\(nonce) 广播的交易不是库里存的那笔") }
    // nonce 连续无空洞
    let nonces = ws.compactMap { $0["nonce"] as? Int }.sorted()
    #expect(nonces == Array(0..<nonces.count))
    // 充值：每个 txHash 只有一条记录，入账次数由 ledger check 的 deposit_credit_count 保证
    let ds = (try CLIRunner.run(["deposit", "list", "--limit", "10000", "--json"] + h).json as? [[String: Any]]) ?? []
    #expect(Set(ds.map { $0["txHash"] as! String }).count == ds.count)
    // 归集也走过了（热钱包收到了归集来的钱）
    let hot = (try CLIRunner.run(["ledger", "balances", "--asset", "USDT", "--json"] + h).json as? [[String: Any]]) ?? []
    #expect(hot.contains { $0["kind"] as? String == "hot_wallet" && ($0["balanceBaseUnits"] as? String).map { !$0.hasPrefix("-") && $0 != "0" } == true })
}
