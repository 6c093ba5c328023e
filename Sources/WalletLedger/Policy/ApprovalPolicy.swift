// 审批策略：配置文件（JSON），按顺序匹配、第一条命中的规则生效（与 Fireblocks 的规则模型相同）。
// 加载时严格校验：未知键、类型不对、金额格式错都会报出具体键路径，例如 rules[2].maxAmount。
import Foundation
import WalletCrypto

public struct VelocityLimit: Sendable, Equatable {
    public var windowSeconds: Int64
    /// 显示单位的十进制金额（按资产精度换算）。
    public var maxAmount: String
}

public struct PolicyRule: Sendable, Equatable {
    public enum Action: String, Sendable { case allow, block }
    public var name: String
    public var asset: String          // "*" 表示任意资产
    public var minAmount: String?     // 含
    public var maxAmount: String?     // 含
    public var action: Action
    public var approvals: Int
    public var perUser: VelocityLimit?
    public var global: VelocityLimit?
}

public struct ApprovalPolicy: Sendable, Equatable {
    public var requestExpirySeconds: Int64
    public var approvalExpirySeconds: Int64
    public var allowlistRequired: Bool
    public var coolingOffSeconds: Int64
    public var rules: [PolicyRule]

    /// 默认策略：必须白名单，冷静期 24 小时，任何金额都需要 2 人审批。
    public static let `default` = ApprovalPolicy(
        requestExpirySeconds: 86_400, approvalExpirySeconds: 14_400, allowlistRequired: true, coolingOffSeconds: 86_400,
        rules: [PolicyRule(name: "default", asset: "*", minAmount: nil, maxAmount: nil, action: .allow, approvals: 2,
                           perUser: nil, global: nil)])

