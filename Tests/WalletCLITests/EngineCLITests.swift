// 引擎命令的端到端 CLI 测试（真实二进制）：init、status --json、asset add、配置错误点名键、
// engine run --once、SIGTERM 有界停机、fees/sweep plan/nonce status 的 JSON 形状。演示链：无需节点。
import Foundation
import Testing

enum EngineCLI {
    /// 在演示链上 init 一个 home（小 scrypt 参数加速测试）。
    static func demoHome() throws -> (home: String, pass: String) {
        let dir = CLIRunner.tempDir("eng")
        let pass = CLIRunner.write("unseal-pass-123\n", to: dir, "unseal.txt")
        let admin = CLIRunner.write("admin-pass-123\n", to: dir, "admin.txt")
        let home = dir.appendingPathComponent("home").path
        let r = try CLIRunner.run(["init", "--home", home, "--chain-id", "1337", "--demo", "--unseal-passphrase-file", pass,
                                   "--admin", "root", "--admin-passphrase-file", admin, "--confirmations", "2", "--scrypt-log-n", "12", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return (home, pass)
    }
}

@Test func initCreatesAWorkingHome() throws {
    let (home, _) = try EngineCLI.demoHome()
    for f in ["config.json", "wallet.db", "keystore/keystore.wcks"] {
        #expect(FileManager.default.fileExists(atPath: home + "/" + f), "缺少 \(f)")
    }
    let attrs = try FileManager.default.attributesOfItem(atPath: home + "/config.json")
    #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    // 再次 init 同一目录：拒绝（退出码 2），不覆盖。
    let dir = URL(fileURLWithPath: home).deletingLastPathComponent()
    let again = try CLIRunner.run(["init", "--home", home, "--chain-id", "1337", "--demo", "--unseal-passphrase-file", dir.appendingPathComponent("unseal.txt").path,
                                   "--admin", "root", "--admin-passphrase-file", dir.appendingPathComponent("admin.txt").path, "--scrypt-log-n", "12"])
    #expect(again.status == 2)
    #expect(again.stderr.contains("init.exists"))
    // 助记词、口令都不出现在任何输出或日志里。
    let log = (try? String(contentsOfFile: home + "/logs/engine.log", encoding: .utf8)) ?? ""
    #expect(!log.contains("unseal-pass-123") && !log.contains("admin-pass-123"))
}

/// Redis 任务队列连不上（QA：以前 status、deposit list、ledger check 等只读命令全部 queue.redis_unreachable 退出 1，什么都不打印）：
/// 只读命令照常；status 打印完整输出、点名 queue.unreachable、退出 1；常驻引擎一启动就点名报错；init 当场拒绝、不留文件。
@Test func anUnreachableRedisQueueOnlyStopsWhatNeedsIt() throws {
    let dir = CLIRunner.tempDir("eng")
    let pass = CLIRunner.write("unseal-pass-123\n", to: dir, "unseal.txt")
    let closed = "redis://127.0.0.1:\(freePort())"
    let refused = try CLIRunner.run(["init", "--home", dir.appendingPathComponent("h").path, "--chain-id", "1337", "--demo", "--unseal-passphrase-file", pass,
                                     "--admin", "root", "--admin-passphrase-file", pass, "--scrypt-log-n", "12", "--queue-url", closed])
    #expect(refused.status != 0 && refused.stderr.contains("queue.redis_unreachable"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("h").path))
    // 队列后来停了：把一个好 home 的 queue 指向没人听的端口。
    let (home, unseal) = try EngineCLI.demoHome()
    var cfg = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: home + "/config.json"))) as? [String: Any])
    cfg["queue"] = ["url": closed]
    try JSONSerialization.data(withJSONObject: cfg, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: home + "/config.json"))
    for cmd in [["deposit", "list"], ["ledger", "check"], ["audit", "verify"], ["withdraw", "list"]] {
        let r = try CLIRunner.run(cmd + ["--home", home])
        #expect(r.status == 0, "\(cmd): \(r.stderr)")
    }
    let st = try CLIRunner.run(["status", "--home", home, "--json"])
    #expect(st.status == 1 && ((st.json as? [String: Any])?["problems"] as? [String])?.contains("queue.unreachable") == true, "\(st.stdout)\(st.stderr)")
    let run = try CLIRunner.run(["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", unseal])
    #expect(run.status != 0 && run.stderr.contains("queue.redis_unreachable"), "\(run.stderr)")
}

