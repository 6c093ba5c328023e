// PostgreSQL 测试库：WALLET_TEST_PG_URL（Tests/services/up.sh 或 .ci/run 启动的回环服务器）上每次建一个新库。
// 只在带 PostgreSQL 特性的构建里（README 的 debug 测试构建不带，见 Package.swift）。
#if PostgreSQL
import Foundation
import WalletLedger
import WalletPostgres

enum PostgresTestDB {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "没有 WALLET_TEST_PG_URL：先 eval \"$(bash Tests/services/up.sh /tmp/svc)\"（.ci/run 会自动启动）" }
    }

    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if let f = try? TestServices.environment()["WALLET_TEST_PGPASSFILE"], !f.isEmpty { env["PGPASSFILE"] = f }
        return env
    }

    /// 新建一个空库并连上它。
    static func fresh() throws -> PostgresSQLDatabase {
        guard let text = try TestServices.environment()["WALLET_TEST_PG_URL"] else { throw Unavailable() }
        var url = try PostgresURL(text)
        let admin = try PostgresSQLDatabase(url: url, environment: environment)
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try admin.execute("CREATE DATABASE \(name)")
        url.database = name
        return try PostgresSQLDatabase(url: url, environment: environment)
    }
}
#endif
