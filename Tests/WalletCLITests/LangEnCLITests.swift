// --lang en 绝不打印中文（issue 12）：驱动发布版二进制跑一组有代表性的失败与成功命令，stdout/stderr 都不许有中日韩文字或全角标点。
// ArgumentParser 的 --help 文字是静态的，不在此列。每条命令也核对退出码，确认真的走到了要测的那条路径。
import Foundation
import Testing
import WalletCrypto

@Suite(.serialized) struct LangEnCLITests {
    struct Case { let args: [String]; let status: Int32; var stdin: String? = nil }

    /// 检查一组命令；返回违规说明（空 = 通过）。
    static func violations(_ cases: [Case], bin: URL, lang: String = "en") throws -> [String] {
        var bad: [String] = []
        for c in cases {
            let r = try CLIRunner.run(c.args + ["--lang", lang], stdin: c.stdin, executable: bin)
            let cmd = c.args.prefix(3).joined(separator: " ")
            if r.crashed { bad.append("\(cmd): 崩溃"); continue }
            if r.status != c.status { bad.append("\(cmd): 退出码 \(r.status)，应为 \(c.status)：\(r.stderr.prefix(300))") }
            for line in (r.stdout + "\n" + r.stderr).split(separator: "\n") where BilingualText.hasCJK(String(line)) {
                bad.append("\(cmd): \(line.prefix(200))")
            }
        }
        return bad
    }

