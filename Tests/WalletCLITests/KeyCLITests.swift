// key 命令组端到端：运行真实二进制，断言 JSON 字段、退出码与 stderr。
import Foundation
import Testing

private let abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n"

@Test func keyDeriveKnownAddresses() throws {
    let dir = CLIRunner.tempDir("keys")
    defer { try? FileManager.default.removeItem(at: dir) }
    let m = CLIRunner.write(abandon, to: dir, "m.txt")
    let r = try CLIRunner.run(["key", "derive", "--mnemonic-file", m, "--path", "m/44'/60'/0'/0/0", "--path", "m/84'/0'/0'/0/0",
                               "--path", "m/44'/0'/0'/0/0", "--path", "m/44'/501'/0'", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let j = r.json as! [String: Any]
    #expect(j["masterFingerprint"] as? String == "73c5da0a")
    #expect((j["seed"] as! String).hasPrefix("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1"))
    let keys = j["keys"] as! [[String: Any]]
    #expect(keys[0]["address"] as? String == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
    #expect(keys[0]["wif"] is NSNull)
    #expect(keys[1]["address"] as? String == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
    #expect(keys[2]["address"] as? String == "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA")
    #expect(keys[3]["address"] is NSNull)
    for k in keys {
        #expect((k["privateKey"] as! String).count == 64)
        #expect((k["publicKey"] as! String).count == 66)
        #expect((k["xprv"] as! String).hasPrefix("xprv") && (k["xpub"] as! String).hasPrefix("xpub"))
    }
    // 种子文件路径给出同样结果
    let s = CLIRunner.write(j["seed"] as! String + "\n", to: dir, "seed.txt")
    let r2 = try CLIRunner.run(["key", "derive", "--seed-file", s, "--path", "m/44'/60'/0'/0/0", "--json"])
    #expect(((r2.json as! [String: Any])["keys"] as! [[String: Any]])[0]["address"] as? String == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
}

@Test func keyDeriveBadInputExits2() throws {
    let dir = CLIRunner.tempDir("keys")
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = CLIRunner.write(abandon.replacingOccurrences(of: "about", with: "abuot"), to: dir, "bad.txt")
    let r = try CLIRunner.run(["key", "derive", "--mnemonic-file", bad, "--path", "m/0", "--json"])
    #expect(r.status == 2)
    // 错误只报位置，不回显错词、也不回显「最接近的词」（都是助记词的一部分）。
    #expect(r.stderr.contains("bip39.unknown_word") && r.stderr.contains("第 12 个词"))
    #expect(!r.stderr.contains("abuot") && !r.stderr.contains("about") && !r.stdout.contains("abuot"))
    let en = try CLIRunner.run(["key", "derive", "--mnemonic-file", bad, "--path", "m/0", "--lang", "en"])
    #expect(en.status == 2 && en.stderr.contains("word 12") && !en.stderr.contains("abuot") && !en.stderr.contains("about"))
    let good = CLIRunner.write(abandon, to: dir, "m.txt")
    let p = try CLIRunner.run(["key", "derive", "--mnemonic-file", good, "--path", "m/44'/x", "--json"])
    #expect(p.status == 2 && p.stderr.contains("path.invalid"))
    let missing = try CLIRunner.run(["key", "derive", "--mnemonic-file", dir.appendingPathComponent("nope").path, "--path", "m/0"])
    #expect(missing.status == 2)
}

@Test func keyNewGeneratesValidMnemonic() throws {
    for (wl, n) in [("en", 12), ("zh-Hans", 24), ("zh-Hant", 18)] {
        let r = try CLIRunner.run(["key", "new", "--words", "\(n)", "--wordlist", wl, "--json"])
        #expect(r.status == 0)
        #expect(!r.stderr.isEmpty)   // 机密警告
        let m = (r.json as! [String: String])["mnemonic"]!
        #expect(m.split(separator: " ").count == n)
        let dir = CLIRunner.tempDir("keys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = CLIRunner.write(m, to: dir, "m.txt")
        #expect(try CLIRunner.run(["key", "derive", "--mnemonic-file", f, "--wordlist", wl, "--path", "m/0", "--json"]).status == 0)
    }
    #expect(try CLIRunner.run(["key", "new", "--words", "13"]).status == 2)
}

@Test func xpubDeriveStreamsAndMatchesPrivateDerivation() throws {
    let dir = CLIRunner.tempDir("keys")
    defer { try? FileManager.default.removeItem(at: dir) }
    let m = CLIRunner.write(abandon, to: dir, "m.txt")
    let acct = try CLIRunner.run(["key", "derive", "--mnemonic-file", m, "--path", "m/44'/60'/0'", "--path", "m/44'/60'/0'/0/42", "--json"])
    let keys = (acct.json as! [String: Any])["keys"] as! [[String: Any]]
    let x = CLIRunner.write(keys[0]["xpub"] as! String, to: dir, "xpub.txt")
    let r = try CLIRunner.run(["key", "xpub-derive", "--xpub-file", x, "--path", "0", "--start", "40", "--count", "5", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let list = r.json as! [[String: Any]]
    #expect(list.count == 5)
    #expect(list[2]["index"] as? Int == 42 && list[2]["path"] as? String == "0/42")
    #expect(list[2]["address"] as? String == keys[1]["address"] as? String)
    #expect(list[2]["publicKey"] as? String == keys[1]["publicKey"] as? String)
    // 大批量：输出完整、是合法 JSON
    let big = try CLIRunner.run(["key", "xpub-derive", "--xpub-file", x, "--path", "0", "--count", "3000", "--coin", "btc-segwit", "--json"])
    #expect((big.json as? [[String: Any]])?.count == 3000)
    // 硬化路径与 xprv 都被拒绝
    #expect(try CLIRunner.run(["key", "xpub-derive", "--xpub-file", x, "--path", "0'", "--json"]).status == 2)
    let xprv = CLIRunner.write(keys[0]["xprv"] as! String, to: dir, "xprv.txt")
    #expect(try CLIRunner.run(["key", "xpub-derive", "--xpub-file", xprv, "--path", "0", "--json"]).status == 2)
}

@Test func keyInspect() throws {
    let dir = CLIRunner.tempDir("keys")
    defer { try? FileManager.default.removeItem(at: dir) }
    // BIP-32 向量 1 的 m/0'
    let f = CLIRunner.write("xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7\n", to: dir, "x.txt")
    let r = try CLIRunner.run(["key", "inspect", "--xkey-file", f, "--json"])
    #expect(r.status == 0)
    let j = r.json as! [String: Any]
    #expect(j["depth"] as? Int == 1 && j["isPrivate"] as? Bool == true && j["network"] as? String == "mainnet")
    #expect(j["parentFingerprint"] as? String == "3442193e")
    #expect(j["childNumber"] as? Int == 0x8000_0000)
    #expect(j["xpub"] as? String == "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw")
    // 向量 5：零深度但父指纹非零
    let bad = CLIRunner.write("xpub661no6RGEX3uJkY4bNnPcw4URcQTrSibUZ4NqJEw5eBkv7ovTwgiT91XX27VbEXGENhYRCf7hyEbWrR3FewATdCEebj6znwMfQkhRYHRLpJ", to: dir, "b.txt")
    let rb = try CLIRunner.run(["key", "inspect", "--xkey-file", bad, "--json"])
    #expect(rb.status == 2 && rb.stderr.contains("xkey.zero_depth_nonzero_parent"))
}

/// --count 100000 必须流式输出：进程还在运行时就能读到第一批地址（若整份缓冲，首字节要到结束才出现）。
@Test func xpubDeriveStreamsLargeCount() throws {
    let dir = CLIRunner.tempDir("keys")
    defer { try? FileManager.default.removeItem(at: dir) }
    let x = CLIRunner.write("xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj", to: dir, "x.txt")
    let p = Process()
    p.executableURL = CLIRunner.binary
    p.arguments = ["key", "xpub-derive", "--xpub-file", x, "--path", "0", "--count", "100000", "--json"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    let t0 = Date()
    try p.run()
    var got = Data()
    while got.count < 4096 {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        got.append(chunk)
    }
    let firstChunkSeconds = Date().timeIntervalSince(t0)
    let stillRunning = p.isRunning
    // 关掉读端：子进程下一次写会收到 SIGPIPE 而退出（比 terminate 更可靠）
    try? out.fileHandleForReading.close()
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(got.count >= 4096)
    #expect(String(decoding: got.prefix(2), as: UTF8.self) == "[\n")
    #expect(stillRunning, "首批输出出现时进程已结束：输出被整份缓冲了")
    // 10 万个地址在 debug 构建下要数秒；流式输出时首批在几十毫秒内就到
    #expect(firstChunkSeconds < 2.0, "首批输出用了 \(firstChunkSeconds) 秒：疑似整份缓冲")
}

/// 每个命令在入口处就关掉 core dump（issue 11）：以前只有打开密钥库的命令才做，`init` 读进口令文件、还没建密钥库、
/// 正在等节点回答时，进程仍可被 dump。父进程把软限额放开（unlimited），子进程必须自己降到 0。
/// 节点是一个只 listen 不应答的套接字：init 停在核对 chainId 处，这时看它的限额。
@Test func everyCommandDisablesCoreDumpsBeforeTouchingSecrets() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET); a.sin_addr.s_addr = inet_addr("127.0.0.1"); a.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = listen(fd, 8)
    _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    let port = Int(UInt16(bigEndian: a.sin_port))
    let t = CLIHome("core")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "ulimit -c unlimited 2>/dev/null || ulimit -c 1024; exec \"$@\"", "sh", CLIRunner.binary.path]
        + t.initArgs(chainId: "1", rpc: "http://127.0.0.1:\(port)")
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
    var core = ""
    for _ in 0..<100 {   // 等 exec 完成、init 连上「节点」在等回答
        usleep(50_000)
        let cmd = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
        guard cmd.contains("--chain-id") else { continue }
        usleep(300_000)
        let limits = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/limits", encoding: .utf8)) ?? ""
        core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        break
    }
    let fields = core.split(separator: " ", omittingEmptySubsequences: true)
    #expect(p.isRunning, "init 应停在等节点处")
    #expect(fields.count >= 6 && fields[4] == "0", "进程已读入口令文件，core dump 仍开着：\(core)")
}
