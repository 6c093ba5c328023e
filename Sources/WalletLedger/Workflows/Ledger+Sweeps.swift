// 归集状态机：planned → topping_up_gas → ready → broadcast → confirmed | deferred | failed。
// 以 (充值地址, nonce) 幂等。分录：补 gas 时热钱包 → 充值地址；广播时充值地址 → 在途；确认时在途 → 热钱包。
import WalletCrypto

extension Ledger {
    func transition(_ s: inout Sweep, from: Set<SweepState>, to: SweepState) throws {
        guard from.contains(s.state) else {
            throw LedgerError.invalidTransition(kind: "归集", id: s.id, from: s.state.rawValue, to: to.rawValue)
        }
        s.state = to
        s.updatedAt = now
    }

    func loadSweep(_ id: Int64) throws -> Sweep {
        guard let s = try store.sweep(id: id) else { throw LedgerError.notFound("归集", String(id)) }
        return s
    }

    /// 规划一笔归集。topup > 0（ERC-20 需要先补 gas）→ topping_up_gas，否则 ready。
    @discardableResult
    public func planSweep(address: String, nonce: Int64, asset: String, amount: UInt256, fee: UInt256, topup: UInt256) throws -> Sweep {
        _ = try self.asset(asset)
        let addr = try addresses.canonical(address.lowercased())
        guard !amount.isZero else { throw LedgerError.amountZero }
        return try store.transaction {
            if let s = try store.sweep(address: addr, nonce: nonce) { return s }
            var s = Sweep(id: 0, address: addr, nonce: nonce, asset: asset, amount: amount, fee: fee, topup: topup,
                          state: .planned, reason: "", txHash: nil, createdAt: now, updatedAt: now)
            s.id = try store.insertSweep(s)
            try transition(&s, from: [.planned], to: topup.isZero ? .ready : .toppingUpGas)
            try store.updateSweep(s)
            try audit("system", "sweep.plan", String(s.id), ["address": addr, "asset": asset, "amount": amount.decimalString,
                                                             "topup": topup.decimalString])
            return s
        }
    }

    /// 补 gas 的交易已上链：热钱包的原生币转到充值地址（补 gas 的手续费由热钱包出）。
    @discardableResult
    public func sweepTopUpConfirmed(id: Int64, topupFee: UInt256 = .zero) throws -> Sweep {
        try store.transaction {
            var s = try loadSweep(id)
            if s.state == .ready { return s }
            try transition(&s, from: [.toppingUpGas], to: .ready)
            try store.updateSweep(s)
            try post("sweep_topup", ref: "sweep:\(s.id)", [
                Posting(AccountRef(.depositAddress, nativeAsset, s.address), .debit, s.topup),
                Posting(AccountRef(.hotWallet, nativeAsset), .credit, s.topup),
            ])
            if !topupFee.isZero { try postFee(topupFee, ref: "sweep:\(s.id)", from: AccountRef(.hotWallet, nativeAsset)) }
            try audit("system", "sweep.topped_up", String(id), [:])
            return s
        }
    }

    @discardableResult
    public func sweepBroadcast(id: Int64, txHash: String) throws -> Sweep {
        try store.transaction {
            var s = try loadSweep(id)
            if s.state == .broadcast { return s }
            try transition(&s, from: [.ready], to: .broadcast)
            s.txHash = txHash.lowercased()
            try store.updateSweep(s)
            try post("sweep_send", ref: "sweep:\(s.id)", [
                Posting(AccountRef(.sweepTransit, s.asset), .debit, s.amount),
                Posting(AccountRef(.depositAddress, s.asset, s.address), .credit, s.amount),
            ])
            try audit("system", "sweep.broadcast", String(id), ["txHash": s.txHash!])
            return s
        }
    }

    @discardableResult
    public func sweepConfirmed(id: Int64, fee: UInt256) throws -> Sweep {
        try store.transaction {
            var s = try loadSweep(id)
            if s.state == .confirmed { return s }
            try transition(&s, from: [.broadcast], to: .confirmed)
            s.fee = fee
            try store.updateSweep(s)
            try post("sweep_settle", ref: "sweep:\(s.id)", [
                Posting(AccountRef(.hotWallet, s.asset), .debit, s.amount),
                Posting(AccountRef(.sweepTransit, s.asset), .credit, s.amount),
            ])
            if !fee.isZero { try postFee(fee, ref: "sweep:\(s.id)", from: AccountRef(.depositAddress, nativeAsset, s.address)) }
            try audit("system", "sweep.confirmed", String(id), ["fee": fee.decimalString])
            return s
        }
    }

    /// 手续费过高等原因暂缓（未广播前）。
    @discardableResult
    public func sweepDefer(id: Int64, reason: String) throws -> Sweep {
        try store.transaction {
            var s = try loadSweep(id)
            if s.state == .deferred { return s }
            try transition(&s, from: [.planned, .toppingUpGas, .ready], to: .deferred)
            s.reason = reason
            try store.updateSweep(s)
            try audit("system", "sweep.deferred", String(id), ["reason": reason])
            return s
        }
    }

    /// 补 gas 交易上链但执行失败：钱没到充值地址，手续费照样从热钱包出——不记这笔，对账会差一笔 gas。归集暂缓。
    @discardableResult
    public func sweepTopUpFailed(id: Int64, topupFee: UInt256, reason: String) throws -> Sweep {
        try store.transaction {
            var s = try loadSweep(id)
            if s.state == .deferred { return s }
            try transition(&s, from: [.toppingUpGas], to: .deferred)
            s.reason = reason
            try store.updateSweep(s)
            if !topupFee.isZero { try postFee(topupFee, ref: "sweep:\(s.id)", from: AccountRef(.hotWallet, nativeAsset)) }
            try audit("system", "sweep.topup_failed", String(id), ["reason": reason, "fee": topupFee.decimalString])
            return s
        }
    }

    /// 已广播的归集在链上失败：在途退回充值地址，手续费照付。
    @discardableResult
    public func sweepFailed(id: Int64, fee: UInt256, reason: String) throws -> Sweep {
        try store.transaction {
            var s = try loadSweep(id)
            if s.state == .failed { return s }
            try transition(&s, from: [.broadcast], to: .failed)
            s.reason = reason; s.fee = fee
            try store.updateSweep(s)
            try post("sweep_revert", ref: "sweep:\(s.id)", [
                Posting(AccountRef(.depositAddress, s.asset, s.address), .debit, s.amount),
                Posting(AccountRef(.sweepTransit, s.asset), .credit, s.amount),
            ])
            if !fee.isZero { try postFee(fee, ref: "sweep:\(s.id)", from: AccountRef(.depositAddress, nativeAsset, s.address)) }
            try store.insertAlert(kind: "sweep.failed", message: "归集 #\(id) 失败：\(reason)", messageEn: "sweep #\(id) failed: \(reason)", at: now)
            try audit("system", "sweep.failed", String(id), ["reason": reason])
            return s
        }
    }

    public func sweeps(state: SweepState? = nil, page: Page = Page()) throws -> [Sweep] { try store.sweeps(state: state, page: page) }
}
