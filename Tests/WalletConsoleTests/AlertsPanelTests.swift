// 告警面板（issue 14）：第 9 个视图列出告警并按级别着色；页头显示最新告警；新的严重告警响铃一次；
// 标签行右端显示数据新鲜度，超过三个刷新周期醒目提示「N 秒未刷新」。
import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

@Suite struct AlertsPanelTests {
    static func alert(_ id: Int, _ kind: String, _ level: AlertLevel, _ msg: String) -> AlertRow {
        AlertRow(id: String(id), time: "2026-11-30 22:0\(id):00", kind: kind, level: level, message: msg)
    }

    @Test func alertsViewListsAlertsWithSeverityStyles() async {
        let b = TestBackend()
        b.set { bb in
            bb.alertRows = [Self.alert(3, "scanner.halted", .critical, "深度重组超过窗口"),
                            Self.alert(2, "sweep.failed", .warning, "归集失败"),
                            Self.alert(1, "withdraw.cancelled", .info, "提现 4 已取消")]
        }
        let (app, d) = await makeApp(b, size: Size(cols: 140, rows: 30))
        await app.press(.char("9"))
        app.render()
        let screen = (0..<30).map { d.line($0) }
        #expect(screen[1].contains("9 告警"), "标签行：\(screen[1])")
        let rows = screen.filter { $0.contains("scanner.halted") || $0.contains("sweep.failed") || $0.contains("withdraw.cancelled") }
        #expect(rows.count == 3, "\(d.text)")
        #expect(rows[0].contains("✖ 严重") && rows[1].contains("⚠ 警告") && rows[2].contains("信息"))
        // 级别不只靠颜色：符号在文字里；颜色角色也对（严重 = bad，警告 = warn）。
        func role(of text: String) -> StyleRole? {
            for y in 0..<30 where d.line(y).contains(text) {
                let x = d.line(y).distance(from: d.line(y).startIndex, to: d.line(y).range(of: text)!.lowerBound)
                return d.screen[TextWidth.of(String(d.line(y).prefix(x))), y].style.role
            }
            return nil
        }
        #expect(role(of: "sweep.failed") == .warn)
        // 过滤匹配屏幕上的文字（级别、类别、说明）。
        await app.press(.char("/")); await app.type("归集"); await app.press(.enter)
        app.render()
        #expect(b.queries["alerts"]?.last?.filter.raw == "归集")
    }

    @Test func newCriticalAlertRingsTheBellOnceAndShowsInTheHeader() async {
        let b = TestBackend()
        // 启动时已有的严重告警不响（值班的人已经看过了），但页头显示它。
        b.set { bb in bb.headerValue.latestAlert = Self.alert(1, "reconcile.mismatch", .critical, "账链不符") }
        let (app, d) = await makeApp(b, size: Size(cols: 160, rows: 30))
        #expect(app.bells == 0)
        #expect(d.line(0).contains("!告警 reconcile.mismatch"), "页头：\(d.line(0))")
        app.requestRefresh(); await app.settle()
        #expect(app.bells == 0, "同一条告警不重复响铃")
        // 新的警告级：不响。
        b.set { bb in bb.headerValue.latestAlert = Self.alert(2, "sweep.failed", .warning, "归集失败") }
        app.requestRefresh(); await app.settle()
        #expect(app.bells == 0)
        // 新的严重告警：响一次，铃声写给终端。
        b.set { bb in bb.headerValue.latestAlert = Self.alert(3, "scanner.halted", .critical, "深度重组") }
        app.requestRefresh(); await app.settle()
        app.requestRefresh(); await app.settle()
        #expect(app.bells == 1)
        #expect(d.rawWrites.filter { $0 == "\u{07}" }.count == 1)
    }

