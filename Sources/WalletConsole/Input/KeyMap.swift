import WalletCrypto

/// 控制台命令（按键绑定的目标）。
public enum Command: String, Sendable, CaseIterable, Hashable {
    case quit, back, help, filter, commandLine = "command", nextView = "next_view", prevView = "prev_view"
    case up, down, pageUp = "page_up", pageDown = "page_down", top, bottom, open
    case approve, reject, bulkApprove = "bulk_approve", mark, requeue, unseal, copy, refresh, ceremony
    case abortCeremony = "abort_ceremony"
    case view1, view2, view3, view4, view5, view6, view7, view8, view9

    /// 需要的动作权限；nil 表示所有角色可用。
    public var requires: ActionKind? {
        switch self {
        case .approve: return .approve
        case .reject: return .reject
        case .bulkApprove, .mark: return .bulkApprove
        case .requeue: return .requeue
        case .unseal: return .unseal
        case .ceremony, .abortCeremony: return .ceremony
        default: return nil
        }
    }

    public var label: L {
        switch self {
        case .quit: return .actQuit
        case .back: return .actBack
        case .help: return .actHelp
        case .filter: return .actFilter
        case .commandLine: return .actCommand
        case .nextView: return .actNextView
        case .prevView: return .actPrevView
        case .up: return .actUp
        case .down: return .actDown
        case .pageUp: return .actPageUp
        case .pageDown: return .actPageDown
        case .top: return .actTop
        case .bottom: return .actBottom
        case .open: return .actOpen
        case .approve: return .actApprove
        case .reject: return .actReject
        case .bulkApprove: return .actBulkApprove
        case .mark: return .actMark
        case .requeue: return .actRequeue
        case .unseal: return .actUnseal
        case .copy: return .actCopy
        case .refresh: return .actRefresh
        case .ceremony: return .actCeremony
        case .abortCeremony: return .actAbortCeremony
        default: return .actGotoView
        }
    }
}

/// 角色 → 允许的动作。引擎仍会在执行时复核权限；这里决定哪些键被绑定、被显示。
public enum RolePolicy {
    public static func allowed(_ role: ConsoleRole) -> Set<ActionKind> {
        switch role {
        case .viewer: return [.theme]
        case .operator_: return [.theme, .seal]   // custodian：恐慌按钮
        case .approver: return [.theme, .approve, .reject, .bulkApprove]
        case .admin: return Set(ActionKind.allCases)
        }
    }

    public static func permits(_ role: ConsoleRole, _ cmd: Command) -> Bool {
        guard let need = cmd.requires else { return true }
        return allowed(role).contains(need)
    }
}

/// 按键配置错误（指明行号）。
public struct KeyMapError: WalletErrorConvertible, Equatable {
    public let line: Int
    public let detail: String
    /// 键位文件写错是输入错误：退出码 2。
    public var walletError: WalletError {
        WalletError("console.keymap_invalid", zh: Strings(.zh).f(.keymapInvalid, String(line), detail) + "。格式：命令 = 键[, 键]，例如 approve = A",
                    en: Strings(.en).f(.keymapInvalid, String(line), detail) + ". Format: command = key[, key], e.g. approve = A", badInput: true)
    }
}

/// 可重映射的键位表。
public struct KeyMap: Sendable, Equatable {
    public private(set) var bindings: [Command: [Key]]

    public static let defaults: [Command: [Key]] = [
        .quit: [.char("q")], .back: [.esc], .help: [.char("?")], .filter: [.char("/")], .commandLine: [.char(":")],
        .nextView: [.tab], .prevView: [.backTab], .up: [.up, .char("k")], .down: [.down, .char("j")],
        .pageUp: [.pageUp, .ctrl("b")], .pageDown: [.pageDown, .ctrl("f")], .top: [.home, .char("g")],
        .bottom: [.end, .char("G")], .open: [.enter], .approve: [.char("a")], .reject: [.char("r")],
        .bulkApprove: [.char("A")], .mark: [.char(" ")], .requeue: [.char("R")], .unseal: [.char("u")],
        .copy: [.char("y")], .refresh: [.ctrl("r")], .ceremony: [.char("c")], .abortCeremony: [.char("x")],
        .view1: [.char("1")], .view2: [.char("2")], .view3: [.char("3")], .view4: [.char("4")],
        .view5: [.char("5")], .view6: [.char("6")], .view7: [.char("7")], .view8: [.char("8")], .view9: [.char("9")],
    ]

    public init(bindings: [Command: [Key]] = KeyMap.defaults) { self.bindings = bindings }

    /// 解析配置文件：`命令 = 键[, 键…]`，`#` 注释。覆盖默认值；同一键被两个命令占用时报错。
    public static func parse(_ text: String) throws -> KeyMap {
        var map = KeyMap.defaults
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = i + 1
            var line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else { throw KeyMapError(line: n, detail: "missing =") }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard let cmd = Command(rawValue: name) else { throw KeyMapError(line: n, detail: "unknown command \(name)") }
            let keyText = line[line.index(after: eq)...]
            var keys: [Key] = []
            for part in keyText.split(separator: ",") {
                let p = part.trimmingCharacters(in: .whitespaces)
                guard let k = Key(name: p) else { throw KeyMapError(line: n, detail: "unknown key \(p)") }
                keys.append(k)
            }
            guard !keys.isEmpty else { throw KeyMapError(line: n, detail: "no key") }
            for k in keys {
                for (other, ks) in map where other != cmd && ks.contains(k) {
                    map[other] = ks.filter { $0 != k }
                }
            }
            map[cmd] = keys
        }
        return KeyMap(bindings: map)
    }

    /// 给定角色下，按键对应的命令；角色无权的命令视为未绑定。
    public func command(for key: Key, role: ConsoleRole) -> Command? {
        for (cmd, keys) in bindings where keys.contains(key) {
            return RolePolicy.permits(role, cmd) ? cmd : nil
        }
        return nil
    }

    public func keys(for cmd: Command) -> [Key] { bindings[cmd] ?? [] }

    /// 这个键是否绑定了任何命令（不论角色）。
    public func isBound(_ key: Key) -> Bool { bindings.values.contains { $0.contains(key) } }
}

import Foundation
