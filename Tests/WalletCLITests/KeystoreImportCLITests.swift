// keystore 导入导出、hsm、kms 命令端到端（真实二进制；v3 导出用 eth-keyfile 交叉验证；HSM 用真实 SoftHSM2）。
import Foundation
import Testing

/// go-ethereum accounts/keystore/testdata/very-light-scrypt.json（口令 ""，地址 45dea0fb…cbb8），commit 833e4d13。
let veryLightScrypt = #"{"address":"45dea0fb0bba44f4fcf290bba71fd57d7117cbb8","crypto":{"cipher":"aes-128-ctr","ciphertext":"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145","cipherparams":{"iv":"dc4926b48a105133d2f16b96833abf1e"},"kdf":"scrypt","kdfparams":{"dklen":32,"n":2,"p":1,"r":8,"salt":"004244bbdc51cadda545b1cfa43cff9ed2ae88e08c61f1479dbb45410722f8f0"},"mac":"39990c1684557447940d4c69e06b1b82b2aceacb43f284df65c956daf3046b85"},"id":"ce541d8d-c79b-40f8-9f8c-20f59616faba","version":3}"#

func python(_ script: String) throws -> (Int32, String) { try python(["-c", script]) }

func python(_ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let d = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}

@Suite struct KeystoreImportCLITests {
    func setup() throws -> (URL, String, String) {
        let d = CLIRunner.tempDir("ksimp")
        let home = d.appendingPathComponent("home").path
        let p = CLIRunner.write("import-pass-1\n", to: d, "pass")
        let r = try CLIRunner.run(["keystore", "init", "--home", home, "--passphrase-file", p, "--scrypt-log-n", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        return (d, home, p)
    }

    @Test func importV3ExportV3EthKeyfileDecrypts() throws {
        let (d, home, p) = try setup()
        let v3 = CLIRunner.write(veryLightScrypt, to: d, "geth.json")
        let empty = CLIRunner.write("", to: d, "empty")
        var r = try CLIRunner.run(["keystore", "import-v3", "--home", home, "--file", v3, "--password-file", empty,
                                   "--label", "geth", "--unseal-passphrase-file", p, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(r.json as? [String: Any])
        #expect((obj["address"] as? String)?.lowercased() == "0x45dea0fb0bba44f4fcf290bba71fd57d7117cbb8")
        let id = try #require(obj["id"] as? String)
        // 错误口令：MAC 不符
        let wrong = CLIRunner.write("nope\n", to: d, "wrong")
        r = try CLIRunner.run(["keystore", "import-v3", "--home", home, "--file", v3, "--password-file", wrong, "--unseal-passphrase-file", p])
        #expect(r.status == 2 && r.stderr.contains("v3.wrong_password"))
        r = try CLIRunner.run(["keystore", "list", "--home", home, "--json"])
        let list = try #require(r.json as? [[String: Any]])
        #expect(list.count == 1 && list[0]["id"] as? String == id && list[0]["tier"] as? String == "encrypted-db"
                && list[0]["label"] as? String == "geth" && list[0]["created"] is String)
        let pw = CLIRunner.write("export-pw\n", to: d, "expw")
        for kdf in ["scrypt", "pbkdf2"] {
            let out = d.appendingPathComponent("out-\(kdf).json").path
            r = try CLIRunner.run(["keystore", "export-v3", "--home", home, "--id", id, "--password-file", pw, "--out", out, "--kdf", kdf,
                                   "--scrypt-log-n", "12", "--pbkdf2-iterations", "2000", "--unseal-passphrase-file", p, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let mode = (try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as! NSNumber).intValue
            #expect(mode == 0o600)
            // eth-keyfile（以太坊基金会的 Python 实现）解密出的私钥必须与原 geth 文件一致
            let (st, outp) = try python("""
            import json, eth_keyfile
            a = eth_keyfile.decode_keyfile_json(json.load(open('\(out)')), b'export-pw')
            b = eth_keyfile.decode_keyfile_json(json.load(open('\(v3)')), b'')
            print('same' if a == b else 'diff', json.load(open('\(out)'))['crypto']['kdf'])
            """)
            #expect(st == 0 && outp == "same \(kdf)", "\(outp)")
            // 已存在的文件不被覆盖
            r = try CLIRunner.run(["keystore", "export-v3", "--home", home, "--id", id, "--password-file", pw, "--out", out, "--unseal-passphrase-file", p])
            #expect(r.status == 2 && r.stderr.contains("file.exists"))
        }
    }

    @Test func importMnemonicAndSlip39Recovery() throws {
        let (d, home, p) = try setup()
        let m = CLIRunner.write("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n", to: d, "m")
        var r = try CLIRunner.run(["keystore", "import-mnemonic", "--home", home, "--mnemonic-file", m, "--unseal-passphrase-file", p, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try #require(r.json as? [String: Any])
        // 已知：该助记词（无口令）m/44'/60'/0'/0/0 = 0x9858EfFD232B4033E47d90003D41EC34EcaEda94
        #expect(a["address"] as? String == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
        // SLIP-39：把该助记词的熵（全 0，16 字节）拆成 2-of-3，再用两份恢复 → 同一地址与指纹
        let ent = CLIRunner.write("00000000000000000000000000000000\n", to: d, "ent")
        r = try CLIRunner.run(["shamir", "split", "--secret-file", ent, "--group", "2-of-3", "--json"])
        let g = try #require((r.json as? [String: Any])?["groups"] as? [[String]])
        let sh = CLIRunner.write(g[0][2] + "\n" + g[0][1] + "\n", to: d, "sh")
        r = try CLIRunner.run(["keystore", "import-mnemonic", "--home", home, "--slip39-shares-file", sh, "--unseal-passphrase-file", p, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let b = try #require(r.json as? [String: Any])
        #expect(b["address"] as? String == a["address"] as? String && b["fingerprint"] as? String == a["fingerprint"] as? String)
        let bad = CLIRunner.write("abandon abandon abandon\n", to: d, "bad")
        r = try CLIRunner.run(["keystore", "import-mnemonic", "--home", home, "--mnemonic-file", bad, "--unseal-passphrase-file", p])
        #expect(r.status == 2 && r.stderr.contains("bip39"))
    }

    @Test func hsmCommandsOnSoftHSM() throws {
        let (d, home, p) = try setup()
        let tokens = d.appendingPathComponent("tokens").path
        try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: true)
        let conf = CLIRunner.write("directories.tokendir = \(tokens)\nobjectstore.backend = file\nlog.level = ERROR\n", to: d, "softhsm2.conf")
        let env = ["SOFTHSM2_CONF": conf]
        let so = CLIRunner.write("5678\n", to: d, "so"), pin = CLIRunner.write("1234\n", to: d, "pin")
        var r = try CLIRunner.run(["hsm", "init-token", "--label", "cli", "--so-pin-file", so, "--pin-file", pin, "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLIRunner.run(["hsm", "keygen", "--home", home, "--token", "cli", "--pin-file", pin, "--label", "hot",
                               "--unseal-passphrase-file", p, "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let k = try #require(r.json as? [String: Any])
        #expect(k["tier"] as? String == "hsm")
        let id = try #require(k["id"] as? String)
        for i in 0..<4 {
            let digest = String(repeating: String(format: "%02x", i + 1), count: 32)
            r = try CLIRunner.run(["hsm", "sign", "--home", home, "--id", id, "--digest", digest, "--unseal-passphrase-file", p, "--json"], env: env)
            #expect(r.status == 0, "\(r.stderr)")
            let s = try #require(r.json as? [String: Any])
            #expect(s["address"] as? String == k["address"] as? String)
            // 用 eth-keys（独立实现）从 (r,s,v) 恢复地址，并检查低 S
            let (st, out) = try python("""
            from eth_keys import keys
            r=int('\(s["r"] as! String)',16); s=int('\(s["s"] as! String)',16); v=\(s["v"] as! Int)
            n=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141
            sig=keys.Signature(vrs=(v,r,s))
            print(sig.recover_public_key_from_msg_hash(bytes.fromhex('\(digest)')).to_checksum_address(), s <= n//2)
            """)
            #expect(st == 0 && out == "\(k["address"] as! String) True", "\(out)")
        }
        r = try CLIRunner.run(["hsm", "list", "--home", home, "--json"], env: env)
        let l = try #require(r.json as? [String: Any])
        #expect(((l["tokens"] as? [[String: Any]]) ?? []).contains { $0["label"] as? String == "cli" })
        #expect(((l["keys"] as? [[String: Any]]) ?? []).count == 1)
        let badpin = CLIRunner.write("0000\n", to: d, "badpin")
        r = try CLIRunner.run(["hsm", "keygen", "--home", home, "--token", "cli", "--pin-file", badpin, "--label", "x", "--unseal-passphrase-file", p], env: env)
        #expect(r.status == 2 && r.stderr.contains("hsm.wrong_pin"))
        r = try CLIRunner.run(["hsm", "keygen", "--home", home, "--token", "nope", "--pin-file", pin, "--label", "x", "--unseal-passphrase-file", p], env: env)
        #expect(r.status == 2 && r.stderr.contains("hsm.token_not_found"))
    }

    @Test func kmsServeAndStatus() throws {
        let d = CLIRunner.tempDir("kmscli")
        let home = d.appendingPathComponent("home").path
        let p = CLIRunner.write("kms-cli-pass\n", to: d, "pass")
        let proc = Process()
        proc.executableURL = CLIRunner.binary
        proc.arguments = ["kms", "serve", "--home", home, "--unseal-passphrase-file", p, "--scrypt-log-n", "10"]
        proc.standardError = FileHandle.nullDevice
        try proc.run()
        defer { proc.terminate(); proc.waitUntilExit() }
        let sock = home + "/kms.sock"
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: sock) { Thread.sleep(forTimeInterval: 0.02) }
        let r = try CLIRunner.run(["kms", "status", "--home", home, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.json as? [String: Any])?["reachable"] as? Bool == true)
        proc.terminate(); proc.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: sock))  // SIGTERM 后清理套接字
        let r2 = try CLIRunner.run(["kms", "status", "--home", home, "--json"])
        #expect(r2.status == 1 && r2.stderr.contains("kms.unreachable"))
    }
}
