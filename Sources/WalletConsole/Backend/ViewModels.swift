// 控制台视图模型：全部是普通 Sendable 结构体。
// 金额一律以“已格式化字符串 + 原始基本单位字符串”到达——控制台从不做金额运算，避免显示层引入舍入或溢出。

/// 金额：显示文本与基本单位原值（十进制字符串）。
public struct AmountText: Sendable, Equatable {
    /// 例如 "1.250000 ETH"，由引擎按资产精度格式化。
    public var display: String
    /// 基本单位十进制字符串，例如 "1250000000000000000"；供复制与 CLI 孪生命令使用。
    public var baseUnits: String
    public init(display: String, baseUnits: String) { self.display = display; self.baseUnits = baseUnits }
}

/// 操作员角色：决定哪些按键被绑定、被显示。
public enum ConsoleRole: String, Sendable, CaseIterable {
    case viewer, operator_ = "operator", approver, admin
}

public enum NodeHealth: String, Sendable { case ok, degraded, down }
public enum BreakerState: String, Sendable { case closed, halfOpen = "half-open", open }

/// 密钥库封存状态；`unsealing` 表示 Shamir 份额收集中（t/n 进度可见）。
public enum SealState: Sendable, Equatable {
    case sealed
    case unsealing(provided: Int, threshold: Int)
    case unsealed
}

/// 页头的集群一格：「引擎 2/2 · 主 hostA · 签 hostB」。
public struct ClusterBadge: Sendable, Equatable {
    public var alive: Int
    public var total: Int
    /// 持有 leader 租约（扫块、对账、任务）的引擎所在主机；nil = 没人持有（都在备用或都挂了）。
    public var leader: String?
    /// 持有 signer 租约（提现、归集签名）的引擎所在主机。
    public var signer: String?
    public init(alive: Int, total: Int, leader: String?, signer: String?) {
        self.alive = alive; self.total = total; self.leader = leader; self.signer = signer
    }
    /// 没有活着的引擎，或有引擎活着却没人持有 leader 租约：没人在扫块，数字会变旧。
    public var degraded: Bool { alive == 0 || leader == nil }
}

/// 页头事实。
public struct HeaderSnapshot: Sendable, Equatable {
    public var chainId: UInt64
    public var headHeight: UInt64
    public var scanLag: UInt64
    public var node: NodeHealth
    public var breaker: BreakerState
    public var seal: SealState
    public var operatorName: String
    public var role: ConsoleRole
    /// 链的醒目标注（演示链为 "DEMO"）；真实网络为 nil。
    public var chainLabel: String? = nil
    /// 页头显示的告警：最近 20 条里最严重的一条，没有严重的就是最新一条（id 变了且是严重告警时响铃）。
    public var latestAlert: AlertRow? = nil
    /// 引擎集群（issue 13）：登记过的引擎里活着的几个、谁持有 leader 与 signer 租约。没有登记过任何引擎时为 nil。
    public var cluster: ClusterBadge? = nil
    public init(chainId: UInt64, headHeight: UInt64, scanLag: UInt64, node: NodeHealth, breaker: BreakerState,
                seal: SealState, operatorName: String, role: ConsoleRole) {
        self.chainId = chainId; self.headHeight = headHeight; self.scanLag = scanLag; self.node = node
        self.breaker = breaker; self.seal = seal; self.operatorName = operatorName; self.role = role
    }
}

/// 分页查询；filter 原文交给后端按 `ListFilter` 语义解释（子串，`!` 取反）。
public struct PageQuery: Sendable, Equatable {
    public var offset: Int
    public var limit: Int
    public var filter: ListFilter
    /// 按列排序（k9s 式 Shift+字母）；nil = 后端的默认顺序（充值最新在前、提现按紧急度……）。
    public var sort: ListSort?
    /// 锚点：换排序后光标所在项的 id。后端能定位时返回包含它的那一页（offset 随之调整），光标跟着这一项走。
    public var anchor: String?
    public init(offset: Int, limit: Int, filter: ListFilter = ListFilter(""), sort: ListSort? = nil, anchor: String? = nil) {
        self.offset = offset; self.limit = limit; self.filter = filter; self.sort = sort; self.anchor = anchor
    }
}

