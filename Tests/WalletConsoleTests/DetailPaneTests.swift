import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

/// issue 14：详情窗格（充值、提现、归集、死信）与 `y` 复制选中的字段；按列排序；宽终端上列变宽。无头驱动，按屏幕文字与属性断言。
@Suite struct DetailPaneTests {
    static func screen(_ d: HeadlessDriver) -> String { (0..<d.size.rows).map { d.line($0) }.joined(separator: "\n") }
    /// 屏幕上 ▶ 所在的那一行。
    static func cursorLine(_ d: HeadlessDriver) -> String {
        (0..<d.size.rows).map { d.line($0) }.first { $0.contains("▶") } ?? ""
    }
    static func osc52(_ s: String) -> String { "\u{1b}]52;c;" + Data(s.utf8).base64EncodedString() + "\u{07}" }
    /// 去掉边框与空白后拼起来（折行的长值拼回原文）。
    static func flat(_ d: HeadlessDriver) -> String {
        (0..<d.size.rows).map { d.line($0) }.joined().replacingOccurrences(of: "│", with: "").replacingOccurrences(of: " ", with: "")
    }

    @Test func depositDetailShowsChainFactsAndCopiesTheSelectedField() async {
        let b = TestBackend(deposits: 5)
        let (app, d) = await makeApp(b)
        await app.press(.char("2"), .down, .enter)
        let s = Self.screen(d)
        let hash = String(format: "0x%064x", 101)
        #expect(s.contains("充值详情 d1"), "\(s)")
        for want in ["交易哈希", hash, "区块", "901", "日志序号", "用户", "user-1", "1.5 ETH", "金额（最小单位）", "1/12", String(format: "0x%040x", 2)] {
            #expect(s.contains(want), "详情里没有 \(want)：\n\(s)")
        }
        // 选中的是第一个可复制的字段（交易哈希）：y 经 OSC 52 复制它，状态行写字段名。
        #expect(Self.cursorLine(d).contains(hash))
        await app.press(.char("y"))
        #expect(d.rawWrites.last == Self.osc52(hash))
        #expect(app.status.contains("已复制 交易哈希：" + hash), "\(app.status)")
        // j 移到区块，再复制。
        await app.press(.char("j"), .char("y"))
        #expect(Self.cursorLine(d).contains("901"))
        #expect(d.rawWrites.last == Self.osc52("901") && app.status.contains("已复制 区块：901"), "\(app.status)")
        // k 回到交易哈希；Esc 关闭窗格，回到列表，光标仍在 d1。
        await app.press(.char("k"))
        #expect(Self.cursorLine(d).contains(hash))
        await app.press(.esc)
        #expect(!d.contains("充值详情") && d.contains("充值 · 5 行") && Self.cursorLine(d).contains("1.5 ETH"), "\(Self.screen(d))")
        #expect(app.current == .deposits)
    }

    @Test func nativeDepositHasNoLogIndexAndItCannotBeCopied() async {
        let b = TestBackend(deposits: 5)
        let (app, d) = await makeApp(b)
        await app.press(.char("2"), .enter)   // d0：原生 ETH，logIndex = -1
        #expect(d.contains("—（原生币转账，无日志）"), "\(Self.screen(d))")
        await app.press(.char("j"), .char("j"))
        #expect(Self.cursorLine(d).contains("日志序号"))
        let writes = d.rawWrites.count
        await app.press(.char("y"))
        #expect(d.rawWrites.count == writes, "不可复制的字段不应写剪贴板")
        // 状态字段（第一个）同样不可复制。
        await app.press(.char("g"), .char("y"))
        #expect(Self.cursorLine(d).contains("确认中") && d.rawWrites.count == writes)
    }

