// 测试公共设施：临时数据库、可推进的时钟、确定性的测试用地址派生器与伪随机序列（仅用于生成测试场景，不是机密）。
import Foundation
import Synchronization
import WalletCrypto
@testable import WalletLedger
#if PostgreSQL
import WalletPostgres
#endif

/// 可推进的墙钟：`clock.t += 200` 拨时间（单线程测试里改、账本里读）。
final class TestClock: WalletClock, @unchecked Sendable {
    var t: Int64 = 1_700_000_000
    var clock: any WalletClock { self }
    func now() -> Double { Double(t) }
    func unixTime() -> Int64 { t }
    func sleep(_ seconds: Double) async throws { t += Int64(seconds.rounded(.up)) }
}

/// 测试用派生器：地址 = sha256("test-deriver" ‖ index) 的前 20 字节。真实实现是 BIP-32 xpub（见 XpubDepositAddressDeriver）。
struct HashDeriver: DepositAddressDeriver {
    func derive(index: UInt32) throws -> (address: String, path: String) {
        let h = Hash.sha256(Array("test-deriver".utf8) + withUnsafeBytes(of: index.bigEndian) { Array($0) })
        return ("0x" + Hex.encode(h.prefix(20)), "m/44'/60'/0'/0/\(index)")
    }
}

/// SplitMix64：只为可复现的随机测试序列。
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

enum Fixture {
    static func tempPath(_ tag: String = "ledger") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag)-\(ProcessInfo.processInfo.globallyUniqueString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("wallet.db").path
    }

    /// 账本测试默认跑在 SQLite 上；WALLET_LEDGER_TEST_BACKEND=postgres 时同一套测试跑在 PostgreSQL 上
    /// （每个环境一个新库，见 PostgresTestDB）。
    static var onPostgres: Bool { ProcessInfo.processInfo.environment["WALLET_LEDGER_TEST_BACKEND"] == "postgres" }

    static func makeStore(path: String) throws -> any LedgerStore {
        if onPostgres {
            #if PostgreSQL
            let db = try PostgresTestDB.fresh()
            reopenURLs.withLock { $0[path] = db.url }
            return try SQLLedgerStore(database: db)
            #else
            throw LedgerError.storage("这个测试构建不带 PostgreSQL 特性：用 `WALLET_LEDGER_TEST_BACKEND=postgres swift test --filter WalletLedgerTests`（默认特性）")
            #endif
        }
        return try SQLiteLedgerStore(path: path)
    }

    /// 同一个库的第二条连接（= 重新打开 / 第二个进程）。
    static func reopen(_ path: String) throws -> any LedgerStore {
        #if PostgreSQL
        if let url = reopenURLs.withLock({ $0[path] }) {
            return try SQLLedgerStore(database: PostgresSQLDatabase(url: url, environment: PostgresTestDB.environment))
        }
        #endif
        return try SQLiteLedgerStore(path: path)
    }
    static let reopenURLs = Mutex<[String: PostgresURL]>([:])

    static let eth = Asset(symbol: "ETH", decimals: 18, confirmations: 3, minDeposit: UInt256(1000))
    static let usdt = Asset(symbol: "USDT", decimals: 6, contract: "0xdac17f958d2ee523a2206206994597c13d831ec7", confirmations: 2,
                            tiers: [ConfirmationTier(minAmount: UInt256(1_000_000_000), confirmations: 6)])

    static let policyJSON = """
    {
      "requestExpirySeconds": 3600,
      "approvalExpirySeconds": 600,
      "allowlist": {"required": true, "coolingOffSeconds": 100},
      "rules": [
        {"name": "block-huge", "minAmount": "1000", "action": "block"},
        {"name": "small", "maxAmount": "1", "approvals": 0, "perUser": {"windowSeconds": 3600, "maxAmount": "2"}},
        {"name": "medium", "maxAmount": "100", "approvals": 1},
        {"name": "large", "approvals": 2}
      ]
    }
    """

    struct Env {
        let ledger: Ledger
        let clock: TestClock
        let admin: Operator
        let alice: Operator   // 审批人
        let bob: Operator     // 审批人
        let carol: Operator   // 审批人（发起人）
        let path: String
    }

    /// 带资产、操作员、白名单的账本。
    static func env(policy: String = policyJSON) throws -> Env {
        let path = tempPath()
        let clock = TestClock()
        let store = try makeStore(path: path)
        let ledger = Ledger(store: store, clock: clock.clock, policy: try ApprovalPolicy.parse(Data(policy.utf8)),
                            deriver: HashDeriver())
        try ledger.addAsset(eth)
        try ledger.addAsset(usdt)
        let kdf = ScryptParams(n: 16, r: 1, p: 1)
        let pw = SecretBytes(Array("correct horse".utf8))
        let admin = try ledger.addOperator(name: "admin", role: .admin, passphrase: pw, by: nil, kdf: kdf)
        let alice = try ledger.addOperator(name: "alice", role: .approver, passphrase: pw, by: admin, kdf: kdf)
        let bob = try ledger.addOperator(name: "bob", role: .approver, passphrase: pw, by: admin, kdf: kdf)
        let carol = try ledger.addOperator(name: "carol", role: .approver, passphrase: pw, by: admin, kdf: kdf)
        for d in destinations {
            _ = try ledger.allowlistAdd(d, by: alice)
            _ = try ledger.allowlistActivate(d, by: admin)
        }
        clock.t += 200  // 过冷静期
        return Env(ledger: ledger, clock: clock, admin: admin, alice: alice, bob: bob, carol: carol, path: path)
    }

    static let destinations = ["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222"]

    // 并行测试共用的计数器：原子自增（Swift 6 严格并发下全局可变状态必须有同步）。
    static let depositCounter = Atomic<Int>(0)
    /// 给用户充值并入账。
    @discardableResult
    static func credit(_ l: Ledger, user: String, asset: String = "ETH", amount: UInt256, tx: String? = nil) throws -> Deposit {
        let a = try l.assignAddress(user: user, asset: asset)
        let n = depositCounter.add(1, ordering: .relaxed).newValue
        let d = try l.observeDeposit(DepositObservation(txHash: tx ?? String(format: "0x%064x", n), logIndex: 0,
                                                        address: a.address, asset: asset, amount: amount, blockNumber: 100, blockHash: "0xb"))
        return try l.updateConfirmations(depositID: d.id, confirmations: 100)
    }

    /// 全库快照：每张业务表的行数 + 审计链头 + 所有账户累计。用于「坏输入不改库」测试。
    static func snapshot(_ l: Ledger) throws -> String {
        let db = (l.store as! any SQLBackedStore).sqlDatabase
        var out: [String] = []
        for t in ["accounts", "journal_entries", "postings", "deposits", "deposit_addresses", "withdrawals", "approvals",
                  "sweeps", "operators", "allowlist", "audit_log", "alerts", "settings", "nonces", "jobs"] {
            out.append("\(t)=\(try db.query("SELECT COUNT(*) AS n FROM \(t)").first!.int("n"))")
        }
        out += try db.query("SELECT code, debit_total, credit_total FROM accounts ORDER BY code").map {
            "\($0.text("code"))=\($0.text("debit_total"))/\($0.text("credit_total"))"
        }
        out += try db.query("SELECT id, state FROM withdrawals ORDER BY id").map { "w\($0.int("id"))=\($0.text("state"))" }
        return out.joined(separator: "\n")
    }
}

let ether = UInt256(1_000_000_000_000_000_000)
