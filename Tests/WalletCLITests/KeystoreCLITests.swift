// keystore / shamir 命令端到端：运行真实二进制，机密只经文件传入。
import Foundation
import Testing

@Suite struct KeystoreCLITests {
    @Test func initUnsealStatusListRotate() throws {
        let d = CLIRunner.tempDir("kscli")
        let home = d.appendingPathComponent("home").path
        let p = CLIRunner.write("cli-pass-123\n", to: d, "pass")
        let w = CLIRunner.write("wrong-pass-9\n", to: d, "wrong")
        var r = try CLIRunner.run(["keystore", "init", "--home", home, "--passphrase-file", p, "--scrypt-log-n", "10", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let id = (r.json as? [String: Any])?["keystoreId"] as? String
        #expect(id?.hasPrefix("ks-") == true)
        // 再 init 被拒绝
        r = try CLIRunner.run(["keystore", "init", "--home", home, "--passphrase-file", p, "--scrypt-log-n", "10"])
        #expect(r.status == 2 && r.stderr.contains("keystore.already_initialized"))
        r = try CLIRunner.run(["keystore", "status", "--home", home, "--json"])
        let st = r.json as? [String: Any]
        #expect(st?["sealed"] as? Bool == true && st?["mode"] as? String == "passphrase" && st?["kekVersion"] as? Int == 1)
        let tiers = (st?["tiers"] as? [[String: Any]]) ?? []
        #expect(tiers.map { $0["tier"] as? String } == ["hsm", "tee", "kms", "encrypted-db"])
        #expect(tiers.first { $0["tier"] as? String == "tee" }?["available"] as? Bool == false)
        r = try CLIRunner.run(["keystore", "unseal", "--home", home, "--unseal-passphrase-file", p, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLIRunner.run(["keystore", "unseal", "--home", home, "--unseal-passphrase-file", w, "--json"])
        #expect(r.status == 2 && r.stderr.contains("keystore.wrong_passphrase"))
        // 立刻重试被退避拒绝，且审计日志有记录
        r = try CLIRunner.run(["keystore", "unseal", "--home", home, "--unseal-passphrase-file", p])
        #expect(r.status == 2 && r.stderr.contains("keystore.backoff"))
        let audit = try String(contentsOfFile: home + "/keystore/audit.log", encoding: .utf8)
        #expect(audit.contains("\"result\":\"failed\"") && audit.contains("throttled"))
        Thread.sleep(forTimeInterval: 1.2)
        r = try CLIRunner.run(["keystore", "rotate-kek", "--home", home, "--unseal-passphrase-file", p, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.json as? [String: Any])?["kekVersion"] as? Int == 2)
        r = try CLIRunner.run(["keystore", "list", "--home", home, "--json"])
        #expect(r.status == 0 && (r.json as? [Any])?.isEmpty == true)
        // 口令从不出现在输出里
        #expect(!audit.contains("cli-pass-123"))
    }

    @Test func sharesInitAndUnseal() throws {
        let d = CLIRunner.tempDir("kscli")
        let home = d.appendingPathComponent("home").path
        var r = try CLIRunner.run(["keystore", "init", "--home", home, "--unseal-shares", "2-of-3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let shares = try #require((r.json as? [String: Any])?["shares"] as? [String])
        #expect(shares.count == 3)
        let f = CLIRunner.write(shares[2] + "\n" + shares[0] + "\n", to: d, "shares")
        r = try CLIRunner.run(["keystore", "unseal", "--home", home, "--shares-file", f, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.json as? [String: Any])?["threshold"] as? Int == 2)
        let one = CLIRunner.write(shares[1] + "\n", to: d, "one")
        r = try CLIRunner.run(["keystore", "unseal", "--home", home, "--shares-file", one])
        #expect(r.status == 2 && r.stderr.contains("shamir.too_few_shares"))
        r = try CLIRunner.run(["keystore", "init", "--home", home + "x", "--unseal-shares", "5-of-3"])
        #expect(r.status == 2)
    }

    @Test func shamirSplitCombineJSON() throws {
        let d = CLIRunner.tempDir("shcli")
        let s = CLIRunner.write("bb54aac4b89dc868ba37d9cc21b2cece\n", to: d, "secret")
        let pp = CLIRunner.write("TREZOR\n", to: d, "pp")
        var r = try CLIRunner.run(["shamir", "split", "--secret-file", s, "--group-threshold", "2", "--group", "2-of-3",
                                   "--group", "1-of-1", "--group", "3-of-5", "--passphrase-file", pp, "--iteration-exponent", "0", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let groups = try #require((r.json as? [String: Any])?["groups"] as? [[String]])
        #expect(groups.map(\.count) == [3, 1, 5])
        let f = CLIRunner.write([groups[0][1], groups[2][0], groups[0][2], groups[2][3], groups[2][4]].joined(separator: "\n"), to: d, "sh")
        r = try CLIRunner.run(["shamir", "combine", "--shares-file", f, "--passphrase-file", pp, "--json"])
        #expect((r.json as? [String: Any])?["masterSecret"] as? String == "bb54aac4b89dc868ba37d9cc21b2cece", "\(r.stderr)")
        // 官方向量 1（口令 TREZOR）
        let v = CLIRunner.write("duckling enlarge academic academic agency result length solution fridge kidney coal piece deal husband erode duke ajar critical decision keyboard\n", to: d, "v1")
        r = try CLIRunner.run(["shamir", "combine", "--shares-file", v, "--passphrase-file", pp, "--json"])
        #expect((r.json as? [String: Any])?["masterSecret"] as? String == "bb54aac4b89dc868ba37d9cc21b2cece")
        let bad = CLIRunner.write("duckling enlarge academic academic agency result length solution fridge kidney coal piece deal husband erode duke ajar critical decision kidney\n", to: d, "v2")
        r = try CLIRunner.run(["shamir", "combine", "--shares-file", bad, "--json"])
        #expect(r.status == 2 && r.stderr.contains("slip39.invalid_checksum"))
    }
}