    @Test func englishDepositDetail() async {
        let b = TestBackend(deposits: 5)
        let (app, d) = await makeApp(b, lang: .en)
        await app.press(.char("2"), .down, .enter)
        let s = Self.screen(d)
        for want in ["Deposit d1", "Tx hash", "Block", "Log index", "User", "Amount (base units)", "↓/j ↑/k select field", "y copy", "Esc close"] {
            #expect(s.contains(want), "没有 \(want)：\n\(s)")
        }
        #expect(!s.contains { ("\u{4E00}"..."\u{9FFF}").contains(String($0)) }, "英文界面出现中文：\n\(s)")
        await app.press(.char("y"))
        #expect(app.status.contains("copied Tx hash: 0x"), "\(app.status)")
    }

    @Test func withdrawalDetailShowsNonceHashBlockAndFeePaid() async {
        let b = TestBackend()
        let hash = "0x" + String(repeating: "ab", count: 32)
        b.set { $0.withdrawalChain["w1"] = (nonce: 7, hash: hash, block: 1234, fee: "0.00021 ETH", reason: "") }
        b.set { $0.withdrawalChain["w2"] = (nonce: 8, hash: hash.replacingOccurrences(of: "ab", with: "cd"), block: nil, fee: "", reason: "") }
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .down, .enter)
        var s = Self.screen(d)
        for want in ["提现详情 w1", "Nonce", "7", "交易哈希", hash, "区块", "1234", "实付手续费", "0.00021 ETH", "large-eth-2of3", "已列入，首次出现 2026-01-02"] {
            #expect(s.contains(want), "没有 \(want)：\n\(s)")
        }
        // 走到 Nonce 字段复制。
        for _ in 0..<20 where !Self.cursorLine(d).contains("Nonce") { await app.press(.char("j")) }
        await app.press(.char("y"))
        #expect(d.rawWrites.last == Self.osc52("7") && app.status.contains("已复制 Nonce：7"), "\(app.status)")
        // 批准键在详情里仍作用于这一笔。
        await app.press(.char("a"))
        #expect(app.dialog?.title.contains("w1") == true)
        await app.press(.esc, .esc)
        #expect(!d.contains("提现详情"))
        // 没签名的单：nonce、哈希写「尚未签名」；签了没上链的：区块写「尚未上链」。
        await app.press(.up, .enter)
        s = Self.screen(d)
        #expect(s.contains("提现详情 w0") && s.contains("—（尚未签名）"), "\(s)")
        await app.press(.esc, .down, .down, .enter)
        #expect(d.contains("提现详情 w2") && d.contains("—（尚未上链）"), "\(Self.screen(d))")
    }

    @Test func sweepDetailShowsPerAddressAmountsAndGas() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char("4"), .enter)
        let s = Self.screen(d)
        for want in ["归集详情", "0x00000000000000000000000000000000000000aa", "0.5 ETH", "500000000000000000", "Gas 上限", "21000",
                     "10.00 / 12.00 / 15.00 gwei", "手续费（最坏）", "0.000315 ETH", "手续费（预计）", "0.000252 ETH", "0.4997 ETH"] {
            #expect(s.contains(want), "没有 \(want)：\n\(s)")
        }
        await app.press(.char("y"))
        #expect(d.rawWrites.last == Self.osc52("0x00000000000000000000000000000000000000aa"))
    }

    @Test func deadLetterDetailWrapsTheFullError() async {
        let b = TestBackend(role: .admin)
        let long = "broadcast failed: " + (1...30).map { "segment-\($0)" }.joined(separator: " ") + " END"
        b.deadLetterRows = [DeadLetterRow(id: "j9", job: "withdrawals/broadcast", error: long, attempts: 5, lastAttempt: "2026-11-24 20:00:00")]
        let (app, d) = await makeApp(b, size: Size(cols: 80, rows: 24))
        await app.press(.char("8"))
        #expect(!Self.flat(d).contains("END"), "表格里本来就放得下全文，测试没有意义")
        await app.press(.enter)
        #expect(d.contains("死信详情 j9"))
        #expect(Self.flat(d).contains(long.replacingOccurrences(of: " ", with: "")), "错误全文没有折行显示：\n\(Self.screen(d))")
        await app.press(.char("y"))
        #expect(d.rawWrites.last == Self.osc52(long))
        // 重新入队（admin）在详情里作用于这一项。
        await app.press(.char("R"))
        #expect(app.dialog?.title.contains("j9") == true)
    }

    @Test func helpInsideThePaneListsOnlyPaneKeys() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char("2"), .enter)
        #expect(d.line(39).contains("<y>") && !d.line(39).contains("<Enter>"), "\(d.line(39))")
        #expect(d.contains("↓/j ↑/k 选择字段 · y 复制选中的字段 · Esc 关闭"))
    }
}

