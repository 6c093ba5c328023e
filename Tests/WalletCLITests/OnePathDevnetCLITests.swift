// 一条路径的端到端验收（issue 9）：像运维一样驱动真实二进制，对着真实 EVM（Tests/devnet，py-evm）。
// init → asset add → address assign（ETH 与 ERC-20）→ 链上充值 → engine run --once → 两笔都入账，金额与链上读回的一致；
// 再 sweep run：充值地址发出的交易被 EVM 接受（EVM 按签名恢复发送方：签错钥匙就不会出现「从充值地址发出」的交易）。
// 守护的陷阱：address assign 派生 xpub/0/i 而扫块器监视 xpub/i（两条路径、两个派生器），充值永不入账而所有检查都说正常。
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// 测试链子进程 + 同步 JSON-RPC（测试只需要几个调用）。
final class CLIDevnet: @unchecked Sendable {
    let process: Process
    let url: String
    let chainId: UInt64 = 131_277_322_940_537
    /// 每个测试链一个私有会话（不用 URLSession.shared：Linux 上多个测试并发共用它不可靠）。
    let session = URLSession(configuration: .ephemeral)

    init() throws {
        (process, url) = try launchTestServer("devnet.py", ["--port", "0", "--finality-depth", "8"], announce: "DEVNET_PORT=",
                                             what: "测试链未启动（需要 python3 + py-evm + eth-tester）")
    }

    deinit {
        session.invalidateAndCancel()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func call(_ method: String, _ params: [Any] = []) throws -> Any { try Self.rpc(session, url, method, params) }

    static func rpc(_ session: URLSession, _ url: String, _ method: String, _ params: [Any]) throws -> Any {
        var req = URLRequest(url: URL(string: url)!)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": method, "params": params])
        final class Box: @unchecked Sendable { var data: Data? }   // 信号量保证先写后读
        let box = Box()
        let sem = DispatchSemaphore(value: 0)
        session.dataTask(with: req) { d, _, _ in box.data = d; sem.signal() }.resume()
        sem.wait()
        guard let d = box.data, let o = try JSONSerialization.jsonObject(with: d) as? [String: Any] else {
            throw CLIDevnetError(message: "\(method): 没有响应")
        }
        if let e = o["error"] { throw CLIDevnetError(message: "\(method): \(e)") }
        return o["result"] ?? NSNull()
    }

    func quantity(_ v: Any) -> UInt64 { UInt64((v as? String ?? "0x0").dropFirst(2), radix: 16) ?? 0 }
    func accounts() throws -> [String] { (try call("devnet_accounts") as? [String]) ?? [] }
    func mine(_ n: Int) throws { _ = try call("evm_mine", ["0x" + String(n, radix: 16)]) }
    func balance(_ a: String) throws -> UInt64 { quantity(try call("eth_getBalance", [a, "latest"])) }
    func nonce(_ a: String) throws -> UInt64 { quantity(try call("eth_getTransactionCount", [a, "latest"])) }
    /// ERC-20 balanceOf（eth_call，选择器 0x70a08231）。
    func tokenBalance(_ token: String, _ a: String) throws -> UInt64 {
        let data = "0x70a08231" + String(repeating: "0", count: 24) + a.lowercased().dropFirst(2)
        return quantity(try call("eth_call", [["to": token, "data": data], "latest"]))
    }
}

/// JSON-RPC 故障代理（Tests/devnet/rpcproxy.py）：站在引擎与测试链之间，丢弃、延迟、搅乱应答，或把手续费报价抬成尖峰。
final class CLIRPCProxy: @unchecked Sendable {
    let process: Process
    let url: String
    let session = URLSession(configuration: .ephemeral)

    init(upstream: String) throws {
        (process, url) = try launchTestServer("rpcproxy.py", ["--upstream", upstream, "--port", "0"], announce: "PROXY_PORT=", what: "故障代理未启动")
    }

