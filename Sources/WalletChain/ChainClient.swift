import WalletCrypto

/// 引擎看到的链接口。真实实现是 `JSONRPCChainClient`（经 `ResilientRPC` 访问多个节点），
/// 演示实现是 `DemoChain`。所有方法都是异步的，错误一律为 `ChainError`。
public protocol ChainClient: Sendable {
    func chainId() async throws -> UInt64
    func blockNumber() async throws -> UInt64
    /// 完整交易的区块；不存在时返回 nil（例如高度超过链头，或节点不支持 finalized 标签）。
    func block(_ tag: BlockTag) async throws -> ChainBlock?
    /// 只取块头（号、哈希、父哈希）；不存在时 nil。核对「某高度仍是这个块」、问 finalized 到了哪一块时用——不必把整块交易拉回来。
    func header(_ tag: BlockTag) async throws -> StoredBlock?
    func logs(_ filter: LogFilter) async throws -> [ChainLog]
    func receipt(_ hash: H256) async throws -> ChainReceipt?
    /// 一个块的全部收据（`eth_getBlockReceipts`，按块哈希）；nil = 节点不支持（调用方退回逐笔 `receipt`）。
    func blockReceipts(_ blockHash: H256) async throws -> [ChainReceipt]?
    func transaction(_ hash: H256) async throws -> ChainTransaction?
    func transactionCount(_ address: ChainAddress, _ tag: BlockTag) async throws -> UInt64
    /// 广播已签名交易。只尝试一次，绝不自动重试；结果不明时抛 `.broadcastUnknown`。
    func sendRawTransaction(_ raw: [UInt8]) async throws -> H256
    func feeHistory(blockCount: Int, newest: BlockTag, percentiles: [Double]) async throws -> FeeHistory
    /// 节点建议的小费（eth_maxPriorityFeePerGas），用于与我们自己的估算对照。
    func maxPriorityFeePerGas() async throws -> UInt256
    func estimateGas(_ call: CallRequest) async throws -> UInt64
    func balance(_ address: ChainAddress, _ tag: BlockTag) async throws -> UInt256
    func call(_ call: CallRequest, _ tag: BlockTag) async throws -> [UInt8]
}

extension ChainClient {
    /// 没有更便宜的块头接口的实现（演示链、测试替身）：取整块。
    public func header(_ tag: BlockTag) async throws -> StoredBlock? {
        try await block(tag).map { StoredBlock(number: $0.number, hash: $0.hash, parentHash: $0.parentHash) }
    }

    /// 没有整块收据接口的实现：nil，调用方逐笔取。
    public func blockReceipts(_ blockHash: H256) async throws -> [ChainReceipt]? { nil }

    /// 某高度的区块哈希（只取块头）。
    public func blockHash(_ number: UInt64) async throws -> H256? { try await header(.number(number))?.hash }
}

/// 发送一次 JSON-RPC 调用、返回 result 的最小接口（单端点或带容错的多端点）。
public protocol RPCCaller: Sendable {
    func call(_ method: String, _ params: [JSONValue]) async throws -> JSONValue
}

/// ChainClient 的 JSON-RPC 实现：只负责参数编码和结果的严格解析，容错在 RPCCaller 里。
public struct JSONRPCChainClient: ChainClient {
    public let rpc: RPCCaller
    public init(rpc: RPCCaller) { self.rpc = rpc }

    private func q64(_ v: JSONValue, _ m: String) throws -> UInt64 {
        guard case .string(let s) = v, let x = try? StrictHex.quantity64(s) else {
            throw ChainError.malformedResponse(method: m, field: "result", detail: "不是 64 位以内的数量 / not a quantity within 64 bits")
        }
        return x
    }

    public func chainId() async throws -> UInt64 { try q64(try await rpc.call("eth_chainId", []), "eth_chainId") }

    public func blockNumber() async throws -> UInt64 {
        try q64(try await rpc.call("eth_blockNumber", []), "eth_blockNumber")
    }

    public func block(_ tag: BlockTag) async throws -> ChainBlock? {
        let r = try await rpc.call("eth_getBlockByNumber", [.string(tag.rpc), .bool(true)])
        if r.isNull { return nil }
        let b = try ChainBlock.parse(r)
        if case .number(let n) = tag, b.number != n {
            throw ChainError.malformedResponse(method: "eth_getBlockByNumber", field: "number", detail: "请求 \(n) 却返回 \(b.number) / asked for \(n), got \(b.number)")
        }
        return b
    }

    public func header(_ tag: BlockTag) async throws -> StoredBlock? {
        let m = "eth_getBlockByNumber"
        let r = try await rpc.call(m, [.string(tag.rpc), .bool(false)])
        if r.isNull { return nil }
        let f = try FieldReader(r, method: m, path: "")
        let n = try f.q64("number")
        if case .number(let want) = tag, n != want {
            throw ChainError.malformedResponse(method: m, field: "number", detail: "请求 \(want) 却返回 \(n) / asked for \(want), got \(n)")
        }
        return StoredBlock(number: n, hash: try f.hash("hash"), parentHash: try f.hash("parentHash"))
    }

