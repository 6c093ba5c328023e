// 管理员法定人数（issue 11，职责分离）：有了第二位管理员之后，一个管理员的「新增资产 / 新增操作员 / …」只是提议
// （退出码 3，什么都没改），提议人不能自己批准，另一位管理员批准后才执行；驳回则永不生效。
// 提议里不存新操作员的口令（只存 scrypt 验证数据）。引导期（只有一位管理员）直接生效，否则第二位管理员加不进来。
import Foundation
import Testing

/// 演示链上的新 home（唯一的管理员 root）+ 一份 policy.json（规则 v1：两人审批），下一条命令打开 home 时登记它。
func initWithPolicyV1(_ t: CLIHome) throws {
    let initR = try CLIRunner.run(["init", "--chain-id", "1337", "--demo", "--unseal-passphrase-file", t.unseal,
                                   "--admin", "root", "--admin-passphrase-file", t.pw, "--scrypt-log-n", "12"] + t.h)
    #expect(initR.status == 0, "\(initR.stderr)")
    try #"{"rules": [{"name": "v1", "asset": "*", "action": "allow", "approvals": 2}]}"#
        .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
}

@Test func adminActionsNeedASecondAdmin() throws {
    let t = CLIHome("quorum")
    let h = t.h
    func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + h) }
    try initWithPolicyV1(t)
    // 引导期：唯一的管理员直接加第二位管理员（和一个观察员）。
    #expect(try run(["operator", "add", "--name", "bob", "--role", "admin", "--passphrase-file", t.pw] + t.op("root")).status == 0)
    // 从现在起：提议。
    let add = try run(["asset", "add", "--symbol", "DAI", "--contract", "0x6b175474e89094c44da98b954eedeac495271d0f", "--decimals", "18",
                       "--confirmations", "3", "--json"] + t.op("root"))
    #expect(add.status == 3, "\(add.status) \(add.stderr)")
    let pid = try #require(((add.json as? [String: Any])?["proposal"] as? [String: Any])?["id"] as? Int)
    let assets = { try run(["asset", "list", "--json"]).stdout }
    #expect(!(try assets()).contains("DAI"), "提议不应生效")
    let selfApprove = try run(["admin", "approve", String(pid)] + t.op("root"))
    #expect(selfApprove.status == 2 && selfApprove.stderr.contains("admin.self_approval"), "\(selfApprove.stderr)")
    #expect(!(try assets()).contains("DAI"))
    let ok = try run(["admin", "approve", String(pid), "--json"] + t.op("bob"))
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(try assets().contains("DAI"))
    let again = try run(["admin", "approve", String(pid)] + t.op("bob"))
    #expect(again.status == 2 && again.stderr.contains("admin.proposal_decided"), "\(again.stderr)")

    // 新增管理员的提议被驳回：永不生效；提议里没有口令本身。
    let secret = CLIRunner.write("mallory-secret-passphrase\n", to: t.dir, "mallory.txt")
    let m = try run(["operator", "add", "--name", "mallory", "--role", "admin", "--passphrase-file", secret, "--json"] + t.op("bob"))
    #expect(m.status == 3, "\(m.stderr)")
    let mid = try #require(((m.json as? [String: Any])?["proposal"] as? [String: Any])?["id"] as? Int)
    let dump = Process()
    dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    dump.arguments = ["sqlite3", t.home + "/wallet.db", ".dump"]
    let out = Pipe(); dump.standardOutput = out
    try dump.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    dump.waitUntilExit()
    #expect(text.contains("mallory") && !text.contains("mallory-secret-passphrase"))
    #expect(try run(["admin", "reject", String(mid), "--reason", "未经安全评审"] + t.op("root")).status == 0)
    #expect(try run(["operator", "list", "--json"]).stdout.contains("mallory") == false)
    let props = try run(["admin", "proposals", "--all", "--json"])
    let states = (props.json as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
    #expect(states.sorted() == ["executed", "rejected"], "\(props.stdout)")   // 此时还没有策略提议
    // 手改 policy.json 不生效：引擎继续用登记过的那份，status 报 pendingApproval；apply 是提议，另一位管理员批准后才生效。
    func rules() throws -> ([String], Bool) {
        let st = try #require(try run(["status", "--json"]).json as? [String: Any])
        let ap = try #require((st["settings"] as? [String: Any])?["approvalPolicy"] as? [String: Any])
        return ((ap["rules"] as? [String]) ?? [], (ap["pendingApproval"] as? Bool) ?? false)
    }
    #expect(try rules().0 == ["v1"] && !(try rules().1), "第一份 policy.json 在首次打开时登记")
    try #"{"rules": [{"name": "v2-no-limits", "asset": "*", "action": "allow", "approvals": 1}]}"#
        .write(toFile: t.home + "/policy.json", atomically: true, encoding: .utf8)
    #expect(try rules() == (["v1"], true), "手改的策略不能直接生效")
    let ap = try run(["policy", "apply", "--json"] + t.op("root"))
    #expect(ap.status == 3, "\(ap.stderr)")
    let ppid = String((((ap.json as? [String: Any])?["proposal"] as? [String: Any])?["id"] as? Int) ?? -1)
    #expect(try rules() == (["v1"], true))
    #expect(try run(["admin", "approve", ppid] + t.op("bob")).status == 0)
    #expect(try rules() == (["v2-no-limits"], false))
    #expect(try run(["audit", "list", "--action", "policy.set", "--json"]).stdout.contains("v2-no-limits"))

    // 审计：谁提议、谁批准、谁驳回都在链上。
    let audit = try run(["audit", "list", "--json"]).stdout
    for action in ["admin.propose", "admin.approve", "admin.reject", "asset.add"] { #expect(audit.contains(action), "\(action)") }
    #expect(try run(["audit", "verify"]).status == 0)
}

/// 手写了一个坏的 policy.json（还没 apply）：不能让 home 上的每个命令都失败（值班的 status 也看不了）；
/// status 照常、policy status 报待批准，policy apply 才指出哪里坏且什么都不改。（QA 发现）
@Test func aBrokenDraftPolicyDoesNotBlindStatus() throws {
    let (home, pass) = try EngineCLI.demoHome()
    let admin = URL(fileURLWithPath: home).deletingLastPathComponent().appendingPathComponent("admin.txt").path
    try #"{"bogus": 1}"#.write(toFile: home + "/policy.json", atomically: true, encoding: .utf8)
    let st = try CLIRunner.run(["status", "--home", home, "--json"])
    #expect(st.status == 0 || st.status == 1, "\(st.stderr)")
    #expect(!st.stderr.contains("policy.invalid"), "\(st.stderr)")
    let ps = try CLIRunner.run(["policy", "status", "--home", home, "--json"])
    #expect(ps.status == 0 && (ps.json as? [String: Any])?["pendingApproval"] as? Bool == true, "\(ps.stdout)\(ps.stderr)")
    let apply = try CLIRunner.run(["policy", "apply", "--home", home, "--operator", "root", "--operator-passphrase-file", admin])
    #expect(apply.status == 2 && apply.stderr.contains("policy.invalid"), "\(apply.stderr)")
    let again = try CLIRunner.run(["policy", "status", "--home", home, "--json"])
    #expect((again.json as? [String: Any])?["activeHash"] is NSNull || (again.json as? [String: Any])?["activeHash"] == nil, "\(again.stdout)")
    _ = pass
}

/// QA 发现：只能写库的人把 settings 里生效的策略改成「0 人审批、不要白名单」并配好哈希，下一条提现就照新规则直接发出，
/// audit verify 照样通过。现在：生效的策略必须有审计链上带库外 MAC 的 policy.set / policy.adopt 记录为证，否则一律拦下，status 报 policy.tampered。
@Test func aPolicyRewrittenInTheDatabaseIsNotObeyed() throws {
    let t = CLIHome("policy-tamper")
    let h = t.h
    func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args + h) }
    try initWithPolicyV1(t)
    func state() throws -> (rules: [String], problems: [String], status: Int32) {
        let r = try run(["status", "--json"])
        let st = try #require(r.json as? [String: Any])
        let ap = (st["settings"] as? [String: Any])?["approvalPolicy"] as? [String: Any]
        return ((ap?["rules"] as? [String]) ?? [], (st["problems"] as? [String]) ?? [], r.status)
    }
    let s0 = try state()
    #expect(s0.rules == ["v1"] && !s0.problems.contains("policy.tampered"), "\(s0)")

    let evil = #"{"allowlist": {"required": false}, "rules": [{"name": "free", "asset": "*", "action": "allow", "approvals": 0}]}"#
    let hash = try CLIRunner.run(["python3", "-c", "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())", evil],
                                 executable: URL(fileURLWithPath: "/usr/bin/env")).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    try LedgerCLIFixture.sql(URL(fileURLWithPath: t.home + "/wallet.db"),
                             "UPDATE settings SET value = '\(evil)' WHERE key = 'policy.approved_json'; UPDATE settings SET value = '\(hash)' WHERE key = 'policy.approved_hash'")
    let s1 = try state()
    #expect(s1.rules == ["policy-tampered-see-status"] && s1.problems.contains("policy.tampered") && s1.status == 1, "\(s1)")

    // 管理员核对后重新 apply（引导期只有一位管理员：直接生效）：恢复，status 健康。
    #expect(try run(["policy", "apply"] + t.op("root")).status == 0)
    let s2 = try state()
    #expect(s2.rules == ["v1"] && !s2.problems.contains("policy.tampered"), "\(s2)")
    #expect(try run(["audit", "verify"]).status == 0)
}
