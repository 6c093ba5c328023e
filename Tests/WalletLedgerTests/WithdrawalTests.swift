import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

func req(_ id: String, _ amount: String, user: String = "u1", asset: String = "ETH", to: String = Fixture.destinations[0]) -> WithdrawalRequest {
    WithdrawalRequest(requestID: id, user: user, asset: asset, amount: amount, to: to)
}

@Test func fullWithdrawalLifecycleWithTwoApprovals() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(500))
    try l.fundHotWallet(asset: "ETH", amount: ether * UInt256(1000), ref: "seed", by: "admin")
    var w = try l.requestWithdrawal(req("big", "150"), by: env.carol)
    #expect(w.state == .awaitingApproval && w.approvalsRequired == 2 && w.rule == "large")
    #expect(try l.frozen(user: "u1", asset: "ETH") == ether * UInt256(150))
    #expect(throws: LedgerError.selfApproval("carol")) { try l.approve(withdrawalID: w.id, by: env.carol) }
    w = try l.approve(withdrawalID: w.id, by: env.alice)
    #expect(w.state == .awaitingApproval)
    #expect(throws: LedgerError.duplicateApproval("alice")) { try l.approve(withdrawalID: w.id, by: env.alice) }
    w = try l.approve(withdrawalID: w.id, by: env.bob)
    #expect(w.state == .approved)
    let hot = "0x3333333333333333333333333333333333333333"
    let n = try l.reserveNonce(withdrawalID: w.id, from: hot)
    #expect(try l.reserveNonce(withdrawalID: w.id, from: hot) == n)
    w = try l.recordSigned(withdrawalID: w.id, rawTx: [1, 2, 3], txHash: "0xabc")
    #expect(w.state == .signed)
    #expect(throws: LedgerError.alreadySigned(w.id)) { try l.recordSigned(withdrawalID: w.id, rawTx: [9], txHash: "0xdef") }
    #expect(try l.recordSigned(withdrawalID: w.id, rawTx: [1, 2, 3], txHash: "0xabc").txHash == "0xabc")
    #expect(try l.beginBroadcast(withdrawalID: w.id).state == .unknown)
    #expect(try l.resolveUnknown(withdrawalID: w.id, foundOnChain: false).state == .signed)
    _ = try l.beginBroadcast(withdrawalID: w.id)
    #expect(try l.resolveUnknown(withdrawalID: w.id, foundOnChain: true).state == .broadcast)
    w = try l.markConfirmed(withdrawalID: w.id, fee: UInt256(21000 * 1_000_000_000))
    #expect(w.state == .confirmed)
    #expect(try l.frozen(user: "u1", asset: "ETH") == .zero)
    #expect(try l.available(user: "u1", asset: "ETH") == ether * UInt256(350))
    #expect(try l.balance(AccountRef(.feeExpense, "ETH")).magnitude == UInt256(21000 * 1_000_000_000))
    #expect(try l.check().isEmpty)
    #expect(try l.verifyAudit().ok)
}

@Test func rejectExpireAndFailUnfreeze() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(100))
    try l.fundHotWallet(asset: "ETH", amount: ether, ref: "gas", by: "admin")   // 失败交易的手续费由热钱包付
    let a = try l.requestWithdrawal(req("a", "10"), by: env.carol)
    let b = try l.requestWithdrawal(req("b", "20"), by: env.carol)
    let c = try l.requestWithdrawal(req("c", "0.5"), by: env.carol)
    #expect(try l.frozen(user: "u1", asset: "ETH") == (try Fixture.eth.parse("30.5")))
    #expect(throws: LedgerError.self) { try l.reject(withdrawalID: a.id, reason: " ", by: env.alice) }
    #expect(try l.reject(withdrawalID: a.id, reason: "可疑", by: env.alice).state == .rejected)
    env.clock.t += 4000
    #expect(throws: LedgerError.self) { try l.approve(withdrawalID: b.id, by: env.alice) }
    #expect(try l.expireDue() == 2)
    #expect(try l.withdrawal(id: b.id).state == .expired)
    #expect(try l.withdrawal(id: c.id).state == .expired)
    #expect(try l.frozen(user: "u1", asset: "ETH") == .zero)
    let d = try l.requestWithdrawal(req("d", "0.5"), by: env.carol)
    _ = try l.reserveNonce(withdrawalID: d.id, from: "0x3333333333333333333333333333333333333333")
    _ = try l.recordSigned(withdrawalID: d.id, rawTx: [1], txHash: "0x01")
    _ = try l.beginBroadcast(withdrawalID: d.id)
    _ = try l.markBroadcast(withdrawalID: d.id)
    #expect(try l.markFailed(withdrawalID: d.id, fee: UInt256(5), reason: "reverted").state == .failed)
    #expect(try l.available(user: "u1", asset: "ETH") == ether * UInt256(100))
    #expect(try l.check().isEmpty)
    #expect(try l.withdrawalCount(WithdrawalFilter(state: .expired)) == 2)
}

