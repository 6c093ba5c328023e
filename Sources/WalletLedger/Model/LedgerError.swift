// 账本模块的全部类型化错误：稳定 code + 中英文说明（说清错在哪、怎么改）。
import WalletCrypto

public enum LedgerError: WalletErrorConvertible, Equatable {
    case storage(String)
    /// 程序缺陷（不是数据库、也不是输入的问题）：整笔已回滚。与 storage 分开，免得给人「检查磁盘空间」这种误导的建议。
    case bug(String)
    case constraint(String)
    case migration(String)
    case unknownAsset(String)
    case amountEmpty
    case amountNegative(String)
    case amountMalformed(String)
    case amountTooPrecise(String, decimals: Int)
    case amountOverflow(String)
    case amountZero
    case invalidAddress(String)
    case badChecksum(String)
    case insufficientBalance(user: String, asset: String, available: String, requested: String)
    case duplicateRequest(String)
    case notFound(String, String)
    case invalidTransition(kind: String, id: Int64, from: String, to: String)
    case alreadySigned(Int64)
    case operatorExists(String)
    case unknownOperator(String)
    case badPassphrase
    case forbidden(operator: String, role: String, action: String)
    case selfApproval(String)
    case duplicateApproval(String)
    case notAllowlisted(String)
    case coolingOff(String, until: Int64)
    case policyBlocked(rule: String)
    /// 策略文件错误：键路径、中文原因、英文原因（--lang en 绝不显示中文）。
    case policyInvalid(key: String, reason: String, en: String)
    case settingMissing(String)
    case deriver(String)
    /// 参数无效：键、中文说明、英文说明（--lang en 绝不显示中文）。
    case invalidArgument(String, String, en: String)
    /// 用户因重组欠款未追回（金额为显示单位）。
    case reorgDebt(user: String, asset: String, amount: String)
    case assetDisabled(String)
    case assetExists(String)
    case allowlistSelfActivation(String)
    case contractInUse(contract: String, symbol: String)
    /// 目标地址是我们自己的（热钱包、充值地址）或某个资产的合约：链上转过去等于把钱烧掉或绕过账本。
    case forbiddenDestination(address: String, kind: DestinationKind)
    /// 租约已过期或被别的引擎接管：这个写事务被拒绝（多引擎的隔离令牌，见 ClusterRepository）。
    case leaseLost(name: String, token: Int64)

    public enum DestinationKind: String, Sendable, Equatable { case hotWallet, depositAddress, tokenContract }

    static let kindsEN = ["提现": "withdrawal", "充值": "deposit", "归集": "sweep", "任务": "job", "充值地址": "deposit address",
                          "白名单地址": "allowlisted address", "提现请求": "withdrawal request",
                          "热钱包入账": "hot-wallet inbound transfer"]
    static func en(_ kind: String) -> String { kindsEN[kind] ?? kind }

