import Testing
@testable import WalletConsole

@Suite struct TextWidthTests {
    @Test func widthsFollowWcwidthSemantics() {
        #expect(TextWidth.of("a") == 1)
        #expect(TextWidth.of("你") == 2)
        #expect(TextWidth.of("Ａ") == 2)          // 全角
        #expect(TextWidth.of("😀") == 2)
        #expect(TextWidth.of("e\u{301}") == 1)    // 组合附加符号并入字素簇
        #expect(TextWidth.of("\u{301}" as Character) == 0)
        #expect(TextWidth.of("👨‍👩‍👧") == 2)          // ZWJ 序列
        #expect(TextWidth.of("❤️") == 2)           // VS16
        #expect(TextWidth.of("确认中 ETH") == 10)
    }

    @Test func truncationUsesEllipsisAndNeverSplitsWideChars() {
        #expect(TextWidth.truncate("abcdef", to: 4) == "abc…")
        #expect(TextWidth.truncate("你好世界", to: 5) == "你好…")
        #expect(TextWidth.of(TextWidth.truncate("你好世界", to: 4)) <= 4)
        #expect(TextWidth.fit("你", to: 4) == "你  ")
        #expect(TextWidth.fit("7", to: 3, alignRight: true) == "  7")
    }

    @Test func bufferPutNeverWrapsIntoNextColumn() {
        var b = CellBuffer(size: Size(cols: 10, rows: 2))
        let w = b.put("中文中文中文", x: 0, y: 0, maxWidth: 5)
        #expect(w <= 5)
        #expect(b.line(0).hasPrefix("中文…"))
        #expect(b.line(1) == "          ")
        // 右边界：不越界、不换到下一行。
        b.put("abcdefghijklmnop", x: 6, y: 1)
        #expect(b.line(1) == "      abc…")
        #expect(b.line(0) == "中文…     ")   // 宽字符右半格不输出
    }

    @Test func diffWritesOnlyChangedCells() {
        var a = CellBuffer(size: Size(cols: 20, rows: 5))
        a.put("hello", x: 0, y: 0)
        #expect(a.diff(from: nil).count == 100)
        var b = a
        b.put("J", x: 0, y: 0)
        #expect(b.diff(from: a) == [CellChange(x: 0, y: 0, cell: Cell("J"))])
        #expect(a.diff(from: a).isEmpty)
        // 宽字符替换窄字符：该格必须重写。
        var c = a
        c.put("你", x: 2, y: 0)
        #expect(c.diff(from: a).map(\.x) == [2])
    }
}
