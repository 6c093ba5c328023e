// 指标：Prometheus 文本格式逐字比较；禁止高基数/隐私标签；HTTP 端点真实地走 socket。
import Foundation
import Testing
import WalletCrypto
@testable import WalletEngine

@Test func expositionHasHelpTypeAndExactValues() throws {
    let r = MetricsRegistry()
    let c = r.counter("wallet_deposits_credited_total", help: "credited deposits", labels: ["asset"])
    let w = r.wideCounter("wallet_fees_wei_total", help: "fees", labels: ["asset"])
    let g = r.gauge("wallet_scan_lag_blocks", help: "lag in blocks")
    let h = r.histogram("wallet_rpc_latency_seconds", help: "latency", labels: ["method"], buckets: [0.1, 1])
    c.inc(["ETH"]); c.inc(["ETH"]); c.inc(["US\"DT"])
    // 超过 Int64 的 wei：浮点计数器不回绕（整数计数器会）。
    w.inc(["ETH"], by: try UInt256(decimal: "100000000000000000000000"))
    g.set(3)
    h.observe(0.05, ["eth_call"]); h.observe(0.5, ["eth_call"]); h.observe(7, ["eth_call"])
    let text = r.exposition()
    for line in ["# HELP wallet_deposits_credited_total credited deposits", "# TYPE wallet_deposits_credited_total counter",
                 "wallet_deposits_credited_total{asset=\"ETH\"} 2", "wallet_deposits_credited_total{asset=\"US\\\"DT\"} 1",
                 "# TYPE wallet_scan_lag_blocks gauge", "wallet_scan_lag_blocks 3.0",
                 "# TYPE wallet_rpc_latency_seconds histogram",
                 "wallet_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"0.1\"} 1",
                 "wallet_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"1.0\"} 2",
                 "wallet_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"+Inf\"} 3",
                 "wallet_rpc_latency_seconds_count{method=\"eth_call\"} 3"] {
        #expect(text.split(separator: "\n").contains(Substring(line)), "缺少 \(line)\n\(text)")
    }
    #expect(c.value(["ETH"]) == 2)
    #expect(w.value(["ETH"]) == 1e23)
    #expect(g.value() == 3)
    #expect(h.count(["eth_call"]) == 3)
    #expect(abs((r.sample("wallet_rpc_latency_seconds_sum", [("method", "eth_call")]) ?? 0) - 7.55) < 1e-9)
}

@Test func addressesAndHashesNeverBecomeLabels() {
    let r = MetricsRegistry()
    let g = r.gauge("wallet_x", help: "x", labels: ["asset"])
    g.set(1, ["0x" + String(repeating: "a", count: 40)])
    g.set(1, [String(repeating: "b", count: 64)])
    let text = r.exposition()
    #expect(!text.contains("aaaaaaaaaa"))
    #expect(!text.contains("bbbbbbbbbb"))
    #expect(text.contains("_redacted_"))
    #expect(MetricsRegistry.forbiddenLabels.contains("tx_hash"))
    #expect(MetricsRegistry.forbiddenLabels.contains("address"))
    #expect(MetricsRegistry.forbiddenLabels.contains("user_id"))
}

@Test func engineMetricsExpose() {
    let m = EngineMetrics()
    m.depositsCredited.inc(["ETH"])
    m.sweepFeesPaidWei.inc(["ETH"], by: UInt256(21000 * 1_000_000_000))
    m.signerLatency.observe(0.002, ["hsm"])
    m.alerts.set(2, ["signer.unavailable"])
    let text = m.registry.exposition()
    #expect(text.contains("wallet_deposits_credited_total{asset=\"ETH\"} 1"))
    #expect(m.sweepFeesPaidWei.value(["ETH"]) == 21_000_000_000_000)
    #expect(text.contains("# TYPE wallet_rpc_latency_seconds histogram") || !text.contains("wallet_rpc_latency_seconds"))
    #expect(text.contains("wallet_signer_latency_seconds_count{tier=\"hsm\"} 1"))
    #expect(text.contains("wallet_alerts{kind=\"signer.unavailable\"} 2.0"))
    // 无标签计数器一开始就以 0 出现。
    #expect(text.contains("wallet_reorgs_total 0"))
}

