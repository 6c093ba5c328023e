import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

/// 无头驱动上的视图与应用循环测试——“像人看到的那样”检查屏幕文本。
@Suite struct AppTests {
    @Test(arguments: [Size(cols: 80, rows: 24), Size(cols: 120, rows: 40)])
    func dashboardShowsFourPanelsAndHeader(size: Size) async {
        let (_, d) = await makeApp(TestBackend(), size: size)
        for title in ["充值确认", "待审提现", "归集估算", "密钥层级"] { #expect(d.contains(title), "缺少面板 \(title)") }
        #expect(d.line(0).contains("链 1337"))
        // 80 列放不下全部字段：先丢高度，封存状态必须留着（issue 14）。
        #expect(d.line(0).contains(size.cols >= 120 ? "高度 1000" : "已解封"), "\(d.line(0))")
        #expect(d.line(0).contains("已解封"))
        #expect(d.line(0).contains("alice"))
        #expect(d.contains("hot-1"))
        #expect(d.contains("w0"))
        #expect(d.contains("18 gwei"))
    }

    @Test func englishDashboard() async {
        let (_, d) = await makeApp(TestBackend(), lang: .en)
        #expect(d.contains("Deposit confirmations") && d.contains("Pending withdrawals") && d.contains("Key tiers"))
    }

    @Test func tooSmallNoticeAndRestore() async {
        let (app, d) = await makeApp(TestBackend(), size: Size(cols: 80, rows: 24))
        d.resize(Size(cols: 60, rows: 20))
        await app.press(d.readKey(timeoutMs: 0)!)
        #expect(d.contains("终端太小"))
        #expect(d.contains("60x20"))
        #expect(!d.contains("充值确认"))
        d.resize(Size(cols: 80, rows: 24))
        await app.press(d.readKey(timeoutMs: 0)!)
        #expect(!d.contains("终端太小"))
        #expect(d.contains("充值确认"))
    }

    @Test func confirmationsAdvanceAndChangesAreMarked() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        #expect(d.contains("1/12"))
        b.set { $0.depositRows[1].confirmations = 2; $0.headerValue.headHeight = 1001 }
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.contains("2/12"))
        #expect(d.line(0).contains("高度 1001Δ"), "页头变化值要标记")
        #expect(d.text.contains("Δ"))
    }

    @Test func approveFlowEndToEnd() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        await app.press(.char("3"))
        #expect(app.current == .withdrawals)
        #expect(d.contains("w0"))
        await app.press(.char("a"))
        let dlg = try! #require(app.dialog)
        #expect(d.contains("wallet-console withdraw approve w0"), "对话框显示 CLI 孪生命令")
        #expect(dlg.selected == .cancel)
        // 直接回车 = 取消，什么也不发生。
        await app.press(.enter)
        #expect(!app.isDialogOpen && b.performed.isEmpty)
        await app.press(.char("a"))
        await app.type("BEE")
        await app.press(.tab, .enter)
        #expect(b.performed.isEmpty, "没输完末 4 位不能批准")
        await app.press(.char("a"))
        await app.type("beef")
        await app.press(.tab, .enter)
        #expect(b.performed == ["wallet-console withdraw approve w0"])
        #expect(d.contains("1/2"), "审批数前进")
        await app.press(.char("7"))
        #expect(app.current == .audit)
        #expect(d.contains("wallet-console withdraw approve w0"), "审计行显示等价命令")
    }

    @Test func rejectAsksForReason() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char("r"))
        #expect(d.contains("拒绝原因"))
        await app.press(.tab, .enter)
        #expect(b.performed.isEmpty)
        await app.press(.char("r"))
        await app.type("可疑地址")
        await app.press(.tab, .enter)
        #expect(b.performed == ["wallet-console withdraw reject w0 --reason '可疑地址'"])
    }

    @Test func bulkApproveShowsTotalAndRecipients() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char(" "), .char(" "), .char("A"))
        #expect(d.contains("共 2 笔，合计 2.000000 ETH，2 个不同收款地址"))
        await app.type("2")
        await app.press(.tab, .enter)
        #expect(b.performed == ["wallet-console withdraw approve w0 w1"])
    }

    @Test func readonlyShowsNoApproveBinding() async {
        let b = TestBackend(role: .admin)
        let (app, d) = await makeApp(b, readonly: true)
        await app.press(.char("3"))
        #expect(app.role == .viewer)
        #expect(!d.line(39).contains("批准"), "状态栏不显示批准键")
        #expect(d.line(0).contains("只读"))
        await app.press(.char("a"))
        #expect(!app.isDialogOpen)
        await app.press(.char("?"))
        #expect(d.contains("按键帮助"))
        #expect(!d.contains("批准") && !d.contains("拒绝"))
        await app.press(.esc)
        app.execute("approve w0")
        await app.settle()
        #expect(!app.isDialogOpen && b.performed.isEmpty)
        #expect(!d.contains("6 仪式"))
    }

    @Test func approverSeesApproveBindingInFooterAndHelp() async {
        let (app, d) = await makeApp(TestBackend(role: .approver))
        await app.press(.char("3"))
        #expect(d.line(39).contains("<a>批准"))
        await app.press(.char("?"))
        #expect(d.contains("批准"))
        #expect(!d.contains("重新入队"), "approver 没有 requeue 权限")
    }

    @Test func cjkColumnsAlign() async {
        let b = TestBackend()
        b.set { bb in
            bb.withdrawalRows[0].requestedBy = "张三丰"
            bb.withdrawalRows[1].requestedBy = "bob"
            bb.withdrawalRows[2].requestedBy = "Ｆｕｌｌ"
            bb.withdrawalRows[3].requestedBy = "😀ok"
        }
        let (app, d) = await makeApp(b)
        await app.press(.char("3"))
        // 每行“时长”列的起始显示列必须相同。
        let rows = (0..<40).map { d.line($0) }.filter { $0.contains(" w") && $0.contains("ETH") }
        #expect(rows.count == 5)
        let cols = rows.map { r -> Int in
            let idx = r.range(of: "◷")!.lowerBound
            return TextWidth.of(String(r[..<idx]))
        }
        #expect(Set(cols).count == 1, "状态列未对齐：\(cols)")
        for r in rows { #expect(TextWidth.of(r) == 120) }
    }

    @Test func filterAndNegationReachBackend() async {
        let b = TestBackend(withdrawals: 30)
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char("/"))
        await app.type("w1")
        #expect(b.queries["withdrawals"]!.last!.filter.raw == "w1")
        #expect(d.contains("11 行"))   // w1, w10…w19
        await app.press(.enter)
        await app.press(.char("/"))
        await app.press(.ctrl("u"))
        await app.type("!w1")
        #expect(d.contains("19 行"))
        await app.press(.esc)
        #expect(d.contains("30 行"))
    }

    /// `:seal`（issue 15）：恐慌按钮在控制台里——对话框默认「取消」、写明后果与 CLI 孪生命令；确认后经引擎封存。
    /// 审批人没有这个按钮（custodian/admin 才有）。
    @Test func sealFromTheCommandLine() async {
        let b = TestBackend(role: .admin)
        let (app, d) = await makeApp(b)
        await app.press(.char(":"))
        await app.type("seal")
        await app.press(.enter)
        #expect(d.contains("恐慌按钮") && d.contains("2 秒内") && d.contains("wallet-console keystore seal"))
        await app.press(.enter)   // 默认是「取消」
        #expect(b.performed.isEmpty)
        await app.press(.char(":"))
        await app.type("seal")
        await app.press(.enter)
        await app.press(.tab, .enter)
        #expect(b.performed == ["wallet-console keystore seal"])
        let appr = TestBackend(role: .approver)
        let (app2, _) = await makeApp(appr)
        await app2.press(.char(":"))
        await app2.type("seal")
        await app2.press(.enter)
        await app2.press(.tab, .enter)
        #expect(appr.performed.isEmpty)
    }

    @Test func commandLineSwitchesViewsAndThemes() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char(":"))
        await app.type("wi")
        await app.press(.tab)
        #expect(d.contains("withdrawals"))
        await app.press(.enter)
        #expect(app.current == .withdrawals)
        await app.press(.char(":"))
        await app.type("theme light")
        await app.press(.enter)
        #expect(app.themeName == "light")
        await app.press(.char(":"))
        await app.type("nosuch")
        await app.press(.enter)
        #expect(d.contains("未知命令：nosuch"))
        await app.press(.char(":"))
        await app.type("approve w2")
        await app.press(.enter)
        #expect(app.dialog?.mustType == "BEF1")
    }

    @Test func copyUsesOsc52() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char("3"), .char("y"))
        let dest = String(format: "0x%036x%04X", 0, 0xBEEF)
        #expect(d.rawWrites.last == "\u{1b}]52;c;\(Data(dest.utf8).base64EncodedString())\u{07}")
    }

    @Test func refreshIsDroppedWhilePreviousRunsAndInputIsNotBlocked() async {
        let b = TestBackend()
        b.delayNs = 1_000_000_000
        let d = HeadlessDriver(size: Size(cols: 100, rows: 30))
        let app = ConsoleApp(backend: b, driver: d, config: ConsoleConfig())
        #expect(app.requestRefresh())
        #expect(!app.requestRefresh())
        #expect(app.refreshGate.dropped == 1)
        // 刷新进行中，按键立即生效。
        app.handle(.char("3")); app.render()
        #expect(app.current == .withdrawals)
        #expect(app.refreshGate.isRunning, "按键在刷新完成前就已处理并画出")
        #expect(d.contains("提现"))
        await app.settle()
        #expect(b.headerCalls == 1)
        #expect(app.requestRefresh())
        await app.settle()
    }

    @Test func largeListRequestsOnlyVisiblePage() async {
        let b = TestBackend(withdrawals: 100_000)
        let (app, d) = await makeApp(b)
        await app.press(.char("3"))
        #expect(d.contains("100000 行"))
        let q = b.queries["withdrawals"]!.last!
        #expect(q.limit <= 40 && q.offset == 0)
        await app.press(.char("G"))
        let q2 = b.queries["withdrawals"]!.last!
        #expect(q2.offset + q2.limit == 100_000)
        #expect(d.contains("w99999"))
        let v = app.views[.withdrawals] as! WithdrawalsView
        #expect(v.table.lastDrawnRows <= 40)
    }

    @Test func detailShowsPolicyFacts() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char("3"), .enter)
        #expect(d.contains("提现详情"))
        #expect(d.contains("large-eth-2of3"))
        #expect(d.contains("已列入，首次出现 2026-01-02"))
        #expect(d.contains("✔ 校验和正确"))
        #expect(d.contains("0.00042 ETH"))
        await app.press(.esc)
        #expect(!d.contains("提现详情"))
    }

    @Test func otherViewsRender() async {
        let b = TestBackend(role: .admin)
        b.set { $0.keysValue.seal = .unsealing(provided: 2, threshold: 3) }
        let (app, d) = await makeApp(b)
        await app.press(.char("4"))
        #expect(d.contains("Base fee 走势") && d.contains("▁▂▃▄▅▆▇█") && d.contains("above threshold"))
        await app.press(.char("5"))
        #expect(d.contains("解封进度 2/3") && d.contains("hot-1"))
        await app.press(.char("u"))
        #expect(d.contains("份额助记词"))
        await app.type("secret share words")
        #expect(!d.contains("secret share"))
        await app.press(.tab, .enter)
        #expect(b.performed == ["wallet-console keystore unseal --share-file -"])
        await app.press(.char("8"))
        #expect(d.contains("node timeout"))
        await app.press(.char("R"))
        await app.press(.tab, .enter)
        #expect(b.performed.last == "wallet-console jobs requeue j1")
        await app.press(.char("2"))
        #expect(d.contains("◔ 确认中"))
    }

    @Test func ceremonyRunsAndClearsAfterSecretSteps() async {
        let b = TestBackend(role: .admin)
        let c = TestCeremony()
        b.ceremonyFactory = { c }
        let (app, d) = await makeApp(b)
        await app.press(.char("6"), .enter)
        #expect(d.contains("test ceremony"))
        await app.press(.enter)
        #expect(d.contains(" 1. abandon") && d.contains("12. accident"))
        let inv = d.invalidations
        await app.press(.enter)
        #expect(d.invalidations > inv, "离开助记词步骤后清屏")
        #expect(!d.contains("abandon"))
        await app.type("wrong"); await app.press(.enter); await app.type("x"); await app.press(.enter)
        #expect(d.contains("测验答错") && c.quizFailures == 1)
        await app.type("able"); await app.press(.enter); await app.type("absorb"); await app.press(.enter)
        #expect(d.contains("设置口令"))
        await app.type("correct horse"); await app.press(.enter)
        #expect(!d.contains("correct horse"))
        await app.type("correct horse"); await app.press(.enter)
        #expect(d.contains("份额 1/2") && d.contains("one"))
        await app.press(.enter)
        #expect(d.contains("份额 2/2") && d.contains("two"))
        await app.press(.enter)
        #expect(d.contains("d34db33f") && d.contains("xpub6Test") && !d.contains("share"))
        await app.press(.enter)
        #expect(d.contains("仪式已完成"))
    }

    @Test func viewerCannotStartCeremony() async {
        let b = TestBackend(role: .viewer)
        b.ceremonyFactory = { TestCeremony() }
        let (app, d) = await makeApp(b)
        await app.press(.char("6"), .enter)
        #expect(app.current != .ceremony)
        #expect(!d.contains("test ceremony"))
        await app.press(.char("5"), .tab)
        #expect(app.current == .audit, "Tab 跳过仪式视图")
    }

    @Test func quitConfirmsOnlyWhenSomethingInProgress() async {
        let (app, _) = await makeApp(TestBackend())
        await app.press(.char("q"))
        #expect(app.quitRequested)
        let b = TestBackend()
        b.delayNs = 200_000_000
        let (app2, _) = await makeApp(b)
        b.ceremonyFactory = nil
        app2.handle(.char("3")); await app2.settle()
        // a 先取详情再开对话框（对话框要显示申请人、已审批人等），等它打开再输入。
        app2.handle(.char("a")); await app2.settle(); app2.handle(.char("B")); app2.handle(.char("E")); app2.handle(.char("E")); app2.handle(.char("F"))
        app2.handle(.tab); app2.handle(.enter)   // 批准进行中（后端有延迟）
        app2.handle(.char("q"))
        #expect(!app2.quitRequested && app2.isDialogOpen)
        app2.handle(.enter)   // 默认取消
        #expect(!app2.quitRequested)
        await app2.settle()
    }

    @Test func frameDiffWritesFewCellsWhenIdle() async {
        let (app, d) = await makeApp(TestBackend())
        app.render()
        #expect(d.lastChangeCount == 0, "无变化的帧不写任何格")
        await app.press(.char("j"))
        #expect(d.lastChangeCount < 120 * 40 / 4)
    }
}