extension DetailPaneTests {
    static func depositRows(_ amounts: [String]) -> [DepositRow] {
        amounts.enumerated().map { i, a in
            DepositRow(id: "s\(i)", asset: a.hasSuffix("USDT") ? "USDT" : "ETH", amount: AmountText(display: a, baseUnits: "1"),
                       address: String(format: "0x%040x", 50 + i), txHash: String(format: "0x%064x", 50 + i), confirmations: i,
                       required: 12, state: .confirming, ageSeconds: 10 * (5 - i))
        }
    }
    /// 各行金额（屏幕顺序）。
    static func amounts(_ d: HeadlessDriver) -> [String] {
        let re = try! NSRegularExpression(pattern: "([0-9.]+ (?:ETH|USDT))")
        return (0..<d.size.rows).map { d.line($0) }.filter { $0.hasPrefix("│") && ($0.contains("ETH") || $0.contains("USDT")) }.compactMap { l in
            re.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)).map { (l as NSString).substring(with: $0.range) }
        }
    }

    @Test func shiftLetterSortsByColumnAndAgainReverses() async {
        let b = TestBackend()
        b.set { $0.depositRows = Self.depositRows(["2.5 ETH", "10 USDT", "0.75 ETH", "9.5 ETH", "1 USDT"]) }
        let (app, d) = await makeApp(b)
        await app.press(.char("2"), .down, .down)   // 光标在 0.75 ETH
        #expect(Self.cursorLine(d).contains("0.75 ETH"))
        // 表头：金额列的热键 M 写在列名后（中文列名里没有这个字母）并加下划线。
        let header = d.line(3)
        #expect(header.contains("金额M"), "\(header)")
        let mx = TextWidth.of(String(header[..<header.range(of: "金额M")!.lowerBound])) + 4
        #expect(d.screen[mx, 3].style.underline && d.screen[mx, 3].text == "M", "热键没有下划线：\(d.screen[mx, 3])")
        await app.press(.char("M"))
        #expect(Self.amounts(d) == ["0.75 ETH", "1 USDT", "2.5 ETH", "9.5 ETH", "10 USDT"], "按屏幕上的数升序：\(Self.amounts(d))")
        #expect(d.line(3).contains("金额▲"), "\(d.line(3))")
        #expect(Self.cursorLine(d).contains("0.75 ETH"), "排序后光标换了一项：\(Self.cursorLine(d))")
        #expect(b.queries["deposits"]?.last?.sort == ListSort(.amount))
        await app.press(.char("M"))
        #expect(Self.amounts(d) == ["10 USDT", "9.5 ETH", "2.5 ETH", "1 USDT", "0.75 ETH"], "\(Self.amounts(d))")
        #expect(d.line(3).contains("金额▼") && Self.cursorLine(d).contains("0.75 ETH"))
        #expect(b.queries["deposits"]?.last?.sort == ListSort(.amount, descending: true))
        // 第三次：恢复后端的默认顺序，表头没有标记，查询不带排序；选中的仍是那一笔。
        await app.press(.char("M"))
        #expect(Self.amounts(d) == ["2.5 ETH", "10 USDT", "0.75 ETH", "9.5 ETH", "1 USDT"], "\(Self.amounts(d))")
        #expect(!d.line(3).contains("▲") && !d.line(3).contains("▼") && d.line(3).contains("金额M"), "\(d.line(3))")
        #expect(b.queries["deposits"]?.last?.sort == nil && Self.cursorLine(d).contains("0.75 ETH"))
        // 换一列（时长 E）：新列升序，金额列的标记消失。
        await app.press(.char("E"))
        #expect(d.line(3).contains("时长▲") && !d.line(3).contains("金额▼"), "\(d.line(3))")
        #expect(Self.amounts(d) == ["1 USDT", "9.5 ETH", "0.75 ETH", "10 USDT", "2.5 ETH"], "\(Self.amounts(d))")
        // 刷新后排序仍在。
        app.requestRefresh(); await app.settle(); app.render()
        #expect(Self.amounts(d).first == "1 USDT" && b.queries["deposits"]?.last?.sort == ListSort(.age))
    }

    @Test func englishHeaderUnderlinesTheHotkeyInsideTheTitle() async {
        let (app, d) = await makeApp(TestBackend(), lang: .en)
        await app.press(.char("3"))
        let header = d.line(3)
        // "Amount" 里有 m：给这个字母加下划线，不另写字母。
        let r = header.range(of: "Amount")!
        let x = TextWidth.of(String(header[..<r.lowerBound]))
        #expect(d.screen[x + 1, 3].text == "m" && d.screen[x + 1, 3].style.underline, "\(header)")
        #expect(!d.screen[x, 3].style.underline)
        await app.press(.char("S"))
        #expect(d.line(3).contains("State▲"), "\(d.line(3))")
    }

    @Test func boundUppercaseKeysStillRunTheirCommand() async {
        // A 是批量批准、G 是到底部：它们不是排序热键，按下去仍执行原命令。
        let b = TestBackend()
        let (app, d) = await makeApp(b)
        await app.press(.char("3"), .char("G"))
        #expect(Self.cursorLine(d).contains("w4"))
        #expect(b.queries["withdrawals"]?.last?.sort == nil)
        // 用户把 M 绑到别的命令：M 就不再排序，也不在表头提示。
        let keymap = try! KeyMap.parse("refresh = M")
        let d2 = HeadlessDriver(size: Size(cols: 120, rows: 40))
        let app2 = ConsoleApp(backend: b, driver: d2, config: ConsoleConfig(lang: .zh, keymap: keymap))
        app2.requestRefresh(); await app2.settle(); app2.render()
        await app2.press(.char("3"))
        #expect(!d2.line(3).contains("金额M") && d2.line(3).contains("金额"), "\(d2.line(3))")
        await app2.press(.char("M"))
        #expect(!d2.line(3).contains("▲"))
    }

    @Test func helpListsTheSortKey() async {
        let (app, d) = await makeApp(TestBackend())
        await app.press(.char("2"), .char("?"))
        #expect(d.contains("Shift+字母") && d.contains("按该列排序（再按降序，第三次恢复默认顺序）"), "\(Self.screen(d))")
        await app.press(.esc, .char("1"), .char("?"))
        #expect(!d.contains("Shift+字母"), "总览没有可排序的列")
    }

    /// 宽终端（200 列）上地址、交易哈希整串显示；窄终端上缩写、交易哈希列整列隐藏。
    @Test func columnsWidenOnWideTerminals() async {
        let full = String(format: "0x%064x", 101), addr = String(format: "0x%040x", 2)
        var seen: [Int: (hash: Bool, addr: Bool, hashColumn: Bool)] = [:]
        for cols in [80, 120, 200] {
            let (app, d) = await makeApp(TestBackend(), size: Size(cols: cols, rows: 30))
            await app.press(.char("2"))
            seen[cols] = (d.contains(full), d.contains(addr), d.line(3).contains("交易哈希"))
        }
        #expect(seen[200]?.hash == true && seen[200]?.addr == true, "\(seen)")
        #expect(seen[120]?.hash == false && seen[120]?.hashColumn == true, "\(seen)")
        #expect(seen[80]?.addr == false && seen[80]?.hashColumn == false, "\(seen)")
    }
}

