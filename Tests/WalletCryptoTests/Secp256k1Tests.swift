import Testing
@testable import WalletCrypto

private func key(_ hex: String) -> SecretBytes { SecretBytes(try! Hex.decode(hex)) }

@Test func publicKeyOfOne() throws {
    var one = [UInt8](repeating: 0, count: 32); one[31] = 1
    let pub = try Secp256k1.publicKey(privateKey: SecretBytes(one), compressed: true)
    #expect(pub.hex == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    let un = try Secp256k1.decompress(pub)
    #expect(un.count == 65 && un[0] == 4)
    #expect(try Secp256k1.compress(un) == pub)
}

@Test func privateKeyRange() {
    #expect(!Secp256k1.isValidPrivateKey([UInt8](repeating: 0, count: 32)))
    #expect(!Secp256k1.isValidPrivateKey(Secp256k1.order))
    #expect(!Secp256k1.isValidPrivateKey([UInt8](repeating: 1, count: 31)))
    var nMinus1 = Secp256k1.order; nMinus1[31] -= 1
    #expect(Secp256k1.isValidPrivateKey(nMinus1))
}

@Test func signRecoverVerifyRoundTrip() throws {
    for i in 0..<50 {
        let sk = try SecureRandom.secret(32)
        guard Secp256k1.isValidPrivateKey(sk) else { continue }
        let digest = Keccak.keccak256([UInt8(i)])
        let sig = try Secp256k1.signRecoverable(digest32: digest, privateKey: sk)
        let pub = try Secp256k1.publicKey(privateKey: sk, compressed: false)
        #expect(try Secp256k1.recover(digest32: digest, signature: sig) == pub)
        #expect(Secp256k1.verify(digest32: digest, signature: sig, publicKey: pub))
        // 低 S
        #expect(Secp256k1.compareBE(sig.s, Secp256k1.halfOrder) <= 0)
        #expect(Secp256k1.normalizeLowS(r: sig.r, s: sig.s).flipped == false)
        // 确定性（RFC 6979）
        #expect(try Secp256k1.signRecoverable(digest32: digest, privateKey: sk) == sig)
        // 高 S 版本：规范化后复原，recoveryId 找回
        let (flippedS, flipped) = Secp256k1.normalizeLowS(r: sig.r, s: subtract(Secp256k1.order, sig.s))
        #expect(flipped && flippedS == sig.s)
        #expect(try Secp256k1.findRecoveryId(digest32: digest, r: sig.r, s: sig.s, publicKey: pub) == sig.recoveryId)
        // 篡改摘要后验证失败
        var bad = digest; bad[0] ^= 1
        #expect(!Secp256k1.verify(digest32: bad, signature: sig, publicKey: pub))
    }
}

private func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32); var borrow = 0
    for i in stride(from: 31, through: 0, by: -1) {
        var d = Int(a[i]) - Int(b[i]) - borrow
        if d < 0 { d += 256; borrow = 1 } else { borrow = 0 }
        out[i] = UInt8(d)
    }
    return out
}

@Test func tweakAddConsistency() throws {
    let sk = key("e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35")
    let tweak = Keccak.keccak256(Array("tweak".utf8))
    let child = try Secp256k1.privateTweakAdd(privateKey: sk, tweak: tweak)
    let pub = try Secp256k1.publicKey(privateKey: sk, compressed: true)
    #expect(try Secp256k1.publicTweakAdd(publicKey: pub, tweak: tweak) == Secp256k1.publicKey(privateKey: child, compressed: true))
    #expect(throws: Secp256k1Error.self) { try Secp256k1.privateTweakAdd(privateKey: sk, tweak: Secp256k1.order) }
}

@Test func rejectsBadInputs() {
    #expect(throws: Secp256k1Error.self) { try Secp256k1.compress([0x02] + [UInt8](repeating: 0xff, count: 32)) }
    #expect(throws: Secp256k1Error.self) {
        try Secp256k1.recover(digest32: [UInt8](repeating: 1, count: 32),
                              signature: RecoverableSignature(r: [UInt8](repeating: 0, count: 32), s: [UInt8](repeating: 1, count: 32), recoveryId: 0))
    }
    #expect(throws: Secp256k1Error.self) { try Secp256k1.signRecoverable(digest32: [1, 2], privateKey: SecretBytes([UInt8](repeating: 1, count: 32))) }
}
