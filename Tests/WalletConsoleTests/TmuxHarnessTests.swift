import Foundation
import Testing

/// 用一个简单程序验证 tmux 工具本身；真实二进制的屏幕测试在引擎波次加入（wallet-console demo）。
@Suite(.serialized, .enabled(if: TmuxHarness.available)) struct TmuxHarnessTests {
    @Test func capturesCjkOutputAtGivenSize() throws {
        let t = TmuxHarness()
        defer { t.kill() }
        try t.start("sh -c 'printf 你好; printf \"|\\n\"; stty size; sleep 5'", cols: 80, rows: 24)
        let screen = try t.waitFor("你好")
        #expect(screen.contains("你好|"))
        try t.waitFor("24 80")
    }

    @Test func sendKeysAndResize() throws {
        let t = TmuxHarness()
        defer { t.kill() }
        // 读一行后回显，然后每 0.1 秒报告终端尺寸。
        try t.start("sh -c 'read line; echo got:$line; while true; do stty size; sleep 0.1; done'", cols: 80, rows: 24)
        try t.type("abc")
        try t.sendKeys("Enter")
        try t.waitFor("got:abc")
        try t.resize(cols: 60, rows: 20)
        try t.waitFor("20 60")
        try t.resize(cols: 120, rows: 40)
        try t.waitFor("40 120")
    }

    @Test func timeoutReportsScreenAndExitStatusIsVisible() throws {
        let t = TmuxHarness()
        defer { t.kill() }
        try t.start("sh -c 'printf ready; exit 3'", cols: 80, rows: 24)
        try t.waitFor("ready")
        #expect(throws: TmuxHarness.HarnessError.self) { try t.waitFor("never-appears", timeout: 0.3) }
        var status: Int32?
        for _ in 0..<40 where status == nil { status = try t.exitStatus(); Thread.sleep(forTimeInterval: 0.05) }
        #expect(status == 3)
        #expect(try t.alternateScreenOn() == false)
    }
}
