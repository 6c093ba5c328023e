// BIP-32 分层确定性密钥：主密钥、私钥/公钥子派生、硬化索引、xprv/xpub/tprv/tpub 序列化与严格解析。
import WalletCrypto

public struct XKeyError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    /// 都是输入错误：退出码 2。
    init(_ code: String, zh: String, en: String) { walletError = WalletError(code, zh: zh, en: en, badInput: true) }

    static func e(_ code: String, _ zh: String, _ en: String) -> XKeyError { XKeyError(code, zh: zh, en: en) }
    static let badLength = e("xkey.bad_length", "扩展密钥解码后必须是 78 字节。", "an extended key must decode to 78 bytes.")
    static let unknownVersion = e("xkey.unknown_version", "未知的版本字节：只支持 xprv/xpub（主网）与 tprv/tpub（测试网）。", "unknown version bytes: only xprv/xpub (mainnet) and tprv/tpub (testnet).")
    static let pubVersionPrivData = e("xkey.pubkey_version_prvkey_mismatch", "版本为公钥（xpub/tpub），数据却以 0x00 开头（私钥格式）。", "public version (xpub/tpub) but key data starts with 0x00 (private format).")
    static let prvVersionPubData = e("xkey.prvkey_version_pubkey_mismatch", "版本为私钥（xprv/tprv），数据却不是 0x00 ‖ 32 字节私钥。", "private version (xprv/tprv) but key data is not 0x00 ‖ 32-byte key.")
    static let badPubPrefix = e("xkey.invalid_pubkey_prefix", "公钥前缀无效：压缩公钥必须以 02 或 03 开头。", "invalid public key prefix: a compressed key starts with 02 or 03.")
    static let badPubPoint = e("xkey.invalid_pubkey", "公钥不在曲线上。", "public key is not on the curve.")
    static let privOutOfRange = e("xkey.private_key_out_of_range", "私钥超出范围：必须在 [1, n-1]。", "private key out of range: must be in [1, n-1].")
    static let zeroDepthParent = e("xkey.zero_depth_nonzero_parent", "深度为 0（主密钥）但父指纹不为 0。", "depth 0 (master) with non-zero parent fingerprint.")
    static let zeroDepthIndex = e("xkey.zero_depth_nonzero_index", "深度为 0（主密钥）但子索引不为 0。", "depth 0 (master) with non-zero child index.")
    static let hardenedFromPublic = e("xkey.hardened_from_public", "不能从扩展公钥派生硬化子密钥（需要私钥）。", "cannot derive a hardened child from an extended public key (needs the private key).")
    static let invalidChild = e("xkey.invalid_child", "该索引的子密钥无效（IL ≥ n 或结果为 0，概率约 2^-127），请改用下一个索引。", "the child at this index is invalid (IL ≥ n or zero, ~2^-127); use the next index.")
    static let depthOverflow = e("xkey.depth_overflow", "派生深度超过 255。", "derivation depth exceeds 255.")
    static let badSeed = e("xkey.bad_seed", "种子长度必须在 16 到 64 字节之间（BIP-32）。", "seed must be 16 to 64 bytes (BIP-32).")
    static let relativeFromMaster = e("xkey.path_not_relative", "公钥派生只接受相对路径（如 0/5），不要以 m 开头。", "public derivation takes a relative path (e.g. 0/5), not one starting with m.")
}

public enum XKeyNetwork: String, Sendable {
    case mainnet, testnet
    var privateVersion: UInt32 { self == .mainnet ? 0x0488_ADE4 : 0x0435_8394 }
    var publicVersion: UInt32 { self == .mainnet ? 0x0488_B21E : 0x0435_87CF }
}

/// 4 字节指纹 = HASH160(压缩公钥) 前 4 字节。
public func keyFingerprint(_ compressedPublicKey: [UInt8]) -> [UInt8] {
    Array(Hash.hash160(compressedPublicKey).prefix(4))
}

public struct ExtendedPublicKey: Hashable, Sendable, CustomStringConvertible {
    public let publicKey: [UInt8]         // 33 字节压缩
    public let chainCode: [UInt8]
    public let depth: UInt8
    public let parentFingerprint: [UInt8]
    public let childNumber: UInt32
    public let network: XKeyNetwork

    public init(publicKey: [UInt8], chainCode: [UInt8], depth: UInt8, parentFingerprint: [UInt8], childNumber: UInt32,
                network: XKeyNetwork) {
        self.publicKey = publicKey; self.chainCode = chainCode; self.depth = depth
        self.parentFingerprint = parentFingerprint; self.childNumber = childNumber; self.network = network
    }

    public var fingerprint: [UInt8] { keyFingerprint(publicKey) }
    public var identifier: [UInt8] { Hash.hash160(publicKey) }

    public var serialized: String {
        Base58.encodeCheck(XKeyCodec.header(network.publicVersion, depth, parentFingerprint, childNumber, chainCode) + publicKey)
    }
    public var description: String { serialized }

