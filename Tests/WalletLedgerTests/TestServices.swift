// 测试用的 PostgreSQL 与 Redis：.ci/run 启动好并导出 WALLET_TEST_*；直接 `swift test` 时本进程用 Tests/services/up.sh 自己启动一套，
// 退出时停掉。CI 里（CI=true）起不来就让测试失败，而不是跳过。
// （这个文件在 WalletCLITests 里是同一个文件的符号链接。）
import Foundation
import Synchronization

enum TestServices {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private static let started = Mutex<[String: String]?>(nil)
    nonisolated(unsafe) private static var startedDir: String?

    /// WALLET_TEST_PG_URL、WALLET_TEST_PGPASSFILE、WALLET_TEST_REDIS_URL。
    static func environment() throws -> [String: String] {
        let env = ProcessInfo.processInfo.environment
        if let pg = env["WALLET_TEST_PG_URL"], let redis = env["WALLET_TEST_REDIS_URL"] {
            return ["WALLET_TEST_PG_URL": pg, "WALLET_TEST_PGPASSFILE": env["WALLET_TEST_PGPASSFILE"] ?? "", "WALLET_TEST_REDIS_URL": redis]
        }
        return try started.withLock { cached in
            if let c = cached { return c }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wallet-svc-\(getpid())").path
            let outFile = dir + ".out", errFile = dir + ".err"
            // 不用 Foundation.Process：测试进程里它的 waitUntilExit 等不到 up.sh 退出（后台服务进程还在），这里直接 posix_spawn + waitpid。
            let status = try spawnAndWait(["/bin/bash", packageRoot() + "/Tests/services/up.sh", dir], stdout: outFile, stderr: errFile)
            let data = (try? Data(contentsOf: URL(fileURLWithPath: outFile))) ?? Data()
            let errText = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            unlink(outFile); unlink(errFile)
            guard status == 0 else {
                throw Failure(description: "Tests/services/up.sh 失败（先 ./install.sh --deps-only 装 postgresql 与 redis-server）：\(errText)")
            }
            var vars: [String: String] = [:]
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("export ") {
                let kv = line.dropFirst(7).split(separator: "=", maxSplits: 1)
                if kv.count == 2 { vars[String(kv[0])] = String(kv[1]) }
            }
            startedDir = dir
            atexit {
                guard let d = TestServices.startedDir else { return }
                _ = try? TestServices.spawnAndWait(["/bin/bash", TestServices.packageRoot() + "/Tests/services/down.sh", d],
                                                   stdout: "/dev/null", stderr: "/dev/null")
            }
            cached = vars
            return vars
        }
    }

    static func spawnAndWait(_ argv: [String], stdout: String, stderr: String) throws -> Int32 {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // 子进程的信号屏蔽字清空、SIGTERM/SIGINT 恢复默认：测试运行器的线程屏蔽了信号，posix_spawn 会原样继承——
        // 以前 up.sh 后台启动的 redis-server 因此收不到 SIGTERM，down.sh 停不掉它，每次跑完测试留下一个（PostgreSQL 自己会清屏蔽字）。
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty); sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM); sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cargs, environ)
        guard rc == 0 else { throw Failure(description: "posix_spawn \(argv[0]) 失败：\(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    static func packageRoot() -> String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }
}
