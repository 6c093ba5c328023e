// hiredis 同步 API 的薄包装：一条 TCP 连接、argv 形式发命令（二进制安全，用户数据绝不进格式串）、
// 回复转成 Swift 枚举、Lua 脚本走 EVALSHA（服务器丢了脚本缓存就回退 EVAL）、断线后下一次调用自动重连。
// 不做 AUTH：口令若以后需要，只从文件或环境变量读，绝不放进 URL 或命令行参数。
import CHiredis
import Foundation

/// Redis 地址：redis://主机:端口[/库号]。
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var db: Int

    public init(host: String, port: Int, db: Int = 0) {
        self.host = host; self.port = port; self.db = db
    }

    /// 手写解析而不用 URLComponents：后者对 user:pass@、奇怪的端口都很宽容，我们要明确拒绝。
    public init(url: String) throws {
        let scheme = "redis://"
        guard url.lowercased().hasPrefix(scheme) else {
            if let r = url.range(of: "://") {
                let s = String(url[..<r.lowerBound]).filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+") }
                throw RedisQueueError.badURL(zh: "不支持的协议 \(s)://（只支持 redis://；TLS 与 unix 套接字未实现）",
                                             en: "unsupported scheme \(s):// (only redis:// is supported; TLS and unix sockets are not implemented)")
            }
            throw RedisQueueError.badURL(zh: "缺少 redis:// 前缀", en: "missing the redis:// prefix")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        // 口令在 URL 里会出现在 ps、shell 历史和日志里：直接拒绝，也不回显。
        if rest.contains("@") {
            throw RedisQueueError.badURL(zh: "URL 里不能带用户名或口令（会泄露到进程列表与日志）",
                                         en: "the URL must not carry a user name or password (it would leak into process lists and logs)")
        }
        if rest.contains("?") || rest.contains("#") {
            throw RedisQueueError.badURL(zh: "不支持查询参数", en: "query parameters are not supported")
        }
        var dbText: Substring? = nil
        if let slash = rest.firstIndex(of: "/") {
            dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var hostPart = rest
        var portText: Substring? = nil
        if rest.hasPrefix("[") {                       // IPv6：[::1]:6379
            guard let close = rest.firstIndex(of: "]") else {
                throw RedisQueueError.badURL(zh: "IPv6 地址缺少 ]", en: "IPv6 address is missing ]")
            }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisQueueError.badURL(zh: "] 后面只能是 :端口", en: "only :PORT may follow ]") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw RedisQueueError.badURL(zh: "缺少主机名", en: "missing the host") }
        guard hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }) else {
            throw RedisQueueError.badURL(zh: "主机名含有非法字符", en: "the host contains invalid characters")
        }
        var port = 6379
        if let p = portText {
            guard let n = Int(p), (1...65535).contains(n) else {
                throw RedisQueueError.badURL(zh: "端口必须是 1 到 65535 的整数", en: "the port must be an integer from 1 to 65535")
            }
            port = n
        }
        var db = 0
        if let d = dbText, !d.isEmpty {
            guard let n = Int(d), n >= 0, n <= 15_999 else {
                throw RedisQueueError.badURL(zh: "库号必须是非负整数", en: "the database number must be a non-negative integer")
            }
            db = n
        }
        self.init(host: String(hostPart), port: port, db: db)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// RESP2 回复。字符串保留原始字节（载荷可能不是 UTF-8 以外的东西，但协议层不做假设）。
public indirect enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case string([UInt8])
    case array([RedisReply])
    case null

    /// 字符串/状态/整数回复的文本形式；其余为 nil。
    public var text: String? {
        switch self {
        case .string(let b): return String(decoding: b, as: UTF8.self)
        case .status(let s): return s
        case .integer(let n): return String(n)
        default: return nil
        }
    }
}

/// Lua 脚本：源码 + 首次使用时从服务器取回的 SHA1（SCRIPT LOAD）。
public struct RedisScript: Sendable {
    public let source: String
    public init(_ source: String) { self.source = source }
}

/// 一条同步连接。不是 Sendable：hiredis 上下文不能被两个线程同时用；要并发就每个线程各建一条（与 SQLite 连接同理）。
public final class RedisConnection {
    public let endpoint: RedisEndpoint
    public let timeout: Double
    private var ctx: UnsafeMutablePointer<redisContext>?
    /// 脚本源码 → SHA1。服务器重启或 SCRIPT FLUSH 后会收到 NOSCRIPT，届时回退 EVAL 并重新记下。
    private var shas: [String: String] = [:]
    /// 重连次数（测试用来确认确实发生了重连）。
    public private(set) var reconnects = 0

    /// connectNow：立即连接，连不上抛 queue.redis_unreachable（timeout 秒内，不会无限挂起）；
    /// 否则第一条命令时才连——只读的 CLI 命令（status、deposit list…）用不到队列，Redis 停着也照常工作（QA）。
    public init(_ endpoint: RedisEndpoint, timeout: Double = 2, connectNow: Bool = true) throws {
        self.endpoint = endpoint; self.timeout = timeout
        if connectNow { try connect() }
    }

    public convenience init(url: String, timeout: Double = 2, connectNow: Bool = true) throws {
        try self.init(try RedisEndpoint(url: url), timeout: timeout, connectNow: connectNow)
    }

    deinit { if let ctx { redisFree(ctx) } }

    private var tv: timeval {
        let t = max(0.001, timeout)
        return timeval(tv_sec: Int(t), tv_usec: .init((t - Double(Int(t))) * 1_000_000))
    }

