// 提现执行器：approved → 分配 nonce → 构造 EIP-1559 交易 → 经签名器签名 → 先落库（signed，含原始字节与哈希）
// → 标记 unknown 并提交 → 广播 → broadcast；超时/崩溃留在 unknown，下轮按已存哈希查链解决，绝不重新签名。
// → 收据达到确认数 → confirmed；收据失败 → failed（解冻 + 告警）。卡住的交易以同一 nonce、至少 +10% 费用替换（有上限）。
//
// 每个热钱包账户同一时刻只有一个执行器在跑：进程内由本类的串行轮次保证，进程间由 engine.lock（flock）保证。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletLedger

public final class WithdrawalExecutor: EngineWorker, Sendable {
    public let name = "withdrawals"
    public let intervalMs: Int
    let gate: LedgerGate
    let client: ChainClient
    let fees: FeeOracle
    let signerProvider: @Sendable () async -> TransactionSigner?
    let chainId: UInt64
    let hotAddress: String
    let confirmations: Int
    let stuckAfterSeconds: Int
    let metrics: EngineMetrics
    let clock: any WalletClock
    /// 已解封却不能签名的原因（与「已封存」区分：前者是故障，这一轮失败）。
    let signerFailure: @Sendable () -> String?
    /// 签名本身失败时报给引擎（告警、签名器状态）。
    let signFailed: @Sendable (Error) -> Void
    /// 发现过「链上 nonce 超过引擎记录」（记号在库里；这里只为免得每笔提现都去清一次）。初值 true：第一次检查通过时清掉旧记号。
    let nonceExternalUse = Protected(true)

    public init(gate: LedgerGate, client: ChainClient, fees: FeeOracle, signer: @escaping @Sendable () async -> TransactionSigner?,
                config: EngineConfig, metrics: EngineMetrics, clock: any WalletClock = SystemClock(),
                signerFailure: @escaping @Sendable () -> String? = { nil }, signFailed: @escaping @Sendable (Error) -> Void = { _ in }) {
        self.signerFailure = signerFailure; self.signFailed = signFailed
        self.gate = gate; self.client = client; self.fees = fees; self.signerProvider = signer
        self.chainId = config.chain.id; self.hotAddress = config.hotWallet.address.lowercased()
        self.confirmations = config.deposits.confirmations; self.stuckAfterSeconds = config.fees.stuckAfterSeconds
        self.intervalMs = config.workers.withdrawalIntervalMs; self.metrics = metrics; self.clock = clock
    }

    /// 该状态的全部提现（分页读完，不只最新的 500 笔：占着 nonce 的旧单被挤出窗口就会永远卡住后面所有 nonce），
    /// 按 nonce 升序、尚未分配 nonce 的按先来后到。
    func list(_ s: WithdrawalState) throws -> [Withdrawal] {
        var out: [Withdrawal] = []
        while true {
            let off = out.count
            let page = try gate.with { l in try l.withdrawals(WithdrawalFilter(state: s), page: Page(limit: 1000, offset: off)) }
            out += page
            if page.count < 1000 { break }
        }
        return out.sorted { ($0.nonce ?? Int64.max, $0.id) < ($1.nonce ?? Int64.max, $1.id) }
    }

