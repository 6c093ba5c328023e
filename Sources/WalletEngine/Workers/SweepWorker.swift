// 归集：把充值地址上的资金收进热钱包。规划由 WalletChain.SweepPlanner 完成（纯函数），这里负责取数与执行：
//   ETH：发送 余额 − gasLimit × maxFeePerGas（EIP-1559 要求余额 ≥ value + gas × maxFee，差额退回在地址上）
//   ERC-20：先由热钱包补 ETH 作 gas（热钱包的 nonce 由同一个分配器发放并先落库），等补充交易的收据，再发代币。
// 账本状态机：planned → topping_up_gas → ready → broadcast → confirmed | deferred | failed（以 (地址, nonce) 幂等）。
import Logging
import Foundation
import Synchronization
import WalletChain
import WalletCrypto
import WalletKeys
import WalletLedger

/// 一行归集计划（CLI `sweep plan --json` 与控制台共用）。
public struct SweepPlanLine: Sendable, Equatable {
    public var address: String
    public var asset: String
    public var amount: UInt256
    public var gasLimit: UInt64
    /// 最坏手续费（gasLimit × maxFeePerGas）与预计手续费。
    public var fee: UInt256
    public var feeExpected: UInt256
    public var feeSlow: UInt256
    public var feeFast: UInt256
    public var net: UInt256
    public var topUp: UInt256
    /// sweep | top_up_first | defer | skip
    public var decision: String
    public var reasonCode: String
    public var reasonZh: String
    public var reasonEn: String

    public func json(_ lang: Language) -> SweepPlanLineJSON {
        SweepPlanLineJSON(address: address, asset: asset, amount: amount.decimalString, gasLimit: gasLimit, fee: fee.decimalString,
                          feeRange: .init(slow: feeSlow.decimalString, expected: feeExpected.decimalString, fast: feeFast.decimalString),
                          net: net.decimalString, topUp: topUp.decimalString, decision: decision, reasonCode: reasonCode,
                          reason: lang == .zh ? reasonZh : reasonEn)
    }
}

/// 归集执行状态（engine.sweep.<id>）：补 gas 交易与归集交易的哈希/原始字节，广播前落库。
struct SweepExecState: Codable {
    var topUpNonce: Int64?
    var topUpHash: String?
    var sweepHash: String?
    var sweepRawHex: String?
}

extension WalletEngine {
    func sweepPolicy() -> SweepPolicy {
        SweepPolicy(maxFeeShareBps: UInt64(config.sweep.maxFeeShareBps), feeCapWei: config.sweep.feeCap,
                    maxFeePerGasCap: config.fees.maxFeePerGasCap)
    }

    /// 候选：账本里余额为正的充值地址账户（每个资产），金额以链上余额为准。
    func sweepInputs() async throws -> [(SweepInput, Asset)] {
        let assets = try gate.with { l in try l.store.allAssets() }
        var out: [(SweepInput, Asset)] = []
        for a in assets {
            let accounts = try gate.with { l in try l.balances(kind: .depositAddress, asset: a.symbol, page: Page(limit: 10_000)) }
            for acc in accounts where !acc.net.negative && !acc.net.magnitude.isZero {
                // 未分配地址上的钱在待处理里等两位管理员定性；分配之前不动它（签名路径也只在分配时落库）。
                guard try gate.with({ l in try l.store.depositAddress(address: acc.ref.owner) }) != nil else { continue }
                let addr = try ChainAddress(hex: acc.ref.owner)
                let bal = try await chainBalance(address: acc.ref.owner, asset: a)
                let eth = a.contract == nil ? bal : try await client.balance(addr, .latest)
                if let min = config.sweep.minAmount[a.symbol], bal < min { continue }
                let asset: SweepAsset = a.contract.map { .token(contract: (try? ChainAddress(hex: $0)) ?? addr, symbol: a.symbol) } ?? .eth
                out.append((SweepInput(address: addr, asset: asset, balance: bal, ethBalance: eth), a))
            }
        }
        return out
    }

