// KMS 非对称操作：secp256k1 私钥只在 KMS 进程里解密、签名，返回低 S 签名和公钥。
import WalletCrypto
import WalletKeys

extension KMSServer {
    func createSecp256k1Key(label: String) throws -> [String: Any] {
        var key = try SecureRandom.secret(32)
        while !Secp256k1.isValidPrivateKey(key) { key = try SecureRandom.secret(32) }
        let pub = try Secp256k1.publicKey(privateKey: key, compressed: false)
        let info = try keystore.store(secret: key, kind: .privateKey, label: label, tier: .kms, algorithm: KMSServer.secp256k1Spec,
                                      address: try EthereumAddress(publicKey: pub).checksummed, publicKey: pub.hex)
        return ["keyId": info.id, "keySpec": KMSServer.secp256k1Spec]
    }

    func sign(keyId: String, digestHex: String) throws -> [String: Any] {
        try requireKey(keyId, spec: KMSServer.secp256k1Spec)
        guard let d = try? Hex.decode(digestHex), d.count == 32 else { throw KMSError.badRequest("digest 必须是 32 字节十六进制 / digest must be 32 bytes hex") }
        let sig = try keystore.withSecret(id: keyId) { k, _ in try Secp256k1.signRecoverable(digest32: d, privateKey: k) }
        keystore.recordSignature(id: keyId)
        return ["keyId": keyId, "r": sig.r.hex, "s": sig.s.hex, "recoveryId": Int(sig.recoveryId)]
    }

    func getPublicKey(keyId: String) throws -> [String: Any] {
        try requireKey(keyId, spec: KMSServer.secp256k1Spec)
        let info = try keystore.info(id: keyId)
        return ["keyId": keyId, "publicKey": info.publicKey ?? "", "address": info.address ?? ""]
    }
}
