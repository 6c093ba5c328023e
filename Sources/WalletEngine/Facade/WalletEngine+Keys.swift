// 密钥：层级状态、封存/解封（口令或 Shamir 份额）、密钥仪式。封存状态与 wallet_keystore_sealed 指标只在这里改。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

/// 一个密钥条目的事实（全部非机密）。
public struct KeyFact: Sendable {
    public var keyId: String
    public var label: String
    public var tier: String
    public var kind: String
    public var signatures: Int
    public var lastUse: String?
    public var kekVersion: Int?
    public var usable: Bool
}

// MARK: - 密钥层级与封存（控制台 Keys 页）

extension WalletEngine {
    /// 封存状态（sealed/unsealed、份额模式的 t/n 与进度）。
    public func sealStatus() -> SealStatus { keystore.status() }

    /// 提交一份 Shamir 份额；凑够阈值自动解封。
    public func unseal(share: SecretBytes) throws -> Keystore.UnsealProgress {
        let p = try keystore.unseal(share: share)
        if p.unsealed { metrics.sealed.set(0); logger.info("keystore.unsealed", ["via": "shares"]) }
        return p
    }

    /// 操作员解封（控制台）：在引擎里授权（custodian/admin）并写审计。
    /// 恐慌按钮（custodian/admin）：封存本进程，并写封存请求让每个运行中的引擎在 2 秒内丢弃全部密钥材料。
    /// 已批准的提现等待，什么都不丢；解封只能由持有口令/份额的人重启引擎或在控制台里做。
    @discardableResult
    public func requestSeal(by op: Operator, via: String) throws -> Keystore.SealRequest {
        try authorize(op, .keystoreSeal)
        let r = try keystore.requestSeal(by: op.name, via: via)
        metrics.sealed.set(1)
        // 多引擎（别的主机上的引擎）：封存请求文件在本机的密钥库目录里，别的主机看不到——再写一份到共用的库里，每个引擎的
        // seal-watch 每 500 ms 看一眼（QA：在 B 上按恐慌按钮，A 接过签名租约接着签）。库不可达时本机照样已封存，报错让人知道别处没封。
        let token = "\(r.generation)-\(clock.unixTime())-\(Hex.encode(try SecureRandom.bytes(4)))"
        try gate.put(Self.clusterSealKey, ClusterSealRequest(token: token, at: clock.unixTime(), operatorName: op.name, via: via))
        clusterSealSeen.write { $0 = .some(token) }
        try recordAudit(op, action: "keystore.seal", subject: "generation \(r.generation)", cli: "keystore seal", via: via)
        logger.warn("keystore.seal_requested", ["operator": .string(op.name), "via": .string(via), "generation": .int(Int64(r.generation))])
        return r
    }

    /// 运行中引擎的心跳：封存状态、签名器的真实检查结果、等待签名的提现，存进账本 KV（engine.runtime）。
    public struct Heartbeat: Codable, Sendable, Equatable {
        public var pid: Int32
        public var at: Int64
        public var sealed: Bool
        public var signerTier: String?
        public var signerKeyId: String
        public var signerAddress: String
        public var lastSealBy: String?
        public var lastSealAt: Int64?
        /// 本引擎看到的封存开始时间（解封后为 nil）。
        public var sealedSince: Int64?
        /// 热钱包签名器最近一次检查（state: ok / sealed / unavailable / error）。
        public var signer: SignerReport?
        /// 已批准、还没签名的提现数，以及为什么在等（keystore.sealed / signer.* / withdraw.insufficient_liquidity；nil = 下一轮就签）。
        public var approvedWaiting: Int?
        public var waitingReason: String?
    }
    /// 心跳的键：每个 home 一个（按 home 的锁文件身份）。多个引擎共用一个 PostgreSQL 时各写各的——以前全库一个键，
    /// `status --home hA` 报的是最后写心跳的 hB 的 pid 与封存状态（QA）。单机 SQLite 的库只属于一个 home，写法相同。
    var heartbeatKey: String { Self.heartbeatKey(lockID: ProcessLock.identity(ofFileAt: home.lockFile)) }
    static func heartbeatKey(lockID id: String) -> String { id.isEmpty ? "engine.runtime" : "engine.runtime.\(id)" }

