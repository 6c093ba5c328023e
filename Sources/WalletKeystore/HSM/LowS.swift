// ECDSA low-S 规范化（以太坊 EIP-2 / 比特币 BIP-62 要求 s ≤ n/2）。HSM 的 CKM_ECDSA 不保证这一点。
// 算法只有一份，在 WalletCrypto 的 Secp256k1.normalizeLowS；这里是密钥库测试与诊断用的薄包装。
import WalletCrypto

public enum ECDSANormalize {
    /// secp256k1 群阶 n。
    public static let order = try! UInt256(bigEndian: Secp256k1.order)

    /// 若 s > n/2 则换成 n − s；返回 (新 s, 是否翻转)。翻转 s 等价于把恢复 id 的奇偶翻转。
    public static func lowS(_ s: [UInt8]) throws -> (s: [UInt8], flipped: Bool) {
        let fixed = try UInt256(bigEndian: s).bigEndianBytes  // 统一成 32 字节；超过 256 位抛错
        return Secp256k1.normalizeLowS(r: [], s: fixed)
    }

    public static func isLowS(_ s: [UInt8]) -> Bool {
        guard let v = try? UInt256(bigEndian: s), !v.isZero else { return false }
        return !Secp256k1.normalizeLowS(r: [], s: v.bigEndianBytes).flipped
    }
}
