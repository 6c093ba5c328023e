// 引擎命令组：init、status、engine run、fees、sweep plan|run、nonce status、asset add|update|disable|enable|list。
// 机密（解封口令、助记词、管理员口令、HSM PIN）只从文件或 TTY 读取，绝不经过 argv。
import ArgumentParser
import ServiceLifecycle
import Foundation
import WalletCrypto
import WalletEngine

/// 打开引擎：按需解封（口令文件 / 份额文件 / TTY），HSM PIN 从文件读。
struct EngineOpenOptionsCLI: ParsableArguments {
    @OptionGroup var unseal: UnsealOptions
    @Flag(name: .long, help: ArgumentHelp(L("不解封（只读查询）", "do not unseal (read-only queries)"))) var sealed = false

    /// HSM/KMS 层的热钱包密钥经密钥库登记（PIN 信封加密保存），解封后由密钥库的签名器自动登录，无需另给 PIN。
    func open(_ home: HomeOption, _ g: GlobalOptions, needUnseal: Bool) async throws -> WalletEngine {
        let engine = try await WalletEngine.open(home: home.resolved)
        if needUnseal && !sealed && engine.keystore.isSealed {
            try EngineCLI.unseal(engine, unseal, lang: g.language)
        }
        return engine
    }
}

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: L("创建数据目录：配置、数据库、密钥库（HD 种子 + 热钱包密钥）、充值 xpub、默认资产与管理员", "create the data directory: config, database, keystore (HD seed + hot-wallet key), deposit xpub, default assets and the admin"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("链 id（主网 1）", "chain id (mainnet: 1)"))) var chainId: UInt64
    @Option(name: .long, help: ArgumentHelp(L("节点 JSON-RPC 地址，可重复（故障转移）", "node JSON-RPC URL; repeatable (failover)"))) var rpc: [String] = []
    @Flag(name: .long, help: ArgumentHelp(L("使用进程内演示链（不连真实节点；界面醒目标注 DEMO）", "use the in-process demo chain (no real node; the UI is prominently marked DEMO)"))) var demo = false
    @Option(name: .long, help: ArgumentHelp(L("解封口令文件（与 --unseal-shares 二选一）", "unseal passphrase file (mutually exclusive with --unseal-shares)"))) var unsealPassphraseFile: String?
    @Option(name: .long, help: ArgumentHelp(L("用 T-of-N 份额代替解封口令（KEK 拆成 Shamir 份额），例如 3-of-5；需要 --unseal-shares-dir", "use T-of-N shares instead of an unseal passphrase (the KEK is split into Shamir shares), e.g. 3-of-5; requires --unseal-shares-dir"))) var unsealShares: String?
    @Option(name: .long, help: ArgumentHelp(L("写解封份额文件的新目录（0700，每份一个 0600 文件，交给各保管人后删除）", "new directory for the unseal share files (0700, one 0600 file per share; delete after handing them to the custodians)"))) var unsealSharesDir: String?
    @Option(name: .long, help: ArgumentHelp(L("助记词文件（已备份好的；缺省则生成新种子，此时必须给 --backup-shares 与 --backup-dir）", "mnemonic file (already backed up); if omitted a new seed is generated and --backup-shares and --backup-dir are required"))) var mnemonicFile: String?
    @Option(name: .long, help: ArgumentHelp(L("新种子的 SLIP-39 备份份额 T-of-N，例如 2-of-3", "SLIP-39 backup shares for the new seed, T-of-N, e.g. 2-of-3"))) var backupShares: String?
    @Option(name: .long, help: ArgumentHelp(L("写备份份额文件的新目录（0700，每份一个 0600 文件，交给各保管人后删除）", "new directory for the backup share files (0700, one 0600 file per share; delete after handing them to the custodians)"))) var backupDir: String?
    @Option(name: .long, help: ArgumentHelp(L("管理员操作员名", "admin operator name"))) var admin: String
    @Option(name: .long, help: ArgumentHelp(L("管理员口令文件", "admin passphrase file"))) var adminPassphraseFile: String
    @Option(name: .long, help: ArgumentHelp(L("默认确认数", "default number of confirmations"))) var confirmations: Int = 12
    @Flag(name: .long, help: ArgumentHelp(L("不联系节点核对 chainId（离线准备 home；引擎启动时仍会校验）", "do not contact the node to check the chainId (prepare the home offline; the engine still checks it at startup)"))) var offline = false
    @Option(name: .long, help: ArgumentHelp(L("从这个区块开始扫描充值（默认：init 时的链头；--offline 时默认 0）", "start scanning for deposits at this block (default: the chain head at init time; 0 with --offline)"))) var startBlock: UInt64?
    @Flag(name: .long, help: ArgumentHelp(L("允许非本机的明文 http 节点（默认只接受 https 或本机）", "allow plain-http nodes that are not on this host (by default only https or localhost is accepted)"))) var allowInsecureRpc = false
    @Option(name: .long, help: ArgumentHelp(L("账本放在 PostgreSQL：postgresql://USER@HOST:PORT/DB（口令来自 PGPASSWORD 或 ~/.pgpass，不进 URL）；缺省为 <home>/wallet.db（SQLite）", "keep the ledger in PostgreSQL: postgresql://USER@HOST:PORT/DB (the password comes from PGPASSWORD or ~/.pgpass, never the URL); default: <home>/wallet.db (SQLite)"))) var databaseUrl: String?
    @Option(name: .long, help: ArgumentHelp(L("任务队列放在 Redis Streams：redis://HOST:PORT[/DB]（多引擎共用）；缺省为账本库里的 jobs 表", "keep the job queue in Redis Streams: redis://HOST:PORT[/DB] (shared by several engines); default: the jobs table in the ledger database"))) var queueUrl: String?
    @Option(name: .long, help: ArgumentHelp(L("scrypt log2(N)（默认 17）", "scrypt log2(N) (default 17)"), visibility: .hidden)) var scryptLogN: Int = 17

    /// init 写出的份额文件：backup 只在 --backup-shares 时出现，unseal 只在 --unseal-shares 时出现。
    struct SharesJSON: Encodable {
        struct Backup: Encodable { var scheme: String; var threshold: Int; var count: Int; var files: [String] }
        struct Unseal: Encodable { var mode: String; var threshold: Int; var count: Int; var files: [String] }
        var backup: Backup?
        var unseal: Unseal?
    }

    func run() async throws {
        await CLI.runAsync(g) {
            guard demo || !rpc.isEmpty else {
                throw EngineError("init.no_rpc", zh: "至少给一个 --rpc URL（或显式使用 --demo 演示链）。", en: "give at least one --rpc URL (or explicitly --demo for the demo chain).", badInput: true)
            }
            guard !(demo && !rpc.isEmpty) else {
                throw EngineError("init.demo_rpc", zh: "--demo 与 --rpc 不能同时使用。", en: "--demo and --rpc cannot be combined.", badInput: true)
            }
            guard (10...20).contains(scryptLogN) else {
                throw EngineError("init.scrypt", zh: "scrypt log2(N) 须在 10..20。", en: "scrypt log2(N) must be within 10..20.", badInput: true)
            }
            let lang = g.language
            var start = startBlock
            for u in rpc {
                switch EngineConfig.rpcURLProblem(u, allowInsecure: allowInsecureRpc) {
                case .notHTTP?: throw EngineError("init.rpc_url", zh: "--rpc：" + EngineConfig.RPCURLProblem.notHTTP.message(.zh) + "演示链用 --demo。",
                                                  en: "--rpc: " + EngineConfig.RPCURLProblem.notHTTP.message(.en) + " Use --demo for the demo chain.", badInput: true)
                case let p?: throw EngineError("init.insecure_rpc", zh: p.message(.zh) + "（init --allow-insecure-rpc）", en: p.message(.en) + " (init --allow-insecure-rpc)", badInput: true)
                case nil: break
                }
            }
            if !demo && !offline {
                let (id, urls) = (chainId, rpc)
                let head = try await HomeInitializer.verifyNodes(chainId: id, rpcURLs: urls)
                if start == nil { start = head }   // 新钱包从现在开始扫：之前的区块里不可能有发给它的充值
            } else if !demo && start == nil {
                CLI.warn("提示：--offline 且未给 --start-block，将从区块 0 开始扫描（主网上会很慢）。", "note: --offline without --start-block scans from block 0 (slow on mainnet).", g.language)
            }
            var backup: (threshold: Int, count: Int)?
            if let spec = backupShares {
                backup = try InitShares.parse(spec, flag: "--backup-shares", code: "init.backup_shares")
                try InitShares.checkDir(backupDir, flag: "--backup-shares", dirFlag: "--backup-dir", code: "init.backup_dir")
            } else if backupDir != nil {
                throw EngineError("init.backup_shares", zh: "--backup-dir 需要 --backup-shares T-of-N。", en: "--backup-dir needs --backup-shares T-of-N.", badInput: true)
            }
            // 解封方式二选一：口令文件，或 KEK 的 T-of-N 份额（写到新目录，每位保管人取走一份）。
            var unsealSplit: (threshold: Int, count: Int)?
            guard (unsealPassphraseFile == nil) != (unsealShares == nil) else {
                throw EngineError("init.unseal_mode", zh: "解封方式必须二选一：--unseal-passphrase-file F，或 --unseal-shares T-of-N --unseal-shares-dir DIR。",
                                  en: "choose exactly one way to unseal: --unseal-passphrase-file F, or --unseal-shares T-of-N --unseal-shares-dir DIR.", badInput: true)
            }
            if let spec = unsealShares {
                unsealSplit = try InitShares.parse(spec, flag: "--unseal-shares", code: "init.unseal_shares")
                try InitShares.checkDir(unsealSharesDir, flag: "--unseal-shares", dirFlag: "--unseal-shares-dir", code: "init.unseal_shares_dir")
                if let d = unsealSharesDir, let b = backupDir,
                   (d as NSString).standardizingPath == (b as NSString).standardizingPath {
                    throw EngineError("init.unseal_shares_dir", zh: "--unseal-shares-dir 与 --backup-dir 必须是不同的目录：两种份额交给不同的人、分开保管。",
                                      en: "--unseal-shares-dir and --backup-dir must differ: the two kinds of shares go to different people and are kept apart.", badInput: true)
                }
            } else if unsealSharesDir != nil {
                throw EngineError("init.unseal_shares", zh: "--unseal-shares-dir 需要 --unseal-shares T-of-N。", en: "--unseal-shares-dir needs --unseal-shares T-of-N.", badInput: true)
            }
            let unseal = try unsealPassphraseFile.map { try CLI.readSecretFile($0, what: lang == .zh ? "解封口令" : "unseal passphrase") } ?? SecretBytes(count: 0)
            let adminPass = try CLI.readSecretFile(adminPassphraseFile, what: lang == .zh ? "管理员口令" : "admin passphrase")
            let mnemonic = try mnemonicFile.map { try CLI.readSecretFile($0, what: lang == .zh ? "助记词" : "mnemonic") }
            let kdf = ScryptParams(n: scryptLogN < 15 ? 1 << UInt64(scryptLogN) : 1 << 15)
            var req = InitRequest(
                home: home.resolved, chainId: chainId, chainKind: demo ? .demo : .rpc, rpcURLs: rpc, unsealPassphrase: unseal,
                mnemonic: mnemonic, adminName: admin, adminPassphrase: adminPass, confirmations: confirmations,
                keystoreOptions: try HomeKeystore.options(scryptLogN: scryptLogN),
                operatorKDF: kdf, startBlock: start)
            req.allowInsecureRpc = allowInsecureRpc
            req.backup = backup
            req.unsealShares = unsealSplit
            req.databaseURL = databaseUrl
            req.queueURL = queueUrl
            let r = try HomeInitializer.initialize(req)
            var files: [String] = [], unsealFiles: [String] = []
            do {
                if let dir = backupDir, let b = backup {
                    files = try InitShares.write(r.backupShares, name: "slip39-share", threshold: b.threshold, to: dir)
                }
                if let dir = unsealSharesDir, let u = unsealSplit {
                    unsealFiles = try InitShares.write(r.unsealShares, name: "unseal-share", threshold: u.threshold, to: dir)
                }
            } catch {
                // 份额写不出来：刚建的 home 不能留下（没有备份的种子，或谁也解不开的密钥库），整个撤销。
                try? FileManager.default.removeItem(atPath: r.home)
                for f in files + unsealFiles { unlink(f) }
                throw EngineError("init.shares_write", zh: "份额文件写不出来（\(WalletError(error).zh)）：已撤销刚创建的 home 和写了一半的份额，没有留下任何东西。",
                                  en: "could not write the share files (\(WalletError(error).en)); the new home and any partial shares were removed, nothing was left behind.", badInput: false)
            }
            if g.json {
                let extra = SharesJSON(backup: backup.map { SharesJSON.Backup(scheme: "slip39", threshold: $0.threshold, count: $0.count, files: files) },
                                       unseal: unsealSplit.map { SharesJSON.Unseal(mode: "shares", threshold: $0.threshold, count: $0.count, files: unsealFiles) })
                CLI.printJSON(Merged(base: r.json, extra: extra))
            } else {
                if let u = unsealSplit {
                    print(lang == .zh ? "密钥库由 KEK 份额解封：任意 \(u.threshold) 份可解封，已写入 \(unsealFiles.count) 个文件（0600）。交给不同的保管人后删除："
                                      : "the keystore unseals with KEK shares: any \(u.threshold) unseal it; written to \(unsealFiles.count) files (0600). Hand them to different custodians, then delete them:")
                    for f in unsealFiles { print("  \(f)") }
                }
                if !files.isEmpty {
                    print(lang == .zh ? "新种子的 SLIP-39 备份：任意 \(backup!.threshold) 份可还原，已写入 \(files.count) 个文件（0600）。请把每份交给不同的保管人（离线保存），然后删除这些文件："
                                      : "SLIP-39 backup of the new seed: any \(backup!.threshold) shares restore it; written to \(files.count) files (0600). Hand each to a different custodian (kept offline), then delete the files:")
                    for f in files { print("  \(f)") }
                }
                print(lang == .zh ? "已创建 \(r.home)：链 \(r.chainId)，热钱包 \(r.hotWalletAddress)，管理员 \(r.admin)。"
                                  : "created \(r.home): chain \(r.chainId), hot wallet \(r.hotWalletAddress), admin \(r.admin).")

            }
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: L("链 id、链头、扫描高度、热钱包地址与余额、熔断器、封存状态", "chain id, chain head, scan height, hot-wallet address and balance, circuit breakers, seal state"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption

    /// status 里 CLI 补的键：settings（读得到生效设置时）、tiers（打得开密钥库时）、hardening（总有）。
    struct StatusExtrasJSON: Encodable {
        struct Policy: Encodable {
            var source: String
            var rules: [String]
            @ExplicitNull var activeHash: String?
            @ExplicitNull var fileHash: String?
            var pendingApproval: Bool
        }
        struct Settings: Encodable {
            @ExplicitNull var depositXpub: String?
            @ExplicitNull var depositXpubPath: String?
            var rpcUrls: [String]
            var chainId: UInt64
            var ownTxConfirmations: Int
            var approvalPolicy: Policy
            var assets: [AssetJSON]
            init(_ st: EffectiveSettings) {
                depositXpub = st.depositXpub; depositXpubPath = st.depositXpubPath; rpcUrls = st.rpcURLs; chainId = st.chainId
                ownTxConfirmations = st.ownConfirmations
                approvalPolicy = Policy(source: st.policySource, rules: st.policyRules, activeHash: st.policy.activeHash,
                                        fileHash: st.policy.fileHash, pendingApproval: st.policy.pendingApproval)
                assets = st.assets.map(EngineCLI.assetJSON)
            }
        }
        /// 本进程的加固（每个命令入口都做）：core dump 关闭；内存整体锁定只在 RLIMIT_MEMLOCK 不受限时（否则机密缓冲区逐个 mlock）。
        struct Hardening: Encodable { var coreDumps: String; var memoryLock: String }
        var settings: Settings?
        var tiers: [KeystoreCLI.TierJSON]?
        var hardening: Hardening
    }

    func run() async throws {
        await CLI.runAsync(g) {
            let s = try await { () async throws -> EngineStatus in
                let e = try await WalletEngine.open(home: home.resolved, options: EngineOpenOptions(verifyChain: false))
                return await e.status()
            }()
            if g.json {
                var extra = StatusExtrasJSON(hardening: .init(
                    coreDumps: ProcessHardening.coreLimit == 0 && ProcessHardening.dumpable == 0 ? "off" : "on",
                    memoryLock: ProcessHardening.memoryLock))
                extra.settings = s.settings.map(StatusExtrasJSON.Settings.init)
                // 各层级此刻是否可用（本机：HSM 模块、KMS 套接字）；签名器本身的健康看 signer / engine.signer。
                if let ks = try? await EngineCLI.keystore(home, lang: g.language) { extra.tiers = KeystoreCLI.tiersJSON(KeystoreCLI.tiers(ks, home)) }
                CLI.printJSON(Merged(base: s.json, extra: extra))
                if !s.healthy { throw StatusUnhealthy(problems: s.problems) }
                return
            }
            let zh = g.language == .zh
            if s.demo { print(zh ? "⚠ 演示链（DEMO）——不是真实网络" : "⚠ DEMO CHAIN — not a real network") }
            print("\(zh ? "链 id" : "chain id"): \(s.chainId)")
            print("\(zh ? "链头" : "head"): \(s.head.map(String.init) ?? "?")  \(zh ? "扫描高度" : "scanned"): \(s.scanHeight.map(String.init) ?? "-")  \(zh ? "落后" : "lag"): \(s.scanLag.map(String.init) ?? "?")")
            print("\(zh ? "热钱包" : "hot wallet"): \(s.hotWalletAddress)  \(s.hotWalletBalancesShown.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "  "))")
            for e in s.endpoints {
                // 熔断状态在中文里也说中文（QA：「closed (连续失败 0)」）；JSON 里仍是 closed/open/half_open。
                let state = zh ? (["closed": "闭合（正常）", "open": "断开（熔断中）", "half_open": "半开（试探中）"][e.breaker.rawValue] ?? e.breaker.rawValue) : e.breaker.rawValue
                print(zh ? "  \(e.endpoint)：\(state)，连续失败 \(e.consecutiveFailures)" : "  \(e.endpoint): \(state) (failures \(e.consecutiveFailures))")
            }
            if let e = s.engine {
                // 运行中引擎的真实状态（心跳），不是本查询进程的。
                // 「在不在签名」看下面签名器那一行（已解封但令牌拔了就不在签）。
                let state = e.sealed ? (zh ? "已封存" : "sealed") : (zh ? "已解封" : "unsealed")
                let by = e.lastSealBy.map { zh ? "（最近一次封存：\($0)）" : " (last sealed by \($0))" } ?? ""
                let sep = zh ? "，" : ", "   // --lang en 不出全角标点（QA）
                print("\(zh ? "引擎：" : "engine: ")pid \(e.pid)\(sep)\(zh ? "密钥库" : "keystore") \(state)\(by)\(sep)\(zh ? "签名器" : "signer") \(e.signerTier ?? "-") \(e.signerKeyId)")
            } else {
                print(zh ? "引擎：没有在运行（下面的密钥库状态是本命令进程自己的）" : "engine: not running (the keystore state below is this command's own)")
                print("\(zh ? "密钥库" : "keystore"): \(s.seal.sealed ? (zh ? "已封存" : "sealed") : (zh ? "已解封" : "unsealed"))")
            }
            if let r = s.engine?.signer ?? s.signer { print(EngineCLI.signerLine(r, zh: zh)) }
            if let e = s.engine, let n = e.approvedWaiting, n > 0 {
                let why = e.waitingReason.map { zh ? "，原因 \($0)" : ", because \($0)" } ?? (zh ? "，下一轮签名" : ", signed next round")
                print(zh ? "等待签名的已批准提现：\(n)\(why)" : "approved withdrawals waiting to be signed: \(n)\(why)")
            }
            if let n = s.nodeError { print("\(zh ? "节点错误" : "node error"): \(n)") }
            // 集群：每个登记的引擎、它此刻的角色（持有的租约）与心跳年龄。
            // 入账分片（credit:<n>）合成一项：「备用（入账 8 个分片）」——leader/signer 意义上仍是备用，但在帮着入账。
            for e in s.cluster.engines {
                let exclusive = e.roles.filter { !$0.hasPrefix("credit:") }
                let credits = e.roles.filter { $0.hasPrefix("credit:") && $0 != "credit:rest" }.count
                // 失联的引擎不叫「备用」（QA：被 kill -9 两分钟后仍显示「备用，心跳 124s（失联）」）。
                let idle = e.alive ? (zh ? "备用" : "standby") : (zh ? "无角色" : "no role")
                let roles = (exclusive.isEmpty ? idle : exclusive.joined(separator: ","))
                    + (credits == 0 ? "" : (zh ? "（入账 \(credits) 个分片）" : " (crediting \(credits) shards)"))
                    + (e.roles.contains("credit:rest") ? (zh ? "（并入账没有别的引擎持有的分片）" : " (also credits the shards no other engine holds)") : "")
                let life = e.alive ? "" : (zh ? "（失联）" : " (lost)")
                print("\(zh ? "集群引擎" : "cluster engine") \(e.id)：\(roles)，\(zh ? "心跳" : "heartbeat") \(e.heartbeatAgeSeconds)s\(life)"
                      .replacingOccurrences(of: "：", with: zh ? "：" : ": ").replacingOccurrences(of: "，", with: zh ? "，" : ", "))
            }
            let creditLeases = s.cluster.leases.filter { $0.name.hasPrefix("credit:") && $0.expiresInSeconds > 0 }
            for holder in Set(creditLeases.map(\.holder)).sorted() {
                let mine = creditLeases.filter { $0.holder == holder }
                let shards = mine.compactMap { Int($0.name.dropFirst("credit:".count)) }.sorted().map(String.init).joined(separator: ",")
                let left = mine.map(\.expiresInSeconds).min() ?? 0
                print(zh ? "租约 credit:{\(shards)} → \(holder)，剩 ≥\(left)s" : "lease credit:{\(shards)} → \(holder), ≥\(left)s left")
            }
            for l in s.cluster.leases where !(l.name.hasPrefix("credit:") && l.expiresInSeconds > 0) {
                let left = l.expiresInSeconds > 0 ? (zh ? "剩 \(l.expiresInSeconds)s" : "\(l.expiresInSeconds)s left") : (zh ? "已过期" : "expired")
                print("\(zh ? "租约" : "lease") \(l.name) → \(l.holder) \(zh ? "令牌" : "token") \(l.token)，\(left)".replacingOccurrences(of: "，", with: zh ? "，" : ", "))
            }
            if !s.healthy { throw StatusUnhealthy(problems: s.problems) }
        }
    }
}

/// status 发现需要处理的问题（退出 1；输出已打印）。
struct StatusUnhealthy: WalletErrorConvertible {
    let problems: [String]
    /// 检查失败：退出码 1。
    var walletError: WalletError { WalletError("status.unhealthy", zh: text(.zh), en: text(.en), badInput: false) }
    private func text(_ lang: Language) -> String {
        let zh = lang == .zh
        let hints: [String: (String, String)] = [
            "node.unreachable": ("检查节点与网络", "check the node and network"),
            "node.chain_id_mismatch": ("节点在另一条链上，检查 config.json 的 rpcUrls", "the node is on another chain, check rpcUrls in config.json"),
            "signer.unavailable": ("签名设备或服务够不着（令牌、KMS）；恢复后自动继续，见 ledger alerts", "the signing device or service is unreachable (token, KMS); resumes by itself, see ledger alerts"),
            "engine.sealed": ("运行中的引擎已封存、不签名；排查完后持有口令/份额的人重启引擎解封", "the running engine is sealed and does not sign; once investigated, a holder of the passphrase/shares restarts it unsealed"),
            "signer.error": ("签名器配置或设备给出错误结果，见 ledger alerts", "the signer is misconfigured or returned bad results, see ledger alerts"),
            "nonce.external_use": ("热钱包链上 nonce 超过引擎记录，签名已停：密钥在别处被用过，或库是从旧备份恢复的；见 ledger alerts 与运维手册",
                                   "the hot wallet's on-chain nonce is above the engine's record and signing stopped: the key was used elsewhere, or the database was restored from an old backup; see ledger alerts and the runbook"),
            "queue.unreachable": ("连不上 Redis 任务队列：扫块、入账、签名照常，运维任务（--enqueue、立即归集）要等它恢复；查 redis-server 与 config.json 的 queueUrl",
                                  "the Redis job queue is unreachable: scanning, crediting and signing go on, operator jobs (--enqueue, sweep run) wait until it is back; check redis-server and queueUrl in config.json"),
            "reconcile.mismatch": ("最近一次对账账与链不等：ledger reconcile 看差异，按运维手册「对账不一致」处理", "the last reconciliation found the books differ from the chain: run ledger reconcile and follow the runbook's reconciliation section"),
            "scanner.halted": ("深度重组超过窗口，核对后 scanner rescan --from N", "a reorg deeper than the window; check, then scanner rescan --from N"),
            "policy.tampered": ("库里的审批策略没有带 MAC 的审计记录为证（被绕过审批改过）：提现全部拦下；查 audit verify，管理员核对 policy.json 后 policy apply",
                                "the approval policy in the database has no MAC-sealed audit record (changed without approval): all withdrawals are blocked; run audit verify, then an admin checks policy.json and runs policy apply"),
        ]
        let parts = problems.map { p in zh ? "\(p)（\(hints[p]?.0 ?? "")）" : "\(p) (\(hints[p]?.1 ?? ""))" }
        return (zh ? "不健康：" : "unhealthy: ") + parts.joined(separator: zh ? "；" : "; ")
    }
}

struct EngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: L("运行引擎 worker（扫块、提现、归集、对账、手续费）", "run the engine workers (block scanning, withdrawals, sweeps, reconciliation, fees)"),
                                                    subcommands: [EngineRun.self])
}

