// WalletEngine：控制台与 CLI 唯一需要的入口。打开 home（校验配置、打开账本与密钥库、连接并校验链），
// 提供状态、worker 运行时，以及列表、审批、手续费、归集、nonce 状态、解封等操作。
import Logging
import Foundation
import Synchronization
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
    public var clock: any WalletClock
    public init(unsealPassphrase: SecretBytes? = nil, logToFile: Bool = true, verifyChain: Bool = true,
                clientOverride: ChainClient? = nil, rpcOverride: ResilientRPC? = nil, keystoreOptions: Keystore.Options = Keystore.Options(),
                clock: any WalletClock = SystemClock()) {
        self.unsealPassphrase = unsealPassphrase; self.logToFile = logToFile
        self.verifyChain = verifyChain; self.clientOverride = clientOverride; self.rpcOverride = rpcOverride
        self.keystoreOptions = keystoreOptions
        self.clock = clock
    }
}

public final class WalletEngine: Sendable {
    public let home: HomeLayout
    // signer use 会在运行中换配置（adoptConfig），worker 同时在读：放进 Mutex，读到的总是完整的一份。
    private let configBox: Mutex<EngineConfig>
    public private(set) var config: EngineConfig {
        get { configBox.withLock { $0 } }
        set { configBox.withLock { $0 = newValue } }
    }
    public let gate: LedgerGate
    public let keystore: Keystore
    public let chain: ChainAccess
    public let metrics: EngineMetrics
    public let logger: Logger
    public let fees: FeeOracle
    public let scanStore: LedgerScanStore
    /// 本进程在集群里的身份与租约（单引擎时也有：一个引擎就是一个人的集群）。
    public let cluster: EngineCluster
    let clock: any WalletClock
    let signerProblem = Protected<String?>(nil)
    let signerAlertCleared = Protected(false)
    /// 热钱包签名器最近一次真实检查的结果（心跳带给别的进程）。
    let signerReport = Protected<SignerReport?>(nil)
    let sealedSince = Protected<Int64?>(nil)
    /// 定时对账因扫块器落后而连续推迟的轮数（ReconcileWorker；放在引擎上：worker 实例每次 --once 都是新的）。
    let reconcileDeferred = Protected<Int>(0)
    /// 本进程已经看到（并处理过）的集群封存请求（库里 cluster.seal.request 的令牌）；nil = 还没看过（第一次看到的按时间判断，见 enforceClusterSeal）。
    let clusterSealSeen = Protected<String??>(nil)
    /// 归集的推进与发起在进程内串行（任务与归集 worker 会同时来）。
    let sweepMutex = AsyncMutex()
    let signerInfo = Protected<KeyInfo?>(nil)
    /// 签名器故障时的退避：连续失败次数与下一次检查的时间。
    let signerRetry = Protected<(failures: Int, at: Int64)>((0, 0))
    /// 本进程打开引擎的时间（判断封存请求是不是在本进程运行期间发生的）。
    let startedAt: Int64
    /// 演示链的出块器（仅 kind=demo）。open 在构造之后才装上，所以也放进 Mutex。
    private let demoBox = Mutex<DemoChainDriver?>(nil)
    public private(set) var demo: DemoChainDriver? {
        get { demoBox.withLock { $0 } }
        set { demoBox.withLock { $0 = newValue } }
    }

    public var client: ChainClient { chain.client }
    public var isDemo: Bool { config.isDemo }

    init(home: HomeLayout, config: EngineConfig, gate: LedgerGate, keystore: Keystore, chain: ChainAccess, metrics: EngineMetrics,
         logger: Logger, clock: any WalletClock) {
        self.home = home; self.configBox = Mutex(config); self.gate = gate; self.keystore = keystore; self.chain = chain
        self.metrics = metrics; self.logger = logger; self.clock = clock
        startedAt = clock.unixTime()
        fees = FeeOracle(client: chain.client, settings: config.fees, clock: clock)
        cluster = EngineCluster(gate: gate, clock: clock, hotWallet: config.hotWallet.address, logger: logger.child("cluster"))
        scanStore = LedgerScanStore(gate: gate, window: config.deposits.reorgWindow, metrics: metrics,
                                    logger: logger.child("scanner"), hotWallet: config.hotWallet.address, clock: clock)
        let ks = keystore
        cluster.canSign.withLock { $0 = { !ks.isSealed } }
    }

    /// 打开账本（配置策略与地址校验；充值地址派生器由账本从 settings 的 deposit.xpub 构造——唯一来源）。
    static func openLedger(home: HomeLayout, config: EngineConfig, clock: any WalletClock) throws -> Ledger {
        let ledger = try Ledger.open(home: home.root, databaseURL: config.databaseURL, clock: clock)
        if let q = config.queueURL {
            // 同一个集群（同一个账本库）的引擎用同一个键前缀；别的钱包共用这台 Redis 也不会串。
            let identity = config.databaseURL ?? home.root
            ledger.externalJobQueue = try LedgerBackends.openQueue(url: q, prefix: "wallet." + Hex.encode(Hash.sha256(Array(identity.utf8)).prefix(6)))
        }
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
        let logger: Logger
        if options.logToFile {
            let sink = try FileLogSink(path: home.logFile(config), maxBytes: config.logMaxBytes)
            logger = Logger.engine(sink: sink, level: config.logLevel)
        } else {
            logger = Logger.discard
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
        w.append(DepositScanWorker(gate: gate, client: client, store: scanStore, config: config, metrics: metrics, cluster: cluster))
        w.append(DepositCreditWorker(gate: gate, client: client, config: config, metrics: metrics, cluster: cluster))
        w.append(WithdrawalExecutor(gate: gate, client: client, fees: fees, signer: { [weak self] in await self?.usableHotSigner() },
                                    config: config, metrics: metrics, clock: clock, signerFailure: { [weak self] in self?.signerFailure },
                                    signFailed: { [weak self] e in self?.signFailed(e) }))
        w.append(SweepWorker(engine: self))
        w.append(JobWorker(engine: self))
        w.append(ReconcileWorker(engine: self))
        return w
    }

    public func runtime() -> EngineRuntime {
        EngineRuntime(workers: workers(), logger: logger, metrics: metrics, graceSeconds: config.shutdownGraceSeconds, clock: clock,
                      cluster: cluster)
    }

    /// 只跑某个 worker 一轮（测试与 CLI 子命令用）。
    public func runOnce(_ names: Set<String>? = nil) async -> [WorkerOutcome] {
        let ws = workers().filter { names == nil || names!.contains($0.name) }
        return await EngineRuntime(workers: ws, logger: logger, metrics: metrics, graceSeconds: config.shutdownGraceSeconds,
                                   cluster: cluster).runOnce()
    }

    public var nativeSymbol: String { "ETH" }

    /// signer use 写好 config.json 之后：本进程也用新配置。
    func adoptConfig(_ c: EngineConfig) { config = c }

    /// 仅测试：替换内存中的配置（例如把热钱包换成 HSM 上新生成的密钥）。
    func replaceConfigForTests(_ c: EngineConfig) throws {
        try c.validate()
        config = c
    }
}
