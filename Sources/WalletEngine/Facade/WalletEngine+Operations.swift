// WalletEngine 的查询类操作：状态、手续费、nonce 状态、资产。JSON 输出类型见 JSONOutput.swift。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

public struct EngineStatus: Sendable {
    public var chainId: UInt64
    public var chainKind: String
    /// 演示链时为 true：界面与 JSON 必须醒目标注。
    public var demo: Bool
    public var head: UInt64?
    public var scanHeight: UInt64?
    public var scanLag: UInt64?
    public var hotWalletAddress: String
    /// 资产 → 链上余额（基本单位十进制字符串）；读取失败的资产不出现。
    public var hotWalletBalances: [String: String]
    /// 同上，按资产小数位的显示形式（文本输出用；JSON 仍是最小单位——脚本的约定）。
    public var hotWalletBalancesShown: [String: String] = [:]
    public var endpoints: [EndpointHealth]
    public var seal: SealStatus
    public var signerTier: String?
    public var nodeError: String?
    /// 生效的设置（唯一来源：数据库 / config.json / policy.json）。
    public var settings: EffectiveSettings?
    /// 本机上正在运行的引擎（心跳）；nil = 没有在跑的引擎（seal 与 signerTier 是本查询进程自己的）。
    public var engine: WalletEngine.Heartbeat?
    /// 本查询进程自己对签名器的检查（没有运行中的引擎时显示它）。
    public var signer: SignerReport?
    /// 多引擎：登记的引擎与租约（单引擎部署时是一个或零个）。
    public var cluster: ClusterStatus = ClusterStatus()
    /// 需要值班处理的问题（机器码）；为空即 healthy。
    public var problems: [String] = []
    public var healthy: Bool { problems.isEmpty }
}

/// 集群视图：每个引擎、它持有的租约（角色）与心跳年龄；每个租约的持有者、令牌与剩余时间。
public struct ClusterStatus: Sendable {
    public struct Engine: Sendable {
        public var id: String, host: String, pid: Int64
        public var heartbeatAgeSeconds: Int64
        /// 心跳在一个租约周期内 = 活着——与接管的判断（EngineCluster：心跳超过租期的持有者不再算数）同一个标准。
        /// 以前是两个租期：被 kill -9 的引擎在别人接管之后还显示 alive 近 10 秒（QA）。
        public var alive: Bool
        public var roles: [String]
    }
    public struct Lease: Sendable {
        public var name: String, holder: String, token: Int64
        public var heldForSeconds: Int64
        /// ≤ 0 = 已过期（等人接管）。
        public var expiresInSeconds: Int64
    }
    public var engines: [Engine] = []
    public var leases: [Lease] = []
}

public struct NonceStatus: Sendable {
    public var address: String
    /// 引擎已分配的下一个 nonce。
    public var nextNonce: Int64
    public var chainLatest: UInt64?
    public var chainPending: UInt64?
    /// 已分配、尚未上链的 nonce 及其状态。
    public var inFlight: [(nonce: Int64, kind: String, ref: Int64, state: String, attempts: Int)]
    /// 缺口：已分配但既没有签名交易、也不在途的 nonce（会卡住后面所有交易）。
    public var gaps: [Int64]
    /// 链上 nonce 超过引擎记录：密钥在别处被使用。
    public var externalUse: Bool
    /// 已按上链记账、却被重组掉的 nonce（链上计数退到了它们之前）。
    public var reorged: [Int64] = []
    public var ok: Bool { gaps.isEmpty && !externalUse && reorged.isEmpty }
}

extension WalletEngine {
    public var hotAddress: String { config.hotWallet.address.lowercased() }
    /// 配置了外部任务队列（Redis）时确认连得上（连接是第一次用到时才建的；只读命令用不到它）。
    public func checkJobQueue() throws {
        try gate.with { l in _ = try l.jobQueue?.count(state: .pending) }
    }

    /// 「链上 nonce 超过引擎记录、已停止签名」的记号（也是告警去重的键）。
    static func nonceExternalUseKey(_ address: String) -> String { "engine.nonce_external_use.\(address.lowercased())" }

    /// 链上余额（原生或 ERC-20）。
    public func chainBalance(address: String, asset: Asset) async throws -> UInt256 {
        try await ReconcileWorker.Reader(client: client).balance(address: address, asset: asset)
    }

