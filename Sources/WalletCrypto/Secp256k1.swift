// secp256k1 曲线运算：全部交给 libsecp256k1（常数时间、经过广泛审计），这里只做类型与错误的包装。
// 上下文只创建一次，并用 SecureRandom 随机化（抵御侧信道的盲化，见 secp256k1_context_randomize）。
import CSecp256k1

/// 可恢复签名：r、s 各 32 字节（大端），recoveryId ∈ {0,1}（以太坊的 yParity）。
public struct RecoverableSignature: Sendable, Equatable, Hashable {
    public var r: [UInt8]
    public var s: [UInt8]
    public var recoveryId: UInt8
    public init(r: [UInt8], s: [UInt8], recoveryId: UInt8) {
        self.r = r; self.s = s; self.recoveryId = recoveryId
    }
    /// r‖s‖v（65 字节，v = recoveryId），便于存储。
    public var compact65: [UInt8] { r + s + [recoveryId] }
}

public struct Secp256k1Error: WalletErrorConvertible, Equatable {
    public enum Kind: Sendable {
        case invalidPrivateKey, invalidPublicKey, invalidSignature, invalidDigest, tweakOutOfRange, recoveryFailed
    }
    public let kind: Kind
    public init(_ kind: Kind) { self.kind = kind }
    /// 都是输入错误（坏的密钥、签名、摘要）：退出码 2。
    public var walletError: WalletError {
        switch kind {
        case .invalidPrivateKey: return WalletError("secp256k1.invalid_private_key", zh: "私钥无效：必须是 32 字节且位于 [1, n-1] 区间（n 为 secp256k1 群阶）。",
                                                    en: "invalid private key: must be 32 bytes in [1, n-1] (n = secp256k1 order).", badInput: true)
        case .invalidPublicKey: return WalletError("secp256k1.invalid_public_key", zh: "公钥无效：需要 33 字节压缩或 65 字节未压缩格式，且点必须在曲线上。",
                                                   en: "invalid public key: need 33-byte compressed or 65-byte uncompressed point on the curve.", badInput: true)
        case .invalidSignature: return WalletError("secp256k1.invalid_signature", zh: "签名无效：r、s 必须各 32 字节且在 [1, n-1] 区间，recoveryId 为 0..3。",
                                                   en: "invalid signature: r and s must be 32 bytes in [1, n-1], recoveryId 0..3.", badInput: true)
        case .invalidDigest: return WalletError("secp256k1.invalid_digest", zh: "摘要必须正好 32 字节。", en: "digest must be exactly 32 bytes.", badInput: true)
        case .tweakOutOfRange: return WalletError("secp256k1.tweak_out_of_range", zh: "调整值超出范围或结果为无穷远点（BIP-32 要求跳过该索引，换下一个）。",
                                                  en: "tweak out of range or result is the point at infinity (BIP-32: skip to the next index).", badInput: true)
        case .recoveryFailed: return WalletError("secp256k1.recovery_failed", zh: "无法从签名恢复公钥：签名与摘要不匹配或数据已损坏。",
                                                 en: "cannot recover a public key: signature does not match the digest or is corrupted.", badInput: true)
        }
    }
}

public enum Secp256k1 {
    // 常量直接写数值：头文件里的组合宏在 Swift 中不一定能导入。
    static let flagsContextNone: UInt32 = 1            // SECP256K1_CONTEXT_NONE
    static let flagsCompressed: UInt32 = 0x102         // SECP256K1_EC_COMPRESSED
    static let flagsUncompressed: UInt32 = 0x2         // SECP256K1_EC_UNCOMPRESSED

    /// 全进程唯一的上下文。libsecp256k1 的上下文在创建后只读（randomize 仅在此处调用一次），可多线程共享。
    public nonisolated(unsafe) static let context: OpaquePointer = {
        let ctx = secp256k1_context_create(flagsContextNone)!
        var seed = [UInt8](repeating: 0, count: 32)
        // 随机化失败不影响正确性，只是少了一层盲化；但 CSPRNG 失败本身说明系统异常，直接中止更安全。
        seed.withUnsafeMutableBytes { try! SecureRandom.fill($0) }
        precondition(secp256k1_context_randomize(ctx, seed) == 1, "secp256k1 上下文随机化失败")
        SecretBytes.wipe(&seed)
        return ctx
    }()

