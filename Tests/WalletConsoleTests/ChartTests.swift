import Foundation
import Testing
import WalletCrypto
@testable import WalletConsole

/// issue 14：总览的走势图（btop 式）：base fee、小费（gwei）与充值速率。
@Suite struct ChartTests {
    @Test func multiRowBarsScaleFromZeroOrFromTheMinimum() {
        // 以 0 为底：0 是空列，4 是半高，8 是满高；不足宽度时右对齐。
        #expect(Sparkline.rows([0, 4, 8], width: 5, height: 2) == ["    █", "   ██"])
        // 以最小值为底：10 → 一格，12 → 满格，11 → 中间（手续费的小起伏看得见）。
        #expect(Sparkline.rows([10, 12, 11], width: 3, height: 1, fromZero: false) == ["▁█▅"])
        // 只取最后 width 个值。
        #expect(Sparkline.rows([8, 8, 8, 0], width: 2, height: 1) == ["█ "])
        #expect(Sparkline.rows([], width: 3, height: 2) == ["   ", "   "])
    }

    static func lines(_ d: HeadlessDriver) -> [String] { (0..<d.size.rows).map { d.line($0) } }

    @Test func tallDashboardDrawsBarChartsAndTheOutflowGauge() async {
        let b = TestBackend()
        b.set { $0.depositRate = [0, 1, 4]; $0.tipValues = [1, 3, 2] }
        let (_, d) = await makeApp(b, size: Size(cols: 120, rows: 40))
        let ls = Self.lines(d)
        #expect(ls[2].contains("走势（最近 30 块 / 30 分钟）"), "\(ls[2])")
        #expect(ls[3].contains("Base fee 18 gwei") && ls[3].contains("小费 1.5 gwei") && ls[3].contains("充值速率 4 笔/分钟"), "\(ls[3])")
        // 四张图以 │ 分隔：第三张是充值速率 [0, 1, 4]，4 行高：最右一列满高，倒数第二列只在最底一行（1/4 → 8 级中的 8 格 = 一整格）。
        func section(_ l: String, _ i: Int) -> String { l.split(separator: "│", omittingEmptySubsequences: false).map(String.init)[i] }
        #expect(ls[4...7].map { String(section($0, 3).suffix(3)) } == ["  █", "  █", "  █", " ██"], "\(ls[4...7].map { section($0, 3) })")
        // 图的格子用 sparkline 样式（主题里的走势色）。
        let x = TextWidth.of(ls[7].components(separatedBy: "│").prefix(4).joined(separator: "│")) - 1
        #expect(d.screen[x, 7].text == "█" && d.screen[x, 7].style.role == .sparkline, "\(d.screen[x, 7])")
        // 第四张：热钱包余额 vs 待出，每个资产一行；待出超过余额（USDT 250%）用告警色加粗。
        #expect(section(ls[3], 4).contains("待出 / 热钱包余额"), "\(ls[3])")
        #expect(section(ls[4], 4).contains("ETH") && section(ls[4], 4).contains("0.3%") && section(ls[4], 4).contains("█"), "\(ls[4])")
        let usdt = section(ls[5], 4)
        #expect(usdt.contains("USDT") && usdt.contains("250.0%") && !usdt.contains("░"), "\(usdt)")
        let px = TextWidth.of(String(ls[5][..<ls[5].range(of: "250.0%")!.lowerBound]))
        #expect(d.screen[px, 5].style.role == .bad && d.screen[px, 5].style.bold, "\(d.screen[px, 5])")
        // 四个面板还在图的下面。
        #expect(ls[9].contains("充值确认") && d.contains("密钥层级"))
    }

    @Test func smallDashboardDrawsOneLineSparklines() async {
        let b = TestBackend()
        let (_, d) = await makeApp(b, size: Size(cols: 80, rows: 24))
        let ls = Self.lines(d)
        #expect(ls[2].contains("走势") && ls[4].hasPrefix("└"), "\(ls[2...4])")
        #expect(ls[3].contains("Base fee ") && ls[3].contains("18 gwei") && ls[3].contains("小费") && ls[3].contains("4 笔/分钟"), "\(ls[3])")
        #expect(ls[3].contains("▁") && ls[3].contains("█"), "\(ls[3])")
        #expect(ls[5].contains("充值确认") && d.contains("归集估算"))
        // 矮终端没有第四张图：待出超过余额的资产写在标题上（反显告警色）。
        #expect(ls[2].contains("⚠ 待出超过热钱包余额：USDT 250%") && !ls[2].contains("ETH"), "\(ls[2])")
        let wx = TextWidth.of(String(ls[2][..<ls[2].range(of: "⚠ 待出")!.lowerBound]))
        #expect(d.screen[wx, 2].style.role == .bad && d.screen[wx, 2].style.reverse)
        // 都够付时不写。
        b.set { $0.outflowValue = [OutflowGauge(asset: "ETH", balance: "500 ETH", pending: "1 ETH", ratio: 0.002)] }
        let (_, d2) = await makeApp(b, size: Size(cols: 80, rows: 24))
        #expect(!d2.line(2).contains("待出"), "\(d2.line(2))")
    }

    @Test func englishCharts() async {
        let (_, d) = await makeApp(TestBackend(), size: Size(cols: 120, rows: 40), lang: .en)
        let ls = Self.lines(d)
        #expect(ls[2].contains("Trends (last 30 blocks / 30 minutes)") && ls[3].contains("Tip 1.5 gwei") && ls[3].contains("Deposit rate 4/min")
                && ls[3].contains("Pending out / hot balance"), "\(ls[2...3])")
    }
}
