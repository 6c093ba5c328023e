// 口令派生：PBKDF2（BIP-39、SLIP-39、Web3 v3）与 scrypt（keystore KEK、操作员口令）。都走 OpenSSL。
import COpenSSL

public enum KDFError: Error, Equatable, Sendable {
    case invalidParameters(String)
    case failed
}

public enum KDF {
    public enum PRF: Sendable { case sha256, sha512 }

    /// PBKDF2-HMAC（RFC 8018）。口令是机密，调用方传 SecretBytes。
    public static func pbkdf2(password: SecretBytes, salt: [UInt8], iterations: Int, keyLength: Int, prf: PRF)
        throws -> SecretBytes
    {
        guard iterations > 0, keyLength > 0 else { throw KDFError.invalidParameters("iterations/keyLength 必须为正") }
        let out = SecretBytes(count: keyLength)
        let md = prf == .sha256 ? EVP_sha256() : EVP_sha512()
        let ok = password.withUnsafeBytes { p in
            out.withUnsafeMutableBytes { o in
                PKCS5_PBKDF2_HMAC(p.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(p.count),
                                  salt, Int32(salt.count), Int32(iterations), md, Int32(keyLength),
                                  o.baseAddress?.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard ok == 1 else { throw KDFError.failed }
        return out
    }

    /// scrypt（RFC 7914）。N 必须是 2 的幂；OpenSSL 默认只允许 32 MiB，这里按 128·N·r·p 加余量显式放宽 maxmem。
    public static func scrypt(password: SecretBytes, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, keyLength: Int)
        throws -> SecretBytes
    {
        guard n > 1, n & (n - 1) == 0 else { throw KDFError.invalidParameters("scrypt N 必须是大于 1 的 2 的幂") }
        guard r > 0, p > 0, keyLength > 0 else { throw KDFError.invalidParameters("scrypt r/p/长度必须为正") }
        guard n <= 1 << 22, r <= 32, p <= 16 else { throw KDFError.invalidParameters("scrypt 参数过大（防止耗尽内存）") }
        let maxmem = 128 * n * r * p + 128 * r * p + (64 << 20)
        let out = SecretBytes(count: keyLength)
        let ok = password.withUnsafeBytes { pw in
            out.withUnsafeMutableBytes { o in
                EVP_PBE_scrypt(pw.baseAddress?.assumingMemoryBound(to: CChar.self), pw.count,
                               salt, salt.count, n, r, p, maxmem,
                               o.baseAddress?.assumingMemoryBound(to: UInt8.self), keyLength)
            }
        }
        guard ok == 1 else { throw KDFError.failed }
        return out
    }
}

/// scrypt 参数（RFC 7914）。全项目一个类型：密钥库文件（随文件保存，默认 N=2^17）与操作员口令哈希（默认 N=2^15）共用。
public struct ScryptParams: Codable, Sendable, Equatable {
    public var n: UInt64
    public var r: UInt64
    public var p: UInt64
    public init(n: UInt64, r: UInt64 = 8, p: UInt64 = 1) { self.n = n; self.r = r; self.p = p }
    /// 密钥库 KEK 派生的默认值（约 0.3 s、128 MiB：一年只解封几次，越慢越好）。
    public static let standard = ScryptParams(n: 1 << 17, r: 8, p: 1)
    /// 操作员口令哈希的默认值（约 35 ms、32 MiB：每次登录都要算）。
    public static let production = ScryptParams(n: 1 << 15)
}
