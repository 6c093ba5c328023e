// 热钱包的外来入账分类。每一笔进入热钱包、又不是我方归集的钱都必须落到某个账户上：
// 来自登记的冷钱包 → 金库注资（热钱包 / 权益）；其余 → 待处理负债（suspense）+ 告警，之后由两个不同的管理员
// 决定它是金库资金还是某个用户的充值。没有任何路径会在没有两人确认的情况下把它记给用户。
import WalletCrypto

extension Ledger {
    /// 冷钱包与热钱包入账的存储（与其他仓储分开声明；SQLite 实现同时提供）。
    var treasury: any TreasuryRepository {
        get throws {
            guard let t = store as? any TreasuryRepository else { throw LedgerError.storage("存储后端不支持金库表") }
            return t
        }
    }

    public func addColdWallet(_ address: String, label: String, by op: Operator) throws -> ColdWallet {
        try requireRole(op, [.admin], "treasury cold-wallet add")
        let a = try addresses.canonical(address)
        try checkDestination(a)   // 我们自己的热钱包/充值地址/代币合约不是冷钱包
        guard !label.isEmpty, label.count <= 64 else { throw LedgerError.invalidArgument("label", "1–64 个字符", en: "1–64 characters") }
        return try store.transaction {
            if let c = try treasury.coldWallets().first(where: { $0.address == a }) { return c }
            let c = ColdWallet(address: a, label: label, addedBy: op.name, addedAt: now)
            try treasury.insertColdWallet(c)
            try audit(op.name, "treasury.cold_wallet_add", a, ["label": label])
            return c
        }
    }

    public func coldWallets() throws -> [ColdWallet] { try treasury.coldWallets() }

    public func hotInbound(txHash: String, logIndex: Int) throws -> HotInbound? {
        try treasury.hotInbound(chain: chain, txHash: txHash.lowercased(), logIndex: logIndex)
    }

    /// 扫块器看到一笔外来资金：转入热钱包（发送方不是我方地址），或转入已派生、未分配的充值地址（unassigned 非 nil）。
    /// 按 (chain, tx, log) 幂等；被孤立后重新出块 → 回到 pending。
    @discardableResult
    public func observeHotInbound(_ o: DepositObservation, from: String, unassigned: String? = nil) throws -> HotInbound {
        let asset = try self.asset(o.asset)
        let tx = o.txHash.lowercased(), sender = from.lowercased()
        let to = try unassigned.map { try addresses.canonical($0.lowercased()) } ?? ""
        return try store.transaction {
            if var h = try treasury.hotInbound(chain: chain, txHash: tx, logIndex: o.logIndex) {
                if h.state == .orphaned {
                    h.state = .pending; h.blockNumber = o.blockNumber; h.blockHash = o.blockHash.lowercased(); h.updatedAt = now
                    try treasury.updateHotInbound(h)
                }
                return h
            }
            // 只有进热钱包的冷钱包资金才是金库注资；落在未分配地址上的一律待处理（谁的钱要人来定）。
            let cold = try to.isEmpty && treasury.coldWallets().contains { $0.address == sender }
            var h = HotInbound(id: 0, chain: chain, txHash: tx, logIndex: o.logIndex, asset: asset.symbol, amount: o.amount, from: sender,
                               blockNumber: o.blockNumber, blockHash: o.blockHash.lowercased(), kind: cold ? .treasury : .unattributed,
                               state: .pending, resolution: "", proposedBy: "", resolvedBy: "", createdAt: now, updatedAt: now, to: to)
            // 已经用 `treasury fund` 按哈希手工记过的注资：不再记一次。
            if try store.entryCount(kind: "hot_wallet_funding", ref: "treasury:\(tx)") > 0 { h.kind = .treasury; h.state = .booked }
            h.id = try treasury.insertHotInbound(h)
            try audit("system", "hot_inbound.seen", String(h.id), ["asset": h.asset, "amount": h.amount.decimalString, "from": sender,
                                                                   "kind": h.kind.rawValue, "tx": tx, "to": to.isEmpty ? "hot_wallet" : to])
            return h
        }
    }

