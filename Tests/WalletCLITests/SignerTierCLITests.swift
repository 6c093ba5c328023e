// 密钥层级按运维的方式跑（issue 15）：以前让 HSM / KMS 密钥为热钱包签名要手改 config.json；令牌拔掉只在 engine.log 里有一行，
// `engine run --once` 退出 0、告警为空、status 说 ✔；令牌插回来运行中的引擎也不恢复。现在：命令切换签名器（地址会变时必须明说、
// 迁移前提逐条检查），status 报运行中引擎的真实检查（ok / sealed / unavailable / error 四态），故障告警一次、--once 退出 1，
// 设备回来后同一个进程自己恢复。驱动发布版二进制，对着真实 EVM，以链为准。
import Foundation
import Testing

struct TierFixture {
    let rel: URL
    let dev: CLIDevnet
    let t: CLIHome
    var env: [String: String] = [:]

    func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + t.h, env: env, executable: rel) }
    func json(_ args: [String]) throws -> [String: Any] { (try run(args + ["--json"]).json as? [String: Any]) ?? [:] }

    /// 建 home，加审批人，给用户一个充值地址。
    func setUp(_ extra: [String] = []) throws {
        let r = try CLIRunner.run(t.initArgs(chainId: String(dev.chainId), rpc: dev.url, ["--confirmations", "1"] + extra), env: env, executable: rel)
        #expect(r.status == 0, "\(r.stderr)")
        try #"{"allowlist": {"required": false, "coolingOffSeconds": 0}, "rules": [{"name": "all", "asset": "*", "action": "allow", "approvals": 1}]}"#
            .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
        #expect(try run(["operator", "add", "--name", "appr", "--role", "approver", "--passphrase-file", t.pw] + t.op("root")).status == 0)
    }

    /// 切到新密钥：不带 --new-address 被拒（退出 2，说明为什么），带上才换；status 的热钱包地址随之改变。
    func switchSigner(to key: String, address: String) throws {
        let refused = try run(["signer", "use", "--key", key] + t.op("root"))
        #expect(refused.status == 2 && refused.stderr.contains("signer.address_change"), "\(refused.stderr)")
        let used = try json(["signer", "use", "--key", key, "--new-address"] + t.op("root"))
        #expect(used["address"] as? String == address && used["addressChanged"] as? Bool == true, "\(used)")
        #expect(((try json(["status"]))["hotWallet"] as? [String: Any])?["address"] as? String == address)
    }

    /// 冷钱包给新热钱包注资，用户充值 2 ETH 并入账。
    func fund(hot: String) throws {
        let accts = try dev.accounts()
        #expect(try run(["treasury", "cold-wallet", "add", accts[9], "--label", "vault"] + t.op("root")).status == 0)
        let addr = try #require(try json(["address", "assign", "--user", "u", "--asset", "ETH"] + t.op("root"))["address"] as? String)
        _ = try dev.call("devnet_send", [["from": accts[9], "to": hot, "value": "0x8ac7230489e80000"]])   // 10 ETH
        _ = try dev.call("devnet_send", [["from": accts[1], "to": addr, "value": "0x1bc16d674ec80000"]])  // 2 ETH
        try dev.mine(2)
        let once = try run(["engine", "run", "--once", "--unseal-passphrase-file", t.unseal])
        #expect(once.status == 0, "\(once.stderr)")
    }

    func withdraw(_ rid: String, _ amount: String, _ to: String) throws {
        let w = try json(["withdraw", "request", "--request-id", rid, "--user", "u", "--asset", "ETH", "--amount", amount, "--to", to] + t.op("root"))
        #expect(try run(["withdraw", "approve", String((w["id"] as? Int) ?? -1)] + t.op("appr")).status == 0)
    }

    func engineSigner() throws -> [String: Any] {
        (((try json(["status"]))["engine"] as? [String: Any])?["signer"] as? [String: Any]) ?? [:]
    }

    func alerts() throws -> [String] {
        (try run(["ledger", "alerts", "--json"]).json as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    func startEngine() throws -> Process {
        let p = Process()
        p.executableURL = rel
        p.arguments = ["engine", "run", "--unseal-passphrase-file", t.unseal] + t.h
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// SIGTERM 后 10 秒内必须退出（KMS 以前吞掉 SIGTERM、停不下来）；否则记失败并 SIGKILL，测试不挂死。
    func stop(_ p: Process) {
        guard p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        if !waitFor(10, { !p.isRunning }) {
            Issue.record("\(p.arguments?.prefix(2).joined(separator: " ") ?? "") 收到 SIGTERM 10 秒后仍在运行")
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
    }

    func waitFor(_ seconds: Double, _ cond: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if try cond() { return true }; usleep(200_000) }
        return try cond()
    }

    /// 结束：账与链相等、审计链完好。
    func checkBooks() throws {
        let rec = try run(["ledger", "reconcile", "--json"])
        #expect(rec.status == 0, "\(rec.stdout)")
        #expect(try run(["ledger", "check"]).status == 0)
        #expect(try run(["audit", "verify"]).status == 0)
    }
}

@Suite(.serialized) struct SignerTierCLITests {
    @Test func hsmSignerByCommandFailsLoudlyAndRecoversWithoutRestart() throws {
        guard FileManager.default.fileExists(atPath: "/usr/lib/softhsm/libsofthsm2.so") else {
            Issue.record("SoftHSM2 没装：install.sh 会装 softhsm2"); return
        }
        var f = TierFixture(rel: try CLIRunner.releaseBinary(), dev: try CLIDevnet(), t: CLIHome("hsmtier"))
        let hsm = f.t.dir.appendingPathComponent("hsm").path
        try FileManager.default.createDirectory(atPath: hsm + "/tokens", withIntermediateDirectories: true)
        try "directories.tokendir = \(hsm)/tokens\nobjectstore.backend = file\n".write(toFile: hsm + "/softhsm2.conf", atomically: true, encoding: .utf8)
        f.env = ["SOFTHSM2_CONF": hsm + "/softhsm2.conf"]
        let pin = CLIRunner.write("1234\n", to: f.t.dir, "pin.txt"), so = CLIRunner.write("5678\n", to: f.t.dir, "so.txt")
        try f.setUp()
        #expect(try f.run(["hsm", "init-token", "--label", "hot", "--so-pin-file", so, "--pin-file", pin] + f.t.op("root")).status == 0)
        // QA：同名令牌、过短的 PIN 以前会留下占着槽位的半成品令牌；现在先检查、退出 2、令牌数不变。
        func tokenCount() throws -> Int { ((try f.json(["hsm", "list"])["tokens"] as? [[String: Any]]) ?? []).filter { $0["initialized"] as? Bool == true }.count }
        let before = try tokenCount()
        let dup = try f.run(["hsm", "init-token", "--label", "hot", "--so-pin-file", so, "--pin-file", pin] + f.t.op("root"))
        #expect(dup.status == 2 && dup.stderr.contains("hsm.bad_input"), "\(dup.stderr)")
        let shortPin = CLIRunner.write("12\n", to: f.t.dir, "short.txt")
        let short = try f.run(["hsm", "init-token", "--label", "other", "--so-pin-file", so, "--pin-file", shortPin] + f.t.op("root"))
        #expect(short.status == 2 && short.stderr.contains("hsm.bad_input"), "\(short.stderr)")
        #expect(try tokenCount() == before)
        let k = try f.json(["hsm", "keygen", "--token", "hot", "--label", "hot-hsm", "--pin-file", pin, "--unseal-passphrase-file", f.t.unseal] + f.t.op("root"))
        let key = try #require(k["id"] as? String), hot = try #require(k["address"] as? String)
        // 审批人不能换签名器（只有 admin）。
        #expect(try f.run(["signer", "use", "--key", key, "--new-address"] + f.t.op("appr")).status == 2)
        try f.switchSigner(to: key, address: hot)
        try f.fund(hot: hot)

        // 没有引擎在跑：signer status 解封后真实检查令牌。
        let st = try f.json(["signer", "status", "--unseal", "--unseal-passphrase-file", f.t.unseal])
        #expect(st["state"] as? String == "ok" && st["tier"] as? String == "hsm" && st["matchesConfig"] as? Bool == true, "\(st)")

        let engine = try f.startEngine()
        defer { f.stop(engine) }
        let a = "0x00000000000000000000000000000000000a11ce", b = "0x00000000000000000000000000000000000b0b00"
        try f.withdraw("h1", "0.1", a)
        #expect(try f.waitFor(20) { try f.dev.balance(a) == 100_000_000_000_000_000 }, "HSM 密钥签的提现应被 EVM 接受")
        #expect(try f.waitFor(5) { try f.engineSigner()["state"] as? String == "ok" }, "\((try? f.engineSigner()) ?? [:])")
        #expect(try f.engineSigner()["tier"] as? String == "hsm")
        let nonce = try f.dev.nonce(hot)

        // 拔掉令牌（只拿走令牌自己的目录、槽位还在——QA 发现这种情况下运行中的引擎永远恢复不了）：
        // 运行中的引擎检查出来 → 不可用（不是「已封存」），告警一次，提现不签不发。
        let tokenDir = try #require(try FileManager.default.contentsOfDirectory(atPath: hsm + "/tokens").first)
        try FileManager.default.moveItem(atPath: hsm + "/tokens/" + tokenDir, toPath: hsm + "/token.away")
        try f.withdraw("h2", "0.2", b)
        let down = try f.waitFor(10) { try f.engineSigner()["state"] as? String == "unavailable" }
        #expect(down, "\((try? f.engineSigner()) ?? [:])")
        #expect(try f.alerts().filter { $0 == "signer.unavailable" }.count == 1)
        let sj = try f.json(["status"])
        #expect((sj["engine"] as? [String: Any])?["waitingReason"] as? String == "signer.unavailable", "\(sj)")
        #expect((sj["problems"] as? [String] ?? []).contains("signer.unavailable"))
        #expect(try f.run(["status"]).stdout.contains("⚠"))
        try f.dev.mine(1)
        #expect(try f.dev.balance(b) == 0 && f.dev.nonce(hot) == nonce)

        // 令牌插回来：同一个引擎进程（模块在拔出前已初始化，要重新枚举才看得见令牌）在有界退避内自己恢复，等着的提现恰好发出一次。
        try FileManager.default.moveItem(atPath: hsm + "/token.away", toPath: hsm + "/tokens/" + tokenDir)
        #expect(try f.waitFor(25) { try f.dev.balance(b) == 200_000_000_000_000_000 }, "令牌回来后引擎没有自己恢复")
        #expect(try f.waitFor(5) { try f.engineSigner()["state"] as? String == "ok" }, "心跳每 2 秒一次")
        let back = try f.engineSigner()
        #expect((back["lastError"] as? [String: Any])?["code"] != nil, "最近一次故障应保留：\(back)")
        f.stop(engine)

        // --once 在签名器故障时退出 1（以前退出 0、withdrawal steps=0）；令牌回来后 --once 照常。
        try FileManager.default.moveItem(atPath: hsm + "/tokens", toPath: hsm + "/tokens.away")
        try f.withdraw("h3", "0.3", a)
        let once = try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal])
        #expect(once.status == 1, "\(once.stdout)\(once.stderr)")
        try FileManager.default.moveItem(atPath: hsm + "/tokens.away", toPath: hsm + "/tokens")
        try f.dev.mine(2)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        try f.dev.mine(2)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        #expect(try f.dev.nonce(hot) == nonce + 2)
        #expect(try f.dev.balance(a) == 400_000_000_000_000_000)
        let audit = try f.run(["audit", "list", "--action", "signer.use", "--json"])
        #expect(audit.stdout.contains(key), "\(audit.stdout)")
        try f.checkBooks()
    }
}

