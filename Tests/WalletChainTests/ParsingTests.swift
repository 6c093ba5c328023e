import Testing
import WalletCrypto
@testable import WalletChain

/// 以 devnet（py-evm）实际返回的区块为基础（Fixtures 内联，来源：Tests/devnet/devnet.py 第 4 块），逐字段篡改。
let recordedBlockJSON = #"{"number":"0x4","hash":"0x2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa","parentHash":"0x528e59dde971d5b846eadc99464fee4151d2a0024c5073f1bb88165743fc62db","gasLimit":"0x1ca3542","gasUsed":"0xc763","timestamp":"0x6b060e49","baseFeePerGas":"0x23275348","transactions":[{"type":"0x2","hash":"0x66d5a648443de29cccb55e881cdbca7ba9c89dced9ad568e79723194da95e782","nonce":"0x1","blockHash":"0x2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa","blockNumber":"0x4","transactionIndex":"0x0","from":"0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF","to":"0xF2E246BB76DF876Cef8b38ae84130F4F55De395b","value":"0x0","gas":"0x186a0","maxFeePerGas":"0x3b9aca00","maxPriorityFeePerGas":"0x3b9aca00","gasPrice":"0x3b9aca00","input":"0xa9059cbb0000000000000000000000006813eb9362372eef6200f3b1dbc3f819671cba690000000000000000000000000000000000000000000000000000000000000010"}]}"#

/// 同一块（第 4 块）里那笔交易的收据，来源同上。
let recordedReceiptJSON = #"{"blockHash":"0x2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa","blockNumber":"0x4","contractAddress":null,"cumulativeGasUsed":"0xc763","effectiveGasPrice":"0x3b9aca00","from":"0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF","gasUsed":"0xc763","logs":[{"logIndex":"0x0","transactionIndex":"0x0","transactionHash":"0x66d5a648443de29cccb55e881cdbca7ba9c89dced9ad568e79723194da95e782","blockHash":"0x2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa","blockNumber":"0x4","address":"0xF2E246BB76DF876Cef8b38ae84130F4F55De395b","data":"0x0000000000000000000000000000000000000000000000000000000000000010","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x0000000000000000000000002b5ad5c4795c026514f8317c7a215e218dccd6cf","0x0000000000000000000000006813eb9362372eef6200f3b1dbc3f819671cba69"],"removed":false}],"status":"0x1","to":"0xF2E246BB76DF876Cef8b38ae84130F4F55De395b","transactionHash":"0x66d5a648443de29cccb55e881cdbca7ba9c89dced9ad568e79723194da95e782","transactionIndex":"0x0","type":"0x2"}"#

@Suite struct ParsingTests {
    func mutated(_ key: String, _ value: String?, inTx: Bool = false) throws -> JSONValue {
        guard case .object(var o) = try JSON.parse(recordedBlockJSON) else { fatalError() }
        if inTx {
            guard case .array(let txs) = o["transactions"]!, case .object(var t) = txs[0] else { fatalError() }
            t[key] = value.map { try! JSON.parse($0) }
            if value == nil { t.removeValue(forKey: key) }
            o["transactions"] = .array([.object(t)])
        } else {
            o[key] = value.map { try! JSON.parse($0) }
            if value == nil { o.removeValue(forKey: key) }
        }
        return .object(o)
    }

    @Test func parsesRecordedBlock() throws {
        let b = try ChainBlock.parse(try JSON.parse(recordedBlockJSON))
        #expect(b.number == 4)
        #expect(b.baseFeePerGas == UInt256(589_779_784))
        #expect(b.transactions.count == 1)
        #expect(b.transactions[0].to == (try ChainAddress(hex: "0xf2e246bb76df876cef8b38ae84130f4f55de395b")))
        #expect(b.transactions[0].input.count == 68)
    }

    @Test(arguments: [
        ("hash", "\"0x2e8a\""),                 // 过短
        ("hash", "\"2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa\""), // 无 0x
        ("hash", "\"0xzz8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa\""),
        ("number", "\"0x04\""),                 // 前导零
        ("number", "\"0x\""),
        ("number", "\"4\""),
        ("number", "4"),                        // 类型错
        ("number", "\"0x10000000000000000\""),  // 超出 64 位
        ("number", nil),                        // 缺失
        ("parentHash", "null"),
        ("transactions", "{}"),
        ("transactions", "[\"0x66d5a648443de29cccb55e881cdbca7ba9c89dced9ad568e79723194da95e782\"]"), // 只有哈希
        ("baseFeePerGas", "\"0x1" + String(repeating: "0", count: 64) + "\""), // 超过 256 位
    ] as [(String, String?)])
    func rejectsBadBlockField(_ key: String, _ value: String?) throws {
        let v = try mutated(key, value)
        #expect(throws: ChainError.self) { try ChainBlock.parse(v) }
    }

