/// 屏幕格：一个字素簇 + 样式。宽字符占两格，第二格为 continuation。
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: Style
    /// 宽字符的右半格：驱动不输出它。
    public var continuation: Bool
    public init(_ text: String = " ", style: Style = Style(), continuation: Bool = false) {
        self.text = text; self.style = style; self.continuation = continuation
    }
    public static let blank = Cell()
}

/// 样式：语义角色（由主题解析成颜色）+ 额外属性。
public struct Style: Sendable, Equatable, Hashable {
    public var role: StyleRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool
    public init(_ role: StyleRole = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role; self.bold = bold; self.reverse = reverse; self.underline = underline
    }
}

/// 主题中的语义角色。新增角色须同时加入每个主题文件（主题校验会报缺失行）。
public enum StyleRole: String, Sendable, CaseIterable, Hashable {
    case normal, header, title, border, selected, ok, warn, bad, delta, dim, dialog
    case button, buttonFocus = "button_focus", disabled, notice, sparkline, progress, marked, reorg
}

public struct Size: Sendable, Equatable {
    public var cols: Int
    public var rows: Int
    public init(cols: Int, rows: Int) { self.cols = cols; self.rows = rows }
}

public struct Rect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public func inset(_ n: Int) -> Rect {
        Rect(x: x + n, y: y + n, width: max(0, width - 2 * n), height: max(0, height - 2 * n))
    }
}
