// `init`：非交互地创建一个可用的 home——配置、数据库、持有 HD 种子的密钥库、热钱包密钥、充值账户 xpub、
// 默认资产（ETH）与管理员操作员。任何一步失败都把已创建的东西删掉（不留半个 home）。
//
// 派生约定（BIP-44，币种 60 = 以太坊）：
//   充值地址  m/44'/60'/0'/0/i   —— 主机上只放 m/44'/60'/0'/0 的 xpub，派生地址不需要私钥
//   热钱包    m/44'/60'/1'/0/0   —— 单独的账户，私钥作为加密库条目保存（也可换成 HSM 上的密钥）
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletKeystore
import WalletLedger

public struct InitRequest {
    public var home: String
    public var chainId: UInt64
    public var chainKind: ChainKind
    public var rpcURLs: [String]
    public var unsealPassphrase: SecretBytes
    /// nil = 生成新种子（不打印）。生成的种子必须留下备份：backup（SLIP-39 份额），否则拒绝（演示链除外）。
    public var mnemonic: SecretBytes?
    /// 新种子的备份：SLIP-39 t-of-n 份额（份额里是 BIP-39 熵，与仪式、`keystore import-mnemonic --slip39-shares-file` 一致）。
    public var backup: (threshold: Int, count: Int)?
    /// 明知没有备份也要生成（只给测试与一次性的家目录用；CLI 不提供这个开关）。
    public var acceptUnbackedSeed = false
    public var adminName: String
    public var adminPassphrase: SecretBytes
    public var confirmations: Int
    public var keystoreOptions: Keystore.Options
    /// 操作员口令 scrypt 参数（测试可调小）。
    public var operatorKDF: ScryptParams
    public var demoSeed: UInt64
    /// 从哪个区块开始扫充值（nil = 0）。CLI 默认填 init 时的链头。
    public var startBlock: UInt64?
    public var allowInsecureRpc = false
    /// 用 KEK 的 T-of-N 份额代替解封口令（unsealPassphrase 此时不用）；份额在 InitResult.unsealShares 里只返回这一次。
    public var unsealShares: (threshold: Int, count: Int)?
    /// 账本放在 PostgreSQL（postgresql://USER@HOST:PORT/DB；口令来自 PGPASSWORD 或 ~/.pgpass）；nil = <home>/wallet.db。
    public var databaseURL: String?
    /// 任务队列放在 Redis Streams（redis://HOST:PORT[/DB]）；nil = 账本库里的 jobs 表。
    public var queueURL: String?
    public init(home: String, chainId: UInt64, chainKind: ChainKind = .rpc, rpcURLs: [String], unsealPassphrase: SecretBytes,
                mnemonic: SecretBytes? = nil, adminName: String, adminPassphrase: SecretBytes, confirmations: Int = 12,
                keystoreOptions: Keystore.Options = Keystore.Options(), operatorKDF: ScryptParams = .production,
                demoSeed: UInt64 = 0, startBlock: UInt64? = nil, acceptUnbackedSeed: Bool = false) {
        self.acceptUnbackedSeed = acceptUnbackedSeed
        self.home = home; self.chainId = chainId; self.chainKind = chainKind; self.rpcURLs = rpcURLs
        self.unsealPassphrase = unsealPassphrase; self.mnemonic = mnemonic; self.adminName = adminName
        self.adminPassphrase = adminPassphrase; self.confirmations = confirmations; self.keystoreOptions = keystoreOptions
        self.operatorKDF = operatorKDF; self.demoSeed = demoSeed; self.startBlock = startBlock
    }
}

public struct InitResult: Sendable {
    public var home: String
    public var chainId: UInt64
    public var hotWalletAddress: String
    public var hotWalletKeyId: String
    public var seedKeyId: String
    public var seedFingerprint: String
    public var depositXpub: String
    public var admin: String
    public var generatedMnemonic: Bool
    /// 备份份额（SLIP-39 助记词，UTF-8 字节）：调用方写到各保管人的文件后即丢弃。
    public var backupShares: [SecretBytes] = []
    /// 解封份额（KEK 的 Shamir 份额，UTF-8 字节）：调用方写到各保管人的文件后即丢弃。
    public var unsealShares: [SecretBytes] = []

