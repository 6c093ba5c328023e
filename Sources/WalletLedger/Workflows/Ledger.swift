// 账本门面：所有资金流程的入口。每个状态转换与其分录、审计记录在同一个数据库事务里提交。
import Foundation
import WalletCrypto


/// 充值地址派生（xpub 在第 index 个非硬化子节点）。只需公钥，不需要私钥。
public protocol DepositAddressDeriver: Sendable {
    /// 返回（规范小写或 EIP-55 形式的地址，派生路径文本）。
    func derive(index: UInt32) throws -> (address: String, path: String)
}

public final class Ledger {
    public let store: any LedgerStore
    /// 时钟可注入（WalletClock）：测试里推进时间验证过期、冷静期和速率窗口。
    public var clock: any WalletClock
    public var policy: ApprovalPolicy
    public var addresses: AddressValidator
    public var deriver: (any DepositAddressDeriver)?
    /// 手续费以哪种资产计（链的原生币）。
    public var nativeAsset: String = "ETH"
    public var chain: String = "ethereum"
    /// 审计链的库外锚（引擎打开 home 时设置）；nil = 只有库内的哈希链（单元测试、内存账本）。
    public var sealer: (any AuditSealer)?
    /// 外部任务队列（config.json 的 queue.url，Redis Streams）；nil = 与账本同库的 jobs 表。
    public var externalJobQueue: (any JobQueue & LeaseLock)?
    var anchoredID: Int64 = 0
    var anchoredHash = ""
    var auditWritten = false
    /// 分片链上有还没被主链检查点汇总的记录；上一次写检查点的时刻。
    var shardAuditPending = false
    var lastCheckpoint: Int64 = 0
    var checkpointAlerted = false
    var anchorAlerted = false
    var lastAnchorFollow: Int64 = 0
    /// 没写审计时，隔多久把锚跟到别的引擎写下的主链链头（秒）。
    public var anchorFollowInterval: Int64 = 2
    /// 分片链汇总进主链（进而被库外的锚覆盖）的最长间隔（秒）。每次都写会让每个分片事务之后跟一个全局事务，并行就没了。
    public var checkpointInterval: Int64 = 5

    public init(store: any LedgerStore, clock: any WalletClock = SystemClock(), policy: ApprovalPolicy = .default,
                addresses: AddressValidator = .eip55, deriver: (any DepositAddressDeriver)? = nil) {
        self.store = store; self.clock = clock; self.policy = policy; self.addresses = addresses; self.deriver = deriver
        store.fenceClock = clock
        if let n = try? store.setting(Settings.nativeAsset) { nativeAsset = n }
        if let c = try? store.setting(Settings.chainID) { chain = "eip155:\(c)" }
        if self.deriver == nil { self.deriver = try? configuredDeriver() }
    }

    /// 打开 home 的账本：databaseURL 为 nil 时是 <home>/wallet.db（SQLite），否则是那个 PostgreSQL 库。
    public static func open(home: String, databaseURL: String? = nil, clock: any WalletClock = SystemClock()) throws -> Ledger {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let path = (home as NSString).appendingPathComponent("wallet.db")
        return Ledger(store: try LedgerBackends.open(databaseURL: databaseURL, sqlitePath: path), clock: clock)
    }

    public var now: Int64 { clock.unixTime() }

    // MARK: 设置与资产

    public enum Settings {
        public static let depositXpub = "deposit.xpub"
        public static let chainID = "chain.id"
        public static let nativeAsset = "chain.native_asset"
        public static let hotWallet = "hot_wallet.address"
    }

    public func setting(_ key: String) throws -> String? { try store.setting(key) }
    public func setSetting(_ key: String, _ value: String, by op: String = "system") throws {
        try store.transaction {
            // chain.id 是充值幂等键的一部分：已有充值后改它会让同一笔充值换一个键而被重复入账。
            if key == Settings.chainID, try store.setting(key) != value, try store.depositCount(DepositFilter()) > 0 {
                throw LedgerError.invalidArgument(key, "已有充值记录，不能修改链 ID（它是充值幂等键的一部分）", en: "deposits exist; the chain id cannot change (it is part of the deposit idempotency key)")
            }
            try store.setSetting(key, value)
            try audit(op, "setting.set", key, ["value": value])
        }
        if key == Settings.chainID { chain = "eip155:\(value)" }
        if key == Settings.nativeAsset { nativeAsset = value }
    }

    public func asset(_ symbol: String) throws -> Asset {
        guard let a = try store.asset(symbol) else { throw LedgerError.unknownAsset(symbol) }
        return a
    }

