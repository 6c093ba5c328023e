// 热钱包签名器：取得、真实健康检查、故障告警与恢复。「封存」「不可用」「错误」是三种不同的状态：
// 封存是有意的（恐慌按钮），不可用是设备或服务暂时够不着（令牌拔了、KMS 没起），错误是配置或设备给出了错的东西。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

/// 热钱包签名器的一次检查结果（运行中的引擎写进心跳，status 与控制台读它，而不是自己去猜）。
public struct SignerReport: Codable, Sendable, Equatable {
    /// ok / sealed / unavailable / error
    public var state: String
    public var keyId: String
    public var label: String?
    /// encrypted-db / hsm / kms（条目登记的层级；封存时也能从条目读出）。
    public var tier: String?
    /// 签名密钥自己的地址（条目记录的），与配置的热钱包地址比较。
    public var address: String?
    public var matchesConfig: Bool?
    public var latencyMillis: Int?
    public var checkedAt: Int64
    /// 最近一次故障（恢复后仍保留，值班能看到「上次什么时候、为什么」）。
    public var lastErrorCode: String?
    public var lastErrorMessage: String?
    public var lastErrorMessageEn: String?
    public var lastErrorAt: Int64?
}

extension WalletEngine {
    static let signerAlertKey = "engine.signer.alert"

    /// 已解封却不能签名的原因（nil = 没问题，或只是封存）。执行器据此让这一轮失败（`engine run --once` 退出 1）。
    public var signerFailure: String? { signerProblem.get }

    /// 最近一次检查的结果（本进程）。
    public var lastSignerReport: SignerReport? { signerReport.get }

    /// 热钱包签名器：一律经密钥库的统一 Signer（加密库 / HSM / KMS 同一接口；HSM 的 PIN 在密钥库里信封加密，
    /// 所以任何层都要求已解封）。封存或取不到时为 nil。不做设备检查、不清告警（状态页、心跳用）。
    public func hotWalletSigner() -> TransactionSigner? {
        enforceSealRequests()   // 恐慌按钮：别的进程刚请求了封存，就不能再签
        guard !keystore.isSealed else { note(state: "sealed", signer: nil, latency: nil); return nil }
        let s: KeystoreTxSigner
        do { s = try KeystoreTxSigner(keystore: keystore, keyId: config.hotWallet.keyId, latency: metrics.signerLatency) } catch {
            // 已解封却拿不到签名器（条目坏了、PIN 解不开）：这是事件，不是「已封存」。
            signerFailed("signer.unavailable", cause: error)
            return nil
        }
        // 签名密钥的地址必须就是配置的热钱包地址：keyId 指错（或密钥库里的条目被换）时宁可不签，也不能从别的地址发钱。
        guard s.address.lowercased == config.hotWallet.address.lowercased() else {
            logger.error("signer.address_mismatch", ["keyId": .string(config.hotWallet.keyId), "signer": .string(s.address.checksummed),
                                                     "configured": .string(config.hotWallet.address)])
            signerFailed("signer.address_mismatch", state: "error",
                         zh: "签名密钥 \(config.hotWallet.keyId) 的地址 \(s.address.checksummed) 不是配置的热钱包 \(config.hotWallet.address)：不签名。",
                         en: "signing key \(config.hotWallet.keyId) has address \(s.address.checksummed), not the configured hot wallet \(config.hotWallet.address): not signing.")
            return nil
        }
        return s
    }

    /// 给 worker 用：取得签名器，再对 HSM / KMS 做一次真实检查（令牌在、会话能登录、密钥能找到；KMS 能 ping 通）。
    /// 检查通过才算恢复（清告警、记 ok）；设备暂时够不着时 nil，下一轮（worker 的间隔就是有界的退避）再试，不用重启。
    public func usableHotSigner() async -> TransactionSigner? {
        // 故障中的有界退避（1、2、4、8、10、10… 秒）：不每轮都去敲一个刚拔掉的令牌，也不会等到有人重启。
        let now = clock.unixTime()
        if signerProblem.get != nil, now < signerRetry.get.at { return nil }
        guard let s = hotWalletSigner() else { backOff(now); return nil }
        var latency: Int?
        if let k = s as? KeystoreTxSigner, k.inner.tier == .hsm || k.inner.tier == .kms {
            let device = k.inner.tier == .hsm ? "HSM" : "KMS"
            switch await k.inner.health() {
            case .ok(let ms): latency = ms
            case .sealed: note(state: "sealed", signer: s, latency: nil); return nil
            case .unavailable(let reason):
                signerFailed("signer.unavailable", code: "signer.unavailable", zh: reason, en: "\(device) unavailable (see logs/engine.log)")
                backOff(now); return nil
            case .error(let code, let message):
                signerFailed("signer.unavailable", code: code, zh: message, en: "\(device) check failed with \(code)")
                backOff(now); return nil
            }
        }
        if signerRetry.get.failures > 0 { signerRetry.write { $0 = (0, 0) } }
        recovered()
        note(state: "ok", signer: s, latency: latency)
        return s
    }

