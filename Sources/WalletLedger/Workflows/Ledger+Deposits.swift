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
        return try store.transaction {
            if var d = try store.deposit(chain: chain, txHash: txHash, logIndex: o.logIndex) {
                // 被孤立的充值在新分支上重新出块：回到 seen，重新计确认。
                if d.state == .orphaned {
                    d.state = .seen; d.blockNumber = o.blockNumber; d.blockHash = o.blockHash
                    d.confirmations = 0; d.updatedAt = now
                    try store.updateDeposit(d)
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
            try audit("system", dust ? "deposit.dust" : "deposit.seen", String(d.id),
                      ["asset": d.asset, "amount": d.amount.decimalString, "tx": txHash, "log": String(o.logIndex)])
            return d
        }
    }

    /// 更新确认数；达到要求（或链已 finalized 且资产按 finalized 入账）即入账。可重复调用。
    @discardableResult
    public func updateConfirmations(depositID: Int64, confirmations: Int, finalized: Bool = false) throws -> Deposit {
        try store.transaction {
            guard var d = try store.deposit(id: depositID) else { throw LedgerError.notFound("充值", String(depositID)) }
            guard d.state == .seen || d.state == .confirming else { return d }
            let asset = try self.asset(d.asset)
            d.confirmations = max(0, confirmations)
            d.updatedAt = now
            let done = asset.useFinalized ? finalized : d.confirmations >= d.required
            if done {
                d.creditEntry = try post("deposit_credit", ref: "deposit:\(d.id)", [
                    Posting(AccountRef(.depositAddress, d.asset, d.address), .debit, d.amount),
                    Posting(AccountRef(.userAvailable, d.asset, d.user), .credit, d.amount),
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
                d.state = .orphaned
                d.updatedAt = now
                try store.updateDeposit(d)
                try audit("system", "deposit.orphaned", String(d.id), ["tx": d.txHash])
            case .credited:
                let avail = try available(user: d.user, asset: d.asset)
                let fromUser = min(avail, d.amount)
                let shortfall = d.amount - fromUser
                d.reversalEntry = try post("deposit_reversal", ref: "deposit:\(d.id)", memo: "reorg", [
                    Posting(AccountRef(.userAvailable, d.asset, d.user), .debit, fromUser),
                    Posting(AccountRef(.reorgSuspense, d.asset), .debit, shortfall),
                    Posting(AccountRef(.depositAddress, d.asset, d.address), .credit, d.amount),
                ])
                d.state = .reversed
                d.updatedAt = now
                try store.updateDeposit(d)
                try store.insertAlert(kind: "deposit.reversed",
                                      message: "已入账充值 #\(d.id)（\(d.asset) \(d.amount.decimalString)，用户 \(d.user)）因重组被撤销；待追回 \(shortfall.decimalString)",
                                      at: now)
                try audit("system", "deposit.reversed", String(d.id), ["shortfall": shortfall.decimalString, "tx": d.txHash])
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

    public func deposits(_ f: DepositFilter = DepositFilter(), page: Page = Page()) throws -> [Deposit] { try store.deposits(f, page: page) }
    public func depositCount(_ f: DepositFilter = DepositFilter()) throws -> Int { try store.depositCount(f) }
}