    public func sweepPlan() async throws -> [SweepPlanLine] {
        let e = try await fees.current()
        let policy = sweepPolicy()
        var lines: [SweepPlanLine] = []
        var counts: [String: Int] = [:]
        for (input, asset) in try await sweepInputs() {
            let p = SweepPlanner.plan(input, fees: e, tier: e.normal, policy: policy)
            let slow = try UInt256(p.gasLimit).checkedMul(e.slow.maxFeePerGas)
            let fast = try UInt256(p.gasLimit).checkedMul(e.fast.maxFeePerGas)
            lines.append(SweepPlanLine(address: input.address.hex, asset: asset.symbol, amount: p.amount, gasLimit: p.gasLimit,
                                       fee: p.feeMax, feeExpected: p.feeMin, feeSlow: slow, feeFast: fast, net: p.net,
                                       topUp: p.topUp, decision: p.decision.rawValue, reasonCode: p.reasonCode,
                                       reasonZh: p.reason(.zh), reasonEn: p.reason(.en)))
            counts[p.decision.rawValue, default: 0] += 1
        }
        for d in ["sweep", "top_up_first", "defer", "skip"] { metrics.sweepsByDecision.set(counts[d] ?? 0, [d]) }
        return lines
    }

    /// 执行一轮归集：推进已在途的（补 gas 收据 → 发代币；归集收据 → 确认），再按计划发起新的。返回推进的步数。
    @discardableResult
    /// 操作员手动归集：先在引擎里授权，再执行同一个 sweepRun；审计记下是谁。
    public func sweepRun(by op: Operator) async throws -> Int {
        try authorize(op, .sweepRun)
        try recordAudit(op, action: "sweep.run", subject: "", cli: "sweep run", via: "cli")
        return try await sweepRun(requireSigner: true)
    }

    /// 入队一个归集任务给运行中的引擎（授权在入队时做）。
    public func requestSweep(by op: Operator) throws -> Job {
        try authorize(op, .sweepRun)
        try recordAudit(op, action: "sweep.run", subject: "enqueued", cli: "sweep run", via: "cli")
        return try enqueue(.sweepRun)
    }

    /// requireSigner：运维要求的这一轮（CLI / 任务）没有签名器就失败并说明原因（任务按退避重试、最后进死信），
    /// 而不是「完成」却什么都没归集；自动归集的常规轮次只记日志。
    public func sweepRun(logger log: Logger? = nil, requireSigner: Bool = false) async throws -> Int {
        let log = log ?? logger.child("sweeper")
        return try await sweepMutex.run { try await self.sweepRunLocked(log, requireSigner: requireSigner) }
    }

    private func sweepRunLocked(_ log: Logger, requireSigner: Bool) async throws -> Int {
        var steps = try await advanceSweepsLocked(log)
        guard let hotSigner = await usableHotSigner() else {
            let reason = signerFailure ?? (keystore.isSealed ? "keystore.sealed" : "signer.unavailable")
            log.warn(reason == "keystore.sealed" ? "sweep.sealed" : "sweep.signer_unavailable", ["reason": .string(reason)])
            if requireSigner {
                throw EngineError("sweep.no_signer", zh: "这一轮归集没有做：热钱包签名器\(reason == "keystore.sealed" ? "已封存" : "不可用")（\(reason)）。恢复后任务自动重试。",
                                  en: "this sweep round did nothing: the hot-wallet signer is \(reason == "keystore.sealed" ? "sealed" : "unavailable") (\(reason)). The job retries once it recovers.", badInput: false)
            }
            return steps
        }
        let e = try await fees.current()
        for (input, asset) in try await sweepInputs() {
            let p = SweepPlanner.plan(input, fees: e, tier: e.normal, policy: sweepPolicy())
            guard p.decision == .sweep || p.decision == .topUpFirst else { continue }
            // 同一地址已有未完成的归集：不重复发起。
            let open = try gate.with { l in
                try SweepState.allCases.filter { ![.confirmed, .deferred, .failed].contains($0) }
                    .flatMap { try l.sweeps(state: $0, page: Page(limit: 1000)) }
            }
            if open.contains(where: { $0.address == input.address.hex && $0.asset == asset.symbol }) { continue }
            let addrNonce = try await client.transactionCount(input.address, .pending)
            let sweep = try gate.with { l in
                try l.planSweep(address: input.address.hex, nonce: Int64(addrNonce), asset: asset.symbol, amount: p.amount,
                                fee: p.feeMax, topup: p.topUp)
            }
            log.info("sweep.planned", ["id": .int(sweep.id), "asset": .string(asset.symbol), "amount": .amount(p.amount),
                                       "topUp": .amount(p.topUp), "decision": .string(p.decision.rawValue)])
            if sweep.state == .toppingUpGas {
                try await sendTopUp(sweep, signer: hotSigner, fees: e, log)
            } else if sweep.state == .ready {
                try await sendSweep(sweep, fees: e, log)
            }
            steps += 1
        }
        return steps
    }