    func backOff(_ now: Int64) {
        guard signerProblem.get != nil else { return }   // 只是封存：不退避
        let delay = signerRetry.write { r -> Int64 in
            r.failures += 1
            let d = min(Int64(1) << Int64(min(r.failures - 1, 4)), 10)
            r.at = now + d
            return d
        }
        logger.info("signer.retry", ["inSeconds": .int(delay), "failures": .int(Int64(signerRetry.get.failures))])
    }

    /// 签名本身失败（设备在检查之后掉了、服务报错、自检不过）：告警一次，执行器让这一轮失败。
    func signFailed(_ error: Error) {
        let code = WalletError.known(error)?.code.rawValue ?? "signer.failed"
        // 检查之后、签名之前刚好被封存（恐慌按钮）：这是封存，不是故障，不告警。
        if code == "keystore.sealed" { note(state: "sealed", signer: nil, latency: nil); return }
        let self_check = code == "signer.self_check_failed" || code == "signer.wrong_key" || code == "signer.no_recovery_id"
        signerFailed(self_check ? "signer.error" : "signer.unavailable", state: self_check ? "error" : "unavailable", cause: error)
    }

    func signerFailed(_ kind: String, state: String = "unavailable", cause: Error) {
        let w = WalletError(cause)
        signerFailed(kind, state: state, code: w.code.rawValue, zh: w.zh, en: w.en)
    }

    func signerFailed(_ kind: String, state: String = "unavailable", code: String? = nil, zh: String, en: String) {
        let id = config.hotWallet.keyId
        signerProblem.write { $0 = kind }
        logger.error(kind, ["keyId": .string(id), "cause": .string(code ?? kind)])
        let now = clock.unixTime()
        note(state: state, signer: nil, latency: nil, error: (code ?? kind, zh, en, now))
        // 同一个问题只告警一次（存库去重）；恢复后清除，再出问题再告警。
        let fullZh: String, fullEn: String
        switch kind {
        case "signer.address_mismatch": (fullZh, fullEn) = (zh, en)
        case "signer.error":
            fullZh = "热钱包签名器 \(id) 给出了错误的签名（\(code ?? kind)）：\(zh)。不签名；核对 signer status 与设备。"
            fullEn = "the hot-wallet signer \(id) returned a bad signature (\(code ?? kind)): \(en). Not signing; check signer status and the device."
        default:
            fullZh = "热钱包签名器 \(id) 不可用（\(code ?? kind)）：\(zh)。已批准的提现等待，恢复后自动继续。"
            fullEn = "the hot-wallet signer \(id) is unavailable (\(code ?? kind)): \(en). Approved withdrawals wait and resume when it recovers."
        }
        _ = try? gate.alertOnce(Self.signerAlertKey, kind: kind, zh: fullZh, en: fullEn, at: now)
        metrics.signerHealthy.set(0)
    }

    /// 恢复：只在本进程第一次成功、或刚从故障恢复时清一次（不在每次取签名器时写库）。
    func recovered() {
        let wasBroken = signerProblem.write { p -> Bool in defer { p = nil }; return p != nil }
        if wasBroken { logger.info("signer.recovered", ["keyId": .string(config.hotWallet.keyId)]) }
        if wasBroken || !signerAlertCleared.get {
            signerAlertCleared.write { $0 = true }
            _ = try? gate.alertOnce(Self.signerAlertKey, kind: nil, at: clock.unixTime())
        }
        metrics.signerHealthy.set(1)
    }

    /// 记下本次结果（保留上一次故障）。
    func note(state: String, signer: TransactionSigner?, latency: Int?, error: (String, String, String, Int64)? = nil) {
        // 条目元数据（标签、层级、地址）每轮都要：按 keyId 缓存，不在执行器的每一轮重读、重解析条目文件。
        let id = config.hotWallet.keyId
        let info = signerInfo.get.flatMap { $0.id == id ? $0 : nil } ?? (try? keystore.info(id: id)).map { i in signerInfo.write { $0 = i }; return i }
        let addr = signer?.address.checksummed ?? info?.address
        signerReport.write { r in
            var n = SignerReport(state: state, keyId: config.hotWallet.keyId, label: info?.label, tier: info?.tier.rawValue,
                                 address: addr, matchesConfig: addr.map { $0.lowercased() == config.hotWallet.address.lowercased() },
                                 latencyMillis: latency, checkedAt: clock.unixTime(),
                                 lastErrorCode: r?.lastErrorCode, lastErrorMessage: r?.lastErrorMessage,
                                 lastErrorMessageEn: r?.lastErrorMessageEn, lastErrorAt: r?.lastErrorAt)
            if let (c, zh, en, at) = error { n.lastErrorCode = c; n.lastErrorMessage = zh; n.lastErrorMessageEn = en; n.lastErrorAt = at }
            r = n
        }
        if state == "sealed" { metrics.signerHealthy.set(0) }
    }
}

