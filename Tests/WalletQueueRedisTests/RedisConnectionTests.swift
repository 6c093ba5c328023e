// Redis 专有的部分：地址解析、连不上时的错误码与耗时、断线重连、二进制安全、脚本缓存丢失、命名空间隔离。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletQueueRedis

@Suite struct RedisURLTests {
    @Test func parsesHostPortAndDatabase() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1:6390/3") == RedisEndpoint(host: "127.0.0.1", port: 6390, db: 3))
        #expect(try RedisEndpoint(url: "redis://queue.internal") == RedisEndpoint(host: "queue.internal", port: 6379, db: 0))
        #expect(try RedisEndpoint(url: "REDIS://h:1/") == RedisEndpoint(host: "h", port: 1, db: 0))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000/2") == RedisEndpoint(host: "::1", port: 7000, db: 2))
        #expect(RedisEndpoint(host: "::1", port: 7000).description == "[::1]:7000")
    }

    @Test(arguments: [
        "rediss://h:6379", "http://h:6379", "unix:///tmp/redis.sock", "h:6379", "",
        "redis://:secret@h:6379", "redis://user:secret@h:6379/0", "redis://h:0", "redis://h:65536", "redis://h:abc",
        "redis://h:6379/-1", "redis://h:6379/x", "redis://:6379", "redis://h:6379?db=1", "redis://h o:6379", "redis://[::1:6379",
    ])
    func rejectsBadURLsWithTheRegisteredCode(_ url: String) {
        do {
            _ = try RedisEndpoint(url: url)
            Issue.record("应拒绝 \(url)")
        } catch let e as RedisQueueError {
            #expect(e.code == "queue.redis_url" && e.isBadInput && WalletError.Code(e.code).isRegistered)
            #expect(!e.message(.en).contains("secret") && !e.message(.zh).contains("secret"), "不回显口令：\(e.message(.en))")
            #expect(!BilingualText.hasCJK(e.message(.en)))
        } catch { Issue.record("错误类型不对：\(error)") }
    }

    @Test func passwordInURLGetsAnActionableMessage() {
        do { _ = try RedisEndpoint(url: "redis://u:p4ss@h:1"); Issue.record("应拒绝") } catch let e as RedisQueueError {
            #expect(e.message(.zh).contains("口令") && e.message(.en).contains("password"))
            #expect(!e.message(.en).contains("p4ss"))
        } catch { Issue.record("\(error)") }
    }

    /// 前缀在连接之前检查：端口 1 上没有服务器，得到的仍是 namespace 错误（配置错先报配置错）。
    @Test(arguments: ["", "has space", String(repeating: "x", count: 65), "中文", "a{b}", "a\nb"])
    func rejectsBadNamespacesBeforeConnecting(_ p: String) {
        do { _ = try RedisStreamsJobQueue(url: "redis://127.0.0.1:1", prefix: p); Issue.record("应拒绝前缀 \(p)") } catch let e as RedisQueueError {
            #expect(e.code == "queue.redis_namespace" && e.isBadInput)
        } catch { Issue.record("\(error)") }
    }

    @Test func unreachablePortFailsFastWithTheRegisteredCode() {
        let port = RedisFixture.freePort()                      // 此刻没人监听
        let t0 = Date()
        do {
            _ = try RedisStreamsJobQueue(url: "redis://127.0.0.1:\(port)", prefix: "x", timeout: 1)
            Issue.record("不该连上")
        } catch let e as RedisQueueError {
            #expect(e.code == "queue.redis_unreachable" && !e.isBadInput && e.walletError.exitCode == 1)
            #expect(e.message(.en).contains("127.0.0.1:\(port)") && e.message(.en).contains("redis-cli"))
            #expect(!BilingualText.hasCJK(e.message(.en)))
        } catch { Issue.record("错误类型不对：\(error)") }
        #expect(Date().timeIntervalSince(t0) < 1.5, "拒绝连接应立即返回")
    }
}

