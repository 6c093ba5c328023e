import WalletCrypto

// 链上数据类型与严格解析。每个字段都检查类型、十六进制格式和长度；
// 任何不符都抛 ChainError.malformedResponse（指出方法与字段），从不崩溃。

public struct ChainTransaction: Sendable, Equatable {
    public let hash: H256
    public let from: ChainAddress
    /// nil 表示合约创建。
    public let to: ChainAddress?
    public let value: UInt256
    public let input: [UInt8]
    public let nonce: UInt64
    public let gas: UInt64
    public let type: UInt64
    public let maxFeePerGas: UInt256?
    public let maxPriorityFeePerGas: UInt256?
    public let gasPrice: UInt256?
    public let blockHash: H256?
    public let blockNumber: UInt64?
    public let transactionIndex: UInt64?
}

public struct ChainBlock: Sendable, Equatable {
    public let number: UInt64
    public let hash: H256
    public let parentHash: H256
    public let timestamp: UInt64
    public let baseFeePerGas: UInt256?
    public let gasUsed: UInt64
    public let gasLimit: UInt64
    public let transactions: [ChainTransaction]
}

public struct ChainLog: Sendable, Equatable {
    public let address: ChainAddress
    public let topics: [H256]
    public let data: [UInt8]
    public let blockNumber: UInt64
    public let blockHash: H256
    public let transactionHash: H256
    public let transactionIndex: UInt64
    public let logIndex: UInt64
    public let removed: Bool
}

public struct ChainReceipt: Sendable, Equatable {
    public let transactionHash: H256
    public let blockHash: H256
    public let blockNumber: UInt64
    public let transactionIndex: UInt64
    /// 1 成功，0 失败（拜占庭分叉后的 receipt 必有 status）。
    public let status: UInt64
    public let gasUsed: UInt64
    public let effectiveGasPrice: UInt256?
    public let from: ChainAddress?
    public let to: ChainAddress?
    public let contractAddress: ChainAddress?
    public let logs: [ChainLog]
    public var succeeded: Bool { status == 1 }
}

public struct FeeHistory: Sendable, Equatable {
    public let oldestBlock: UInt64
    /// n+1 个：最后一个是下一块的基础费（EIP-1559 公式推算）。
    public let baseFeePerGas: [UInt256]
    /// 区块 gas 使用率（0…1）；只用于展示与筛选空块，不参与金额计算。
    public let gasUsedRatio: [Double]
    /// 每块一行，每行对应请求的百分位。
    public let reward: [[UInt256]]
}

/// eth_call / eth_estimateGas 的请求。
public struct CallRequest: Sendable, Equatable {
    public var from: ChainAddress?
    public var to: ChainAddress?
    public var value: UInt256?
    public var data: [UInt8]
    public var gas: UInt64?
    public init(from: ChainAddress? = nil, to: ChainAddress?, value: UInt256? = nil, data: [UInt8] = [], gas: UInt64? = nil) {
        self.from = from; self.to = to; self.value = value; self.data = data; self.gas = gas
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let from { o["from"] = .string(from.hex) }
        if let to { o["to"] = .string(to.hex) }
        if let value { o["value"] = .string(value.hexQuantity) }
        if !data.isEmpty { o["data"] = .string(StrictHex.encodeData(data)) }
        if let gas { o["gas"] = .string(UInt256(gas).hexQuantity) }
        return .object(o)
    }
}

public struct LogFilter: Sendable, Equatable {
    public var fromBlock: UInt64
    public var toBlock: UInt64
    public var addresses: [ChainAddress]
    /// topics[i] 为 nil 表示该位置不限制。
    public var topics: [[H256]?]
    public init(fromBlock: UInt64, toBlock: UInt64, addresses: [ChainAddress] = [], topics: [[H256]?] = []) {
        self.fromBlock = fromBlock; self.toBlock = toBlock; self.addresses = addresses; self.topics = topics
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "fromBlock": .string(BlockTag.number(fromBlock).rpc),
            "toBlock": .string(BlockTag.number(toBlock).rpc),
        ]
        if !addresses.isEmpty { o["address"] = .array(addresses.map { .string($0.hex) }) }
        if !topics.isEmpty {
            o["topics"] = .array(topics.map { t in t.map { .array($0.map { .string($0.hex) }) } ?? .null })
        }
        return .object(o)
    }
}

/// ERC-20 Transfer(address,address,uint256) 事件签名 keccak256 —— 常量，避免运行时依赖 Keccak。
public let erc20TransferTopic = try! H256(hex: "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")

// MARK: - 解析

/// 带上下文（方法名）的字段读取器。
struct FieldReader {
    let method: String
    let obj: [String: JSONValue]
    let path: String

    init(_ v: JSONValue, method: String, path: String) throws {
        guard case .object(let o) = v else {
            throw ChainError.malformedResponse(method: method, field: path, detail: "不是对象 / not an object")
        }
        self.obj = o; self.method = method; self.path = path
    }

    func bad(_ f: String, _ d: String) -> ChainError {
        .malformedResponse(method: method, field: path.isEmpty ? f : "\(path).\(f)", detail: d)
    }