    public var json: InitResultJSON {
        InitResultJSON(home: home, chainId: chainId, hotWallet: .init(address: hotWalletAddress, keyId: hotWalletKeyId),
                       seed: .init(keyId: seedKeyId, fingerprint: seedFingerprint, generated: generatedMnemonic),
                       depositXpub: depositXpub, admin: admin)
    }
}

public enum HomeInitializer {
    public static let depositAccountPath = "m/44'/60'/0'/0"
    public static let hotWalletPath = "m/44'/60'/1'/0/0"

    /// init 前检查节点：至少一个节点可达，且没有任何节点报告别的 chainId（把签名发到错误的链上是不可逆的）。
    /// 在写任何文件之前调用；离线准备 home 时可跳过（CLI 的 --offline），引擎每次启动仍会校验。
    @discardableResult
    public static func verifyNodes(chainId: UInt64, rpcURLs: [String], timeoutMs: Int = 10_000) async throws -> UInt64 {
        let rpc: ResilientRPC
        do {
            rpc = try ResilientRPC.http(urls: rpcURLs, config: ResilienceConfig(expectedChainId: chainId, timeoutSeconds: Double(timeoutMs) / 1000))
        } catch let e as any WalletErrorConvertible {
            throw EngineError("init.rpc_url", zh: "节点地址无效：\(e.message(.zh))", en: "invalid node URL: \(e.message(.en))", badInput: true)
        }
        do {
            try await rpc.verifyChainId()
            return try await JSONRPCChainClient(rpc: rpc).blockNumber()
        } catch let e as ChainError {
            if case .chainIdMismatch(let ep, let expected, let got) = e {
                throw EngineError("init.chain_id_mismatch",
                                  zh: "节点 \(ep) 的 chainId 是 \(got)，与 --chain-id \(expected) 不符：检查 --chain-id 或 --rpc（主网 1，Sepolia 11155111）。没有创建任何文件。",
                                  en: "node \(ep) reports chainId \(got), not --chain-id \(expected): check --chain-id or --rpc (mainnet 1, Sepolia 11155111). Nothing was created.",
                                  badInput: true)
            }
            throw EngineError("init.node_unreachable",
                              zh: "没有一个节点可达（\(e.message(.zh))），无法核对 chainId：检查 --rpc；确需离线创建 home 时加 --offline（引擎启动时仍会校验）。没有创建任何文件。",
                              en: "no node is reachable (\(e.message(.en))), so the chainId cannot be checked: check --rpc; to create the home offline pass --offline (the engine still verifies on start). Nothing was created.",
                              badInput: true)
        }
    }