// MARK: - 换热钱包签名器（signer use）

/// `signer use` 的结果。
public struct SignerChange: Sendable {
    public var keyId: String
    public var label: String
    public var tier: String
    public var oldKeyId: String
    public var oldAddress: String
    public var address: String
    public var addressChanged: Bool
}

extension WalletEngine {
    /// 让密钥库里的一把密钥（加密库种子 / 私钥、HSM、KMS）为热钱包签名。admin，需要管理员法定人数，写审计。
    /// 地址不变（同一把钥匙换了存放层）直接换；地址会变时必须明说（allowNewAddress），并且只在迁移是干净的时候：
    /// 账上热钱包余额为 0、没有占着 nonce 的提现或在途归集、新地址在链上从未发过交易（引擎独占它的 nonce）。
    /// 运行中的引擎在启动时读热钱包配置，所以它在跑时拒绝（先停，再换，再起）。
    public func useSigner(keyId: String, allowNewAddress: Bool, by op: Operator) async throws -> SignerChange {
        try authorize(op, .signerUse)
        let old = config.hotWallet
        guard let info = try? keystore.info(id: keyId) else {
            throw EngineError("signer.key_not_found", zh: "密钥库里没有密钥 \(keyId)：用 `keystore list` 查看 id（hsm keygen、kms keygen、ceremony 都会打印它）。",
                              en: "no key \(keyId) in the keystore: see `keystore list` for ids (hsm keygen, kms keygen and ceremony print them).", badInput: true)
        }
        guard let a = info.address, let addr = try? EthereumAddress(string: a) else {
            throw EngineError("signer.no_address", zh: "密钥 \(keyId)（\(info.kind.rawValue)）没有以太坊地址，不能当热钱包签名器。",
                              en: "key \(keyId) (\(info.kind.rawValue)) has no Ethereum address and cannot sign for the hot wallet.", badInput: true)
        }
        guard keyId != old.keyId else {
            throw EngineError("signer.unchanged", zh: "密钥 \(keyId) 已经是热钱包签名器，没有改动。", en: "key \(keyId) already signs for the hot wallet; nothing changed.", badInput: true)
        }
        if let e = runningEngine() {
            throw EngineError("signer.engine_running", zh: "引擎正在运行（pid \(e.pid)）：先停掉 engine run（SIGTERM 会等在途的一轮做完），换签名器后再启动。运行中的引擎只在启动时读热钱包配置。",
                              en: "an engine is running (pid \(e.pid)): stop engine run first (SIGTERM finishes the round in progress), switch, then start it again. A running engine reads the hot-wallet settings only at start.", badInput: true)
        }
        let changed = addr.lowercased != old.address.lowercased()
        if changed { try await checkAddressMigration(to: addr, keyId: keyId, allowed: allowNewAddress) }
        try quorumGate(op, .signerUse, summary: "signer use --key \(keyId)\(changed ? " --new-address" : "")",
                       payload: ["keyId": keyId, "newAddress": String(allowNewAddress)])
        var c = config
        c.hotWallet = HotWalletSettings(keyId: keyId, address: addr.checksummed)
        try c.validate()
        // 账本里的热钱包地址（对账、禁止提现到热钱包）与 config.json 同时换：先库（可撤销），再原子写配置；写配置失败就把库改回去。
        try gate.with { l in try l.setSetting(Ledger.Settings.hotWallet, addr.lowercased, by: op.name) }
        do { try c.save(home: home) } catch {
            try? gate.with { l in try l.setSetting(Ledger.Settings.hotWallet, old.address.lowercased(), by: op.name) }
            throw error
        }
        adoptConfig(c)
        try gate.with { l in
            try l.appendAudit(operatorName: op.name, action: "signer.use", subject: keyId,
                              details: ["tier": info.tier.rawValue, "address": addr.checksummed, "oldKeyId": old.keyId, "oldAddress": old.address,
                                        "cli": "signer use --key \(keyId)\(changed ? " --new-address" : "")", "via": "cli"])
        }
        logger.warn("signer.changed", ["keyId": .string(keyId), "tier": .string(info.tier.rawValue), "address": .string(addr.checksummed),
                                       "oldKeyId": .string(old.keyId), "operator": .string(op.name)])
        return SignerChange(keyId: keyId, label: info.label, tier: info.tier.rawValue, oldKeyId: old.keyId, oldAddress: old.address,
                            address: addr.checksummed, addressChanged: changed)
    }

