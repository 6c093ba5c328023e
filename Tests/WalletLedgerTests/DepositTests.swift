import Testing
import WalletCrypto
@testable import WalletLedger

@Test func addressAssignmentIsStable() throws {
    let env = try Fixture.env()
    let a1 = try env.ledger.assignAddress(user: "u1", asset: "ETH")
    let a2 = try env.ledger.assignAddress(user: "u2", asset: "ETH")
    let again = try env.ledger.assignAddress(user: "u1", asset: "ETH")
    #expect(a1 == again)
    #expect(a1.index == 0 && a2.index == 1)
    #expect(a1.address != a2.address)
    #expect(a2.path == "m/44'/60'/0'/0/1")
    #expect(throws: LedgerError.unknownAsset("DOGE")) { try env.ledger.assignAddress(user: "u1", asset: "DOGE") }
}

@Test func depositLifecycleAndIdempotency() throws {
    let env = try Fixture.env()
    let l = env.ledger
    let addr = try l.assignAddress(user: "u1", asset: "ETH").address
    let obs = DepositObservation(txHash: "0xAA", logIndex: 0, address: addr, asset: "ETH", amount: ether, blockNumber: 10, blockHash: "0xb1")
    let d = try l.observeDeposit(obs)
    #expect(d.state == .seen && d.required == 3)
    #expect(try l.observeDeposit(obs) == d)  // 重放不变
    #expect(try l.updateConfirmations(depositID: d.id, confirmations: 1).state == .confirming)
    #expect(try l.available(user: "u1", asset: "ETH") == .zero)
    // 调用方给的所属用户（省一次读、决定拿哪个分片锁）不对：拒绝，什么都不写。
    #expect(throws: LedgerError.self) { _ = try l.updateConfirmations(depositID: d.id, confirmations: 3, user: "u2") }
    #expect(try l.store.deposit(id: d.id)?.state == .confirming && (try l.store.deposit(id: d.id)?.confirmations) == 1)
    let c = try l.updateConfirmations(depositID: d.id, confirmations: 3, user: "u1")
    #expect(c.state == .credited)
    #expect(try l.available(user: "u1", asset: "ETH") == ether)
    // 重放观察与确认都不会再入账。
    _ = try l.observeDeposit(obs)
    _ = try l.updateConfirmations(depositID: d.id, confirmations: 10)
    #expect(try l.available(user: "u1", asset: "ETH") == ether)
    #expect(try l.store.entryCount(kind: "deposit_credit", ref: nil) == 1)
    #expect(try l.check().isEmpty)
    // 列表分页与筛选
    #expect(try l.deposits(DepositFilter(state: .credited)).count == 1)
    #expect(try l.depositCount(DepositFilter(user: "nobody")) == 0)
}

@Test func dustIsRecordedNotCredited() throws {
    let env = try Fixture.env()
    let addr = try env.ledger.assignAddress(user: "u1", asset: "ETH").address
    let d = try env.ledger.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: addr, asset: "ETH",
                                                             amount: UInt256(999), blockNumber: 1, blockHash: "0x"))
    #expect(d.state == .dust)
    #expect(try env.ledger.updateConfirmations(depositID: d.id, confirmations: 100).state == .dust)
    #expect(try env.ledger.available(user: "u1", asset: "ETH") == .zero)
    // 钱确实在充值地址上：账上记入待处理（suspense），充值地址的账 = 链上，归集它也不会把账扣成负数（QA #4）。
    #expect(try env.ledger.balance(AccountRef(.depositAddress, "ETH", addr)).magnitude == UInt256(999))
    #expect(try env.ledger.balance(AccountRef(.suspense, "ETH", "dust")).magnitude == UInt256(999))
    // 重组：粉尘记录随之撤销；重新出块后仍是粉尘（绝不会因为重新出块而被入账给用户）。
    #expect(try env.ledger.orphanDeposit(id: d.id).state == .orphaned)
    #expect(try env.ledger.balance(AccountRef(.depositAddress, "ETH", addr)).magnitude == .zero)
    let again = try env.ledger.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: addr, asset: "ETH",
                                                                 amount: UInt256(999), blockNumber: 2, blockHash: "0xb"))
    #expect(again.state == .dust)
    #expect(try env.ledger.updateConfirmations(depositID: d.id, confirmations: 100).state == .dust)
    #expect(try env.ledger.available(user: "u1", asset: "ETH") == .zero)
    #expect(try env.ledger.balance(AccountRef(.suspense, "ETH", "dust")).magnitude == UInt256(999))
    #expect(try env.ledger.check().isEmpty)
}

