// 充值状态机：seen → confirming(n/N) → credited；入账前重组 → orphaned；入账后重组 → reversed（补偿分录 + 告警）。
import WalletCrypto

/// 链上观察到的一笔转入（扫描器产出）。
public struct DepositObservation: Sendable {
    public var txHash: String
    public var logIndex: Int
    public var address: String
    public var asset: String
    public var amount: UInt256
    public var blockNumber: Int64
    public var blockHash: String
    public init(txHash: String, logIndex: Int, address: String, asset: String, amount: UInt256, blockNumber: Int64, blockHash: String) {
        self.txHash = txHash; self.logIndex = logIndex; self.address = address; self.asset = asset
        self.amount = amount; self.blockNumber = blockNumber; self.blockHash = blockHash
    }
}

extension Ledger {
    /// 记录一笔充值。以 (chain, txHash, logIndex) 幂等：重放返回已有记录、不改任何东西。
    @discardableResult
    public func observeDeposit(_ o: DepositObservation) throws -> Deposit {
        let asset = try self.asset(o.asset)
        let txHash = o.txHash.lowercased()
        let address = try addresses.canonical(o.address.lowercased())
        return try userTransaction(user: { try store.depositAddress(address: address)?.user }) {
            if var d = try store.deposit(chain: chain, txHash: txHash, logIndex: o.logIndex) {
                // 被孤立的充值在新分支上重新出块：回到 seen，重新计确认。
                if d.state == .orphaned || d.state == .reversed {
                    // 被孤立/被撤销的充值在新分支上重新出块：重新计确认（撤销过的会在入账时再记一条平衡的入账分录）。
                    // 粉尘重新出块仍是粉尘（重新记入待处理），绝不因重新出块而变成可入账。
                    let dust = d.amount < asset.minDeposit || d.amount.isZero
                    d.state = dust ? .dust : .seen; d.blockNumber = o.blockNumber; d.blockHash = o.blockHash
                    d.confirmations = 0; d.updatedAt = now
                    try store.updateDeposit(d)
                    if dust { try bookDust(d) }
                    try audit("system", "deposit.reincluded", String(d.id), ["block": String(o.blockNumber)])
                }
                return d
            }
            guard let owner = try store.depositAddress(address: address) else {
                throw LedgerError.notFound("充值地址", address)
            }
            let dust = o.amount < asset.minDeposit || o.amount.isZero
            var d = Deposit(id: 0, chain: chain, txHash: txHash, logIndex: o.logIndex, asset: asset.symbol, amount: o.amount,
                            address: address, user: owner.user, blockNumber: o.blockNumber, blockHash: o.blockHash,
                            confirmations: 0, required: asset.requiredConfirmations(for: o.amount),
                            state: dust ? .dust : .seen, creditEntry: nil, reversalEntry: nil, createdAt: now, updatedAt: now)
            d.id = try store.insertDeposit(d)
            if dust { try bookDust(d) }
            try audit("system", dust ? "deposit.dust" : "deposit.seen", String(d.id),
                      ["asset": d.asset, "amount": d.amount.decimalString, "tx": txHash, "log": String(o.logIndex)])
            return d
        }
    }

    /// 更新确认数；达到要求（或链已 finalized 且资产按 finalized 入账）即入账。可重复调用。
    /// user：调用方已知的充值所属用户（入账循环手里有整行）——省掉事务前为定分片而读的一次；事务里核对，不符（不可能：用户不可改）就不写。
    @discardableResult
    public func updateConfirmations(depositID: Int64, confirmations: Int, finalized: Bool = false, user hint: String? = nil) throws -> Deposit {
        try userTransaction(user: { try hint ?? store.deposit(id: depositID)?.user }) {
            guard var d = try store.deposit(id: depositID) else { throw LedgerError.notFound("充值", String(depositID)) }
            if let hint, hint != d.user {
                throw LedgerError.bug("充值 \(depositID) 属于 \(d.user)，调用方给的是 \(hint)：拿错了分片锁，不写 / deposit \(depositID) belongs to \(d.user), the caller said \(hint): wrong shard lock, not written")
            }
            guard d.state == .seen || d.state == .confirming else { return d }
            let asset = try self.asset(d.asset)
            d.confirmations = max(0, confirmations)
            d.updatedAt = now
            let done = asset.useFinalized ? finalized : d.confirmations >= d.required
            if done {
                // 先还该用户因重组欠下的（同一笔交易被撤销后又重新出块的典型情形），剩余记入可用。
                let debt = try reorgDebt(user: d.user, asset: d.asset)
                let repay = min(debt, d.amount)
                d.creditEntry = try post("deposit_credit", ref: "deposit:\(d.id)", [
                    Posting(AccountRef(.depositAddress, d.asset, d.address), .debit, d.amount),
                    Posting(AccountRef(.reorgSuspense, d.asset, d.user), .credit, repay),
                    Posting(AccountRef(.userAvailable, d.asset, d.user), .credit, d.amount - repay),
                ])
                d.state = .credited
                try store.updateDeposit(d)
                try audit("system", "deposit.credit", String(d.id), ["user": d.user, "asset": d.asset, "amount": d.amount.decimalString])
            } else {
                d.state = .confirming
                try store.updateDeposit(d)
            }
            return d
        }
    }

