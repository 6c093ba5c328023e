// ⚠️ 演示链的出块 worker：只在 config.json 的 chain.kind = "demo" 时存在（必须显式选择，界面与 status 标注 DEMO）。
// 演示链本身是 WalletChain.DemoChain（SimChain + 由种子决定的随机充值、代币、失败交易、假币、费用起伏、偶发重组；
// 我们签名的交易由模拟链验签后打包）。这里只做引擎侧的接线：开局给热钱包注资、把钱包当前的充值地址与白名单代币
// 告诉演示链、按配置间隔出块。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

public final class DemoChainDriver: EngineWorker, Sendable {
    public let name = "demo-chain"
    public let intervalMs: Int
    public let chain: DemoChain
    let gate: LedgerGate
    let config: EngineConfig

    public init(chain: DemoChain, gate: LedgerGate, config: EngineConfig) {
        self.chain = chain; self.gate = gate; self.config = config
        intervalMs = config.chain.demoBlockIntervalMs
        chain.sim.finalityDepth = UInt64(max(2, config.deposits.confirmations))
    }

    public var sim: SimChain { chain.sim }

    /// 开局：给热钱包注资（ETH 与白名单代币），先出几个块让手续费历史有数据。
    public func seedGenesis() throws {
        let hot = try ChainAddress(hex: config.hotWallet.address)
        let eth = UInt256(1_000_000_000_000_000_000)
        sim.fund(hot, eth * UInt256(500))
        for a in try gate.with({ l in try l.store.allAssets() }) {
            guard let c = a.contract, let contract = try? ChainAddress(hex: c) else { continue }
            var unit = UInt256(1)
            for _ in 0..<a.decimals { unit = unit * UInt256(10) }
            sim.fundToken(contract, hot, unit * UInt256(1_000_000))
        }
        for _ in 0..<5 { sim.mine([], gasUsedHint: 15_000_000) }
    }

    /// 把钱包当前的充值地址与白名单代币告诉演示链（新分配的地址下一块就可能收到演示充值）。
    func syncWatched() throws {
        let recs = try gate.with { l in try l.store.depositAddresses(fromIndex: 0, limit: 1_000_000) }
        chain.setWatched(try recs.map { try ChainAddress(hex: $0.address) })
        let tokens = try gate.with { l in try l.store.allAssets() }.compactMap { a in a.contract.flatMap { try? ChainAddress(hex: $0) } }
        chain.setTokens(tokens)
    }

    /// 出一个块（常驻时每轮一次；测试与 DemoHome 预热可直接调用）。
    @discardableResult
    public func step() throws -> ChainBlock {
        try syncWatched()
        return chain.step()
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let b = try step()
        return RoundReport(processed: 1, summary: "demo block \(b.number)")
    }
}