    public func runRound(_ ctx: WorkerContext) async throws -> RoundReport {
        var n = 0
        // 顺序有讲究：先把旧 nonce 的交易送出去（unknown → signed → 广播），再签新的，最后跟踪确认。
        n += try await resurrectReorged(ctx)
        n += try await recheckReorged(ctx)
        for w in try list(.unknown) where !ctx.shouldStop { n += try await resolveUnknown(w, ctx) ? 1 : 0 }
        for w in try list(.signed) where !ctx.shouldStop { n += try await broadcast(w, ctx) ? 1 : 0 }
        var signError: Error?
        if let signer = await signerProvider() {
            var committed: [String: UInt256] = [:]   // 本轮排在前面、同一资产已签出的金额
            var balances: [String: UInt256] = [:]    // 本轮每种资产只读一次链上余额
            var short: Set<String> = []
            for w in try list(.approved) where !ctx.shouldStop {
                // 热钱包里这种资产不够：不签、不判失败（以前估算回滚后直接 failed，告警里是原始回滚字节），
                // 留在 approved 等归集或注资，并告警一次说清缺多少、怎么办。还没占 nonce，跳过它不会卡住别的资产。
                if w.nonce == nil, let (have, need) = try await liquidityShortfall(w, already: committed[w.asset] ?? .zero, cache: &balances) {
                    if short.insert(w.asset).inserted { try raiseLiquidity(w.asset, have: have, need: need) }
                    ctx.logger.warn("withdrawal.insufficient_liquidity", ["id": .int(w.id), "asset": .string(w.asset),
                                                                          "have": .amount(have), "need": .amount(need)])
                    continue
                }
                // 一笔签不了就停：后面的 nonce 不能越过它
                do { guard try await signAndSend(w, signer: signer, ctx) else { break } } catch let e as SignFailure { if signerFailure() != nil { signError = e.error }; break }   // 刚被封存不算故障
                committed[w.asset] = (committed[w.asset] ?? .zero).addingReportingOverflow(w.amount).partialValue
                n += 1
            }
            // 恢复（含缺货的提现被驳回的情况）：清掉不再缺货的资产的告警状态；只读库，没有链上调用。
            for a in try gate.with({ l in try l.store.allAssets() }).map(\.symbol) where !short.contains(a) { try raiseLiquidity(a, have: nil, need: nil) }
        } else if try !list(.approved).isEmpty {
            if let code = signerFailure() {
                // 故障（不是封存）：这一轮失败——`engine run --once` 退出 1，常驻引擎的日志与告警里有它；提现保持 approved。
                throw EngineError(code, zh: "热钱包签名器不可用（\(code)），已批准的提现等待；见告警与 logs/engine.log。",
                                  en: "the hot-wallet signer is unavailable (\(code)); approved withdrawals wait; see alerts and logs/engine.log.", badInput: false)
            }
            ctx.logger.warn("withdrawals.sealed", ["reason": "keystore sealed; approved withdrawals wait"])
        }
        for w in try list(.broadcast) where !ctx.shouldStop { n += try await track(w, ctx) ? 1 : 0 }
        try updateGauges()
        if let e = signError {
            // 签名失败是事件：跟踪完已广播的之后，这一轮失败（`engine run --once` 退出 1），告警已由引擎记下。
            throw EngineError("signer.sign_failed", zh: "热钱包签名失败（\(WalletError(e).code.rawValue)），已批准的提现等待；见告警与 logs/engine.log。",
                              en: "hot-wallet signing failed (\(WalletError(e).code.rawValue)); approved withdrawals wait; see alerts and logs/engine.log.", badInput: false)
        }
        return RoundReport(processed: n, summary: "withdrawal steps=\(n)")
    }

    /// 热钱包链上余额（代币用 balanceOf）不够这笔（加上本轮排在前面的）时返回 (有, 要)。
    func liquidityShortfall(_ w: Withdrawal, already: UInt256, cache: inout [String: UInt256]) async throws -> (UInt256, UInt256)? {
        let have: UInt256
        if let b = cache[w.asset] { have = b } else {
            let asset = try gate.with { l in try l.asset(w.asset) }
            have = try await ReconcileWorker.Reader(client: client).balance(address: hotAddress, asset: asset, at: .latest)
            cache[w.asset] = have
        }
        let (need, o) = already.addingReportingOverflow(w.amount)
        return o || have < need ? (have, need) : nil
    }

    /// 流动性告警：每种资产「缺」的状态开始时告警一次（存库去重，--once 的每个进程不重复），恢复后清除。
    func raiseLiquidity(_ asset: String, have: UInt256?, need: UInt256?) throws {
        let key = "engine.liquidity.\(asset)", kind = "withdraw.insufficient_liquidity"
        guard let have, let need else { try gate.alertOnce(key, kind: nil, at: clock.unixTime()); return }
        let msg = "热钱包的 \(asset) 不够已批准的提现：链上 \(have.decimalString)，需要 \(need.decimalString)（最小单位）。提现保持 approved 等待；先归集（sweep run）或从冷钱包注资。"
        let en = "the hot wallet lacks \(asset) for approved withdrawals: \(have.decimalString) on chain, \(need.decimalString) needed (base units). They stay approved; sweep (sweep run) or fund from a cold wallet."
        try gate.alertOnce(key, kind: kind, zh: msg, en: en, at: clock.unixTime())
    }

    func updateGauges() throws {
        try gate.with { l in
            for s in WithdrawalState.allCases {
                metrics.withdrawalsByState.set(try l.withdrawalCount(WithdrawalFilter(state: s)), [s.rawValue])
            }
        }
    }

    // MARK: - 签名

    /// 预估 gas（签名前、分配 nonce 前）：估算失败且是执行回滚（如热钱包代币不足）→ 直接 failed 解冻，不占 nonce。
    func buildCall(_ w: Withdrawal) throws -> (to: EthereumAddress, value: UInt256, data: [UInt8]) {
        let asset = try gate.with { l in try l.asset(w.asset) }
        let dest = try EthereumAddress(string: w.to)
        if let c = asset.contract, !c.isEmpty {
            return (try EthereumAddress(string: c), .zero, TxBuilder.erc20Transfer(to: dest.bytes, amount: w.amount))
        }
        return (dest, w.amount, [])
    }

