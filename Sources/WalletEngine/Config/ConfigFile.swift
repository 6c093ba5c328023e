// config.json 的读写。手写的严格读取器：类型不对、缺键、未知键都报出完整键路径（如 fees.maxFeePerGasCap）。
// 金额一律是十进制字符串（wei），避免 JSON 数字经 Double 丢精度。
import Foundation
import WalletCrypto

/// JSONSerialization 把 true/false 解析成 NSNumber（objCType 为 "c"）；JSON 里不会出现 Int8，据此区分布尔。
func isJSONBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

/// 带键路径的 JSON 对象读取器。
struct ConfigReader {
    let object: [String: Any]
    let path: String
    var used: Set<String> = []

    init(_ object: [String: Any], path: String) { self.object = object; self.path = path }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    func typeError(_ k: String, _ zhType: String, _ enType: String) -> EngineError {
        .config(key(k), zh: "类型错误，应为\(zhType)。", en: "wrong type, expected \(enType).")
    }

    mutating func raw(_ k: String) -> Any? {
        used.insert(k)
        guard let v = object[k], !(v is NSNull) else { return nil }
        return v
    }

    mutating func int(_ k: String, default d: Int? = nil) throws -> Int {
        guard let v = raw(k) else {
            if let d { return d }
            throw EngineError.config(key(k), zh: "缺少该键（整数）。", en: "missing (integer).")
        }
        // JSONSerialization 把 true/false 也解析为 NSNumber：显式排除布尔。
        guard let n = v as? NSNumber, !isJSONBool(n), n.doubleValue == n.doubleValue.rounded(),
              abs(n.doubleValue) < 9.0e15 else {
            throw typeError(k, "整数", "an integer")
        }
        return n.intValue
    }

    mutating func uint64(_ k: String, default d: UInt64? = nil) throws -> UInt64 {
        guard let v = raw(k) else {
            if let d { return d }
            throw EngineError.config(key(k), zh: "缺少该键（非负整数）。", en: "missing (non-negative integer).")
        }
        if let s = v as? String, let x = UInt64(s) { return x }
        guard let n = v as? NSNumber, !isJSONBool(n), n.doubleValue >= 0,
              n.doubleValue == n.doubleValue.rounded(), n.doubleValue < 9.0e15 else {
            throw typeError(k, "非负整数", "a non-negative integer")
        }
        return n.uint64Value
    }

    mutating func bool(_ k: String, default d: Bool) throws -> Bool {
        guard let v = raw(k) else { return d }
        guard let n = v as? NSNumber, isJSONBool(n) else { throw typeError(k, "true/false", "true/false") }
        return n.boolValue
    }

    mutating func string(_ k: String, default d: String? = nil) throws -> String {
        guard let v = raw(k) else {
            if let d { return d }
            throw EngineError.config(key(k), zh: "缺少该键（字符串）。", en: "missing (string).")
        }
        guard let s = v as? String else { throw typeError(k, "字符串", "a string") }
        return s
    }

    mutating func strings(_ k: String, default d: [String]) throws -> [String] {
        guard let v = raw(k) else { return d }
        guard let a = v as? [Any], a.allSatisfy({ $0 is String }) else { throw typeError(k, "字符串数组", "an array of strings") }
        return a as! [String]
    }

    /// 金额：十进制字符串（wei / 基本单位）。
    mutating func amount(_ k: String, default d: UInt256) throws -> UInt256 {
        guard let v = raw(k) else { return d }
        guard let s = v as? String else {
            throw EngineError.config(key(k), zh: "金额必须写成十进制字符串（单位 wei），例如 \"1000000000\"。", en: "amounts must be decimal strings (wei), e.g. \"1000000000\".")
        }
        guard let x = try? UInt256(decimal: s) else {
            throw EngineError.config(key(k), zh: "'\(s)' 不是非负十进制整数（单位 wei）。", en: "'\(s)' is not a non-negative decimal integer (wei).")
        }
        return x
    }

    mutating func object(_ k: String) throws -> ConfigReader {
        guard let v = raw(k) else { return ConfigReader([:], path: key(k)) }
        guard let o = v as? [String: Any] else { throw typeError(k, "对象", "an object") }
        return ConfigReader(o, path: key(k))
    }

