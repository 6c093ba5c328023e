// 真实 SoftHSM2 令牌（PKCS#11）：令牌在临时目录里由测试初始化（softhsm2-util 与我们自己的 C_InitToken 各一次）。
import Foundation
import Testing
import WalletCrypto
@testable import WalletKeystore

enum SoftHSMEnv {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    /// 进程内只配置一次（SoftHSM 在 C_Initialize 时读配置）。
    static let dir: String = {
        let d = Fixture.tempDir("softhsm").path
        try! FileManager.default.createDirectory(atPath: d + "/tokens", withIntermediateDirectories: true)
        let conf = d + "/softhsm2.conf"
        try! "directories.tokendir = \(d)/tokens\nobjectstore.backend = file\nlog.level = ERROR\n".write(toFile: conf, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", conf, 1)
        // 第一个令牌用官方工具初始化（与运维手册一致）
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        p.arguments = ["--init-token", "--free", "--label", "wallet", "--pin", "1234", "--so-pin", "5678"]
        p.environment = ["SOFTHSM2_CONF": conf]
        p.standardOutput = FileHandle.nullDevice
        try! p.run(); p.waitUntilExit()
        return d
    }()

    /// 新初始化一个令牌（用户 PIN 1234），返回槽位。
    static func freshToken(_ m: PKCS11Module) throws -> UInt {
        try m.initToken(label: "t" + (try SecureRandom.bytes(4)).hex, soPin: SecretBytes(Array("5678".utf8)), userPin: SecretBytes(Array("1234".utf8)))
    }
}

@Suite(.serialized) struct SoftHSMTests {
    init() { _ = SoftHSMEnv.dir }

    @Test func generateSignNormalize() throws {
        let m = try PKCS11Module.load(SoftHSMEnv.module)
        let slot = try m.slot(forToken: "wallet")
        let s = try PKCS11Session(module: m, slot: slot)
        try s.login(pass("1234"))
        let id = try SecureRandom.bytes(8)
        let pub = try s.generateSecp256k1(label: "hot-1", id: id)
        #expect(pub.count == 65 && pub[0] == 0x04)
        #expect(try s.publicKey(id: id) == pub)
        let flags = try s.privateKeyFlags(id: id)
        #expect(flags.sensitive && !flags.extractable && flags.neverExtractable)
        var highS = 0
        for i in 0..<12 {
            let digest = Hash.sha256(Array("msg \(i)".utf8))
            let sig = try s.signDigest(digest, id: id)
            #expect(sig.count == 64)
            if !ECDSANormalize.isLowS(Array(sig[32...])) { highS += 1 }
            let (low, flipped) = try ECDSANormalize.lowS(Array(sig[32...]))
            #expect(ECDSANormalize.isLowS(low))
            #expect(flipped == !ECDSANormalize.isLowS(Array(sig[32...])))
            if flipped { #expect((try UInt256(bigEndian: low)) + (try UInt256(bigEndian: Array(sig[32...]))) == ECDSANormalize.order) }
        }
        // 12 次签名全为 low-S 的概率 2^-12：HSM 确实不做规范化
        #expect(highS > 0)
    }

    @Test func wrongPinAndMissingToken() throws {
        let m = try PKCS11Module.load(SoftHSMEnv.module)
        // 独立的新令牌：PKCS#11 的登录状态按令牌在整个进程内共享，别的测试登录过 "wallet" 时错误 PIN 不会再被检查。
        let s = try PKCS11Session(module: m, slot: try SoftHSMEnv.freshToken(m))
        #expect(throws: HSMError.wrongPin) { try s.login(pass("0000")) }
        #expect(throws: HSMError.tokenNotFound("nope")) { _ = try m.slot(forToken: "nope") }
        #expect(throws: HSMError.self) { _ = try PKCS11Module.load("/nonexistent/libpkcs11.so") }
    }

    @Test func initTokenViaPKCS11() throws {
        let m = try PKCS11Module.load(SoftHSMEnv.module)
        let label = "t" + (try SecureRandom.bytes(4)).hex
        let slot = try m.initToken(label: label, soPin: pass("so-pin-1"), userPin: pass("user-pin-1"))
        let s = try PKCS11Session(module: m, slot: slot)
        try s.login(pass("user-pin-1"))
        let id = try SecureRandom.bytes(8)
        _ = try s.generateSecp256k1(label: "k", id: id)
        #expect(try s.signDigest([UInt8](repeating: 7, count: 32), id: id).count == 64)
        #expect(try m.tokens().contains { $0.label == label && $0.initialized })
        // 设备端关闭会话后，旧会话上的调用报告 sessionLost（签名器据此重连）
        s.closeOnDevice()
        #expect(throws: HSMError.sessionLost) { _ = try s.signDigest([UInt8](repeating: 7, count: 32), id: id) }
    }
}