/// engine run --once：每个 worker 一项；processed/summary 只在有报告时出现，error 只在失败时出现。
struct RoundJSON: Encodable {
    struct Worker: Encodable { var worker: String; var ok: Bool; var processed: Int?; var summary: String?; var error: String? }
    var workers: [Worker]
}

struct EngineRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: L("前台运行所有 worker 直到 SIGINT/SIGTERM；--once 每个 worker 跑一整轮后退出", "run all workers in the foreground until SIGINT/SIGTERM; with --once, exit after one full round of each worker"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var open: EngineOpenOptionsCLI
    @Flag(name: .long, help: ArgumentHelp(L("每个 worker 一整轮后退出（cron 与测试用）", "exit after one full round of each worker (for cron and tests)"))) var once = false
    @Option(name: .long, help: ArgumentHelp(L("Prometheus 指标端口（只监听 127.0.0.1；0 = 不开）", "Prometheus metrics port (listens on 127.0.0.1 only; 0 = disabled)"))) var metricsPort: Int?

    func run() async throws {
        await CLI.runAsync(g) {
            // 先校验 home 与配置再拿锁：home 不存在或 config.json 坏时给出 config.* 的说明、不动 home 里任何文件
            // （以前先建/改写 engine.lock，home 不存在时报的是「无法打开锁文件」）。
            _ = try EngineConfig.load(home: HomeLayout(home.resolved))
            let lock = try ProcessLock(path: HomeLayout(home.resolved).lockFile)
            defer { lock.release() }
            let engine = try await open.open(home, g, needUnseal: true)
            try engine.checkJobQueue()   // 队列连接是用到时才建的：常驻引擎一启动就确认连得上（端口写错当场点名）
            engine.cluster.bind(lock)
            let port = metricsPort ?? engine.config.metricsPort
            var services: [Service] = []
            if port > 0 {
                guard port <= 65_535 else {
                    throw EngineError("metrics.port", zh: "--metrics-port 必须在 1…65535 之间。", en: "--metrics-port must be within 1…65535.", badInput: true)
                }
                let s = MetricsServer(render: { engine.metrics.registry.exposition() })
                try s.start(port: UInt16(port))
                engine.logger.info("metrics.listening", ["port": .int(Int64(s.port))])
                FileHandle.standardError.write(Data("metrics: http://127.0.0.1:\(s.port)/metrics\n".utf8))
                services.append(MetricsHTTPService(server: s))
            }
            // 服务按倒序停：引擎在最后 → 最先停；指标端点最后关。
            let svc = EngineService(runtime: engine.runtime(), once: once)
            services.append(svc)
            // 引擎自己的宽限期（config.shutdownGraceSeconds）之外再加 3 秒兜底，ServiceGroup 到点就取消。
            try await Lifecycle.run(services, logger: engine.logger, graceSeconds: engine.config.shutdownGraceSeconds + 3)
            if once {
                let out = svc.onceOutcomes
                let failed = out.filter { !$0.ok }
                if g.json {
                    CLI.printJSON(RoundJSON(workers: out.map {
                        .init(worker: $0.worker, ok: $0.ok, processed: $0.report?.processed, summary: $0.report?.summary, error: $0.error)
                    }))
                } else {
                    for o in out { print("\(o.worker): \(o.ok ? (o.report?.summary ?? "ok") : "FAILED \(o.error ?? "")")") }
                }
                if !failed.isEmpty {
                    throw EngineError("engine.round_failed", zh: "\(failed.count) 个 worker 本轮失败：\(failed.map(\.worker).joined(separator: ", "))（详见 logs/engine.log）。",
                                      en: "\(failed.count) worker(s) failed this round: \(failed.map(\.worker).joined(separator: ", ")) (see logs/engine.log).", badInput: false)
                }
                return
            }
            if svc.kind == .forced {
                FileHandle.standardError.write(Data((g.language == .zh ? "宽限期已到，强制停止（在途广播将在下次启动时按哈希核对）。\n" : "grace period expired, forced stop (in-flight broadcasts are checked by hash on next start).\n").utf8))
                lock.release()
                Foundation.exit(forcedStopExitCode)
            }
        }
    }
}

