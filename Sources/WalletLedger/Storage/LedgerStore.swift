// 存储接口：业务流程（Workflows/）只通过这些协议读写，不写一行 SQL。
// 加 PostgreSQL 后端 = 再实现一遍这些协议，流程代码不动。
import WalletCrypto


/// 事务边界。实现保证 body 内的所有写要么全部提交要么全部回滚；嵌套调用并入外层。
public protocol TransactionalStore: AnyObject {
    /// 写事务；已在事务里时加入外层（内层写了一半又失败、错误被吞掉时外层拒绝提交，见 SQLDatabase.nestedTransaction）。
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// 分片写事务（只碰一个用户的行的流程用，见 LedgerShards）：只与同分片、全局写事务互斥。已在事务里时加入外层；
    /// 外层是另一个分片的事务时抛错（它的锁没拿）。
    func transaction<T>(shard: Int, _ body: () throws -> T) throws -> T
    /// 显式保存点：body 失败只撤销 body 的写入，外层可以继续。
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// 是否走分片事务（后端能并行写时才有意义；SQLite 默认不走，行为与从前一字不差）。
    var shardedWrites: Bool { get }
    /// 是否在写事务里；外层是分片事务时它的分片号。
    var inTransaction: Bool { get }
    var currentShard: Int? { get }
}

extension TransactionalStore {
    /// 当前事务的审计写到哪条链：0 = 主链；分片事务 = 分片号 + 1（见 AuditChain）。
    public var auditChain: Int { shardedWrites ? (currentShard.map { $0 + 1 } ?? 0) : 0 }
}

/// 按用户分片：分片只决定锁与审计链，不搬数据。分片数是常量——几个引擎对同一个用户必须算出同一个分片，
/// 所以它不能是可配置项（配错一台就会两把锁保护同一行）。FNV-1a 64：稳定、跨进程一致（Swift 的 Hasher 每进程随机种子，不能用）。
public enum LedgerShards {
    public static let count = 16
    public static func of(user: String) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in user.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(h % UInt64(count))
    }
}

public protocol SettingsRepository: TransactionalStore {
    func setting(_ key: String) throws -> String?
    func setSetting(_ key: String, _ value: String) throws
}

public protocol AssetRepository: TransactionalStore {
    func asset(_ symbol: String) throws -> Asset?
    func allAssets() throws -> [Asset]
    func upsertAsset(_ asset: Asset) throws
}

public protocol JournalRepository: TransactionalStore {
    /// 写一条分录并在同一事务中更新各账户借贷累计。调用方保证已平衡（Journal 负责检查）。
    /// 返回分录 id 与记账后各被动账户的余额（按 posting 顺序；调用方据此检查负债账户不为负，不必再读一遍）。
    func insertEntry(kind: String, ref: String, memo: String, at: Int64, postings: [Posting]) throws -> (id: Int64, balances: [AccountBalance])
    func balance(_ ref: AccountRef) throws -> AccountBalance?
    func balances(kind: AccountKind?, asset: String?, owner: String?, page: Page) throws -> [AccountBalance]
    /// 按分录 id 升序流式读取分录（afterEntry 之后，最多 limit 条分录的全部分录行）。
    func postings(afterEntry: Int64, entryLimit: Int) throws -> [StoredPosting]
    func entryCount(kind: String?, ref: String?) throws -> Int
}

public protocol DepositRepository: TransactionalStore {
    func depositAddress(user: String, asset: String) throws -> DepositAddressRecord?
    func depositAddress(address: String) throws -> DepositAddressRecord?
    func nextDepositIndex() throws -> UInt32
    /// 按派生索引升序列出已分配的充值地址（扫块器监视的就是这些落库的地址）。
    func depositAddresses(fromIndex: UInt32, limit: Int) throws -> [DepositAddressRecord]
    func insertDepositAddress(_ r: DepositAddressRecord, at: Int64) throws
    func deposit(chain: String, txHash: String, logIndex: Int) throws -> Deposit?
    func deposit(id: Int64) throws -> Deposit?
    func insertDeposit(_ d: Deposit) throws -> Int64
    func updateDeposit(_ d: Deposit) throws
    func deposits(_ f: DepositFilter, page: Page) throws -> [Deposit]
    func depositCount(_ f: DepositFilter) throws -> Int
    /// 某高度（含）之后、仍可能受重组影响的充值（重组回滚用）。
    func depositIDs(chain: String, fromBlock: Int64, states: [DepositState]) throws -> [Int64]
    /// 落在这些区块（按哈希）里的充值。
    func depositIDs(chain: String, blockHashes: [String]) throws -> [Int64]
}