    /// 够确认后记账：金库 → 热钱包 / 权益；无法归属 → 热钱包 / 待处理负债，并告警。可重复调用。
    @discardableResult
    public func bookHotInbound(id: Int64) throws -> HotInbound {
        try store.transaction {
            guard var h = try treasury.hotInbound(id: id) else { throw LedgerError.notFound("热钱包入账", String(id)) }
            guard h.state == .pending else { return h }
            switch h.kind {
            case .treasury:
                try post("hot_wallet_funding", ref: "treasury:\(h.txHash):\(h.logIndex)", [
                    Posting(h.assetAccount, .debit, h.amount),
                    Posting(AccountRef(.equity, h.asset), .credit, h.amount),
                ])
            case .unattributed:
                try post("hot_inbound_suspense", ref: "inbound:\(h.id)", [
                    Posting(h.assetAccount, .debit, h.amount),
                    Posting(AccountRef(.suspense, h.asset, "unattributed"), .credit, h.amount),
                ])
                // 金额按显示单位写（QA：「ETH 1000000000000000000」读起来像 10^18 个 ETH），括号里留最小单位。
                let shown = "\((try? asset(h.asset).format(h.amount)) ?? h.amount.decimalString) \(h.asset)（最小单位 \(h.amount.decimalString)）"
                let shownEn = "\((try? asset(h.asset).format(h.amount)) ?? h.amount.decimalString) \(h.asset) (\(h.amount.decimalString) base units)"
                if !h.to.isEmpty {
                    try store.insertAlert(kind: "suspense.unassigned_address",
                                          message: "尚未分配给任何用户的充值地址 \(h.to) 收到 \(shown)，来自 \(h.from)，交易 \(h.txHash)：已记入待处理 #\(h.id)，需两位管理员用 suspense resolve 处理",
                                          messageEn: "deposit address \(h.to), not yet assigned to any user, received \(shownEn) from \(h.from), tx \(h.txHash): booked to suspense #\(h.id); two admins must settle it with suspense resolve",
                                          at: now)
                } else {
                    try store.insertAlert(kind: "suspense.unattributed",
                                          message: "热钱包收到无法归属的 \(shown)，来自 \(h.from)，交易 \(h.txHash)：已记入待处理 #\(h.id)，需两位管理员用 suspense resolve 处理",
                                          messageEn: "the hot wallet received unattributed \(shownEn) from \(h.from), tx \(h.txHash): booked to suspense #\(h.id); two admins must settle it with suspense resolve",
                                          at: now)
                }
            }
            h.state = .booked; h.updatedAt = now
            try treasury.updateHotInbound(h)
            try audit("system", "hot_inbound.booked", String(h.id), ["kind": h.kind.rawValue])
            return h
        }
    }

    /// 重组：这些块里的外来入账撤销；已记账的按它现在所在的账户冲回。
    @discardableResult
    public func orphanHotInbound(inBlocks hashes: [String]) throws -> [HotInbound] {
        try store.transaction {
            var out: [HotInbound] = []
            for id in try treasury.hotInboundIDs(chain: chain, blockHashes: hashes) {
                guard var h = try treasury.hotInbound(id: id), h.state != .orphaned else { continue }
                let hot = Posting(h.assetAccount, .credit, h.amount)
                switch (h.state, h.kind, h.resolution) {
                case (.pending, _, _): break
                case (.booked, .treasury, _), (.resolved, _, "treasury"):
                    try post("hot_inbound_reversal", ref: "inbound:\(h.id)", memo: "reorg", [Posting(AccountRef(.equity, h.asset), .debit, h.amount), hot])
                case (.booked, .unattributed, _):
                    try post("hot_inbound_reversal", ref: "inbound:\(h.id)", memo: "reorg",
                             [Posting(AccountRef(.suspense, h.asset, "unattributed"), .debit, h.amount), hot])
                default:   // 已作为某用户的充值入账：先扣可用，不够的记在该用户名下的重组待追回
                    let user = String(h.resolution.dropFirst("deposit:".count))
                    let fromUser = min(try available(user: user, asset: h.asset), h.amount)
                    try post("hot_inbound_reversal", ref: "inbound:\(h.id)", memo: "reorg", [
                        Posting(AccountRef(.userAvailable, h.asset, user), .debit, fromUser),
                        Posting(AccountRef(.reorgSuspense, h.asset, user), .debit, h.amount - fromUser), hot])
                }
                if h.state != .pending {
                    try store.insertAlert(kind: "hot_inbound.reversed",
                                          message: "热钱包入账 #\(h.id)（\(try asset(h.asset).format(h.amount)) \(h.asset)）因重组被撤销，已冲回",
                                          messageEn: "hot-wallet inbound #\(h.id) (\(try asset(h.asset).format(h.amount)) \(h.asset)) was reversed by a reorg and backed out", at: now)
                }
                h.state = .orphaned; h.updatedAt = now
                try treasury.updateHotInbound(h)
                out.append(h)
            }
            return out
        }
    }

