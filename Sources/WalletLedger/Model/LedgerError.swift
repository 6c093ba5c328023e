// 账本模块的全部类型化错误：稳定 code + 中英文说明（说清错在哪、怎么改）。
import WalletCrypto

public enum LedgerError: WalletError, Equatable {
    case storage(String)
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
    case policyInvalid(key: String, reason: String)
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

    public enum DestinationKind: String, Sendable, Equatable { case hotWallet, depositAddress, tokenContract }

    public var code: String {
        switch self {
        case .storage: return "ledger.storage"
        case .constraint: return "ledger.constraint"
        case .migration: return "ledger.migration"
        case .unknownAsset: return "ledger.unknown_asset"
        case .amountEmpty: return "amount.empty"
        case .amountNegative: return "amount.negative"
        case .amountMalformed: return "amount.malformed"
        case .amountTooPrecise: return "amount.too_precise"
        case .amountOverflow: return "amount.overflow"
        case .amountZero: return "amount.zero"
        case .invalidAddress: return "address.invalid"
        case .badChecksum: return "address.bad_checksum"
        case .insufficientBalance: return "withdraw.insufficient_balance"
        case .duplicateRequest: return "withdraw.duplicate_request"
        case .notFound: return "ledger.not_found"
        case .invalidTransition: return "ledger.invalid_transition"
        case .alreadySigned: return "withdraw.already_signed"
        case .operatorExists: return "operator.exists"
        case .unknownOperator: return "operator.unknown"
        case .badPassphrase: return "operator.bad_passphrase"
        case .forbidden: return "operator.forbidden"
        case .selfApproval: return "approval.self"
        case .duplicateApproval: return "approval.duplicate"
        case .notAllowlisted: return "withdraw.not_allowlisted"
        case .coolingOff: return "withdraw.cooling_off"
        case .policyBlocked: return "policy.blocked"
        case .policyInvalid: return "policy.invalid"
        case .settingMissing: return "ledger.setting_missing"
        case .deriver: return "address.derive_failed"
        case .invalidArgument: return "ledger.invalid_argument"
        case .reorgDebt: return "withdraw.reorg_debt"
        case .assetDisabled: return "asset.disabled"
        case .assetExists: return "asset.exists"
        case .allowlistSelfActivation: return "allowlist.self_activation"
        case .contractInUse: return "asset.contract_in_use"
        case .forbiddenDestination: return "withdraw.forbidden_destination"
        }
    }

    public var isBadInput: Bool {
        switch self {
        case .storage, .migration, .deriver: return false
        default: return true
        }
    }

    static let kindsEN = ["提现": "withdrawal", "充值": "deposit", "归集": "sweep", "任务": "job", "充值地址": "deposit address",
                          "白名单地址": "allowlisted address", "提现请求": "withdrawal request"]
    static func en(_ kind: String) -> String { kindsEN[kind] ?? kind }