    public func writeHeartbeat() throws {
        let req = keystore.lastSealRequest
        let sealed = keystore.isSealed
        let tier = sealed ? nil : hotWalletSigner()?.tier
        let now = clock.unixTime()
        let since = sealedSince.write { s -> Int64? in
            if !sealed { s = nil } else if s == nil { s = (req.map { $0.at >= startedAt } ?? false) ? req!.at : now }
            return s
        }
        let waiting = (try? gate.with { l in try l.withdrawalCount(WithdrawalFilter(state: .approved)) }) ?? 0
        // 告警条数按类别进指标（类别里 ':' 之后是资产等细节，不进标签，保持低基数）。
        if let counts = try? gate.with({ l in try l.alertCounts() }) {
            var byKind: [String: Int] = [:]
            for (k, n) in counts { byKind[String(k.prefix { $0 != ":" }), default: 0] += n }
            for (k, n) in byKind { metrics.alerts.set(n, [k]) }
        }
        var reason: String?
        if waiting > 0 {
            let external = (try? gate.with { l in try l.store.setting(Self.nonceExternalUseKey(hotAddress)) }) ?? nil
            if sealed { reason = "keystore.sealed" } else if let p = signerFailure { reason = p } else if external == "nonce.external_use" { reason = "nonce.external_use" } else {
                let short = try? gate.with { l in try l.store.allAssets().map(\.symbol).filter { !((try l.setting("engine.liquidity.\($0)")) ?? "").isEmpty } }
                if let a = short?.first { reason = "withdraw.insufficient_liquidity:\(a)" }
            }
        }
        try gate.put(heartbeatKey, Heartbeat(pid: getpid(), at: now, sealed: sealed, signerTier: tier,
                                                   signerKeyId: config.hotWallet.keyId, signerAddress: config.hotWallet.address,
                                                   lastSealBy: req?.operatorName, lastSealAt: req?.at, sealedSince: since,
                                                   signer: signerReport.get.map { r in var r = r; if sealed { r.state = "sealed" }; return r },
                                                   approvedWaiting: waiting, waitingReason: reason))
    }

    /// 本机上正在运行的（另一个）引擎的心跳：10 秒内写过、进程还活着。
    public func runningEngine() -> Heartbeat? {
        guard let h = try? gate.get(heartbeatKey, as: Heartbeat.self), h.pid != getpid(), clock.unixTime() - h.at <= 10,
              kill(h.pid, 0) == 0 || errno == EPERM else { return nil }
        return h
    }

    /// 集群封存请求（库里一份，所有引擎共用）。令牌每次不同；引擎只比「变没变」。
    struct ClusterSealRequest: Codable, Sendable, Equatable {
        var token: String
        var at: Int64
        var operatorName: String
        var via: String
    }
    static let clusterSealKey = "cluster.seal.request"

    /// 别的主机上按下的封存（库里的 cluster.seal.request）：本进程解封着、且这条请求是它上次看过之后来的 → 照本机封存请求封存
    /// （也写本机的封存请求文件：同一台主机上的其他进程一并封存）。封存着时看到的请求只记下，不影响之后的解封。
    /// 第一次看到的请求按时间判断：本进程启动之前按下的不执行（带口令启动 = 有人有意解封），之后按下的执行。返回是否因此封存。
    @discardableResult
    public func enforceClusterSeal() -> Bool {
        // 读不到（库暂时不可达）：这一轮不算看过。库里没有请求也是「看过」——之后第一次出现的请求要执行，不能被当成基线。
        let stored: ClusterSealRequest?
        do { stored = try gate.get(Self.clusterSealKey, as: ClusterSealRequest.self) } catch { return false }
        let act = clusterSealSeen.write { seen -> Bool in
            defer { seen = .some(stored?.token) }
            guard let r = stored, !keystore.isSealed else { return false }
            // 第一次看：本进程启动之后才按下的（例如正在用口令解封的那半秒里按下，QA 第五轮：被当成基线、解封后照签）要执行；
            // 启动之前的（昨天的）不执行——带口令启动是有意解封。秒级时间，同一秒算「之后」：宁可多封一次。
            guard case .some(let last) = seen else { return r.at >= startedAt }
            return last != r.token
        }
        guard act, let r = stored else { return false }
        let local = try? keystore.requestSeal(by: r.operatorName, via: "cluster:\(r.via)")
        noteSealedByRequest(operatorName: r.operatorName, via: "cluster:\(r.via)", generation: local?.generation)
        return true
    }

    /// 运行中的引擎：有新的封存请求就立即封存（每 500 ms 与每次取签名器之前）。返回是否因此封存。
    @discardableResult
    public func enforceSealRequests() -> Bool {
        guard let r = keystore.enforceSealRequests() else { return false }
        noteSealedByRequest(operatorName: r.operatorName, via: r.via, generation: r.generation)
        return true
    }

