// 连接串与凭据：URL 里只有 USER@HOST:PORT/DB，口令绝不进 URL（URL 会出现在 argv、config.json、日志里）。
// 口令按 libpq 的规矩找：环境变量 PGPASSWORD，或口令文件（PGPASSFILE，默认 ~/.pgpass；必须 0600）。
import Foundation
import WalletCrypto

public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String

    /// 规范形式（不含口令），写进 config.json、显示给人看。
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// 解析 `postgresql://USER@HOST:PORT/DB`（也认 postgres://）。缺的部分取 PGUSER/PGHOST/PGPORT/PGDATABASE，再取默认。
    public init(_ text: String, environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ zh: String, _ en: String) -> WalletError {
            WalletError("postgres.bad_url", zh: "数据库 URL「\(text)」无效：\(zh)。格式：postgresql://用户@主机:端口/库名（口令放 PGPASSWORD 或 ~/.pgpass）。",
                        en: "database URL '\(text)' is invalid: \(en). Format: postgresql://USER@HOST:PORT/DB (password in PGPASSWORD or ~/.pgpass).",
                        badInput: true)
        }
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased() else { throw bad("不是 URL", "not a URL") }
        guard scheme == "postgresql" || scheme == "postgres" else { throw bad("协议必须是 postgresql://", "the scheme must be postgresql://") }
        guard c.password == nil else {
            throw bad("URL 里不能带口令（会留在命令行历史、进程列表与配置文件里）", "the URL must not carry a password (it would end up in shell history, the process list and the config file)")
        }
        if let q = c.queryItems, !q.isEmpty {
            throw bad("不支持查询参数 \(q.map(\.name).joined(separator: ","))（TLS 尚未支持，只连回环或受信内网）",
                      "query parameters \(q.map(\.name).joined(separator: ",")) are not supported (TLS is not supported yet; use loopback or a trusted network)")
        }
        user = c.user ?? env["PGUSER"] ?? ""
        host = c.host ?? env["PGHOST"] ?? "127.0.0.1"
        if let p = c.port { port = p } else if let p = env["PGPORT"].flatMap(Int.init) { port = p } else { port = 5432 }
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? (env["PGDATABASE"] ?? user) : path
        guard !user.isEmpty else { throw bad("缺用户名（写在 @ 前，或设 PGUSER）", "no user (put it before @, or set PGUSER)") }
        guard (1...65535).contains(port) else { throw bad("端口超出 1…65535", "port out of 1…65535") }
        guard !database.isEmpty, !database.contains("/") else { throw bad("缺库名", "no database name") }
    }

    /// 口令文件的路径（PGPASSFILE，默认 ~/.pgpass）：找不到口令时错误里点名查的是哪个文件。
    public static func passfilePath(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        env["PGPASSFILE"] ?? ((env["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".pgpass")
    }

    /// 口令：PGPASSWORD，否则口令文件里第一条匹配的行；都没有则 nil（服务器用 trust/peer 认证时不需要）。
    public func password(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let p = env["PGPASSWORD"] { return p }
        let file = Self.passfilePath(environment: env)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        // 与 libpq 一致：口令文件被同组或其他人可读时不用它——这里直接报错，别让值班的人以为口令生效了。
        if let mode = (try? FileManager.default.attributesOfItem(atPath: file))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw WalletError("postgres.passfile_mode",
                              zh: "口令文件 \(file) 的权限是 \(String(mode, radix: 8))，别人也能读。执行 chmod 600 \(file)。",
                              en: "password file \(file) has mode \(String(mode, radix: 8)) and is readable by others. Run chmod 600 \(file).",
                              badInput: true)
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            let f = Self.passfileFields(String(line))
            guard f.count == 5 else { continue }
            let want = [host, String(port), database, user]
            if zip(f.prefix(4), want).allSatisfy({ $0 == "*" || $0 == $1 }) { return f[4] }
        }
        return nil
    }

    /// host:port:db:user:password，`\:` 与 `\\` 是转义。
    static func passfileFields(_ line: String) -> [String] {
        var out: [String] = [], cur = "", escaped = false
        for ch in line {
            if escaped { cur.append(ch); escaped = false }
            else if ch == "\\" { escaped = true }
            else if ch == ":" && out.count < 4 { out.append(cur); cur = "" }
            else { cur.append(ch) }
        }
        out.append(cur)
        return out
    }
}