/// 内存排序与锚点（两个后端共用）。
@Suite struct RowPagingTests {
    @Test func stableNumericSortAndAnchorPage() {
        let rows = DetailPaneTests.depositRows(["2.5 ETH", "10 USDT", "0.75 ETH", "9.5 ETH", "1 USDT", "2.5 ETH"])
        let asc = RowPaging.sorted(rows, by: ListSort(.amount)).map(\.id)
        #expect(asc == ["s2", "s4", "s0", "s5", "s3", "s1"], "数值排序、相同值保持原序：\(asc)")
        let desc = RowPaging.sorted(rows, by: ListSort(.amount, descending: true)).map(\.id)
        #expect(desc == ["s1", "s3", "s0", "s5", "s4", "s2"], "\(desc)")
        // 锚点不在请求的那一页：返回包含它的一页。
        let p = RowPaging.page(rows, PageQuery(offset: 0, limit: 2, sort: ListSort(.amount), anchor: "s1"))
        #expect(p.rows.map(\.id).contains("s1") && p.offset == 4 && p.total == 6)
        // 锚点已在页内：不动。
        let q = RowPaging.page(rows, PageQuery(offset: 0, limit: 2, sort: ListSort(.amount), anchor: "s4"))
        #expect(q.offset == 0)
    }
}

