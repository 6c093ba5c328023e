// BIP-32 子密钥派生的热路径原语（CKDpub / CKDpriv 的一步）。
// 为了贴近 libsecp256k1 的物理极限：父公钥只解析一次、HMAC 密钥（链码）只设置一次、输出写入调用方缓冲区。
import COpenSSL
import CSecp256k1

/// 复用的 HMAC-SHA512 上下文（OpenSSL 3 EVP_MAC）：同一把密钥（父链码）反复计算时省掉 ipad/opad 的重新初始化。
public final class HMACSHA512 {
    // OpenSSL 3：fetch 得到的算法对象只读、可跨线程共享（每次计算各用自己的 ctx），所以这个全局常量不需要同步。
    nonisolated(unsafe) private static let mac: OpaquePointer = EVP_MAC_fetch(nil, "HMAC", nil)!
    private let ctx: OpaquePointer

    public init(key: [UInt8]) {
        ctx = EVP_MAC_CTX_new(HMACSHA512.mac)!
        let ok = "SHA512".withCString { name -> Int32 in
            var params = [OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: name), 0),
                          OSSL_PARAM_construct_end()]
            return key.withUnsafeBytes { EVP_MAC_init(ctx, $0.bindMemory(to: UInt8.self).baseAddress, key.count, &params) }
        }
        precondition(ok == 1, "OpenSSL HMAC 初始化失败")
    }

    deinit { EVP_MAC_CTX_free(ctx) }

    /// 计算 HMAC(key, data) 到 64 字节输出。
    @inline(__always)
    public func mac(_ data: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        var len = 0
        // key 传 nil 表示沿用已设置的密钥，只重置内部状态
        _ = EVP_MAC_init(ctx, nil, 0, nil)
        _ = EVP_MAC_update(ctx, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count)
        _ = EVP_MAC_final(ctx, out, &len, 64)
    }
}

/// 固定父公钥 + 链码的非硬化子公钥派生器（存款地址批量生成用）。非线程安全：每线程一个。
public final class PublicChildDeriver {
    private var parent: secp256k1_pubkey
    private let hmac: HMACSHA512
    private var data = [UInt8](repeating: 0, count: 37)   // serP(K_par) ‖ ser32(i)
    private var digest = [UInt8](repeating: 0, count: 64)
    public let parentCompressed: [UInt8]

    public init(compressedPublicKey: [UInt8], chainCode: [UInt8]) throws {
        guard compressedPublicKey.count == 33, chainCode.count == 32 else { throw Secp256k1Error(.invalidPublicKey) }
        parent = try Secp256k1.parse(compressedPublicKey)
        parentCompressed = compressedPublicKey
        hmac = HMACSHA512(key: chainCode)
        for i in 0..<33 { data[i] = compressedPublicKey[i] }
    }

    /// 派生第 index 个子公钥（index < 2^31）。输出缓冲区可为 nil 表示不需要。
    /// 返回 false 表示 IL ≥ n 或结果为无穷远点（概率约 2^-127，BIP-32 要求跳到下一个索引）。
    @inline(__always)
    public func derive(index: UInt32, compressed: UnsafeMutablePointer<UInt8>?, uncompressed: UnsafeMutablePointer<UInt8>?,
                       chainCode: UnsafeMutablePointer<UInt8>?) -> Bool {
        precondition(index < 0x8000_0000, "公钥派生不能用硬化索引")
        return data.withUnsafeMutableBufferPointer { d -> Bool in
            d[33] = UInt8(index >> 24); d[34] = UInt8((index >> 16) & 0xff)
            d[35] = UInt8((index >> 8) & 0xff); d[36] = UInt8(index & 0xff)
            return digest.withUnsafeMutableBufferPointer { dg -> Bool in
                hmac.mac(UnsafeRawBufferPointer(d), into: dg.baseAddress!)
                var child = parent
                guard secp256k1_ec_pubkey_tweak_add(Secp256k1.context, &child, dg.baseAddress!) == 1 else { return false }
                if let compressed { Secp256k1.serialize(&child, compressed: true, into: compressed) }
                if let uncompressed { Secp256k1.serialize(&child, compressed: false, into: uncompressed) }
                if let chainCode { chainCode.update(from: dg.baseAddress! + 32, count: 32) }
                return true
            }
        }
    }
}
