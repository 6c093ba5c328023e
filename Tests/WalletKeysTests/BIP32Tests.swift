import Testing
import WalletCrypto
@testable import WalletKeys

private func vectors() throws -> [String: Any] { try Fixture.json("bip32_vectors.json") as! [String: Any] }

/// BIP-32 测试向量 1–4：每条链的 xprv/xpub 逐字符一致，且解析→序列化往返不变。
@Test func bip32OfficialVectors1to4() throws {
    let vs = try vectors()["vectors"] as! [[String: Any]]
    var checked = 0
    for v in vs {
        let seed = SecretBytes(try Hex.decode(v["seed_hex"] as! String))
        let master = try ExtendedPrivateKey(seed: seed)
        for c in v["chains"] as! [[String: String]] {
            let k = try master.derive(path: DerivationPath(string: c["path"]!))
            #expect(k.serializedSecret() == c["xprv"]!, "\(c["path"]!)")
            #expect(k.extendedPublicKey.serialized == c["xpub"]!)
            #expect(try ExtendedPrivateKey(string: c["xprv"]!).serializedSecret() == c["xprv"]!)
            #expect(try ExtendedPublicKey(string: c["xpub"]!).serialized == c["xpub"]!)
            checked += 1
        }
    }
    #expect(checked == 17)
}

/// 测试向量 5：每个无效扩展密钥都被拒绝，且原因与 BIP 文本一致。
@Test func bip32Vector5RejectsWithReason() throws {
    let inv = (try vectors()["invalid_extended_keys"] as! [String: Any])["keys"] as! [[String: String]]
    let expectedCode: [String: String] = [
        "pubkey version / prvkey mismatch": "xkey.pubkey_version_prvkey_mismatch",
        "prvkey version / pubkey mismatch": "xkey.prvkey_version_pubkey_mismatch",
        "invalid pubkey prefix 04": "xkey.invalid_pubkey_prefix",
        "invalid prvkey prefix 04": "xkey.prvkey_version_pubkey_mismatch",
        "invalid pubkey prefix 01": "xkey.invalid_pubkey_prefix",
        "invalid prvkey prefix 01": "xkey.prvkey_version_pubkey_mismatch",
        "zero depth with non-zero parent fingerprint": "xkey.zero_depth_nonzero_parent",
        "zero depth with non-zero index": "xkey.zero_depth_nonzero_index",
        "unknown extended key version": "xkey.unknown_version",
        "private key 0 not in 1..n-1": "xkey.private_key_out_of_range",
        "private key n not in 1..n-1": "xkey.private_key_out_of_range",
        "invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007": "xkey.invalid_pubkey",
        "invalid checksum": "base58.bad_checksum",
    ]
    #expect(inv.count >= 15)
    for item in inv {
        do {
            _ = try ExtendedKey(string: item["key"]!)
            Issue.record("应被拒绝：\(item["reason"]!)")
        } catch let e as any WalletErrorConvertible {
            if let want = expectedCode[item["reason"]!] { #expect(e.code == want, "\(item["reason"]!)") }
            else { Issue.record("未映射的理由 \(item["reason"]!)") }
        }
    }
}

/// 属性：公钥派生 == 私钥派生后取公钥（非硬化路径）。
@Test func publicDerivationMatchesPrivate() throws {
    let master = try ExtendedPrivateKey(seed: SecretBytes(try Hex.decode("000102030405060708090a0b0c0d0e0f")))
    let account = try master.derive(path: DerivationPath(string: "m/44'/60'/0'"))
    let xpub = account.extendedPublicKey
    for i: UInt32 in [0, 1, 2, 17, 1000, 0x7fff_ffff] {
        let p = try DerivationPath(string: "0/\(i)")
        #expect(try xpub.derive(path: p) == account.derive(path: p).extendedPublicKey)
    }
    #expect(throws: XKeyError.hardenedFromPublic) { try xpub.child(DerivationPath.hardenedOffset) }
    // 指纹：子密钥的父指纹就是父密钥的指纹
    #expect(try account.child(0).parentFingerprint == account.fingerprint)
}

@Test func pathParsing() throws {
    #expect(try DerivationPath(string: "m/44'/60'/0'/0/5").description == "m/44'/60'/0'/0/5")
    #expect(try DerivationPath(string: "m/44h/60H/0'").components == [0x8000_002c, 0x8000_003c, 0x8000_0000])
    #expect(try DerivationPath(string: "m").components.isEmpty)
    #expect(try !DerivationPath(string: "0/5").isAbsolute)
    for bad in ["", "m/", "m//1", "m/x", "m/2147483648", "m/-1", "m/1''", "m/99999999999", "m/1/ 2"] {
        #expect(throws: PathError.self, "\(bad)") { try DerivationPath(string: bad) }
    }
}

/// 模糊：随机/变异的扩展密钥文本只会报错，绝不崩溃。
@Test func xkeyParseFuzzNeverCrashes() throws {
    let good = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
    let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/ é")
    var st: UInt64 = 7
    func next() -> Int { st = st &* 6364136223846793005 &+ 1442695040888963407; return Int(st >> 33) }
    var rejected = 0
    for i in 0..<1500 {
        var chars = Array(good)
        if i % 3 == 0 {
            chars = (0..<(next() % 120)).map { _ in alphabet[next() % alphabet.count] }
        } else {
            chars[next() % chars.count] = alphabet[next() % alphabet.count]
            if i % 5 == 0 { chars.removeLast(next() % 10) }
        }
        do { _ = try ExtendedKey(string: String(chars)) } catch is any WalletErrorConvertible { rejected += 1 } catch { Issue.record("\(error)") }
    }
    #expect(rejected > 1400)
}

@Test func base58CheckRoundTrip() throws {
    #expect(Base58.encode([0, 0, 1]) == "112")
    #expect(try Base58.decode("112") == [0, 0, 1])
    for n in 0..<40 {
        let b = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 7 + n) }
        #expect(try Base58.decodeCheck(Base58.encodeCheck(b)) == b)
    }
    #expect(throws: Base58Error.self) { try Base58.decode("0OIl") }
}

