// 不变量检查（ledger check 与每步测试共用）：
// 1 每条分录每种资产借贷相等；2 账户表的借贷累计 = 分录行之和；3 用户负债账户不为负；
// 4 冻结余额 = 未结提现金额之和；5 同一 nonce 只有一笔签名交易；6 每笔充值至多入账一次；
// 7 热钱包与归集在途不为负（充值地址在深度重组后可暂时为负，由告警与对账暴露）。
import WalletCrypto

public struct InvariantViolation: Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var detail: String
    public var description: String { "\(code): \(detail)" }
}

public enum InvariantChecker {
    public static func check(_ store: any LedgerStore) throws -> [InvariantViolation] {
        var v: [InvariantViolation] = []
        // 1 + 2：按分录分批流式读取，内存只保留每个账户的累计。
        var perAccount: [Int64: (d: UInt256, c: UInt256)] = [:]
        var after: Int64 = 0
        while true {
            let batch = try store.postings(afterEntry: after, entryLimit: 5000)
            if batch.isEmpty { break }
            var i = 0
            while i < batch.count {
                let entry = batch[i].entryID
                var sums: [String: (d: UInt256, c: UInt256)] = [:]
                while i < batch.count && batch[i].entryID == entry {
                    let p = batch[i]
                    var s = sums[p.asset] ?? (.zero, .zero)
                    var a = perAccount[p.accountID] ?? (.zero, .zero)
                    if p.side == .debit {
                        s.d = s.d.addingReportingOverflow(p.amount).partialValue
                        a.d = a.d.addingReportingOverflow(p.amount).partialValue
                    } else {
                        s.c = s.c.addingReportingOverflow(p.amount).partialValue
                        a.c = a.c.addingReportingOverflow(p.amount).partialValue
                    }
                    sums[p.asset] = s
                    perAccount[p.accountID] = a
                    i += 1
                }
                for (asset, s) in sums.sorted(by: { $0.key < $1.key }) where s.d != s.c {
                    v.append(InvariantViolation(code: "entry_unbalanced", detail: "分录 #\(entry) 的 \(asset) 借 \(s.d) ≠ 贷 \(s.c)"))
                }
            }
            after = batch.last!.entryID
        }
        var offset = 0
        var frozen: [String: UInt256] = [:]
        while true {
            let accounts = try store.balances(kind: nil, asset: nil, owner: nil, page: Page(limit: 5000, offset: offset))
            if accounts.isEmpty { break }
            offset += accounts.count
            for a in accounts {
                let sum = perAccount[a.id] ?? (.zero, .zero)
                if sum.d != a.debitTotal || sum.c != a.creditTotal {
                    v.append(InvariantViolation(code: "balance_mismatch",
                                                detail: "账户 \(a.ref.code) 累计 借\(a.debitTotal)/贷\(a.creditTotal) 与分录行之和 借\(sum.d)/贷\(sum.c) 不符"))
                }
                if a.ref.kind.isUserLiability && a.net.negative {
                    v.append(InvariantViolation(code: "negative_user_balance", detail: "账户 \(a.ref.code) 为负 \(a.net.magnitude)"))
                }
                if a.ref.kind.isOnChainAsset && a.net.negative {
                    v.append(InvariantViolation(code: "negative_wallet_balance",
                                                detail: "账户 \(a.ref.code) 为负 \(a.net.magnitude)：账上花出了链上没有的钱（漏记注资，或某笔入账没有资产支撑）"))
                }
                if a.ref.kind == .userFrozen && !a.net.negative && !a.net.magnitude.isZero {
                    frozen["\(a.ref.owner)|\(a.ref.asset)"] = a.net.magnitude
                }
            }
        }
        // 4
        var open: [String: UInt256] = [:]
        for w in try store.openWithdrawalAmounts() {
            let k = "\(w.user)|\(w.asset)"
            open[k] = (open[k] ?? .zero).addingReportingOverflow(w.amount).partialValue
        }
        for k in Set(open.keys).union(frozen.keys).sorted() where (open[k] ?? .zero) != (frozen[k] ?? .zero) {
            v.append(InvariantViolation(code: "frozen_mismatch",
                                        detail: "\(k) 冻结 \(frozen[k] ?? .zero) ≠ 未结提现之和 \(open[k] ?? .zero)"))
        }
        // 5
        for c in try store.nonceCollisions() {
            v.append(InvariantViolation(code: "nonce_reused", detail: "\(c) 有多笔不同的签名交易"))
        }
        // 6：每笔充值的入账分录数 − 撤销分录数 ∈ {0,1}，且与状态一致（撤销后重新出块可再入账）。分批按状态读取。
        for state in [DepositState.credited, .reversed] {
            var off = 0
            while true {
                let ds = try store.deposits(DepositFilter(state: state), page: Page(limit: 2000, offset: off))
                if ds.isEmpty { break }
                off += ds.count
                for d in ds {
                    let credits = try store.entryCount(kind: "deposit_credit", ref: "deposit:\(d.id)")
                    let reversals = try store.entryCount(kind: "deposit_reversal", ref: "deposit:\(d.id)")
                    // 撤销后重新出块再入账是合法的：入账次数 − 撤销次数 = 1（credited）或 0（reversed），且至少入账过一次。
                    let net = credits - reversals
                    if credits < 1 || net != (state == .credited ? 1 : 0) {
                        v.append(InvariantViolation(code: "deposit_credit_count",
                                                    detail: "充值 #\(d.id)（\(state.rawValue)）入账 \(credits) 次、撤销 \(reversals) 次"))
                    }
                }
            }
        }
        return v
    }
}