@Test func initNeedsRpcOrExplicitDemo() throws {
    let dir = CLIRunner.tempDir("eng")
    let pass = CLIRunner.write("unseal-pass-123", to: dir, "p.txt")
    let r = try CLIRunner.run(["init", "--home", dir.appendingPathComponent("h").path, "--chain-id", "1", "--unseal-passphrase-file", pass,
                               "--admin", "root", "--admin-passphrase-file", pass])
    #expect(r.status == 2)
    #expect(r.stderr.contains("init.no_rpc"))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("h/config.json").path))
}

@Test func statusJSONIsLabelledDemo() throws {
    let (home, _) = try EngineCLI.demoHome()
    let r = try CLIRunner.run(["status", "--home", home, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let o = try #require(r.json as? [String: Any])
    #expect(o["chainId"] as? Int == 1337)
    #expect(o["demo"] as? Bool == true)
    #expect((o["label"] as? String)?.contains("DEMO") == true)
    #expect((o["hotWallet"] as? [String: Any])?["address"] is String)
    #expect((o["seal"] as? [String: Any])?["sealed"] as? Bool == true)
    #expect(o["head"] is Int)
}

@Test func brokenConfigNamesTheKey() throws {
    let (home, _) = try EngineCLI.demoHome()
    var text = try String(contentsOfFile: home + "/config.json", encoding: .utf8)
    text = text.replacingOccurrences(of: "\"replacementBumpPercent\" : 12", with: "\"replacementBumpPercent\" : 3")
    try text.write(toFile: home + "/config.json", atomically: true, encoding: .utf8)
    let r = try CLIRunner.run(["status", "--home", home, "--json", "--lang", "en"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("fees.replacementBumpPercent"), "\(r.stderr)")
}

@Test func assetCommandsAreAdminOnlyCreateOnlyAndChangeOnlyNamedFields() throws {
    let (home, _) = try EngineCLI.demoHome()
    let dir = URL(fileURLWithPath: home).deletingLastPathComponent()
    let root = ["--operator", "root", "--operator-passphrase-file", dir.appendingPathComponent("admin.txt").path]
    let usdc = ["--symbol", "USDC", "--contract", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "--decimals", "6"]
    func assets() throws -> [[String: Any]] { try #require(try CLIRunner.run(["asset", "list", "--home", home, "--json"]).json as? [[String: Any]]) }
    let before = try assets()
    // 没有操作员：退出 2，什么都没变
    let anon = try CLIRunner.run(["asset", "add", "--home", home] + usdc)
    #expect(anon.status == 2 && anon.stderr.contains("operator.required"), "\(anon.stderr)")
    let bad = try CLIRunner.run(["asset", "add", "--home", home, "--symbol", "USDC", "--contract", "0x1234", "--decimals", "6"] + root)
    #expect(bad.status == 2)
    #expect(try assets().count == before.count)
    let ok = try CLIRunner.run(["asset", "add", "--home", home] + usdc + ["--confirmations", "3", "--json"] + root)
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect((ok.json as? [String: Any])?["contract"] as? String == "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    // add 只新建：同名资产、原生币 ETH 都不能被覆盖/改绑
    let again = try CLIRunner.run(["asset", "add", "--home", home] + usdc + ["--confirmations", "99"] + root)
    #expect(again.status == 2 && again.stderr.contains("asset.exists"), "\(again.stderr)")
    let rebind = try CLIRunner.run(["asset", "add", "--home", home, "--symbol", "ETH", "--contract", "0xdAC17F958D2ee523a2206206994597C13D831ec7", "--decimals", "18"] + root)
    #expect(rebind.status == 2 && rebind.stderr.contains("asset.exists"), "\(rebind.stderr)")
    // update 只改给出的字段
    let upd = try CLIRunner.run(["asset", "update", "USDC", "--min-deposit", "0.5", "--home", home, "--json"] + root)
    #expect(upd.status == 0, "\(upd.stderr)")
    let list = try assets()
    let u = try #require(list.first { $0["symbol"] as? String == "USDC" })
    #expect(u["confirmations"] as? Int == 3 && u["minDeposit"] as? String == "0.5" && u["useFinalized"] as? Bool == false && u["enabled"] as? Bool == true)
    for k in ["symbol", "contract", "decimals", "confirmations", "useFinalized", "minDeposit", "enabled"] { #expect(u[k] != nil, "asset list 缺少 \(k)") }
    let eth = try #require(list.first { $0["symbol"] as? String == "ETH" })
    #expect(eth["contract"] is NSNull && eth["confirmations"] as? Int == 2)
    // disable / enable；原生币不能停用；停用后不再分配地址
    #expect(try CLIRunner.run(["asset", "disable", "USDC", "--home", home] + root).status == 0)
    let assign = try CLIRunner.run(["address", "assign", "--user", "u1", "--asset", "USDC", "--home", home] + root)
    #expect(assign.status == 2, "\(assign.stderr)")
    #expect(try CLIRunner.run(["asset", "disable", "ETH", "--home", home] + root).status == 2)
    #expect(try CLIRunner.run(["asset", "enable", "USDC", "--home", home] + root).status == 0)
    #expect(try CLIRunner.run(["address", "assign", "--user", "u1", "--asset", "USDC", "--home", home] + root).status == 0)
    // 审计：执行者是 root（不是 cli），update 记下改前改后
    let audit = try CLIRunner.run(["audit", "list", "--action", "asset.update", "--home", home, "--json"])
    #expect(audit.stdout.contains("\"operator\" : \"root\"") && audit.stdout.contains("before") && audit.stdout.contains("after"))
    #expect(!(try CLIRunner.run(["audit", "list", "--home", home, "--json"]).stdout.contains("\"operator\" : \"cli\"")))
    // status --json 显示生效设置（唯一来源）
    let st = try #require(try CLIRunner.run(["status", "--home", home, "--json"]).json as? [String: Any])
    let settings = try #require(st["settings"] as? [String: Any])
    #expect((settings["depositXpubPath"] as? String) == "m/44'/60'/0'/0" && (settings["depositXpub"] as? String)?.hasPrefix("xpub") == true)
    #expect((settings["assets"] as? [[String: Any]])?.count == 2)
}

@Test func engineRunOnceAndQueries() throws {
    let (home, pass) = try EngineCLI.demoHome()
    let once = try CLIRunner.run(["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", pass, "--json"])
    #expect(once.status == 0, "\(once.stderr)")
    let workers = ((once.json as? [String: Any])?["workers"] as? [[String: Any]])?.compactMap { $0["worker"] as? String } ?? []
    #expect(Set(workers).isSuperset(of: ["scanner", "withdrawals", "sweeper", "reconcile", "fees"]))
    let fees = try CLIRunner.run(["fees", "--home", home, "--json"])
    #expect(fees.status == 0, "\(fees.stderr)")
    let f = try #require(fees.json as? [String: Any])
    for k in ["slow", "normal", "fast"] {
        let t = try #require(f[k] as? [String: Any])
        #expect(t["maxFeePerGas"] is String && t["maxPriorityFeePerGas"] is String)
    }
    #expect(f["baseFee"] is String)
    let plan = try CLIRunner.run(["sweep", "plan", "--home", home, "--json"])
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.json is [Any])
    let nonce = try CLIRunner.run(["nonce", "status", "--home", home, "--json"])
    #expect(nonce.status == 0, "\(nonce.stderr)")
    let n = try #require(nonce.json as? [String: Any])
    #expect(n["nextNonce"] as? Int == 0 && n["ok"] as? Bool == true)
    #expect(n["gaps"] as? [Any] != nil)
}

/// 找一个空闲端口（绑定 0 让内核分配，再关掉）。
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: a.sin_port))
}

/// 最小 HTTP GET（原始 socket）。
func rawGet(port: Int, path: String) -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_port = UInt16(port).bigEndian
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { return "" }
    let req = "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n"
    _ = req.withCString { send(fd, $0, strlen($0), 0) }
    var out = [UInt8](), buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

@Test func engineRunStopsOnSIGTERMWithinBound() throws {
    let (home, pass) = try EngineCLI.demoHome()
    let port = freePort()
    let p = Process()
    p.executableURL = CLIRunner.binary
    p.arguments = ["engine", "run", "--home", home, "--unseal-passphrase-file", pass, "--metrics-port", String(port)]
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    // 等引擎真正跑完第一轮扫块（指标端点里出现 scanner 的轮次），而不是固定睡 3 秒。
    for _ in 0..<600 {
        if rawGet(port: port, path: "/metrics").contains("wallet_worker_rounds_total{worker=\"scanner\"}") { break }
        if !p.isRunning { break }
        Thread.sleep(forTimeInterval: 0.05)
    }
    #expect(p.isRunning)
    // 运行中的 Prometheus 端点（只在 127.0.0.1）：业务与技术指标都在，没有地址/哈希标签。
    let metrics = rawGet(port: port, path: "/metrics")
    #expect(metrics.hasPrefix("HTTP/1.1 200 OK"), "\(metrics.prefix(200))")
    #expect(metrics.contains("# TYPE wallet_scan_lag_blocks gauge"))
    #expect(metrics.contains("wallet_engine_up 1"))
    // 经引擎解封（不是 CLI 自己的解封路径）：封存指标如实为 0。
    #expect(metrics.contains("wallet_keystore_sealed 0"), "\(metrics.split(separator: "\n").filter { $0.contains("sealed") })")
    #expect(metrics.contains("wallet_worker_rounds_total{worker=\"scanner\"}"))
    #expect(metrics.range(of: "0x[0-9a-fA-F]{40}", options: .regularExpression) == nil)
    // 第二个引擎同一 home：拒绝（不会两个进程分配 nonce）。
    let second = try CLIRunner.run(["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", pass])
    #expect(second.status == 1 && second.stderr.contains("engine.already_running"), "\(second.stderr)")
    // 运行中请求归集：不被拒绝，而是入队给运行中的引擎执行（issue 10）。
    let admin = URL(fileURLWithPath: home).deletingLastPathComponent().appendingPathComponent("admin.txt").path
    let noOp = try CLIRunner.run(["sweep", "run", "--home", home, "--unseal-passphrase-file", pass, "--json"])
    #expect(noOp.status == 2 && noOp.stderr.contains("operator.required"), "\(noOp.stderr)")
    let sweep = try CLIRunner.run(["sweep", "run", "--home", home, "--unseal-passphrase-file", pass, "--json",
                                   "--operator", "root", "--operator-passphrase-file", admin])
    #expect(sweep.status == 0 && (sweep.json as? [String: Any])?["enqueued"] as? Bool == true, "\(sweep.stdout)\(sweep.stderr)")
    let jobId = (sweep.json as? [String: Any])?["jobId"] as? Int
    var done = false
    for _ in 0..<40 where !done {
        let jobs = try CLIRunner.run(["jobs", "list", "--home", home, "--json"]).json as? [[String: Any]] ?? []
        done = jobs.contains { $0["id"] as? Int == jobId && $0["state"] as? String == "done" }
        if !done { Thread.sleep(forTimeInterval: 0.25) }
    }
    #expect(done, "运行中的引擎应执行入队的归集任务")
    let recAnon = try CLIRunner.run(["ledger", "reconcile", "--enqueue", "--home", home, "--json"])
    #expect(recAnon.status == 2 && recAnon.stderr.contains("operator.required"))
    let rec = try CLIRunner.run(["ledger", "reconcile", "--enqueue", "--home", home, "--json", "--operator", "root", "--operator-passphrase-file", admin])
    #expect(rec.status == 0 && (rec.json as? [String: Any])?["kind"] as? String == "reconcile.run", "\(rec.stdout)\(rec.stderr)")
    let t0 = Date()
    kill(p.processIdentifier, SIGTERM)
    p.waitUntilExit()
    let elapsed = Date().timeIntervalSince(t0)
    #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(p.terminationStatus)")
    #expect(elapsed < 16, "停机用了 \(elapsed) 秒")
    let log = try String(contentsOfFile: home + "/logs/engine.log", encoding: .utf8)
    #expect(log.contains("\"event\":\"engine.stop_requested\""))
    #expect(log.contains("\"shutdown\":\"graceful\""))
    // 日志只在文件里：每行都是 JSON。
    for l in log.split(separator: "\n") { #expect((try? JSONSerialization.jsonObject(with: Data(l.utf8))) != nil) }
}

/// 宽限期到了还没停下（一个很慢、但响应取消的调用）：强制停止，退出码 4（与成功/失败/输入错误/提议待批都不同），
/// 日志里有 engine.grace_expired。用 debug 二进制：故障注入点只编进 debug 构建。
@Test func engineRunForcedStopExitsWithItsOwnCode() throws {
    let (home, pass) = try EngineCLI.demoHome()
    let cfgPath = home + "/config.json"
    var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cfgPath))) as! [String: Any]
    cfg["shutdownGraceSeconds"] = 1
    try JSONSerialization.data(withJSONObject: cfg, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: cfgPath))
    let p = Process()
    p.executableURL = CLIRunner.binary
    p.arguments = ["engine", "run", "--home", home, "--unseal-passphrase-file", pass]
    var env = ProcessInfo.processInfo.environment
    env["WALLET_FAILPOINTS"] = "runtime.round_stall"
    p.environment = env
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    let logPath = home + "/logs/engine.log"
    for _ in 0..<200 {
        if ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("\"event\":\"engine.start\"") { break }
        Thread.sleep(forTimeInterval: 0.05)
    }
    kill(p.processIdentifier, SIGTERM)
    p.waitUntilExit()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(p.terminationReason == .exit && p.terminationStatus == 4, "\(p.terminationReason.rawValue) \(p.terminationStatus) \(stderr)")
    #expect(stderr.contains("宽限期已到"), "\(stderr)")
    let log = try String(contentsOfFile: logPath, encoding: .utf8)
    #expect(log.contains("\"event\":\"engine.grace_expired\""))
    #expect(log.contains("\"shutdown\":\"forced\""))
    // 锁已释放：下一个引擎能启动（--once 在演示链上马上结束）。
    let next = try CLIRunner.run(["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", pass])
    #expect(next.status == 0, "\(next.stderr)")
}

