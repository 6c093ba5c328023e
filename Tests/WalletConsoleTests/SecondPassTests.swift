import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

/// issue 14（控制台第二轮）在无头驱动上的屏幕测试：按屏幕上看到的文字断言。
@Suite struct SecondPassTests {
    /// 屏幕上 ▶ 所在的那一行。
    static func cursorLine(_ d: HeadlessDriver) -> String {
        (0..<d.size.rows).map { d.line($0) }.first { $0.contains("▶") } ?? ""
    }

    @Test func selectionFollowsTheItemAcrossRefresh() async {
        let b = TestBackend(deposits: 8)
        let (app, d) = await makeApp(b)
        await app.press(.char("2"), .down, .down, .down)
        let before = Self.cursorLine(d)
        #expect(before.contains("3.5 ETH"), "\(before)")
        // 两笔新充值插到最前面：光标要留在原来那一笔（d3），而不是停在第 4 行变成别的充值。
        b.set { bb in
            let fresh = (0..<2).map { i in
                DepositRow(id: "n\(i)", asset: "ETH", amount: AmountText(display: "9\(i).25 ETH", baseUnits: "1"),
                           address: String(format: "0x%040x", 900 + i), txHash: "", confirmations: 0, required: 12,
                           state: .confirming, ageSeconds: 0)
            }
            bb.depositRows = fresh + bb.depositRows
        }
        app.requestRefresh(); await app.settle(); app.render()
        let after = Self.cursorLine(d)
        #expect(after.contains("3.5 ETH"), "刷新后光标换了一项：\(after)")
    }

    @Test func selectionStaysOnTheApprovedItem() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .down)
        #expect(Self.cursorLine(d).contains("w1"))
        // 批准后 w1 的紧急度下降、排到最后（后端按紧急度排序）：光标跟着 w1 走。
        await app.press(.char("a"))
        await app.type(String(b.withdrawalRows[1].destination.suffix(4)))
        await app.press(.tab, .enter)
        b.set { bb in
            var r = bb.withdrawalRows.remove(at: 1)
            r.state = .approved
            bb.withdrawalRows.append(r)
        }
        app.requestRefresh(); await app.settle(); app.render()
        let line = Self.cursorLine(d)
        #expect(line.contains("w1") && line.contains("已批准"), "批准后光标不在原来那一项：\(line)")
    }

    @Test func longStatusIsTruncatedWithPointerToLogAndExpires() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b, size: Size(cols: 80, rows: 24))
        let clock = ManualClock(unixStart: 1_800_000_000)
        app.clock = clock
        let long = "x" + String(repeating: "很长的命令名", count: 20) + "END"
        app.execute(long)
        app.render()
        let footer = d.line(23)
        #expect(footer.contains("未知命令") && footer.contains("全文见 :messages"), "状态行：\(footer)")
        // 消息记录里是全文（折行显示）。
        app.execute("messages")
        app.render()
        let screen = (0..<24).map { d.line($0) }.joined()
        #expect(screen.contains("消息记录") && screen.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "│", with: "").contains("END"),
                "消息记录没有全文：\n\(d.text)")
        await app.press(.esc)
        // 10 秒后状态行恢复按键提示，消息不再显示。
        clock.advance(ConsoleApp.statusTTL + 1)
        app.render()
        #expect(!d.line(23).contains("未知命令") && d.line(23).contains("<?>"), "消息没有消失：\(d.line(23))")
        #expect(app.messages.contains { $0.text.hasSuffix("END") })
    }

    @Test func approveUnknownIdSaysWhatFailed() async {
        let (app, d) = await makeApp(TestBackend())
        app.execute("approve 999")
        await app.settle(); app.render()
        #expect(!app.status.contains("刷新失败") && app.status.contains("999"), "\(app.status)")
        #expect(d.line(39).contains("提现 999"), "\(d.line(39))")
    }

    @Test func everyCompletionIsARealCommand() async {
        let (app, _) = await makeApp(TestBackend(role: .admin))
        for name in app.completions().keys.sorted() {
            let before = app.messages.count
            app.execute(name)
            await app.settle()
            #expect(!app.messages.dropFirst(before).contains { $0.text.contains("未知命令") }, "补全给出了不存在的命令 :\(name) → \(app.status)")
            app.mode = .normal
        }
    }

    @Test(arguments: [Language.zh, .en]) func unknownThemeReportsNoLineZero(lang: Language) async {
        let (app, d) = await makeApp(TestBackend(), lang: lang)
        app.execute("theme nosuch")
        app.render()
        let footer = d.line(39)
        #expect(footer.contains("nosuch") && !footer.contains("0 行") && !footer.contains("line 0"), "\(footer)")
        // 主题没有换：不能说「已改用 dark」，要说仍在用哪个。
        #expect(app.themeName == "dark" && !footer.contains("已改用") && !footer.contains("Falling back"), "\(footer)")
        #expect(footer.contains(lang == .zh ? "仍使用主题 dark" : "still using theme dark"), "\(footer)")
    }

    @Test func helpListsViewKeysAsRangeAndEachCommandOnce() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char("?"))
        let body = (0..<39).map { d.line($0) }
        #expect(body.contains { $0.contains("1–8") && $0.contains("切换视图") }, "\(d.text)")
        #expect(body.filter { $0.contains("Ctrl-R") }.count == 1, "Ctrl-R 列了不止一次：\n\(d.text)")
        #expect(body.contains { $0.contains("S-Tab") }, "上一视图也要列出")
    }

    @Test func keysViewOffersUnsealOnlyWhenSealed() async {
        let b = TestBackend(role: .admin)
        let (app, d) = await makeApp(b)
        await app.press(.char("5"))
        #expect(!d.line(39).contains("<u>"), "已解封时状态行仍提供解封：\(d.line(39))")
        await app.press(.char("?"))
        #expect(!d.text.contains("解封\n") && !(0..<39).map { d.line($0) }.contains { $0.contains(" u ") || $0.hasSuffix("解封") }, "\(d.text)")
        await app.press(.esc)
        app.execute("unseal")
        #expect(!app.isDialogOpen && app.status.contains("已解封"))
        b.set { $0.keysValue.seal = .sealed; $0.headerValue.seal = .sealed }
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.line(39).contains("<u>解封"), "\(d.line(39))")
    }

    @Test func approveDialogShowsDetailsAndRefusesASecondApprovalFromMe() async {
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char("a"))
        for label in ["申请人：bob", "用户：user-w0", "请求号：req-w0", "白名单：✔", "命中策略：large-eth-2of3", "限速使用：3 / 10 ETH", "手续费估算：0.00042 ETH", "已审批人：—"] {
            #expect(d.contains(label), "对话框缺少 \(label)：\n\(d.text)")
        }
        await app.type(String(b.withdrawalRows[0].destination.suffix(4)))
        await app.press(.tab, .enter)
        #expect(b.performed.count == 1)
        // 同一人再按 a：对话框直接说明已经批过，没有输入框与「批准」按钮，Tab+Enter 什么也不做。
        await app.press(.char("a"))
        #expect(d.contains("你已经批准过这笔提现（1/2）") && !d.contains("等价命令") && d.contains("[ 关闭 ]") && !d.contains("[ 批准 ]"), "\(d.text)")
        await app.type(String(b.withdrawalRows[0].destination.suffix(4)))
        await app.press(.tab, .enter)
        #expect(b.performed.count == 1 && !app.isDialogOpen)
    }

    @Test func rejectedWithdrawalIsNotOfferedForApproval() async {
        let b = TestBackend()
        b.set { $0.withdrawalRows[0].state = .rejected }
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char("a"))
        #expect(d.contains("当前状态为「✖ 已拒绝」，不能批准") && !d.contains("[ 批准 ]"), "\(d.text)")
    }

    @Test func bulkApproveListsItemsSkipsInvalidOnesAndClearsMarks() async {
        let b = TestBackend()
        b.set { $0.withdrawalRows[2].state = .rejected; $0.withdrawalRows[3].requestedBy = "alice" }
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char(" "), .char(" "), .char(" "), .char(" "), .char("A"))
        let text = d.text
        #expect(text.contains("#w0") && text.contains("#w1"), "逐笔列出：\n\(text)")
        #expect(text.contains("跳过 #w2：当前状态为「✖ 已拒绝」") && text.contains("跳过 #w3：这是你自己发起的提现"), "\(text)")
        #expect(text.contains("共 2 笔") && text.contains("请输入笔数 2"), "\(text)")
        await app.type("2")
        await app.press(.tab, .enter)
        #expect(b.performed.last == "wallet-console withdraw approve w0 w1")
        let view = app.views[.withdrawals] as! WithdrawalsView
        #expect(view.table.marked.isEmpty && !(0..<40).map { d.line($0) }.contains { $0.hasPrefix("│●") }, "批量批准后标记要清掉：\n\(d.text)")
    }
}

