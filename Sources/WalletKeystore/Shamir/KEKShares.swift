// 解封密钥的 Shamir 份额（Vault 风格：GF(256)，随机非零 x 坐标，t-of-n）。
// 文本格式：wcks1-<x:2hex>-<y:hex>-<校验:8hex>；校验 = SHA-256("wcks-share"‖keystoreId‖x‖y) 前 4 字节，
// 既防抄错，也能在提交时就拒绝别的 keystore 的份额。
import WalletCrypto

enum KEKShares {
    static func mul(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return GF256.exp[(GF256.log[Int(a)] + GF256.log[Int(b)]) % 255]
    }

    static func checksum(keystoreId: String, x: UInt8, y: [UInt8]) -> [UInt8] {
        Array(Hash.sha256(Array("wcks-share".utf8) + Array(keystoreId.utf8) + [x] + y).prefix(4))
    }

    /// 拆分：每个字节独立取 t-1 次随机多项式，常数项为秘密字节。
    /// 份额文本直接组装成字节（SecretBytes），从不经过 Swift String（String 的存储无法清零）。
    static func split(_ secret: SecretBytes, threshold t: Int, count n: Int, keystoreId: String) throws -> [SecretBytes] {
        guard t >= 1, t <= n, n <= 16 else { throw ShamirError.invalidThreshold(threshold: t, count: n) }
        guard t >= 2 || n == 1 else { throw ShamirError.invalidThreshold(threshold: t, count: n) }
        // 互不相同的随机非零 x 坐标
        var xs: [UInt8] = []
        while xs.count < n {
            let x = UInt8(try SecureRandom.uniform(255) + 1)
            if !xs.contains(x) { xs.append(x) }
        }
        var coeffs = try SecureRandom.bytes(secret.count * max(t - 1, 0))
        defer { SecretBytes.wipe(&coeffs) }
        var out: [SecretBytes] = []
        var s = secret.unsafeArray()
        defer { SecretBytes.wipe(&s) }
        for x in xs {
            var y = [UInt8](repeating: 0, count: s.count)
            for i in 0..<s.count {
                // Horner：a_{t-1} x^{t-1} + … + a_1 x + s
                var acc: UInt8 = 0
                for k in stride(from: t - 2, through: 0, by: -1) { acc = mul(acc, x) ^ coeffs[i * (t - 1) + k] }
                y[i] = mul(acc, x) ^ s[i]
            }
            var text = Array("wcks1-".utf8) + asciiHex([x]) + [0x2d] + asciiHex(y) + [0x2d] + asciiHex(checksum(keystoreId: keystoreId, x: x, y: y))
            out.append(SecretBytes(text))
            SecretBytes.wipe(&text)
            SecretBytes.wipe(&y)
        }
        return out
    }

    static func asciiHex(_ b: [UInt8]) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count * 2)
        for v in b { out.append(digits[Int(v >> 4)]); out.append(digits[Int(v & 0x0f)]) }
        return out
    }

    /// 解析一份份额文本并核对它属于此 keystore。
    static func parse(_ text: SecretBytes, keystoreId: String) throws -> GF256.RawShare {
        let str = String(decoding: text.unsafeArray(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = str.split(separator: "-").map(String.init)
        guard parts.count == 4, parts[0] == "wcks1", let xb = try? Hex.decode(parts[1]), xb.count == 1, xb[0] != 0,
              let y = try? Hex.decode(parts[2]), y.count == 32, let c = try? Hex.decode(parts[3]), c.count == 4
        else { throw KeystoreError.invalidShare("应形如 wcks1-xx-<64 位十六进制>-<8 位校验> / expected wcks1-xx-<64 hex>-<8 hex>") }
        guard checksum(keystoreId: keystoreId, x: xb[0], y: y) == c else {
            throw KeystoreError.invalidShare("校验失败：抄错了或不是本 keystore 的份额 / checksum mismatch: mistyped or from another keystore")
        }
        return GF256.RawShare(x: xb[0], data: y)
    }

    static func combine(_ shares: [GF256.RawShare]) throws -> SecretBytes {
        var v = try GF256.interpolate(shares, at: 0)
        return SecretBytes(consuming: &v)
    }
}

import Foundation
