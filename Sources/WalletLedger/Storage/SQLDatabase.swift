// 存储后端的最小 SQL 接口：仓储实现（SQLLedgerStore、SQLJobQueue）只经由它访问数据库，
// 于是同一份仓储代码跑在 SQLite（嵌入式默认）与 PostgreSQL（扩展部署，见 WalletPostgres 模块）上。
// SQL 文本用 `?` 占位；PostgreSQL 适配层改写成 $1…$n。方言差异（DDL、触发器、写锁）各自实现，见 docs/scale-out.md。
import WalletCrypto

public enum SQLDialect: String, Sendable { case sqlite, postgres }

public protocol SQLDatabase: AnyObject {
    var dialect: SQLDialect { get }
    /// 执行不返回行的语句；返回受影响行数。
    @discardableResult
    func execute(_ sql: String, _ args: [SQLBindable]) throws -> Int
    func query(_ sql: String, _ args: [SQLBindable]) throws -> [SQLRow]
    /// INSERT 一行并返回它的 id（SQLite：last_insert_rowid；PostgreSQL：RETURNING id）。
    func insert(_ sql: String, _ args: [SQLBindable]) throws -> Int64
    /// 多条 DDL（迁移用）。
    func executeScript(_ sql: String) throws
    /// 写事务：进入时即拿到写权（SQLite BEGIN IMMEDIATE；PostgreSQL 事务级咨询锁）；已在事务里时加入外层（见 nestedTransaction）。
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// 分片写事务：只排斥同一分片与全局写事务（PostgreSQL：全局锁的共享模式 + 分片锁）；不支持并行写的后端（SQLite）
    /// 就是普通写事务。分片号记在 transactionState.shard，审计按它写进分片链（见 AuditChain）。
    func transaction<T>(shard: Int, _ body: () throws -> T) throws -> T
    /// 这个后端的分片事务之间能否真正并行（PostgreSQL 是；SQLite 整库一把写锁，不是）。
    var parallelShards: Bool { get }
    /// 事务簿记（深度、保存点、写语句计数、是否中毒）；只由本文件的扩展方法与后端的 execute/insert 读写。
    var transactionState: SQLTransactionState { get set }
}

extension SQLDatabase {
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }
}

/// 事务簿记。writes 只数成功的写语句（失败的单条语句本身不留痕迹：SQLite 语句级回滚）。
public struct SQLTransactionState: Sendable {
    public var depth = 0
    public var savepoints = 0
    public var writes = 0
    /// 加入外层的一步写了一半后失败、错误却被调用方吞掉——这个事务不能再提交。
    public var poisoned = false
    /// 每开一个外层事务、每撤销一次保存点加一：仓储的「事务内缓存」以它为键（见 SQLLedgerStore.TxnCache）。
    public var generation: UInt64 = 0
    /// 外层是分片事务时的分片号（nil = 全局写事务或不在事务里）。
    public var shard: Int?
    public init() {}
}

/// 两个后端共用的事务嵌套。最外层 begin…COMMIT；**内层加入外层，不开保存点**（Rails 的 joinable、Django 的 atomic(savepoint=False)）：
/// 入账一笔充值要嵌套六层（observe → audit、confirm → post → insertEntry → audit），每层一对 SAVEPOINT/RELEASE 在 PostgreSQL 上
/// 是 12 次往返，占了入账语句的三分之一（wallet-bench ledger，docs/ledger.md「性能」）。
/// 安全网：内层已写过又失败时外层「中毒」——错误若被调用方吞掉、外层想照常提交，提交会被拒绝并整笔回滚，绝不会留下半截写入。
/// 真要「内层失败只撤内层、外层继续」的调用方显式用 savepoint。PostgreSQL 上任何语句出错都会让服务器端整个事务作废，
/// 所以那里语句失败一律中毒（PostgresSQLDatabase.run）。
/// 各后端只给出「怎么开始一个写事务」（SQLite：BEGIN IMMEDIATE；PostgreSQL：BEGIN + 咨询锁）；begin 失败时照样 ROLLBACK。
/// 状态按次读写（不是 inout）：body 里的嵌套事务会再读写它。
extension SQLDatabase {
    /// 当前是否在事务里（0 = 不在）。
    public var transactionDepth: Int { transactionState.depth }

    public func nestedTransaction<T>(shard: Int? = nil, begin: () throws -> Void, _ body: () throws -> T) throws -> T {
        if transactionState.depth > 0 {
            // 分片事务里要另一个分片：它的锁没拿，不能加入——程序错误，整笔回滚。
            // （要全局写的内层——post、audit 这类帮手——加入外层；分片事务只用于只碰单个用户行的流程，见 docs/scale-out.md。）
            if let want = shard, let have = transactionState.shard, want != have {
                transactionState.poisoned = transactionState.poisoned || transactionState.writes > 0
                throw LedgerError.bug("分片 \(have) 的事务里碰了分片 \(want) / shard \(have)'s transaction touched shard \(want)")
            }
            let writes = transactionState.writes
            do {
                return try body()
            } catch {
                if transactionState.writes != writes { transactionState.poisoned = true }
                throw error
            }
        }
        transactionState.depth = 1
        transactionState.poisoned = false
        transactionState.generation &+= 1
        transactionState.shard = shard
        defer { transactionState.depth = 0; transactionState.poisoned = false; transactionState.shard = nil }
        do {
            try begin()
            let r = try body()
            if transactionState.poisoned {
                throw LedgerError.bug("事务里有一步写了一半后失败，错误被调用方吞掉 / "
                                      + "a step inside the transaction failed after writing and its error was swallowed")
            }
            try execute("COMMIT")
            return r
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// 显式保存点：body 失败时只撤销 body 的写入，外层事务可以继续（也解除 body 里造成的中毒）。不在事务里时就是一个事务。
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard transactionState.depth > 0 else { return try transaction(body) }
        let sp = "sp\(transactionState.savepoints)"
        let poisoned = transactionState.poisoned
        try execute("SAVEPOINT \(sp)")
        transactionState.savepoints += 1
        defer { transactionState.savepoints -= 1 }
        do {
            let r = try body()
            try execute("RELEASE SAVEPOINT \(sp)")
            return r
        } catch {
            _ = try? execute("ROLLBACK TO SAVEPOINT \(sp)")
            _ = try? execute("RELEASE SAVEPOINT \(sp)")
            transactionState.poisoned = poisoned
            transactionState.generation &+= 1
            throw error
        }
    }
}
