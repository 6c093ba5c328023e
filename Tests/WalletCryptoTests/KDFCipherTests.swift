import Testing
@testable import WalletCrypto

@Suite struct KDFCipherTests {
    // RFC 7914 §12 第二组向量："password" / "NaCl", N=1024, r=8, p=16, dkLen=64
    @Test func scryptRFC7914() throws {
        let dk = try KDF.scrypt(password: SecretBytes(Array("password".utf8)), salt: Array("NaCl".utf8),
                                n: 1024, r: 8, p: 16, keyLength: 64)
        #expect(dk.unsafeArray().hex == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    // RFC 6070 的思路，SHA-256 版本（常用的公开向量）："password"/"salt", c=2, dkLen=32
    @Test func pbkdf2SHA256() throws {
        let dk = try KDF.pbkdf2(password: SecretBytes(Array("password".utf8)), salt: Array("salt".utf8),
                                iterations: 2, keyLength: 32, prf: .sha256)
        #expect(dk.unsafeArray().hex == "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
    }

    @Test func gcmRoundTripAndTamper() throws {
        let key = try SecureRandom.secret(32)
        let msg = SecretBytes(Array("种子 seed".utf8))
        let sealed = try AESGCM.seal(msg, key: key, associatedData: [1, 2, 3])
        #expect(try AESGCM.open(sealed, key: key, associatedData: [1, 2, 3]) == msg)
        #expect(throws: CipherError.authenticationFailed) { try AESGCM.open(sealed, key: key, associatedData: [1, 2, 4]) }
        var bad = sealed
        bad.ciphertext[0] ^= 1
        #expect(throws: CipherError.authenticationFailed) { try AESGCM.open(bad, key: key, associatedData: [1, 2, 3]) }
        let s2 = try AESGCM.seal(msg, key: key, associatedData: [])
        #expect(s2.nonce != sealed.nonce)
    }

    @Test func secretBytesIsRedacted() {
        let s = SecretBytes([0xde, 0xad, 0xbe, 0xef])
        #expect(!"\(s)".contains("de"))
        #expect(!String(reflecting: s).contains("222"))
        var dumped = ""
        dump(s, to: &dumped)
        #expect(!dumped.contains("222") && !dumped.contains("dead"))
    }
}