extension DetailPaneTests {
    /// 排序把选中项移到很远的位置（锚点页）：可见区域要整屏有数据，不能留着「…」占位行。
    @Test func sortingFarAwayKeepsTheSelectionAndFillsTheScreen() async {
        let b = TestBackend()
        b.set { $0.depositRows = Self.depositRows((0..<200).map { "\(($0 * 37) % 200).5 ETH" }) }
        let (app, d) = await makeApp(b, size: Size(cols: 100, rows: 30))
        await app.press(.char("2"), .down, .down, .down)
        let picked = Self.amounts(d)[3]
        #expect(Self.cursorLine(d).contains(picked))
        await app.press(.char("M"))
        #expect(Self.cursorLine(d).contains(picked), "\(Self.screen(d))")
        let rows = (0..<30).map { d.line($0) }.filter { $0.hasPrefix("│") && $0.dropFirst().hasPrefix(" …") }
        #expect(rows.isEmpty, "可见区域有未载入的行：\n\(Self.screen(d))")
        #expect(Self.amounts(d).count == 24, "\(Self.amounts(d).count)")
        await app.press(.char("M"))
        #expect(Self.cursorLine(d).contains(picked) && (0..<30).map { d.line($0) }.allSatisfy { !$0.hasPrefix("│  …") }, "\(Self.screen(d))")
    }
}

extension DetailPaneTests {
    /// 排序只覆盖最新的一个窗口时，标题如实写出（不假装排了全表）。
    @Test func sortWindowIsStatedInTheTitle() async {
        let b = TestBackend(withdrawals: 30)
        b.set { $0.sortWindow = 20 }
        let (app, d) = await makeApp(b)
        await app.press(.char("3"))
        #expect(d.contains("提现 · 30 行"))
        await app.press(.char("M"))
        #expect(d.contains("提现 · 20 行（排序只在最新的 20 行里，共 30 行）"), "\(d.line(2))")
        let (app2, d2) = await makeApp(b, lang: .en)
        await app2.press(.char("3"), .char("M"))
        #expect(d2.contains("20 rows (sorted within the newest 20 of 30)"), "\(d2.line(2))")
    }
}

