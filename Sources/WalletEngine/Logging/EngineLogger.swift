// 结构化日志：全引擎传的是 swift-log 的 `Logger`（服务端 Swift 的通用接口，调用方一眼能读懂）；
// 输出端是本文件的 `JSONLinesLogHandler`：每行一个 JSON 对象（JSON Lines），只写文件，绝不写终端（控制台占用着终端）。
// 机密按“类型”脱敏：SecretBytes 只能以 `.secret` 进入日志，落到 swift-log 的元数据值属性 `LogSensitivity.secret`（SLG-0004），
// 写出时恒为 "<redacted>"，长度都不写；另外对键名做兜底（passphrase/mnemonic/seed/privateKey/pin/password…），
// 防止有人把机密当普通字符串传进来。
import Foundation
import Logging
import Synchronization
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

    /// 映射到 swift-log 的元数据值：数字/布尔保留原类型（处理器按类型写 JSON 数字），金额是字符串，
    /// 机密是只带占位符、并标了 `LogSensitivity.secret` 的值——机密字节从不进入 swift-log。
    public var metadataValue: Logger.MetadataValue {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .stringConvertible(i)
        case .uint(let u): return .stringConvertible(u)
        case .amount(let a): return .stringConvertible(LogAmount(a))
        case .bool(let b): return .stringConvertible(b)
        case .secret:
            var attrs = Logger.MetadataValueAttributes()
            attrs[LogSensitivity.self] = .secret
            return .attributed(JSONLinesLogHandler.redacted, attributes: attrs)
        }
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// swift-log 元数据值属性（SLG-0004）：调用点声明“这是机密”，处理器据此脱敏，不靠猜键名。
public enum LogSensitivity: Int64, Logger.MetadataValueAttributes.Attribute, Sendable {
    case secret = 1
}

/// 金额包装：处理器据类型写成 JSON 字符串（JSON 数字会被读者当 Double 丢精度）。
public struct LogAmount: CustomStringConvertible, Sendable {
    public let value: UInt256
    public init(_ v: UInt256) { value = v }
    public var description: String { value.decimalString }
}

extension Logger {
    /// 引擎日志：JSON Lines 写到 sink；不经全局 `LoggingSystem.bootstrap`（同一进程里可以有多个引擎、各写各的文件）。
    public static func engine(sink: LogSink, level: LogLevel = .info, component: String = "engine") -> Logger {
        var l = Logger(label: "wallet.\(component)") { _ in JSONLinesLogHandler(sink: sink, level: level.swiftLog) }
        l[metadataKey: "component"] = .string(component)
        return l
    }

    /// 丢弃一切的日志（测试和无 home 的命令用）。
    public static let discard = Logger(label: "wallet.discard") { _ in SwiftLogNoOpLogHandler() }

    /// 同一输出、不同组件名（scanner / withdrawals / sweeper …）。
    public func child(_ component: String) -> Logger {
        var l = self
        l[metadataKey: "component"] = .string(component)
        return l
    }

