// 端到端（真实 EVM）：归集。ETH 地址直接归集（余额 − 最坏手续费）；ERC-20 地址没有 ETH 付 gas：
// 先由热钱包补 gas，等补充交易的收据，再由充值地址（HD 种子按路径签名）把代币发往热钱包。
import Foundation
import Testing
import WalletChain
import WalletCrypto
import WalletLedger
@testable import WalletEngine

@Suite(.serialized) struct DevnetSweepTests {
    @Test func sweepEthAndTokenWithGasTopUp() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "sweep", confirmations: 1)
        let accts = try await dev.accounts()
        let usdt = try await dev.deployToken("Tether", "USDT", decimals: 6)
        _ = try await engine.addAsset(symbol: "USDT", contract: usdt, decimals: 6, confirmations: 1, by: try engine.op("admin", role: .admin))
        let ethAddr = try engine.assignAddress(user: "alice", asset: "ETH", by: try engine.op("admin", role: .admin)).address
        let tokAddr = try engine.assignAddress(user: "alice", asset: "USDT", by: try engine.op("admin", role: .admin)).address
        try await dev.send(from: accts[0], to: ethAddr, wei: ether * UInt256(2))
        try await dev.mint(usdt, to: tokAddr, UInt256(1_000_000_000))
        try await dev.send(from: accts[0], to: engine.hotAddress, wei: ether * UInt256(5))
        try engine.recordHotWalletFunding(asset: "ETH", amount: ether * UInt256(5), ref: "fund", by: try engine.op("admin", role: .admin))
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        #expect(try engine.deposits(state: .credited).total == 2)

        let plan = try await engine.sweepPlan()
        let ethLine = try #require(plan.first { $0.asset == "ETH" })
        let tokLine = try #require(plan.first { $0.asset == "USDT" })
        #expect(ethLine.decision == "sweep")
        #expect(ethLine.amount + ethLine.fee == ether * UInt256(2))   // 余额 = 金额 + 预留的最坏手续费
        #expect(ethLine.gasLimit == 21_000)
        #expect(tokLine.decision == "top_up_first")
        #expect(tokLine.topUp > .zero)
        #expect(tokLine.amount == UInt256(1_000_000_000))

        // 第一轮：ETH 归集广播；代币地址先补 gas（热钱包 nonce 0）。
        _ = try await engine.sweepRun()
        #expect(try engine.gate.with { l in try l.sweeps(state: .broadcast) }.count == 1)
        #expect(try engine.gate.with { l in try l.sweeps(state: .toppingUpGas) }.count == 1)
        #expect(try await dev.balance(tokAddr) == tokLine.topUp)
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)
        // 补 gas 的收据到之前，代币不会发出。
        #expect(try await dev.transactionCount(tokAddr) == 0)

        try await dev.mine(1)
        _ = try await engine.sweepRun()   // ETH 归集确认；补 gas 收据到 → 代币归集广播
        try await dev.mine(1)
        _ = try await engine.sweepRun()   // 代币归集确认
        let all = try engine.gate.with { l in try l.sweeps() }
        #expect(all.count == 2)
        #expect(all.allSatisfy { $0.state == .confirmed }, "\(all.map(\.state))")
        let hotToken = try await engine.chainBalance(address: engine.hotAddress, asset: try engine.gate.with { l in try l.asset("USDT") })
        #expect(hotToken == UInt256(1_000_000_000))
        #expect(try await dev.transactionCount(tokAddr) == 1)
        #expect(engine.metrics.sweepFeesPaidWei.value(["ETH"]) > 0)
        // 签名计时覆盖所有签名：ETH 归集、补 gas、代币归集各一次（以前只给热钱包签名器计时，归集的两次不算）。
        #expect(engine.metrics.signerLatency.count(["encrypted-db"]) == 3, "\(engine.metrics.signerLatency.count(["encrypted-db"]))")
        #expect(try engine.ledgerCheck().isEmpty)
        // 计划里不再有待归集的代币。
        #expect(try await engine.sweepPlan().filter { $0.asset == "USDT" && $0.decision != "skip" }.isEmpty)
        // 补 gas（热钱包 → 充值地址）是内部交易：扫块器看到它也绝不记成 alice 的 ETH 充值（issue 10）。
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        let afterSweep = try engine.deposits()
        #expect(afterSweep.total == 2, "\(afterSweep.rows.map { "\($0.asset) \($0.amount)" })")
        #expect(try engine.gate.with { l in try l.available(user: "alice", asset: "ETH") } == ether * UInt256(2))
        // 充值地址的 ETH 账（补 gas − 归集手续费）与链上余额相等。
        let bookTok = try engine.gate.with { l in try l.balance(AccountRef(.depositAddress, "ETH", tokAddr.lowercased())) }
        let chainTok = try await dev.balance(tokAddr)
        #expect(!bookTok.negative && bookTok.magnitude == chainTok, "账 \(bookTok) ≠ 链 \(chainTok)")
    }

    /// 已记账的归集被重组拿掉（QA）：以前归集停在 confirmed、对账永远差（热钱包账上有链上没有的钱），停在 broadcast 的永远不重发。
    /// 现在：用原字节重发（同一哈希）、告警 sweep.reorged 一次；ETH 归集重新上链后手续费按新块改账；代币的充值也被重组撤销时，
    /// 代币归集这次在链上回滚——金额挪回充值地址、状态改 failed。全程以链为准：对账平、ledger check 通过、热钱包代币余额 = 账。
    @Test func bookedSweepsRemovedByAReorgAreResentAndRebooked() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "sweepreorg", confirmations: 1)
        let admin = try engine.op("admin", role: .admin)
        let accts = try await dev.accounts()
        let usdt = try await dev.deployToken("Tether", "USDT", decimals: 6)
        _ = try await engine.addAsset(symbol: "USDT", contract: usdt, decimals: 6, confirmations: 1, by: admin)
        let ethAddr = try engine.assignAddress(user: "alice", asset: "ETH", by: admin).address
        let tokAddr = try engine.assignAddress(user: "alice", asset: "USDT", by: admin).address
        try await dev.send(from: accts[0], to: ethAddr, wei: ether * UInt256(2))
        try engine.addColdWallet(accts[1], label: "vault", by: admin)   // 扫块器把它记为金库注资（再手工记一次就是两遍）
        try await dev.send(from: accts[1], to: engine.hotAddress, wei: ether * UInt256(5))
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        // 快照在 ETH 充值之后、代币充值之前：重组后 ETH 充值还在，代币充值没了。
        let snap = try await dev.snapshot()
        try await dev.mint(usdt, to: tokAddr, UInt256(1_000_000_000))
        try await dev.mine(2)
        try await engine.runWorker("scanner")
        #expect(try engine.deposits(state: .credited).total == 2)
        _ = try await engine.sweepRun()
        try await dev.mine(1)
        _ = try await engine.sweepRun()
        try await dev.mine(1)
        _ = try await engine.sweepRun()
        let booked = try engine.gate.with { l in try l.sweeps() }
        #expect(booked.count == 2 && booked.allSatisfy { $0.state == .confirmed }, "\(booked.map(\.state))")
        let ethSweep = try #require(booked.first { $0.asset == "ETH" }), tokSweep = try #require(booked.first { $0.asset == "USDT" })
        #expect(try await engine.reconcile(record: false).ok)

        // 重组：回到代币充值之前，出一条更长的分支。两笔归集与补 gas 都不在链上了。
        try await dev.revert(snap)
        try await dev.mine(8)
        let usdtAsset = try engine.gate.with { l in try l.asset("USDT") }
        let ethNonce0 = try await dev.transactionCount(ethAddr), tokOnChain0 = try await engine.chainBalance(address: tokAddr, asset: usdtAsset)
        #expect(ethNonce0 == 0 && tokOnChain0 == .zero)
        try await engine.runWorker("scanner")       // 代币充值被撤销
        // 测试链先不出块：补 gas（热钱包 nonce）与两笔归集用原字节重发了、还没重新上链——对账也平（记过的效果退回，按链上实际算）。
        try await dev.setAutoMine(false)
        try await engine.runWorker("withdrawals")   // 补 gas 重发
        try await engine.runWorker("sweeper")       // 两笔归集被发现、用原字节重发
        #expect(try engine.gate.get(WalletEngine.reorgedSweepsKey, as: [Int64].self)?.sorted() == [ethSweep.id, tokSweep.id].sorted())
        #expect(try engine.alerts().filter { $0.kind == "sweep.reorged" }.count == 2)
        let mid = try await engine.reconcile(record: false)
        #expect(mid.ok, "\(mid.mismatches)")
        #expect(mid.inFlight.contains { $0.kind == "topup" && $0.ref == tokSweep.id && !$0.mined })
        #expect(mid.inFlight.filter { $0.kind == "sweep" && !$0.mined }.count == 2)
        try await dev.setAutoMine(true)
        try await dev.mine(2)
        try await engine.runWorker("sweeper")       // 重新上链：核对结果与手续费
        try await engine.runWorker("sweeper")       // 幂等：不再改
        let ethNonce1 = try await dev.transactionCount(ethAddr), tokNonce1 = try await dev.transactionCount(tokAddr)
        #expect(ethNonce1 == 1 && tokNonce1 == 1, "同一 nonce 只上链一次")
        #expect((try engine.gate.get(WalletEngine.reorgedSweepsKey, as: [Int64].self) ?? []).isEmpty)
        let after = try engine.gate.with { l in try l.sweeps() }
        #expect(after.first { $0.id == ethSweep.id }?.state == .confirmed)
        #expect(after.first { $0.id == tokSweep.id }?.state == .failed, "代币充值没了，代币归集这次在链上回滚")
        #expect(try engine.gate.with { l in try l.store.entryCount(kind: "sweep_rebook", ref: nil) } == 1)
        #expect(try engine.alerts().filter { $0.kind == "sweep.reorged" }.count == 2)
        let rec = try await engine.reconcile(record: false)
        #expect(rec.ok, "\(rec.mismatches)")
        #expect(try engine.ledgerCheck().isEmpty)
        let hotTok = try engine.gate.with { l in try l.balance(AccountRef(.hotWallet, "USDT")) }
        let hotTokChain = try await engine.chainBalance(address: engine.hotAddress, asset: usdtAsset)
        #expect(hotTok.magnitude == .zero && hotTokChain == .zero)
    }

    @Test func stuckWithdrawalReplacedWithSameNonceAndHigherFees() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        // 注入的时钟：「卡住 10 秒」靠拨时间，不真的等（以前这里睡 10.5 秒）。
        let clock = ManualClock()
        let engine = try await makeDevnetHome(dev, tag: "stuck", confirmations: 1, clock: clock)
        let accts = try await prepareFunds(dev, engine, user: "frank", amount: ether * UInt256(2))
        let w = try approvedWithdrawal(engine, id: "stuck-1", user: "frank", amount: "0.3", to: accts[8])
        try await dev.setAutoMine(false)
        try await engine.runWorker("withdrawals")
        let first = try engine.withdrawal(id: w.id)
        #expect(first.state == .broadcast)
        // 卡住：不出块。超过 stuckAfterSeconds（测试配置 10 秒）后替换。
        try await engine.runWorker("withdrawals")
        #expect(try engine.gate.nonceRecord(from: engine.hotAddress, nonce: first.nonce!)?.attempts.count == 1, "未到 stuckAfterSeconds 不应替换")
        clock.advance(11)
        try await engine.runWorker("withdrawals")
        let rec = try #require(try engine.gate.nonceRecord(from: engine.hotAddress, nonce: first.nonce!))
        #expect(rec.attempts.count == 2)
        let a0 = rec.attempts[0], a1 = rec.attempts[1]
        let f0 = try UInt256(decimal: a0.maxFeePerGas), f1 = try UInt256(decimal: a1.maxFeePerGas)
        let t0 = try UInt256(decimal: a0.maxPriorityFeePerGas), t1 = try UInt256(decimal: a1.maxPriorityFeePerGas)
        #expect(f1 * UInt256(100) >= f0 * UInt256(110))
        #expect(t1 * UInt256(100) >= t0 * UInt256(110))
        try await dev.setAutoMine(true)
        try await dev.mine(2)
        try await engine.runWorker("withdrawals")
        let done = try engine.withdrawal(id: w.id)
        #expect(done.state == .confirmed, "\(done.state)")
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)   // 同一 nonce 只有一笔上链
        let mined = try #require(try engine.gate.nonceRecord(from: engine.hotAddress, nonce: first.nonce!)?.minedHash)
        #expect(mined == a1.hash)
    }
}
