/// 颜色深度：按 truecolor → 256 → 16 → mono 探测。
public enum ColorDepth: String, Sendable, CaseIterable, Comparable {
    case mono, ansi16 = "16", ansi256 = "256", truecolor

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rank < b.rank }

    /// 依据环境变量与终端报告的颜色数判断。NO_COLOR（no-color.org）与 TERM=dumb 强制单色。
    public static func detect(env: [String: String], terminalColors: Int) -> ColorDepth {
        if env["NO_COLOR"].map({ !$0.isEmpty }) == true { return .mono }
        let term = env["TERM"] ?? ""
        if term == "dumb" { return .mono }
        let ct = (env["COLORTERM"] ?? "").lowercased()
        if ct == "truecolor" || ct == "24bit" { return .truecolor }
        if term.contains("256color") || terminalColors >= 256 { return .ansi256 }
        if terminalColors >= 8 { return .ansi16 }
        if terminalColors <= 0 && !term.isEmpty && term != "vt100" { return .ansi16 }
        return .mono
    }
}

/// 终端驱动：ncursesw 实现与无头（测试）实现。上层只通过它输出差异、读取按键。
public protocol TerminalDriver: AnyObject {
    var size: Size { get }
    var colorDepth: ColorDepth { get }
    func start() throws
    /// 恢复终端；可重复调用。
    func stop()
    /// 写出差异并刷新屏幕。
    func apply(_ changes: [CellChange], theme: ResolvedTheme)
    /// 读取一个按键，最多等待 `timeoutMs`；超时返回 nil。
    func readKey(timeoutMs: Int) -> Key?
    /// 下一帧全量重绘并清除终端上的旧内容（机密步骤之后、调整尺寸之后）。
    func invalidate()
    /// 原样写出控制序列（OSC 52 复制）。
    func writeRaw(_ s: String)
    /// 终端已挂断（SSH 断开、tmux 会话被杀）：主循环应立即退出，不能在读不到输入时空转。
    var isHungUp: Bool { get }
    /// 开/关终端的信号键（ISIG：Ctrl-C、Ctrl-\、Ctrl-Z）。关掉时它们作为普通按键到达。
    func setSignalKeys(_ enabled: Bool)
}

extension TerminalDriver {
    public var isHungUp: Bool { false }
    public func setSignalKeys(_ enabled: Bool) {}
}
