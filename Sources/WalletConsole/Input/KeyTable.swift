import WalletCrypto

/// 按键表（Markdown）：与帮助浮层同一来源——键位表给键，`Command.label` 给作用，`RolePolicy` 给角色，
/// 排序热键取自各列表视图的列定义。docs/console.md 里 `<!-- keymap:begin -->` 与 `<!-- keymap:end -->` 之间的内容
/// 就是它的输出，`KeyTableTests` 逐字比对，所以文档与帮助不会各说各的。
extension KeyMap {
    public static func markdownTable(lang: Language) -> String { KeyMap().markdownTable(lang: lang) }

    public func markdownTable(lang: Language) -> String {
        let t = Strings(lang)
        let zh = lang == .zh
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        func code(_ keys: [Key]) -> String { keys.map { "`" + $0.label + "`" }.joined(separator: " ") }
        func roles(_ c: Command) -> String {
            guard c.requires != nil else { return zh ? "全部" : "all" }
            let names = ConsoleRole.allCases.filter { RolePolicy.permits($0, c) }.map { Fmt.role($0, t) }
            return names.joined(separator: zh ? "、" : ", ")
        }
        var out = [zh ? "| 键 | 键位文件里的命令名 | 作用 | 角色 |" : "| Key | Command (keymap file) | Action | Role |", "|---|---|---|---|"]
        var viewsDone = false
        for c in Command.allCases {
            if HelpOverlay.viewCommands.contains(c) {
                if viewsDone { continue }
                viewsDone = true
                let keys = HelpOverlay.viewCommands.flatMap { self.keys(for: $0) }
                let names = HelpOverlay.viewCommands.map(\.rawValue)
                out.append("| \(cell(code(keys))) | `\(names.first!)`…`\(names.last!)` | \(cell(t[.actGotoView])) | \(zh ? "全部" : "all") |")
                continue
            }
            let keys = self.keys(for: c)
            if keys.isEmpty { continue }
            out.append("| \(cell(code(keys))) | `\(c.rawValue)` | \(cell(t[c.label])) | \(roles(c)) |")
        }
        out.append("| `\(t[.sortHotkeyLabel])` | — | \(cell(t[.actSort])) | \(zh ? "全部" : "all") |")
        out.append("")
        // 排序热键：每个列表视图的列 → 字母（键位表占用的字母不列，按下去执行的是那个命令）。
        out.append(zh ? "| 视图 | 排序热键（Shift+字母） |" : "| View | Sort hotkeys (Shift+letter) |")
        out.append("|---|---|")
        let views: [ListView] = [DepositsView(strings: t), WithdrawalsView(strings: t), SweepsView(strings: t), DeadLettersView(strings: t), AlertsView(strings: t)]
        for v in views {
            let cols = v.table.columns.filter { $0.hotkey != nil && !isBound(.char($0.hotkey!)) }
            if cols.isEmpty { continue }
            let list = cols.map { "`\($0.hotkey!)` \($0.title)" }.joined(separator: zh ? "、" : ", ")
            out.append("| \(cell(t[v.id.title])) | \(cell(list)) |")
        }
        return out.joined(separator: "\n")
    }
}
