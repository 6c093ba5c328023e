// 哈希与 HMAC：统一走 OpenSSL libcrypto（经过 FIPS/CAVP 验证的实现），本项目只自写 Keccak（OpenSSL 3.0 没有）。
import COpenSSL

public enum Hash {
    public static func sha256(_ data: [UInt8]) -> [UInt8] { digest(EVP_sha256(), data, 32) }
    public static func sha512(_ data: [UInt8]) -> [UInt8] { digest(EVP_sha512(), data, 64) }
    public static func ripemd160(_ data: [UInt8]) -> [UInt8] { digest(EVP_ripemd160(), data, 20) }
    /// Bitcoin 的 HASH160 = RIPEMD160(SHA256(x))。
    public static func hash160(_ data: [UInt8]) -> [UInt8] { ripemd160(sha256(data)) }
    /// 双 SHA-256（Base58Check 校验和）。
    public static func sha256d(_ data: [UInt8]) -> [UInt8] { sha256(sha256(data)) }

    public static func hmacSHA512(key: [UInt8], data: [UInt8]) -> [UInt8] {
        hmac(EVP_sha512(), key: key, data: data, 64)
    }

    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        hmac(EVP_sha256(), key: key, data: data, 32)
    }

    private static func digest(_ md: OpaquePointer?, _ data: [UInt8], _ size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var len: UInt32 = 0
        let ok = data.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { o in
                EVP_Digest(d.baseAddress, d.count, o.baseAddress?.assumingMemoryBound(to: UInt8.self), &len, md, nil)
            }
        }
        precondition(ok == 1 && Int(len) == size, "OpenSSL 摘要失败（库损坏？）")
        return out
    }

    private static func hmac(_ md: OpaquePointer?, key: [UInt8], data: [UInt8], _ size: Int)
        -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: size)
        var len: UInt32 = 0
        let r = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    HMAC(md, k.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(k.count),
                         d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                         o.baseAddress?.assumingMemoryBound(to: UInt8.self), &len)
                }
            }
        }
        precondition(r != nil && Int(len) == size, "OpenSSL HMAC 失败")
        return out
    }
}
