import WalletCrypto

/// 主题文件解析错误：指明行号与原因。
public struct ThemeError: WalletErrorConvertible, Equatable {
    public let line: Int
    public let reasonZh: String
    public let reasonEn: String
    /// 主题文件写错是输入错误：退出码 2。line 为 0 表示不是文件里的某一行（找不到主题、读不了文件）：不报行号。
    public var walletError: WalletError {
        if line == 0 {
            return WalletError("console.theme_invalid", zh: "\(reasonZh)。已改用默认主题 dark。",
                               en: "\(reasonEn). Falling back to the default theme (dark).", badInput: true)
        }
        return WalletError("console.theme_invalid", zh: "主题文件第 \(line) 行无效：\(reasonZh)。已改用默认主题 dark；请按 docs/console.md 的主题格式修正。",
                           en: "theme file line \(line) is invalid: \(reasonEn). Falling back to the default theme (dark); fix it per the theme format in docs/console.md.", badInput: true)
    }

    /// 运行中 `:theme` 用：只说原因（主题没有换，所以不说「已改用 dark」）。
    public func reason(_ lang: Language) -> String {
        let r = lang == .zh ? reasonZh : reasonEn
        if line == 0 { return r }
        return lang == .zh ? "第 \(line) 行：\(r)" : "line \(line): \(r)"
    }
}

/// 主题文件格式（详见 docs/console.md「主题格式」）：
///
///     # 注释
///     name = dark
///     depth = truecolor          # 设计时的最低颜色深度：truecolor/256/16/mono
///     [roles]
///     header = #ffffff #005f87 bold
///     selected = default default reverse
///
/// 每个角色一行：前景 背景 [属性…]；属性取 bold / reverse / underline / dim。
/// 所有 `StyleRole` 必须出现；`selected` 必须带 reverse（选择不能只靠颜色）。
public enum ThemeParser {
    public static func parse(_ text: String) throws -> Theme {
        var name: String?
        var section = ""
        var roles: [StyleRole: RoleStyle] = [:]
        var lastLine = 0
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = i + 1
            lastLine = n
            var line = String(raw)
            line = stripComment(line)
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ThemeError(line: n, reasonZh: "节名缺少 ]", reasonEn: "section is missing ]") }
                section = String(line.dropFirst().dropLast())
                guard section == "roles" else {
                    throw ThemeError(line: n, reasonZh: "未知的节 [\(section)]，只允许 [roles]", reasonEn: "unknown section [\(section)]; only [roles] is allowed")
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ThemeError(line: n, reasonZh: "缺少 =，应为 键 = 值", reasonEn: "missing =, expected key = value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if section.isEmpty {
                switch key {
                case "name":
                    guard !value.isEmpty else { throw ThemeError(line: n, reasonZh: "name 为空", reasonEn: "name is empty") }
                    name = value
                case "depth":
                    guard ColorDepth(rawValue: value) != nil else {
                        throw ThemeError(line: n, reasonZh: "depth 须为 truecolor/256/16/mono，而不是 \(value)", reasonEn: "depth must be truecolor/256/16/mono, not \(value)")
                    }
                default:
                    throw ThemeError(line: n, reasonZh: "未知键 \(key)", reasonEn: "unknown key \(key)")
                }
                continue
            }
            guard let role = StyleRole(rawValue: key) else {
                throw ThemeError(line: n, reasonZh: "未知角色 \(key)", reasonEn: "unknown role \(key)")
            }
            guard roles[role] == nil else { throw ThemeError(line: n, reasonZh: "角色 \(key) 重复", reasonEn: "role \(key) is repeated") }
            let parts = value.split(separator: " ").map(String.init)
            guard parts.count >= 2 else {
                throw ThemeError(line: n, reasonZh: "应为 前景 背景 [属性…]", reasonEn: "expected fg bg [attrs…]")
            }
            guard let fg = ThemeColor(parsing: parts[0]) else {
                throw ThemeError(line: n, reasonZh: "无法识别的颜色 \(parts[0])", reasonEn: "unrecognised colour \(parts[0])")
            }
            guard let bg = ThemeColor(parsing: parts[1]) else {
                throw ThemeError(line: n, reasonZh: "无法识别的颜色 \(parts[1])", reasonEn: "unrecognised colour \(parts[1])")
            }
            var rs = RoleStyle(fg: fg, bg: bg)
            for a in parts.dropFirst(2) {
                switch a {
                case "bold": rs.bold = true
                case "reverse": rs.reverse = true
                case "underline": rs.underline = true
                case "dim": rs.dim = true
                default: throw ThemeError(line: n, reasonZh: "未知属性 \(a)", reasonEn: "unknown attribute \(a)")
                }
            }
            if role == .selected && !rs.reverse {
                throw ThemeError(line: n, reasonZh: "selected 必须带 reverse（选择不能只靠颜色表达）", reasonEn: "selected must include reverse (selection must not rely on colour alone)")
            }
            roles[role] = rs
        }
        guard let nm = name else { throw ThemeError(line: 1, reasonZh: "缺少 name = …", reasonEn: "missing name = …") }
        for r in StyleRole.allCases where roles[r] == nil {
            throw ThemeError(line: lastLine, reasonZh: "文件结束前缺少角色 \(r.rawValue)", reasonEn: "role \(r.rawValue) missing before end of file")
        }
        return Theme(name: nm, roles: roles)
    }

    /// 去掉注释：行首或空白后的 `#`，且不是 `#rrggbb` 颜色。
    static func stripComment(_ line: String) -> String {
        var prev: Character = " "
        for i in line.indices {
            let c = line[i]
            if c == "#", prev.isWhitespace, !isColorHash(line, i) { return String(line[..<i]) }
            prev = c
        }
        return line
    }

    /// `#` 紧跟 6 位十六进制时是颜色而非注释。
    static func isColorHash(_ line: String, _ i: String.Index) -> Bool {
        let rest = line[line.index(after: i)...].prefix(6)
        return rest.count == 6 && rest.allSatisfy { $0.isHexDigit }
    }

    /// 载入主题：名字指内置主题，否则视为文件路径。失败时返回默认主题和错误（调用方显示错误）。
    public static func load(nameOrPath: String, readFile: (String) -> String?) -> (Theme, ThemeError?) {
        if let builtin = BuiltinThemes.text[nameOrPath] { return ((try? parse(builtin)) ?? BuiltinThemes.fallback, nil) }
        guard let text = readFile(nameOrPath) else {
            return (BuiltinThemes.fallback, ThemeError(line: 0, reasonZh: "找不到主题 \(nameOrPath)（内置：\(BuiltinThemes.names.joined(separator: "/"))）", reasonEn: "theme \(nameOrPath) not found (built-in: \(BuiltinThemes.names.joined(separator: "/")))"))
        }
        do { return (try parse(text), nil) } catch let e as ThemeError { return (BuiltinThemes.fallback, e) } catch {
            let w = WalletError(error)
            return (BuiltinThemes.fallback, ThemeError(line: 0, reasonZh: w.zh, reasonEn: w.en))
        }
    }
}

import Foundation
