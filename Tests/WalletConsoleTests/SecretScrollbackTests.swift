// 机密不留在终端回滚区（issue 11）：以前 `keystore init --unseal-shares` 把全部份额一次打印到主屏幕，值班电脑的回滚区、
// tmux 历史里从此都有它们。现在在备用屏幕上一次一份、按回车清屏；结束后整个历史（capture-pane -S -）里找不到任何一份。
// 真实二进制、真实伪终端（tmux）。
import Foundation
import Testing

@Suite(.serialized, .enabled(if: TmuxHarness.available)) struct SecretScrollbackTests {
    @Test func unsealSharesAreShownOneAtATimeAndLeaveNoScrollback() throws {
        let bin = try #require(DemoScreenTests.binary, "找不到 wallet-console 可执行文件（先 swift build）")
        let home = DemoScreenTests.tempHome("shares")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let t = TmuxHarness()
        defer { t.kill() }
        // 先在主屏幕留一些内容：结束后它应原样回来（离开备用屏幕），份额则不在任何地方。
        try t.start("echo before-the-ceremony; \(bin) keystore init --home \(home) --unseal-shares 2-of-3 --scrypt-log-n 12",
                    cols: 110, rows: 30, env: ["LANG": "C.UTF-8"])
        var seen: [String] = []
        for i in 1...3 {
            var screen = try t.waitFor("解封份额 \(i)/3", timeout: 20)
            #expect(try t.alternateScreenOn(), "份额应画在备用屏幕上")
            // 标题与份额是两次写出：负载高时可能只截到标题，再等份额那一行出现（最多 5 秒）。
            var shares: [String] = []
            for _ in 0..<100 {
                shares = screen.matches(of: #/wcks1-[0-9a-f]{2}-[0-9a-f]+-[0-9a-f]{8}/#).map { String($0.output) }
                if !shares.isEmpty { break }
                Thread.sleep(forTimeInterval: 0.05)
                screen = try t.capture()
            }
            #expect(shares.count == 1, "一屏只显示一份：\(screen)")
            #expect(!shares.contains { seen.contains($0) })
            seen += shares
            try t.sendKeys("Enter")
        }
        var status: Int32?
        for _ in 0..<200 where status == nil { status = try t.exitStatus(); Thread.sleep(forTimeInterval: 0.05) }
        #expect(status == 0)
        #expect(try !t.alternateScreenOn(), "结束后回到主屏幕")
        let history = try t.captureWithHistory()
        #expect(history.contains("before-the-ceremony") && history.contains("已创建 keystore"), "\(history)")
        for s in seen { #expect(!history.contains(s), "份额留在了回滚区") }
        // 份额是真的：任意两份解封。
        try #require(seen.count == 3, "应看到三份：\(seen.count)")   // 少了就停在这里，不让下标越界拖垮整个测试进程
        let f = home + "-two.txt"
        try (seen[0] + "\n" + seen[2] + "\n").write(toFile: f, atomically: true, encoding: .utf8)
        chmod(f, 0o600)
        defer { unlink(f) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["keystore", "unseal", "--home", home, "--shares-file", f]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}
