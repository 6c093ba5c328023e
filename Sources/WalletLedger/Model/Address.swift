// 以太坊地址校验。EIP-55 大小写校验需要 Keccak-256，由调用方注入（WalletKeys 的实现落地前保持可替换）。
import WalletCrypto

public struct AddressValidator: Sendable {
    /// Keccak-256；为 nil 时只能校验格式，混合大小写地址一律拒绝（宁可拒绝也不放过错抄的地址）。
    public let keccak256: (@Sendable ([UInt8]) -> [UInt8])?

    public init(keccak256: (@Sendable ([UInt8]) -> [UInt8])?) { self.keccak256 = keccak256 }

    /// 完整 EIP-55 校验（WalletCrypto 的 Keccak-256）。
    public static let eip55 = AddressValidator(keccak256: { Keccak.keccak256($0) })

    /// 返回规范形式（全小写，0x 前缀），用于存储与比较。
    public func canonical(_ text: String) throws -> String {
        guard text.hasPrefix("0x"), text.utf8.count == 42 else { throw LedgerError.invalidAddress(text) }
        let body = text.dropFirst(2)
        guard body.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) }) else { throw LedgerError.invalidAddress(text) }
        let lower = body.lowercased()
        let upper = body.uppercased()
        // 全小写或全大写：EIP-55 规定不携带校验信息，接受。
        if body == Substring(lower) || body == Substring(upper) { return "0x" + lower }
        guard let keccak256 else { throw LedgerError.badChecksum(text) }
        guard Self.checksummed(lower, keccak256: keccak256) == "0x" + body else { throw LedgerError.badChecksum(text) }
        return "0x" + lower
    }

    /// 显示用：规范小写地址 → EIP-55 混合大小写（没有 Keccak 时原样返回）。
    public func display(_ canonical: String) -> String {
        guard let keccak256, canonical.hasPrefix("0x"), canonical.utf8.count == 42 else { return canonical }
        return Self.checksummed(String(canonical.dropFirst(2)).lowercased(), keccak256: keccak256)
    }

    /// EIP-55：keccak(小写十六进制 ASCII) 的第 i 个半字节 ≥ 8 则第 i 个字母大写。
    public static func checksummed(_ lowerHex: String, keccak256: ([UInt8]) -> [UInt8]) -> String {
        let h = keccak256(Array(lowerHex.utf8))
        var out = "0x"
        for (i, ch) in lowerHex.enumerated() {
            let nib = i % 2 == 0 ? h[i / 2] >> 4 : h[i / 2] & 0x0f
            out.append(nib >= 8 ? Character(ch.uppercased()) : ch)
        }
        return out
    }
}