    public func status() async -> EngineStatus {
        var head: UInt64?
        var nodeError: String?
        do { head = try await client.blockNumber() } catch { nodeError = WalletError(error).code.rawValue }
        let height = try? scanStore.height()
        var balances: [String: String] = [:], shown: [String: String] = [:]
        if nodeError == nil, let assets = try? gate.with({ l in try l.store.allAssets() }) {
            for a in assets {
                if let b = try? await chainBalance(address: hotAddress, asset: a) { balances[a.symbol] = b.decimalString; shown[a.symbol] = a.format(b) }
            }
        }
        chain.exportBreakers(metrics)
        let lag: UInt64? = head.map { h in h > (height ?? 0) ? h - (height ?? 0) : 0 }
        var st = EngineStatus(chainId: config.chain.id, chainKind: config.chain.kind.rawValue, demo: config.isDemo, head: head,
                              scanHeight: height, scanLag: lag, hotWalletAddress: config.hotWallet.address,
                              hotWalletBalances: balances, endpoints: chain.health, seal: keystore.status(),
                              signerTier: hotWalletSigner()?.tier, nodeError: nodeError, settings: try? effectiveSettings())
        st.hotWalletBalancesShown = shown
        st.engine = runningEngine()
        if st.engine == nil { _ = await usableHotSigner(); st.signer = lastSignerReport }
        if let r = st.engine?.signer ?? st.signer, r.state == "unavailable" || r.state == "error" { st.problems.append("signer.\(r.state)") }
        // 运行中的引擎被封存（恐慌按钮）：有意的，但监控必须看得见——它不签名，已批准的提现在等。
        if st.engine?.sealed == true { st.problems.append("engine.sealed") }
        // 没有一个健康的节点（不可达、chainId 不符）就是问题：status 退出 1，值班一眼能看到。
        if let e = nodeError { st.problems.append(e == "chain.chain_id_mismatch" ? "node.chain_id_mismatch" : "node.unreachable") }
        for e in chain.health where e.disabled && !st.problems.contains("node.chain_id_mismatch") { st.problems.append("node.chain_id_mismatch") }
        if scannerHalt() != nil { st.problems.append("scanner.halted") }
        if st.settings?.policy.tampered == true { st.problems.append("policy.tampered") }
        // 签名因链上 nonce 超过引擎记录而停着、最近一次对账有差异：以前 status 照样 healthy、退出 0，监控看不到（QA）。
        let (external, lastMismatches) = (try? gate.with { l in
            (try l.store.setting(Self.nonceExternalUseKey(hotAddress)), try l.store.setting(Ledger.lastReconcileMismatchesKey))
        }) ?? (nil, nil)
        if external == "nonce.external_use" { st.problems.append("nonce.external_use") }
        if let n = Int(lastMismatches ?? ""), n > 0 { st.problems.append("reconcile.mismatch") }
        // Redis 停着：引擎照常扫块、入账、签名，只是运维任务（立即归集、立即对账…）进不了队列——status 照常打印，点名这个问题。
        if config.queueURL != nil, (try? checkJobQueue()) == nil { st.problems.append("queue.unreachable") }
        st.cluster = (try? clusterStatus()) ?? ClusterStatus()
        return st
    }

    /// 已按上链记账、被重组拿掉并用原字节重发、还没重新上链够确认的提现（id）。来源是执行器的待核对列表（唯一的记号），平时为空。
    public func withdrawalsAwaitingReconfirmation() throws -> Set<Int64> {
        let hot = hotAddress
        return try gate.with { l in
            var ids = Set<Int64>()
            for nonce in try l.get(LedgerGate.recheckKey(hot), as: [Int64].self) ?? [] {
                if let r = try l.nonceRecord(from: hot, nonce: nonce), r.kind == .withdrawal { ids.insert(r.ref) }
            }
            return ids
        }
    }

    /// 租约名按「前缀 + 数字」排：credit:7 在 credit:10 之前（按文本排 credit:10 会排在前面，QA）。
    static func leaseOrder(_ a: String, _ b: String) -> Bool {
        // 键（前缀, 数字）按元组比较，是全序；不是「前缀:数字」的名字整个当前缀。
        func key(_ s: String) -> (String, Int) {
            guard let i = s.lastIndex(of: ":"), let n = Int(s[s.index(after: i)...]), n >= 0 else { return (s, -1) }
            return (String(s[..<i]), n)
        }
        return key(a) < key(b)
    }

