// 触及 home 的命令共用：经引擎打开 home（CLI 不碰账本与密钥库）、操作员认证、解封、JSON 形状。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine

/// --operator / --operator-passphrase-file（无文件且在 TTY 上时提示输入）。
struct OperatorOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(L("执行操作的操作员名", "name of the operator performing the action"))) var `operator`: String?
    @Option(name: .long, help: ArgumentHelp(L("操作员口令文件（不给则在终端上提示输入）", "operator passphrase file (prompted for on the terminal if omitted)"))) var operatorPassphraseFile: String?
}

enum EngineCLI {
    /// 打开 home 供账本类命令使用：不连节点（查询与审批不需要链），home 不存在时明确报错、绝不新建。
    static func open(_ home: HomeOption) async throws -> WalletEngine {
        let dir = home.resolved
        guard FileManager.default.fileExists(atPath: HomeLayout(dir).configFile) else {
            throw EngineError("home.missing", zh: "\(dir) 不是一个 home（没有 config.json）：检查 --home，或先运行 init。",
                              en: "\(dir) is not a home (no config.json): check --home, or run init first.", badInput: true)
        }
        return try await WalletEngine.open(home: dir, options: EngineOpenOptions(verifyChain: false))
    }

    /// 需要引擎锁（nonce 分配、扫块状态）的操作：拿到锁就由本进程执行；引擎已在跑时返回 nil，调用方改为入队给它。
    static func lockUnlessEngineRuns(_ home: HomeOption) throws -> ProcessLock? {
        do { return try ProcessLock(path: HomeLayout(home.resolved).lockFile) } catch let e as any WalletErrorConvertible where e.code == "engine.already_running" {
            return nil
        }
    }

    /// 本 home 上没有引擎、本进程拿到了引擎锁：但在多引擎部署里，别的 home（别的主机）上的引擎可能正持有这份独占活的租约
    /// （signer = 热钱包 nonce，leader = 扫块）。持有者是别人 → 返回 nil，调用方改为入队交给集群；否则本进程持租约执行，写入带隔离令牌。
    static func runExclusive<T: Sendable>(_ engine: WalletEngine, lock: ProcessLock, lease: String,
                                          _ body: @Sendable () async throws -> T) async throws -> T? {
        engine.cluster.bind(lock)
        // 问租约本身就会写一条引擎心跳：拿不到（改为入队）时也要注销，否则 status 里多出一个「备用」、随后「失联」10 分钟的引擎（QA）。
        defer { engine.cluster.leave() }
        guard let fence = try engine.cluster.fence(lease) else { return nil }
        return try await LeaseScope.$current.withValue(fence) { try await body() }
    }

    static func readPassphrase(file: String?, prompt: String) throws -> SecretBytes {
        if let file { return try CLI.readSecretFile(file, what: "口令") }
        guard isatty(0) == 1, let p = getpass(prompt) else {
            throw WalletError("operator.passphrase_required", zh: "需要操作员口令：用 --operator-passphrase-file 指定文件，或在终端上运行以便提示输入。",
                                    en: "operator passphrase needed: pass --operator-passphrase-file or run on a terminal to be prompted.", badInput: true)
        }
        var bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
        memset(p, 0, strlen(p))
        return SecretBytes(consuming: &bytes)
    }

    /// 认证操作员（引擎里核对口令）；没给 --operator 时是输入错误（退出 2），什么都不改。
    static func authenticate(_ engine: WalletEngine, _ o: OperatorOptions) throws -> Operator {
        guard let name = o.operator else {
            throw EngineError("operator.required", zh: "该操作需要 --operator NAME（以及 --operator-passphrase-file）。",
                              en: "this action needs --operator NAME (and --operator-passphrase-file).", badInput: true)
        }
        let pw = try readPassphrase(file: o.operatorPassphraseFile, prompt: "操作员 \(name) 的口令: ")
        return try engine.authenticate(name: name, passphrase: pw)
    }