public struct Page<Row: Sendable>: Sendable {
    public var rows: [Row]
    /// 过滤后的总行数（用于滚动条与分页）。
    public var total: Int
    public var offset: Int
    /// 按列排序只在最新的一个窗口里做时（账本行数超过窗口）：过滤后的真实总数；total 是窗口里的行数。
    public var sortedOf: Int?
    public init(rows: [Row], total: Int, offset: Int, sortedOf: Int? = nil) {
        self.rows = rows; self.total = total; self.offset = offset; self.sortedOf = sortedOf
    }
}

public enum DepositRowState: String, Sendable, CaseIterable { case confirming, credited, orphaned, reversed, suspicious }

public struct DepositRow: Sendable, Equatable {
    public var id: String
    public var asset: String
    public var amount: AmountText
    public var address: String
    public var txHash: String
    public var confirmations: Int
    public var required: Int
    public var state: DepositRowState
    public var ageSeconds: Int
    /// 该行受链重组影响（高亮）。
    public var reorg: Bool
    /// 所在区块与日志序号（原生 ETH 充值没有日志，为 -1）、入账用户：详情窗格显示。
    public var blockNumber: Int64
    public var logIndex: Int
    public var user: String
    public init(id: String, asset: String, amount: AmountText, address: String, txHash: String, confirmations: Int,
                required: Int, state: DepositRowState, ageSeconds: Int, reorg: Bool = false,
                blockNumber: Int64 = 0, logIndex: Int = -1, user: String = "") {
        self.id = id; self.asset = asset; self.amount = amount; self.address = address; self.txHash = txHash
        self.confirmations = confirmations; self.required = required; self.state = state
        self.ageSeconds = ageSeconds; self.reorg = reorg
        self.blockNumber = blockNumber; self.logIndex = logIndex; self.user = user
    }
}

/// 待审批提现在等谁（队列里「等你 / 等别人」）。
public enum WaitingOn: String, Sendable, Equatable { case you, others, nobody }

public enum WithdrawalRowState: String, Sendable, CaseIterable {
    case pending, approved, rejected, signing, broadcast, confirmed, failed
}

public struct WithdrawalRow: Sendable, Equatable {
    public var id: String
    public var asset: String
    public var amount: AmountText
    public var destination: String
    public var state: WithdrawalRowState
    public var approvalsGiven: Int
    public var approvalsRequired: Int
    public var requestedBy: String
    public var ageSeconds: Int
    /// 紧急度：越大越靠前（排序由后端完成）。
    public var urgency: Int
    /// 待审批的单在等谁：等你（你能批且还没批）还是等别人（你是申请人、已批过或无审批权）。
    public var waitingOn: WaitingOn
    public init(id: String, asset: String, amount: AmountText, destination: String, state: WithdrawalRowState,
                approvalsGiven: Int, approvalsRequired: Int, requestedBy: String, ageSeconds: Int, urgency: Int,
                waitingOn: WaitingOn = .nobody) {
        self.id = id; self.asset = asset; self.amount = amount; self.destination = destination; self.state = state
        self.approvalsGiven = approvalsGiven; self.approvalsRequired = approvalsRequired
        self.requestedBy = requestedBy; self.ageSeconds = ageSeconds; self.urgency = urgency; self.waitingOn = waitingOn
    }
}

public enum AllowlistStatus: Sendable, Equatable {
    case listed(firstSeen: String)
    case notListed
}

public struct WithdrawalDetail: Sendable, Equatable {
    public var row: WithdrawalRow
    public var allowlist: AllowlistStatus
    public var eip55Valid: Bool
    /// 限速使用情况，例如 "3.2 / 10 ETH (24h)"，由引擎格式化。
    public var velocityUse: String
    public var approvers: [String]
    public var matchedRule: String
    public var feeEstimate: AmountText
    /// 已批准（且未过期）的操作员名：控制台据此判断「你已经批准过」，不用解析 approvers 的显示文字。
    public var approverNames: [String]
    /// 业务请求号与用户（账本里已有的字段，对话框显示给审批人核对）。
    public var requestId: String
    public var user: String
    /// 热钱包链上余额：现在 → 这笔发出后（由后端格式化，含单位；余额不足时写明）。空串 = 不适用或取不到。
    public var hotWalletAfter: String
    /// 链上事实（签名后才有）：nonce、交易哈希、所在区块（有收据才有）、实付手续费（确认或失败后才有）。
    public var nonce: Int64?
    public var txHash: String
    public var block: UInt64?
    public var feePaid: AmountText?
    /// 拒绝原因或失败原因（账本原文）；空串 = 没有。
    public var reason: String
    public init(row: WithdrawalRow, allowlist: AllowlistStatus, eip55Valid: Bool, velocityUse: String,
                approvers: [String], matchedRule: String, feeEstimate: AmountText,
                approverNames: [String] = [], requestId: String = "", user: String = "", hotWalletAfter: String = "",
                nonce: Int64? = nil, txHash: String = "", block: UInt64? = nil, feePaid: AmountText? = nil, reason: String = "") {
        self.row = row; self.allowlist = allowlist; self.eip55Valid = eip55Valid; self.velocityUse = velocityUse
        self.approvers = approvers; self.matchedRule = matchedRule; self.feeEstimate = feeEstimate
        self.approverNames = approverNames; self.requestId = requestId; self.user = user; self.hotWalletAfter = hotWalletAfter
        self.nonce = nonce; self.txHash = txHash; self.block = block; self.feePaid = feePaid; self.reason = reason
    }
}

