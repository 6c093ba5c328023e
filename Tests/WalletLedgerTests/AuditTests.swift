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

/// 测试用的库外锚：同一把 MAC 密钥（两台主机的 home 是同一份拷贝），各自一个锚（各自的 home）。
final class MemorySealer: AuditSealer, @unchecked Sendable {
    let key: [UInt8]
    var stored: (id: Int64, hash: String)?
    init(key: [UInt8]) { self.key = key }
    func mac(hash: String) -> String { Hex.encode(Hash.hmacSHA256(key: key, data: Array("wallet-console/audit/v1".utf8) + Array(hash.utf8))) }
    func anchor() throws -> (id: Int64, hash: String, authentic: Bool)? { stored.map { ($0.id, $0.hash, true) } }
    func advance(id: Int64, hash: String) throws { if id > (stored?.id ?? 0) { stored = (id, hash) } }
}

/// QA 发现：多引擎时每台主机的锚只跟自己写的记录走。B 写、A 的锚不动，在 A 上删掉尾部 `audit verify` 照样通过。
/// 现在：没写审计的引擎也每隔几秒把锚跟到主链链头——但只沿着完好的链前进；接不上就不推、告警。
@Test func anchorsFollowRecordsWrittenByAnotherEngineButNeverATamperedChain() throws {
    let env = try Fixture.env()
    let key = Array(repeating: UInt8(7), count: 32)
    let a = env.ledger
    a.sealer = MemorySealer(key: key)
    a.anchorFollowInterval = 0
    try a.setSetting("k0", "v0")
    a.anchorAudit()
    let b = Ledger(store: try Fixture.reopen(env.path), clock: env.clock.clock, deriver: HashDeriver())
    b.sealer = MemorySealer(key: key)
    for i in 1...3 { try b.setSetting("k\(i)", "v\(i)") }
    b.anchorAudit()
    a.anchorAudit()   // A 没写，也跟到 B 写下的链头
    let head = try #require(try a.store.lastAuditHead(chain: 0))
    #expect((a.sealer as! MemorySealer).stored?.id == head.seq)

    // 只能写库的人删掉最后一条并改好链头：A 的锚已在那条上 → A 上的校验发现。
    let db = (a.store as! any SQLBackedStore).sqlDatabase
    let prev = try #require(try a.store.audits(chain: 0, afterSeq: head.seq - 2, limit: 1).first)
    try db.execute("DELETE FROM audit_log WHERE chain = 0 AND seq = ?", [head.seq])
    try db.execute("UPDATE settings SET value = ? WHERE key = 'audit.head'", ["\(prev.seq):\(prev.hash)"])
    #expect(try !a.verifyAudit().ok)

    // 篡改之后 B 又写了（新的链头接在改过的链上）：A 不把锚推过去，告警一次。
    try b.setSetting("k9", "v9")
    a.anchorAudit()
    #expect((a.sealer as! MemorySealer).stored?.id == head.seq)
    #expect(try a.alerts(page: Page(limit: 10)).contains { $0.kind == "audit.tampered" })
}
