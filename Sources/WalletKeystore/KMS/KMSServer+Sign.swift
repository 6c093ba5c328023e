// KMS 非对称操作（secp256k1）：待 WalletCrypto.Secp256k1 合入 main 后实现。
extension KMSServer {
    func createSecp256k1Key(label: String) throws -> [String: Any] { throw KMSError.badRequest("secp256k1 pending") }
    func sign(keyId: String, digestHex: String) throws -> [String: Any] { throw KMSError.badRequest("secp256k1 pending") }
    func getPublicKey(keyId: String) throws -> [String: Any] { throw KMSError.badRequest("secp256k1 pending") }
}
