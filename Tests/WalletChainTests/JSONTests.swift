import Testing
@testable import WalletChain

@Suite struct JSONTests {
    @Test func parsesOrdinaryDocument() throws {
        let v = try JSON.parse(#"{"a":[1,-2.5e3,"x\u00e9\n",true,false,null],"b":{}}"#)
        #expect(v["a"] == .array([.number("1"), .number("-2.5e3"), .string("xé\n"), .bool(true), .bool(false), .null]))
        #expect(v["b"] == .object([:]))
    }

    @Test func keepsBigNumbersExact() throws {
        // 超过 Double 精度的数字保持原文
        let v = try JSON.parse("[115792089237316195423570985008687907853269984665640564039457584007913129639935]")
        #expect(v == .array([.number("115792089237316195423570985008687907853269984665640564039457584007913129639935")]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "[1.]", "[-]", "[1e]", "nul", "[tru]", "\"abc",
        "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{\"a\":1}x", "[1] [2]", "{1:2}",
        "\"tab\there\"", "[\"\\u12G4\"]", "{\"a\":1,\"a\":2}", "[NaN]", "[Infinity]", "'x'",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xff, 0xfe, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0x5c, 0x6e, 0xc3, 0x22]) }
    }

    @Test func nestingBombIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        let objs = String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(objs) }
    }

    @Test func sizeLimitsApply() {
        let big = "\"" + String(repeating: "a", count: 2000) + "\""
        #expect(throws: JSONParseError.self) { try JSON.parse(big, limits: JSONLimits(maxStringBytes: 1000)) }
        #expect(throws: JSONParseError.self) { try JSON.parse(big, limits: JSONLimits(maxBytes: 100)) }
        #expect(throws: JSONParseError.self) { try JSON.parse("[" + String(repeating: "9", count: 300) + "]") }
    }

    @Test func serializeRoundTrips() throws {
        let v: JSONValue = .object(["m": .string("a\"b\\c\u{01}"), "p": .array([.number("1"), .null, .bool(true)])])
        #expect(try JSON.parse(JSON.serialize(v)) == v)
    }

    /// 随机字节与随机截断：只许抛错，不许崩溃（确定性伪随机，固定种子）。
    @Test func fuzzNeverCrashes() throws {
        var rng = SplitMix64(seed: 42)
        let sample = Array(#"{"jsonrpc":"2.0","id":1,"result":{"number":"0x10","hash":"0xab","transactions":[{"a":[1,2,{"b":null}]}]}}"#.utf8)
        for _ in 0..<3000 {
            var b = sample
            let mutations = Int(rng.next() % 6) + 1
            for _ in 0..<mutations {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 3 {
                case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b.remove(at: i)
                default: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                }
                if b.isEmpty { b = [0x7b] }
            }
            _ = try? JSON.parse(b)
            _ = try? JSONRPCEndpoint.decodeResponse(b, method: "eth_getBlockByNumber", id: 1)
        }
    }
}
