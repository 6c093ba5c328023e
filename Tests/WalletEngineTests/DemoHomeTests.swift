// 演示 home：演示链醒目标注；有充值、有等待审批的提现（四眼原则）；批准后提现由模拟链验签、打包、确认。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletEngine

@Test func demoHomeShowsALivingWallet() async throws {
    let s = try await DemoHome.create(blockIntervalMs: 200, warmupBlocks: 40)
    defer { try? FileManager.default.removeItem(atPath: s.home) }
    let e = s.engine
    #expect(e.isDemo)
    let st = await e.status()
    #expect(st.demo && st.json.label?.contains("DEMO") == true)
    #expect(st.seal.sealed == false)
    #expect((st.head ?? 0) >= 40)
    #expect(try e.deposits().total > 0)
    #expect(try e.deposits(state: .credited).total > 0)
    let waiting = try e.withdrawals(state: .awaitingApproval).rows
    #expect(!waiting.isEmpty)
    #expect(s.signedIn.name == "demo" && s.signedIn.role == .admin)
    #expect(s.others.contains { $0.role == .viewer })
    // 发起人不能批自己的；demo 批准一笔小额提现（1 人审批）。
    let small = try #require(waiting.first { $0.approvalsRequired == 1 })
    let requester = try #require(s.others.first { $0.name == small.requestedBy })
    #expect(throws: LedgerError.self) { try e.approve(withdrawalID: small.id, by: requester) }
    let approved = try e.approve(withdrawalID: small.id, by: s.signedIn)
    #expect(approved.state == .approved)
    _ = await e.runOnce(["fees", "withdrawals"])
    #expect(try e.withdrawal(id: small.id).state == .broadcast)
    for _ in 0..<8 { try e.demo?.step(); _ = await e.runOnce(["withdrawals"]) }
    let w = try e.withdrawal(id: small.id)
    // 演示链偶尔重组：交易回到内存池后在新分支重新打包，最终仍确认。
    #expect(w.state == .confirmed || w.state == .broadcast, "\(w.state)")
    #expect(try e.ledgerCheck().isEmpty)
    let plan = try await e.sweepPlan()
    #expect(!plan.isEmpty)
}

@Test func durableJobsRunAndFailuresGoToDeadLetters() async throws {
    let s = try await DemoHome.create(blockIntervalMs: 200, warmupBlocks: 10)
    defer { try? FileManager.default.removeItem(atPath: s.home) }
    let e = s.engine
    let j = try e.enqueue(.refreshFees, uniqueKey: "fees-now")
    #expect(try e.enqueue(.refreshFees, uniqueKey: "fees-now").id == j.id)   // 幂等入队
    // 一个处理器不认识的任务：重试后进死信，运维可见。
    let bad = try e.gate.with { l in
        try l.jobQueue!.enqueue(queue: JobWorker.queue, kind: "no.such.job", payload: "{}", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
    }
    let out = await e.runOnce(["jobs"])
    #expect(out.first?.ok == true)
    let jobs = try e.gate.with { l in try l.jobQueue!.jobs(state: nil, queue: JobWorker.queue, page: Page(limit: 10)) }
    #expect(jobs.first { $0.id == j.id }?.state == .done)
    #expect(jobs.first { $0.id == bad.id }?.state == .dead)
    #expect(e.metrics.deadJobs.value() == 1)
}
