// 引擎配置（<home>/config.json）：每次启动都完整校验，错误指出具体键名（中英文）。
// 为什么拒绝未知键：拼错的键（如 "rpcUrl"）若被静默忽略，会让运维以为配置生效了——钱包里这是事故源头。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

/// 链的种类。`demo` 是进程内模拟链，只能显式选择，绝不作为默认值。
public enum ChainKind: String, Sendable, Codable, CaseIterable {
    case rpc
    case demo
}

public enum LogLevel: String, Sendable, CaseIterable, Comparable {
    case debug, info, warn, error
    var rank: Int { switch self { case .debug: 0; case .info: 1; case .warn: 2; case .error: 3 } }
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }
}

public struct ChainSettings: Sendable, Equatable {
    public var id: UInt64
    public var kind: ChainKind
    public var rpcURLs: [String]
    /// 演示链的确定性种子（仅 kind=demo）。
    public var demoSeed: UInt64
    /// 演示链出块间隔（毫秒，仅 kind=demo）。
    public var demoBlockIntervalMs: Int
    public var requestTimeoutMs: Int
    /// 允许非本机的明文 http 节点（默认不允许：明文 RPC 可被中间人篡改余额、收据与 chainId）。
    public var allowInsecureRpc: Bool = false
    /// 每个节点端点的客户端限流（令牌桶：每秒补充、突发上限）。默认按公共节点服务的免费额度取保守值；
    /// 自己运维的节点可以调高——提现/秒、扫块速度在默认值下首先受它限制（wallet-bench cluster 实测）。
    public var rpcRatePerSecond: Int = 20
    public var rpcBurst: Int = 40
    public init(id: UInt64, kind: ChainKind, rpcURLs: [String], demoSeed: UInt64 = 0, demoBlockIntervalMs: Int = 3000,
                requestTimeoutMs: Int = 10_000) {
        self.id = id; self.kind = kind; self.rpcURLs = rpcURLs; self.demoSeed = demoSeed
        self.demoBlockIntervalMs = demoBlockIntervalMs; self.requestTimeoutMs = requestTimeoutMs
    }
}

public struct HotWalletSettings: Sendable, Equatable {
    /// 密钥库中热钱包签名密钥的 id。
    public var keyId: String
    /// 该密钥的以太坊地址（0x + 40 位十六进制，EIP-55 或全小写）；启动时与密钥库核对。
    public var address: String
    public init(keyId: String, address: String) { self.keyId = keyId; self.address = address }
}

public struct DepositSettings: Sendable, Equatable {
    // 充值 xpub 与按资产的确认策略不在这里：它们只存在数据库（settings / assets 表），见 docs/architecture.md。
    /// 我们自己发出的交易（提现、补 gas、归集）视为最终所需的确认数；init 也用它作为 ETH 的初始入账确认数。
    public var confirmations: Int
    /// 每轮最多扫描的区块数。
    public var scanBatchBlocks: Int
    /// 保留最近多少个区块哈希用于重组检测（也是可处理的最大重组深度）。
    public var reorgWindow: Int
    public init(confirmations: Int = 12, scanBatchBlocks: Int = 50, reorgWindow: Int = 128) {
        self.confirmations = confirmations
        self.scanBatchBlocks = scanBatchBlocks; self.reorgWindow = reorgWindow
    }
}

public struct FeeSettings: Sendable, Equatable {
    /// maxFeePerGas = 预测 base fee × 该百分比 / 100 + 小费（EIP-1559 常用 200%，可承受连续 6 个满块）。
    public var baseFeeMarginPercent: Int
    /// maxFeePerGas 上限（wei）。超过即不签名、告警。
    public var maxFeePerGasCap: UInt256
    /// maxPriorityFeePerGas 上限（wei）。
    public var maxPriorityFeeCap: UInt256
    /// 卡住交易替换时的加价百分比（节点要求至少 +10%）。
    public var replacementBumpPercent: Int
    /// 广播后多久未上链视为卡住（秒）。
    public var stuckAfterSeconds: Int
    /// eth_feeHistory 取多少个区块。
    public var historyBlocks: Int
    public init(baseFeeMarginPercent: Int = 200, maxFeePerGasCap: UInt256 = UInt256(500_000_000_000),
                maxPriorityFeeCap: UInt256 = UInt256(50_000_000_000), replacementBumpPercent: Int = 12,
                stuckAfterSeconds: Int = 300, historyBlocks: Int = 20) {
        self.baseFeeMarginPercent = baseFeeMarginPercent; self.maxFeePerGasCap = maxFeePerGasCap
        self.maxPriorityFeeCap = maxPriorityFeeCap; self.replacementBumpPercent = replacementBumpPercent
        self.stuckAfterSeconds = stuckAfterSeconds; self.historyBlocks = historyBlocks
    }
}

