// config.json 的读写：格式是 ConfigDocument（Codable），这里把它与 EngineConfig 互相转换并校验。
import Foundation
import WalletCrypto

extension EngineConfig {
    /// 从 JSON 文本解析并校验（格式见 ConfigDocument）。
    public static func parse(_ data: Data) throws -> EngineConfig {
        let doc = try ConfigDecoding.decode(data)
        // 省略的键取各设置类型自己的默认值（默认值只写在 EngineConfig.swift 一处）。
        let dd = DepositSettings()
        let ed = EngineConfig(chain: ChainSettings(id: 0, kind: .rpc, rpcURLs: []), hotWallet: HotWalletSettings(keyId: "", address: ""), deposits: dd)
        let cd = ed.chain
        let ch = doc.chain
        guard let kind = ChainKind(rawValue: ch.kind) else {
            throw EngineError.config("chain.kind", zh: "只能是 \"rpc\"（真实节点）或 \"demo\"（演示链，必须显式选择），收到 '\(ch.kind)'。",
                                     en: "must be \"rpc\" (a real node) or \"demo\" (the demo chain, explicit only), got '\(ch.kind)'.")
        }
        var chain = ChainSettings(id: ch.id.value, kind: kind, rpcURLs: ch.rpcUrls ?? [], demoSeed: ch.demoSeed?.value ?? cd.demoSeed,
                                  demoBlockIntervalMs: ch.demoBlockIntervalMs ?? cd.demoBlockIntervalMs,
                                  requestTimeoutMs: ch.requestTimeoutMs ?? cd.requestTimeoutMs)
        chain.allowInsecureRpc = ch.allowInsecureRpc ?? cd.allowInsecureRpc
        chain.rpcRatePerSecond = ch.rpcRatePerSecond ?? cd.rpcRatePerSecond
        chain.rpcBurst = ch.rpcBurst ?? cd.rpcBurst
        let hot = HotWalletSettings(keyId: doc.hotWallet.keyId, address: doc.hotWallet.address)
        let d = doc.deposits
        let dep = DepositSettings(confirmations: d?.confirmations ?? dd.confirmations, scanBatchBlocks: d?.scanBatchBlocks ?? dd.scanBatchBlocks,
                                  reorgWindow: d?.reorgWindow ?? dd.reorgWindow)
        let fd = FeeSettings(), f = doc.fees
        let fees = FeeSettings(baseFeeMarginPercent: f?.baseFeeMarginPercent ?? fd.baseFeeMarginPercent,
                               maxFeePerGasCap: f?.maxFeePerGasCap?.value ?? fd.maxFeePerGasCap,
                               maxPriorityFeeCap: f?.maxPriorityFeeCap?.value ?? fd.maxPriorityFeeCap,
                               replacementBumpPercent: f?.replacementBumpPercent ?? fd.replacementBumpPercent,
                               stuckAfterSeconds: f?.stuckAfterSeconds ?? fd.stuckAfterSeconds,
                               historyBlocks: f?.historyBlocks ?? fd.historyBlocks)
        let sd = SweepSettings(), s = doc.sweep
        let sweep = SweepSettings(maxFeeShareBps: s?.maxFeeShareBps ?? sd.maxFeeShareBps, feeCap: s?.feeCap?.value ?? sd.feeCap,
                                  minAmount: (s?.minAmount ?? [:]).mapValues(\.value), auto: s?.auto ?? sd.auto)
        let wd = WorkerSettings(), w = doc.workers
        let workers = WorkerSettings(scanIntervalMs: w?.scanIntervalMs ?? wd.scanIntervalMs,
                                     withdrawalIntervalMs: w?.withdrawalIntervalMs ?? wd.withdrawalIntervalMs,
                                     sweepIntervalMs: w?.sweepIntervalMs ?? wd.sweepIntervalMs,
                                     reconcileIntervalMs: w?.reconcileIntervalMs ?? wd.reconcileIntervalMs,
                                     feeIntervalMs: w?.feeIntervalMs ?? wd.feeIntervalMs)
        let levelText = doc.log?.level ?? ed.logLevel.rawValue
        guard let level = LogLevel(rawValue: levelText) else {
            throw EngineError.config("log.level", zh: "只能是 debug、info、warn、error 之一（收到 '\(levelText)'）。",
                                     en: "must be one of debug, info, warn, error (got '\(levelText)').")
        }
        var cfg = EngineConfig(chain: chain, hotWallet: hot, deposits: dep, fees: fees, sweep: sweep, workers: workers,
                               metricsPort: doc.metrics?.port ?? ed.metricsPort, logPath: doc.log?.path ?? ed.logPath, logLevel: level,
                               logMaxBytes: doc.log?.maxBytes ?? ed.logMaxBytes, shutdownGraceSeconds: doc.shutdownGraceSeconds ?? ed.shutdownGraceSeconds)
        cfg.version = doc.version
        cfg.databaseURL = doc.database?.url.flatMap { $0.isEmpty ? nil : $0 }
        cfg.queueURL = doc.queue?.url.flatMap { $0.isEmpty ? nil : $0 }
        try cfg.validate()
        return cfg
    }

