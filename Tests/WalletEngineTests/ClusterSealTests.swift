// 恐慌按钮在多引擎里（QA 第四轮）：封存请求文件只在按下的那台主机的密钥库目录里，别的主机上的引擎照签。
// 现在请求另写一份到共用的库里（cluster.seal.request），每个引擎的 seal-watch 看到新的就封存；第一次看到的只在它是本进程启动之后按下的时候执行
// （启动之前的 = 带口令启动是有意解封；启动之后、第一次看之前的 = 正在解封时按下的，要封）。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletEngine

@Suite struct ClusterSealTests {
    @Test func aSealPressedOnAnotherHostSealsThisEngineButAnOldOneDoesNot() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "clseal", confirmations: 1)
        #expect(!engine.keystore.isSealed)
        try await engine.runWorker("seal-watch")            // 库里还没有请求：记下「看过，没有」
        #expect(!engine.keystore.isSealed)
        // 另一台主机上按下恐慌按钮：只有库里的这一份到得了这里（本机的封存请求文件没变）。
        func pressElsewhere(_ token: String, at: Int64? = nil) throws {
            try engine.gate.put(WalletEngine.clusterSealKey,
                                WalletEngine.ClusterSealRequest(token: token, at: at ?? engine.clock.unixTime(), operatorName: "cust", via: "cli"))
        }
        try pressElsewhere("host-b-1")
        try await engine.runWorker("seal-watch")
        #expect(engine.keystore.isSealed, "别的主机上的封存请求应封存本引擎")
        #expect(try engine.alerts().contains { $0.kind == "keystore.sealed" && $0.message.contains("cust") })
        #expect(engine.keystore.lastSealRequest?.operatorName == "cust", "本机的封存请求文件也写上：同一主机的其他进程一并封存")
        // 有人解封（带口令重启 / 控制台）：同一条旧请求不再封它。
        try engine.unseal(passphrase: SecretBytes(Array("unseal-pass-123".utf8)))
        try await engine.runWorker("seal-watch")
        #expect(!engine.keystore.isSealed, "解封之前的请求不再生效")
        // 新进程第一次看：启动之前按下的（昨天的）不执行——带口令启动是有意解封。
        engine.clusterSealSeen.write { $0 = nil }
        try pressElsewhere("yesterday", at: engine.startedAt - 86_400)
        try await engine.runWorker("seal-watch")
        #expect(!engine.keystore.isSealed)
        // 第一次看、但在本进程启动之后按下的（QA 第五轮：正在用口令解封的那半秒里按下，被当成基线，解封后照签）：执行。
        engine.clusterSealSeen.write { $0 = nil }
        try pressElsewhere("during-startup", at: engine.startedAt)
        try await engine.runWorker("seal-watch")
        #expect(engine.keystore.isSealed)
    }

    @Test func pressingSealWritesTheClusterWideRequest() async throws {
        let dev = try Devnet()
        defer { dev.stop() }
        let engine = try await makeDevnetHome(dev, tag: "clseal2", confirmations: 1)
        let admin = try engine.op("admin", role: .admin)
        _ = try engine.requestSeal(by: admin, via: "cli")
        let r = try #require(try engine.gate.get(WalletEngine.clusterSealKey, as: WalletEngine.ClusterSealRequest.self))
        #expect(r.operatorName == "admin" && r.via == "cli" && !r.token.isEmpty)
    }
}
