import Foundation
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

/// CLI 的入口：`wallet-console console` / `demo` 构造好后端与配置后调用它。
/// 无论正常退出还是抛错，终端都会恢复（驱动 stop 在 defer 中；致命信号由 TerminalRestore 处理）。
public enum ConsoleRunner {
    public static func run(backend: ConsoleBackend, config: ConsoleConfig) throws {
        guard isatty(0) == 1, isatty(1) == 1 else { throw NotATerminalError() }
        try NcursesDriver.checkTerminal(env: ProcessInfo.processInfo.environment)
        let driver = NcursesDriver()
        let app = ConsoleApp(backend: backend, driver: driver, config: config)
        try app.run()
        // 终端已恢复（stop 之后）：留一行告别与最后一条消息在正常屏幕上，便于事后查看。
        let line = app.exitMessage + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// 标准输入/输出不是终端（被管道或重定向）。
public struct NotATerminalError: WalletErrorConvertible {
    public init() {}
    /// 以前靠协议默认值算输入错误（退出码 2），照旧。
    public var walletError: WalletError {
        WalletError("console.not_a_terminal", zh: "控制台需要交互式终端：标准输入和输出不能被重定向。脚本请改用对应的 CLI 命令（例如 withdraw approve）。",
                    en: "the console needs an interactive terminal: stdin and stdout must not be redirected. Scripts should use the CLI commands instead (e.g. withdraw approve).", badInput: true)
    }
}
