// 指标注册表 + Prometheus 文本格式（exposition format 0.0.4）。自己实现：几十行就够，不引入大依赖。
// 规则：标签只能是低基数的维度（资产、状态、端点序号、worker 名）。交易哈希、地址、用户 id 绝不做标签——
// 既会让时序数据库基数爆炸，也会把客户数据泄露到监控系统。注册时拒绝这些标签名，取值时拦截长十六进制串。
import Foundation
import WalletCrypto

public final class MetricsRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var families: [String: MetricFamily] = [:]
    private var order: [String] = []

    public init() {}

    /// 这些标签名一律禁止（小写比较）。
    static let forbiddenLabels: Set<String> = ["address", "addr", "tx", "txhash", "tx_hash", "hash", "user", "user_id",
                                                "userid", "to", "from", "account", "request_id", "requestid", "key", "xpub"]

    static func checkName(_ name: String) {
        precondition(!name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
                     && !(name.first!.isNumber), "非法指标名 \(name)")
    }

    private func register<F: MetricFamily>(_ name: String, _ make: () -> F) -> F {
        Self.checkName(name)
        lock.lock(); defer { lock.unlock() }
        if let f = families[name] {
            guard let typed = f as? F else { preconditionFailure("指标 \(name) 已以另一种类型注册") }
            return typed
        }
        let f = make()
        for l in f.labelNames {
            Self.checkName(l)
            precondition(!Self.forbiddenLabels.contains(l.lowercased()), "指标 \(name) 的标签 \(l) 属于高基数/隐私字段，禁止作为标签")
            precondition(l != "le", "le 是直方图保留标签")
        }
        families[name] = f
        order.append(name)
        return f
    }

    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        register(name) { Counter(name: name, help: help, labelNames: labels) }
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        register(name) { Gauge(name: name, help: help, labelNames: labels) }
    }

    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]) -> Histogram {
        register(name) { Histogram(name: name, help: help, labelNames: labels, buckets: buckets.sorted()) }
    }

    /// Prometheus 文本格式。族按注册顺序，序列按标签值排序（输出稳定，便于测试和 diff）。
    public func exposition() -> String {
        lock.lock()
        let fs = order.compactMap { families[$0] }
        lock.unlock()
        var out = ""
        for f in fs {
            out += "# HELP \(f.name) \(Self.escapeHelp(f.help))\n"
            out += "# TYPE \(f.name) \(f.typeName)\n"
            f.render(into: &out)
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeLabelValue(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// 取值兜底：看起来像地址或哈希（0x + ≥40 位十六进制）的值不进标签。
    static func sanitizeLabelValue(_ v: String) -> String {
        let body = v.hasPrefix("0x") || v.hasPrefix("0X") ? v.dropFirst(2) : Substring(v)
        if body.count >= 40 && body.allSatisfy({ $0.isHexDigit }) { return "_redacted_" }
        return v
    }

    static func labelText(_ names: [String], _ values: [String], extra: (String, String)? = nil) -> String {
        var pairs = zip(names, values).map { "\($0)=\"\(escapeLabelValue($1))\"" }
        if let extra { pairs.append("\(extra.0)=\"\(extra.1)\"") }
        return pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
    }

    /// Prometheus 浮点写法：+Inf/-Inf/NaN，整数不带小数点。
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}

protocol MetricFamily: AnyObject {
    var name: String { get }
    var help: String { get }
    var labelNames: [String] { get }
    var typeName: String { get }
    func render(into out: inout String)
}

/// 只增不减的计数器。值是精确整数（UInt256）：例如已付归集手续费（wei）超过 2^53 也不丢精度。
public final class Counter: MetricFamily, @unchecked Sendable {
    let name: String, help: String, labelNames: [String]
    var typeName: String { "counter" }
    private let lock = NSLock()
    private var values: [[String]: UInt256] = [:]

    init(name: String, help: String, labelNames: [String]) { self.name = name; self.help = help; self.labelNames = labelNames }

    public func inc(_ labels: [String] = [], by n: UInt256 = UInt256(1)) {
        precondition(labels.count == labelNames.count, "指标 \(name) 需要 \(labelNames.count) 个标签值")
        let key = labels.map(MetricsRegistry.sanitizeLabelValue)
        lock.lock(); defer { lock.unlock() }
        let (v, o) = (values[key] ?? .zero).addingReportingOverflow(n)
        values[key] = o ? .max : v
    }

    public func value(_ labels: [String] = []) -> UInt256 {
        lock.lock(); defer { lock.unlock() }
        return values[labels] ?? .zero
    }

    func render(into out: inout String) {
        lock.lock(); let snap = values; lock.unlock()
        if snap.isEmpty && labelNames.isEmpty { out += "\(name) 0\n"; return }
        for k in snap.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out += "\(name)\(MetricsRegistry.labelText(labelNames, k)) \(snap[k]!.decimalString)\n"
        }
    }
}

/// 可升可降的量（队列长度、扫块落后、熔断器状态）。
public final class Gauge: MetricFamily, @unchecked Sendable {
    let name: String, help: String, labelNames: [String]
    var typeName: String { "gauge" }
    private let lock = NSLock()
    private var values: [[String]: Double] = [:]

    init(name: String, help: String, labelNames: [String]) { self.name = name; self.help = help; self.labelNames = labelNames }

    public func set(_ v: Double, _ labels: [String] = []) {
        precondition(labels.count == labelNames.count, "指标 \(name) 需要 \(labelNames.count) 个标签值")
        let key = labels.map(MetricsRegistry.sanitizeLabelValue)
        lock.lock(); values[key] = v; lock.unlock()
    }
    public func set(_ v: Int, _ labels: [String] = []) { set(Double(v), labels) }
    public func set(_ v: UInt64, _ labels: [String] = []) { set(Double(v), labels) }

    public func value(_ labels: [String] = []) -> Double? {
        lock.lock(); defer { lock.unlock() }
        return values[labels]
    }

    func render(into out: inout String) {
        lock.lock(); let snap = values; lock.unlock()
        for k in snap.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out += "\(name)\(MetricsRegistry.labelText(labelNames, k)) \(MetricsRegistry.formatDouble(snap[k]!))\n"
        }
    }
}