@Test func approvalsExpire() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(500))
    let w = try l.requestWithdrawal(req("x", "150"), by: env.carol)
    _ = try l.approve(withdrawalID: w.id, by: env.alice)
    env.clock.t += 601  // alice 的审批过期
    #expect(try l.approve(withdrawalID: w.id, by: env.bob).state == .awaitingApproval)
    #expect(try l.withdrawal(id: w.id).approvals.count == 2)
    // alice 重新批准：替换她过期的那条，凑够 2 人
    let again = try l.approve(withdrawalID: w.id, by: env.alice)
    #expect(again.state == .approved && again.approvals.count == 2)
    #expect(try l.withdrawal(id: w.id).approvals.map(\.operatorName).sorted() == ["alice", "bob"])
}

@Test func viewerCannotActAndRolesAreEnforced() throws {
    let env = try Fixture.env()
    let v = try env.ledger.addOperator(name: "vic", role: .viewer, passphrase: SecretBytes(Array("12345678".utf8)),
                                       by: env.admin, kdf: ScryptParams(n: 16, r: 1, p: 1))
    #expect(throws: LedgerError.self) { try env.ledger.requestWithdrawal(req("v", "1"), by: v) }
    #expect(throws: LedgerError.self) { try env.ledger.allowlistActivate(Fixture.destinations[0], by: env.alice) }
    #expect(throws: LedgerError.self) {
        try env.ledger.addOperator(name: "x", role: .admin, passphrase: SecretBytes(Array("12345678".utf8)), by: env.alice)
    }
}

@Test func badInputLeavesDatabaseUnchanged() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(5))
    _ = try l.requestWithdrawal(req("dup", "0.1"), by: env.carol)
    let before = try Fixture.snapshot(l)
    let cases: [(WithdrawalRequest, LedgerError)] = [
        (req("n1", "-1"), .amountNegative("-1")),
        (req("n2", "0.0000000000000000001"), .amountTooPrecise("0.0000000000000000001", decimals: 18)),
        (req("n3", "1157920892373161954235709850086879078532699846656405640394575840079131296399361"), .amountOverflow("1157920892373161954235709850086879078532699846656405640394575840079131296399361")),
        (req("n4", "1", asset: "DOGE"), .unknownAsset("DOGE")),
        (req("n5", "1", to: "0x123"), .invalidAddress("0x123")),
        (req("n6", "1", to: "0x52908400098527886E0F7030069857D2E4169EE7"), .notAllowlisted("0x52908400098527886e0f7030069857d2e4169ee7")),
        (req("n7", "0"), .amountZero),
        (req("dup", "0.2"), .duplicateRequest("dup")),
        (req("n8", "4.95"), .insufficientBalance(user: "u1", asset: "ETH", available: "4.9", requested: "4.95")),
        (req("n9", "1", to: "0x9999999999999999999999999999999999999999"), .notAllowlisted("0x9999999999999999999999999999999999999999")),
        (req("n10", "5000"), .policyBlocked(rule: "block-huge")),
    ]
    for (r, e) in cases {
        #expect(throws: e) { try l.requestWithdrawal(r, by: env.carol) }
        #expect(try Fixture.snapshot(l) == before, "\(r.requestID) 改动了数据库")
    }
    // EIP-55：翻转一个字母的大小写 → 校验失败；正确的校验和 → 通过校验（再因不在白名单被拒）。
    #expect(throws: LedgerError.badChecksum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")) {
        try l.requestWithdrawal(req("n11", "1", to: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), by: env.carol)
    }
    #expect(throws: LedgerError.notAllowlisted("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")) {
        try l.requestWithdrawal(req("n12", "1", to: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), by: env.carol)
    }
    #expect(try Fixture.snapshot(l) == before)
    // 同一请求重放：返回原记录
    #expect(try l.requestWithdrawal(req("dup", "0.1"), by: env.carol).requestID == "dup")
    #expect(try Fixture.snapshot(l) == before)
}

