// 扫块器控制：停机状态与 admin 的 rescan。深度重组超过窗口时扫块器不会自作主张地「跳过」——停机、告警，
// 由人核对后从一个确定的高度重扫：重扫前先把该高度之后、已不在主链上的充值撤销（入账前的孤立、入账后的冲正）。
import Foundation
import WalletChain
import WalletCrypto
import WalletLedger

public struct RescanResult: Sendable {
    public var from: UInt64
    public var orphaned: Int
    public var reversed: Int
}

extension WalletEngine {
    public func scannerHalt() -> ScanHalt? {
        guard let h = try? gate.get(ScanControl.haltKey, as: ScanHalt.self), h.halted else { return nil }
        return h
    }

    /// 从区块 from 重新扫描（admin）。只在没有引擎运行时直接执行；引擎在跑时由 CLI 入队给它（同一个函数）。
    public func rescan(from: UInt64, by op: Operator) async throws -> RescanResult {
        try authorize(op, .scannerRescan)
        return try await rescan(from: from, operatorName: op.name)
    }

    /// 入队一个 rescan 任务给运行中的引擎（授权在这里做，任务执行时以入队人的名义记审计）。
    public func requestRescan(from: UInt64, by op: Operator) throws -> Job {
        try authorize(op, .scannerRescan)
        return try enqueue(.scannerRescan, payload: "{\"from\":\(from),\"operator\":\(JSONString.quote(op.name))}")
    }

    func rescan(from: UInt64, operatorName: String) async throws -> RescanResult {
        let head = try await client.blockNumber()
        guard from <= head else {
            throw EngineError("scanner.from_ahead", zh: "--from \(from) 高于链头 \(head)。", en: "--from \(from) is above the chain head \(head).", badInput: true)
        }
        // 1. 该高度之后的充值：所在块已不是主链的，先撤销（网络读取在闸门外）。
        let candidates = try gate.with { l in
            try l.store.depositIDs(chain: l.chain, fromBlock: Int64(from), states: [.seen, .confirming, .credited, .dust])
                .compactMap { try l.store.deposit(id: $0) }
        }
        var canonical: [Int64: String] = [:]
        var stale: [Int64] = []
        for d in candidates {
            if canonical[d.blockNumber] == nil {
                canonical[d.blockNumber] = try await client.block(.number(UInt64(d.blockNumber)))?.hash.hex.lowercased() ?? ""
            }
            if canonical[d.blockNumber] != d.blockHash.lowercased() { stale.append(d.id) }
        }
        var orphaned = 0, reversed = 0
        try gate.transaction { l in
            for id in stale {
                let after = try l.orphanDeposit(id: id)
                if after.state == .reversed { reversed += 1 } else { orphaned += 1 }
            }
            // 2. 清空本地区块窗口、设新起点、代次 +1（运行中的扫块器下一轮重建）、解除停机。
            try l.put(LedgerScanStore.key, [LedgerScanStore.Row]())
            try l.put(ScanControl.startKey, from)
            try l.put(ScanControl.generationKey, (try l.get(ScanControl.generationKey, as: Int.self) ?? 0) + 1)
            try l.put(ScanControl.haltKey, ScanHalt(halted: false, at: clock.unixTime(), height: from, reason: "rescan"))
            try l.appendAudit(operatorName: operatorName, action: "scanner.rescan", subject: String(from),
                                  details: ["orphaned": String(orphaned), "reversed": String(reversed), "cli": "scanner rescan --from \(from)"])
        }
        metrics.scannerHalted.set(0)
        logger.warn("scanner.rescan", ["from": .uint(from), "orphaned": .int(Int64(orphaned)), "reversed": .int(Int64(reversed)), "operator": .string(operatorName)])
        return RescanResult(from: from, orphaned: orphaned, reversed: reversed)
    }
}
