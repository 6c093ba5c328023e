/// 走势小图：按最小/最大值线性映射到 8 级方块；只取最后 width 个值。
public enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ values: [UInt64], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let v = Array(values.suffix(width))
        let lo = v.min()!, hi = v.max()!
        if hi == lo { return String(repeating: levels[3], count: v.count) }
        let span = hi - lo
        return String(v.map { x in levels[Int((x - lo) * 7 / span)] })
    }
}

/// 进度条：`███░░░ n/N`，宽度固定，n 超过 N 时按满格显示。
public enum ProgressBar {
    public static func render(_ n: Int, of total: Int, width: Int) -> String {
        let label = " \(n)/\(total)"
        let barW = max(0, width - TextWidth.of(label))
        guard total > 0 else { return String(repeating: "░", count: barW) + label }
        let filled = min(barW, max(0, n) * barW / total)
        return String(repeating: "█", count: filled) + String(repeating: "░", count: barW - filled) + label
    }
}
