// 对账：账本里热钱包与各充值地址的余额 vs 链上余额，差异逐条记录（reconciliations 表）并告警。
import WalletCrypto

/// 链余额读取接口（由链集成模块实现）。
public protocol ChainBalanceReader: Sendable {
    /// address 上 asset（原生币或 ERC-20 合约）的余额，最小单位。
    func balance(address: String, asset: Asset) async throws -> UInt256
}

public struct ReconciliationLine: Sendable, Equatable {
    public var account: String
    public var asset: String
    public var ledger: UInt256
    public var ledgerNegative: Bool
    public var chain: UInt256
    public var matches: Bool
    public init(account: String, asset: String, ledger: UInt256, ledgerNegative: Bool, chain: UInt256, matches: Bool) {
        self.account = account; self.asset = asset; self.ledger = ledger; self.ledgerNegative = ledgerNegative
        self.chain = chain; self.matches = matches
    }
}

/// 一个待对账的目标：账本账户、它在链上的地址、资产与账本余额。
public struct ReconciliationTarget: Sendable {
    public var account: String
    public var address: String
    public var asset: Asset
    public var ledger: (negative: Bool, magnitude: UInt256)
}

extension Ledger {
    /// 最近一轮记录的对账有几项差异（引擎的定时对账写；`status` 读）。
    public static let lastReconcileMismatchesKey = "reconcile.last_mismatches"

    /// 对账目标：每种资产的热钱包与每个充值地址（纯数据库读取；读链在调用方、在数据库锁之外）。
    /// hotWalletAddress 为 nil 时读 settings 的 hot_wallet.address。
    public func reconciliationTargets(hotWalletAddress: String? = nil) throws -> [ReconciliationTarget] {
        var out: [ReconciliationTarget] = []
        let hot = try hotWalletAddress ?? store.setting(Settings.hotWallet)
        let gap = try lookaheadAddresses()
        for asset in try store.allAssets() {
            if let hot {
                let b = try store.balance(AccountRef(.hotWallet, asset.symbol))
                out.append(ReconciliationTarget(account: "hot_wallet", address: hot, asset: asset, ledger: b?.net ?? (false, .zero)))
            }
            var off = 0
            while true {
                let accs = try store.balances(kind: .depositAddress, asset: asset.symbol, owner: nil, page: Page(limit: 1000, offset: off))
                if accs.isEmpty { break }
                off += accs.count
                for a in accs { out.append(ReconciliationTarget(account: a.ref.code, address: a.ref.owner, asset: asset, ledger: a.net)) }
            }
            // 间隙窗口里还没有账户的地址也核对（账本 0）：扫块器漏看的钱在这里现形。
            let known = Set(out.filter { $0.asset.symbol == asset.symbol }.map { $0.address.lowercased() })
            for a in gap where !known.contains(a.lowercased()) {
                out.append(ReconciliationTarget(account: AccountRef(.depositAddress, asset.symbol, a).code, address: a, asset: asset, ledger: (false, .zero)))
            }
        }
        return out
    }

    /// 记录一轮对账结果：逐条写 reconciliations，差异写告警，整轮写一条审计——同一事务。
    public func recordReconciliation(_ lines: [ReconciliationLine]) throws {
        let at = now
        try store.transaction {
            for l in lines {
                // 同一差异（账本值与链上值都没变）只告警一次；定时对账每轮都写记录，但不刷屏。
                let prev = try store.lastReconciliation(account: l.account, asset: l.asset)
                let repeated = prev.map { !$0.matches && $0.ledger == l.ledger && $0.chain == l.chain } ?? false
                try store.insertReconciliation(at: at, account: l.account, asset: l.asset, ledger: l.ledger, chain: l.chain, matches: l.matches)
                if !l.matches && !repeated {
                    try store.insertAlert(kind: "reconcile.mismatch",
                                          message: "对账差异：\(l.account) \(l.asset) 账本 \(l.ledgerNegative ? "-" : "")\(l.ledger) ≠ 链上 \(l.chain)",
                                          messageEn: "reconciliation mismatch: \(l.account) \(l.asset) ledger \(l.ledgerNegative ? "-" : "")\(l.ledger) ≠ chain \(l.chain)", at: at)
                }
            }
            let mismatches = lines.filter { !$0.matches }.count
            try store.setSetting(Self.lastReconcileMismatchesKey, String(mismatches))   // status 据此报 reconcile.mismatch
            try audit("system", "reconcile.run", "", ["lines": String(lines.count), "mismatches": String(mismatches)])
        }
    }

    /// 跑一轮对账（单进程便捷形式：目标 → 读链 → 记录）。引擎的 ReconcileWorker 用同样三步，但在闸门外读链。
    public func reconcile(reader: any ChainBalanceReader, hotWalletAddress: String? = nil) async throws -> [ReconciliationLine] {
        var lines: [ReconciliationLine] = []
        for t in try reconciliationTargets(hotWalletAddress: hotWalletAddress) {
            lines.append(ReconciliationLine(t, chain: try await reader.balance(address: t.address, asset: t.asset)))
        }
        try recordReconciliation(lines)
        return lines
    }
}

extension ReconciliationLine {
    public init(_ t: ReconciliationTarget, chain: UInt256) {
        self.init(account: t.account, asset: t.asset.symbol, ledger: t.ledger.magnitude, ledgerNegative: t.ledger.negative,
                  chain: chain, matches: !t.ledger.negative && t.ledger.magnitude == chain)
    }
}