extension SignerTierCLITests {
    /// KMS 层：`kms keygen` 建的密钥经 `signer use` 为热钱包签名；KMS 进程停掉 → 不可用 + 告警，重启 KMS → 同一个引擎自己恢复。
    @Test func kmsSignerByCommandFailsLoudlyAndRecovers() throws {
        let f = TierFixture(rel: try CLIRunner.releaseBinary(), dev: try CLIDevnet(), t: CLIHome("kmstier"))
        let kmsPass = CLIRunner.write("kms-pass-123\n", to: f.t.dir, "kms.txt")
        try f.setUp()
        func serve() throws -> Process {
            let p = Process()
            p.executableURL = f.rel
            p.arguments = ["kms", "serve", "--unseal-passphrase-file", kmsPass, "--scrypt-log-n", "12"] + f.t.h
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            let sock = f.t.home + "/kms.sock"
            #expect(f.waitFor(10) { FileManager.default.fileExists(atPath: sock) && ((try? f.run(["kms", "status"]).status) == 0) }, "KMS 没有起来")
            return p
        }
        var kms = try serve()
        defer { f.stop(kms) }
        // QA：第二个 kms serve 以前会抢走套接字、退出时删掉它，正在服务的 KMS 从此连不上。
        let second = try f.run(["kms", "serve", "--unseal-passphrase-file", kmsPass])
        #expect(second.status == 2 && second.stderr.contains("kms.already_running"), "\(second.stderr)")
        #expect(try f.run(["kms", "status"]).status == 0, "第一个 KMS 仍然可达")
        let k = try f.json(["kms", "keygen", "--label", "hot-kms", "--unseal-passphrase-file", f.t.unseal] + f.t.op("root"))
        let key = try #require(k["id"] as? String), hot = try #require(k["address"] as? String)
        #expect(k["tier"] as? String == "kms")
        try f.switchSigner(to: key, address: hot)
        try f.fund(hot: hot)

        let engine = try f.startEngine()
        defer { f.stop(engine) }
        let a = "0x00000000000000000000000000000000000a11ce", b = "0x00000000000000000000000000000000000b0b00"
        try f.withdraw("k1", "0.1", a)
        #expect(try f.waitFor(20) { try f.dev.balance(a) == 100_000_000_000_000_000 }, "KMS 签的提现应被 EVM 接受")
        #expect(try f.waitFor(5) { let s = try f.engineSigner(); return s["state"] as? String == "ok" && s["tier"] as? String == "kms" },
                "\((try? f.engineSigner()) ?? [:])")
        let nonce = try f.dev.nonce(hot)