    @Test(arguments: [
        ("from", "\"0x2B5AD5c4795c026514f8317c7a215E218DcCD6c\""),   // 19.5 字节
        ("from", "\"0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF00\""), // 21 字节
        ("to", "\"0x\""),
        ("value", "\"-0x1\""),
        ("input", "\"0xabc\""),                                      // 奇数长度
        ("input", "\"abcd\""),
        ("blockHash", "\"0x0000000000000000000000000000000000000000000000000000000000000001\""), // 不属于该块
        ("blockNumber", "\"0x5\""),
        ("nonce", "[]"),
    ] as [(String, String?)])
    func rejectsBadTransactionField(_ key: String, _ value: String?) throws {
        let v = try mutated(key, value, inTx: true)
        #expect(throws: ChainError.self) { try ChainBlock.parse(v) }
    }

    /// 只取块头（header / blockHash，fullTransactions=false）：高度不符、哈希畸形都拒绝，不当成「规范块哈希」用。
    @Test func headerOnlyReadsTheHeaderAndChecksTheHeight() async throws {
        let ep = ScriptedCaller()
        ep.then("eth_getBlockByNumber", .ok(try mutated("transactions", "[\"0x66d5a648443de29cccb55e881cdbca7ba9c89dced9ad568e79723194da95e782\"]")))
        let c = JSONRPCChainClient(rpc: ep)
        #expect(try await c.blockHash(4)?.hex == "0x2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa")
        ep.then("eth_getBlockByNumber", .ok(try mutated("transactions", "[]")))
        #expect(try await c.header(.finalized)?.parentHash.hex == "0x528e59dde971d5b846eadc99464fee4151d2a0024c5073f1bb88165743fc62db")
        ep.then("eth_getBlockByNumber", .ok(try mutated("number", "\"0x5\"")))
        await #expect(throws: ChainError.self) { try await c.blockHash(4) }
        ep.then("eth_getBlockByNumber", .ok(try mutated("hash", "\"0x1234\"")))
        await #expect(throws: ChainError.self) { try await c.blockHash(4) }
        ep.then("eth_getBlockByNumber", .ok(.null))
        #expect(try await c.blockHash(4) == nil)
        #expect(ep.params.allSatisfy { $0.count == 2 && $0[1] == .bool(false) })
    }

    /// 整块收据：老节点（-32601 方法不存在）→ nil，调用方逐笔取；收据属于别的块 → 拒绝。
    @Test func blockReceiptsFallBackOnOldNodesAndRejectForeignReceipts() async throws {
        let ep = ScriptedCaller()
        let c = JSONRPCChainClient(rpc: ep)
        let hash = try H256(hex: "0x2e8af52eeb43f7990297932d44912f3e59c5be4d251953e691d2a0bad44d61fa")
        ep.then("eth_getBlockReceipts", .fail(.rpcError(method: "eth_getBlockReceipts", code: -32601, message: "the method eth_getBlockReceipts does not exist")))
        #expect(try await c.blockReceipts(hash) == nil)
        ep.then("eth_getBlockReceipts", .ok(.array([])))
        #expect(try await c.blockReceipts(hash) == [])
        ep.then("eth_getBlockReceipts", .ok(.string("0x1")))
        await #expect(throws: ChainError.self) { try await c.blockReceipts(hash) }
        ep.then("eth_getBlockReceipts", .fail(.rpcError(method: "eth_getBlockReceipts", code: -32000, message: "boom")))
        await #expect(throws: ChainError.self) { try await c.blockReceipts(hash) }
        let other = try H256(hex: "0x" + String(repeating: "11", count: 32))
        ep.then("eth_getBlockReceipts", .ok(.array([try JSON.parse(recordedReceiptJSON)])))
        #expect(try await c.blockReceipts(hash)?.count == 1)
        ep.then("eth_getBlockReceipts", .ok(.array([try JSON.parse(recordedReceiptJSON)])))
        await #expect(throws: ChainError.self) { try await c.blockReceipts(other) }
    }

    @Test func contractCreationHasNilTo() throws {
        let b = try ChainBlock.parse(try mutated("to", "null", inTx: true))
        #expect(b.transactions[0].to == nil)
    }

