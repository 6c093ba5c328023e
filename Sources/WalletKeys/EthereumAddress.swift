// 以太坊地址：公钥（去掉 0x04 前缀的 64 字节）Keccak-256 的后 20 字节。EIP-55 用大小写携带校验。
import WalletCrypto

public struct AddressError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    /// 都是输入错误：退出码 2。
    init(_ code: String, zh: String, en: String) { walletError = WalletError(code, zh: zh, en: en, badInput: true) }

    static func badChecksum(_ s: String, expected: String) -> AddressError {
        AddressError("address.bad_checksum",
                     zh: "地址 '\(s)' 的大小写校验（EIP-55）不对，可能抄错了字符。正确写法是 \(expected)；请核对来源，不要只改大小写。",
                     en: "address '\(s)' has a wrong EIP-55 mixed-case checksum (likely a typo). Correct form: \(expected); re-check the source.")
    }
}

public struct EthereumAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 20 else {
            throw AddressError("address.bad_length", zh: "以太坊地址必须是 20 字节（收到 \(bytes.count)）。",
                               en: "an Ethereum address is 20 bytes (got \(bytes.count)).")
        }
        self.bytes = bytes
    }

    /// 33 或 65 字节公钥。
    public init(publicKey: [UInt8]) throws {
        let full = publicKey.count == 65 ? publicKey : try Secp256k1.decompress(publicKey)
        guard full.count == 65, full[0] == 4 else { throw Secp256k1Error(.invalidPublicKey) }
        bytes = Array(full[1...].withUnsafeBytes { Keccak.keccak256($0) }[12...])
    }

    /// 热路径：直接从 65 字节未压缩公钥缓冲区计算。
    public init(uncompressedPublicKey p: UnsafeRawBufferPointer) {
        var h = [UInt8](repeating: 0, count: 32)
        h.withUnsafeMutableBytes { Keccak.keccak256(UnsafeRawBufferPointer(rebasing: p[1..<65]), into: $0.baseAddress!) }
        bytes = Array(h[12...])
    }

    /// 接受 0x 前缀；全小写/全大写视为无校验接受，大小写混合必须符合 EIP-55。
    public init(string: String) throws {
        var s = Substring(string.trimmingWhitespace)
        if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
        guard s.utf8.count == 40, let raw = try? Hex.decode(String(s)) else {
            throw AddressError("address.malformed",
                               zh: "'\(string)' 不是以太坊地址：需要 0x 加 40 个十六进制字符。",
                               en: "'\(string)' is not an Ethereum address: expected 0x + 40 hex characters.")
        }
        try self.init(bytes: raw)
        let body = String(s)
        let hasLower = body.contains { $0.isLowercase }, hasUpper = body.contains { $0.isUppercase }
        if hasLower && hasUpper && body != String(checksummed.dropFirst(2)) {
            throw AddressError.badChecksum(string, expected: checksummed)
        }
    }

    /// EIP-55：对小写十六进制做 Keccak-256，对应半字节 ≥ 8 的字母大写。
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let h = Keccak.keccak256(lower)
        var out = [UInt8]()
        out.reserveCapacity(42)
        out.append(contentsOf: [0x30, 0x78])
        for (i, c) in lower.enumerated() {
            let nib = i % 2 == 0 ? h[i / 2] >> 4 : h[i / 2] & 0x0f
            out.append(c >= 0x61 && nib >= 8 ? c - 32 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var lowercased: String { "0x" + Hex.encode(bytes) }
    public var description: String { checksummed }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