    public func clusterStatus() throws -> ClusterStatus {
        let now = clock.unixTime()
        let (engines, leases) = try gate.with { l in (try l.store.engines(), try l.store.leases()) }
        let live = leases.filter { $0.expiresAt > now }
        let ttl = EngineCluster.leaseTTLSeconds
        // 过期的入账分片租约不列：没有谁在「等着接管」它——leader 给没有活引擎持有的分片入账（以前故障转移后列出十几条「已过期」，QA）。
        // leader 的角色里加 credit:rest，说明它也在给其余分片入账（以前看不出 leader 自己入账）。
        let shown = leases.filter { !($0.name.hasPrefix("credit:") && $0.expiresAt <= now) }.sorted { Self.leaseOrder($0.name, $1.name) }
        let leader = live.first { $0.name == EngineCluster.leaderLease }?.holder
        return ClusterStatus(
            engines: engines.map { e in
                .init(id: e.id, host: e.host, pid: e.pid, heartbeatAgeSeconds: now - e.heartbeatAt, alive: now - e.heartbeatAt <= ttl,
                      roles: live.filter { $0.holder == e.id }.map(\.name).sorted(by: Self.leaseOrder) + (e.id == leader ? ["credit:rest"] : []))
            },
            leases: shown.map { .init(name: $0.name, holder: $0.holder, token: $0.token, heldForSeconds: now - $0.acquiredAt,
                                      expiresInSeconds: $0.expiresAt - now) })
    }

    /// 手续费：baseFee、nextBaseFee 与 slow/normal/fast（各含 maxFeePerGas、maxPriorityFeePerGas），外加输入说明。
    public func feesJSON() async throws -> FeesJSON {
        let e = try await fees.refresh()
        let s = FeeSnapshot(e)
        try gate.put("engine.fees.latest", s)
        return FeesJSON(baseFee: s.baseFee, nextBaseFee: s.nextBaseFee, slow: .init(s.slow), normal: .init(s.normal), fast: .init(s.fast),
                        inputs: .init(oldestBlock: s.oldestBlock, blockCount: s.blockCount, percentiles: [10, 50, 90],
                                      baseFeeMarginPercent: config.fees.baseFeeMarginPercent, nodeSuggestedTip: e.nodeSuggestedTip?.decimalString),
                        warnings: s.warnings)
    }

    /// nonce 状态：引擎记录 vs 链上 latest/pending，在途交易与缺口。
    public func nonceStatus() async throws -> NonceStatus {
        let addr = hotAddress
        let next = try gate.engineNextNonce(from: addr)
        var latest: UInt64?, pending: UInt64?
        if let a = try? ChainAddress(hex: addr) {
            latest = try? await client.transactionCount(a, .latest)
            pending = try? await client.transactionCount(a, .pending)
        }
        let floor = Int64(latest ?? 0)
        var inFlight: [(Int64, String, Int64, String, Int)] = []
        var gaps: [Int64] = [], reorged: [Int64] = []
        if next > floor {
            for n in floor..<next {
                let rec = try gate.nonceRecord(from: addr, nonce: n)
                if let r = rec {
                    // 已按上链记过账（有 minedHash），链上的计数却还没到它：被重组掉了（引擎会用原字节重发并告警 withdraw.reorged）。
                    if r.minedHash != nil, latest != nil { reorged.append(n) }
                    var state = r.minedHash == nil ? "in_flight" : "mined"
                    if r.kind == .withdrawal, let w = try? gate.with({ l in try l.withdrawal(id: r.ref) }) { state = w.state.rawValue }
                    inFlight.append((n, r.kind.rawValue, r.ref, state, r.attempts.count))
                } else {
                    // 已预留给某笔提现但尚未签名（崩溃在预留与签名之间）：不是缺口，下一轮会用同一个 nonce 签名。
                    let reserved = try gate.with { l in
                        try l.withdrawals(WithdrawalFilter(state: .approved), page: Page(limit: 1000)).first { $0.nonce == n }
                    }
                    if let w = reserved { inFlight.append((n, "withdrawal", w.id, "approved(nonce reserved)", 0)) } else { gaps.append(n) }
                }
            }
        }
        let external = Int64(pending ?? 0) > next
        if !gaps.isEmpty { metrics.nonceGaps.set(gaps.count) } else { metrics.nonceGaps.set(0) }
        return NonceStatus(address: addr, nextNonce: next, chainLatest: latest, chainPending: pending,
                           inFlight: inFlight.map { (nonce: $0.0, kind: $0.1, ref: $0.2, state: $0.3, attempts: $0.4) },
                           gaps: gaps, externalUse: external, reorged: reorged)
    }
}
