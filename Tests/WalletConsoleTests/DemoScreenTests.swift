import Foundation
import Testing
@testable import WalletConsole
#if canImport(Glibc)
import Glibc
#endif

/// 真实二进制的屏幕测试：在 tmux 伪终端里运行 `wallet-console demo`（真实引擎、演示链、真实 ncursesw），
/// 按人眼看到的画面断言。演示链出块间隔用 --block-interval-ms 缩短；每一步都有超时，整组约 1 分钟。
@Suite(.serialized, .enabled(if: TmuxHarness.available)) struct DemoScreenTests {
    /// .build/<config>/wallet-console：与测试包在同一构建目录（同 CLIRunner）。
    static var binary: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let c = dir.appendingPathComponent("wallet-console")
            if FileManager.default.isExecutableFile(atPath: c.path) { return c.path }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.isExecutableFile(atPath: ".build/debug/wallet-console") ? ".build/debug/wallet-console" : nil
    }

    static func tempHome(_ tag: String) -> String {
        NSTemporaryDirectory() + "/wc-\(tag)-\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000) % 1_000_000)"
    }

    /// 启动 demo。测试总是给 --home（自己的临时目录，defer 里删除）：测试失败、tmux 被杀时也不留垃圾。
    func launch(_ t: TmuxHarness, _ extra: String = "", cols: Int = 80, rows: Int = 24, blockMs: Int = 700) throws {
        let bin = try #require(Self.binary, "找不到 wallet-console 可执行文件（先 swift build）")
        try t.start("\(bin) demo --block-interval-ms \(blockMs) \(extra)", cols: cols, rows: rows, env: ["LANG": "C.UTF-8"])
    }

    func waitExit(_ t: TmuxHarness) throws -> Int32? {
        var status: Int32?
        for _ in 0..<200 where status == nil { status = try t.exitStatus(); Thread.sleep(forTimeInterval: 0.05) }
        return status
    }

    /// 批准对话框已打开（截屏 `dlg`）：键入目标地址末 4 位、Tab 到「批准」、回车，等到状态行「完成」。
    func confirmApproval(_ t: TmuxHarness, dialog dlg: String) throws {
        // 取对话框「目标地址：」后的地址：宽终端上表格行里也是完整地址（issue 14 列变宽），不能取屏幕上第一个。
        let re = try NSRegularExpression(pattern: "目标地址：(0x[0-9a-fA-F]{40})")
        let m = try #require(re.firstMatch(in: dlg, range: NSRange(dlg.startIndex..., in: dlg)), "对话框里没有完整地址：\n\(dlg)")
        try t.type(String((dlg as NSString).substring(with: m.range(at: 1)).suffix(4)))
        try t.sendKeys("Tab")
        try t.waitFor("▶[ 批准 ]")
        try t.sendKeys("Enter")
        try t.waitFor("✔ 完成", timeout: 10)
    }

    /// 进入仪式视图、开始仪式，返回抄写页上的 24 个词（编号 → 词）。
    func startCeremony(_ t: TmuxHarness) throws -> [Int: String] {
        try t.sendKeys("6")
        try t.waitFor("按 Enter 开始")
        try t.sendKeys("Enter")
        try t.waitFor("SLIP-39 2-of-3")
        try t.sendKeys("Enter")
        return Self.words(try t.waitFor("24. "))
    }

    /// 仪表盘上“确认中”的充值：键 = 资产+金额文本，值 = 已确认数。
    static func confirming(_ screen: String) -> [String: Int] {
        var out: [String: Int] = [:]
        let re = try! NSRegularExpression(pattern: "([A-Z]+ +[0-9.]+ [A-Z]+) [█░]+ +([0-9]+)/6 ◔")
        for m in re.matches(in: screen, range: NSRange(screen.startIndex..., in: screen)) {
            let s = screen as NSString
            out[s.substring(with: m.range(at: 1)).replacingOccurrences(of: " ", with: "")] = Int(s.substring(with: m.range(at: 2)))
        }
        return out
    }

    static func height(_ screen: String) -> Int? {
        guard let r = screen.range(of: "高度 ") else { return nil }
        return Int(screen[r.upperBound...].prefix { $0.isNumber })
    }

    @Test func dashboardLivesAt80x24AndConfirmationsAdvance() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("demo")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)")
        _ = try t.waitFor("◷ 待审", timeout: 30)
        // 各面板的数据可能分几次刷新到达（负载高时更明显）：逐个等到再断言。
        for w in ["USDT", "gwei", "hot-wallet"] { _ = try t.waitFor(w, timeout: 20) }
        let s = try t.capture()
        for panel in ["充值确认", "待审提现", "归集估算", "密钥层级"] { #expect(s.contains(panel), "面板 \(panel)") }
        #expect(s.contains("DEMO"), "演示链醒目标注")
        #expect(s.contains("demo(管理员)"), "页头显示演示操作员与角色")
        #expect(s.contains("ETH") && s.contains("USDT"), "充值面板有真实数据")
        #expect(s.contains("gwei"), "归集面板有手续费走势")
        #expect(s.contains("hot-wallet"), "密钥层级面板有热钱包密钥")
        // 确认数随出块前进：同一笔充值的 n/6 变大（或出块高度增长且有确认中的充值入账）。
        let h0 = try #require(Self.height(s))
        var first = Self.confirming(s)
        let deadline = Date().addingTimeInterval(20)
        var advanced = false
        while Date() < deadline && !advanced {
            Thread.sleep(forTimeInterval: 0.3)
            let now = try t.capture()
            let c = Self.confirming(now)
            if first.isEmpty { first = c; continue }
            advanced = c.contains { k, v in (first[k].map { v > $0 }) ?? false }
        }
        #expect(advanced, "确认中充值的确认数应随出块前进")
        let h1 = try #require(Self.height(try t.capture()))
        #expect(h1 > h0, "链头高度前进 \(h0) → \(h1)")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
        #expect(try t.alternateScreenOn() == false, "退出后离开备用屏幕")
    }

    @Test func layoutAt120x40CJKAlignsAndResizeNotice() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("demo")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 40)
        let s = try t.waitFor("◷ 待审", timeout: 30)
        for panel in ["充值确认", "待审提现", "归集估算", "密钥层级"] { #expect(s.contains(panel)) }
        // 每个方框行的显示宽度都正好是 120 列（中文按 2 列计）——中文不会把右边框挤歪。
        for line in s.split(separator: "\n") where line.hasPrefix("│") || line.hasPrefix("┌") || line.hasPrefix("└") {
            let w = line.reduce(0) { $0 + TextWidth.of($1) }
            #expect(w == 120, "行宽 \(w)：\(line)")
        }
        // 提现列表：中文状态列在每一行的同一显示列上。
        try t.sendKeys("3")
        try t.waitFor("申请人")
        let list = try t.waitFor("alice")
        let cols = list.split(separator: "\n").filter { $0.contains("◷ 待审") }.map { line -> Int in
            let prefix = line[..<line.range(of: "◷ 待审")!.lowerBound]
            return prefix.reduce(0) { $0 + TextWidth.of($1) }
        }
        #expect(cols.count >= 3 && Set(cols).count == 1, "状态列对齐：\(cols)")
        try t.resize(cols: 60, rows: 20)
        try t.waitFor("终端太小")
        try t.resize(cols: 120, rows: 40)
        let back = try t.waitFor("申请人")
        #expect(back.contains("◷ 待审") && !back.contains("终端太小"), "恢复布局")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    @Test func approveFlowEndToEndWritesAudit() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("demo")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        try t.sendKeys("3")
        try t.waitFor("申请人")
        let list = try t.waitFor("▶ ")
        // 第一行（最紧急）由 alice 或 bob 发起——不是已登录的 demo：四眼原则下可以批。
        let row = try #require(list.split(separator: "\n").first { $0.contains("▶") && $0.contains("◷ 待审") })
        #expect(row.contains("alice") || row.contains("bob"), "待审单由其他操作员发起：\(row)")
        let id = try #require(row.split(separator: " ").dropFirst().first.map(String.init).flatMap { Int($0) })
        try t.sendKeys("a")
        let dlg = try t.waitFor("等价命令")
        #expect(dlg.contains("wallet-console withdraw approve \(id)"), "对话框显示 CLI 孪生命令")
        #expect(dlg.contains("▶[ 取消 ]"), "默认按钮是取消")
        let re = try NSRegularExpression(pattern: "目标地址：(0x[0-9a-fA-F]{40})")
        let m = try #require(re.firstMatch(in: dlg, range: NSRange(dlg.startIndex..., in: dlg)))
        let dest = (dlg as NSString).substring(with: m.range(at: 1))
        // 直接回车 = 取消：不会批准。
        try t.sendKeys("Enter")
        try t.waitForAbsence("等价命令")
        try t.sendKeys("a")
        try t.waitFor("等价命令")
        try t.type(String(dest.suffix(4)))
        try t.sendKeys("Tab")
        try t.waitFor("▶[ 批准 ]")
        try t.sendKeys("Enter")
        // 80 列时状态行只有半屏宽：等到“完成”出现，完整命令在审计视图里核对。
        try t.waitFor("✔ 完成：wallet-console withdraw approve", timeout: 10)
        // 审计视图：worker 的事件不断加在最前面，用过滤只看批准记录。
        try t.sendKeys("7")
        try t.waitFor("CLI")
        try t.sendKeys("/")
        try t.type("withdraw.approve")
        try t.sendKeys("Enter")
        var line: Substring?
        let until = Date().addingTimeInterval(10)
        while line == nil && Date() < until {
            line = try t.capture().split(separator: "\n").first { $0.hasPrefix("│") && $0.contains("withdraw approve \(id)") }
            if line == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let l = try #require(line, "审计视图中应有该批准的记录")
        #expect(l.contains("demo") && l.contains("withdraw.ap") && l.contains("wallet-console withdraw approve \(id)"),
                "审计行：执行人 demo、动作、CLI 命令：\(l)")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    @Test func readonlyCannotApprove() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("demo")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--readonly --home \(home)")
        let s = try t.waitFor("◷ 待审", timeout: 30)
        #expect(s.contains("只读") && s.contains("观察员"))
        try t.sendKeys("3")
        try t.waitFor("申请人")
        let list = try t.waitFor("alice")
        #expect(!list.contains("批准") && !list.contains("拒绝"), "只读模式不显示批准/拒绝键")
        try t.sendKeys("a")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!(try t.capture()).contains("等价命令"), "a 未绑定：没有对话框")
        #expect(!list.contains(" 6 仪式"), "只读模式没有仪式视图")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// 读目录下所有文件（含二进制的数据库与 WAL），拼成一个字节串供搜索。
    static func dump(_ dir: String) -> Data {
        var out = Data()
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            if let d = FileManager.default.contents(atPath: dir + "/" + f) { out += d }
        }
        return out
    }

    static func filesContaining(_ dir: String, _ needle: String) -> [String] {
        var out: [String] = []
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            if let d = FileManager.default.contents(atPath: dir + "/" + f), contains(d, needle) { out.append(f) }
        }
        return out
    }

    static func contains(_ hay: Data, _ needle: String) -> Bool {
        hay.range(of: Data(needle.utf8)) != nil
    }

    static func words(_ screen: String) -> [Int: String] {
        var out: [Int: String] = [:]
        let re = try! NSRegularExpression(pattern: "([0-9]+)\\. ([a-z]+)")
        for m in re.matches(in: screen, range: NSRange(screen.startIndex..., in: screen)) {
            let s = screen as NSString
            out[Int(s.substring(with: m.range(at: 1)))!] = s.substring(with: m.range(at: 2))
        }
        return out
    }

    /// 终端挂断（SSH 断开）后控制台必须自行退出，而不是在读不到输入时空转成孤儿进程。
    /// 测试运行器的线程屏蔽了 SIGHUP，窗格程序继承了屏蔽字，所以这里只能靠驱动自己发现挂断——正是要测的路径。
    @Test func hangupEndsTheConsole() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("hangup")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)")
        try t.waitFor("◷ 待审", timeout: 30)
        let pids = t.hangUp()
        #expect(!pids.isEmpty)
        let deadline = Date().addingTimeInterval(15)
        func alive() -> Bool { pids.contains { Glibc.kill($0, 0) == 0 && !Self.isZombie($0) } }
        while alive() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!alive(), "挂断 15 秒后控制台仍在运行")
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let r = s.range(of: ") ") else { return false }
        return s[r.upperBound...].hasPrefix("Z")
    }

    @Test func ceremonyCompletesAndLeavesNoSecret() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("ceremony")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 100, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        // 仪式开始前的快照：策略规则名等（如 "large"）本来就在库里，单词形式的检查要排除它们，否则随机抽到这些词会误报。
        let before = Self.dump(home)
        try t.sendKeys("6")
        try t.waitFor("按 Enter 开始")
        try t.sendKeys("Enter")
        try t.waitFor("SLIP-39 2-of-3")
        try t.sendKeys("Enter")
        let shown = try t.waitFor("24. ")
        let mnemonic = Self.words(shown)
        #expect(mnemonic.count == 24, "24 个词以编号网格显示")
        try t.sendKeys("Enter")
        for _ in 0..<3 {
            let q = try t.waitFor("个词")
            let n = try #require(q.range(of: "第 ").flatMap { Int(q[$0.upperBound...].prefix { $0.isNumber }) })
            let w = try #require(mnemonic[n])
            try t.type(w)
            try t.sendKeys("Enter")
            Thread.sleep(forTimeInterval: 0.3)
        }
        let passphrase = "quiz-pass-\(getpid())-zebra"
        try t.waitFor("设置口令")
        try t.type(passphrase)
        try t.sendKeys("Enter")
        try t.waitFor("再次输入口令")
        try t.type(passphrase)
        try t.sendKeys("Enter")
        var shares: [[Int: String]] = []
        for i in 1...3 {
            let s = try t.waitFor("份额 \(i)/3")
            Thread.sleep(forTimeInterval: 0.2)
            shares.append(Self.words(try t.capture()))
            _ = s
            try t.sendKeys("Enter")
        }
        let summary = try t.waitFor("指纹", timeout: 15)
        #expect(summary.contains("m/44'/60'/0'/0/0 0x"), "摘要显示首个地址")
        // issue 14：扩展公钥完整显示（折行，不截断），y 经 OSC 52 复制出来的就是它。
        let flat = summary.split(separator: "\n").map { l -> String in
            var x = String(l)
            if x.hasPrefix("│") { x.removeFirst() }
            while x.hasSuffix("│") || x.hasSuffix(" ") { x.removeLast() }
            return x.hasPrefix(" ") ? String(x.dropFirst()) : x
        }.joined()
        let xre = try NSRegularExpression(pattern: "xpub[1-9A-HJ-NP-Za-km-z]{100,}")
        let xm = try #require(xre.firstMatch(in: flat, range: NSRange(flat.startIndex..., in: flat)), "摘要里的 xpub 被截断：\n\(summary)")
        let xpub = (flat as NSString).substring(with: xm.range)
        #expect(xpub.count == 111, "xpub 长度 \(xpub.count)：\(xpub)")
        try t.tmux(["set-option", "-g", "set-clipboard", "on"])
        try t.sendKeys("y")
        try t.waitFor("已复制")
        var copied = ""
        for _ in 0..<40 where copied != xpub { copied = (try? t.tmux(["show-buffer"])) ?? ""; Thread.sleep(forTimeInterval: 0.05) }
        #expect(copied == xpub, "复制到剪贴板的不是 xpub：\(copied)")
        try t.sendKeys("Enter")
        try t.waitFor("仪式已完成")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
        #expect(try t.alternateScreenOn() == false)

        // 机密搜索：home 下日志、数据库（含 WAL）、密钥库；以及 tmux 滚动区。
        let after = Self.dump(home)
        let scroll = try t.captureWithHistory()
        let m = (1...24).compactMap { mnemonic[$0] }
        var needles = [m.joined(separator: " "), passphrase]
        for i in 0..<(m.count - 1) { needles.append(m[i] + " " + m[i + 1]) }
        var singles = m
        for sh in shares {
            let sw = (1...sh.count).compactMap { sh[$0] }
            needles.append(sw.joined(separator: " "))
            for i in 0..<(sw.count - 1) { needles.append(sw[i] + " " + sw[i + 1]) }
            singles += sw
        }
        #expect(needles.count > 80)
        for n in needles {
            #expect(!Self.contains(after, n), "home 目录中出现机密：\(n)，文件：\(Self.filesContaining(home, n))")
            #expect(!scroll.contains(n), "tmux 滚动区中出现机密：\(n)")
        }
        // 单个词（例如被记进日志的测验答案）：查它作为 JSON 字符串值或编号网格行出现的形式。
        // 不查裸词：引擎日志的键名本身就可能是词表里的词（扫描器重组事件的 "ancestor" 键）。
        for w in Set(singles) {
            for form in [":\"\(w)\"", "\"\(w)\",", "\"\(w)\"]", ". \(w)\n", "=\(w)"] where !Self.contains(before, form) {
                #expect(!Self.contains(after, form), "home 目录中出现机密词：\(form)，文件：\(Self.filesContaining(home, form))")
            }
            #expect(!scroll.contains(". \(w)"), "tmux 滚动区中出现编号词：\(w)")
        }
        #expect(FileManager.default.fileExists(atPath: home + "/logs/engine.log"), "日志写在 home 的日志文件里")
    }

    // MARK: - `wallet-console`（无子命令 = console）：终端登录、角色、从密钥视图解封

    static func run(_ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(binary))
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func initHome(_ tag: String, adminPass: String, unsealPass: String) throws -> String {
        let home = tempHome(tag)
        let dir = home + "-secrets"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/a", contents: Data(adminPass.utf8), attributes: [.posixPermissions: 0o600])
        _ = FileManager.default.createFile(atPath: dir + "/u", contents: Data(unsealPass.utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rc = try run(["init", "--home", home, "--chain-id", "1337", "--demo", "--unseal-passphrase-file", dir + "/u",
                          "--admin", "ops", "--admin-passphrase-file", dir + "/a", "--confirmations", "3"])
        #expect(rc == 0, "init 成功")
        return home
    }

    @Test func consoleLoginOnTerminalThenUnsealFromKeysView() throws {
        let adminPass = "ops-pass-\(getpid())-kiwi", unsealPass = "unseal-\(getpid())-mango"
        let home = try Self.initHome("login", adminPass: adminPass, unsealPass: unsealPass)
        let t = TmuxHarness()
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        let bin = try #require(Self.binary)
        // 不带子命令：默认打开控制台。
        try t.start("\(bin) --home \(home)", cols: 100, rows: 30, env: ["LANG": "C.UTF-8"])
        try t.waitFor("操作员:", timeout: 20)
        try t.type("ops")
        try t.sendKeys("Enter")
        try t.waitFor("ops 的口令")
        try t.type(adminPass)
        try t.sendKeys("Enter")
        let s = try t.waitFor("ops(管理员)", timeout: 20)
        #expect(s.contains("已封存"), "未解封启动")
        try t.sendKeys("5")
        try t.waitFor("KEK")   // 只有密钥视图有这一列（总览的密钥面板也有 hot-wallet，不能用它判断）
        // 数据已到（模型未到前 u 不起作用）：封存显示为「⏸ 已封存」，不再与坏了的「✖」一样（issue 15）；热钱包签名器标 ★。
        let keysScreen = try t.waitFor("⏸ 已封存")
        #expect(keysScreen.contains("★ hot-wallet") && !keysScreen.contains("✖"), "\(keysScreen)")
        try t.sendKeys("u")
        try t.waitFor("口令（不回显）")
        try t.type(unsealPass)
        #expect(!(try t.capture()).contains(unsealPass), "口令不回显")
        try t.sendKeys("Tab")
        try t.sendKeys("Enter")
        // 等动作完成（状态栏），而不是页头：页头可能在动作收尾（写审计）前就刷新成“已解封”，
        // 那时按 q 会弹出“操作进行中，确认退出？”对话框（默认取消）。
        _ = try t.waitFor("✔ 完成：wallet-console keystore unseal", timeout: 20)
        // 页头由下一次后台刷新更新（动作完成后立即请求），负载高时可能晚一两百毫秒。
        _ = try t.waitFor("🔓 已解封", timeout: 10)
        try t.sendKeys("q")
        let rc = try waitExit(t)
        let screen = try t.capture()
        #expect(rc == 0, "退出码 \(rc.map(String.init) ?? "nil")；屏幕：\n\(screen)")
        let scroll = try t.captureWithHistory()
        #expect(!scroll.contains(adminPass) && !scroll.contains(unsealPass), "口令不留在终端")
        let files = Self.dump(home)
        #expect(!Self.contains(files, adminPass) && !Self.contains(files, unsealPass), "口令不落盘（日志、数据库、密钥库）")
    }

    @Test func consoleWrongPassphraseExitsWithTypedError() throws {
        let home = try Self.initHome("badlogin", adminPass: "right-pass-123", unsealPass: "unseal-pass-123")
        let t = TmuxHarness()
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        let bin = try #require(Self.binary)
        try t.start("\(bin) console --home \(home) --operator ops", cols: 100, rows: 30, env: ["LANG": "C.UTF-8"])
        try t.waitFor("ops 的口令", timeout: 20)
        try t.type("wrong-pass-999")
        try t.sendKeys("Enter")
        let s = try t.waitFor("错误 [", timeout: 10)
        #expect(!s.contains("wrong-pass-999"))
        let rc = try waitExit(t)
        #expect(rc == 1 || rc == 2, "认证失败以非零退出码结束（\(rc.map(String.init) ?? "nil")）")
    }

    /// issue 14：开屏就有颜色（主题在终端初始化、知道颜色深度之后才解析），且 Ctrl-S 不会冻结屏幕（XON/XOFF 已关）。
    @Test func coloursAtStartupAndCtrlSDoesNotFreeze() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("colour")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        let bin = try #require(Self.binary)
        // swift test 的环境里带 NO_COLOR=1（no-color.org：应当单色）；这里显式清空，验证的是「有颜色的终端开屏就有颜色」。
        try t.start("\(bin) demo --block-interval-ms 400 --home \(home)", cols: 100, rows: 30,
                    env: ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": ""])
        // 前景/背景色的 SGR（30–37、38;5;n、90–97 …）——修复前只有粗体/暗淡/反显。
        let colour = "\u{1b}\\[[0-9;]*(3[0-7]|38;5;[0-9]+|9[0-7])[;m]"
        // 第一帧（数据到达之前、页头还是“加载中”或刚出现）就要有颜色：抓到的第一屏非空画面即断言。
        var first = ""
        for _ in 0..<400 where first.isEmpty {
            let c = try t.tmux(["capture-pane", "-p", "-e", "-t", t.session])
            if c.contains("热钱包控制台") || c.contains("高度") { first = c } else { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(first.range(of: colour, options: .regularExpression) != nil, "第一帧没有颜色：\(first.prefix(300))")
        _ = try t.waitFor("◷ 待审", timeout: 30)
        let colored = try t.tmux(["capture-pane", "-p", "-e", "-t", t.session])
        #expect(colored.range(of: colour, options: .regularExpression) != nil, "没有颜色：\(colored.prefix(300))")
        let h0 = Self.height(try t.capture()) ?? 0
        try t.sendKeys("C-s")
        var h1 = h0
        for _ in 0..<60 where h1 <= h0 { Thread.sleep(forTimeInterval: 0.1); h1 = Self.height(try t.capture()) ?? h0 }
        #expect(h1 > h0, "Ctrl-S 之后画面不再更新（XON/XOFF 流控冻结了输出）")
        try t.sendKeys("C-q")
    }

    /// issue 14：批准之后光标留在刚批准的那一笔（按 id），而不是停在原行号、落到下一笔上。
    @Test func selectionFollowsTheApprovedWithdrawal() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("select")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        try t.sendKeys("3")
        try t.waitFor("申请人")
        let rows = try t.waitFor("▶ ").split(separator: "\n").filter { $0.hasPrefix("│") && $0.contains("◷ 待审") }
        // 选一笔只需 1 人审批、且后面还有待审单的：批准后它按紧急度排到待审单之后，原行号上换成了别的单。
        let k = try #require(rows.dropLast().firstIndex { $0.contains(" 0/1 ") }, "\(rows)")
        for _ in 0..<k { try t.sendKeys("Down") }
        func cursorRow() throws -> Substring? { try t.capture().split(separator: "\n").first { $0.contains("▶") && $0.hasPrefix("│") } }
        func idOf(_ row: Substring) -> String? { row.split(separator: " ").dropFirst().first.map(String.init) }
        var sel: Substring?
        for _ in 0..<50 { sel = try cursorRow(); if let s = sel, s == rows[k] || idOf(s) == idOf(rows[k]) { break }; Thread.sleep(forTimeInterval: 0.05) }
        let id = try #require(sel.flatMap(idOf))
        #expect(id == idOf(rows[k]))
        try t.sendKeys("a")
        try confirmApproval(t, dialog: try t.waitFor("等价命令"))
        // 等这一笔离开「待审」（排序随之改变），再看光标所在行。
        var now: Substring?
        let until = Date().addingTimeInterval(10)
        repeat {
            Thread.sleep(forTimeInterval: 0.1)
            let screen = try t.capture()
            let moved = !screen.split(separator: "\n").contains { $0.hasPrefix("│") && idOf($0) == id && $0.contains("◷ 待审") }
            if moved { now = try cursorRow() }
        } while now == nil && Date() < until
        let row = try #require(now, "批准的单一直停在待审")
        #expect(idOf(row) == id, "批准后光标换到了别的单：\(row)")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// issue 14：总览的「待审提现」面板只列未结束的单：拒绝掉的那一笔不再出现在面板里。
    @Test func dashboardPendingPanelHidesFinishedWithdrawals() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("dashpanel")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        try t.sendKeys("3")
        try t.waitFor("申请人")
        try t.waitFor("▶ ")
        try t.sendKeys("r")
        try t.waitFor("拒绝原因")
        try t.type("地址可疑")
        try t.sendKeys("Tab", "Enter")
        try t.waitFor("✔ 完成", timeout: 10)
        try t.waitFor("✖ 已拒绝", timeout: 10)
        try t.sendKeys("1")
        try t.waitFor("待审提现")
        // 等两轮刷新，面板里（右上方框内）不能有已拒绝/已确认/失败的行。
        Thread.sleep(forTimeInterval: 2.5)
        let screen = try t.capture()
        let panel = screen.split(separator: "\n").dropFirst(2).prefix(12).map { String($0.suffix(60)) }
        #expect(panel.contains { $0.contains("◷ 待审") }, "面板仍列出待审单：\(panel)")
        #expect(!panel.contains { $0.contains("已拒绝") || $0.contains("已确认") || $0.contains("失败") }, "面板列出了已结束的单：\n\(screen)")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// issue 14：过滤按屏幕上看到的状态名（「/待审」），而不只是账本里的 awaiting_approval。
    @Test func filterMatchesOnScreenStateLabels() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("filter")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        try t.sendKeys("3")
        try t.waitFor("申请人")
        try t.waitFor("▶ ")
        let all = try t.capture().split(separator: "\n").filter { $0.hasPrefix("│") && $0.contains("◷ 待审") }.count
        #expect(all > 0)
        try t.sendKeys("/")
        try t.type("待审")
        try t.sendKeys("Enter")
        // 换过滤条件后表格先显示「加载中…」，等这一页到了再数。
        func loaded(_ marker: String) throws -> String {
            var screen = ""
            let until = Date().addingTimeInterval(10)
            repeat {
                screen = try t.capture()
                if screen.contains(marker) && !screen.contains("加载中") { break }
                Thread.sleep(forTimeInterval: 0.05)
            } while Date() < until
            return screen
        }
        let s = try loaded("/待审 · ")
        // 演示链一直在产生新的提现：两次截屏之间可能多出一笔，所以不比条数——过滤后有待审单、而且每一行都是待审。
        let rows = s.split(separator: "\n").filter { $0.hasPrefix("│") && ($0.contains(" ETH") || $0.contains(" USDT")) }
        #expect(!rows.isEmpty && rows.allSatisfy { $0.contains("◷ 待审") } && !s.contains("（无数据）"), "「/待审」没有匹配屏幕上的待审单：\n\(s)")
        // 取反：「!待审」里一笔待审也没有。
        try t.sendKeys("/")
        try t.sendKeys("Escape")   // 过滤框里 Esc = 清除
        try t.waitForAbsence("/待审 · ")
        try t.sendKeys("/")
        try t.type("!待审")
        try t.sendKeys("Enter")
        let n = try loaded("/!待审 · ")
        #expect(!n.split(separator: "\n").contains { $0.hasPrefix("│") && $0.contains("◷ 待审") }, "\(n)")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// issue 14：退出后打印的消息（告别行与最后一条消息、「演示 home 保留在…」）不会被第二次屏幕恢复盖掉。
    @Test func exitMessageSurvivesTerminalRestore() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("exitmsg")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        let bin = try #require(Self.binary)
        try t.start("printf 'before-1\\nbefore-2\\n'; \(bin) demo --block-interval-ms 700 --home \(home); echo AFTER-EXIT",
                    cols: 100, rows: 30, env: ["LANG": "C.UTF-8"])
        try t.waitFor("◷ 待审", timeout: 30)
        try t.sendKeys(":")
        try t.type("bogus")
        try t.sendKeys("Enter")
        try t.waitFor("未知命令：bogus")
        try t.sendKeys("q")
        let s = try t.waitFor("AFTER-EXIT", timeout: 10)
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bye = lines.firstIndex { $0.contains("已退出控制台") && $0.contains("最后一条消息：✖ 未知命令：bogus") }
        let kept = lines.firstIndex { $0.contains("演示 home 保留在") }
        let after = lines.firstIndex { $0.contains("AFTER-EXIT") }
        #expect(bye != nil && kept != nil, "退出消息被盖掉了：\n\(s)")
        if let b = bye, let k = kept, let a = after { #expect(b < k && k < a, "\(s)") }
        #expect(lines.first?.hasPrefix("before-1") == true, "\(s)")
    }

    /// issue 14：TERM=dumb（没有光标定位）时拒绝启动并说明原因，而不是画一屏乱码。
    @Test func dumbTerminalIsRefused() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("dumb")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        let bin = try #require(Self.binary)
        try t.start("env TERM=dumb \(bin) demo --block-interval-ms 700 --home \(home)", cols: 100, rows: 30, env: ["LANG": "C.UTF-8"])
        let rc = try waitExit(t)
        let s = try t.capture()
        #expect(rc == 1, "应以错误退出（\(rc.map(String.init) ?? "仍在运行")）：\n\(s)")
        #expect(s.contains("TERM=dumb") && s.contains("console.dumb_terminal"), "\(s)")
        #expect(!s.contains("高度") && !s.contains("总览"), "不应画界面：\n\(s)")
    }

    /// 英文界面里被截断的界面文字（「confi…」「App…」「7 Audit …」）：状态名、列名、视图名的任何前缀后跟「…」。
    /// 数据（长密钥名、地址）被截断不算。
    static func cutWords(_ screen: String) -> [String] {
        let t = Strings(.en)
        let labels: [L] = [.stConfirming, .stCredited, .stOrphaned, .stReversed, .stSuspicious, .wsPending, .wsApproved,
                           .wsRejected, .wsSigning, .wsBroadcast, .wsConfirmed, .wsFailed, .colId, .colAsset, .colAmount,
                           .colAddress, .colConfirmations, .colState, .colAge, .colDestination, .colApprovals, .colRequestedBy,
                           .colKeyId, .colTier, .colHealth, .colSignatures, .colLastUse, .colKekAge, .colNet, .colDecision]
            + ViewID.allCases.map(\.title)
        var cut: [String] = []
        for l in labels.map({ t[$0] }) where l.count >= 3 {
            for k in 2..<l.count {
                let p = NSRegularExpression.escapedPattern(for: String(l.prefix(k)))
                // 前面是词边界（不是字母、数字、连字符）：「key-f…」这类数据截断不算。
                if screen.range(of: "(?<![A-Za-z0-9-])" + p + " ?…", options: .regularExpression) != nil { cut.append(String(l.prefix(k)) + "…"); break }
            }
        }
        return cut
    }

    /// issue 14：英文界面的状态与列名不被截断、冒号是半角、单数写「1 approval」。
    @Test(arguments: [(80, 24), (120, 40)]) func englishIsNotCutAndUsesAsciiColons(size: (Int, Int)) throws {
        let t = TmuxHarness()
        let home = Self.tempHome("english")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home) --lang en", cols: size.0, rows: size.1)
        try t.waitFor("◷ pending", timeout: 30)
        for w in ["credited", "unsealed"] { _ = try t.waitFor(w, timeout: 20) }
        var seen: [String: String] = [:]
        seen["dashboard"] = try t.capture()
        for (key, marker) in [("2", "Deposits ·"), ("3", "Withdrawals ·"), ("5", "Key tiers")] {
            try t.sendKeys(key)
            try t.waitFor(marker)
            Thread.sleep(forTimeInterval: 0.8)
            seen[key] = try t.capture()
        }
        for (k, s) in seen { #expect(Self.cutWords(s).isEmpty, "\(k)：截断的词 \(Self.cutWords(s))\n\(s)") }
        // 详情：只需 1 人审批的单写「1 approval」。
        try t.sendKeys("3")
        try t.waitFor("▶ ")
        try t.sendKeys("Enter")
        let detail = try t.waitFor("Matched rule")
        #expect(!detail.contains("1 approvals"), "\(detail)")
        try t.sendKeys("a")
        let dlg = try t.waitFor("Equivalent command")
        #expect(!dlg.contains("："), "英文对话框里有全角冒号：\n\(dlg)")
        try t.sendKeys("Escape")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// issue 14：对话框显示申请人、用户、请求号、白名单、命中策略等；同一人批过之后再按 a，直接说明「你已经批准过」，
    /// 而不是让人键入确认后才被账本拒绝。
    @Test func approveDialogKnowsYouAlreadyApproved() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("again")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 40)
        try t.waitFor("◷ 待审", timeout: 30)
        try t.sendKeys("3")
        try t.waitFor("▶ ")
        let rows = try t.capture().split(separator: "\n").filter { $0.hasPrefix("│") && $0.contains("◷ 待审") }
        let k = try #require(rows.firstIndex { $0.contains(" 0/2 ") }, "\(rows)")
        for _ in 0..<k { try t.sendKeys("Down") }
        try t.waitFor("▶ " + (rows[k].split(separator: " ").dropFirst().first.map(String.init) ?? ""))
        try t.sendKeys("a")
        let dlg = try t.waitFor("等价命令")
        for label in ["申请人：", "用户：", "请求号：", "白名单：", "命中策略：", "手续费估算：", "已审批人：—"] {
            #expect(dlg.contains(label), "对话框缺少 \(label)：\n\(dlg)")
        }
        // 热钱包链上余额：现在 → 发出后（减去金额与手续费），带单位。
        let hre = try NSRegularExpression(pattern: "热钱包余额：([0-9.]+) ETH → ([0-9.]+) ETH")
        let hm = try #require(hre.firstMatch(in: dlg, range: NSRange(dlg.startIndex..., in: dlg)), "对话框缺少热钱包余额：\n\(dlg)")
        let before = Double((dlg as NSString).substring(with: hm.range(at: 1))) ?? 0
        let after = Double((dlg as NSString).substring(with: hm.range(at: 2))) ?? 0
        #expect(before > 0 && after < before - 1.4, "1.5 ETH 发出后余额应少 1.5 ETH 多：\(before) → \(after)")
        try confirmApproval(t, dialog: dlg)
        try t.waitFor(" 1/2 ")
        try t.sendKeys("a")
        let again = try t.waitFor("你已经批准过这笔提现（1/2）")
        #expect(!again.contains("请输入目标地址末 4 位") && !again.contains("[ 批准 ]") && again.contains("[ 关闭 ]"), "\(again)")
        try t.sendKeys("Enter")
        try t.waitForAbsence("你已经批准过")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// issue 14：归集视图的手续费按 gwei/gas 显示且 慢 ≤ 中 ≤ 快（同一口径）；金额与净额截断时保留单位；宽终端上金额列变宽。
    @Test func sweepFeesInGweiOrderedAndAmountsKeepUnits() throws {
        var amountWidth: [Int: Int] = [:]
        for (cols, rows) in [(120, 40), (200, 50)] {
            let t = TmuxHarness()
            let home = Self.tempHome("sweep")
            defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
            try launch(t, "--home \(home)", cols: cols, rows: rows)
            try t.waitFor("◷ 待审", timeout: 30)
            try t.sendKeys("4")
            let s = try t.waitFor("✔ sweep", timeout: 20)
            #expect(s.contains("慢 gwei") && s.contains("中 gwei") && s.contains("快 gwei"), "\(s)")
            // 金额列右对齐：量的是整格（含左侧留白），即列宽；金额本身从不省略（以前 120 列时截成「0.4399325… ETH」）。
            let re = try NSRegularExpression(pattern: "( *\\S+ (?:ETH|USDT)) +(?:[0-9]+ +)?([0-9]+\\.[0-9]{2}) +([0-9]+\\.[0-9]{2}) +([0-9]+\\.[0-9]{2}) +(\\S+ (?:ETH|USDT)) ")
            let lines = s.split(separator: "\n").filter { $0.hasPrefix("│") && $0.contains("sweep") }.map(String.init)
            #expect(!lines.isEmpty)
            for l in lines {
                let m = try #require(re.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)), "金额/净额没有单位或手续费不是 gwei 数字：\(l)")
                let g = { (i: Int) in (l as NSString).substring(with: m.range(at: i)) }
                let (slow, normal, fast) = (Double(g(2)) ?? 0, Double(g(3)) ?? 0, Double(g(4)) ?? 0)
                #expect(slow <= normal && normal <= fast && slow > 0, "慢/中/快顺序不对：\(l)")
                amountWidth[cols] = max(amountWidth[cols] ?? 0, TextWidth.of(g(1)))
                #expect(!g(1).contains("…") && !g(5).contains("…"), "金额被省略：\(l)")
            }
            try t.sendKeys("q")
            _ = try waitExit(t)
        }
        #expect((amountWidth[200] ?? 0) > (amountWidth[120] ?? 0), "宽终端上金额列没有变宽：\(amountWidth)")
    }

    /// issue 14：核对词答错时立即说明哪个词不对并回到抄写页（以前停在测验上，惩罚晚一步，下一个正确的词看起来像错的）。
    @Test func ceremonyWrongWordIsExplainedAtOnce() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("wrongword")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 100, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        let mnemonic = try startCeremony(t)
        try t.sendKeys("Enter")
        let q = try t.waitFor("请输入第 ")
        let n = try #require(q.range(of: "请输入第 ").flatMap { Int(q[$0.upperBound...].prefix { $0.isNumber }) })
        try t.type("zzzz")
        try t.sendKeys("Enter")
        // 立刻：说明第 n 个词不对，并且抄写页（编号网格）重新出现。
        let back = try t.waitFor("第 \(n) 个词不对", timeout: 5)
        #expect(back.contains("24. "), "答错后应回到抄写页：\n\(back)")
        // 再走一遍：三个正确的词之后进入口令步骤，没有「不对」。每题等到题号变了再答（屏幕上的错误信息也含「个词」）。
        try t.sendKeys("Enter")
        var last = -1
        for _ in 0..<3 {
            var k = -1
            let until = Date().addingTimeInterval(10)
            while k < 0 && Date() < until {
                let q2 = try t.capture()
                if let r = q2.range(of: "请输入第 "), let v = Int(q2[r.upperBound...].prefix { $0.isNumber }), v != last { k = v } else {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            try #require(k > 0, "没有等到下一道核对题")
            try t.type(try #require(mnemonic[k]))
            try t.sendKeys("Enter")
            last = k
        }
        let pass = try t.waitFor("设置口令", timeout: 5)
        #expect(!pass.contains("不对"), "\(pass)")
        try t.sendKeys("C-x")
        try t.waitFor("中止密钥仪式？")
        try t.sendKeys("Tab", "Enter")
        try t.waitFor("仪式已中止")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

    /// issue 14：离开仪式视图再回来，助记词不再显示；Ctrl-C 与 Ctrl-\\ 先确认（默认取消）而不是直接结束；x 中止仪式。
    @Test func ceremonyHidesWordsAfterLeavingAndConfirmsCtrlC() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("ceremonyleave")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 100, rows: 30)
        try t.waitFor("◷ 待审", timeout: 30)
        _ = try startCeremony(t)
        try t.sendKeys("1")
        try t.waitForAbsence("24. ")
        try t.sendKeys("6")
        let again = try t.waitFor("已隐藏")
        #expect(!again.contains("24. ") && !again.contains(" 1. "), "回到仪式视图后助记词又显示了：\n\(again)")
        for key in ["C-c", "C-\\"] {
            try t.sendKeys(key)
            try t.waitFor("仍有操作在进行中")
            #expect(try t.exitStatus() == nil, "\(key) 直接结束了进程")
            try t.sendKeys("Enter")   // 默认 = 取消
            try t.waitForAbsence("仍有操作在进行中")
        }
        #expect(try t.exitStatus() == nil)
        try t.sendKeys("x")
        try t.waitFor("中止密钥仪式？")
        try t.sendKeys("Tab", "Enter")
        try t.waitFor("仪式已中止")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
        #expect(try t.alternateScreenOn() == false)
    }

    /// issue 14：真实终端里的详情窗格与排序——充值详情显示完整交易哈希，y 经 OSC 52 复制出来的就是它（tmux 剪贴板）；
    /// Shift+M 按金额排序，表头 ▲/▼，热键字母带下划线（`capture-pane -e` 看属性）；选中的那一笔排序后仍被选中。
    @Test func depositDetailCopiesTheTxHashAndShiftSortsByAmount() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("detail")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        try launch(t, "--home \(home)", cols: 120, rows: 40)
        try t.waitFor("◷ 待审", timeout: 30)
        try t.tmux(["set-option", "-g", "set-clipboard", "on"])
        try t.sendKeys("2")
        try t.waitFor("交易哈希")
        let list = try t.waitFor("▶ ")
        // 表头：金额列的热键 M 写在列名后、带下划线（SGR 参数里有 4）。
        let esc = try t.tmux(["capture-pane", "-p", "-e", "-t", t.session])
        #expect(esc.range(of: "金额\u{1b}\\[[0-9;]*4m(\u{1b}\\[[0-9]+m)*M", options: .regularExpression) != nil,
                "热键没有下划线：\(esc.split(separator: "\n").first { $0.contains("金额") } ?? "")")
        let sel = try #require(list.split(separator: "\n").first { $0.contains("▶") }.map(String.init), "\(list)")
        let amountRe = try NSRegularExpression(pattern: "([0-9.]+ (?:ETH|USDT))")
        let selAmount = try #require(amountRe.firstMatch(in: sel, range: NSRange(sel.startIndex..., in: sel)).map { (sel as NSString).substring(with: $0.range) })
        try t.sendKeys("Enter")
        let pane = try t.waitFor("充值详情")
        let hre = try NSRegularExpression(pattern: "0x[0-9a-f]{64}")
        let hm = try #require(hre.firstMatch(in: pane, range: NSRange(pane.startIndex..., in: pane)), "详情里没有完整交易哈希：\n\(pane)")
        let hash = (pane as NSString).substring(with: hm.range)
        for label in ["区块", "日志序号", "用户", "金额（最小单位）", "确认", "选择字段", selAmount] { #expect(pane.contains(label), "缺 \(label)：\n\(pane)") }
        try t.sendKeys("y")
        try t.waitFor("已复制 交易哈希：")
        var copied = ""
        for _ in 0..<40 where copied != hash { copied = (try? t.tmux(["show-buffer"])) ?? ""; Thread.sleep(forTimeInterval: 0.05) }
        #expect(copied == hash, "剪贴板里不是交易哈希：\(copied)")
        try t.sendKeys("j")
        try t.sendKeys("y")
        try t.waitFor("已复制 区块：")
        try t.sendKeys("Escape")
        try t.waitForAbsence("充值详情")
        // 排序：升序 ▲，再按一次降序 ▼（数据异步到达：等到屏幕上的顺序对了为止）；选中的仍是那一笔。
        func amounts(_ s: String) -> [Double] {
            s.split(separator: "\n").filter { $0.hasPrefix("│") && ($0.contains("◔") || $0.contains("✔")) }.compactMap { l in
                let l = String(l)
                return amountRe.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)).flatMap { Double((l as NSString).substring(with: $0.range).split(separator: " ")[0]) }
            }
        }
        func waitSorted(_ mark: String, _ ordered: ([Double]) -> Bool) throws -> String {
            var s = ""
            for _ in 0..<100 {
                s = try t.capture()
                if s.contains(mark), amounts(s).count >= 2, ordered(amounts(s)) { return s }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("没有按 \(mark) 排好：\(amounts(s))\n\(s)")
            return s
        }
        try t.sendKeys("M")
        let up = try waitSorted("金额▲") { $0 == $0.sorted() }
        #expect(up.split(separator: "\n").first { $0.contains("▶") }?.contains(selAmount) == true, "排序后选中项变了：\n\(up)")
        try t.sendKeys("M")
        let down = try waitSorted("金额▼") { $0 == $0.sorted(by: >) }
        #expect(down.split(separator: "\n").first { $0.contains("▶") }?.contains(selAmount) == true, "反向后选中项变了：\n\(down)")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }


    /// issue 14：总览的走势图在真实终端里：base fee 与小费（gwei）、充值速率（笔/分钟）三张 4 行高的柱状图，用主题的走势色（`capture-pane -e`）。
    @Test func dashboardChartsShowFeesAndDepositRate() throws {
        let t = TmuxHarness()
        let home = Self.tempHome("charts")
        defer { t.kill(); try? FileManager.default.removeItem(atPath: home) }
        let bin = try #require(Self.binary)
        try t.start("\(bin) demo --block-interval-ms 500 --home \(home)", cols: 120, rows: 40,
                    env: ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": ""])
        let s = try t.waitFor("笔/分钟", timeout: 30)
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let head = try #require(lines.firstIndex { $0.contains("Base fee") && $0.contains("小费") && $0.contains("充值速率") }, "\(s)")
        #expect(lines[head].range(of: "Base fee [0-9.]+ gwei", options: .regularExpression) != nil, "\(lines[head])")
        #expect(lines[head].range(of: "充值速率 [1-9][0-9]* 笔/分钟", options: .regularExpression) != nil, "演示数据刚写入，本分钟的充值不为 0：\(lines[head])")
        // 下面 4 行是柱：至少有满格的块。
        #expect(lines[(head + 1)...(head + 4)].joined().contains("█"), "\(lines[head...(head + 4)].joined(separator: "\n"))")
        // 柱子带颜色（前景色 SGR）。
        let esc = try t.tmux(["capture-pane", "-p", "-e", "-t", t.session]).split(separator: "\n").map(String.init)
        #expect(esc[head + 4].range(of: "\u{1b}\\[[0-9;]*(3[0-7]|38;5;[0-9]+|9[0-7])[;m][^\u{1b}]*█", options: .regularExpression) != nil, "\(esc[head + 4])")
        try t.sendKeys("q")
        #expect(try waitExit(t) == 0)
    }

}