    public func blockReceipts(_ blockHash: H256) async throws -> [ChainReceipt]? {
        let m = "eth_getBlockReceipts"
        let r: JSONValue
        do { r = try await rpc.call(m, [.string(blockHash.hex)]) } catch ChainError.rpcError(_, let code, _) where code == -32601 || code == -32602 {
            return nil   // 方法不存在 / 不接受按哈希：老节点，退回逐笔
        }
        if r.isNull { return nil }
        guard case .array(let a) = r else {
            throw ChainError.malformedResponse(method: m, field: "result", detail: "不是数组 / not an array")
        }
        return try a.enumerated().map { (i, v) in
            let rc = try ChainReceipt.parse(v, method: m)
            guard rc.blockHash == blockHash else {
                throw ChainError.malformedResponse(method: m, field: "[\(i)].blockHash", detail: "不是请求的块 / not the requested block")
            }
            return rc
        }
    }

    public func logs(_ filter: LogFilter) async throws -> [ChainLog] {
        let m = "eth_getLogs"
        guard case .array(let a) = try await rpc.call(m, [filter.json]) else {
            throw ChainError.malformedResponse(method: m, field: "result", detail: "不是数组 / not an array")
        }
        return try a.enumerated().map { (i, l) in
            let log = try ChainLog.parse(l, method: m, path: "[\(i)]")
            guard log.blockNumber >= filter.fromBlock, log.blockNumber <= filter.toBlock else {
                throw ChainError.malformedResponse(method: m, field: "[\(i)].blockNumber", detail: "超出请求范围 / outside the requested range")
            }
            return log
        }
    }

    public func receipt(_ hash: H256) async throws -> ChainReceipt? {
        let r = try await rpc.call("eth_getTransactionReceipt", [.string(hash.hex)])
        if r.isNull { return nil }
        let rc = try ChainReceipt.parse(r)
        guard rc.transactionHash == hash else {
            throw ChainError.malformedResponse(method: "eth_getTransactionReceipt", field: "transactionHash", detail: "与请求的哈希不一致 / does not match the requested hash")
        }
        return rc
    }

    public func transaction(_ hash: H256) async throws -> ChainTransaction? {
        let r = try await rpc.call("eth_getTransactionByHash", [.string(hash.hex)])
        if r.isNull { return nil }
        let t = try ChainTransaction.parse(r)
        guard t.hash == hash else {
            throw ChainError.malformedResponse(method: "eth_getTransactionByHash", field: "hash", detail: "与请求的哈希不一致 / does not match the requested hash")
        }
        return t
    }

    public func transactionCount(_ address: ChainAddress, _ tag: BlockTag) async throws -> UInt64 {
        try q64(try await rpc.call("eth_getTransactionCount", [.string(address.hex), .string(tag.rpc)]), "eth_getTransactionCount")
    }

    public func sendRawTransaction(_ raw: [UInt8]) async throws -> H256 {
        let r = try await rpc.call("eth_sendRawTransaction", [.string(StrictHex.encodeData(raw))])
        guard case .string(let s) = r, let h = try? H256(hex: s) else {
            throw ChainError.malformedResponse(method: "eth_sendRawTransaction", field: "result", detail: "不是 32 字节交易哈希 / not a 32-byte transaction hash")
        }
        return h
    }

    public func feeHistory(blockCount: Int, newest: BlockTag, percentiles: [Double]) async throws -> FeeHistory {
        guard (1...1024).contains(blockCount) else {
            throw ChainError.invalidConfiguration(key: "feeHistory.blockCount", detail: "必须在 1…1024 之间 / must be within 1…1024")
        }
        let pcts: [JSONValue] = percentiles.map { .number(String($0)) }
        let r = try await rpc.call("eth_feeHistory", [.string(UInt256(UInt64(blockCount)).hexQuantity), .string(newest.rpc), .array(pcts)])
        return try FeeHistory.parse(r, blockCount: blockCount, percentiles: percentiles.count)
    }

    public func maxPriorityFeePerGas() async throws -> UInt256 {
        let m = "eth_maxPriorityFeePerGas"
        guard case .string(let s) = try await rpc.call(m, []), let q = try? StrictHex.quantity(s) else {
            throw ChainError.malformedResponse(method: m, field: "result", detail: "不是数量 / not a quantity")
        }
        return q
    }

    public func estimateGas(_ call: CallRequest) async throws -> UInt64 {
        try q64(try await rpc.call("eth_estimateGas", [call.json]), "eth_estimateGas")
    }

    public func balance(_ address: ChainAddress, _ tag: BlockTag) async throws -> UInt256 {
        let m = "eth_getBalance"
        guard case .string(let s) = try await rpc.call(m, [.string(address.hex), .string(tag.rpc)]),
              let q = try? StrictHex.quantity(s) else {
            throw ChainError.malformedResponse(method: m, field: "result", detail: "不是数量 / not a quantity")
        }
        return q
    }

    public func call(_ call: CallRequest, _ tag: BlockTag) async throws -> [UInt8] {
        let m = "eth_call"
        guard case .string(let s) = try await rpc.call(m, [call.json, .string(tag.rpc)]), let d = try? StrictHex.data(s) else {
            throw ChainError.malformedResponse(method: m, field: "result", detail: "不是十六进制数据 / not hex data")
        }
        return d
    }
}