    // 带类型字段的便捷写法：事件名即 message，字段经 LogValue 映射（机密只能是 .secret）。
    // 不带字段的调用直接走 swift-log 自己的 debug/info/…。
    public func debug(_ event: String, _ fields: KeyValuePairs<String, LogValue>) { emit(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, LogValue>) { emit(.info, event, fields) }
    public func warn(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { emit(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, LogValue>) { emit(.error, event, fields) }

    public func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue>) { emit(level.swiftLog, event, fields) }

    private func emit(_ level: Logger.Level, _ event: String, _ fields: KeyValuePairs<String, LogValue>) {
        guard self.logLevel <= level else { return }
        var md = Logger.Metadata()
        for (k, v) in fields { md[k] = v.metadataValue }
        self.log(level: level, "\(event)", metadata: md)
    }
}

extension LogLevel {
    var swiftLog: Logger.Level {
        switch self { case .debug: .debug; case .info: .info; case .warn: .warning; case .error: .error }
    }
}

/// 写日志的接收端（文件或测试用内存）。
public protocol LogSink: Sendable {
    func write(line: String)
}

/// swift-log 的处理器：一行 JSON。字段顺序固定：ts, level, component, event，然后其余字段按键名排序（输出稳定、便于 diff）。
public struct JSONLinesLogHandler: LogHandler {
    static let redacted = "<redacted>"
    let sink: LogSink
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(sink: LogSink, level: Logger.Level = .info) {
        self.sink = sink; self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let p = metadataProvider { all.merge(p.get()) { _, new in new } }
        if let m = event.metadata { all.merge(m) { _, new in new } }
        sink.write(line: Self.render(level: event.level, event: event.message.description, metadata: all, time: Date()))
    }

    /// 键名兜底：这些名字的字段不论类型一律脱敏。
    static let sensitiveKeyFragments = ["passphrase", "password", "mnemonic", "seed", "private", "secret", "pin", "share", "kek", "words"]

    static func isSensitiveKey(_ k: String) -> Bool {
        let l = k.lowercased()
        return sensitiveKeyFragments.contains { l.contains($0) }
    }

    /// ISO8601DateFormatter 不是线程安全的：放进 Mutex（Synchronization），各 worker 线程轮流用同一个。
    static let timeFormatter: Mutex<ISO8601DateFormatter> = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Mutex(f)
    }()

    static func levelName(_ l: Logger.Level) -> String {
        switch l {
        case .trace: "trace"; case .debug: "debug"; case .info: "info"; case .notice: "notice"
        case .warning: "warn"; case .error: "error"; case .critical: "critical"
        }
    }

    static func render(level: Logger.Level, event: String, metadata: Logger.Metadata, time: Date) -> String {
        let ts = timeFormatter.withLock { $0.string(from: time) }
        let component: String = metadata["component"].map { if case .string(let s) = $0 { s } else { $0.description } } ?? "engine"
        var out = "{\"ts\":\(quote(ts)),\"level\":\(quote(levelName(level))),\"component\":\(quote(component)),\"event\":\(quote(event))"
        for k in metadata.keys.sorted() where !["ts", "level", "component", "event"].contains(k) {
            out += ",\(quote(k)):"
            out += isSensitiveKey(k) ? quote(redacted) : value(metadata[k]!)
        }
        return out + "}"
    }

    /// 按类型写值：机密属性与 SecretBytes → 占位符；整数/布尔 → JSON 数字/布尔；其余（含金额）→ JSON 字符串。
    static func value(_ v: Logger.MetadataValue) -> String {
        if v.attributes[LogSensitivity.self] == .secret { return quote(redacted) }
        switch v {
        case .string(let s): return quote(s)
        case .stringConvertible(let c):
            switch c {
            case is SecretBytes: return quote(redacted)
            case let i as Int64: return String(i)
            case let i as Int: return String(i)
            case let u as UInt64: return String(u)
            case let b as Bool: return b ? "true" : "false"
            default: return quote(c.description)
            }
        case .array(let a): return "[" + a.map(value).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.keys.sorted().map { k in "\(quote(k)):" + (isSensitiveKey(k) ? quote(redacted) : value(d[k]!)) }.joined(separator: ",") + "}"
        }
    }

    /// JSON 字符串转义（控制字符一律 \u 转义，防止日志注入伪造的行）。
    static func quote(_ s: String) -> String { JSONString.quote(s, strict: true) }
}

struct DiscardSink: LogSink { func write(line: String) {} }

/// 内存接收端：测试断言日志内容用。
public final class MemoryLogSink: LogSink, Sendable {
    private let buffer = Mutex<[String]>([])
    public init() {}
    public func write(line: String) { buffer.withLock { $0.append(line) } }
    public var lines: [String] { buffer.withLock { $0 } }
}

/// 文件接收端：O_APPEND 追加、0600、按大小轮转（engine.log → engine.log.1，只保留一份旧文件）。
public final class FileLogSink: LogSink, Sendable {
    public let path: String
    private let maxBytes: Int
    // 描述符、当前大小与丢弃计数一起变化（轮转时换描述符），放进同一把 Mutex。
    private struct State { var fd: Int32 = -1; var size: Int = 0; var dropped = 0 }
    private let state = Mutex(State())
    public var droppedLines: Int { state.withLock { $0.dropped } }

    public init(path: String, maxBytes: Int = 50 * 1024 * 1024) throws {
        self.path = path
        self.maxBytes = maxBytes
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try state.withLock { try openFile(&$0) }
    }

    deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }

    private func openFile(_ s: inout State) throws {
        s.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard s.fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw EngineError("log.open_failed", zh: "无法打开日志文件 \(path)：\(why)。检查 config.json 的 log.path 与目录权限。",
                              en: "cannot open log file \(path): \(why). Check log.path in config.json and the directory permissions.")
        }
        fchmod(s.fd, 0o600)
        var st = stat()
        s.size = fstat(s.fd, &st) == 0 ? Int(st.st_size) : 0
    }

    public func write(line: String) {
        state.withLock { s in
            var bytes = Array(line.utf8)
            bytes.append(0x0a)
            if s.size + bytes.count > maxBytes && s.size > 0 { rotate(&s) }
            guard s.fd >= 0 else { s.dropped += 1; return }
            let n = bytes.withUnsafeBytes { Glibc.write(s.fd, $0.baseAddress, $0.count) }
            if n == bytes.count { s.size += n } else { s.dropped += 1 }
        }
    }

    private func rotate(_ s: inout State) {
        close(s.fd); s.fd = -1
        _ = rename(path, path + ".1")
        try? openFile(&s)
    }

    /// 刷盘（关机时调用）。
    public func sync() {
        state.withLock { s in
            if s.fd >= 0 { fsync(s.fd) }
        }
    }
}