    func execState(_ id: Int64) throws -> SweepExecState {
        try gate.get("engine.sweep.\(id)", as: SweepExecState.self) ?? SweepExecState()
    }

    /// 补 gas：热钱包 → 充值地址。nonce 来自账本的同一分配器，签名与原始字节先落库再广播。
    func sendTopUp(_ s: Sweep, signer: TransactionSigner, fees e: FeeEstimate, _ log: Logger) async throws {
        var st = try execState(s.id)
        guard st.topUpHash == nil else { return }
        guard let tier = fees.withdrawalTier(e) else { return }
        // nonce 与「它属于这笔补 gas」在同一事务里落库：签名失败或在签名与落库之间崩溃时，下一轮复用同一个 nonce，
        // 而不是再分配一个新的、让旧 nonce 永远空着把热钱包后续交易全卡住。此前什么都没广播，重签同一 nonce 安全。
        let nonce: Int64
        if let reserved = st.topUpNonce {
            nonce = reserved
        } else {
            nonce = try gate.transaction { l -> Int64 in
                let n = try l.store.allocateNonce(from: hotAddress)
                try l.noteAllocated(from: hotAddress, nonce: n)
                st.topUpNonce = n
                try l.put("engine.sweep.\(s.id)", st)
                return n
            }
        }
        let tx = EthTransaction.eip1559(chainId: config.chain.id, nonce: UInt64(nonce), maxPriorityFeePerGas: tier.maxPriorityFeePerGas,
                                        maxFeePerGas: tier.maxFeePerGas, gasLimit: 21_000, to: try EthereumAddress(string: s.address),
                                        value: s.topup)
        let signed = try await signer.signChecked(tx)
        let hash = "0x" + Hex.encode(signed.hash)
        st.topUpHash = hash
        try gate.transaction { l in
            try l.put("engine.sweep.\(s.id)", st)
            // 登记为我方内部交易：扫块器看到这笔「热钱包 → 充值地址」时按内部补 gas 处理，绝不记成用户充值。
            try l.put(InternalTx.key(hash), InternalTx(kind: "topup", ref: s.id))
            try l.putNonceRecord(from: hotAddress, NonceRecord(kind: .topup, ref: s.id, nonce: nonce, attempts: [
                TxAttempt(hash: hash, rawHex: Hex.encode(signed.raw), maxFeePerGas: tier.maxFeePerGas.decimalString,
                          maxPriorityFeePerGas: tier.maxPriorityFeePerGas.decimalString, signedAt: clock.unixTime())], minedHash: nil, lastBroadcastAt: clock.unixTime()))
        }
        do { _ = try await client.sendRawTransaction(signed.raw) } catch {
            log.warn("sweep.topup_broadcast_unknown", ["id": .int(s.id), "error": .error(error)])
        }
        log.info("sweep.topup_sent", ["id": .int(s.id), "txHash": .string(hash), "amount": .amount(s.topup)])
    }

    /// 卡住的补 gas：同一 nonce、同一收款与金额，费用至少加 replacementBumpPercent（与提现的替换同一规则，`FeeOracle.replacementTier`）。
    /// 新版本先落库（尝试列表、内部交易登记、当前哈希）再广播；扫块器看到任何一个版本上链都按内部补 gas 处理。
    func bumpTopUp(_ s: Sweep, record: NonceRecord, _ log: Logger) async throws -> Bool {
        guard let last = record.attempts.last, let signer = await usableHotSigner() else { return false }
        guard let tier = fees.replacementTier(old: try last.gasPrice, current: fees.cached) else {
            _ = try gate.alertOnce("engine.sweep.topup_cap.\(s.id)", kind: "sweep.topup_stuck_at_cap",
                               zh: "归集 #\(s.id) 的补 gas（nonce \(record.nonce)）卡住，但加价后会超过 fees.maxFeePerGasCap，未替换：热钱包后面的 nonce 都在等它。提高上限或等费用回落。",
                               en: "the gas top-up of sweep #\(s.id) (nonce \(record.nonce)) is stuck, but a bumped fee would exceed fees.maxFeePerGasCap; not replaced, and later hot-wallet nonces wait behind it. Raise the cap or wait for fees to fall.",
                               at: clock.unixTime())
            log.warn("sweep.topup_stuck_at_cap", ["id": .int(s.id), "nonce": .int(record.nonce)])
            return false
        }
        let (r, signed) = try await record.appendingSigned(try SignedEthTransaction.decode(raw: last.raw).transaction, price: tier,
                                                           signer: signer, at: clock.unixTime())
        let hash = "0x" + Hex.encode(signed.hash)
        var st = try execState(s.id)
        st.topUpHash = hash
        try gate.transaction { l in
            try l.put("engine.sweep.\(s.id)", st)
            try l.put(InternalTx.key(hash), InternalTx(kind: "topup", ref: s.id))
            try l.putNonceRecord(from: hotAddress, r)
        }
        do { _ = try await client.sendRawTransaction(signed.raw) } catch {
            log.warn("sweep.topup_broadcast_unknown", ["id": .int(s.id), "error": .error(error)])
        }
        log.warn("sweep.topup_replaced", ["id": .int(s.id), "nonce": .int(record.nonce), "txHash": .string(hash),
                                          "attempts": .int(Int64(r.attempts.count)), "maxFeePerGas": .amount(tier.maxFeePerGas)])
        return true
    }

