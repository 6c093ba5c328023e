// 对称加密：AES-256-GCM（信封加密，带关联数据）与 AES-128-CTR（Web3 Secret Storage v3 规定）。
import COpenSSL

public enum CipherError: Error, Equatable, Sendable {
    /// 认证失败：密钥错、密文/nonce/tag/关联数据被改动，无法区分（这是 AEAD 的设计）。
    case authenticationFailed
    case invalidKeyLength(Int)
    case invalidNonceLength(Int)
    case failed(String)
}

public enum AESGCM {
    public static let nonceLength = 12
    public static let tagLength = 16

    public struct Sealed: Equatable, Sendable {
        public var nonce: [UInt8]
        public var ciphertext: [UInt8]
        public var tag: [UInt8]
        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce; self.ciphertext = ciphertext; self.tag = tag
        }
    }

    /// 加密；nonce 每次从 CSPRNG 取新的 96 位（NIST SP 800-38D 推荐长度）。
    public static func seal(_ plaintext: SecretBytes, key: SecretBytes, associatedData: [UInt8]) throws -> Sealed {
        guard key.count == 32 else { throw CipherError.invalidKeyLength(key.count) }
        let nonce = try SecureRandom.bytes(nonceLength)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CipherError.failed("ctx") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagLength)
        var len: Int32 = 0, total: Int32 = 0
        try key.withUnsafeBytes { k in
            guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceLength), nil) == 1,
                EVP_EncryptInit_ex(ctx, nil, nil, k.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce) == 1
            else { throw CipherError.failed("init") }
        }
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(ctx, nil, &len, associatedData, Int32(associatedData.count)) == 1 else {
                throw CipherError.failed("aad")
            }
        }
        try plaintext.withUnsafeBytes { p in
            guard EVP_EncryptUpdate(ctx, &out, &len, p.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                    Int32(p.count)) == 1 else { throw CipherError.failed("update") }
        }
        total = len
        try out.withUnsafeMutableBufferPointer { o in
            guard EVP_EncryptFinal_ex(ctx, o.baseAddress! + Int(total), &len) == 1 else { throw CipherError.failed("final") }
        }
        total += len
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), &tag) == 1 else {
            throw CipherError.failed("tag")
        }
        return Sealed(nonce: nonce, ciphertext: Array(out[0..<Int(total)]), tag: tag)
    }

    /// 解密并认证；任何改动都得到 `.authenticationFailed`，不返回部分明文。
    public static func open(_ sealed: Sealed, key: SecretBytes, associatedData: [UInt8]) throws -> SecretBytes {
        guard key.count == 32 else { throw CipherError.invalidKeyLength(key.count) }
        guard sealed.nonce.count == nonceLength else { throw CipherError.invalidNonceLength(sealed.nonce.count) }
        guard sealed.tag.count == tagLength else { throw CipherError.authenticationFailed }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CipherError.failed("ctx") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let out = SecretBytes(count: sealed.ciphertext.count + 16)
        var len: Int32 = 0
        try key.withUnsafeBytes { k in
            guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceLength), nil) == 1,
                EVP_DecryptInit_ex(ctx, nil, nil, k.baseAddress?.assumingMemoryBound(to: UInt8.self), sealed.nonce) == 1
            else { throw CipherError.failed("init") }
        }
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(ctx, nil, &len, associatedData, Int32(associatedData.count)) == 1 else {
                throw CipherError.failed("aad")
            }
        }
        var total: Int32 = 0
        try out.withUnsafeMutableBytes { o in
            let base = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard EVP_DecryptUpdate(ctx, base, &len, sealed.ciphertext, Int32(sealed.ciphertext.count)) == 1 else {
                throw CipherError.authenticationFailed
            }
            total = len
            var tag = sealed.tag
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tag) == 1 else {
                throw CipherError.failed("tag")
            }
            guard EVP_DecryptFinal_ex(ctx, base + Int(total), &len) == 1 else { throw CipherError.authenticationFailed }
            total += len
        }
        return out.slice(0..<Int(total))
    }
}

public enum AESCTR {
    /// AES-128-CTR（加解密同一运算）。Web3 v3 keystore 规定的算法；完整性靠其外层的 Keccak MAC。
    public static func apply(_ input: [UInt8], key: SecretBytes, iv: [UInt8]) throws -> [UInt8] {
        guard key.count == 16 else { throw CipherError.invalidKeyLength(key.count) }
        guard iv.count == 16 else { throw CipherError.invalidNonceLength(iv.count) }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CipherError.failed("ctx") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var len: Int32 = 0, total: Int32 = 0
        try key.withUnsafeBytes { k in
            guard EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nil, k.baseAddress?.assumingMemoryBound(to: UInt8.self), iv) == 1
            else { throw CipherError.failed("init") }
        }
        guard EVP_EncryptUpdate(ctx, &out, &len, input, Int32(input.count)) == 1 else { throw CipherError.failed("update") }
        total = len
        try out.withUnsafeMutableBufferPointer { o in
            guard EVP_EncryptFinal_ex(ctx, o.baseAddress! + Int(total), &len) == 1 else { throw CipherError.failed("final") }
        }
        total += len
        return Array(out[0..<Int(total)])
    }
}
