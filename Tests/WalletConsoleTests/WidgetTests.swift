import Testing
@testable import WalletConsole

@Suite struct WidgetTests {
    let zh = Strings(.zh)

    func approveDialog() -> Dialog {
        Dialog(title: "批准", body: ["x"], prompt: "末 4 位", mustType: "BEEF", confirmLabel: "批准", cliTwin: "wallet-console withdraw approve w0")
    }

    @Test func dialogDefaultButtonIsCancel() {
        let d = approveDialog()
        #expect(d.selected == .cancel)
        guard case .cancelled = d.handle(.enter) else { Issue.record("Enter 必须取消"); return }
    }

    @Test func dialogCannotApproveUntilFourCharsTyped() {
        let d = approveDialog()
        for c in "BEE" { _ = d.handle(.char(c)) }
        #expect(!d.confirmEnabled)
        _ = d.handle(.tab)
        #expect(d.selected == .cancel, "未输入完整时 Tab 不能选中批准")
        _ = d.handle(.char("F"))
        #expect(d.confirmEnabled)
        #expect(d.selected == .cancel, "输入完整后默认按钮仍是取消")
        _ = d.handle(.tab)
        #expect(d.selected == .confirm)
        // 删掉一个字符：批准立即失效并回到取消。
        _ = d.handle(.backspace)
        #expect(!d.confirmEnabled && d.selected == .cancel)
        _ = d.handle(.char("f"))   // 不区分大小写
        _ = d.handle(.tab)
        guard case .confirmed = d.handle(.enter) else { Issue.record("应确认"); return }
    }

    @Test func dialogRendersCliTwinAndDisabledMarker() {
        let d = approveDialog()
        var b = CellBuffer(size: Size(cols: 80, rows: 24))
        d.render(into: &b, screen: b.size, strings: zh)
        #expect(b.text.contains("wallet-console withdraw approve w0"))
        #expect(b.text.contains("▶[ 取消 ]"))
        #expect(b.text.contains("[ 批准 ] ✖"))
    }

    @Test func rejectNeedsReasonAndSecretFieldDoesNotEcho() {
        let d = Dialog(title: "拒绝", body: [], prompt: "原因", requireText: true, confirmLabel: "拒绝")
        #expect(!d.confirmEnabled)
        _ = d.handle(.char("x"))
        #expect(d.confirmEnabled)
        let s = Dialog(title: "解封", body: [], prompt: "口令", requireText: true, secret: true, confirmLabel: "解封")
        for c in "hunter2" { _ = s.handle(.char(c)) }
        var b = CellBuffer(size: Size(cols: 80, rows: 24))
        s.render(into: &b, screen: b.size, strings: zh)
        #expect(!b.text.contains("hunter2"))
        #expect(b.text.contains("•••••••"))
        _ = s.handle(.tab)
        guard case .confirmed(let text, let secret) = s.handle(.enter) else { Issue.record("应确认"); return }
        #expect(text.isEmpty)
        #expect(secret?.unsafeArray() == Array("hunter2".utf8))
    }

    @Test func filterSubstringAndNegation() {
        let f = ListFilter("eth !usdt")
        #expect(f.matches("ETH 0xabc"))
        #expect(!f.matches("ETH USDT"))
        #expect(!f.matches("btc"))
        #expect(ListFilter("!pending").matches("approved"))
        #expect(!ListFilter("!pending").matches("Pending"))
        #expect(ListFilter("").isEmpty && ListFilter("!").isEmpty)
    }

    @Test func commandCompletion() {
        let c = CommandLineWidget(commands: ["withdrawals": [], "audit": [], "approve": ["w1", "w12", "w2"], "theme": BuiltinThemes.names])
        c.field.set("wi"); c.complete()
        #expect(c.text == "withdrawals ")
        c.field.set("a"); c.complete()
        #expect(c.text == "a" && c.candidates == ["approve", "audit"])
        c.field.set("approve w1"); c.complete()
        #expect(c.text == "approve w1" && c.candidates == ["w1", "w12"])
        c.field.set("theme l"); c.complete()
        #expect(c.text == "theme light ")
    }

