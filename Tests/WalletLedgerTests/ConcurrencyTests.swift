import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

/// 四条连接（= 四个引擎进程）同时写同一个库：SQLite 上 BEGIN IMMEDIATE + busy_timeout、PostgreSQL 上事务级咨询锁让写者排队，不变量成立。
@Test func concurrentWritersOnSeparateConnections() throws {
    let env = try Fixture.env()
    let path = env.path
    for u in 0..<4 { _ = try env.ledger.assignAddress(user: "c\(u)", asset: "ETH") }
    let errors = NSLock()
    nonisolated(unsafe) var failures: [String] = []
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
        do {
            let l = Ledger(store: try Fixture.reopen(path), deriver: HashDeriver())
            let addr = try l.assignAddress(user: "c\(worker)", asset: "ETH").address
            for i in 0..<100 {
                let d = try l.observeDeposit(DepositObservation(txHash: "0x\(worker)-\(i)", logIndex: 0, address: addr, asset: "ETH",
                                                                amount: ether, blockNumber: Int64(i), blockHash: "0x"))
                // 另一条连接重放同一笔：幂等
                _ = try l.updateConfirmations(depositID: d.id, confirmations: 10)
                _ = try l.observeDeposit(DepositObservation(txHash: "0x\(worker)-\(i)", logIndex: 0, address: addr, asset: "ETH",
                                                            amount: ether, blockNumber: Int64(i), blockHash: "0x"))
            }
        } catch {
            errors.lock(); failures.append("\(error)"); errors.unlock()
        }
    }
    #expect(failures.isEmpty, "\(failures)")
    #expect(try env.ledger.depositCount(DepositFilter(state: .credited)) == 400)
    for u in 0..<4 { #expect(try env.ledger.available(user: "c\(u)", asset: "ETH") == ether * UInt256(100)) }
    #expect(try env.ledger.check().isEmpty)
    #expect(try env.ledger.verifyAudit().ok)
}