extension SecondPassTests {
    @Test func messagesCommandFromCommandLine() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char(":"))
        await app.type("messages")
        await app.press(.enter)
        #expect(d.contains("消息记录"), "\(d.text)")
    }
}

extension SecondPassTests {
    /// 命令行/过滤框挡住状态行时，不能算「消息还显示着」：否则消息到期后主循环每轮都重画。
    @Test func statusHiddenByCommandLineDoesNotKeepTheLoopDirty() async {
        let (app, _) = await makeApp(TestBackend())
        app.execute("bogus")
        app.render()
        #expect(app.footerShowedStatus)
        await app.press(.char(":"))
        #expect(!app.footerShowedStatus)
    }
}

extension SecondPassTests {
    /// 密钥层级（issue 15）：以前已封存与坏了都显示成「✖ unavailable」，也看不出哪把是热钱包签名器。
    /// 现在四种状态四个符号（本地化文字），热钱包签名器行首 ★。
    @Test func keyHealthStatesAreDistinctAndTheHotSignerIsMarked() async {
        let b = TestBackend(role: .admin)
        b.set {
            $0.keysValue.tiers = [
                KeyTierRow(keyId: "hot-hsm", tier: "hsm", health: .unavailable, signatures: 1, lastUse: "—", kekAgeDays: 1, hotSigner: true),
                KeyTierRow(keyId: "seed-db", tier: "db", health: .sealed, signatures: 0, lastUse: "—", kekAgeDays: 1),
                KeyTierRow(keyId: "bad-kms", tier: "kms", health: .error, signatures: 0, lastUse: "—", kekAgeDays: 1),
                KeyTierRow(keyId: "good-kms", tier: "kms", health: .ok, signatures: 0, lastUse: "—", kekAgeDays: 1),
            ]
        }
        let (app, d) = await makeApp(b)
        await app.press(.char("5"))
        func row(_ id: String) -> String { (0..<40).map { d.line($0) }.first { $0.contains(id) } ?? "" }
        #expect(row("hot-hsm").contains("★ hot-hsm") && row("hot-hsm").contains("⚠ 不可用"), "\(row("hot-hsm"))")
        #expect(row("seed-db").contains("⏸ 已封存") && !row("seed-db").contains("★"), "\(row("seed-db"))")
        #expect(row("bad-kms").contains("✖ 错误"), "\(row("bad-kms"))")
        #expect(row("good-kms").contains("✔ 正常"), "\(row("good-kms"))")
    }
}
