// 指标：引擎只用 swift-metrics 的 API（Counter / FloatingPointCounter / Gauge / Timer），后端是 swift-prometheus 2.x 的
// PrometheusCollectorRegistry——每个引擎一个注册表，不走全局 `MetricsSystem.bootstrap`（同一进程里可以有多个引擎，测试也是）。
// 我们自己只保留两条规则（swift-prometheus 不管）：
//   1. 标签只能是低基数的维度（资产、状态、端点序号、worker 名、密钥层级）。交易哈希、地址、用户 id 绝不做标签——
//      既会让时序数据库基数爆炸，也会把客户数据泄露到监控系统。注册时拒绝这些标签名，取值时拦截长十六进制串。
//   2. 每个指标都有 HELP（swift-metrics 的接口没有 help 参数，由本工厂按名字补上）。
import CoreMetrics
import Foundation
import Synchronization
import Prometheus
import WalletCrypto

public final class MetricsRegistry: Sendable {
    /// swift-prometheus 的注册表：`/metrics` 就是它的 exposition。
    public let prometheus = PrometheusCollectorRegistry()
    private let catalog = MetricCatalog()
    /// 引擎代码用的 swift-metrics 工厂（按名字补 HELP、直方图桶，守住标签规则）。
    public var factory: MetricsFactory { GuardedPrometheusFactory(registry: prometheus, catalog: catalog) }

    public init() {}

    /// 这些标签名一律禁止（小写比较）。
    static let forbiddenLabels: Set<String> = ["address", "addr", "tx", "txhash", "tx_hash", "hash", "user", "user_id",
                                                "userid", "to", "from", "account", "request_id", "requestid", "key", "xpub"]

    static func checkName(_ name: String) {
        precondition(!name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
                     && !(name.first!.isNumber), "非法指标名 \(name)")
    }

    private func declare(_ name: String, help: String, labels: [String], buckets: [Double]? = nil) {
        Self.checkName(name)
        for l in labels {
            Self.checkName(l)
            precondition(!Self.forbiddenLabels.contains(l.lowercased()), "指标 \(name) 的标签 \(l) 属于高基数/隐私字段，禁止作为标签")
            precondition(l != "le", "le 是直方图保留标签")
        }
        catalog.declare(name, help: help, buckets: buckets)
    }

    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        declare(name, help: help, labels: labels)
        let f = CounterFamily(name: name, labelNames: labels, registry: self, floating: false)
        if labels.isEmpty { f.inc(by: .zero) }   // 无标签的计数器一开始就以 0 出现（告警规则的 rate() 需要起点）
        return f
    }

    /// 值可能超过 Int64 的计数器（wei）：swift-prometheus 的整数计数器会回绕，浮点计数器不会（Prometheus 本来就存 float64）。
    public func wideCounter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        declare(name, help: help, labels: labels)
        return CounterFamily(name: name, labelNames: labels, registry: self, floating: true)
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        declare(name, help: help, labels: labels)
        return GaugeFamily(name: name, labelNames: labels, registry: self)
    }

    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]) -> HistogramFamily {
        declare(name, help: help, labels: labels, buckets: buckets.sorted())
        return HistogramFamily(name: name, labelNames: labels, registry: self)
    }

    /// Prometheus 文本格式（exposition format 0.0.4），由 swift-prometheus 渲染。
    public func exposition() -> String { prometheus.emitToString() }

    /// 读回一个序列的当前值（测试与 `status` 用；解析的就是对外的 exposition，不另存一份）。
    public func sample(_ name: String, _ labels: [(String, String)] = []) -> Double? {
        let want = MetricsRegistry.labelText(labels.map { ($0.0, MetricsRegistry.sanitizeLabelValue($0.1)) })
        for line in exposition().split(separator: "\n") where !line.hasPrefix("#") {
            guard let sp = line.lastIndex(of: " ") else { continue }
            let series = line[..<sp]
            let (n, l): (Substring, String) = series.firstIndex(of: "{").map { (series[..<$0], String(series[$0...])) } ?? (series, "")
            if n == name && Self.sameLabels(l, want) { return Double(line[line.index(after: sp)...]) }
        }
        return nil
    }

    static func sameLabels(_ a: String, _ b: String) -> Bool {
        func parts(_ s: String) -> Set<String> {
            guard s.count >= 2 else { return [] }
            return Set(s.dropFirst().dropLast().split(separator: ",").map(String.init))
        }
        return parts(a) == parts(b)
    }

    static func labelText(_ pairs: [(String, String)]) -> String {
        pairs.isEmpty ? "" : "{" + pairs.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
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

    func dimensions(_ f: MetricFamilyInfo, _ values: [String]) -> [(String, String)] {
        precondition(values.count == f.labelNames.count, "指标 \(f.name) 需要 \(f.labelNames.count) 个标签值")
        return Array(zip(f.labelNames, values))
    }
}