/// 批量批准前的汇总（总额由引擎计算）。
public struct BulkPreview: Sendable, Equatable {
    public var count: Int
    public var total: String
    public var uniqueRecipients: Int
    public init(count: Int, total: String, uniqueRecipients: Int) {
        self.count = count; self.total = total; self.uniqueRecipients = uniqueRecipients
    }
}

public enum SweepDecision: String, Sendable { case sweep, skip, topUp = "top-up" }

public struct SweepPlanRow: Sendable, Equatable {
    public var address: String
    public var asset: String
    public var amount: AmountText
    public var gasLimit: UInt64
    /// 慢/中/快三档的每 gas 最高费（gwei 数字，单位在列名里），同一口径所以 慢 ≤ 中 ≤ 快。
    public var feeSlow: String
    public var feeNormal: String
    public var feeFast: String
    public var net: AmountText
    public var decision: SweepDecision
    public var reason: String
    /// ERC-20 补 gas 状态（原生币为空串）。
    public var topUpStatus: String
    /// 详情窗格：这个地址的总手续费——最坏（gas 上限 × 最高费，EIP-1559 要预留的）与预计（按当前 base fee + 小费）。
    public var feeMax: AmountText?
    public var feeExpected: AmountText?
    public init(address: String, asset: String, amount: AmountText, gasLimit: UInt64, feeSlow: String,
                feeNormal: String, feeFast: String, net: AmountText, decision: SweepDecision, reason: String,
                topUpStatus: String, feeMax: AmountText? = nil, feeExpected: AmountText? = nil) {
        self.address = address; self.asset = asset; self.amount = amount; self.gasLimit = gasLimit
        self.feeSlow = feeSlow; self.feeNormal = feeNormal; self.feeFast = feeFast; self.net = net
        self.decision = decision; self.reason = reason; self.topUpStatus = topUpStatus
        self.feeMax = feeMax; self.feeExpected = feeExpected
    }
    /// 表格行 id：同一地址可能有多个资产。
    public var id: String { address + asset }
}

/// 最近区块的 base fee 与小费（wei/gas，整数），仅用于画走势图。
public struct FeeHistory: Sendable, Equatable {
    public var baseFeePerGas: [UInt64]
    /// 当前值的显示文本，例如 "12.3 gwei"。
    public var latestDisplay: String
    /// 最近各（非空）块小费的中位数（eth_feeHistory 的 50 百分位，旧到新）与当前「中」档小费的显示文本。
    public var tipPerGas: [UInt64]
    public var latestTipDisplay: String
    public init(baseFeePerGas: [UInt64], latestDisplay: String, tipPerGas: [UInt64] = [], latestTipDisplay: String = "") {
        self.baseFeePerGas = baseFeePerGas; self.latestDisplay = latestDisplay
        self.tipPerGas = tipPerGas; self.latestTipDisplay = latestTipDisplay
    }
}

/// 四种状态各有符号（与 CLI 的 status 一致）：封存是有意的，不可用是设备够不着，错误是钥匙不对。
public enum TierHealth: String, Sendable, CaseIterable { case ok, degraded, sealed, unavailable, error }

public struct KeyTierRow: Sendable, Equatable {
    public var keyId: String
    /// "hsm" / "kms" / "db" 等。
    public var tier: String
    public var health: TierHealth
    public var signatures: UInt64
    public var lastUse: String
    public var kekAgeDays: Int
    /// 这把钥匙是不是配置的热钱包签名器（行首标 ★）。
    public var hotSigner: Bool
    public init(keyId: String, tier: String, health: TierHealth, signatures: UInt64, lastUse: String, kekAgeDays: Int, hotSigner: Bool = false) {
        self.keyId = keyId; self.tier = tier; self.health = health; self.signatures = signatures
        self.lastUse = lastUse; self.kekAgeDays = kekAgeDays; self.hotSigner = hotSigner
    }
}

