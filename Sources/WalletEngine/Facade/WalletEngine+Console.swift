// 控制台需要、而引擎门面尚未提供的操作（接线 helper 拥有本文件）。
// 这里只调用引擎已持有的账本 / 密钥库 / 链接口，控制台自己从不碰 SQL 或 C 加密。
// 另含演示 home 的创建与开局剧情（`wallet-console demo`）：演示链 + 种子操作员 + 等待审批的提现。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

// MARK: - 控制台读取

/// 一个密钥条目在控制台上的事实（全部非机密）。
public struct ConsoleKeyFact: Sendable {
    public var keyId: String
    public var label: String
    public var tier: String
    public var kind: String
    public var signatures: Int
    public var lastUse: String?
    public var kekVersion: Int?
    public var usable: Bool
}

/// 提现详情所需的额外事实。
public struct ConsoleWithdrawalFacts: Sendable {
    public var withdrawal: Withdrawal
    public var asset: Asset
    public var allowlist: AllowlistEntry?
    public var velocity: (perUser: UInt256?, global: UInt256?)
    public var velocityLimit: (perUser: String?, global: String?, windowSeconds: Int64?)
    public var feeEstimateWei: UInt256?
    /// 目标地址的 EIP-55 校验和形式；地址无效时为 nil。
    public var checksummed: String?
}

extension WalletEngine {
    /// 操作员登录（口令常量时间比较在账本里）。
    public func consoleLogin(name: String, passphrase: SecretBytes) throws -> Operator {
        try gate.with { l in try l.authenticate(name: name, passphrase: passphrase) }
    }

    /// 按名字取操作员（演示模式免口令登录种子操作员时用）。
    public func consoleOperator(named name: String) throws -> Operator? {
        try gate.with { l in try l.operators().first { $0.name == name } }
    }

    public func consoleAsset(_ symbol: String) -> Asset? { try? gate.with { l in try l.asset(symbol) } }

    public func consoleDeposits(offset: Int, limit: Int) throws -> (rows: [WalletLedger.Deposit], total: Int) {
        try gate.with { l in
            (try l.deposits(DepositFilter(), page: WalletLedger.Page(limit: limit, offset: offset)), try l.depositCount(DepositFilter()))
        }
    }

    public func consoleWithdrawals(state: WalletLedger.WithdrawalState? = nil, offset: Int, limit: Int) throws -> (rows: [Withdrawal], total: Int) {
        let f = WithdrawalFilter(state: state)
        return try gate.with { l in (try l.withdrawals(f, page: WalletLedger.Page(limit: limit, offset: offset)), try l.withdrawalCount(f)) }
    }

    public func consoleWithdrawal(id: Int64) throws -> Withdrawal { try gate.with { l in try l.withdrawal(id: id) } }

    /// 详情：白名单、限速已用额度与上限、当前手续费估算（21000 或 65000 gas × normal maxFee）。
    public func consoleWithdrawalFacts(id: Int64) throws -> ConsoleWithdrawalFacts {
        try gate.with { l in
            let w = try l.withdrawal(id: id)
            let a = try l.asset(w.asset)
            let allow = try? l.allowlistEntry(w.to)
            let vel = (try? l.velocityUsage(w)) ?? (nil, nil)
            let rule = l.policy.rules.first { $0.name == w.rule }
            var fee: UInt256?
            if let e = fees.cached, let g = fees.withdrawalTier(e) {
                fee = g.maxFeePerGas * UInt256(a.contract == nil ? 21_000 : 65_000)
            }
            return ConsoleWithdrawalFacts(withdrawal: w, asset: a, allowlist: allow, velocity: vel,
                                          velocityLimit: (rule?.perUser?.maxAmount, rule?.global?.maxAmount,
                                                          rule?.perUser?.windowSeconds ?? rule?.global?.windowSeconds),
                                          feeEstimateWei: fee, checksummed: (try? EthereumAddress(string: w.to))?.checksummed)
        }
    }

    /// 审批走引擎门面（账本策略 + 指标 + 日志），与 CLI `withdraw approve` 同一路径。
    public func consoleApprove(id: Int64, by op: Operator) throws -> Withdrawal {
        try approve(withdrawalID: id, by: op)
    }

    public func consoleReject(id: Int64, reason: String, by op: Operator) throws -> Withdrawal {
        try reject(withdrawalID: id, reason: reason, by: op)
    }