    func signAndSend(_ w: Withdrawal, signer: TransactionSigner, _ ctx: WorkerContext) async throws -> Bool {
        let call = try buildCall(w)
        let gas: UInt64
        do {
            let est = try await client.estimateGas(CallRequest(from: try ChainAddress(hex: hotAddress), to: try ChainAddress(hex: call.to.lowercased),
                                                               value: call.value, data: call.data))
            gas = call.data.isEmpty ? max(est, 21_000) : est + est / 4   // 代币转账留 25% 余量
        } catch let e as ChainError {
            if case .rpcError = e, w.nonce == nil {
                // 节点执行回滚（例如热钱包余额不足）：还没占用 nonce，直接失败解冻并告警。
                try gate.with { l in _ = try l.markFailed(withdrawalID: w.id, reason: BilingualText.join(zh: "估算 gas 时执行回滚：\(e.message(.zh))",
                                                                                                         en: "gas estimation reverted: \(e.message(.en))")) }
                metrics.withdrawalTransitions.inc(["failed"])
                ctx.logger.error("withdrawal.estimate_reverted", ["id": .int(w.id), "error": .error(e)])
                return true
            }
            ctx.logger.warn("withdrawal.estimate_failed", ["id": .int(w.id), "error": .error(e)])
            return false
        }
        let estimate = try await fees.current()
        guard let tier = fees.withdrawalTier(estimate) else {
            ctx.logger.warn("withdrawal.fee_above_cap", ["id": .int(w.id), "maxFeePerGas": .amount(estimate.normal.maxFeePerGas)])
            return false
        }
        // 链上 pending nonce 比我们记录的还大：热钱包密钥在别处被用过，继续分配必然冲突 → 停止并告警。
        let chainPending = try await client.transactionCount(try ChainAddress(hex: hotAddress), .pending)
        let engineNext = try gate.with { l in try l.engineNextNonce(from: hotAddress) }
        let externalKey = WalletEngine.nonceExternalUseKey(hotAddress)
        if w.nonce == nil && Int64(chainPending) > engineNext {
            // 告警只发一次（以前每轮一条，QA：一分钟 6 条）；记号留在库里，status 据此报 nonce.external_use、退出 1。
            let msg = "热钱包 \(hotAddress) 链上 pending nonce \(chainPending) 大于引擎记录的下一个 nonce \(engineNext)，已停止签名。两种可能：热钱包密钥在别处被使用（按安全事件处理），或账本库是从较旧的备份恢复的——备份之后发出的交易账上没有（按运维手册「从备份恢复」处理，不要手工改 nonce）。"
            let en = "hot wallet \(hotAddress): on-chain pending nonce \(chainPending) is above the engine's next nonce \(engineNext); signing stopped. Either the hot-wallet key is used elsewhere (treat it as a security incident), or the ledger database was restored from an older backup and the transactions sent after it are missing from the books (follow the runbook's restore-from-backup section; do not edit nonces by hand)."
            if try gate.alertOnce(externalKey, kind: "nonce.external_use", zh: msg, en: en, at: clock.unixTime()) {
                ctx.logger.error("nonce.external_use", ["chainPending": .uint(chainPending), "engineNext": .int(engineNext)])
            }
            nonceExternalUse.write { $0 = true }
            return false
        }
        if nonceExternalUse.get && Int64(chainPending) <= engineNext {   // 情况已解除（例如人工处理后）：清掉记号，下次再发生会再告警
            _ = try gate.alertOnce(externalKey, kind: nil, at: clock.unixTime())
            nonceExternalUse.write { $0 = false }
        }
        // 分配（或取回已分配的）nonce：持久化在账本里，重启后同一提现拿回同一个 nonce。
        let nonce = try gate.transaction { l -> Int64 in
            let n = try l.reserveNonce(withdrawalID: w.id, from: hotAddress)
            try l.noteAllocated(from: hotAddress, nonce: n)
            return n
        }
        let tx = EthTransaction.eip1559(chainId: chainId, nonce: UInt64(nonce), maxPriorityFeePerGas: tier.maxPriorityFeePerGas,
                                        maxFeePerGas: tier.maxFeePerGas, gasLimit: gas, to: call.to, value: call.value, data: call.data)
        let signed: SignedEthTransaction
        do { signed = try await signer.signChecked(tx) } catch {
            ctx.logger.error("withdrawal.sign_failed", ["id": .int(w.id), "nonce": .int(nonce), "error": .error(error)])
            signFailed(error)
            throw SignFailure(error: error)
        }
        let hash = "0x" + Hex.encode(signed.hash)
        // 广播之前落库：原始字节 + 哈希 + nonce 记录，在同一个事务里。
        try gate.transaction { l in
            _ = try l.recordSigned(withdrawalID: w.id, rawTx: signed.raw, txHash: hash)
            let attempt = TxAttempt(hash: hash, rawHex: Hex.encode(signed.raw), maxFeePerGas: tier.maxFeePerGas.decimalString,
                                    maxPriorityFeePerGas: tier.maxPriorityFeePerGas.decimalString, signedAt: clock.unixTime())
            try l.putNonceRecord(from: hotAddress, NonceRecord(kind: .withdrawal, ref: w.id, nonce: nonce, attempts: [attempt],
                                                                  minedHash: nil, lastBroadcastAt: nil))
        }
        metrics.withdrawalTransitions.inc(["signed"])
        ctx.logger.info("withdrawal.signed", ["id": .int(w.id), "nonce": .int(nonce), "txHash": .string(hash), "tier": .string(signer.tier)])
        FailPoint.hit("withdraw.after_sign")
        let fresh = try gate.with { l in try l.withdrawal(id: w.id) }
        _ = try await broadcast(fresh, ctx)
        return true
    }

