/// 一个角色的外观：前景、背景与属性。属性让含义不只靠颜色（单色终端也能分辨）。
public struct RoleStyle: Sendable, Equatable {
    public var fg: ThemeColor
    public var bg: ThemeColor
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false
}

/// 解析后的主题。
public struct Theme: Sendable, Equatable {
    public var name: String
    public var roles: [StyleRole: RoleStyle]

    public func style(_ r: StyleRole) -> RoleStyle {
        roles[r] ?? RoleStyle(fg: .terminalDefault, bg: .terminalDefault)
    }

    /// 按终端颜色深度解析。
    public func resolved(for depth: ColorDepth) -> ResolvedTheme { ResolvedTheme(theme: self, depth: depth) }
}

/// 已按颜色深度降级的主题：驱动直接用调色板序号。
public struct ResolvedTheme: Sendable {
    public struct Attr: Sendable, Equatable, Hashable {
        public var fg: Int?   // nil = 终端默认
        public var bg: Int?
        public var bold, reverse, underline, dim: Bool
    }
    public let theme: Theme
    public let depth: ColorDepth

    public func attr(for style: Style) -> Attr {
        let rs = theme.style(style.role)
        return Attr(fg: rs.fg.paletteIndex(for: depth), bg: rs.bg.paletteIndex(for: depth),
                    bold: rs.bold || style.bold, reverse: rs.reverse != style.reverse,
                    underline: rs.underline || style.underline, dim: rs.dim)
    }
}
