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

    /// 多行柱状走势（btop 式）：每列一个值，映射到 height×8 级，自下而上用 ▁…█ 堆叠；返回从上到下的各行。
    /// `fromZero`：以 0 为底，柱高与数值成正比（充值速率：0 就是空列）；否则以最小值为底（手续费：1.0 与 1.3 gwei 的差别要看得出），
    /// 最小值画一格。只取最后 width 个值，不足时右对齐（最新的在最右）。
    public static func rows(_ values: [UInt64], width: Int, height: Int, fromZero: Bool = true) -> [String] {
        guard width > 0, height > 0 else { return [] }
        let v = Array(values.suffix(width))
        let pad = width - v.count
        let lo: UInt64 = fromZero ? 0 : (v.min() ?? 0)
        let hi = max(lo + 1, v.max() ?? 1)
        let full = Double(height * 8)
        let units = v.map { x -> Int in
            if fromZero {
                let u = Int((Double(x) / Double(hi) * full).rounded())
                return x > 0 ? max(1, u) : 0   // 非零的值至少一格，看得见
            }
            return 1 + Int((Double(x - lo) / Double(hi - lo) * (full - 1)).rounded())
        }
        return (0..<height).map { r in
            let floor = (height - 1 - r) * 8
            let cells = units.map { u -> Character in
                let here = u - floor
                if here >= 8 { return "█" }
                if here <= 0 { return " " }
                return levels[here - 1]
            }
            return String(repeating: " ", count: pad) + String(cells)
        }
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