    public static func initialize(_ req: InitRequest) throws -> InitResult {
        let home = HomeLayout(req.home)
        if home.exists || Keystore.exists(home: home.root) || FileManager.default.fileExists(atPath: home.databaseFile) {
            throw EngineError("init.exists", zh: "\(home.root) 已经是一个 home（存在 config.json / keystore / wallet.db）。换一个目录，或先备份后清空。",
                              en: "\(home.root) already holds a home (config.json / keystore / wallet.db exists). Pick another directory, or back it up and empty it.",
                              badInput: true)
        }
        guard req.adminPassphrase.count >= 8 else {
            throw EngineError("init.admin_passphrase", zh: "管理员口令至少 8 个字节（--admin-passphrase-file）。", en: "the admin passphrase needs at least 8 bytes (--admin-passphrase-file).", badInput: true)
        }
        if let u = req.unsealShares {
            guard u.threshold >= 2, u.threshold <= u.count, u.count <= 16 else {
                throw EngineError("init.unseal_shares", zh: "--unseal-shares 须为 T-of-N，2 ≤ T ≤ N ≤ 16（例如 3-of-5）。",
                                  en: "--unseal-shares must be T-of-N with 2 ≤ T ≤ N ≤ 16 (e.g. 3-of-5).", badInput: true)
            }
        } else if req.unsealPassphrase.count < 8 {
            throw EngineError("init.unseal_passphrase", zh: "解封口令至少 8 个字节（--unseal-passphrase-file）。", en: "the unseal passphrase needs at least 8 bytes (--unseal-passphrase-file).", badInput: true)
        }
        if req.mnemonic == nil && req.backup == nil && req.chainKind != .demo && !req.acceptUnbackedSeed {
            throw EngineError("init.no_backup",
                              zh: "新生成的种子必须留下备份，否则密钥库一坏钱就没了：给 --backup-shares 2-of-3 --backup-dir DIR（写出 SLIP-39 份额文件，每位保管人取走一份），或用 --mnemonic-file 导入你已经备份好的助记词。没有创建任何文件。",
                              en: "a newly generated seed must leave a backup, or losing the keystore loses the funds: pass --backup-shares 2-of-3 --backup-dir DIR (writes SLIP-39 share files, one per custodian), or --mnemonic-file with a mnemonic you have already backed up. Nothing was created.",
                              badInput: true)
        }
        if let b = req.backup {
            guard req.mnemonic == nil else {
                throw EngineError("init.backup_with_mnemonic", zh: "--backup-shares 只用于新生成的种子；导入的助记词由你自己备份。",
                                  en: "--backup-shares is only for a newly generated seed; an imported mnemonic is backed up by you.", badInput: true)
            }
            guard b.threshold >= 1, b.threshold <= b.count, b.count <= 16, b.count >= 2 else {
                throw EngineError("init.backup_shares", zh: "--backup-shares 须为 T-of-N，1 ≤ T ≤ N，2 ≤ N ≤ 16（例如 2-of-3）。",
                                  en: "--backup-shares must be T-of-N with 1 ≤ T ≤ N and 2 ≤ N ≤ 16 (e.g. 2-of-3).", badInput: true)
            }
        }
        if let u = req.databaseURL {
            // 先连上并确认库是空的，再建任何文件：连不上/口令错/库里已有钱包时什么都不留下。
            let store = try LedgerBackends.open(databaseURL: u, sqlitePath: home.databaseFile)
            if try store.setting(Ledger.Settings.chainID) != nil || !(try store.operators().isEmpty) {
                throw EngineError("init.database_not_empty",
                                  zh: "数据库 \(u) 里已经有一个钱包（有链 ID 或操作员）。第二台引擎主机不要再 init：把第一台的 home 整个复制过去（见 docs/scale-out.md）。没有创建任何文件。",
                                  en: "database \(u) already holds a wallet (a chain id or operators exist). Do not init a second engine host: copy the first host's home over (see docs/scale-out.md). Nothing was created.",
                                  badInput: true)
            }
        }
        if let q = req.queueURL {
            // 同样先确认任务队列连得上（连接是用到时才建的，这里主动用一次）：端口写错在 init 当场点名，什么都不留下。
            _ = try LedgerBackends.openQueue(url: q, prefix: "wallet.init-probe").count(state: .pending)
        }
        let preExisting = FileManager.default.fileExists(atPath: home.root)
        try home.createDirectories()
        do {
            return try build(req, home)
        } catch {
            // 失败回滚：删掉本次创建的文件（目录原本存在则只删我们创建的内容）。
            for p in [home.configFile, home.databaseFile, home.databaseFile + "-wal", home.databaseFile + "-shm", home.keystoreDir] {
                try? FileManager.default.removeItem(atPath: p)
            }
            if !preExisting { try? FileManager.default.removeItem(atPath: home.root) }
            throw error
        }
    }

