import Testing
import WalletCrypto
@testable import WalletConsole

@Suite struct ConfigTests {
    @Test func invalidThemeAndKeymapFilesWarnWithLineAndFallBack() async {
        let files = ["/t/bad.theme": "name = x\n[roles]\nnormal = #zzzzzz default\n",
                     "/t/keys.conf": "approve = A\nbogus = z\n"]
        let c = ConsoleConfig.load(lang: .zh, readonly: false, themeName: "/t/bad.theme", keymapPath: "/t/keys.conf",
                                   readFile: { files[$0] })
        #expect(c.theme == BuiltinThemes.fallback)
        #expect(c.startupWarnings.count == 2)
        #expect(c.startupWarnings[0].contains("第 3 行"))
        #expect(c.startupWarnings[1].contains("第 2 行"))
        // 警告显示在状态栏。
        let d = HeadlessDriver(size: Size(cols: 120, rows: 40))
        let app = ConsoleApp(backend: TestBackend(), driver: d, config: c)
        // 消息 10 秒后过期：钉住时钟，全量并行测试再慢也不会在断言前过期。
        app.clock = ManualClock(unixStart: Int64(app.statusAt.timeIntervalSince1970))
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.line(39).contains("第 3 行"))
    }

    @Test func builtinThemeByNameAndRemappedKeysApply() async {
        let c = ConsoleConfig.load(lang: .en, readonly: false, themeName: "high-contrast", keymapPath: "/k",
                                   readFile: { $0 == "/k" ? "approve = Z\n" : nil })
        #expect(c.theme.name == "high-contrast" && c.startupWarnings.isEmpty)
        let b = TestBackend()
        let d = HeadlessDriver(size: Size(cols: 120, rows: 40), colorDepth: .ansi16)
        let app = ConsoleApp(backend: b, driver: d, config: c)
        app.requestRefresh(); await app.settle()
        await app.press(.char("3"))
        #expect(d.line(39).contains("<Z>Approve"))
        await app.press(.char("a"))
        #expect(!app.isDialogOpen)
        await app.press(.char("Z"))
        #expect(app.isDialogOpen)
    }

    @Test func headerHasNoTrailingSeparator() async {
        let (_, d) = await makeApp(TestBackend(), size: Size(cols: 120, rows: 40))
        #expect(!d.line(0).contains("已解封 │"))
        #expect(d.line(0).hasPrefix(" 热钱包控制台 │ 链 1337"))
    }
}