extension DetailPaneTests {
    /// 告警与审计也有详情：说明 / CLI 孪生命令全文折行，y 复制全文。
    @Test func alertAndAuditDetailsShowTheFullText() async {
        let b = TestBackend()
        let msg = "提现 #42 的 nonce 7 已在链上被使用，但我们签过的 3 个版本都没有收据：可能是重组中，或密钥在别处被使用。请人工核查。交易 0x" + String(repeating: "9f", count: 32) + " 尾"
        b.alertRows = [AlertRow(id: "al1", time: "2026-11-30 22:00:00", kind: "withdraw.nonce_taken", level: .critical, message: msg)]
        b.auditRows = [AuditRow(id: "au1", time: "2026-11-30 22:01:00", actor: "alice", action: "withdraw.reject", target: "42",
                                cliCommand: "wallet-console withdraw reject 42 --reason '地址可疑 user'\\''s; rm -rf $HOME' --home /srv/wallet --operator alice")]
        let (app, d) = await makeApp(b, size: Size(cols: 80, rows: 24))
        await app.press(.char("9"))
        #expect(!Self.flat(d).contains("尾"), "表格里本来就放得下全文，测试没有意义")
        await app.press(.enter)
        #expect(d.contains("告警详情 al1") && Self.flat(d).contains(msg.replacingOccurrences(of: " ", with: "")), "\(Self.screen(d))")
        await app.press(.char("y"))
        #expect(d.rawWrites.last == Self.osc52(msg) && app.status.contains("已复制 说明："))
        await app.press(.esc, .char("7"), .enter)
        #expect(d.contains("审计详情 au1"), "\(Self.screen(d))")
        await app.press(.char("y"))
        #expect(d.rawWrites.last == Self.osc52(b.auditRows[0].cliCommand), "复制的孪生命令要逐字（含转义）")
    }
}

extension DetailPaneTests {
    /// 窗格里的这一项不在新的一页里了（例如死信已重新入队）：保留上次的内容，但标题写明没有刷新；回来了就恢复。
    @Test func paneSaysWhenItsItemIsNoLongerOnThePage() async {
        let b = TestBackend(role: .admin)
        let (app, d) = await makeApp(b)
        await app.press(.char("8"), .enter)
        #expect(d.contains("死信详情 j1") && !d.contains("已不在当前列表页"))
        let saved = b.deadLetterRows
        b.deadLetterRows = []
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.contains("死信详情 j1 · ⚠ 已不在当前列表页，显示的是上次的数据") && d.contains("node timeout"), "\(Self.screen(d))")
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.text.components(separatedBy: "已不在当前列表页").count == 2, "标记只加一次")
        b.deadLetterRows = saved
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.contains("死信详情 j1") && !d.contains("已不在当前列表页"), "\(Self.screen(d))")
    }
}

extension DetailPaneTests {
    /// 告警按级别排序（Shift+V）：严重的排最前；再按一次信息在前。
    @Test func alertsSortBySeverity() async {
        let b = TestBackend()
        b.alertRows = [AlertRow(id: "1", time: "2026-11-30 22:00:03", kind: "sweep.deferred", level: .info, message: "m1"),
                       AlertRow(id: "2", time: "2026-11-30 22:00:02", kind: "scanner.halted", level: .critical, message: "m2"),
                       AlertRow(id: "3", time: "2026-11-30 22:00:01", kind: "fee.high", level: .warning, message: "m3")]
        let (app, d) = await makeApp(b)
        await app.press(.char("9"))
        func kinds() -> [String] { (0..<40).map { d.line($0) }.compactMap { l in ["sweep.deferred", "scanner.halted", "fee.high"].first { l.contains($0) } } }
        #expect(kinds() == ["sweep.deferred", "scanner.halted", "fee.high"])
        await app.press(.char("V"))
        #expect(kinds() == ["scanner.halted", "fee.high", "sweep.deferred"] && d.line(3).contains("级别▲"), "\(kinds()) \(d.line(3))")
        await app.press(.char("V"))
        #expect(kinds() == ["sweep.deferred", "fee.high", "scanner.halted"] && d.line(3).contains("级别▼"), "\(kinds())")
        await app.press(.char("T"))
        #expect(kinds() == ["fee.high", "scanner.halted", "sweep.deferred"] && d.line(3).contains("时间▲"), "\(kinds())")
    }
}
