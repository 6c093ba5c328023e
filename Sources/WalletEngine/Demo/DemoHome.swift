// `wallet-console demo` 用的演示 home：全新目录、演示链（醒目标注）、种子与热钱包密钥、ETH/USDT 资产、
// 若干用户的充值地址、已经发生过的充值，以及几位操作员——控制台以 demo 身份（管理员）登录，
// 其他操作员发起的提现在队列里等待审批，四眼原则（发起人不能批自己的）一眼可见。
//
// 演示 home 的解封口令与操作员口令都是本进程内随机生成、只在内存里的（不写盘、不打印）：演示结束即不可再解封。
import Foundation
import WalletCrypto
import WalletKeystore
import WalletChain
import WalletLedger

public struct DemoSession: Sendable {
    public let engine: WalletEngine
    /// 控制台登录身份（管理员）。
    public let signedIn: Operator
    public let home: String
    /// 其他演示操作员（名字 → 角色）。
    public let others: [Operator]
}

public enum DemoHome {
    public static let chainId: UInt64 = 1337
    public static let operatorName = "demo"
    public static let users = ["u1001", "u1002", "u1003", "u1004", "u1005", "u1006"]
    /// 演示用 USDT 合约地址（演示链上由模拟器记账，不执行 EVM）。
    public static let usdtContract = "0xdac17f958d2ee523a2206206994597c13d831ec7"

    /// 新建并打开演示 home。path 为 nil 时建在临时目录。blocks：开局预先出的块数（让界面一打开就有数据）。
    public static func create(at path: String? = nil, seed: UInt64 = 42, blockIntervalMs: Int = 2000,
                              warmupBlocks: Int = 30) async throws -> DemoSession {
        let tag = Hex.encode(try SecureRandom.bytes(4))
        let home = path ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("wallet-console-demo-\(getpid())-\(tag)")
        // 口令只在内存中：演示 home 不需要、也不应该被别的进程解封。
        let unseal = try SecureRandom.secret(24)
        let adminPass = try SecureRandom.secret(24)
        let opts = Keystore.Options(scrypt: ScryptParams(n: 1 << 14, r: 8, p: 1))
        _ = try HomeInitializer.initialize(InitRequest(
            home: home, chainId: chainId, chainKind: .demo, rpcURLs: [], unsealPassphrase: unseal, adminName: operatorName,
            adminPassphrase: adminPass, confirmations: 6, keystoreOptions: opts,
            operatorKDF: ScryptParams(n: 1 << 12), demoSeed: seed))
        let layout = HomeLayout(home)
        var cfg = try EngineConfig.load(home: layout)
        cfg.chain.demoBlockIntervalMs = blockIntervalMs
        cfg.workers.scanIntervalMs = max(500, blockIntervalMs / 2)
        cfg.workers.withdrawalIntervalMs = 1000
        cfg.workers.feeIntervalMs = 3000
        cfg.workers.sweepIntervalMs = 10_000
        cfg.workers.reconcileIntervalMs = 30_000
        try cfg.save(home: layout)
        // 演示策略：不要求白名单；1 ETH 以下 1 人审批，以上 2 人。
        let policy = """
        {"requestExpirySeconds": 86400, "approvalExpirySeconds": 14400,
         "allowlist": {"required": false, "coolingOffSeconds": 0},
         "rules": [{"name": "small", "asset": "*", "maxAmount": "1", "action": "allow", "approvals": 1},
                   {"name": "large", "asset": "*", "action": "allow", "approvals": 2}]}
        """
        try policy.write(toFile: layout.policyFile, atomically: true, encoding: .utf8)

        let engine = try await WalletEngine.open(home: home, options: EngineOpenOptions(unsealPassphrase: unseal, keystoreOptions: opts))
        let admin = try engine.authenticate(name: operatorName, passphrase: adminPass)
        _ = try await engine.addAsset(symbol: "USDT", contract: usdtContract, decimals: 6, confirmations: 6, by: admin)
        // 演示链开局注资（引擎打开时）那会儿 USDT 还没登记：这里补上热钱包链上的 USDT，与下面账本里的运营注资对上
        // （以前演示一开局对账就报「热钱包 USDT 账本 1000000 ≠ 链上 0」的严重告警）。
        if let sim = engine.demo?.sim {
            sim.fundToken(try ChainAddress(hex: usdtContract), try ChainAddress(hex: engine.config.hotWallet.address), UInt256(1_000_000) * UInt256(1_000_000))
        }
        var others: [Operator] = []
        for (name, role) in [("alice-ops", OperatorRole.approver), ("bob-ops", .approver), ("carol-custodian", .custodian), ("dave-viewer", .viewer)] {
            let p = try SecureRandom.secret(24)
            others.append(try engine.addOperator(name: name, role: role, passphrase: p, by: admin, kdf: ScryptParams(n: 1 << 12)))
        }
        for u in users {
            _ = try engine.assignAddress(user: u, asset: "ETH", by: admin)
            _ = try engine.assignAddress(user: u, asset: "USDT", by: admin)
        }
        // 热钱包在演示链上已注资；账本同步记一笔运营注资（否则对账会显示差异）。
        let eth = UInt256(1_000_000_000_000_000_000)
        try engine.recordHotWalletFunding(asset: "ETH", amount: eth * UInt256(500), ref: "demo-genesis", by: admin)
        try engine.recordHotWalletFunding(asset: "USDT", amount: UInt256(1_000_000) * UInt256(1_000_000), ref: "demo-genesis", by: admin)
        // 预热：出若干块、扫描入账，界面一打开就有充值与确认进度。
        for _ in 0..<warmupBlocks {
            try engine.demo?.step()
        }
        _ = await engine.runOnce(["fees", "scanner"])
        // 其他操作员发起的提现：等待审批（demo 可以批；发起人自己不能批）。
        let dest = ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"]
        var n = 0
        for u in users {
            let avail = try engine.gate.with { l in try l.available(user: u, asset: "ETH") }
            guard avail >= eth / UInt256(10) else { continue }
            let requester = others[n % 2]
            let amount = n % 3 == 2 ? "1.5" : "0.05"
            _ = try? engine.requestWithdrawal(WithdrawalRequest(requestID: "demo-\(n)", user: u, asset: "ETH", amount: amount,
                                                                to: dest[n % dest.count]), by: requester)
            n += 1
            if n >= 4 { break }
        }
        engine.logger.info("demo.ready", ["home": .string(home), "withdrawalsWaiting": .int(Int64(n))])
        return DemoSession(engine: engine, signedIn: admin, home: home, others: others)
    }
}