    public func message(_ lang: Language) -> String {
        let zh = lang == .zh
        switch self {
        case .storage(let m): return zh ? "数据库错误：\(m)。检查磁盘空间与文件权限后重试。" : "database error: \(m). Check disk space and permissions, then retry."
        case .constraint(let m): return zh ? "违反数据库约束：\(m)（可能是重复提交）。" : "database constraint violated: \(m) (possibly a duplicate)."
        case .migration(let m): return zh ? "数据库迁移失败：\(m)。请用与该数据库匹配的版本运行。" : "database migration failed: \(m). Run a version matching this database."
        case .unknownAsset(let a): return zh ? "未知资产 '\(a)'。先用 asset add 登记，或检查拼写（区分大小写）。" : "unknown asset '\(a)'. Register it first or check the spelling (case-sensitive)."
        case .amountEmpty: return zh ? "金额为空。请给出十进制金额，例如 1.25。" : "amount is empty. Give a decimal amount such as 1.25."
        case .amountNegative(let s): return zh ? "金额不能为负：'\(s)'。" : "amount must not be negative: '\(s)'."
        case .amountMalformed(let s): return zh ? "金额格式错误：'\(s)'。只允许数字和一个小数点，例如 0.5。" : "malformed amount '\(s)'. Use digits and at most one dot, e.g. 0.5."
        case .amountTooPrecise(let s, let d): return zh ? "金额 '\(s)' 的小数位超过该资产的 \(d) 位精度，请舍去多余位数。" : "amount '\(s)' has more than the asset's \(d) decimals; drop the extra digits."
        case .amountOverflow(let s): return zh ? "金额 '\(s)' 超出 256 位整数范围。" : "amount '\(s)' does not fit in 256 bits."
        case .amountZero: return zh ? "金额必须大于 0。" : "amount must be greater than 0."
        case .invalidAddress(let a): return zh ? "地址格式错误：'\(a)'。需要 0x 开头的 40 位十六进制。" : "malformed address '\(a)': need 0x followed by 40 hex digits."
        case .badChecksum(let a): return zh ? "地址 '\(a)' 的 EIP-55 大小写校验失败：可能抄错了一位，请从来源重新复制。" : "address '\(a)' fails its EIP-55 checksum: probably mistyped; copy it again from the source."
        case .insufficientBalance(let u, let a, let av, let r): return zh ? "用户 \(u) 的 \(a) 可用余额 \(av) 不足以提现 \(r)。" : "user \(u) has \(av) \(a) available, less than the requested \(r)."
        case .duplicateRequest(let id): return zh ? "请求号 '\(id)' 已用于另一笔不同的提现，请换一个请求号。" : "request id '\(id)' was already used for a different withdrawal; use a new id."
        case .notFound(let k, let id): return zh ? "找不到\(k) '\(id)'。" : "\(Self.en(k)) '\(id)' not found."
        case .invalidTransition(let k, let id, let f, let t): return zh ? "\(k) #\(id) 当前状态为 \(f)，不能变为 \(t)。" : "\(Self.en(k)) #\(id) is \(f) and cannot become \(t)."
        case .alreadySigned(let id): return zh ? "提现 #\(id) 已有签名交易，禁止重新签名（用已存的交易哈希查询）。" : "withdrawal #\(id) already has a signed tx; never re-sign (look up the stored hash)."
        case .operatorExists(let n): return zh ? "操作员 '\(n)' 已存在。" : "operator '\(n)' already exists."
        case .unknownOperator(let n): return zh ? "没有名为 '\(n)' 的操作员。" : "no operator named '\(n)'."
        case .badPassphrase: return zh ? "操作员名或口令不正确。" : "wrong operator name or passphrase."
        case .forbidden(let o, let r, let a): return zh ? "操作员 \(o)（角色 \(r)）无权执行 \(a)。" : "operator \(o) (role \(r)) may not \(a)."
        case .selfApproval(let o): return zh ? "\(o) 是该提现的发起人，不能批准自己的请求（四眼原则）。" : "\(o) requested this withdrawal and cannot approve it (four-eyes rule)."
        case .duplicateApproval(let o): return zh ? "\(o) 已经批准过这笔提现，需要另一位审批人。" : "\(o) already approved this withdrawal; another approver is needed."
        case .notAllowlisted(let a): return zh ? "目标地址 \(a) 不在白名单中或未被管理员激活。" : "destination \(a) is not on the allowlist or not activated by an admin."
        case .coolingOff(let a, let until): return zh ? "目标地址 \(a) 处于冷静期，直到 \(until)（Unix 秒）后才能使用。" : "destination \(a) is cooling off until \(until) (unix seconds)."
        case .policyBlocked(let r): return zh ? "审批策略规则 '\(r)' 禁止这笔提现。" : "approval policy rule '\(r)' blocks this withdrawal."
        case .policyInvalid(let k, let why): return zh ? "策略配置错误，键 '\(k)'：\(why)" : "invalid policy config at key '\(k)': \(why)"
        case .settingMissing(let k): return zh ? "缺少设置 '\(k)'：请先运行 init 或用 ledger set 写入。" : "setting '\(k)' is missing: run init first or set it."
        case .deriver(let m): return zh ? "地址派生失败：\(m)" : "address derivation failed: \(m)"
        case .invalidArgument(let k, let why, let whyEn): return zh ? "参数 \(k) 无效：\(why)" : "invalid \(k): \(whyEn)"
        case .reorgDebt(let u, let a, let amt):
            return zh ? "用户 \(u) 因重组撤销的充值欠 \(amt) \(a) 未追回：追回（或运营方核销）之前不受理、不批准该用户的 \(a) 提现。"
                      : "user \(u) owes \(amt) \(a) from a deposit reversed by a reorg: no \(a) withdrawal for this user is accepted or approved until it is recovered (or written off)."
        case .assetDisabled(let a):
            return zh ? "资产 \(a) 已停用：不分配新地址、不受理新提现（asset enable \(a) 可恢复）。" : "asset \(a) is disabled: no new addresses or withdrawals (asset enable \(a) restores it)."
        case .assetExists(let a):
            return zh ? "资产 \(a) 已存在：asset add 只新建；修改用 asset update \(a)。" : "asset \(a) already exists: asset add only creates; use asset update \(a) to change it."
        case .contractInUse(let c, let sym):
            return zh ? "合约 \(c) 已登记为资产 \(sym)：同一合约不能登记两次（否则同一笔转账会被当成两种资产）。"
                      : "contract \(c) is already registered as asset \(sym): one contract cannot be registered twice (a transfer would count as two assets)."
        case .allowlistSelfActivation(let o):
            return zh ? "\(o) 亲自加入了这个白名单地址，不能再由自己激活（四眼原则）：请另一位管理员激活。"
                      : "\(o) added this allowlist address and cannot also activate it (four-eyes rule): another admin must activate it."
        case .forbiddenDestination(let a, let k):
            switch k {
            case .hotWallet: return zh ? "目标地址 \(a) 是我们自己的热钱包：这不是提现。" : "destination \(a) is our own hot wallet: that is not a withdrawal."
            case .depositAddress: return zh ? "目标地址 \(a) 是本钱包的充值地址：站内转账请在账上划转，不要上链（否则手续费白付、充值被重复入账）。"
                                            : "destination \(a) is one of our deposit addresses: move funds between users in the books, not on chain (fees wasted, deposit credited twice)."
            case .tokenContract: return zh ? "目标地址 \(a) 是一个资产的代币合约：转到合约地址的资金通常无法取回。请核对收款地址。"
                                           : "destination \(a) is a token contract: funds sent to a contract address are usually lost. Check the recipient address."
            }
        }
    }
}
