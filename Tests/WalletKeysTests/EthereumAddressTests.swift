import Testing
import WalletCrypto
@testable import WalletKeys

@Test func eip55OfficialVectors() throws {
    let root = try Fixture.json("eip55_vectors.json") as! [String: Any]
    let cases = root["cases"] as! [[String: String]]
    #expect(cases.count >= 8)
    for c in cases {
        let good = c["checksummed"]!
        #expect(try EthereumAddress(string: c["lowercase"]!).checksummed == good)
        #expect(try EthereumAddress(string: c["uppercase_hex"]!).checksummed == good)
        #expect(try EthereumAddress(string: good).checksummed == good)
        // 翻转任一字母的大小写都必须被拒绝（只要仍是大小写混合）
        let chars = Array(good.dropFirst(2))
        for (i, ch) in chars.enumerated() where ch.isLetter {
            var m = chars
            m[i] = ch.isUppercase ? Character(ch.lowercased()) : Character(ch.uppercased())
            let s = "0x" + String(m)
            let body = String(m)
            guard body.contains(where: { $0.isLowercase }) && body.contains(where: { $0.isUppercase }) else { continue }
            #expect(throws: AddressError.self) { try EthereumAddress(string: s) }
        }
    }
}

@Test func addressFromPublicKey() throws {
    // EIP-155 示例私钥 0x46…46 对应地址 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F（广为引用）
    let sk = SecretBytes([UInt8](repeating: 0x46, count: 32))
    let pub = try Secp256k1.publicKey(privateKey: sk, compressed: true)
    let a = try EthereumAddress(publicKey: pub)
    #expect(a.checksummed == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
    #expect(try EthereumAddress(publicKey: Secp256k1.decompress(pub)) == a)
}

@Test func malformedAddresses() {
    for s in ["", "0x", "0x123", "0xzz08400098527886E0F7030069857D2E4169EE7", "52908400098527886E0F7030069857D2E4169EE7aa"] {
        #expect(throws: AddressError.self) { try EthereumAddress(string: s) }
    }
}
