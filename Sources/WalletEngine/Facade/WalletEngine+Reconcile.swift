// 对账（rosetta-cli check:data 的思路）：钉在一个区块号 N 上，逐个比较「账本余额 ± 在途」与「链上余额 @N」。
// 在途显式列出：已上链但账本要等确认数才记的我方交易（提现、补 gas、归集）、尚未入账的充值——
// 它们让账与链在短时间内合法地不同；把它们算进去后仍不同的，才是真正的差异（告警 + 指标 + 退出码 1）。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

public struct ReconcileMismatch: Sendable {
    public var account: String
    public var address: String
    public var asset: String
    /// 账本余额 ± 在途（基本单位，带符号的十进制）。
    public var ledger: String
    public var chain: String
}

public struct InFlightItem: Sendable {
    public var kind: String      // withdrawal | topup | sweep | deposit
    public var ref: Int64
    public var txHash: String
    /// 已在 ≤ N 的区块上链（账本尚未记）。
    public var mined: Bool
}

public struct ReconcileReport: Sendable {
    public var ok: Bool
    public var block: UInt64
    public var checked: Int
    public var mismatches: [ReconcileMismatch]
    public var inFlight: [InFlightItem]
    /// 扫块器扫到的高度（没扫过为 nil）。低于 block 时，这几块里的外来入账账上还没有，差异可能是假的。
    public var scanned: UInt64?
    public var scannerBehind: Bool { scanned.map { $0 < block } ?? false }
}

/// 每个（地址, 资产）的预期调整：expected = 账本 + add − sub。全用非负整数，不做有符号运算。
private struct Adjust {
    var add = UInt256.zero, sub = UInt256.zero
}

extension WalletEngine {
    /// 入队一次对账给运行中的引擎（授权在这里）。
    public func requestReconcile(by op: Operator) throws -> Job {
        try authorize(op, .reconcileEnqueue)
        try recordAudit(op, action: "reconcile.enqueue", subject: "", cli: "ledger reconcile --enqueue", via: "cli")
        return try enqueue(.reconcile)
    }

