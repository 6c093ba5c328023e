// WalletEngine：控制台与 CLI 唯一需要的入口。打开 home（校验配置、打开账本与密钥库、连接并校验链），
// 提供状态、worker 运行时，以及列表、审批、手续费、归集、nonce 状态、解封等操作。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

public struct EngineOpenOptions {
    /// 解封口令（来自文件或 TTY，绝不来自 argv/环境变量）。nil = 保持封存（只读操作仍可用）。
    public var unsealPassphrase: SecretBytes?
    /// 写日志到 <home>/logs/engine.log（测试可关）。
    public var logToFile: Bool
    /// 打开时向节点校验 chainId（rpc）。
    public var verifyChain: Bool
    /// 测试注入的链客户端（替代配置里的节点）；nil = 按配置。
    public var clientOverride: ChainClient?
    /// 与 clientOverride 配套：其背后的多端点 RPC（用于熔断器状态展示）。
    public var rpcOverride: ResilientRPC?
    public var keystoreOptions: Keystore.Options
    public var clock: @Sendable () -> Int64
    public init(unsealPassphrase: SecretBytes? = nil, logToFile: Bool = true, verifyChain: Bool = true,
                clientOverride: ChainClient? = nil, rpcOverride: ResilientRPC? = nil, keystoreOptions: Keystore.Options = Keystore.Options(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.unsealPassphrase = unsealPassphrase; self.logToFile = logToFile
        self.verifyChain = verifyChain; self.clientOverride = clientOverride; self.rpcOverride = rpcOverride
        self.keystoreOptions = keystoreOptions
        self.clock = clock
    }
}

public final class WalletEngine: @unchecked Sendable {
    public let home: HomeLayout
    public private(set) var config: EngineConfig
    public let gate: LedgerGate
    public let keystore: Keystore
    public let chain: ChainAccess
    public let metrics: EngineMetrics
    public let logger: EngineLogger
    public let fees: FeeOracle
    public let scanStore: LedgerScanStore
    let clock: @Sendable () -> Int64
    let signerProblem = Protected<String?>(nil)
    let signerAlertCleared = Protected(false)
    /// 演示链的出块器（仅 kind=demo）。
    public private(set) var demo: DemoChainDriver?

    public var client: ChainClient { chain.client }
    public var isDemo: Bool { config.isDemo }

    init(home: HomeLayout, config: EngineConfig, gate: LedgerGate, keystore: Keystore, chain: ChainAccess, metrics: EngineMetrics,
         logger: EngineLogger, clock: @escaping @Sendable () -> Int64) {
        self.home = home; self.config = config; self.gate = gate; self.keystore = keystore; self.chain = chain
        self.metrics = metrics; self.logger = logger; self.clock = clock
        fees = FeeOracle(client: chain.client, settings: config.fees)
        scanStore = LedgerScanStore(gate: gate, window: config.deposits.reorgWindow, metrics: metrics,
                                    logger: logger.child("scanner"), hotWallet: config.hotWallet.address, clock: clock)
    }

    /// 打开账本（配置策略与地址校验；充值地址派生器由账本从 settings 的 deposit.xpub 构造——唯一来源）。
    static func openLedger(home: HomeLayout, config: EngineConfig, clock: @escaping @Sendable () -> Int64) throws -> Ledger {
        let ledger = try Ledger.open(home: home.root, clock: LedgerClock(now: clock))
        ledger.addresses = AddressValidator(keccak256: { Keccak.keccak256($0) })
        ledger.sealer = try KeystoreAuditSealer(home: home)
        try loadPolicy(ledger, home: home)   // 手改的 policy.json 要经批准才生效（WalletEngine+Policy.swift）
        return ledger
    }

    /// 打开一个 home。配置每次都校验；rpc 链在这里校验 chainId，不符即拒绝。
    public static func open(home path: String, options: EngineOpenOptions = EngineOpenOptions()) async throws -> WalletEngine {
        let home = HomeLayout(path)
        let config = try EngineConfig.load(home: home)
        let metrics = EngineMetrics()
        let logger: EngineLogger
        if options.logToFile {
            let sink = try FileLogSink(path: home.logFile(config), maxBytes: config.logMaxBytes)
            logger = EngineLogger(sink: sink, level: config.logLevel)
        } else {
            logger = EngineLogger.discard
        }
        let ledger = try openLedger(home: home, config: config, clock: options.clock)
        let keystore = try Keystore.open(home: home.root, options: options.keystoreOptions)
        if let p = options.unsealPassphrase { try keystore.unseal(passphrase: p) }
        var access: ChainAccess
        if let o = options.clientOverride {
            access = ChainAccess(client: o, rpc: options.rpcOverride, demo: o as? DemoChain)
        } else {
            access = try ChainAccess.make(config: config, metrics: metrics)
        }
        let engine = WalletEngine(home: home, config: config, gate: LedgerGate(ledger), keystore: keystore, chain: access,
                                  metrics: metrics, logger: logger, clock: options.clock)
        if config.isDemo, let chain = access.demo {
            let d = DemoChainDriver(chain: chain, gate: engine.gate, config: config)
            try d.seedGenesis()
            engine.demo = d
        }
        if options.verifyChain { try await access.verify(expected: config.chain.id) }
        metrics.sealed.set(keystore.isSealed ? 1 : 0)
        logger.info("engine.open", ["chainId": .uint(config.chain.id), "kind": .string(config.chain.kind.rawValue),
                                    "sealed": .bool(keystore.isSealed)])
        return engine
    }

