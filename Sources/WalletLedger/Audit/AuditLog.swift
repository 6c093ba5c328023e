// 审计日志哈希链：每条记录的 hash = SHA-256(前一条 hash ‖ 本条各字段的长度前缀编码)。
// 改一条 → 该条 hash 对不上；删/调序 → 下一条的 prev_hash 对不上；删尾部 → 与 settings 中的链头对不上。
import Foundation
import WalletCrypto

public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)
    static let headKey = "audit.head"

    /// 长度前缀编码，避免 "ab"+"c" 与 "a"+"bc" 产生相同输入。
    public static func hash(prev: String, ts: Int64, operatorName: String, action: String, subject: String, details: String) -> String {
        var buf: [UInt8] = []
        for field in [prev, String(ts), operatorName, action, subject, details] {
            let b = Array(field.utf8)
            buf += Array("\(b.count):".utf8) + b
        }
        return Hex.encode(Hash.sha256(buf))
    }

    /// 把字段字典编码为确定性 JSON（键按 UTF-8 字节序排序、最小转义）。手写而非 JSONSerialization：
    /// 输出必须逐字节稳定（它进哈希），且这里是入账热路径。调用方保证不放机密。
    public static func details(_ d: [String: String]) -> String {
        var out = "{"
        for (i, k) in d.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
            if i > 0 { out += "," }
            out += quote(k) + ":" + quote(d[k]!)
        }
        return out + "}"
    }

    /// 规范形式（哈希链依赖它：输出一经发布不能改）。
    static func quote(_ s: String) -> String { JSONString.quote(s) }

    /// 追加一条（必须在调用方事务内，保证与业务变更同生共死）。
    @discardableResult
    public static func append(_ store: any LedgerStore, at ts: Int64, operatorName: String, action: String, subject: String,
                              details: [String: String]) throws -> AuditRecord {
        try store.transaction {
            let prev = try store.lastAudit()?.hash ?? genesis
            let det = Self.details(details)
            let h = hash(prev: prev, ts: ts, operatorName: operatorName, action: action, subject: subject, details: det)
            var r = AuditRecord(id: 0, ts: ts, operatorName: operatorName, action: action, subject: subject, details: det,
                                prevHash: prev, hash: h)
            r.id = try store.insertAudit(r)
            try store.setSetting(headKey, "\(r.id):\(h)")
            return r
        }
    }

    public struct Verification: Sendable, Equatable {
        public var ok: Bool
        public var records: Int
        /// 第一条有问题的记录 id（尾部被删时为最后一条存在记录之后的位置）。
        public var firstBad: Int64?
        public var reason: String?
    }

    /// 分批校验整条链，不把全部记录读进内存。
    public static func verify(_ store: any LedgerStore) throws -> Verification {
        var prev = genesis
        var after: Int64 = 0
        var count = 0
        var lastID: Int64 = 0
        while true {
            let batch = try store.audits(afterID: after, limit: 2000)
            if batch.isEmpty { break }
            for r in batch {
                count += 1
                if r.prevHash != prev {
                    return Verification(ok: false, records: count, firstBad: r.id, reason: "prev_hash 不连续（前面的记录被删除或调换）")
                }
                let h = hash(prev: r.prevHash, ts: r.ts, operatorName: r.operatorName, action: r.action, subject: r.subject, details: r.details)
                if h != r.hash { return Verification(ok: false, records: count, firstBad: r.id, reason: "内容与 hash 不符（记录被修改）") }
                if r.id != lastID + 1 && lastID != 0 {
                    return Verification(ok: false, records: count, firstBad: r.id, reason: "id 不连续")
                }
                prev = r.hash
                lastID = r.id
            }
            after = batch.last!.id
        }
        let head = try store.setting(headKey)
        let expected = count == 0 ? nil : "\(lastID):\(prev)"
        if head != expected {
            return Verification(ok: false, records: count, firstBad: lastID + 1, reason: "链头与记录不符（尾部记录被删除）")
        }
        return Verification(ok: true, records: count, firstBad: nil, reason: nil)
    }
}
