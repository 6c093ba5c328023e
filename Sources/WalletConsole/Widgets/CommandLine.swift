/// `:` 命令行，带 Tab 补全。补全候选由调用方按角色提供（无权限的命令不出现）。
public final class CommandLineWidget {
    public let field = TextField()
    public private(set) var candidates: [String] = []
    /// 第一个词的候选与每个命令的参数候选。
    public var commands: [String: [String]]

    public init(commands: [String: [String]]) { self.commands = commands }

    public var text: String { field.text }

    /// 补全：唯一候选直接补全（加空格）；多个候选补到公共前缀并列出。
    public func complete() {
        let t = field.text
        let parts = t.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let pool: [String]
        let prefix: String
        let head: String
        if parts.count <= 1 {
            pool = commands.keys.sorted(); prefix = parts.first ?? ""; head = ""
        } else {
            pool = (commands[parts[0]] ?? []).sorted(); prefix = parts.last!; head = parts.dropLast().joined(separator: " ") + " "
        }
        let matches = pool.filter { $0.hasPrefix(prefix) }
        candidates = matches
        if matches.count == 1 {
            field.set(head + matches[0] + " ")
        } else if matches.count > 1 {
            var common = matches[0]
            for m in matches.dropFirst() { while !m.hasPrefix(common) { common.removeLast() } }
            field.set(head + common)
        }
    }

    public func render(into buf: inout CellBuffer, y: Int, width: Int, prompt: String) {
        buf.fill(Rect(x: 0, y: y, width: width, height: 1), style: Style(.dialog))
        let used = buf.put(prompt + ":", x: 0, y: y, style: Style(.title, bold: true))
        field.render(into: &buf, x: used + 1, y: y, width: max(10, width / 2))
        if candidates.count > 1 {
            buf.put(candidates.joined(separator: " "), x: used + 2 + width / 2, y: y, maxWidth: width - used - 2 - width / 2, style: Style(.dim))
        }
    }
}

/// 帮助浮层：列出当前视图在当前角色下真正可用的绑定。
public enum HelpOverlay {
    static let viewCommands: [Command] = [.view1, .view2, .view3, .view4, .view5, .view6, .view7, .view8, .view9]

    /// 每个命令只列一次（全局命令与视图命令可能重复，例如刷新）；九个视图键合成一行「1–9」。
    public static func lines(commands: [Command], keymap: KeyMap, role: ConsoleRole, strings: Strings) -> [String] {
        var seen = Set<Command>()
        var out: [String] = []
        for c in commands where RolePolicy.permits(role, c) && !seen.contains(c) {
            if viewCommands.contains(c) {
                seen.formUnion(viewCommands)
                let keys = viewCommands.map { keymap.keys(for: $0).map(\.label) }
                let firsts = keys.compactMap(\.first)
                let label = firsts == (1...viewCommands.count).map(String.init) && keys.allSatisfy { $0.count == 1 }
                    ? "1–\(viewCommands.count)" : keys.map { $0.joined(separator: "/") }.filter { !$0.isEmpty }.joined(separator: " ")
                if !label.isEmpty { out.append(TextWidth.fit(label, to: 12) + " " + strings[.actGotoView]) }
                continue
            }
            seen.insert(c)
            let keys = keymap.keys(for: c).map(\.label).joined(separator: "/")
            if keys.isEmpty { continue }
            out.append(TextWidth.fit(keys, to: 12) + " " + strings[c.label])
        }
        return out
    }

    public static func render(into buf: inout CellBuffer, screen: Size, lines: [String], strings: Strings) {
        let w = min(screen.cols - 4, 60)
        let h = min(screen.rows - 2, lines.count + 4)
        let r = Rect(x: (screen.cols - w) / 2, y: max(0, (screen.rows - h) / 2), width: w, height: h)
        buf.fill(r, style: Style(.dialog))
        buf.box(r, title: strings[.helpTitle], style: Style(.dialog, bold: true))
        for (i, l) in lines.prefix(h - 4).enumerated() {
            buf.put(l, x: r.x + 2, y: r.y + 1 + i, maxWidth: w - 4, style: Style(.dialog))
        }
        buf.put(strings[.helpClose], x: r.x + 2, y: r.y + h - 2, maxWidth: w - 4, style: Style(.dim))
    }
}
