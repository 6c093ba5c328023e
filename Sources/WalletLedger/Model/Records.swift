// 账本的领域记录。与存储无关：SQLite 或将来的 PostgreSQL 实现都返回这些类型。
import WalletCrypto

/// 账户种类。normal 方向决定余额符号：资产/费用类借方为正，负债/权益类贷方为正。
public enum AccountKind: String, Sendable, CaseIterable, Codable {
    case userAvailable = "user_available"   // 负债：用户可用
    case userFrozen = "user_frozen"         // 负债：提现冻结
    case hotWallet = "hot_wallet"           // 资产：热钱包链上余额
    case depositAddress = "deposit_address" // 资产：充值地址链上余额
    case sweepTransit = "sweep_in_transit"  // 资产：归集在途
    case reorgSuspense = "reorg_suspense"   // 资产：重组造成的待追回（已被用户花掉的被撤销充值；owner = 欠款用户）
    case suspense = "suspense"              // 负债：已到账、但不属于任何用户入账的资金（低于最小入账额的粉尘等），等待处理
    case feeExpense = "fee_expense"         // 费用：链上手续费
    case equity = "equity"                  // 权益：运营方注资（如给热钱包补 gas）

    public var debitNormal: Bool {
        switch self {
        case .userAvailable, .userFrozen, .equity, .suspense: return false
        default: return true
        }
    }
    public var isUserLiability: Bool { self == .userAvailable || self == .userFrozen }
    /// 只由我们自己的出账减少的链上资产账户：永远不能为负（为负 = 账上花出了链上没有的钱）。
    /// 充值地址不在此列：超过确认深度的重组可以在归集之后撤销充值，账上暂时为负——那是真实的资金缺口，
    /// 由 deposit.reversed 告警与对账差异暴露，而不是账本损坏。
    public var isOnChainAsset: Bool { self == .hotWallet || self == .sweepTransit }
}

public struct AccountRef: Hashable, Sendable {
    public var kind: AccountKind
    public var asset: String
    public var owner: String
    public init(_ kind: AccountKind, _ asset: String, _ owner: String = "") {
        self.kind = kind; self.asset = asset; self.owner = owner
    }
    public var code: String { "\(kind.rawValue):\(asset):\(owner)" }
}

public enum Side: String, Sendable { case debit = "D", credit = "C" }

public struct Posting: Sendable, Equatable {
    public var account: AccountRef
    public var side: Side
    public var amount: UInt256
    public init(_ account: AccountRef, _ side: Side, _ amount: UInt256) {
        self.account = account; self.side = side; self.amount = amount
    }
}

/// 账户余额：分别保存借、贷累计（都是非负 UInt256），净额的符号由账户种类决定。
public struct AccountBalance: Sendable, Equatable {
    public var id: Int64
    public var ref: AccountRef
    public var debitTotal: UInt256
    public var creditTotal: UInt256
    /// 按正常方向的净额；negative 表示反向（如资产账户被透支）。
    public var net: (negative: Bool, magnitude: UInt256) {
        let (pos, neg) = ref.kind.debitNormal ? (debitTotal, creditTotal) : (creditTotal, debitTotal)
        return pos >= neg ? (false, pos - neg) : (true, neg - pos)
    }
    public static func == (a: AccountBalance, b: AccountBalance) -> Bool {
        a.id == b.id && a.ref == b.ref && a.debitTotal == b.debitTotal && a.creditTotal == b.creditTotal
    }
}

public struct StoredPosting: Sendable {
    public var entryID: Int64
    public var accountID: Int64
    public var asset: String
    public var side: Side
    public var amount: UInt256
}

public enum DepositState: String, Sendable, CaseIterable, Codable {
    case seen, confirming, credited, orphaned, reversed, dust
}

public struct Deposit: Sendable, Equatable {
    public var id: Int64
    public var chain: String
    public var txHash: String
    public var logIndex: Int
    public var asset: String
    public var amount: UInt256
    public var address: String
    public var user: String
    public var blockNumber: Int64
    public var blockHash: String
    public var confirmations: Int
    public var required: Int
    public var state: DepositState
    public var creditEntry: Int64?
    public var reversalEntry: Int64?
    public var createdAt: Int64
    public var updatedAt: Int64
}

public enum WithdrawalState: String, Sendable, CaseIterable, Codable {
    case requested, riskChecked = "risk_checked", awaitingApproval = "awaiting_approval", approved, signed,
         broadcast, confirmed, failed, rejected, expired, unknown

    /// 资金仍处于冻结的状态。
    public var holdsFunds: Bool {
        switch self {
        case .confirmed, .failed, .rejected, .expired: return false
        default: return true
        }
    }
    public var isTerminal: Bool { !holdsFunds }
}