    /// secp256k1 群阶 n（大端）。
    public static let order: [UInt8] = try! Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    static let halfOrder: [UInt8] = try! Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")

    // MARK: 私钥

    public static func isValidPrivateKey(_ key: SecretBytes) -> Bool {
        key.count == 32 && key.withUnsafeBytes { secp256k1_ec_seckey_verify(context, $0.bindMemory(to: UInt8.self).baseAddress!) == 1 }
    }

    public static func isValidPrivateKey(_ key: [UInt8]) -> Bool {
        key.count == 32 && secp256k1_ec_seckey_verify(context, key) == 1
    }

    public static func publicKey(privateKey: SecretBytes, compressed: Bool) throws -> [UInt8] {
        guard privateKey.count == 32 else { throw Secp256k1Error(.invalidPrivateKey) }
        var pk = secp256k1_pubkey()
        let ok = privateKey.withUnsafeBytes { secp256k1_ec_pubkey_create(context, &pk, $0.bindMemory(to: UInt8.self).baseAddress!) }
        guard ok == 1 else { throw Secp256k1Error(.invalidPrivateKey) }
        return serialize(&pk, compressed: compressed)
    }

    /// 私钥加调整值（BIP-32 CKDpriv：k_i = parse256(IL) + k_par mod n）。
    public static func privateTweakAdd(privateKey: SecretBytes, tweak: [UInt8]) throws -> SecretBytes {
        guard privateKey.count == 32 else { throw Secp256k1Error(.invalidPrivateKey) }
        guard tweak.count == 32 else { throw Secp256k1Error(.tweakOutOfRange) }
        let out = privateKey.copy()
        let ok = out.withUnsafeMutableBytes { secp256k1_ec_seckey_tweak_add(context, $0.bindMemory(to: UInt8.self).baseAddress!, tweak) }
        guard ok == 1 else { throw Secp256k1Error(.tweakOutOfRange) }
        return out
    }

    // MARK: 公钥

