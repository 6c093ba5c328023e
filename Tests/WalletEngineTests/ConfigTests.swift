// 配置校验：每个错误都要指出键名；演示链必须显式；未知键被拒绝。
import Foundation
import Testing
import WalletCrypto
@testable import WalletEngine

let sampleXpub = "xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj"

func sampleConfig(kind: ChainKind = .rpc) -> EngineConfig {
    EngineConfig(chain: ChainSettings(id: 1337, kind: kind, rpcURLs: kind == .rpc ? ["http://127.0.0.1:8545"] : []),
                 hotWallet: HotWalletSettings(keyId: "hot-1", address: "0x" + String(repeating: "ab", count: 20)),
                 deposits: DepositSettings())
}

func configJSON(_ edit: (inout [String: Any]) -> Void) throws -> Data {
    var obj = try JSONSerialization.jsonObject(with: sampleConfig().serialized()) as! [String: Any]
    edit(&obj)
    return try JSONSerialization.data(withJSONObject: obj)
}

func expectConfigError(_ data: Data, key: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try EngineConfig.parse(data)
        Issue.record("应当失败：\(key)", sourceLocation: sourceLocation)
    } catch let e as EngineError {
        #expect(e.message(.zh).contains(key), "中文错误未点名 \(key)：\(e.message(.zh))", sourceLocation: sourceLocation)
        #expect(e.message(.en).contains(key), "英文错误未点名 \(key)：\(e.message(.en))", sourceLocation: sourceLocation)
        #expect(e.isBadInput, sourceLocation: sourceLocation)
    } catch {
        Issue.record("错误类型不对：\(error)", sourceLocation: sourceLocation)
    }
}

@Test func configRoundTrip() throws {
    var c = sampleConfig()
    c.fees.maxFeePerGasCap = try UInt256(decimal: "123456789012345678901234567890")
    c.sweep.minAmount = ["USDT": UInt256(1_000_000)]
    c.chain.rpcURLs = ["http://127.0.0.1:8545", "https://node.example/rpc"]
    c.chain.rpcRatePerSecond = 500; c.chain.rpcBurst = 800
    let back = try EngineConfig.parse(c.serialized())
    #expect(back == c)
    // 旧版 config.json 没有限流键：取默认值（给公共节点服务的保守值），不报错。
    let old = try configJSON { o in var ch = o["chain"] as! [String: Any]; ch.removeValue(forKey: "rpcRatePerSecond"); ch.removeValue(forKey: "rpcBurst"); o["chain"] = ch }
    let d = try EngineConfig.parse(old)
    #expect(d.chain.rpcRatePerSecond == 20 && d.chain.rpcBurst == 40)
}

@Test func rpcRateLimitIsValidatedAndReachesTheClient() throws {
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcRatePerSecond"] = 0; o["chain"] = ch }, key: "chain.rpcRatePerSecond")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcRatePerSecond"] = 1_000_000; o["chain"] = ch }, key: "chain.rpcRatePerSecond")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcRatePerSecond"] = 1000; ch["rpcBurst"] = 5; o["chain"] = ch }, key: "chain.rpcBurst")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcBurst"] = -1; o["chain"] = ch }, key: "chain.rpcBurst")
    // 整数键给小数：点名键、说明里不混英文（QA：以前是「config.json 中的 ：值无效：The given data was not valid JSON.」）。
    let frac = try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcRatePerSecond"] = 1.5; o["chain"] = ch }
    expectConfigError(frac, key: "chain.rpcRatePerSecond")
    do { _ = try EngineConfig.parse(frac) } catch let e as EngineError { #expect(!BilingualText.hasCJK(e.message(.en)) && !e.message(.zh).contains("JSON"), "\(e.message(.zh))") }
    // 演示链不连节点：不写这两个键。
    let demo = try JSONSerialization.jsonObject(with: sampleConfig(kind: .demo).serialized()) as! [String: Any]
    #expect((demo["chain"] as! [String: Any])["rpcRatePerSecond"] == nil)
    // 设置真的到了节点客户端（以前写死 20/秒：自建节点上提现/秒首先被它卡住）。
    var c = sampleConfig(); c.chain.rpcRatePerSecond = 750; c.chain.rpcBurst = 900
    let access = try ChainAccess.make(config: c, metrics: EngineMetrics())
    #expect(access.rpc?.config.ratePerSecond == 750 && access.rpc?.config.burst == 900)
}

@Test func demoChainMustBeExplicitAndHasNoNode() throws {
    let demo = sampleConfig(kind: .demo)
    #expect(try EngineConfig.parse(demo.serialized()).isDemo)
    // 缺少 kind：不会默认成 demo，而是点名报错。
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch.removeValue(forKey: "kind"); o["chain"] = ch }, key: "chain.kind")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["kind"] = "Demo"; o["chain"] = ch }, key: "chain.kind")
    // demo 配了节点地址：拒绝（避免以为自己连的是真节点）。
    var bad = demo
    bad.chain.rpcURLs = ["http://127.0.0.1:8545"]
    #expect(throws: EngineError.self) { try bad.validate() }
}