    /// 经引擎（或引擎拥有的密钥库服务）解封：口令或份额，机密从文件或 TTY 读。解封实现只有引擎里那一份；
    /// 对运行中的引擎，之后 wallet_keystore_sealed 为 0。
    static func unseal(_ engine: any Unsealable, _ u: UnsealOptions, lang: Language) throws {
        let st = engine.sealStatus()
        guard st.sealed else { return }
        // 给错了种类的解封材料：直接说这个 home 用哪一种（以前报「没有给文件选项、也没有终端」，而文件明明给了）。
        if st.mode == .passphrase, u.unsealPassphraseFile == nil, u.unsealSharesFile != nil {
            throw EngineError("keystore.unseal_mode", zh: "这个密钥库用口令解封，不用份额：改用 --unseal-passphrase-file F。",
                              en: "this keystore unseals with a passphrase, not shares: use --unseal-passphrase-file F.", badInput: true)
        }
        if st.mode == .shares, u.unsealSharesFile == nil, u.unsealPassphraseFile != nil {
            throw EngineError("keystore.unseal_mode", zh: "这个密钥库用 \(st.threshold ?? 0)-of-\(st.shareCount ?? 0) 份额解封，没有口令：改用 --unseal-shares-file F（每行一份）。",
                              en: "this keystore unseals with \(st.threshold ?? 0)-of-\(st.shareCount ?? 0) shares, not a passphrase: use --unseal-shares-file F (one share per line).", badInput: true)
        }
        switch st.mode {
        case .passphrase:
            let p = try KeystoreCLI.readSecret(file: u.unsealPassphraseFile, what: lang == .zh ? "解封口令" : "unseal passphrase",
                                               prompt: lang == .zh ? "解封口令：" : "Unseal passphrase: ")
            try engine.unseal(passphrase: p)
        case .shares:
            let t = st.threshold ?? 0
            if let f = u.unsealSharesFile {
                let lines = try KeystoreCLI.readSecretLines(f, what: lang == .zh ? "解封份额" : "unseal shares")
                guard lines.count >= t else {
                    throw ShamirError.tooFewShares(have: lines.count, need: t)
                }
                var done = false
                for l in lines where !done { done = try engine.unseal(share: l).unsealed }
                guard done else {
                    throw EngineError("keystore.shares_insufficient", zh: "份额不足，密钥库仍封存：提供更多份额直到达到阈值 \(t)。",
                                      en: "not enough shares; the keystore is still sealed: provide more shares up to the threshold \(t).", badInput: true)
                }
            } else {
                var done = false
                while !done {
                    let p = engine.sealStatus().progress
                    let s = try KeystoreCLI.promptSecret(lang == .zh ? "份额 \(p + 1)/\(t)：" : "Share \(p + 1)/\(t): ",
                                                         what: lang == .zh ? "解封份额" : "unseal share")
                    done = try engine.unseal(share: s).unsealed
                }
            }
        }
    }

    /// 打开 home 的密钥库（引擎拥有的服务），按需解封。manage 给出时是改动/取用机密的命令：完整钱包 home 里
    /// 必须由 admin 操作员执行（授权在引擎里）；只有密钥库的目录（没有账本、没有操作员）以持有解封机密为准。
    static func keystore(_ home: HomeOption, unseal u: UnsealOptions? = nil, manage: OperatorOptions? = nil, lang: Language) async throws -> HomeKeystore {
        let ks: HomeKeystore
        if let auth = manage, HomeKeystore.isWalletHome(home.resolved) {
            let e = try await open(home)
            ks = try e.managedKeystore(by: try authenticate(e, auth))
        } else {
            ks = try HomeKeystore.open(home: home.resolved)
        }
        if let u { try unseal(ks, u, lang: lang) }
        return ks
    }

    static func parseState<T: RawRepresentable & CaseIterable>(_ s: String?, _ type: T.Type, key: String) throws -> T? where T.RawValue == String {
        guard let s else { return nil }
        guard let v = T(rawValue: s) else {
            throw LedgerError.invalidArgument(key, "只能是 \(T.allCases.map(\.rawValue).joined(separator: "|"))（收到 '\(s)'）", en: "must be one of \(T.allCases.map(\.rawValue).joined(separator: "|")) (got '\(s)')")
        }
        return v
    }

    static func depositJSON(_ e: WalletEngine, _ d: Deposit) -> DepositJSON {
        DepositJSON(id: d.id, asset: d.asset, amount: e.format(d.asset, d.amount), amountBaseUnits: d.amount.decimalString,
                    address: AddressValidator.eip55.display(d.address), user: d.user, txHash: d.txHash, logIndex: d.logIndex,
                    blockNumber: d.blockNumber, confirmations: d.confirmations, required: d.required, state: d.state.rawValue)
    }

