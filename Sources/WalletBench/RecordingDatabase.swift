// 基线用的「同样的行」：把账本入账时真正执行的写语句（INSERT/UPDATE/DELETE，连同参数）按外层事务分组记下来，
// 再在一个同模式的新库里原样重放——同样的表、索引、触发器、同样的行与事务边界，只是没有读、没有校验、没有哈希。
// 记录只在不计时的那一遍用；计时的入账跑在没有包装的库上。
import WalletLedger

final class RecordingDatabase<Base: SQLDatabase>: SQLDatabase {
    struct Statement { var sql: String; var args: [SQLBindable] }
    let base: Base
    /// 每个外层事务一组。
    private(set) var groups: [[Statement]] = []
    private(set) var reads = 0
    private(set) var savepoints = 0

    init(_ base: Base) { self.base = base }

    var dialect: SQLDialect { base.dialect }
    var transactionState: SQLTransactionState {
        get { base.transactionState }
        set { base.transactionState = newValue }
    }

    private func record(_ sql: String, _ args: [SQLBindable]) {
        let head = sql.prefix(8).uppercased()
        if head.hasPrefix("INSERT") || head.hasPrefix("UPDATE") || head.hasPrefix("DELETE") {
            if groups.isEmpty { groups.append([]) }
            groups[groups.count - 1].append(Statement(sql: sql, args: args))
        } else if head.hasPrefix("SAVEPOIN") || head.hasPrefix("RELEASE") {
            savepoints += 1
        } else if head.hasPrefix("SELECT") {
            reads += 1
        }
    }

    @discardableResult
    func execute(_ sql: String, _ args: [SQLBindable]) throws -> Int {
        record(sql, args)
        return try base.execute(sql, args)
    }

    func query(_ sql: String, _ args: [SQLBindable]) throws -> [SQLRow] {
        record(sql, args)
        return try base.query(sql, args)
    }

    func insert(_ sql: String, _ args: [SQLBindable]) throws -> Int64 {
        record(sql, args)
        return try base.insert(sql, args)
    }

    func executeScript(_ sql: String) throws { try base.executeScript(sql) }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        if base.transactionDepth == 0 { groups.append([]) }
        return try base.transaction(body)
    }

    func transaction<T>(shard: Int, _ body: () throws -> T) throws -> T {
        if base.transactionDepth == 0 { groups.append([]) }
        return try base.transaction(shard: shard, body)
    }
    var parallelShards: Bool { base.parallelShards }

    var writes: Int { groups.reduce(0) { $0 + $1.count } }

    /// 在另一个库上原样重放（每组一个写事务，与记录时的事务边界相同）。
    static func replay(_ groups: [[Statement]], on db: some SQLDatabase) throws {
        for g in groups where !g.isEmpty {
            try db.transaction { for s in g { try db.execute(s.sql, s.args) } }
        }
    }
}