    // MARK: - 广播

    /// signed → unknown（提交）→ 发送同一份原始字节 → broadcast。结果不明就留在 unknown。
    func broadcast(_ w: Withdrawal, _ ctx: WorkerContext) async throws -> Bool {
        guard let raw = w.rawTx, let hash = w.txHash else { return false }
        try gate.with { l in _ = try l.beginBroadcast(withdrawalID: w.id) }
        do {
            let got = try await client.sendRawTransaction(raw)
            FailPoint.hit("withdraw.after_broadcast")
            if got.hex.lowercased() != hash.lowercased() {
                ctx.logger.error("withdrawal.hash_mismatch", ["id": .int(w.id), "stored": .string(hash), "node": .string(got.hex)])
            }
            try gate.transaction { l in
                _ = try l.markBroadcast(withdrawalID: w.id)
                if let n = w.nonce, var r = try l.nonceRecord(from: hotAddress, nonce: n) {
                    r.lastBroadcastAt = clock.unixTime(); try l.putNonceRecord(from: hotAddress, r)
                }
            }
            metrics.withdrawalTransitions.inc(["broadcast"])
            ctx.logger.info("withdrawal.broadcast", ["id": .int(w.id), "txHash": .string(hash)])
            return true
        } catch let e as ChainError {
            if case .rpcError(_, _, let message) = e, !Self.isAlreadyKnown(message) {
                // 节点明确拒绝（余额不足、费用过低……）：交易没进内存池。回到 signed，下轮用同一份字节重试。
                try gate.with { l in _ = try l.resolveUnknown(withdrawalID: w.id, foundOnChain: false) }
                ctx.logger.warn("withdrawal.broadcast_rejected", ["id": .int(w.id), "error": .error(e)])
                return false
            }
            // 超时 / 连接断开 / “already known”：可能已经到达节点，留在 unknown，按哈希核对。
            ctx.logger.warn("withdrawal.broadcast_unknown", ["id": .int(w.id), "txHash": .string(hash), "error": .error(e)])
            return false
        }
    }

    static func isAlreadyKnown(_ message: String) -> Bool {
        let m = message.lowercased()
        return m.contains("already known") || m.contains("known transaction") || m.contains("already imported")
            || m.contains("nonce too low") || m.contains("already in")
    }

    /// unknown：用已存哈希查链（交易或收据）；查到 → broadcast，查不到 → signed（稍后用同一份字节重发）。
    func resolveUnknown(_ w: Withdrawal, _ ctx: WorkerContext) async throws -> Bool {
        guard let hashText = w.txHash else { return false }
        var found = try await isKnown(hashText)
        if !found { found = try await otherAttemptKnown(w) }
        // 哪个版本都查不到，而链上 nonce 已越过它：退回 signed 只会重发、得到 "nonce too low"、再回 unknown，无限循环。
        // 留在 unknown 并告警，等人工核查（与 track 里同一判断）。
        if !found, let n = w.nonce,
           try await client.transactionCount(try ChainAddress(hex: hotAddress), .latest) > UInt64(n) {
            let msg = "提现 #\(w.id) 的 nonce \(n) 已在链上被使用，但我们签过的交易都查不到：可能是重组中，或密钥在别处被使用。请人工核查。"
            let en = "withdrawal #\(w.id): nonce \(n) is used on chain but none of our signed transactions is found (a reorg, or the key used elsewhere). Check by hand."
            try gate.with { l in try l.store.insertAlert(kind: "withdraw.nonce_taken", message: msg, messageEn: en, at: clock.unixTime()) }
            ctx.logger.error("withdrawal.nonce_taken", ["id": .int(w.id), "nonce": .int(n)])
            return false
        }
        try gate.with { l in _ = try l.resolveUnknown(withdrawalID: w.id, foundOnChain: found) }
        ctx.logger.info("withdrawal.unknown_resolved", ["id": .int(w.id), "found": .bool(found), "txHash": .string(hashText)])
        if found { metrics.withdrawalTransitions.inc(["broadcast"]); return true }
        let fresh = try gate.with { l in try l.withdrawal(id: w.id) }
        if fresh.state == .signed {
            return try await broadcast(fresh, ctx)
        }
        return false
    }

