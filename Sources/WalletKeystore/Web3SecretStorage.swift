// Web3 Secret Storage v3（geth / MetaMask 的 keystore 文件）：scrypt 或 PBKDF2 派生 32 字节，
// 前 16 字节作 AES-128-CTR 密钥，MAC = Keccak-256(派生密钥[16..<32] ‖ 密文)。MAC 不符 = 口令错。
import CPKCS11
import Foundation
import WalletCrypto
import WalletKeys

public enum Web3SecretStorage {
    public enum KDFChoice: Sendable, Equatable {
        case scrypt(n: UInt64, r: UInt64, p: UInt64)
        case pbkdf2(iterations: Int)
        /// geth 的标准参数（StandardScryptN = 2^18, r = 8, p = 1）。
        public static let standardScrypt = KDFChoice.scrypt(n: 1 << 18, r: 8, p: 1)
        public static let standardPBKDF2 = KDFChoice.pbkdf2(iterations: 262_144)
    }

    /// v3 文件与口令的问题都是输入错误：退出码 2。
    public static func error(_ code: String, _ zh: String, _ en: String) -> WalletError {
        WalletError(code, zh: zh, en: en, badInput: true)
    }

    static let wrongPassword = error("v3.wrong_password", "口令错误：Web3 v3 文件的 MAC 校验不符（也可能是文件被改动）。",
                                     "wrong password: the Web3 v3 MAC does not match (or the file was altered).")

    static func malformed(_ d: String) -> WalletError {
        error("v3.malformed", "不是有效的 Web3 v3 keystore 文件：\(BilingualText.split(d).zh)", "not a valid Web3 v3 keystore file: \(BilingualText.split(d).en)")
    }