    static func build(_ req: InitRequest, _ home: HomeLayout) throws -> InitResult {
        // 1. 种子：给定助记词则校验（校验和、词表），否则生成 24 词。
        let generated = req.mnemonic == nil
        var shares: [SecretBytes] = []
        let mnemonic: SecretBytes
        if let m = req.mnemonic { mnemonic = m } else {
            // 256 位熵（唯一随机源）→ 24 词；有备份要求时同一份熵拆成 SLIP-39 份额。
            var raw = try SecureRandom.bytes(32)
            let entropy = SecretBytes(raw)
            SecretBytes.wipe(&raw)
            mnemonic = try BIP39.mnemonic(entropy: entropy)
            if let b = req.backup {
                shares = try SLIP39.generate(groupThreshold: 1, groups: [(b.threshold, b.count)], masterSecret: entropy)[0]
            }
        }
        _ = try BIP39.validate(mnemonic)
        let seed = try BIP39.seed(mnemonic: mnemonic)
        let master = try ExtendedPrivateKey(seed: seed)
        let account = try master.derive(path: try DerivationPath(string: depositAccountPath))
        let xpub = account.extendedPublicKey.serialized
        let hotKey = try master.derive(path: try DerivationPath(string: hotWalletPath))
        let hotPub = try Secp256k1.publicKey(privateKey: hotKey.privateKey, compressed: false)
        let hotAddress = try EthereumAddress(publicKey: hotPub)

        // 2. 密钥库：口令或 KEK 份额封存；种子与热钱包私钥各一个信封加密条目。
        let ks: Keystore
        var unsealShares: [SecretBytes] = []
        if let u = req.unsealShares {
            let (k, s) = try Keystore.initialize(home: home.root, threshold: u.threshold, shares: u.count, options: req.keystoreOptions)
            ks = k
            unsealShares = s
        } else {
            ks = try Keystore.initialize(home: home.root, passphrase: req.unsealPassphrase, options: req.keystoreOptions)
        }
        let fp = Hex.encode(master.fingerprint)
        let seedInfo = try ks.store(secret: seed, kind: .hdSeed, label: "hd-seed", fingerprint: fp)
        let hotInfo = try ks.store(secret: hotKey.privateKey, kind: .privateKey, label: "hot-wallet",
                                   address: hotAddress.checksummed, publicKey: Hex.encode(hotPub))
        ks.seal()

        // 3. 配置（校验后原子写入）。
        var cfg = EngineConfig(chain: ChainSettings(id: req.chainId, kind: req.chainKind, rpcURLs: req.rpcURLs, demoSeed: req.demoSeed),
                               hotWallet: HotWalletSettings(keyId: hotInfo.id, address: hotAddress.checksummed),
                               deposits: DepositSettings(confirmations: req.confirmations))
        cfg.deposits.reorgWindow = max(cfg.deposits.reorgWindow, req.confirmations + 16)
        cfg.chain.allowInsecureRpc = req.allowInsecureRpc
        cfg.databaseURL = req.databaseURL
        cfg.queueURL = req.queueURL
        try cfg.save(home: home)

        // 4. 数据库：设置、默认资产 ETH、第一个管理员。
        //    一个事务：共享的 PostgreSQL 库里不会留下半个钱包（SQLite 文件失败时整个删掉）。
        let ledger = try WalletEngine.openLedger(home: home, config: cfg, clock: SystemClock())
        try ledger.store.transaction {
            try ledger.setSetting(Ledger.Settings.chainID, String(req.chainId), by: req.adminName)
            try ledger.setSetting(Ledger.Settings.nativeAsset, "ETH", by: req.adminName)
            try ledger.setSetting(Ledger.Settings.hotWallet, hotAddress.lowercased, by: req.adminName)
            try ledger.setDepositXpub(xpub, xpubPath: depositAccountPath, by: req.adminName)
            try ledger.addAsset(Asset(symbol: "ETH", decimals: 18, contract: nil, confirmations: req.confirmations), by: req.adminName)
            try ledger.addOperator(name: req.adminName, role: .admin, passphrase: req.adminPassphrase, by: nil, kdf: req.operatorKDF)
            if let start = req.startBlock { try ledger.store.setSetting(ScanControl.startKey, String(start)) }
        }
        ledger.anchorAudit()   // 不经闸门：这里自己推锚

        return InitResult(home: home.root, chainId: req.chainId, hotWalletAddress: hotAddress.checksummed, hotWalletKeyId: hotInfo.id,
                          seedKeyId: seedInfo.id, seedFingerprint: fp, depositXpub: xpub, admin: req.adminName,
                          generatedMnemonic: generated, backupShares: shares, unsealShares: unsealShares)
    }
}
