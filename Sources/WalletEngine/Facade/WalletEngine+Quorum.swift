// 管理员法定人数（issue 11，职责分离）：新增操作员、资产增改停启、充值 xpub、白名单激活、冷钱包登记——
// 一个管理员只能「提议」，另一位（不同的）管理员批准后才执行（像 Turnkey 的 root quorum、Dfns 的 Policies:Modify）。
// 例外只有引导期：库里只有一位管理员时（init 建的第一个），他的操作直接生效——否则第二位管理员永远加不进来。
// 提议存进 settings 的 KV（量很小）；新增操作员的提议只存口令的 scrypt 验证数据，口令本身从不落库。
import Foundation
import WalletCrypto
import WalletLedger

public struct AdminProposal: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case pending, executed, rejected, failed }
    public var id: Int
    public var operation: String
    public var summary: String
    public var payload: [String: String]
    public var proposedBy: String
    public var proposedAt: Int64
    public var state: State
    public var approvedBy: [String]
    public var decidedBy: String?
    public var decidedAt: Int64?
    public var note: String?
}

/// 操作已记为提议、等待另一位管理员：不是失败，但也没有生效（CLI 退出码 3，脚本不能当成已执行）。
public struct AdminProposalPending: WalletErrorConvertible {
    public let proposal: AdminProposal
    /// 不是失败：CLI 单独接住它、退出码 3。漏到别处（控制台、日志）时按运行错误显示。
    public var walletError: WalletError {
        WalletError("admin.proposal_pending",
            zh: "已提交提议 #\(proposal.id)（\(proposal.summary)），尚未生效：需要另一位管理员执行 `wallet-console admin approve \(proposal.id)`（或 reject）。",
            en: "proposal #\(proposal.id) (\(proposal.summary)) recorded, not yet in effect: another admin must run `wallet-console admin approve \(proposal.id)` (or reject).",
            badInput: false)
    }
}

extension EngineOperation {
    /// 需要管理员法定人数的操作。
    public var needsAdminQuorum: Bool {
        switch self {
        case .operatorAdd, .assetAdd, .assetUpdate, .assetDisable, .assetEnable, .depositXpubSet, .allowlistActivate, .coldWalletAdd,
             .policySet, .signerUse: true
        default: false
        }
    }
}

extension WalletEngine {
    static let proposalsKey = "engine.admin.proposals"
    /// 批准执行时置位：被执行的操作不再要求法定人数（已经有了）。
    @TaskLocal static var executingProposal: Int?

    /// 法定人数（含提议人）：2。管理员少于 2 人时是引导期，直接执行。
    public var adminQuorum: Int { 2 }

    func adminCount() throws -> Int { try gate.with { l in try l.operators().filter { $0.role == .admin }.count } }

    /// 需要法定人数而还没有：记下提议并抛出 AdminProposalPending。调用方在授权之后、做任何改动之前调用。
    /// payload 只在真要记提议时才算（新增操作员要先做一次 scrypt）。
    func quorumGate(_ op: Operator, _ operation: EngineOperation, summary: String, payload makePayload: @autoclosure () throws -> [String: String]) throws {
        guard operation.needsAdminQuorum, Self.executingProposal == nil, try adminCount() >= adminQuorum else { return }
        let payload = try makePayload()
        let p = try gate.transaction { l -> AdminProposal in
            var all = try l.get(Self.proposalsKey, as: [AdminProposal].self) ?? []
            let p = AdminProposal(id: (all.map(\.id).max() ?? 0) + 1, operation: operation.rawValue, summary: summary, payload: payload,
                                  proposedBy: op.name, proposedAt: clock.unixTime(), state: .pending, approvedBy: [], decidedBy: nil, decidedAt: nil, note: nil)
            all.append(p)
            try l.put(Self.proposalsKey, all)
            try l.appendAudit(operatorName: op.name, action: "admin.propose", subject: String(p.id),
                              details: ["operation": operation.rawValue, "summary": summary, "cli": "admin approve \(p.id)"])
            return p
        }
        logger.info("admin.proposed", ["id": .int(Int64(p.id)), "operation": .string(operation.rawValue), "operator": .string(op.name)])
        throw AdminProposalPending(proposal: p)
    }

    public func adminProposals() throws -> [AdminProposal] { try gate.get(Self.proposalsKey, as: [AdminProposal].self) ?? [] }

    func updateProposal(_ p: AdminProposal) throws {
        var all = try adminProposals()
        guard let i = all.firstIndex(where: { $0.id == p.id }) else { return }
        all[i] = p
        try gate.put(Self.proposalsKey, all)
    }

    func pendingProposal(_ id: Int, by op: Operator) throws -> AdminProposal {
        try authorize(op, .adminDecide)
        guard let p = try adminProposals().first(where: { $0.id == id }) else {
            throw EngineError("admin.proposal_not_found", zh: "没有提议 #\(id)：用 `admin proposals` 查看。", en: "no proposal #\(id): see `admin proposals`.", badInput: true)
        }
        guard p.state == .pending else {
            throw EngineError("admin.proposal_decided", zh: "提议 #\(id) 已经是 \(p.state.rawValue)，不能再处理。", en: "proposal #\(id) is already \(p.state.rawValue).", badInput: true)
        }
        guard p.proposedBy.lowercased() != op.name.lowercased() else {
            throw EngineError("admin.self_approval", zh: "提议人 \(op.name) 不能批准或驳回自己的提议：需要另一位管理员。",
                              en: "the proposer \(op.name) cannot decide their own proposal: another admin must.", badInput: true)
        }
        return p
    }