    @Test func sparklineAndProgress() {
        #expect(Sparkline.render([1, 2, 3, 4, 5, 6, 7, 8], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([5, 5, 5], width: 8) == "▄▄▄")
        #expect(Sparkline.render(Array(0..<100), width: 10).count == 10)
        #expect(ProgressBar.render(3, of: 12, width: 14) == "██░░░░░░░ 3/12")
        #expect(ProgressBar.render(20, of: 12, width: 14) == "█████████ 20/12".prefix(0) + "████████ 20/12")
        #expect(TextWidth.of(ProgressBar.render(7, of: 12, width: 14)) == 14)
    }

    @Test func tableRendersOnlyVisibleRowsOf100k() {
        let t = TableWidget(columns: [TableColumn("ID", width: 8), TableColumn("名称", width: 10, flex: true)])
        let rect = Rect(x: 0, y: 0, width: 80, height: 20)
        let req = t.pageRequest(height: rect.height)
        #expect(req.limit <= 19)
        t.setPage(offset: req.offset, total: 100_000, rows: (0..<req.limit).map { TableRow(id: "\($0)", cells: ["\($0)", "行\($0)"]) })
        var b = CellBuffer(size: Size(cols: 80, rows: 20))
        t.render(into: &b, rect: rect, strings: zh)
        #expect(t.lastDrawnRows == 19)
        #expect(t.move(.bottom), "跳到末尾需要新的一页")
        #expect(t.cursor == 99_999)
        let r2 = t.pageRequest(height: 20)
        #expect(r2.offset == 100_000 - 19 && r2.limit == 19)
        t.setPage(offset: r2.offset, total: 100_000, rows: (r2.offset..<100_000).map { TableRow(id: "\($0)", cells: ["\($0)", "x"]) })
        var b2 = CellBuffer(size: Size(cols: 80, rows: 20))
        t.render(into: &b2, rect: rect, strings: zh)
        #expect(b2.text.contains("▶ 99999"))
        #expect(t.lastDrawnRows == 19)
    }

    @Test func tableMarksChangedCells() {
        let t = TableWidget(columns: [TableColumn("a", width: 5), TableColumn("b", width: 5)])
        t.setPage(offset: 0, total: 2, rows: [TableRow(id: "1", cells: ["x", "1/12"]), TableRow(id: "2", cells: ["y", "0"])])
        t.setPage(offset: 0, total: 2, rows: [TableRow(id: "1", cells: ["x", "2/12"]), TableRow(id: "2", cells: ["y", "0"])])
        #expect(t.changed == ["1": [1]])
        var b = CellBuffer(size: Size(cols: 30, rows: 4))
        t.move(.down)
        t.render(into: &b, rect: Rect(x: 0, y: 0, width: 30, height: 4), strings: zh)
        #expect(b.line(1).hasPrefix("Δ"))
        #expect(b[8, 1].style.role == .delta)
    }

    @Test func keymapRemapAndErrors() throws {
        let m = try KeyMap.parse("# 自定义\napprove = A, ctrl-a\nquit = Q\n")
        #expect(m.command(for: .char("A"), role: .approver) == .approve)
        #expect(m.command(for: .ctrl("a"), role: .approver) == .approve)
        #expect(m.command(for: .char("a"), role: .approver) == nil)
        #expect(m.command(for: .char("A"), role: .viewer) == nil, "viewer 无批准权：键不绑定")
        #expect(m.command(for: .char("Q"), role: .viewer) == .quit)
        #expect(m.keys(for: .bulkApprove).isEmpty, "A 被 approve 占用后从 bulk_approve 移除")
        #expect(throws: KeyMapError(line: 2, detail: "unknown command nosuch")) { try KeyMap.parse("quit = q\nnosuch = x") }
        #expect(throws: KeyMapError.self) { try KeyMap.parse("quit = ctrl-") }
        do { _ = try KeyMap.parse("\n\napprove") } catch let e as KeyMapError { #expect(e.line == 3 && e.message(.zh).contains("第 3 行")) }
    }

    @Test func helpOverlayListsOnlyPermittedBindings() {
        let km = KeyMap()
        let viewer = HelpOverlay.lines(commands: [.up, .approve, .reject, .requeue], keymap: km, role: .viewer, strings: zh)
        #expect(viewer.count == 1)
        let admin = HelpOverlay.lines(commands: [.up, .approve, .reject, .requeue], keymap: km, role: .admin, strings: zh)
        #expect(admin.count == 4)
        #expect(admin.contains { $0.contains("批准") })
    }
}
