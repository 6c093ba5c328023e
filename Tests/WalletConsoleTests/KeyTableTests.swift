import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

/// 文档里的按键表由键位表生成（issue 14）：docs/console.md 标记之间的内容必须与 `KeyMap.markdownTable` 逐字相同，
/// 改了默认键位、命令名或角色而没有重新生成文档，这个测试就失败。
@Suite struct KeyTableTests {
    static let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/console.md")

    static func block(_ text: String, _ begin: String, _ end: String) -> String? {
        guard let b = text.range(of: begin), let e = text.range(of: end, range: b.upperBound..<text.endIndex) else { return nil }
        return text[b.upperBound..<e.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func docsTableIsTheGeneratedOne() throws {
        let text = try String(contentsOf: Self.doc, encoding: .utf8)
        let got = try #require(Self.block(text, "<!-- keymap:begin -->", "<!-- keymap:end -->"), "docs/console.md 没有 keymap 标记")
        let want = KeyMap.markdownTable(lang: .zh)
        #expect(got == want, "docs/console.md 的按键表与键位表不一致；把下面的输出贴进标记之间：\n\(want)")
    }

    @Test func tableHasEveryBoundCommandWithItsKeysAndRoles() {
        let zh = KeyMap.markdownTable(lang: .zh)
        let t = Strings(.zh)
        let map = KeyMap()
        for c in Command.allCases where !HelpOverlay.viewCommands.contains(c) {
            let keys = map.keys(for: c).map { "`\($0.label)`" }.joined(separator: " ")
            let line = zh.split(separator: "\n").first { $0.contains("`\(c.rawValue)`") }
            #expect(line?.contains(keys) == true && line?.contains(t[c.label]) == true, "\(c.rawValue)：\(line ?? "缺行")")
        }
        #expect(zh.contains("| `a` | `approve` | 批准 | 审批员、管理员 |"), "\(zh)")
        #expect(zh.contains("| `y` | `copy` |") && zh.contains("| 全部 |"))
        #expect(zh.contains("`1` `2` `3` `4` `5` `6` `7` `8` `9`"))
        // 排序热键来自列定义；被键位表占用的大写字母（A、G、R）不会出现。
        #expect(zh.contains("| 充值 | `T` 资产、`M` 金额、`D` 地址、`C` 确认、`S` 状态、`E` 时长 |"), "\(zh)")
        for bound in ["`A` ", "`G` ", "`R` "] { #expect(!zh.split(separator: "\n").filter { $0.hasPrefix("| 充值") || $0.hasPrefix("| 提现") }.contains { $0.contains(bound) }) }
        // 重映射后表跟着变（帮助也用同一份键位表）。
        let remapped = try! KeyMap.parse("approve = Z")
        #expect(remapped.markdownTable(lang: .zh).contains("| `Z` | `approve` |"))
    }

    @Test func englishTableHasNoChinese() {
        let en = KeyMap.markdownTable(lang: .en)
        #expect(en.hasPrefix("| Key | Command (keymap file) | Action | Role |"))
        #expect(!en.contains { ("\u{4E00}"..."\u{9FFF}").contains(String($0)) }, "\(en)")
        #expect(en.contains("| `a` | `approve` | Approve | approver, admin |") || en.contains("| `a` | `approve` |"), "\(en)")
        #expect(en.contains("Shift+letter"))
    }
}