@Test func allowlistCoolingOff() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether)
    let fresh = "0x4444444444444444444444444444444444444444"
    _ = try l.allowlistAdd(fresh, by: env.alice)
    #expect(throws: LedgerError.notAllowlisted(fresh)) { try l.requestWithdrawal(req("a", "0.1", to: fresh), by: env.carol) }
    _ = try l.allowlistActivate(fresh, by: env.admin)
    #expect(throws: LedgerError.coolingOff(fresh, until: env.clock.t + 100)) { try l.requestWithdrawal(req("a", "0.1", to: fresh), by: env.carol) }
    env.clock.t += 100
    #expect(try l.requestWithdrawal(req("a", "0.1", to: fresh), by: env.carol).state == .approved)
}

@Test func velocityLimitFallsThroughToStricterRule() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(10))
    #expect(try l.requestWithdrawal(req("v1", "1"), by: env.carol).rule == "small")
    #expect(try l.requestWithdrawal(req("v2", "0.9"), by: env.carol).rule == "small")
    let third = try l.requestWithdrawal(req("v3", "0.5"), by: env.carol)  // 窗口内 2.4 > 2
    #expect(third.rule == "medium" && third.state == .awaitingApproval)
    let second = try l.withdrawal(requestID: "v2")
    #expect(try l.velocityUsage(second).perUser == (try Fixture.eth.parse("2.4")))
    #expect(try l.allowlistEntry(Fixture.destinations[0])?.activatedBy == "admin")
    env.clock.t += 3601
    #expect(try l.requestWithdrawal(req("v4", "0.5"), by: env.carol).rule == "small")
}

@Test func sweepLifecycle() throws {
    let env = try Fixture.env()
    let l = env.ledger
    let d = try Fixture.credit(l, user: "u1", asset: "USDT", amount: UInt256(5_000_000))
    try l.fundHotWallet(asset: "ETH", amount: ether, ref: "gas", by: "admin")
    let s = try l.planSweep(address: d.address, nonce: 0, asset: "USDT", amount: UInt256(5_000_000), fee: UInt256(100), topup: UInt256(1000))
    #expect(s.state == .toppingUpGas)
    #expect(try l.planSweep(address: d.address, nonce: 0, asset: "USDT", amount: UInt256(5_000_000), fee: UInt256(100), topup: UInt256(1000)) == s)
    #expect(throws: LedgerError.self) { try l.sweepBroadcast(id: s.id, txHash: "0x5") }
    #expect(try l.sweepTopUpConfirmed(id: s.id, topupFee: UInt256(21)).state == .ready)
    #expect(try l.sweepBroadcast(id: s.id, txHash: "0x5").state == .broadcast)
    #expect(try l.balance(AccountRef(.sweepTransit, "USDT")).magnitude == UInt256(5_000_000))
    #expect(try l.sweepConfirmed(id: s.id, fee: UInt256(900)).state == .confirmed)
    #expect(try l.balance(AccountRef(.hotWallet, "USDT")).magnitude == UInt256(5_000_000))
    #expect(try l.balance(AccountRef(.depositAddress, "USDT", d.address)).magnitude == .zero)
    let s2 = try l.planSweep(address: d.address, nonce: 1, asset: "USDT", amount: UInt256(1), fee: .zero, topup: .zero)
    #expect(try l.sweepDefer(id: s2.id, reason: "fee too high").state == .deferred)
    #expect(try l.check().isEmpty)
    // 补 gas 上链但执行失败：钱没过去，手续费照付（热钱包出）；重复调用不重复记。
    let hotBefore = try l.balance(AccountRef(.hotWallet, "ETH")).magnitude
    let depBefore = try l.balance(AccountRef(.depositAddress, "ETH", d.address))
    let s3 = try l.planSweep(address: d.address, nonce: 2, asset: "USDT", amount: UInt256(1), fee: UInt256(100), topup: UInt256(1000))
    #expect(try l.sweepTopUpFailed(id: s3.id, topupFee: UInt256(37), reason: "status 0").state == .deferred)
    #expect(try l.sweepTopUpFailed(id: s3.id, topupFee: UInt256(37), reason: "status 0").state == .deferred)
    #expect(try l.balance(AccountRef(.hotWallet, "ETH")).magnitude == hotBefore - UInt256(37))
    let depAfter = try l.balance(AccountRef(.depositAddress, "ETH", d.address))
    #expect(depAfter.negative == depBefore.negative && depAfter.magnitude == depBefore.magnitude)
    #expect(try l.check().isEmpty)
    // 已确认的归集被重组后重新上链：手续费变了只调手续费；结果变了把金额挪回充值地址；同一个新块只改一次。
    let hotUSDT = try l.balance(AccountRef(.hotWallet, "USDT")).magnitude
    #expect(try l.sweepRebooked(id: s.id, succeeded: true, fee: UInt256(950), tag: "0xb1"))
    #expect(try l.sweepRebooked(id: s.id, succeeded: true, fee: UInt256(950), tag: "0xb1") == false)
    #expect(try l.balance(AccountRef(.hotWallet, "USDT")).magnitude == hotUSDT)
    #expect(try l.sweepRebooked(id: s.id, succeeded: false, fee: UInt256(940), tag: "0xb2"))
    let reverted = try #require(try l.sweeps().first { $0.id == s.id })
    #expect(reverted.state == .failed && reverted.fee == UInt256(940))
    #expect(try l.balance(AccountRef(.hotWallet, "USDT")).magnitude == hotUSDT - UInt256(5_000_000))
    #expect(try l.balance(AccountRef(.depositAddress, "USDT", d.address)).magnitude == UInt256(5_000_000))
    #expect(throws: LedgerError.self) { try l.sweepRebooked(id: s3.id, succeeded: true, fee: .zero, tag: "0xb3") }   // 暂缓的不算已记账
    #expect(try l.check().isEmpty)
}