    /// 另一位管理员批准：以提议人的身份执行原操作（审计同时记下批准人）。执行失败则提议标为 failed，原因写进 note。
    @discardableResult
    public func approveProposal(_ id: Int, by op: Operator) async throws -> AdminProposal {
        var p = try pendingProposal(id, by: op)
        guard let proposer = try operators().first(where: { $0.name == p.proposedBy }), proposer.role == .admin else {
            throw EngineError("admin.proposer_gone", zh: "提议人 \(p.proposedBy) 已不是管理员：驳回它并重新提议。", en: "the proposer \(p.proposedBy) is no longer an admin: reject and propose again.", badInput: true)
        }
        p.approvedBy.append(op.name)
        try recordAudit(op, action: "admin.approve", subject: String(id), cli: "admin approve \(id)", via: "cli")
        do {
            try await Self.$executingProposal.withValue(id) { try await execute(p, as: proposer) }
            p.state = .executed
        } catch let e as any WalletErrorConvertible where Self.notNowErrors.contains(e.code) {
            // 现在做不了、提议本身没错（例如引擎在跑、节点暂时不可达）：提议保持待批准，照错误里的建议处理后再 approve。
            logger.warn("admin.approve_deferred", ["id": .int(Int64(id)), "code": .string(e.code)])
            throw e
        } catch {
            p.state = .failed
            p.note = WalletError(error).en
            p.decidedBy = op.name; p.decidedAt = clock.unixTime()
            try updateProposal(p)
            throw error
        }
        p.decidedBy = op.name; p.decidedAt = clock.unixTime()
        try updateProposal(p)
        logger.info("admin.approved", ["id": .int(Int64(id)), "operation": .string(p.operation), "proposer": .string(p.proposedBy), "approver": .string(op.name)])
        return p
    }

    @discardableResult
    public func rejectProposal(_ id: Int, reason: String, by op: Operator) throws -> AdminProposal {
        var p = try pendingProposal(id, by: op)
        p.state = .rejected; p.decidedBy = op.name; p.decidedAt = clock.unixTime(); p.note = reason
        try updateProposal(p)
        try recordAudit(op, action: "admin.reject", subject: String(id), cli: "admin reject \(id) --reason …", via: "cli")
        return p
    }

    /// 执行时遇到这些错误，提议不算失败（以前被标成 failed，只能重新提议）。
    static let notNowErrors: Set<String> = ["signer.engine_running", "signer.chain_unreachable"]

    func execute(_ p: AdminProposal, as proposer: Operator) async throws {
        let v = p.payload
        func s(_ k: String) throws -> String {
            guard let x = v[k] else { throw EngineError("admin.proposal_corrupt", zh: "提议 #\(p.id) 缺少字段 \(k)。", en: "proposal #\(p.id) lacks field \(k).", badInput: false) }
            return x
        }
        guard let operation = EngineOperation(rawValue: p.operation) else {
            throw EngineError("admin.proposal_corrupt", zh: "提议 #\(p.id) 的操作 \(p.operation) 未知。", en: "proposal #\(p.id) has an unknown operation \(p.operation).", badInput: false)
        }
        switch operation {
        case .operatorAdd:
            let cred = try JSONDecoder().decode(Ledger.OperatorCredential.self, from: Data(try s("credential").utf8))
            guard let role = OperatorRole(rawValue: try s("role")) else { throw EngineError("admin.proposal_corrupt", zh: "角色无效。", en: "invalid role.", badInput: false) }
            _ = try gate.with { l in try l.insertOperator(name: try s("name"), role: role, credential: cred, by: proposer) }
        case .assetAdd:
            _ = try await addAsset(symbol: try s("symbol"), contract: v["contract"], decimals: Int(try s("decimals")) ?? -1,
                                   confirmations: Int(try s("confirmations")) ?? -1, minDeposit: v["minDeposit"],
                                   useFinalized: v["useFinalized"] == "true", by: proposer)
        case .assetUpdate:
            let change = AssetChange(confirmations: v["confirmations"].flatMap(Int.init), minDeposit: v["minDeposit"],
                                     useFinalized: v["useFinalized"].map { $0 == "true" })
            _ = try updateAsset(try s("symbol"), change, by: proposer)
        case .assetDisable: _ = try setAssetEnabled(try s("symbol"), false, by: proposer)
        case .assetEnable: _ = try setAssetEnabled(try s("symbol"), true, by: proposer)
        case .depositXpubSet: _ = try setDepositXpub(try s("xpub"), xpubPath: try s("xpubPath"), by: proposer)
        case .allowlistActivate: _ = try allowlistActivate(try s("address"), by: proposer)
        case .coldWalletAdd: _ = try addColdWallet(try s("address"), label: try s("label"), by: proposer)
        case .policySet: try setApprovedPolicy(json: try s("json"), hash: try s("hash"), by: proposer)
        case .signerUse: _ = try await useSigner(keyId: try s("keyId"), allowNewAddress: v["newAddress"] == "true", by: proposer)
        default:
            throw EngineError("admin.proposal_corrupt", zh: "操作 \(p.operation) 不走提议。", en: "operation \(p.operation) is not proposable.", badInput: false)
        }
    }
}
