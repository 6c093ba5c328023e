// GF(2^8) 上的 Shamir 秘密分享（多项式 x^8+x^4+x^3+x+1，与 SLIP-39 / Vault 相同的域）。
// 逐字节独立插值；对数/指数表在加载时计算一次（表查找与秘密值相关，但这里只在离线仪式/解封时使用）。
import WalletCrypto

enum GF256 {
    static let (exp, log): ([UInt8], [Int]) = {
        var exp = [UInt8](repeating: 0, count: 255)
        var log = [Int](repeating: 0, count: 256)
        var poly = 1
        for i in 0..<255 {
            exp[i] = UInt8(poly)
            log[poly] = i
            poly = (poly << 1) ^ poly  // 乘以生成元 x+1
            if poly & 0x100 != 0 { poly ^= 0x11B }
        }
        return (exp, log)
    }()

    struct RawShare {
        var x: UInt8
        var data: [UInt8]
    }

    /// 给定 (x_i, f(x_i)) 求 f(x)（拉格朗日插值）。x 坐标必须互不相同、长度一致。
    static func interpolate(_ shares: [RawShare], at x: UInt8) throws -> [UInt8] {
        let xs = Set(shares.map(\.x))
        guard xs.count == shares.count else { throw ShamirError.duplicateIndex }
        guard let len = shares.first?.data.count, shares.allSatisfy({ $0.data.count == len }) else {
            throw ShamirError.lengthMismatch
        }
        if let hit = shares.first(where: { $0.x == x }) { return hit.data }
        let logProd = shares.reduce(0) { $0 + log[Int($1.x ^ x)] }
        var result = [UInt8](repeating: 0, count: len)
        for s in shares {
            var lb = logProd - log[Int(s.x ^ x)]
            for o in shares where o.x != s.x { lb -= log[Int(s.x ^ o.x)] }
            lb = ((lb % 255) + 255) % 255
            for i in 0..<len where s.data[i] != 0 {
                result[i] ^= exp[(log[Int(s.data[i])] + lb) % 255]
            }
        }
        return result
    }
}

public enum ShamirError: WalletError, Equatable {
    case duplicateIndex
    case lengthMismatch
    case invalidThreshold(threshold: Int, count: Int)
    case tooFewShares(have: Int, need: Int)
    case digestMismatch
    case malformedShare(String)

    public var code: String {
        switch self {
        case .duplicateIndex: return "shamir.duplicate_index"
        case .lengthMismatch: return "shamir.length_mismatch"
        case .invalidThreshold: return "shamir.invalid_threshold"
        case .tooFewShares: return "shamir.too_few_shares"
        case .digestMismatch: return "shamir.digest_mismatch"
        case .malformedShare: return "shamir.malformed_share"
        }
    }

    public func message(_ lang: Language) -> String {
        switch (self, lang) {
        case (.duplicateIndex, .zh): return "同一份额被提交了两次（份额编号重复）。请换一位持有人的份额。"
        case (.duplicateIndex, .en): return "the same share was given twice (duplicate index). Use another holder's share."
        case (.lengthMismatch, .zh): return "份额长度不一致：它们不属于同一个秘密。"
        case (.lengthMismatch, .en): return "share lengths differ: they do not belong to the same secret."
        case let (.invalidThreshold(t, n), .zh): return "阈值 \(t)-of-\(n) 无效：需要 1 ≤ T ≤ N ≤ 16（T=1 时 N 必须为 1）。"
        case let (.invalidThreshold(t, n), .en): return "threshold \(t)-of-\(n) is invalid: need 1 ≤ T ≤ N ≤ 16 (N must be 1 when T=1)."
        case let (.tooFewShares(h, n), .zh): return "份额不足：已有 \(h) 份，需要 \(n) 份。"
        case let (.tooFewShares(h, n), .en): return "not enough shares: have \(h), need \(n)."
        case (.digestMismatch, .zh): return "份额组合后校验失败：至少有一份是错的或属于别的秘密。"
        case (.digestMismatch, .en): return "combined shares fail the digest check: at least one share is wrong or from another secret."
        case let (.malformedShare(w), .zh): return "份额格式错误：\(w)"
        case let (.malformedShare(w), .en): return "malformed share: \(w)"
        }
    }
}
