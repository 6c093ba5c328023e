// 多引擎（issue 13）：两个 `engine run` 共用一个 PostgreSQL 库（两份 home = 同一把密钥库的两份拷贝，像两台主机），对着真实 EVM。
// 先起的 A 拿到 leader 与 signer；B 起来后两份活分开放（A 留 signer、把 leader 让给 B），`sweep run` 任务由 leader B 消费、转交给 signer A 做；
// 提现进行中 SIGKILL 签名的 A：B 在租约时长内接管 signer（令牌加一），
// 每笔提现恰好到账一次（链上余额为证）、热钱包的链上 nonce = 提现笔数（没有重发、没有缺口）、ledger reconcile/check/audit verify 通过。
import Foundation
import Testing

@Suite(.serialized) struct ClusterFailoverCLITests {
    /// 在测试用的 PostgreSQL 上建一个新库，返回它的 URL 与给子进程的环境（PGPASSFILE）。
    static func freshDatabase() throws -> (url: String, env: [String: String], redis: String) {
        let svc = try TestServices.environment()
        let base = try #require(svc["WALLET_TEST_PG_URL"])
        let u = try #require(URLComponents(string: base))
        let name = "c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let env = ["PGPASSFILE": svc["WALLET_TEST_PGPASSFILE"] ?? ""]
        let r = try CLIRunner.run(["createdb", "-h", u.host ?? "127.0.0.1", "-p", String(u.port ?? 5432), "-U", u.user ?? "wallet", String(name)],
                                  env: env, executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(r.status == 0, "createdb: \(r.stderr)")
        return ("postgresql://\(u.user ?? "wallet")@\(u.host ?? "127.0.0.1"):\(u.port ?? 5432)/\(name)", env,
                try #require(svc["WALLET_TEST_REDIS_URL"]))
    }

    final class Daemon {
        let process = Process()
        init(_ bin: URL, home: String, unseal: String, env: [String: String]) throws {
            process.executableURL = bin
            process.arguments = ["engine", "run", "--unseal-passphrase-file", unseal, "--home", home]
            var e = ProcessInfo.processInfo.environment
            for (k, v) in env { e[k] = v }
            process.environment = e
            process.standardOutput = FileHandle.nullDevice; process.standardError = FileHandle.nullDevice
            try process.run()
        }
        var pid: Int32 { process.processIdentifier }
        func kill9() { guard process.isRunning else { return }; kill(pid, SIGKILL); process.waitUntilExit() }
        func stop() { guard process.isRunning else { return }; kill(pid, SIGTERM); process.waitUntilExit() }
        deinit { if process.isRunning { kill(pid, SIGKILL) } }
    }

    /// 两个集群测试共用：发布版二进制对着测试链与同一个 PostgreSQL 库上的 home 跑命令、看 status 的 cluster 一节、等条件成立。
    struct Rig {
        let rel: URL
        let dev: CLIDevnet
        let env: [String: String]
        let home: String
        func run(_ args: [String], _ h: String? = nil) throws -> CLIResult { try CLIRunner.run(args + ["--home", h ?? home], env: env, executable: rel) }
        func ok(_ args: [String], _ h: String? = nil) throws -> CLIResult {
            let r = try run(args, h)
            #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stdout.prefix(400))\(r.stderr.prefix(400))")
            return r
        }
        func cluster() throws -> [String: Any] {
            try #require((try run(["status", "--json"]).json as? [String: Any])?["cluster"] as? [String: Any])
        }
        func liveLeases() throws -> [[String: Any]] {
            ((try cluster()["leases"] as? [[String: Any]]) ?? []).filter { ($0["expiresInSeconds"] as? Int ?? 0) > 0 }
        }
        func engineID(pid: Int32) throws -> String? {
            ((try cluster()["engines"] as? [[String: Any]]) ?? []).first { $0["pid"] as? Int == Int(pid) }?["id"] as? String
        }
        func waitFor(_ what: String, seconds: Double, mine: Bool = false, _ cond: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try cond() { return }
                if mine { try dev.mine(1) }
                usleep(300_000)
            }
            Issue.record("等待超时（\(Int(seconds)) 秒）：\(what)")
            throw CLIDevnetError(message: what)
        }
    }

    @Test func killingTheWorkingEngineMidWithdrawalHandsOverWithoutDoubleSpend() throws {
        let rel = try CLIRunner.releaseBinary()
        let dev = try CLIDevnet()
        let db = try Self.freshDatabase()
        let t = CLIHome("cluster")
        let (unseal, pw, home) = (t.unseal, t.pw, t.home)
        let root = t.op("root"), appr = t.op("appr")
        let homeB = t.dir.appendingPathComponent("homeB").path
        let rig = Rig(rel: rel, dev: dev, env: db.env, home: home)
        func holder(_ lease: String) throws -> (id: String, token: Int)? {
            let now = try rig.cluster()
            guard let l = (now["leases"] as? [[String: Any]])?.first(where: { ($0["name"] as? String)?.hasPrefix(lease) == true }),
                  (l["expiresInSeconds"] as? Int ?? 0) > 0 else { return nil }
            return (l["holder"] as? String ?? "", l["token"] as? Int ?? 0)
        }

        // —— 一个 home 建在 PostgreSQL 上；第二台「主机」= 整个 home 的拷贝（同一把加密的密钥库、同一个 database.url）——
        let initR = try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "2", "--database-url", db.url, "--queue-url", db.redis]),
                                      env: db.env, executable: rel)
        #expect(initR.status == 0, "\(initR.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home + "/wallet.db"), "PostgreSQL 部署不应在 home 里建 SQLite 文件")
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: home + "/policy.json", atomically: true, encoding: .utf8)
        _ = try rig.ok(["operator", "add", "--name", "appr", "--role", "approver", "--passphrase-file", pw] + root)
        let dep = try #require((try rig.ok(["address", "assign", "--user", "u1", "--asset", "ETH", "--json"] + root).json as? [String: Any])?["address"] as? String)
        let st = try #require(try rig.ok(["status", "--json"]).json as? [String: Any])
        let hot = try #require((st["hotWallet"] as? [String: Any])?["address"] as? String)
        let accts = try dev.accounts()
        _ = try dev.call("devnet_send", [["from": accts[1], "to": dep, "value": "0x8ac7230489e80000"]])   // 10 ETH 给用户
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x2b5e3af16b1880000"]]) // 50 ETH 注资热钱包（不明来源 → 待处理，不影响用户）
        try dev.mine(3)
        _ = try rig.ok(["engine", "run", "--once", "--unseal-passphrase-file", unseal])
        let cp = try CLIRunner.run(["cp", "-a", home, homeB], executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(cp.status == 0, "\(cp.stderr)")

        // —— 两个常驻引擎：A 先起、拿到 leader 与 signer；B 起来后 A 把 leader 让给它（分开放），signer 留在 A ——
        let a = try Daemon(rel, home: home, unseal: unseal, env: db.env)
        try rig.waitFor("A 拿到 signer 租约", seconds: 20) { try holder("signer") != nil && (try rig.engineID(pid: a.pid)) != nil }
        let b = try Daemon(rel, home: homeB, unseal: unseal, env: db.env)
        try rig.waitFor("B 登记进集群", seconds: 20) { try rig.engineID(pid: b.pid) != nil }
        let aID = try #require(try rig.engineID(pid: a.pid)), bID = try #require(try rig.engineID(pid: b.pid))
        let signer0 = try #require(try holder("signer"))
        #expect(signer0.id == aID, "先起的 A 应持有 signer 租约：\(signer0) A=\(aID) B=\(bID)")
        try rig.waitFor("A 把 leader 让给 B（signer 留在 A）", seconds: 25) { try holder("leader")?.id == bID }
        #expect(try holder("signer")?.id == aID && (try holder("signer")?.token) == signer0.token, "signer 不动")
        let logA = { (try? String(contentsOfFile: home + "/logs/engine.log", encoding: .utf8)) ?? "" }
        #expect(logA().split(separator: "\n").contains { $0.contains("cluster.lease_released") && $0.contains("spread") }, "让出要进日志")
        let text = try rig.ok(["status"])
        let lineOf = { (id: String) in text.stdout.split(separator: "\n").first { $0.contains("集群引擎 \(id)") }.map(String.init) ?? "" }
        #expect(lineOf(aID).contains("signer:") && !lineOf(aID).contains("leader"), "status 文本：A 是签名者：\(text.stdout)")
        #expect(lineOf(bID).contains("leader"), "status 文本：B 是 leader：\(text.stdout)")

        // —— 角色分开时的 `sweep run`：引擎在跑 → 入队；leader B 消费、交给持有 signer 的 A，A 的归集 worker 做一整轮 ——
        // （以前 leader 要自己拿 signer，拿不到就失败重试，最后进死信。）
        _ = try rig.ok(["sweep", "run", "--unseal-passphrase-file", unseal] + root)
        try rig.waitFor("归集任务完成、A 做了那一轮", seconds: 30) {
            let done = ((try rig.run(["jobs", "list", "--json"]).json as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "sweep.run" && $0["state"] as? String == "done" }
            return done && logA().contains("sweep.run_served")
        }
        let logB0 = (try? String(contentsOfFile: homeB + "/logs/engine.log", encoding: .utf8)) ?? ""
        #expect(logB0.contains("sweep.run_handed_over"), "B（leader）把任务交给了 signer")
        try rig.waitFor("充值地址的钱归集进热钱包（链上）", seconds: 30, mine: true) { try dev.nonce(dep) == 1 }

        // —— 提现进行中：5 笔，批准后 A 开始签名广播；看到第一笔出去就 SIGKILL A ——
        var ids: [String] = []
        for i in 0..<5 {
            let to = String(format: "0x%040x", 0xfa11 + i)
            let r = try rig.ok(["withdraw", "request", "--request-id", "fo-\(i)", "--user", "u1", "--asset", "ETH", "--amount", "0.5", "--to", to, "--json"] + root)
            let id = String(((r.json as? [String: Any])?["id"] as? Int) ?? -1)
            _ = try rig.ok(["withdraw", "approve", id] + appr)
            ids.append(id)
        }
        try rig.waitFor("A 广播了第一笔提现", seconds: 30) { try dev.nonce(hot) >= 1 }
        a.kill9()
        let killedAt = Date()
        let sentByA = try dev.nonce(hot)
        let states = ((try rig.run(["withdraw", "list", "--json"]).json as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
        print("cluster failover: A 被杀时已上链 \(sentByA) 笔，提现状态 \(states.sorted())")
        // B 在租约时长（10 秒）内接管 signer（leader 已在 B），令牌加一。
        try rig.waitFor("B 接管 signer 租约", seconds: 25) { try holder("signer")?.id == bID }
        let took = Date().timeIntervalSince(killedAt)
        #expect(took <= 10 + 5, "接管用了 \(took) 秒，应不超过租约时长 + 一轮")
        print("cluster failover: B 在 A 被杀后 \(String(format: "%.1f", took)) 秒接管 signer（令牌 \(signer0.token) → \(try holder("signer")?.token ?? -1)）")
        let logB = (try? String(contentsOfFile: homeB + "/logs/engine.log", encoding: .utf8)) ?? ""
        #expect(logB.split(separator: "\n").contains { $0.contains("cluster.lease_acquired") && $0.contains("signer:") },
                "接管要进日志（cluster.lease_acquired）")
        let signer1 = try #require(try holder("signer"))
        #expect(signer1.token > signer0.token, "新的一任令牌应加一：\(signer0.token) → \(signer1.token)")
        try rig.waitFor("B 接管 leader 租约", seconds: 15) { try holder("leader")?.id == bID }
        // 心跳按 home（以前全库一个键：A 的 home 上的 status 报的是最后写心跳的 B 的 pid，QA）：B 的 home 报 B，A 的 home 不报 B。
        let engineOf = { (h: String?) throws -> [String: Any] in ((try rig.run(["status", "--json"], h).json as? [String: Any])?["engine"] as? [String: Any]) ?? [:] }
        try rig.waitFor("B 的 home 上 status 报 B 在跑", seconds: 10) { try engineOf(homeB)["pid"] as? Int == Int(b.pid) }
        let onA = try engineOf(nil)
        #expect(onA["pid"] as? Int != Int(b.pid), "A 的 home 上的 status 不应报 B 的 pid：\(onA)")
        // leader 的角色里写明它也给没人持有的分片入账；过期的 credit 租约不列（没有谁在等着接管它们）。
        let bRoles = ((try rig.cluster()["engines"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == bID }?["roles"] as? [String] ?? []
        #expect(bRoles.contains("leader") && bRoles.contains("credit:rest"), "\(bRoles)")
        // 分片按数字排（以前按文本：credit:10 在 credit:7 前）。
        let shardNumbers = { (names: [String]) in names.compactMap { $0.hasPrefix("credit:") ? Int($0.dropFirst(7)) : nil } }
        #expect(shardNumbers(bRoles) == shardNumbers(bRoles).sorted(), "\(bRoles)")
        let leaseNames = ((try rig.cluster()["leases"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(shardNumbers(leaseNames) == shardNumbers(leaseNames).sorted(), "\(leaseNames)")
        #expect(!((try rig.cluster()["leases"] as? [[String: Any]]) ?? []).contains {
            ($0["name"] as? String)?.hasPrefix("credit:") == true && ($0["expiresInSeconds"] as? Int ?? 1) <= 0 })
        // 出块直到全部确认：B 接着做完 A 留下的（已签未播的按存下的原交易重播，同一哈希，不会重发成两笔）。
        try rig.waitFor("全部提现确认", seconds: 90, mine: true) {
            let rows = (try rig.run(["withdraw", "list", "--json"]).json as? [[String: Any]]) ?? []
            return rows.count == 5 && rows.allSatisfy { $0["state"] as? String == "confirmed" }
        }
        // 任务队列在 Redis Streams 上：引擎在跑时 `sweep run` 入队，由现在的 leader（B，也持有 signer）消费、自己做；库里的 jobs 表一直是空的。
        let sw = try rig.ok(["sweep", "run", "--unseal-passphrase-file", unseal] + root)
        defer { print("cluster failover: sweep run → \(sw.stdout.prefix(300))；jobs → \((try? rig.run(["jobs", "list", "--json"]).stdout.prefix(600)) ?? "")") }
        try rig.waitFor("Redis 队列里的归集任务被 B 做完", seconds: 30) {
            ((try rig.run(["jobs", "list", "--json"]).json as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "sweep.run" && $0["state"] as? String == "done" }.count == 2
        }
        // 这次 sweep run 问过 signer 租约（拿不到才入队）：它不该作为一个「备用」、随后「失联」的引擎留在列表里（QA）。
        let extra = ((try rig.cluster()["engines"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.filter { $0 != aID && $0 != bID }
        #expect(extra.isEmpty, "一次性命令不应登记成引擎：\(extra)")
        let u = try #require(URLComponents(string: db.url))
        let sqlJobs = try CLIRunner.run(["psql", "-h", u.host!, "-p", String(u.port!), "-U", u.user!, "-d", String(u.path.dropFirst()), "-tAc", "SELECT COUNT(*) FROM jobs"],
                                        env: db.env, executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(sqlJobs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "配置了 Redis 队列时库里的 jobs 表应为空：\(sqlJobs.stdout)\(sqlJobs.stderr)")
        b.stop()

        // —— 以链为准 ——
        for i in 0..<5 {
            #expect(try dev.balance(String(format: "0x%040x", 0xfa11 + i)) == 500_000_000_000_000_000, "收款 \(i) 应恰好到账一次")
        }
        let chainNonce = try dev.nonce(hot)
        #expect(chainNonce == 5, "热钱包链上 nonce 应等于提现笔数（无重发、无缺口）：\(chainNonce)")
        let nonce = try rig.run(["nonce", "status", "--json"])
        #expect(nonce.status == 0, "nonce status: \(nonce.stdout)")
        for cmd in [["ledger", "reconcile", "--json"], ["ledger", "check", "--json"], ["audit", "verify", "--json"]] {
            let r = try rig.run(cmd)
            #expect(r.status == 0, "\(cmd.joined(separator: " ")): \(r.stdout.prefix(600))")
        }
        // 优雅停机的 B 交出了租约、注销了自己；被杀的 A 还登记着但已失联。
        let after = try rig.cluster()
        let engines = (after["engines"] as? [[String: Any]]) ?? []
        #expect(!engines.contains { $0["id"] as? String == bID }, "B 优雅停机后应注销：\(engines)")
        #expect(engines.first { $0["id"] as? String == aID }.map { $0["alive"] as? Bool } != true || took < 20)
    }

    /// 入账分给两个引擎（issue 13）：先起的 A 拿到 leader 与 signer，B 起来后 A 把 leader 让给 B（分开放）——B 扫块、入账没人持有的分片，
    /// A（signer）拿一半的 credit:<分片> 租约、给那些分片的充值入账。
    /// 两边的日志里都有 deposit.credited；每笔充值恰好入账一次（余额 = 链上金额），对账、不变量、审计链（含分片链与检查点）都通过。
    @Test func twoEnginesSplitDepositCreditingByShard() throws {
        let rel = try CLIRunner.releaseBinary()
        let dev = try CLIDevnet()
        let db = try Self.freshDatabase()
        let t = CLIHome("credits")
        let (unseal, home) = (t.unseal, t.home)
        let root = t.op("root")
        let homeB = t.dir.appendingPathComponent("homeB").path
        let rig = Rig(rel: rel, dev: dev, env: db.env, home: home)

        let initR = try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "3", "--database-url", db.url]),
                                      env: db.env, executable: rel)
        #expect(initR.status == 0, "\(initR.stderr)")
        let users = (0..<16).map { "cr\($0)" }
        var addr: [String: String] = [:]
        for u in users {
            addr[u] = try #require((try rig.ok(["address", "assign", "--user", u, "--asset", "ETH", "--json"] + root).json as? [String: Any])?["address"] as? String)
        }
        _ = try rig.ok(["engine", "run", "--once", "--unseal-passphrase-file", unseal])
        let cp = try CLIRunner.run(["cp", "-a", home, homeB], executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(cp.status == 0, "\(cp.stderr)")

        let a = try Daemon(rel, home: home, unseal: unseal, env: db.env)
        defer { a.stop() }
        try rig.waitFor("A 拿到 leader", seconds: 20) {
            guard let id = try rig.engineID(pid: a.pid) else { return false }
            return try rig.liveLeases().contains { $0["name"] as? String == "leader" && $0["holder"] as? String == id }
        }
        let b = try Daemon(rel, home: homeB, unseal: unseal, env: db.env)
        defer { b.stop() }
        try rig.waitFor("leader 到 B、A 拿一半的入账分片", seconds: 40) {
            guard let aID = try rig.engineID(pid: a.pid), let bID = try rig.engineID(pid: b.pid) else { return false }
            let live = try rig.liveLeases()
            return live.contains { $0["name"] as? String == "leader" && $0["holder"] as? String == bID }
                && live.filter { ($0["name"] as? String)?.hasPrefix("credit:") == true && $0["holder"] as? String == aID }.count == 8
                && !live.contains { ($0["name"] as? String)?.hasPrefix("credit:") == true && $0["holder"] as? String == bID }
        }

        // 16 笔充值（每个用户一笔，金额各不相同），出块直到全部入账。
        let accts = try dev.accounts()
        for (i, u) in users.enumerated() {
            _ = try dev.call("devnet_send", [["from": accts[1 + i % 4], "to": addr[u]!, "value": "0x" + String(UInt64(i + 1) * 1_000_000_000_000_000, radix: 16)]])
        }
        try dev.mine(1)
        try rig.waitFor("16 笔充值全部入账", seconds: 90, mine: true) {
            let rows = (try rig.run(["deposit", "list", "--json"]).json as? [[String: Any]]) ?? []
            return rows.count == 16 && rows.allSatisfy { $0["state"] as? String == "credited" }
        }
        func credited(_ h: String) -> Int {
            ((try? String(contentsOfFile: h + "/logs/engine.log", encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("deposit.credited") }.count
        }
        let (byA, byB) = (credited(home), credited(homeB))
        print("credits split: A（signer + 分片）入账 \(byA) 笔，B（leader）\(byB) 笔")
        #expect(byA > 0 && byB > 0 && byA + byB == 16, "两个引擎都应入账，合计 16：A \(byA) B \(byB)")

        // 帮手 A 被 kill -9：它的分片租约还没过期，leader B 先跳过，最多一个租期（10 秒）后收回——第二轮 16 笔照样全部入账、每笔一次。
        a.kill9()
        let killedAt = Date()
        for (i, u) in users.enumerated() {
            _ = try dev.call("devnet_send", [["from": accts[1 + i % 4], "to": addr[u]!, "value": "0x" + String(UInt64(i + 1) * 1_000_000_000_000_000, radix: 16)]])
        }
        try dev.mine(1)
        try rig.waitFor("A 死后第二轮 16 笔全部入账", seconds: 90, mine: true) {
            let rows = (try rig.run(["deposit", "list", "--json"]).json as? [[String: Any]]) ?? []
            return rows.count == 32 && rows.allSatisfy { $0["state"] as? String == "credited" }
        }
        print("credits split: A 被杀后 \(String(format: "%.1f", Date().timeIntervalSince(killedAt))) 秒第二轮全部由 B 入账（B 共 \(credited(homeB)) 笔）")
        #expect(credited(home) == byA, "死掉的 A 不会再入账")
        usleep(6_000_000)   // 等一个检查点间隔：分片链的链头被汇总进主链
        b.stop()
        for (i, u) in users.enumerated() {
            let rows = (try rig.ok(["ledger", "balances", "--user", u, "--asset", "ETH", "--json"]).json as? [[String: Any]]) ?? []
            let bal = rows.first { $0["account"] as? String == "user_available:ETH:\(u)" }?["balanceBaseUnits"] as? String
            #expect(bal == String(UInt64(i + 1) * 2_000_000_000_000_000), "\(u) 两笔应各恰好入账一次：\(bal ?? "nil")")
        }
        for cmd in [["ledger", "reconcile", "--json"], ["ledger", "check", "--json"], ["audit", "verify", "--json"]] {
            let r = try rig.run(cmd)
            #expect(r.status == 0, "\(cmd.joined(separator: " ")): \(r.stdout.prefix(600))")
        }
        let audits = (try rig.ok(["audit", "list", "--action", "audit.checkpoint", "--json"]).json as? [[String: Any]]) ?? []
        #expect(!audits.isEmpty, "分片链应已被主链检查点汇总")
    }

    /// 恐慌按钮在集群里（QA 第四轮）：在 B 的主机上 `keystore seal`，A 也在 2 秒级内封存（以前只封 B，A 接过签名租约接着签）。
    /// 之后 A 带口令重启（有意解封）：封存着的 B 把 signer 交给解封着的 A（以前封存着的引擎可以一直占着 signer，整个集群停签），A 签出提现。
    @Test func sealingOneHostSealsTheClusterAndTheSignerMovesToAnUnsealedEngine() throws {
        let rel = try CLIRunner.releaseBinary()
        let dev = try CLIDevnet()
        let db = try Self.freshDatabase()
        let t = CLIHome("clseal")
        let (unseal, pw, home) = (t.unseal, t.pw, t.home)
        let root = t.op("root"), appr = t.op("appr")
        let homeB = t.dir.appendingPathComponent("homeB").path
        let rig = Rig(rel: rel, dev: dev, env: db.env, home: home)
        func holder(_ lease: String) throws -> String? {
            try rig.liveLeases().first { ($0["name"] as? String)?.hasPrefix(lease) == true }?["holder"] as? String
        }
        func sealed(_ h: String) throws -> Bool {
            ((try rig.run(["status", "--json"], h).json as? [String: Any])?["engine"] as? [String: Any])?["sealed"] as? Bool == true
        }
        #expect(try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "1", "--database-url", db.url]),
                                  env: db.env, executable: rel).status == 0)
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: home + "/policy.json", atomically: true, encoding: .utf8)
        _ = try rig.ok(["operator", "add", "--name", "appr", "--role", "approver", "--passphrase-file", pw] + root)
        let dep = try #require((try rig.ok(["address", "assign", "--user", "u1", "--asset", "ETH", "--json"] + root).json as? [String: Any])?["address"] as? String)
        let hot = try #require(((try rig.ok(["status", "--json"]).json as? [String: Any])?["hotWallet"] as? [String: Any])?["address"] as? String)
        let accts = try dev.accounts()
        _ = try dev.call("devnet_send", [["from": accts[1], "to": dep, "value": "0x8ac7230489e80000"]])
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x2b5e3af16b1880000"]])
        try dev.mine(2)
        _ = try rig.ok(["engine", "run", "--once", "--unseal-passphrase-file", unseal])
        #expect(try CLIRunner.run(["cp", "-a", home, homeB], executable: URL(fileURLWithPath: "/usr/bin/env")).status == 0)

        var a = try Daemon(rel, home: home, unseal: unseal, env: db.env)
        defer { a.stop() }
        try rig.waitFor("A 持有 signer", seconds: 20) { try holder("signer") != nil && (try rig.engineID(pid: a.pid)) != nil }
        let b = try Daemon(rel, home: homeB, unseal: unseal, env: db.env)
        defer { b.stop() }
        try rig.waitFor("B 登记、两个都解封着", seconds: 20) { try rig.engineID(pid: b.pid) != nil && !(try sealed(home)) && !(try sealed(homeB)) }

        // 在 B 的主机上按恐慌按钮：A 也封存。
        _ = try rig.ok(["keystore", "seal"] + root, homeB)
        try rig.waitFor("A（另一台主机）也封存", seconds: 5) { try sealed(home) }
        #expect(try sealed(homeB))
        let logA = { (try? String(contentsOfFile: home + "/logs/engine.log", encoding: .utf8)) ?? "" }
        #expect(logA().contains("keystore.sealed_by_request") && logA().contains("cluster:"), "A 的日志写明是集群封存")

        // A 带口令重启（有意解封）：封存着的 B 若占着 signer，交给 A；A 签出提现。
        a.stop()
        a = try Daemon(rel, home: home, unseal: unseal, env: db.env)
        try rig.waitFor("A 重启、解封着", seconds: 20) { let id = try rig.engineID(pid: a.pid); let s = try sealed(home); return id != nil && !s }
        let aID = try #require(try rig.engineID(pid: a.pid))
        try rig.waitFor("signer 到解封着的 A", seconds: 30) { try holder("signer") == aID }
        #expect(try sealed(homeB), "B 仍封存着（解封要在 B 上给口令）")
        let r = try rig.ok(["withdraw", "request", "--request-id", "s-1", "--user", "u1", "--asset", "ETH", "--amount", "0.5",
                            "--to", "0x00000000000000000000000000000000000ca11e", "--json"] + root)
        _ = try rig.ok(["withdraw", "approve", String(((r.json as? [String: Any])?["id"] as? Int) ?? -1)] + appr)
        try rig.waitFor("提现由 A 签出、上链", seconds: 30, mine: true) { try dev.balance("0x00000000000000000000000000000000000ca11e") == 500_000_000_000_000_000 }
        #expect(try dev.nonce(hot) == 1)
        a.stop(); b.stop()
        for cmd in [["ledger", "reconcile", "--json"], ["ledger", "check", "--json"], ["audit", "verify", "--json"]] {
            let res = try rig.run(cmd)
            #expect(res.status == 0, "\(cmd.joined(separator: " ")): \(res.stdout.prefix(600))")
        }
    }

    /// 没有口令（没设 PGPASSWORD、口令文件里没有）：说「要口令」，不说「连不上」（QA）。
    @Test func aMissingPostgresPasswordIsReportedAsSuch() throws {
        let rel = try CLIRunner.releaseBinary()
        let db = try Self.freshDatabase()
        let t = CLIHome("pgnopass")
        let r = try CLIRunner.run(["init", "--chain-id", "1337", "--demo", "--unseal-passphrase-file", t.unseal, "--admin", "root",
                                   "--admin-passphrase-file", t.pw, "--scrypt-log-n", "12", "--database-url", db.url, "--lang", "en"] + t.h,
                                  env: ["PGPASSFILE": t.dir.appendingPathComponent("no-such-pgpass").path, "HOME": t.dir.path], executable: rel)
        #expect(r.status == 2 && r.stderr.contains("postgres.auth") && r.stderr.contains("PGPASSWORD"), "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("no-such-pgpass") && r.stderr.contains("does not exist"), "点名查的是哪个口令文件：\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.home + "/config.json"), "失败的 init 不应留下 home")
    }
}

