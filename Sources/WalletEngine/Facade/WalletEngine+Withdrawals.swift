// 提现：发起、审批、拒绝、白名单，以及列表与详情。控制台与 CLI 调用的是这同一组方法（同样的授权、指标、日志、串行化）。
import Foundation
import WalletCrypto
import WalletKeys
import WalletLedger
import WalletChain

/// 提现详情所需的额外事实（审批对话框与 CLI 共用）。
public struct WithdrawalFacts: Sendable {
    public var withdrawal: Withdrawal
    public var asset: Asset
    public var allowlist: AllowlistEntry?
    public var velocity: (perUser: UInt256?, global: UInt256?)
    public var velocityLimit: (perUser: String?, global: String?, windowSeconds: Int64?)
    public var feeEstimateWei: UInt256?
    /// 目标地址的 EIP-55 校验和形式；地址无效时为 nil。
    public var checksummed: String?
}

extension WalletEngine {
    /// 一页提现与过滤后的总数；order = .urgency 时由数据库按紧急度排序（跨页一致）。
    public func withdrawals(state: WithdrawalState? = nil, user: String? = nil, text: String = "", order: WithdrawalOrder = .newest,
                            offset: Int = 0, limit: Int = 100) throws -> (rows: [Withdrawal], total: Int) {
        let tf = TextFilter(text)
        let f = WithdrawalFilter(state: state, user: user, text: tf.isEmpty ? nil : tf, order: order)
        return try gate.with { l in (try l.withdrawals(f, page: Page(limit: limit, offset: offset)), try l.withdrawalCount(f)) }
    }

    public func withdrawal(id: Int64) throws -> Withdrawal { try gate.with { l in try l.withdrawal(id: id) } }

    /// 详情：白名单、限速已用额度与上限、当前手续费估算（21000 或 65000 gas × normal maxFee）。
    public func withdrawalFacts(id: Int64) throws -> WithdrawalFacts {
        try gate.with { l in
            let w = try l.withdrawal(id: id)
            let a = try l.asset(w.asset)
            let allow = try? l.allowlistEntry(w.to)
            let vel = (try? l.velocityUsage(w)) ?? (nil, nil)
            let rule = l.policy.rules.first { $0.name == w.rule }
            var fee: UInt256?
            if let e = fees.cached, let g = fees.withdrawalTier(e) {
                fee = g.maxFeePerGas * UInt256(a.contract == nil ? 21_000 : 65_000)
            }
            return WithdrawalFacts(withdrawal: w, asset: a, allowlist: allow, velocity: vel,
                                   velocityLimit: (rule?.perUser?.maxAmount, rule?.global?.maxAmount,
                                                   rule?.perUser?.windowSeconds ?? rule?.global?.windowSeconds),
                                   feeEstimateWei: fee, checksummed: (try? EthereumAddress(string: w.to))?.checksummed)
        }
    }

    @discardableResult
    public func requestWithdrawal(_ r: WithdrawalRequest, by op: Operator) throws -> Withdrawal {
        try authorize(op, .withdrawRequest)
        let w = try gate.with { l in try l.requestWithdrawal(r, by: op) }
        logger.info("withdrawal.requested", ["id": .int(w.id), "asset": .string(w.asset), "operator": .string(op.name)])
        return w
    }

    @discardableResult
    public func approve(withdrawalID id: Int64, by op: Operator) throws -> Withdrawal {
        try authorize(op, .withdrawApprove)
        let w = try gate.with { l in try l.approve(withdrawalID: id, by: op) }
        metrics.approvals.inc(["approve"])
        logger.info("withdrawal.approved_by", ["id": .int(id), "operator": .string(op.name), "state": .string(w.state.rawValue)])
        return w
    }

    @discardableResult
    public func reject(withdrawalID id: Int64, reason: String, by op: Operator) throws -> Withdrawal {
        try authorize(op, .withdrawReject)
        let w = try gate.with { l in try l.reject(withdrawalID: id, reason: reason, by: op) }
        metrics.approvals.inc(["reject"])
        logger.info("withdrawal.rejected_by", ["id": .int(id), "operator": .string(op.name)])
        return w
    }

    public func allowlistAdd(_ address: String, by op: Operator) throws -> AllowlistEntry {
        try authorize(op, .allowlistAdd)
        let e = try gate.with { l in try l.allowlistAdd(address, by: op) }
        logger.info("allowlist.added", ["address": .string(e.address), "operator": .string(op.name)])
        return e
    }

    /// 激活白名单地址；返回条目与可用时间（激活 + 冷静期）。
    public func allowlistActivate(_ address: String, by op: Operator) throws -> (entry: AllowlistEntry, usableFrom: Int64) {
        try authorize(op, .allowlistActivate)
        try quorumGate(op, .allowlistActivate, summary: "allowlist activate \(address)", payload: ["address": address])
        let r = try gate.with { l in
            let e = try l.allowlistActivate(address, by: op)
            return (entry: e, usableFrom: (e.activatedAt ?? 0) + l.policy.coolingOffSeconds)
        }
        logger.info("allowlist.activated", ["address": .string(r.entry.address), "operator": .string(op.name), "usableFrom": .int(r.usableFrom)])
        return r
    }

    /// 白名单与每条的可用时间。
    public func allowlist(limit: Int = 10_000) throws -> [(entry: AllowlistEntry, usableFrom: Int64)] {
        try gate.with { l in
            try l.allowlist(page: Page(limit: limit)).map { ($0, $0.activatedAt.map { $0 + l.policy.coolingOffSeconds } ?? 0) }
        }
    }

    /// 某资产金额的显示形式（未知资产按基本单位）。
    public func format(_ asset: String, _ v: UInt256) -> String {
        (try? gate.with { l in try l.asset(asset) }.format(v)) ?? v.decimalString
    }

    public var now: Int64 { clock.unixTime() }
}

extension WalletEngine {
    /// 交易所在区块（节点收据里的）；没有收据（还在内存池、被替换、节点不可达）为 nil。
    /// 账本不存区块号：控制台的提现详情经这里问链，面不直接碰链客户端。
    public func transactionBlock(txHash: String) async -> UInt64? {
        guard let h = try? H256(hex: txHash) else { return nil }
        return (try? await chain.client.receipt(h))?.blockNumber
    }
}
