// 端到端：1 个 vs 2 个引擎的「入账/秒」（issue 13）。驱动发布版 wallet-console（运维用的就是它），对着真实 EVM 测试链（Tests/devnet）、
// 同一个 PostgreSQL 库上的两份 home（第二份是拷贝，= 第二台主机）。
//
// 每一遍：init → ETH 改成「以 finalized 为准入账」（asset update --use-finalized true；测试链先把终结深度设得极大，什么都不终结）→
// 给 U 个用户分配充值地址 → 发 N 笔充值（每块 8 笔）→ `engine run --once` 把它们都记成「确认中」→ 起常驻引擎（2 个时等集群就位：leader 让给 B、A 持有一半的 credit 分片）→
// 计时开始：测试链把终结深度设成 0（不出块，finalized = 链头：N 笔同时终结——像 PoS 以太坊每个 epoch 一次终结 32 个块）→ 直接查库直到 N 笔都入账 → 计时结束。
// 计的只是「可以入账之后把 N 笔入账」这一段：不出新块，所以没有 leader 独占的扫块混在里面（以前的版本一次出几十个块，计到的主要是 leader 扫块）。
// 结束时 ledger check 必须通过。worker 间隔设成 200 毫秒（默认 2 秒：轮次相位的随机性会盖过几秒的计时）。
//
// 提现/秒：引擎停着时发起 M 笔（0 人审批），起引擎，计时到热钱包在链上的 nonce 前进 M；结束时核对 nonce 恰好 +M（没有重发）。
// nonce 是热钱包地址上的全序，一个地址同一时刻只有一个签名者（signer 租约）：两引擎 ≈ 一引擎，设计如此（docs/scale-out.md 3.5）。
// SQLite（嵌入式默认，只能 1 个引擎）同样跑一遍作参考。
// 需要：WALLET_BENCH_PG_URL（+ PGPASSFILE）、.build/release/wallet-console（swift build -c release --product wallet-console）、python3 + py-evm。
#if PostgreSQL
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import WalletLedger
import WalletPostgres

struct ClusterBench: BenchSection {
    var name: String { "cluster" }

    func run(options: BenchOptions) {
        let env = ProcessInfo.processInfo.environment
        let console = env["WALLET_BENCH_CONSOLE"] ?? FileManager.default.currentDirectoryPath + "/.build/release/wallet-console"
        let devnet = FileManager.default.currentDirectoryPath + "/Tests/devnet/devnet.py"
        guard let pg = env["WALLET_BENCH_PG_URL"] else {
            print("（cluster 跳过：未设置 WALLET_BENCH_PG_URL，见 ledger 节的说明）"); return
        }
        guard FileManager.default.isExecutableFile(atPath: console), FileManager.default.fileExists(atPath: devnet) else {
            print("（cluster 跳过：要在仓库根目录运行，并先 swift build -c release --product wallet-console）"); return
        }
        do {
            let n = min(options.n, 2000), users = 256   // 用户多一些：16 个分片分得匀（32 个用户时两个引擎分到 238 vs 162 笔）
            let chain = try Devnet(script: devnet)
            defer { chain.stop() }
            let m = min(100, users)
            print("cluster：每个引擎对节点限流 \(Self.rpcRate) 次/秒（chain.rpcRatePerSecond，自建节点；WALLET_BENCH_RPC_RATE 可改）")
            let sqlite = try runOnce(engines: 1, postgres: false, deposits: n, withdrawals: m, users: users, console: console, pgURL: pg, chain: chain)
            print(String(format: "cluster[SQLite 参考]: 1 个引擎：%d 笔充值同时终结之后 %.0f 笔/秒入账；%d 笔提现 %.1f 笔/秒上链", n, sqlite.credit, m, sqlite.withdraw))
            var rates: [Int: Rates] = [:]
            for k in [1, 2] {
                let r = try runOnce(engines: k, postgres: true, deposits: n, withdrawals: m, users: users, console: console, pgURL: pg, chain: chain)
                rates[k] = r
                print(String(format: "cluster[PostgreSQL]: %d 个引擎：%d 笔充值同时终结之后 %.0f 笔/秒入账；%d 笔提现 %.1f 笔/秒上链", k, n, r.credit, m, r.withdraw))
            }
            print(String(format: "cluster[PostgreSQL]: 2/1：入账 %.2f×（目标 ≥ 1.8×），提现 %.2f×（一个热钱包同一时刻只有一个签名者，设计上 ≈ 1×，见文件头）",
                         rates[2]!.credit / rates[1]!.credit, rates[2]!.withdraw / rates[1]!.withdraw))
        } catch { print("cluster 基准失败：\(error)") }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// 每个引擎对节点的限流（config.json 的 chain.rpcRatePerSecond）；WALLET_BENCH_RPC_RATE 可改（例如 20 = 默认值，看限流下的数）。
    static var rpcRate: Int { Int(ProcessInfo.processInfo.environment["WALLET_BENCH_RPC_RATE"] ?? "") ?? 2000 }

    /// 测试链进程与 JSON-RPC。
    final class Devnet {
        let process = Process()
        let url: String
        init(script: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, "--port", "0", "--finality-depth", "1000000"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var buf = Data()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let d = out.fileHandleForReading.availableData
                if d.isEmpty { break }
                buf += d
                if let s = String(data: buf, encoding: .utf8), let r = s.range(of: "DEVNET_PORT=") {
                    let port = s[r.upperBound...].prefix { $0.isNumber }
                    url = "http://127.0.0.1:\(port)"
                    return
                }
            }
            process.terminate()
            throw Failure(description: "测试链没有启动（需要 python3 + py-evm + eth-tester）")
        }
        func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }

