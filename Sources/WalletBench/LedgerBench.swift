// 账本基准：N 笔充值入账（充值行 + 平衡分录 + 审计记录，每批一个事务） vs 同一次运行里的裸预编译插入基线。
import Foundation
import WalletCrypto
import WalletLedger

struct LedgerBench: BenchSection {
    var name: String { "ledger" }

    func run(options: BenchOptions) {
        do { try Self.run(count: options.n) } catch { print("ledger 基准失败：\(error)") }
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

    /// 运行并打印结果；返回 (每秒入账数, 基线每秒行数)。
    @discardableResult
    static func run(count: Int = 100_000, batch: Int = 1000, users: Int = 1000) throws -> (Double, Double) {
        // 基线：同样的 WAL + synchronous=FULL，一个事务里用预编译语句插入裸行。
        let base = try SQLiteDatabase(path: tempDB("baseline"))
        try base.execute("CREATE TABLE bare (id INTEGER PRIMARY KEY, tx_hash TEXT NOT NULL, amount TEXT NOT NULL)")
        let amount = UInt256(1_000_000_000_000_000)
        let tBase = try seconds {
            try base.transaction {
                for i in 0..<count { try base.execute("INSERT INTO bare (tx_hash, amount) VALUES (?, ?)", [String(format: "0x%064x", i), amount]) }
            }
        }

        let store = try SQLiteLedgerStore(path: tempDB("ledger"))
        let ledger = Ledger(store: store, deriver: Deriver())
        try ledger.addAsset(Asset(symbol: "ETH", decimals: 18, confirmations: 1))
        var addrs: [String] = []
        try store.transaction {
            for u in 0..<users { addrs.append(try ledger.assignAddress(user: "user\(u)", asset: "ETH").address) }
        }
        let tLedger = try seconds {
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
        var violations: [InvariantViolation] = []
        let tCheck = try seconds { violations = try ledger.check() }
        guard violations.isEmpty else { throw LedgerError.storage("基准后不变量失败：\(violations.prefix(3))") }
        let rate = Double(count) / tLedger, baseRate = Double(count) / tBase
        print("ledger: \(count) 笔充值入账（充值行 + 分录 + 审计），每批 \(batch) 笔/事务")
        print(String(format: "  入账   %.2f s  %.0f 笔/秒", tLedger, rate))
        print(String(format: "  基线   %.2f s  %.0f 行/秒（预编译裸插入，单事务）", tBase, baseRate))
        print(String(format: "  比值   基线/入账 = %.1f×", baseRate / rate))
        print(String(format: "  ledger check 全量 %.2f s", tCheck))
        return (rate, baseRate)
    }
}
