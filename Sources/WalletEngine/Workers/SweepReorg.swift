// 已记账的归集被重组拿掉（QA）：归集一有收据就记账（confirmed / failed），它所在的块之后可能被重组拿掉。
// 与提现相同的做法：不重签——用存下的原字节重发（同一哈希、同一 nonce，不可能变成两笔）；重新上链后按新收据核对，
// 结果或手续费变了就改账（Ledger.sweepRebooked，按新块哈希幂等）。例如充值也被撤销时，代币转账这次回滚：金额挪回充值地址。
// 检查范围：记账后重组窗口内的归集（engine.sweeps.booked，带收据所在块）；判断「块还在不在」读扫块窗口（CanonicalBlocks），平时不问节点、不读执行状态。
import Foundation
import Logging
import WalletChain
import WalletCrypto
import WalletLedger

/// 重组窗口内一笔已记账的归集与它收据所在的块（重组检查只读这张表；不在了 → 交易被拿掉）。
struct BookedSweep: Codable, Equatable {
    var id: Int64
    var block: Int64
    var blockHash: String
}

extension WalletEngine {
    /// 重组窗口内已记账的归集（按上链记账时在同一事务里加入，出窗口后移除）。
    static let bookedSweepsKey = "engine.sweeps.booked"
    /// 其中被重组拿掉、已用原字节重发、还没重新上链的 id（唯一的记号；对账据此把它们当在途）。
    static let reorgedSweepsKey = "engine.sweeps.reorged"

    /// 归集 worker 在两次例行归集之间用：只做重组检查（与 sweep run 互斥）。
    func checkSweepReorgs(_ log: Logger) async throws -> Int {
        try await sweepMutex.run { try await self.recheckBookedSweeps(log) }
    }

    func recheckBookedSweeps(_ log: Logger) async throws -> Int {
        let booked = try gate.get(Self.bookedSweepsKey, as: [BookedSweep].self) ?? []
        guard !booked.isEmpty else { return 0 }
        var reorged = Set(try gate.get(Self.reorgedSweepsKey, as: [Int64].self) ?? [])
        let head = Int64(try await client.blockNumber())
        let window = Int64(config.deposits.reorgWindow)
        var canon = CanonicalBlocks(gate: gate, client: client)
        var final: Set<Int64> = [], moved: [Int64: BookedSweep] = [:], steps = 0
        for b in booked {
            if !reorged.contains(b.id) {
                if head - b.block > window { final.insert(b.id); continue }          // 出了重组窗口：终局
                if try await canon.hash(at: b.block) == b.blockHash { continue }     // 块还在（平时只读扫块窗口）
            }
            // 块不在了（或已重发、在等重新上链）：才去读执行状态与收据。
            let st = try execState(b.id)
            guard let hash = st.sweepHash, let raw = st.sweepRawHex else { final.insert(b.id); continue }
            if let rc = try await client.receipt(try H256(hex: hash)) {
                // 重新上链：按新收据核对结果与手续费（幂等），记下新块。
                let tag = rc.blockHash.hex.lowercased()
                let changed = try gate.with { l in try l.sweepRebooked(id: b.id, succeeded: rc.succeeded, fee: rc.feePaid, tag: tag) }
                moved[b.id] = BookedSweep(id: b.id, block: Int64(rc.blockNumber), blockHash: tag)
                if reorged.remove(b.id) != nil { try gate.put(Self.reorgedSweepsKey, reorged.sorted()) }
                if changed {
                    steps += 1
                    log.warn("sweep.rebooked", ["id": .int(b.id), "txHash": .string(hash), "succeeded": .bool(rc.succeeded), "fee": .amount(rc.feePaid)])
                }
            } else {
                // 不在链上：原字节重发（节点拒收——例如补 gas 还没重新上链、没钱付 gas——下一轮再试）。
                _ = try await client.rebroadcastIfDropped(hash: hash, raw: try Hex.decode(raw))
                if reorged.insert(b.id).inserted {
                    try gate.put(Self.reorgedSweepsKey, reorged.sorted())
                    log.error("sweep.reorged", ["id": .int(b.id), "txHash": .string(hash), "block": .int(b.block)])
                    _ = try gate.alertOnce("engine.sweep_reorged.\(b.id)", kind: "sweep.reorged",
                                           zh: "归集 #\(b.id) 的交易 \(hash) 已按上链记账，但所在的块 \(b.block) 被重组拿掉了：已用原字节重发（同一哈希）。重新上链后自动核对结果与手续费；若一直打包不回来，对账会报差异，按应急预案处理。",
                                           en: "the transaction \(hash) of sweep #\(b.id) was booked as mined, but its block \(b.block) was removed by a reorg: re-sent with the same bytes (same hash). Once it is mined again the outcome and fee are checked automatically; if it never is, reconciliation will show the difference — follow the incident runbook.",
                                           at: clock.unixTime())
                }
                steps += 1
            }
        }
        // 一次写回：去掉终局的、换上重新上链后的新块（重新读一遍：这一轮里新记账的归集也在表里，不能丢）。
        if !final.isEmpty || !moved.isEmpty {
            try gate.transaction { l in
                let left = (try l.get(Self.bookedSweepsKey, as: [BookedSweep].self) ?? [])
                    .filter { !final.contains($0.id) }.map { moved[$0.id] ?? $0 }
                try l.put(Self.bookedSweepsKey, left)
            }
        }
        return steps
    }
}
