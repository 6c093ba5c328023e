// 引擎层的错误：类型化（catch 用），码、说明与类别都在 walletError 里（一个错误模型，见 docs/errors.md）。
import WalletCrypto

public struct EngineError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError

    public init(_ code: String, zh: String, en: String, badInput: Bool) {
        walletError = WalletError(code, zh: zh, en: en, badInput: badInput)
    }
    /// 旧写法（默认「运行错误」）：只留给正在被重写的日志/指标/运行时文件过渡，新代码必须写明 badInput。
    @available(*, deprecated, message: "写明 badInput:（输入错误 true → 退出码 2；运行错误 false → 退出码 1）")
    public init(_ code: String, zh: String, en: String) {
        self.init(code, zh: zh, en: en, badInput: false)
    }

    /// 配置项错误：总是指出是哪个键、错在哪、怎么改。
    public static func config(_ key: String, zh: String, en: String, file: String = "config.json") -> EngineError {
        EngineError("config.invalid", zh: "配置文件 \(file) 中的 \(key)：\(zh)", en: "\(file): \(key): \(en)", badInput: true)
    }
}
