#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// 终端恢复：保存启动时的 termios；任何退出路径（正常、错误、SIGINT/SIGTERM/SIGHUP、崩溃信号）都写回。
// 信号处理函数里只用异步信号安全的调用：tcsetattr、write、signal、raise。
nonisolated(unsafe) private var savedTermios = termios()
nonisolated(unsafe) private var haveSaved = false
nonisolated(unsafe) private var restoreArmed = false

/// 离开备用屏幕、显示光标、复位属性、关闭鼠标上报。
private let restoreSequence: [UInt8] = Array("\u{1b}[0m\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?25h\u{1b}[?1049l".utf8)

public enum TerminalRestore {
    static let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// 在进入 curses 之前调用。
    public static func arm() {
        if tcgetattr(0, &savedTermios) == 0 { haveSaved = true }
        restoreArmed = true
        for s in fatalSignals { signal(s, handler) }
    }

    /// 正常退出路径：恢复并卸下信号处理。
    public static func disarm() {
        restoreArmed = false
        for s in fatalSignals { signal(s, SIG_DFL) }
    }

    /// 直接恢复（异步信号安全）。
    public static func restoreNow() {
        if haveSaved { _ = tcsetattr(0, TCSANOW, &savedTermios) }
        restoreSequence.withUnsafeBufferPointer { _ = write(1, $0.baseAddress, $0.count) }
    }

    private static let handler: @convention(c) (Int32) -> Void = { sig in
        if restoreArmed { TerminalRestore.restoreNow() }
        signal(sig, SIG_DFL)
        raise(sig)
    }
}
