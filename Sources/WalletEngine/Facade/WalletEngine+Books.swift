// 账簿：余额、不变量检查、告警、审计链、任务队列与热钱包注资。
import Foundation
import WalletCrypto
import WalletLedger

extension WalletEngine {
    public func balances(user: String? = nil, asset: String? = nil, offset: Int = 0, limit: Int = 1000) throws -> [AccountBalance] {
        try gate.with { l in
            if let asset { _ = try l.asset(asset) }
            let page = Page(limit: limit, offset: offset)
            return user == nil
                ? try l.balances(asset: asset, page: page)
                : try l.balances(kind: .userAvailable, asset: asset, owner: user, page: page)
                    + l.balances(kind: .userFrozen, asset: asset, owner: user, page: page)
        }
    }

    /// 账本不变量检查（每条分录平衡、用户余额非负、冻结 = 在途提现……）。
    public func ledgerCheck() throws -> [InvariantViolation] { try gate.with { l in try l.check() } }

    public func alerts(limit: Int = 100) throws -> [Alert] {
        try gate.with { l in try l.alerts(page: Page(limit: limit)) }
    }

    /// 一页告警（新到旧）与总数。
    public func alerts(offset: Int, limit: Int) throws -> (rows: [Alert], total: Int) {
        try gate.with { l in (try l.alerts(page: Page(limit: limit, offset: offset)), try l.alertCounts().values.reduce(0, +)) }
    }

    /// 一页审计（id 倒序）与过滤后的总数；过滤都在数据库里做。
    public func audits(action: String? = nil, operatorName: String? = nil, text: String = "",
                       offset: Int = 0, limit: Int = 100) throws -> (rows: [AuditRecord], total: Int) {
        let tf = TextFilter(text)
        let f = AuditFilter(action: action, operatorName: operatorName, text: tf.isEmpty ? nil : tf)
        return try gate.with { l in (try l.audits(f, page: Page(limit: limit, offset: offset)), try l.auditCount(f)) }
    }

    public func verifyAudit() throws -> AuditChain.Verification { try gate.with { l in try l.verifyAudit() } }

    /// 把引擎外发生、但由操作员触发的动作（解封、仪式开始）写进哈希链审计，附 CLI 孪生命令。
    /// 写不进审计就是失败：被授权的动作必须留下记录（不能静默吞掉错误）。
    public func recordAudit(_ op: Operator, action: String, subject: String, cli: String, via: String) throws {
        try gate.with { l in
            try l.appendAudit(operatorName: op.name, action: action, subject: subject, details: ["cli": cliTwin(cli, op), "via": via])
        }
    }

    /// 审计里的 CLI 孪生命令能照抄重放：补上程序名与 `--home`、`--operator`（引号由 ShellWords 加；issue 14）。
    /// cli 是调用方给的命令词（常量与内部 id；需要机密的参数写成「…」占位，不可照抄执行是有意的）。
    func cliTwin(_ cli: String, _ op: Operator) -> String {
        cli.hasPrefix("wallet-console") ? cli : "wallet-console " + cli + " " + ShellWords.join(["--home", home.root, "--operator", op.name])
    }

    public func jobs(state: JobState? = nil, offset: Int = 0, limit: Int = 100) throws -> [Job] {
        try gate.with { l in
            guard let q = l.jobQueue else { return [] }
            return try q.jobs(state: state, queue: nil, page: Page(limit: limit, offset: offset))
        }
    }

    public func requeue(jobID: Int64, by op: Operator) throws -> Job {
        try authorize(op, .jobRequeue)
        return try gate.with { l in
            guard let q = l.jobQueue else {
                throw EngineError("jobs.no_queue", zh: "账本没有任务队列。", en: "the ledger has no job queue.", badInput: false)
            }
            return try l.requeueJob(id: jobID, by: op, queue: q)
        }
    }

    /// 运营方给热钱包注资的记账（链上转账之后）。
    public func recordHotWalletFunding(asset: String, amount: UInt256, ref: String, by op: Operator) throws {
        try authorize(op, .hotWalletFund)
        try gate.with { l in _ = try l.fundHotWallet(asset: asset, amount: amount, ref: ref, by: op.name) }
        logger.info("hot_wallet.funded", ["asset": .string(asset), "amount": .amount(amount), "operator": .string(op.name)])
    }
}

/// 告警严重度：控制台据此响铃与着色。严重 = 资金或签名此刻有风险、需要人马上看。
public enum AlertSeverity: String, Sendable { case critical, warning, info }

extension Alert {
    static let criticalKinds: Set<String> = [
        "deposit.reversed", "hot_inbound.reversed", "scanner.halted", "reconcile.mismatch", "nonce.external_use",
        "withdraw.nonce_taken", "withdraw.reorged", "withdraw.reorg_outcome_changed", "withdraw.stuck_at_cap", "sweep.topup_stuck_at_cap", "sweep.reorged", "withdraw.failed",
        "signer.unavailable", "signer.error", "signer.address_mismatch", "keystore.sealed", "audit.tampered",
    ]
    static let infoKinds: Set<String> = ["withdraw.cancelled"]

    public var severity: AlertSeverity {
        let k = String(kind.prefix { $0 != ":" })
        if Self.criticalKinds.contains(k) { return .critical }
        return Self.infoKinds.contains(k) ? .info : .warning
    }
}
