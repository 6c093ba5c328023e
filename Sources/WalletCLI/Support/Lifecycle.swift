// 进程生命周期交给 swift-service-lifecycle：ServiceGroup 统一接 SIGTERM/SIGINT（优雅停机）、按倒序停服务
// （先停引擎、最后停指标端点，停机过程仍可被抓取）、宽限期过后升级为取消。以前是手写的 SignalTrap + 各命令自己的收尾。
import Foundation
import Synchronization
import Logging
import ServiceLifecycle
import WalletEngine

/// 宽限期已到、强制停止时的退出码（与 0 成功、1 失败、2 输入错误、3 提议待批都不同；systemd 会把它当失败重启）。
let forcedStopExitCode: Int32 = 4

/// 引擎运行时作为一个 Service：优雅停机 = 置停止标志，worker 不再领新活，在途轮次在宽限期内走完（见 EngineRuntime）。
final class EngineService: Service, Sendable {
    // outcome 只在 run() 里写一次、在 group.run() 返回后读；放进 Mutex，编译器即可检查。
    let runtime: EngineRuntime
    let once: Bool
    private let outcome = Mutex<(kind: ShutdownKind, once: [WorkerOutcome])>((.notRequested, []))
    var kind: ShutdownKind { outcome.withLock { $0.kind } }
    var onceOutcomes: [WorkerOutcome] { outcome.withLock { $0.once } }

    init(runtime: EngineRuntime, once: Bool) { self.runtime = runtime; self.once = once }

    func run() async throws {
        let rt = runtime
        if once {
            let o = await withGracefulShutdownHandler { await rt.runOnce() } onGracefulShutdown: { rt.requestStop("signal") }
            outcome.withLock { $0.once = o }
        } else {
            let k = await withGracefulShutdownHandler { await rt.run() } onGracefulShutdown: { rt.requestStop("signal") }
            outcome.withLock { $0.kind = k }
        }
    }
}

/// `/metrics` 端点作为一个 Service：启动即监听，优雅停机时最后关闭。
struct MetricsHTTPService: Service {
    let server: MetricsServer
    func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}

/// 一段阻塞的服务循环（KMS 的 accept 循环）作为 Service：优雅停机时调用 stop 让循环返回。
struct BlockingLoopService: Service {
    let name: String
    let loop: @Sendable () -> Void
    let stop: @Sendable () -> Void
    func run() async throws {
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let t = Thread { loop(); c.resume() }
                t.name = name
                t.start()
            }
        } onGracefulShutdown: { stop() }
    }
}

enum Lifecycle {
    /// 运行一组服务直到它们结束或收到 SIGTERM/SIGINT。graceSeconds 之后仍未停完 → 取消；再过 3 秒仍未停 → 进程终止（ServiceGroup 的上限）。
    static func run(_ services: [Service], logger: Logger, graceSeconds: Int) async throws {
        var config = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        config.maximumGracefulShutdownDuration = .seconds(graceSeconds)
        config.maximumCancellationDuration = .seconds(3)
        try await ServiceGroup(configuration: config).run()
    }
}

extension CLI {
    /// 异步命令的入口：错误处理与退出码和同步的 CLI.run 完全一样（复用它）。
    static func runAsync(_ g: GlobalOptions, _ body: () async throws -> Void) async {
        language = g.language   // 和 CLI.run 一样先定语言：辅助函数（空列表占位、层级说明）按它取中文或英文
        do { try await body() } catch { CLI.run(g) { throw error } }
    }
}
