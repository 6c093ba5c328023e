// 手续费估算的缓存：fee worker 定期刷新，提现与归集读取最近的估算（过旧则当场再取）。
// 估算本身（feeHistory 百分位 → 慢/中/快）由 WalletChain.FeeEstimator 完成，这里只加配置里的上限。
import Foundation
import WalletChain
import WalletCrypto

/// 一笔交易的 EIP-1559 费用（wei/gas）。
public struct GasPrice: Sendable, Equatable {
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public init(maxFeePerGas: UInt256, maxPriorityFeePerGas: UInt256) {
        self.maxFeePerGas = maxFeePerGas; self.maxPriorityFeePerGas = maxPriorityFeePerGas
    }
}

public final class FeeOracle: Sendable {
    let client: ChainClient
    let settings: FeeSettings
    private let latest = Protected<(estimate: FeeEstimate, at: Double)?>(nil)

    let clock: any WalletClock

    public init(client: ChainClient, settings: FeeSettings, clock: any WalletClock = SystemClock()) {
        self.client = client; self.settings = settings; self.clock = clock
    }

    public var policy: FeePolicy {
        FeePolicy(blockCount: settings.historyBlocks, percentiles: [10, 50, 90],
                  baseFeeMarginBps: UInt64(settings.baseFeeMarginPercent) * 100)
    }

    public var cached: FeeEstimate? { latest.read { $0?.estimate } }

    @discardableResult
    public func refresh() async throws -> FeeEstimate {
        let e = try await FeeEstimator.fetch(client, policy: policy)
        latest.write { [clock] in $0 = (e, clock.now()) }
        return e
    }

    /// 不超过 maxAge 秒的估算；没有或过旧则现取。
    public func current(maxAge: Double = 30) async throws -> FeeEstimate {
        let l = latest.get
        if let l, clock.now() - l.at <= maxAge { return l.estimate }
        return try await refresh()
    }

    /// 给提现用的费用档：normal 档，小费与总价受配置上限约束；总价超过上限时返回 nil（不签名，等费用回落）。
    public func withdrawalTier(_ e: FeeEstimate) -> GasPrice? {
        let tip = min(e.normal.maxPriorityFeePerGas, settings.maxPriorityFeeCap)
        guard e.normal.maxFeePerGas <= settings.maxFeePerGasCap else { return nil }
        return GasPrice(maxFeePerGas: max(e.normal.maxFeePerGas, tip), maxPriorityFeePerGas: tip)
    }

    /// 卡住交易的替换费用：旧费用 × (100 + bump)% 与当前估算取大者（节点要求两项都至少 +10%）；超过上限返回 nil。
    public func replacementTier(old: GasPrice, current e: FeeEstimate?) -> GasPrice? {
        let bump = UInt256(UInt64(100 + settings.replacementBumpPercent))
        func bumped(_ v: UInt256) -> UInt256 { (v * bump + UInt256(99)) / UInt256(100) }
        var tip = bumped(old.maxPriorityFeePerGas)
        var maxFee = bumped(old.maxFeePerGas)
        if let e {
            tip = max(tip, min(e.fast.maxPriorityFeePerGas, settings.maxPriorityFeeCap))
            maxFee = max(maxFee, e.fast.maxFeePerGas)
        }
        maxFee = max(maxFee, tip)
        // 加价后超过任何一个上限：不替换（告警，等人工决定），绝不突破配置的上限。
        guard maxFee <= settings.maxFeePerGasCap, tip <= settings.maxPriorityFeeCap else { return nil }
        return GasPrice(maxFeePerGas: maxFee, maxPriorityFeePerGas: tip)
    }
}

/// 提现与补 gas 的交易构造（纯函数）。
public enum TxBuilder {
    /// ERC-20 transfer(address,uint256) 的调用数据：选择器 a9059cbb + 两个 32 字节参数。
    public static func erc20Transfer(to: [UInt8], amount: UInt256) -> [UInt8] {
        precondition(to.count == 20)
        return [0xa9, 0x05, 0x9c, 0xbb] + [UInt8](repeating: 0, count: 12) + to + amount.bigEndianBytes
    }

    /// ERC-20 balanceOf(address) 的调用数据。
    public static func erc20BalanceOf(_ owner: [UInt8]) -> [UInt8] {
        [0x70, 0xa0, 0x82, 0x31] + [UInt8](repeating: 0, count: 12) + owner
    }
}

/// 测试用的故障注入点：环境变量 WALLET_FAILPOINTS=a,b 列出的点被执行到时，进程以 SIGKILL 自杀。
/// 用来在“签名已落库、尚未广播”与“已广播、状态未写回”这些最危险的瞬间杀掉引擎（端到端测试用，生产环境不设置）。
/// 故障注入点：只编进 debug/测试构建（编译期标志 WALLET_FAILPOINTS，见 Package.swift）。
/// release 构建里 hit() 是空函数，不读任何环境变量——产品行为不受环境变量影响。
public enum FailPoint {
    #if WALLET_FAILPOINTS
    static let active: Set<String> = {
        let v = ProcessInfo.processInfo.environment["WALLET_FAILPOINTS"] ?? ""
        return Set(v.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }()

    public static func hit(_ name: String) {
        if active.contains(name) { kill(getpid(), SIGKILL) }
    }

    /// 「卡住但响应取消」的调用（像一个很慢的 RPC）：列出的点在这里睡一小时，只有任务取消能叫醒它。
    public static func stall(_ name: String) async {
        if active.contains(name) { try? await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }
    #else
    @inline(__always) public static func hit(_ name: String) {}
    @inline(__always) public static func stall(_ name: String) async {}
    #endif
}
