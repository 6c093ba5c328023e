// 引擎层的错误：稳定机器码 + 中英文可操作说明（CLI 据 isBadInput 决定退出码 2/1）。
import WalletCrypto

public struct EngineError: WalletError, Equatable {
    public let code: String
    public let zh: String
    public let en: String
    public let isBadInput: Bool

    public init(_ code: String, zh: String, en: String, badInput: Bool = false) {
        self.code = code; self.zh = zh; self.en = en; self.isBadInput = badInput
    }
    public func message(_ lang: Language) -> String { lang == .zh ? zh : en }

    /// 配置项错误：总是指出是哪个键、错在哪、怎么改。
    public static func config(_ key: String, zh: String, en: String, file: String = "config.json") -> EngineError {
        EngineError("config.invalid", zh: "配置文件 \(file) 中的 \(key)：\(zh)", en: "\(file): \(key): \(en)", badInput: true)
    }
}
