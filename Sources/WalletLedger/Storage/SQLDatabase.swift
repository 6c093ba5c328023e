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
    /// 写事务：进入时即拿到写权（SQLite BEGIN IMMEDIATE；PostgreSQL 事务级咨询锁），嵌套用 SAVEPOINT。
    func transaction<T>(_ body: () throws -> T) throws -> T
}

extension SQLDatabase {
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }
}
