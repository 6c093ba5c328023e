// 控制台需要、而引擎门面尚未提供的操作（接线 helper 拥有本文件）。
// 这里只调用引擎已持有的账本 / 密钥库 / 链接口，控制台自己从不碰 SQL 或 C 加密。
// 演示 home 的创建由引擎的 DemoHome.create 负责（Demo/DemoHome.swift）。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

// MARK: - 控制台读取

/// 一个密钥条目在控制台上的事实（全部非机密）。
public struct ConsoleKeyFact: Sendable {
    public var keyId: String
    public var label: String
    public var tier: String
    public var kind: String
    public var signatures: Int
    public var lastUse: String?
    public var kekVersion: Int?
    public var usable: Bool
}

/// 提现详情所需的额外事实。
public struct ConsoleWithdrawalFacts: Sendable {
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
    /// 操作员登录（口令常量时间比较在账本里）。
    public func consoleLogin(name: String, passphrase: SecretBytes) throws -> Operator {
        try gate.with { l in try l.authenticate(name: name, passphrase: passphrase) }
    }

    /// 按名字取操作员（演示模式免口令登录种子操作员时用）。
    public func consoleOperator(named name: String) throws -> Operator? {
        try gate.with { l in try l.operators().first { $0.name == name } }
    }

    public func consoleAsset(_ symbol: String) -> Asset? { try? gate.with { l in try l.asset(symbol) } }

    /// 一页充值与过滤后的总数，都由账本在数据库里算（文本过滤下推成 SQL，不在内存扫描）。
    public func consoleDeposits(text: String = "", offset: Int, limit: Int) throws -> (rows: [WalletLedger.Deposit], total: Int) {
        let tf = TextFilter(text)
        let f = DepositFilter(text: tf.isEmpty ? nil : tf)
        return try gate.with { l in
            (try l.deposits(f, page: WalletLedger.Page(limit: limit, offset: offset)), try l.depositCount(f))
        }
    }

    /// 一页提现与过滤后的总数；order = .urgency 时由数据库按紧急度排序（跨页一致）。
    public func consoleWithdrawals(state: WalletLedger.WithdrawalState? = nil, text: String = "", order: WithdrawalOrder = .newest,
                                   offset: Int, limit: Int) throws -> (rows: [Withdrawal], total: Int) {
        let tf = TextFilter(text)
        let f = WithdrawalFilter(state: state, text: tf.isEmpty ? nil : tf, order: order)
        return try gate.with { l in (try l.withdrawals(f, page: WalletLedger.Page(limit: limit, offset: offset)), try l.withdrawalCount(f)) }
    }

    public func consoleWithdrawal(id: Int64) throws -> Withdrawal { try gate.with { l in try l.withdrawal(id: id) } }

