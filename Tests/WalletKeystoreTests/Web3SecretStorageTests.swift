// Web3 Secret Storage v3：go-ethereum 官方向量、导出→导入往返、错误口令、篡改。
import Foundation
import Testing
import WalletCrypto
import WalletKeys
@testable import WalletKeystore

@Test func v3OfficialVectors() throws {
    let all = try #require(try Fixture.json("v3_test_vector.json") as? [String: [String: Any]])
    #expect(all.count == 4)
    for (name, v) in all {
        let json = try JSONSerialization.data(withJSONObject: v["json"]!)
        let (key, _) = try Web3SecretStorage.decrypt(json: json, password: pass(v["password"] as! String))
        let priv = v["priv"] as! String
        #expect(key.unsafeArray().hex == String(repeating: "0", count: 64 - priv.count) + priv, "\(name)")
        #expect(throws: (any Error).self, "\(name)") { _ = try Web3SecretStorage.decrypt(json: json, password: pass("not-it")) }
    }
}

@Test func v3GethKeystoreFiles() throws {
    let light = try Fixture.data("very-light-scrypt.json")
    let (_, a) = try Web3SecretStorage.decrypt(json: light, password: SecretBytes(count: 0))
    #expect(a == (try EthereumAddress(string: "0x45dea0fb0bba44f4fcf290bba71fd57d7117cbb8")))
    for (file, addr) in [("aaa", "0xf466859ead1932d743d622cb74fc058882e8648a"), ("zzz", "0x289d485d9771714cce91d3393d764e1311907acc"),
                         ("UTC--2016-03-22T12-57-55.920751759Z--7ef5a6135f1fd6a02593eedc869c6d41d934aef8", "0x7ef5a6135f1fd6a02593eedc869c6d41d934aef8")] {
        let (_, a) = try Web3SecretStorage.decrypt(json: try Fixture.data("geth_keystore_dir/" + file), password: pass("foobar"))
        #expect(a == (try EthereumAddress(string: addr)), "\(file)")
    }
    do { _ = try Web3SecretStorage.decrypt(json: light, password: pass("x")); Issue.record("应失败") } catch let e as any WalletErrorConvertible {
        #expect(e.code == "v3.wrong_password")
    }
}

@Test func v3RoundTripBothKDFsAndTamper() throws {
    let key = try SecureRandom.secret(32)
    for kdf in [Web3SecretStorage.KDFChoice.scrypt(n: 1 << 10, r: 8, p: 1), .pbkdf2(iterations: 1000)] {
        let json = try Web3SecretStorage.encrypt(privateKey: key, password: pass("pw-1"), kdf: kdf)
        let (k2, a) = try Web3SecretStorage.decrypt(json: json, password: pass("pw-1"))
        #expect(k2 == key)
        #expect(a == (try EthereumAddress(publicKey: try Secp256k1.publicKey(privateKey: key, compressed: false))))
        // 改密文一个字符 → MAC 不符
        var obj = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        var c = obj["crypto"] as! [String: Any]
        var ct = Array(c["ciphertext"] as! String)
        ct[0] = ct[0] == "0" ? "1" : "0"
        c["ciphertext"] = String(ct); obj["crypto"] = c
        #expect(throws: (any Error).self) { _ = try Web3SecretStorage.decrypt(json: try JSONSerialization.data(withJSONObject: obj), password: pass("pw-1")) }
        // 地址被换 → 报告拼接
        obj = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        obj["address"] = "45dea0fb0bba44f4fcf290bba71fd57d7117cbb8"
        do { _ = try Web3SecretStorage.decrypt(json: try JSONSerialization.data(withJSONObject: obj), password: pass("pw-1")); Issue.record("应失败") }
        catch let e as any WalletErrorConvertible { #expect(e.code == "v3.address_mismatch") }
    }
}

@Test func scryptFallbackMatchesOpenSSL() throws {
    // r=2 时 OpenSSL 接受 N<2^32，两条路径应给出相同结果（用 RFC 7914 的参数形状交叉验证 C ROMix）
    let pw = pass("password"), salt = Array("NaCl".utf8)
    let viaOpenSSL = try KDF.scrypt(password: pw, salt: salt, n: 1024, r: 8, p: 16, keyLength: 64)
    // RFC 7914 §12 第 3 条向量
    #expect(viaOpenSSL.unsafeArray().hex.hasPrefix("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"))
    let viaC = try Web3SecretStorage.scryptRFC7914(password: pw, salt: salt, n: 1024, r: 8, p: 16, keyLength: 64)
    #expect(viaC == viaOpenSSL)
    // 直接调用回退实现（C ROMix）：N=16,r=1,p=1 —— RFC 7914 §12 第 1 条（空口令空盐）
    let one = try Web3SecretStorage.scryptRFC7914(password: SecretBytes(count: 0), salt: [], n: 16, r: 1, p: 1, keyLength: 64)
    #expect(one.unsafeArray().hex.hasPrefix("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"))
}

/// issue 11：KDF 参数在做任何运算之前按预算界定（scrypt N≤2^18、r≤8、p≤4；pbkdf2 ≤ 10^7 轮），
/// 构造的文件（不需要口令就能造）在远小于一秒内被拒，而不是吃掉数 GB 内存或数小时。
@Test func v3KDFParametersAreBoundedBeforeAnyWork() throws {
    func file(_ kdf: String, _ params: String) -> Data {
        Data(#"{"address":"45dea0fb0bba44f4fcf290bba71fd57d7117cbb8","crypto":{"cipher":"aes-128-ctr","ciphertext":"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145","cipherparams":{"iv":"dc4926b48a105133d2f16b96833abf1e"},"kdf":"\#(kdf)","kdfparams":{"dklen":32,\#(params),"salt":"004244bbdc51cadda545b1cfa43cff9ed2ae88e08c61f1479dbb45410722f8f0"},"mac":"39990c1684557447940d4c69e06b1b82b2aceacb43f284df65c956daf3046b85"},"id":"ce541d8d-c79b-40f8-9f8c-20f59616faba","version":3}"#.utf8)
    }
    let pw = SecretBytes(Array("x".utf8))
    for (kdf, params) in [("scrypt", #""n":524288,"r":8,"p":1"#), ("scrypt", #""n":262144,"r":16,"p":1"#), ("scrypt", #""n":262144,"r":8,"p":8"#),
                          ("pbkdf2", #""c":10000001,"prf":"hmac-sha256""#)] {
        let t0 = Date()
        #expect(throws: (any Error).self) { _ = try Web3SecretStorage.decrypt(json: file(kdf, params), password: pw) }
        #expect(Date().timeIntervalSince(t0) < 0.5, "\(kdf) \(params)")
    }
}
