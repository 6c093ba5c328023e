// issue 11：执行器处理每一笔占着 nonce 的提现（按 nonce 顺序），不只最新的 500 笔——
// 旧单被挤出窗口时它的 nonce 永远不会被用掉，热钱包后面的交易全部卡住。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletEngine

@Test func executorSeesEveryWithdrawalInNonceOrder() async throws {
    let home = tempHome("window")
    _ = try HomeInitializer.initialize(InitRequest(
        home: home, chainId: 1337, chainKind: .demo, rpcURLs: [], unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)),
        adminName: "admin", adminPassphrase: SecretBytes(Array("admin-pass-123".utf8)), confirmations: 2,
        keystoreOptions: fastKeystore, operatorKDF: fastOperatorKDF, acceptUnbackedSeed: true))
    let e = try await WalletEngine.open(home: home, options: EngineOpenOptions(logToFile: false, keystoreOptions: fastKeystore))
    let now = Int64(Date().timeIntervalSince1970)
    try e.gate.with { l in
        try l.store.transaction {
            for i in 0..<1_200 {
                var w = Withdrawal(requestID: "bulk-\(i)", user: "u", asset: "ETH", amount: UInt256(1), to: String(format: "0x%040x", i + 1),
                                   state: .signed, requestedBy: "x", createdAt: now, expiresAt: now + 86_400)
                w.id = try l.store.insertWithdrawal(w)
                w.nonce = Int64(1_199 - i)   // 新插入的 nonce 反而小：只按 id 取最新的一页会漏掉最小的 nonce
                w.fromAddress = "0x3333333333333333333333333333333333333333"
                try l.store.updateWithdrawal(w)
            }
        }
    }
    let ex = e.workers().compactMap { $0 as? WithdrawalExecutor }.first!
    let signed = try ex.list(.signed)
    #expect(signed.count == 1_200)
    #expect(signed.map { $0.nonce! } == Array(0..<1_200).map(Int64.init))
}