    /// 跑一轮对账。record = true 时写 reconciliations、差异写告警（同一事务）、更新指标——引擎的定时任务用它；
    /// `ledger reconcile` 也用它（同一条路径）。
    /// head：调用方刚读过的链头（定时对账先看扫块器是否跟上时已经问过一次，不再问第二次）。
    public func reconcile(record: Bool, head: UInt64? = nil) async throws -> ReconcileReport {
        let n: UInt64
        if let head { n = head } else { n = try await client.blockNumber() }
        let hot = hotAddress
        let native = nativeSymbol
        let targets = try gate.with { l in try l.reconciliationTargets(hotWalletAddress: hot) }
        var adj: [String: Adjust] = [:]
        func key(_ addr: String, _ asset: String) -> String { "\(addr.lowercased())|\(asset)" }
        func add(_ addr: String, _ asset: String, _ v: UInt256) throws { var a = adj[key(addr, asset)] ?? Adjust(); a.add = try a.add.checkedAdd(v); adj[key(addr, asset)] = a }
        func sub(_ addr: String, _ asset: String, _ v: UInt256) throws { var a = adj[key(addr, asset)] ?? Adjust(); a.sub = try a.sub.checkedAdd(v); adj[key(addr, asset)] = a }
        var inFlight: [InFlightItem] = []

        /// 我方交易（按 nonce 记录里的每个版本）在 ≤ N 的区块上的收据。
        func minedReceipt(_ hashes: [String]) async throws -> ChainReceipt? {
            for h in hashes {
                guard let hh = try? H256(hex: h), let r = try await client.receipt(hh), r.blockNumber <= n else { continue }
                return r
            }
            return nil
        }
        func fee(_ r: ChainReceipt) throws -> UInt256 { try UInt256(r.gasUsed).checkedMul(r.effectiveGasPrice ?? .zero) }

        // 1. 提现：signed / broadcast / unknown 的，账本要到确认后才记（热钱包转出 + 手续费）。
        let open: [Withdrawal] = try gate.with { l in
            var out: [Withdrawal] = []
            for st in [WithdrawalState.signed, .broadcast, .unknown] { out += try l.withdrawals(WithdrawalFilter(state: st), page: Page(limit: 10_000)) }
            return out
        }
        for w in open {
            var hashes = w.txHash.map { [$0] } ?? []
            if let nonce = w.nonce, let rec = try gate.nonceRecord(from: hot, nonce: nonce) { hashes += rec.attempts.map(\.hash) }
            let r = try await minedReceipt(hashes)
            inFlight.append(InFlightItem(kind: "withdrawal", ref: w.id, txHash: r?.transactionHash.hex ?? (w.txHash ?? ""), mined: r != nil))
            guard let r else { continue }
            if r.succeeded { try sub(hot, w.asset, w.amount) }
            try sub(hot, native, try fee(r))
        }
        // 1b. 已按上链记账、被重组拿掉、已用原字节重发的提现与补 gas（执行器的待核对列表，平时为空；同 2b）：
        //     退回记过的效果（记账时的结果与手续费在 nonce 记录里），再按钉住的块上的实际情况算——重新上链、核对改账前后都对。
        //     以前：重发到重新上链够确认之间，对账报真实的差异，status 一直 reconcile.mismatch（QA）。
        for nonce in try gate.get(LedgerGate.recheckKey(hot), as: [Int64].self) ?? [] {
            guard let r = try gate.nonceRecord(from: hot, nonce: nonce), let mined = r.minedHash else { continue }
            let rc = try await minedReceipt([mined])
            switch r.kind {
            case .withdrawal:
                let w = try gate.with { l in try l.withdrawal(id: r.ref) }
                let noop = try r.isNoop(mined, hot: hot)
                // 记账时：confirmed 付出了金额；failed（链上失败或 NOOP 取消）只付了手续费。
                if w.state == .confirmed { try add(hot, w.asset, w.amount) }
                try add(hot, native, r.bookedFee.flatMap { try? UInt256(decimal: $0) } ?? w.fee ?? .zero)
                inFlight.append(InFlightItem(kind: "withdrawal", ref: w.id, txHash: mined, mined: rc != nil))
                if let rc {
                    if rc.succeeded && !noop { try sub(hot, w.asset, w.amount) }
                    try sub(hot, native, try fee(rc))
                }
            case .topup:
                guard let s = try gate.with({ l in try l.store.sweep(id: r.ref) }) else { continue }
                if r.bookedOK ?? true { try add(hot, native, s.topup); try sub(s.address, native, s.topup) }
                try add(hot, native, r.bookedFee.flatMap { try? UInt256(decimal: $0) } ?? .zero)
                inFlight.append(InFlightItem(kind: "topup", ref: s.id, txHash: mined, mined: rc != nil))
                if let rc {
                    if rc.succeeded { try sub(hot, native, s.topup); try add(s.address, native, s.topup) }
                    try sub(hot, native, try fee(rc))
                }
            }
        }
        // 2. 归集：补 gas（toppingUpGas，账本到收据确认后才记）与归集交易（broadcast：账本已把金额移到在途）。
        let sweeps: [Sweep] = try gate.with { l in
            var out: [Sweep] = []
            for st in [SweepState.toppingUpGas, .broadcast] { out += try l.sweeps(state: st, page: Page(limit: 10_000)) }
            return out
        }
        for s in sweeps {
            if s.state == .toppingUpGas {
                let st = try execState(s.id)
                var hashes = st.topUpHash.map { [$0] } ?? []
                if let nonce = st.topUpNonce, let rec = try gate.nonceRecord(from: hot, nonce: nonce) { hashes += rec.attempts.map(\.hash) }
                let r = try await minedReceipt(hashes)
                inFlight.append(InFlightItem(kind: "topup", ref: s.id, txHash: r?.transactionHash.hex ?? (st.topUpHash ?? ""), mined: r != nil))
                guard let r else { continue }
                if r.succeeded { try sub(hot, native, s.topup); try add(s.address, native, s.topup) }
                try sub(hot, native, try fee(r))
            } else {
                let r = try await minedReceipt(s.txHash.map { [$0] } ?? [])
                inFlight.append(InFlightItem(kind: "sweep", ref: s.id, txHash: s.txHash ?? "", mined: r != nil))
                if let r {
                    if r.succeeded { try add(hot, s.asset, s.amount) } else { try add(s.address, s.asset, s.amount) }
                    try sub(s.address, native, try fee(r))
                } else {
                    try add(s.address, s.asset, s.amount)   // 账本已移到在途，链上还在充值地址
                }
            }
        }
        // 2b. 已记账、被重组拿掉、已用原字节重发的归集（平时为空）：退回记过的效果，再按钉住的块上的实际情况算。
        //     「退回记过的 + 按实际」在任何时刻都对：重新核对改账前后都一样。
        for id in try gate.get(Self.reorgedSweepsKey, as: [Int64].self) ?? [] {
            guard let s = try gate.with({ l in try l.store.sweep(id: id) }), s.state == .confirmed || s.state == .failed else { continue }
            let hash = try execState(id).sweepHash ?? ""
            if s.state == .confirmed { try add(s.address, s.asset, s.amount); try sub(hot, s.asset, s.amount) }
            try add(s.address, native, s.fee)
            let r = try await minedReceipt(hash.isEmpty ? [] : [hash])
            inFlight.append(InFlightItem(kind: "sweep", ref: id, txHash: hash, mined: r != nil))
            if let r {
                if r.succeeded { try sub(s.address, s.asset, s.amount); try add(hot, s.asset, s.amount) }
                try sub(s.address, native, try fee(r))
            }
        }
        // 3. 已上链、尚未入账的充值（seen / confirming）。
        let pending: [Deposit] = try gate.with { l in
            var out: [Deposit] = []
            for st in [WalletLedger.DepositState.seen, .confirming] { out += try l.deposits(DepositFilter(state: st), page: Page(limit: 10_000)) }
            return out
        }
        for d in pending where d.blockNumber >= 0 && UInt64(d.blockNumber) <= n {
            try add(d.address, d.asset, d.amount)
            inFlight.append(InFlightItem(kind: "deposit", ref: d.id, txHash: d.txHash, mined: true))
        }

        // 3b. 已上链、尚未记账的热钱包外来入账（等确认中）。
        let inbound = try gate.with { l in try l.hotInbound(states: [.pending], page: Page(limit: 10_000)) }
        for i in inbound where i.blockNumber >= 0 && UInt64(i.blockNumber) <= n {
            try add(i.to.isEmpty ? hot : i.to, i.asset, i.amount)   // 落在未分配充值地址上的按那个地址算
            inFlight.append(InFlightItem(kind: "hot_inbound", ref: i.id, txHash: i.txHash, mined: true))
        }

        // 4. 逐个目标比较（链上余额钉在区块 N）。
        let reader = ReconcileWorker.Reader(client: client)
        var lines: [ReconciliationLine] = []
        var mismatches: [ReconcileMismatch] = []
        for t in targets {
            let chain = try await reader.balance(address: t.address, asset: t.asset, at: .number(n))
            let a = adj[key(t.address, t.asset.symbol)] ?? Adjust()
            // 预期 = 账本(带符号) + add − sub，拆成正负两部分比较，不做有符号运算。
            let pos = try (t.ledger.negative ? .zero : t.ledger.magnitude).checkedAdd(a.add)
            let neg = try (t.ledger.negative ? t.ledger.magnitude : .zero).checkedAdd(a.sub)
            let (expNeg, expMag) = pos >= neg ? (false, pos - neg) : (true, neg - pos)
            let matches = !expNeg && expMag == chain
            lines.append(ReconciliationLine(account: t.account, asset: t.asset.symbol, ledger: expMag, ledgerNegative: expNeg, chain: chain, matches: matches))
            if !matches {
                mismatches.append(ReconcileMismatch(account: t.account, address: t.address, asset: t.asset.symbol,
                                                    ledger: (expNeg ? "-" : "") + expMag.decimalString, chain: chain.decimalString))
            }
        }
        if record {
            try gate.with { l in try l.recordReconciliation(lines) }
            metrics.reconciliationMismatches.set(mismatches.count)
            for m in mismatches {
                logger.warn("reconcile.mismatch", ["account": .string(m.account), "asset": .string(m.asset),
                                                    "ledger": .string(m.ledger), "chain": .string(m.chain), "block": .uint(n)])
            }
        }
        return ReconcileReport(ok: mismatches.isEmpty, block: n, checked: lines.count, mismatches: mismatches, inFlight: inFlight,
                               scanned: try scanStore.height())
    }
}
