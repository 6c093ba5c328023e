// KMS 服务：在真实的独立进程（wallet-console kms serve）里运行，经 Unix 套接字调用。
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WalletCrypto
@testable import WalletKeystore

enum Binary {
    /// .build/<config>/wallet-console（swift test 会先构建全部产品）。
    static var path: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let c = dir.appendingPathComponent("wallet-console").path
            if FileManager.default.isExecutableFile(atPath: c) { return c }
            dir = dir.deletingLastPathComponent()
        }
        return ".build/debug/wallet-console"
    }
}

final class KMSProcess {
    let process = Process()
    let home: String
    let socket: String
    init(rate: Int = 200, burst: Int = 200) throws {
        home = Fixture.tempDir("kms").path
        socket = home + "/kms.sock"
        let pf = home + "/kmspass"
        FileManager.default.createFile(atPath: pf, contents: Data("kms-pass-1234\n".utf8), attributes: [.posixPermissions: 0o600])
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["kms", "serve", "--home", home, "--unseal-passphrase-file", pf, "--scrypt-log-n", "10",
                             "--rate", "\(rate)", "--burst", "\(burst)"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // 等到真能连上（不只是套接字文件出现：bind 与 listen 之间连接会被拒绝）；满载的 CI 上启动（建 keystore、解封）可能要好几秒，
        // 以前只等 4 秒、偶发 Connection refused。连接探测不发请求，不占限流令牌。
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning && !Self.accepts(socket) { Thread.sleep(forTimeInterval: 0.02) }
    }
    static func accepts(_ path: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
    func stop() { process.terminate(); process.waitUntilExit() }
}

@Test func kmsDataKeysInSeparateProcess() throws {
    let kms = try KMSProcess()
    defer { kms.stop() }
    #expect(kms.process.processIdentifier != getpid())
    // 套接字 0600
    let mode = (try FileManager.default.attributesOfItem(atPath: kms.socket)[.posixPermissions] as! NSNumber).intValue
    #expect(mode == 0o600)
    let c = KMSClient(socketPath: kms.socket)
    #expect(try c.ping() >= 0)
    let kid = try c.createKey(spec: KMSServer.symmetricSpec, label: "db-master")
    let (pt, blob) = try c.generateDataKey(keyId: kid, context: "ledger")
    #expect(pt.count == 32)
    #expect(try c.decrypt(ciphertextBlob: blob, context: "ledger") == pt)
    // 上下文不符 / 密文被改 → 拒绝
    #expect(throws: KMSError.self) { _ = try c.decrypt(ciphertextBlob: blob, context: "other") }
    var bad = blob; bad[bad.count - 1] ^= 1
    #expect(throws: KMSError.self) { _ = try c.decrypt(ciphertextBlob: bad, context: "ledger") }
    #expect(throws: KMSError.self) { _ = try c.generateDataKey(keyId: "key-doesnotexist") }
    // 主密钥在 KMS 进程的 keystore 里是加密的（tier = kms）
    let ks = try Keystore.open(home: kms.home + "/kms", options: fastOptions)
    #expect(try ks.list().first?.tier == .kms)
    // 审计
    let audit = try String(contentsOfFile: kms.home + "/kms/keystore/kms-audit.log", encoding: .utf8)
    #expect(audit.contains("kms.GenerateDataKey") && audit.contains("kms.Decrypt") && audit.contains("\"uid\""))
    #expect(!audit.contains(pt.unsafeArray().hex))
    // 服务停止 → 客户端得到清楚的 unreachable
    kms.stop()
    do { _ = try c.ping(); Issue.record("应不可达") } catch let e as KMSError { #expect(e.code == "kms.unreachable") }
}

@Test func kmsRateLimited() throws {
    let kms = try KMSProcess(rate: 1, burst: 5)
    defer { kms.stop() }
    let c = KMSClient(socketPath: kms.socket)
    var limited = 0
    for _ in 0..<12 {
        do { _ = try c.ping() } catch let e as KMSError where e.code == "kms.rate_limited" { limited += 1 }
    }
    #expect(limited >= 6)
    let audit = try String(contentsOfFile: kms.home + "/kms/keystore/kms-audit.log", encoding: .utf8)
    #expect(audit.contains("rate_limited"))
}

@Test func kmsRejectsOtherUIDs() throws {
    let home = Fixture.tempDir("kmsuid").path
    let ks = try Keystore.initialize(home: home, passphrase: pass("kms-uid-pass"), options: fastOptions)
    let server = KMSServer(keystore: ks, config: .init(socketPath: home + "/s.sock", allowedUIDs: [UInt32(getuid()) &+ 4242]))
    try server.bind()
    let t = Thread { server.serve() }
    t.start()
    defer { server.stop() }
    let c = KMSClient(socketPath: home + "/s.sock")
    do { _ = try c.ping(); Issue.record("应被拒绝") } catch let e as KMSError { #expect(e.code == "kms.forbidden") }
    #expect(server.audit.entries().contains { $0["result"] as? String == "forbidden" })
}

/// KMS 回复里的明文数据密钥在原始字节里就被取出并抹掉：交给 JSON 解析器（会生成无法清零的字符串）的那一行里已经没有它。
@Test func kmsPlaintextNeverReachesTheJSONParser() throws {
    var line = Array(#"{"ciphertextBlob":"aabb","plaintext":"00ff10Ab"}"#.utf8)
    let p = try #require(KMSClient.extractHexField("plaintext", from: &line))
    #expect(p.unsafeArray() == [0x00, 0xff, 0x10, 0xab])
    #expect(String(decoding: line, as: UTF8.self) == #"{"ciphertextBlob":"aabb","plaintext":"00000000"}"#)
    #expect((try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])?["ciphertextBlob"] as? String == "aabb")
    var odd = Array(#"{"plaintext":"abc"}"#.utf8)
    #expect(KMSClient.extractHexField("plaintext", from: &odd) == nil)
    var missing = Array(#"{"x":"00"}"#.utf8)
    #expect(KMSClient.extractHexField("plaintext", from: &missing) == nil)
}
