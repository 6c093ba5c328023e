import COpenSSL
import Testing
@testable import WalletCrypto

// 已知答案：以太坊黄皮书/各客户端公认的 Keccak-256 值。
@Test func keccakKnownAnswers() throws {
    #expect(Keccak.keccak256([]).hex == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    #expect(Keccak.keccak256(Array("abc".utf8)).hex == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    #expect(Keccak.keccak256(Array("The quick brown fox jumps over the lazy dog".utf8)).hex
        == "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
    // transfer(address,uint256) 的函数选择器
    #expect(Array(Keccak.keccak256(Array("transfer(address,uint256)".utf8)).prefix(4)).hex == "a9059cbb")
}

/// 同一海绵换成 SHA3 的域分隔（0x06）后必须与 OpenSSL 的 SHA3-256 完全一致：覆盖块边界（135/136/137、多块、长输入）。
@Test func spongeMatchesOpenSSLSHA3AcrossLengths() throws {
    var lengths = Array(0...300)
    lengths += [407, 408, 409, 543, 544, 545, 1000, 4096, 100_000]
    for n in lengths {
        let input = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var ours = [UInt8](repeating: 0, count: 32)
        input.withUnsafeBytes { i in ours.withUnsafeMutableBytes { Keccak.sponge256(i, domain: 0x06, into: $0.baseAddress!) } }
        var ref = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        _ = input.withUnsafeBytes { d in EVP_Digest(d.baseAddress, d.count, &ref, &len, EVP_sha3_256(), nil) }
        #expect(ours == ref, "长度 \(n)")
    }
}

@Test func keccakLongInputIsNotSHA3() {
    let input = [UInt8](repeating: 0x61, count: 1_000_000)
    let k = Keccak.keccak256(input)
    #expect(k.count == 32)
    var ref = [UInt8](repeating: 0, count: 32)
    var len: UInt32 = 0
    _ = input.withUnsafeBytes { d in EVP_Digest(d.baseAddress, d.count, &ref, &len, EVP_sha3_256(), nil) }
    #expect(k != ref)
}