    /// 已按上链处理过（确认 / 链上失败 / NOOP）的交易被重组掉：链上的 nonce 退到了它之前，交易也不在了。
    /// 不重签——用库里存的同一份字节重发（同一哈希，不可能变成两笔），并告警一次（critical）。账上已按上链记过，
    /// 重新打包后账与链就又一致了；打包不回来（新分支上余额不够等）时告警留着、对账会报差异，按应急预案处理。
    /// 以前没人发现：提现停在 confirmed、收款方没收到，后面的 nonce 永远卡住（QA）。
    func resurrectReorged(_ ctx: WorkerContext) async throws -> Int {
        let next = try gate.engineNextNonce(from: hotAddress)
        guard next > 0 else { return 0 }
        let onChain = Int64(try await client.transactionCount(try ChainAddress(hex: hotAddress), .latest))
        guard onChain < next else { return 0 }
        var resent = 0
        for nonce in onChain..<next where !ctx.shouldStop {
            guard let r = try gate.nonceRecord(from: hotAddress, nonce: nonce), let mined = r.minedHash,
                  let a = r.attempts.first(where: { $0.hash.lowercased() == mined.lowercased() }) else { continue }
            guard try await client.rebroadcastIfDropped(a) else { continue }
            resent += 1
            // 重新上链后手续费按新块的基础费算，可能与记过的不同（QA：差几 gwei，对账从此不平）：记下待核对，够确认后补调整分录。
            try gate.transaction { l in
                var list = try l.get(LedgerGate.recheckKey(hotAddress), as: [Int64].self) ?? []
                if !list.contains(nonce) { list.append(nonce); try l.put(LedgerGate.recheckKey(hotAddress), list) }
            }
            ctx.logger.error("withdrawal.reorged", ["nonce": .int(nonce), "txHash": .string(mined), "kind": .string(r.kind.rawValue), "ref": .int(r.ref)])
            let (what, whatEn) = r.label
            try gate.alertOnce("engine.reorged.\(hotAddress).\(nonce)", kind: "withdraw.reorged",
                               zh: "\(what) 的交易 \(mined)（nonce \(nonce)）已按上链记账，但被重组掉了：已用原字节重发（同一哈希）。确认它重新上链；若打包不回来，对账会报差异，按应急预案处理。",
                               en: "the transaction \(mined) of \(whatEn) (nonce \(nonce)) was booked as mined but a reorg removed it: re-sent with the same bytes (same hash). Check that it is mined again; if it is not, reconciliation will show the difference — follow the incident runbook.",
                               at: clock.unixTime())
        }
        return resent
    }

