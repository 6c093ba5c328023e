import Foundation
import Testing
import WalletCrypto
@testable import WalletKeys

private let key46 = SecretBytes([UInt8](repeating: 0x46, count: 32))

/// EIP-155 文中的完整示例：签名数据、摘要、v/r/s、原始交易逐字节一致。
@Test func eip155OfficialExample() throws {
    let v = try Fixture.json("eip155_example.json") as! [String: Any]
    let t = v["tx"] as! [String: String]
    let tx = EthTransaction.legacy(chainId: UInt64(t["chainId"]!)!, nonce: UInt64(t["nonce"]!)!,
                                   gasPrice: try UInt256(decimal: t["gasPrice"]!), gasLimit: UInt64(t["gas"]!)!,
                                   to: try EthereumAddress(string: t["to"]!), value: try UInt256(decimal: t["value"]!))
    #expect("0x" + (try tx.signingPayload()).hex == v["signing_data_rlp"] as! String)
    #expect("0x" + (try tx.signingHash()).hex == v["signing_hash"] as! String)
    let pk = SecretBytes(try Hex.decode(v["private_key"] as! String))
    let signed = try tx.sign(privateKey: pk)
    #expect("0x" + signed.raw.hex == v["signed_raw_tx"] as! String)
    #expect(signed.v == UInt256(UInt64(v["v"] as! Int)))
    #expect("0x" + signed.r.hex == v["r_hex"] as! String)
    #expect("0x" + signed.s.hex == v["s_hex"] as! String)
    #expect(signed.from.checksummed == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
    let back = try SignedEthTransaction.decode(raw: signed.raw)
    #expect(back == signed)
}

/// EIP-1559 交易（含访问列表）与参考实现 eth-account 0.14.0 的输出逐字节一致（生成脚本见 docs/keys.md）。
@Test func eip1559MatchesReference() throws {
    let tx = EthTransaction.eip1559(
        chainId: 1, nonce: 7, maxPriorityFeePerGas: UInt256(2_000_000_000), maxFeePerGas: UInt256(100_000_000_000),
        gasLimit: 60000, to: try EthereumAddress(string: "0x3535353535353535353535353535353535353535"),
        value: try UInt256(decimal: "1000000000000000000"), data: [0xa9, 0x05, 0x9c, 0xbb],
        accessList: [AccessListEntry(address: try EthereumAddress(string: "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"),
                                     storageKeys: [[UInt8](repeating: 0, count: 31) + [1], [UInt8](repeating: 0xab, count: 32)])])
    let s = try tx.sign(privateKey: key46)
    #expect(s.raw.hex == "02f8d30107847735940085174876e80082ea60943535353535353535353535353535353535353535880de0b6b3a764000084a9059cbbf85bf859949d8a62f656a8d1615c1294fd71e9cfb3e4855a4ff842a00000000000000000000000000000000000000000000000000000000000000001a0abababababababababababababababababababababababababababababababab80a0b7e115aff1eae04df0d06275946046f346a2580d331616166845136e2d70af22a00c274e17a8d83d38c68db051c7c2edef0db314a2aa374f76630c5093a396b34a")
    #expect(s.hash.hex == "45db6e508315cbbf9365cda8747e5d948deb231d20e1a3600973496ce201cf58")
    #expect(s.yParity == 0 && s.v == .zero)
    #expect(try SignedEthTransaction.decode(raw: s.raw) == s)

    // 创建合约（to 为空）
    var c = tx
    c.to = nil; c.accessList = []; c.data = [0x60, 0x00]
    let cs = try c.sign(privateKey: key46)
    #expect(cs.raw.hex == "02f8610107847735940085174876e80082ea6080880de0b6b3a7640000826000c001a07c2e7648877c16884828c9acbc47eea6b27f00acc8529529bbb11cdaa29d1c2ba0366f9ecca09cc530be6fbd13e582c9bed2b3385232e0688555366d1e7aadc826")
    #expect(cs.hash.hex == "0e5a3ea8f47dfc2bc922abc02e3386821858d42b7c062e66db164945765dd0e8")
    #expect(try SignedEthTransaction.decode(raw: cs.raw).transaction.to == nil)
}