    /// 详情：白名单、限速已用额度与上限、当前手续费估算（21000 或 65000 gas × normal maxFee）。
    public func consoleWithdrawalFacts(id: Int64) throws -> ConsoleWithdrawalFacts {
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
            return ConsoleWithdrawalFacts(withdrawal: w, asset: a, allowlist: allow, velocity: vel,
                                          velocityLimit: (rule?.perUser?.maxAmount, rule?.global?.maxAmount,
                                                          rule?.perUser?.windowSeconds ?? rule?.global?.windowSeconds),
                                          feeEstimateWei: fee, checksummed: (try? EthereumAddress(string: w.to))?.checksummed)
        }
    }

    /// 审批走引擎门面（账本策略 + 指标 + 日志），与 CLI `withdraw approve` 同一路径。
    public func consoleApprove(id: Int64, by op: Operator) throws -> Withdrawal {
        try approve(withdrawalID: id, by: op)
    }

    public func consoleReject(id: Int64, reason: String, by op: Operator) throws -> Withdrawal {
        try reject(withdrawalID: id, reason: reason, by: op)
    }

    /// 一页审计（id 倒序）与过滤后的总数；文本过滤在数据库里做。
    public func consoleAudits(text: String = "", offset: Int, limit: Int) throws -> (rows: [AuditRecord], total: Int) {
        let tf = TextFilter(text)
        let f = AuditFilter(text: tf.isEmpty ? nil : tf)
        return try gate.with { l in (try l.audits(f, page: WalletLedger.Page(limit: limit, offset: offset)), try l.auditCount(f)) }
    }

    /// 死信（JobQueue 中 state=dead 的任务）。
    public func consoleDeadLetters(limit: Int) throws -> [Job] {
        try gate.with { l in
            guard let q = l.jobQueue else { return [] }
            return try q.jobs(state: .dead, queue: nil, page: WalletLedger.Page(limit: limit))
        }
    }

    public func consoleRequeue(jobID: Int64, by op: Operator) throws -> Job {
        try gate.with { l in
            guard let q = l.jobQueue else {
                throw EngineError("jobs.no_queue", zh: "账本没有任务队列。", en: "the ledger has no job queue.")
            }
            return try l.requeueJob(id: jobID, by: op, queue: q)
        }
    }

    /// 审计一条控制台自己的动作（解封、仪式开始等），写进账本的哈希链审计，附 CLI 孪生命令。
    public func consoleAudit(_ op: Operator, action: String, subject: String, cli: String) {
        _ = try? gate.with { l in
            try AuditChain.append(l.store, at: l.now, operatorName: op.name, action: action, subject: subject,
                                  details: ["cli": cli, "via": "console"])
        }
    }

    public func consoleKeys() -> (seal: SealStatus, keys: [ConsoleKeyFact]) {
        let st = keystore.status()
        let list = (try? keystore.list()) ?? []
        let facts = list.map { k -> ConsoleKeyFact in
            let u = keystore.usage(id: k.id)
            let tier: String
            switch k.tier {
            case .hsm: tier = "hsm"
            case .kms: tier = "kms"
            case .tee: tier = "tee"
            case .encryptedDB: tier = "db"
            }
            let usable = !st.sealed  // 各层都经密钥库签名（HSM 的 PIN 也在密钥库里），封存即不可用
            return ConsoleKeyFact(keyId: k.id, label: k.label, tier: tier, kind: k.kind.rawValue, signatures: u.signatures,
                                  lastUse: u.lastUsed, kekVersion: try? keystore.kekVersion(id: k.id), usable: usable)
        }
        return (st, facts)
    }

    public func consoleUnsealShare(_ share: SecretBytes) throws -> (submitted: Int, threshold: Int, unsealed: Bool) {
        let p = try keystore.unseal(share: share)
        if p.unsealed { metrics.sealed.set(0); logger.info("keystore.unsealed", ["via": .string("shares")]) }
        return (p.submitted, p.threshold, p.unsealed)
    }

    /// 最近区块的 base fee（wei），给走势小图。
    public func consoleBaseFees(blocks: Int = 30) async throws -> [UInt256] {
        let h = try await client.feeHistory(blockCount: blocks, newest: .latest, percentiles: [])
        return h.baseFeePerGas
    }

    public func consoleHead() async -> (head: UInt64?, scanned: UInt64?) {
        let head = try? await client.blockNumber()
        return (head, try? scanStore.height())
    }

    /// 开始一次密钥仪式（keystore 的 CeremonyEngine；keystore 必须已解封）。
    public func consoleCeremony(by op: Operator, label: String) throws -> CeremonyEngine {
        guard op.role == .admin else {
            throw EngineError("ceremony.forbidden", zh: "只有 admin 可以进行密钥仪式（当前 \(op.name) 是 \(op.role.rawValue)）。",
                              en: "only an admin may run the key ceremony (\(op.name) is \(op.role.rawValue)).")
        }
        let c = try CeremonyEngine(keystore: keystore, operatorName: op.name, label: label)
        consoleAudit(op, action: "ceremony.start", subject: label, cli: "ceremony --label \(label)")
        return c
    }
}