@Test func operatorPassphrases() throws {
    let env = try Fixture.env()
    #expect(try env.ledger.authenticate(name: "alice", passphrase: SecretBytes(Array("correct horse".utf8))).role == .approver)
    #expect(throws: LedgerError.badPassphrase) { try env.ledger.authenticate(name: "alice", passphrase: SecretBytes(Array("wrong horse".utf8))) }
    #expect(throws: LedgerError.badPassphrase) { try env.ledger.authenticate(name: "nobody", passphrase: SecretBytes(Array("correct horse".utf8))) }
    #expect(throws: LedgerError.operatorExists("alice")) {
        try env.ledger.addOperator(name: "alice", role: .viewer, passphrase: SecretBytes(Array("12345678".utf8)), by: env.admin, kdf: ScryptParams(n: 16, r: 1, p: 1))
    }
    // 口令不进审计日志。
    #expect(try env.ledger.audits(page: Page(limit: 1000)).allSatisfy { !$0.details.contains("correct horse") })
}

@Test func reservedNonceBlocksRejectAndExpiry() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(5))
    let w = try l.requestWithdrawal(req("n", "0.5"), by: env.carol)
    _ = try l.reserveNonce(withdrawalID: w.id, from: "0x3333333333333333333333333333333333333333")
    #expect(throws: LedgerError.self) { try l.reject(withdrawalID: w.id, reason: "late", by: env.alice) }
    env.clock.t += 100_000
    #expect(try l.expireDue() == 0)
    #expect(try l.withdrawal(id: w.id).state == .approved)
    #expect(try l.check().isEmpty)
}

