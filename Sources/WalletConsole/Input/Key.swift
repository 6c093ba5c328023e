/// 输入事件（与驱动无关）。
public enum Key: Sendable, Equatable, Hashable {
    case char(Character)
    case ctrl(Character)
    case enter, esc, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    case function(Int)
    case resize

    /// 配置文件中的键名：单字符、"enter"、"esc"、"tab"、"space"、"ctrl-x"、"f1"、"up"…
    public init?(name: String) {
        let n = name.trimmingCharacters(in: .whitespaces)
        switch n.lowercased() {
        case "enter", "return": self = .enter
        case "esc", "escape": self = .esc
        case "tab": self = .tab
        case "backtab", "shift-tab": self = .backTab
        case "backspace": self = .backspace
        case "delete", "del": self = .delete
        case "space": self = .char(" ")
        case "up": self = .up
        case "down": self = .down
        case "left": self = .left
        case "right": self = .right
        case "pgup", "pageup": self = .pageUp
        case "pgdn", "pagedown": self = .pageDown
        case "home": self = .home
        case "end": self = .end
        default:
            let lower = n.lowercased()
            if lower.hasPrefix("ctrl-"), n.count == 6 { self = .ctrl(Character(lower.suffix(1).lowercased())); return }
            if lower.hasPrefix("f"), let k = Int(lower.dropFirst()), (1...12).contains(k) { self = .function(k); return }
            if n.count == 1 { self = .char(n.first!); return }
            return nil
        }
    }

    /// 帮助浮层中显示的键名。
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-\(c.uppercased())"
        case .enter: return "Enter"
        case .esc: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "BS"
        case .delete: return "Del"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .function(let n): return "F\(n)"
        case .resize: return "resize"
        }
    }
}

import Foundation
