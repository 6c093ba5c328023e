// 性质测试：随机操作序列（充值、重组撤销、提现的批准/拒绝/过期/失败、归集），每一步之后不变量都成立。
import Testing
import WalletCrypto
@testable import WalletLedger

@Test(arguments: [1, 2, 3, 4] as [UInt64])
func randomSequencesKeepInvariants(seed: UInt64) throws {
    let env = try Fixture.env()
    let l = env.ledger
    var rng = SplitMix64(state: seed)
    let users = ["u0", "u1", "u2", "u3"]
    let assets = ["ETH", "USDT"]
    let approvers = [env.alice, env.bob, env.admin]
    let hot = "0x3333333333333333333333333333333333333333"
    // 链上真实可能的序列：热钱包两种资产都有运营注资（账上的链上资产账户不能为负，不变量 7）。
    try l.fundHotWallet(asset: "ETH", amount: ether * UInt256(1_000_000), ref: "seed", by: "admin")
    try l.fundHotWallet(asset: "USDT", amount: UInt256(1_000_000_000_000_000), ref: "seed", by: "admin")
    var tx = 0
    var sweepNonce: Int64 = 0
    var credits = 0
    for step in 0..<250 {
        let op = rng.int(10)
        do {
            switch op {
            case 0, 1:  // 新充值（偶尔粉尘）
                let u = users[rng.int(users.count)], a = assets[rng.int(2)]
                let addr = try l.assignAddress(user: u, asset: a).address
                tx += 1
                let amt = a == "ETH" ? UInt256(UInt64(rng.int(3000))) * UInt256(1_000_000_000_000_000) : UInt256(UInt64(rng.int(5_000_000_000)))
                _ = try l.observeDeposit(DepositObservation(txHash: "0x\(tx)", logIndex: rng.int(2), address: addr, asset: a,
                                                            amount: amt, blockNumber: Int64(step), blockHash: "0x\(step)"))
            case 2:  // 推进确认（含重放）
                for d in try l.deposits(DepositFilter(state: rng.int(2) == 0 ? .seen : .confirming), page: Page(limit: 5)) {
                    let c = try l.updateConfirmations(depositID: d.id, confirmations: d.confirmations + 1 + rng.int(6))
                    if c.state == .credited { credits += 1 }
                }
            case 3:  // 重组：随机撤销一笔
                let ds = try l.deposits(page: Page(limit: 20))
                if !ds.isEmpty { _ = try l.orphanDeposit(id: ds[rng.int(ds.count)].id) }
            case 4, 5:  // 发起提现（可能因余额/策略被拒，拒绝不改库）
                let u = users[rng.int(users.count)], a = assets[rng.int(2)]
                let amount = ["0.1", "0.5", "1", "3", "50", "150", "2000"][rng.int(7)]
                let before = try Fixture.snapshot(l)
                do {
                    _ = try l.requestWithdrawal(WithdrawalRequest(requestID: "r\(step)", user: u, asset: a, amount: amount,
                                                                  to: Fixture.destinations[rng.int(2)]), by: env.carol)
                } catch let e as LedgerError {
                    #expect(e.isBadInput)
                    #expect(try Fixture.snapshot(l) == before)
                }
            case 6:  // 审批或拒绝
                for w in try l.withdrawals(WithdrawalFilter(state: .awaitingApproval), page: Page(limit: 3)) {
                    if rng.int(4) == 0 { _ = try l.reject(withdrawalID: w.id, reason: "风控", by: env.alice) }
                    else { _ = try? l.approve(withdrawalID: w.id, by: approvers[rng.int(3)]) }
                }
            case 7:  // 执行：签名 → 广播 → 确认/失败；途中可能 unknown
                for w in try l.withdrawals(WithdrawalFilter(state: .approved), page: Page(limit: 3)) {
                    let n = try l.reserveNonce(withdrawalID: w.id, from: hot)
                    _ = try l.recordSigned(withdrawalID: w.id, rawTx: [UInt8(truncatingIfNeeded: n)], txHash: "0xsig\(w.id)")
                    _ = try l.beginBroadcast(withdrawalID: w.id)
                    if rng.int(3) == 0 { _ = try l.resolveUnknown(withdrawalID: w.id, foundOnChain: rng.int(2) == 0) }
                    if rng.int(2) == 0 { _ = try l.markBroadcast(withdrawalID: w.id) }
                }
                for w in try l.withdrawals(WithdrawalFilter(state: .broadcast), page: Page(limit: 3)) {
                    if rng.int(4) == 0 { _ = try l.markFailed(withdrawalID: w.id, fee: UInt256(21_000), reason: "reverted") }
                    else { _ = try l.markConfirmed(withdrawalID: w.id, fee: UInt256(21_000)) }
                }
            case 8:  // 时间流逝 + 过期
                env.clock.t += Int64(rng.int(2000))
                _ = try l.expireDue()
            default:  // 归集有余额的充值地址
                let accs = try l.balances(kind: .depositAddress, page: Page(limit: 50))
                    .filter { !$0.net.negative && !$0.net.magnitude.isZero }
                // ETH 地址的归集金额 = 余额 − 手续费（手续费由充值地址自己付，与真实归集规划一致）。
                if let a = accs.first(where: { $0.ref.asset != "ETH" || $0.net.magnitude > UInt256(10) }) {
                    sweepNonce += 1
                    let amount = a.ref.asset == "ETH" ? a.net.magnitude - UInt256(10) : a.net.magnitude
                    let s = try l.planSweep(address: a.ref.owner, nonce: sweepNonce, asset: a.ref.asset, amount: amount,
                                            fee: UInt256(10), topup: a.ref.asset == "ETH" ? .zero : UInt256(100))
                    if s.state == .toppingUpGas { _ = try l.sweepTopUpConfirmed(id: s.id) }
                    switch rng.int(4) {
                    case 0: _ = try l.sweepDefer(id: s.id, reason: "fee")
                    case 1: _ = try l.sweepBroadcast(id: s.id, txHash: "0xs\(s.id)"); _ = try l.sweepFailed(id: s.id, fee: UInt256(10), reason: "x")
                    default: _ = try l.sweepBroadcast(id: s.id, txHash: "0xs\(s.id)"); _ = try l.sweepConfirmed(id: s.id, fee: UInt256(10))
                    }
                }
            }
        }
        let v = try l.check()
        #expect(v.isEmpty, "seed \(seed) step \(step) op \(op): \(v)")
        if !v.isEmpty { break }
    }
    #expect(try l.verifyAudit().ok)
    // 序列确实走到了各个分支（否则这个测试证明不了什么）。
    #expect(credits > 5)
    #expect(try l.depositCount(DepositFilter(state: .reversed)) + l.depositCount(DepositFilter(state: .orphaned)) > 0)
    #expect(try l.withdrawalCount(WithdrawalFilter(state: .confirmed)) > 0)
    #expect(try l.withdrawalCount(WithdrawalFilter(state: .rejected)) + l.withdrawalCount(WithdrawalFilter(state: .expired)) > 0)
    #expect(try l.sweeps(state: .confirmed).count > 0)
}