    deinit {
        session.invalidateAndCancel()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// mode：drop | delay:<秒> | garble | http500；count = 0 关闭。
    func fault(_ mode: String, _ count: Int) throws { _ = try CLIDevnet.rpc(session, url, "proxy_fault", [mode, count]) }
    /// 报价乘以 factor（十进制文本，可以远超 64 位；"1" 关闭）。
    func feeSpike(_ factor: String, only: String? = nil) throws {
        _ = try CLIDevnet.rpc(session, url, "proxy_feeSpike", [factor] + (only.map { [$0] } ?? []))
    }
}

/// 启动 Tests/devnet 下的一个 Python 服务（端口 0），读它打印的「<announce><端口>」行；返回进程与 URL。
func launchTestServer(_ script: String, _ args: [String], announce: String, what: String) throws -> (Process, String) {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("devnet/\(script)").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", path] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    var line = ""
    while !line.contains("\n") {
        let d = out.fileHandleForReading.availableData
        if d.isEmpty { break }
        line += String(decoding: d, as: UTF8.self)
    }
    guard let port = line.split(separator: "\n").first(where: { $0.hasPrefix(announce) }).flatMap({ Int($0.dropFirst(announce.count)) }) else {
        p.terminate()
        throw CLIDevnetError(message: "\(what)：\(line)")
    }
    return (p, "http://127.0.0.1:\(port)")
}

struct CLIDevnetError: Error, CustomStringConvertible { var message: String; var description: String { message } }

@Suite(.serialized) struct OnePathDevnetCLITests {
    @Test func assignedAddressesAreWatchedCreditedAndSweptWithTheRightKey() throws {
        let dev = try CLIDevnet()
        let t = CLIHome("onepath")
        let (dir, unseal, adminPw, home, h) = (t.dir, t.unseal, t.pw, t.home, t.h)
        let root = t.op("root")
        // init 先核对节点：错误的 --chain-id、不可达的节点都退出 2，且什么都不创建（issue 10）。
        let wrong = try CLIRunner.run(t.initArgs(chainId: "1", rpc: dev.url))
        #expect(wrong.status == 2 && wrong.stderr.contains("init.chain_id_mismatch"), "\(wrong.stderr)")
        let dead = try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: "http://127.0.0.1:9"))
        #expect(dead.status == 2 && dead.stderr.contains("--offline"), "\(dead.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home))
        // 已知助记词 → 已知的热钱包地址（m/44'/60'/1'/0/0）：在 init 之前就给它打 2 ETH。init 从当时的链头开始扫，
        // 扫块器看不到这笔——这正是 `treasury fund` 手工按哈希记账的场景。
        let mnemonic = CLIRunner.write("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n", to: dir, "m.txt")
        let derived = try #require((try CLIRunner.run(["key", "derive", "--mnemonic-file", mnemonic, "--path", "m/44'/60'/1'/0/0", "--json"]).json
                                    as? [String: Any])?["keys"] as? [[String: Any]])
        let preHot = try #require(derived.first?["address"] as? String)
        let fundTx = try #require(try dev.call("devnet_send", [["from": try dev.accounts()[1], "to": preHot, "value": "0x1bc16d674ec80000"]]) as? String)
        try dev.mine(1)
        let initR = try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--mnemonic-file", mnemonic, "--confirmations", "2", "--json"]))
        #expect(initR.status == 0, "\(initR.stderr)")
        let hot = try #require(((initR.json as? [String: Any])?["hotWallet"] as? [String: Any])?["address"] as? String)
        #expect(hot.lowercased() == preHot.lowercased())
        // 注资只在最终确定后才能记（不经扫块器，被重组撤销时没人会冲正它）。
        let early = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", fundTx] + root + h)
        #expect(early.status == 1 && early.stderr.contains("treasury.unconfirmed"), "\(early.stderr)")
        let healthy = try CLIRunner.run(["status", "--json"] + h)
        #expect(healthy.status == 0 && (healthy.json as? [String: Any])?["healthy"] as? Bool == true, "\(healthy.stdout)\(healthy.stderr)")
        // 离线创建、链 id 写错的 home：status 点名 node.chain_id_mismatch 并退出 1。
        let other = dir.appendingPathComponent("other").path
        let offline = try CLIRunner.run(["init", "--home", other, "--chain-id", "1", "--rpc", dev.url, "--offline", "--unseal-passphrase-file", unseal,
                                         "--admin", "root", "--admin-passphrase-file", adminPw, "--scrypt-log-n", "12"] + CLIHome.backupArgs(dir))
        #expect(offline.status == 0, "\(offline.stderr)")
        let mism = try CLIRunner.run(["status", "--home", other, "--json"])
        #expect(mism.status == 1 && ((mism.json as? [String: Any])?["problems"] as? [String])?.contains("node.chain_id_mismatch") == true,
                "\(mism.stdout)\(mism.stderr)")

        let token = try #require(try dev.call("devnet_deployToken", ["Tether", "USDT", 6]) as? String)
        // 登记代币前先问链：精度不符、不是合约（用户的地址）都拒绝（QA 第二轮）。
        let wrongDecimals = try CLIRunner.run(["asset", "add", "--symbol", "USDT", "--contract", token, "--decimals", "18"] + root + h)
        #expect(wrongDecimals.status == 2 && wrongDecimals.stderr.contains("asset.decimals_mismatch"), "\(wrongDecimals.stderr)")
        let eoa = try CLIRunner.run(["asset", "add", "--symbol", "FAKE", "--contract", try dev.accounts()[5], "--decimals", "6"] + root + h)
        #expect(eoa.status == 2 && eoa.stderr.contains("asset.not_a_contract"), "\(eoa.stderr)")
        let add = try CLIRunner.run(["asset", "add", "--symbol", "USDT", "--contract", token, "--decimals", "6", "--confirmations", "2"] + root + h)
        #expect(add.status == 0, "\(add.stderr)")
        let caseClash = try CLIRunner.run(["asset", "add", "--symbol", "eth", "--contract", token, "--decimals", "6"] + root + h)
        #expect(caseClash.status == 2 && caseClash.stderr.contains("asset.exists"), "\(caseClash.stderr)")
        // 代币归集要等补 gas：本测试只验证 ETH 地址的归集签名，把代币的归集门槛设高（配置唯一来源：config.json）。
        var cfg = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: home + "/config.json"))) as? [String: Any])
        var sweep = cfg["sweep"] as? [String: Any] ?? [:]
        sweep["minAmount"] = ["USDT": "999999999999999"]
        cfg["sweep"] = sweep
        try JSONSerialization.data(withJSONObject: cfg, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: home + "/config.json"))

        func assign(_ asset: String) throws -> [String: Any] {
            let r = try CLIRunner.run(["address", "assign", "--user", "u1", "--asset", asset, "--json"] + root + h)
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(r.json as? [String: Any])
        }
        let ethA = try assign("ETH"), tokA = try assign("USDT")
        for (a, i) in [(ethA, 0), (tokA, 1)] {
            #expect(Set(a.keys) == ["user", "asset", "address", "index", "path"])
            #expect(a["index"] as? Int == i && a["path"] as? String == "m/44'/60'/0'/0/\(i)", "\(a)")
        }
        let ethAddr = try #require(ethA["address"] as? String), tokAddr = try #require(tokA["address"] as? String)

        // 链上充值：1.5 ETH 与 250 USDT（mint 产生 Transfer 事件）。
        let accts = try dev.accounts()
        _ = try dev.call("devnet_send", [["from": accts[0], "to": ethAddr, "value": "0x14d1120d7b160000"]])   // 1.5 ETH
        _ = try dev.call("devnet_mintToken", [token, tokAddr, "0xee6b280"])                                    // 250_000_000
        try dev.mine(3)
        for _ in 0..<2 {
            let r = try CLIRunner.run(["engine", "run", "--once", "--unseal-passphrase-file", unseal, "--json"] + h)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
        let deps = try #require(try CLIRunner.run(["deposit", "list", "--state", "credited", "--json"] + h).json as? [[String: Any]])
        #expect(deps.count == 2, "\(deps)")
        // 金额以链为准：从 EVM 读回的余额 = 账本入账的基本单位金额。
        let chainEth = try dev.balance(ethAddr), chainTok = try dev.tokenBalance(token, tokAddr)
        #expect(chainEth == 1_500_000_000_000_000_000 && chainTok == 250_000_000)
        #expect(deps.first { $0["asset"] as? String == "ETH" }?["amountBaseUnits"] as? String == String(chainEth))
        #expect(deps.first { $0["asset"] as? String == "USDT" }?["amountBaseUnits"] as? String == String(chainTok))
        // 对账钉在一个区块上，账 = 链（issue 10）。
        func available(_ u: String) throws -> UInt64 {
            let rows = (try CLIRunner.run(["ledger", "balances", "--user", u, "--asset", "ETH", "--json"] + h).json as? [[String: Any]]) ?? []
            return UInt64(rows.first { $0["account"] as? String == "user_available:ETH:\(u)" }?["balanceBaseUnits"] as? String ?? "0") ?? 0
        }
        func reconcile() throws -> (Int32, [String: Any]) {
            let r = try CLIRunner.run(["ledger", "reconcile", "--json"] + h)
            return (r.status, (r.json as? [String: Any]) ?? ["stderr": r.stderr])
        }
        // init 之前打进热钱包的 2 ETH：账上还没有 → 对账差异（退出 1），指出热钱包；treasury fund 按哈希记账后归零。
        try dev.mine(8)
        let (rc1, rep1) = try reconcile()
        let mm = rep1["mismatches"] as? [[String: Any]] ?? []
        #expect(rc1 == 1 && mm.count == 1 && mm.first?["account"] as? String == "hot_wallet", "\(rep1)")
        #expect(mm.first?["chain"] as? String == "2000000000000000000" && mm.first?["ledger"] as? String == "0")
        #expect((rep1["block"] as? Int ?? 0) > 0)
        // 引擎停着、扫块器落后链头：JSON 给出扫到的高度，stderr 说明差异可能是假的、该怎么办。
        let behind = try CLIRunner.run(["ledger", "reconcile", "--json"] + h)
        #expect((rep1["scanned"] as? Int ?? Int.max) < (rep1["block"] as? Int ?? 0), "\(rep1)")
        #expect(behind.stderr.contains("扫块器只扫到区块") && behind.stderr.contains("--enqueue"), "\(behind.stderr)")
        let reconcileSchema = try #require(try CLIJSONDoc.load().schemas["ledger reconcile"])
        let notAdmin = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", fundTx] + h)
        #expect(notAdmin.status == 2 && notAdmin.stderr.contains("operator.required"))
        let wrongTx = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", try #require(deps.first?["txHash"] as? String)] + root + h)
        #expect(wrongTx.status == 2 && wrongTx.stderr.contains("treasury.not_to_hot_wallet"), "\(wrongTx.stderr)")
        let fund = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", fundTx, "--json"] + root + h)
        #expect(fund.status == 0, "\(fund.stderr)")
        #expect((fund.json as? [String: Any])?["amountBaseUnits"] as? String == "2000000000000000000")
        let again = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", fundTx, "--json"] + root + h)
        #expect(again.status == 0 && (again.json as? [String: Any])?["alreadyRecorded"] as? Bool == true)
        // 形状与 docs/cli-json.md 一致（CLIJSONSchemaTests 没有真实链上的注资交易，在这里校验）。
        let fundSchema = try #require(try CLIJSONDoc.load().schemas["treasury fund"])
        for r in [fund, again] { #expect(fundSchema.validate(try JValue.parse(r.stdout)).isEmpty, "\(r.stdout)") }
        let (rc2, rep2) = try reconcile()
        #expect(rc2 == 0 && rep2["ok"] as? Bool == true, "\(rep2)")

        // 有人（不是登记的冷钱包）直接往热钱包打钱：扫块器看到 → 够确认后记入待处理负债 + 告警，账仍等于链；
        // 两个不同的管理员决定它属于谁（issue 10）。登记的冷钱包打来的钱自动记为金库注资。
        _ = try CLIRunner.run(["operator", "add", "--name", "root2", "--role", "admin", "--passphrase-file", adminPw] + root + h)
        let root2 = t.op("root2")
        let stray = try #require(try dev.call("devnet_send", [["from": accts[4], "to": hot, "value": "0x6f05b59d3b20000"]]) as? String)   // 0.5 ETH
        #expect(try CLIRunner.run(["engine", "run", "--once", "--unseal-passphrase-file", unseal] + h).status == 0)   // 扫块器看到、还没够确认
        let (rcP, repP) = try reconcile()   // 计为在途，不报差异
        #expect(rcP == 0 && (repP["inFlight"] as? [[String: Any]])?.contains { $0["kind"] as? String == "hot_inbound" } == true, "\(repP)")
        // 在途里的 hot_inbound 也在文档的 schema 里（以前枚举漏了它）。
        #expect(reconcileSchema.validate(try JValue.parse(try CLIRunner.run(["ledger", "reconcile", "--json"] + h).stdout)).isEmpty)
        try dev.mine(3)
        #expect(try CLIRunner.run(["engine", "run", "--once", "--unseal-passphrase-file", unseal] + h).status == 0)
        let items = try #require(try CLIRunner.run(["suspense", "list", "--json"] + h).json as? [[String: Any]])
        let item = try #require(items.first { $0["txHash"] as? String == stray.lowercased() }, "\(items)")
        #expect(item["state"] as? String == "booked" && item["amountBaseUnits"] as? String == "500000000000000000")
        let sid = String(item["id"] as? Int ?? -1)
        #expect((try CLIRunner.run(["ledger", "alerts", "--json"] + h).json as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "suspense.unattributed" })
        #expect(try reconcile().0 == 0)
        let strayFund = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", stray] + root + h)
        #expect(strayFund.status != 0, "已分类的入账不能再手工记一次：\(strayFund.stderr)")
        // 错误里给出下一步的完整命令（编号就是 suspense list 的 id；QA：以前只说「用 suspense resolve」）。
        #expect(strayFund.stderr.contains("suspense resolve \(sid) --as treasury") && strayFund.stderr.contains("cold-wallet add"), "\(strayFund.stderr)")
        #expect(strayFund.stderr.contains("来源不明的待处理，已记账") && !strayFund.stderr.contains("unattributed"), "枚举原值不进说明：\(strayFund.stderr)")
        let before = try available("u2")
        // 只能记给本钱包的用户（有充值地址的）：不存在的用户直接拒绝（QA）。
        let nobody = try CLIRunner.run(["suspense", "resolve", sid, "--as", "deposit", "--user", "nobody"] + root + h)
        #expect(nobody.status == 2 && nobody.stderr.contains("nobody"), "\(nobody.stderr)")
        #expect(try CLIRunner.run(["address", "assign", "--user", "u2", "--asset", "ETH"] + root + h).status == 0)
        let p1 = try CLIRunner.run(["suspense", "resolve", sid, "--as", "deposit", "--user", "u2", "--json"] + root + h)
        #expect(p1.status == 0 && (p1.json as? [String: Any])?["state"] as? String == "booked", "\(p1.stderr)")   // 只是提议
        let same = try CLIRunner.run(["suspense", "resolve", sid, "--as", "deposit", "--user", "u2"] + root + h)
        #expect(same.status == 2, "同一人不能既提议又确认：\(same.stderr)")
        let differ = try CLIRunner.run(["suspense", "resolve", sid, "--as", "treasury"] + root2 + h)
        #expect(differ.status == 2, "与提议不一致不执行：\(differ.stderr)")
        #expect(try available("u2") == before)
        let p2 = try CLIRunner.run(["suspense", "resolve", sid, "--as", "deposit", "--user", "u2", "--json"] + root2 + h)
        #expect(p2.status == 0 && (p2.json as? [String: Any])?["state"] as? String == "resolved", "\(p2.stderr)")
        #expect(try available("u2") == before + 500_000_000_000_000_000)
        // 登记的冷钱包：它打来的钱自动记为金库注资（不进待处理）。
        // 已有两位管理员：登记冷钱包只是提议（退出码 3），另一位管理员批准后才生效（issue 11 的法定人数）。
        let prop = try CLIRunner.run(["treasury", "cold-wallet", "add", accts[6], "--label", "vault", "--json"] + root + h)
        #expect(prop.status == 3, "\(prop.stderr)")
        let pid = String((((prop.json as? [String: Any])?["proposal"] as? [String: Any])?["id"] as? Int) ?? -1)
        #expect(try CLIRunner.run(["admin", "approve", pid] + root2 + h).status == 0)
        let coldTx = try #require(try dev.call("devnet_send", [["from": accts[6], "to": hot, "value": "0xde0b6b3a7640000"]]) as? String)
        try dev.mine(3)
        #expect(try CLIRunner.run(["engine", "run", "--once", "--unseal-passphrase-file", unseal] + h).status == 0)
        let all = try #require(try CLIRunner.run(["suspense", "list", "--all", "--json"] + h).json as? [[String: Any]])
        #expect(all.contains { $0["txHash"] as? String == coldTx.lowercased() && $0["kind"] as? String == "treasury" && $0["state"] as? String == "booked" })
        #expect(try reconcile().0 == 0)
        #expect(try CLIRunner.run(["ledger", "check"] + h).status == 0)

        let bal = try #require(try CLIRunner.run(["ledger", "balances", "--user", "u1", "--json"] + h).json as? [[String: Any]])
        #expect(bal.contains { $0["account"] as? String == "user_available:ETH:u1" && $0["balance"] as? String == "1.5" }, "\(bal)")
        #expect(bal.contains { $0["account"] as? String == "user_available:USDT:u1" && $0["balance"] as? String == "250" }, "\(bal)")

        // 归集：充值地址按落库路径由 HD 种子签名；EVM 接受 = 签名恢复出的发送方就是充值地址。
        let hotBefore = try dev.balance(hot)
        let s1 = try CLIRunner.run(["sweep", "run", "--unseal-passphrase-file", unseal, "--json"] + root + h)
        #expect(s1.status == 0, "\(s1.stdout)\(s1.stderr)")
        // 归集交易已上链、账本还在等确认：对账把它列为在途并计入，不报假差异。
        let (rc3, rep3) = try reconcile()
        #expect(rc3 == 0 && (rep3["inFlight"] as? [[String: Any]])?.contains { $0["kind"] as? String == "sweep" } == true, "\(rep3)")
        try dev.mine(1)
        let s2 = try CLIRunner.run(["sweep", "run", "--unseal-passphrase-file", unseal, "--json"] + root + h)
        #expect(s2.status == 0, "\(s2.stdout)\(s2.stderr)")
        #expect(try dev.nonce(ethAddr) == 1, "充值地址应恰好发出一笔交易（归集）")
        let hotAfter = try dev.balance(hot)
        #expect(hotAfter > hotBefore && hotAfter - hotBefore < chainEth, "热钱包应收到 1.5 ETH 减手续费：\(hotBefore) → \(hotAfter)")
        let (rc4, rep4) = try reconcile()
        #expect(rc4 == 0 && rep4["ok"] as? Bool == true, "\(rep4)")
        // 我们自己的归集交易不能被记成注资（QA 第二轮：曾被重复入账）。
        let sweepAudit = try #require(try CLIRunner.run(["audit", "list", "--action", "sweep.broadcast", "--json"] + h).json as? [[String: Any]])
        let details = try #require(sweepAudit.first?["details"] as? String)
        let sweepHash = try #require((try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])?["txHash"] as? String)
        try dev.mine(9)
        let own = try CLIRunner.run(["treasury", "fund", "--asset", "ETH", "--tx-hash", sweepHash] + root + h)
        #expect(own.status == 2 && own.stderr.contains("treasury.internal_tx"), "\(own.stderr)")
        #expect(try dev.nonce(tokAddr) == 0)

        // 账簿自洽、审计链完整。
        #expect(try CLIRunner.run(["ledger", "check"] + h).status == 0)
        let verified = try CLIRunner.run(["audit", "verify"] + h)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let audit = try CLIRunner.run(["audit", "list", "--action", "address.assign", "--json"] + h)
        #expect(audit.stdout.contains("\"operator\" : \"root\""))
    }
}