struct FeesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fees", abstract: L("EIP-1559 手续费估算：baseFee 与 slow/normal/fast", "EIP-1559 fee estimate: baseFee and slow/normal/fast"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption

    func run() async throws {
        await CLI.runAsync(g) {
            let f = try await { () async throws -> FeesJSON in
                let e = try await WalletEngine.open(home: home.resolved)
                return try await e.feesJSON()
            }()
            if g.json { CLI.printJSON(f); return }
            print("baseFee: \(f.baseFee)")
            for (t, d) in [("slow", f.slow), ("normal", f.normal), ("fast", f.fast)] {
                print("\(t): maxFeePerGas=\(d.maxFeePerGas) maxPriorityFeePerGas=\(d.maxPriorityFeePerGas)")
            }
        }
    }
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep", abstract: L("归集：计划与执行", "sweeps: plan and run"), subcommands: [SweepPlanCmd.self, SweepRunCmd.self])
}

struct SweepPlanCmd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: L("每个充值地址的归集计划（金额、gas、费用区间、净额、决定与原因）", "sweep plan for each deposit address (amount, gas, fee range, net amount, decision and reason)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption

    func run() async throws {
        await CLI.runAsync(g) {
            let lang = g.language
            let lines = try await { () async throws -> [SweepPlanLine] in
                let e = try await WalletEngine.open(home: home.resolved)
                return try await e.sweepPlan()
            }()
            if g.json { CLI.printJSON(lines.map { $0.json(lang) }); return }
            if lines.isEmpty { print(lang == .zh ? "没有需要归集的地址。" : "nothing to sweep."); return }
            for l in lines {
                print("\(l.address) \(l.asset) amount=\(l.amount) gas=\(l.gasLimit) fee=\(l.fee) net=\(l.net) \(l.decision): \(lang == .zh ? l.reasonZh : l.reasonEn)")
            }
        }
    }
}