    func string(_ k: String) throws -> String {
        guard let v = obj[k] else { throw bad(k, "缺失") }
        guard case .string(let s) = v else { throw bad(k, "不是字符串") }
        return s
    }

    func optionalString(_ k: String) throws -> String? {
        guard let v = obj[k], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw bad(k, "不是字符串") }
        return s
    }

    func quantity(_ k: String) throws -> UInt256 {
        let s = try string(k)
        do { return try StrictHex.quantity(s) } catch { throw bad(k, "不是合法的十六进制数量：\(s.prefix(80))") }
    }

    func q64(_ k: String) throws -> UInt64 {
        guard let v = try quantity(k).uint64 else { throw bad(k, "超出 64 位") }
        return v
    }

    func optionalQuantity(_ k: String) throws -> UInt256? {
        guard let s = try optionalString(k) else { return nil }
        do { return try StrictHex.quantity(s) } catch { throw bad(k, "不是合法的十六进制数量：\(s.prefix(80))") }
    }

    func optionalQ64(_ k: String) throws -> UInt64? {
        guard let v = try optionalQuantity(k) else { return nil }
        guard let x = v.uint64 else { throw bad(k, "超出 64 位") }
        return x
    }

    func hash(_ k: String) throws -> H256 {
        let s = try string(k)
        do { return try H256(hex: s) } catch { throw bad(k, "不是 32 字节哈希：\(s.prefix(80))") }
    }

    func optionalHash(_ k: String) throws -> H256? {
        guard let s = try optionalString(k) else { return nil }
        do { return try H256(hex: s) } catch { throw bad(k, "不是 32 字节哈希：\(s.prefix(80))") }
    }

    func address(_ k: String) throws -> ChainAddress {
        let s = try string(k)
        do { return try ChainAddress(hex: s) } catch { throw bad(k, "不是 20 字节地址：\(s.prefix(80))") }
    }

    func optionalAddress(_ k: String) throws -> ChainAddress? {
        guard let s = try optionalString(k) else { return nil }
        do { return try ChainAddress(hex: s) } catch { throw bad(k, "不是 20 字节地址：\(s.prefix(80))") }
    }

    func data(_ k: String, maxBytes: Int = 4 << 20) throws -> [UInt8] {
        let s = try string(k)
        guard s.utf8.count <= maxBytes * 2 + 2 else { throw bad(k, "数据过长") }
        do { return try StrictHex.data(s) } catch { throw bad(k, "不是合法的十六进制数据") }
    }

    func array(_ k: String, max: Int = 100_000) throws -> [JSONValue] {
        guard let v = obj[k] else { throw bad(k, "缺失") }
        guard case .array(let a) = v else { throw bad(k, "不是数组") }
        guard a.count <= max else { throw bad(k, "元素过多（\(a.count)）") }
        return a
    }

    func bool(_ k: String, default d: Bool) throws -> Bool {
        guard let v = obj[k], !v.isNull else { return d }
        guard case .bool(let b) = v else { throw bad(k, "不是布尔值") }
        return b
    }
}

extension ChainTransaction {
    public static func parse(_ v: JSONValue, method: String = "eth_getTransactionByHash", path: String = "") throws -> ChainTransaction {
        let r = try FieldReader(v, method: method, path: path)
        let type = try r.optionalQ64("type") ?? 0
        return ChainTransaction(
            hash: try r.hash("hash"), from: try r.address("from"), to: try r.optionalAddress("to"),
            value: try r.quantity("value"), input: try r.data("input"), nonce: try r.q64("nonce"),
            gas: try r.q64("gas"), type: type,
            maxFeePerGas: try r.optionalQuantity("maxFeePerGas"),
            maxPriorityFeePerGas: try r.optionalQuantity("maxPriorityFeePerGas"),
            gasPrice: try r.optionalQuantity("gasPrice"),
            blockHash: try r.optionalHash("blockHash"), blockNumber: try r.optionalQ64("blockNumber"),
            transactionIndex: try r.optionalQ64("transactionIndex"))
    }
}

extension ChainBlock {
    /// 只接受完整交易（fullTransactions=true）的区块；交易必须属于该区块。
    public static func parse(_ v: JSONValue, method: String = "eth_getBlockByNumber") throws -> ChainBlock {
        let r = try FieldReader(v, method: method, path: "")
        let number = try r.q64("number")
        let hash = try r.hash("hash")
        var txs: [ChainTransaction] = []
        let raw = try r.array("transactions")
        txs.reserveCapacity(raw.count)
        for (i, t) in raw.enumerated() {
            if case .string = t { throw r.bad("transactions[\(i)]", "只有哈希，需要完整交易") }
            let tx = try ChainTransaction.parse(t, method: method, path: "transactions[\(i)]")
            if let bh = tx.blockHash, bh != hash { throw r.bad("transactions[\(i)].blockHash", "与区块哈希不一致") }
            if let bn = tx.blockNumber, bn != number { throw r.bad("transactions[\(i)].blockNumber", "与区块高度不一致") }
            txs.append(tx)
        }
        return ChainBlock(number: number, hash: hash, parentHash: try r.hash("parentHash"),
                          timestamp: try r.q64("timestamp"), baseFeePerGas: try r.optionalQuantity("baseFeePerGas"),
                          gasUsed: try r.q64("gasUsed"), gasLimit: try r.q64("gasLimit"), transactions: txs)
    }
}

