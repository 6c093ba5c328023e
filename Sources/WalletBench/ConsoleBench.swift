// console 节：无头驱动上的帧时间（10 万行列表滚动）与首帧时间。
// 基线：不虚拟化的列表——每帧把全部 N 行格式化成表格行再画可见部分（多数简易 TUI 的做法）。
// 数据来自本文件内的基准夹具（内存数组分页）；真实后端由引擎波次接入，届时可换成 demo 引擎。
import Foundation
import WalletConsole

struct ConsoleBench: BenchSection {
    let name = "console"

    func run(options: BenchOptions) {
        let n = options.n
        let fixture = BenchFixtureBackend(rows: n)
        let size = Size(cols: 120, rows: 40)
        let strings = Strings(.zh)
        let theme = BuiltinThemes.fallback.resolved(for: .truecolor)
        let frames = 300

        // —— 本实现：虚拟化表格 + 差异输出 ——
        var bestOurs = Double.infinity
        var written = 0
        for _ in 0..<options.rounds {
            let view = WithdrawalsView(strings: strings)
            let driver = HeadlessDriver(size: size)
            var front: CellBuffer?
            let ctx = RenderContext(strings: strings, role: .approver, keymap: KeyMap(), header: nil)
            let t0 = Date()
            for f in 0..<frames {
                if f > 0 { _ = view.handle(f % 50 == 0 ? .pageDown : .down) }
                if case .withdrawals(let q)? = view.dataRequest(), view.table.needsPage(height: view.tableHeight) || f == 0 {
                    view.apply(.withdrawals(fixture.page(q)))
                }
                var buf = CellBuffer(size: size)
                view.render(into: &buf, rect: Rect(x: 0, y: 2, width: size.cols, height: size.rows - 3), ctx: ctx)
                let changes = buf.diff(from: front)
                driver.apply(changes, theme: theme)
                front = buf
            }
            bestOurs = min(bestOurs, Date().timeIntervalSince(t0))
            written = driver.cellsWritten
            precondition(view.table.total == n && view.table.lastDrawnRows <= size.rows, "虚拟化失效")
        }

        // —— 基线：每帧格式化全部行 ——
        var bestBase = Double.infinity
        let baseFrames = max(3, min(frames, 3_000_000 / max(1, n)))
        for _ in 0..<options.rounds {
            let t0 = Date()
            var cursor = 0
            for _ in 0..<baseFrames {
                cursor += 1
                let all = fixture.rows.map { w in [w.id, w.asset, w.amount.display, TextWidth.shortAddress(w.destination), "\(w.approvalsGiven)/\(w.approvalsRequired)", w.state.rawValue, w.requestedBy] }
                var buf = CellBuffer(size: size)
                for (i, r) in all[cursor..<min(all.count, cursor + size.rows - 5)].enumerated() {
                    buf.put(r.joined(separator: " "), x: 2, y: 3 + i, maxWidth: size.cols - 4)
                }
            }
            bestBase = min(bestBase, Date().timeIntervalSince(t0))
        }
        let oursMs = bestOurs / Double(frames) * 1000
        let baseMs = bestBase / Double(baseFrames) * 1000
        print(String(format: "控制台帧时间（%d 行提现列表，120x40，滚动 %d 帧）：本实现 %.3f ms/帧（平均写出 %d 格/帧）  基线（不虚拟化）%.3f ms/帧  快 %.1f 倍  %@",
                     n, frames, oursMs, written / frames, baseMs, baseMs / oursMs, oursMs < 16.7 ? "✓ < 16.7 ms（60 fps）" : "✗ ≥ 16.7 ms"))

        // —— 首帧时间：构造应用 → 首轮后台刷新 → 画出首帧 ——
        var bestFirst = Double.infinity
        for _ in 0..<options.rounds {
            let t0 = Date()
            let driver = HeadlessDriver(size: size)
            let app = ConsoleApp(backend: fixture, driver: driver, config: ConsoleConfig())
            app.requestRefresh()
            let sem = DispatchSemaphore(value: 0)
            let box = AppBox(app)
            Task.detached { await box.app.settle(); sem.signal() }
            sem.wait()
            app.render()
            bestFirst = min(bestFirst, Date().timeIntervalSince(t0))
            precondition(driver.contains("待审提现"), "首帧缺少面板")
        }
        print(String(format: "控制台首帧时间（无头驱动，120x40，总览四面板）：%.2f ms  %@", bestFirst * 1000,
                     bestFirst < 0.1 ? "✓ < 100 ms" : "✗ ≥ 100 ms"))
    }
}