    /// 解析 33/65 字节公钥为库内部表示。
    public static func parse(_ publicKey: [UInt8]) throws -> secp256k1_pubkey {
        guard publicKey.count == 33 || publicKey.count == 65 else { throw Secp256k1Error(.invalidPublicKey) }
        var pk = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &pk, publicKey, publicKey.count) == 1 else {
            throw Secp256k1Error(.invalidPublicKey)
        }
        return pk
    }

    public static func serialize(_ pk: inout secp256k1_pubkey, compressed: Bool) -> [UInt8] {
        var len = compressed ? 33 : 65
        var out = [UInt8](repeating: 0, count: len)
        _ = secp256k1_ec_pubkey_serialize(context, &out, &len, &pk, compressed ? flagsCompressed : flagsUncompressed)
        return out
    }

    /// 把库内部公钥序列化到调用方提供的缓冲区（热路径避免分配）。
    @inline(__always)
    public static func serialize(_ pk: inout secp256k1_pubkey, compressed: Bool, into out: UnsafeMutablePointer<UInt8>) {
        var len = compressed ? 33 : 65
        _ = secp256k1_ec_pubkey_serialize(context, out, &len, &pk, compressed ? flagsCompressed : flagsUncompressed)
    }

    public static func isValidPublicKey(_ publicKey: [UInt8]) -> Bool { (try? parse(publicKey)) != nil }

    public static func compress(_ publicKey: [UInt8]) throws -> [UInt8] {
        var pk = try parse(publicKey)
        return serialize(&pk, compressed: true)
    }

    public static func decompress(_ publicKey: [UInt8]) throws -> [UInt8] {
        var pk = try parse(publicKey)
        return serialize(&pk, compressed: false)
    }

    /// 公钥加 tweak·G（BIP-32 CKDpub：K_i = point(IL) + K_par）。
    public static func publicTweakAdd(publicKey: [UInt8], tweak: [UInt8], compressed: Bool = true) throws -> [UInt8] {
        var pk = try parse(publicKey)
        try publicTweakAdd(&pk, tweak: tweak)
        return serialize(&pk, compressed: compressed)
    }

    /// 原地版本（热路径：调用方已持有解析好的点）。
    public static func publicTweakAdd(_ pk: inout secp256k1_pubkey, tweak: UnsafePointer<UInt8>) throws {
        guard secp256k1_ec_pubkey_tweak_add(context, &pk, tweak) == 1 else { throw Secp256k1Error(.tweakOutOfRange) }
    }

    public static func publicTweakAdd(_ pk: inout secp256k1_pubkey, tweak: [UInt8]) throws {
        guard tweak.count == 32 else { throw Secp256k1Error(.tweakOutOfRange) }
        try tweak.withUnsafeBufferPointer { try publicTweakAdd(&pk, tweak: $0.baseAddress!) }
    }

    // MARK: 签名

    /// RFC 6979 确定性 nonce 的可恢复签名；libsecp256k1 产出的 s 总是低 S（≤ n/2）。
    public static func signRecoverable(digest32: [UInt8], privateKey: SecretBytes) throws -> RecoverableSignature {
        guard digest32.count == 32 else { throw Secp256k1Error(.invalidDigest) }
        guard privateKey.count == 32 else { throw Secp256k1Error(.invalidPrivateKey) }
        var sig = secp256k1_ecdsa_recoverable_signature()
        let ok = privateKey.withUnsafeBytes {
            secp256k1_ecdsa_sign_recoverable(context, &sig, digest32, $0.bindMemory(to: UInt8.self).baseAddress!,
                                             secp256k1_nonce_function_rfc6979, nil)
        }
        guard ok == 1 else { throw Secp256k1Error(.invalidPrivateKey) }
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recid, &sig)
        return RecoverableSignature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryId: UInt8(recid))
    }

    /// 从签名恢复 65 字节未压缩公钥。
    public static func recover(digest32: [UInt8], signature: RecoverableSignature) throws -> [UInt8] {
        guard digest32.count == 32 else { throw Secp256k1Error(.invalidDigest) }
        guard signature.r.count == 32, signature.s.count == 32, signature.recoveryId <= 3 else {
            throw Secp256k1Error(.invalidSignature)
        }
        var sig = secp256k1_ecdsa_recoverable_signature()
        let compact = signature.r + signature.s
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &sig, compact, Int32(signature.recoveryId)) == 1 else {
            throw Secp256k1Error(.invalidSignature)
        }
        var pk = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pk, &sig, digest32) == 1 else { throw Secp256k1Error(.recoveryFailed) }
        return serialize(&pk, compressed: false)
    }

    /// 校验 (r, s) 签名。按 libsecp256k1 约定，高 S 签名视为无效（防延展性）。
    public static func verify(digest32: [UInt8], r: [UInt8], s: [UInt8], publicKey: [UInt8]) -> Bool {
        guard digest32.count == 32, r.count == 32, s.count == 32, var pk = try? parse(publicKey) else { return false }
        var sig = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &sig, r + s) == 1 else { return false }
        return secp256k1_ecdsa_verify(context, &sig, digest32, &pk) == 1
    }

    public static func verify(digest32: [UInt8], signature: RecoverableSignature, publicKey: [UInt8]) -> Bool {
        verify(digest32: digest32, r: signature.r, s: signature.s, publicKey: publicKey)
    }

    /// 把 HSM/KMS 给出的签名规范化为低 S：s > n/2 时取 n - s（此时 recoveryId 需翻转，flipped = true）。
    public static func normalizeLowS(r: [UInt8], s: [UInt8]) -> (s: [UInt8], flipped: Bool) {
        guard s.count == 32, compareBE(s, halfOrder) > 0 else { return (s, false) }
        // n - s，大端逐字节借位减法
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(order[i]) - Int(s[i]) - borrow
            if d < 0 { d += 256; borrow = 1 } else { borrow = 0 }
            out[i] = UInt8(d)
        }
        return (out, true)
    }

    /// 为没有 recoveryId 的签名（HSM 的 CKM_ECDSA）找出与已知公钥匹配的 recoveryId；s 须已是低 S。
    public static func findRecoveryId(digest32: [UInt8], r: [UInt8], s: [UInt8], publicKey: [UInt8]) throws -> UInt8 {
        let want = try decompress(publicKey)
        for id in UInt8(0)...UInt8(1) {
            if let got = try? recover(digest32: digest32, signature: RecoverableSignature(r: r, s: s, recoveryId: id)),
               got == want { return id }
        }
        throw Secp256k1Error(.recoveryFailed)
    }

    static func compareBE(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count - b.count
    }
}