extension ChainLog {
    public static func parse(_ v: JSONValue, method: String = "eth_getLogs", path: String = "") throws -> ChainLog {
        let r = try FieldReader(v, method: method, path: path)
        let rawTopics = try r.array("topics", max: 4)
        var topics: [H256] = []
        for (i, t) in rawTopics.enumerated() {
            guard case .string(let s) = t, let h = try? H256(hex: s) else { throw r.bad("topics[\(i)]", "不是 32 字节") }
            topics.append(h)
        }
        return ChainLog(address: try r.address("address"), topics: topics, data: try r.data("data"),
                        blockNumber: try r.q64("blockNumber"), blockHash: try r.hash("blockHash"),
                        transactionHash: try r.hash("transactionHash"),
                        transactionIndex: try r.q64("transactionIndex"), logIndex: try r.q64("logIndex"),
                        removed: try r.bool("removed", default: false))
    }
}

extension ChainReceipt {
    /// 实付手续费（wei）。解析时已保证不溢出。
    public var feePaid: UInt256 { UInt256(gasUsed).multipliedReportingOverflow(by: effectiveGasPrice ?? .zero).partialValue }

    public static func parse(_ v: JSONValue, method: String = "eth_getTransactionReceipt") throws -> ChainReceipt {
        let r = try FieldReader(v, method: method, path: "")
        let status = try r.q64("status")
        guard status <= 1 else { throw r.bad("status", "只能是 0x0 或 0x1") }
        let txHash = try r.hash("transactionHash")
        let blockHash = try r.hash("blockHash")
        var logs: [ChainLog] = []
        for (i, l) in try r.array("logs").enumerated() {
            let log = try ChainLog.parse(l, method: method, path: "logs[\(i)]")
            guard log.transactionHash == txHash, log.blockHash == blockHash else {
                throw r.bad("logs[\(i)]", "日志不属于该收据")
            }
            logs.append(log)
        }
        let gasUsed = try r.q64("gasUsed")
        let price = try r.optionalQuantity("effectiveGasPrice")
        // 手续费 = gasUsed × effectiveGasPrice 必须放得进 256 位：恶意/有毛病的节点给出天文数字时在解析处拒绝，
        // 而不是让下游的金额乘法溢出陷阱（每次重启读同一张收据会反复崩溃）。
        if let price, UInt256(gasUsed).multipliedReportingOverflow(by: price).overflow {
            throw r.bad("effectiveGasPrice", "与 gasUsed 相乘溢出 256 位")
        }
        return ChainReceipt(transactionHash: txHash, blockHash: blockHash, blockNumber: try r.q64("blockNumber"),
                            transactionIndex: try r.q64("transactionIndex"), status: status,
                            gasUsed: gasUsed, effectiveGasPrice: price,
                            from: try r.optionalAddress("from"), to: try r.optionalAddress("to"),
                            contractAddress: try r.optionalAddress("contractAddress"), logs: logs)
    }
}

extension FeeHistory {
    public static func parse(_ v: JSONValue, blockCount: Int, percentiles: Int) throws -> FeeHistory {
        let m = "eth_feeHistory"
        let r = try FieldReader(v, method: m, path: "")
        let base = try r.array("baseFeePerGas", max: 1025).enumerated().map { (i, x) -> UInt256 in
            guard case .string(let s) = x, let q = try? StrictHex.quantity(s) else { throw r.bad("baseFeePerGas[\(i)]", "不是数量") }
            return q
        }
        let ratios = try r.array("gasUsedRatio", max: 1024).enumerated().map { (i, x) -> Double in
            guard case .number(let s) = x, let d = Double(s), d >= 0, d <= 1 else { throw r.bad("gasUsedRatio[\(i)]", "不是 0…1 的数") }
            return d
        }
        let n = ratios.count
        guard n <= blockCount, base.count == n + 1 else {
            throw r.bad("baseFeePerGas", "长度应为块数+1（块数 \(n)，基础费 \(base.count)）")
        }
        var rewards: [[UInt256]] = []
        if percentiles > 0 {
            let rows = try r.array("reward", max: 1024)
            guard rows.count == n else { throw r.bad("reward", "行数 \(rows.count) ≠ 块数 \(n)") }
            for (i, row) in rows.enumerated() {
                guard case .array(let cols) = row, cols.count == percentiles else { throw r.bad("reward[\(i)]", "列数不等于百分位个数") }
                rewards.append(try cols.enumerated().map { (j, c) in
                    guard case .string(let s) = c, let q = try? StrictHex.quantity(s) else { throw r.bad("reward[\(i)][\(j)]", "不是数量") }
                    return q
                })
            }
        }
        return FeeHistory(oldestBlock: try r.q64("oldestBlock"), baseFeePerGas: base, gasUsedRatio: ratios, reward: rewards)
    }
}