    public func hotInbound(states: [HotInbound.State] = [.pending, .booked, .resolved, .orphaned], page: Page = Page()) throws -> [HotInbound] {
        try treasury.hotInbound(states: states, page: page)
    }

    /// 处理一笔待处理入账（两人原则）：第一位管理员提议处理方式，第二位（不同的人）给出同样的处理方式后才执行。
    /// resolution：「treasury」（金库资金）或「deposit:<用户>」（某用户的充值）。
    @discardableResult
    public func resolveHotInbound(id: Int64, resolution: String, by op: Operator) throws -> HotInbound {
        try requireRole(op, [.admin], "suspense resolve")
        let user = resolution.hasPrefix("deposit:") ? String(resolution.dropFirst("deposit:".count)) : nil
        guard resolution == "treasury" || (user.map { !$0.isEmpty && $0.count <= 128 } ?? false) else {
            throw LedgerError.invalidArgument("--as", "只能是 treasury 或 deposit（带 --user）", en: "must be treasury, or deposit with --user")
        }
        return try store.transaction {
            guard var h = try treasury.hotInbound(id: id) else { throw LedgerError.notFound("热钱包入账", String(id)) }
            guard h.kind == .unattributed, h.state == .booked else {
                throw LedgerError.invalidTransition(kind: "热钱包入账", id: id, from: "\(h.kind.rawValue)/\(h.state.rawValue)", to: "resolved")
            }
            if let u = user {
                // 只能记给本钱包的用户（有充值地址的）：否则钱会记到一个不存在的「用户」名下，永远没人能对账。
                let known = try store.allAssets().contains { try store.depositAddress(user: u, asset: $0.symbol) != nil }
                guard known else {
                    throw LedgerError.invalidArgument("--user", "用户 \(u) 在本钱包没有任何充值地址（不是本钱包的用户）；检查拼写（区分大小写）",
                                                      en: "user \(u) has no deposit address in this wallet (not one of our users); check the spelling (case-sensitive)")
                }
            }
            if h.proposedBy.isEmpty || (h.proposedBy == op.name && h.resolution != resolution) {
                // 第一次提议；或提议人改主意（第二人确认之前可以改成别的处理方式，审计记下每一次）。
                h.resolution = resolution; h.proposedBy = op.name; h.updatedAt = now
                try treasury.updateHotInbound(h)
                try audit(op.name, "suspense.propose", String(id), ["as": resolution])
                return h
            }
            guard h.proposedBy != op.name else {
                throw LedgerError.invalidArgument("operator", "\(op.name) 已经提议过，需要另一位管理员确认（两人原则）",
                                                  en: "\(op.name) made the proposal; another admin must confirm it (two-person rule)")
            }
            guard h.resolution == resolution else {
                throw LedgerError.invalidArgument("--as", "与提议（\(h.resolution)）不一致；一致才执行", en: "differs from the proposal (\(h.resolution)); both must agree")
            }
            let target = user.map { AccountRef(.userAvailable, h.asset, $0) } ?? AccountRef(.equity, h.asset)
            try post("suspense_resolve", ref: "inbound:\(h.id)", [
                Posting(AccountRef(.suspense, h.asset, "unattributed"), .debit, h.amount),
                Posting(target, .credit, h.amount),
            ])
            h.state = .resolved; h.resolvedBy = op.name; h.updatedAt = now
            try treasury.updateHotInbound(h)
            try audit(op.name, "suspense.resolve", String(id), ["as": resolution, "proposedBy": h.proposedBy,
                                                                "before": "suspense", "after": user.map { "user_available:\($0)" } ?? "equity"])
            return h
        }
    }
}