    public func consoleAudits(offset: Int, limit: Int) throws -> (rows: [AuditRecord], total: Int) {
        try gate.with { l in (try l.audits(AuditFilter(), page: WalletLedger.Page(limit: limit, offset: offset)), try l.auditCount(AuditFilter())) }
    }

    /// 死信（JobQueue 中 state=dead 的任务）。
    public func consoleDeadLetters(limit: Int) throws -> [Job] {
        try gate.with { l in
            guard let q = l.jobQueue else { return [] }
            return try q.jobs(state: .dead, queue: nil, page: WalletLedger.Page(limit: limit))
        }
    }

    public func consoleRequeue(jobID: Int64, by op: Operator) throws -> Job {
        try gate.with { l in
            guard let q = l.jobQueue else {
                throw EngineError("jobs.no_queue", zh: "账本没有任务队列。", en: "the ledger has no job queue.")
            }
            return try l.requeueJob(id: jobID, by: op, queue: q)
        }
    }

    /// 审计一条控制台自己的动作（解封、仪式开始等），写进账本的哈希链审计，附 CLI 孪生命令。
    public func consoleAudit(_ op: Operator, action: String, subject: String, cli: String) {
        _ = try? gate.with { l in
            try AuditChain.append(l.store, at: l.now, operatorName: op.name, action: action, subject: subject,
                                  details: ["cli": cli, "via": "console"])
        }
    }

    public func consoleKeys() -> (seal: SealStatus, keys: [ConsoleKeyFact]) {
        let st = keystore.status()
        let list = (try? keystore.list()) ?? []
        let facts = list.map { k -> ConsoleKeyFact in
            let u = keystore.usage(id: k.id)
            let tier: String
            switch k.tier {
            case .hsm: tier = "hsm"
            case .kms: tier = "kms"
            case .tee: tier = "tee"
            case .encryptedDB: tier = "db"
            }
            let usable = k.tier == .hsm ? hsmSigner.get != nil : !st.sealed
            return ConsoleKeyFact(keyId: k.id, label: k.label, tier: tier, kind: k.kind.rawValue, signatures: u.signatures,
                                  lastUse: u.lastUsed, kekVersion: try? keystore.kekVersion(id: k.id), usable: usable)
        }
        return (st, facts)
    }

    public func consoleUnsealShare(_ share: SecretBytes) throws -> (submitted: Int, threshold: Int, unsealed: Bool) {
        let p = try keystore.unseal(share: share)
        if p.unsealed { metrics.sealed.set(0); logger.info("keystore.unsealed", ["via": .string("shares")]) }
        return (p.submitted, p.threshold, p.unsealed)
    }

    /// 最近区块的 base fee（wei），给走势小图。
    public func consoleBaseFees(blocks: Int = 30) async throws -> [UInt256] {
        let h = try await client.feeHistory(blockCount: blocks, newest: .latest, percentiles: [])
        return h.baseFeePerGas
    }

    public func consoleHead() async -> (head: UInt64?, scanned: UInt64?) {
        let head = try? await client.blockNumber()
        return (head, try? scanStore.height())
    }

    /// 开始一次密钥仪式（keystore 的 CeremonyEngine；keystore 必须已解封）。
    public func consoleCeremony(by op: Operator, label: String) throws -> CeremonyEngine {
        guard op.role == .admin else {
            throw EngineError("ceremony.forbidden", zh: "只有 admin 可以进行密钥仪式（当前 \(op.name) 是 \(op.role.rawValue)）。",
                              en: "only an admin may run the key ceremony (\(op.name) is \(op.role.rawValue)).")
        }
        let c = try CeremonyEngine(keystore: keystore, operatorName: op.name, label: label)
        consoleAudit(op, action: "ceremony.start", subject: label, cli: "ceremony --label \(label)")
        return c
    }
}

// MARK: - 演示 home

/// 演示 home 的种子：固定的操作员名与资产（界面上一眼认出是演示）。
public enum DemoSeed {
    /// 演示时自动登录的操作员（admin：可审批、可做仪式）。
    public static let signedIn = "demo"
    /// 发起提现、等待别人审批的操作员（四眼原则：他们不能批自己的单）。
    public static let requesters = ["alice", "bob"]
    public static let approvers = ["carol"]
    /// 演示 ERC-20 合约地址（演示链上的代币，不是主网 USDT）。
    public static let tokenContract = "0x00000000000000000000000000000000000005d7"
    public static let users = ["u1001", "u1002", "u1003", "u1004", "用户-王五"]
    public static let confirmations = 6
}