        f.stop(kms)
        try f.withdraw("k2", "0.2", b)
        #expect(try f.waitFor(10) { try f.engineSigner()["state"] as? String == "unavailable" }, "\((try? f.engineSigner()) ?? [:])")
        #expect(try f.alerts().contains("signer.unavailable"))
        try f.dev.mine(1)
        #expect(try f.dev.balance(b) == 0 && f.dev.nonce(hot) == nonce)

        kms = try serve()
        #expect(try f.waitFor(20) { try f.dev.balance(b) == 200_000_000_000_000_000 }, "KMS 回来后引擎没有自己恢复")
        #expect(try f.waitFor(5) { try f.engineSigner()["state"] as? String == "ok" })
        f.stop(engine)
        try f.dev.mine(2)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        #expect(try f.dev.nonce(hot) == nonce + 1)
        try f.checkBooks()
    }

    /// 数据库层与迁移前提：同一地址换一把密钥（热钱包私钥经 Web3 v3 导出再导入成新条目）不需要 --new-address，引擎照常签名；
    /// 账上热钱包有钱时换到另一个地址被拒（退出 2），config.json 一个字节不变。
    @Test func sameAddressSwitchesFreelyNewAddressNeedsEmptyBooks() throws {
        let f = TierFixture(rel: try CLIRunner.releaseBinary(), dev: try CLIDevnet(), t: CLIHome("dbtier"))
        try f.setUp()
        let st = try f.json(["status"])
        let hot = try #require((st["hotWallet"] as? [String: Any])?["address"] as? String)
        try f.fund(hot: hot)
        let keys = try #require(try f.run(["keystore", "list", "--json"]).json as? [[String: Any]])
        let hotKey = try #require(keys.first { ($0["address"] as? String)?.lowercased() == hot.lowercased() }?["id"] as? String)
        let pw = CLIRunner.write("v3-pass-123\n", to: f.t.dir, "v3.txt"), v3 = f.t.dir.appendingPathComponent("hot.json").path
        #expect(try f.run(["keystore", "export-v3", "--id", hotKey, "--password-file", pw, "--out", v3, "--kdf", "pbkdf2",
                           "--unseal-passphrase-file", f.t.unseal] + f.t.op("root")).status == 0)
        let copy = try f.json(["keystore", "import-v3", "--file", v3, "--password-file", pw, "--label", "same-key",
                               "--unseal-passphrase-file", f.t.unseal] + f.t.op("root"))
        let same = try #require(copy["id"] as? String)
        let used = try f.json(["signer", "use", "--key", same] + f.t.op("root"))
        #expect(used["addressChanged"] as? Bool == false && used["address"] as? String == hot, "\(used)")
        try f.withdraw("d1", "0.1", "0x00000000000000000000000000000000000a11ce")
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        try f.dev.mine(2)
        #expect(try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal]).status == 0)
        #expect(try f.dev.balance("0x00000000000000000000000000000000000a11ce") == 100_000_000_000_000_000)

        let other = CLIRunner.write("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n", to: f.t.dir, "o.txt")
        let imp = try f.json(["keystore", "import-mnemonic", "--label", "other", "--mnemonic-file", other, "--unseal-passphrase-file", f.t.unseal] + f.t.op("root"))
        let key = try #require(imp["id"] as? String)
        let cfgBefore = try String(contentsOfFile: f.t.home + "/config.json", encoding: .utf8)
        let r = try f.run(["signer", "use", "--key", key, "--new-address"] + f.t.op("root"))
        #expect(r.status == 2 && r.stderr.contains("signer.hot_wallet_not_empty"), "\(r.stderr)")
        #expect(try String(contentsOfFile: f.t.home + "/config.json", encoding: .utf8) == cfgBefore)
        let missing = try f.run(["signer", "use", "--key", "key-nosuch", "--new-address"] + f.t.op("root"))
        #expect(missing.status == 2 && missing.stderr.contains("signer.key_not_found"))
        try f.checkBooks()
    }
}

