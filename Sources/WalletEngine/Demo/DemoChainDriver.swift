// ⚠️ 演示链出块器：只在 config.json 的 chain.kind = "demo" 时存在（必须显式选择，界面与 status 标注 DEMO）。
// 在进程内的 WalletChain.SimChain 上每隔 demoBlockIntervalMs 出一个块：往钱包的充值地址随机打 ETH 与代币、
// 夹带失败交易与假币合约的 Transfer、让基础费起伏、偶尔制造 1–2 块的重组；我们签名的交易由模拟链验签后打包。
// “随机”来自配置里的种子（确定性序列，同一种子同一剧情），不是密码学随机数——这里不产生任何机密。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

/// SplitMix64：演示剧情用的确定性序列（不可用于任何机密）。
struct DemoSequence {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// [0, n)
    mutating func below(_ n: UInt64) -> UInt64 { n == 0 ? 0 : next() % n }
}

public final class DemoChainDriver: EngineWorker, @unchecked Sendable {
    public let name = "demo-chain"
    public let intervalMs: Int
    public let sim: SimChain
    let gate: LedgerGate
    let config: EngineConfig
    private let seq: Protected<DemoSequence>
    /// 演示用的外部付款人与假币合约（固定地址，便于在界面上认出）。
    static let payer = try! ChainAddress(hex: "0x00000000000000000000000000000000000d3e00")
    static let fakeToken = try! ChainAddress(hex: "0x00000000000000000000000000000000000fa1e0")

    public init(sim: SimChain, gate: LedgerGate, config: EngineConfig) {
        self.sim = sim; self.gate = gate; self.config = config
        intervalMs = config.chain.demoBlockIntervalMs
        seq = Protected(DemoSequence(seed: config.chain.demoSeed))
        sim.finalityDepth = UInt64(max(2, config.deposits.confirmations))
    }

    /// 开局：给热钱包与外部付款人注资，并先出几个块让手续费历史有数据。
    public func seedGenesis() throws {
        let hot = try ChainAddress(hex: config.hotWallet.address)
        let eth = UInt256(1_000_000_000_000_000_000)
        sim.fund(hot, eth * UInt256(500))
        sim.fund(Self.payer, eth * UInt256(1_000_000))
        for a in try gate.with({ l in try l.store.allAssets() }) {
            guard let c = a.contract, let contract = try? ChainAddress(hex: c) else { continue }
            var unit = UInt256(1)
            for _ in 0..<a.decimals { unit = unit * UInt256(10) }
            sim.fundToken(contract, hot, unit * UInt256(1_000_000))
            sim.fundToken(contract, Self.payer, unit * UInt256(100_000_000))
        }
        for _ in 0..<5 { sim.mine([], gasUsedHint: 15_000_000) }
    }

    func depositAddresses() throws -> [ChainAddress] {
        let n = try gate.with { l in try l.store.nextDepositIndex() }
        let d = XpubDepositDeriver(xpub: config.deposits.xpub)
        return try (0..<n).map { try ChainAddress(hex: try d.derive(index: $0).address) }
    }

    /// 出一个块（常驻时每轮一次；测试可直接调用）。
    @discardableResult
    public func step() throws -> String {
        let addrs = try depositAddresses()
        let tokens = try gate.with { l in try l.store.allAssets() }.compactMap { a -> (ChainAddress, Int)? in
            guard let c = a.contract, let x = try? ChainAddress(hex: c) else { return nil }
            return (x, a.decimals)
        }
        return seq.write { r -> String in
            // 偶尔重组（约 1/25 的块）：丢掉最近 1–2 块、换一条新分支。
            if sim.head.number > 12 && r.below(25) == 0 {
                let depth = Int(1 + r.below(2))
                sim.reorg(depth: depth)
                return "reorg depth=\(depth)"
            }
            var transfers: [SimTransfer] = []
            if !addrs.isEmpty {
                let count = Int(r.below(3))
                for _ in 0..<count {
                    let to = addrs[Int(r.below(UInt64(addrs.count)))]
                    let roll = r.below(10)
                    if roll < 5 || tokens.isEmpty {
                        // 0.01–2 ETH
                        let milli = 10 + r.below(1990)
                        transfers.append(.native(from: Self.payer, to: to, value: UInt256(milli) * UInt256(1_000_000_000_000_000),
                                                 success: roll != 0))
                    } else if roll < 9 {
                        let (c, dec) = tokens[Int(r.below(UInt64(tokens.count)))]
                        var unit = UInt256(1)
                        for _ in 0..<dec { unit = unit * UInt256(10) }
                        transfers.append(.token(contract: c, from: Self.payer, to: to, amount: UInt256(1 + r.below(5000)) * unit,
                                                success: true))
                    } else {
                        // 假币：不在白名单的合约发出的 Transfer（扫描器记为可疑并忽略）。
                        transfers.append(.token(contract: Self.fakeToken, from: Self.payer, to: to,
                                                amount: UInt256(1_000_000) * UInt256(1_000_000_000_000), success: true))
                    }
                }
            }
            // 手续费起伏：gasUsed 在 10%–90% 之间摆动，基础费随 EIP-1559 公式涨跌。
            let hint = 3_000_000 + r.below(24_000_000)
            let b = sim.mine(transfers, gasUsedHint: hint)
            return "block \(b.number) transfers=\(transfers.count)"
        }
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        let s = try step()
        return RoundReport(processed: 1, summary: s)
    }
}
