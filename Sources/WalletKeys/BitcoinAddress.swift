// 比特币地址：P2PKH（BIP-44，Base58Check，版本 0x00/0x6f）、P2WPKH（BIP-84，bech32 v0）与 WIF（压缩）。
import WalletCrypto

public enum BitcoinNetwork: String, Sendable {
    case mainnet, testnet
    var p2pkhVersion: UInt8 { self == .mainnet ? 0x00 : 0x6f }
    var wifVersion: UInt8 { self == .mainnet ? 0x80 : 0xef }
    public var hrp: String { self == .mainnet ? "bc" : "tb" }
    /// BIP-44 币种：0 = 主网，1 = 所有测试网。
    public init?(coinType: UInt32) {
        switch coinType { case 0: self = .mainnet; case 1: self = .testnet; default: return nil }
    }
}

public enum BitcoinAddress {
    public static func p2pkh(publicKey: [UInt8], network: BitcoinNetwork) throws -> String {
        let pub = try Secp256k1.compress(publicKey)
        return Base58.encodeCheck([network.p2pkhVersion] + Hash.hash160(pub))
    }

    public static func p2wpkh(publicKey: [UInt8], network: BitcoinNetwork) throws -> String {
        let pub = try Secp256k1.compress(publicKey)
        return try Bech32.encodeSegwit(hrp: network.hrp, version: 0, program: Hash.hash160(pub))
    }

    /// 压缩公钥的 WIF：版本 ‖ 私钥 ‖ 0x01。结果是机密文本。
    public static func wif(privateKey: SecretBytes, network: BitcoinNetwork) throws -> String {
        guard Secp256k1.isValidPrivateKey(privateKey) else { throw Secp256k1Error(.invalidPrivateKey) }
        var payload = [network.wifVersion] + privateKey.unsafeArray() + [0x01]
        defer { SecretBytes.wipe(&payload) }
        return Base58.encodeCheck(payload)
    }

    public static func parseWIF(_ text: String) throws -> (privateKey: SecretBytes, network: BitcoinNetwork, compressed: Bool) {
        var raw = try Base58.decodeCheck(text)
        defer { SecretBytes.wipe(&raw) }
        let net: BitcoinNetwork
        switch raw.first { case 0x80: net = .mainnet; case 0xef: net = .testnet
        default: throw WalletError("wif.bad_version", zh: "WIF 版本字节无效（主网 0x80，测试网 0xef）。", en: "invalid WIF version byte (mainnet 0x80, testnet 0xef).", badInput: true) }
        let compressed: Bool
        if raw.count == 34 && raw[33] == 1 { compressed = true } else if raw.count == 33 { compressed = false } else {
            throw WalletError("wif.bad_length", zh: "WIF 长度无效。", en: "invalid WIF length.", badInput: true)
        }
        let k = SecretBytes(raw[1..<33])
        guard Secp256k1.isValidPrivateKey(k) else { throw Secp256k1Error(.invalidPrivateKey) }
        return (k, net, compressed)
    }
}