    /// 文件格式（写出时每个键都写全，演示链专用键只在演示链上出现）。
    var document: ConfigDocument {
        ConfigDocument(
            version: version,
            chain: .init(id: FlexibleUInt64(chain.id), kind: chain.kind.rawValue, rpcUrls: chain.rpcURLs, requestTimeoutMs: chain.requestTimeoutMs,
                         rpcRatePerSecond: chain.kind == .rpc ? chain.rpcRatePerSecond : nil, rpcBurst: chain.kind == .rpc ? chain.rpcBurst : nil,
                         allowInsecureRpc: chain.allowInsecureRpc ? true : nil,
                         demoSeed: chain.kind == .demo ? FlexibleUInt64(chain.demoSeed) : nil,
                         demoBlockIntervalMs: chain.kind == .demo ? chain.demoBlockIntervalMs : nil),
            hotWallet: .init(keyId: hotWallet.keyId, address: hotWallet.address),
            deposits: .init(confirmations: deposits.confirmations, scanBatchBlocks: deposits.scanBatchBlocks, reorgWindow: deposits.reorgWindow),
            fees: .init(baseFeeMarginPercent: fees.baseFeeMarginPercent, maxFeePerGasCap: ConfigAmount(fees.maxFeePerGasCap),
                        maxPriorityFeeCap: ConfigAmount(fees.maxPriorityFeeCap), replacementBumpPercent: fees.replacementBumpPercent,
                        stuckAfterSeconds: fees.stuckAfterSeconds, historyBlocks: fees.historyBlocks),
            sweep: .init(maxFeeShareBps: sweep.maxFeeShareBps, feeCap: ConfigAmount(sweep.feeCap),
                         minAmount: sweep.minAmount.mapValues(ConfigAmount.init), auto: sweep.auto),
            workers: .init(scanIntervalMs: workers.scanIntervalMs, withdrawalIntervalMs: workers.withdrawalIntervalMs,
                           sweepIntervalMs: workers.sweepIntervalMs, reconcileIntervalMs: workers.reconcileIntervalMs,
                           feeIntervalMs: workers.feeIntervalMs),
            metrics: .init(port: metricsPort),
            log: .init(path: logPath, level: logLevel.rawValue, maxBytes: logMaxBytes),
            shutdownGraceSeconds: shutdownGraceSeconds,
            database: databaseURL.map { ConfigDocument.Database(url: $0) },
            queue: queueURL.map { ConfigDocument.Queue(url: $0) })
    }

    /// 序列化为稳定的、带缩进的 JSON（键排序，便于 diff 与审阅）。
    public func serialized() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try! e.encode(document) + Data("\n".utf8)
    }

    /// 读取并校验 <home>/config.json。
    public static func load(home: HomeLayout) throws -> EngineConfig {
        guard let data = FileManager.default.contents(atPath: home.configFile) else {
            throw EngineError("config.missing", zh: "找不到配置文件 \(home.configFile)。先运行 `wallet-console init --home \(home.root) …` 创建数据目录。",
                              en: "config file \(home.configFile) not found. Run `wallet-console init --home \(home.root) …` first.", badInput: true)
        }
        return try parse(data)
    }

    /// 原子写入（临时文件 + fsync + rename），权限 0600。
    public func save(home: HomeLayout) throws {
        try validate()
        try AtomicFile.write(serialized(), to: home.configFile, mode: 0o600)
    }
}
