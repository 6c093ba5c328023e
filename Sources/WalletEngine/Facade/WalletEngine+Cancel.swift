// 取消一笔卡住、已占 nonce 的提现（issue 11）：唯一安全的办法是让同一个 nonce 上链一笔别的交易——
// 给自己转 0 ETH 的 NOOP，费用高于原交易至少 replacementBumpPercent（geth 交易池的替换规则）。
// 两人规则：一位 approver/admin 提出、另一位批准；冻结的钱只在 NOOP 确认之后才解冻（原交易抢先上链则照常确认，取消作废）。
import Foundation
import WalletCrypto
import WalletLedger

public struct WithdrawalCancel: Codable, Sendable, Equatable {
    public var withdrawalID: Int64
    public var reason: String
    public var requestedBy: String
    public var requestedAt: Int64
    public var approvedBy: String?
    public var approvedAt: Int64?
    /// 已签出的 NOOP 交易哈希（执行器填）。
    public var noopHash: String?
    /// done: NOOP 上链、提现已取消；too_late: 原交易先上链，取消作废。
    public var outcome: String?
    public var state: String { outcome ?? (noopHash != nil ? "noop_sent" : approvedBy != nil ? "approved" : "requested") }
}

extension WalletEngine {
    static func cancelKey(_ id: Int64) -> String { "engine.withdraw.cancel.\(id)" }

    public func withdrawalCancel(_ id: Int64) throws -> WithdrawalCancel? { try gate.get(Self.cancelKey(id), as: WithdrawalCancel.self) }

    /// 提出取消（approver / admin）。只对占着 nonce、还没有结果的提现（signed / broadcast / unknown）。
    public func requestCancel(withdrawalID id: Int64, reason: String, by op: Operator) throws -> WithdrawalCancel {
        try authorize(op, .withdrawCancel)
        let r = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !r.isEmpty else {
            throw EngineError("withdraw.cancel_reason", zh: "--reason 必填：写明为什么取消（写进审计）。", en: "--reason is required: say why (it goes into the audit log).", badInput: true)
        }
        guard r.count <= 500, !r.contains("\n") else {
            throw EngineError("withdraw.cancel_reason", zh: "--reason 太长或有换行（\(r.count) 字符）：写成一行、不超过 500 字符。",
                              en: "--reason is too long or multi-line (\(r.count) characters): keep it to one line of at most 500.", badInput: true)
        }
        return try gate.transaction { l in
            let w = try l.withdrawal(id: id)
            guard w.nonce != nil, [.signed, .broadcast, .unknown].contains(w.state) else {
                let hint = w.state == .approved || w.state == .requested
                    ? (zh: "它还没有签名、不占 nonce：用 `withdraw reject` 驳回即可。", en: "it is not signed and holds no nonce: use `withdraw reject`.")
                    : (zh: "它已经有结果了。", en: "it already has an outcome.")
                throw EngineError("withdraw.cancel_state", zh: "提现 #\(id) 是 \(w.state.rawValue)，不能用 NOOP 取消：\(hint.zh)",
                                  en: "withdrawal #\(id) is \(w.state.rawValue) and cannot be cancelled by a NOOP: \(hint.en)", badInput: true)
            }
            if let c = try l.get(Self.cancelKey(id), as: WithdrawalCancel.self), c.outcome == nil {
                throw EngineError("withdraw.cancel_exists", zh: "提现 #\(id) 已有取消请求（\(c.requestedBy) 提出，状态 \(c.state)）。",
                                  en: "withdrawal #\(id) already has a cancel request (by \(c.requestedBy), \(c.state)).", badInput: true)
            }
            let c = WithdrawalCancel(withdrawalID: id, reason: r, requestedBy: op.name, requestedAt: clock.unixTime())
            try l.put(Self.cancelKey(id), c)
            try l.appendAudit(operatorName: op.name, action: "withdraw.cancel_request", subject: String(id),
                              details: ["reason": r, "nonce": String(w.nonce ?? -1), "cli": "withdraw cancel \(id) --reason \(ShellWords.quote(r))", "via": "cli"])
            return c
        }
    }

    /// 批准取消（另一位 approver / admin）。批准后执行器下一轮签出 NOOP。
    public func approveCancel(withdrawalID id: Int64, by op: Operator) throws -> WithdrawalCancel {
        try authorize(op, .withdrawCancel)
        return try gate.transaction { l in
            guard var c = try l.get(Self.cancelKey(id), as: WithdrawalCancel.self), c.outcome == nil else {
                throw EngineError("withdraw.cancel_missing", zh: "提现 #\(id) 没有待批准的取消请求：先 `withdraw cancel \(id) --reason …`。",
                                  en: "withdrawal #\(id) has no pending cancel request: first `withdraw cancel \(id) --reason …`.", badInput: true)
            }
            guard c.approvedBy == nil else {
                throw EngineError("withdraw.cancel_approved", zh: "提现 #\(id) 的取消已由 \(c.approvedBy!) 批准。", en: "the cancel of withdrawal #\(id) was already approved by \(c.approvedBy!).", badInput: true)
            }
            guard c.requestedBy.lowercased() != op.name.lowercased() else {
                throw EngineError("withdraw.cancel_self", zh: "提出取消的 \(op.name) 不能自己批准：需要另一位 approver 或 admin。",
                                  en: "\(op.name) requested the cancel and cannot approve it: another approver or admin must.", badInput: true)
            }
            let w = try l.withdrawal(id: id)
            guard [.signed, .broadcast, .unknown].contains(w.state) else {
                throw EngineError("withdraw.cancel_state", zh: "提现 #\(id) 已经是 \(w.state.rawValue)，取消不再需要。", en: "withdrawal #\(id) is already \(w.state.rawValue); no cancel needed.", badInput: true)
            }
            c.approvedBy = op.name; c.approvedAt = clock.unixTime()
            try l.put(Self.cancelKey(id), c)
            try l.appendAudit(operatorName: op.name, action: "withdraw.cancel_approve", subject: String(id),
                              details: ["requestedBy": c.requestedBy, "cli": "withdraw cancel-approve \(id)", "via": "cli"])
            return c
        }
    }
}
