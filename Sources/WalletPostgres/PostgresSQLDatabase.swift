// PostgreSQL 上的 SQLDatabase（postgres-nio）。账本的仓储代码是同步的（在引擎的账本闸门 Mutex 里调用），
// 这里用 postgres-nio 的 EventLoopFuture 接口 + wait() 桥接：查询在 NIO 的事件循环线程上跑，调用线程只是等，
// 不占用 Swift 并发的协作线程池去等别的任务（2 核机器上那样会死锁）。
//
// 写事务 = BEGIN + 事务级咨询锁（pg_advisory_xact_lock）：与 SQLite 的 BEGIN IMMEDIATE 同义——同一时刻只有一个写事务，
// 所以为 SQLite 写的「事务里先读后写」的流程代码（余额检查、nonce 分配、幂等键）在多个引擎之间照样成立，不需要改成可重放的
// SERIALIZABLE 重试。代价是写入串行；写事务很短（毫秒级），慢的部分（RPC、签名、KDF）都在事务外。理由与测量见 docs/scale-out.md。
// 只在 PostgreSQL 特性下编译（见 Package.swift）。
#if PostgreSQL
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import WalletCrypto
import WalletLedger

public final class PostgresSQLDatabase: SQLDatabase {
    public var dialect: SQLDialect { .postgres }
    public let url: PostgresURL
    private let password: String?
    private var connection: PostgresConnection?
    public var transactionState = SQLTransactionState()
    private var rewritten: [String: String] = [:]
    private let logger = Logger(label: "wallet.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// 全体引擎共用的写锁键（咨询锁在库内全局，取一个不易与别的程序相撞的 64 位数）。
    static let writeLockKey: Int64 = 0x5761_6C6C_6574_4C47  // "WalletLG"

    /// 连接并确认能查询。口令见 PostgresURL.password。
    public init(url: PostgresURL, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.url = url
        password = try url.password(environment: environment)
        try connect()
    }

    deinit { try? connection?.close().wait() }

    private func connect() throws {
        var config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                      password: password, database: url.database, tls: .disable)
        config.options.connectTimeout = .seconds(5)
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config,
                                                        id: 1, logger: logger).wait()
        } catch {
            throw Self.connectError(error, url)
        }
    }

    // MARK: SQLDatabase

    @discardableResult
    public func execute(_ sql: String, _ args: [SQLBindable] = []) throws -> Int {
        let r = try run(sql, args)
        transactionState.writes &+= 1
        return r.metadata.rows ?? 0
    }

    public func query(_ sql: String, _ args: [SQLBindable] = []) throws -> [SQLRow] {
        try run(sql, args).rows.map(Self.row)
    }

    public func insert(_ sql: String, _ args: [SQLBindable]) throws -> Int64 {
        guard let row = try run(sql + " RETURNING id", args).rows.first.map(Self.row), case .int(let id) = row["id"] else {
            throw LedgerError.storage("INSERT 没有返回 id / INSERT returned no id")
        }
        transactionState.writes &+= 1
        return id
    }

    /// 扩展查询协议一次只收一条语句：按顶层分号拆开逐条执行（引号与 $$…$$ 函数体里的分号不算）。
    public func executeScript(_ sql: String) throws {
        for stmt in Self.statements(sql) { try execute(stmt, []) }
    }

    static func statements(_ sql: String) -> [String] {
        var out: [String] = [], cur = "", quote: Character? = nil, dollar = false, prev: Character = " "
        for ch in sql {
            cur.append(ch)
            if dollar {
                if ch == "$" && prev == "$" { dollar = false; prev = " "; continue }
            } else if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "'" || ch == "\"" {
                quote = ch
            } else if ch == "$" && prev == "$" {
                dollar = true; prev = " "; continue
            } else if ch == ";" {
                let t = cur.trimmingCharacters(in: .whitespacesAndNewlines)
                if t != ";" { out.append(String(t.dropLast())) }
                cur = ""
            }
            prev = ch
        }
        let t = cur.trimmingCharacters(in: .whitespacesAndNewlines)
        if !t.isEmpty { out.append(t) }
        return out
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try nestedTransaction(begin: {
            try execute("BEGIN")
            try execute("SELECT pg_advisory_xact_lock(?)", [Self.writeLockKey])
        }, body)
    }

    /// 分片写事务：全局写锁的**共享**模式（全局写事务拿独占模式，所以两者互斥、分片事务之间不互斥）+ 本分片的独占锁。
    /// 加锁顺序固定（先全局、后分片；全局事务从不拿分片锁），不会成环。同一账户行的并发更新由 insertEntry 的 FOR UPDATE 行锁串行。
    public func transaction<T>(shard: Int, _ body: () throws -> T) throws -> T {
        try nestedTransaction(shard: shard, begin: {
            try execute("BEGIN")
            try execute("SELECT pg_advisory_xact_lock_shared(?)", [Self.writeLockKey])
            try execute("SELECT pg_advisory_xact_lock(?)", [Self.writeLockKey &+ 1 &+ Int64(shard)])
        }, body)
    }
    public var parallelShards: Bool { true }

    // MARK: 内部

    /// 连接断了：事务外重连一次（事务内不重连——半个事务已随连接回滚，调用方得到错误后整笔重来）。
    private func live() throws -> PostgresConnection {
        if let c = connection, !c.isClosed { return c }
        guard transactionDepth == 0 else { throw LedgerError.storage("PostgreSQL 连接在事务中断开，事务已回滚 / the PostgreSQL connection dropped inside a transaction; it was rolled back") }
        try connect()
        return connection!
    }

    private func run(_ sql: String, _ args: [SQLBindable]) throws -> PostgresQueryResult {
        let conn = try live()
        var binds = PostgresBindings(capacity: args.count)
        for a in args {
            switch a.sqlValue {
            case .null: binds.appendNull()
            case .int(let v): binds.append(v)
            case .text(let s): binds.append(s)
            case .blob(let b): binds.append(ByteBuffer(bytes: b))
            }
        }
        let text: String
        if let t = rewritten[sql] { text = t } else { text = Self.numberPlaceholders(sql); rewritten[sql] = text }
        do {
            return try conn.query(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger).wait()
        } catch {
            // 服务器端：事务里任何语句出错，整个事务作废（之后的语句都被拒绝），只能回滚——所以一律中毒。
            if transactionState.depth > 0 { transactionState.poisoned = true }
            throw Self.queryError(error)
        }
    }

    /// `?` → `$1…$n`；引号里的不动（'…' 里的 ? 是字面量）。
    static func numberPlaceholders(_ sql: String) -> String {
        var out = "", n = 0, quote: Character? = nil
        out.reserveCapacity(sql.count + 16)
        for ch in sql {
            if let q = quote {
                if ch == q { quote = nil }
                out.append(ch)
            } else if ch == "'" || ch == "\"" {
                quote = ch; out.append(ch)
            } else if ch == "?" {
                n += 1; out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func row(_ r: PostgresRow) -> SQLRow {
        var values: [SQLValue] = [], names: [String] = []
        for cell in r {
            names.append(cell.columnName)
            values.append(value(cell))
        }
        return SQLRow(values: values, names: names)
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard var buf = cell.bytes else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return (try? cell.decode(Int64.self)).map { .int($0) } ?? .null
        case .bool: return .int((try? cell.decode(Bool.self)) == true ? 1 : 0)
        case .bytea: return .blob(buf.readBytes(length: buf.readableBytes) ?? [])
        default: return (try? cell.decode(String.self)).map { .text($0) } ?? .null
        }
    }

    // MARK: 错误

    static func serverState(_ error: any Error) -> (state: String, message: String)? {
        guard let p = error as? PSQLError, let info = p.serverInfo else { return nil }
        return (info[.sqlState] ?? "", info[.message] ?? "")
    }

    static func queryError(_ error: any Error) -> any Error {
        if let (state, msg) = serverState(error) {
            // 23xxx：完整性约束（唯一键、外键、CHECK）——与 SQLite 的 SQLITE_CONSTRAINT 同一种错误，流程代码据此判断重复提交。
            if state.hasPrefix("23") { return LedgerError.constraint(msg) }
            return LedgerError.storage("PostgreSQL 报错（SQLSTATE \(state)）：\(msg) / PostgreSQL error (SQLSTATE \(state)): \(msg)")
        }
        return LedgerError.storage("PostgreSQL 连接出错：\(String(describing: error).prefix(200)) / PostgreSQL connection error: \(String(describing: error).prefix(200))")
    }

    static func connectError(_ error: any Error, _ url: PostgresURL) -> WalletError {
        // 服务器要口令而我们没有（没设 PGPASSWORD、口令文件里没有这一行）：这是认证问题，不是「连不上」（QA）。
        if let p = error as? PSQLError, p.code == .authMechanismRequiresPassword {
            // 点名查的是哪个文件、它在不在（QA：PGPASSFILE 指向不存在的文件时，说明里只有笼统的 ~/.pgpass）。
            let file = PostgresURL.passfilePath()
            let exists = FileManager.default.fileExists(atPath: file)
            return WalletError("postgres.auth", zh: "PostgreSQL 要求口令，但没有找到：没有设 PGPASSWORD，口令文件 \(file)（PGPASSFILE，默认 ~/.pgpass）\(exists ? "里没有匹配的行" : "不存在")。设置 PGPASSWORD，或在口令文件里加一行 \(url.host):\(url.port):\(url.database):\(url.user):口令（权限 0600）。",
                               en: "PostgreSQL requires a password but none was found: PGPASSWORD is not set and the password file \(file) (PGPASSFILE, default ~/.pgpass) \(exists ? "has no matching line" : "does not exist"). Set PGPASSWORD, or add the line \(url.host):\(url.port):\(url.database):\(url.user):PASSWORD to the password file (mode 0600).",
                               badInput: true)
        }
        if let (state, msg) = serverState(error) {
            if state.hasPrefix("28") {
                return WalletError("postgres.auth", zh: "PostgreSQL 拒绝了用户 \(url.user) 的登录（\(msg)）。检查 PGPASSWORD 或口令文件 ~/.pgpass（PGPASSFILE）里 \(url.host):\(url.port):\(url.database):\(url.user) 那一行。",
                                   en: "PostgreSQL refused login for user \(url.user) (\(msg)). Check PGPASSWORD or the line \(url.host):\(url.port):\(url.database):\(url.user) in the password file ~/.pgpass (PGPASSFILE).",
                                   badInput: true)
            }
            if state == "3D000" {
                return WalletError("postgres.no_database", zh: "PostgreSQL 上没有库 \(url.database)。先建库：createdb -h \(url.host) -p \(url.port) -U \(url.user) \(url.database)",
                                   en: "database \(url.database) does not exist on PostgreSQL. Create it first: createdb -h \(url.host) -p \(url.port) -U \(url.user) \(url.database)",
                                   badInput: true)
            }
            return WalletError("postgres.unreachable", zh: "连接 PostgreSQL \(url) 失败（SQLSTATE \(state)）：\(msg)", en: "connecting to PostgreSQL \(url) failed (SQLSTATE \(state)): \(msg)", badInput: false)
        }
        return WalletError("postgres.unreachable", zh: "连不上 PostgreSQL \(url.host):\(url.port)。确认服务在运行、地址与端口正确、防火墙放行。",
                           en: "cannot reach PostgreSQL at \(url.host):\(url.port). Check that the server runs, the host and port are right, and no firewall blocks it.",
                           badInput: false)
    }
}
#endif
