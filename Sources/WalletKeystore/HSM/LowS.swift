// ECDSA low-S 规范化（以太坊 EIP-2 / 比特币 BIP-62 要求 s ≤ n/2）。HSM 的 CKM_ECDSA 不保证这一点。
import WalletCrypto

public enum ECDSANormalize {
    /// secp256k1 群阶 n。
    public static let order = try! UInt256(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    public static let halfOrder = order.quotientAndRemainder(dividingBy: UInt256(2)).quotient

    /// 若 s > n/2 则换成 n − s；返回 (新 s, 是否翻转)。翻转 s 等价于把恢复 id 的奇偶翻转。
    public static func lowS(_ s: [UInt8]) throws -> (s: [UInt8], flipped: Bool) {
        let v = try UInt256(bigEndian: s)
        if v > halfOrder { return ((order - v).bigEndianBytes, true) }
        return (v.bigEndianBytes, false)
    }

    public static func isLowS(_ s: [UInt8]) -> Bool {
        guard let v = try? UInt256(bigEndian: s) else { return false }
        return !v.isZero && v <= halfOrder
    }
}
