// 账本基准：N 笔充值入账（充值行 + 平衡分录 + 账户累计 + 审计，每批一个事务） vs 同一次运行里「同样的行」的裸预编译写入。
// 基线由 RecordingDatabase 记下入账真正执行的写语句，在同模式的新库里按同样的事务边界重放（见那个文件的说明）。
// SQLite 总是跑；设置了 WALLET_BENCH_PG_URL（与 PGPASSWORD 或 PGPASSFILE）时 PostgreSQL 也跑，每一遍一个新库。
import Foundation
import Synchronization
import WalletCrypto
import WalletLedger
#if PostgreSQL
import WalletPostgres
#endif

struct LedgerBench: BenchSection {
    var name: String { "ledger" }

    func run(options: BenchOptions) {
        do {
            try Self.runSQLite(count: options.n, rounds: options.rounds)
            #if PostgreSQL
            if let url = ProcessInfo.processInfo.environment["WALLET_BENCH_PG_URL"] {
                try Self.runPostgres(url: url, count: max(1000, options.n / 5), rounds: options.rounds)
            } else {
                print("（PostgreSQL 跳过：未设置 WALLET_BENCH_PG_URL；可用 eval \"$(bash Tests/services/up.sh /tmp/svc)\" 起一个，"
                      + "再 WALLET_BENCH_PG_URL=$WALLET_TEST_PG_URL PGPASSFILE=$WALLET_TEST_PGPASSFILE）")
            }
            #endif
        } catch { print("ledger 基准失败：\(error)") }
    }

    struct Deriver: DepositAddressDeriver {
        func derive(index: UInt32) throws -> (address: String, path: String) {
            let h = Hash.sha256(Array("bench".utf8) + withUnsafeBytes(of: index.bigEndian) { Array($0) })
            return ("0x" + Hex.encode(h.prefix(20)), "m/44'/60'/0'/0/\(index)")
        }
    }

