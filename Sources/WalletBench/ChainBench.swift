// chain 节：充值扫描器每秒能处理多少个区块（录制的 eth_getBlockByNumber + eth_getLogs JSON，监控 1,000,000 个地址）。
// 基线（同一进程）：Foundation JSONSerialization 解析 + 小写十六进制字符串 Set 查找——最常见的朴素写法。
// 两边做同样的事：解析整块 JSON、取出每笔交易的 to 与每条 Transfer 日志的收款方、查监控集合。
import Foundation
import WalletChain
import WalletCrypto

struct ChainBench: BenchSection {
    let name = "chain"

    func run(options: BenchOptions) {
        let watchedCount = 1_000_000
        let blocks = max(20, min(options.n / 500, 400))
        let txPerBlock = 200
        var rng = BenchRandom(seed: 2026)
        func address(_ i: UInt64) -> ChainAddress {
            var b = [UInt8](repeating: 0, count: 20)
            var x = i &* 0x9E3779B97F4A7C15 ^ 0x5bd1e995
            for k in 0..<20 { b[k] = UInt8(truncatingIfNeeded: x); x = x >> 8 | x << 56; if k % 8 == 7 { x = x &* 0xff51afd7ed558ccd } }
            return ChainAddress(bytes: b)!
        }
        let watched = (0..<UInt64(watchedCount)).map(address)
        let token = address(UInt64.max)

        // —— 录制数据：按 JSON-RPC 的格式生成（约 1% 的交易/日志打到监控地址）——
        var blockJSON: [[UInt8]] = [], logsJSON: [[UInt8]] = []
        var parent = H256.zero
        for n in 0..<blocks {
            let hash = H256(bytes: Hash.sha256(Array("b\(n)".utf8)))!
            var txs: [JSONValue] = [], logs: [JSONValue] = []
            for i in 0..<txPerBlock {
                let hit = rng.next() % 100 == 0
                let to = hit ? watched[Int(rng.next() % UInt64(watchedCount))] : address(rng.next() | 1 << 63)
                let th = H256(bytes: Hash.sha256(Array("t\(n)-\(i)".utf8)))!
                let isToken = i % 3 == 0
                txs.append(.object([
                    "hash": .string(th.hex), "from": .string(address(rng.next()).hex),
                    "to": .string(isToken ? token.hex : to.hex), "value": .string(UInt256(rng.next() % 1_000_000_000_000).hexQuantity),
                    "input": .string(isToken ? "0xa9059cbb" + String(repeating: "0", count: 24) + Hex.encode(to.bytes) + String(repeating: "0", count: 48) + "0000000000989680" : "0x"),
                    "nonce": .string("0x1"), "gas": .string("0x5208"), "type": .string("0x2"),
                    "maxFeePerGas": .string("0x174876e800"), "maxPriorityFeePerGas": .string("0x77359400"),
                    "blockHash": .string(hash.hex), "blockNumber": .string(UInt256(UInt64(n)).hexQuantity),
                    "transactionIndex": .string(UInt256(UInt64(i)).hexQuantity),
                ]))
                if isToken {
                    logs.append(.object([
                        "address": .string(token.hex), "blockHash": .string(hash.hex), "blockNumber": .string(UInt256(UInt64(n)).hexQuantity),
                        "transactionHash": .string(th.hex), "transactionIndex": .string(UInt256(UInt64(i)).hexQuantity),
                        "logIndex": .string(UInt256(UInt64(logs.count)).hexQuantity), "removed": .bool(false),
                        "data": .string("0x" + String(repeating: "0", count: 48) + "0000000000989680"),
                        "topics": .array([.string(erc20TransferTopic.hex), .string("0x" + String(repeating: "0", count: 24) + Hex.encode(address(7).bytes)),
                                          .string("0x" + String(repeating: "0", count: 24) + Hex.encode(to.bytes))]),
                    ]))
                }
            }
            let b: JSONValue = .object([
                "number": .string(UInt256(UInt64(n)).hexQuantity), "hash": .string(hash.hex), "parentHash": .string(parent.hex),
                "timestamp": .string("0x6b060e49"), "baseFeePerGas": .string("0x23275348"), "gasUsed": .string("0xc763"),
                "gasLimit": .string("0x1ca3542"), "transactions": .array(txs),
            ])
            blockJSON.append(Array(JSON.serialize(b).utf8))
            logsJSON.append(Array(JSON.serialize(.array(logs)).utf8))
            parent = hash
        }
        let mb = Double(blockJSON.reduce(0) { $0 + $1.count } + logsJSON.reduce(0) { $0 + $1.count }) / 1e6
        print("数据：\(blocks) 块 × \(txPerBlock) 笔交易（\(String(format: "%.1f", mb)) MB JSON），监控地址 \(watchedCount)")

        var tBuild = (ours: 0.0, base: 0.0)
        var ourSet = WatchedAddresses([])
        var baseSet = Set<String>()
        tBuild.ours = measure { ourSet = WatchedAddresses(watched) }
        tBuild.base = measure { baseSet = Set(watched.map { $0.hex }) }
        print(String(format: "构建监控集合：ours %.2f s，基线（字符串 Set）%.2f s", tBuild.ours, tBuild.base))

        let tokens = [token: TokenInfo(contract: token, symbol: "USDT", decimals: 6)]
        var best = (ours: Double.infinity, base: Double.infinity)
        var hitsOurs = 0, hitsBase = 0
        for _ in 0..<options.rounds {
            hitsOurs = 0; hitsBase = 0
            best.ours = min(best.ours, measure {
                for i in 0..<blocks {
                    let b = try! ChainBlock.parse(try! JSON.parse(blockJSON[i]))
                    guard case .array(let ls) = try! JSON.parse(logsJSON[i]) else { fatalError() }
                    let logs = ls.map { try! ChainLog.parse($0) }
                    let c = DepositMatcher.candidates(block: b, logs: logs, watched: ourSet, tokens: tokens)
                    hitsOurs += c.native.count + c.tokenLogs.count
                }
            })
            best.base = min(best.base, measure {
                for i in 0..<blocks {
                    let b = try! JSONSerialization.jsonObject(with: Data(blockJSON[i])) as! [String: Any]
                    for t in b["transactions"] as! [[String: Any]] {
                        if let to = t["to"] as? String, baseSet.contains(to.lowercased()) { hitsBase += 1 }
                    }
                    for l in try! JSONSerialization.jsonObject(with: Data(logsJSON[i])) as! [[String: Any]] {
                        let topics = l["topics"] as! [String]
                        if topics.count == 3, topics[0] == erc20TransferTopic.hex,
                           baseSet.contains("0x" + topics[2].dropFirst(26).lowercased()) { hitsBase += 1 }
                    }
                }
            })
        }
        // 我们只把白名单代币与原生转账算作候选；基线里原生 to=代币合约 的交易不会命中，两边命中数应一致
        precondition(hitsOurs == hitsBase, "两种实现的命中数不一致：\(hitsOurs) vs \(hitsBase)")
        print(String(format: "扫描（解析 + 严格校验 + 匹配）：ours %.0f 块/s，基线 %.0f 块/s，比值 %.2f（命中 %d）",
                     Double(blocks) / best.ours, Double(blocks) / best.base, best.base / best.ours, hitsOurs))
        // 单次 O(1) 查找的成本
        let probes = 1_000_000
        var found = 0
        let tl = measure { for i in 0..<probes { if ourSet.contains(watched[(i &* 7919) % watchedCount]) { found += 1 } } }
        let tb = measure { for i in 0..<probes { if baseSet.contains(watched[(i &* 7919) % watchedCount].hex) { found += 1 } } }
        print(String(format: "单次查找：ours %.0f ns，基线（含转十六进制字符串）%.0f ns", tl / Double(probes) * 1e9, tb / Double(probes) * 1e9))
        if found == 0 { print("") }
    }
}

struct BenchRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