public protocol WithdrawalRepository: TransactionalStore {
    func withdrawal(id: Int64) throws -> Withdrawal?
    func withdrawal(requestID: String) throws -> Withdrawal?
    func insertWithdrawal(_ w: Withdrawal) throws -> Int64
    /// 更新可变列（状态、原因、签名交易等）；审批另行插入。
    func updateWithdrawal(_ w: Withdrawal) throws
    func insertApproval(withdrawalID: Int64, _ a: Approval) throws
    func withdrawals(_ f: WithdrawalFilter, page: Page) throws -> [Withdrawal]
    func withdrawalCount(_ f: WithdrawalFilter) throws -> Int
    /// 时间窗内（since 之后创建、未被拒绝/过期/失败）的提现金额，按用户或全局（user=nil）。
    func withdrawalVolume(asset: String, user: String?, since: Int64) throws -> [UInt256]
    /// 所有仍冻结资金的提现（不变量检查用）。
    func openWithdrawalAmounts() throws -> [(user: String, asset: String, amount: UInt256)]
    func expirable(before: Int64, limit: Int) throws -> [Withdrawal]
    func allocateNonce(from: String) throws -> Int64
    func nonceCollisions() throws -> [String]
    func allowlistEntry(_ address: String) throws -> AllowlistEntry?
    func upsertAllowlist(_ e: AllowlistEntry) throws
    func allowlist(page: Page) throws -> [AllowlistEntry]
}

public protocol SweepRepository: TransactionalStore {
    func sweep(address: String, nonce: Int64) throws -> Sweep?
    func sweep(id: Int64) throws -> Sweep?
    func insertSweep(_ s: Sweep) throws -> Int64
    func updateSweep(_ s: Sweep) throws
    func sweeps(state: SweepState?, page: Page) throws -> [Sweep]
}

public protocol OperatorRepository: TransactionalStore {
    func storedOperator(_ name: String) throws -> StoredOperator?
    func insertOperator(_ o: StoredOperator) throws
    func operators() throws -> [Operator]
}

public protocol AuditRepository: TransactionalStore {
    /// 链头的 id 与哈希（追加时只要这两列；不映射整行）。
    /// 某条审计链的链头 (seq, hash)；0 = 主链。
    func lastAuditHead(chain: Int) throws -> (seq: Int64, hash: String)?
    func insertAudit(_ r: AuditRecord) throws -> Int64
    func audits(_ f: AuditFilter, page: Page) throws -> [AuditRecord]
    func auditCount(_ f: AuditFilter) throws -> Int
    /// 按 id 升序分批读取（校验哈希链用）。
    /// 一条链按 seq 升序分批读（校验用）。
    func audits(chain: Int, afterSeq: Int64, limit: Int) throws -> [AuditRecord]
    /// 库里出现过的分片链（chain > 0）。
    func auditChains() throws -> [Int]
    /// 告警：中英文各一份（界面按所选语言显示，绝不混用）。
    func insertAlert(kind: String, message: String, messageEn: String, at: Int64) throws
    func alerts(page: Page) throws -> [Alert]
    /// 各类别的告警条数（指标 wallet_alerts 用）。
    func alertCounts() throws -> [String: Int]
}

public protocol ReconciliationRepository: TransactionalStore {
    func insertReconciliation(at: Int64, account: String, asset: String, ledger: UInt256, chain: UInt256, matches: Bool) throws
    func reconciliations(page: Page) throws -> [(ts: Int64, account: String, asset: String, ledger: UInt256, chain: UInt256, matches: Bool)]
    /// 这个账户/资产最近一次对账的结果（nil = 从未对过）。
    func lastReconciliation(account: String, asset: String) throws -> (ledger: UInt256, chain: UInt256, matches: Bool)?
}

