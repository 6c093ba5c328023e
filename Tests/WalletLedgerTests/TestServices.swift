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
            let script = packageRoot() + "/Tests/services/up.sh"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [script, dir]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out; p.standardError = err
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
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
                let stop = Process()
                stop.executableURL = URL(fileURLWithPath: "/bin/bash")
                stop.arguments = [TestServices.packageRoot() + "/Tests/services/down.sh", d]
                try? stop.run(); stop.waitUntilExit()
            }
            cached = vars
            return vars
        }
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