    /// 解密，返回 (私钥, 地址)。文件带 address 字段时核对一致。
    public static func decrypt(json: Data, password: SecretBytes) throws -> (privateKey: SecretBytes, address: EthereumAddress) {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw malformed("不是 JSON 对象 / not a JSON object") }
        guard (root["version"] as? Int) == 3 else { throw malformed("version 必须为 3 / version must be 3") }
        guard let crypto = (root["crypto"] ?? root["Crypto"]) as? [String: Any] else { throw malformed("缺少 crypto / missing crypto") }
        guard (crypto["cipher"] as? String) == "aes-128-ctr" else { throw malformed("只支持 aes-128-ctr / only aes-128-ctr") }
        guard let ct = (crypto["ciphertext"] as? String).flatMap({ try? Hex.decode($0) }),
              let iv = ((crypto["cipherparams"] as? [String: Any])?["iv"] as? String).flatMap({ try? Hex.decode($0) }), iv.count == 16,
              let mac = (crypto["mac"] as? String).flatMap({ try? Hex.decode($0) }), mac.count == 32,
              let kdf = crypto["kdf"] as? String, let kp = crypto["kdfparams"] as? [String: Any],
              let salt = (kp["salt"] as? String).flatMap({ try? Hex.decode($0) }),
              let dklen = kp["dklen"] as? Int, dklen >= 32, dklen <= 64
        else { throw malformed("字段缺失或格式错误 / missing or malformed fields") }
        let dk: SecretBytes
        switch kdf {
        case "scrypt":
            // 先界定参数再做任何运算：文件不需要口令就能构造，超大值不能引发整数陷阱、巨量分配或数小时的计算。
            guard let n = kp["n"] as? Int, let r = kp["r"] as? Int, let p = kp["p"] as? Int,
                  // 内存/时间预算（geth 标准参数 N=2^18, r=8, p=1 在预算内）：内存 128·N·r ≤ 256 MiB（N ≤ 2^18 且 N·r ≤ 2^21），
                  // 计算量 N·r·p ≤ 2^18·8·4。超出的文件在做任何运算之前就被拒绝。
                  n > 1, n <= 1 << 18, r > 0, r <= 32, p > 0, p <= 16, n * r <= 1 << 21, n * r * p <= 1 << 23 else {
                throw malformed("scrypt 参数 / scrypt params")
            }
            dk = try scrypt(password: password, salt: salt, n: UInt64(n), r: UInt64(r), p: UInt64(p), keyLength: dklen)
        case "pbkdf2":
            guard let c = kp["c"] as? Int, c > 0, c <= 10_000_000, (kp["prf"] as? String) == "hmac-sha256" else {
                throw malformed("pbkdf2 参数（只支持 hmac-sha256）/ pbkdf2 params (hmac-sha256 only)")
            }
            dk = try KDF.pbkdf2(password: password, salt: salt, iterations: c, keyLength: dklen, prf: .sha256)
        default:
            throw malformed("未知 kdf \(kdf) / unknown kdf")
        }
        var dkb = dk.unsafeArray()
        defer { SecretBytes.wipe(&dkb) }
        let calc = Keccak.keccak256(Array(dkb[16..<32]) + ct)
        guard SecretBytes.constantTimeEqual(calc, mac) else { throw wrongPassword }
        guard ct.count <= 32 else { throw malformed("密文长于 32 字节 / ciphertext longer than 32 bytes") }
        var pk = try AESCTR.apply(ct, key: SecretBytes(dkb[0..<16]), iv: iv)
        // geth 的旧文件可能存了去掉前导零的 30/31 字节私钥（官方向量 31_byte_key/30_byte_key）：左侧补零。
        if pk.count < 32 { pk = [UInt8](repeating: 0, count: 32 - pk.count) + pk }
        let key = SecretBytes(consuming: &pk)
        guard Secp256k1.isValidPrivateKey(key) else { throw malformed("解出的不是有效私钥 / decrypted data is not a valid private key") }
        let addr = try EthereumAddress(publicKey: try Secp256k1.publicKey(privateKey: key, compressed: false))
        if let a = root["address"] as? String, !a.isEmpty {
            guard let claimed = try? EthereumAddress(string: a), claimed == addr else {
                throw error("v3.address_mismatch", "文件中的地址与私钥不符：文件可能被拼接篡改。", "the file's address does not match its key: the file may be spliced.")
            }
        }
        return (key, addr)
    }

    /// scrypt：常规参数走 OpenSSL；OpenSSL 按 RFC 7914 拒绝 N ≥ 2^(16r)（geth 与以太坊 wiki 的 r=1,p=8 向量就是这样），
    /// 此时按 RFC 7914 §6 组合：B = PBKDF2(P, S, 1, p·128r)，每块 ROMix（C 实现），DK = PBKDF2(P, B, 1, dkLen)。
    static func scrypt(password: SecretBytes, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, keyLength: Int) throws -> SecretBytes {
        if 16 * r >= 64 || n < (1 << (16 * r)) {
            return try KDF.scrypt(password: password, salt: salt, n: n, r: r, p: p, keyLength: keyLength)
        }
        return try scryptRFC7914(password: password, salt: salt, n: n, r: r, p: p, keyLength: keyLength)
    }

    static func scryptRFC7914(password: SecretBytes, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, keyLength: Int) throws -> SecretBytes {
        guard n > 1, n & (n - 1) == 0, r >= 1, r <= 32, p <= 16, n <= (512 << 20) / (128 * r) else {
            throw malformed("scrypt 参数过大或无效 / scrypt parameters invalid or too large")
        }
        let blockLen = Int(128 * r)
        let b = try KDF.pbkdf2(password: password, salt: salt, iterations: 1, keyLength: Int(p) * blockLen, prf: .sha256)
        var v = [UInt8](repeating: 0, count: Int(128 * r * n))
        var xy = [UInt8](repeating: 0, count: 2 * blockLen)
        defer { SecretBytes.wipe(&v); SecretBytes.wipe(&xy) }
        b.withUnsafeMutableBytes { bp in
            let base = bp.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for i in 0..<Int(p) { cpkcs11_scrypt_romix(base + i * blockLen, UInt(r), n, &v, &xy) }
        }
        var bb = b.unsafeArray()
        defer { SecretBytes.wipe(&bb) }
        return try KDF.pbkdf2(password: password, salt: bb, iterations: 1, keyLength: keyLength, prf: .sha256)
    }

    /// 加密为 v3 JSON（键排序，小写十六进制，与 geth 的字段一致）。
    public static func encrypt(privateKey: SecretBytes, password: SecretBytes, kdf: KDFChoice = .standardScrypt) throws -> Data {
        let salt = try SecureRandom.bytes(32), iv = try SecureRandom.bytes(16)
        let dk: SecretBytes
        var kdfName = "", params: [String: Any] = ["dklen": 32, "salt": salt.hex]
        switch kdf {
        case let .scrypt(n, r, p):
            dk = try KDF.scrypt(password: password, salt: salt, n: n, r: r, p: p, keyLength: 32)
            kdfName = "scrypt"; params["n"] = Int(n); params["r"] = Int(r); params["p"] = Int(p)
        case let .pbkdf2(c):
            dk = try KDF.pbkdf2(password: password, salt: salt, iterations: c, keyLength: 32, prf: .sha256)
            kdfName = "pbkdf2"; params["c"] = c; params["prf"] = "hmac-sha256"
        }
        var dkb = dk.unsafeArray()
        defer { SecretBytes.wipe(&dkb) }
        var plain = privateKey.unsafeArray()
        defer { SecretBytes.wipe(&plain) }
        let ct = try AESCTR.apply(plain, key: SecretBytes(dkb[0..<16]), iv: iv)
        let mac = Keccak.keccak256(Array(dkb[16..<32]) + ct)
        let addr = try EthereumAddress(publicKey: try Secp256k1.publicKey(privateKey: privateKey, compressed: false))
        // UUID v4 由 CSPRNG 生成（id 不是机密，但全项目只用 SecureRandom）。
        var u = try SecureRandom.bytes(16)
        u[6] = u[6] & 0x0f | 0x40; u[8] = u[8] & 0x3f | 0x80
        let h = u.hex
        let uuid = [h.prefix(8), h.dropFirst(8).prefix(4), h.dropFirst(12).prefix(4), h.dropFirst(16).prefix(4), h.dropFirst(20)].map(String.init).joined(separator: "-")
        let obj: [String: Any] = [
            "address": String(addr.checksummed.dropFirst(2)).lowercased(),
            "crypto": ["cipher": "aes-128-ctr", "ciphertext": ct.hex, "cipherparams": ["iv": iv.hex], "kdf": kdfName,
                       "kdfparams": params, "mac": mac.hex],
            "id": uuid, "version": 3,
        ]
        return try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
    }
}
