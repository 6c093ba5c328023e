import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// curses 是否处于活动状态（initscr 之后、endwin 之前）；atexit 据此决定要不要收尾。
nonisolated(unsafe) private var cursesActive = false

/// ncursesw 驱动：UTF-8 locale、备用屏幕（initscr 经 terminfo smcup 进入）、KEY_RESIZE、颜色对按需分配。
/// 退出路径（stop、atexit、致命信号）都会恢复终端。
public final class NcursesDriver: TerminalDriver {
    public private(set) var colorDepth: ColorDepth = .mono
    private var running = false
    private var pairs: [PairKey: Int16] = [:]
    private struct PairKey: Hashable { let fg: Int; let bg: Int }

    public init() {}

    public var size: Size { running ? Size(cols: Int(cnc_cols()), rows: Int(cnc_lines())) : Size(cols: 80, rows: 24) }

    /// 没有光标定位能力的终端（TERM 未设置、dumb）画不出全屏界面，只会输出一堆乱码：直接拒绝，给出类型化错误。
    public static func checkTerminal(env: [String: String]) throws {
        let term = env["TERM"] ?? ""
        if term.isEmpty || term == "dumb" { throw SimpleConsoleError.dumbTerminal(term) }
    }

    public func start() throws {
        try Self.checkTerminal(env: ProcessInfo.processInfo.environment)
        // 宽字符与 CJK 需要 UTF-8 locale；环境没有设置时退到 C.UTF-8。
        if setlocale(LC_ALL, "") == nil || !String(cString: nl_langinfo(nl_item(CODESET))).uppercased().contains("UTF") {
            setlocale(LC_ALL, "C.UTF-8")
        }
        TerminalRestore.arm()
        // atexit 只在 curses 仍处于活动状态时收尾：stop() 之后再调 endwin 会再发一次 rmcup，光标跳回进入前的位置，
        // 退出后打印的消息（告别行、「演示 home 保留在…」）就被 shell 提示符盖掉。
        atexit { if cursesActive { cursesActive = false; endwin() } }
        guard initscr() != nil else {
            TerminalRestore.disarm()
            throw SimpleConsoleError.terminalInit
        }
        // terminfo 里没有 cup（光标定位）的终端同样拒绝——先收起 curses，再报错。
        if let cup = tigetstr("cup"), Int(bitPattern: cup) != -1 {} else {
            endwin()
            TerminalRestore.disarm()
            throw SimpleConsoleError.dumbTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        running = true
        cursesActive = true
        cbreak(); noecho(); nonl()
        // 关掉 XON/XOFF 流控：否则 Ctrl-S 会让屏幕冻结、数字悄悄过期（退出时 TerminalRestore 恢复原 termios）。
        var t = termios()
        if tcgetattr(0, &t) == 0 { t.c_iflag &= ~tcflag_t(IXON); _ = tcsetattr(0, TCSANOW, &t) }
        keypad(cnc_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        colorDepth = ColorDepth.detect(env: ProcessInfo.processInfo.environment, terminalColors: has_colors() ? Int(cnc_colors()) : 0)
    }

    public func stop() {
        guard running else { return }
        running = false
        curs_set(1)
        cursesActive = false
        endwin()
        TerminalRestore.disarm()
    }

    private func pair(fg: Int?, bg: Int?) -> Int16 {
        let key = PairKey(fg: fg ?? -1, bg: bg ?? -1)
        if key.fg == -1 && key.bg == -1 { return 0 }
        if let p = pairs[key] { return p }
        let n = Int16(pairs.count + 1)
        guard Int(n) < Int(cnc_color_pairs()) else { return 0 }
        let maxColor = Int(cnc_colors())
        let f = key.fg < maxColor ? key.fg : -1, b = key.bg < maxColor ? key.bg : -1
        init_pair(n, Int16(f), Int16(b))
        pairs[key] = n
        return n
    }

    public func apply(_ changes: [CellChange], theme: ResolvedTheme) {
        guard running else { return }
        for c in changes {
            let a = theme.attr(for: c.cell.style)
            var attrs = cnc_a_normal()
            if a.bold { attrs |= cnc_a_bold() }
            if a.reverse { attrs |= cnc_a_reverse() }
            if a.underline { attrs |= cnc_a_underline() }
            if a.dim { attrs |= cnc_a_dim() }
            let p = colorDepth == .mono ? 0 : pair(fg: a.fg, bg: a.bg)
            _ = cnc_set_attr(attrs, p)
            _ = cnc_put(Int32(c.y), Int32(c.x), c.cell.text.isEmpty ? " " : c.cell.text)
        }
        refresh()
    }

    public func invalidate() {
        guard running else { return }
        // 整屏清除（包括机密步骤留下的字符），下一帧全量重画。
        wclear(cnc_stdscr())
    }

    public func setSignalKeys(_ enabled: Bool) {
        guard running else { return }
        var t = termios()
        guard tcgetattr(0, &t) == 0 else { return }
        if enabled { t.c_lflag |= tcflag_t(ISIG) } else { t.c_lflag &= ~tcflag_t(ISIG) }
        _ = tcsetattr(0, TCSANOW, &t)
    }

    public private(set) var hungUp = false
    public var isHungUp: Bool { hungUp }

    /// 标准输入（终端）是否已挂断：poll 报 HUP/ERR/NVAL，或 tcgetattr 失败（EIO）。
    static func stdinHungUp() -> Bool {
        var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, 0) < 0 { return false }
        if p.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        var t = termios()
        return tcgetattr(0, &t) != 0
    }

    public func readKey(timeoutMs: Int) -> Key? {
        guard running else { return nil }
        cnc_timeout(Int32(timeoutMs))
        var ch: wint_t = 0
        let r = cnc_get_wch(&ch)
        if r == ERR {
            // 挂断后 get_wch 立刻返回 ERR，不再等待超时；不检查就会变成 100% CPU 的孤儿进程。
            if Self.stdinHungUp() { hungUp = true }
            return nil
        }
        if r == KEY_CODE_YES { return Self.mapFunctionKey(Int32(ch)) }
        return Self.mapChar(UInt32(ch))
    }

    static func mapChar(_ v: UInt32) -> Key? {
        switch v {
        case 27: return .esc
        case 10, 13: return .enter
        case 9: return .tab
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(v + 96)!))
        default:
            guard let s = Unicode.Scalar(v) else { return nil }
            return .char(Character(s))
        }
    }

    static func mapFunctionKey(_ k: Int32) -> Key? {
        switch k {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case cnc_key_resize(): return .resize
        default:
            for n in 1...12 where k == cnc_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }

    public func writeRaw(_ s: String) {
        let bytes = Array(s.utf8)
        bytes.withUnsafeBufferPointer { _ = write(1, $0.baseAddress, $0.count) }
    }
}

