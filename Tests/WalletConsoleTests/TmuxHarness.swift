import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// tmux 屏幕测试工具：在给定尺寸的分离会话里运行真实程序，发送按键，抓取屏幕，等待文字，调整尺寸。
/// 每个实例用独立的 tmux socket（-L），互不干扰，也不碰用户自己的 tmux。
/// 引擎波次中 `wallet-console demo` 的端到端屏幕测试用它。
final class TmuxHarness {
    enum HarnessError: Error, CustomStringConvertible {
        case tmuxFailed(args: [String], status: Int32, stderr: String)
        case timeout(waitingFor: String, screen: String)
        var description: String {
            switch self {
            case .tmuxFailed(let a, let s, let e): return "tmux \(a.joined(separator: " ")) 退出码 \(s)：\(e)"
            case .timeout(let t, let screen): return "等待 “\(t)” 超时。当前屏幕：\n\(screen)"
            }
        }
    }

    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    let socket: String
    let session = "t"
    private(set) var started = false
    private var serverPid: pid_t?
    /// 窗格里程序的进程组（窗格进程是会话首进程，pgid = pid）。
    private var panePids: [pid_t] = []

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || which("tmux") != nil }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    init() {
        let n = Self.counterLock.withLock { Self.counter += 1; return Self.counter }
        socket = "wallet-console-test-\(getpid())-\(n)"
    }

    deinit { kill() }

    /// 运行 tmux 子命令并返回标准输出。
    /// 用 posix_spawn + waitpid 而不是 Foundation.Process：tmux 服务器会继承并长期持有子进程的描述符，
    /// 管道永远等不到 EOF；输出写到临时文件，等 tmux 客户端退出后再读。
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let tmuxPath = Self.which("tmux") ?? "/usr/bin/tmux"
        let dir = NSTemporaryDirectory()
        let outPath = dir + "/\(socket)-\(getpid())-\(Self.nextSeq()).out"
        let errPath = outPath + ".err"
        defer { unlink(outPath); unlink(errPath) }
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&fa, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [tmuxPath, "-u", "-L", socket, "-f", "/dev/null"] + args
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"; env["LC_ALL"] = "C.UTF-8"
        env.removeValue(forKey: "TMUX")
        let envList = env.map { "\($0.key)=\($0.value)" }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = envList.map { strdup($0) } + [nil]
        defer { cArgv.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, tmuxPath, &fa, nil, &cArgv, &cEnv)
        guard rc == 0 else { throw HarnessError.tmuxFailed(args: args, status: rc, stderr: "posix_spawn failed") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else { throw HarnessError.tmuxFailed(args: args, status: exitCode, stderr: err) }
        return out
    }

    private static let seqLock = NSLock()
    nonisolated(unsafe) private static var seq = 0
    static func nextSeq() -> Int { seqLock.withLock { seq += 1; return seq } }

    /// 在 cols x rows 的分离会话中启动命令（经 sh -c 解释）。程序退出后窗格保留，便于检查最后的屏幕。
    func start(_ command: String, cols: Int = 80, rows: Int = 24, env: [String: String] = [:]) throws {
        // 先用占位程序建会话、设好 remain-on-exit，再 respawn 成真正的命令：程序即使立刻退出，窗格也保留。
        try tmux(["new-session", "-d", "-s", session, "-x", String(cols), "-y", String(rows), "sleep 600", ";",
                  "set-option", "-g", "remain-on-exit", "on", ";", "set-option", "-g", "window-size", "manual"])
        started = true
        serverPid = pid_t(try tmux(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
        if let p = pid_t(try tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) { _ = Glibc.kill(p, SIGKILL) }  // 占位 sleep 同理收不到挂断
        var args = ["respawn-pane", "-k", "-t", session]
        for (k, v) in env.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        // 退出码写进状态文件（tmux 的 pane_dead_status 在部分环境下取不到）。
        unlink(statusPath)
        let quoted = "'" + command.replacingOccurrences(of: "'", with: "'\\''") + "'"
        args += ["-e", "TERM=xterm-256color", "sh -c \(quoted); echo $? > \(statusPath)"]
        try tmux(args)
        if let p = pid_t(try tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) { panePids.append(p) }
    }

    /// 发送按键：tmux 键名（"Enter"、"Escape"、"C-c"、"Up"）。
    func sendKeys(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }

    /// 按字面发送文字（不解释键名）。
    func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]) }

    /// 当前屏幕的文本（每行右侧空白保留为 tmux 的输出）。
    func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    /// 包括历史滚动区在内的全部内容（检查机密是否留在 scrollback）。
    func captureWithHistory() throws -> String { try tmux(["capture-pane", "-p", "-S", "-", "-E", "-", "-t", session]) }

    /// 等待屏幕出现文字，超时抛错并附上当前屏幕。
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 5) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if screen.contains(text) { return screen }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError.timeout(waitingFor: text, screen: screen)
    }

    /// 等待文字消失。
    func waitForAbsence(_ text: String, timeout: TimeInterval = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if !screen.contains(text) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError.timeout(waitingFor: "（消失）" + text, screen: screen)
    }

    func resize(cols: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", String(cols), "-y", String(rows)])
    }

    /// 窗格里的程序是否已退出，以及退出码。
    func exitStatus() throws -> Int32? {
        guard let text = try? String(contentsOfFile: statusPath, encoding: .utf8),
              let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return code
    }

    var statusPath: String { NSTemporaryDirectory() + "/\(socket).status" }

    /// 窗格当前是否处于备用屏幕（程序退出后应为 0）。
    func alternateScreenOn() throws -> Bool {
        try tmux(["display-message", "-p", "-t", session, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// 模拟 SSH 断开：只关掉 tmux 服务器（终端挂断），不发 SIGKILL；返回窗格里程序的 pid 供测试检查它是否自行退出。
    func hangUp() -> [pid_t] {
        let pids = panePids
        // tmux 的 kill-server 是给自己发 SIGTERM，而它继承的屏蔽字挡住了 SIGTERM；直接结束服务器进程，pty 主端随之关闭。
        if let p = serverPid { _ = Glibc.kill(p, SIGKILL) }
        return pids
    }

    func kill() {
        guard started else { return }
        started = false
        // 测试运行器线程屏蔽了 SIGHUP 等信号，屏蔽字经 posix_spawn 继承给窗格里的程序，kill-server 的挂断信号
        // 它们收不到；用不可屏蔽的 SIGKILL 结束整个进程组，测试不留孤儿进程。
        for p in panePids where p > 1 { _ = Glibc.kill(-p, SIGKILL) }
        panePids.removeAll()
        _ = try? tmux(["kill-server"])
        // 保险：服务器若未退出则按 pid 结束（只结束本实例启动的那个）。
        if let p = serverPid, Glibc.kill(p, 0) == 0 { Thread.sleep(forTimeInterval: 0.1); _ = Glibc.kill(p, SIGKILL) }
        unlink(NSTemporaryDirectory() + "/tmux-\(getuid())/\(socket)")
        unlink(statusPath)
    }
}