    /// 新建资产：只创建，绝不覆盖已有资产（覆盖会悄悄改掉确认策略、把原生币改绑到任意合约）。
    public func addAsset(_ a: Asset, by op: String = "system") throws {
        guard a.decimals >= 0, a.decimals <= AmountFormat.maxDecimals else {
            throw LedgerError.invalidArgument("decimals", "必须在 0...\(AmountFormat.maxDecimals)", en: "must be within 0...\(AmountFormat.maxDecimals)")
        }
        guard !a.symbol.isEmpty, a.symbol.count <= 16 else { throw LedgerError.invalidArgument("symbol", "1–16 个字符", en: "1–16 characters") }
        try store.transaction {
            if try store.asset(a.symbol) != nil { throw LedgerError.assetExists(a.symbol) }
            if let c = a.contract, let other = try store.allAssets().first(where: { $0.contract == c }) {
                throw LedgerError.contractInUse(contract: c, symbol: other.symbol)
            }
            try store.upsertAsset(a)
            try audit(op, "asset.add", a.symbol, ["decimals": String(a.decimals), "contract": a.contract ?? "",
                                                 "confirmations": String(a.confirmations), "useFinalized": String(a.useFinalized),
                                                 "minDeposit": a.minDeposit.decimalString])
        }
    }

    /// 修改资产的可变字段（符号、精度、合约不可改：它们决定历史记录的含义）。审计记下改前改后。
    @discardableResult
    public func updateAsset(_ symbol: String, by op: String, _ change: (inout Asset) throws -> Void) throws -> Asset {
        try store.transaction {
            let before = try asset(symbol)
            var after = before
            try change(&after)
            guard after.symbol == before.symbol, after.decimals == before.decimals, after.contract == before.contract else {
                throw LedgerError.invalidArgument("asset", "符号、精度与合约不可修改", en: "symbol, decimals and contract cannot change")
            }
            guard (1...10_000).contains(after.confirmations) else { throw LedgerError.invalidArgument("confirmations", "必须在 1…10000 之间", en: "must be within 1…10000") }
            if after == before { return before }
            try store.upsertAsset(after)
            func show(_ a: Asset) -> String {
                "confirmations=\(a.confirmations) useFinalized=\(a.useFinalized) minDeposit=\(a.minDeposit.decimalString) enabled=\(a.enabled)"
            }
            try audit(op, "asset.update", symbol, ["before": show(before), "after": show(after)])
            return after
        }
    }

    // MARK: 记账

    /// 写一条分录：检查每种资产借贷相等、金额为正、用户负债账户不为负。失败则整笔回滚。
    @discardableResult
    func post(_ kind: String, ref: String, memo: String = "", _ postings: [Posting]) throws -> Int64 {
        let nonzero = postings.filter { !$0.amount.isZero }
        guard !nonzero.isEmpty else { throw LedgerError.invalidArgument("postings", "空分录", en: "empty journal entry") }
        var sums: [String: (d: UInt256, c: UInt256)] = [:]
        for p in nonzero {
            var s = sums[p.account.asset] ?? (.zero, .zero)
            if p.side == .debit { s.d = try s.d.checkedAdd(p.amount) } else { s.c = try s.c.checkedAdd(p.amount) }
            sums[p.account.asset] = s
        }
        for (asset, s) in sums where s.d != s.c {
            throw LedgerError.bug("分录不平衡（\(asset)：借 \(s.d) ≠ 贷 \(s.c)） / unbalanced entry (\(asset): debit \(s.d) ≠ credit \(s.c))")
        }
        return try store.transaction {
            let (id, after) = try store.insertEntry(kind: kind, ref: ref, memo: memo, at: now, postings: nonzero)
            // 同一账户在一条分录里出现多次时，最后一次的余额才是记账后的（按 posting 顺序返回）。
            var last: [String: AccountBalance] = [:]
            for b in after { last[b.ref.code] = b }
            for p in nonzero where p.account.kind.isUserLiability {
                // 业务流程事先已检查余额；走到这里说明是程序错误，整笔回滚。
                if let b = last[p.account.code], b.net.negative {
                    throw LedgerError.bug("用户负债账户 \(p.account.code) 将变为负数（\(kind) \(ref)） / user liability account \(p.account.code) would go negative (\(kind) \(ref))")
                }
            }
            return id
        }
    }

    /// 引擎自己的动作（扫块重扫、控制台操作）也经这里写审计：同一个 MAC 密钥、同一个推锚标记。
    public func appendAudit(operatorName: String, action: String, subject: String, details: [String: String]) throws {
        try audit(operatorName, action, subject, details)
    }