@Test func swallowedHalfWrittenFailureRefusesTheOuterCommit() throws {
    // 嵌套事务加入外层、不开保存点（入账热路径少一半往返）；安全网：内层写了一半又失败、错误被吞掉时，外层不能提交。
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether)
    let before = try Fixture.snapshot(l)
    var swallowed = 0
    let outer = Result {
        try l.store.transaction {
            // 没写任何东西就失败（校验不过）：外层照常可以继续
            if (try? l.requestWithdrawal(req("x", "0.5", user: "nobody"), by: env.carol)) == nil { swallowed += 1 }
            if (try? l.orphanDeposit(id: 999_999)) == nil { swallowed += 1 }
            _ = try l.requestWithdrawal(req("ok", "0.1"), by: env.carol)
            // 内层先写（设置 + 审计）再失败，错误被吞掉
            do {
                try l.store.transaction {
                    try l.setSetting("half", "written")
                    throw LedgerError.amountZero
                }
            } catch { swallowed += 1 }
        }
    }
    #expect(swallowed == 3)
    #expect(throws: LedgerError.self) { try outer.get() }
    // 程序缺陷有自己的码，不冒充「数据库错误，检查磁盘空间」
    if case .failure(let e) = outer { #expect(WalletError(e).code.rawValue == "ledger.bug", "\(e)") }
    // 整笔回滚：连外层里成功的那笔提现也没有留下
    #expect(try l.setting("half") == nil)
    #expect(try l.withdrawalCount() == 0)
    #expect(try Fixture.snapshot(l) == before)
}

@Test func savepointRollsBackOnlyTheInnerPart() throws {
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether)
    let before = try Fixture.snapshot(l)
    try l.store.transaction {
        #expect(throws: LedgerError.self) {
            try l.store.savepoint {
                try l.setSetting("half", "written")
                throw LedgerError.amountZero
            }
        }
    }
    #expect(try l.setting("half") == nil)
    #expect(try Fixture.snapshot(l) == before)
    // 内层成功的部分随外层一起提交
    try l.store.transaction {
        try l.store.savepoint { _ = try l.requestWithdrawal(req("y", "0.5"), by: env.carol) }
    }
    #expect(try l.withdrawalCount() == 1 && l.check().isEmpty)
}

@Test func withdrawalsToOurOwnAddressesOrTokenContractsAreRefused() throws {
    // QA：热钱包自身、本钱包的充值地址、代币合约都曾被接受为提现目标（钱白白烧掉，或充值被重复入账）。
    let env = try Fixture.env()
    let l = env.ledger
    try Fixture.credit(l, user: "u1", amount: ether * UInt256(10))
    let hot = "0x3333333333333333333333333333333333333333"
    try l.setSetting(Ledger.Settings.hotWallet, hot)
    let dep = try l.assignAddress(user: "u2", asset: "ETH").address
    let usdt = try #require(try l.asset("USDT").contract)
    l.policy.allowlistRequired = false
    for (i, (to, kind)) in [(hot, LedgerError.DestinationKind.hotWallet), (dep, .depositAddress), (usdt, .tokenContract)].enumerated() {
        let before = try Fixture.snapshot(l)
        #expect(throws: LedgerError.forbiddenDestination(address: to, kind: kind)) {
            try l.requestWithdrawal(req("bad\(i)", "1", to: to), by: env.carol)
        }
        #expect(try Fixture.snapshot(l) == before)
    }
}

@Test func allowlistNeedsTwoPeopleToAddAndActivate() throws {
    let env = try Fixture.env()
    let l = env.ledger
    let fresh = "0x4444444444444444444444444444444444444444"
    _ = try l.allowlistAdd(fresh, by: env.admin)
    #expect(throws: LedgerError.allowlistSelfActivation("admin")) { try l.allowlistActivate(fresh, by: env.admin) }
    #expect(try l.allowlistEntry(fresh)?.activatedAt == nil)
}

@Test func allowlistRefusesOurOwnAddressesAndOperatorNamesAreCaseInsensitive() throws {
    // QA 第二轮：热钱包、充值地址能进白名单；「Bob」能与「bob」并存（审计里看起来是同一个人）。
    let env = try Fixture.env()
    let l = env.ledger
    try l.setSetting(Ledger.Settings.hotWallet, "0x3333333333333333333333333333333333333333")
    let dep = try l.assignAddress(user: "u2", asset: "ETH").address
    for a in ["0x3333333333333333333333333333333333333333", dep] {
        #expect(throws: LedgerError.self) { try l.allowlistAdd(a, by: env.alice) }
        #expect(try l.allowlistEntry(a) == nil)
    }
    #expect(throws: LedgerError.operatorExists("alice")) {
        try l.addOperator(name: "Alice", role: .admin, passphrase: SecretBytes(Array("12345678".utf8)), by: env.admin, kdf: ScryptParams(n: 16, r: 1, p: 1))
    }
}