/// install.sh 安装的 shell 补全：三种 shell 都能生成，bash 版语法正确，且覆盖真实命令组（从命令树生成，不会与命令脱节）。
@Test func shellCompletionsCoverTheCommandTree() throws {
    let bin = try CLIRunner.releaseBinary()
    for shell in ["bash", "zsh", "fish"] {
        let r = try CLIRunner.run(["--generate-completion-script", shell], executable: bin)
        #expect(r.status == 0 && r.stdout.count > 1000, "\(shell): \(r.stderr)")
        for group in ["withdraw", "ledger", "signer", "engine", "keystore"] { #expect(r.stdout.contains(group), "\(shell) 缺 \(group)") }
        if shell == "bash" {
            let dir = CLIRunner.tempDir("comp")
            let path = CLIRunner.write(r.stdout, to: dir, "wallet-console.bash")
            let check = try CLIRunner.run(["-n", path], executable: URL(fileURLWithPath: "/bin/bash"))
            #expect(check.status == 0, "\(check.stderr)")
        }
    }
    let install = try String(contentsOfFile: "install.sh", encoding: .utf8)
    #expect(install.contains("--generate-completion-script bash") && install.contains("--generate-completion-script zsh")
            && install.contains("--generate-completion-script fish"))
}

/// 配置坏或 home 不存在时 engine run 说清楚是什么问题，且不动 home 里的文件（以前先改写了 engine.lock；QA 发现）。
@Test func engineRunWithABrokenConfigTouchesNothing() throws {
    let (home, pass) = try EngineCLI.demoHome()
    let cfg = home + "/config.json"
    try "{ not json".write(toFile: cfg, atomically: true, encoding: .utf8)
    let lock = home + "/engine.lock"
    let lockBefore = try? String(contentsOfFile: lock, encoding: .utf8)
    let r = try CLIRunner.run(["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", pass])
    #expect(r.status == 2 && r.stderr.contains("config.malformed"), "\(r.stderr)")
    #expect((try? String(contentsOfFile: lock, encoding: .utf8)) == lockBefore, "engine.lock 被改写了")
    let missing = try CLIRunner.run(["engine", "run", "--once", "--home", home + "-nope", "--unseal-passphrase-file", pass])
    #expect(missing.status == 2 && missing.stderr.contains("config.missing"), "\(missing.stderr)")
    #expect(!FileManager.default.fileExists(atPath: home + "-nope"))
}