    @Test func staleDataIsFlaggedNextToTheTabs() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b, size: Size(cols: 140, rows: 30))
        let clock = ManualClock(unixStart: 1_800_000_000)
        app.clock = clock
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.line(1).contains("刷新于 0 秒前"), "标签行：\(d.line(1))")
        clock.advance(4)
        app.render()
        #expect(d.line(1).contains("刷新于 4 秒前"))
        // 引擎卡住、刷新不回来：超过三个刷新周期（至少 10 秒）后醒目提示，数字可能已经不是真的。
        clock.advance(30)
        app.render()
        let line = d.line(1)
        #expect(line.contains("⚠ 34 秒未刷新"), "标签行：\(line)")
        let x = TextWidth.of(String(line.prefix(upTo: line.range(of: "⚠")!.lowerBound)))
        #expect(d.screen[x, 1].style.role == .bad && d.screen[x, 1].style.reverse)
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.line(1).contains("刷新于 0 秒前"))
    }

    @Test func englishLabels() async {
        let b = TestBackend()
        b.set { bb in bb.alertRows = [Self.alert(1, "scanner.halted", .critical, "deep reorg")] }
        let (app, d) = await makeApp(b, size: Size(cols: 140, rows: 30), lang: .en)
        await app.press(.char("9")); app.render()
        let text = (0..<30).map { d.line($0) }.joined(separator: "\n")
        #expect(text.contains("Alerts") && text.contains("✖ critical") && text.contains("refreshed"), "\(text)")
        #expect(!text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "英文界面里有中文：\(text)" as Comment)
    }

    /// 提现队列的审批列分出「等你」与「等他人」（值班的人一眼看出哪些是自己该处理的）；总览面板用 ★ 标出等你的。
    @Test func queueShowsWaitingOnYouVersusOthers() async {
        let b = TestBackend()
        b.set { bb in
            bb.withdrawalRows[0].waitingOn = .you
            bb.withdrawalRows[1].waitingOn = .others
        }
        let (app, d) = await makeApp(b, size: Size(cols: 140, rows: 30))
        let dash = (0..<30).map { d.line($0) }.joined(separator: "\n")
        #expect(dash.contains("★0/") || dash.contains("★1/"), "总览：\(dash)")
        await app.press(.char("3")); app.render()
        let lines = (0..<30).map { d.line($0) }
        let first = lines.first { $0.contains(b.withdrawalRows[0].id + " ") && $0.contains("★等你") }
        let second = lines.first { $0.contains(b.withdrawalRows[1].id + " ") && $0.contains("等他人") }
        #expect(first != nil && second != nil, "\(d.text)")
    }

    /// 密钥页的 nonce 面板：正常时一行绿色；有缺口或外部使用时红底反显并点名缺口。
    @Test func keysViewShowsTheNoncePanel() async {
        let b = TestBackend()
        b.set { bb in bb.keysValue.nonce = NonceSummary(next: 12, chainLatest: 10, chainPending: 12, inFlight: 2, gaps: [], externalUse: false) }
        let (app, d) = await makeApp(b, size: Size(cols: 140, rows: 30))
        await app.press(.char("5")); app.render()
        var line = (0..<30).map { d.line($0) }.first { $0.contains("nonce") } ?? ""
        #expect(line.contains("● 热钱包 nonce：下一个 12 · 链上 10 / 待打包 12 · 在途 2 · 缺口 无 · 外部使用 无"), "\(d.text)")
        b.set { bb in bb.keysValue.nonce = NonceSummary(next: 12, chainLatest: 10, chainPending: 13, inFlight: 1, gaps: [11], externalUse: true) }
        app.requestRefresh(); await app.settle(); app.render()
        let y = (0..<30).first { d.line($0).contains("nonce") } ?? 0
        line = d.line(y)
        #expect(line.contains("✖ 热钱包 nonce") && line.contains("缺口 11") && line.contains("外部使用 有！"), "\(line)")
        let x = TextWidth.of(String(line.prefix(upTo: line.range(of: "✖")!.lowerBound)))
        #expect(d.screen[x, y].style.role == .bad && d.screen[x, y].style.reverse)
    }

    /// 80 列：页头放不下时按重要性整段丢（落后、熔断、告警先丢），封存状态留着（以前 80 列时封存状态被截掉）；
    /// 告警字段丢了，标签行的「9!」仍提示有严重告警。宽终端上告警字段在页头。
    @Test func narrowHeaderKeepsSealStateAndFlagsAlertsInTabs() async {
        let b = TestBackend()
        b.set { bb in bb.headerValue.latestAlert = Self.alert(1, "scanner.halted", .critical, "深度重组") }
        for lang in [Language.zh, .en] {
            let (_, d) = await makeApp(b, size: Size(cols: 80, rows: 24), lang: lang)
            let h = d.line(0)
            #expect(h.contains(lang == .zh ? "已解封" : "unsealed"), "\(lang)：\(h)")
            #expect(!h.contains("…"), "页头不应截断半个字段：\(h)")
            #expect(d.line(1).contains("9!") || d.line(1).contains(lang == .zh ? "告警!" : "Alerts!"), "标签行：\(d.line(1))")
            let (_, wide) = await makeApp(b, size: Size(cols: 200, rows: 30), lang: lang)
            #expect(wide.line(0).contains("scanner.halted"), "\(wide.line(0))")
        }
    }
}
