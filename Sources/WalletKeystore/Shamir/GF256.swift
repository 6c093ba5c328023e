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

public enum ShamirError: WalletErrorConvertible, Equatable {
    case duplicateIndex
    case lengthMismatch
    case invalidThreshold(threshold: Int, count: Int)
    case tooFewShares(have: Int, need: Int)
    case digestMismatch
    case malformedShare(String)

    /// 码、中英文说明与类别（true = 输入错误，退出码 2）写在同一个 case 里。
    public var walletError: WalletError {
        switch self {
        case .duplicateIndex:
            return WalletError("shamir.duplicate_index", zh: "同一份额被提交了两次（份额编号重复）。请换一位持有人的份额。",
                               en: "the same share was given twice (duplicate index). Use another holder's share.", badInput: true)
        case .lengthMismatch:
            return WalletError("shamir.length_mismatch", zh: "份额长度不一致：它们不属于同一个秘密。",
                               en: "share lengths differ: they do not belong to the same secret.", badInput: true)
        case let .invalidThreshold(t, n):
            return WalletError("shamir.invalid_threshold", zh: "阈值 \(t)-of-\(n) 无效：需要 1 ≤ T ≤ N ≤ 16（T=1 时 N 必须为 1）。",
                               en: "threshold \(t)-of-\(n) is invalid: need 1 ≤ T ≤ N ≤ 16 (N must be 1 when T=1).", badInput: true)
        case let .tooFewShares(h, n):
            return WalletError("shamir.too_few_shares", zh: "份额不足：已有 \(h) 份，需要 \(n) 份。",
                               en: "not enough shares: have \(h), need \(n).", badInput: true)
        case .digestMismatch:
            return WalletError("shamir.digest_mismatch", zh: "份额组合后校验失败：至少有一份是错的或属于别的秘密。",
                               en: "combined shares fail the digest check: at least one share is wrong or from another secret.", badInput: true)
        case let .malformedShare(w):
            return WalletError("shamir.malformed_share", zh: "份额格式错误：\(BilingualText.split(w).zh)",
                               en: "malformed share: \(BilingualText.split(w).en)", badInput: true)
        }
    }
}
