// 真实 EVM 测试链（Tests/devnet/devnet.py：py-evm + eth-tester）作为子进程启动；每个测试一条独立的链。
// 我们签名的每一笔交易都由 py-evm 校验（签名、链 id、nonce、余额）——不是模拟。
import Foundation
import Testing
import WalletChain
import WalletCrypto
import WalletKeystore
import WalletLedger
@testable import WalletEngine

final class Devnet: @unchecked Sendable {
    let process: Process
    let url: String
    let endpoint: JSONRPCEndpoint
    let chainId: UInt64 = 131_277_322_940_537

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("devnet/devnet.py").path
    }

    init() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.scriptPath, "--port", "0", "--finality-depth", "8"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var line = ""
        let h = out.fileHandleForReading
        while !line.contains("\n") {
            let d = h.availableData
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        guard let portText = line.split(separator: "\n").first(where: { $0.hasPrefix("DEVNET_PORT=") })?.dropFirst(12),
              let port = Int(portText) else {
            p.terminate()
            throw EngineError("test.devnet", zh: "测试链未启动（需要 python3 + py-evm + eth-tester；输出：\(line)）",
                              en: "devnet did not start (needs python3 + py-evm + eth-tester; output: \(line))")
        }
        process = p
        url = "http://127.0.0.1:\(port)"
        endpoint = JSONRPCEndpoint(transport: try HTTPTransport(url: URL(string: url)!), timeout: 30)
    }

    deinit { stop() }

    func stop() {
        // 直接 SIGKILL、不调用 waitUntilExit：在异步测试线程里 waitUntilExit 会空转等待运行循环。
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    @discardableResult
    func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        try await endpoint.call(method, params)
    }

    func accounts() async throws -> [String] {
        guard case .array(let a) = try await call("devnet_accounts") else { return [] }
        return a.compactMap { if case .string(let s) = $0 { return s.lowercased() } else { return nil } }
    }

    func mine(_ n: Int = 1) async throws { try await call("evm_mine", [.string("0x" + String(n, radix: 16))]) }

    func send(from: String, to: String, wei: UInt256) async throws {
        try await call("devnet_send", [.object(["from": .string(from), "to": .string(to), "value": .string(wei.hexQuantity)])])
    }

    func deployToken(_ name: String, _ symbol: String, decimals: Int) async throws -> String {
        guard case .string(let a) = try await call("devnet_deployToken", [.string(name), .string(symbol), .number(String(decimals))]) else {
            throw EngineError("test.devnet", zh: "部署代币失败", en: "token deploy failed")
        }
        return a.lowercased()
    }

    func mint(_ token: String, to: String, _ amount: UInt256) async throws {
        try await call("devnet_mintToken", [.string(token), .string(to), .string(amount.hexQuantity)])
    }

    func snapshot() async throws -> String {
        guard case .string(let s) = try await call("evm_snapshot") else { return "" }
        return s
    }

    func revert(_ id: String) async throws { try await call("evm_revert", [.string(id)]) }

    func blockNumber() async throws -> UInt64 {
        guard case .string(let s) = try await call("eth_blockNumber") else { return 0 }
        return try StrictHex.quantity64(s)
    }

    func transactionCount(_ addr: String) async throws -> UInt64 {
        guard case .string(let s) = try await call("eth_getTransactionCount", [.string(addr), .string("latest")]) else { return 0 }
        return try StrictHex.quantity64(s)
    }

    func balance(_ addr: String) async throws -> UInt256 {
        guard case .string(let s) = try await call("eth_getBalance", [.string(addr), .string("latest")]) else { return .zero }
        return try StrictHex.quantity(s)
    }

    func setAutoMine(_ on: Bool) async throws { try await call("devnet_setAutoMine", [.bool(on)]) }

    func fault(_ mode: String, count: Int) async throws { try await call("devnet_fault", [.string(mode), .number(String(count))]) }
}

let ether = UInt256(1_000_000_000_000_000_000)

/// 测试用的小 scrypt 参数（生产默认 N=2^17；测试只验证流程，不验证 KDF 强度）。
let fastKeystore = Keystore.Options(scrypt: ScryptParams(n: 1 << 12, r: 8, p: 1), backoffBase: 0.01, backoffMax: 0.05)
let fastOperatorKDF = ScryptParams(n: 1 << 10)

func tempHome(_ tag: String) -> String {
    let p = NSTemporaryDirectory() + "/wc-\(tag)-\(UUID().uuidString.prefix(8))"
    return p
}

/// 在测试链上建一个 home：init + 宽松策略（白名单关闭、1 人审批）+ 打开引擎（已解封）。
func makeDevnetHome(_ dev: Devnet, tag: String, confirmations: Int = 3, approvals: Int = 1,
                    clock: any WalletClock = SystemClock()) async throws -> WalletEngine {
    let home = tempHome(tag)
    _ = try HomeInitializer.initialize(InitRequest(
        home: home, chainId: dev.chainId, rpcURLs: [dev.url], unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)),
        adminName: "admin", adminPassphrase: SecretBytes(Array("admin-pass-123".utf8)), confirmations: confirmations,
        keystoreOptions: fastKeystore, operatorKDF: fastOperatorKDF, acceptUnbackedSeed: true))
    let policy = """
    {"allowlist": {"required": false, "coolingOffSeconds": 0},
     "rules": [{"name": "test", "asset": "*", "action": "allow", "approvals": \(approvals)}]}
    """
    try policy.write(toFile: HomeLayout(home).policyFile, atomically: true, encoding: .utf8)
    var cfg = try EngineConfig.load(home: HomeLayout(home))
    cfg.fees.stuckAfterSeconds = 10
    try cfg.save(home: HomeLayout(home))
    return try await WalletEngine.open(home: home, options: EngineOpenOptions(
        unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)), logToFile: true, keystoreOptions: fastKeystore, clock: clock))
}

extension WalletEngine {
    /// 测试：以某个操作员身份（按需创建）执行。
    func op(_ name: String, role: OperatorRole) throws -> Operator {
        let admin = try authenticate(name: "admin", passphrase: SecretBytes(Array("admin-pass-123".utf8)))
        if name == "admin" { return admin }
        if let o = try operators().first(where: { $0.name == name }) { return o }
        return try gate.with { l in
            try l.addOperator(name: name, role: role, passphrase: SecretBytes(Array("\(name)-pass-123".utf8)), by: admin, kdf: fastOperatorKDF)
        }
    }

    func runWorker(_ name: String) async throws {
        let out = await runOnce([name])
        if let e = out.first?.error { throw EngineError("test.worker", zh: "\(name) 失败：\(e)", en: "\(name) failed: \(e)") }
    }
}
