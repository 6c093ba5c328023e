// SQLite C API 的薄封装：只提供本模块需要的几件事（打开/WAL、预编译语句、事务）。
// 选 C API 而非 GRDB：构建时间短、依赖少，且业务代码只经由 LedgerStore 协议访问存储（见 docs/ledger.md）。
import CSQLite
import Foundation
import WalletCrypto

/// SQLite 值（只用到这几种）。
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])
}

public protocol SQLBindable { var sqlValue: SQLValue { get } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
/// 金额统一存为 64 位定宽小写十六进制 TEXT：无损，且字典序 = 数值序，可直接 ORDER BY / 比较。
extension UInt256: SQLBindable {
    public var sqlValue: SQLValue { .text(storedHex) }
    /// 热路径：直接从 4 个 64 位分量写 64 个十六进制字符。
    var storedHex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { buf in
            for i in 0..<4 {
                let limb = self.limbs(i)
                for j in 0..<16 { buf[i * 16 + j] = digits[Int((limb >> UInt64(60 - 4 * j)) & 0xf)] }
            }
            return 64
        }
    }
    private func limbs(_ fromTop: Int) -> UInt64 {
        switch fromTop { case 0: return limbs.3; case 1: return limbs.2; case 2: return limbs.1; default: return limbs.0 }
    }
    public static func fromStored(_ s: String) throws -> UInt256 {
        // 热路径：直接按字节解析 64 位定宽十六进制。
        var limbs: [UInt64] = [0, 0, 0, 0]
        var n = 0
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            case 65...70: v = c - 55
            default: throw LedgerError.storage("金额列格式损坏：\(s)")
            }
            guard n < 64 else { throw LedgerError.storage("金额列格式损坏：\(s)") }
            let limb = 3 - n / 16
            limbs[limb] = limbs[limb] << 4 | UInt64(v)
            n += 1
        }
        guard n == 64 else { throw LedgerError.storage("金额列格式损坏：\(s)") }
        return UInt256(limbs: (limbs[0], limbs[1], limbs[2], limbs[3]))
    }
}

/// 一行查询结果。
public struct SQLRow {
    var values: [SQLValue]
    var names: [String]
    public init(values: [SQLValue], names: [String]) { self.values = values; self.names = names }
    func value(_ i: Int) -> SQLValue { values[i] }
    public subscript(_ name: String) -> SQLValue {
        guard let i = names.firstIndex(of: name) else { return .null }
        return values[i]
    }
    func int(_ name: String) -> Int64 { if case .int(let v) = self[name] { return v }; return 0 }
    func intOpt(_ name: String) -> Int64? { if case .int(let v) = self[name] { return v }; return nil }
    func text(_ name: String) -> String {
        switch self[name] { case .text(let s): return s; case .int(let v): return String(v); default: return "" }
    }
    func textOpt(_ name: String) -> String? { if case .text(let s) = self[name] { return s }; return nil }
    func blob(_ name: String) -> [UInt8]? { if case .blob(let b) = self[name] { return b }; return nil }
    func amount(_ name: String) throws -> UInt256 { try UInt256.fromStored(text(name)) }
}

/// 一条 SQLite 连接。非线程安全：每个线程/进程各开一条（WAL 允许并发读 + 单写）。
public final class SQLiteDatabase: SQLDatabase {
    public var dialect: SQLDialect { .sqlite }
    let handle: OpaquePointer
    /// 预编译语句缓存；列名随语句缓存一次（每次查询都重建列名数组是入账热路径上的分配）。
    private var cache: [String: (stmt: OpaquePointer, names: [String])] = [:]
    public let path: String
    public var transactionState = SQLTransactionState()

    public init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "rc=\(rc)"
            if let db { sqlite3_close_v2(db) }
            throw LedgerError.storage("无法打开数据库 \(path)：\(msg)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
        // WAL：读写互不阻塞，崩溃后由 WAL 回放保证原子性；synchronous=FULL 保证提交即持久（钱不能丢）。
        let mode = try query("PRAGMA journal_mode=WAL").first?.text("journal_mode") ?? ""
        guard mode.lowercased() == "wal" else { throw LedgerError.storage("无法启用 WAL（得到 \(mode)）") }
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
        // 页缓存 32 MiB（默认 2 MiB）：十万级充值后索引超出默认缓存，入账速率会明显下降。
        try execute("PRAGMA cache_size=-32768")
    }

    deinit {
        for (_, s) in cache { sqlite3_finalize(s.stmt) }
        sqlite3_close_v2(handle)
    }