/// promtool（Debian 的 prometheus 包）检查引擎的全部指标：名字、HELP/TYPE、直方图结构都合 Prometheus 的规矩。
@Test func promtoolAcceptsEngineMetrics() throws {
    let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    #expect(promtool != nil, "缺少 promtool：./install.sh --deps-only 会装 prometheus 包")
    guard let promtool else { return }
    let m = EngineMetrics()
    // 每个族都至少有一个序列，promtool 才看得到它们。
    m.depositsCredited.inc(["ETH"]); m.depositsSeen.inc(["ETH"]); m.depositsReversed.inc(["ETH"]); m.depositsOrphaned.inc(["ETH"])
    m.depositsSuspicious.inc(["fake_token"]); m.withdrawalsByState.set(1, ["approved"]); m.withdrawalTransitions.inc(["signed"])
    m.approvals.inc(["approve"]); m.sweepFeesPaidWei.inc(["ETH"], by: UInt256(42)); m.sweepsByDecision.set(2, ["sweep"])
    m.pendingJobs.set(0, ["jobs"]); m.deadJobs.set(0); m.scanLagBlocks.set(1); m.chainHead.set(10); m.scanHeight.set(9)
    m.scannerHalted.set(0); m.nonceGaps.set(0); m.reconciliationMismatches.set(0); m.alerts.set(1, ["deposit.reorg"])
    m.rpcLatency.observe(0.01, ["eth_blockNumber"]); m.rpcErrors.inc(["eth_call"]); m.breakerState.set(0, ["0"])
    m.workerRounds.inc(["scanner"]); m.workerErrors.inc(["scanner"]); m.workerRoundSeconds.observe(0.2, ["scanner"])
    m.sealed.set(0); m.signerHealthy.set(1); m.signerLatency.observe(0.003, ["encrypted-db"]); m.up.set(1)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: promtool)
    p.arguments = ["check", "metrics"]
    let inPipe = Pipe(), outPipe = Pipe()
    p.standardInput = inPipe; p.standardOutput = outPipe; p.standardError = outPipe
    try p.run()
    inPipe.fileHandleForWriting.write(Data(m.registry.exposition().utf8))
    try inPipe.fileHandleForWriting.close()
    let out = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "promtool check metrics 失败：\(out)")
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool 的提示：\(out)")
}

/// 用原始 socket 发一个 HTTP 请求（不借助 URLSession，验证的是我们自己的协议实现）。
func httpGet(port: UInt16, raw: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { throw EngineError("test.connect", zh: "连接失败", en: "connect failed") }
    _ = raw.withCString { send(fd, $0, strlen($0), 0) }
    var out = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

@Test func metricsEndpointServesOverLoopback() throws {
    let m = EngineMetrics()
    m.scanLagBlocks.set(7)
    let server = MetricsServer(render: { m.registry.exposition() })
    try server.start(port: 0)
    defer { server.stop() }
    #expect(server.port > 0)
    let ok = try httpGet(port: server.port, raw: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(ok.hasPrefix("HTTP/1.1 200 OK"))
    #expect(ok.contains("text/plain; version=0.0.4"))
    #expect(ok.contains("wallet_scan_lag_blocks 7"))
    #expect(try httpGet(port: server.port, raw: "GET /nope HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404"))
    #expect(try httpGet(port: server.port, raw: "POST /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405"))
    #expect(try httpGet(port: server.port, raw: "garbage\r\n\r\n").hasPrefix("HTTP/1.1 400"))
    // 同一端口第二次监听：清楚的错误而不是崩溃。
    let second = MetricsServer(render: { "" })
    #expect(throws: EngineError.self) { try second.start(port: server.port) }
}
