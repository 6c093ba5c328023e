/// 主题颜色。文件里可写 `default`、16 色名、`0`–`255` 调色板序号或 `#rrggbb`。
public enum ThemeColor: Sendable, Equatable, Hashable {
    case terminalDefault
    case ansi(Int)       // 0–15
    case indexed(Int)    // 0–255
    case rgb(UInt8, UInt8, UInt8)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
                        "brightblack", "brightred", "brightgreen", "brightyellow", "brightblue",
                        "brightmagenta", "brightcyan", "brightwhite"]

    public init?(parsing s: String) {
        let t = s.lowercased()
        if t == "default" { self = .terminalDefault; return }
        if let i = Self.names.firstIndex(of: t) { self = .ansi(i); return }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)); return
        }
        if let n = Int(t), (0...255).contains(n) { self = n < 16 ? .ansi(n) : .indexed(n); return }
        return nil
    }

    /// 标准 xterm 16 色近似 RGB（用于降级时找最近色）。
    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    var rgbValue: (Int, Int, Int)? {
        switch self {
        case .terminalDefault: return nil
        case .ansi(let i): return Self.ansiRGB[i]
        case .indexed(let i): return Self.rgbOf256(i)
        case .rgb(let r, let g, let b): return (Int(r), Int(g), Int(b))
        }
    }

    static func rgbOf256(_ i: Int) -> (Int, Int, Int) {
        if i < 16 { return ansiRGB[i] }
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let n = i - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[n / 36], steps[(n / 6) % 6], steps[n % 6])
    }

    /// 降到给定深度后的调色板序号；nil 表示终端默认色（mono 时总是 nil）。
    public func paletteIndex(for depth: ColorDepth) -> Int? {
        switch (self, depth) {
        case (.terminalDefault, _), (_, .mono): return nil
        case (.ansi(let i), _): return i
        case (.indexed(let i), .ansi256), (.indexed(let i), .truecolor): return i
        case (.rgb, .ansi256), (.rgb, .truecolor): return Self.nearest256(rgbValue!)
        case (_, .ansi16): return Self.nearest16(rgbValue!)
        }
    }

    static func dist(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return dr * dr * 3 + dg * dg * 4 + db * db * 2
    }

    static func nearest16(_ c: (Int, Int, Int)) -> Int {
        (0..<16).min { dist(ansiRGB[$0], c) < dist(ansiRGB[$1], c) }!
    }

    static func nearest256(_ c: (Int, Int, Int)) -> Int {
        (16..<256).min { dist(rgbOf256($0), c) < dist(rgbOf256($1), c) }!
    }
}