public struct SweepSettings: Sendable, Equatable {
    /// 手续费占金额的比例上限（基点，500 = 5%）；超过则推迟。
    public var maxFeeShareBps: Int
    /// 单笔归集手续费上限（wei）。
    public var feeCap: UInt256
    /// 每种资产的最小归集金额（基本单位）；未列出的资产为 0。
    public var minAmount: [String: UInt256]
    /// 是否自动执行归集（false 时只出计划，等运维 `sweep run`）。
    public var auto: Bool
    public init(maxFeeShareBps: Int = 500, feeCap: UInt256 = UInt256(10_000_000_000_000_000),
                minAmount: [String: UInt256] = [:], auto: Bool = false) {
        self.maxFeeShareBps = maxFeeShareBps; self.feeCap = feeCap; self.minAmount = minAmount; self.auto = auto
    }
}

public struct WorkerSettings: Sendable, Equatable {
    public var scanIntervalMs: Int
    public var withdrawalIntervalMs: Int
    public var sweepIntervalMs: Int
    public var reconcileIntervalMs: Int
    public var feeIntervalMs: Int
    public init(scanIntervalMs: Int = 2000, withdrawalIntervalMs: Int = 2000, sweepIntervalMs: Int = 60_000,
                reconcileIntervalMs: Int = 300_000, feeIntervalMs: Int = 15_000) {
        self.scanIntervalMs = scanIntervalMs; self.withdrawalIntervalMs = withdrawalIntervalMs
        self.sweepIntervalMs = sweepIntervalMs; self.reconcileIntervalMs = reconcileIntervalMs
        self.feeIntervalMs = feeIntervalMs
    }
}

public struct EngineConfig: Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    public var chain: ChainSettings
    public var hotWallet: HotWalletSettings
    public var deposits: DepositSettings
    public var fees: FeeSettings
    public var sweep: SweepSettings
    public var workers: WorkerSettings
    /// 指标端口：0 表示不开；只绑定 127.0.0.1。
    public var metricsPort: Int
    /// 日志文件路径（相对路径相对 home）。
    public var logPath: String
    public var logLevel: LogLevel
    /// 日志轮转阈值（字节）。
    public var logMaxBytes: Int
    /// 收到 SIGINT/SIGTERM 后最多等待在途工作多久（秒）。
    public var shutdownGraceSeconds: Int
    /// 账本数据库 URL（postgresql://…）；nil = <home>/wallet.db。
    public var databaseURL: String?
    /// 任务队列 URL（redis://…）；nil = 账本库里的 jobs 表。
    public var queueURL: String?

    public init(chain: ChainSettings, hotWallet: HotWalletSettings, deposits: DepositSettings,
                fees: FeeSettings = FeeSettings(), sweep: SweepSettings = SweepSettings(),
                workers: WorkerSettings = WorkerSettings(), metricsPort: Int = 0, logPath: String = "logs/engine.log",
                logLevel: LogLevel = .info, logMaxBytes: Int = 50 * 1024 * 1024, shutdownGraceSeconds: Int = 15) {
        self.version = Self.currentVersion
        self.chain = chain; self.hotWallet = hotWallet; self.deposits = deposits; self.fees = fees
        self.sweep = sweep; self.workers = workers; self.metricsPort = metricsPort; self.logPath = logPath
        self.logLevel = logLevel; self.logMaxBytes = logMaxBytes; self.shutdownGraceSeconds = shutdownGraceSeconds
    }

    /// 演示链配置是否被清楚标注（界面与 status 都据此显示 DEMO）。
    public var isDemo: Bool { chain.kind == .demo }
}

// MARK: - 校验

