// 冷钱包登记与热钱包外来入账的存储。
import WalletCrypto

extension SQLLedgerStore: TreasuryRepository {
    public func insertColdWallet(_ c: ColdWallet) throws {
        try db.execute("INSERT INTO cold_wallets (address, label, added_by, added_at) VALUES (?, ?, ?, ?)",
                       [c.address, c.label, c.addedBy, c.addedAt])
    }
    public func coldWallets() throws -> [ColdWallet] {
        try db.query("SELECT * FROM cold_wallets ORDER BY added_at, address").map {
            ColdWallet(address: $0.text("address"), label: $0.text("label"), addedBy: $0.text("added_by"), addedAt: $0.int("added_at"))
        }
    }
    func mapInbound(_ r: SQLRow) throws -> HotInbound {
        HotInbound(id: r.int("id"), chain: r.text("chain"), txHash: r.text("tx_hash"), logIndex: Int(r.int("log_index")),
                   asset: r.text("asset"), amount: try r.amount("amount"), from: r.text("from_address"),
                   blockNumber: r.int("block_number"), blockHash: r.text("block_hash"),
                   kind: HotInbound.Kind(rawValue: r.text("kind")) ?? .unattributed,
                   state: HotInbound.State(rawValue: r.text("state")) ?? .pending, resolution: r.text("resolution"),
                   proposedBy: r.text("proposed_by"), resolvedBy: r.text("resolved_by"),
                   createdAt: r.int("created_at"), updatedAt: r.int("updated_at"), to: r.text("to_address"))
    }
    public func hotInbound(chain: String, txHash: String, logIndex: Int) throws -> HotInbound? {
        try db.query("SELECT * FROM hot_inbound WHERE chain = ? AND tx_hash = ? AND log_index = ?", [chain, txHash, logIndex]).first.map(mapInbound)
    }
    public func hotInbound(id: Int64) throws -> HotInbound? {
        try db.query("SELECT * FROM hot_inbound WHERE id = ?", [id]).first.map(mapInbound)
    }
    public func insertHotInbound(_ h: HotInbound) throws -> Int64 {
        return try db.insert("""
            INSERT INTO hot_inbound (chain, tx_hash, log_index, asset, amount, from_address, block_number, block_hash, kind, state,
              resolution, proposed_by, resolved_by, created_at, updated_at, to_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [h.chain, h.txHash, h.logIndex, h.asset, h.amount, h.from, h.blockNumber, h.blockHash, h.kind.rawValue, h.state.rawValue,
                  h.resolution, h.proposedBy, h.resolvedBy, h.createdAt, h.updatedAt, h.to])
    }
    public func updateHotInbound(_ h: HotInbound) throws {
        try db.execute("""
            UPDATE hot_inbound SET kind = ?, state = ?, resolution = ?, proposed_by = ?, resolved_by = ?, block_number = ?,
              block_hash = ?, updated_at = ? WHERE id = ?
            """, [h.kind.rawValue, h.state.rawValue, h.resolution, h.proposedBy, h.resolvedBy, h.blockNumber, h.blockHash, h.updatedAt, h.id])
    }
    public func hotInbound(states: [HotInbound.State], page: Page) throws -> [HotInbound] {
        guard !states.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: states.count).joined(separator: ",")
        return try db.query("SELECT * FROM hot_inbound WHERE state IN (\(marks)) ORDER BY id DESC LIMIT ? OFFSET ?",
                            states.map(\.rawValue) + [page.limit, page.offset]).map(mapInbound)
    }
    public func hotInboundIDs(chain: String, blockHashes: [String]) throws -> [Int64] {
        guard !blockHashes.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: blockHashes.count).joined(separator: ",")
        return try db.query("SELECT id FROM hot_inbound WHERE chain = ? AND block_hash IN (\(marks)) ORDER BY id",
                            [chain] + blockHashes.map { $0.lowercased() }).map { $0.int("id") }
    }
}