struct SweepRunCmd: AsyncParsableCommand {
    struct SweepStepsJSON: Encodable { var steps: Int }

    static let configuration = CommandConfiguration(commandName: "run", abstract: L("执行一轮归集（custodian/admin；ERC-20 先补 gas，收到补充交易收据后再发代币）；引擎在跑则入队给它", "run one sweep round (custodian/admin; for ERC-20, gas is topped up first and the tokens are sent once the top-up receipt arrives); if the engine is running, the job is queued for it"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var open: EngineOpenOptionsCLI

    func run() async throws {
        await CLI.runAsync(g) {
            guard let lock = try EngineCLI.lockUnlessEngineRuns(home) else {
                // 引擎正在运行（它持有 nonce 分配）：不抢，把请求交给它——入队一个归集任务，由运行中的引擎执行，`jobs list` 可见。
                let engine = try await EngineCLI.open(home)
                let op = try EngineCLI.authenticate(engine, auth)
                try engine.authorize(op, .sweepRun)
                // 运行中的引擎不需要解封口令；但给了就核对——接受一个错的口令还说「已入队」，会让人以为它是对的（QA）。
                if open.unseal.unsealPassphraseFile != nil || open.unseal.unsealSharesFile != nil {
                    try EngineCLI.unseal(engine, open.unseal, lang: g.language)
                }
                let j = try engine.requestSweep(by: op)
                if g.json { CLI.printJSON(EnqueuedJSON(j)) }
                else { print(g.language == .zh ? "引擎正在运行：已入队归集任务 #\(j.id)，由它执行（jobs list 查看）。" : "the engine is running: queued sweep job #\(j.id) for it to execute (see jobs list).") }
                return
            }
            defer { lock.release() }
            let engine = try await open.open(home, g, needUnseal: false)
            let op = try EngineCLI.authenticate(engine, auth)
            try engine.authorize(op, .sweepRun)   // 先授权再要解封口令：无权的人不会被提示输入机密
            guard let steps = try await EngineCLI.runExclusive(engine, lock: lock, lease: engine.cluster.signerLease, {
                try EngineCLI.unseal(engine, open.unseal, lang: g.language)
                return try await engine.sweepRun(by: op)
            }) else {
                // 集群里另一个引擎持有热钱包的签名租约：交给它。
                let j = try engine.requestSweep(by: op)
                if g.json { CLI.printJSON(EnqueuedJSON(j)) }
                else { print(g.language == .zh ? "另一个引擎持有热钱包的签名租约：已入队归集任务 #\(j.id)，由它执行（jobs list 查看）。" : "another engine holds the hot-wallet signer lease: queued sweep job #\(j.id) for it (see jobs list).") }
                return
            }
            if g.json { CLI.printJSON(SweepStepsJSON(steps: steps)) } else { print(g.language == .zh ? "归集推进了 \(steps) 步。" : "sweep advanced \(steps) step(s).") }
        }
    }
}

struct NonceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nonce", abstract: L("热钱包 nonce", "hot-wallet nonce"), subcommands: [NonceStatusCmd.self])
}

struct NonceStatusCmd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: L("引擎记录 vs 链上 nonce、在途交易、缺口；有缺口、外部使用、或已记账的交易被重组掉时退出码 1", "engine-recorded vs on-chain nonce, in-flight transactions, gaps; exits 1 on a gap, external use, or a booked transaction removed by a reorg"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption

    func run() async throws {
        await CLI.runAsync(g) {
            let s = try await { () async throws -> NonceStatus in
                let e = try await WalletEngine.open(home: home.resolved)
                return try await e.nonceStatus()
            }()
            if g.json { CLI.printJSON(s.json) } else {
                let zh = g.language == .zh
                let q = { (v: UInt64?) in v.map(String.init) ?? "?" }
                print(zh ? "\(s.address) 引擎下一个 nonce \(s.nextNonce)，链上 latest \(q(s.chainLatest))、pending \(q(s.chainPending))"
                         : "\(s.address) next=\(s.nextNonce) chainLatest=\(q(s.chainLatest)) chainPending=\(q(s.chainPending))")
                for f in s.inFlight {
                    let kind = zh ? (f.kind == "withdrawal" ? "提现" : f.kind == "topup" ? "补 gas" : f.kind) : f.kind
                    print(zh ? "  nonce \(f.nonce)：\(kind) #\(f.ref) \(f.state)（签过 \(f.attempts) 个版本）" : "  nonce \(f.nonce): \(kind) #\(f.ref) \(f.state) (\(f.attempts) signed)")
                }
                if !s.gaps.isEmpty { print(zh ? "  缺口：\(s.gaps)" : "  gaps: \(s.gaps)") }
                if !s.reorged.isEmpty { print(zh ? "  被重组掉（已按上链记账）：\(s.reorged)" : "  reorged (booked as mined): \(s.reorged)") }
            }
            if !s.ok {
                let (zh, en): (String, String)
                if s.externalUse {
                    (zh, en) = ("链上 nonce 超过引擎记录：热钱包密钥可能在别处被使用。", "the on-chain nonce is above the engine's record: the hot-wallet key may be used elsewhere.")
                } else if !s.gaps.isEmpty {
                    (zh, en) = ("存在 nonce 缺口 \(s.gaps)：后续交易会卡住，需要填补。", "nonce gaps \(s.gaps): later transactions will be stuck until they are filled.")
                } else {
                    (zh, en) = ("nonce \(s.reorged) 的交易已按上链记账，但被重组掉了：运行中的引擎会用原字节重发（告警 withdraw.reorged）；确认它们重新上链，见 docs/runbook.md。",
                                "the transactions at nonces \(s.reorged) were booked as mined but a reorg removed them: the running engine re-sends the same bytes (alert withdraw.reorged); check that they are mined again, see docs/runbook.md.")
                }
                throw EngineError("nonce.problem", zh: zh, en: en, badInput: false)
            }
        }
    }
}

struct AssetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "asset", abstract: L("资产（ERC-20 白名单与入账策略；修改需要 admin）", "assets (ERC-20 allowlist and crediting policy; changes require admin)"),
                                                    subcommands: [AssetAdd.self, AssetUpdate.self, AssetDisable.self, AssetEnable.self, AssetList.self])
}

