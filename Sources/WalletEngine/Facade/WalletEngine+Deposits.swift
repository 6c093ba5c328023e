// 充值：分配地址（唯一的派生器，落库的地址即扫块器监视的地址）与分页查询。
import Foundation
import WalletLedger

extension WalletEngine {
    /// 分配充值地址（由 settings 里的 xpub 派生，主机上无需私钥）。同一用户同一资产总是同一个地址。
    public func assignAddress(user: String, asset: String, by op: Operator) throws -> DepositAddressRecord {
        try authorize(op, .addressAssign)
        let r = try gate.with { l in try l.assignAddress(user: user, asset: asset, by: op.name) }
        logger.info("address.assigned", ["user": .string(user), "asset": .string(asset), "index": .int(Int64(r.index)), "operator": .string(op.name)])
        return r
    }

    /// 一页充值与过滤后的总数（文本过滤下推成 SQL）。
    public func deposits(state: WalletLedger.DepositState? = nil, user: String? = nil, text: String = "",
                         offset: Int = 0, limit: Int = 100) throws -> (rows: [Deposit], total: Int) {
        let tf = TextFilter(text)
        let f = DepositFilter(state: state, user: user, text: tf.isEmpty ? nil : tf)
        return try gate.with { l in (try l.deposits(f, page: Page(limit: limit, offset: offset)), try l.depositCount(f)) }
    }
}