extension EngineConfig {
    /// 语义校验（解析之后、每次启动时都跑）。第一个错误即抛出，错误指明键名。
    public func validate() throws {
        func bad(_ key: String, _ zh: String, _ en: String) -> EngineError { .config(key, zh: zh, en: en) }
        guard version == Self.currentVersion else {
            throw bad("version", "只支持版本 \(Self.currentVersion)（收到 \(version)）。", "only version \(Self.currentVersion) is supported (got \(version)).")
        }
        guard chain.id > 0 else {
            throw bad("chain.id", "链 id 必须是正整数（主网 1，Sepolia 11155111）。", "chain id must be a positive integer (mainnet 1, Sepolia 11155111).")
        }
        switch chain.kind {
        case .rpc:
            guard !chain.rpcURLs.isEmpty else {
                throw bad("chain.rpcUrls", "kind=rpc 时至少需要一个节点地址（用 --rpc URL 指定）。", "kind=rpc needs at least one node URL (pass --rpc URL).")
            }
            for (i, u) in chain.rpcURLs.enumerated() {
                if let p = Self.rpcURLProblem(u, allowInsecure: chain.allowInsecureRpc) {
                    let hint = p == .notHTTP ? ("", "") : ("（config.json 里设 chain.allowInsecureRpc）", " (set chain.allowInsecureRpc in config.json)")
                    throw bad("chain.rpcUrls[\(i)]", p.message(.zh) + hint.0, p.message(.en) + hint.1)
                }
            }
            guard Set(chain.rpcURLs).count == chain.rpcURLs.count else {
                throw bad("chain.rpcUrls", "节点地址重复；故障转移需要不同的节点。", "duplicate node URLs; failover needs distinct nodes.")
            }
        case .demo:
            guard chain.rpcURLs.isEmpty else {
                throw bad("chain.rpcUrls", "演示链（kind=demo）不连接节点，必须为空；要连真实节点请把 kind 改为 rpc。", "the demo chain (kind=demo) uses no node; leave it empty, or set kind to rpc for a real node.")
            }
            guard (100...600_000).contains(chain.demoBlockIntervalMs) else {
                throw bad("chain.demoBlockIntervalMs", "必须在 100…600000 毫秒之间。", "must be within 100…600000 ms.")
            }
        }
        guard (100...120_000).contains(chain.requestTimeoutMs) else {
            throw bad("chain.requestTimeoutMs", "必须在 100…120000 毫秒之间。", "must be within 100…120000 ms.")
        }
        guard (1...100_000).contains(chain.rpcRatePerSecond) else {
            throw bad("chain.rpcRatePerSecond", "必须在 1…100000 之间（每个节点端点每秒请求数）。", "must be within 1…100000 (requests per second per node endpoint).")
        }
        guard (1...100_000).contains(chain.rpcBurst), chain.rpcBurst >= chain.rpcRatePerSecond / 10 else {
            throw bad("chain.rpcBurst", "必须在 1…100000 之间，且不小于 chain.rpcRatePerSecond 的十分之一（突发太小会把限流变成逐个等待）。",
                      "must be within 1…100000 and at least a tenth of chain.rpcRatePerSecond (a tiny burst turns the limit into one-by-one waiting).")
        }
        guard !hotWallet.keyId.isEmpty, hotWallet.keyId.utf8.count <= 128 else {
            throw bad("hotWallet.keyId", "不能为空（init 会写入热钱包密钥 id）。", "must not be empty (init writes the hot-wallet key id).")
        }
        guard Self.isHexAddress(hotWallet.address) else {
            throw bad("hotWallet.address", "'\(hotWallet.address)' 不是 0x 加 40 位十六进制的地址。", "'\(hotWallet.address)' is not 0x followed by 40 hex digits.")
        }
        guard (1...10_000).contains(deposits.confirmations) else {
            throw bad("deposits.confirmations", "必须在 1…10000 之间（以太坊常用 12）。", "must be within 1…10000 (12 is common on Ethereum).")
        }
        guard (1...1000).contains(deposits.scanBatchBlocks) else {
            throw bad("deposits.scanBatchBlocks", "必须在 1…1000 之间。", "must be within 1…1000.")
        }
        guard (2...10_000).contains(deposits.reorgWindow) else {
            throw bad("deposits.reorgWindow", "必须在 2…10000 之间，且不小于确认数。", "must be within 2…10000 and not below the confirmations.")
        }
        guard deposits.reorgWindow >= deposits.confirmations else {
            throw bad("deposits.reorgWindow", "（\(deposits.reorgWindow)）小于确认数 \(deposits.confirmations)：已入账的区块被重组时将无法发现。", "(\(deposits.reorgWindow)) is below the confirmations \(deposits.confirmations): reorgs of credited blocks would go unnoticed.")
        }
        guard (100...1000).contains(fees.baseFeeMarginPercent) else {
            throw bad("fees.baseFeeMarginPercent", "必须在 100…1000 之间（200 表示预测 base fee 的 2 倍）。", "must be within 100…1000 (200 means twice the projected base fee).")
        }
        guard !fees.maxFeePerGasCap.isZero else {
            throw bad("fees.maxFeePerGasCap", "不能为 0（单位 wei，十进制字符串，例如 \"500000000000\" = 500 gwei）。", "must not be 0 (wei as a decimal string, e.g. \"500000000000\" = 500 gwei).")
        }
        guard !fees.maxPriorityFeeCap.isZero, fees.maxPriorityFeeCap <= fees.maxFeePerGasCap else {
            throw bad("fees.maxPriorityFeeCap", "必须大于 0 且不超过 fees.maxFeePerGasCap。", "must be above 0 and not above fees.maxFeePerGasCap.")
        }
        guard (10...500).contains(fees.replacementBumpPercent) else {
            throw bad("fees.replacementBumpPercent", "必须在 10…500 之间（节点拒绝加价不足 10% 的替换交易）。", "must be within 10…500 (nodes reject replacements bumped by less than 10%).")
        }
        guard (10...86_400).contains(fees.stuckAfterSeconds) else {
            throw bad("fees.stuckAfterSeconds", "必须在 10…86400 秒之间。", "must be within 10…86400 seconds.")
        }
        guard (1...1024).contains(fees.historyBlocks) else {
            throw bad("fees.historyBlocks", "必须在 1…1024 之间（eth_feeHistory 的上限）。", "must be within 1…1024 (the eth_feeHistory limit).")
        }
        guard (1...10_000).contains(sweep.maxFeeShareBps) else {
            throw bad("sweep.maxFeeShareBps", "必须在 1…10000 基点之间（500 = 5%）。", "must be within 1…10000 basis points (500 = 5%).")
        }
        guard !sweep.feeCap.isZero else {
            throw bad("sweep.feeCap", "不能为 0（单位 wei）。", "must not be 0 (wei).")
        }
        for (name, v) in [("workers.scanIntervalMs", workers.scanIntervalMs), ("workers.withdrawalIntervalMs", workers.withdrawalIntervalMs),
                          ("workers.sweepIntervalMs", workers.sweepIntervalMs), ("workers.reconcileIntervalMs", workers.reconcileIntervalMs),
                          ("workers.feeIntervalMs", workers.feeIntervalMs)] {
            guard (50...86_400_000).contains(v) else {
                throw bad(name, "必须在 50…86400000 毫秒之间。", "must be within 50…86400000 ms.")
            }
        }
        guard (0...65_535).contains(metricsPort) else {
            throw bad("metrics.port", "必须在 0…65535 之间（0 表示不开指标端点）。", "must be within 0…65535 (0 disables the metrics endpoint).")
        }
        guard !logPath.isEmpty else {
            throw bad("log.path", "不能为空。", "must not be empty.")
        }
        guard logMaxBytes >= 64 * 1024 else {
            throw bad("log.maxBytes", "至少 65536 字节。", "must be at least 65536 bytes.")
        }
        guard (1...300).contains(shutdownGraceSeconds) else {
            throw bad("shutdownGraceSeconds", "必须在 1…300 秒之间。", "must be within 1…300 seconds.")
        }
        if let u = queueURL {
            let lower = u.lowercased()
            guard lower.hasPrefix("redis://"), !u.contains("@") else {
                throw bad("queue.url", "必须是 redis://HOST:PORT[/DB]（不带口令）。", "must be redis://HOST:PORT[/DB] (no password).")
            }
        }
        if let u = databaseURL {
            do { _ = try PostgresURL(u, environment: [:]) } catch { throw bad("database.url", WalletError(error).zh, WalletError(error).en) }
        }
    }