    public static func load(path: String) throws -> ApprovalPolicy {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw LedgerError.policyInvalid(key: "(file)", reason: "无法读取 \(path)", en: "cannot read \(path)")
        }
        return try parse(d)
    }

    public static func parse(_ data: Data) throws -> ApprovalPolicy {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw LedgerError.policyInvalid(key: "(root)", reason: "不是 JSON 对象", en: "not a JSON object")
        }
        try checkKeys(root, ["requestExpirySeconds", "approvalExpirySeconds", "allowlist", "rules"], at: "")
        var p = ApprovalPolicy.default
        p.requestExpirySeconds = try posInt(root["requestExpirySeconds"], "requestExpirySeconds") ?? p.requestExpirySeconds
        p.approvalExpirySeconds = try posInt(root["approvalExpirySeconds"], "approvalExpirySeconds") ?? p.approvalExpirySeconds
        if let a = root["allowlist"] {
            guard let al = a as? [String: Any] else { throw LedgerError.policyInvalid(key: "allowlist", reason: "应为对象", en: "must be an object") }
            try checkKeys(al, ["required", "coolingOffSeconds"], at: "allowlist.")
            if let r = al["required"] {
                guard isBool(r), let b = r as? Bool else {
                    throw LedgerError.policyInvalid(key: "allowlist.required", reason: "应为 true/false", en: "must be true/false")
                }
                p.allowlistRequired = b
            }
            p.coolingOffSeconds = try nonNegInt(al["coolingOffSeconds"], "allowlist.coolingOffSeconds") ?? p.coolingOffSeconds
        }
        guard let rulesAny = root["rules"] else { throw LedgerError.policyInvalid(key: "rules", reason: "缺少规则列表", en: "the rule list is missing") }
        guard let rules = rulesAny as? [Any], !rules.isEmpty else {
            throw LedgerError.policyInvalid(key: "rules", reason: "应为非空数组", en: "must be a non-empty array")
        }
        p.rules = []
        var names = Set<String>()
        for (i, any) in rules.enumerated() {
            let at = "rules[\(i)]"
            guard let r = any as? [String: Any] else { throw LedgerError.policyInvalid(key: at, reason: "应为对象", en: "must be an object") }
            try checkKeys(r, ["name", "asset", "minAmount", "maxAmount", "action", "approvals", "perUser", "global"], at: at + ".")
            guard let name = r["name"] as? String, !name.isEmpty else {
                throw LedgerError.policyInvalid(key: at + ".name", reason: "必须是非空字符串", en: "must be a non-empty string")
            }
            guard names.insert(name).inserted else { throw LedgerError.policyInvalid(key: at + ".name", reason: "规则名 '\(name)' 重复", en: "rule name '\(name)' is used twice") }
            let asset = try str(r["asset"], at + ".asset") ?? "*"
            let minA = try amount(r["minAmount"], at + ".minAmount")
            let maxA = try amount(r["maxAmount"], at + ".maxAmount")
            if let minA, let maxA, try AmountFormat.parse(minA, decimals: scale(minA, maxA)) > AmountFormat.parse(maxA, decimals: scale(minA, maxA)) {
                throw LedgerError.policyInvalid(key: at + ".minAmount", reason: "大于 maxAmount", en: "is greater than maxAmount")
            }
            let actionText = try str(r["action"], at + ".action") ?? "allow"
            guard let action = PolicyRule.Action(rawValue: actionText) else {
                throw LedgerError.policyInvalid(key: at + ".action", reason: "只能是 allow 或 block（收到 '\(actionText)'）", en: "must be allow or block (got '\(actionText)')")
            }
            let approvals = Int(try nonNegInt(r["approvals"], at + ".approvals") ?? 0)
            guard approvals <= 10 else { throw LedgerError.policyInvalid(key: at + ".approvals", reason: "最多 10", en: "at most 10") }
            p.rules.append(PolicyRule(name: name, asset: asset, minAmount: minA, maxAmount: maxA, action: action,
                                      approvals: approvals, perUser: try velocity(r["perUser"], at + ".perUser"),
                                      global: try velocity(r["global"], at + ".global")))
        }
        return p
    }

    static func checkKeys(_ o: [String: Any], _ allowed: Set<String>, at: String) throws {
        for k in o.keys.sorted() where !allowed.contains(k) {
            throw LedgerError.policyInvalid(key: at + k, reason: "未知的键（允许：\(allowed.sorted().joined(separator: ", "))）",
                                            en: "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
    /// 两个十进制文本共同需要的小数位数（仅用于语法检查与比较）。
    static func scale(_ a: String, _ b: String) -> Int {
        let f = { (s: String) in s.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0 }
        return min(max(f(a), f(b)), AmountFormat.maxDecimals)
    }
    static func isBool(_ v: Any) -> Bool { type(of: v) == type(of: NSNumber(value: true)) }
    static func posInt(_ v: Any?, _ key: String) throws -> Int64? {
        guard let n = try nonNegInt(v, key) else { return nil }
        guard n > 0 else { throw LedgerError.policyInvalid(key: key, reason: "必须为正整数", en: "must be a positive integer") }
        return n
    }
    static func nonNegInt(_ v: Any?, _ key: String) throws -> Int64? {
        guard let v else { return nil }
        guard let n = v as? NSNumber, !isBool(v), n.doubleValue == n.doubleValue.rounded(), n.int64Value >= 0 else {
            throw LedgerError.policyInvalid(key: key, reason: "必须是非负整数", en: "must be a non-negative integer")
        }
        return n.int64Value
    }
    static func str(_ v: Any?, _ key: String) throws -> String? {
        guard let v else { return nil }
        guard let s = v as? String, !s.isEmpty else { throw LedgerError.policyInvalid(key: key, reason: "必须是非空字符串", en: "must be a non-empty string") }
        return s
    }
    static func amount(_ v: Any?, _ key: String) throws -> String? {
        guard let s = try str(v, key) else { return nil }
        do { _ = try AmountFormat.parse(s, decimals: scale(s, s)) } catch let e as LedgerError {
            throw LedgerError.policyInvalid(key: key, reason: "金额须为十进制字符串，例如 \"1.5\"（\(e.message(.zh))）",
                                            en: "amounts must be decimal strings such as \"1.5\" (\(e.message(.en)))")
        }
        return s
    }
    static func velocity(_ v: Any?, _ key: String) throws -> VelocityLimit? {
        guard let v else { return nil }
        guard let o = v as? [String: Any] else { throw LedgerError.policyInvalid(key: key, reason: "应为对象", en: "must be an object") }
        try checkKeys(o, ["windowSeconds", "maxAmount"], at: key + ".")
        guard let w = try posInt(o["windowSeconds"], key + ".windowSeconds") else {
            throw LedgerError.policyInvalid(key: key + ".windowSeconds", reason: "缺少", en: "is missing")
        }
        guard let m = try amount(o["maxAmount"], key + ".maxAmount") else {
            throw LedgerError.policyInvalid(key: key + ".maxAmount", reason: "缺少", en: "is missing")
        }
        return VelocityLimit(windowSeconds: w, maxAmount: m)
    }
}

/// 策略评估结果。
public struct PolicyDecision: Sendable, Equatable {
    public var rule: String
    public var action: PolicyRule.Action
    public var approvals: Int
    /// 被跳过的规则及原因（例如速率窗口超限），便于操作员理解为何落到更严格的规则。
    public var skipped: [String]
}

extension ApprovalPolicy {
    /// 第一条命中的规则生效。速率限制超限的规则视为不命中，继续向下（通常落到需要更多审批或 block 的规则）。
    /// volume(user?, since) 返回时间窗内已发起的提现总额。都不命中 → 默认拒绝。
    public func evaluate(asset: Asset, amount: UInt256, now: Int64,
                         volume: (_ user: Bool, _ since: Int64) throws -> UInt256) throws -> PolicyDecision {
        var skipped: [String] = []
        for r in rules {
            guard r.asset == "*" || r.asset == asset.symbol else { continue }
            // 规则金额按资产精度换算；精度不够表达的阈值视为配置错误。
            let lim = { (s: String, k: String) throws -> UInt256 in
                do { return try asset.parse(s) } catch {
                    throw LedgerError.policyInvalid(key: "rules.\(r.name).\(k)", reason: "对 \(asset.symbol) 的精度 \(asset.decimals) 过精确",
                                                    en: "too precise for \(asset.symbol) with \(asset.decimals) decimals")
                }
            }
            if let m = r.minAmount { let v = try lim(m, "minAmount"); if amount < v { continue } }
            if let m = r.maxAmount { let v = try lim(m, "maxAmount"); if amount > v { continue } }
            var over = false
            for (isUser, v) in [(true, r.perUser), (false, r.global)] {
                guard let v else { continue }
                let used = try volume(isUser, now - v.windowSeconds)
                let (total, ovf) = used.addingReportingOverflow(amount)
                let cap = try lim(v.maxAmount, isUser ? "perUser.maxAmount" : "global.maxAmount")
                if ovf || total > cap {
                    skipped.append("\(r.name): \(isUser ? "perUser" : "global") 速率超限")
                    over = true
                }
            }
            if over { continue }
            return PolicyDecision(rule: r.name, action: r.action, approvals: r.action == .allow ? r.approvals : 0, skipped: skipped)
        }
        return PolicyDecision(rule: "(no match)", action: .block, approvals: 0, skipped: skipped)
    }
}