    /// reorged：一次读出的「重组后待重新确认」的提现（列表传进来，单条时自己读）。
    static func withdrawalJSON(_ e: WalletEngine, _ w: Withdrawal, reorged: Set<Int64>? = nil) -> WithdrawalJSON {
        let now = e.now
        let valid = w.approvals.filter { $0.expiresAt > now }
        // 有取消请求就带上（requested / approved / noop_sent / done / too_late），值班不必另查。
        let cancel = (try? e.withdrawalCancel(w.id)).map {
            WithdrawalJSON.Cancel(state: $0.state, requestedBy: $0.requestedBy, approvedBy: $0.approvedBy, noopHash: $0.noopHash)
        }
        return WithdrawalJSON(id: w.id, requestId: w.requestID, user: w.user, asset: w.asset, amount: e.format(w.asset, w.amount),
                              amountBaseUnits: w.amount.decimalString, to: AddressValidator.eip55.display(w.to), state: w.state.rawValue,
                              requestedBy: w.requestedBy, rule: w.rule, approvalsRequired: w.approvalsRequired, approvals: valid.count,
                              approvedBy: valid.map(\.operatorName), createdAt: w.createdAt, expiresAt: w.expiresAt,
                              reason: w.reason.isEmpty ? nil : BilingualText.pick(w.reason, CLI.language), nonce: w.nonce, txHash: w.txHash, cancel: cancel,
                              reorged: (reorged ?? (try? e.withdrawalsAwaitingReconfirmation()) ?? []).contains(w.id))
    }

    static func balanceJSON(_ e: WalletEngine, _ b: AccountBalance) -> BalanceJSON {
        let net = b.net
        let text = e.format(b.ref.asset, net.magnitude)
        return BalanceJSON(account: b.ref.code, kind: b.ref.kind.rawValue, asset: b.ref.asset, owner: b.ref.owner,
                           balance: net.negative ? "-" + text : text,
                           balanceBaseUnits: (net.negative ? "-" : "") + net.magnitude.decimalString)
    }

    static func assetJSON(_ a: Asset) -> AssetJSON {
        AssetJSON(symbol: a.symbol, contract: a.contract.map { AddressValidator.eip55.display($0) }, decimals: a.decimals,
                  confirmations: a.confirmations, useFinalized: a.useFinalized, minDeposit: a.format(a.minDeposit), enabled: a.enabled)
    }

    static func jobJSON(_ j: Job) -> JobJSON {
        JobJSON(id: j.id, queue: j.queue, kind: j.kind, state: j.state.rawValue, priority: j.priority,
                attempts: j.attempts, maxAttempts: j.maxAttempts, runAt: j.runAt, lastError: j.lastError)
    }

    static func auditJSON(_ r: AuditRecord) -> AuditJSON {
        AuditJSON(id: r.id, ts: r.ts, operator: r.operatorName, action: r.action, subject: r.subject, details: r.details, hash: r.hash)
    }
}

/// deposit list 的一行。amount 是显示单位，amountBaseUnits 是基本单位整数（都是十进制字符串）。
struct DepositJSON: Encodable {
    var id: Int64
    var asset: String
    var amount: String
    var amountBaseUnits: String
    var address: String
    var user: String
    var txHash: String
    var logIndex: Int
    var blockNumber: Int64
    var confirmations: Int
    var required: Int
    var state: String
}

/// withdraw request / list / approve / reject 的一笔提现。reason、nonce、txHash、cancel 没有时不出现这个键。
struct WithdrawalJSON: Encodable {
    struct Cancel: Encodable {
        var state: String
        var requestedBy: String
        @ExplicitNull var approvedBy: String?
        @ExplicitNull var noopHash: String?
    }
    var id: Int64
    var requestId: String
    var user: String
    var asset: String
    var amount: String
    var amountBaseUnits: String
    var to: String
    var state: String
    var requestedBy: String
    var rule: String
    var approvalsRequired: Int
    /// 仍有效（未过期）的批准数。
    var approvals: Int
    var approvedBy: [String]
    var createdAt: Int64
    var expiresAt: Int64
    var reason: String?
    var nonce: Int64?
    var txHash: String?
    var cancel: Cancel?
    /// 已按上链记账、被重组拿掉，已用原字节重发；重新上链并够确认之前为 true（state 仍是记账时的 confirmed/failed）。
    var reorged: Bool
}

/// ledger balances 的一行：余额带符号（负数前面是 "-"）。
struct BalanceJSON: Encodable {
    var account: String
    var kind: String
    var asset: String
    var owner: String
    var balance: String
    var balanceBaseUnits: String
}

/// asset add|update|disable|enable|list 与 status.settings.assets 的一项；原生币 contract 为 null。
struct AssetJSON: Encodable {
    var symbol: String
    @ExplicitNull var contract: String?
    var decimals: Int
    var confirmations: Int
    var useFinalized: Bool
    var minDeposit: String
    var enabled: Bool
}

struct JobJSON: Encodable {
    var id: Int64
    var queue: String
    var kind: String
    var state: String
    var priority: Int
    var attempts: Int
    var maxAttempts: Int
    var runAt: Int64
    var lastError: String
}

struct AuditJSON: Encodable {
    var id: Int64
    var ts: Int64
    var `operator`: String
    var action: String
    var subject: String
    var details: String
    var hash: String
}