@Suite(.serialized) struct DeepReorgCLITests {
    /// 超过窗口的深度重组：扫块器停机并告警，status 退出 1 点名 scanner.halted；admin `scanner rescan --from N`
    /// 撤销已不在主链上的充值后恢复（issue 10）。init 默认从当时的链头开始扫（不会从创世块扫起）。
    @Test func deepReorgHaltsTheScannerUntilAnAdminRescans() throws {
        let dev = try CLIDevnet()
        let t = CLIHome("deepreorg")
        let (unseal, home, h) = (t.unseal, t.home, t.h)
        let root = t.op("root")
        try dev.mine(5)
        let initR = try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "2"]))
        #expect(initR.status == 0, "\(initR.stderr)")
        // 窗口调小到 4 个区块，好在测试里造出「比窗口更深」的重组。
        var cfg = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: home + "/config.json"))) as? [String: Any])
        var dep = cfg["deposits"] as? [String: Any] ?? [:]
        dep["reorgWindow"] = 4
        cfg["deposits"] = dep
        try JSONSerialization.data(withJSONObject: cfg).write(to: URL(fileURLWithPath: home + "/config.json"))
        let a = try #require(try CLIRunner.run(["address", "assign", "--user", "u1", "--asset", "ETH", "--json"] + root + h).json as? [String: Any])
        let addr = try #require(a["address"] as? String)
        let forkPoint = dev.quantity(try dev.call("eth_blockNumber"))
        let snap = try dev.call("evm_snapshot")
        let accts = try dev.accounts()
        _ = try dev.call("devnet_send", [["from": accts[3], "to": addr, "value": "0xde0b6b3a7640000"]])   // 1 ETH
        try dev.mine(6)
        func once() throws -> CLIResult { try CLIRunner.run(["engine", "run", "--once", "--unseal-passphrase-file", unseal] + h) }
        #expect(try once().status == 0)
        let credited = try #require(try CLIRunner.run(["deposit", "list", "--json"] + h).json as? [[String: Any]])
        #expect(credited.first?["state"] as? String == "credited", "\(credited)")
        // 回到分叉点，新分支更长且没有这笔充值：深度 7 > 窗口 4。
        _ = try dev.call("evm_revert", [snap])
        try dev.mine(10)
        let halted = try once()
        #expect(halted.status == 1, "\(halted.stdout)\(halted.stderr)")
        let st = try CLIRunner.run(["status", "--json"] + h)
        #expect(st.status == 1 && ((st.json as? [String: Any])?["problems"] as? [String])?.contains("scanner.halted") == true, "\(st.stdout)")
        let alerts = try CLIRunner.run(["ledger", "alerts", "--json"] + h).json as? [[String: Any]] ?? []
        #expect(alerts.filter { $0["kind"] as? String == "scanner.halted" }.count == 1)
        #expect(try once().status == 1)   // 仍停机；告警不重复
        // --lang en 的告警不夹中文（告警中英文各存一份）。
        let en = try CLIRunner.run(["ledger", "alerts", "--lang", "en", "--json"] + h)
        #expect(!en.stdout.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(en.stdout)")
        #expect(en.stdout.contains("scanner halted"))
        #expect((try CLIRunner.run(["ledger", "alerts", "--json"] + h).json as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "scanner.halted" }.count == 1)
        // 非 admin 不能重扫；admin 重扫：那笔充值已不在主链上 → 冲正。
        let anon = try CLIRunner.run(["scanner", "rescan", "--from", String(forkPoint)] + h)
        #expect(anon.status == 2)
        let r = try CLIRunner.run(["scanner", "rescan", "--from", String(forkPoint), "--json"] + root + h)
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.json as? [String: Any])?["reversed"] as? Int == 1, "\(r.stdout)")
        #expect(try once().status == 0)
        let after = try CLIRunner.run(["status", "--json"] + h)
        #expect(after.status == 0 && (after.json as? [String: Any])?["healthy"] as? Bool == true, "\(after.stdout)")
        #expect((try CLIRunner.run(["deposit", "list", "--json"] + h).json as? [[String: Any]])?.first?["state"] as? String == "reversed")
        #expect(try CLIRunner.run(["ledger", "check"] + h).status == 0)
        let verified = try CLIRunner.run(["audit", "verify"] + h)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let rec = try CLIRunner.run(["ledger", "reconcile", "--json"] + h)
        #expect(rec.status == 0, "\(rec.stdout)")
    }
}
