import Testing
@testable import WalletCrypto

// 黄皮书附录 B 与 ethereum/tests RLPTests 中的经典例子。
@Test func rlpKnownEncodings() throws {
    #expect(RLP.encode(.bytes(Array("dog".utf8))).hex == "83646f67")
    #expect(RLP.encode(.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))])).hex == "c88363617483646f67")
    #expect(RLP.encode(.bytes([])).hex == "80")
    #expect(RLP.encode(.list([])).hex == "c0")
    #expect(RLP.encode(.uint(UInt64(0))).hex == "80")
    #expect(RLP.encode(.bytes([0x0f])).hex == "0f")
    #expect(RLP.encode(.uint(UInt64(1024))).hex == "820400")
    // 集合论表示 [ [], [[]], [ [], [[]] ] ]
    #expect(RLP.encode(.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])])).hex == "c7c0c1c0c3c0c1c0")
    let lorem = Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)
    #expect(RLP.encode(.bytes(lorem)).prefix(2).map { $0 } == [0xb8, 0x38])
}

@Test func rlpRejectsNonCanonical() {
    let bad: [(String, RLPError.Kind)] = [
        ("8100", .nonCanonicalSingleByte),     // 单字节 0x00 带前缀
        ("817f", .nonCanonicalSingleByte),
        ("b800", .leadingZeroInLength),
        ("b80100", .nonCanonicalLength),        // 长度 1 用了长格式
        ("f800", .leadingZeroInLength),
        ("8361", .truncated),
        ("c3", .truncated),
        ("8080", .trailingBytes),
        ("", .empty),
        ("bf", .truncated),
    ]
    for (hex, kind) in bad {
        #expect(throws: RLPError.self) { try RLP.decode(try Hex.decode(hex)) }
        do { _ = try RLP.decode(try Hex.decode(hex)) } catch let e as RLPError { #expect(e.kind == kind, "\(hex)") } catch {}
    }
    #expect(throws: RLPError.self) { try RLP.Item.bytes([0, 1]).asUInt256() }
}

/// 属性测试：decode(encode(x)) == x（确定性伪随机结构，种子固定）。
@Test func rlpRoundTripProperty() throws {
    var rng = TestRNG(seed: 0x5eed)
    func gen(_ depth: Int) -> RLP.Item {
        if depth > 3 || rng.next() % 3 != 0 {
            let len = Int(rng.next() % 5 == 0 ? rng.next() % 300 : rng.next() % 4)
            return .bytes((0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
        return .list((0..<Int(rng.next() % 6)).map { _ in gen(depth + 1) })
    }
    for _ in 0..<500 {
        let x = gen(0)
        #expect(try RLP.decode(RLP.encode(x)) == x)
    }
}

/// 模糊测试：随机与变异字节只能得到错误或合法结果，绝不崩溃；合法结果必须可重新编码回原字节（规范性）。
@Test func rlpFuzzNeverCrashes() {
    var rng = TestRNG(seed: 42)
    let seeds: [[UInt8]] = [RLP.encode(.list([.bytes([1, 2, 3]), .list([.bytes(Array(repeating: 7, count: 60))])]))]
    for i in 0..<5000 {
        var d: [UInt8]
        if i % 2 == 0 {
            d = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        } else {
            d = seeds[0]
            for _ in 0..<(1 + Int(rng.next() % 3)) where !d.isEmpty {
                d[Int(rng.next() % UInt64(d.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        if let item = try? RLP.decode(d) { #expect(RLP.encode(item) == d) }
    }
}

/// 测试专用确定性生成器（splitmix64），只用于生成测试输入，不在 Sources/ 里。
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
}