    func audit(_ op: String, _ action: String, _ subject: String, _ details: [String: String]) throws {
        let r = try AuditChain.append(store, at: now, operatorName: op, action: action, subject: subject, details: details, sealer: sealer)
        // 库外的锚只跟主链（0）：分片链的记录由检查点带进主链（检查点本身也经这里写，会置 auditWritten）。
        // 以前分片链的每条记录也置位——每笔入账出闸门都多查一次主链链头（PostgreSQL 上一次往返）。
        if r.chain == 0 { auditWritten = true } else { shardAuditPending = true }
    }

    /// 事务提交之后调用（引擎的闸门在最外层退出时）：分片链有新记录且距上次检查点已过 checkpointInterval 时，先在主链写一个检查点；
    /// 再把库外的锚推进到已提交的主链链头。失败不抛：库比锚新是允许的（崩溃在提交与推锚之间也一样），下一次再推。
    public func anchorAudit() {
        if shardAuditPending, !store.inTransaction, now - lastCheckpoint >= checkpointInterval {
            if (try? checkpointAudit()) != nil { shardAuditPending = false }
        }
        guard let sealer else { return }
        // 自己写过审计就立即推；没写过也每隔几秒跟一次——多引擎时别的主机写的记录也要被本机的锚覆盖
        // （QA 发现：只推自己写的，A 的锚停在 #303、库已到 #313，在 A 上删掉尾部 `audit verify` 照样通过）。
        guard auditWritten || now - lastAnchorFollow >= anchorFollowInterval else { return }
        auditWritten = false
        lastAnchorFollow = now
        // 链头就是锚：没事做（同一序号换了 hash 也要走下面的检查——那是篡改）。
        guard let head = try? store.lastAuditHead(chain: 0), head.seq >= anchoredID, head.seq != anchoredID || head.hash != anchoredHash else { return }
        // 只沿着完好的链前进：从现在的锚走到新链头，每条都接得上、hash 与 MAC 都对。接不上就是锚之后的记录被删改过——
        // 绝不把锚推到被改过的链头上（那等于替篡改背书），告警一次。
        let from = (try? sealer.anchor()).flatMap { $0 }.map { (seq: $0.id, hash: $0.hash) }
        guard let ok = try? AuditChain.extends(store, from: from, to: head, sealer: sealer) else { return }
        guard ok else {
            tamperAlert(&anchorAlerted,
                        zh: "审计主链与库外的锚（#\(from?.seq ?? 0)）接不上：锚之后的记录被删除或改动，锚不再前进。",
                        en: "the main audit chain no longer extends the anchor outside the database (#\(from?.seq ?? 0)): records after it were deleted or altered; the anchor stops advancing.")
            return
        }
        if head.seq == from?.seq || (try? sealer.advance(id: head.seq, hash: head.hash)) != nil { anchoredID = head.seq; anchoredHash = head.hash }
    }

    /// 在主链上记下各分片链当前的链头（全局写事务：此刻没有分片事务在写，链头是一致的快照）。链头都没变时不写。
    /// 返回是否写了。分片链上检查点之后的记录与主链上锚之后的记录一样：只有库内的哈希链与 MAC 保护，直到下一个检查点。
    @discardableResult
    public func checkpointAudit() throws -> Bool {
        guard !store.inTransaction else {
            throw LedgerError.bug("检查点必须在事务外调用 / checkpointAudit must be called outside a transaction")
        }
        var broken: [Int] = []
        let wrote: Bool = try store.transaction {
            var heads: [String: String] = [:]
            for c in 1...LedgerShards.count {   // 分片数是常量：16 次走索引的 LIMIT 1，不扫表
                if let h = try store.lastAuditHead(chain: c) { heads[String(c)] = "\(h.seq):\(h.hash)" }
            }
            guard !heads.isEmpty else { return false }
            let last = try store.audits(AuditFilter(action: AuditChain.checkpointAction), page: Page(limit: 1)).first
            if last?.details == AuditChain.details(heads) { return false }
            // 新检查点只能延长上一个：上一个记下的每个链头必须还在、hash 不变。否则这条链在两个检查点之间被删改过——
            // 绝不写新检查点把它「洗白」（QA 发现：删掉分片链的尾部后引擎接着写，下一个检查点记下更短的链，校验从此通过）。
            for (c, p) in AuditChain.checkpointHeads(last?.details ?? "{}") {
                if try AuditChain.record(store, chain: c, seq: p.seq)?.hash != p.hash { broken.append(c) }
            }
            guard broken.isEmpty else { return false }
            try audit("system", AuditChain.checkpointAction, "shards", heads)
            return true
        }
        lastCheckpoint = now
        if !broken.isEmpty {
            let list = broken.sorted().map(String.init).joined(separator: ",")
            tamperAlert(&checkpointAlerted,
                        zh: "审计分片链 \(list) 与上一个检查点不符（记录被删除或改动）：不再写检查点。",
                        en: "audit shard chain(s) \(list) no longer match the last checkpoint (records deleted or altered): no further checkpoints are written.")
        }
        return wrote
    }