    private func error(_ what: String) -> LedgerError {
        let code = sqlite3_extended_errcode(handle)
        let msg = String(cString: sqlite3_errmsg(handle))
        if code & 0xff == SQLITE_CONSTRAINT { return .constraint(msg) }
        if code & 0xff == SQLITE_BUSY { return .storage("数据库忙（\(what)）：\(msg)") }
        return .storage("\(what)：\(msg)")
    }

    private func prepare(_ sql: String) throws -> (stmt: OpaquePointer, names: [String]) {
        if let s = cache[sql] { sqlite3_reset(s.stmt); sqlite3_clear_bindings(s.stmt); return s }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw error("预编译 \(sql)") }
        let names = (0..<sqlite3_column_count(stmt)).map { String(cString: sqlite3_column_name(stmt, $0)) }
        cache[sql] = (stmt, names)
        return (stmt, names)
    }

    private func bind(_ stmt: OpaquePointer, _ args: [SQLBindable]) throws {
        for (i, a) in args.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch a.sqlValue {
            case .null: rc = sqlite3_bind_null(stmt, idx)
            case .int(let v): rc = sqlite3_bind_int64(stmt, idx, v)
            case .text(let s):
                // 带长度绑定：省掉 strlen 与（非连续存储时）临时 C 字符串。
                var str = s
                rc = str.withUTF8 { u in
                    guard let base = u.baseAddress else { return sqlite3_bind_text(stmt, idx, "", 0, csqlite_transient()) }
                    return base.withMemoryRebound(to: CChar.self, capacity: u.count) {
                        sqlite3_bind_text(stmt, idx, $0, Int32(u.count), csqlite_transient())
                    }
                }
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32(b.count), csqlite_transient()) }
            }
            guard rc == SQLITE_OK else { throw error("绑定参数") }
        }
    }

    /// 执行不返回行的语句；返回受影响行数。
    @discardableResult
    public func execute(_ sql: String, _ args: [SQLBindable] = []) throws -> Int {
        let s = try prepare(sql).stmt
        defer { sqlite3_reset(s) }
        try bind(s, args)
        var rc = sqlite3_step(s)
        while rc == SQLITE_ROW { rc = sqlite3_step(s) }
        guard rc == SQLITE_DONE else { throw error("执行 \(sql.prefix(60))") }
        transactionState.writes &+= 1
        return Int(sqlite3_changes(handle))
    }

    /// 执行多条 DDL（迁移用）。
    public func executeScript(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error("执行脚本") }
    }

    public func query(_ sql: String, _ args: [SQLBindable] = []) throws -> [SQLRow] {
        let (s, names) = try prepare(sql)
        defer { sqlite3_reset(s) }
        try bind(s, args)
        var rows: [SQLRow] = []
        let n = Int32(names.count)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error("查询 \(sql.prefix(60))") }
            var vals: [SQLValue] = []
            vals.reserveCapacity(Int(n))
            for i in 0..<n {
                switch sqlite3_column_type(s, i) {
                case SQLITE_INTEGER: vals.append(.int(sqlite3_column_int64(s, i)))
                case SQLITE_TEXT:
                    let len = Int(sqlite3_column_bytes(s, i))
                    vals.append(.text(sqlite3_column_text(s, i).map { String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self) } ?? ""))
                case SQLITE_BLOB:
                    let len = Int(sqlite3_column_bytes(s, i))
                    if let p = sqlite3_column_blob(s, i) {
                        vals.append(.blob([UInt8](UnsafeRawBufferPointer(start: p, count: len))))
                    } else { vals.append(.blob([])) }
                default: vals.append(.null)
                }
            }
            rows.append(SQLRow(values: vals, names: names))
        }
        return rows
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    public func insert(_ sql: String, _ args: [SQLBindable]) throws -> Int64 {
        try execute(sql, args)
        return lastInsertRowID
    }

    /// 写事务：BEGIN IMMEDIATE 立即拿写锁，避免两个进程都读后再升级写锁而死锁。
    /// 嵌套调用加入外层事务（见 SQLDatabase.nestedTransaction：不开保存点，内层写了一半又失败时外层不能提交）。
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try nestedTransaction(begin: { try execute("BEGIN IMMEDIATE") }, body)
    }

    /// SQLite 整库一把写锁：分片事务就是普通写事务（分片号照样记下，审计照样进分片链——两个后端行为一致）。
    public func transaction<T>(shard: Int, _ body: () throws -> T) throws -> T {
        try nestedTransaction(shard: shard, begin: { try execute("BEGIN IMMEDIATE") }, body)
    }
    public var parallelShards: Bool { false }
}
