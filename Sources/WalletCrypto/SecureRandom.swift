// 全项目唯一的随机数入口。密钥材料、nonce、盐、抽查题位置都只能从这里来。
// 为什么用 OpenSSL RAND_bytes：NIST SP 800-90A CTR-DRBG，由内核 getrandom(2) 播种并在 fork 后自动重新播种。
// CI 有检查：Sources/ 里出现其他随机源即失败（见 Tests/WalletCryptoTests/RandomSourceAuditTests.swift）。
import COpenSSL

public enum SecureRandomError: Error, Sendable {
    case systemFailure(code: UInt)
}

public enum SecureRandom {
    /// 用内核 CSPRNG 填满缓冲区。失败时抛错而不是退化到弱随机源。
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress else { return }
        var filled = 0
        while filled < buffer.count {
            let want = min(1 << 20, buffer.count - filled)
            guard RAND_bytes(base.advanced(by: filled).assumingMemoryBound(to: UInt8.self), Int32(want)) == 1 else {
                throw SecureRandomError.systemFailure(code: ERR_get_error())
            }
            filled += want
        }
    }

    /// 返回 `count` 个随机字节（非机密用途，例如 nonce、盐）。
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { try fill($0) }
        return out
    }

    /// 机密随机字节：直接写入 SecretBytes，不经过普通数组。
    public static func secret(_ count: Int) throws -> SecretBytes {
        let s = SecretBytes(count: count)
        try s.withUnsafeMutableBytes { try fill($0) }
        return s
    }

    /// [0, upperBound) 内均匀分布的整数（拒绝采样，无取模偏差）。
    public static func uniform(_ upperBound: UInt64) throws -> UInt64 {
        precondition(upperBound > 0)
        let limit = UInt64.max - UInt64.max % upperBound
        while true {
            var v: UInt64 = 0
            try withUnsafeMutableBytes(of: &v) { try fill($0) }
            if v < limit { return v % upperBound }
        }
    }
}