    /// https，或指向本机（127.0.0.0/8、::1、localhost）的 http。
    /// 节点地址有什么不对。配置校验与 init 共用这一处，先判断是不是 http(s) 地址、再判断明文是否只在本机
    /// （以前 init 自己另判一遍，把 "demo" 这类非 URL 误报成「不安全」）。报错里的地址先去敏：路径与查询里常带 API key。
    public enum RPCURLProblem: Sendable, Equatable {
        case notHTTP, insecure(String)
        public func message(_ lang: Language) -> String {
            switch self {
            case .notHTTP:
                return lang == .zh ? "节点地址须是 http:// 或 https:// 开头、带主机名的 URL。" : "a node URL must start with http:// or https:// and name a host."
            case .insecure(let shown):
                return lang == .zh ? "节点 \(shown) 不是 https 也不在本机：明文 RPC 可被中间人篡改余额与收据。改用 https://，或确有需要时显式允许明文。"
                                   : "node \(shown) is neither https nor loopback: plain RPC lets a man in the middle forge balances and receipts. Use https://, or explicitly allow plain RPC if you must."
            }
        }
    }

    public static func rpcURLProblem(_ s: String, allowInsecure: Bool) -> RPCURLProblem? {
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = u.host?.lowercased(), !host.isEmpty else { return .notHTTP }
        if scheme == "https" || allowInsecure { return nil }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        return loopback ? nil : .insecure(HTTPTransport.redacted(s))
    }

    static func isHexAddress(_ s: String) -> Bool {
        guard s.count == 42, s.hasPrefix("0x") else { return false }
        return s.dropFirst(2).allSatisfy { $0.isHexDigit }
    }
}
