// 账本访问闸门 + 引擎自己的小状态。
//
// 为什么要闸门：账本的 SQLite 连接不是线程安全的，而引擎的 worker 并发运行。所有账本调用都经过一把（不可重入的）Mutex 串行化；
// 链上调用（网络）一律在锁外进行，锁内只做毫秒级的数据库事务。
//
// 引擎状态放在哪：账本的迁移列表是静态的（不能由外部模块注册新表），SQLRow 的读取器也不公开，所以引擎不建自己的表，
// 而是把少量状态存进账本的 settings 表（键以 `engine.` 开头，值为 JSON），并且与对应的账本写入放在同一个事务里：
//   engine.scan.blocks            最近 reorgWindow 个已扫描区块（号、哈希、父哈希）——重组检测，跨重启有效
//   engine.nonce.<addr>.next      本引擎已分配的下一个 nonce（与账本 nonces 表同步，仅用于缺口检测与状态展示）
//   engine.tx.<addr>.<nonce>      该 nonce 上的全部已签名交易（原交易 + 同 nonce 替换交易 + 补 gas 交易），广播前写入
//   engine.fees.latest            最近一次手续费估算（给 CLI/控制台显示）
// 详见 docs/engine.md「引擎状态的存放」。
import Foundation
import Synchronization
import WalletCrypto
import WalletKeys
import WalletLedger

public final class LedgerGate: Sendable {
    // Ledger（SQLite 连接）不是 Sendable：只住在 Mutex 里，闭包只能带出 Sendable 的结果。
    // 不可重入：闭包里要读写 engine.* 键，用闭包参数 l 上的同名方法（见下方 extension Ledger），不要再调 gate。
    private let ledger: Mutex<Ledger>

    public init(_ ledger: sending Ledger) { self.ledger = Mutex(ledger) }

    /// 在锁内使用账本（不得在闭包里做网络调用）。退出时（事务都已提交）把审计链的库外锚推进到链头。
    /// 调用方任务持有租约时（LeaseScope.current，多引擎的独占工作），锁内的每个写事务都先核对它的隔离令牌。
    public func with<T: Sendable>(_ body: (Ledger) throws -> T) rethrows -> T {
        let fence = LeaseScope.current
        return try ledger.withLock { l in
            l.store.fence = fence
            defer { l.store.fence = nil; l.anchorAudit() }
            return try body(l)
        }
    }

    /// 锁内的一个数据库事务。
    public func transaction<T: Sendable>(_ body: (Ledger) throws -> T) throws -> T {
        try with { l in try l.store.transaction { try body(l) } }
    }

    // MARK: - 引擎 KV（settings 表里的 engine.* 键）

    public func get<T: Decodable & Sendable>(_ key: String, as: T.Type) throws -> T? {
        try with { l in try l.get(key, as: T.self) }
    }

    /// 写 KV（自成一次加锁）；在事务闭包里请用 l.put，并入该事务。
    public func put<T: Encodable>(_ key: String, _ value: T) throws {
        try with { l in try l.put(key, value) }
    }
}

// 闸门锁内的同名操作：闭包拿到的 Ledger 已在锁内，直接读写，不再经过 gate（Mutex 不可重入）。
extension Ledger {
    public func get<T: Decodable>(_ key: String, as: T.Type) throws -> T? {
            guard let s = try store.setting(key) else { return nil }
            do { return try JSONDecoder().decode(T.self, from: Data(s.utf8)) } catch {
                throw EngineError("engine.state_corrupt", zh: "引擎状态 \(key) 无法解析（数据库被手工改动？）：\(error)",
                                  en: "engine state \(key) cannot be parsed (database edited by hand?): \(error)", badInput: false)
            }
    }

    /// 写 KV；在外层事务中调用时并入该事务。
    public func put<T: Encodable>(_ key: String, _ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let s = String(decoding: try enc.encode(value), as: UTF8.self)
        try store.setSetting(key, s)
    }
}

/// 同一个 nonce 上的一笔已签名交易（广播之前就落库）。
public struct TxAttempt: Codable, Sendable, Equatable {
    public var hash: String
    public var rawHex: String
    public var maxFeePerGas: String
    public var maxPriorityFeePerGas: String
    public var signedAt: Int64
    public var raw: [UInt8] { (try? Hex.decode(rawHex)) ?? [] }
}

