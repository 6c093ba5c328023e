// tx 命令组端到端：EIP-155 官方示例、EIP-1559 与解码，畸形输入退出 2。
import Foundation
import Testing

@Test func txSignEIP155ExampleAndDecode() throws {
    let dir = CLIRunner.tempDir("tx")
    defer { try? FileManager.default.removeItem(at: dir) }
    let k = CLIRunner.write("0x4646464646464646464646464646464646464646464646464646464646464646\n", to: dir, "k.txt")
    let t = CLIRunner.write(#"{"type":0,"chainId":"1","nonce":"9","gas":"21000","gasPrice":"0x4a817c800","to":"0x3535353535353535353535353535353535353535","value":"1000000000000000000","data":"0x"}"#, to: dir, "t.json")
    let r = try CLIRunner.run(["tx", "sign", "--key-file", k, "--tx-file", t, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let j = r.json as! [String: Any]
    #expect(j["raw"] as? String == "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
    #expect(j["v"] as? Int == 37 && j["yParity"] as? Int == 0)
    #expect(j["from"] as? String == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
    let raw = CLIRunner.write(j["raw"] as! String, to: dir, "raw.txt")
    let d = try CLIRunner.run(["tx", "decode", "--raw-file", raw, "--json"])
    #expect(d.status == 0)
    let dj = d.json as! [String: Any]
    #expect(dj["signer"] as? String == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
    #expect(dj["hash"] as? String == j["hash"] as? String)
    #expect(dj["nonce"] as? String == "9" && dj["chainId"] as? Int == 1)
}

@Test func txSignEIP1559MatchesReference() throws {
    let dir = CLIRunner.tempDir("tx")
    defer { try? FileManager.default.removeItem(at: dir) }
    let k = CLIRunner.write("4646464646464646464646464646464646464646464646464646464646464646", to: dir, "k.txt")
    // 与 eth-account 0.14.0 的输出比对（见 WalletKeysTests/EthTransactionTests.swift）
    let t = CLIRunner.write("""
    {"type":2,"chainId":1,"nonce":"7","gas":"60000","maxFeePerGas":"100000000000","maxPriorityFeePerGas":"2000000000",
     "to":"0x3535353535353535353535353535353535353535","value":"1000000000000000000","data":"0xa9059cbb",
     "accessList":[{"address":"0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F","storageKeys":["0x0000000000000000000000000000000000000000000000000000000000000001","0xabababababababababababababababababababababababababababababababab"]}]}
    """, to: dir, "t.json")
    let r = try CLIRunner.run(["tx", "sign", "--key-file", k, "--tx-file", t, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let j = r.json as! [String: Any]
    #expect(j["hash"] as? String == "0x45db6e508315cbbf9365cda8747e5d948deb231d20e1a3600973496ce201cf58")
    let raw = CLIRunner.write(j["raw"] as! String, to: dir, "raw.txt")
    let d = try CLIRunner.run(["tx", "decode", "--raw-file", raw, "--json"])
    let dj = d.json as! [String: Any]
    #expect(dj["type"] as? Int == 2 && (dj["accessList"] as? [Any])?.count == 1)
    #expect(dj["maxPriorityFeePerGas"] as? String == "2000000000")
}

@Test func txBadInputsExit2() throws {
    let dir = CLIRunner.tempDir("tx")
    defer { try? FileManager.default.removeItem(at: dir) }
    let k = CLIRunner.write("4646464646464646464646464646464646464646464646464646464646464646", to: dir, "k.txt")
    let cases = [
        #"{"type":0,"nonce":"1","gas":"21000","gasPrice":"1"}"#,                        // 缺 chainId
        #"{"type":0,"chainId":"0","nonce":"1","gas":"21000","gasPrice":"1"}"#,          // chainId 0 = 无重放保护
        #"{"type":2,"chainId":"1","nonce":"1","gas":"21000","maxFeePerGas":"1","maxPriorityFeePerGas":"2"}"#,
        #"{"type":1,"chainId":"1","nonce":"1","gas":"21000"}"#,
        #"{"type":2,"chainId":"1","nonce":"1.5","gas":"21000","maxFeePerGas":"1","maxPriorityFeePerGas":"1"}"#,
        #"{"type":0,"chainId":"1","nonce":"1","gas":"21000","gasPrice":"1","to":"0x52908400098527886E0F7030069857D2E4169Ee7"}"#,
        "not json",
    ]
    for (i, c) in cases.enumerated() {
        let t = CLIRunner.write(c, to: dir, "t\(i).json")
        let r = try CLIRunner.run(["tx", "sign", "--key-file", k, "--tx-file", t, "--json"])
        #expect(r.status == 2, "case \(i): \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
    for raw in ["0x", "zz", "0xf86c0985", "0x02c0", "0x01f800", "0x" + String(repeating: "c0", count: 10)] {
        let f = CLIRunner.write(raw, to: dir, "raw.txt")
        let r = try CLIRunner.run(["tx", "decode", "--raw-file", f, "--json"])
        #expect(r.status == 2, "\(raw): \(r.stderr)")
    }
}

@Test func txSignInfersTheTypeFromFeeFields() throws {
    // eth-account / ethers 的约定：没写 type 时 gasPrice → legacy（0），maxFeePerGas → EIP-1559（2）。
    let dir = CLIRunner.tempDir("tx")
    defer { try? FileManager.default.removeItem(at: dir) }
    let k = CLIRunner.write("4646464646464646464646464646464646464646464646464646464646464646", to: dir, "k.txt")
    // EIP-155 官方示例去掉 type：应得到与显式 type 0 完全相同的签名字节。
    let legacy = CLIRunner.write(#"{"chainId":"1","nonce":"9","gas":"21000","gasPrice":"0x4a817c800","to":"0x3535353535353535353535353535353535353535","value":"1000000000000000000","data":"0x"}"#, to: dir, "l.json")
    let r = try CLIRunner.run(["tx", "sign", "--key-file", k, "--tx-file", legacy, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect((r.json as? [String: Any])?["raw"] as? String == "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
    let dyn = CLIRunner.write(#"{"chainId":"1","nonce":"1","gas":"21000","maxFeePerGas":"2","maxPriorityFeePerGas":"1","to":"0x3535353535353535353535353535353535353535"}"#, to: dir, "d.json")
    let d = try CLIRunner.run(["tx", "sign", "--key-file", k, "--tx-file", dyn, "--json"])
    #expect(d.status == 0, "\(d.stderr)")
    #expect(((d.json as? [String: Any])?["raw"] as? String)?.hasPrefix("0x02") == true)
    // 两种都给或都不给：退出 2，消息说清该用哪些字段。
    for (name, body) in [("both", #"{"chainId":"1","nonce":"1","gas":"21000","gasPrice":"1","maxFeePerGas":"2","maxPriorityFeePerGas":"1"}"#),
                         ("none", #"{"chainId":"1","nonce":"1","gas":"21000"}"#)] {
        let f = CLIRunner.write(body, to: dir, "\(name).json")
        let x = try CLIRunner.run(["tx", "sign", "--key-file", k, "--tx-file", f, "--lang", "en"])
        #expect(x.status == 2 && x.stderr.contains("gasPrice") && x.stderr.contains("maxFeePerGas"), "\(name): \(x.stderr)")
        #expect(x.stdout.isEmpty)
    }
}
