// 账本命令组的端到端测试：跑真实二进制，断言退出码、JSON 形状与「坏输入不改库」。
import Foundation
import Testing

enum LedgerCLIFixture {
    /// 建一个有资产、操作员（admin/alice/carol，口令 test-passphrase）、白名单与若干充值的 home
    /// （测试支撑程序 WalletTestWorker：先走 init 的同一条路径，再直接驱动账本）。
    static func home(steps: Int = 0) throws -> (URL, String) {
        let dir = CLIRunner.tempDir("ledger-cli")
        let r = try CLIRunner.runWorker(["--home", dir.path, "--mode", steps == 0 ? "seed" : "crash", "--steps", String(max(steps, 1))])
        #expect(r.status == 0, "\(r.stderr)")
        let pw = CLIRunner.write("test-passphrase\n", to: dir, "pw.txt")
        return (dir, pw)
    }

    static func json(_ args: [String]) throws -> (Int32, Any?) {
        let r = try CLIRunner.run(args + ["--json"])
        return (r.status, r.json)
    }

    static let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func sql(_ db: URL, _ statement: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sqlite3!)
        p.arguments = [db.path, statement]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}

@Test func ledgerCLIWithdrawFlowAndJSONShapes() throws {
    let (home, pw) = try LedgerCLIFixture.home(steps: 25)
    let h = ["--home", home.path]
    let carol = ["--operator", "carol", "--operator-passphrase-file", pw]
    let alice = ["--operator", "alice", "--operator-passphrase-file", pw]
    // 充值列表形状
    let (s0, deps) = try LedgerCLIFixture.json(["deposit", "list", "--state", "credited", "--limit", "2"] + h)
    #expect(s0 == 0)
    let d = try #require((deps as? [[String: Any]])?.first)
    for k in ["id", "asset", "amount", "amountBaseUnits", "address", "user", "txHash", "logIndex", "blockNumber", "confirmations", "required", "state"] {
        #expect(d[k] != nil, "deposit list 缺少 \(k)")
    }
    // 大额提现需要 1 人审批；发起人不能自批；另一人批准
    let (_, bal) = try LedgerCLIFixture.json(["ledger", "balances", "--user", "u0", "--asset", "ETH"] + h)
    #expect((bal as? [[String: Any]])?.isEmpty == false)
    try CLIRunner.run(["withdraw", "allowlist-add", "0x2222222222222222222222222222222222222222"] + h + alice)
    // u0 可能余额不足：先找一个够 1.5 ETH 的用户
    var chosen: String?
    for u in ["u0", "u1", "u2", "u3"] {
        let r = try CLIRunner.run(["withdraw", "request", "--request-id", "cli-\(u)", "--user", u, "--asset", "ETH", "--amount", "1.001",
                                   "--to", "0x1111111111111111111111111111111111111111", "--json"] + h + carol)
        if r.status == 0 { chosen = r.stdout; break }
        #expect(r.status == 2 && r.stderr.contains("withdraw.insufficient_balance"))
    }
    let w = try #require(chosen.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any])
    #expect(Set(w.keys).isSuperset(of: ["id", "requestId", "state", "approvalsRequired", "approvals"]))
    #expect(w["state"] as? String == "awaiting_approval" && w["approvalsRequired"] as? Int == 1)
    let id = String(w["id"] as! Int)
    let selfApprove = try CLIRunner.run(["withdraw", "approve", id, "--json"] + h + carol)
    #expect(selfApprove.status == 2 && selfApprove.stderr.contains("approval.self"))
    let (s1, ap) = try LedgerCLIFixture.json(["withdraw", "approve", id] + h + alice)
    #expect(s1 == 0 && (ap as? [String: Any])?["state"] as? String == "approved")
    let (_, list) = try LedgerCLIFixture.json(["withdraw", "list", "--state", "approved"] + h)
    #expect((list as? [[String: Any]])?.contains { String($0["id"] as! Int) == id && ($0["approvedBy"] as? [String]) == ["alice"] } == true)
    let rej = try CLIRunner.run(["withdraw", "reject", id, "--reason", "测试拒绝", "--json"] + h + alice)
    #expect(rej.status == 0 && rej.stdout.contains("rejected"))
    // 审计里有这些动作与 CLI 等价命令
    let (_, audits) = try LedgerCLIFixture.json(["audit", "list", "--action", "withdraw.approve"] + h)
    #expect(((audits as? [[String: Any]])?.first?["details"] as? String)?.contains("withdraw approve \(id)") == true)
    let (s2, check) = try LedgerCLIFixture.json(["ledger", "check"] + h)
    #expect(s2 == 0 && (check as? [String: Any])?["ok"] as? Bool == true)
    let (s3, ver) = try LedgerCLIFixture.json(["audit", "verify"] + h)
    #expect(s3 == 0 && (ver as? [String: Any])?["ok"] as? Bool == true)
    let (s4, jobs) = try LedgerCLIFixture.json(["jobs", "dead"] + h)
    #expect(s4 == 0 && (jobs as? [Any])?.isEmpty == true)
}

