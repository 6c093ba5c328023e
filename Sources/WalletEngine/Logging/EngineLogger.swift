// 结构化日志：每行一个 JSON 对象（JSON Lines），只写文件，绝不写终端（控制台占用着终端）。
// 机密按“类型”脱敏：SecretBytes 只能以 `.secret` 进入日志，写出时恒为 "<redacted>"，长度都不写；
// 另外对键名做兜底（passphrase/mnemonic/seed/privateKey/pin/password…），防止有人把机密当普通字符串传进来。
import Foundation
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

/// 日志字段值。没有 `Any` 入口：调用方必须选一种类型，机密只能走 `.secret`。
public enum LogValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case amount(UInt256)
    case bool(Bool)
    /// 机密：写出时只留占位符。
    case secret

    public static func of(_ s: SecretBytes) -> LogValue { .secret }
    public static func of(_ s: String) -> LogValue { .string(s) }
    public static func of(_ v: Int) -> LogValue { .int(Int64(v)) }
    public static func of(_ v: UInt64) -> LogValue { .uint(v) }
    public static func of(_ v: UInt256) -> LogValue { .amount(v) }

    /// 错误：记录稳定机器码与英文说明（WalletError 的说明不含机密）。
    public static func error(_ e: Error) -> LogValue {
        if let w = WalletError.known(e) { return .string(w.logText) }
        return .string(String(describing: type(of: e)))
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// 写日志的接收端（文件或测试用内存）。
public protocol LogSink: Sendable {
    func write(line: String)
}

/// 结构化日志记录器。线程安全；写失败不抛（日志不能拖垮资金流程），计入 droppedLines。
public final class EngineLogger: @unchecked Sendable {
    public let level: LogLevel
    private let sink: LogSink
    private let component: String

    public init(sink: LogSink, level: LogLevel = .info, component: String = "engine") {
        self.sink = sink; self.level = level; self.component = component
    }

    /// 同一输出、不同组件名（scanner / withdrawals / sweeper …）。
    public func child(_ component: String) -> EngineLogger {
        EngineLogger(sink: sink, level: level, component: component)
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, event, fields) }
    public func warn(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warn, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, event, fields) }

    public func log(_ lvl: LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue>) {
        guard lvl >= level else { return }
        sink.write(line: Self.render(level: lvl, component: component, event: event, fields: Array(fields), time: Date()))
    }

    /// 键名兜底：这些名字的字段不论类型一律脱敏。
    static let sensitiveKeyFragments = ["passphrase", "password", "mnemonic", "seed", "private", "secret", "pin", "share", "kek", "words"]

    static func isSensitiveKey(_ k: String) -> Bool {
        let l = k.lowercased()
        return sensitiveKeyFragments.contains { l.contains($0) }
    }

    static let timeFormatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    static let timeLock = NSLock()

    /// 一行 JSON。字段顺序固定：ts, level, component, event，然后是调用方字段（按传入顺序）。
    static func render(level: LogLevel, component: String, event: String, fields: [(String, LogValue)], time: Date) -> String {
        timeLock.lock()
        let ts = timeFormatter.string(from: time)
        timeLock.unlock()
        var out = "{\"ts\":\(quote(ts)),\"level\":\(quote(level.rawValue)),\"component\":\(quote(component)),\"event\":\(quote(event))"
        for (k, v) in fields where !["ts", "level", "component", "event"].contains(k) {
            out += ",\(quote(k)):"
            if isSensitiveKey(k) { out += "\"<redacted>\""; continue }
            switch v {
            case .string(let s): out += quote(s)
            case .int(let i): out += String(i)
            case .uint(let u): out += String(u)
            case .amount(let a): out += quote(a.decimalString)   // 字符串：JSON 数字会被读者当 Double 丢精度
            case .bool(let b): out += b ? "true" : "false"
            case .secret: out += "\"<redacted>\""
            }
        }
        return out + "}"
    }

    /// JSON 字符串转义（控制字符一律 \u 转义，防止日志注入伪造的行）。
    static func quote(_ s: String) -> String { JSONString.quote(s, strict: true) }

    /// 丢弃一切的日志（测试和无 home 的命令用）。
    public static let discard = EngineLogger(sink: DiscardSink())
}

struct DiscardSink: LogSink { func write(line: String) {} }

/// 内存接收端：测试断言日志内容用。
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [String] = []
    public init() {}
    public func write(line: String) { lock.lock(); buffer.append(line); lock.unlock() }
    public var lines: [String] { lock.lock(); defer { lock.unlock() }; return buffer }
}

/// 文件接收端：O_APPEND 追加、0600、按大小轮转（engine.log → engine.log.1，只保留一份旧文件）。
public final class FileLogSink: LogSink, @unchecked Sendable {
    public let path: String
    private let maxBytes: Int
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var size: Int = 0
    public private(set) var droppedLines = 0

    public init(path: String, maxBytes: Int = 50 * 1024 * 1024) throws {
        self.path = path
        self.maxBytes = maxBytes
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try openFile()
    }

    deinit { if fd >= 0 { close(fd) } }

    private func openFile() throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw EngineError("log.open_failed", zh: "无法打开日志文件 \(path)：\(why)。检查 config.json 的 log.path 与目录权限。",
                              en: "cannot open log file \(path): \(why). Check log.path in config.json and the directory permissions.")
        }
        fchmod(fd, 0o600)
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    public func write(line: String) {
        lock.lock(); defer { lock.unlock() }
        var bytes = Array(line.utf8)
        bytes.append(0x0a)
        if size + bytes.count > maxBytes && size > 0 { rotate() }
        guard fd >= 0 else { droppedLines += 1; return }
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n == bytes.count { size += n } else { droppedLines += 1 }
    }

    private func rotate() {
        close(fd); fd = -1
        _ = rename(path, path + ".1")
        try? openFile()
    }

    /// 刷盘（关机时调用）。
    public func sync() {
        lock.lock(); defer { lock.unlock() }
        if fd >= 0 { fsync(fd) }
    }
}