    public var walletError: WalletError {
        switch self {
        case .leaseLost(let name, let token):
            return WalletError("cluster.lease_lost", zh: "租约 \(name)（令牌 \(token)）已过期或已被另一个引擎接管，这次写入被拒绝、没有任何改动。本引擎转为备用；看 status 的 cluster 一节。",
                               en: "lease \(name) (token \(token)) expired or was taken over by another engine; this write was refused and nothing changed. This engine goes standby; see the cluster section of status.",
                               badInput: false)
        case .storage(let m):
            // PostgreSQL 的问题多半是服务器或网络（停机、断线），不是磁盘（QA：停掉 PostgreSQL 后日志里叫人查磁盘空间）。
            let remote = m.hasPrefix("PostgreSQL")
            return WalletError("ledger.storage",
                               zh: "数据库错误：\(BilingualText.split(m).zh)。" + (remote ? "检查 PostgreSQL 服务器是否在运行、网络是否通（pg_isready -h 主机 -p 端口）；恢复后自动重连，这一笔整笔重来。" : "检查磁盘空间与文件权限后重试。"),
                               en: "database error: \(BilingualText.split(m).en). " + (remote ? "Check that the PostgreSQL server is running and reachable (pg_isready -h HOST -p PORT); it reconnects by itself once it is back, and this operation is redone as a whole." : "Check disk space and permissions, then retry."),
                               badInput: false)
        case .bug(let m):
            return WalletError("ledger.bug", zh: "内部错误（程序缺陷）：\(BilingualText.split(m).zh)。这一笔已整笔回滚，库里没有任何改动；重试不会有帮助——保存日志并报告。",
                               en: "internal error (a bug): \(BilingualText.split(m).en). The whole transaction was rolled back and nothing changed; retrying will not help — keep the log and report it.",
                               badInput: false)
        case .constraint(let m):
            return WalletError("ledger.constraint", zh: "违反数据库约束：\(BilingualText.split(m).zh)（可能是重复提交）。",
                               en: "database constraint violated: \(BilingualText.split(m).en) (possibly a duplicate).", badInput: true)
        case .migration(let m):
            return WalletError("ledger.migration", zh: "数据库迁移失败：\(BilingualText.split(m).zh)。请用与该数据库匹配的版本运行。",
                               en: "database migration failed: \(BilingualText.split(m).en). Run a version matching this database.", badInput: false)
        case .unknownAsset(let a):
            return WalletError("ledger.unknown_asset", zh: "未知资产 '\(a)'。先用 asset add 登记，或检查拼写（区分大小写）。",
                               en: "unknown asset '\(a)'. Register it first or check the spelling (case-sensitive).", badInput: true)
        case .amountEmpty:
            return WalletError("amount.empty", zh: "金额为空。请给出十进制金额，例如 1.25。",
                               en: "amount is empty. Give a decimal amount such as 1.25.", badInput: true)
        case .amountNegative(let s):
            return WalletError("amount.negative", zh: "金额不能为负：'\(s)'。",
                               en: "amount must not be negative: '\(s)'.", badInput: true)
        case .amountMalformed(let s):
            return WalletError("amount.malformed", zh: "金额格式错误：'\(s)'。只允许数字和一个小数点，例如 0.5。",
                               en: "malformed amount '\(s)'. Use digits and at most one dot, e.g. 0.5.", badInput: true)
        case .amountTooPrecise(let s, let d):
            return WalletError("amount.too_precise", zh: "金额 '\(s)' 的小数位超过该资产的 \(d) 位精度，请舍去多余位数。",
                               en: "amount '\(s)' has more than the asset's \(d) decimals; drop the extra digits.", badInput: true)
        case .amountOverflow(let s):
            return WalletError("amount.overflow", zh: "金额 '\(s)' 超出 256 位整数范围。",
                               en: "amount '\(s)' does not fit in 256 bits.", badInput: true)
        case .amountZero:
            return WalletError("amount.zero", zh: "金额必须大于 0。",
                               en: "amount must be greater than 0.", badInput: true)
        case .invalidAddress(let a):
            return WalletError("address.invalid", zh: "地址格式错误：'\(a)'。需要 0x 开头的 40 位十六进制。",
                               en: "malformed address '\(a)': need 0x followed by 40 hex digits.", badInput: true)
        case .badChecksum(let a):
            return WalletError("address.bad_checksum", zh: "地址 '\(a)' 的 EIP-55 大小写校验失败：可能抄错了一位，请从来源重新复制。",
                               en: "address '\(a)' fails its EIP-55 checksum: probably mistyped; copy it again from the source.", badInput: true)
        case .insufficientBalance(let u, let a, let av, let r):
            return WalletError("withdraw.insufficient_balance", zh: "用户 \(u) 的 \(a) 可用余额 \(av) 不足以提现 \(r)。",
                               en: "user \(u) has \(av) \(a) available, less than the requested \(r).", badInput: true)
        case .duplicateRequest(let id):
            return WalletError("withdraw.duplicate_request", zh: "请求号 '\(id)' 已用于另一笔不同的提现，请换一个请求号。",
                               en: "request id '\(id)' was already used for a different withdrawal; use a new id.", badInput: true)
        case .notFound(let k, let id):
            return WalletError("ledger.not_found", zh: "找不到\(k) '\(id)'。",
                               en: "\(Self.en(k)) '\(id)' not found.", badInput: true)
        case .invalidTransition(let k, let id, let f, let t):
            return WalletError("ledger.invalid_transition", zh: "\(k) #\(id) 当前状态为 \(f)，不能变为 \(t)。",
                               en: "\(Self.en(k)) #\(id) is \(f) and cannot become \(t).", badInput: true)
        case .alreadySigned(let id):
            return WalletError("withdraw.already_signed", zh: "提现 #\(id) 已有签名交易，禁止重新签名（用已存的交易哈希查询）。",
                               en: "withdrawal #\(id) already has a signed tx; never re-sign (look up the stored hash).", badInput: true)
        case .operatorExists(let n):
            return WalletError("operator.exists", zh: "操作员 '\(n)' 已存在。",
                               en: "operator '\(n)' already exists.", badInput: true)
        case .unknownOperator(let n):
            return WalletError("operator.unknown", zh: "没有名为 '\(n)' 的操作员。",
                               en: "no operator named '\(n)'.", badInput: true)
        case .badPassphrase:
            return WalletError("operator.bad_passphrase", zh: "操作员名或口令不正确。",
                               en: "wrong operator name or passphrase.", badInput: true)
        case .forbidden(let o, let r, let a):
            return WalletError("operator.forbidden", zh: "操作员 \(o)（角色 \(r)）无权执行 \(a)。",
                               en: "operator \(o) (role \(r)) may not \(a).", badInput: true)
        case .selfApproval(let o):
            return WalletError("approval.self", zh: "\(o) 是该提现的发起人，不能批准自己的请求（四眼原则）。",
                               en: "\(o) requested this withdrawal and cannot approve it (four-eyes rule).", badInput: true)
        case .duplicateApproval(let o):
            return WalletError("approval.duplicate", zh: "\(o) 已经批准过这笔提现，需要另一位审批人。",
                               en: "\(o) already approved this withdrawal; another approver is needed.", badInput: true)
        case .notAllowlisted(let a):
            return WalletError("withdraw.not_allowlisted", zh: "目标地址 \(a) 不在白名单中或未被管理员激活。",
                               en: "destination \(a) is not on the allowlist or not activated by an admin.", badInput: true)
        case .coolingOff(let a, let until):
            return WalletError("withdraw.cooling_off", zh: "目标地址 \(a) 处于冷静期，直到 \(until)（Unix 秒）后才能使用。",
                               en: "destination \(a) is cooling off until \(until) (unix seconds).", badInput: true)
        case .policyBlocked(let r):
            return WalletError("policy.blocked", zh: "审批策略规则 '\(r)' 禁止这笔提现。",
                               en: "approval policy rule '\(r)' blocks this withdrawal.", badInput: true)
        case .policyInvalid(let k, let why, let whyEn):
            return WalletError("policy.invalid", zh: "策略配置错误，键 '\(k)'：\(why)",
                               en: "invalid policy config at key '\(k)': \(whyEn)", badInput: true)
        case .settingMissing(let k):
            return WalletError("ledger.setting_missing", zh: "缺少设置 '\(k)'：请先运行 init 或用 ledger set 写入。",
                               en: "setting '\(k)' is missing: run init first or set it.", badInput: true)
        case .deriver(let m):
            return WalletError("address.derive_failed", zh: "地址派生失败：\(BilingualText.split(m).zh)",
                               en: "address derivation failed: \(BilingualText.split(m).en)", badInput: false)
        case .invalidArgument(let k, let why, let whyEn):
            return WalletError("ledger.invalid_argument", zh: "参数 \(k) 无效：\(why)",
                               en: "invalid \(k): \(whyEn)", badInput: true)
        case .reorgDebt(let u, let a, let amt):
            return WalletError("withdraw.reorg_debt", zh: "用户 \(u) 因重组撤销的充值欠 \(amt) \(a) 未追回：追回（或运营方核销）之前不受理、不批准该用户的 \(a) 提现。",
                               en: "user \(u) owes \(amt) \(a) from a deposit reversed by a reorg: no \(a) withdrawal for this user is accepted or approved until it is recovered (or written off).", badInput: true)
        case .assetDisabled(let a):
            return WalletError("asset.disabled", zh: "资产 \(a) 已停用：不分配新地址、不受理新提现（asset enable \(a) 可恢复）。",
                               en: "asset \(a) is disabled: no new addresses or withdrawals (asset enable \(a) restores it).", badInput: true)
        case .assetExists(let a):
            return WalletError("asset.exists", zh: "资产 \(a) 已存在：asset add 只新建；修改用 asset update \(a)。",
                               en: "asset \(a) already exists: asset add only creates; use asset update \(a) to change it.", badInput: true)
        case .contractInUse(let c, let sym):
            return WalletError("asset.contract_in_use", zh: "合约 \(c) 已登记为资产 \(sym)：同一合约不能登记两次（否则同一笔转账会被当成两种资产）。",
                               en: "contract \(c) is already registered as asset \(sym): one contract cannot be registered twice (a transfer would count as two assets).", badInput: true)
        case .allowlistSelfActivation(let o):
            return WalletError("allowlist.self_activation", zh: "\(o) 亲自加入了这个白名单地址，不能再由自己激活（四眼原则）：请另一位管理员激活。",
                               en: "\(o) added this allowlist address and cannot also activate it (four-eyes rule): another admin must activate it.", badInput: true)
        case .forbiddenDestination(let a, let k):
            let (zh, en): (String, String)
            switch k {
            case .hotWallet: (zh, en) = ("目标地址 \(a) 是我们自己的热钱包：这不是提现。", "destination \(a) is our own hot wallet: that is not a withdrawal.")
            case .depositAddress: (zh, en) = ("目标地址 \(a) 是本钱包的充值地址：站内转账请在账上划转，不要上链（否则手续费白付、充值被重复入账）。",
                                              "destination \(a) is one of our deposit addresses: move funds between users in the books, not on chain (fees wasted, deposit credited twice).")
            case .tokenContract: (zh, en) = ("目标地址 \(a) 是一个资产的代币合约：转到合约地址的资金通常无法取回。请核对收款地址。",
                                             "destination \(a) is a token contract: funds sent to a contract address are usually lost. Check the recipient address.")
            }
            return WalletError("withdraw.forbidden_destination", zh: zh, en: en, badInput: true)
        }
    }
}
