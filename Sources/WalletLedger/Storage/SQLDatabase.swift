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
    /// 当前事务嵌套深度（0 = 不在事务里）；只由 nestedTransaction 读写。
    var transactionDepth: Int { get set }
}

extension SQLDatabase {
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }
}

/// 两个后端共用的事务嵌套：最外层 begin…COMMIT，内层 SAVEPOINT（内层失败只回滚内层，外层捕获错误后继续也不会留下内层的半截写入）。
/// 各后端只给出「怎么开始一个写事务」（SQLite：BEGIN IMMEDIATE；PostgreSQL：BEGIN + 咨询锁）；begin 失败时照样 ROLLBACK。
/// 深度按次读写（不是 inout）：body 里的嵌套事务会再读写它。
extension SQLDatabase {
    public func nestedTransaction<T>(begin: () throws -> Void, _ body: () throws -> T) throws -> T {
        let depth = transactionDepth
        if depth > 0 {
            let sp = "sp\(depth)"
            try execute("SAVEPOINT \(sp)")
            transactionDepth = depth + 1
            defer { transactionDepth = depth }
            do {
                let r = try body()
                try execute("RELEASE SAVEPOINT \(sp)")
                return r
            } catch {
                _ = try? execute("ROLLBACK TO SAVEPOINT \(sp)")
                _ = try? execute("RELEASE SAVEPOINT \(sp)")
                throw error
            }
        }
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            try begin()
            let r = try body()
            try execute("COMMIT")
            return r
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}