/// 名字 → HELP 与直方图桶。只在启动时写，之后只读。
final class MetricCatalog: Sendable {
    // Mutex 保护的字典：注册在引擎初始化时，读取在任意 worker 线程。
    private let maps = Mutex<(help: [String: String], buckets: [String: [Double]])>(([:], [:]))
    func declare(_ name: String, help h: String, buckets b: [Double]?) {
        maps.withLock { m in
            m.help[name] = h
            if let b { m.buckets[name] = b }
        }
    }
    func help(_ name: String) -> String { maps.withLock { $0.help[name] ?? "" } }
    func buckets(_ name: String) -> [Double]? { maps.withLock { $0.buckets[name] } }
}

/// swift-metrics → swift-prometheus：与 swift-prometheus 自带的 PrometheusMetricsFactory 一样转发，
/// 另外按名字补 HELP、选桶，并在每个序列上再过一遍标签值兜底。
struct GuardedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let catalog: MetricCatalog

    private func dims(_ d: [(String, String)]) -> [(String, String)] {
        d.map { ($0.0, MetricsRegistry.sanitizeLabelValue($0.1)) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        registry.makeCounter(name: label, labels: dims(dimensions), help: catalog.help(label))
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dims(dimensions), help: catalog.help(label))
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        if !aggregate { return registry.makeGauge(name: label, labels: dims(dimensions), help: catalog.help(label)) }
        return registry.makeValueHistogram(name: label, labels: dims(dimensions), buckets: catalog.buckets(label) ?? [1],
                                           help: catalog.help(label))
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> MeterHandler {
        registry.makeGauge(name: label, labels: dims(dimensions), help: catalog.help(label))
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        let b = (catalog.buckets(label) ?? [1]).map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        return registry.makeDurationHistogram(name: label, labels: dims(dimensions), buckets: b, help: catalog.help(label))
    }
    func destroyCounter(_ handler: CounterHandler) {
        if let c = handler as? Prometheus.Counter { registry.unregisterCounter(c) }
    }
    func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) {
        if let c = handler as? Prometheus.Counter { registry.unregisterCounter(c) }
    }
    func destroyRecorder(_ handler: RecorderHandler) {
        if let g = handler as? Prometheus.Gauge { registry.unregisterGauge(g) }
        if let h = handler as? ValueHistogram { registry.unregisterValueHistogram(h) }
    }
    func destroyMeter(_ handler: MeterHandler) {
        if let g = handler as? Prometheus.Gauge { registry.unregisterGauge(g) }
    }
    func destroyTimer(_ handler: TimerHandler) {
        if let h = handler as? DurationHistogram { registry.unregisterDurationHistogram(h) }
    }
}

protocol MetricFamilyInfo {
    var name: String { get }
    var labelNames: [String] { get }
}

/// 计数器族：`inc(["ETH"])` 取（或建）该标签组合的 swift-metrics Counter 并加一。
public struct CounterFamily: MetricFamilyInfo, Sendable {
    public let name: String
    public let labelNames: [String]
    let registry: MetricsRegistry
    let floating: Bool

    public func inc(_ labels: [String] = [], by n: UInt256 = UInt256(1)) {
        let d = registry.dimensions(self, labels)
        if floating {
            FloatingPointCounter(label: name, dimensions: d, factory: registry.factory).increment(by: Self.double(n))
        } else {
            // 只用于笔数/次数：Int64 足够；超出说明调用方用错了族（金额请用 wideCounter）。
            let v = min(n.uint64 ?? UInt64(Int64.max), UInt64(Int64.max))
            Counter(label: name, dimensions: d, factory: registry.factory).increment(by: Int64(v))
        }
    }

    /// 当前值（读 exposition）。
    public func value(_ labels: [String] = []) -> Double { registry.sample(name, registry.dimensions(self, labels)) ?? 0 }

    static func double(_ n: UInt256) -> Double { Double(n.decimalString) ?? .infinity }
}

/// 可升可降的量（队列长度、扫块落后、熔断器状态）：swift-metrics 的 Gauge。
public struct GaugeFamily: MetricFamilyInfo, Sendable {
    public let name: String
    public let labelNames: [String]
    let registry: MetricsRegistry

    public func set(_ v: Double, _ labels: [String] = []) {
        Gauge(label: name, dimensions: registry.dimensions(self, labels), factory: registry.factory).record(v)
    }
    public func set(_ v: Int, _ labels: [String] = []) { set(Double(v), labels) }
    public func set(_ v: UInt64, _ labels: [String] = []) { set(Double(v), labels) }

    public func value(_ labels: [String] = []) -> Double? { registry.sample(name, registry.dimensions(self, labels)) }
}

/// 耗时直方图（秒）：swift-metrics 的 Timer，后端是 Prometheus 的 duration histogram（_bucket/_sum/_count，单位秒）。
public struct HistogramFamily: MetricFamilyInfo, Sendable {
    public let name: String
    public let labelNames: [String]
    let registry: MetricsRegistry

    public func observe(_ seconds: Double, _ labels: [String] = []) {
        Timer(label: name, dimensions: registry.dimensions(self, labels), factory: registry.factory).recordSeconds(max(0, seconds))
    }

    public func count(_ labels: [String] = []) -> UInt64 {
        UInt64(registry.sample(name + "_count", registry.dimensions(self, labels)) ?? 0)
    }
}