    /// 审计被删改：告警 audit.tampered，每个进程每种情形只一次（推锚/检查点每次出闸门都会再发现它）。
    func tamperAlert(_ raised: inout Bool, zh: String, en: String) {
        guard !raised else { return }
        raised = true
        try? store.transaction {
            try store.insertAlert(kind: "audit.tampered", message: zh + "运行 audit verify 查看第一条坏记录，按应急预案处理。",
                                  messageEn: en + " Run audit verify to find the first bad record and follow the incident runbook.", at: now)
        }
    }

    /// 只碰一个用户的行的写流程：能并行写的后端上走该用户的分片事务，否则（或已在全局事务里）就是普通事务。
    /// user 只在需要时读（事务外读的是不变的映射：地址属于谁、充值属于谁）。
    func userTransaction<T>(user: () throws -> String?, _ body: () throws -> T) throws -> T {
        guard store.shardedWrites, !(store.inTransaction && store.currentShard == nil) else { return try store.transaction(body) }
        guard let u = try user() else { return try store.transaction(body) }
        return try store.transaction(shard: LedgerShards.of(user: u), body)
    }

    /// 账户净额（按正常方向；资产账户透支时为负）。
    public func balance(_ ref: AccountRef) throws -> (negative: Bool, magnitude: UInt256) {
        try store.balance(ref)?.net ?? (false, .zero)
    }

    public func available(user: String, asset: String) throws -> UInt256 {
        let b = try balance(AccountRef(.userAvailable, asset, user))
        return b.negative ? .zero : b.magnitude
    }

    public func frozen(user: String, asset: String) throws -> UInt256 {
        let b = try balance(AccountRef(.userFrozen, asset, user))
        return b.negative ? .zero : b.magnitude
    }

    public func balances(kind: AccountKind? = nil, asset: String? = nil, owner: String? = nil, page: Page = Page()) throws -> [AccountBalance] {
        try store.balances(kind: kind, asset: asset, owner: owner, page: page)
    }

    /// 运营方注资（例如给热钱包打 gas 费）：借热钱包、贷权益。
    @discardableResult
    public func fundHotWallet(asset: String, amount: UInt256, ref: String, by op: String) throws -> Int64 {
        _ = try self.asset(asset)
        return try store.transaction {
            let id = try post("hot_wallet_funding", ref: ref, [
                Posting(AccountRef(.hotWallet, asset), .debit, amount),
                Posting(AccountRef(.equity, asset), .credit, amount),
            ])
            try audit(op, "hot_wallet.fund", asset, ["amount": amount.decimalString, "ref": ref])
            return id
        }
    }

    // MARK: 充值地址

    /// BIP-44 的间隙上限（gap limit = 20）：下一个未分配索引起的这些地址也被监视。有人把钱打到「还没发出去」的地址
    /// （旧系统预先派生过、或用户从别处拿到）时，钱同样由我们的种子控制：记入待处理并告警，而不是看不见。
    public static let lookaheadGap: UInt32 = 20

    /// 已派生、尚未分配的充值地址（下一个未用索引起 count 个）。
    public func lookaheadAddresses(count: UInt32 = Ledger.lookaheadGap) throws -> [String] {
        guard let deriver else { return [] }
        let next = try store.nextDepositIndex()
        return try (0..<count).map { try addresses.canonical(try deriver.derive(index: next + $0).address.lowercased()) }
    }

    /// 给用户分配充值地址：已有则原样返回；否则从 xpub 的下一个未用索引派生并存储映射。
    public func assignAddress(user: String, asset: String, by op: String = "system") throws -> DepositAddressRecord {
        guard !user.isEmpty, user.count <= 128 else { throw LedgerError.invalidArgument("user", "1–128 个字符", en: "1–128 characters") }
        guard try self.asset(asset).enabled else { throw LedgerError.assetDisabled(asset) }
        guard let deriver else { throw LedgerError.settingMissing(Settings.depositXpub) }
        return try store.transaction {
            if let r = try store.depositAddress(user: user, asset: asset) { return r }
            let idx = try store.nextDepositIndex()
            let (addr, path) = try deriver.derive(index: idx)
            let canonical = try addresses.canonical(addr.lowercased())
            let r = DepositAddressRecord(user: user, asset: asset, address: canonical, index: idx, path: path)
            try store.insertDepositAddress(r, at: now)
            try audit(op, "address.assign", user, ["asset": asset, "address": canonical, "index": String(idx)])
            return r
        }
    }
}
