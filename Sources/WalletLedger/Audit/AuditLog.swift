// 审计日志哈希链：每条记录的 hash = SHA-256(前一条 hash ‖ 本条各字段的长度前缀编码)。
// 改一条 → 该条 hash 对不上；删/调序 → 下一条的 prev_hash 对不上；删尾部 → 与 settings 中的链头对不上。
// 只有这些，能写库的人可以删尾部并改链头、或改完重算整条链。所以另有库外的密钥与锚（AuditSealer）：
// 每条记录带 MAC（没有密钥就算不出），锚只前进（删到锚以下就被发现）。
import Foundation
import WalletCrypto

/// 库外的审计密钥与锚（实现在 WalletKeystore.AuditSeal，引擎适配）。
public protocol AuditSealer: Sendable {
    func mac(hash: String) -> String
    /// 当前锚 (id, hash)，以及它的 MAC 是否可信；没有锚返回 nil。
    func anchor() throws -> (id: Int64, hash: String, authentic: Bool)?
    func advance(id: Int64, hash: String) throws
}

public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)
    static let headKey = "audit.head"

    /// 长度前缀编码，避免 "ab"+"c" 与 "a"+"bc" 产生相同输入。
    public static func hash(prev: String, ts: Int64, operatorName: String, action: String, subject: String, details: String) -> String {
        var buf: [UInt8] = []
        buf.reserveCapacity(prev.utf8.count + operatorName.utf8.count + action.utf8.count + subject.utf8.count + details.utf8.count + 64)
        for field in [prev, String(ts), operatorName, action, subject, details] {
            buf += String(field.utf8.count).utf8
            buf.append(UInt8(ascii: ":"))
            buf += field.utf8
        }
        return Hex.encode(Hash.sha256(buf))
    }

    /// 把字段字典编码为确定性 JSON（键按 UTF-8 字节序排序、最小转义）。手写而非 JSONSerialization：
    /// 输出必须逐字节稳定（它进哈希），且这里是入账热路径。调用方保证不放机密。
    public static func details(_ d: [String: String]) -> String {
        var out = "{"
        for (i, k) in d.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
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
                              details: [String: String], sealer: (any AuditSealer)? = nil) throws -> AuditRecord {
        try store.transaction {
            let head = try store.lastAuditHead()
            let prev = head?.hash ?? genesis
            let det = Self.details(details)
            let h = hash(prev: prev, ts: ts, operatorName: operatorName, action: action, subject: subject, details: det)
            // id = 链头 + 1（写锁内）：回滚过的事务不留空号（PostgreSQL 的序列不回滚）。
            var r = AuditRecord(id: (head?.id ?? 0) + 1, ts: ts, operatorName: operatorName, action: action, subject: subject, details: det,
                                prevHash: prev, hash: h, mac: sealer?.mac(hash: h) ?? "")
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
        /// 同一原因的英文（--lang en 绝不显示中文）。
        public var reasonEn: String?
    }

    static func bad(_ records: Int, _ id: Int64, _ zh: String, _ en: String) -> Verification {
        Verification(ok: false, records: records, firstBad: id, reason: zh, reasonEn: en)
    }

    /// 分批校验整条链，不把全部记录读进内存。有 sealer 时还校验每条的 MAC 与库外的锚。
    public static func verify(_ store: any LedgerStore, sealer: (any AuditSealer)? = nil) throws -> Verification {
        var prev = genesis
        var after: Int64 = 0
        var count = 0
        var lastID: Int64 = 0
        var sawMac = false
        let anchor: (id: Int64, hash: String, authentic: Bool)?
        do { anchor = try sealer?.anchor() } catch {
            return bad(0, 1, "库外的锚文件无法读取或格式不对（被改动？）：\(error)", "the audit anchor outside the database is unreadable or malformed (tampered?): \(error)")
        }
        if let a = anchor, !a.authentic {
            return bad(0, a.id, "库外的锚文件 MAC 不符（锚被改动）", "the audit anchor's MAC does not match (anchor tampered with)")
        }
        var anchorSeen = false
        while true {
            let batch = try store.audits(afterID: after, limit: 2000)
            if batch.isEmpty { break }
            for r in batch {
                count += 1
                if r.prevHash != prev {
                    return bad(count, r.id, "prev_hash 不连续（前面的记录被删除或调换）", "prev_hash breaks the chain (an earlier record was deleted or reordered)")
                }
                let h = hash(prev: r.prevHash, ts: r.ts, operatorName: r.operatorName, action: r.action, subject: r.subject, details: r.details)
                if h != r.hash { return bad(count, r.id, "内容与 hash 不符（记录被修改）", "content does not match its hash (record modified)") }
                if r.id != lastID + 1 && lastID != 0 {
                    return bad(count, r.id, "id 不连续", "ids are not consecutive")
                }
                if let sealer {
                    if !r.mac.isEmpty {
                        guard r.mac == sealer.mac(hash: r.hash) else {
                            return bad(count, r.id, "MAC 不符（记录被伪造，或整条链被改完重算）", "MAC mismatch (record forged, or the chain was edited and recomputed)")
                        }
                        sawMac = true
                    } else if sawMac {
                        return bad(count, r.id, "缺少 MAC（启用库外密钥之后的记录都必须有）", "missing MAC (every record after the external key was enabled must have one)")
                    }
                }
                if let a = anchor, r.id == a.id {
                    guard r.hash == a.hash else {
                        return bad(count, r.id, "与库外的锚不符（链被改完重算）", "does not match the anchor outside the database (chain recomputed)")
                    }
                    anchorSeen = true
                }
                prev = r.hash
                lastID = r.id
            }
            after = batch.last!.id
        }
        if let a = anchor, !anchorSeen {
            return bad(count, lastID + 1, "记录少于库外的锚（#\(a.id)）：尾部记录被删除", "fewer records than the anchor outside the database (#\(a.id)): the tail was deleted")
        }
        if sealer != nil, anchor == nil, sawMac {
            return bad(count, 1, "库外的锚文件不见了（有带 MAC 的记录却没有锚）", "the audit anchor outside the database is missing (records carry MACs but there is no anchor)")
        }
        let head = try store.setting(headKey)
        let expected = count == 0 ? nil : "\(lastID):\(prev)"
        if head != expected {
            return bad(count, lastID + 1, "链头与记录不符（尾部记录被删除）", "the head does not match the records (tail deleted)")
        }
        return Verification(ok: true, records: count, firstBad: nil, reason: nil, reasonEn: nil)
    }
}
