import Testing
import WalletCrypto
@testable import WalletLedger

@Test func parsesAndFormatsDecimalAmounts() throws {
    #expect(try AmountFormat.parse("1.25", decimals: 18) == UInt256(1_250_000_000_000_000_000))
    #expect(try AmountFormat.parse("0.000001", decimals: 6) == UInt256(1))
    #expect(try AmountFormat.parse("1.500", decimals: 2) == UInt256(150))
    #expect(try AmountFormat.parse("7", decimals: 0) == UInt256(7))
    #expect(AmountFormat.format(UInt256(1_250_000_000_000_000_000), decimals: 18) == "1.25")
    #expect(AmountFormat.format(UInt256(1), decimals: 6) == "0.000001")
    #expect(AmountFormat.format(.zero, decimals: 18) == "0")
    #expect(AmountFormat.format(UInt256(5_000_000), decimals: 6) == "5")
    #expect(AmountFormat.format(.max, decimals: 18) == "115792089237316195423570985008687907853269984665640564039457.584007913129639935")
    // 往返
    var rng = SplitMix64(state: 7)
    for _ in 0..<500 {
        let v = UInt256(limbs: (rng.next(), rng.next() >> UInt64(rng.int(64)), UInt64(rng.int(3)), 0))
        let d = rng.int(30)
        #expect(try AmountFormat.parse(AmountFormat.format(v, decimals: d), decimals: d) == v)
    }
}

@Test func rejectsBadAmountsWithTypedErrors() {
    #expect(throws: LedgerError.amountNegative("-1")) { try AmountFormat.parse("-1", decimals: 18) }
    #expect(throws: LedgerError.amountTooPrecise("0.0000001", decimals: 6)) { try AmountFormat.parse("0.0000001", decimals: 6) }
    #expect(throws: LedgerError.amountEmpty) { try AmountFormat.parse("", decimals: 6) }
    for bad in ["1.2.3", "abc", "1e5", " 1", "1,5", ".5", "5.", "+1", "0x10", "١"] {
        #expect(throws: LedgerError.amountMalformed(bad)) { try AmountFormat.parse(bad, decimals: 6) }
    }
    let huge = "115792089237316195423570985008687907853269984665640564039457.584007913129639936"
    #expect(throws: LedgerError.amountOverflow(huge)) { try AmountFormat.parse(huge, decimals: 18) }
}

@Test func storedAmountsSortNumerically() throws {
    // 定宽十六进制的字典序必须等于数值序。
    var rng = SplitMix64(state: 3)
    var vals = (0..<200).map { _ in UInt256(limbs: (rng.next(), UInt64(rng.int(5)), 0, UInt64(rng.int(2)))) }
    vals.append(.zero); vals.append(.max)
    let texts = vals.map { v -> String in if case .text(let s) = v.sqlValue { return s }; return "" }
    #expect(texts.allSatisfy { $0.count == 64 })
    #expect(zip(vals, texts).sorted { $0.1 < $1.1 }.map(\.0) == vals.sorted())
    for (v, t) in zip(vals, texts) {
        #expect(try UInt256.fromStored(t) == v)
        #expect(t == Hex.encode(v.bigEndianBytes))
    }
    #expect(throws: LedgerError.self) { try UInt256.fromStored(String(repeating: "g", count: 64)) }
    #expect(throws: LedgerError.self) { try UInt256.fromStored("00") }
}

@Test func tieredConfirmations() {
    #expect(Fixture.usdt.requiredConfirmations(for: UInt256(5)) == 2)
    #expect(Fixture.usdt.requiredConfirmations(for: UInt256(1_000_000_000)) == 6)
}