public struct Withdrawal: Sendable, Equatable {
    public var id: Int64
    public var requestID: String
    public var user: String
    public var asset: String
    public var amount: UInt256
    public var to: String
    public var state: WithdrawalState
    public var requestedBy: String
    public var rule: String
    public var approvalsRequired: Int
    public var approvals: [Approval]
    public var reason: String
    public var nonce: Int64?
    public var fromAddress: String?
    public var rawTx: [UInt8]?
    public var txHash: String?
    public var fee: UInt256?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var expiresAt: Int64
}

extension Withdrawal {
    /// 导入 / 测试播种用的构造（写库走 WithdrawalRepository.insertWithdrawal；业务路径请用 Ledger.requestWithdrawal）。
    public init(requestID: String, user: String, asset: String, amount: UInt256, to: String, state: WithdrawalState,
                requestedBy: String, createdAt: Int64, expiresAt: Int64, txHash: String? = nil) {
        self.init(id: 0, requestID: requestID, user: user, asset: asset, amount: amount, to: to, state: state,
                  requestedBy: requestedBy, rule: "", approvalsRequired: 0, approvals: [], reason: "", nonce: nil,
                  fromAddress: nil, rawTx: nil, txHash: txHash, fee: nil, createdAt: createdAt, updatedAt: createdAt,
                  expiresAt: expiresAt)
    }
}

public struct Approval: Sendable, Equatable {
    public var operatorName: String
    public var createdAt: Int64
    public var expiresAt: Int64
}

public enum SweepState: String, Sendable, CaseIterable, Codable {
    case planned, toppingUpGas = "topping_up_gas", ready, broadcast, confirmed, deferred, failed
}

public struct Sweep: Sendable, Equatable {
    public var id: Int64
    public var address: String
    public var nonce: Int64
    public var asset: String
    public var amount: UInt256
    public var fee: UInt256
    public var topup: UInt256
    public var state: SweepState
    public var reason: String
    public var txHash: String?
    public var createdAt: Int64
    public var updatedAt: Int64
}

public enum OperatorRole: String, Sendable, CaseIterable, Codable {
    case viewer, approver, custodian, admin
}

public struct Operator: Sendable, Equatable {
    public var name: String
    public var role: OperatorRole
    public var createdAt: Int64
}

public struct StoredOperator: Sendable {
    public var op: Operator
    public var salt: [UInt8]
    public var hash: [UInt8]
    public var n: UInt64, r: UInt64, p: UInt64
}

public struct AuditRecord: Sendable, Equatable {
    public var id: Int64
    public var ts: Int64
    public var operatorName: String
    public var action: String
    public var subject: String
    public var details: String
    public var prevHash: String
    public var hash: String
    /// HMAC（密钥在数据库之外，见 AuditSealer）；升级前的旧记录为空串。
    public var mac: String = ""
    /// 所在的链（0 = 主链；分片事务写的是分片号 + 1）与链内序号（从 1 起连续）。id 是全表唯一、可以有空号的行号。
    public var chain: Int = 0
    public var seq: Int64 = 0
}

public struct AllowlistEntry: Sendable, Equatable {
    public var address: String
    public var addedBy: String
    public var addedAt: Int64
    public var activatedBy: String?
    public var activatedAt: Int64?
}

public struct DepositAddressRecord: Sendable, Equatable {
    public var user: String
    public var asset: String
    public var address: String
    public var index: UInt32
    public var path: String
}

/// 分页：从数据库按 id 分页，不把十万行读进内存。
public struct Page: Sendable {
    public var limit: Int
    public var offset: Int
    public init(limit: Int = 100, offset: Int = 0) { self.limit = max(0, min(limit, 10_000)); self.offset = max(0, offset) }
}

/// 人看得见的列上的文本过滤：空格分隔的多个词必须全部出现（子串、不分大小写），`!词` 表示必须不出现。
/// 由存储层翻译成 SQL（LIKE / NOT LIKE，% _ 与转义符本身都被转义），不在内存里扫描。
public struct TextFilter: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var text: String
        public var negated: Bool
        public init(text: String, negated: Bool) { self.text = text; self.negated = negated }
    }
    public var terms: [Term]
    public init(terms: [Term]) { self.terms = terms.filter { !$0.text.isEmpty } }
    /// 与控制台 ListFilter 相同的语法："alice !bob eth"。
    public init(_ raw: String) {
        self.init(terms: raw.split(separator: " ").map { part in
            var s = String(part)
            var neg = false
            if s.hasPrefix("!") { neg = true; s.removeFirst() }
            return Term(text: s.lowercased(), negated: neg)
        })
    }
    public var isEmpty: Bool { terms.isEmpty }
}

