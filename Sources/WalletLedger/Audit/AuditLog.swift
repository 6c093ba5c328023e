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

    /// 主链的链头键沿用旧名；分片链各一个键。值是「seq:hash」（旧库主链 seq = id，值不变）。
    static func headKey(_ chain: Int) -> String { chain == 0 ? headKey : "\(headKey).\(chain)" }
    /// 主链上汇总各分片链链头的记录（库外的锚只跟主链，分片链经它间接被锚住）。
    public static let checkpointAction = "audit.checkpoint"

    /// 追加一条（必须在调用方事务内，保证与业务变更同生共死）。写进当前事务的链（store.auditChain）：
    /// 全局写事务 → 主链；分片事务 → 该分片的链（两个分片事务并行时各自只动自己的链头）。
    @discardableResult
    public static func append(_ store: any LedgerStore, at ts: Int64, operatorName: String, action: String, subject: String,
                              details: [String: String], sealer: (any AuditSealer)? = nil) throws -> AuditRecord {
        try store.transaction {
            let chain = store.auditChain
            let head = try store.lastAuditHead(chain: chain)
            let prev = head?.hash ?? genesis
            let det = Self.details(details)
            let h = hash(prev: prev, ts: ts, operatorName: operatorName, action: action, subject: subject, details: det)
            var r = AuditRecord(id: 0, ts: ts, operatorName: operatorName, action: action, subject: subject, details: det,
                                prevHash: prev, hash: h, mac: sealer?.mac(hash: h) ?? "", chain: chain, seq: (head?.seq ?? 0) + 1)
            r.id = try store.insertAudit(r)
            try store.setSetting(headKey(chain), "\(r.seq):\(h)")
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

    /// 分批校验每条链，不把全部记录读进内存。有 sealer 时还校验每条的 MAC 与库外的锚（锚在主链上）。
    /// 分片链：主链上的 audit.checkpoint 记下各分片链当时的链头；校验时分片链必须仍含那条记录（删到检查点以下被发现）。
    public static func verify(_ store: any LedgerStore, sealer: (any AuditSealer)? = nil) throws -> Verification {
        let anchor: (id: Int64, hash: String, authentic: Bool)?
        do { anchor = try sealer?.anchor() } catch {
            return bad(0, 1, "库外的锚文件无法读取或格式不对（被改动？）：\(error)", "the audit anchor outside the database is unreadable or malformed (tampered?): \(error)")
        }
        if let a = anchor, !a.authentic {
            return bad(0, a.id, "库外的锚文件 MAC 不符（锚被改动）", "the audit anchor's MAC does not match (anchor tampered with)")
        }
        var count = 0
        var checkpoints: [Int: (seq: Int64, hash: String)] = [:]
        if let b = try verifyChain(store, chain: 0, sealer: sealer, anchor: anchor, count: &count, checkpoints: &checkpoints) { return b }
        let chains = Set(try store.auditChains()).union(checkpoints.keys).sorted()
        for c in chains {
            if let b = try verifyChain(store, chain: c, sealer: sealer, anchor: nil, count: &count, checkpoints: &checkpoints) { return b }
        }
        return Verification(ok: true, records: count, firstBad: nil, reason: nil, reasonEn: nil)
    }

    /// 主链从 from（库外的锚）到 to（新链头）是否完好：from 那条还在且 hash 不变，之后每条 prev_hash 相接、hash 相符、MAC 对（有 sealer 时）。
    /// from 为 nil（还没有锚）时不查。用于推锚之前：锚只沿着完好的链前进。
    public static func extends(_ store: any LedgerStore, from: (seq: Int64, hash: String)?, to head: (seq: Int64, hash: String),
                               sealer: (any AuditSealer)?) throws -> Bool {
        guard let from else { return true }
        guard head.seq >= from.seq else { return false }
        guard try record(store, chain: 0, seq: from.seq)?.hash == from.hash else { return false }
        var prev = from.hash, last = from.seq
        while last < head.seq {
            let batch = try store.audits(chain: 0, afterSeq: last, limit: 2000)
            if batch.isEmpty { return false }
            for r in batch where r.seq <= head.seq {
                guard r.seq == last + 1, r.prevHash == prev,
                      hash(prev: r.prevHash, ts: r.ts, operatorName: r.operatorName, action: r.action, subject: r.subject, details: r.details) == r.hash,
                      sealer.map({ !r.mac.isEmpty && r.mac == $0.mac(hash: r.hash) }) ?? true else { return false }   // 锚之后的每条都该有 MAC
                prev = r.hash; last = r.seq
            }
            if batch.last!.seq >= head.seq { break }
        }
        return last == head.seq && prev == head.hash
    }

    /// 某条链上序号为 seq 的那条记录（没有就 nil）。
    public static func record(_ store: any LedgerStore, chain: Int, seq: Int64) throws -> AuditRecord? {
        try store.audits(chain: chain, afterSeq: seq - 1, limit: 1).first.flatMap { $0.seq == seq ? $0 : nil }
    }

    /// 检查点记录的 details → 各分片链的 (seq, hash)。
    public static func checkpointHeads(_ details: String) -> [Int: (seq: Int64, hash: String)] {
        var out: [Int: (seq: Int64, hash: String)] = [:]
        for (k, v) in (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:] {
            let parts = v.split(separator: ":", maxSplits: 1)
            if let c = Int(k), c > 0, parts.count == 2, let seq = Int64(parts[0]) { out[c] = (seq, String(parts[1])) }
        }
        return out
    }

    /// 一条链：prev_hash 相接、内容与 hash 相符、seq 从 1 起连续、MAC、锚（主链）、检查点（分片链）、链头键。出错返回问题，否则 nil。
    static func verifyChain(_ store: any LedgerStore, chain: Int, sealer: (any AuditSealer)?, anchor: (id: Int64, hash: String, authentic: Bool)?,
                            count: inout Int, checkpoints: inout [Int: (seq: Int64, hash: String)]) throws -> Verification? {
        let tag = chain == 0 ? "" : "分片链 \(chain)："
        let tagEn = chain == 0 ? "" : "shard chain \(chain): "
        var prev = genesis
        var lastSeq: Int64 = 0, lastID: Int64 = 0
        var sawMac = false, anchorSeen = false, checkpointSeen = false
        let checkpoint = checkpoints[chain]
        while true {
            let batch = try store.audits(chain: chain, afterSeq: lastSeq, limit: 2000)
            if batch.isEmpty { break }
            for r in batch {
                count += 1
                if r.prevHash != prev {
                    return bad(count, r.id, tag + "prev_hash 不连续（前面的记录被删除或调换）", tagEn + "prev_hash breaks the chain (an earlier record was deleted or reordered)")
                }
                let h = hash(prev: r.prevHash, ts: r.ts, operatorName: r.operatorName, action: r.action, subject: r.subject, details: r.details)
                if h != r.hash { return bad(count, r.id, tag + "内容与 hash 不符（记录被修改）", tagEn + "content does not match its hash (record modified)") }
                if r.seq != lastSeq + 1 {
                    return bad(count, r.id, tag + "序号不连续", tagEn + "sequence numbers are not consecutive")
                }
                // 同一条链的记录在该链的锁内依次插入，行号只增不减：id 与 seq 顺序不一致就是有人调换了行。
                if r.id <= lastID {
                    return bad(count, r.id, tag + "行号顺序与链内序号不符（记录被调换）", tagEn + "row ids are out of order with the chain sequence (records swapped)")
                }
                if let sealer {
                    if !r.mac.isEmpty {
                        guard r.mac == sealer.mac(hash: r.hash) else {
                            return bad(count, r.id, tag + "MAC 不符（记录被伪造，或整条链被改完重算）", tagEn + "MAC mismatch (record forged, or the chain was edited and recomputed)")
                        }
                        sawMac = true
                    } else if sawMac {
                        return bad(count, r.id, tag + "缺少 MAC（启用库外密钥之后的记录都必须有）", tagEn + "missing MAC (every record after the external key was enabled must have one)")
                    }
                }
                if let a = anchor, r.seq == a.id {
                    guard r.hash == a.hash else {
                        return bad(count, r.id, "与库外的锚不符（链被改完重算）", "does not match the anchor outside the database (chain recomputed)")
                    }
                    anchorSeen = true
                }
                if chain == 0, r.action == checkpointAction {
                    // 检查点本身在主链上（被 hash、MAC、锚保护）；后面的覆盖前面的——但每条分片链的链头只能前进：
                    // 倒退（或同一序号换了 hash）说明两个检查点之间那条链被删改过（删尾之后引擎又接着写，新检查点会记下新的链头）。
                    for (c, h) in checkpointHeads(r.details) {
                        if let p = checkpoints[c], h.seq < p.seq || (h.seq == p.seq && h.hash != p.hash) {
                            return bad(count, r.id, "检查点倒退：分片链 \(c) 的链头从 #\(p.seq) 变成 #\(h.seq)（两个检查点之间这条链被删改过）",
                                       "checkpoint went backwards: shard chain \(c)'s head moved from #\(p.seq) to #\(h.seq) (the chain was altered between two checkpoints)")
                        }
                        checkpoints[c] = h
                    }
                }
                if let cp = checkpoint, r.seq == cp.seq {
                    guard r.hash == cp.hash else {
                        return bad(count, r.id, tag + "与主链检查点记下的链头不符（分片链被改完重算）", tagEn + "does not match the head recorded by a checkpoint on the main chain (chain recomputed)")
                    }
                    checkpointSeen = true
                }
                prev = r.hash
                lastSeq = r.seq
                lastID = r.id
            }
        }
        if let a = anchor, !anchorSeen {
            // 两个编号都是主链序号（以前一个是行号、一个是序号，读起来像「561 少于 513」，QA）；另一种常见原因是库与 home 没有一起恢复。
            return bad(count, lastID + 1, "主链只到 #\(lastSeq)，库外的锚记到 #\(a.id)：尾部记录被删除——或者库是从比 home 旧的备份恢复的（库与 home 要一起恢复，见运维手册「从备份恢复」）",
                       "the main chain ends at #\(lastSeq) but the anchor outside the database is at #\(a.id): the tail was deleted, or the database was restored from a backup older than the home (restore the database and the home together; see the runbook's restore section)")
        }
        if chain == 0, sealer != nil, anchor == nil, sawMac {
            return bad(count, 1, "库外的锚文件不见了（有带 MAC 的记录却没有锚）", "the audit anchor outside the database is missing (records carry MACs but there is no anchor)")
        }
        if let cp = checkpoint, !checkpointSeen {
            return bad(count, lastID + 1, tag + "记录少于主链检查点记下的 #\(cp.seq)：尾部记录被删除", tagEn + "fewer records than the checkpoint on the main chain (#\(cp.seq)): the tail was deleted")
        }
        let head = try store.setting(headKey(chain))
        let expected = lastSeq == 0 ? nil : "\(lastSeq):\(prev)"
        if head != expected {
            return bad(count, lastID + 1, tag + "链头与记录不符（尾部记录被删除）", tagEn + "the head does not match the records (tail deleted)")
        }
        return nil
    }
}
