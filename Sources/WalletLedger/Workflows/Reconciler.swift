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
}

extension Ledger {
    /// 跑一轮对账。hotWalletAddress 为 nil 时读 settings 的 hot_wallet.address。
    public func reconcile(reader: any ChainBalanceReader, hotWalletAddress: String? = nil) async throws -> [ReconciliationLine] {
        var lines: [ReconciliationLine] = []
        let hot = try hotWalletAddress ?? store.setting(Settings.hotWallet)
        for asset in try store.allAssets() {
            var targets: [(AccountBalance?, String, String)] = []  // (账本账户, 链上地址, 名称)
            if let hot { targets.append((try store.balance(AccountRef(.hotWallet, asset.symbol)), hot, "hot_wallet")) }
            var off = 0
            while true {
                let accs = try store.balances(kind: .depositAddress, asset: asset.symbol, owner: nil, page: Page(limit: 1000, offset: off))
                if accs.isEmpty { break }
                off += accs.count
                for a in accs { targets.append((a, a.ref.owner, a.ref.code)) }
            }
            for (acc, addr, name) in targets {
                let net = acc?.net ?? (false, .zero)
                let chainBal = try await reader.balance(address: addr, asset: asset)
                let ok = !net.negative && net.magnitude == chainBal
                lines.append(ReconciliationLine(account: name, asset: asset.symbol, ledger: net.magnitude, ledgerNegative: net.negative,
                                                chain: chainBal, matches: ok))
            }
        }
        let at = now
        try store.transaction {
            for l in lines {
                try store.insertReconciliation(at: at, account: l.account, asset: l.asset, ledger: l.ledger, chain: l.chain, matches: l.matches)
                if !l.matches {
                    try store.insertAlert(kind: "reconcile.mismatch",
                                          message: "对账差异：\(l.account) \(l.asset) 账本 \(l.ledgerNegative ? "-" : "")\(l.ledger) ≠ 链上 \(l.chain)", at: at)
                }
            }
            try audit("system", "reconcile.run", "", ["lines": String(lines.count), "mismatches": String(lines.filter { !$0.matches }.count)])
        }
        return lines
    }
}
