// 审批策略的来源与批准（issue 11）：手改 policy.json 不直接生效。生效的是库里登记过的那份（settings 的
// policy.approved_hash / policy.approved_json）；文件与它不同时，引擎继续用登记的那份，`status` 报告 pendingApproval，
// 直到管理员 `policy apply`（有两位以上管理员时是提议，另一位批准后才生效）。第一次见到 policy.json（新 home、升级）时登记它。
import Foundation
import WalletCrypto
import WalletLedger

public struct PolicyState: Sendable, Equatable {
    /// 生效策略的 SHA-256（文件字节）；nil = 默认策略（从没有过 policy.json）。
    public var activeHash: String?
    /// 磁盘上 policy.json 的 SHA-256；nil = 没有文件。
    public var fileHash: String?
    public var pendingApproval: Bool { fileHash != nil && fileHash != activeHash }
    /// 库里登记的策略没有审计链上带 MAC 的记录为证（被绕过审批改过）：提现一律拦下，直到管理员重新 policy apply。
    public var tampered = false
}

enum PolicyKeys {
    static let hash = "policy.approved_hash"
    static let json = "policy.approved_json"
}

extension WalletEngine {
    static func sha256Hex(_ d: Data) -> String { Hex.encode(Hash.sha256([UInt8](d))) }

    /// 库里登记的策略有没有审计链上的记录为证：最近一条 policy.set / policy.adopt 的对象是这个哈希、记录本身没被改（hash 相符），
    /// 并且带着库外密钥的 MAC（升级前没有 MAC 的旧记录：须在库外的锚之下）。只能写库的人改得了 settings、改不出 MAC。
    /// hash 为 nil（库里没有登记）时：审计里也从没登记过才算数（删掉 settings 退回默认策略也是篡改）。没有 sealer（单元测试）时不查。
    static func policyAttested(_ ledger: Ledger, hash: String?) throws -> Bool {
        guard let sealer = ledger.sealer else { return true }
        let recs = try ["policy.set", "policy.adopt"].compactMap { try ledger.store.audits(AuditFilter(action: $0), page: Page(limit: 1)).first }
        guard let r = recs.max(by: { $0.id < $1.id }) else { return hash == nil }
        guard let hash, r.subject == hash,
              AuditChain.hash(prev: r.prevHash, ts: r.ts, operatorName: r.operatorName, action: r.action, subject: r.subject, details: r.details) == r.hash
        else { return false }
        if !r.mac.isEmpty { return r.mac == sealer.mac(hash: r.hash) }
        guard let a = try sealer.anchor(), a.authentic else { return false }
        return r.chain == 0 && r.seq <= a.id
    }

    /// 库里的策略被人绕过审批改过时用的：一律拦下（提现报 policy.blocked，规则名说明原因），status 报 policy.tampered。
    static let tamperedPolicy = #"{"rules": [{"name": "policy-tampered-see-status", "action": "block"}]}"#

    /// 打开账本时决定生效的策略（见文件头）。
    static func loadPolicy(_ ledger: Ledger, home: HomeLayout) throws {
        try loadPolicyUnchecked(ledger, home: home)
        // QA 发现：只能写库的人把 policy.approved_json 改成「0 人审批、不要白名单」并配好哈希，下一条提现就照新规则直接发出。
        if try !policyAttested(ledger, hash: try ledger.setting(PolicyKeys.hash)) {
            ledger.policy = try ApprovalPolicy.parse(Data(tamperedPolicy.utf8))
        }
    }

    static func loadPolicyUnchecked(_ ledger: Ledger, home: HomeLayout) throws {
        guard let data = FileManager.default.contents(atPath: home.policyFile) else {
            if let json = try ledger.setting(PolicyKeys.json) { ledger.policy = try ApprovalPolicy.parse(Data(json.utf8)) }
            return
        }
        let fileHash = sha256Hex(data)
        guard let approved = try ledger.setting(PolicyKeys.hash), let json = try ledger.setting(PolicyKeys.json) else {
            // 第一次见到：先校验再登记。坏文件什么都不登记，也不挡住打开 home（以前每个命令都因一个草稿文件退出 2，
            // 值班的 status 也看不了）：继续用默认/已登记的策略，status 报「待批准」，policy apply 给出具体哪里坏。
            guard let p = try? ApprovalPolicy.load(path: home.policyFile) else {
                if let json = try ledger.setting(PolicyKeys.json) { ledger.policy = try ApprovalPolicy.parse(Data(json.utf8)) }
                return
            }
            try ledger.store.transaction {
                try ledger.store.setSetting(PolicyKeys.hash, fileHash)
                try ledger.store.setSetting(PolicyKeys.json, String(decoding: data, as: UTF8.self))
                try ledger.appendAudit(operatorName: "system", action: "policy.adopt", subject: fileHash, details: ["rules": p.rules.map(\.name).joined(separator: ",")])
            }
            ledger.policy = p
            return
        }
        ledger.policy = try ApprovalPolicy.parse(Data((approved == fileHash ? String(decoding: data, as: UTF8.self) : json).utf8))
    }

    public func policyState() throws -> PolicyState {
        let (active, attested) = try gate.with { l in
            let h = try l.setting(PolicyKeys.hash)
            return (h, try Self.policyAttested(l, hash: h))
        }
        let file = FileManager.default.contents(atPath: home.policyFile).map(Self.sha256Hex)
        return PolicyState(activeHash: active, fileHash: file, tampered: !attested)
    }

    /// 让磁盘上的 policy.json 生效（admin；有两位以上管理员时是提议）。提议里带的是文件内容本身：批准的就是这一份。
    @discardableResult
    public func applyPolicyFile(by op: Operator) throws -> PolicyState {
        try authorize(op, .policySet)
        guard let data = FileManager.default.contents(atPath: home.policyFile) else {
            throw EngineError("policy.no_file", zh: "\(home.policyFile) 不存在：先写好策略文件。", en: "\(home.policyFile) does not exist: write the policy file first.", badInput: true)
        }
        let p = try ApprovalPolicy.parse(data)   // 坏文件立刻报错，不会变成提议
        let hash = Self.sha256Hex(data)
        let json = String(decoding: data, as: UTF8.self)
        try quorumGate(op, .policySet, summary: "policy apply \(hash.prefix(12)) (\(p.rules.map(\.name).joined(separator: ",")))",
                       payload: ["hash": hash, "json": json])
        try setApprovedPolicy(json: json, hash: hash, by: op)
        return try policyState()
    }

    func setApprovedPolicy(json: String, hash: String, by op: Operator) throws {
        let p = try ApprovalPolicy.parse(Data(json.utf8))
        guard Self.sha256Hex(Data(json.utf8)) == hash else {
            throw EngineError("policy.hash_mismatch", zh: "提议里的策略内容与哈希不符。", en: "the proposed policy content does not match its hash.", badInput: false)
        }
        try gate.transaction { l in
            let before = try l.setting(PolicyKeys.hash) ?? "default"
            try l.store.setSetting(PolicyKeys.hash, hash)
            try l.store.setSetting(PolicyKeys.json, json)
            try l.appendAudit(operatorName: op.name, action: "policy.set", subject: hash,
                              details: ["before": before, "after": hash, "rules": p.rules.map(\.name).joined(separator: ","), "cli": "policy apply"])
            l.policy = p
        }
        logger.info("policy.set", ["hash": .string(hash), "operator": .string(op.name)])
    }
}