struct AssetAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: L("新增 ERC-20 资产（只新建、不覆盖；只有白名单合约的 Transfer 才会入账）", "add an ERC-20 asset (creates only, never overwrites; only Transfer events from allowlisted contracts are credited)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @Option(name: .long, help: ArgumentHelp(L("符号，例如 USDT", "symbol, e.g. USDT"))) var symbol: String
    @Option(name: .long, help: ArgumentHelp(L("合约地址（EIP-55）", "contract address (EIP-55)"))) var contract: String
    @Option(name: .long, help: ArgumentHelp(L("精度（小数位）", "decimals"))) var decimals: Int
    @Option(name: .long, help: ArgumentHelp(L("入账确认数", "confirmations required before crediting"))) var confirmations: Int = 12
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(L("最小入账金额（显示单位，低于它记为粉尘）", "minimum deposit to credit (display units; smaller amounts are recorded as dust)"))) var minDeposit: String?
    @Option(name: .long, help: ArgumentHelp(L("以 finalized 标签为准入账 true|false", "credit based on the finalized block tag: true|false"))) var useFinalized: Bool = false

    func run() async throws {
        await CLI.runAsync(g) {
            let e = try await EngineCLI.open(home)
            let op = try EngineCLI.authenticate(e, auth)
            let (sym, c, d, conf, md, uf) = (symbol, contract, decimals, confirmations, minDeposit, useFinalized)
            let a = try await e.addAsset(symbol: sym, contract: c, decimals: d, confirmations: conf, minDeposit: md, useFinalized: uf, by: op)
            if g.json { CLI.printJSON(EngineCLI.assetJSON(a)) } else { print(g.language == .zh ? "已添加资产 \(a.symbol)。" : "added asset \(a.symbol).") }
        }
    }
}

