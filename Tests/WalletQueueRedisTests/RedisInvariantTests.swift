// 「不丢、不重」的结构证明：每个任务哈希的状态必须与它在流、PEL、延迟集合、租约集合、死信流、索引里的位置一致。
// 一串混合操作（多消费者、过期接管、失败重试、死信、重新入队）之后逐个核对；任何一处不一致都说明某个迁移不是原子的。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletQueueRedis

enum RedisInvariants {
    static func fields(_ r: RedisReply) -> [String: String] {
        guard case .array(let a) = r else { return [:] }
        var f: [String: String] = [:]
        var i = 0
        while i + 1 < a.count { if let k = a[i].text, let v = a[i + 1].text { f[k] = v }; i += 2 }
        return f
    }

    /// 返回违规说明；空 = 一致。
    static func violations(_ q: RedisStreamsJobQueue) throws -> [String] {
        let c = q.connection, P = q.prefix, G = RedisStreamsJobQueue.group
        var bad: [String] = []
        guard case .array(let idReplies) = try c.call(["ZRANGE", "\(P):idx:all", "0", "-1"]) else { return ["idx:all"] }
        var expectedStreamLen: [String: Int] = [:], expectedDeadLen: [String: Int] = [:], streams: Set<String> = []
        for idText in idReplies.compactMap(\.text) {
            let f = fields(try c.call(["HGETALL", "\(P):job:\(idText)"]))
            guard let state = f["state"], let qk = f["qk"], let prio = f["priority"] else { bad.append("\(idText): 哈希缺字段"); continue }
            let base = "\(P):q:\(qk)"
            let padded = String(repeating: "0", count: max(0, 20 - idText.count)) + idText
            for s in JobState.allCases {
                let inIdx = try c.call(["ZSCORE", "\(P):idx:s:\(s.rawValue)", idText]) != .null
                let inQIdx = try c.call(["ZSCORE", "\(P):idx:q:\(qk):s:\(s.rawValue)", idText]) != .null
                if inIdx != (s.rawValue == state) || inQIdx != (s.rawValue == state) { bad.append("\(idText): 索引 \(s) 与状态 \(state) 不符") }
            }
            let delayed = try c.call(["ZSCORE", "\(base):delayed", padded])
            let leased = try c.call(["ZSCORE", "\(base):leases", padded])
            let stream = "\(base):p:\(prio)"
            streams.insert(stream)
            switch state {
            case "pending":
                if leased != .null { bad.append("\(idText): pending 却在租约集合") }
                if let sid = f["sid"] {
                    if delayed != .null { bad.append("\(idText): 既在延迟集合又在流里") }
                    expectedStreamLen[stream, default: 0] += 1
                    if case .array(let e) = try c.call(["XRANGE", stream, sid, sid]), e.count != 1 { bad.append("\(idText): 流条目 \(sid) 不存在") }
                    if case .array(let p) = try c.call(["XPENDING", stream, G, sid, sid, "1"]), !p.isEmpty { bad.append("\(idText): pending 却在 PEL") }
                } else if delayed == .null {
                    bad.append("\(idText): pending 但既不在延迟集合也不在流里（丢了）")
                }
            case "leased":
                guard let sid = f["sid"], let owner = f["lease_owner"], let until = f["lease_until"] else { bad.append("\(idText): leased 缺字段"); break }
                expectedStreamLen[stream, default: 0] += 1
                if delayed != .null { bad.append("\(idText): leased 却在延迟集合") }
                if leased.text.flatMap({ Int64($0) }) != Int64(until) { bad.append("\(idText): 租约集合分数 \(leased) ≠ \(until)") }
                guard case .array(let p) = try c.call(["XPENDING", stream, G, sid, sid, "1"]), p.count == 1,
                      case .array(let row) = p[0] else { bad.append("\(idText): leased 却不在 PEL"); break }
                if row[1].text != owner { bad.append("\(idText): PEL 消费者 \(row[1]) ≠ 持有者 \(owner)") }
            case "done", "dead":
                if f["sid"] != nil || delayed != .null || leased != .null || f["lease_owner"] != nil {
                    bad.append("\(idText): \(state) 仍挂在流/延迟/租约上")
                }
                if state == "dead" {
                    expectedDeadLen["\(base):dead", default: 0] += 1
                    guard let dsid = f["dsid"], case .array(let e) = try c.call(["XRANGE", "\(base):dead", dsid, dsid]), e.count == 1 else {
                        bad.append("\(idText): dead 却不在死信流"); break
                    }
                } else if f["dsid"] != nil { bad.append("\(idText): done 却有死信条目") }
            default: bad.append("\(idText): 未知状态 \(state)")
            }
        }
        // 流里没有多余条目（重复 = 同一任务两条，或已完成的条目没删）
        for s in streams {
            if case .integer(let n) = try c.call(["XLEN", s]), Int(n) != expectedStreamLen[s, default: 0] {
                bad.append("\(s): XLEN \(n) ≠ 应有 \(expectedStreamLen[s, default: 0])")
            }
        }
        for (d, want) in expectedDeadLen {
            if case .integer(let n) = try c.call(["XLEN", d]), Int(n) != want { bad.append("\(d): XLEN \(n) ≠ \(want)") }
        }
        return bad
    }
}