    /// 归集交易：充值地址 → 热钱包，由 HD 种子按该地址的派生路径签名。
    func sendSweep(_ s: Sweep, fees e: FeeEstimate, _ log: Logger) async throws {
        var st = try execState(s.id)
        if st.sweepHash == nil {
            let asset = try gate.with { l in try l.asset(s.asset) }
            guard let rec = try gate.with({ l in try l.store.depositAddress(address: s.address) }) else { return }
            guard let seedId = try keystore.list().first(where: { $0.kind == .hdSeed })?.id else {
                throw EngineError("sweep.no_seed", zh: "密钥库里没有 HD 种子，无法为充值地址签名。", en: "no HD seed in the keystore; cannot sign for deposit addresses.", badInput: false)
            }
            let from = try EthereumAddress(string: s.address)
            let signer = try KeystoreTxSigner(keystore: keystore, keyId: seedId, path: rec.path, latency: metrics.signerLatency)
            guard signer.address == from else {
                throw EngineError("sweep.wrong_key", zh: "派生路径 \(rec.path) 得到的地址与充值地址 \(s.address) 不符：xpub 与种子不匹配？",
                                  en: "path \(rec.path) derives an address other than the deposit address \(s.address): xpub and seed mismatch?", badInput: false)
            }
            let hot = try EthereumAddress(string: hotAddress)
            let tier = e.normal
            let tx: EthTransaction
            if let c = asset.contract {
                tx = .eip1559(chainId: config.chain.id, nonce: UInt64(s.nonce), maxPriorityFeePerGas: tier.maxPriorityFeePerGas,
                              maxFeePerGas: tier.maxFeePerGas, gasLimit: sweepPolicy().tokenGasLimit, to: try EthereumAddress(string: c),
                              value: .zero, data: TxBuilder.erc20Transfer(to: hot.bytes, amount: s.amount))
            } else {
                // 金额按规划时的最坏手续费预留；这里用同一个 maxFee，保证 余额 ≥ value + 21000 × maxFee。
                let maxFee = s.fee / UInt256(21_000)
                let tip = min(tier.maxPriorityFeePerGas, maxFee)
                tx = .eip1559(chainId: config.chain.id, nonce: UInt64(s.nonce), maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                              gasLimit: 21_000, to: hot, value: s.amount)
            }
            let signed = try await signer.signChecked(tx)
            st.sweepHash = "0x" + Hex.encode(signed.hash)
            st.sweepRawHex = Hex.encode(signed.raw)
            try gate.put("engine.sweep.\(s.id)", st)
        }
        guard let rawHex = st.sweepRawHex, let hash = st.sweepHash else { return }
        do { _ = try await client.sendRawTransaction(try Hex.decode(rawHex)) } catch {
            log.warn("sweep.broadcast_unknown", ["id": .int(s.id), "error": .error(error)])
            if (try? await client.transaction(try H256(hex: hash))) == nil { return }
        }
        try gate.with { l in _ = try l.sweepBroadcast(id: s.id, txHash: hash) }
        log.info("sweep.broadcast", ["id": .int(s.id), "txHash": .string(hash), "asset": .string(s.asset), "amount": .amount(s.amount)])
    }

