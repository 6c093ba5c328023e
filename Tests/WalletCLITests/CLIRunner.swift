// 端到端运行真实的 wallet-console 二进制（不是调用内部函数），断言退出码、stdout JSON 与 stderr。
import Foundation
import Testing

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// 被信号结束（陷入、段错误、abort）——对任何输入都不允许。
    var crashed = false

    /// stdout 解析为 JSON；失败时返回 nil。
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed]) }
}

enum CLIRunner {
    /// .build/<config>/wallet-console：测试包与可执行文件在同一构建目录。
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("wallet-console")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/wallet-console")
    }

    /// 发布版二进制：运维用的就是它（issue 10 的一致性测试驱动它）。README 的测试命令先构建它；
    /// 缺失或比任何源文件旧（改了代码没重建）都直接失败并说明怎么办，绝不悄悄退回 debug 版。
    static func releaseBinary() throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let bin = root.appendingPathComponent(".build/release/wallet-console")
        let fix = "请先运行 `swift build -c release --product wallet-console`（README 的测试命令已包含这一步）"
        guard let built = (try? FileManager.default.attributesOfItem(atPath: bin.path))?[.modificationDate] as? Date else {
            throw CLIDevnetError(message: "没有发布版二进制 \(bin.path)：\(fix)")
        }
        let sources = root.appendingPathComponent("Sources")
        // 不进 wallet-console 的目标（基准、模糊测试、测试支撑程序）不算：改了它们 SwiftPM 不会重链发布版，比它新是正常的。
        let notInProduct = ["WalletBench", "WalletFuzz", "WalletFuzzTargets", "WalletTestWorker"].map { sources.appendingPathComponent($0).path + "/" }
        for case let f as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey]) ?? .init() {
            if notInProduct.contains(where: { f.path.hasPrefix($0) }) { continue }
            if let d = try? f.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate, d > built {
                throw CLIDevnetError(message: "发布版二进制比 \(f.path) 旧：\(fix)")
            }
        }
        return bin
    }

    /// 测试支撑程序（不是产品）：与 wallet-console 在同一构建目录。
    static var workerBinary: URL { binary.deletingLastPathComponent().appendingPathComponent("WalletTestWorker") }

    @discardableResult
    static func runWorker(_ args: [String]) throws -> CLIResult { try run(args, executable: workerBinary) }

    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], executable: URL? = nil) throws -> CLIResult {
        let p = Process()
        p.executableURL = executable ?? binary
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inp.fileHandleForWriting.close()
        // 先读完管道再等待，避免输出大于管道缓冲时死锁。
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: r, as: UTF8.self), crashed: p.terminationReason == .uncaughtSignal)
    }

    /// 新建临时目录（测试结束自行删除）。
    static func tempDir(_ tag: String = "wc") -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag)-\(ProcessInfo.processInfo.globallyUniqueString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    static func write(_ text: String, to dir: URL, _ name: String) -> String {
        let u = dir.appendingPathComponent(name)
        FileManager.default.createFile(atPath: u.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        return u.path
    }
}

@Test func binaryShowsHelp() throws {
    let r = try CLIRunner.run(["--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("wallet-console"))
}

/// devnet 端到端测试共用的临时 home：口令只进 0600 文件（不上 argv），管理员 root。
struct CLIHome {
    let dir: URL
    let unseal: String
    let pw: String
    let home: String
    init(_ tag: String) {
        dir = CLIRunner.tempDir(tag)
        unseal = CLIRunner.write("unseal-pass-123\n", to: dir, "unseal.txt")
        pw = CLIRunner.write("admin-pass-123\n", to: dir, "admin.txt")
        home = dir.appendingPathComponent("home").path
    }
    var h: [String] { ["--home", home] }
    /// 以某操作员身份登录（所有测试操作员共用同一口令文件）。
    func op(_ name: String) -> [String] { ["--operator", name, "--operator-passphrase-file", pw] }
    /// `init` 的公共参数；chainId/rpc/额外参数由调用方给。
    /// 没给 --mnemonic-file 时新种子必须留下备份：份额写到一个新的临时目录。
    func initArgs(chainId: String, rpc: String, _ extra: [String] = []) -> [String] {
        ["init", "--chain-id", chainId, "--rpc", rpc, "--unseal-passphrase-file", unseal,
         "--admin", "root", "--admin-passphrase-file", pw, "--scrypt-log-n", "12"] + extra + h
            + (extra.contains("--mnemonic-file") ? [] : CLIHome.backupArgs(dir))
    }
    static func backupArgs(_ dir: URL) -> [String] {
        ["--backup-shares", "2-of-3", "--backup-dir", dir.appendingPathComponent("backup-\(UUID().uuidString)").path]
    }
}
