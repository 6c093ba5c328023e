/// 充值确认策略（每个资产一条）：N 个确认，或等到 `finalized` 标签覆盖该块。
public enum ConfirmationPolicy: Sendable, Equatable {
    case blocks(UInt64)
    case finalized
}

public struct ConfirmationStatus: Sendable, Equatable {
    /// 已有确认数（所在块算 1 个）。
    public let confirmations: UInt64
    /// 需要的确认数；finalized 策略时为到达 finalized 所需的确认数估计（未知时为 nil）。
    public let required: UInt64?
    public let confirmed: Bool
}

public enum Confirmations {
    /// 纯函数：给定充值所在块、链头与 finalized 高度，得出 n/N 与是否已确认。
    public static func status(blockNumber: UInt64, head: UInt64, finalized: UInt64?, policy: ConfirmationPolicy) -> ConfirmationStatus {
        let n = head >= blockNumber ? head - blockNumber + 1 : 0
        switch policy {
        case .blocks(let need):
            return ConfirmationStatus(confirmations: n, required: need, confirmed: n >= max(need, 1))
        case .finalized:
            guard let f = finalized else { return ConfirmationStatus(confirmations: n, required: nil, confirmed: false) }
            let lag = head >= f ? head - f : 0
            return ConfirmationStatus(confirmations: n, required: lag + 1, confirmed: f >= blockNumber && n > 0)
        }
    }
}
