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

    /// 已按上链记过账（confirmed / failed）的归集被重组拿掉、用原字节重新上链之后：结果或手续费与记过的不同就改账。
    /// 结果变了（例如充值也被重组撤销，代币转账这次回滚）：金额在热钱包与充值地址之间挪回去、状态跟着改；手续费差额记在
    /// 充值地址（它付的 gas）与手续费支出之间。按「归集 + 新块哈希」幂等。返回是否改了账。
    @discardableResult
    public func sweepRebooked(id: Int64, succeeded: Bool, fee: UInt256, tag: String) throws -> Bool {
        try store.transaction {
            var s = try loadSweep(id)
            guard s.state == .confirmed || s.state == .failed else {
                throw LedgerError.invalidTransition(kind: "归集", id: s.id, from: s.state.rawValue, to: succeeded ? "confirmed" : "failed")
            }
            let ref = "sweep:\(id)@\(tag)"
            if try store.entryCount(kind: "sweep_rebook", ref: ref) + store.entryCount(kind: "network_fee_adjust", ref: ref) > 0 { return false }
            var changed = false
            if (s.state == .confirmed) != succeeded {
                let dep = AccountRef(.depositAddress, s.asset, s.address), hot = AccountRef(.hotWallet, s.asset)
                try post("sweep_rebook", ref: ref, memo: "reorg", [
                    Posting(succeeded ? hot : dep, .debit, s.amount),
                    Posting(succeeded ? dep : hot, .credit, s.amount),
                ])
                s.state = succeeded ? .confirmed : .failed
                s.reason = succeeded ? "" : "重组后用原字节重新上链，链上执行失败"
                changed = true
            }
            if s.fee != fee {
                try postFeeAdjustment(booked: s.fee, actual: fee, ref: ref, payer: AccountRef(.depositAddress, nativeAsset, s.address))
                changed = true
            }
            guard changed else { return false }
            let bookedFee = s.fee
            s.fee = fee
            s.updatedAt = now
            try store.updateSweep(s)
            try audit("system", "sweep.rebooked", String(id), ["state": s.state.rawValue, "fee": fee.decimalString,
                                                               "bookedFee": bookedFee.decimalString, "block": tag])
            return true
        }
    }

    public func sweeps(state: SweepState? = nil, page: Page = Page()) throws -> [Sweep] { try store.sweeps(state: state, page: page) }
}
