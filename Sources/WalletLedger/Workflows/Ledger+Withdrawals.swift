// 提现状态机：requested → risk_checked → awaiting_approval(k/M) → approved → signed → broadcast → confirmed
// | failed | rejected | expired，以及「可能已广播」的 unknown（只按已存交易哈希查询解决，绝不重新签名）。
import WalletCrypto

public struct WithdrawalRequest: Sendable {
    public var requestID: String
    public var user: String
    public var asset: String
    public var amount: String
    public var to: String
    public init(requestID: String, user: String, asset: String, amount: String, to: String) {
        self.requestID = requestID; self.user = user; self.asset = asset; self.amount = amount; self.to = to
    }
}

extension Ledger {
    static let preSignStates: Set<WithdrawalState> = [.requested, .riskChecked, .awaitingApproval, .approved]

    func requireRole(_ op: Operator, _ roles: Set<OperatorRole>, _ action: String) throws {
        guard roles.contains(op.role) else { throw LedgerError.forbidden(operator: op.name, role: op.role.rawValue, action: action) }
    }

    func transition(_ w: inout Withdrawal, from: Set<WithdrawalState>, to: WithdrawalState) throws {
        guard from.contains(w.state) else {
            throw LedgerError.invalidTransition(kind: "提现", id: w.id, from: w.state.rawValue, to: to.rawValue)
        }
        w.state = to
        w.updatedAt = now
    }

    /// 发起提现：先校验（资产、金额精度、地址校验和、白名单与冷静期、策略、余额），全部通过才在一个事务里冻结资金。
    /// 以 requestID 幂等：同一请求重放返回原记录；同一 ID 不同内容 → duplicateRequest。
    @discardableResult
    public func requestWithdrawal(_ req: WithdrawalRequest, by op: Operator) throws -> Withdrawal {
        try requireRole(op, [.approver, .custodian, .admin], "withdraw request")
        guard !req.requestID.isEmpty, req.requestID.count <= 128 else {
            throw LedgerError.invalidArgument("request-id", "1–128 个字符", en: "1–128 characters")
        }
        guard !req.user.isEmpty, req.user.count <= 128 else { throw LedgerError.invalidArgument("user", "1–128 个字符", en: "1–128 characters") }
        let asset = try self.asset(req.asset)
        guard asset.enabled else { throw LedgerError.assetDisabled(req.asset) }
        let debt = try reorgDebt(user: req.user, asset: asset.symbol)
        guard debt.isZero else { throw LedgerError.reorgDebt(user: req.user, asset: asset.symbol, amount: asset.format(debt)) }
        let amount = try asset.parse(req.amount)
        guard !amount.isZero else { throw LedgerError.amountZero }
        let to = try addresses.canonical(req.to)
        try checkDestination(to)
        return try store.transaction {
            if let existing = try store.withdrawal(requestID: req.requestID) {
                guard existing.user == req.user, existing.asset == asset.symbol, existing.amount == amount, existing.to == to else {
                    throw LedgerError.duplicateRequest(req.requestID)
                }
                return existing
            }
            if policy.allowlistRequired {
                guard let e = try store.allowlistEntry(to), let at = e.activatedAt else { throw LedgerError.notAllowlisted(to) }
                let usable = at + policy.coolingOffSeconds
                guard now >= usable else { throw LedgerError.coolingOff(to, until: usable) }
            }
            let decision = try policy.evaluate(asset: asset, amount: amount, now: now) { isUser, since in
                var total = UInt256.zero
                for a in try store.withdrawalVolume(asset: asset.symbol, user: isUser ? req.user : nil, since: since) {
                    total = try total.checkedAdd(a)
                }
                return total
            }
            guard decision.action == .allow else { throw LedgerError.policyBlocked(rule: decision.rule) }
            let avail = try available(user: req.user, asset: asset.symbol)
            guard avail >= amount else {
                throw LedgerError.insufficientBalance(user: req.user, asset: asset.symbol, available: asset.format(avail),
                                                      requested: asset.format(amount))
            }
            var w = Withdrawal(id: 0, requestID: req.requestID, user: req.user, asset: asset.symbol, amount: amount, to: to,
                               state: .requested, requestedBy: op.name, rule: decision.rule,
                               approvalsRequired: decision.approvals, approvals: [], reason: "", nonce: nil, fromAddress: nil,
                               rawTx: nil, txHash: nil, fee: nil, createdAt: now, updatedAt: now,
                               expiresAt: now + policy.requestExpirySeconds)
            w.id = try store.insertWithdrawal(w)
            try post("withdrawal_freeze", ref: "withdrawal:\(w.id)", [
                Posting(AccountRef(.userAvailable, w.asset, w.user), .debit, amount),
                Posting(AccountRef(.userFrozen, w.asset, w.user), .credit, amount),
            ])
            try audit(op.name, "withdraw.request", String(w.id), [
                "requestId": w.requestID, "user": w.user, "asset": w.asset, "amount": asset.format(amount), "to": to,
                "rule": decision.rule, "approvalsRequired": String(decision.approvals),
                "cli": ShellWords.join(["withdraw", "request", "--request-id", w.requestID, "--user", w.user, "--asset", w.asset,
                                        "--amount", asset.format(amount), "--to", to, "--operator", op.name]),
            ])
            try transition(&w, from: [.requested], to: .riskChecked)
            try transition(&w, from: [.riskChecked], to: decision.approvals == 0 ? .approved : .awaitingApproval)
            try store.updateWithdrawal(w)
            return w
        }
    }