    /// 读完后调用：存在未被读取的键即报错（多半是拼写错误）。
    func finish() throws {
        for k in object.keys.sorted() where !used.contains(k) {
            throw EngineError.config(key(k), zh: "未知的配置键（拼写错误？请对照 docs/engine.md 的配置说明）。", en: "unknown key (a typo? see the configuration section of docs/engine.md).")
        }
    }
}

extension EngineConfig {
    /// 从 JSON 文本解析并校验。
    public static func parse(_ data: Data) throws -> EngineConfig {
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: data, options: []) } catch {
            throw EngineError("config.malformed", zh: "config.json 不是合法的 JSON：\(error.localizedDescription)。请修正语法或重新运行 init。",
                              en: "config.json is not valid JSON: \(error.localizedDescription). Fix the syntax or rerun init.", badInput: true)
        }
        guard let root = any as? [String: Any] else {
            throw EngineError("config.malformed", zh: "config.json 顶层必须是对象。", en: "config.json must hold an object at the top level.", badInput: true)
        }
        var r = ConfigReader(root, path: "")
        let version = try r.int("version")

        var c = try r.object("chain")
        let kindText = try c.string("kind")
        guard let kind = ChainKind(rawValue: kindText) else {
            throw EngineError.config("chain.kind", zh: "只能是 \"rpc\"（真实节点）或 \"demo\"（演示链，必须显式选择），收到 '\(kindText)'。",
                                     en: "must be \"rpc\" (a real node) or \"demo\" (the demo chain, explicit only), got '\(kindText)'.")
        }
        var chain = ChainSettings(id: try c.uint64("id"), kind: kind, rpcURLs: try c.strings("rpcUrls", default: []),
                                  demoSeed: try c.uint64("demoSeed", default: 0),
                                  demoBlockIntervalMs: try c.int("demoBlockIntervalMs", default: 3000),
                                  requestTimeoutMs: try c.int("requestTimeoutMs", default: 10_000))
        chain.allowInsecureRpc = try c.bool("allowInsecureRpc", default: false)
        try c.finish()

        var h = try r.object("hotWallet")
        let hot = HotWalletSettings(keyId: try h.string("keyId"), address: try h.string("address"))
        try h.finish()

        var d = try r.object("deposits")
        // 充值 xpub 与按资产的入账策略只存在数据库里（唯一来源，改动有审计）；旧版配置里的这两个键给出明确的迁移提示。
        for moved in ["xpub", "useFinalized"] where d.raw(moved) != nil {
            throw EngineError.config("deposits.\(moved)", zh: "该设置已移到数据库（唯一来源、改动写审计）：从 config.json 删掉这个键；充值 xpub 用 `address set-xpub`，按资产的入账策略用 `asset update`。",
                                     en: "this setting now lives in the database (single source, audited changes): delete the key from config.json; use `address set-xpub` for the deposit xpub and `asset update` for per-asset crediting.")
        }
        let dep = DepositSettings(confirmations: try d.int("confirmations", default: 12),
                                  scanBatchBlocks: try d.int("scanBatchBlocks", default: 50),
                                  reorgWindow: try d.int("reorgWindow", default: 128))
        try d.finish()

        let fd = FeeSettings()
        var f = try r.object("fees")
        let fees = FeeSettings(baseFeeMarginPercent: try f.int("baseFeeMarginPercent", default: fd.baseFeeMarginPercent),
                               maxFeePerGasCap: try f.amount("maxFeePerGasCap", default: fd.maxFeePerGasCap),
                               maxPriorityFeeCap: try f.amount("maxPriorityFeeCap", default: fd.maxPriorityFeeCap),
                               replacementBumpPercent: try f.int("replacementBumpPercent", default: fd.replacementBumpPercent),
                               stuckAfterSeconds: try f.int("stuckAfterSeconds", default: fd.stuckAfterSeconds),
                               historyBlocks: try f.int("historyBlocks", default: fd.historyBlocks))
        try f.finish()

        let sd = SweepSettings()
        var s = try r.object("sweep")
        var minAmount: [String: UInt256] = [:]
        var m = try s.object("minAmount")
        for k in m.object.keys.sorted() { minAmount[k] = try m.amount(k, default: .zero) }
        try m.finish()
        let sweep = SweepSettings(maxFeeShareBps: try s.int("maxFeeShareBps", default: sd.maxFeeShareBps),
                                  feeCap: try s.amount("feeCap", default: sd.feeCap), minAmount: minAmount,
                                  auto: try s.bool("auto", default: sd.auto))
        try s.finish()

        let wd = WorkerSettings()
        var w = try r.object("workers")
        let workers = WorkerSettings(scanIntervalMs: try w.int("scanIntervalMs", default: wd.scanIntervalMs),
                                     withdrawalIntervalMs: try w.int("withdrawalIntervalMs", default: wd.withdrawalIntervalMs),
                                     sweepIntervalMs: try w.int("sweepIntervalMs", default: wd.sweepIntervalMs),
                                     reconcileIntervalMs: try w.int("reconcileIntervalMs", default: wd.reconcileIntervalMs),
                                     feeIntervalMs: try w.int("feeIntervalMs", default: wd.feeIntervalMs))
        try w.finish()

        var mt = try r.object("metrics")
        let port = try mt.int("port", default: 0)
        try mt.finish()

        var lg = try r.object("log")
        let logPath = try lg.string("path", default: "logs/engine.log")
        let levelText = try lg.string("level", default: "info")
        guard let level = LogLevel(rawValue: levelText) else {
            throw EngineError.config("log.level", zh: "只能是 debug、info、warn、error 之一（收到 '\(levelText)'）。",
                                     en: "must be one of debug, info, warn, error (got '\(levelText)').")
        }
        let maxBytes = try lg.int("maxBytes", default: 50 * 1024 * 1024)
        try lg.finish()

        let grace = try r.int("shutdownGraceSeconds", default: 15)
        try r.finish()

        var cfg = EngineConfig(chain: chain, hotWallet: hot, deposits: dep, fees: fees, sweep: sweep, workers: workers,
                               metricsPort: port, logPath: logPath, logLevel: level, logMaxBytes: maxBytes,
                               shutdownGraceSeconds: grace)
        cfg.version = version
        try cfg.validate()
        return cfg
    }

    /// 序列化为稳定的、带缩进的 JSON（键排序，便于 diff 与审阅）。
    public func serialized() -> Data {
        var chainObj: [String: Any] = ["id": NSNumber(value: chain.id), "kind": chain.kind.rawValue,
                                       "rpcUrls": chain.rpcURLs, "requestTimeoutMs": chain.requestTimeoutMs]
        if chain.allowInsecureRpc { chainObj["allowInsecureRpc"] = true }
        if chain.kind == .demo {
            chainObj["demoSeed"] = NSNumber(value: chain.demoSeed)
            chainObj["demoBlockIntervalMs"] = chain.demoBlockIntervalMs
        }
        let obj: [String: Any] = [
            "version": version,
            "chain": chainObj,
            "hotWallet": ["keyId": hotWallet.keyId, "address": hotWallet.address],
            "deposits": ["confirmations": deposits.confirmations,
                         "scanBatchBlocks": deposits.scanBatchBlocks, "reorgWindow": deposits.reorgWindow],
            "fees": ["baseFeeMarginPercent": fees.baseFeeMarginPercent, "maxFeePerGasCap": fees.maxFeePerGasCap.decimalString,
                     "maxPriorityFeeCap": fees.maxPriorityFeeCap.decimalString,
                     "replacementBumpPercent": fees.replacementBumpPercent, "stuckAfterSeconds": fees.stuckAfterSeconds,
                     "historyBlocks": fees.historyBlocks],
            "sweep": ["maxFeeShareBps": sweep.maxFeeShareBps, "feeCap": sweep.feeCap.decimalString,
                      "minAmount": sweep.minAmount.mapValues { $0.decimalString }, "auto": sweep.auto],
            "workers": ["scanIntervalMs": workers.scanIntervalMs, "withdrawalIntervalMs": workers.withdrawalIntervalMs,
                        "sweepIntervalMs": workers.sweepIntervalMs, "reconcileIntervalMs": workers.reconcileIntervalMs,
                        "feeIntervalMs": workers.feeIntervalMs],
            "metrics": ["port": metricsPort],
            "log": ["path": logPath, "level": logLevel.rawValue, "maxBytes": logMaxBytes],
            "shutdownGraceSeconds": shutdownGraceSeconds,
        ]
        let d = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return d + Data("\n".utf8)
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
