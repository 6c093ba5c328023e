// keys 节：10 万个只读以太坊存款地址（一个 xpub）与 EIP-1559 签名，对比同一进程里直接调用 libsecp256k1 + HMAC 的基线。
// 基线与我们的实现用同一个 Keccak（OpenSSL 3.0 没有 Keccak-256），所以比值只反映封装开销。
import COpenSSL
import CSecp256k1
import Foundation
import WalletCrypto
import WalletKeys

struct KeysBench: BenchSection {
    let name = "keys"

    func run(options: BenchOptions) {
        let n = options.n
        let seed = SecretBytes((0..<32).map { UInt8($0) })
        let account = try! ExtendedPrivateKey(seed: seed).derive(path: DerivationPath(string: "m/44'/60'/0'"))
        let xpub = account.extendedPublicKey
        let external = try! xpub.child(0)

        // —— 地址派生 ——
        // 本机与其他进程共享 2 核：基线与本实现按 5000 个一块交替运行、各自累计，负载波动对两边影响相同。
        var sink: UInt8 = 0
        let base = BaselineCKD(external)
        let d = try! WatchOnlyDeriver(base: external, coin: .eth)
        var out = [UInt8](repeating: 0, count: 20)
        let (oursBytes, baseA) = interleaved(n, options.rounds,
            base: { r in sink ^= base.run(r) },
            ours: { r in out.withUnsafeMutableBytes { o in for i in r { _ = d.ethereumAddressBytes(index: UInt32(i), into: o.baseAddress!); sink ^= o[0] } } })
        let (oursStr, baseB) = interleaved(n, options.rounds,
            base: { r in sink ^= base.run(r) },
            ours: { r in for i in r { sink ^= UInt8(truncatingIfNeeded: try! d.derive(index: UInt32(i)).address.utf8.count) } })
        // 正确性交叉检查：热路径与逐步派生给出同一地址
        let check = try! WatchOnlyDeriver(base: external, coin: .eth).derive(index: 7).address
        let viaKeys = try! EthereumAddress(publicKey: xpub.derive(path: DerivationPath(string: "0/7")).publicKey).checksummed
        precondition(check == viaKeys, "派生结果不一致")
        report("只读 ETH 地址（字节）", n, oursBytes, baseA)
        report("只读 ETH 地址（EIP-55 字符串，含公钥）", n, oursStr, baseB)

        // —— EIP-1559 签名 ——
        let key = try! SecretBytes(Hex.decode("4646464646464646464646464646464646464646464646464646464646464646"))
        let to = try! EthereumAddress(string: "0x3535353535353535353535353535353535353535")
        let m = min(n, 20_000)
        let (oursSign, baseSign) = interleaved(m, options.rounds,
            base: { r in sink ^= baselineSign(key, r) },
            ours: { r in
                for i in r {
                    let tx = EthTransaction.eip1559(chainId: 1, nonce: UInt64(i), maxPriorityFeePerGas: UInt256(2_000_000_000),
                                                    maxFeePerGas: UInt256(100_000_000_000), gasLimit: 21000, to: to,
                                                    value: UInt256(1_000_000_000_000_000))
                    sink ^= try! tx.sign(privateKey: key).raw.last!
                }
            })
        report("EIP-1559 签名（完整交易：RLP + Keccak + 签名 + 原始字节 + 哈希）", m, oursSign, baseSign)
        if sink == 0x5a { print("") }  // 防止优化掉
    }

    /// 交替分块计时，返回（本实现总秒数，基线总秒数），取各轮最小值。
    func interleaved(_ n: Int, _ rounds: Int, base: (Range<Int>) -> Void, ours: (Range<Int>) -> Void) -> (Double, Double) {
        var best = (Double.infinity, Double.infinity)
        let chunk = 5000
        for _ in 0..<rounds {
            var tOurs = 0.0, tBase = 0.0
            var lo = 0
            while lo < n {
                let r = lo..<min(n, lo + chunk)
                tBase += measure { base(r) }
                tOurs += measure { ours(r) }
                lo += chunk
            }
            best = (min(best.0, tOurs), min(best.1, tBase))
        }
        return best
    }

