// BIP-32 路径：m/44'/60'/0'/0/5（' 或 h 表示硬化），以及相对路径 0/5（xpub-derive 用）。

public struct PathError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    /// 路径写错是输入错误：退出码 2。
    init(zh: String, en: String) { walletError = WalletError("path.invalid", zh: zh, en: en, badInput: true) }
}

import WalletCrypto

public struct DerivationPath: Hashable, Sendable, CustomStringConvertible {
    public static let hardenedOffset: UInt32 = 0x8000_0000
    /// 原始索引（≥ 2^31 为硬化）。
    public var components: [UInt32]
    /// 以 m 开头的绝对路径；否则为相对路径。
    public var isAbsolute: Bool

    public init(components: [UInt32], isAbsolute: Bool = true) {
        self.components = components; self.isAbsolute = isAbsolute
    }

    public init(string: String) throws {
        let s = string.trimmingWhitespace
        func err(_ zh: String, _ en: String) -> PathError {
            PathError(zh: "路径 '\(string)' 无效：\(zh)。示例：m/44'/60'/0'/0/5", en: "path '\(string)' is invalid: \(en). Example: m/44'/60'/0'/0/5")
        }
        var parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !s.isEmpty else { throw err("为空", "empty") }
        if parts[0] == "m" || parts[0] == "M" {
            isAbsolute = true; parts.removeFirst()
        } else {
            isAbsolute = false
        }
        var comps = [UInt32]()
        for (i, p) in parts.enumerated() {
            var body = Substring(p)
            var hardened = false
            if let last = body.last, last == "'" || last == "h" || last == "H" { hardened = true; body = body.dropLast() }
            guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw err("第 \(i + 1) 段 '\(p)' 不是数字（允许 ' 或 h 后缀）", "component \(i + 1) '\(p)' is not a number (optional ' or h suffix)")
            }
            guard body.count <= 10, let v = UInt64(body), v < UInt64(DerivationPath.hardenedOffset) else {
                throw err("第 \(i + 1) 段 '\(p)' 超出范围（索引必须 < 2^31，硬化用 ' 表示）", "component \(i + 1) '\(p)' out of range (index must be < 2^31; use ' for hardened)")
            }
            comps.append(UInt32(v) | (hardened ? DerivationPath.hardenedOffset : 0))
        }
        guard comps.count <= 255 else { throw err("层数超过 255", "deeper than 255 levels") }
        components = comps
    }

    public static func format(index: UInt32) -> String {
        index >= hardenedOffset ? "\(index - hardenedOffset)'" : "\(index)"
    }

    public var description: String {
        let body = components.map(DerivationPath.format).joined(separator: "/")
        if isAbsolute { return body.isEmpty ? "m" : "m/" + body }
        return body
    }

    public var hasHardened: Bool { components.contains { $0 >= DerivationPath.hardenedOffset } }

    public func appending(_ index: UInt32) -> DerivationPath {
        DerivationPath(components: components + [index], isAbsolute: isAbsolute)
    }
}