@Suite(.enabled(if: RedisFixture.enabled)) struct RedisInvariantTests {
    @Test func structuresAgreeWithJobStateAfterAMixedWorkload() throws {
        let url = try RedisFixture.url(), prefix = RedisFixture.freshPrefix("inv")
        let a = try RedisStreamsJobQueue(url: url, prefix: prefix), b = try RedisStreamsJobQueue(url: url, prefix: prefix)
        let retry = RetryPolicy(baseSeconds: 1, maxSeconds: 4)
        for i in 0..<60 {
            _ = try a.enqueue(queue: i % 3 == 0 ? "q1" : "q:2", kind: "k", payload: "\(i)", uniqueKey: i % 7 == 0 ? "u\(i)" : nil,
                              priority: i % 4, maxAttempts: 1 + i % 3, runAt: Int64(i % 5))
        }
        #expect(try RedisInvariants.violations(a) == [], "入队之后")
        var now: Int64 = 0
        var reclaimed = 0, failed = 0, requeued = 0
        var abandoned: Set<Int64> = []
        for round in 0..<40 {
            now += 1
            for (qi, queue) in ["q1", "q:2"].enumerated() {
                let consumer = (round + qi) % 2 == 0 ? a : b
                let owner = consumer === a ? "A" : "B"
                guard let j = try consumer.lease(queue: queue, owner: owner, now: now, visibility: 3) else { continue }
                if abandoned.remove(j.id) != nil { reclaimed += 1 }        // 上一个持有者没确认，过期后被接管
                switch (j.id + Int64(round)) % 4 {
                case 0: try consumer.complete(id: j.id, owner: owner)
                case 1: _ = try consumer.fail(id: j.id, owner: owner, error: "e\(round)", now: now, retry: retry); failed += 1
                case 2: abandoned.insert(j.id)                        // 「死掉」：不确认，等过期被接管
                default:
                    if let d = try consumer.jobs(state: .dead, queue: queue, page: Page(limit: 1)).first { _ = try consumer.requeue(id: d.id, now: now); requeued += 1 }
                    try consumer.complete(id: j.id, owner: owner)
                }
            }
            let v = try RedisInvariants.violations(a)
            #expect(v.isEmpty, "第 \(round) 轮：\(v)")
            if !v.isEmpty { break }
        }
        #expect(reclaimed > 0 && failed > 0 && requeued > 0, "混合负载要真的走到接管/失败/重新入队：\(reclaimed) \(failed) \(requeued)")
        // 全部做完：剩下的都能被取走并完成，最终每个任务恰好一个终态
        now += 1000
        for queue in ["q1", "q:2"] {
            while let j = try a.lease(queue: queue, owner: "A", now: now, visibility: 3) { try a.complete(id: j.id, owner: "A") }
        }
        #expect(try a.count(state: .done) + a.count(state: .dead) == 60 && a.count(state: nil) == 60)
        #expect(try RedisInvariants.violations(a) == [])
    }

    /// 检查器本身能发现问题：手工 XACK 一个租出的条目（绕过脚本），它必须报「不在 PEL」。
    @Test func invariantCheckerCatchesAHandEditedPEL() throws {
        let q = try RedisStreamsJobQueue(url: try RedisFixture.url(), prefix: RedisFixture.freshPrefix("inv"))
        _ = try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        let j = try #require(try q.lease(queue: "w", owner: "o", now: 0, visibility: 5))
        #expect(try RedisInvariants.violations(q) == [])
        let sid = try #require(RedisInvariants.fields(try q.connection.call(["HGETALL", q.jobKey(j.id)]))["sid"])
        try q.connection.call(["XACK", q.streamKey(queue: "w", priority: 0), RedisStreamsJobQueue.group, sid])
        #expect(try RedisInvariants.violations(q).contains { $0.contains("不在 PEL") })
    }
}
