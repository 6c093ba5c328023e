// 金额显示格式化：全项目唯一的「十进制字符串 ↔ 最小单位」转换处。任何地方都不许自己拼小数点。
import WalletCrypto

public enum AmountFormat {
    static let maxDecimals = 77  // 10^77 < 2^256 < 10^78

    /// "1.25" + 18 位精度 → 1250000000000000000。拒绝负数、多余精度、溢出、空串和怪字符。
    public static func parse(_ text: String, decimals: Int) throws -> UInt256 {
        let s = text
        guard !s.isEmpty else { throw LedgerError.amountEmpty }
        if s.hasPrefix("-") { throw LedgerError.amountNegative(s) }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw LedgerError.amountMalformed(s) }
        let intPart = String(parts[0])
        var frac = parts.count == 2 ? String(parts[1]) : ""
        guard !(intPart.isEmpty && frac.isEmpty) else { throw LedgerError.amountMalformed(s) }
        if parts.count == 2 && (intPart.isEmpty || frac.isEmpty) { throw LedgerError.amountMalformed(s) }
        let allDigits = { (x: String) in x.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard allDigits(intPart), allDigits(frac) else { throw LedgerError.amountMalformed(s) }
        // 末尾 0 不算精度（"1.500" 对 2 位精度的资产合法）。
        while frac.hasSuffix("0") { frac.removeLast() }
        guard frac.count <= decimals else { throw LedgerError.amountTooPrecise(s, decimals: decimals) }
        let digits = intPart + frac + String(repeating: "0", count: decimals - frac.count)
        do {
            return try UInt256(decimal: digits.isEmpty ? "0" : digits)
        } catch {
            throw LedgerError.amountOverflow(s)
        }
    }

    /// 1250000000000000000 + 18 → "1.25"（去掉小数末尾 0；整数不带小数点）。
    public static func format(_ v: UInt256, decimals: Int) -> String {
        let raw = v.decimalString
        guard decimals > 0 else { return raw }
        let padded = raw.count <= decimals ? String(repeating: "0", count: decimals - raw.count + 1) + raw : raw
        let cut = padded.index(padded.endIndex, offsetBy: -decimals)
        var frac = String(padded[cut...])
        while frac.hasSuffix("0") { frac.removeLast() }
        let int = String(padded[..<cut])
        return frac.isEmpty ? int : int + "." + frac
    }
}

/// 资产：符号、精度、（ERC-20）合约地址与入账确认策略。
public struct Asset: Sendable, Equatable, Codable {
    public var symbol: String
    public var decimals: Int
    public var contract: String?
    /// 入账所需确认数。
    public var confirmations: Int
    /// 为 true 时以链的 finalized 标签为准（忽略 confirmations）。
    public var useFinalized: Bool
    /// 金额分档：金额 ≥ minAmount 的充值需要更多确认（按 minAmount 降序匹配第一档）。
    public var tiers: [ConfirmationTier]
    /// 最小入账金额：低于它的充值（粉尘）记录但不入账。
    public var minDeposit: UInt256
    /// 停用后不再分配新地址、不受理新提现；已监视的地址照常入账。
    public var enabled: Bool

    public init(symbol: String, decimals: Int, contract: String? = nil, confirmations: Int = 12,
                useFinalized: Bool = false, tiers: [ConfirmationTier] = [], minDeposit: UInt256 = .zero, enabled: Bool = true) {
        self.symbol = symbol; self.decimals = decimals; self.contract = contract
        self.confirmations = confirmations; self.useFinalized = useFinalized; self.tiers = tiers
        self.minDeposit = minDeposit; self.enabled = enabled
    }

    public func parse(_ text: String) throws -> UInt256 { try AmountFormat.parse(text, decimals: decimals) }
    public func format(_ v: UInt256) -> String { AmountFormat.format(v, decimals: decimals) }

    /// 某金额的充值需要多少确认。
    public func requiredConfirmations(for amount: UInt256) -> Int {
        var best = confirmations
        for t in tiers.sorted(by: { $0.minAmount > $1.minAmount }) where amount >= t.minAmount {
            best = max(best, t.confirmations); break
        }
        return best
    }
}

public struct ConfirmationTier: Sendable, Equatable, Codable {
    public var minAmount: UInt256
    public var confirmations: Int
    public init(minAmount: UInt256, confirmations: Int) { self.minAmount = minAmount; self.confirmations = confirmations }
}