@Test func reorgBeforeAndAfterCredit() throws {
    let env = try Fixture.env()
    let l = env.ledger
    let addr = try l.assignAddress(user: "u1", asset: "ETH").address
    let d1 = try l.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: addr, asset: "ETH", amount: ether, blockNumber: 5, blockHash: "0xa"))
    #expect(try l.orphanDeposit(id: d1.id).state == .orphaned)
    // 同一笔交易在新分支重新出块 → seen → 可入账一次
    let again = try l.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: addr, asset: "ETH", amount: ether, blockNumber: 6, blockHash: "0xc"))
    #expect(again.state == .seen && again.blockHash == "0xc")
    _ = try l.updateConfirmations(depositID: d1.id, confirmations: 3)
    // 用户把它拿去提现（尚未签名），再重组撤销：被撤销的充值不能继续支撑出账——未签名的提现被撤销、解冻、扣回，
    // 用户余额为 0，没有待追回（QA #2：此前这笔提现照样被批准并打款，热钱包账为负）。
    let w = try l.requestWithdrawal(WithdrawalRequest(requestID: "r1", user: "u1", asset: "ETH", amount: "0.6",
                                                      to: Fixture.destinations[0]), by: env.carol)
    #expect(w.state == .approved)  // small 规则：0 审批
    let r = try l.orphanDeposit(id: d1.id)
    #expect(r.state == .reversed)
    #expect(try l.withdrawal(id: w.id).state == .failed)
    #expect(try l.available(user: "u1", asset: "ETH") == .zero)
    #expect(try l.reorgDebt(user: "u1", asset: "ETH") == .zero)
    #expect(try l.alerts().contains { $0.kind == "deposit.reversed" && $0.message.contains("#\(w.id)") })
    #expect(try l.orphanDeposit(id: d1.id) == r)  // 幂等
    #expect(try l.check().isEmpty)
}

@Test func reorgAfterTheWithdrawalWasSignedLeavesADebtOnTheUser() throws {
    let env = try Fixture.env()
    let l = env.ledger
    let addr = try l.assignAddress(user: "u1", asset: "ETH").address
    let d1 = try l.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: addr, asset: "ETH", amount: ether, blockNumber: 5, blockHash: "0xa"))
    _ = try l.updateConfirmations(depositID: d1.id, confirmations: 3)
    let w = try l.requestWithdrawal(WithdrawalRequest(requestID: "r1", user: "u1", asset: "ETH", amount: "0.6",
                                                      to: Fixture.destinations[0]), by: env.carol)
    _ = try l.reserveNonce(withdrawalID: w.id, from: "0x3333333333333333333333333333333333333333")
    _ = try l.recordSigned(withdrawalID: w.id, rawTx: [1, 2, 3], txHash: "0xabc")
    // 已签名：nonce 已占用，不能撤销；差额记在该用户名下的重组待追回，并拒绝该用户的新提现。
    #expect(try l.orphanDeposit(id: d1.id).state == .reversed)
    #expect(try l.withdrawal(id: w.id).state == .signed)
    #expect(try l.reorgDebt(user: "u1", asset: "ETH") == UInt256(600_000_000_000_000_000))
    #expect(try l.balance(AccountRef(.reorgSuspense, "ETH", "u1")).magnitude == UInt256(600_000_000_000_000_000))
    #expect(throws: LedgerError.self) {
        try l.requestWithdrawal(WithdrawalRequest(requestID: "r2", user: "u1", asset: "ETH", amount: "0.000001",
                                                  to: Fixture.destinations[0]), by: env.carol)
    }
    #expect(try l.check().isEmpty)
    // 同一笔交易在新分支重新出块：被撤销的充值重新可入账；入账先还清欠款，剩余记入可用。
    let again = try l.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: addr, asset: "ETH", amount: ether, blockNumber: 7, blockHash: "0xd"))
    #expect(again.id == d1.id && again.state == .seen)
    #expect(try l.updateConfirmations(depositID: d1.id, confirmations: 3).state == .credited)
    #expect(try l.reorgDebt(user: "u1", asset: "ETH") == .zero)
    #expect(try l.available(user: "u1", asset: "ETH") == UInt256(400_000_000_000_000_000))
    #expect(try l.check().isEmpty)
    // 再次被孤立：第二次撤销，入账 2 次、撤销 2 次，仍自洽。
    #expect(try l.orphanDeposits(inBlocks: ["0xd"]).map(\.id) == [d1.id])
    #expect(try l.store.deposit(id: d1.id)?.state == .reversed)
    #expect(try l.check().isEmpty)
}

