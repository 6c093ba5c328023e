/// 二维屏幕缓冲区。控件只往这里画；驱动拿前后两帧的差异，只写变化的格。
public struct CellBuffer: Sendable, Equatable {
    public private(set) var size: Size
    public private(set) var cells: [Cell]

    public init(size: Size) {
        self.size = size
        cells = Array(repeating: .blank, count: max(0, size.cols * size.rows))
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.cols + x] }
        set { cells[y * size.cols + x] = newValue }
    }

    public mutating func clear() {
        for i in cells.indices { cells[i] = .blank }
    }

    /// 在 (x,y) 写文本，最多 `maxWidth` 列（超出截断加省略号），不换行、不越过右边界。返回写入的列数。
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = Style()) -> Int {
        guard y >= 0, y < size.rows, x < size.cols else { return 0 }
        let limit = min(maxWidth ?? (size.cols - x), size.cols - max(0, x))
        if limit <= 0 { return 0 }
        let t = TextWidth.truncate(text, to: limit)
        var cx = x
        for ch in t {
            let w = TextWidth.of(ch)
            if w == 0 {
                // 组合字符并入前一格，保持字素簇完整。
                if cx > 0, cx - 1 < size.cols, cx - 1 >= x { self[cx - 1, y].text.append(ch) }
                continue
            }
            if cx + w > x + limit { break }
            if cx >= 0 {
                // 覆盖宽字符的一半时清掉另一半，避免残影。
                if self[cx, y].continuation, cx > 0 { self[cx - 1, y] = Cell(" ", style: style) }
                self[cx, y] = Cell(String(ch), style: style)
                if w == 2 {
                    if cx + 1 < size.cols { self[cx + 1, y] = Cell("", style: style, continuation: true) }
                }
            }
            cx += w
        }
        return cx - x
    }

    /// 用样式填充矩形。
    public mutating func fill(_ r: Rect, style: Style = Style(), char: String = " ") {
        for yy in max(0, r.y)..<min(size.rows, r.y + r.height) {
            for xx in max(0, r.x)..<min(size.cols, r.x + r.width) { self[xx, yy] = Cell(char, style: style) }
        }
    }

    /// 画边框与标题。
    public mutating func box(_ r: Rect, title: String = "", style: Style = Style(.border)) {
        guard r.width >= 2, r.height >= 2 else { return }
        let x2 = r.x + r.width - 1, y2 = r.y + r.height - 1
        for xx in r.x...x2 {
            put("─", x: xx, y: r.y, style: style); put("─", x: xx, y: y2, style: style)
        }
        for yy in r.y...y2 {
            put("│", x: r.x, y: yy, style: style); put("│", x: x2, y: yy, style: style)
        }
        put("┌", x: r.x, y: r.y, style: style); put("┐", x: x2, y: r.y, style: style)
        put("└", x: r.x, y: y2, style: style); put("┘", x: x2, y: y2, style: style)
        if !title.isEmpty { put(" \(title) ", x: r.x + 2, y: r.y, maxWidth: r.width - 4, style: Style(.title, bold: true)) }
    }

    /// 一行的纯文本（测试与截屏用；宽字符的右半格不输出）。
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<size.cols where !self[x, y].continuation { s += self[x, y].text }
        return s
    }

    public var text: String { (0..<size.rows).map { line($0) }.joined(separator: "\n") }

    /// 与上一帧比较，得到需要写出的格。尺寸不同时全量。
    public func diff(from old: CellBuffer?) -> [CellChange] {
        var out: [CellChange] = []
        let full = old == nil || old!.size != size
        for y in 0..<size.rows {
            for x in 0..<size.cols {
                let c = self[x, y]
                if c.continuation { continue }
                if full || old![x, y] != c
                    || (x + 1 < size.cols && self[x + 1, y].continuation != old![x + 1, y].continuation) {
                    out.append(CellChange(x: x, y: y, cell: c))
                }
            }
        }
        return out
    }
}

public struct CellChange: Sendable, Equatable {
    public var x: Int, y: Int
    public var cell: Cell
}
