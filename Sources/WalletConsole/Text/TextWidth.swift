/// 终端显示宽度：按字素簇（Swift Character）计算，语义同 wcwidth：
/// 组合字符 0，CJK/全角/emoji 2，其余可打印字符 1，控制字符 0。
/// 自带区间表而不依赖 libc wcwidth，避免受进程 locale 影响（测试进程常是 C locale）。
public enum TextWidth {
    /// 单个字素簇的宽度。
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // 带 VS16（U+FE0F）或 ZWJ 连接的 emoji 序列按 emoji 显示，宽 2。
        if scalars.count > 1 {
            if scalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
            if scalars.contains(where: { $0.value == 0x200D }) && first.properties.isEmoji { return 2 }
            // 区域指示符对（国旗）。
            if (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }
        }
        return scalarWidth(first)
    }

    public static func scalarWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 { return 0 }
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(v) || v == 0x200B { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        for r in wideRanges where r.contains(v) { return true }
        return false
    }

    // 东亚宽（W）与全角（F）主要区间，以及 emoji 呈现区（Unicode 15 EastAsianWidth.txt 摘要）。
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F320, 0x1F32D...0x1F335,
        0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0,
        0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D,
        0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A, 0x1F595...0x1F596, 0x1F5A4...0x1F5A4,
        0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7,
        0x1F6DC...0x1F6DF, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0,
        0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD,
        0x30000...0x3FFFD,
    ]

    /// 字符串总宽度。
    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

    /// 截断到不超过 `width` 列；被截断时以 "…" 结尾。宽字符不会被劈开。
    public static func truncate(_ s: String, to width: Int) -> String {
        if width <= 0 { return "" }
        if of(s) <= width { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = of(c)
            if used + w > width - 1 { break }
            out.append(c); used += w
        }
        return out + "…"
    }

    /// 截断并以空格补齐到正好 `width` 列（表格单元格用）。
    public static func fit(_ s: String, to width: Int, alignRight: Bool = false) -> String {
        let t = truncate(s, to: width)
        let pad = String(repeating: " ", count: max(0, width - of(t)))
        return alignRight ? pad + t : t + pad
    }

    /// 截断时保留最后一个词（金额的单位）：「2.79992832… ETH」而不是「2.799928321…」。
    public static func fitKeepingSuffix(_ s: String, to width: Int, alignRight: Bool = false) -> String {
        guard of(s) > width, let sp = s.lastIndex(of: " ") else { return fit(s, to: width, alignRight: alignRight) }
        let unit = String(s[sp...])
        let room = width - of(unit)
        guard room >= 3 else { return fit(s, to: width, alignRight: alignRight) }
        return fit(truncate(String(s[..<sp]), to: room) + unit, to: width, alignRight: alignRight)
    }

    /// 按列宽折行（宽字符不劈开；消息记录用）。
    public static func wrap(_ s: String, to width: Int) -> [String] {
        guard width > 0 else { return [s] }
        var lines: [String] = [], cur = "", used = 0
        for c in s {
            if c == "\n" { lines.append(cur); cur = ""; used = 0; continue }
            let w = of(c)
            if used + w > width { lines.append(cur); cur = ""; used = 0 }
            cur.append(c); used += w
        }
        lines.append(cur)
        return lines
    }

    /// 地址缩写：0x1234…abcd。
    public static func shortAddress(_ a: String, keep: Int = 6) -> String {
        guard a.count > keep * 2 + 1 else { return a }
        return String(a.prefix(keep)) + "…" + String(a.suffix(4))
    }
}
