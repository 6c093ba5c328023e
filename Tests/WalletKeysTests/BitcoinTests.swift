import Testing
import WalletCrypto
@testable import WalletKeys

/// BIP-173 / BIP-350 官方向量。
@Test func bech32OfficialVectors() throws {
    let v = try Fixture.json("bech32_vectors.json") as! [String: Any]
    for s in v["valid_bech32"] as! [String] { #expect(try Bech32.decode(s).variant == .bech32, "\(s)") }
    for s in v["valid_bech32m"] as! [String] { #expect(try Bech32.decode(s).variant == .bech32m, "\(s)") }
    for d in v["invalid_bech32"] as! [[String: String]] {
        let s = d["string"]!
        if let r = try? Bech32.decode(s) { #expect(r.variant != .bech32, "\(d["reason"]!)") }
    }
    for d in v["invalid_bech32m"] as! [[String: String]] {
        let s = d["string"]!
        if let r = try? Bech32.decode(s) { #expect(r.variant != .bech32m, "\(d["reason"]!)") }
    }
    for d in v["segwit_valid"] as! [[String: Any]] {
        let addr = d["address"] as! String
        let hrp = try Bech32.decode(addr).hrp
        let (ver, prog) = try Bech32.decodeSegwit(hrp: hrp, addr)
        let op: UInt8 = ver == 0 ? 0 : 0x50 + ver
        #expect(([op, UInt8(prog.count)] + prog).hex == d["scriptpubkey_hex"] as! String)
        #expect(try Bech32.encodeSegwit(hrp: hrp, version: ver, program: prog) == addr.lowercased())
    }
    for d in v["segwit_invalid"] as! [[String: String]] {
        let addr = d["address"]!
        for hrp in ["bc", "tb"] { #expect(throws: Bech32Error.self, "\(d["reason"]!)") { try Bech32.decodeSegwit(hrp: hrp, addr) } }
    }
    for d in v["invalid_address_encode"] as! [[String: Any]] {
        #expect(throws: Bech32Error.self) {
            try Bech32.encodeSegwit(hrp: d["hrp"] as! String, version: UInt8(d["witness_version"] as! Int),
                                    program: [UInt8](repeating: 0, count: d["program_length"] as! Int))
        }
    }
}

/// BIP-44/BIP-84 文本中的 "abandon … about" 例子与 WIF 的经典例子。
@Test func bitcoinAddressesAndWIF() throws {
    let m = SecretBytes(Array("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about".utf8))
    let master = try ExtendedPrivateKey(seed: BIP39.seed(mnemonic: m))
    let k44 = try master.derive(path: DerivationPath(string: "m/44'/0'/0'/0/0"))
    #expect(try BitcoinAddress.p2pkh(publicKey: k44.publicKey, network: .mainnet) == "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA")
    let k84 = try master.derive(path: DerivationPath(string: "m/84'/0'/0'/0/0"))
    #expect(try BitcoinAddress.p2wpkh(publicKey: k84.publicKey, network: .mainnet) == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
    #expect(try BitcoinAddress.wif(privateKey: k84.privateKey, network: .mainnet) == "KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d")
    let sk = SecretBytes(try Hex.decode("0C28FCA386C7A227600B2FE50B7CAE11EC86D3BF1FBE471BE89827E19D72AA1D"))
    let wif = try BitcoinAddress.wif(privateKey: sk, network: .mainnet)
    #expect(wif == "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617")
    let back = try BitcoinAddress.parseWIF(wif)
    #expect(back.privateKey == sk && back.compressed && back.network == .mainnet)
    #expect(try BitcoinAddress.parseWIF("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ").compressed == false)
}
