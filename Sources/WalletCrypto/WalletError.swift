// 所有模块共用的错误约定：稳定的机器码（--json 输出）+ 中英双语、可操作的说明（说清错在哪、怎么改）。

public enum Language: String, Sendable, CaseIterable {
    case zh, en
}

/// 面向人的错误。`code` 形如 "bip39.unknown_word"，脚本依赖它，不要改名。
public protocol WalletError: Error, CustomStringConvertible {
    var code: String { get }
    func message(_ lang: Language) -> String
    /// 错误类别决定 CLI 退出码：输入错误 2，检查失败/运行错误 1。
    var isBadInput: Bool { get }
}

extension WalletError {
    public var description: String { "\(code): \(message(.zh))" }
    public var isBadInput: Bool { true }
}

/// 简单场景下直接构造的通用错误。
public struct SimpleWalletError: WalletError, Equatable {
    public let code: String
    public let zh: String
    public let en: String
    public let isBadInput: Bool
    public init(_ code: String, zh: String, en: String, badInput: Bool = true) {
        self.code = code; self.zh = zh; self.en = en; self.isBadInput = badInput
    }
    public func message(_ lang: Language) -> String { lang == .zh ? zh : en }
}
