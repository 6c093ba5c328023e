// 极简 HTTP 指标端点：POSIX socket，只绑定 127.0.0.1，只认 GET /metrics 与 GET /healthz。
// 为什么自己写：只需要一个只读、无状态、单路径的 HTTP/1.0 应答，引入 NIO 等大依赖反而扩大攻击面。
// 安全：只监听回环地址；请求头最多 8 KiB、读超时 2 秒（慢速连接不能拖住 accept 线程）；应答后立即关闭连接。
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class MetricsServer: Sendable {
    private let render: @Sendable () -> String
    // start() 写、服务线程读、stop() 关闭：原子交换保证只关一次。
    private let listenFD = Atomic<Int32>(-1)
    private let stopFlag = ManagedFlag()
    private let thread = Mutex<Thread?>(nil)
    private let done = DispatchSemaphore(value: 0)
    private let boundPort = Atomic<UInt16>(0)
    /// 实际监听端口（请求 0 时由内核分配）。
    public var port: UInt16 { boundPort.load(ordering: .acquiring) }

    public init(render: @escaping @Sendable () -> String) {
        self.render = render
    }

    /// 绑定 127.0.0.1:port 并开始服务（后台线程）。端口被占用等错误立即抛出。
    public func start(port requested: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.error("socket", errno, requested) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requested.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; close(fd); throw Self.error("bind", e, requested) }
        guard listen(fd, 16) == 0 else { let e = errno; close(fd); throw Self.error("listen", e, requested) }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        boundPort.store(UInt16(bigEndian: actual.sin_port), ordering: .releasing)
        listenFD.store(fd, ordering: .releasing)
        thread.withLock { slot in
            let t = Thread { [self] in self.loop(); self.done.signal() }
            t.name = "metrics-http"
            slot = t
            t.start()
        }
    }

    /// 停止接受连接并等待服务线程退出（最多 2 秒）。
    public func stop() {
        guard listenFD.load(ordering: .acquiring) >= 0, !stopFlag.value else { return }
        stopFlag.set()
        _ = done.wait(timeout: .now() + 2)
        let fd = listenFD.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { close(fd) }
    }

    deinit { stop() }

    private func loop() {
        var pfd = pollfd(fd: listenFD.load(ordering: .acquiring), events: Int16(POLLIN), revents: 0)
        while !stopFlag.value {
            pfd.revents = 0
            let r = poll(&pfd, 1, 200)
            if r <= 0 { continue }
            let c = accept(pfd.fd, nil, nil)
            if c < 0 { continue }
            handle(c)
            close(c)
        }
    }

    private func handle(_ c: Int32) {
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var req = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1024)
        while req.count < 8192 {
            let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            req.append(contentsOf: buf[0..<n])
            if Self.headerComplete(req) { break }
        }
        let (status, type, body) = Self.respond(to: req, render: render)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        var out = Array(head.utf8)
        out.append(contentsOf: Array(body.utf8))
        var off = 0
        while off < out.count {
            let n = out.withUnsafeBytes { send(c, $0.baseAddress!.advanced(by: off), $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            off += n
        }
    }

    static func headerComplete(_ b: [UInt8]) -> Bool {
        guard b.count >= 4 else { return false }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return true }
        return false
    }

    /// 纯函数：请求字节 → (状态行, Content-Type, 正文)。单独拿出来便于测试。
    static func respond(to req: [UInt8], render: () -> String) -> (String, String, String) {
        let text = String(decoding: req.prefix(8192), as: UTF8.self)
        let line = text.split(separator: "\r\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            return ("400 Bad Request", "text/plain; charset=utf-8", "bad request\n")
        }
        guard parts[0] == "GET" else { return ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n") }
        let path = parts[1].split(separator: "?").first.map(String.init) ?? ""
        switch path {
        case "/metrics": return ("200 OK", "text/plain; version=0.0.4; charset=utf-8", render())
        case "/healthz": return ("200 OK", "text/plain; charset=utf-8", "ok\n")
        default: return ("404 Not Found", "text/plain; charset=utf-8", "not found\n")
        }
    }

    static func error(_ what: String, _ code: Int32, _ port: UInt16) -> EngineError {
        let why = String(cString: strerror(code))
        return EngineError("metrics.listen_failed", zh: "指标端点无法在 127.0.0.1:\(port) 上\(what)：\(why)。换一个 --metrics-port 或关掉占用该端口的进程。",
                           en: "metrics endpoint cannot \(what) on 127.0.0.1:\(port): \(why). Pick another --metrics-port or stop the process using it.")
    }
}

/// 线程安全的一次性标志。
final class ManagedFlag: Sendable {
    private let v = Atomic<Bool>(false)
    var value: Bool { v.load(ordering: .acquiring) }
    func set() { v.store(true, ordering: .releasing) }
}
