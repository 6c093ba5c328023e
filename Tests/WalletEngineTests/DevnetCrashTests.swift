// 崩溃一致性（真实 EVM + 真实进程）：`wallet-console engine run --once` 在“签名已落库、尚未广播”与
// “已广播、状态未写回”两个瞬间被 SIGKILL；重启后每个 nonce 恰好一笔交易，没有重新签名、没有跳号。
import Foundation
import Testing
import WalletChain
import WalletCrypto
import WalletLedger
@testable import WalletEngine

enum Binary {
    /// .build/<triple>/debug/wallet-console：与测试包在同一构建目录。
    static var path: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let c = dir.appendingPathComponent("wallet-console")
            if FileManager.default.isExecutableFile(atPath: c.path) { return c.path }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/wallet-console").path
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    /// 运行并返回（退出码, 是否被信号杀死, stderr）。
    static func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, signaled: Bool, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path!)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let d = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason == .uncaughtSignal, String(decoding: d, as: UTF8.self))
    }
}

@Suite(.serialized) struct DevnetCrashTests {
    @Test func killBetweenSignAndBroadcastAndAfterBroadcastLeavesOneTxPerNonce() async throws {
        guard Binary.path != nil else { Issue.record("找不到 wallet-console 可执行文件（先 swift build）"); return }
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "crash", confirmations: 1)
        let home = engine.home.root
        let pass = home + "/unseal.txt"
        try "unseal-pass-123".write(toFile: pass, atomically: true, encoding: .utf8)
        let accts = try await prepareFunds(dev, engine, user: "erin", amount: ether * UInt256(5))
        var ids: [Int64] = []
        for i in 0..<3 {
            ids.append(try approvedWithdrawal(engine, id: "crash-\(i)", user: "erin", amount: "0.5", to: accts[4 + i]).id)
        }
        let args = ["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", pass]

        // 1) 签名落库后、广播前被杀。
        let r1 = try Binary.run(args, env: ["WALLET_FAILPOINTS": "withdraw.after_sign"])
        #expect(r1.signaled, "应被 SIGKILL：\(r1.status) \(r1.stderr)")
        let w0 = try engine.withdrawal(id: ids[0])
        #expect(w0.state == .signed, "\(w0.state)")
        #expect(w0.nonce == 0 && w0.txHash != nil)
        #expect(try await dev.transactionCount(engine.hotAddress) == 0)

        // 2) 重启：广播那份已存的字节，刚广播完（状态未写回 broadcast）又被杀。
        let r2 = try Binary.run(args, env: ["WALLET_FAILPOINTS": "withdraw.after_broadcast"])
        #expect(r2.signaled, "应被 SIGKILL：\(r2.status) \(r2.stderr)")
        let w0b = try engine.withdrawal(id: ids[0])
        #expect(w0b.state == .unknown, "\(w0b.state)")
        #expect(w0b.txHash == w0.txHash)   // 没有重新签名
        #expect(try await dev.transactionCount(engine.hotAddress) == 1)

        // 3) 正常重启：unknown 按哈希在链上找到 → broadcast；其余两笔依次用 nonce 1、2。
        let r3 = try Binary.run(args)
        #expect(r3.status == 0, "\(r3.stderr)")
        try await dev.mine(2)
        let r4 = try Binary.run(args)
        #expect(r4.status == 0, "\(r4.stderr)")

        var nonces: [Int64] = []
        for id in ids {
            let w = try engine.withdrawal(id: id)
            #expect(w.state == .confirmed, "#\(id) \(w.state)")
            nonces.append(w.nonce ?? -1)
        }
        #expect(nonces.sorted() == [0, 1, 2])
        #expect(try engine.withdrawal(id: ids[0]).txHash == w0.txHash)
        // 链上恰好三笔：每个 nonce 一笔，没有重复广播造成的第四笔。
        #expect(try await dev.transactionCount(engine.hotAddress) == 3)
        let ns = try await engine.nonceStatus()
        #expect(ns.ok && ns.nextNonce == 3, "\(ns.json)")
        #expect(try engine.gate.with { l in try l.store.nonceCollisions() }.isEmpty)
        #expect(try engine.ledgerCheck().isEmpty)
    }

    @Test func repeatedKillsAtBothPointsNeverReSignOrSkip() async throws {
        guard Binary.path != nil else { Issue.record("找不到 wallet-console 可执行文件（先 swift build）"); return }
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "crash2", confirmations: 1)
        let home = engine.home.root
        let pass = home + "/unseal.txt"
        try "unseal-pass-123".write(toFile: pass, atomically: true, encoding: .utf8)
        let accts = try await prepareFunds(dev, engine, user: "ivan", amount: ether * UInt256(5))
        var ids: [Int64] = []
        for i in 0..<5 { ids.append(try approvedWithdrawal(engine, id: "loop-\(i)", user: "ivan", amount: "0.2", to: accts[3 + i]).id) }
        let args = ["engine", "run", "--once", "--home", home, "--unseal-passphrase-file", pass]
        // 固定的故障序列（不是随机数：可复现）：签名后杀、广播后杀、交替，最后正常跑到全部确认。
        let plan = ["withdraw.after_sign", "withdraw.after_broadcast", "withdraw.after_broadcast", "withdraw.after_sign",
                    "withdraw.after_broadcast", "withdraw.after_sign", "withdraw.after_broadcast", "", "", ""]
        var firstHash: [Int64: String] = [:]
        var kills = 0
        for fp in plan {
            let r = try Binary.run(args, env: fp.isEmpty ? [:] : ["WALLET_FAILPOINTS": fp])
            if r.signaled { kills += 1 } else { #expect(r.status == 0, "\(r.stderr)") }
            for id in ids {
                if let h = try engine.withdrawal(id: id).txHash {
                    if let f = firstHash[id] { #expect(f == h, "提现 #\(id) 被重新签名") } else { firstHash[id] = h }
                }
            }
            try await dev.mine(1)
        }
        #expect(kills >= 5)
        let states = try ids.map { try engine.withdrawal(id: $0).state }
        #expect(states.allSatisfy { $0 == .confirmed }, "\(states)")
        #expect(try ids.compactMap { try engine.withdrawal(id: $0).nonce }.sorted() == [0, 1, 2, 3, 4])
        #expect(try await dev.transactionCount(engine.hotAddress) == 5)
        #expect(try engine.gate.with { l in try l.store.nonceCollisions() }.isEmpty)
        #expect(try await engine.nonceStatus().ok)
        #expect(try engine.ledgerCheck().isEmpty)
    }
}