extension SignerTierCLITests {
    /// `init --unseal-shares T-of-N`：没有解封口令，KEK 拆成份额写到新目录（每份 0600）；任意 T 份解封引擎，少一份不行；
    /// 口令与份额同时给、或份额目录不空，都在创建任何东西之前退出 2。
    @Test func initCanCreateAHomeUnsealedByShares() throws {
        let f = TierFixture(rel: try CLIRunner.releaseBinary(), dev: try CLIDevnet(), t: CLIHome("sharesinit"))
        let dir = f.t.dir.appendingPathComponent("kek-shares").path
        let base = ["init", "--chain-id", String(f.dev.chainId), "--rpc", f.dev.url, "--admin", "root", "--admin-passphrase-file", f.t.pw,
                    "--scrypt-log-n", "12", "--confirmations", "1"] + CLIHome.backupArgs(f.t.dir) + f.t.h
        let both = try CLIRunner.run(base + ["--unseal-passphrase-file", f.t.unseal, "--unseal-shares", "2-of-3", "--unseal-shares-dir", dir], executable: f.rel)
        #expect(both.status == 2 && both.stderr.contains("init.unseal_mode"), "\(both.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.t.home))
        let r = try CLIRunner.run(base + ["--unseal-shares", "2-of-3", "--unseal-shares-dir", dir, "--json"], executable: f.rel)
        #expect(r.status == 0, "\(r.stderr)")
        let files = try #require(((r.json as? [String: Any])?["unseal"] as? [String: Any])?["files"] as? [String])
        #expect(files.count == 3)
        for p in files { #expect(((try? FileManager.default.attributesOfItem(atPath: p)[.posixPermissions]) as? Int) == 0o600) }
        #expect(!r.stdout.contains(try String(contentsOfFile: files[0], encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)),
                "份额不能出现在标准输出（终端回滚）里")
        let seal = try #require(try f.json(["keystore", "status"])["mode"] as? String)
        #expect(seal == "shares")
        let two = try files.prefix(2).map { try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
        let one = CLIRunner.write(two[0] + "\n", to: f.t.dir, "one.txt"), pair = CLIRunner.write(two.joined(separator: "\n") + "\n", to: f.t.dir, "two.txt")
        let wrongKind = try f.run(["engine", "run", "--once", "--unseal-passphrase-file", f.t.unseal])
        #expect(wrongKind.status == 2 && wrongKind.stderr.contains("keystore.unseal_mode") && wrongKind.stderr.contains("--unseal-shares-file"), "\(wrongKind.stderr)")
        let short = try f.run(["engine", "run", "--once", "--unseal-shares-file", one])
        #expect(short.status == 2, "\(short.stderr)")
        let ok = try f.run(["engine", "run", "--once", "--unseal-shares-file", pair])
        #expect(ok.status == 0, "\(ok.stderr)")
        let st = try f.json(["signer", "status", "--unseal", "--unseal-shares-file", pair])
        #expect(st["state"] as? String == "ok", "\(st)")
    }
}
