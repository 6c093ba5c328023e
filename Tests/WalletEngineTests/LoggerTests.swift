// 日志：JSON Lines、机密按类型与键名脱敏、控制字符转义、文件 0600 与轮转。
import Logging
import Foundation
import Testing
import WalletCrypto
@testable import WalletEngine

@Test func logLinesAreJSONAndSecretsRedacted() throws {
    let sink = MemoryLogSink()
    let log = Logger.engine(sink: sink, level: .debug, component: "test")
    let secret = SecretBytes(Array("correct horse battery staple".utf8))
    log.info("unseal.attempt", ["operator": "alice", "passphrase": .of(secret), "amount": .amount(UInt256.max), "ok": true])
    // 有人把机密当普通字符串、放在敏感键名下传进来：键名兜底仍然脱敏。
    log.warn("oops", ["mnemonicWords": .string("abandon abandon about"), "privateKey": .string("deadbeef"), "pin": "1234"])
    let lines = sink.lines
    #expect(lines.count == 2)
    for l in lines {
        let obj = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
        #expect(obj["ts"] is String)
        #expect(obj["component"] as? String == "test")
        #expect(!l.contains("correct horse"))
        #expect(!l.contains("abandon"))
        #expect(!l.contains("deadbeef"))
        #expect(!l.contains("1234"))
    }
    let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
    #expect(first["passphrase"] as? String == "<redacted>")
    #expect(first["amount"] as? String == UInt256.max.decimalString)   // 金额是字符串，不经 Double
    #expect(first["ok"] as? Bool == true)
}

@Test func secretValueUnderInnocentKeyIsStillRedacted() throws {
    let sink = MemoryLogSink()
    let s = SecretBytes(Array("hunter2hunter2".utf8))
    Logger.engine(sink: sink).info("x", ["blob": .of(s)])
    #expect(!sink.lines[0].contains("hunter2"))
    #expect(sink.lines[0].contains("\"blob\":\"<redacted>\""))
}

@Test func logInjectionIsEscaped() throws {
    let sink = MemoryLogSink()
    let log = Logger.engine(sink: sink)
    log.info("x", ["reason": .string("bad\n{\"level\":\"error\"}\u{1b}[2J\u{2028}")])
    #expect(sink.lines.count == 1)
    #expect(!sink.lines[0].contains("\n"))
    #expect(!sink.lines[0].contains("\u{1b}"))
    let obj = try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as! [String: Any]
    #expect((obj["reason"] as? String)?.hasPrefix("bad\n") == true)
}

@Test func logLevelFilters() {
    let sink = MemoryLogSink()
    let log = Logger.engine(sink: sink, level: .warn)
    log.debug("a"); log.info("b"); log.warn("c"); log.error("d")
    #expect(sink.lines.count == 2)
}

@Test func fileSinkIsPrivateAndRotates() throws {
    let dir = NSTemporaryDirectory() + "/wc-log-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/logs/engine.log"
    let sink = try FileLogSink(path: path, maxBytes: 64 * 1024)
    let log = Logger.engine(sink: sink)
    for i in 0..<2000 { log.info("tick", ["i": .int(Int64(i)), "pad": .string(String(repeating: "x", count: 40))]) }
    sink.sync()
    let attrs = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    #expect(FileManager.default.fileExists(atPath: path + ".1"))
    let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
    #expect(size <= 64 * 1024)
    // 每一行都是完整 JSON（轮转不会切断行）。
    let text = try String(contentsOfFile: path, encoding: .utf8)
    for l in text.split(separator: "\n") { _ = try JSONSerialization.jsonObject(with: Data(l.utf8)) }
    #expect(sink.droppedLines == 0)
}