    /// 因封存请求（本机的，或 via 以 cluster: 开头的集群请求）封存之后：指标、日志、告警——两条路径共用一处。
    private func noteSealedByRequest(operatorName: String, via: String, generation: Int?) {
        metrics.sealed.set(1)
        logger.warn("keystore.sealed_by_request", ["operator": .string(operatorName), "via": .string(via), "generation": .int(Int64(generation ?? 0))])
        let cluster = via.hasPrefix("cluster:")
        let (zhHow, enHow) = cluster ? ("在集群里封存", "sealed cluster-wide") : ("封存", "sealed")
        let (zhWho, enWho) = cluster ? ("本主机的引擎", "this host's engine") : ("引擎", "the engine")
        let (zhFix, enFix) = cluster ? ("每台主机各自重启 engine run 并提供解封口令或份额", "restart engine run on each host with the unseal passphrase or shares")
                                     : ("重启 engine run 并提供解封口令或份额", "restart engine run with the unseal passphrase or shares")
        try? gate.with { l in
            try l.store.insertAlert(kind: "keystore.sealed",
                                    message: "密钥库已由 \(operatorName) \(zhHow)（\(via)）：\(zhWho)丢弃了全部密钥材料、停止签名，已批准的提现等待。解封：\(zhFix)，或在控制台里解封。",
                                    messageEn: "the keystore was \(enHow) by \(operatorName) (\(via)): \(enWho) dropped all key material and stopped signing; approved withdrawals wait. To unseal, \(enFix), or unseal from the console.",
                                    at: clock.unixTime())
        }
    }

    public func unseal(passphrase: SecretBytes, by op: Operator, via: String) throws {
        try authorize(op, .keystoreUnseal)
        try unseal(passphrase: passphrase)
        try recordAudit(op, action: "keystore.unseal", subject: "passphrase", cli: "keystore unseal", via: via)
    }

    public func unseal(share: SecretBytes, by op: Operator, via: String) throws -> Keystore.UnsealProgress {
        try authorize(op, .keystoreUnseal)
        let p = try unseal(share: share)
        try recordAudit(op, action: "keystore.unseal.share", subject: "\(p.submitted)/\(p.threshold)", cli: "keystore unseal --share-file -", via: via)
        return p
    }

    /// 最近的基础费走势（控制台画迷你折线图；wei/gas）。
    public func baseFeeTrend() async -> [UInt256] {
        if let c = fees.cached { return c.baseFeeTrend }
        return (try? await fees.refresh().baseFeeTrend) ?? []
    }
    public func keyFacts() -> (seal: SealStatus, keys: [KeyFact]) {
        let st = keystore.status()
        let list = (try? keystore.list()) ?? []
        let facts = list.map { k -> KeyFact in
            let u = keystore.usage(id: k.id)
            let tier: String
            switch k.tier {
            case .hsm: tier = "hsm"
            case .kms: tier = "kms"
            case .tee: tier = "tee"
            case .encryptedDB: tier = "db"
            }
            let usable = !st.sealed  // 各层都经密钥库签名（HSM 的 PIN 也在密钥库里），封存即不可用
            return KeyFact(keyId: k.id, label: k.label, tier: tier, kind: k.kind.rawValue, signatures: u.signatures,
                                  lastUse: u.lastUsed, kekVersion: try? keystore.kekVersion(id: k.id), usable: usable)
        }
        return (st, facts)
    }


    /// 开始一次密钥仪式（keystore 的 CeremonyEngine；keystore 必须已解封）。
    public func startCeremony(by op: Operator, label: String) throws -> CeremonyEngine {
        try authorize(op, .ceremonyStart)
        let c = try CeremonyEngine(keystore: keystore, operatorName: op.name, label: label)
        try recordAudit(op, action: "ceremony.start", subject: label, cli: "ceremony --label \(label)", via: "console")
        return c
    }

    /// 仪式结束（完成或中止）也写进账本的哈希链审计：以前只有开始，审计里看不出它是否产出了一把密钥（issue 14）。
    /// 只记公开的事实（密钥 id、指纹），助记词与份额从不进审计。
    public func recordCeremonyEnd(_ c: CeremonyEngine, by op: Operator, completed: Bool) throws {
        var details = ["cli": cliTwin("ceremony --label " + ShellWords.join([c.label]), op), "via": "console"]
        if completed, let s = c.summary { details["keyId"] = s.keyId; details["fingerprint"] = s.fingerprint }
        try gate.with { l in
            try l.appendAudit(operatorName: op.name, action: completed ? "ceremony.complete" : "ceremony.abort", subject: c.label, details: details)
        }
    }
}

extension WalletEngine {
    /// 最近区块的 base fee（wei），给走势小图。
    public func recentBaseFees(blocks: Int = 30) async throws -> [UInt256] {
        let h = try await client.feeHistory(blockCount: blocks, newest: .latest, percentiles: [])
        return h.baseFeePerGas
    }

    public func headAndScanHeight() async -> (head: UInt64?, scanned: UInt64?) {
        let head = try? await client.blockNumber()
        return (head, try? scanStore.height())
    }

}