/// 创建好的演示 home：解封口令只在内存里（随机生成，不写盘），进程结束即丢弃。
public struct DemoHome {
    public var path: String
    public var unsealPassphrase: SecretBytes
}

extension WalletEngine {
    /// 在 `path`（必须是空目录或不存在）建一个演示 home：演示链配置、密钥库（随机口令）、种子、热钱包、
    /// ETH + 演示代币、四个种子操作员（随机口令，不保存——演示只以 demo 身份免口令登录）、演示审批策略。
    public static func createDemoHome(at path: String, blockIntervalMs: Int = 3000, seed: UInt64 = 7) throws -> DemoHome {
        let home = HomeLayout(path)
        if home.exists || Keystore.exists(home: home.root) {
            throw EngineError("demo.exists", zh: "\(home.root) 已经是一个 home；演示需要空目录（不带 --home 时自动用临时目录）。",
                              en: "\(home.root) already holds a home; the demo needs an empty directory (without --home a temp dir is used).",
                              badInput: true)
        }
        try home.createDirectories()
        let unseal = try SecureRandom.secret(32)
        let mnemonic = try BIP39.generate(words: 24)
        let seedBytes = try BIP39.seed(mnemonic: mnemonic)
        let master = try ExtendedPrivateKey(seed: seedBytes)
        let xpub = try master.derive(path: try DerivationPath(string: "m/44'/60'/0'/0")).extendedPublicKey.serialized
        let hotKey = try master.derive(path: try DerivationPath(string: "m/44'/60'/1'/0/0"))
        let hotPub = try Secp256k1.publicKey(privateKey: hotKey.privateKey, compressed: false)
        let hotAddress = try EthereumAddress(publicKey: hotPub)
        // 演示数据是一次性的：用较轻的 scrypt 参数，让 demo 秒开。
        let ks = try Keystore.initialize(home: home.root, passphrase: unseal,
                                         options: Keystore.Options(scrypt: WalletKeystore.ScryptParams(n: 1 << 14, r: 8, p: 1)))
        _ = try ks.store(secret: seedBytes, kind: .hdSeed, label: "hd-seed", fingerprint: Hex.encode(master.fingerprint))
        let hot = try ks.store(secret: hotKey.privateKey, kind: .privateKey, label: "hot-wallet",
                               address: hotAddress.checksummed, publicKey: Hex.encode(hotPub))
        ks.seal()

        var cfg = EngineConfig(chain: ChainSettings(id: 1337, kind: .demo, rpcURLs: [], demoSeed: seed,
                                                    demoBlockIntervalMs: max(100, blockIntervalMs)),
                               hotWallet: HotWalletSettings(keyId: hot.id, address: hotAddress.checksummed),
                               deposits: DepositSettings(xpub: xpub, confirmations: DemoSeed.confirmations, reorgWindow: 64))
        let tick = max(200, min(blockIntervalMs, 2000))
        cfg.workers = WorkerSettings(scanIntervalMs: tick, withdrawalIntervalMs: tick, sweepIntervalMs: max(1000, blockIntervalMs * 3),
                                     reconcileIntervalMs: 60_000, feeIntervalMs: max(500, blockIntervalMs))
        try cfg.save(home: home)

        // 演示策略：≤1 ETH / ≤1000 USDT 需 1 人审批，其余 2 人；不强制白名单（详情里显示是否在白名单）。
        let policy = """
        {"requestExpirySeconds": 86400, "approvalExpirySeconds": 14400,
         "allowlist": {"required": false, "coolingOffSeconds": 0},
         "rules": [
          {"name": "eth-small", "asset": "ETH", "maxAmount": "1", "action": "allow", "approvals": 1,
           "perUser": {"windowSeconds": 86400, "maxAmount": "20"}},
          {"name": "usdt-small", "asset": "USDT", "maxAmount": "1000", "action": "allow", "approvals": 1},
          {"name": "large-two-approvers", "asset": "*", "action": "allow", "approvals": 2,
           "global": {"windowSeconds": 86400, "maxAmount": "100000"}}
         ]}
        """
        try AtomicFile.write(Data(policy.utf8), to: home.policyFile, mode: 0o600)

        let ledger = try openLedger(home: home, config: cfg, clock: { Int64(Date().timeIntervalSince1970) })
        let kdf = WalletLedger.ScryptParams(n: 1 << 12)
        try ledger.setSetting(Ledger.Settings.chainID, "1337", by: DemoSeed.signedIn)
        try ledger.setSetting(Ledger.Settings.nativeAsset, "ETH", by: DemoSeed.signedIn)
        try ledger.setSetting(Ledger.Settings.hotWallet, hotAddress.lowercased, by: DemoSeed.signedIn)
        try ledger.setSetting(Ledger.Settings.depositXpub, xpub, by: DemoSeed.signedIn)
        try ledger.addAsset(Asset(symbol: "ETH", decimals: 18, contract: nil, confirmations: DemoSeed.confirmations), by: DemoSeed.signedIn)
        try ledger.addAsset(Asset(symbol: "USDT", decimals: 6, contract: DemoSeed.tokenContract, confirmations: DemoSeed.confirmations),
                            by: DemoSeed.signedIn)
        let admin = try ledger.addOperator(name: DemoSeed.signedIn, role: .admin, passphrase: try SecureRandom.secret(24), by: nil, kdf: kdf)
        for n in DemoSeed.requesters { try ledger.addOperator(name: n, role: .custodian, passphrase: try SecureRandom.secret(24), by: admin, kdf: kdf) }
        for n in DemoSeed.approvers { try ledger.addOperator(name: n, role: .approver, passphrase: try SecureRandom.secret(24), by: admin, kdf: kdf) }
        for u in DemoSeed.users {
            _ = try ledger.assignAddress(user: u, asset: "ETH", by: DemoSeed.signedIn)
            _ = try ledger.assignAddress(user: u, asset: "USDT", by: DemoSeed.signedIn)
        }
        return DemoHome(path: home.root, unsealPassphrase: unseal)
    }