    /// hiredis 用 write() 写套接字：对端已关闭时写会触发 SIGPIPE，默认动作是杀掉整个进程（引擎随之退出）。
    /// 忽略它，断线就变成 EPIPE → queue.redis_unreachable。进程级设置，只做一次。
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private func connect() throws {
        _ = Self.ignoreSIGPIPE
        if let old = ctx { redisFree(old); ctx = nil }
        guard let c = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), tv) else {
            throw RedisQueueError.unreachable(endpoint: endpoint.description, detail: "out of memory")
        }
        if c.pointee.err != 0 {
            let detail = Self.errstr(c)
            redisFree(c)
            throw RedisQueueError.unreachable(endpoint: endpoint.description, detail: detail)
        }
        // 命令超时：服务器卡住时调用方拿到错误，而不是永远阻塞一个 worker。
        _ = redisSetTimeout(c, tv)
        ctx = c
        if endpoint.db != 0 {
            // 选库失败（库号超出 databases 配置）就不留这条连接：否则后续命令会悄悄写进 0 号库。
            let r = try send(["SELECT", String(endpoint.db)])
            if case .error(let m) = r {
                if let c = ctx { redisFree(c); ctx = nil }
                throw RedisQueueError.server(m)
            }
        }
    }

    private static func errstr(_ c: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: c.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<n], as: UTF8.self)
        }
    }

    /// 发一条命令，回复原样返回（包括 .error）。断线：若是上次留下的坏连接，先重连再发；
    /// 若这次发送/读取中途失败，idempotent 为 true 才重连重发一次——写操作（脚本）可能已在服务器执行，
    /// 重发会重复入队，所以抛 queue.redis_unreachable 交给调用方（下一次调用会先重连）。
    public func command(_ args: [String], idempotent: Bool = false) throws -> RedisReply {
        if ctx == nil || ctx!.pointee.err != 0 {
            try connect(); reconnects += 1
        }
        do {
            return try send(args)
        } catch let e as RedisQueueError {
            guard idempotent, case .unreachable = e else { throw e }
            try connect(); reconnects += 1
            return try send(args)
        }
    }

    /// 发命令；服务器错误回复转成 queue.redis_error 抛出。
    @discardableResult
    public func call(_ args: [String], idempotent: Bool = false) throws -> RedisReply {
        let r = try command(args, idempotent: idempotent)
        if case .error(let m) = r { throw RedisQueueError.server(m) }
        return r
    }

    /// 执行 Lua 脚本：优先 EVALSHA（只传 40 字节摘要）；NOSCRIPT 时回退 EVAL（服务器顺带缓存）。
    /// 返回原始回复（脚本用 error_reply 报的业务错误由调用方解释）。
    public func eval(_ script: RedisScript, keys: [String] = [], args: [String] = []) throws -> RedisReply {
        let tail = [String(keys.count)] + keys + args
        if shas[script.source] == nil {
            guard let sha = try call(["SCRIPT", "LOAD", script.source], idempotent: true).text else {
                throw RedisQueueError.server("SCRIPT LOAD returned no digest")
            }
            shas[script.source] = sha
        }
        let r = try command(["EVALSHA", shas[script.source]!] + tail)
        if case .error(let m) = r, m.hasPrefix("NOSCRIPT") {
            return try command(["EVAL", script.source] + tail)
        }
        return r
    }

    /// 把所有参数拼进一块连续内存，再给 hiredis 指针数组 + 长度数组：长度显式传递，载荷里有 NUL 或 % 也无妨。
    private func send(_ args: [String]) throws -> RedisReply {
        guard let c = ctx else { throw RedisQueueError.unreachable(endpoint: endpoint.description, detail: "not connected") }
        var buffer: [UInt8] = []
        var offsets: [Int] = [], lengths: [Int] = []
        for a in args {
            offsets.append(buffer.count)
            buffer.append(contentsOf: a.utf8)
            lengths.append(buffer.count - offsets.last!)
        }
        buffer.append(0)                              // 保证缓冲区非空，空参数也有合法指针
        let raw: UnsafeMutableRawPointer? = buffer.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { base in
                var argv: [UnsafePointer<CChar>?] = offsets.map { UnsafePointer(base + $0) }
                return argv.withUnsafeMutableBufferPointer { av in
                    lengths.withUnsafeBufferPointer { lv in
                        redisCommandArgv(c, Int32(args.count), av.baseAddress, lv.baseAddress)
                    }
                }
            }
        }
        guard let raw else {
            // I/O 错误：上下文已不可用。释放它，下一次调用重新连接。
            let detail = Self.errstr(c)
            redisFree(c); ctx = nil
            throw RedisQueueError.unreachable(endpoint: endpoint.description, detail: detail.isEmpty ? "connection lost" : detail)
        }
        defer { freeReplyObject(raw) }
        return Self.parse(raw.assumingMemoryBound(to: redisReply.self))
    }

    static func parse(_ r: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let p = r.pointee
        func bytes() -> [UInt8] {
            guard let s = p.str, p.len > 0 else { return [] }
            return s.withMemoryRebound(to: UInt8.self, capacity: p.len) { Array(UnsafeBufferPointer(start: $0, count: p.len)) }
        }
        switch p.type {
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(Int64(p.integer))
        case REDIS_REPLY_STRING: return .string(bytes())
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(p.elements)
            for i in 0..<p.elements { if let e = p.element[i] { items.append(parse(e)) } else { items.append(.null) } }
            return .array(items)
        default: return .error("unsupported reply type \(p.type)")
        }
    }
}
