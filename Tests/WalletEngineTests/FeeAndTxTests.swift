// 纯函数：ERC-20 调用数据、提现费用档的上限、卡住替换的加价规则。
import Foundation
import Testing
import WalletChain
import WalletCrypto
@testable import WalletEngine

@Test func erc20TransferCalldataMatchesABI() throws {
    let to = try Hex.decode("52908400098527886e0f7030069857d2e4169ee7")
    let data = TxBuilder.erc20Transfer(to: to, amount: UInt256(1_000_000))
    // keccak("transfer(address,uint256)")[0..4] = a9059cbb；两个 32 字节参数。
    #expect(Hex.encode(data) == "a9059cbb" + "000000000000000000000000" + "52908400098527886e0f7030069857d2e4169ee7"
            + String(repeating: "0", count: 58) + "0f4240")
    #expect(Hex.encode(Array(Keccak.keccak256(Array("transfer(address,uint256)".utf8)).prefix(4))) == "a9059cbb")
    #expect(Hex.encode(Array(Keccak.keccak256(Array("balanceOf(address)".utf8)).prefix(4))) == Hex.encode(TxBuilder.erc20BalanceOf(to).prefix(4)))
}

func oracle(cap: UInt64 = 100_000_000_000, tipCap: UInt64 = 10_000_000_000, bump: Int = 12) -> FeeOracle {
    var s = FeeSettings()
    s.maxFeePerGasCap = UInt256(cap); s.maxPriorityFeeCap = UInt256(tipCap); s.replacementBumpPercent = bump
    return FeeOracle(client: SimChain(chainId: 1), settings: s)
}

@Test func replacementBumpsBothFeesAtLeastTheConfiguredPercent() throws {
    let o = oracle()
    let old = GasPrice(maxFeePerGas: UInt256(30_000_000_000), maxPriorityFeePerGas: UInt256(1_000_000_001))
    let r = try #require(o.replacementTier(old: old, current: nil))
    #expect(r.maxFeePerGas * UInt256(100) >= old.maxFeePerGas * UInt256(112))
    #expect(r.maxPriorityFeePerGas * UInt256(100) >= old.maxPriorityFeePerGas * UInt256(112))   // 向上取整，不因舍入少于 12%
    #expect(r.maxFeePerGas >= r.maxPriorityFeePerGas)
}

@Test func replacementNeverExceedsCaps() {
    let o = oracle(cap: 40_000_000_000)
    let old = GasPrice(maxFeePerGas: UInt256(38_000_000_000), maxPriorityFeePerGas: UInt256(1_000_000_000))
    #expect(o.replacementTier(old: old, current: nil) == nil)     // 38 × 1.12 > 40 gwei 上限：不替换
    let tipCapped = oracle(tipCap: 1_050_000_000)
    #expect(tipCapped.replacementTier(old: old, current: nil) == nil)
}

@Test func withdrawalTierRespectsCaps() async throws {
    let sim = SimChain(chainId: 1)
    for _ in 0..<5 { sim.mine([], gasUsedHint: 20_000_000) }
    var s = FeeSettings()
    let e = try await FeeOracle(client: sim, settings: s).refresh()
    #expect(FeeOracle(client: sim, settings: s).withdrawalTier(e) != nil)
    s.maxFeePerGasCap = UInt256(1)   // 比任何估算都低：不签名
    #expect(FeeOracle(client: sim, settings: s).withdrawalTier(e) == nil)
}