struct AssetUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: L("只修改给出的字段（审计记下改前改后）", "change only the given fields (the audit log records before and after)"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @Argument(help: ArgumentHelp(L("资产符号", "asset symbol"))) var symbol: String
    @Option(name: .long, help: ArgumentHelp(L("入账确认数", "confirmations required before crediting"))) var confirmations: Int?
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(L("最小入账金额（显示单位）", "minimum deposit to credit (display units)"))) var minDeposit: String?
    @Option(name: .long, help: ArgumentHelp(L("以 finalized 标签为准入账 true|false", "credit based on the finalized block tag: true|false"))) var useFinalized: Bool?

    func run() async throws {
        await CLI.runAsync(g) {
            let e = try await EngineCLI.open(home)
            let op = try EngineCLI.authenticate(e, auth)
            let a = try e.updateAsset(symbol, AssetChange(confirmations: confirmations, minDeposit: minDeposit, useFinalized: useFinalized), by: op)
            if g.json { CLI.printJSON(EngineCLI.assetJSON(a)) } else { print(g.language == .zh ? "已更新资产 \(a.symbol)。" : "updated asset \(a.symbol).") }
        }
    }
}

struct AssetDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: L("停用资产：不再分配新地址、不受理新提现（已监视的地址照常入账）", "disable an asset: no new addresses, no new withdrawals (already watched addresses are still credited)"))
    @OptionGroup var toggle: AssetToggle
    func run() async throws { await toggle.run(enabled: false) }
}

