import Testing
import WalletCrypto
import WalletKeys
@testable import WalletLedger

// EIP-55 向量：摘自 ethereum/EIPs EIPS/eip-55.md「Test Cases」（commit 939395ba，见 /work/shared/vectors/SOURCE.md）。
let eip55Valid = [
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]

@Test func eip55ValidationFollowsTheSpecVectors() throws {
    let v = AddressValidator.eip55
    for a in eip55Valid {
        #expect(try v.canonical(a) == a.lowercased())
        // 翻转任一字母的大小写都必须失败（全大写/全小写组除外：它们不带校验信息）。
        let body = Array(a.dropFirst(2))
        let mixed = body.contains { $0.isLowercase } && body.contains { $0.isUppercase }
        guard mixed, let i = body.firstIndex(where: { $0.isLetter }) else { continue }
        var flipped = body
        flipped[i] = Character(flipped[i].isUppercase ? flipped[i].lowercased() : flipped[i].uppercased())
        #expect(throws: LedgerError.badChecksum("0x" + String(flipped))) { try v.canonical("0x" + String(flipped)) }
    }
}

@Test func xpubDeriverMatchesKnownAddressAndIndependentPath() throws {
    // 广为使用的测试助记词 "abandon ×11 about"，m/44'/60'/0'/0/0 = 0x9858EfFD232B4033E47d90003D41EC34EcaEda94
    // （MetaMask / ethers.js 测试中的公认结果）。
    let phrase = SecretBytes(Array("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about".utf8))
    let master = try ExtendedPrivateKey(seed: try BIP39.seed(mnemonic: phrase))
    // 主机上放的是外部链节点 m/44'/60'/0'/0 的 xpub；第 i 个地址 = xpub/i，完整路径 = m/44'/60'/0'/0/i。
    let account = try master.derive(path: try DerivationPath(string: "m/44'/60'/0'")).extendedPublicKey
    let external = try account.child(0)
    let d = try XpubDepositAddressDeriver(xpub: external.serialized)
    let (a0, p0) = try d.derive(index: 0)
    #expect(a0 == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
    #expect(p0 == "m/44'/60'/0'/0/0")
    for i: UInt32 in [1, 2, 77, 1000] {
        let viaChild = try EthereumAddress(publicKey: try account.child(0).child(i).publicKey).checksummed
        #expect(try d.derive(index: i).address == viaChild)
    }
    // 通过账本设置写入 xpub → address assign 用真实派生。
    let env = try Fixture.env()
    env.ledger.deriver = nil
    #expect(throws: LedgerError.self) { try env.ledger.setDepositXpub("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi") }
    // 路径与 xpub 深度不符（把外部链 xpub 说成账户级）→ 拒绝：否则落库的路径是假的，归集会用错私钥。
    #expect(throws: LedgerError.self) { try env.ledger.setDepositXpub(external.serialized, xpubPath: "m/44'/60'/0'") }
    try env.ledger.setDepositXpub(external.serialized)
    let r = try env.ledger.assignAddress(user: "u9", asset: "ETH")
    // 已分配地址后，同一个 xpub 换个路径（深度与子索引都合法）也不行：落库的路径会与真实派生不符。
    #expect(throws: LedgerError.self) { try env.ledger.setDepositXpub(external.serialized, xpubPath: "m/44'/60'/1'/0") }
    #expect(r.address == "0x9858effd232b4033e47d90003d41ec34ecaeda94" && r.index == 0)
    // 重新打开数据库：派生器从 settings 恢复。
    let reopened = Ledger(store: try Fixture.reopen(env.path))
    #expect(try reopened.assignAddress(user: "u10", asset: "ETH").address == (try d.derive(index: 1).address.lowercased()))
}