/// 一个 nonce 的记录：谁用了它（提现 / 补 gas），以及签过的每个版本。
public struct NonceRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case withdrawal, topup }
    public var kind: Kind
    /// 提现 id 或归集 id。
    public var ref: Int64
    public var nonce: Int64
    public var attempts: [TxAttempt]
    /// 已上链的那个版本的哈希（确认或失败后填写）。
    public var minedHash: String?
    /// 最近一次广播时间（卡住判断）。
    public var lastBroadcastAt: Int64?
    /// 按上链记账时记下的、热钱包付的手续费（wei 十进制）。被重组掉再上链时手续费按新块的基础费变了，据此补一条调整分录。
    public var bookedFee: String? = nil
    /// 按上链记账时收据的 status 是不是成功（NOOP 取消也是成功上链）。重组后重新上链时据此判断结果变没变、对账据此退回记过的效果。
    /// 旧版本记的账没有它（nil）：提现按提现状态推，补 gas 当成功（给外部账户的纯转账）。
    public var bookedOK: Bool? = nil

    /// 这个哈希是不是我们的 NOOP（同一 nonce、发给热钱包自己、0 值、无数据：取消提现用）。
    func isNoop(_ hash: String, hot: String) throws -> Bool {
        guard let a = attempts.first(where: { $0.hash == hash }) else { return false }
        let tx = try SignedEthTransaction.decode(raw: a.raw).transaction
        return tx.to?.lowercased == hot.lowercased() && tx.value.isZero && tx.data.isEmpty
    }

    /// 告警与日志里怎么称呼它（中文，英文）。
    var label: (zh: String, en: String) {
        kind == .withdrawal ? ("提现 #\(ref)", "withdrawal #\(ref)") : ("补 gas（归集 #\(ref)）", "gas top-up (sweep #\(ref))")
    }
}

extension LedgerGate {
    static func nonceKey(_ from: String, _ nonce: Int64) -> String { "engine.tx.\(from.lowercased()).\(nonce)" }
    static func nextKey(_ from: String) -> String { "engine.nonce.\(from.lowercased()).next" }
    /// 被重组掉、已用原字节重发、重新上链够确认后要再核对手续费与结果的 nonce（平时为空：每轮一次键读）。唯一的记号：nonce 记录里不另存标志。
    static func recheckKey(_ from: String) -> String { "engine.recheck.\(from.lowercased())" }

    public func nonceRecord(from: String, nonce: Int64) throws -> NonceRecord? {
        try with { l in try l.nonceRecord(from: from, nonce: nonce) }
    }

    public func putNonceRecord(from: String, _ r: NonceRecord) throws {
        try with { l in try l.putNonceRecord(from: from, r) }
    }

    /// 引擎视角的下一个 nonce（= 已分配的最大 nonce + 1）。
    public func engineNextNonce(from: String) throws -> Int64 {
        try with { l in try l.engineNextNonce(from: from) }
    }
}

// 同上：锁内（闭包参数 l）的版本。
extension Ledger {
    public func nonceRecord(from: String, nonce: Int64) throws -> NonceRecord? {
        try get(LedgerGate.nonceKey(from, nonce), as: NonceRecord.self)
    }

    public func putNonceRecord(from: String, _ r: NonceRecord) throws {
        try put(LedgerGate.nonceKey(from, r.nonce), r)
    }

    public func engineNextNonce(from: String) throws -> Int64 {
        try get(LedgerGate.nextKey(from), as: Int64.self) ?? 0
    }

    func noteAllocated(from: String, nonce: Int64) throws {
        let cur = try engineNextNonce(from: from)
        if nonce + 1 > cur { try put(LedgerGate.nextKey(from), nonce + 1) }
    }
}

extension LedgerGate {
    /// 「同一情况只告警一次」：key 记着当前生效的告警类别（原文，不是 JSON）；类别变了才写告警，kind = nil 表示恢复
    /// （清除，之后再出现再告警）。读-比-写在同一事务里：两个进程同时发现也只告警一次；没变化时只有一次读。
    @discardableResult
    func alertOnce(_ key: String, kind: String?, zh: String = "", en: String = "", at: Int64) throws -> Bool {
        try transaction { l in
            let was = try l.store.setting(key) ?? ""
            guard was != (kind ?? "") else { return false }
            try l.store.setSetting(key, kind ?? "")
            guard let kind else { return false }
            try l.store.insertAlert(kind: kind, message: zh, messageEn: en, at: at)
            return true
        }
    }
}