    /// 被重组掉、已重发的交易重新上链并够确认之后：手续费与记过的不同就补一条调整分录（热钱包 ↔ 手续费支出，幂等），
    /// 结果变了（以前成功、现在链上失败，或反过来）只告警不动账——那要人工判断。平时列表为空：每轮一次键读。
    func recheckReorged(_ ctx: WorkerContext) async throws -> Int {
        let list = try gate.get(LedgerGate.recheckKey(hotAddress), as: [Int64].self) ?? []
        guard !list.isEmpty else { return 0 }
        let head = try await client.blockNumber()
        var done: [Int64] = [], adjusted = 0
        for nonce in list where !ctx.shouldStop {
            guard let r = try gate.nonceRecord(from: hotAddress, nonce: nonce), let mined = r.minedHash else { done.append(nonce); continue }
            guard let rc = try await client.receipt(try H256(hex: mined)) else { continue }   // 还没重新上链：告警 withdraw.reorged 已在
            guard head >= rc.blockNumber, Int(head - rc.blockNumber + 1) >= confirmations else { continue }
            let w = r.kind == .withdrawal ? try gate.with { l in try l.withdrawal(id: r.ref) } : nil
            let bookedOK = r.bookedOK ?? w.map { $0.state == .confirmed || (try? isNoop(mined, r)) == true }   // 按上链记的是「成功」吗（NOOP 取消也是成功上链）
            let booked = r.bookedFee.flatMap { try? UInt256(decimal: $0) } ?? w?.fee
            let actual = rc.feePaid
            let (what, whatEn) = r.label
            if let ok = bookedOK, ok != rc.succeeded {
                try gate.alertOnce("engine.reorg_outcome.\(hotAddress).\(nonce)", kind: "withdraw.reorg_outcome_changed",
                                   zh: "\(what) 的交易 \(mined) 被重组后重新上链，链上结果与记账时不同（现在 status \(rc.succeeded ? 1 : 0)）：账没有自动改，按应急预案人工核对。",
                                   en: "the transaction \(mined) of \(whatEn) was mined again after a reorg with a different outcome (status \(rc.succeeded ? 1 : 0) now): the books were not changed automatically; reconcile by hand per the incident runbook.",
                                   at: clock.unixTime())
            } else if let booked, booked != actual {
                let ref = r.kind == .withdrawal ? "withdrawal:\(r.ref)" : "sweep:\(r.ref)"
                try gate.transaction { l in
                    try l.adjustNetworkFee(ref: ref, booked: booked, actual: actual, tag: rc.blockHash.hex.lowercased(),
                                           withdrawalID: r.kind == .withdrawal ? r.ref : nil)
                    var rr = r; rr.bookedFee = actual.decimalString
                    try l.putNonceRecord(from: hotAddress, rr)
                }
                adjusted += 1
                ctx.logger.warn("withdrawal.reorg_fee_adjusted", ["nonce": .int(nonce), "txHash": .string(mined), "booked": .amount(booked), "actual": .amount(actual)])
            } else if booked == nil {
                try gate.alertOnce("engine.reorg_fee.\(hotAddress).\(nonce)", kind: "withdraw.reorg_fee_unknown",
                                   zh: "\(what) 的交易 \(mined) 被重组后重新上链，但记账时的手续费没有记录（旧版本记的账）：实际手续费 \(actual.decimalString) wei，若对账有差异按此人工调整。",
                                   en: "the transaction \(mined) of \(whatEn) was mined again after a reorg, but the fee booked earlier was not recorded (booked by an older version): the actual fee is \(actual.decimalString) wei; adjust by hand if reconciliation differs.",
                                   at: clock.unixTime())
            }
            done.append(nonce)
        }
        if !done.isEmpty {
            try gate.transaction { l in
                let left = (try l.get(LedgerGate.recheckKey(hotAddress), as: [Int64].self) ?? []).filter { !done.contains($0) }
                try l.put(LedgerGate.recheckKey(hotAddress), left)
            }
        }
        return adjusted
    }

    func isKnown(_ hash: String) async throws -> Bool {
        let h = try H256(hex: hash)
        if try await client.transaction(h) != nil { return true }
        return try await client.receipt(h) != nil
    }

    func otherAttemptKnown(_ w: Withdrawal) async throws -> Bool {
        guard let n = w.nonce, let r = try gate.nonceRecord(from: hotAddress, nonce: n) else { return false }
        for a in r.attempts where a.hash != w.txHash { if try await isKnown(a.hash) { return true } }
        return false
    }

    // MARK: - 确认与卡住替换

