// Redis 队列的类型化错误：码在 ErrorCodes.swift 登记，说明写清楚操作员下一步该做什么。
import WalletCrypto

public enum RedisQueueError: WalletErrorConvertible, Equatable {
    /// 连不上或连接中途断开（endpoint 形如 127.0.0.1:6379；detail 是 hiredis 的英文原因）。
    case unreachable(endpoint: String, detail: String)
    /// 服务器回了错误（-ERR …），或回复形状与预期不符。
    case server(String)
    /// 队列地址写错。zh/en 各一份原因；绝不回显整条 URL（可能带口令）。
    case badURL(zh: String, en: String)
    /// 键前缀（命名空间）不合规。
    case badNamespace(String)

    public var walletError: WalletError {
        switch self {
        case .unreachable(let ep, let detail):
            return WalletError("queue.redis_unreachable",
                               zh: "无法连接 Redis \(ep)（\(detail)）。确认 redis-server 在运行、地址与端口正确、防火墙放行；可用 redis-cli -h 主机 -p 端口 ping 检查。",
                               en: "cannot reach Redis at \(ep) (\(detail)). Check that redis-server is running, the host and port are right and no firewall blocks it; try redis-cli -h HOST -p PORT ping.",
                               badInput: false)
        case .server(let m):
            return WalletError("queue.redis_error",
                               zh: "Redis 返回错误：\(m)。检查服务器版本（需要 7.0 以上）、内存上限与 ACL 权限。",
                               en: "Redis returned an error: \(m). Check the server version (7.0 or later), maxmemory and ACL permissions.",
                               badInput: false)
        case .badURL(let zh, let en):
            return WalletError("queue.redis_url",
                               zh: "队列地址无效：\(zh)。格式是 redis://主机:端口[/库号]，例如 redis://127.0.0.1:6379/0；口令不要写进 URL。",
                               en: "invalid queue URL: \(en). The form is redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379/0; never put a password in the URL.",
                               badInput: true)
        case .badNamespace(let p):
            return WalletError("queue.redis_namespace",
                               zh: "键前缀 '\(p)' 无效：只允许字母、数字与 _ . : -，长度 1 到 64。",
                               en: "invalid key prefix '\(p)': use 1 to 64 letters, digits or _ . : -",
                               badInput: true)
        }
    }
}