        func call(_ method: String, _ params: [Any] = []) throws -> Any {
            var req = URLRequest(url: URL(string: url)!)
            req.httpMethod = "POST"
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            req.httpBody = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": method, "params": params])
            let sem = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: Result<Data, any Error> = .failure(Failure(description: "no reply"))
            URLSession.shared.dataTask(with: req) { d, _, e in
                result = d.map { .success($0) } ?? .failure(e ?? Failure(description: "no data"))
                sem.signal()
            }.resume()
            sem.wait()
            let obj = try JSONSerialization.jsonObject(with: try result.get()) as? [String: Any] ?? [:]
            if let e = obj["error"] { throw Failure(description: "\(method): \(e)") }
            return obj["result"] ?? NSNull()
        }
    }

    /// 发布版 wallet-console 的一个进程（环境 = 本进程的加上 env）。
    func consoleProcess(_ console: String, _ args: [String], env: [String: String]) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: console)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        return p
    }

    /// 跑一条命令，返回标准输出；非 0 退出带着 stderr 抛错。stderr 在另一个线程里读：两个管道按顺序读，子进程写满 stderr 时会互相等死。
    @discardableResult
    func cli(_ console: String, _ args: [String], env: [String: String]) throws -> Data {
        let p = consoleProcess(console, args, env: env)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        nonisolated(unsafe) var errData = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "wallet-console \(args.prefix(2).joined(separator: " ")) 退出 \(p.terminationStatus)：\(String(decoding: errData, as: UTF8.self).prefix(300))")
        }
        return data
    }

    func daemon(_ console: String, home: String, unseal: String, env: [String: String]) throws -> Process {
        let p = consoleProcess(console, ["engine", "run", "--home", home, "--unseal-passphrase-file", unseal], env: env)
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func wait(_ what: String, seconds: Double, _ cond: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try cond() { return }
            usleep(50_000)
        }
        throw Failure(description: "等待超时：\(what)")
    }

    /// 一遍的结果：入账/秒与提现/秒。
    struct Rates { var credit: Double; var withdraw: Double }

    /// postgres = false：嵌入式 SQLite（只能 1 个引擎），作参考。
    func runOnce(engines k: Int, postgres: Bool, deposits n: Int, withdrawals m: Int, users: Int, console: String, pgURL: String,
                 chain: Devnet) throws -> Rates {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wallet-bench-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // WALLET_BENCH_KEEP=1：留下两份 home（logs/engine.log 里有每轮的耗时），剖析用。
        let keep = ProcessInfo.processInfo.environment["WALLET_BENCH_KEEP"] == "1"
        defer { if keep { print("（留下了 \(dir.path)）") } else { try? FileManager.default.removeItem(at: dir) } }
        let home = dir.appendingPathComponent("home").path, homeB = dir.appendingPathComponent("homeB").path

        // PostgreSQL：每遍一个新库（与 ledger 节同一个管理连接的做法）；SQLite：home 里的 wallet.db（只读地数行）。
        var dbArgs: [String] = []
        var dropDatabase: (() -> Void)? = nil
        defer { dropDatabase?() }
        var openCounter: () throws -> any SQLDatabase
        if postgres {
            let base = try PostgresURL(pgURL)
            let admin = try PostgresSQLDatabase(url: base)
            let name = "bench_c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try admin.execute("CREATE DATABASE \(name)")
            dropDatabase = { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            var u = base
            u.database = String(name)
            dbArgs = ["--database-url", u.description]
            openCounter = { try PostgresSQLDatabase(url: u) }
        } else {
            openCounter = { try SQLiteDatabase(path: home + "/wallet.db") }
        }
        let env = ["PGPASSFILE": ProcessInfo.processInfo.environment["PGPASSFILE"] ?? ""]

        func secret(_ file: String, _ text: String) throws -> String {
            let p = dir.appendingPathComponent(file).path
            FileManager.default.createFile(atPath: p, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
            return p
        }
        let unseal = try secret("unseal.txt", "bench-unseal-passphrase\n"), pw = try secret("admin.txt", "bench-admin-passphrase\n")
        let chainID = UInt64(((try chain.call("eth_chainId") as? String) ?? "0x0").dropFirst(2), radix: 16) ?? 0
        try cli(console, ["init", "--home", home, "--chain-id", String(chainID), "--rpc", chain.url, "--unseal-passphrase-file", unseal,
                          "--admin", "root", "--admin-passphrase-file", pw, "--scrypt-log-n", "12",
                          "--backup-shares", "2-of-3", "--backup-dir", dir.appendingPathComponent("backup").path] + dbArgs, env: env)
        // 提现策略：不要白名单、0 人审批（基准量的是引擎签名广播的速度，不是人点批准的速度）。init 之后、第一次打开之前写——登记为生效策略。
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "bench", "asset": "*", "action": "allow", "approvals": 0}]}"#
            .write(toFile: home + "/policy.json", atomically: true, encoding: .utf8)
        let root = ["--operator", "root", "--operator-passphrase-file", pw]
        _ = try chain.call("devnet_setFinalityDepth", [1_000_000])
        try cli(console, ["asset", "update", "ETH", "--home", home, "--use-finalized", "true"] + root, env: env)
        // worker 间隔 200 毫秒（运维改 config.json 的方式：读、改一个键、写回）。
        let cfgPath = home + "/config.json"
        var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cfgPath))) as? [String: Any] ?? [:]
        var workers = cfg["workers"] as? [String: Any] ?? [:]
        workers["scanIntervalMs"] = 200
        workers["withdrawalIntervalMs"] = 200
        cfg["workers"] = workers
        // 交易所跑自己的节点：客户端限流按自建节点设（默认 20/秒是给公共节点服务的；在默认值下量到的是限流，见 docs/scale-out.md 3.7）。
        var chainCfg = cfg["chain"] as? [String: Any] ?? [:]
        chainCfg["rpcRatePerSecond"] = Self.rpcRate
        chainCfg["rpcBurst"] = Self.rpcRate
        cfg["chain"] = chainCfg
        try JSONSerialization.data(withJSONObject: cfg, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: cfgPath), options: .atomic)
        var addrs: [String] = []
        for i in 0..<users {
            let d = try cli(console, ["address", "assign", "--home", home, "--user", "b\(i)", "--asset", "ETH", "--json"] + root, env: env)
            guard let a = (try JSONSerialization.jsonObject(with: d) as? [String: Any])?["address"] as? String else { throw Failure(description: "address assign 没有地址") }
            addrs.append(a)
        }
        let st = try JSONSerialization.jsonObject(with: try cli(console, ["status", "--home", home, "--json"], env: env)) as? [String: Any]
        guard let hot = (st?["hotWallet"] as? [String: Any])?["address"] as? String else { throw Failure(description: "status 没有热钱包地址") }
        try cli(console, ["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", unseal], env: env)
        if k == 2 {
            let cp = Process()
            cp.executableURL = URL(fileURLWithPath: "/bin/cp")
            cp.arguments = ["-a", home, homeB]
            try cp.run(); cp.waitUntilExit()
        }

        // N 笔充值，每块 8 笔（8 个发送账户各一笔：测试链按已上链的 nonce 校验，同一账户在一个块里只能发一笔）。
        let accts = (try chain.call("devnet_accounts") as? [String]) ?? []
        let senders = Array(accts.dropFirst().prefix(8))
        _ = try chain.call("devnet_setAutoMine", [false])
        defer { _ = try? chain.call("devnet_setAutoMine", [true]) }
        for i in 0..<n {
            _ = try chain.call("devnet_send", [["from": senders[i % senders.count], "to": addrs[i % users], "gas": "0x5208",
                                                "value": "0x" + String(UInt64(1_000_000_000_000_000 + i), radix: 16)]])
            if i % senders.count == senders.count - 1 || i == n - 1 { _ = try chain.call("evm_mine", ["0x1"]) }
        }
        _ = try chain.call("devnet_setAutoMine", [true])
        // 给热钱包 50 ETH 付提现（来源不明 → 引擎记进待处理，不影响用户余额）。
        _ = try chain.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x2b5e3af16b1880000"]])
        try cli(console, ["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", unseal], env: env)
        let db = try openCounter()
        func count(_ sql: String) throws -> Int {
            if case .int(let v)? = try db.query(sql).first?["n"] { return Int(v) }
            return 0
        }
        let seen = try count("SELECT COUNT(*) AS n FROM deposits")
        guard seen == n else {
            let blk = try chain.call("eth_getBlockByNumber", ["latest", false]) as? [String: Any]
            throw Failure(description: "充值没有全部被观察到：\(seen)/\(n)；最新块 \(blk?["number"] ?? "?") 里 \((blk?["transactions"] as? [Any])?.count ?? -1) 笔交易")
        }

        // —— 入账/秒 ——
        var daemons = [try daemon(console, home: home, unseal: unseal, env: env)]
        func stopAll() { for d in daemons where d.isRunning { kill(d.processIdentifier, SIGTERM); d.waitUntilExit() } }
        defer { stopAll() }
        let now = { Int64(Date().timeIntervalSince1970) }
        try wait("A 拿到 leader", seconds: 30) { try count("SELECT COUNT(*) AS n FROM leases WHERE name = 'leader' AND expires_at > \(now())") == 1 }
        if k == 2 {
            daemons.append(try daemon(console, home: homeB, unseal: unseal, env: env))
            // 等集群就位：A 先起、两份独占租约都在 A；B 起来两三秒后 A 把 leader 让给 B（分开放，docs/scale-out.md 1.3），分片随之换手——
            // 计时要从换手之后开始，否则量进去的是一次交接。就位 = leader 与 signer 在两个引擎上、8 个分片都在 signer 那边。
            try wait("集群就位（leader 与 signer 分开、signer 那边持有 8 个入账分片）", seconds: 40) {
                try count("""
                    SELECT COUNT(*) AS n FROM leases c JOIN leases s ON s.name LIKE 'signer:%' AND s.expires_at > \(now()) AND c.holder = s.holder
                    JOIN leases l ON l.name = 'leader' AND l.expires_at > \(now()) AND l.holder <> s.holder
                    WHERE c.name LIKE 'credit:%' AND c.expires_at > \(now())
                    """) == 8
            }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = try chain.call("devnet_setFinalityDepth", [0])   // 不出块：finalized = 链头，N 笔同时终结
        try wait("\(n) 笔全部入账", seconds: 300) { try count("SELECT COUNT(*) AS n FROM deposits WHERE state = 'credited'") == n }
        let creditSecs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        stopAll()

        // —— 提现/秒：引擎停着时发起 M 笔（0 人审批 → 直接待执行），起引擎、计时到热钱包在链上的 nonce 前进 M ——
        func chainNonce() throws -> UInt64 {
            UInt64(((try chain.call("eth_getTransactionCount", [hot, "latest"]) as? String) ?? "0x0").dropFirst(2), radix: 16) ?? 0
        }
        for i in 0..<m {
            try cli(console, ["withdraw", "request", "--home", home, "--request-id", "bench-\(i)", "--user", "b\(i % users)", "--asset", "ETH",
                              "--amount", "0.0001", "--to", String(format: "0x%040x", 0xbe00 + i)] + root, env: env)
        }
        let nonce0 = try chainNonce()
        let t1 = DispatchTime.now().uptimeNanoseconds
        daemons = [try daemon(console, home: home, unseal: unseal, env: env)]
        if k == 2 { daemons.append(try daemon(console, home: homeB, unseal: unseal, env: env)) }
        try wait("\(m) 笔提现上链", seconds: 300) { try chainNonce() >= nonce0 + UInt64(m) }
        let withdrawSecs = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
        stopAll()
        // 链是裁判：热钱包恰好发了 M 笔（没有重发），账本自洽。
        guard try chainNonce() == nonce0 + UInt64(m) else { throw Failure(description: "热钱包 nonce \(try chainNonce())，应为 \(nonce0 + UInt64(m))") }
        try cli(console, ["ledger", "check", "--home", home], env: env)
        return Rates(credit: Double(n) / creditSecs, withdraw: Double(m) / withdrawSecs)
    }
}
#endif
