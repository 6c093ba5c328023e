import Testing
@testable import WalletCrypto

@Suite struct UInt256Tests {
    @Test func decimalRoundTrip() throws {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(try UInt256(decimal: max) == UInt256.max)
        #expect(UInt256.max.decimalString == max)
        #expect(throws: UInt256Error.overflow) { try UInt256(decimal: max.dropLast() + "6") }
        #expect(throws: UInt256Error.negative) { try UInt256(decimal: "-1") }
        #expect(throws: UInt256Error.invalidDigit("."), performing: { try UInt256(decimal: "1.5") })
        #expect(try UInt256(decimal: "1000000000000000000").decimalString == "1000000000000000000")
    }

    @Test func hexAndBytes() throws {
        let v = try UInt256(hex: "0x0de0b6b3a7640000")
        #expect(v == UInt256(1_000_000_000_000_000_000))
        #expect(v.hexQuantity == "0xde0b6b3a7640000")
        #expect(try UInt256(bigEndian: v.bigEndianBytes) == v)
        #expect(UInt256.zero.minimalBigEndianBytes.isEmpty)
    }

    @Test func arithmeticMatchesUInt64OnRandomInputs() throws {
        for _ in 0..<2000 {
            let a = try SecureRandom.uniform(UInt64(UInt32.max)), b = try SecureRandom.uniform(UInt64(UInt32.max)) + 1
            #expect(UInt256(a) + UInt256(b) == UInt256(a + b))
            #expect(UInt256(a) * UInt256(b) == UInt256(a * b))
            #expect(UInt256(a * b) / UInt256(b) == UInt256(a))
            #expect((UInt256(a) << 100) >> 100 == UInt256(a))
        }
    }

    @Test func fullDivisionInvariant() throws {
        for _ in 0..<500 {
            let a = try UInt256(bigEndian: SecureRandom.bytes(32))
            let b = try UInt256(bigEndian: SecureRandom.bytes(Int(SecureRandom.uniform(32)) + 1))
            guard !b.isZero else { continue }
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            #expect(r < b)
            #expect(q * b + r == a)
        }
    }

    @Test func overflowIsReported() {
        #expect(UInt256.max.addingReportingOverflow(1).overflow)
        #expect(UInt256.zero.subtractingReportingOverflow(1).overflow)
        #expect(throws: UInt256Error.negative) { try UInt256(1).checkedSub(UInt256(2)) }
    }
}