/// 只读派生器（热路径）与逐步 child() 的结果一致，三种地址格式都覆盖。
@Test func watchOnlyDeriverMatchesChild() throws {
    let master = try ExtendedPrivateKey(seed: SecretBytes(Array("abandon abandon abandon abandon".utf8)))
    let acct = try master.derive(path: DerivationPath(string: "m/84'/0'/0'")).extendedPublicKey
    let ext = try acct.child(0)
    for coin in WatchOnlyCoin.allCases {
        let d = try WatchOnlyDeriver(base: ext, coin: coin)
        for i: UInt32 in [0, 1, 99, 12345] {
            let (pub, addr) = try d.derive(index: i)
            let c = try ext.child(i)
            #expect(pub == c.publicKey)
            switch coin {
            case .eth: #expect(addr == (try EthereumAddress(publicKey: c.publicKey)).checksummed)
            case .btc: #expect(addr == (try BitcoinAddress.p2pkh(publicKey: c.publicKey, network: .mainnet)))
            case .btcSegwit: #expect(addr == (try BitcoinAddress.p2wpkh(publicKey: c.publicKey, network: .mainnet)))
            }
        }
    }
}

/// 属性：随机种子、主网与测试网，xprv/xpub/tprv/tpub 序列化→解析→序列化不变。
@Test func serializationRoundTripProperty() throws {
    for i in 0..<20 {
        let seed = try SecureRandom.secret(16 + i)
        for net in [XKeyNetwork.mainnet, .testnet] {
            let k = try ExtendedPrivateKey(seed: seed, network: net).derive(path: DerivationPath(string: "m/44'/1'/\(i)'/0/\(i)"))
            let s = k.serializedSecret()
            #expect(s.hasPrefix(net == .mainnet ? "xprv" : "tprv"))
            let back = try ExtendedPrivateKey(string: s)
            #expect(back.serializedSecret() == s && back.privateKey == k.privateKey && back.network == net)
            let p = k.extendedPublicKey.serialized
            #expect(p.hasPrefix(net == .mainnet ? "xpub" : "tpub"))
            #expect(try ExtendedPublicKey(string: p) == k.extendedPublicKey)
        }
    }
}