    public init(string: String) throws {
        let k = try XKeyCodec.parse(string)
        guard case .public(let x) = k else {
            throw XKeyError.e("xkey.expected_public", "这里需要扩展公钥（xpub/tpub），收到的是扩展私钥。切勿把 xprv 放到联网主机上。",
                              "an extended public key (xpub/tpub) is required here, got a private one. Never put an xprv on an online host.")
        }
        self = x
    }

    /// CKDpub：只能派生非硬化子密钥。
    public func child(_ index: UInt32) throws -> ExtendedPublicKey {
        guard index < DerivationPath.hardenedOffset else { throw XKeyError.hardenedFromPublic }
        guard depth < 255 else { throw XKeyError.depthOverflow }
        let d = try PublicChildDeriver(compressedPublicKey: publicKey, chainCode: chainCode)
        var pub = [UInt8](repeating: 0, count: 33), cc = [UInt8](repeating: 0, count: 32)
        let ok = pub.withUnsafeMutableBufferPointer { p in
            cc.withUnsafeMutableBufferPointer { c in d.derive(index: index, compressed: p.baseAddress, uncompressed: nil, chainCode: c.baseAddress) }
        }
        guard ok else { throw XKeyError.invalidChild }
        return ExtendedPublicKey(publicKey: pub, chainCode: cc, depth: depth + 1, parentFingerprint: fingerprint,
                                 childNumber: index, network: network)
    }

    /// 相对路径派生（如 "0/5"）。绝对路径只在深度 0 时接受（m/0/1）。
    public func derive(path: DerivationPath) throws -> ExtendedPublicKey {
        if path.isAbsolute && depth != 0 { throw XKeyError.relativeFromMaster }
        var k = self
        for i in path.components { k = try k.child(i) }
        return k
    }
}

public final class ExtendedPrivateKey: Sendable, CustomStringConvertible {
    public let privateKey: SecretBytes    // 32 字节
    public let chainCode: [UInt8]
    public let depth: UInt8
    public let parentFingerprint: [UInt8]
    public let childNumber: UInt32
    public let network: XKeyNetwork
    public let publicKey: [UInt8]         // 33 字节压缩

    public init(privateKey: SecretBytes, chainCode: [UInt8], depth: UInt8, parentFingerprint: [UInt8], childNumber: UInt32,
                network: XKeyNetwork) throws {
        guard Secp256k1.isValidPrivateKey(privateKey) else { throw XKeyError.privOutOfRange }
        self.privateKey = privateKey; self.chainCode = chainCode; self.depth = depth
        self.parentFingerprint = parentFingerprint; self.childNumber = childNumber; self.network = network
        publicKey = try Secp256k1.publicKey(privateKey: privateKey, compressed: true)
    }

    /// 主密钥：I = HMAC-SHA512(key = "Bitcoin seed", data = seed)。
    public convenience init(seed: SecretBytes, network: XKeyNetwork = .mainnet) throws {
        guard (16...64).contains(seed.count) else { throw XKeyError.badSeed }
        var seedCopy = seed.unsafeArray()  // HMAC 接口要数组：这份副本用完即清零
        var i = Hash.hmacSHA512(key: Array("Bitcoin seed".utf8), data: seedCopy)
        defer { SecretBytes.wipe(&i); SecretBytes.wipe(&seedCopy) }
        let k = SecretBytes(i[0..<32])
        guard Secp256k1.isValidPrivateKey(k) else { throw XKeyError.invalidChild }
        try self.init(privateKey: k, chainCode: Array(i[32..<64]), depth: 0, parentFingerprint: [0, 0, 0, 0],
                      childNumber: 0, network: network)
    }

    public convenience init(string: String) throws {
        let k = try XKeyCodec.parse(string)
        guard case .private(let x) = k else {
            throw XKeyError.e("xkey.expected_private", "这里需要扩展私钥（xprv/tprv），收到的是扩展公钥。", "an extended private key (xprv/tprv) is required here, got a public one.")
        }
        try self.init(privateKey: x.privateKey, chainCode: x.chainCode, depth: x.depth, parentFingerprint: x.parentFingerprint,
                      childNumber: x.childNumber, network: x.network)
    }

    public var fingerprint: [UInt8] { keyFingerprint(publicKey) }

    public var extendedPublicKey: ExtendedPublicKey {
        ExtendedPublicKey(publicKey: publicKey, chainCode: chainCode, depth: depth, parentFingerprint: parentFingerprint,
                          childNumber: childNumber, network: network)
    }

    /// xprv 文本。注意：这是机密，只应写入 0600 文件或直接显示给操作员。
    public func serializedSecret() -> String {
        var payload = XKeyCodec.header(network.privateVersion, depth, parentFingerprint, childNumber, chainCode) + [0]
        payload += privateKey.unsafeArray()
        defer { SecretBytes.wipe(&payload) }
        return Base58.encodeCheck(payload)
    }