// @unchecked Sendable：ConsoleApp 不是 Sendable；盒子交给分离任务时，创建它的线程阻塞在 sem.wait()，直到任务用完才继续用 app。
final class AppBox: @unchecked Sendable { let app: ConsoleApp; init(_ a: ConsoleApp) { app = a } }

/// 基准夹具：内存中的 N 条提现，按 PageQuery 分页。只用于基准，不是产品后端。
final class BenchFixtureBackend: ConsoleBackend, Sendable {
    let rows: [WithdrawalRow]
    init(rows n: Int) {
        rows = (0..<n).map { i in
            WithdrawalRow(id: "w\(i)", asset: i % 3 == 0 ? "USDT" : "ETH",
                          amount: AmountText(display: "\(i % 97).\(String(format: "%06d", i % 1_000_000)) ETH", baseUnits: "\(i)"),
                          destination: String(format: "0x%040x", i), state: .pending, approvalsGiven: i % 2, approvalsRequired: 2,
                          requestedBy: i % 5 == 0 ? "张三" : "bob", ageSeconds: i % 86_400, urgency: n - i)
        }
    }
    func page(_ q: PageQuery) -> Page<WithdrawalRow> {
        let start = min(q.offset, rows.count)
        return Page(rows: Array(rows[start..<min(rows.count, start + q.limit)]), total: rows.count, offset: start)
    }
    func header() async throws -> HeaderSnapshot {
        HeaderSnapshot(chainId: 1337, headHeight: 1, scanLag: 0, node: .ok, breaker: .closed, seal: .unsealed, operatorName: "bench", role: .approver)
    }
    func dashboard(rowsPerPanel: Int) async throws -> DashboardModel {
        DashboardModel(deposits: Page(rows: [], total: 0, offset: 0), withdrawals: page(PageQuery(offset: 0, limit: rowsPerPanel)),
                       sweeps: Page(rows: [], total: 0, offset: 0), fees: FeeHistory(baseFeePerGas: [1, 2, 3], latestDisplay: "3 gwei"),
                       keys: KeysModel(seal: .unsealed, tiers: []))
    }
    func deposits(_ q: PageQuery) async throws -> Page<DepositRow> { Page(rows: [], total: 0, offset: 0) }
    func withdrawals(_ q: PageQuery) async throws -> Page<WithdrawalRow> { page(q) }
    func withdrawalDetail(id: String) async throws -> WithdrawalDetail { throw BenchUnsupported() }
    func bulkPreview(ids: [String]) async throws -> BulkPreview { throw BenchUnsupported() }
    func sweeps(_ q: PageQuery) async throws -> Page<SweepPlanRow> { Page(rows: [], total: 0, offset: 0) }
    func feeHistory() async throws -> FeeHistory { FeeHistory(baseFeePerGas: [], latestDisplay: "") }
    func keys() async throws -> KeysModel { KeysModel(seal: .unsealed, tiers: []) }
    func audit(_ q: PageQuery) async throws -> Page<AuditRow> { Page(rows: [], total: 0, offset: 0) }
    func deadLetters(_ q: PageQuery) async throws -> Page<DeadLetterRow> { Page(rows: [], total: 0, offset: 0) }
    func perform(_ action: ConsoleAction) async throws -> ActionOutcome { throw BenchUnsupported() }
    func cliTwin(for action: ConsoleAction) -> String { "" }
    func startCeremony() async throws -> any CeremonySession { throw BenchUnsupported() }
}

struct BenchUnsupported: Error {}