    func track(_ w: Withdrawal, _ ctx: WorkerContext) async throws -> Bool {
        guard let nonce = w.nonce, let primary = w.txHash else { return false }
        let record = try gate.nonceRecord(from: hotAddress, nonce: nonce)
        let hashes = record?.attempts.map(\.hash) ?? [primary]
        let head = try await client.blockNumber()
        var cancel = try gate.get(WalletEngine.cancelKey(w.id), as: WithdrawalCancel.self)
        for h in hashes {
            guard let rc = try await client.receipt(try H256(hex: h)) else { continue }
            let conf = head >= rc.blockNumber ? Int(head - rc.blockNumber + 1) : 0
            guard conf >= confirmations else { return false }
            let fee = rc.feePaid
            let noop = try isNoop(h, record)
            try gate.transaction { l in
                if noop {
                    // 同一 nonce 上链的是我们的 NOOP：提现取消，冻结的钱现在（且只在现在）解冻；NOOP 的手续费由热钱包承担。
                    let (rq, ap) = (cancel?.requestedBy ?? "?", cancel?.approvedBy ?? "?")
                    _ = try l.markFailed(withdrawalID: w.id, fee: fee, reason: BilingualText.join(
                        zh: "已取消：同一 nonce 的 NOOP 交易 \(h) 上链（\(rq) 提出，\(ap) 批准）",
                        en: "cancelled: the same-nonce NOOP transaction \(h) was mined (requested by \(rq), approved by \(ap))"))
                    try l.appendAudit(operatorName: "system", action: "withdraw.cancelled", subject: String(w.id),
                                      details: ["noopHash": h, "nonce": String(nonce), "fee": fee.decimalString])
                    try l.store.insertAlert(kind: "withdraw.cancelled",
                                            message: "提现 #\(w.id) 已取消：同一 nonce 的 NOOP 上链，\(w.amount.decimalString)（最小单位）已解冻回用户。",
                                            messageEn: "withdrawal #\(w.id) was cancelled: the same-nonce NOOP landed and \(w.amount.decimalString) (base units) was unfrozen back to the user.",
                                            at: clock.unixTime())
                    cancel?.outcome = "done"
                } else if rc.succeeded {
                    _ = try l.markConfirmed(withdrawalID: w.id, fee: fee)
                    if cancel != nil && cancel?.outcome == nil { cancel?.outcome = "too_late" }
                } else {
                    _ = try l.markFailed(withdrawalID: w.id, fee: fee, reason: BilingualText.join(zh: "链上执行失败（receipt status 0），交易 \(h)",
                                                                                      en: "failed on chain (receipt status 0), transaction \(h)"))
                    if cancel != nil && cancel?.outcome == nil { cancel?.outcome = "too_late" }
                }
                if let c = cancel { try l.put(WalletEngine.cancelKey(w.id), c) }
                if cancel?.outcome == "too_late" {
                    try l.store.insertAlert(kind: "withdraw.cancel_too_late",
                                            message: "提现 #\(w.id) 的原交易 \(h) 先于 NOOP 上链：取消作废，提现照常记为 \(rc.succeeded ? "confirmed" : "failed")。",
                                            messageEn: "withdrawal #\(w.id): the original transaction \(h) landed before the NOOP; the cancel is void and the withdrawal is recorded as \(rc.succeeded ? "confirmed" : "failed").",
                                            at: clock.unixTime())
                }
                if var r = record { r.minedHash = h; r.bookedFee = fee.decimalString; r.bookedOK = rc.succeeded; try l.putNonceRecord(from: hotAddress, r) }
            }
            metrics.withdrawalTransitions.inc([rc.succeeded ? "confirmed" : "failed"])
            ctx.logger.log(rc.succeeded ? .info : .error, rc.succeeded ? "withdrawal.confirmed" : "withdrawal.failed",
                           ["id": .int(w.id), "txHash": .string(h), "block": .uint(rc.blockNumber), "fee": .amount(fee)])
            return true
        }
        // 没有收据：该 nonce 是否已被别的交易占用？
        let latest = try await client.transactionCount(try ChainAddress(hex: hotAddress), .latest)
        if latest > UInt64(nonce) {
            let msg = "提现 #\(w.id) 的 nonce \(nonce) 已在链上被使用，但我们签过的 \(hashes.count) 个版本都没有收据：可能是重组中，或密钥在别处被使用。请人工核查。"
            let en = "withdrawal #\(w.id): nonce \(nonce) is used on chain but none of our \(hashes.count) signed versions has a receipt (a reorg, or the key used elsewhere). Check by hand."
            try gate.with { l in try l.store.insertAlert(kind: "withdraw.nonce_taken", message: msg, messageEn: en, at: clock.unixTime()) }
            ctx.logger.error("withdrawal.nonce_taken", ["id": .int(w.id), "nonce": .int(nonce)])
            return false
        }
        guard var r = record, let last = r.attempts.last else { return false }
        // 已批准的取消：不等卡住计时，立刻用同一 nonce 的 NOOP 替换。
        if let c = cancel, c.approvedBy != nil, c.noopHash == nil, c.outcome == nil {
            return try await sendNoop(w, record: r, cancel: c, ctx)
        }
        let since = clock.unixTime() - (r.lastBroadcastAt ?? last.signedAt)
        guard since >= Int64(stuckAfterSeconds) else { return false }
        // 卡住了。先看是否被节点丢弃：丢弃的用同一份字节重发（无需新签名）。
        if try await client.rebroadcastIfDropped(last) {
            r.lastBroadcastAt = clock.unixTime()
            try gate.putNonceRecord(from: hotAddress, r)
            ctx.logger.warn("withdrawal.rebroadcast_dropped", ["id": .int(w.id), "nonce": .int(nonce), "txHash": .string(last.hash)])
            return true
        }
        return try await replace(w, record: r, ctx)
    }