    func loadWithdrawal(_ id: Int64) throws -> Withdrawal {
        guard let w = try store.withdrawal(id: id) else { throw LedgerError.notFound("提现", String(id)) }
        return w
    }

    public func withdrawal(id: Int64) throws -> Withdrawal { try loadWithdrawal(id) }
    public func withdrawal(requestID: String) throws -> Withdrawal {
        guard let w = try store.withdrawal(requestID: requestID) else { throw LedgerError.notFound("提现请求", requestID) }
        return w
    }

    /// 审批：审批人/管理员；发起人不能批自己；同一人只算一次；过期审批不计数。够数即 approved。
    @discardableResult
    public func approve(withdrawalID id: Int64, by op: Operator) throws -> Withdrawal {
        try requireRole(op, [.approver, .admin], "withdraw approve")
        return try store.transaction {
            var w = try loadWithdrawal(id)
            guard w.state == .awaitingApproval else {
                throw LedgerError.invalidTransition(kind: "提现", id: id, from: w.state.rawValue, to: "approved")
            }
            guard now < w.expiresAt else { throw LedgerError.invalidTransition(kind: "提现", id: id, from: "expired", to: "approved") }
            guard op.name != w.requestedBy else { throw LedgerError.selfApproval(op.name) }
            let debt = try reorgDebt(user: w.user, asset: w.asset)
            guard debt.isZero else { throw LedgerError.reorgDebt(user: w.user, asset: w.asset, amount: try asset(w.asset).format(debt)) }
            guard !w.approvals.contains(where: { $0.operatorName == op.name && $0.expiresAt > now }) else {
                throw LedgerError.duplicateApproval(op.name)
            }
            // 同一人的过期审批：用新的一条替换（主键是 (提现, 操作员)）。
            let a = Approval(operatorName: op.name, createdAt: now, expiresAt: now + policy.approvalExpirySeconds)
            try store.insertApproval(withdrawalID: id, a)
            w.approvals.removeAll { $0.operatorName == op.name }
            w.approvals.append(a)
            let valid = Set(w.approvals.filter { $0.expiresAt > now }.map(\.operatorName))
            if valid.count >= w.approvalsRequired { try transition(&w, from: [.awaitingApproval], to: .approved) }
            w.updatedAt = now
            try store.updateWithdrawal(w)
            try audit(op.name, "withdraw.approve", String(id), [
                "approvals": "\(valid.count)/\(w.approvalsRequired)", "state": w.state.rawValue, "cli": ShellWords.join(["withdraw", "approve", String(id), "--operator", op.name]),
            ])
            return w
        }
    }

    func unfreeze(_ w: Withdrawal, kind: String) throws {
        try post(kind, ref: "withdrawal:\(w.id)", [
            Posting(AccountRef(.userFrozen, w.asset, w.user), .debit, w.amount),
            Posting(AccountRef(.userAvailable, w.asset, w.user), .credit, w.amount),
        ])
    }