public struct DepositFilter: Sendable {
    public var state: DepositState?
    public var user: String?
    public var asset: String?
    /// 匹配 编号、用户、资产、地址、交易哈希、状态。
    public var text: TextFilter?
    /// 只要 id 小于它的（按 id 倒序的键集分页：翻页期间别的引擎改了前面的行，也不会跳过后面的——偏移分页会）。
    public var beforeID: Int64?
    public init(state: DepositState? = nil, user: String? = nil, asset: String? = nil, text: TextFilter? = nil, beforeID: Int64? = nil) {
        self.state = state; self.user = user; self.asset = asset; self.text = text; self.beforeID = beforeID
    }
}

/// 提现列表的排序。
public enum WithdrawalOrder: Sendable {
    /// 最新在前（id 倒序）。
    case newest
    /// 需要人处理的在前：待审（含 requested / risk_checked）→ 状态未知 → 执行中（approved/signed/broadcast），
    /// 组内越早创建越急；终态最后，终态内最新在前。由 SQL 的 ORDER BY CASE 完成，有表达式索引支持（迁移 5）。
    case urgency
}

public struct WithdrawalFilter: Sendable {
    public var state: WithdrawalState?
    public var user: String?
    public var asset: String?
    /// 匹配 编号、请求号、用户、资产、目标地址、状态、申请人、交易哈希。
    public var text: TextFilter?
    public var order: WithdrawalOrder
    public init(state: WithdrawalState? = nil, user: String? = nil, asset: String? = nil, text: TextFilter? = nil,
                order: WithdrawalOrder = .newest) {
        self.state = state; self.user = user; self.asset = asset; self.text = text; self.order = order
    }
}

public struct AuditFilter: Sendable {
    public var action: String?
    public var operatorName: String?
    /// 匹配 编号、执行人、动作、对象、详情（含 CLI 孪生命令）。
    public var text: TextFilter?
    public init(action: String? = nil, operatorName: String? = nil, text: TextFilter? = nil) {
        self.action = action; self.operatorName = operatorName; self.text = text
    }
}

/// 一条告警（中英文说明各一份）。
public struct Alert: Sendable, Equatable {
    public var id: Int64
    public var ts: Int64
    public var kind: String
    public var message: String
    public var messageEn: String
    public func text(_ lang: Language) -> String { lang == .zh ? message : (messageEn.isEmpty ? kind : messageEn) }
}

/// 一个登记的冷钱包（金库）：它与热钱包之间的往来是运营方的资金调拨，不是用户的钱。
public struct ColdWallet: Sendable, Equatable {
    public var address: String
    public var label: String
    public var addedBy: String
    public var addedAt: Int64
}

/// 热钱包收到的一笔外来资金（不是我方归集）。来自登记的冷钱包 → 金库注资；否则 → 待处理（suspense），两人处理。
public struct HotInbound: Sendable, Equatable {
    public enum Kind: String, Sendable { case treasury, unattributed }
    /// pending：已看到、未够确认；booked：已记账（注资或待处理）；resolved：待处理已由两人处理；orphaned：所在块被重组掉。
    public enum State: String, Sendable { case pending, booked, resolved, orphaned }
    public var id: Int64
    public var chain: String
    public var txHash: String
    public var logIndex: Int
    public var asset: String
    public var amount: UInt256
    public var from: String
    public var blockNumber: Int64
    public var blockHash: String
    public var kind: Kind
    public var state: State
    /// 处理方式：""、"treasury" 或 "deposit:<用户>"。
    public var resolution: String
    public var proposedBy: String
    public var resolvedBy: String
    public var createdAt: Int64
    public var updatedAt: Int64
    /// 给人看的分类与状态（错误与告警里不露枚举原值）。
    public var kindText: (zh: String, en: String) { kind == .treasury ? ("金库注资", "treasury funding") : ("来源不明的待处理", "unattributed suspense") }
    public var stateText: (zh: String, en: String) {
        switch state {
        case .pending: return ("等确认", "awaiting confirmations")
        case .booked: return ("已记账", "booked")
        case .resolved: return ("已处理", "resolved")
        case .orphaned: return ("所在块被重组掉", "orphaned by a reorg")
        }
    }
    /// 收款地址：空串 = 热钱包；否则是已派生、尚未分配给任何用户的充值地址（间隙窗口）。
    public var to: String = ""
    /// 钱在链上所在的资产侧账户（对账按地址比较，必须记在收款地址上）。
    public var assetAccount: AccountRef { to.isEmpty ? AccountRef(.hotWallet, asset) : AccountRef(.depositAddress, asset, to) }
}