    func report(_ what: String, _ n: Int, _ ours: Double, _ base: Double) {
        let ratio = base / ours
        print(String(format: "%@：N=%d  本实现 %.0f 个/秒（%.2f µs/个）  基线 %.0f 个/秒（%.2f µs/个）  比值 %.3f %@",
                     what, n, Double(n) / ours, ours / Double(n) * 1e6, Double(n) / base, base / Double(n) * 1e6, ratio,
                     ratio >= 0.8 ? "✓ ≥ 0.8" : "✗ < 0.8"))
    }

    /// 基线：对预先编码好的签名载荷做 Keccak + secp256k1_ecdsa_sign_recoverable + 序列化。
    func baselineSign(_ key: SecretBytes, _ range: Range<Int>) -> UInt8 {
        let ctx = Secp256k1.context
        let k = key.unsafeArray()
        var payload = [UInt8](repeating: 0x11, count: 46)
        payload[0] = 0x02
        var digest = [UInt8](repeating: 0, count: 32)
        var compact = [UInt8](repeating: 0, count: 64)
        var sink: UInt8 = 0
        for i in range {
            payload[5] = UInt8(truncatingIfNeeded: i)
            payload.withUnsafeBytes { p in digest.withUnsafeMutableBytes { Keccak.keccak256(p, into: $0.baseAddress!) } }
            var sig = secp256k1_ecdsa_recoverable_signature()
            _ = secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest, k, secp256k1_nonce_function_rfc6979, nil)
            var recid: Int32 = 0
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, &compact, &recid, &sig)
            sink ^= compact[0]
        }
        return sink
    }
}

/// 基线：直接 C 调用——EVP_MAC（HMAC-SHA512）上下文复用、secp256k1 tweak_add、序列化、Keccak（与实现用同一 Keccak）。
final class BaselineCKD {
    let ctx = Secp256k1.context
    var pk = secp256k1_pubkey()
    let h: OpaquePointer
    var data: [UInt8]
    var il = [UInt8](repeating: 0, count: 64)
    var ser = [UInt8](repeating: 0, count: 65)
    var hash = [UInt8](repeating: 0, count: 32)

    init(_ parent: ExtendedPublicKey) {
        _ = secp256k1_ec_pubkey_parse(ctx, &pk, parent.publicKey, 33)
        let mac = EVP_MAC_CTX_new(EVP_MAC_fetch(nil, "HMAC", nil))!
        _ = "SHA512".withCString { name -> Int32 in
            var params = [OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: name), 0), OSSL_PARAM_construct_end()]
            return EVP_MAC_init(mac, parent.chainCode, 32, &params)
        }
        h = mac
        data = parent.publicKey + [0, 0, 0, 0]
    }
    deinit { EVP_MAC_CTX_free(h) }

    func run(_ range: Range<Int>) -> UInt8 {
        var sink: UInt8 = 0
        for j in range {
            let i = UInt32(j)
            data[33] = UInt8(i >> 24); data[34] = UInt8((i >> 16) & 0xff); data[35] = UInt8((i >> 8) & 0xff); data[36] = UInt8(i & 0xff)
            var len = 0
            _ = EVP_MAC_init(h, nil, 0, nil)
            _ = EVP_MAC_update(h, data, 37)
            _ = EVP_MAC_final(h, &il, &len, 64)
            var child = pk
            _ = secp256k1_ec_pubkey_tweak_add(ctx, &child, il)
            var outLen = 65
            _ = secp256k1_ec_pubkey_serialize(ctx, &ser, &outLen, &child, 2)
            ser.withUnsafeBytes { s in hash.withUnsafeMutableBytes { Keccak.keccak256(UnsafeRawBufferPointer(rebasing: s[1..<65]), into: $0.baseAddress!) } }
            sink ^= hash[12]
        }
        return sink
    }
}