    /// 推进在途归集：补 gas 有收据 → ready → 发送；归集有收据 → confirmed / failed；已记账的看有没有被重组拿掉。
    /// 同一进程里任务（sweep run）与归集 worker 不能同时推进：否则两边给同一个充值地址的 nonce 各签一版（QA）。
    func advanceSweeps(_ log: Logger) async throws -> Int {
        try await sweepMutex.run { try await self.advanceSweepsLocked(log) }
    }

    private func advanceSweepsLocked(_ log: Logger) async throws -> Int {
        var steps = try await recheckBookedSweeps(log)
        for s in try gate.with({ l in try l.sweeps(state: .toppingUpGas, page: Page(limit: 500)) }) {
            let st = try execState(s.id)
            guard let h = st.topUpHash else {
                if let signer = await usableHotSigner() { try await sendTopUp(s, signer: signer, fees: try await fees.current(), log) }
                continue
            }
            // 加过价的补 gas 有好几个版本（同一 nonce）：哪个上链都算，看全部。
            let record = try st.topUpNonce.flatMap { try gate.nonceRecord(from: hotAddress, nonce: $0) }
            var mined: (hash: String, receipt: ChainReceipt)?
            for x in record?.attempts.map(\.hash) ?? [h] {
                if let rc = try await client.receipt(try H256(hex: x)) { mined = (x, rc); break }
            }
            guard let (minedHash, rc) = mined else {
                // 没有收据：若节点已丢弃（广播失败或被挤出交易池），重发存着的同一份字节；还在池里却超过 stuckAfterSeconds，
                // 按提现同样的规则加价替换——否则一笔出价过低的补 gas 会卡住热钱包之后的每一个 nonce。
                if var r = record, let last = r.attempts.last {
                    if try await client.rebroadcastIfDropped(last) {
                        log.warn("sweep.topup_rebroadcast", ["id": .int(s.id), "txHash": .string(last.hash)])
                        r.lastBroadcastAt = clock.unixTime(); try gate.putNonceRecord(from: hotAddress, r)
                    } else if clock.unixTime() - (r.lastBroadcastAt ?? last.signedAt) >= Int64(config.fees.stuckAfterSeconds) {
                        steps += try await bumpTopUp(s, record: r, log) ? 1 : 0
                    }
                }
                continue
            }
            let fee = rc.feePaid
            if rc.succeeded {
                let s2 = try gate.transaction { l -> Sweep in
                    if var r = record { r.minedHash = minedHash; r.bookedFee = fee.decimalString; r.bookedOK = true; try l.putNonceRecord(from: hotAddress, r) }
                    return try l.sweepTopUpConfirmed(id: s.id, topupFee: fee)
                }
                metrics.sweepFeesPaidWei.inc([nativeSymbol], by: fee)
                log.info("sweep.topup_confirmed", ["id": .int(s.id), "fee": .amount(fee), "txHash": .string(minedHash)])
                try await sendSweep(s2, fees: try await fees.current(), log)
            } else {
                try gate.transaction { l in
                    if var r = record { r.minedHash = minedHash; r.bookedFee = fee.decimalString; r.bookedOK = false; try l.putNonceRecord(from: hotAddress, r) }
                    _ = try l.sweepTopUpFailed(id: s.id, topupFee: fee, reason: "补 gas 交易失败 \(minedHash)")
                }
                metrics.sweepFeesPaidWei.inc([nativeSymbol], by: fee)
                log.error("sweep.topup_failed", ["id": .int(s.id), "txHash": .string(minedHash)])
            }
            steps += 1
        }
        for s in try gate.with({ l in try l.sweeps(state: .ready, page: Page(limit: 500)) }) {
            try await sendSweep(s, fees: try await fees.current(), log)
            steps += 1
        }
        for s in try gate.with({ l in try l.sweeps(state: .broadcast, page: Page(limit: 500)) }) {
            guard let h = s.txHash else { continue }
            guard let rc = try await client.receipt(try H256(hex: h)) else {
                // 节点不认识它了（被重组拿掉、被挤出交易池）：用存下的原字节重发——同一哈希，不会变成两笔（QA：以前永远停在 broadcast）。
                if let raw = try execState(s.id).sweepRawHex, try await client.rebroadcastIfDropped(hash: h, raw: try Hex.decode(raw)) {
                    log.warn("sweep.rebroadcast", ["id": .int(s.id), "txHash": .string(h)])
                }
                continue
            }
            let fee = rc.feePaid
            // 记账与「所在块」同一事务落库：之后若这个块被重组拿掉，recheckBookedSweeps 看得出来（以前看不出，账与链从此不等，QA）。
            try gate.transaction { l in
                if rc.succeeded { _ = try l.sweepConfirmed(id: s.id, fee: fee) }
                else { _ = try l.sweepFailed(id: s.id, fee: fee, reason: "链上执行失败 \(h)") }
                var booked = try l.get(Self.bookedSweepsKey, as: [BookedSweep].self) ?? []
                if !booked.contains(where: { $0.id == s.id }) {
                    booked.append(BookedSweep(id: s.id, block: Int64(rc.blockNumber), blockHash: rc.blockHash.hex.lowercased()))
                    try l.put(Self.bookedSweepsKey, booked)
                }
            }
            if rc.succeeded {
                log.info("sweep.confirmed", ["id": .int(s.id), "fee": .amount(fee)])
            } else {
                log.error("sweep.failed", ["id": .int(s.id), "txHash": .string(h)])
            }
            metrics.sweepFeesPaidWei.inc([nativeSymbol], by: fee)
            steps += 1
        }
        return steps
    }
}