@Test func statusNeverPrintsNodeCredentials() throws {
    // QA：init --rpc "http://user:s3cretpw@host/v3/KEY?token=T" 之后，status --json 的 settings.rpcUrls 原样打印了口令。
    let dir = CLIRunner.tempDir("eng")
    let pass = CLIRunner.write("unseal-pass-123\n", to: dir, "unseal.txt")
    let admin = CLIRunner.write("admin-pass-123\n", to: dir, "admin.txt")
    let home = dir.appendingPathComponent("home").path
    let url = "http://user:s3cretpw@127.0.0.1:9/v3/APIKEY123?token=TOKEN456"
    let r = try CLIRunner.run(["init", "--home", home, "--chain-id", "1337", "--rpc", url, "--offline", "--unseal-passphrase-file", pass,
                               "--admin", "root", "--admin-passphrase-file", admin, "--scrypt-log-n", "12"] + CLIHome.backupArgs(dir))
    #expect(r.status == 0, "\(r.stderr)")
    let st = try CLIRunner.run(["status", "--home", home, "--json"])
    // 节点不可达：status 照样打印，但 healthy=false、problems 点名、退出 1（issue 10）。
    #expect(st.status == 1, "\(st.stderr)")
    let o = try #require(st.json as? [String: Any])
    #expect(o["healthy"] as? Bool == false && (o["problems"] as? [String])?.contains("node.unreachable") == true, "\(o["problems"] ?? "-")")
    for secret in ["s3cretpw", "APIKEY123", "TOKEN456"] { #expect(!st.stdout.contains(secret) && !st.stderr.contains(secret), "\(secret) 泄露") }
    #expect(st.stdout.contains("127.0.0.1:9"))
}

@Test func keystoreChangesInAWalletHomeNeedAnAdmin() throws {
    // 完整钱包 home 里，改动/取用密钥库（轮换 KEK 等）要 admin 操作员，授权在引擎里；只有密钥库的目录不受影响（见 KeystoreCLITests）。
    let (home, pass) = try EngineCLI.demoHome()
    let admin = URL(fileURLWithPath: home).deletingLastPathComponent().appendingPathComponent("admin.txt").path
    let anon = try CLIRunner.run(["keystore", "rotate-kek", "--home", home, "--unseal-passphrase-file", pass])
    #expect(anon.status == 2 && anon.stderr.contains("operator.required"), "\(anon.stderr)")
    let ok = try CLIRunner.run(["keystore", "rotate-kek", "--home", home, "--unseal-passphrase-file", pass, "--json",
                                "--operator", "root", "--operator-passphrase-file", admin])
    #expect(ok.status == 0 && (ok.json as? [String: Any])?["kekVersion"] as? Int == 2, "\(ok.stderr)")
    let audit = try CLIRunner.run(["audit", "list", "--action", "keystore.manage", "--home", home, "--json"])
    #expect(audit.stdout.contains("\"operator\" : \"root\""))
}

@Test func plainHttpToARemoteNodeNeedsAnExplicitFlag() throws {
    // issue 11：非本机的明文 http 节点默认拒绝（可被中间人篡改余额、收据与 chainId）；本机与 https 不受影响。
    let dir = CLIRunner.tempDir("eng")
    let pass = CLIRunner.write("unseal-pass-123\n", to: dir, "unseal.txt")
    let admin = CLIRunner.write("admin-pass-123\n", to: dir, "admin.txt")
    let base = ["--chain-id", "1", "--offline", "--unseal-passphrase-file", pass, "--admin", "root", "--admin-passphrase-file", admin, "--scrypt-log-n", "12"]
    let plain = try CLIRunner.run(["init", "--home", dir.appendingPathComponent("a").path, "--rpc", "http://node.example.com:8545"] + base + CLIHome.backupArgs(dir))
    #expect(plain.status == 2 && plain.stderr.contains("init.insecure_rpc"), "\(plain.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("a").path))
    #expect(try CLIRunner.run(["init", "--home", dir.appendingPathComponent("b").path, "--rpc", "https://node.example.com"] + base + CLIHome.backupArgs(dir)).status == 0)
    #expect(try CLIRunner.run(["init", "--home", dir.appendingPathComponent("c").path, "--rpc", "http://127.0.0.1:8545"] + base + CLIHome.backupArgs(dir)).status == 0)
    let ok = try CLIRunner.run(["init", "--home", dir.appendingPathComponent("d").path, "--rpc", "http://node.example.com:8545", "--allow-insecure-rpc"] + base + CLIHome.backupArgs(dir))
    #expect(ok.status == 0, "\(ok.stderr)")
    // 手改 config.json 把节点换成远端明文 http：启动时点名拒绝。
    let cfgPath = dir.appendingPathComponent("c").path + "/config.json"
    let text = try String(contentsOfFile: cfgPath, encoding: .utf8).replacingOccurrences(of: "http://127.0.0.1:8545", with: "http://evil.example.com:8545")
    try text.write(toFile: cfgPath, atomically: true, encoding: .utf8)
    let st = try CLIRunner.run(["status", "--home", dir.appendingPathComponent("c").path, "--json"])
    #expect(st.status == 2 && st.stderr.contains("chain.rpcUrls[0]"), "\(st.stderr)")
    // 不是 URL 的 --rpc（例如把演示链写成 --rpc demo）说清楚是什么错，而不是误报「不安全」；什么都不创建。
    let notURL = try CLIRunner.run(["init", "--home", dir.appendingPathComponent("e").path, "--rpc", "demo"] + base + CLIHome.backupArgs(dir))
    #expect(notURL.status == 2 && notURL.stderr.contains("init.rpc_url") && notURL.stderr.contains("--demo"), "\(notURL.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("e").path))
    // 地址路径里的 API key 不进报错：init 与配置校验两处都去敏。
    let keyed = try CLIRunner.run(["init", "--home", dir.appendingPathComponent("f").path, "--rpc", "http://node.example.com:8545/v3/SECRETKEY123"] + base + CLIHome.backupArgs(dir))
    #expect(keyed.status == 2 && keyed.stderr.contains("init.insecure_rpc") && !keyed.stderr.contains("SECRETKEY123"), "\(keyed.stderr)")
    try text.replacingOccurrences(of: "http://evil.example.com:8545", with: "ftp://evil.example.com/SECRETKEY123").write(toFile: cfgPath, atomically: true, encoding: .utf8)
    let st2 = try CLIRunner.run(["status", "--home", dir.appendingPathComponent("c").path, "--json"])
    #expect(st2.status == 2 && st2.stderr.contains("chain.rpcUrls[0]") && !st2.stderr.contains("SECRETKEY123"), "\(st2.stderr)")
}
