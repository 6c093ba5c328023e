// 控制台与 CLI 经由引擎使用账本：登录、列表（分页）、审批与拒绝、告警、审计。
// 全部经过 LedgerGate（与 worker 串行），审批动作写审计（账本负责），并计入指标。
import Foundation
import WalletCrypto
import WalletKeystore
import WalletLedger

extension WalletEngine {
    /// 操作员登录（口令 scrypt 校验；名字不存在与口令错误同一个错误）。
    public func authenticate(name: String, passphrase: SecretBytes) throws -> Operator {
        try gate.with { l in try l.authenticate(name: name, passphrase: passphrase) }
    }

    public func operators() throws -> [Operator] { try gate.with { l in try l.operators() } }

    public func deposits(state: WalletLedger.DepositState? = nil, user: String? = nil, offset: Int = 0, limit: Int = 100) throws -> (rows: [Deposit], total: Int) {
        try gate.with { l in
            let f = DepositFilter(state: state, user: user)
            return (try l.deposits(f, page: Page(limit: limit, offset: offset)), try l.depositCount(f))
        }
    }

    public func withdrawals(state: WithdrawalState? = nil, offset: Int = 0, limit: Int = 100) throws -> (rows: [Withdrawal], total: Int) {
        try gate.with { l in
            let f = WithdrawalFilter(state: state)
            return (try l.withdrawals(f, page: Page(limit: limit, offset: offset)), try l.withdrawalCount(f))
        }
    }

    public func withdrawal(id: Int64) throws -> Withdrawal { try gate.with { l in try l.withdrawal(id: id) } }

    @discardableResult
    public func requestWithdrawal(_ r: WithdrawalRequest, by op: Operator) throws -> Withdrawal {
        let w = try gate.with { l in try l.requestWithdrawal(r, by: op) }
        logger.info("withdrawal.requested", ["id": .int(w.id), "asset": .string(w.asset), "operator": .string(op.name)])
        return w
    }

    @discardableResult
    public func approve(withdrawalID id: Int64, by op: Operator) throws -> Withdrawal {
        let w = try gate.with { l in try l.approve(withdrawalID: id, by: op) }
        metrics.approvals.inc(["approve"])
        logger.info("withdrawal.approved_by", ["id": .int(id), "operator": .string(op.name), "state": .string(w.state.rawValue)])
        return w
    }

    @discardableResult
    public func reject(withdrawalID id: Int64, reason: String, by op: Operator) throws -> Withdrawal {
        let w = try gate.with { l in try l.reject(withdrawalID: id, reason: reason, by: op) }
        metrics.approvals.inc(["reject"])
        logger.info("withdrawal.rejected_by", ["id": .int(id), "operator": .string(op.name)])
        return w
    }

    public func alerts(limit: Int = 100) throws -> [(id: Int64, ts: Int64, kind: String, message: String)] {
        try gate.with { l in try l.alerts(page: Page(limit: limit)) }
    }

    public func audits(offset: Int = 0, limit: Int = 100) throws -> (rows: [AuditRecord], total: Int) {
        try gate.with { l in (try l.audits(page: Page(limit: limit, offset: offset)), try l.auditCount()) }
    }

    public func assets() throws -> [Asset] { try gate.with { l in try l.store.allAssets() } }

    /// 分配充值地址（由 xpub 派生，主机上无需私钥）。
    public func assignAddress(user: String, asset: String) throws -> DepositAddressRecord {
        try gate.with { l in try l.assignAddress(user: user, asset: asset) }
    }

    /// 账本不变量检查（每条分录平衡、用户余额非负、冻结 = 在途提现……）。
    public func ledgerCheck() throws -> [InvariantViolation] { try gate.with { l in try l.check() } }

    /// 运营方给热钱包注资的记账（链上转账之后）。
    public func recordHotWalletFunding(asset: String, amount: UInt256, ref: String, by op: String) throws {
        try gate.with { l in _ = try l.fundHotWallet(asset: asset, amount: amount, ref: ref, by: op) }
    }
}

// MARK: - 密钥层级与封存（控制台 Keys 页）

extension WalletEngine {
    /// 每把密钥：层级、地址/指纹、使用统计、健康（HSM 会话、KMS 可达）、KEK 年龄。
    public func keyTiers() async -> [KeyTierStatus] { await keystore.keyTierStatus() }

    /// 封存状态（sealed/unsealed、份额模式的 t/n 与进度）。
    public func sealStatus() -> SealStatus { keystore.status() }

    /// 提交一份 Shamir 份额；凑够阈值自动解封。
    public func unseal(share: SecretBytes) throws -> Keystore.UnsealProgress {
        let p = try keystore.unseal(share: share)
        if p.unsealed { metrics.sealed.set(0); logger.info("keystore.unsealed", ["via": "shares"]) }
        return p
    }

    /// 最近的基础费走势（控制台画迷你折线图；wei/gas）。
    public func baseFeeTrend() async -> [UInt256] {
        if let c = fees.cached { return c.baseFeeTrend }
        return (try? await fees.refresh().baseFeeTrend) ?? []
    }
}