public protocol TreasuryRepository: TransactionalStore {
    func insertColdWallet(_ c: ColdWallet) throws
    func coldWallets() throws -> [ColdWallet]
    func hotInbound(chain: String, txHash: String, logIndex: Int) throws -> HotInbound?
    func hotInbound(id: Int64) throws -> HotInbound?
    func insertHotInbound(_ h: HotInbound) throws -> Int64
    func updateHotInbound(_ h: HotInbound) throws
    func hotInbound(states: [HotInbound.State], page: Page) throws -> [HotInbound]
    func hotInboundIDs(chain: String, blockHashes: [String]) throws -> [Int64]
}

/// 租约的隔离令牌（fencing token）：谁持有、第几任。写事务开头核对它仍然有效，过期或被接管就整笔回滚——
/// 一个停顿（GC、换页、被 SIGSTOP）醒来的旧持有者不能再写。
public struct LeaseFence: Sendable, Equatable {
    public var name: String
    public var holder: String
    public var token: Int64
    /// 续约时长（写事务核对通过时顺手续约到 now + ttl）。
    public var ttl: Int64
    public init(name: String, holder: String, token: Int64, ttl: Int64) {
        self.name = name; self.holder = holder; self.token = token; self.ttl = ttl
    }
}

public struct LeaseRecord: Sendable, Equatable {
    public var name: String
    public var holder: String
    public var token: Int64
    public var acquiredAt: Int64
    public var expiresAt: Int64
}

public struct EngineRecord: Sendable, Equatable {
    public var id: String
    public var host: String
    public var pid: Int64
    public var version: String
    /// 引擎持有的 home 锁文件的身份（ProcessLock.identity）；空 = 没有持锁（进程内测试）。
    public var lockID: String
    public var startedAt: Int64
    public var heartbeatAt: Int64
    public init(id: String, host: String, pid: Int64, version: String, lockID: String, startedAt: Int64, heartbeatAt: Int64) {
        self.id = id; self.host = host; self.pid = pid; self.version = version; self.lockID = lockID
        self.startedAt = startedAt; self.heartbeatAt = heartbeatAt
    }
}

/// 多引擎：租约（带隔离令牌）与引擎登记。
public protocol ClusterRepository: TransactionalStore {
    /// 本连接之后的每个写事务开头都核对这个租约（nil = 不核对：CLI、单引擎的非独占工作）。
    var fence: LeaseFence? { get set }
    /// 核对租约是否过期用的时钟（与取租约的引擎同一个时钟）。
    var fenceClock: any WalletClock { get set }
    /// 获得或续约：没人持有、已过期、或本来就是自己 → 返回令牌（换了持有者或过期后重得时令牌加一）；别人持有且未过期 → nil。
    /// `presumedDead`：调用方确知已经死了的持有者（同一台主机上、进程已不存在），它的未过期租约也可以接管。
    func acquireLease(name: String, holder: String, now: Int64, ttl: Int64, presumedDead: String?) throws -> Int64?
    /// 主动交出（优雅停机）：只有持有者能交。
    func releaseLease(name: String, holder: String, now: Int64) throws
    func leases() throws -> [LeaseRecord]
    func heartbeatEngine(_ e: EngineRecord) throws
    func removeEngine(id: String) throws
    /// 删掉心跳早于 before 的登记（失联太久的引擎不再出现在 status 里）；返回删了几个。
    func pruneEngines(heartbeatBefore before: Int64) throws -> Int
    func engines() throws -> [EngineRecord]
}

/// 账本流程所需的全部存储能力。
/// 金库仓储（冷钱包、热钱包外来入账）单独声明，经 `Ledger.treasury` 取得：不是每个存储后端都要先实现它。
public typealias LedgerStore = SettingsRepository & AssetRepository & JournalRepository & DepositRepository
    & WithdrawalRepository & SweepRepository & OperatorRepository & AuditRepository & ReconciliationRepository & ClusterRepository
