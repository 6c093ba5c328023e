import Foundation
import Testing
import WalletCrypto
import WalletEngine
@testable import WalletConsole

/// CLI 孪生命令必须能原样粘贴进 shell 重放（issue 14）：每条都过 `bash -n`，再让 bash 真正分词，
/// 参数必须逐字等于原始输入（含 --home 与 --operator），恶意原因/编号/路径都不会变成第二条命令。
@Suite(.serialized) struct CliTwinTests {
    static let hostile = ["地址可疑 user's; rm -rf $HOME", "$(touch PWNED)", "`touch PWNED`", "a\nb; touch PWNED", "'", "\"$HOME\" && touch PWNED", ""]

    /// 在空目录里跑 bash：`wallet-console` 换成只打印参数（NUL 分隔）的函数。返回 (bash -n 退出码, 每次调用的参数, 是否有副作用)。
    static func replay(_ twin: String) throws -> (syntax: Int32, calls: [[String]], sideEffect: Bool) {
        let dir = NSTemporaryDirectory() + "/wc-twin-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func bash(_ args: [String]) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = args
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.environment = ["HOME": dir + "/home", "PATH": "/usr/bin:/bin"]
            try p.run(); p.waitUntilExit()
            return p.terminationStatus
        }
        let syntax = try bash(["-n", "-c", twin])
        let out = dir + "/calls"
        let prelude = "wallet-console() { printf '%s\\0' \"$@\" >> \(ShellWords.quote(out)); printf '\\1' >> \(ShellWords.quote(out)); }\n"
        _ = try bash(["-c", prelude + twin])
        let raw = (try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data()
        let calls = raw.split(separator: 1, omittingEmptySubsequences: false).dropLast().map { call in
            call.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        }
        let side = FileManager.default.fileExists(atPath: dir + "/PWNED")
        return (syntax, calls, side)
    }

    @Test func everyTwinParsesAndReplaysWordForWord() async throws {
        // home 路径本身也带空格、引号与 $：它同样要被转义。
        let path = NSTemporaryDirectory() + "/wc twin 'q' $x-\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000) % 1_000_000)"
        let s = try await DemoHome.create(at: path, blockIntervalMs: 500)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = s.engine
        let op = try #require(try e.operatorNamed("demo"))
        let b = EngineConsoleBackend(engine: e, operator: op, readonly: false, lang: .zh)
        let home = e.home.root
        let ctx = ["--home", home, "--operator", "demo"]

        var cases: [(ConsoleAction, [[String]])] = []
        for h in Self.hostile {
            cases.append((.approve(id: h), [["withdraw", "approve", h] + ctx]))
            cases.append((.reject(id: "4", reason: h), [["withdraw", "reject", "4", "--reason", h] + ctx]))
            cases.append((.requeue(deadLetterId: h), [["jobs", "requeue", h] + ctx]))
            cases.append((.setTheme(name: h), [["console", "--home", home, "--theme", h]]))
        }
        cases.append((.bulkApprove(ids: ["1", Self.hostile[0], "3"]), [["withdraw", "approve", "1"] + ctx,
                                                                     ["withdraw", "approve", Self.hostile[0]] + ctx,
                                                                     ["withdraw", "approve", "3"] + ctx]))
        cases.append((.seal, [["keystore", "seal"] + ctx]))
        cases.append((.unsealPassphrase(SecretBytes(Array("x".utf8))), [["keystore", "unseal", "--home", home]]))
        cases.append((.unsealShare(SecretBytes(Array("x".utf8))), [["keystore", "unseal", "--home", home, "--shares-file", "-"]]))
        for (action, want) in cases {
            let twin = b.cliTwin(for: action)
            let r = try Self.replay(twin)
            #expect(r.syntax == 0, "bash -n 不通过：\(twin)")
            #expect(r.calls == want, "重放的参数与原始输入不同：\(twin)")
            #expect(!r.sideEffect, "孪生命令执行了额外的命令：\(twin)")
        }

        // 审计里存的孪生命令（账本写入、审计视图显示）同样逐字重放。
        let rows = try await b.withdrawals(PageQuery(offset: 0, limit: 50)).rows
        let target = try #require(rows.first { $0.state == .pending })
        _ = try await b.perform(.reject(id: target.id, reason: Self.hostile[0]))
        let audit = try await b.audit(PageQuery(offset: 0, limit: 50, filter: ListFilter("withdraw.reject")))
        let twin = try #require(audit.rows.first { $0.target == target.id }?.cliCommand)
        let r = try Self.replay(twin)
        #expect(r.syntax == 0 && !r.sideEffect, "\(twin)")
        let args = try #require(r.calls.first, "\(twin)")
        let reason = args.firstIndex(of: "--reason").map { args[$0 + 1] }
        #expect(reason == Self.hostile[0] && args.contains("--operator"), "审计孪生命令：\(twin)")
    }
}