    /// 换地址的前提（每一条都说清楚为什么、怎么办）。
    func checkAddressMigration(to addr: EthereumAddress, keyId: String, allowed: Bool) async throws {
        let old = config.hotWallet.address
        guard allowed else {
            throw EngineError("signer.address_change", zh: "密钥 \(keyId) 的地址是 \(addr.checksummed)，不是现在的热钱包 \(old)：换它会换热钱包地址。确认要换就加 --new-address；前提是旧热钱包账上余额为 0、没有在途交易，且新地址从未发过交易。",
                              en: "key \(keyId) has address \(addr.checksummed), not the current hot wallet \(old): using it changes the hot-wallet address. Add --new-address to confirm; this needs a zero hot-wallet balance in the books, nothing in flight, and a new address that never sent a transaction.", badInput: true)
        }
        let held = try gate.with { l in try l.balances(kind: .hotWallet).filter { !$0.net.magnitude.isZero } }
        if !held.isEmpty {
            let list = held.map { "\($0.ref.asset) \($0.net.negative ? "-" : "")\($0.net.magnitude.decimalString)" }.joined(separator: ", ")
            throw EngineError("signer.hot_wallet_not_empty", zh: "旧热钱包在账上还有 \(list)（最小单位）：新地址不会继承它，对账会失衡。先把它提走或转到冷钱包、确认上链，再换地址。",
                              en: "the old hot wallet still holds \(list) (base units) in the books: the new address would not inherit it and the books would no longer match the chain. Move it out and confirm first, then switch.", badInput: true)
        }
        let busy = try gate.with { l -> Int in
            try [WithdrawalState.signed, .broadcast, .unknown].reduce(0) { $0 + (try l.withdrawalCount(WithdrawalFilter(state: $1))) }
                + (try l.withdrawals(WithdrawalFilter(state: .approved), page: Page(limit: 1000)).filter { $0.nonce != nil }.count)
                + (try SweepState.allCases.filter { ![.confirmed, .deferred, .failed].contains($0) }.reduce(0) { $0 + (try l.sweeps(state: $1, page: Page(limit: 1000)).count) })
        }
        guard busy == 0 else {
            throw EngineError("signer.in_flight", zh: "还有 \(busy) 笔提现或归集占着旧热钱包的 nonce：等它们确认（engine run）后再换地址，否则它们永远不会上链。",
                              en: "\(busy) withdrawals or sweeps still hold nonces of the old hot wallet: let them confirm (engine run) before switching, or they never land.", badInput: true)
        }
        let used: UInt64
        do { used = try await client.transactionCount(try ChainAddress(hex: addr.lowercased), .pending) } catch {
            throw EngineError("signer.chain_unreachable", zh: "读不到新地址的链上 nonce（\(WalletError(error).code.rawValue)）：换地址前要确认它从未发过交易。检查节点后重试。",
                              en: "cannot read the new address's nonce on chain (\(WalletError(error).code.rawValue)): a new hot wallet must never have sent a transaction. Check the node and retry.", badInput: false)
        }
        guard used == 0 else {
            throw EngineError("signer.key_used", zh: "新地址 \(addr.checksummed) 在链上已经发过 \(used) 笔交易：引擎必须独占热钱包的 nonce。换一把新生成的密钥。",
                              en: "the new address \(addr.checksummed) has already sent \(used) transactions: the engine must own the hot wallet's nonces. Use a freshly generated key.", badInput: true)
        }
    }
}

extension WalletEngine {
    /// 令牌上的 PIN 改了（custodian / admin）：新 PIN 先在令牌上验证，再替换密钥库里存的那份；审计记下是谁、哪把密钥（不记 PIN）。
    public func updateHSMPin(keyId: String, pin: SecretBytes, by op: Operator) throws {
        try authorize(op, .hsmSetPin)
        guard !keystore.isSealed else { throw KeystoreError.sealed }
        try keystore.updateHSMPin(id: keyId, pin: pin)
        try recordAudit(op, action: "hsm.set_pin", subject: keyId, cli: "hsm set-pin --key \(keyId) --pin-file …", via: "cli")
        logger.warn("hsm.pin_updated", ["keyId": .string(keyId), "operator": .string(op.name)])
    }
}