/// 直方图（累计桶 + _sum + _count），用于 RPC 延迟等。
public final class Histogram: MetricFamily, @unchecked Sendable {
    let name: String, help: String, labelNames: [String]
    let buckets: [Double]
    var typeName: String { "histogram" }
    private let lock = NSLock()
    private struct Series { var counts: [UInt64]; var sum: Double; var count: UInt64 }
    private var series: [[String]: Series] = [:]

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.name = name; self.help = help; self.labelNames = labelNames; self.buckets = buckets
    }

    public func observe(_ v: Double, _ labels: [String] = []) {
        precondition(labels.count == labelNames.count, "指标 \(name) 需要 \(labelNames.count) 个标签值")
        let key = labels.map(MetricsRegistry.sanitizeLabelValue)
        lock.lock(); defer { lock.unlock() }
        var s = series[key] ?? Series(counts: Array(repeating: 0, count: buckets.count), sum: 0, count: 0)
        for (i, b) in buckets.enumerated() where v <= b { s.counts[i] += 1 }
        s.sum += v
        s.count += 1
        series[key] = s
    }

    public func count(_ labels: [String] = []) -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        return series[labels]?.count ?? 0
    }

    func render(into out: inout String) {
        lock.lock(); let snap = series; lock.unlock()
        for k in snap.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let s = snap[k]!
            for (i, b) in buckets.enumerated() {
                out += "\(name)_bucket\(MetricsRegistry.labelText(labelNames, k, extra: ("le", MetricsRegistry.formatDouble(b)))) \(s.counts[i])\n"
            }
            out += "\(name)_bucket\(MetricsRegistry.labelText(labelNames, k, extra: ("le", "+Inf"))) \(s.count)\n"
            out += "\(name)_sum\(MetricsRegistry.labelText(labelNames, k)) \(MetricsRegistry.formatDouble(s.sum))\n"
            out += "\(name)_count\(MetricsRegistry.labelText(labelNames, k)) \(s.count)\n"
        }
    }
}