    // MARK: - 密钥与签名

    /// 热钱包签名器：一律经密钥库的统一 Signer（加密库 / HSM / KMS 同一接口；HSM 的 PIN 在密钥库里信封加密，
    /// 所以任何层都要求已解封）。封存时为 nil。
    public func hotWalletSigner() -> TransactionSigner? {
        enforceSealRequests()   // 恐慌按钮：别的进程刚请求了封存，就不能再签
        guard !keystore.isSealed else { return nil }
        let s: KeystoreTxSigner
        do { s = try KeystoreTxSigner(keystore: keystore, keyId: config.hotWallet.keyId) } catch {
            // 已解封却拿不到签名器（HSM 令牌拔了、PIN 改了、KMS 不可达、条目坏了）：这是事件，不是「已封存」。
            signerFailed("signer.unavailable", zh: "热钱包签名器 \(config.hotWallet.keyId) 不可用：\((error as? WalletError)?.message(.zh) ?? "\(error)")",
                         en: "the hot-wallet signer \(config.hotWallet.keyId) is unavailable: \((error as? WalletError)?.message(.en) ?? "\(error)")")
            return nil
        }
        // 签名密钥的地址必须就是配置的热钱包地址：keyId 指错（或密钥库里的条目被换）时宁可不签，也不能从别的地址发钱。
        guard s.address.lowercased == config.hotWallet.address.lowercased() else {
            logger.error("signer.address_mismatch", ["keyId": .string(config.hotWallet.keyId), "signer": .string(s.address.checksummed),
                                                     "configured": .string(config.hotWallet.address)])
            signerFailed("signer.address_mismatch", zh: "签名密钥 \(config.hotWallet.keyId) 的地址 \(s.address.checksummed) 不是配置的热钱包 \(config.hotWallet.address)：不签名。",
                         en: "signing key \(config.hotWallet.keyId) has address \(s.address.checksummed), not the configured hot wallet \(config.hotWallet.address): not signing.")
            return nil
        }
        // 恢复：只在本进程第一次成功、或刚从故障恢复时清一次（不在每次取签名器时写库）。
        if signerProblem.write({ p -> Bool in defer { p = nil }; return p != nil }) || !signerAlertCleared.get {
            signerAlertCleared.write { $0 = true }
            try? gate.alertOnce(Self.signerAlertKey, kind: nil, at: clock())
        }
        return s
    }

    static let signerAlertKey = "engine.signer.alert"

    /// 已解封却不能签名的原因（nil = 没问题，或只是封存）。执行器据此让这一轮失败（`engine run --once` 退出 1）。
    public var signerFailure: String? { signerProblem.get }

    func signerFailed(_ code: String, zh: String, en: String) {
        signerProblem.write { $0 = code }
        logger.error(code, ["keyId": .string(config.hotWallet.keyId)])
        // 同一个问题只告警一次（存库去重）；恢复后清除，再出问题再告警。
        try? gate.alertOnce(Self.signerAlertKey, kind: code, zh: zh, en: en, at: clock())
    }

    public func unseal(passphrase: SecretBytes) throws {
        do { try keystore.unseal(passphrase: passphrase) } catch {
            logger.warn("keystore.unseal_failed", ["error": .error(error)])
            throw error
        }
        metrics.sealed.set(0)
        logger.info("keystore.unsealed")
    }

    public func seal() {
        keystore.seal()
        metrics.sealed.set(1)
        logger.info("keystore.sealed")
    }

    // MARK: - 运行时

    public func workers() -> [EngineWorker] {
        var w: [EngineWorker] = []
        if let d = demo { w.append(d) }
        w.append(FeeWorker(engine: self))
        w.append(SealWatchWorker(engine: self))
        w.append(DepositScanWorker(gate: gate, client: client, store: scanStore, config: config, metrics: metrics))
        w.append(WithdrawalExecutor(gate: gate, client: client, fees: fees, signer: { [weak self] in self?.hotWalletSigner() },
                                    config: config, metrics: metrics, clock: clock, signerFailure: { [weak self] in self?.signerFailure }))
        w.append(SweepWorker(engine: self))
        w.append(JobWorker(engine: self))
        w.append(ReconcileWorker(engine: self))
        return w
    }

    public func runtime() -> EngineRuntime {
        EngineRuntime(workers: workers(), logger: logger, metrics: metrics, graceSeconds: config.shutdownGraceSeconds)
    }

    /// 只跑某个 worker 一轮（测试与 CLI 子命令用）。
    public func runOnce(_ names: Set<String>? = nil) async -> [WorkerOutcome] {
        let ws = workers().filter { names == nil || names!.contains($0.name) }
        return await EngineRuntime(workers: ws, logger: logger, metrics: metrics, graceSeconds: config.shutdownGraceSeconds).runOnce()
    }

    public var nativeSymbol: String { "ETH" }

    /// 仅测试：替换内存中的配置（例如把热钱包换成 HSM 上新生成的密钥）。
    func replaceConfigForTests(_ c: EngineConfig) throws {
        try c.validate()
        config = c
    }
}
