// 页头显示集群（issue 13）：活着的引擎数、leader 与 signer 租约在谁手里；没人持有 leader（都在备用或都挂了）时醒目。
import Foundation
import Testing
import WalletCrypto
import WalletEngine
import WalletLedger
@testable import WalletConsole

@Suite struct ClusterHeaderTests {
    @Test func headerShowsEnginesAndLeaseHoldersInBothLanguages() async {
        let b = TestBackend()
        b.set { $0.headerValue.cluster = ClusterBadge(alive: 2, total: 2, leader: "hostA:11", signer: "hostB:22") }
        let (app, d) = await makeApp(b, size: Size(cols: 200, rows: 30))
        #expect(d.line(0).contains("引擎 2/2 · 主 hostA:11 · 签 hostB:22"), "页头：\(d.line(0))")
        // 同一台持有两份租约：只写一次。
        b.set { $0.headerValue.cluster = ClusterBadge(alive: 1, total: 2, leader: "hostA:11", signer: "hostA:11") }
        app.requestRefresh(); await app.settle(); app.render()
        #expect(d.line(0).contains("引擎 1/2 · 主 hostA:11Δ"), "变化带 Δ：\(d.line(0))")
        #expect(!d.line(0).contains("签 "))

        let en = TestBackend()
        en.set { $0.headerValue.cluster = ClusterBadge(alive: 2, total: 2, leader: "hostA:11", signer: "hostB:22") }
        let (_, de) = await makeApp(en, size: Size(cols: 200, rows: 30), lang: .en)
        #expect(de.line(0).contains("engines 2/2 · leader hostA:11 · signer hostB:22"), "header: \(de.line(0))")
    }

    @Test func nobodyHoldingTheLeaderLeaseIsFlagged() async {
        let b = TestBackend()
        b.set { $0.headerValue.cluster = ClusterBadge(alive: 0, total: 2, leader: nil, signer: nil) }
        let (_, d) = await makeApp(b, size: Size(cols: 200, rows: 30))
        let line = d.line(0)
        let r = try? #require(line.range(of: "引擎 0/2 · 主 —"), "页头：\(line)")
        guard let r else { return }
        let x = TextWidth.of(String(line[..<r.lowerBound]))
        #expect(d.screen[x, 0].style.reverse, "没有 leader：反显醒目")
        // 单机没登记过引擎：不显示这一格。
        let none = TestBackend()
        let (_, dn) = await makeApp(none, size: Size(cols: 200, rows: 30))
        #expect(!dn.line(0).contains("引擎 "))
    }

    /// 真实引擎：页头的集群一格来自库里的 engines 与 leases 表（status --json 的 cluster 一节同源）。
    @Test func clusterBadgeComesFromTheEngineRegistry() async throws {
        let path = NSTemporaryDirectory() + "/wc-cluster-\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000) % 1_000_000)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = try await DemoHome.create(at: path, blockIntervalMs: 500).engine
        let b = EngineConsoleBackend(engine: e, operator: try #require(try e.operatorNamed("demo")), readonly: false, lang: .zh)
        let now = Int64(Date().timeIntervalSince1970)
        try e.gate.with { l in
            try l.store.heartbeatEngine(EngineRecord(id: "eA", host: "hostA", pid: 11, version: "t", lockID: "", startedAt: now, heartbeatAt: now))
            try l.store.heartbeatEngine(EngineRecord(id: "eB", host: "hostB", pid: 22, version: "t", lockID: "", startedAt: now - 600, heartbeatAt: now - 600))
            _ = try l.store.acquireLease(name: "leader", holder: "eA", now: now, ttl: 10, presumedDead: nil)
            _ = try l.store.acquireLease(name: "signer:0xabc", holder: "eA", now: now, ttl: 10, presumedDead: nil)
        }
        let h = try await b.header()
        #expect(h.cluster == ClusterBadge(alive: 1, total: 2, leader: "hostA:11", signer: "hostA:11"), "\(String(describing: h.cluster))")
    }
}