@Test func unknownDepositAddressIsRejected() throws {
    let env = try Fixture.env()
    let before = try Fixture.snapshot(env.ledger)
    #expect(throws: LedgerError.self) {
        try env.ledger.observeDeposit(DepositObservation(txHash: "0x1", logIndex: 0, address: "0x9999999999999999999999999999999999999999",
                                                         asset: "ETH", amount: ether, blockNumber: 1, blockHash: "0x"))
    }
    #expect(try Fixture.snapshot(env.ledger) == before)
}

@Test func finalizedPolicyAndOrphanFromBlock() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try l.addAsset(Asset(symbol: "FIN", decimals: 2, confirmations: 1, useFinalized: true))
    let addr = try l.assignAddress(user: "u1", asset: "FIN").address
    var ds: [Deposit] = []
    for b in 0..<4 {
        ds.append(try l.observeDeposit(DepositObservation(txHash: "0xf\(b)", logIndex: 0, address: addr, asset: "FIN",
                                                          amount: UInt256(100), blockNumber: 10 + Int64(b), blockHash: "0x\(b)")))
    }
    // 键集分页（入账循环用）：id 倒序、只要比游标小的；翻页期间前面的行改了状态也不跳过后面的。
    #expect(try l.deposits(DepositFilter(state: .seen, beforeID: ds[2].id), page: Page(limit: 1)).map(\.id) == [ds[1].id])
    #expect(try l.deposits(DepositFilter(beforeID: ds[0].id)).isEmpty)
    // 确认数再多，没有 finalized 也不入账
    #expect(try l.updateConfirmations(depositID: ds[0].id, confirmations: 1000).state == .confirming)
    #expect(try l.updateConfirmations(depositID: ds[0].id, confirmations: 1000, finalized: true).state == .credited)
    _ = try l.updateConfirmations(depositID: ds[3].id, confirmations: 5, finalized: true)
    // 高度 ≥ 12 的区块被孤立：#2（未入账）→ orphaned，#3（已入账）→ reversed；10、11 不受影响
    let hit = try l.orphanDeposits(fromBlock: 12)
    #expect(hit.map(\.state) == [.orphaned, .reversed])
    #expect(try l.deposits(DepositFilter(state: .credited, asset: "FIN")).map(\.id) == [ds[0].id])
    #expect(try l.available(user: "u1", asset: "FIN") == UInt256(100))
    #expect(try l.check().isEmpty)
}

@Test func chainIDIsFrozenOnceDepositsExist() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try l.setSetting(Ledger.Settings.chainID, "1")
    #expect(l.chain == "eip155:1")
    let d = try Fixture.credit(l, user: "u1", amount: ether)
    #expect(d.chain == "eip155:1")
    #expect(throws: LedgerError.self) { try l.setSetting(Ledger.Settings.chainID, "5") }
    try l.setSetting(Ledger.Settings.chainID, "1")  // 同值可以
    // 重新打开后仍按同一个键去重
    let reopened = Ledger(store: try Fixture.reopen(env.path))
    let again = try reopened.observeDeposit(DepositObservation(txHash: d.txHash, logIndex: 0, address: d.address, asset: "ETH",
                                                               amount: ether, blockNumber: 100, blockHash: "0xb"))
    #expect(again.id == d.id && again.state == .credited)
}