extension WalletEngine {
    /// leader 转交给 signer 的最近一个 `sweep run` 请求（「任务号:时间」）与 signer 最近做完的那个。不等就做一轮；
    /// 不用删除，也不比大小（换了 Redis、任务号从 1 重新数时比大小会永远不做）：做的时候又来的请求不会被清掉。
    static let sweepRequestedKey = "engine.sweep.requested_job"
    static let sweepServedKey = "engine.sweep.served_job"
}

public final class SweepWorker: EngineWorker, Sendable {
    public let name = "sweeper"
    /// 醒来的间隔：转交来的 `sweep run` 最多等这么久（2 秒，一次键读）；例行的归集仍按 sweepIntervalMs。
    public let intervalMs: Int
    let periodSeconds: Double
    private let lastPeriodic = Mutex<Double?>(nil)
    unowned let engine: WalletEngine

    init(engine: WalletEngine) {
        self.engine = engine
        periodSeconds = Double(engine.config.workers.sweepIntervalMs) / 1000
        intervalMs = min(engine.config.workers.sweepIntervalMs, 2000)
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        // 在途的总要推进（等收据、发代币）；新归集只在 sweep.auto 时自动发起，否则只出计划等运维 `sweep run`。
        // sweepRun 自己会先推进在途归集，这里不再重复推进（否则每轮查两遍收据、重发两遍）。
        // 另一个引擎（leader）转交来的 `sweep run` 任务：请求与已做的不同 → 做一整轮，做完记下（签名器不可用时抛错、下一轮再试）。
        // 签名器不可用（封存着）时不做也不报错：转交的任务在 leader 那边 30 秒后失败重试、最后进死信，原因写明（以前这里每 2 秒一条 round_failed）。
        let requested = try engine.gate.get(WalletEngine.sweepRequestedKey, as: String.self)
        if let requested, requested != (try engine.gate.get(WalletEngine.sweepServedKey, as: String.self)), !ctx.shouldStop,
           await engine.usableHotSigner() != nil {
            let steps = try await engine.sweepRun(logger: ctx.logger, requireSigner: true)
            try engine.gate.put(WalletEngine.sweepServedKey, requested)
            ctx.logger.info("sweep.run_served", ["request": .string(requested), "steps": .int(Int64(steps))])
            lastPeriodic.withLock { $0 = engine.clock.now() }
            return RoundReport(processed: steps, summary: "requested \(requested) steps=\(steps)")
        }
        if !ctx.once {
            let now = engine.clock.now()
            let due = lastPeriodic.withLock { last -> Bool in
                if let l = last, now - l < periodSeconds { return false }
                last = now
                return true
            }
            // 不到例行归集的时候也看一眼已记账的归集有没有被重组拿掉（平时一次键读）：以前要等下一次例行归集或运维的 sweep run（QA：sweep.auto 关着时 42 秒后还没发现）。
            guard due else { return RoundReport(processed: try await engine.checkSweepReorgs(ctx.logger), summary: "waiting") }
        }
        if engine.config.sweep.auto && !ctx.shouldStop {
            let steps = try await engine.sweepRun(logger: ctx.logger)
            return RoundReport(processed: steps, summary: "auto steps=\(steps)")
        }
        let steps = try await engine.advanceSweeps(ctx.logger)
        let plan = try await engine.sweepPlan()
        return RoundReport(processed: steps, summary: "planned=\(plan.count) steps=\(steps)")
    }
}
