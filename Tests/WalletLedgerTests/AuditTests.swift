import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

func auditEnv(records: Int) throws -> (Ledger, any SQLDatabase) {
    let env = try Fixture.env()
    for i in 0..<records { try env.ledger.setSetting("k\(i)", "v\(i)") }
    return (env.ledger, (env.ledger.store as! any SQLBackedStore).sqlDatabase)
}

@Test func auditChainVerifiesAndDetectsEdits() throws {
    let (l, db) = try auditEnv(records: 5)
    let v = try l.verifyAudit()
    #expect(try v.ok && v.firstBad == nil && v.records == l.auditCount())
    try db.execute("UPDATE audit_log SET details = '{\"value\":\"evil\"}' WHERE id = 7")
    let bad = try l.verifyAudit()
    #expect(!bad.ok && bad.firstBad == 7)
}

@Test func auditChainDetectsDeletion() throws {
    let (l, db) = try auditEnv(records: 5)
    try db.execute("DELETE FROM audit_log WHERE id = 4")
    #expect(try l.verifyAudit().firstBad == 5)
}

@Test func auditChainDetectsReorder() throws {
    let (l, db) = try auditEnv(records: 5)
    // 交换两条记录的内容（含各自 hash），id 顺序被打乱。
    let rows = try db.query("SELECT * FROM audit_log WHERE id IN (5, 6) ORDER BY id")
    for (target, src) in [(5, rows[1]), (6, rows[0])] {
        try db.execute("UPDATE audit_log SET ts = ?, operator = ?, action = ?, subject = ?, details = ?, prev_hash = ?, hash = ? WHERE id = ?",
                       [src.int("ts"), src.text("operator"), src.text("action"), src.text("subject"), src.text("details"),
                        src.text("prev_hash"), src.text("hash"), target])
    }
    #expect(try l.verifyAudit().firstBad == 5)
}

@Test func auditChainDetectsTailDeletion() throws {
    let (l, db) = try auditEnv(records: 3)
    let n = try l.auditCount()
    try db.execute("DELETE FROM audit_log WHERE id = ?", [n])
    let v = try l.verifyAudit()
    #expect(!v.ok && v.firstBad == Int64(n))
}

/// issue 14：审计里的 CLI 孪生命令按 shell 词转义——恶意的拒绝原因/请求号/用户 ID 重放时不会变成第二条命令。
/// 每条孪生命令：bash -n 语法检查通过；按 bash 分词后恰好是预期的参数；命令替换与分号不会被执行。
@Test func cliTwinsAreShellQuotedAgainstHostileInput() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(10))
    let marker = NSTemporaryDirectory() + "/pwned-\(UUID().uuidString)"
    let hostile = ["user's; rm -rf $HOME", "$(touch \(marker))", "`touch \(marker)`", "a\nb; touch \(marker)", "'\"\\ $X *", ""]
    var twins: [(String, [String])] = []
    for (i, h) in hostile.enumerated() where !h.isEmpty {
        let w = try l.requestWithdrawal(req("r-\(i)-\(h)", "0.001"), by: env.carol)
        _ = try l.reject(withdrawalID: w.id, reason: "地址可疑 " + h, by: env.alice)
        twins.append((try #require(try l.audits(AuditFilter(action: "withdraw.reject"), page: Page(limit: 1)).first).details,
                      ["withdraw", "reject", String(w.id), "--reason", "地址可疑 " + h, "--operator", "alice"]))
        twins.append((try #require(try l.audits(AuditFilter(action: "withdraw.request"), page: Page(limit: 1)).first).details,
                      ["withdraw", "request", "--request-id", "r-\(i)-\(h)", "--user", "u1", "--asset", "ETH", "--amount", "0.001",
                       "--to", Fixture.destinations[0], "--operator", "carol"]))
    }
    for (details, expected) in twins {
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])
        let cli = try #require(obj["cli"] as? String)
        func bash(_ args: [String]) throws -> (Int32, Data) {
            let p = Process(); p.executableURL = URL(fileURLWithPath: "/bin/bash"); p.arguments = args
            let out = Pipe(); p.standardOutput = out; p.standardError = FileHandle.nullDevice
            try p.run(); let d = out.fileHandleForReading.readDataToEndOfFile(); p.waitUntilExit()
            return (p.terminationStatus, d)
        }
        #expect(try bash(["-n", "-c", cli]).0 == 0, "语法：\(cli)")
        let (st, out) = try bash(["-c", "printf '%s\\0' " + cli])
        #expect(st == 0)
        let words = out.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        #expect(words == expected, "分词：\(cli)")
    }
    #expect(!FileManager.default.fileExists(atPath: marker), "重放孪生命令时执行了注入的命令")
}

/// 规范形式一经发布就不能改（已有的库要能继续 audit verify）。期望值由独立的 Python 按文档的编码算出：
/// sha256(Σ 「UTF-8 字节数:字段」)，字段顺序 prev、ts、operator、action、subject、details；details 键按 UTF-8 字节序、最小转义。
/// 改热路径（预分配缓冲、免分配的排序）时它守住输出逐字节不变。
@Test func auditHashIsTheDocumentedCanonicalForm() throws {
    let det = AuditChain.details(["金额": "1.5", "amount": "2", "Z": "x\"y"])
    #expect(det == #"{"Z":"x\"y","amount":"2","金额":"1.5"}"#)
    let h = AuditChain.hash(prev: AuditChain.genesis, ts: 1_700_000_000, operatorName: "alice", action: "deposit.credit", subject: "42", details: det)
    #expect(h == "bdbabc8b30de2ceb9a868f402eaca51720e43363a18b7a56e47c8275c80ea9ce")
}
