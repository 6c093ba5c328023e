import WalletCrypto

/// 控制台启动配置（由 CLI 的 `wallet-console console` 填写）。
public struct ConsoleConfig: Sendable {
    public var lang: Language
    /// `--readonly`：强制 viewer 角色，不绑定任何审批/仪式按键。
    public var readonly: Bool
    public var theme: Theme
    public var keymap: KeyMap
    /// 后台刷新间隔。
    public var refreshIntervalMs: Int
    /// 启动时要显示给用户的配置问题（主题/键位文件无效等）。
    public var startupWarnings: [String]

    public init(lang: Language = .zh, readonly: Bool = false, theme: Theme = BuiltinThemes.fallback,
                keymap: KeyMap = KeyMap(), refreshIntervalMs: Int = 1000, startupWarnings: [String] = []) {
        self.lang = lang; self.readonly = readonly; self.theme = theme; self.keymap = keymap
        self.refreshIntervalMs = refreshIntervalMs; self.startupWarnings = startupWarnings
    }

    /// 从 `--theme NAME|PATH` 与键位配置文件组装；无效文件给出带行号的警告并回落到默认。
    public static func load(lang: Language, readonly: Bool, themeName: String?, keymapPath: String?,
                            readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }) -> ConsoleConfig {
        var warnings: [String] = []
        var theme = BuiltinThemes.fallback
        if let n = themeName {
            let (t, err) = ThemeParser.load(nameOrPath: n, readFile: readFile)
            theme = t
            if let e = err { warnings.append(e.message(lang)) }
        }
        var keymap = KeyMap()
        if let p = keymapPath, let text = readFile(p) {
            do { keymap = try KeyMap.parse(text) } catch let e as KeyMapError { warnings.append(e.message(lang)) } catch {}
        }
        return ConsoleConfig(lang: lang, readonly: readonly, theme: theme, keymap: keymap, startupWarnings: warnings)
    }
}

import Foundation