@Test func ledgerCLIBadInputExitsTwoAndChangesNothing() throws {
    let (home, pw) = try LedgerCLIFixture.home(steps: 3)
    let h = ["--home", home.path]
    let carol = ["--operator", "carol", "--operator-passphrase-file", pw]
    let db = home.appendingPathComponent("wallet.db")
    func state() throws -> String {
        try CLIRunner.run(["ledger", "balances", "--json"] + h).stdout + CLIRunner.run(["withdraw", "list", "--json"] + h).stdout
            + String((try CLIRunner.run(["audit", "verify", "--json"] + h).json as? [String: Any])?["records"] as? Int ?? -1)
    }
    let before = try state()
    let to = "0x1111111111111111111111111111111111111111"
    let cases: [([String], String)] = [
        (["--amount=-1", "--asset", "ETH", "--to", to], "amount.negative"),
        (["--amount", "-1", "--asset", "ETH", "--to", to], "amount.negative"),   // 以前被当成一个未知选项
        (["--amount", "0.0000001", "--asset", "USDT", "--to", to], "amount.too_precise"),
        (["--amount", "999999999999999999999999999999999999999999999999999999999999999999999999999999", "--asset", "ETH", "--to", to], "amount.overflow"),
        (["--amount", "1", "--asset", "DOGE", "--to", to], "ledger.unknown_asset"),
        (["--amount", "1", "--asset", "ETH", "--to", "0x12345"], "address.invalid"),
        (["--amount", "1", "--asset", "ETH", "--to", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"], "address.bad_checksum"),
        (["--amount", "1", "--asset", "ETH", "--to", "0x9999999999999999999999999999999999999999"], "withdraw.not_allowlisted"),
        (["--amount", "1e3", "--asset", "ETH", "--to", to], "amount.malformed"),
    ]
    for (args, code) in cases {
        let r = try CLIRunner.run(["withdraw", "request", "--request-id", "bad", "--user", "u1", "--json"] + args + h + carol)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(code), "\(args) 应报 \(code)：\(r.stderr)")
    }
    // 重复请求号、错误口令、未知状态
    let ok = try CLIRunner.run(["withdraw", "request", "--request-id", "dup", "--user", "u0", "--asset", "ETH", "--amount", "0.000001", "--to", to, "--json"] + h + carol)
    #expect(ok.status == 0, "\(ok.stderr)")
    let mid = try state()
    let dup = try CLIRunner.run(["withdraw", "request", "--request-id", "dup", "--user", "u0", "--asset", "ETH", "--amount", "0.000002", "--to", to] + h + carol)
    #expect(dup.status == 2 && dup.stderr.contains("withdraw.duplicate_request"))
    let wrong = CLIRunner.write("nope-nope\n", to: home, "bad.txt")
    let badpw = try CLIRunner.run(["withdraw", "approve", "1", "--operator", "alice", "--operator-passphrase-file", wrong] + h)
    #expect(badpw.status == 2 && badpw.stderr.contains("operator.bad_passphrase"))
    // 登录失败进引擎日志（名字与错误码，绝不含口令），供监控发现撞口令。
    let engineLog = (try? String(contentsOfFile: home.appendingPathComponent("logs/engine.log").path, encoding: .utf8)) ?? ""
    #expect(engineLog.contains("\"event\":\"auth.failed\"") && engineLog.contains("alice") && !engineLog.contains("nope-nope"))
    #expect(try CLIRunner.run(["deposit", "list", "--state", "bogus"] + h).status == 2)
    // JSON 输入：金额写成 JSON 数字会被拒绝（避免浮点）；字符串金额与命令行等价且幂等
    let numeric = try CLIRunner.run(["withdraw", "request", "--input", "-"] + h + carol,
                                    stdin: #"{"requestId":"dup","user":"u0","asset":"ETH","amount":0.000001,"to":"\#(to)"}"#)
    #expect(numeric.status == 2 && numeric.stderr.contains("--input.amount"))
    // 文件与冲突的参数同时给：退出 2（以前 --amount 5 被静默忽略，按文件里的金额发起）。
    let mixed = try CLIRunner.run(["withdraw", "request", "--input", "-", "--amount", "5"] + h + carol,
                                  stdin: #"{"requestId":"mix","user":"u0","asset":"ETH","amount":"0.000001","to":"\#(to)"}"#)
    #expect(mixed.status == 2 && mixed.stderr.contains("--amount"), "\(mixed.stderr)")
    let viaJSON = try CLIRunner.run(["withdraw", "request", "--input", "-", "--json"] + h + carol,
                                    stdin: #"{"requestId":"dup","user":"u0","asset":"ETH","amount":"0.000001","to":"\#(to)"}"#)
    #expect(viaJSON.status == 0 && (viaJSON.json as? [String: Any])?["requestId"] as? String == "dup")
    #expect(try state() == mid)
    #expect(before != mid)
    _ = db
}

@Test(.enabled(if: LedgerCLIFixture.sqlite3 != nil, "需要 sqlite3 命令行来篡改数据库"))
func ledgerCLIDetectsTampering() throws {
    let (home, _) = try LedgerCLIFixture.home(steps: 5)
    let h = ["--home", home.path]
    let db = home.appendingPathComponent("wallet.db")
    // 篡改审计记录 → audit verify 退出 1 并指出第一条坏记录
    try LedgerCLIFixture.sql(db, "UPDATE audit_log SET subject = 'x' WHERE id = 12")
    let v = try CLIRunner.run(["audit", "verify", "--json"] + h)
    #expect(v.status == 1)
    #expect((v.json as? [String: Any])?["firstBad"] as? Int == 12)
    // 绕过程序改余额 → ledger check 退出 1 并列出违例
    try LedgerCLIFixture.sql(db, "UPDATE accounts SET credit_total = '00000000000000000000000000000000000000000000000000000000000003e8' WHERE code LIKE 'user_available:ETH:u1'")
    let c = try CLIRunner.run(["ledger", "check", "--json"] + h)
    #expect(c.status == 1)
    let viol = (c.json as? [String: Any])?["violations"] as? [[String: Any]]
    #expect(viol?.contains { $0["code"] as? String == "balance_mismatch" } == true)
}

@Test func addressAssignDerivesFromConfiguredXpub() throws {
    let (home, pw) = try LedgerCLIFixture.home()
    let h = ["--home", home.path]
    let admin = ["--operator", "admin", "--operator-passphrase-file", pw]
    // 分配地址会改库：没有操作员 → 退出 2，什么都不写。
    let anon = try CLIRunner.run(["address", "assign", "--user", "u1", "--asset", "ETH", "--json"] + h)
    #expect(anon.status == 2 && anon.stderr.contains("operator.required"), "\(anon.stderr)")
    // "abandon ×11 about" 的 m/44'/60'/0'/0 xpub（只含公钥；由 key derive 独立算出）。
    let xpub = "xpub6EF8jXqFeFEW5bwMU7RpQtHkzE4KJxcqJtvkCjJumzW8CPpacXkb92ek4WzLQXjL93HycJwTPUAcuNxCqFPKKU5m5Z2Vq4nCyh5CyPeBFFr"
    let notAdmin = try CLIRunner.run(["address", "set-xpub", xpub, "--operator", "alice", "--operator-passphrase-file", pw] + h)
    #expect(notAdmin.status == 2 && notAdmin.stderr.contains("auth.forbidden"), "\(notAdmin.stderr)")
    let bad = try CLIRunner.run(["address", "set-xpub", "xpub-nonsense"] + admin + h)
    #expect(bad.status == 2)
    // 路径与 xpub 深度不符（把外部链 xpub 说成账户级）→ 拒绝：否则落库的路径是假的，归集会用错私钥。
    let wrongPath = try CLIRunner.run(["address", "set-xpub", xpub, "--xpub-path", "m/44'/60'/0'"] + admin + h)
    #expect(wrongPath.status == 2 && wrongPath.stderr.contains("xpub"), "\(wrongPath.stderr)")
    let set = try CLIRunner.run(["address", "set-xpub", xpub, "--json"] + admin + h)
    #expect(set.status == 0, "\(set.stderr)")
    let (_, a1) = try LedgerCLIFixture.json(["address", "assign", "--user", "u1", "--asset", "ETH"] + admin + h)
    let (_, a2) = try LedgerCLIFixture.json(["address", "assign", "--user", "u2", "--asset", "ETH"] + admin + h)
    let (_, again) = try LedgerCLIFixture.json(["address", "assign", "--user", "u1", "--asset", "ETH"] + admin + h)
    let o1 = try #require(a1 as? [String: Any]), o2 = try #require(a2 as? [String: Any])
    // MetaMask / ethers.js 公认：m/44'/60'/0'/0/0 = 0x9858EfFD232B4033E47d90003D41EC34EcaEda94
    #expect(o1["address"] as? String == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
    #expect(o1["index"] as? Int == 0 && o1["path"] as? String == "m/44'/60'/0'/0/0" && o1["user"] as? String == "u1" && o1["asset"] as? String == "ETH")
    #expect(o2["index"] as? Int == 1 && o2["path"] as? String == "m/44'/60'/0'/0/1" && o2["address"] as? String != o1["address"] as? String)
    #expect((again as? [String: Any])?["address"] as? String == o1["address"] as? String)
    // 已分配过地址：不能再换 xpub（否则新旧地址来自两棵树）。
    let other = "xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj"
    let change = try CLIRunner.run(["address", "set-xpub", other, "--xpub-path", "m/44'/60'/0'"] + admin + h)
    #expect(change.status == 2, "\(change.stderr)")
}

@Test func operatorAddNeedsAnAdminAndAHome() throws {
    let (home, pw) = try LedgerCLIFixture.home()
    let h = ["--home", home.path]
    let noAuth = try CLIRunner.run(["operator", "add", "--name", "eve", "--role", "admin", "--passphrase-file", pw] + h)
    #expect(noAuth.status == 2 && noAuth.stderr.contains("operator.required"), "\(noAuth.stderr)")
    let approver = try CLIRunner.run(["operator", "add", "--name", "eve", "--role", "admin", "--passphrase-file", pw,
                                      "--operator", "alice", "--operator-passphrase-file", pw] + h)
    #expect(approver.status == 2 && approver.stderr.contains("auth.forbidden"), "\(approver.stderr)")
    let ok = try CLIRunner.run(["operator", "add", "--name", "bob", "--role", "viewer", "--passphrase-file", pw,
                                "--operator", "admin", "--operator-passphrase-file", pw] + h)
    #expect(ok.status == 0, "\(ok.stderr)")
    let badRole = try CLIRunner.run(["operator", "add", "--name", "x", "--role", "god", "--passphrase-file", pw,
                                     "--operator", "admin", "--operator-passphrase-file", pw] + h)
    #expect(badRole.status == 2)
    let list = try CLIRunner.run(["operator", "list", "--json"] + h)
    #expect((list.json as? [[String: Any]])?.map { $0["name"] as? String } == ["admin", "alice", "bob", "carol"])
    // 口令不出现在审计记录里；审计记下的是执行者 admin
    let audits = try CLIRunner.run(["audit", "list", "--action", "operator.add", "--json"] + h)
    #expect(!audits.stdout.contains("test-passphrase") && audits.stdout.contains("\"operator\" : \"admin\""))
    // 不是 home 的目录：退出 2，不会悄悄建出一个空库
    let empty = CLIRunner.tempDir("not-a-home")
    let r = try CLIRunner.run(["operator", "add", "--name", "root", "--role", "admin", "--passphrase-file", pw, "--home", empty.path])
    #expect(r.status == 2 && r.stderr.contains("home.missing"))
    #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("wallet.db").path))
}

@Test func testWorkerIsNotPartOfTheProduct() throws {
    // 崩溃测试的子进程是独立的测试支撑程序；产品二进制里没有这个命令，环境变量也打不开它。
    let dir = CLIRunner.tempDir("no-worker")
    let r = try CLIRunner.run(["ledger", "test-worker", "--home", dir.path], env: ["WALLET_LEDGER_TEST_WORKER": "1"])
    #expect(r.status != 0)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("wallet.db").path))
    let help = try CLIRunner.run(["ledger", "--help"])
    #expect(!help.stdout.contains("test-worker"))
}

@Test func worldReadableSecretFilesAreFlagged() throws {
    // QA：0644 的口令文件被静默接受。照样可用（不打断脚本），但 stderr 明确提醒 chmod 600。
    let (home, _) = try LedgerCLIFixture.home()
    let loose = home.appendingPathComponent("loose.txt").path
    FileManager.default.createFile(atPath: loose, contents: Data("test-passphrase\n".utf8), attributes: [.posixPermissions: 0o644])
    let r = try CLIRunner.run(["withdraw", "allowlist-add", "0x5555555555555555555555555555555555555555", "--home", home.path,
                               "--operator", "alice", "--operator-passphrase-file", loose, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("chmod 600") && r.stderr.contains("644"))
    let tight = home.appendingPathComponent("pw.txt").path   // 0600
    let q = try CLIRunner.run(["withdraw", "allowlist-add", "0x6666666666666666666666666666666666666666", "--home", home.path,
                               "--operator", "alice", "--operator-passphrase-file", tight])
    #expect(q.status == 0 && !q.stderr.contains("chmod"), "\(q.stderr)")
}

@Test func badInputErrorsInEnglishHaveNoChinese() throws {
    // QA 第二轮：--lang en 下 ledger.invalid_argument 的说明仍是中文。
    let (home, pw) = try LedgerCLIFixture.home()
    let h = ["--home", home.path, "--lang", "en"]
    let admin = ["--operator", "admin", "--operator-passphrase-file", pw]
    let cases: [[String]] = [
        ["operator", "add", "--name", "bob ", "--role", "viewer", "--passphrase-file", pw] + admin,
        ["deposit", "list", "--state", "bogus"],
        ["withdraw", "request", "--user", "u1"] + admin,
        ["withdraw", "reject", "1", "--reason", "  "] + admin,
    ]
    for c in cases {
        let r = try CLIRunner.run(c + h)
        #expect(r.status == 2, "\(c): \(r.stderr)")
        #expect(!r.stderr.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(c) 输出了中文：\(r.stderr)")
    }
}

/// 能写数据库的人改写审计历史（issue 11）：删掉尾部并改好库内链头、改一条后把整条链重算、调换两条、删掉库外的锚——
/// 每一种 `audit verify` 都退出 1 并点名第一条坏记录。旧代码（只有库内的哈希链与链头）对前两种报告「完整」。
@Test(.enabled(if: LedgerCLIFixture.sqlite3 != nil, "需要 sqlite3 命令行来篡改数据库"))
func auditTrailSurvivesADatabaseWriter() throws {
    func fresh() throws -> ([String], URL, URL) {
        let (home, pw) = try LedgerCLIFixture.home(steps: 5)
        let h = ["--home", home.path]
        // 经产品路径再写两条（推进库外的锚到链头）。
        for n in ["dave", "erin"] {
            let r = try CLIRunner.run(["operator", "add", "--name", n, "--role", "viewer", "--passphrase-file", pw,
                                       "--operator", "admin", "--operator-passphrase-file", pw] + h)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try CLIRunner.run(["audit", "verify"] + h).status == 0)
        return (h, home.appendingPathComponent("wallet.db"), home)
    }
    func verify(_ h: [String]) throws -> (Int32, Int?, String) {
        let r = try CLIRunner.run(["audit", "verify", "--json", "--lang", "en"] + h)
        let o = r.json as? [String: Any]
        return (r.status, o?["firstBad"] as? Int, o?["reason"] as? String ?? r.stderr)
    }
    let head = "UPDATE settings SET value = (SELECT id || ':' || hash FROM audit_log ORDER BY id DESC LIMIT 1) WHERE key = 'audit.head'"

    // 1. 删掉最后两条，并把库内链头改成剩下的最后一条。
    var (h, db, _) = try fresh()
    try LedgerCLIFixture.sql(db, "DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 2 FROM audit_log); " + head)
    var v = try verify(h)
    #expect(v.0 == 1 && v.2.contains("tail"), "\(v)")
    #expect(v.2.contains("restored from a backup"), "另一种原因：库与 home 没有一起恢复：\(v)")

    // 2. 改一条（把 dave 的角色写成 admin），再从那条起把整条哈希链重算（与程序同一算法），链头也改好。
    (h, db, _) = try fresh()
    let recompute = """
    import sqlite3, hashlib, sys
    c = sqlite3.connect(sys.argv[1])
    rows = c.execute("SELECT id, ts, operator, action, subject, details FROM audit_log ORDER BY id").fetchall()
    prev = "0" * 64
    for (i, ts, op, action, subject, details) in rows:
        if action == "operator.add" and subject == "dave":
            details = details.replace("viewer", "admin")
        buf = b""
        for f in [prev, str(ts), op, action, subject, details]:
            b = f.encode()
            buf += str(len(b)).encode() + b":" + b
        hsh = hashlib.sha256(buf).hexdigest()
        c.execute("UPDATE audit_log SET details = ?, prev_hash = ?, hash = ? WHERE id = ?", (details, prev, hsh, i))
        prev = hsh
    c.commit()
    """
    let script = CLIRunner.write(recompute, to: CLIRunner.tempDir("recompute"), "r.py")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script, db.path]
    try p.run(); p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    try LedgerCLIFixture.sql(db, head)
    v = try verify(h)
    #expect(v.0 == 1 && v.2.contains("MAC"), "\(v)")

    // 3. 调换两条记录的内容。
    (h, db, _) = try fresh()
    try LedgerCLIFixture.sql(db, """
        UPDATE audit_log SET id = -1 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = 4; UPDATE audit_log SET id = 4 WHERE id = -1;
        """)
    v = try verify(h)
    #expect(v.0 == 1 && v.1 == 3, "\(v)")

    // 4. 删掉库外的锚。
    var home: URL
    (h, db, home) = try fresh()
    try FileManager.default.removeItem(at: home.appendingPathComponent("keystore/audit.anchor"))
    v = try verify(h)
    #expect(v.0 == 1 && v.2.contains("anchor"), "\(v)")
}