    @discardableResult
    public func reject(withdrawalID id: Int64, reason: String, by op: Operator) throws -> Withdrawal {
        try requireRole(op, [.approver, .admin], "withdraw reject")
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw LedgerError.invalidArgument("reason", "拒绝必须写明原因", en: "a rejection needs a reason") }
        return try store.transaction {
            var w = try loadWithdrawal(id)
            // 已分配 nonce 的提现不能再拒绝：那个 nonce 必须被用掉，否则后面的交易全部卡住（由执行器签发或以失败结束）。
            guard w.nonce == nil else { throw LedgerError.invalidTransition(kind: "提现", id: id, from: "approved(nonce \(w.nonce!))", to: "rejected") }
            try transition(&w, from: Self.preSignStates, to: .rejected)
            w.reason = reason
            try store.updateWithdrawal(w)
            try unfreeze(w, kind: "withdrawal_unfreeze")
            try audit(op.name, "withdraw.reject", String(id), ["reason": reason, "cli": ShellWords.join(["withdraw", "reject", String(id), "--reason", reason, "--operator", op.name])])
            return w
        }
    }

    /// 把到期未处理（签名前、尚未分配 nonce）的提现置为 expired 并解冻。返回处理数量。定时任务调用。
    @discardableResult
    public func expireDue(limit: Int = 500) throws -> Int {
        try store.transaction {
            let due = try store.expirable(before: now, limit: limit)
            for var w in due {
                try transition(&w, from: Self.preSignStates, to: .expired)
                try store.updateWithdrawal(w)
                try unfreeze(w, kind: "withdrawal_unfreeze")
                try audit("system", "withdraw.expire", String(w.id), [:])
            }
            return due.count
        }
    }

    /// 为已批准的提现分配 nonce（持久化；重复调用返回同一个）。签名在事务外进行，签完调用 recordSigned。
    public func reserveNonce(withdrawalID id: Int64, from: String) throws -> Int64 {
        let from = try addresses.canonical(from.lowercased())
        return try store.transaction {
            var w = try loadWithdrawal(id)
            if let n = w.nonce { return n }
            guard w.state == .approved else { throw LedgerError.invalidTransition(kind: "提现", id: id, from: w.state.rawValue, to: "signing") }
            let n = try store.allocateNonce(from: from)
            w.nonce = n; w.fromAddress = from; w.updatedAt = now
            try store.updateWithdrawal(w)
            try audit("system", "withdraw.nonce", String(id), ["from": from, "nonce": String(n)])
            return n
        }
    }

    /// 保存签名后的原始交易与哈希（广播之前）。已签过：相同哈希则幂等返回，不同哈希 → alreadySigned（禁止一个 nonce 两笔交易）。
    @discardableResult
    public func recordSigned(withdrawalID id: Int64, rawTx: [UInt8], txHash: String) throws -> Withdrawal {
        try store.transaction {
            var w = try loadWithdrawal(id)
            if let h = w.txHash {
                guard h == txHash.lowercased() else { throw LedgerError.alreadySigned(id) }
                return w
            }
            guard w.nonce != nil else { throw LedgerError.invalidTransition(kind: "提现", id: id, from: w.state.rawValue, to: "signed") }
            try transition(&w, from: [.approved], to: .signed)
            w.rawTx = rawTx; w.txHash = txHash.lowercased()
            try store.updateWithdrawal(w)
            try audit("system", "withdraw.signed", String(id), ["txHash": w.txHash!, "nonce": String(w.nonce!)])
            return w
        }
    }

    /// 广播前调用：signed → unknown 并提交。此后进程若崩溃，重启看到 unknown 就去链上查已存哈希。
    @discardableResult
    public func beginBroadcast(withdrawalID id: Int64) throws -> Withdrawal {
        try store.transaction {
            var w = try loadWithdrawal(id)
            if w.state == .unknown { return w }
            try transition(&w, from: [.signed], to: .unknown)
            try store.updateWithdrawal(w)
            return w
        }
    }

    /// 节点确认收到（或链上查到）该哈希：unknown/signed → broadcast。
    @discardableResult
    public func markBroadcast(withdrawalID id: Int64) throws -> Withdrawal {
        try store.transaction {
            var w = try loadWithdrawal(id)
            if w.state == .broadcast { return w }
            try transition(&w, from: [.unknown, .signed], to: .broadcast)
            try store.updateWithdrawal(w)
            try audit("system", "withdraw.broadcast", String(id), ["txHash": w.txHash ?? ""])
            return w
        }
    }

    /// 解决 unknown：链上/内存池找到已存哈希 → broadcast；找不到 → 回到 signed，用「同一份」原始字节重新广播。
    @discardableResult
    public func resolveUnknown(withdrawalID id: Int64, foundOnChain: Bool) throws -> Withdrawal {
        try store.transaction {
            var w = try loadWithdrawal(id)
            guard w.state == .unknown else { return w }
            try transition(&w, from: [.unknown], to: foundOnChain ? .broadcast : .signed)
            try store.updateWithdrawal(w)
            try audit("system", "withdraw.resolve_unknown", String(id), ["found": String(foundOnChain)])
            return w
        }
    }

    /// 拒绝把钱发往我们自己（热钱包、充值地址）或任何已登记资产的合约地址。
    func checkDestination(_ to: String) throws {
        let t = to.lowercased()
        if let hot = try store.setting(Settings.hotWallet), hot.lowercased() == t { throw LedgerError.forbiddenDestination(address: to, kind: .hotWallet) }
        if try store.depositAddress(address: t) != nil { throw LedgerError.forbiddenDestination(address: to, kind: .depositAddress) }
        if try store.allAssets().contains(where: { $0.contract?.lowercased() == t }) { throw LedgerError.forbiddenDestination(address: to, kind: .tokenContract) }
    }

    /// 撤销一笔尚未签名的提现（重组撤销了支撑它的充值）：解冻、标记失败、告警。已签名的不在此列（nonce 已占用）。
    func cancelUnsigned(_ id: Int64, depositID: Int64) throws {
        var w = try loadWithdrawal(id)
        guard w.nonce == nil else { return }
        try transition(&w, from: [.requested, .riskChecked, .awaitingApproval, .approved], to: .failed)
        w.reason = "reorg:deposit#\(depositID)"   // 与语言无关的原因码（界面按语言解释）
        try store.updateWithdrawal(w)
        try unfreeze(w, kind: "withdrawal_unfreeze")
        try store.insertAlert(kind: "withdraw.cancelled", message: "提现 #\(id) 已撤销：支撑它的充值 #\(depositID) 因重组被撤销",
                              messageEn: "withdrawal #\(id) cancelled: deposit #\(depositID) backing it was reversed by a reorg", at: now)
        try audit("system", "withdraw.cancelled", String(id), ["reason": w.reason, "deposit": String(depositID)])
    }

    /// 链上成功：冻结 → 热钱包转出；手续费计入费用（原生币）。
    @discardableResult
    public func markConfirmed(withdrawalID id: Int64, fee: UInt256) throws -> Withdrawal {
        try store.transaction {
            var w = try loadWithdrawal(id)
            if w.state == .confirmed { return w }
            try transition(&w, from: [.broadcast, .unknown], to: .confirmed)
            w.fee = fee
            try store.updateWithdrawal(w)
            try post("withdrawal_settle", ref: "withdrawal:\(w.id)", [
                Posting(AccountRef(.userFrozen, w.asset, w.user), .debit, w.amount),
                Posting(AccountRef(.hotWallet, w.asset), .credit, w.amount),
            ])
            if !fee.isZero { try postFee(fee, ref: "withdrawal:\(w.id)", from: AccountRef(.hotWallet, nativeAsset)) }
            try audit("system", "withdraw.confirmed", String(id), ["fee": fee.decimalString])
            return w
        }
    }

    /// 失败（链上回滚或放弃）：解冻；若已上链失败则手续费照付。
    @discardableResult
    public func markFailed(withdrawalID id: Int64, fee: UInt256 = .zero, reason: String) throws -> Withdrawal {
        try store.transaction {
            var w = try loadWithdrawal(id)
            if w.state == .failed { return w }
            try transition(&w, from: [.approved, .signed, .broadcast, .unknown], to: .failed)
            w.fee = fee; w.reason = reason
            try store.updateWithdrawal(w)
            try unfreeze(w, kind: "withdrawal_unfreeze")
            if !fee.isZero { try postFee(fee, ref: "withdrawal:\(w.id)", from: AccountRef(.hotWallet, nativeAsset)) }
            try store.insertAlert(kind: "withdraw.failed", message: "提现 #\(id) 失败：\(reason)", messageEn: "withdrawal #\(id) failed: \(reason)", at: now)
            try audit("system", "withdraw.failed", String(id), ["reason": reason, "fee": fee.decimalString])
            return w
        }
    }

    /// 我方交易被重组掉、用原字节重发后在另一个块上链：EIP-1559 的实付手续费按那个块的基础费算，与记过的不同。
    /// 补一条差额分录（多付：手续费支出 ↑、热钱包 ↓；少付：反过来），按（ref, 新块哈希）幂等；提现的 fee 字段改成实付。
    @discardableResult
    public func adjustNetworkFee(ref: String, booked: UInt256, actual: UInt256, tag: String, withdrawalID: Int64? = nil) throws -> Bool {
        guard booked != actual else { return false }
        return try store.transaction {
            let key = "\(ref)@\(tag)"
            if try store.entryCount(kind: "network_fee_adjust", ref: key) > 0 { return false }
            try postFeeAdjustment(booked: booked, actual: actual, ref: key, payer: AccountRef(.hotWallet, nativeAsset))
            if let id = withdrawalID {
                var w = try loadWithdrawal(id)
                w.fee = actual
                try store.updateWithdrawal(w)
            }
            try audit("system", "fee.adjusted", ref, ["booked": booked.decimalString, "actual": actual.decimalString, "block": tag])
            return true
        }
    }

    /// 重组后重新上链、实付手续费与记过的不同：差额记在付款账户（热钱包或充值地址）与手续费支出之间。提现与归集共用。
    func postFeeAdjustment(booked: UInt256, actual: UInt256, ref: String, payer: AccountRef) throws {
        guard booked != actual else { return }
        let expense = AccountRef(.feeExpense, payer.asset)
        let more = actual > booked
        let delta = more ? actual - booked : booked - actual
        _ = try post("network_fee_adjust", ref: ref, memo: "reorg", [
            Posting(more ? expense : payer, .debit, delta),
            Posting(more ? payer : expense, .credit, delta),
        ])
    }

    func postFee(_ fee: UInt256, ref: String, from: AccountRef) throws {
        try post("network_fee", ref: ref, [
            Posting(AccountRef(.feeExpense, from.asset), .debit, fee),
            Posting(from, .credit, fee),
        ])
    }

    public func withdrawals(_ f: WithdrawalFilter = WithdrawalFilter(), page: Page = Page()) throws -> [Withdrawal] {
        try store.withdrawals(f, page: page)
    }
    public func withdrawalCount(_ f: WithdrawalFilter = WithdrawalFilter()) throws -> Int { try store.withdrawalCount(f) }

    // MARK: 白名单

    /// 加入白名单（审批人/管理员）；需管理员激活，激活后再经冷静期才可用。
    public func allowlistAdd(_ address: String, by op: Operator) throws -> AllowlistEntry {
        try requireRole(op, [.approver, .admin], "allowlist add")
        let a = try addresses.canonical(address)
        try checkDestination(a)   // 自己的热钱包/充值地址/代币合约不能进白名单
        return try store.transaction {
            if let e = try store.allowlistEntry(a) { return e }
            let e = AllowlistEntry(address: a, addedBy: op.name, addedAt: now, activatedBy: nil, activatedAt: nil)
            try store.upsertAllowlist(e)
            try audit(op.name, "allowlist.add", a, [:])
            return e
        }
    }

    public func allowlistActivate(_ address: String, by op: Operator) throws -> AllowlistEntry {
        try requireRole(op, [.admin], "allowlist activate")
        let a = try addresses.canonical(address)
        return try store.transaction {
            guard var e = try store.allowlistEntry(a) else { throw LedgerError.notFound("白名单地址", a) }
            if e.activatedAt != nil { return e }
            guard e.addedBy != op.name else { throw LedgerError.allowlistSelfActivation(op.name) }
            e.activatedBy = op.name; e.activatedAt = now
            try store.upsertAllowlist(e)
            try audit(op.name, "allowlist.activate", a, ["usableFrom": String(now + policy.coolingOffSeconds)])
            return e
        }
    }

    public func allowlist(page: Page = Page()) throws -> [AllowlistEntry] { try store.allowlist(page: page) }

    /// 控制台详情用：目标地址的白名单状态（首次加入时间、激活人、可用时间）。
    public func allowlistEntry(_ address: String) throws -> AllowlistEntry? {
        try store.allowlistEntry(try addresses.canonical(address.lowercased()))
    }

    /// 控制台详情用：某提现所命中规则的速率窗口已用额度（不含该提现自身之外的已拒绝/过期/失败）。
    public func velocityUsage(_ w: Withdrawal) throws -> (perUser: UInt256?, global: UInt256?) {
        guard let rule = policy.rules.first(where: { $0.name == w.rule }) else { return (nil, nil) }
        func sum(_ user: String?, _ v: VelocityLimit?) throws -> UInt256? {
            guard let v else { return nil }
            var t = UInt256.zero
            for a in try store.withdrawalVolume(asset: w.asset, user: user, since: now - v.windowSeconds) { t = try t.checkedAdd(a) }
            return t
        }
        return (try sum(w.user, rule.perUser), try sum(nil, rule.global))
    }
}
