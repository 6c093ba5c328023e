// 测试用的真实 redis-server：有 WALLET_TEST_REDIS_URL 就用它；否则在回环的空闲端口上起一个（临时目录、不落盘），
// 等到 PING 通，进程结束时关掉。CI=true 时起不来就让测试失败，而不是跳过。
import Foundation
import WalletQueueRedis

enum RedisFixture {
    struct Server: Sendable { let url: String; let watchdogPID: Int32?; var dir: String? = nil }

    /// 首次访问时启动，整个测试进程共用一个服务器（各测试用不同的键前缀隔离）。
    static let started: Result<Server, any Error> = Result { try start() }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// 是否跑 Redis 那一半：CI、显式给了地址、或本机装了 redis-server。开了就必须起得来（起不来 = 失败）。
    static var enabled: Bool {
        isCI || ProcessInfo.processInfo.environment["WALLET_TEST_REDIS_URL"] != nil || redisServerPath() != nil
    }

    static func url() throws -> String { try started.get().url }

    /// 每个测试一个前缀：同一服务器上的测试、重复运行互不影响。
    static func freshPrefix(_ tag: String = "t") -> String {
        "wqtest:\(tag):\(UUID().uuidString.prefix(12))"
    }

    struct StartFailed: Error, CustomStringConvertible { let description: String }

    static func redisServerPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { "\($0)/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// 让内核分一个空闲端口再关掉。与启动之间有很小的竞争窗口：起不来就换端口重试。
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func ping(_ url: String) -> Bool {
        guard let c = try? RedisConnection(url: url, timeout: 0.5) else { return false }
        return (try? c.call(["PING"]))?.text == "PONG"
    }

    private static func start() throws -> Server {
        if let u = ProcessInfo.processInfo.environment["WALLET_TEST_REDIS_URL"] {
            guard ping(u) else { throw StartFailed(description: "WALLET_TEST_REDIS_URL=\(u) 不回应 PING") }
            return Server(url: u, watchdogPID: nil)
        }
        guard let bin = redisServerPath() else {
            throw StartFailed(description: "找不到 redis-server（apt-get install redis-server），CI 上不允许跳过 Redis 测试")
        }
        // 看门狗 shell：测试进程（$4）没了（或成了僵尸）就 kill -9 服务器——测试进程崩溃也不会留下孤儿。
        // 用 SIGKILL 而不是 SIGTERM：Foundation 的 Process 会把测试线程屏蔽的信号掩码原样传给子进程，SIGTERM 可能被屏蔽。
        let script = """
            "$1" --port "$2" --bind 127.0.0.1 --save '' --appendonly no --dir "$3" >"$3/redis.log" 2>&1 & r=$!
            alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
            while alive "$4" && alive $r; do sleep 0.5; done
            kill -9 $r 2>/dev/null; wait $r
            """
        var lastLog = ""
        for _ in 0..<3 {
            let port = freePort()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wq-redis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script, "sh", bin, String(port), dir.path, String(getpid())]
            try p.run()
            let url = "redis://127.0.0.1:\(port)/0"
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, p.isRunning {
                if ping(url) {
                    // 正常退出：SHUTDOWN NOSAVE 立即关掉服务器（看门狗随后发现并退出）。
                    atexit {
                        if case .success(let s) = RedisFixture.started, s.watchdogPID != nil,
                           let c = try? RedisConnection(url: s.url, timeout: 0.5) {
                            _ = try? c.command(["SHUTDOWN", "NOSAVE"])
                        }
                        if case .success(let s) = RedisFixture.started, let d = s.dir { try? FileManager.default.removeItem(atPath: d) }
                    }
                    return Server(url: url, watchdogPID: p.processIdentifier, dir: dir.path)
                }
                usleep(50_000)
            }
            kill(p.processIdentifier, SIGKILL)
            lastLog = (try? String(contentsOf: dir.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        }
        throw StartFailed(description: "redis-server 三次都没起来：\(lastLog.suffix(400))")
    }
}
