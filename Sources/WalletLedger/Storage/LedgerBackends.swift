// 账本存储后端的选择：没有数据库 URL → <home>/wallet.db（SQLite，嵌入式默认）；postgresql://… → PostgreSQL。
// PostgreSQL 的实现在 WalletPostgres 模块（带 swift-nio），本模块不依赖它：产品的入口（CLI）启动时登记打开函数，
// 引擎与模糊测试目标因此不必编译 swift-nio。
import Foundation
import Synchronization
import WalletCrypto

public enum LedgerBackends {
    public typealias PostgresOpener = @Sendable (PostgresURL) throws -> any LedgerStore
    public typealias QueueOpener = @Sendable (_ url: String, _ prefix: String) throws -> any JobQueue & LeaseLock
    private static let postgres = Mutex<PostgresOpener?>(nil)
    private static let redis = Mutex<QueueOpener?>(nil)

    /// 入口程序调用一次（WalletQueueRedis.RedisQueueBackend.register()）。
    public static func registerRedisQueue(_ open: @escaping QueueOpener) { redis.withLock { $0 = open } }

    /// 任务队列：redis://… → Redis Streams（键都带 prefix）。
    public static func openQueue(url: String, prefix: String) throws -> any JobQueue & LeaseLock {
        guard let open = redis.withLock({ $0 }) else {
            throw WalletError("queue.unavailable", zh: "这个程序没有编入 Redis 任务队列，打不开 \(url)。用 wallet-console 本身运行。",
                              en: "this program was built without the Redis job queue and cannot open \(url). Run wallet-console itself.",
                              badInput: false)
        }
        return try open(url, prefix)
    }

    /// 入口程序调用一次（WalletPostgres.PostgresBackend.register()）。
    public static func registerPostgres(_ open: @escaping PostgresOpener) { postgres.withLock { $0 = open } }

    /// 按 URL 打开存储；nil = SQLite 文件 path。
    public static func open(databaseURL: String?, sqlitePath: String) throws -> any LedgerStore {
        guard let text = databaseURL else {
            let store = try SQLiteLedgerStore(path: sqlitePath)
            // 库里有操作员口令哈希与业务数据：只许属主读写。
            for f in [sqlitePath, sqlitePath + "-wal", sqlitePath + "-shm"] where FileManager.default.fileExists(atPath: f) {
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: f)
            }
            return store
        }
        let url = try PostgresURL(text)
        guard let open = postgres.withLock({ $0 }) else {
            throw WalletError("postgres.unavailable", zh: "这个程序没有编入 PostgreSQL 后端，打不开 \(url)。用带默认特性构建的 wallet-console 运行（`swift build -c release`，不要加 --disable-default-traits）。",
                              en: "this program was built without the PostgreSQL back end and cannot open \(url). Run a wallet-console built with the default traits (`swift build -c release`, without --disable-default-traits).",
                              badInput: false)
        }
        return try open(url)
    }
}
