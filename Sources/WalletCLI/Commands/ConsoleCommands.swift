// `wallet-console console` 与 `wallet-console demo`：把 ncursesw 控制台接到真实引擎上。
// 终端只归控制台：引擎日志写到 home 的日志文件，这里在控制台运行期间不向终端打印任何东西。
import ArgumentParser
import Foundation
import WalletConsole
import WalletCrypto
import WalletEngine
#if canImport(Glibc)
import Glibc
#endif

enum ConsoleCLI {
    static func config(home: String, lang: Language, readonly: Bool, theme: String?) -> ConsoleConfig {
        let keys = (home as NSString).appendingPathComponent("console.keys")
        return ConsoleConfig.load(lang: lang, readonly: readonly, themeName: theme,
                                  keymapPath: FileManager.default.fileExists(atPath: keys) ? keys : nil)
    }

    /// 在 /dev/tty 上读一行（回显，用于操作员名）。
    static func promptLine(_ prompt: String) throws -> String {
        let fd = Glibc.open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw NotATerminalError() }
        defer { close(fd) }
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1 {
            if c == 0x0a || c == 0x0d { break }
            bytes.append(c)
            if bytes.count > 256 { break }
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// 清理以前被信号杀掉的 demo 留下的临时 home：只删名字完全符合 wallet-console-demo-<pid>-<秒> 且该 pid 已不存在的目录
    /// （演示 home 的口令只在那个进程的内存里，目录留着也无法再解封，只是垃圾）。
    static func removeStaleDemoHomes(in dir: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for n in names where n.hasPrefix("wallet-console-demo-") {
            let parts = n.dropFirst("wallet-console-demo-".count).split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), UInt64(parts[1]) != nil, pid > 1, pid != getpid() else { continue }
            if Glibc.kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(n))
            }
        }
    }

    /// 运行控制台；结束后停止进程内 worker（有界等待）。
    static func run(engine: WalletEngine, backend: EngineConsoleBackend, config: ConsoleConfig, workers: Bool) throws {
        var runtime: EngineRuntime?
        var done: DispatchSemaphore?
        if workers {
            let rt = engine.runtime()
            let sem = DispatchSemaphore(value: 0)
            Task.detached { await rt.run(); sem.signal() }
            runtime = rt; done = sem
        }
        defer {
            if let rt = runtime, let sem = done {
                rt.requestStop("console exit")
                _ = sem.wait(timeout: .now() + .seconds(max(1, engine.config.shutdownGraceSeconds)))
            }
        }
        try ConsoleRunner.run(backend: backend, config: config)
    }
}

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: L("打开运维控制台（默认命令）", "open the operations console (default command)"),
        discussion: L("启动时在终端上登录：操作员名 + 口令（不回显）。--readonly 为观察员模式，没有批准/拒绝/仪式按键。", "On start you log in on the terminal: operator name + passphrase (not echoed). --readonly is viewer mode, with no approve/reject/ceremony keys."))

    @Flag(name: .long, help: ArgumentHelp(L("只读（观察员）模式：没有批准/拒绝/仪式按键", "read-only (viewer) mode: no approve/reject/ceremony keys"))) var readonly = false
    @Option(name: .long, help: ArgumentHelp(L("主题名或主题文件路径（dark|light|high-contrast|mono）", "theme name or theme file path (dark|light|high-contrast|mono)"))) var theme: String?
    @Option(name: .long, help: ArgumentHelp(L("界面语言 zh|en（默认 zh）", "interface language: zh|en"))) var lang: String = "zh"
    @Option(name: .long, help: ArgumentHelp(L("操作员名（省略则在终端上询问）", "operator name (asked on the terminal if omitted)"))) var `operator`: String?
    @OptionGroup var home: HomeOption

    mutating func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError("--lang 只能是 zh 或 en（收到 '\(lang)'） / --lang must be zh or en (got '\(lang)')") }
    }

    func run() throws {
        let language = Language(rawValue: lang) ?? .zh
        let path = home.resolved
        let readonly = self.readonly, theme = self.theme, name = self.operator
        do {
            guard isatty(0) == 1, isatty(1) == 1 else { throw NotATerminalError() }
            let engine = try runBlocking { try await WalletEngine.open(home: path) }
            let zh = language == .zh
            let opName = try name ?? ConsoleCLI.promptLine(zh ? "操作员: " : "operator: ")
            let pass = try KeystoreCLI.promptSecret(zh ? "\(opName) 的口令: " : "passphrase for \(opName): ", what: zh ? "操作员口令" : "operator passphrase")
            let op = try engine.authenticate(name: opName, passphrase: pass)
            engine.logger.info("console.login", ["operator": .string(op.name), "role": .string(op.role.rawValue), "readonly": .bool(readonly)])
            let backend = EngineConsoleBackend(engine: engine, operator: op, readonly: readonly, lang: language)
            // 真实链：worker 由 `engine run` 常驻进程负责；演示链在本进程里才有链，所以一并运行。
            try ConsoleCLI.run(engine: engine, backend: backend,
                               config: ConsoleCLI.config(home: path, lang: language, readonly: readonly, theme: theme),
                               workers: engine.isDemo)
        } catch {
            CLI.fail(error, lang: language, json: false)
        }
    }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: L("在全新的演示链 home 上打开控制台（无需节点）", "open the console on a fresh demo-chain home (no node needed)"),
        discussion: L("演示链是进程内模拟链（标注 DEMO），不是真实网络。自动以演示操作员 demo 登录；alice、bob 发起的提现在队列中等待审批。", "The demo chain is an in-process simulated chain (marked DEMO), not a real network. You are logged in automatically as the demo operator demo; withdrawals requested by alice and bob wait in the queue for approval."))

    @Flag(name: .long, help: ArgumentHelp(L("只读（观察员）模式", "read-only (viewer) mode"))) var readonly = false
    @Option(name: .long, help: ArgumentHelp(L("主题名或主题文件路径", "theme name or theme file path"))) var theme: String?
    @Option(name: .long, help: ArgumentHelp(L("界面语言 zh|en（默认 zh）", "interface language: zh|en"))) var lang: String = "zh"
    @Option(name: .long, help: ArgumentHelp(L("演示 home 目录（须为空；默认临时目录，退出时删除）", "demo home directory (must be empty; default: a temporary directory deleted on exit)"))) var home: String?
    @Option(name: .long, help: ArgumentHelp(L("演示链出块间隔（毫秒，默认 3000；也可用环境变量 WALLET_CONSOLE_DEMO_BLOCK_MS）", "demo-chain block interval (milliseconds, default 3000; can also be set with the WALLET_CONSOLE_DEMO_BLOCK_MS environment variable)"))) var blockIntervalMs: Int?

    mutating func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError("--lang 只能是 zh 或 en（收到 '\(lang)'） / --lang must be zh or en (got '\(lang)')") }
        if let b = blockIntervalMs, !(100...600_000).contains(b) {
            throw ValidationError(lang == "en" ? "--block-interval-ms must be within 100…600000" : "--block-interval-ms 必须在 100…600000 之间")
        }
    }

    func run() throws {
        let language = Language(rawValue: lang) ?? .zh
        let env = ProcessInfo.processInfo.environment["WALLET_CONSOLE_DEMO_BLOCK_MS"].flatMap { Int($0) }
        let interval = blockIntervalMs ?? env ?? 3000
        let temp = home == nil
        if temp { ConsoleCLI.removeStaleDemoHomes(in: NSTemporaryDirectory()) }
        let path = home ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("wallet-console-demo-\(getpid())-\(Int(Date().timeIntervalSince1970))")
        let readonly = self.readonly, theme = self.theme
        do {
            guard isatty(0) == 1, isatty(1) == 1 else { throw NotATerminalError() }
            defer { if temp { try? FileManager.default.removeItem(atPath: path) } }
            // 引擎的演示开局：演示链、种子操作员、预热出块与入账、其他操作员发起的待审提现。
            let session = try runBlocking { try await DemoHome.create(at: path, blockIntervalMs: interval) }
            let engine = session.engine, op = session.signedIn
            engine.logger.info("console.login", ["operator": .string(op.name), "role": .string(op.role.rawValue), "demo": .bool(true)])
            let backend = EngineConsoleBackend(engine: engine, operator: op, readonly: readonly, lang: language)
            try ConsoleCLI.run(engine: engine, backend: backend,
                               config: ConsoleCLI.config(home: path, lang: language, readonly: readonly, theme: theme), workers: true)
            if !temp {
                CLI.warn("演示 home 保留在 \(path)（DEMO 演示链，不是真实网络）。", "demo home kept at \(path) (DEMO chain, not a real network).", language)
            }
        } catch {
            if temp { try? FileManager.default.removeItem(atPath: path) }
            CLI.fail(error, lang: language, json: false)
        }
    }
}