    /// 充值所在区块被重组掉。入账前 → orphaned；入账后 → reversed（补偿分录：先扣用户可用，不足部分记入重组待追回）+ 告警。
    @discardableResult
    public func orphanDeposit(id: Int64) throws -> Deposit {
        try store.transaction {
            guard var d = try store.deposit(id: id) else { throw LedgerError.notFound("充值", String(id)) }
            switch d.state {
            case .seen, .confirming, .dust:
                if d.state == .dust, !d.amount.isZero {
                    try post("deposit_dust_reversal", ref: "deposit:\(d.id)", memo: "reorg", [
                        Posting(AccountRef(.suspense, d.asset, "dust"), .debit, d.amount),
                        Posting(AccountRef(.depositAddress, d.asset, d.address), .credit, d.amount),
                    ])
                }
                d.state = .orphaned
                d.updatedAt = now
                try store.updateDeposit(d)
                try audit("system", "deposit.orphaned", String(d.id), ["tx": d.txHash])
            case .credited:
                // 先扣用户可用；不够时撤销该用户这种资产尚未签名的提现（解冻后再扣）——被撤销的充值不能继续支撑一笔出账；
                // 仍不够（提现已签名/已广播）的部分记入该用户名下的重组待追回，并拒绝该用户后续提现直到追回。
                var avail = try available(user: d.user, asset: d.asset)
                var cancelled: [Int64] = []
                if avail < d.amount {
                    let open = try store.withdrawals(WithdrawalFilter(user: d.user, asset: d.asset), page: Page(limit: 1000))
                        .filter { [.requested, .riskChecked, .awaitingApproval, .approved].contains($0.state) && $0.nonce == nil }
                    for w in open.sorted(by: { $0.id > $1.id }) where avail < d.amount {
                        try cancelUnsigned(w.id, depositID: d.id)
                        cancelled.append(w.id)
                        avail = try available(user: d.user, asset: d.asset)
                    }
                }
                let fromUser = min(avail, d.amount)
                let shortfall = d.amount - fromUser
                d.reversalEntry = try post("deposit_reversal", ref: "deposit:\(d.id)", memo: "reorg", [
                    Posting(AccountRef(.userAvailable, d.asset, d.user), .debit, fromUser),
                    Posting(AccountRef(.reorgSuspense, d.asset, d.user), .debit, shortfall),
                    Posting(AccountRef(.depositAddress, d.asset, d.address), .credit, d.amount),
                ])
                d.state = .reversed
                d.updatedAt = now
                try store.updateDeposit(d)
                let cancelNote = cancelled.isEmpty ? "" : "；已撤销未签名提现 \(cancelled.map { "#\($0)" }.joined(separator: ","))"
                // 金额用显示单位带资产名（QA：以前「ETH 500000000000000000」、「待追回 0」没有单位）。
                let unit = try asset(d.asset)
                let shown = "\(unit.format(d.amount)) \(d.asset)", owed = "\(unit.format(shortfall)) \(d.asset)"
                try store.insertAlert(kind: "deposit.reversed",
                                      message: "已入账充值 #\(d.id)（\(shown)，用户 \(d.user)）因重组被撤销；" + (shortfall.isZero ? "已从可用余额扣回，无待追回" : "待追回 \(owed)") + cancelNote,
                                      messageEn: "credited deposit #\(d.id) (\(shown), user \(d.user)) reversed by a reorg; " + (shortfall.isZero ? "taken back from the available balance, nothing to recover" : "to recover \(owed)")
                                          + (cancelled.isEmpty ? "" : "; cancelled unsigned withdrawals \(cancelled.map { "#\($0)" }.joined(separator: ","))"),
                                      at: now)
                try audit("system", "deposit.reversed", String(d.id), ["shortfall": shortfall.decimalString, "tx": d.txHash,
                                                                       "cancelled": cancelled.map(String.init).joined(separator: ",")])
            case .orphaned, .reversed:
                break
            }
            return d
        }
    }

    /// 重组：高度 ≥ fromBlock 的区块被孤立，撤销它们产生的全部充值（一个事务）。返回受影响的充值。
    @discardableResult
    public func orphanDeposits(fromBlock: Int64) throws -> [Deposit] {
        try store.transaction {
            try store.depositIDs(chain: chain, fromBlock: fromBlock, states: [.seen, .confirming, .credited, .dust])
                .map { try orphanDeposit(id: $0) }
        }
    }

    /// 粉尘（低于最小入账额）：钱确实到了充值地址，但不记给用户——记入待处理负债（suspense），账与链仍相等，归集也不会把账扣成负数。
    func bookDust(_ d: Deposit) throws {
        guard !d.amount.isZero else { return }
        try post("deposit_dust", ref: "deposit:\(d.id)", [
            Posting(AccountRef(.depositAddress, d.asset, d.address), .debit, d.amount),
            Posting(AccountRef(.suspense, d.asset, "dust"), .credit, d.amount),
        ])
    }

    /// 用户因重组欠下、尚未追回的金额（> 0 时拒绝该用户该资产的新提现与审批）。
    public func reorgDebt(user: String, asset: String) throws -> UInt256 {
        let b = try balance(AccountRef(.reorgSuspense, asset, user))
        return b.negative ? .zero : b.magnitude
    }

    /// 重组：这些区块（按哈希）被孤立，撤销其中的全部充值（一个事务）。按哈希精确选择——包括重新出块后落在这些块里的充值。
    @discardableResult
    public func orphanDeposits(inBlocks hashes: [String]) throws -> [Deposit] {
        try store.transaction {
            try store.depositIDs(chain: chain, blockHashes: hashes).map { try orphanDeposit(id: $0) }
                .filter { $0.state == .orphaned || $0.state == .reversed }
        }
    }

    public func deposits(_ f: DepositFilter = DepositFilter(), page: Page = Page()) throws -> [Deposit] { try store.deposits(f, page: page) }
    public func depositCount(_ f: DepositFilter = DepositFilter()) throws -> Int { try store.depositCount(f) }
}