@Test func configErrorsNameTheKey() throws {
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcUrls"] = [String](); o["chain"] = ch }, key: "chain.rpcUrls")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcUrls"] = ["ftp://x"]; o["chain"] = ch }, key: "chain.rpcUrls[0]")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["id"] = 0; o["chain"] = ch }, key: "chain.id")
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["id"] = "abc"; o["chain"] = ch }, key: "chain.id")
    expectConfigError(try configJSON { o in var h = o["hotWallet"] as! [String: Any]; h["address"] = "0x12"; o["hotWallet"] = h }, key: "hotWallet.address")
    expectConfigError(try configJSON { o in var f = o["fees"] as! [String: Any]; f["replacementBumpPercent"] = 5; o["fees"] = f }, key: "fees.replacementBumpPercent")
    expectConfigError(try configJSON { o in var f = o["fees"] as! [String: Any]; f["maxFeePerGasCap"] = 1e18; o["fees"] = f }, key: "fees.maxFeePerGasCap")
    expectConfigError(try configJSON { o in var f = o["fees"] as! [String: Any]; f["maxFeePerGasCap"] = "-1"; o["fees"] = f }, key: "fees.maxFeePerGasCap")
    expectConfigError(try configJSON { o in var d = o["deposits"] as! [String: Any]; d["confirmations"] = true; o["deposits"] = d }, key: "deposits.confirmations")
    expectConfigError(try configJSON { o in var d = o["deposits"] as! [String: Any]; d["reorgWindow"] = 5; o["deposits"] = d }, key: "deposits.reorgWindow")
    // 已移到数据库的设置（唯一来源）：旧版配置里出现即点名拒绝，不悄悄忽略、也不存两份。
    expectConfigError(try configJSON { o in var d = o["deposits"] as! [String: Any]; d["xpub"] = sampleXpub; o["deposits"] = d }, key: "deposits.xpub")
    expectConfigError(try configJSON { o in var d = o["deposits"] as! [String: Any]; d["useFinalized"] = true; o["deposits"] = d }, key: "deposits.useFinalized")
    expectConfigError(try configJSON { o in o["metrics"] = ["port": 70000] }, key: "metrics.port")
    expectConfigError(try configJSON { o in o["log"] = ["level": "verbose"] }, key: "log.level")
    expectConfigError(try configJSON { o in var s = o["sweep"] as! [String: Any]; s["minAmount"] = ["ETH": 5]; o["sweep"] = s }, key: "sweep.minAmount.ETH")
}

@Test func unknownKeysAreRejected() throws {
    expectConfigError(try configJSON { o in var ch = o["chain"] as! [String: Any]; ch["rpcUrl"] = "http://x"; o["chain"] = ch }, key: "chain.rpcUrl")
    expectConfigError(try configJSON { o in o["metric"] = ["port": 9100] }, key: "metric")
}

@Test func malformedAndMissingConfig() throws {
    #expect(throws: EngineError.self) { try EngineConfig.parse(Data("{not json".utf8)) }
    // 语法错误带行列（Foundation 只给字节偏移，我们换算成编辑器里的行列）。
    do {
        _ = try EngineConfig.parse(Data("{\n  \"version\": 1,\n  \"chain\": x\n}".utf8))
        Issue.record("应当失败")
    } catch let e as EngineError {
        #expect(e.code == "config.malformed" && e.message(.zh).contains("第 3 行") && e.message(.en).contains("line 3"), "\(e.message(.zh))")
    }
    #expect(throws: EngineError.self) { try EngineConfig.parse(Data("[]".utf8)) }
    let home = HomeLayout(NSTemporaryDirectory() + "/wc-missing-\(UUID().uuidString)")
    do { _ = try EngineConfig.load(home: home); Issue.record("应当失败") } catch let e as EngineError {
        #expect(e.code == "config.missing")
        #expect(e.message(.zh).contains("init"))
    }
}

@Test func saveIsAtomicAndPrivate() throws {
    let dir = NSTemporaryDirectory() + "/wc-cfg-\(UUID().uuidString)"
    let home = HomeLayout(dir)
    try home.createDirectories()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try sampleConfig().save(home: home)
    let attrs = try FileManager.default.attributesOfItem(atPath: home.configFile)
    #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    #expect(try EngineConfig.load(home: home) == sampleConfig())
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
    #expect(leftovers.isEmpty)
}

@Test func clusterLeaseNamesSortNumerically() {
    let names = ["credit:10", "signer:0xab", "credit:7", "leader", "credit:2", "credit:x"]
    #expect(names.sorted(by: WalletEngine.leaseOrder) == ["credit:2", "credit:7", "credit:10", "credit:x", "leader", "signer:0xab"])
}

/// 归集的两个入口（任务、worker）经同一个互斥：临界区跨 await 也只有一个任务在里面。
@Test func asyncMutexKeepsOneTaskInsideAcrossAwaits() async throws {
    actor Gauge {
        var now = 0, peak = 0
        func enter() { now += 1; peak = max(peak, now) }
        func leave() { now -= 1 }
    }
    let m = AsyncMutex(), g = Gauge()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<16 {
            group.addTask { _ = try await m.run { await g.enter(); try await Task.sleep(nanoseconds: 2_000_000); await g.leave(); return 0 } }
        }
        try await group.waitForAll()
    }
    #expect(await g.peak == 1)
}
