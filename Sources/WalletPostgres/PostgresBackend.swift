// 把 PostgreSQL 登记为账本后端（入口程序启动时调用一次）。
// 只在 PostgreSQL 特性下编译（见 Package.swift）。
#if PostgreSQL
import WalletLedger

public enum PostgresBackend {
    public static func register() {
        LedgerBackends.registerPostgres { url in try SQLLedgerStore(database: PostgresSQLDatabase(url: url)) }
    }
}
#endif