    public var description: String { "ExtendedPrivateKey(<已隐藏 redacted>, depth \(depth))" }

    /// CKDpriv：硬化用 0x00 ‖ k_par，非硬化用 serP(K_par)；k_i = IL + k_par mod n。
    public func child(_ index: UInt32) throws -> ExtendedPrivateKey {
        guard depth < 255 else { throw XKeyError.depthOverflow }
        var data: [UInt8]
        if index >= DerivationPath.hardenedOffset {
            data = [0] + privateKey.unsafeArray()
        } else {
            data = publicKey
        }
        data += [UInt8(index >> 24), UInt8((index >> 16) & 0xff), UInt8((index >> 8) & 0xff), UInt8(index & 0xff)]
        var i = Hash.hmacSHA512(key: chainCode, data: data)
        defer { SecretBytes.wipe(&i); SecretBytes.wipe(&data) }
        var il = Array(i[0..<32])
        defer { SecretBytes.wipe(&il) }  // 硬化路径上 IL 也是机密
        guard Secp256k1.isValidPrivateKey(il) else { throw XKeyError.invalidChild }
        let k: SecretBytes
        do { k = try Secp256k1.privateTweakAdd(privateKey: privateKey, tweak: il) } catch { throw XKeyError.invalidChild }
        return try ExtendedPrivateKey(privateKey: k, chainCode: Array(i[32..<64]), depth: depth + 1,
                                      parentFingerprint: fingerprint, childNumber: index, network: network)
    }

    public func derive(path: DerivationPath) throws -> ExtendedPrivateKey {
        if path.isAbsolute && depth != 0 {
            throw XKeyError.e("xkey.path_absolute_nonmaster", "以 m 开头的路径只能从主密钥派生（当前深度 \(depth)）。",
                              "a path starting with m needs the master key (current depth \(depth)).")
        }
        var k = self
        for i in path.components { k = try k.child(i) }
        return k
    }
}

/// 解析结果：公钥或私钥。
public enum ExtendedKey {
    case `public`(ExtendedPublicKey)
    case `private`(ExtendedPrivateKey)

    public init(string: String) throws { self = try XKeyCodec.parse(string) }
}

enum XKeyCodec {
    static func header(_ version: UInt32, _ depth: UInt8, _ fp: [UInt8], _ child: UInt32, _ cc: [UInt8]) -> [UInt8] {
        var h = [UInt8]()
        h.reserveCapacity(78)
        h += [UInt8(version >> 24), UInt8((version >> 16) & 0xff), UInt8((version >> 8) & 0xff), UInt8(version & 0xff)]
        h.append(depth)
        h += fp
        h += [UInt8(child >> 24), UInt8((child >> 16) & 0xff), UInt8((child >> 8) & 0xff), UInt8(child & 0xff)]
        h += cc
        return h
    }

    /// 严格解析，覆盖 BIP-32 测试向量 5 的全部拒绝理由。
    static func parse(_ text: String) throws -> ExtendedKey {
        var raw = try Base58.decodeCheck(text.trimmingWhitespace)
        defer { SecretBytes.wipe(&raw) }
        guard raw.count == 78 else { throw XKeyError.badLength }
        let version = raw[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let network: XKeyNetwork, isPrivate: Bool
        switch version {
        case XKeyNetwork.mainnet.privateVersion: network = .mainnet; isPrivate = true
        case XKeyNetwork.mainnet.publicVersion: network = .mainnet; isPrivate = false
        case XKeyNetwork.testnet.privateVersion: network = .testnet; isPrivate = true
        case XKeyNetwork.testnet.publicVersion: network = .testnet; isPrivate = false
        default: throw XKeyError.unknownVersion
        }
        let depth = raw[4]
        let fp = Array(raw[5..<9])
        let child = raw[9..<13].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let cc = Array(raw[13..<45])
        let keyData = Array(raw[45..<78])
        if depth == 0 {
            guard fp == [0, 0, 0, 0] else { throw XKeyError.zeroDepthParent }
            guard child == 0 else { throw XKeyError.zeroDepthIndex }
        }
        if isPrivate {
            guard keyData[0] == 0 else { throw XKeyError.prvVersionPubData }
            let k = SecretBytes(keyData[1...])
            guard Secp256k1.isValidPrivateKey(k) else { throw XKeyError.privOutOfRange }
            return .private(try ExtendedPrivateKey(privateKey: k, chainCode: cc, depth: depth, parentFingerprint: fp,
                                                   childNumber: child, network: network))
        } else {
            if keyData[0] == 0 { throw XKeyError.pubVersionPrivData }
            guard keyData[0] == 2 || keyData[0] == 3 else { throw XKeyError.badPubPrefix }
            guard Secp256k1.isValidPublicKey(keyData) else { throw XKeyError.badPubPoint }
            return .public(ExtendedPublicKey(publicKey: keyData, chainCode: cc, depth: depth, parentFingerprint: fp,
                                             childNumber: child, network: network))
        }
    }
}