    @Test func receiptAndLogsStrict() throws {
        let ok = recordedReceiptJSON
        let r = try ChainReceipt.parse(try JSON.parse(ok))
        #expect(r.succeeded && r.logs.count == 1 && r.logs[0].topics[0] == erc20TransferTopic)
        for (from, to) in [("\"status\":\"0x1\"", "\"status\":\"0x2\""),
                           ("\"status\":\"0x1\"", "\"status\":true"),
                           ("\"topics\":[", "\"topics\":[\"0x01\","),
                           ("\"logIndex\":\"0x0\"", "\"logIndex\":null"),
                           ("\"transactionIndex\":\"0x0\",\"transactionHash\":\"0x66", "\"transactionIndex\":\"0x0\",\"transactionHash\":\"0x77")] {
            let bad = ok.replacingOccurrences(of: from, with: to)
            #expect(bad != ok)
            #expect(throws: ChainError.self) { try ChainReceipt.parse(try JSON.parse(bad)) }
        }
        let fiveTopics = ok.replacingOccurrences(of: "\"topics\":[", with: "\"topics\":[\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef\",\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef\",")
        #expect(throws: ChainError.self) { try ChainReceipt.parse(try JSON.parse(fiveTopics)) }
    }

    @Test func feeHistoryShapeChecked() throws {
        let good = #"{"oldestBlock":"0x1","baseFeePerGas":["0x342770c0","0x2ddfb371","0x282a9550"],"gasUsedRatio":[0.01,0.5],"reward":[["0x1","0x2","0x3"],["0x4","0x5","0x6"]]}"#
        let h = try FeeHistory.parse(try JSON.parse(good), blockCount: 2, percentiles: 3)
        #expect(h.baseFeePerGas.count == 3 && h.reward[1][2] == UInt256(6))
        let bads = [
            good.replacingOccurrences(of: ",\"0x282a9550\"", with: ""),             // 基础费少一项
            good.replacingOccurrences(of: "[\"0x4\",\"0x5\",\"0x6\"]", with: "[\"0x4\"]"),
            good.replacingOccurrences(of: "0.5", with: "1.5"),
            good.replacingOccurrences(of: "0.5", with: "\"0.5\""),
            good.replacingOccurrences(of: "\"0x6\"", with: "\"0x06\""),
        ]
        for b in bads {
            #expect(throws: ChainError.self) { try FeeHistory.parse(try JSON.parse(b), blockCount: 2, percentiles: 3) }
        }
        #expect(throws: ChainError.self) { try FeeHistory.parse(try JSON.parse(good), blockCount: 1, percentiles: 3) }
    }

    @Test func jsonRPCEnvelopeChecked() throws {
        func dec(_ s: String, id: UInt64 = 7) throws -> JSONValue {
            try JSONRPCEndpoint.decodeResponse(Array(s.utf8), method: "eth_blockNumber", id: id)
        }
        #expect(try dec(#"{"jsonrpc":"2.0","id":7,"result":"0x10"}"#) == .string("0x10"))
        #expect(throws: ChainError.self) { try dec(#"{"jsonrpc":"2.0","id":8,"result":"0x10"}"#) }
        #expect(throws: ChainError.self) { try dec(#"{"jsonrpc":"1.0","id":7,"result":"0x10"}"#) }
        #expect(throws: ChainError.self) { try dec(#"{"jsonrpc":"2.0","id":7}"#) }
        #expect(throws: ChainError.self) { try dec(#"{"jsonrpc":"2.0","id":7,"result":1,"error":{"code":1,"message":"x"}}"#) }
        #expect(throws: ChainError.self) { try dec(#"[{"jsonrpc":"2.0","id":7,"result":"0x10"}]"#) }
        #expect(throws: ChainError.self) { try dec("<html>502 Bad Gateway</html>") }
        do {
            _ = try dec(#"{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"header not found"}}"#)
            Issue.record("应抛错")
        } catch let e as ChainError {
            #expect(e == .rpcError(method: "eth_blockNumber", code: -32000, message: "header not found"))
            #expect(e.isRetryable)
        }
    }

    @Test func quantityAndAddressRules() throws {
        #expect(try StrictHex.quantity("0x0") == .zero)
        #expect(try StrictHex.quantity("0xff") == UInt256(255))
        for bad in ["0x", "0x00", "0X1", "ff", "0x-1", "0x1g", "", "0x" + String(repeating: "f", count: 65)] {
            #expect(throws: StrictHexError.self) { try StrictHex.quantity(bad) }
        }
        let a = try ChainAddress(hex: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69")
        #expect(a.hex == "0x6813eb9362372eef6200f3b1dbc3f819671cba69")
        #expect(ChainAddress(bytes: a.bytes) == a)
        #expect(throws: StrictHexError.self) { try ChainAddress(hex: "6813Eb9362372EEF6200f3b1dbC3f819671cBA6900") }
    }

    @Test func errorsHaveBilingualMessages() {
        let e = ChainError.chainIdMismatch(endpoint: "http://n", expected: 1, got: 5)
        #expect(e.code == "chain.chain_id_mismatch")
        #expect(e.message(.zh).contains("拒绝运行"))
        #expect(e.message(.en).contains("Refusing"))
    }
}

/// 测试用的确定性伪随机（SplitMix64）；不用于任何机密。
struct SplitMix64 {
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