public struct KeysModel: Sendable, Equatable {
    public var seal: SealState
    public var tiers: [KeyTierRow]
    /// 热钱包 nonce 面板（缺口、外部使用）；取不到链上数据时为 nil。
    public var nonce: NonceSummary?
    public init(seal: SealState, tiers: [KeyTierRow], nonce: NonceSummary? = nil) { self.seal = seal; self.tiers = tiers; self.nonce = nonce }
}

/// 热钱包 nonce：引擎下一个、链上 latest/pending、在途笔数、缺口（会卡住后面所有交易）、外部使用（密钥在别处被用）。
public struct NonceSummary: Sendable, Equatable {
    public var next: Int64
    public var chainLatest: UInt64?
    public var chainPending: UInt64?
    public var inFlight: Int
    public var gaps: [Int64]
    public var externalUse: Bool
    public var ok: Bool { gaps.isEmpty && !externalUse }
    public init(next: Int64, chainLatest: UInt64?, chainPending: UInt64?, inFlight: Int, gaps: [Int64], externalUse: Bool) {
        self.next = next; self.chainLatest = chainLatest; self.chainPending = chainPending
        self.inFlight = inFlight; self.gaps = gaps; self.externalUse = externalUse
    }
}

public struct AuditRow: Sendable, Equatable {
    public var id: String
    public var time: String
    public var actor: String
    public var action: String
    public var target: String
    /// 该记录对应的 CLI 孪生命令，可读可重放。
    public var cliCommand: String
    public init(id: String, time: String, actor: String, action: String, target: String, cliCommand: String) {
        self.id = id; self.time = time; self.actor = actor; self.action = action; self.target = target
        self.cliCommand = cliCommand
    }
}

/// 告警级别：严重（资金或签名有风险，需要人马上看）、警告、信息。
public enum AlertLevel: String, Sendable, Equatable, CaseIterable { case critical, warning, info }

/// 告警一行。
public struct AlertRow: Sendable, Equatable {
    public var id: String
    public var time: String
    public var kind: String
    public var level: AlertLevel
    public var message: String
    public init(id: String, time: String, kind: String, level: AlertLevel, message: String) {
        self.id = id; self.time = time; self.kind = kind; self.level = level; self.message = message
    }
}

public struct DeadLetterRow: Sendable, Equatable {
    public var id: String
    public var job: String
    public var error: String
    public var attempts: Int
    public var lastAttempt: String
    public init(id: String, job: String, error: String, attempts: Int, lastAttempt: String) {
        self.id = id; self.job = job; self.error = error; self.attempts = attempts; self.lastAttempt = lastAttempt
    }
}

/// 仪表盘四个面板的数据：每个面板只取前几行。
public struct DashboardModel: Sendable {
    public var deposits: Page<DepositRow>
    public var withdrawals: Page<WithdrawalRow>
    public var sweeps: Page<SweepPlanRow>
    public var fees: FeeHistory
    public var keys: KeysModel
    /// 充值速率：最近 30 分钟每分钟新发现的充值笔数（旧到新，最后一格是当前这一分钟）。
    public var depositsPerMinute: [UInt64]
    /// 热钱包链上余额 vs 待出（还冻结着的提现金额），按资产。
    public var outflow: [OutflowGauge]
    public init(deposits: Page<DepositRow>, withdrawals: Page<WithdrawalRow>, sweeps: Page<SweepPlanRow>,
                fees: FeeHistory, keys: KeysModel, depositsPerMinute: [UInt64] = [], outflow: [OutflowGauge] = []) {
        self.deposits = deposits; self.withdrawals = withdrawals; self.sweeps = sweeps; self.fees = fees
        self.keys = keys; self.depositsPerMinute = depositsPerMinute; self.outflow = outflow
    }
}

/// 一个资产的热钱包余额与待出金额（显示文本由后端格式化、带单位）与两者之比。
public struct OutflowGauge: Sendable, Equatable {
    public var asset: String
    public var balance: String
    public var pending: String
    /// 待出 ÷ 余额：0…1 够付，> 1 余额不够；取不到链上余额为 nil。
    public var ratio: Double?
    public init(asset: String, balance: String, pending: String, ratio: Double?) {
        self.asset = asset; self.balance = balance; self.pending = pending; self.ratio = ratio
    }
}