    /// 这个版本是不是我们的 NOOP：提现不允许发往热钱包，所以「发给热钱包、0 值、无 data」只可能是取消用的 NOOP
    /// （NOOP 卡住后被加价替换，新版本也一样认得出来）。
    func isNoop(_ hash: String, _ record: NonceRecord?) throws -> Bool {
        try record?.isNoop(hash, hot: hotAddress) ?? false
    }

    /// 同一 nonce、发给热钱包自己、0 值的 NOOP；费用至少比上一个版本高 replacementBumpPercent，否则节点不接受替换。先落库再广播。
    func sendNoop(_ w: Withdrawal, record: NonceRecord, cancel: WithdrawalCancel, _ ctx: WorkerContext) async throws -> Bool {
        guard let signer = await signerProvider(), let last = record.attempts.last else { return false }
        guard let tier = fees.replacementTier(old: try last.gasPrice, current: fees.cached) else {
            _ = try gate.alertOnce("engine.cancel_cap.\(w.id)", kind: "withdraw.cancel_at_cap",
                               zh: "提现 #\(w.id) 的取消已批准，但 NOOP 要比原交易加价，会超过 fees.maxFeePerGasCap：未发出。提高上限后自动继续。",
                               en: "the cancel of withdrawal #\(w.id) is approved, but the NOOP must outbid the original and would exceed fees.maxFeePerGasCap; not sent. Raise the cap and it continues.",
                               at: clock.unixTime())
            return false
        }
        let noop = EthTransaction.eip1559(chainId: chainId, nonce: UInt64(record.nonce), maxPriorityFeePerGas: tier.maxPriorityFeePerGas,
                                          maxFeePerGas: tier.maxFeePerGas, gasLimit: 21_000, to: try EthereumAddress(string: hotAddress),
                                          value: .zero, data: [])
        let (r, signed) = try await record.appendingSigned(noop, price: tier, signer: signer, at: clock.unixTime())
        let hash = "0x" + Hex.encode(signed.hash)
        var c = cancel
        c.noopHash = hash
        try gate.transaction { l in
            try l.putNonceRecord(from: hotAddress, r)
            try l.put(WalletEngine.cancelKey(w.id), c)
            try l.appendAudit(operatorName: "system", action: "withdraw.noop_signed", subject: String(w.id),
                              details: ["nonce": String(record.nonce), "txHash": hash, "maxFeePerGas": tier.maxFeePerGas.decimalString])
        }
        _ = try? await client.sendRawTransaction(signed.raw)
        ctx.logger.warn("withdrawal.noop_sent", ["id": .int(w.id), "nonce": .int(record.nonce), "txHash": .string(hash)])
        return true
    }

    /// 同一 nonce、同一收款与金额、加价 ≥ replacementBumpPercent 的替换交易。先落库再广播。
    func replace(_ w: Withdrawal, record: NonceRecord, _ ctx: WorkerContext) async throws -> Bool {
        guard let signer = await signerProvider(), let last = record.attempts.last else { return false }
        guard let tier = fees.replacementTier(old: try last.gasPrice, current: fees.cached) else {
            let msg = "提现 #\(w.id)（nonce \(record.nonce)）卡住，但加价后会超过配置的费用上限，未替换。可提高 fees.maxFeePerGasCap 或等待。"
            let en = "withdrawal #\(w.id) (nonce \(record.nonce)) is stuck, but a bumped fee would exceed the configured cap; not replaced. Raise fees.maxFeePerGasCap or wait."
            try gate.with { l in try l.store.insertAlert(kind: "withdraw.stuck_at_cap", message: msg, messageEn: en, at: clock.unixTime()) }
            ctx.logger.warn("withdrawal.stuck_at_cap", ["id": .int(w.id), "nonce": .int(record.nonce)])
            return false
        }
        let (r, signed) = try await record.appendingSigned(try SignedEthTransaction.decode(raw: last.raw).transaction, price: tier,
                                                           signer: signer, at: clock.unixTime())
        let hash = "0x" + Hex.encode(signed.hash)
        try gate.putNonceRecord(from: hotAddress, r)
        do { _ = try await client.sendRawTransaction(signed.raw) } catch {
            ctx.logger.warn("withdrawal.replacement_broadcast_failed", ["id": .int(w.id), "error": .error(error)])
        }
        ctx.logger.warn("withdrawal.replaced", ["id": .int(w.id), "nonce": .int(r.nonce), "txHash": .string(hash),
                                                "maxFeePerGas": .amount(tier.maxFeePerGas)])
        return true
    }
}

/// 签名这一步失败（区别于库或节点的错误）：执行器停下这一轮的签名，跟踪完在途的之后让这一轮失败。
struct SignFailure: Error { let error: Error }