struct AssetEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: L("重新启用资产", "re-enable an asset"))
    @OptionGroup var toggle: AssetToggle
    func run() async throws { await toggle.run(enabled: true) }
}

/// disable / enable 共用的参数与执行。
struct AssetToggle: ParsableArguments {
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @Argument(help: ArgumentHelp(L("资产符号", "asset symbol"))) var symbol: String

    func run(enabled: Bool) async {
        await CLI.runAsync(g) {
            let e = try await EngineCLI.open(home)
            let a = try e.setAssetEnabled(symbol, enabled, by: try EngineCLI.authenticate(e, auth))
            let zh = g.language == .zh
            if g.json { CLI.printJSON(EngineCLI.assetJSON(a)) }
            else { print(enabled ? (zh ? "已启用 \(a.symbol)。" : "enabled \(a.symbol).") : (zh ? "已停用 \(a.symbol)。" : "disabled \(a.symbol).")) }
        }
    }
}

struct AssetList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("列出资产与入账策略", "list assets and their crediting policy"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    func run() async throws {
        await CLI.runAsync(g) {
            let rows = try await EngineCLI.open(home).assets().map(EngineCLI.assetJSON)
            if g.json { CLI.printJSON(rows) } else { EngineCLI.printRows(rows, keys: ["symbol", "contract", "decimals", "confirmations", "useFinalized", "minDeposit", "enabled"]) }
        }
    }
}

