// POSIX shell 单引号转义：审计里的「CLI 孪生命令」会被人复制粘贴重放，任何来自用户的字段（拒绝原因、请求号、
// 用户 ID）都必须按 shell 词转义，否则一个精心构造的原因就能在重放时多执行一条命令。放在最底层，账本与控制台共用一份。
public enum ShellWords {
    /// 安全字符原样输出，其余用单引号包起来（内部的 ' 写成 '\''）。空串写成 ''。
    public static func quote(_ s: String) -> String {
        if !s.isEmpty, s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }

    private static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-".unicodeScalars)
}
