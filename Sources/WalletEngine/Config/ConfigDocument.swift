// config.json 的文件格式就是这些 Codable 类型（JSONDecoder / JSONEncoder），不再手写读取器。
// 严格：类型不对、缺键、未知键都报出完整键路径（如 fees.maxFeePerGasCap、chain.rpcUrls[0]、sweep.minAmount.ETH）；
// 语法错误带行列（Foundation 的 JSON 解析器给出）。金额一律是十进制字符串（wei），避免 JSON 数字经 Double 丢精度。
import Foundation
import WalletCrypto

struct ConfigDocument: Codable, Equatable {
    var version: Int
    var chain: Chain
    var hotWallet: HotWallet
    var deposits: Deposits?
    var fees: Fees?
    var sweep: Sweep?
    var workers: Workers?
    var metrics: Metrics?
    var log: Log?
    var shutdownGraceSeconds: Int?
    var database: Database?
    var queue: Queue?

    /// 账本数据库：没有这一节（或 url 为空）= <home>/wallet.db（SQLite）；postgresql://USER@HOST:PORT/DB = PostgreSQL（口令不在这里）。
    struct Database: Codable, Equatable { var url: String? }
    /// 任务队列：没有这一节 = 与账本同库的 jobs 表；redis://HOST:PORT[/DB] = Redis Streams（多引擎共用）。
    struct Queue: Codable, Equatable { var url: String? }

    struct Chain: Codable, Equatable {
        var id: FlexibleUInt64
        var kind: String
        var rpcUrls: [String]?
        var requestTimeoutMs: Int?
        var rpcRatePerSecond: Int?
        var rpcBurst: Int?
        var allowInsecureRpc: Bool?
        var demoSeed: FlexibleUInt64?
        var demoBlockIntervalMs: Int?
    }
    struct HotWallet: Codable, Equatable { var keyId: String; var address: String }
    struct Deposits: Codable, Equatable { var confirmations: Int?; var scanBatchBlocks: Int?; var reorgWindow: Int? }
    struct Fees: Codable, Equatable {
        var baseFeeMarginPercent: Int?
        var maxFeePerGasCap: ConfigAmount?
        var maxPriorityFeeCap: ConfigAmount?
        var replacementBumpPercent: Int?
        var stuckAfterSeconds: Int?
        var historyBlocks: Int?
    }
    struct Sweep: Codable, Equatable {
        var maxFeeShareBps: Int?
        var feeCap: ConfigAmount?
        var minAmount: [String: ConfigAmount]?
        var auto: Bool?
    }
    struct Workers: Codable, Equatable {
        var scanIntervalMs: Int?; var withdrawalIntervalMs: Int?; var sweepIntervalMs: Int?
        var reconcileIntervalMs: Int?; var feeIntervalMs: Int?
    }
    struct Metrics: Codable, Equatable { var port: Int? }
    struct Log: Codable, Equatable { var path: String?; var level: String?; var maxBytes: Int? }

    /// 已搬进数据库的旧键：给出迁移提示，而不是笼统的「未知键」。
    static let movedKeys = ["deposits.xpub", "deposits.useFinalized"]
}

/// 金额：十进制字符串（wei / 基本单位）。数字、负数、小数都拒绝并点名键。
struct ConfigAmount: Codable, Equatable {
    var value: UInt256
    init(_ v: UInt256) { value = v }
    init(from decoder: Decoder) throws {
        let key = ConfigDecoding.path(decoder.codingPath)
        let c = try decoder.singleValueContainer()
        guard let s = try? c.decode(String.self) else {
            throw EngineError.config(key, zh: "金额必须写成十进制字符串（单位 wei），例如 \"1000000000\"。", en: "amounts must be decimal strings (wei), e.g. \"1000000000\".")
        }
        guard let x = try? UInt256(decimal: s) else {
            throw EngineError.config(key, zh: "'\(s)' 不是非负十进制整数（单位 wei）。", en: "'\(s)' is not a non-negative decimal integer (wei).")
        }
        value = x
    }
    func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(value.decimalString) }
}

/// 非负整数：JSON 数字或十进制字符串都接受（链 id、演示种子可能超过 2^53，字符串写法不丢精度）。写出为数字。
struct FlexibleUInt64: Codable, Equatable {
    var value: UInt64
    init(_ v: UInt64) { value = v }
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self), let x = UInt64(s) { value = x; return }
        if let x = try? c.decode(UInt64.self) { value = x; return }
        throw EngineError.config(ConfigDecoding.path(decoder.codingPath), zh: "类型错误，应为非负整数。", en: "wrong type, expected a non-negative integer.")
    }
    func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(value) }
}

/// JSONDecoder 的错误 → 点名键路径的 EngineError（中英文）。
enum ConfigDecoding {
    static func path(_ keys: [CodingKey]) -> String {
        var out = ""
        for k in keys {
            if let i = k.intValue, k.stringValue == "Index \(i)" || k.stringValue == String(i) { out += "[\(i)]"; continue }
            out += out.isEmpty ? k.stringValue : ".\(k.stringValue)"
        }
        return out
    }

    static func typeName(_ t: Any.Type) -> (zh: String, en: String) {
        switch t {
        case is Int.Type, is Int64.Type: ("整数", "an integer")
        case is UInt64.Type: ("非负整数", "a non-negative integer")
        case is String.Type: ("字符串", "a string")
        case is Bool.Type: ("true/false", "true/false")
        case is [String].Type, is [Any].Type: ("字符串数组", "an array of strings")
        default: ("对象", "an object")
        }
    }