/// HSM 流程：外部对摘要签名（可能是高 S、无 recoveryId）→ 规范化 → 找 recoveryId → applying。
@Test func externalSignerFlow() throws {
    let tx = EthTransaction.eip1559(chainId: 5, nonce: 1, maxPriorityFeePerGas: UInt256(1), maxFeePerGas: UInt256(2),
                                    gasLimit: 21000, to: try EthereumAddress(string: "0x3535353535353535353535353535353535353535"),
                                    value: UInt256(1))
    let digest = try tx.signingHash()
    let sig = try Secp256k1.signRecoverable(digest32: digest, privateKey: key46)
    let pub = try Secp256k1.publicKey(privateKey: key46, compressed: true)
    // 模拟 HSM 的高 S：s' = n - s
    let highS = Secp256k1.normalizeLowS(r: sig.r, s: nMinus(sig.s)).s == sig.s ? nMinus(sig.s) : sig.s
    #expect(throws: EthTxError.self) { try tx.applying(signature: RecoverableSignature(r: sig.r, s: highS, recoveryId: 0)) }
    let (low, flipped) = Secp256k1.normalizeLowS(r: sig.r, s: highS)
    #expect(flipped)
    let recid = try Secp256k1.findRecoveryId(digest32: digest, r: sig.r, s: low, publicKey: pub)
    let signed = try tx.applying(signature: RecoverableSignature(r: sig.r, s: low, recoveryId: recid))
    #expect(signed == (try tx.sign(privateKey: key46)))
}

private func nMinus(_ s: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32); var borrow = 0
    for i in stride(from: 31, through: 0, by: -1) {
        var d = Int(Secp256k1.order[i]) - Int(s[i]) - borrow
        if d < 0 { d += 256; borrow = 1 } else { borrow = 0 }
        out[i] = UInt8(d)
    }
    return out
}

@Test func refusesPreEIP155() throws {
    var tx = EthTransaction.legacy(chainId: 1, nonce: 0, gasPrice: UInt256(1), gasLimit: 21000, to: nil, value: .zero)
    tx.chainId = nil
    #expect(throws: EthTxError.preEIP155) { try tx.sign(privateKey: key46) }
    tx.chainId = 0
    #expect(throws: EthTxError.preEIP155) { try tx.sign(privateKey: key46) }
}

/// 属性：随机私钥签名后解码，恢复的发送方就是签名者。
@Test func signDecodeRecoverProperty() throws {
    for i in 0..<30 {
        let sk = try SecureRandom.secret(32)
        guard Secp256k1.isValidPrivateKey(sk) else { continue }
        let me = try EthereumAddress(publicKey: Secp256k1.publicKey(privateKey: sk, compressed: true))
        let tx: EthTransaction = i % 2 == 0
            ? .legacy(chainId: UInt64(1 + i), nonce: UInt64(i), gasPrice: UInt256(UInt64(i) * 1000), gasLimit: 21000, to: me, value: UInt256(UInt64(i)))
            : .eip1559(chainId: 137, nonce: UInt64(i), maxPriorityFeePerGas: UInt256(1), maxFeePerGas: UInt256(UInt64(i)), gasLimit: 50000, to: nil, value: .zero, data: [UInt8(i)])
        let s = try tx.sign(privateKey: sk)
        let d = try SignedEthTransaction.decode(raw: s.raw)
        #expect(d.from == me)
        #expect(d.hash == s.hash)
    }
}

/// 模糊：随机字节与变异的合法交易只会报错或解码成功，绝不崩溃。
@Test func txDecodeFuzzNeverCrashes() throws {
    let base = try EthTransaction.eip1559(chainId: 1, nonce: 3, maxPriorityFeePerGas: UInt256(1), maxFeePerGas: UInt256(9),
                                          gasLimit: 21000, to: nil, value: UInt256(5)).sign(privateKey: key46).raw
    let legacy = try EthTransaction.legacy(chainId: 1, nonce: 3, gasPrice: UInt256(9), gasLimit: 21000, to: nil,
                                           value: UInt256(5)).sign(privateKey: key46).raw
    var state: UInt64 = 99
    func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 17 }
    var errors = 0
    for i in 0..<3000 {
        var d: [UInt8]
        switch i % 3 {
        case 0: d = (0..<Int(next() % 120)).map { _ in UInt8(truncatingIfNeeded: next()) }
        case 1: d = base; d[Int(next() % UInt64(d.count))] ^= UInt8(truncatingIfNeeded: next() | 1)
        default: d = Array(legacy.prefix(Int(next() % UInt64(legacy.count))))
        }
        do { _ = try SignedEthTransaction.decode(raw: d) } catch is any WalletErrorConvertible { errors += 1 } catch { Issue.record("非 WalletError：\(error)") }
    }
    #expect(errors > 2000)
}
