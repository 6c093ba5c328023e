import Foundation
import Testing
@testable import WalletConsole

@Suite struct ThemeTests {
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Themes")

    @Test func builtinThemesParse() throws {
        for n in BuiltinThemes.names {
            let t = try ThemeParser.parse(BuiltinThemes.text[n]!)
            #expect(t.name == n)
            #expect(t.style(.selected).reverse, "选中行必须反显（含义不只靠颜色）")
        }
        #expect(BuiltinThemes.names.count >= 4)
    }

    @Test func builtinThemesMatchFiles() throws {
        for n in BuiltinThemes.names {
            let file = try String(contentsOf: Self.themesDir.appendingPathComponent("\(n).theme"), encoding: .utf8)
            #expect(file.trimmingCharacters(in: .newlines) == BuiltinThemes.text[n]!.trimmingCharacters(in: .newlines), "Themes/\(n).theme 与内置副本不一致")
        }
    }

    @Test func invalidThemeNamesTheLineAndFallsBack() {
        var text = BuiltinThemes.text["dark"]!
        text = text.replacingOccurrences(of: "warn = #ffd75f #1c1c1c bold", with: "warn = #ffd75f purple bold")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("warn") }! + 1
        let (theme, err) = ThemeParser.load(nameOrPath: "/x/custom.theme", readFile: { _ in text })
        #expect(err?.line == line)
        #expect(err?.message(.zh).contains("第 \(line) 行") == true)
        #expect(err?.message(.en).contains("purple") == true)
        #expect(theme == BuiltinThemes.fallback)
    }

    @Test func validationRules() {
        let base = BuiltinThemes.text["mono"]!
        #expect(throws: ThemeError.self) { try ThemeParser.parse(base.replacingOccurrences(of: "selected = default default reverse", with: "selected = default default bold")) }
        #expect(throws: ThemeError.self) { try ThemeParser.parse(base.replacingOccurrences(of: "reorg = default default reverse bold", with: "")) }
        #expect(throws: ThemeError.self) { try ThemeParser.parse(base + "\nbogus = default default") }
        #expect(throws: ThemeError.self) { try ThemeParser.parse(base.replacingOccurrences(of: "[roles]", with: "[colors]")) }
        #expect(throws: ThemeError.self) { try ThemeParser.parse(base.replacingOccurrences(of: "ok = default default", with: "ok = default default blink")) }
        // 行尾注释可用。
        #expect((try? ThemeParser.parse(base.replacingOccurrences(of: "ok = default default", with: "ok = default default  # 正常"))) != nil)
        let (_, missing) = ThemeParser.load(nameOrPath: "nope", readFile: { _ in nil })
        #expect(missing != nil)
    }

    @Test func colourDepthDetection() {
        #expect(ColorDepth.detect(env: ["COLORTERM": "truecolor", "TERM": "xterm-256color"], terminalColors: 256) == .truecolor)
        #expect(ColorDepth.detect(env: ["TERM": "xterm-256color"], terminalColors: 256) == .ansi256)
        #expect(ColorDepth.detect(env: ["TERM": "xterm"], terminalColors: 8) == .ansi16)
        #expect(ColorDepth.detect(env: ["TERM": "vt100"], terminalColors: 0) == .mono)
        #expect(ColorDepth.detect(env: ["TERM": "dumb", "COLORTERM": "truecolor"], terminalColors: 256) == .mono)
        #expect(ColorDepth.detect(env: ["NO_COLOR": "1", "TERM": "xterm-256color"], terminalColors: 256) == .mono)
    }

    @Test func colourDowngrade() {
        let red = ThemeColor.rgb(255, 0, 0)
        #expect(red.paletteIndex(for: .ansi256) == 196)
        #expect(red.paletteIndex(for: .ansi16) == 9)
        #expect(red.paletteIndex(for: .mono) == nil)
        #expect(ThemeColor.indexed(231).paletteIndex(for: .ansi16) == 15)
        #expect(ThemeColor.terminalDefault.paletteIndex(for: .truecolor) == nil)
        // 单色下含义靠属性：坏状态粗体+下划线，选中反显。
        let mono = try! ThemeParser.parse(BuiltinThemes.text["dark"]!).resolved(for: .mono)
        #expect(mono.attr(for: Style(.selected)).reverse)
        #expect(mono.attr(for: Style(.bad)).bold)
        #expect(mono.attr(for: Style(.bad)).fg == nil)
    }
}

@Suite struct StringTableTests {
    @Test func stringTableComplete() {
        for k in L.allCases {
            #expect(Strings.zh[k] != nil, "zh 缺少 \(k)")
            #expect(Strings.en[k] != nil, "en 缺少 \(k)")
            #expect(Strings.zh[k] != "" && Strings.en[k] != "")
        }
        #expect(Strings.zh.count == L.allCases.count && Strings.en.count == L.allCases.count)
    }

    @Test func placeholdersMatchAcrossLanguages() {
        for k in L.allCases {
            for p in ["%1", "%2", "%3"] {
                #expect(Strings.zh[k]!.contains(p) == Strings.en[k]!.contains(p), "\(k) 的占位符 \(p) 两种语言不一致")
            }
        }
    }
}