    static func decode(_ data: Data) throws -> ConfigDocument {
        // 先确认是合法 JSON、顶层是对象（语法错误的说明带行列）。
        let tree: Any
        do { tree = try JSONSerialization.jsonObject(with: data, options: []) } catch {
            let at = location(of: error, in: data)
            throw EngineError("config.malformed", zh: "config.json 不是合法的 JSON\(at.map { "（第 \($0.line) 行第 \($0.column) 列附近）" } ?? "")。请修正语法或重新运行 init。",
                              en: "config.json is not valid JSON\(at.map { " (near line \($0.line), column \($0.column))" } ?? ""). Fix the syntax or rerun init.", badInput: true)
        }
        guard let root = tree as? [String: Any] else {
            throw EngineError("config.malformed", zh: "config.json 顶层必须是对象。", en: "config.json must hold an object at the top level.", badInput: true)
        }
        for moved in ConfigDocument.movedKeys {
            let parts = moved.split(separator: ".").map(String.init)
            if let o = root[parts[0]] as? [String: Any], o[parts[1]] != nil {
                // 充值 xpub 与按资产的入账策略只存在数据库里（唯一来源，改动有审计）。
                throw EngineError.config(moved, zh: "该设置已移到数据库（唯一来源、改动写审计）：从 config.json 删掉这个键；充值 xpub 用 `address set-xpub`，按资产的入账策略用 `asset update`。",
                                         en: "this setting now lives in the database (single source, audited changes): delete the key from config.json; use `address set-xpub` for the deposit xpub and `asset update` for per-asset crediting.")
            }
        }
        let doc: ConfigDocument
        do { doc = try JSONDecoder().decode(ConfigDocument.self, from: data) } catch let e as DecodingError {
            switch e {
            case .typeMismatch(let t, let ctx):
                let n = typeName(t)
                throw EngineError.config(path(ctx.codingPath), zh: "类型错误，应为\(n.zh)。", en: "wrong type, expected \(n.en).")
            case .keyNotFound(let k, let ctx):
                throw EngineError.config(path(ctx.codingPath + [k]), zh: "缺少该键。", en: "missing.")
            case .valueNotFound(_, let ctx):
                throw EngineError.config(path(ctx.codingPath), zh: "缺少该键（值为 null）。", en: "missing (null).")
            case .dataCorrupted(let ctx):
                // Linux 的 Foundation 对「整数键给了小数/超范围的数」报 dataCorrupted、键路径为空、说明是英文的「not valid JSON」（QA：
                // `"rpcRatePerSecond": 1.5` 得到「config.json 中的 ：值无效：The given data was not valid JSON.」）。配置里没有小数键：自己找出那个数并点名。
                if ctx.codingPath.isEmpty, let bad = nonInteger(root, prefix: "") {
                    throw EngineError.config(bad, zh: "应为整数（不能有小数部分，也不能超出 64 位整数范围）。", en: "must be an integer (no fractional part, within the 64-bit range).")
                }
                throw EngineError.config(path(ctx.codingPath), zh: "值无效。", en: "invalid value.")
            @unknown default:
                throw EngineError("config.malformed", zh: "config.json 无法解析。", en: "config.json cannot be decoded.", badInput: true)
            }
        }
        // 未知键（多半是拼写错误）：解码后再编码回树，原文里有而回写里没有的键就是不认识的键。
        let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(doc))
        if let extra = unknownKeys(root, known, prefix: "").sorted().first {
            throw EngineError.config(extra, zh: "未知的配置键（拼写错误？请对照 docs/engine.md 的配置说明）。", en: "unknown key (a typo? see the configuration section of docs/engine.md).")
        }
        return doc
    }

    /// Foundation 只报「around character N」（字节偏移）：换算成运维在编辑器里能直接跳过去的行列。
    static func location(of error: Error, in data: Data) -> (line: Int, column: Int)? {
        guard let d = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String,
              let r = d.range(of: #"character (\d+)"#, options: .regularExpression),
              let offset = Int(d[r].dropFirst("character ".count)) else { return nil }
        let prefix = data.prefix(max(0, offset))
        let line = prefix.reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
        let lastNL = prefix.lastIndex(of: 0x0a).map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0
        let column = String(decoding: prefix.dropFirst(lastNL), as: UTF8.self).count + 1
        return (line, column)
    }

    /// 树里第一个不是整数的 JSON 数（小数，或超出 Int64）的键路径。布尔值不算。
    static func nonInteger(_ node: Any, prefix: String) -> String? {
        if let o = node as? [String: Any] {
            for k in o.keys.sorted() {
                if let p = nonInteger(o[k]!, prefix: prefix.isEmpty ? k : "\(prefix).\(k)") { return p }
            }
        } else if let a = node as? [Any] {
            for (i, v) in a.enumerated() { if let p = nonInteger(v, prefix: "\(prefix)[\(i)]") { return p } }
        } else if !(node is Bool), let n = node as? NSNumber {
            let d = n.doubleValue
            if d != d.rounded() || abs(d) >= 9.2e18 { return prefix }
        }
        return nil
    }

    static func unknownKeys(_ original: Any, _ known: Any, prefix: String) -> [String] {
        guard let o = original as? [String: Any] else { return [] }
        let k = known as? [String: Any] ?? [:]
        var out: [String] = []
        for (key, v) in o where !(v is NSNull) {
            let p = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let kv = k[key] { out += unknownKeys(v, kv, prefix: p) } else { out.append(p) }
        }
        return out
    }
}