/// 终端初始化失败等控制台自身错误。
public enum SimpleConsoleError: WalletErrorConvertible {
    case terminalInit
    /// 终端不支持光标定位（TERM 为空或 dumb）。
    case dumbTerminal(String)
    /// 终端问题是运行环境错误：退出码 1。
    public var walletError: WalletError {
        switch self {
        case .terminalInit:
            return WalletError("console.terminal_init", zh: "无法初始化终端（ncursesw）。请检查 TERM 是否设置正确，并在交互式终端中运行。",
                               en: "cannot initialise the terminal (ncursesw). Check that TERM is set correctly and run in an interactive terminal.", badInput: false)
        case .dumbTerminal(let t):
            return WalletError("console.dumb_terminal",
                               zh: "终端 TERM=\(t.isEmpty ? "（未设置）" : t) 不支持光标定位，控制台无法绘制。请在 xterm 类终端中运行（例如 TERM=xterm-256color），脚本请改用 CLI 命令（例如 withdraw list）。",
                               en: "terminal TERM=\(t.isEmpty ? "(unset)" : t) cannot position the cursor, so the console cannot draw. Run it in an xterm-like terminal (e.g. TERM=xterm-256color); scripts should use the CLI commands (e.g. withdraw list).", badInput: false)
        }
    }
}

import WalletCrypto