    @Test func offlineCommandsSpeakEnglish() throws {
        let bin = try CLIRunner.releaseBinary()
        let d = CLIRunner.tempDir("en")
        let w = { (text: String, name: String) in CLIRunner.write(text, to: d, name) }
        let badMnemonic = w("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon zoo\n", "m.txt")
        let garbage = w("not-a-key\n", "garbage.txt")
        let oddHex = w("0xabc\n", "odd.hex")
        let badJSON = w("{\"chainId\": 1, \"nonce\": \"x\"}", "tx.json")
        let secret = w("00112233445566778899aabbccddeeff\n", "secret.hex")
        let badShares = w("academic acid acrobat romp\n", "shares.txt")
        let badPolicy = w(#"{"rules": [{"name": "a", "action": "maybe"}], "extra": 1}"#, "bad-policy.json")
        let dupPolicy = w(#"{"rules": [{"name": "a"}, {"name": "a"}]}"#, "dup-policy.json")
        let goodPolicy = w(#"{"rules": [{"name": "small", "maxAmount": "1", "approvals": 1}, {"name": "rest", "approvals": 2}]}"#, "policy.json")
        let v3 = w(#"{"version": 2}"#, "v3.json")
        let pw = w("password-123\n", "pw.txt")
        let missingHome = d.appendingPathComponent("no-such-home").path
        let cases: [Case] = [
            Case(args: ["key", "new", "--words", "13"], status: 2),
            Case(args: ["key", "new", "--words", "12", "--json"], status: 0),
            Case(args: ["key", "derive", "--mnemonic-file", badMnemonic, "--path", "m/44'/60'/0'/0/0"], status: 2),
            Case(args: ["key", "derive", "--mnemonic-file", d.appendingPathComponent("missing.txt").path, "--path", "m/0"], status: 2),
            Case(args: ["key", "inspect", "--xkey-file", garbage], status: 2),
            Case(args: ["key", "xpub-derive", "--xpub-file", garbage, "--path", "0"], status: 2),
            Case(args: ["tx", "decode", "--raw-file", oddHex], status: 2),
            Case(args: ["tx", "sign", "--key-file", secret, "--tx-file", badJSON], status: 2),
            Case(args: ["shamir", "split", "--secret-file", secret, "--group", "1-of-3"], status: 2),
            Case(args: ["shamir", "split", "--secret-file", secret, "--group", "2-of-3", "--group-threshold", "2"], status: 2),
            Case(args: ["shamir", "split", "--secret-file", secret, "--group", "2-of-3"], status: 0),
            Case(args: ["shamir", "combine", "--shares-file", badShares], status: 2),
            Case(args: ["ledger", "policy-check", badPolicy], status: 2),
            Case(args: ["ledger", "policy-check", dupPolicy], status: 2),
            Case(args: ["ledger", "policy-check", goodPolicy], status: 0),
            Case(args: ["ledger", "policy-check", d.appendingPathComponent("nope.json").path], status: 2),
            Case(args: ["keystore", "import-v3", "--home", missingHome, "--file", v3, "--password-file", pw, "--unseal-passphrase-file", pw], status: 2),
            Case(args: ["status", "--home", missingHome], status: 2),
            Case(args: ["keystore", "status", "--home", missingHome], status: 0),   // 「还没有 keystore」不是错误
        ]
        let bad = try Self.violations(cases, bin: bin)
        #expect(bad.isEmpty, "--lang en 下的中文或意外退出码：\n\(bad.joined(separator: "\n"))")
    }

    @Test func homeCommandsSpeakEnglish() throws {
        let bin = try CLIRunner.releaseBinary()
        let t = CLIHome("en-home")
        let initR = try CLIRunner.run(["init", "--chain-id", "1337", "--demo", "--unseal-passphrase-file", t.unseal, "--admin", "root",
                                       "--admin-passphrase-file", t.pw, "--confirmations", "2", "--scrypt-log-n", "12", "--lang", "en"]
                                      + t.h + CLIHome.backupArgs(t.dir), executable: bin)
        #expect(initR.status == 0 && !BilingualText.hasCJK(initR.stdout + initR.stderr), "\(initR.stdout)\(initR.stderr)")
        let wrongPw = CLIRunner.write("wrong-pass-999\n", to: t.dir, "wrong.txt")
        let to = "0x" + String(repeating: "ab", count: 20)
        let cases: [Case] = [
            Case(args: ["status"] + t.h, status: 0),
            Case(args: ["status", "--json"] + t.h, status: 0),
            Case(args: ["keystore", "status"] + t.h, status: 0),
            Case(args: ["ledger", "check"] + t.h, status: 0),
            Case(args: ["audit", "verify"] + t.h, status: 0),
            Case(args: ["ledger", "alerts"] + t.h, status: 0),
            Case(args: ["withdraw", "list"] + t.h, status: 0),
            Case(args: ["fees"] + t.h, status: 0),
            Case(args: ["nonce", "status"] + t.h, status: 0),
            Case(args: ["sweep", "plan"] + t.h, status: 0),
            Case(args: ["policy", "status"] + t.h, status: 0),
            Case(args: ["withdraw", "request", "--request-id", "r1", "--user", "u1", "--asset", "ETH", "--amount", "1.2.3", "--to", to] + t.h + t.op("root"), status: 2),
            Case(args: ["withdraw", "request", "--request-id", "r2", "--user", "u1", "--asset", "ETH", "--amount", "5", "--to", to] + t.h + t.op("root"), status: 2),
            Case(args: ["withdraw", "request", "--request-id", "r3", "--user", "u1", "--asset", "NOPE", "--amount", "1", "--to", to] + t.h + t.op("root"), status: 2),
            Case(args: ["withdraw", "approve", "999"] + t.h + t.op("root"), status: 2),
            Case(args: ["operator", "add", "--name", "x", "--role", "approver", "--passphrase-file", t.pw] + t.h + ["--operator", "root", "--operator-passphrase-file", wrongPw], status: 2),
            Case(args: ["asset", "add", "--symbol", "USDT", "--contract", "0x1234", "--decimals", "6"] + t.h + t.op("root"), status: 2),
            Case(args: ["init", "--chain-id", "1337", "--demo", "--unseal-passphrase-file", t.unseal, "--admin", "root", "--admin-passphrase-file", t.pw] + t.h, status: 2),
        ]
        let bad = try Self.violations(cases, bin: bin)
        #expect(bad.isEmpty, "--lang en 下的中文或意外退出码：\n\(bad.joined(separator: "\n"))")
    }

    /// 检查本身能失败：同一条命令用 --lang zh 跑，中文被抓到；退出码不符也被抓到。
    @Test func theCheckCatchesChineseAndWrongStatus() throws {
        let bin = try CLIRunner.releaseBinary()
        let zh = try Self.violations([Case(args: ["key", "new", "--words", "13"], status: 2)], bin: bin, lang: "zh")
        #expect(zh.contains { BilingualText.hasCJK($0) && $0.hasPrefix("key new") }, "\(zh)")
        let st = try Self.violations([Case(args: ["key", "new", "--words", "13"], status: 0)], bin: bin)
        #expect(st.count == 1 && st[0].contains("退出码 2"), "\(st)")
    }
}
