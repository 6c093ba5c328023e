import Foundation
import Testing
import WalletCrypto
@testable import WalletChain

/// 启动 Tests/devnet/devnet.py（真实 py-evm），等它打印端口，测试结束时杀掉。
final class Devnet: @unchecked Sendable {
    let process: Process
    let port: Int
    let url: String
    let rpc: JSONRPCEndpoint
    private let stdinPipe: Pipe

    static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("devnet/devnet.py").path
    }()

    /// Python 模块是否齐全（CI 会安装；缺失时才跳过，并说明原因）。
    static let available: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import eth_tester, eth, eth_abi, eth_utils"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run(); p.waitUntilExit(); return p.terminationStatus == 0 } catch { return false }
    }()

    static let skipMessage: Comment = "跳过：缺少 Python 模块 py-evm/eth-tester（运行 ./install.sh 或 pip install py-evm==0.12.1b1 eth-tester==0.14.0b1）"

    init() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Devnet.script, "--port", "0", "--exit-on-stdin-eof"]
        let out = Pipe()
        let input = Pipe()   // 测试进程死掉时管道关闭，devnet 随之退出
        p.standardOutput = out
        p.standardInput = input
        self.stdinPipe = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        var buf = ""
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty {
                if !p.isRunning || Date() > deadline { break }
                continue
            }
            buf += String(decoding: d, as: UTF8.self)
            for line in buf.split(separator: "\n") where line.hasPrefix("DEVNET_PORT=") {
                found = Int(line.dropFirst("DEVNET_PORT=".count))
            }
        }
        guard let port = found else {
            if p.isRunning { p.terminate() }
            throw ChainError.transport(endpoint: "devnet", detail: "devnet 未能启动：\(buf.prefix(300))")
        }
        self.process = p
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
        self.rpc = JSONRPCEndpoint(transport: try HTTPTransport(url: URL(string: url)!), timeout: 30)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    @discardableResult
    func call(_ m: String, _ params: [JSONValue] = []) async throws -> JSONValue { try await rpc.call(m, params) }

    func str(_ m: String, _ params: [JSONValue] = []) async throws -> String {
        guard case .string(let s) = try await call(m, params) else { throw ChainError.malformedResponse(method: m, field: "result", detail: "") }
        return s
    }

    static let chainId: UInt64 = 131_277_322_940_537  // eth-tester PyEVMBackend 默认链 ID

    func client(timeout: Double = 10, attempts: Int = 3, threshold: Int = 5, clock: ChainClock = SystemClock()) throws -> (JSONRPCChainClient, ResilientRPC) {
        let rpc = try ResilientRPC.http(urls: [url], config: ResilienceConfig(
            expectedChainId: Devnet.chainId, timeoutSeconds: timeout,
            retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.05, maxDelay: 0.2),
            breaker: BreakerConfig(failureThreshold: threshold, openSeconds: 60)), clock: clock)
        return (JSONRPCChainClient(rpc: rpc), rpc)
    }
}

extension UInt256 { var q: JSONValue { .string(hexQuantity) } }