    /// 开局剧情（在已打开的演示引擎上）：给用户充值并出够确认块、扫描入账，然后由 alice / bob 发起几笔提现，
    /// 留在待审队列里——demo 操作员能批别人的单，四眼原则一目了然。
    public func demoBootstrap() async throws {
        guard isDemo, let d = demo else {
            throw EngineError("demo.not_demo", zh: "只有演示链 home 才能运行演示开局。", en: "the demo bootstrap only runs on a demo-chain home.")
        }
        let payer = try ChainAddress(hex: "0x00000000000000000000000000000000000d3e01")
        let eth = UInt256(1_000_000_000_000_000_000)
        d.sim.fund(payer, eth * UInt256(100_000))
        let token = try ChainAddress(hex: DemoSeed.tokenContract)
        d.sim.fundToken(token, payer, UInt256(1_000_000) * UInt256(100_000_000))
        let addrs: [DepositAddressRecord] = try gate.with { l in
            var out: [DepositAddressRecord] = []
            for u in DemoSeed.users { for a in ["ETH", "USDT"] { if let r = try l.store.depositAddress(user: u, asset: a) { out.append(r) } } }
            return out
        }
        var transfers: [SimTransfer] = []
        for (i, a) in addrs.enumerated() {
            let to = try ChainAddress(hex: a.address)
            if a.asset == "ETH" {
                transfers.append(.native(from: payer, to: to, value: eth * UInt256(UInt64(3 + i)), success: true))
            } else {
                transfers.append(.token(contract: token, from: payer, to: to, amount: UInt256(1_000_000) * UInt256(UInt64(5000 + 100 * i)), success: true))
            }
        }
        d.sim.mine(transfers, gasUsedHint: 12_000_000)
        for _ in 0..<DemoSeed.confirmations { d.sim.mine([], gasUsedHint: 14_000_000) }
        _ = await runOnce(["fees", "scanner"])
        // 提现：destination 用可认出的演示地址；一笔大额需要两人审批。
        let ops = try gate.with { l in try l.operators() }
        func op(_ n: String) throws -> Operator {
            guard let o = ops.first(where: { $0.name == n }) else { throw EngineError("demo.operator", zh: "缺少演示操作员 \(n)", en: "missing demo operator \(n)") }
            return o
        }
        let reqs: [(String, String, String, String, String)] = [
            ("alice", "u1001", "ETH", "0.75", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            ("bob", "u1002", "USDT", "820.5", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
            ("alice", "用户-王五", "ETH", "2.5", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"),
            ("bob", "u1003", "ETH", "0.2", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"),
        ]
        for (i, r) in reqs.enumerated() {
            let req = WithdrawalRequest(requestID: "demo-\(i + 1)", user: r.1, asset: r.2, amount: r.3, to: r.4)
            _ = try gate.with { l in try l.requestWithdrawal(req, by: try op(r.0)) }
        }
        logger.info("demo.bootstrap", ["withdrawals": .int(Int64(reqs.count)), "users": .int(Int64(DemoSeed.users.count))])
    }
}
