// 以太坊 Keccak-256：原始 Keccak 提交版本的填充 0x01（NIST SHA3-256 用 0x06），因此与 SHA3-256 结果不同。
// OpenSSL 3.0 没有这个变体，只能自写 Keccak-f[1600]（FIPS 202 第 3 节的 θ ρ π χ ι 五步）。

public enum Keccak {
    static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    // π 置换后的目标下标与 ρ 旋转量（按 lane 遍历顺序展开）
    static let piLane: [Int] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]
    static let rhoRot: [UInt64] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]

    /// Keccak-f[1600] 置换，原地作用于 25 个 lane。
    @inline(__always)
    static func permute(_ a: UnsafeMutablePointer<UInt64>) {
        roundConstants.withUnsafeBufferPointer { rc in
        piLane.withUnsafeBufferPointer { pl in
        rhoRot.withUnsafeBufferPointer { rr in
            for round in 0..<24 {
                // θ
                let c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
                let c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
                let c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
                let c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
                let c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
                let d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1)
                let d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1)
                var x = 0
                while x < 25 {
                    a[x] ^= d0; a[x + 1] ^= d1; a[x + 2] ^= d2; a[x + 3] ^= d3; a[x + 4] ^= d4
                    x += 5
                }
                // ρ 与 π
                var t = a[1]
                for i in 0..<24 {
                    let j = pl[i]
                    let tmp = a[j]
                    a[j] = rotl(t, rr[i])
                    t = tmp
                }
                // χ
                var y = 0
                while y < 25 {
                    let b0 = a[y], b1 = a[y + 1], b2 = a[y + 2], b3 = a[y + 3], b4 = a[y + 4]
                    a[y] = b0 ^ (~b1 & b2)
                    a[y + 1] = b1 ^ (~b2 & b3)
                    a[y + 2] = b2 ^ (~b3 & b4)
                    a[y + 3] = b3 ^ (~b4 & b0)
                    a[y + 4] = b4 ^ (~b0 & b1)
                    y += 5
                }
                // ι
                a[0] ^= rc[round]
            }
        }}}
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 &- n)) }

    /// Keccak-256（以太坊地址、交易哈希、EIP-55 用的就是它）。
    public static func keccak256(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { keccak256(UnsafeRawBufferPointer($0)) }
    }

    public static func keccak256(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { keccak256(input, into: $0.baseAddress!) }
        return out
    }

    /// 写入调用方的 32 字节缓冲区（热路径不分配）。
    public static func keccak256(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        sponge256(input, domain: 0x01, into: out)
    }

    /// 与 SHA3-256 共用的海绵结构；只差域分隔字节。测试用 domain 0x06 对照 OpenSSL 的 SHA3-256，覆盖任意长度。
    static func sponge256(_ input: UnsafeRawBufferPointer, domain: UInt8, into out: UnsafeMutableRawPointer) {
        let rate = 136  // 1088 位 = 1600 - 2·256
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { st in
            let a = st.baseAddress!
            a.initialize(repeating: 0, count: 25)
            var offset = 0
            let n = input.count
            // 吸收完整块
            while n - offset >= rate {
                for i in 0..<(rate / 8) {
                    a[i] ^= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: offset + i * 8, as: UInt64.self))
                }
                permute(a)
                offset += rate
            }
            // 最后一块 + 填充（pad10*1，域分隔 0x01）
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rate) { blk in
                let b = blk.baseAddress!
                b.initialize(repeating: 0, count: rate)
                let rem = n - offset
                if rem > 0 { UnsafeMutableRawPointer(b).copyMemory(from: input.baseAddress! + offset, byteCount: rem) }
                b[rem] ^= domain
                b[rate - 1] ^= 0x80
                let raw = UnsafeRawPointer(b)
                for i in 0..<(rate / 8) {
                    a[i] ^= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                }
            }
            permute(a)
            for i in 0..<4 {
                out.storeBytes(of: a[i].littleEndian, toByteOffset: i * 8, as: UInt64.self)
            }
        }
    }
}