    static func tempDB(_ tag: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wallet-bench-\(tag)-\(ProcessInfo.processInfo.globallyUniqueString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("wallet.db").path
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    static let users = 1000, batch = 1000

    /// 不计时的准备：资产 + 每个用户一个充值地址。
    static func setup<DB>(_ store: SQLLedgerStore<DB>) throws -> (Ledger, [String]) {
        let ledger = Ledger(store: store, deriver: Deriver())
        try ledger.addAsset(Asset(symbol: "ETH", decimals: 18, confirmations: 1))
        var addrs: [String] = []
        try store.transaction {
            for u in 0..<users { addrs.append(try ledger.assignAddress(user: "user\(u)", asset: "ETH").address) }
        }
        return (ledger, addrs)
    }

    /// 被测的工作：扫描器对每笔充值做的两步（记录 + 确认数达标入账），每批一个事务。
    static func credit<DB>(_ ledger: Ledger, _ store: SQLLedgerStore<DB>, _ addrs: [String], count: Int) throws {
        let amount = UInt256(1_000_000_000_000_000)
        var i = 0
        while i < count {
            let end = min(count, i + batch)
            try store.transaction {
                for k in i..<end {
                    let d = try ledger.observeDeposit(DepositObservation(txHash: String(format: "0x%064x", k), logIndex: 0,
                                                                         address: addrs[k % users], asset: "ETH", amount: amount,
                                                                         blockNumber: Int64(k), blockHash: "0xb"))
                    _ = try ledger.updateConfirmations(depositID: d.id, confirmations: 1)
                }
            }
            i = end
        }
    }

    struct Result { var credit: Double; var baseline: Double; var writes: Int; var reads: Int; var savepoints: Int; var check: Double }

    /// rounds 轮，每轮入账与基线各一次（交替，机器上别的负载对两边一样），各取最快的一次：2 核机器上噪声大，最快的最接近真实成本。
    static func compare<DB: SQLDatabase>(count: Int, rounds: Int, fresh: () throws -> DB) throws -> Result {
        var best = try compareOnce(count: count, fresh: fresh)
        for _ in 1..<max(1, rounds) {
            let r = try compareOnce(count: count, fresh: fresh)
            best.credit = min(best.credit, r.credit); best.baseline = min(best.baseline, r.baseline); best.check = min(best.check, r.check)
        }
        return best
    }

    /// 三遍，各用一个新库：① 计时入账 ② 不计时、记录写语句 ③ 计时重放那些写语句（基线）。
    static func compareOnce<DB: SQLDatabase>(count: Int, fresh: () throws -> DB) throws -> Result {
        let store = try SQLLedgerStore(database: try fresh())
        let (ledger, addrs) = try setup(store)
        let tCredit = try seconds { try credit(ledger, store, addrs, count: count) }
        var violations: [InvariantViolation] = []
        let tCheck = try seconds { violations = try ledger.check() }
        guard violations.isEmpty else { throw LedgerError.storage("基准后不变量失败：\(violations.prefix(3))") }

        let rec = RecordingDatabase(try fresh())
        let rstore = try SQLLedgerStore(database: rec)
        let g0 = rec.groups.count
        let (rledger, raddrs) = try setup(rstore)
        let g1 = rec.groups.count, w1 = rec.writes, r1 = rec.reads, s1 = rec.savepoints
        try credit(rledger, rstore, raddrs, count: count)

        let base = try fresh()
        _ = try SQLLedgerStore(database: base)   // 同样的迁移：同样的表、索引、触发器
        try RecordingDatabase<DB>.replay(Array(rec.groups[g0..<g1]), on: base)
        let tBase = try seconds { try RecordingDatabase<DB>.replay(Array(rec.groups[g1...]), on: base) }
        return Result(credit: tCredit, baseline: tBase, writes: rec.writes - w1, reads: rec.reads - r1,
                      savepoints: rec.savepoints - s1, check: tCheck)
    }

    static func report(_ backend: String, _ count: Int, _ r: Result) {
        let rate = Double(count) / r.credit, baseRate = Double(count) / r.baseline
        print("ledger[\(backend)]: \(count) 笔充值入账（记录 + 确认入账：充值行、分录、账户累计、审计），每批 \(batch) 笔/事务；各取几轮中最快的一次")
        print(String(format: "  每笔语句  写 %.1f  读 %.1f  保存点 %.1f", Double(r.writes) / Double(count),
                     Double(r.reads) / Double(count), Double(r.savepoints) / Double(count)))
        print(String(format: "  入账      %.2f s  %.0f 笔/秒", r.credit, rate))
        print(String(format: "  基线      %.2f s  %.0f 笔/秒（同样的写语句与事务边界，预编译裸执行）", r.baseline, baseRate))
        print(String(format: "  比值      入账/基线 = %.2f×（目标 ≥ 0.5×）", rate / baseRate))
        print(String(format: "  ledger check 全量 %.2f s", r.check))
    }

    /// 1 个 vs 2 个写者（= 两个引擎各一条连接）同时给不相交的用户入账，每批 100 笔/事务、一批只含一个分片的用户。返回每秒笔数。
    /// PostgreSQL：每批一个分片事务（全局锁的共享模式 + 分片锁，审计写进分片链），两个写者拿不同的分片，互不等待。
    /// SQLite：整库一把写锁，分片事务就是普通事务（参考值）。结束时写主链检查点，`check` 与 `audit verify` 都必须通过。
    static func writers<DB: SQLDatabase>(count: Int, k: Int, connect: () throws -> DB) throws -> Double {
        let (ledger, addrs) = try setup(try SQLLedgerStore(database: try connect()))
        // 写者 w 拿分片号 ≡ w (mod k) 的用户；按分片分组（一批一个分片）。
        var byShard: [Int: [String]] = [:]
        for u in 0..<users { byShard[LedgerShards.of(user: "user\(u)"), default: []].append(addrs[u]) }
        let groups: [[(shard: Int, addrs: [String])]] = (0..<k).map { w in
            byShard.keys.sorted().filter { $0 % k == w }.map { ($0, byShard[$0]!) }
        }
        // 每个写者只用自己那条连接（下标 = 线程号），不共享：nonisolated(unsafe) 只是让 @Sendable 的闭包能拿到数组。
        nonisolated(unsafe) let conns = try (0..<k).map { _ in try SQLLedgerStore(database: try connect()) }
        let per = count / k
        let failures = Mutex<[String]>([])
        let t = seconds {
            DispatchQueue.concurrentPerform(iterations: k) { w in
                do {
                    let store = conns[w]
                    let l = Ledger(store: store, deriver: Deriver())
                    let amount = UInt256(1_000_000_000_000_000)
                    var i = 0, g = 0
                    while i < per {
                        let end = min(per, i + 100)
                        let (shard, mine) = groups[w][g % groups[w].count]
                        g += 1
                        try store.transaction(shard: shard) {
                            for j in i..<end {
                                let n = w * per + j
                                let d = try l.observeDeposit(DepositObservation(txHash: String(format: "0x%064x", n), logIndex: 0,
                                                                                address: mine[j % mine.count], asset: "ETH",
                                                                                amount: amount, blockNumber: Int64(n), blockHash: "0xb"))
                                _ = try l.updateConfirmations(depositID: d.id, confirmations: 1)
                            }
                        }
                        i = end
                    }
                } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        let f = failures.withLock { $0 }
        guard f.isEmpty else { throw LedgerError.storage("写者失败：\(f.prefix(2))") }
        try ledger.checkpointAudit()
        guard try ledger.check().isEmpty else { throw LedgerError.storage("多写者基准后不变量失败") }
        let v = try ledger.verifyAudit()
        guard v.ok else { throw LedgerError.storage("多写者基准后审计链校验失败：\(v.reason ?? "")") }
        return Double(per * k) / t
    }

    static func reportWriters(_ backend: String, _ count: Int, _ one: Double, _ two: Double) {
        print(String(format: "ledger[%@]: 1 个写者 %.0f 笔/秒，2 个写者（两条连接并发，不相交的分片）%.0f 笔/秒，2/1 = %.2f×（%d 笔；目标 ≥ 1.8×）",
                     backend, one, two, two / one, count))
    }

    static func runSQLite(count: Int, rounds: Int) throws {
        // 同样的 WAL + synchronous=FULL（SQLiteDatabase 打开时设置）：不为了数字放松持久性。
        let r = try compare(count: count, rounds: rounds) { try SQLiteDatabase(path: tempDB("ledger")) }
        report("SQLite", count, r)
        let p1 = tempDB("w1"), p2 = tempDB("w2")
        let one = try writers(count: count / 2, k: 1) { try SQLiteDatabase(path: p1) }
        let two = try writers(count: count / 2, k: 2) { try SQLiteDatabase(path: p2) }
        reportWriters("SQLite", count / 2, one, two)
    }

    #if PostgreSQL
    static func runPostgres(url text: String, count: Int, rounds: Int) throws {
        let url = try PostgresURL(text)
        let admin = try PostgresSQLDatabase(url: url)
        var made: [String] = []
        defer { for n in made { _ = try? admin.execute("DROP DATABASE IF EXISTS \(n)") } }
        let r = try compare(count: count, rounds: rounds) {
            let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try admin.execute("CREATE DATABASE \(name)")
            made.append(String(name))
            var u = url
            u.database = String(name)
            return try PostgresSQLDatabase(url: u)
        }
        report("PostgreSQL", count, r)
        func fixed() throws -> PostgresURL {
            let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try admin.execute("CREATE DATABASE \(name)")
            made.append(String(name))
            var u = url
            u.database = String(name)
            return u
        }
        let u1 = try fixed(), u2 = try fixed()
        let one = try writers(count: count, k: 1) { try PostgresSQLDatabase(url: u1) }
        let two = try writers(count: count, k: 2) { try PostgresSQLDatabase(url: u2) }
        reportWriters("PostgreSQL", count, one, two)
    }
    #endif
}