@Suite(.enabled(if: RedisFixture.enabled)) struct RedisLiveTests {
    func queue(_ prefix: String = RedisFixture.freshPrefix()) throws -> RedisStreamsJobQueue {
        try RedisStreamsJobQueue(url: try RedisFixture.url(), prefix: prefix)
    }

    @Test func invalidPrefixIsRejectedOnAnOpenConnection() throws {
        let c = try RedisConnection(url: try RedisFixture.url())
        #expect(throws: RedisQueueError.badNamespace("a b")) { try RedisStreamsJobQueue(connection: c, prefix: "a b") }
    }

    @Test func databaseNumberFromTheURLIsSelectedAndABadOneIsRefused() throws {
        // 基址可能带库号（redis://h:p/0，本夹具自启）也可能不带（.ci/run 导出的 redis://h:p）：只取 scheme://host:port。
        let u = try #require(URLComponents(string: try RedisFixture.url()))
        let root = "redis://\(u.host ?? "127.0.0.1"):\(u.port ?? 6379)"
        let c = try RedisConnection(url: root + "/3")
        #expect(try c.call(["CLIENT", "INFO"]).text?.contains(" db=3 ") == true)
        // 库号 = databases 配置值时不存在：连接必须失败，而不是留在 0 号库
        guard case .array(let cfg) = try c.call(["CONFIG", "GET", "databases"]), let n = cfg.last?.text else { Issue.record("CONFIG GET"); return }
        do { _ = try RedisConnection(url: root + "/" + n); Issue.record("应拒绝") } catch let e as RedisQueueError {
            #expect(e.code == "queue.redis_error" && e.message(.en).contains("DB index"))
        }
    }

    @Test func payloadsAreBinarySafeThroughArgv() throws {
        let q = try queue()
        // 格式串、CRLF、NUL、RESP 前缀、中文、引号：argv 形式原样往返
        let nasty = "%s %d %b\r\n*3\r\n$4\r\nPING\0tail 中文 \"'\\ {}"
        let j = try q.enqueue(queue: "w:with%colon", kind: "k %s", payload: nasty, uniqueKey: "u %n\r\n", priority: 0, maxAttempts: 2, runAt: 0)
        let l = try #require(try q.lease(queue: "w:with%colon", owner: "o %x", now: 0, visibility: 5))
        #expect(l.id == j.id && l.payload == nasty && l.kind == "k %s" && l.uniqueKey == "u %n\r\n" && l.leaseOwner == "o %x")
        #expect(try q.enqueue(queue: "w:with%colon", kind: "k", payload: "", uniqueKey: "u %n\r\n", priority: 0, maxAttempts: 2, runAt: 0).id == j.id)
        let f = try q.fail(id: j.id, owner: "o %x", error: nasty, now: 0, retry: .jobs)
        #expect(f.lastError == nasty)
    }

    @Test func queueNamesThatLookAlikeDoNotShareKeys() throws {
        #expect(RedisStreamsJobQueue.encodeQueue("a:b") != RedisStreamsJobQueue.encodeQueue("a%3Ab"))
        #expect(RedisStreamsJobQueue.encodeQueue("a:b") == "a%3Ab" && RedisStreamsJobQueue.encodeQueue("a%3Ab") == "a%253Ab")
        #expect(RedisStreamsJobQueue.encodeQueue("充值") == "%E5%85%85%E5%80%BC")
        let q = try queue()
        _ = try q.enqueue(queue: "a:b", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        #expect(try q.lease(queue: "a%3Ab", owner: "o", now: 0, visibility: 5) == nil)
        #expect(try q.lease(queue: "a", owner: "o", now: 0, visibility: 5) == nil)
        #expect(try q.lease(queue: "a:b", owner: "o", now: 0, visibility: 5) != nil)
    }

    @Test func prefixesIsolateTwoHomesOnOneServer() throws {
        let a = try queue(), b = try queue()
        _ = try a.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: "same", priority: 0, maxAttempts: 1, runAt: 0)
        let jb = try b.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: "same", priority: 0, maxAttempts: 1, runAt: 0)
        #expect(jb.id == 1, "另一个前缀有自己的 id 序列与唯一键表")
        #expect(try a.count(state: nil) == 1 && b.count(state: nil) == 1)
        _ = try #require(try a.lease(queue: "w", owner: "o", now: 0, visibility: 5))
        #expect(try b.count(state: .leased) == 0)
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() throws {
        let q = try queue()
        let admin = try RedisConnection(url: try RedisFixture.url())
        _ = try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        func killClient() throws {
            guard case .integer(let id) = try q.connection.call(["CLIENT", "ID"]) else { Issue.record("CLIENT ID"); return }
            _ = try admin.call(["CLIENT", "KILL", "ID", String(id)])
        }
        // 只读命令：断线后自动重连重发，调用方无感
        try killClient()
        #expect(try q.count(state: .pending) == 1)
        #expect(q.connection.reconnects == 1)
        _ = try q.lease(queue: "other", owner: "o", now: 0, visibility: 5)   // 先让 lease 脚本的 SHA 进缓存，下面直接走 EVALSHA
        // 写（脚本）：可能已在服务器执行，不自动重发，报 queue.redis_unreachable；下一次调用先重连
        try killClient()
        do { _ = try q.lease(queue: "w", owner: "o", now: 0, visibility: 5); Issue.record("断线的写应报错") } catch let e as RedisQueueError {
            #expect(e.code == "queue.redis_unreachable")
        }
        let l = try q.lease(queue: "w", owner: "o", now: 0, visibility: 5)
        #expect(l != nil && q.connection.reconnects == 2)
    }

    @Test func scriptCacheLossFallsBackToEval() throws {
        let q = try queue()
        _ = try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)  // 缓存 SHA
        let admin = try RedisConnection(url: try RedisFixture.url())
        try admin.call(["SCRIPT", "FLUSH"])                                   // 模拟服务器重启丢了脚本缓存
        let j = try q.enqueue(queue: "w", kind: "k", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        #expect(j.id == 2)
        #expect(try admin.call(["SCRIPT", "EXISTS", String(repeating: "0", count: 40)]) == .array([.integer(0)]))
    }

    @Test func deadLetterStreamHoldsExactlyTheDeadJobs() throws {
        let q = try queue()
        let j = try q.enqueue(queue: "w", kind: "sweep", payload: "", uniqueKey: nil, priority: 0, maxAttempts: 1, runAt: 0)
        _ = try q.lease(queue: "w", owner: "o", now: 0, visibility: 5)
        _ = try q.fail(id: j.id, owner: "o", error: "node down", now: 0, retry: .jobs)
        guard case .array(let entries) = try q.connection.call(["XRANGE", q.deadKey(queue: "w"), "-", "+"]),
              entries.count == 1, case .array(let e) = entries[0], case .array(let fields) = e[1] else {
            Issue.record("死信流应有一条"); return
        }
        let kv = stride(from: 0, to: fields.count, by: 2).reduce(into: [String: String]()) { $0[fields[$1].text!] = fields[$1 + 1].text! }
        #expect(kv["id"] == String(j.id) && kv["kind"] == "sweep" && kv["error"] == "node down" && kv["attempts"] == "1")
        _ = try q.requeue(id: j.id, now: 1)
        #expect(try q.connection.call(["XLEN", q.deadKey(queue: "w")]) == .integer(0), "重新入队后从死信流删除")
        // 完成后主流里的条目也被删掉（XACK + XDEL），流不会无限增长
        let l = try #require(try q.lease(queue: "w", owner: "o", now: 1, visibility: 5))
        try q.complete(id: l.id, owner: "o")
        #expect(try q.connection.call(["XLEN", q.streamKey(queue: "w", priority: 0)]) == .integer(0))
        #expect(try q.connection.call(["ZCARD", q.delayedKey(queue: "w")]) == .integer(0))
    }
}
