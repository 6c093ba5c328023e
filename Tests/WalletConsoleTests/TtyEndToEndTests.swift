import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

/// 真终端（tmux 伪终端）里的 ncursesw 驱动测试：测试进程自己在 tmux 窗格中以“探针”模式重新启动，
/// 探针用测试后端运行真正的 ConsoleRunner。引擎波次有了 `wallet-console demo` 后，同样的检查改跑真实二进制。
@Suite(.serialized, .enabled(if: TmuxHarness.available)) struct TtyEndToEndTests {
    static let probeEnv = "WALLET_CONSOLE_TTY_PROBE"

    /// 探针：只有在环境变量存在时才运行（由下面的测试在 tmux 里启动）。
    @Test(.enabled(if: ProcessInfo.processInfo.environment[TtyEndToEndTests.probeEnv] != nil))
    func ttyProbe() throws {
        let b = TestBackend(role: .approver)
        b.set { $0.withdrawalRows[0].requestedBy = "张三丰" }
        let readonly = ProcessInfo.processInfo.environment[Self.probeEnv] == "readonly"
        try ConsoleRunner.run(backend: b, config: ConsoleConfig(lang: .zh, readonly: readonly, refreshIntervalMs: 300))
    }

    func launch(_ t: TmuxHarness, mode: String = "1", cols: Int = 80, rows: Int = 24) throws {
        let exe = CommandLine.arguments[0]
        let isXctest = exe.hasSuffix(".xctest")
        #expect(isXctest, "测试二进制路径：\(exe)")
        try t.start("\(exe) --testing-library swift-testing --filter ttyProbe", cols: cols, rows: rows,
                    env: [Self.probeEnv: mode, "LANG": "C.UTF-8"])
    }

    @Test func realTerminalDashboardResizeAndQuitRestores() throws {
        let t = TmuxHarness()
        defer { t.kill() }
        try launch(t)
        let screen = try t.waitFor("待审提现", timeout: 20)
        #expect(screen.contains("充值确认") && screen.contains("密钥层级"))
        #expect(try t.alternateScreenOn(), "运行时在备用屏幕")
        try t.sendKeys("3")
        let list = try t.waitFor("张三丰")
        #expect(list.contains("<a>批准"))
        try t.resize(cols: 60, rows: 20)
        try t.waitFor("终端太小")
        try t.resize(cols: 80, rows: 24)
        try t.waitFor("张三丰")
        try t.sendKeys("a")
        try t.waitFor("等价命令")
        try t.sendKeys("Escape")
        try t.waitForAbsence("等价命令")
        try t.sendKeys("q")
        var status: Int32?
        for _ in 0..<100 where status == nil { status = try t.exitStatus(); Thread.sleep(forTimeInterval: 0.05) }
        #expect(status == 0)
        #expect(try t.alternateScreenOn() == false, "退出后离开备用屏幕")
        let after = try t.capture()
        #expect(!after.contains("待审提现"), "退出后控制台画面不留在主屏幕")
    }

    @Test func sigintRestoresTerminal() throws {
        let t = TmuxHarness()
        defer { t.kill() }
        try launch(t, mode: "readonly")
        try t.waitFor("待审提现", timeout: 20)
        let s = try t.waitFor("只读")
        #expect(s.contains("观察员"))
        try t.sendKeys("3")
        let list = try t.waitFor("张三丰")
        #expect(!list.contains("批准"), "只读模式不显示批准键")
        try t.sendKeys("C-c")
        var status: Int32?
        for _ in 0..<100 where status == nil { status = try t.exitStatus(); Thread.sleep(forTimeInterval: 0.05) }
        #expect(status == 130, "SIGINT 默认动作终止（128+2）")
        #expect(try t.alternateScreenOn() == false)
    }

    @Test func sigtermRestoresTerminal() throws {
        let t = TmuxHarness()
        defer { t.kill() }
        try launch(t)
        try t.waitFor("alice", timeout: 20)
        // 窗格进程是 sh 包装，探针是它的子进程；只向这个子进程发 SIGTERM。
        let shPid = try t.tmux(["display-message", "-p", "-t", "t", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try String(contentsOfFile: "/proc/\(shPid)/task/\(shPid)/children", encoding: .utf8)
        let probe = try #require(children.split(separator: " ").first.flatMap { Int32($0) })
        #expect(kill(probe, SIGTERM) == 0)
        var status: Int32?
        for _ in 0..<100 where status == nil { status = try t.exitStatus(); Thread.sleep(forTimeInterval: 0.05) }
        #expect(status == 143, "SIGTERM 默认动作终止（128+15）")
        #expect(try t.alternateScreenOn() == false)
    }
}