struct ScannerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scanner", abstract: L("扫块器：深度重组停机后的重扫", "deposit scanner: rescan after a deep-reorg halt"),
                                                    subcommands: [ScannerRescan.self])
}

struct ScannerRescan: AsyncParsableCommand {
    struct RescanJSON: Encodable { var from: UInt64; var orphaned: Int; var reversed: Int }

    static let configuration = CommandConfiguration(commandName: "rescan", abstract: L("从区块 N 重新扫描（admin）：先撤销 N 之后已不在主链上的充值，再清空窗口、解除停机；引擎运行中则入队给它", "rescan from block N (admin): first reverses deposits after N that are no longer on the canonical chain, then clears the window and lifts the halt; if the engine is running, the job is queued for it"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @Option(name: .long, help: ArgumentHelp(L("起始区块号", "starting block number"))) var from: UInt64

    func run() async throws {
        await CLI.runAsync(g) {
            let zh = g.language == .zh
            let e = try await EngineCLI.open(home)
            let op = try EngineCLI.authenticate(e, auth)
            guard let lock = try EngineCLI.lockUnlessEngineRuns(home) else {
                let j = try e.requestRescan(from: from, by: op)
                if g.json { CLI.printJSON(EnqueuedJSON(j)) }
                else { print(zh ? "引擎正在运行：已入队重扫任务 #\(j.id)（jobs list 查看）。" : "the engine is running: queued rescan job #\(j.id) (see jobs list).") }
                return
            }
            defer { lock.release() }
            let n = from
            guard let r = try await EngineCLI.runExclusive(e, lock: lock, lease: EngineCluster.leaderLease, { try await e.rescan(from: n, by: op) }) else {
                let j = try e.requestRescan(from: from, by: op)
                if g.json { CLI.printJSON(EnqueuedJSON(j)) }
                else { print(zh ? "另一个引擎是 leader：已入队重扫任务 #\(j.id)（jobs list 查看）。" : "another engine is the leader: queued rescan job #\(j.id) (see jobs list).") }
                return
            }
            if g.json { CLI.printJSON(RescanJSON(from: r.from, orphaned: r.orphaned, reversed: r.reversed)) }
            else { print(zh ? "将从区块 \(r.from) 重扫；撤销了 \(r.orphaned) 笔未入账、\(r.reversed) 笔已入账的非主链充值。" : "rescanning from block \(r.from); \(r.orphaned) unconfirmed and \(r.reversed) credited off-chain deposit(s) undone.") }
        }
    }
}

/// init 的备份份额文件：0700 目录、每份一个 0600 文件（原子写），文件名带序号与门限，内容只有份额本身。
/// init 的 T-of-N 份额（种子的 SLIP-39 备份、KEK 的解封份额）：解析、目录检查（先于创建任何东西）、写文件。
enum InitShares {
    static func parse(_ spec: String, flag: String, code: String) throws -> (threshold: Int, count: Int) {
        let parts = spec.lowercased().split(separator: "-").map(String.init)
        guard parts.count == 3, parts[1] == "of", let t = Int(parts[0]), let n = Int(parts[2]) else {
            throw EngineError(code, zh: "\(flag) 格式应为 T-of-N，例如 2-of-3。", en: "\(flag) must look like T-of-N, e.g. 2-of-3.", badInput: true)
        }
        return (t, n)
    }

    /// 目录必须给出，且不存在或为空：不能出现「home 建好了、份额没写出来」，也绝不覆盖已有的份额。
    static func checkDir(_ dir: String?, flag: String, dirFlag: String, code: String) throws {
        guard let dir else {
            throw EngineError(code, zh: "\(flag) 需要 \(dirFlag) DIR（份额文件写在那里）。", en: "\(flag) needs \(dirFlag) DIR (where the share files go).", badInput: true)
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue {
            throw EngineError(code, zh: "\(dirFlag) \(dir) 是一个文件，不是目录：给一个新目录。", en: "\(dirFlag) \(dir) is a file, not a directory: give a new directory.", badInput: true)
        }
        guard ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).isEmpty else {
            throw EngineError(code, zh: "\(dirFlag) \(dir) 不是空目录：换一个新目录（不覆盖已有的份额）。", en: "\(dirFlag) \(dir) is not empty: use a new directory (existing shares are never overwritten).", badInput: true)
        }
    }

    static func write(_ shares: [SecretBytes], name: String, threshold: Int, to dir: String) throws -> [String] {
        if !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        chmod(dir, 0o700)   // 已存在的空目录也收紧（帮助里承诺 0700）
        var out: [String] = []
        for (i, s) in shares.enumerated() {
            let path = (dir as NSString).appendingPathComponent("\(name)-\(i + 1)-of-\(shares.count)-threshold-\(threshold).txt")
            try CLI.writeSecretFile(path, s)
            out.append(path)
        }
        return out
    }
}

extension EngineCLI {
    /// 签名器一行：四种状态四个符号（✔ 正常、⏸ 封存、⚠ 不可用、✖ 错误），不会把封存和坏了看成一样。
    static func signerLine(_ r: SignerReport, zh: Bool) -> String {
        let sym: String, word: String
        switch r.state {
        case "ok": sym = "✔"; word = zh ? "正常" : "ok"
        case "sealed": sym = "⏸"; word = zh ? "已封存" : "sealed"
        case "unavailable": sym = "⚠"; word = zh ? "不可用" : "unavailable"
        default: sym = "✖"; word = zh ? "错误" : "error"
        }
        var line = "\(zh ? "签名器" : "signer"): \(sym) \(word)  \(r.keyId) \(r.label ?? "") [\(r.tier ?? "-")] \(r.address ?? "")"
        if r.matchesConfig == false { line += zh ? "  ✖ 地址不是配置的热钱包" : "  ✖ address is not the configured hot wallet" }
        if let ms = r.latencyMillis { line += "  \(ms) ms" }
        if let c = r.lastErrorCode, let at = r.lastErrorAt {
            let msg = (zh ? r.lastErrorMessage : r.lastErrorMessageEn) ?? ""
            let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(at)))
            line += zh ? "\n  最近一次故障：\(c)（\(msg)），时间 \(when)" : "\n  last failure: \(c) (\(msg)) at \(when)"
        }
        return line
    }
}
