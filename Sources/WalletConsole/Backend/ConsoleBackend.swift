import WalletCrypto

/// 控制台能发起的动作。每个动作都有 CLI 孪生命令（见 `ConsoleBackend.cliTwin(for:)`）。
public enum ConsoleAction: Sendable {
    case approve(id: String)
    case reject(id: String, reason: String)
    case bulkApprove(ids: [String])
    case requeue(deadLetterId: String)
    /// 口令解封；口令只以 SecretBytes 形式经过控制台。
    case unsealPassphrase(SecretBytes)
    /// 提交一份 Shamir 份额（助记词形式，SecretBytes 持有 UTF-8）。
    case unsealShare(SecretBytes)
    case setTheme(name: String)
    /// 恐慌按钮：封存，并让每个运行中的引擎 2 秒内停止签名。
    case seal

    /// 动作类别：用于角色权限判断。
    public var kind: ActionKind {
        switch self {
        case .approve: return .approve
        case .reject: return .reject
        case .bulkApprove: return .bulkApprove
        case .requeue: return .requeue
        case .unsealPassphrase, .unsealShare: return .unseal
        case .setTheme: return .theme
        case .seal: return .seal
        }
    }
}

public enum ActionKind: String, Sendable, CaseIterable {
    case approve, reject, bulkApprove, requeue, unseal, ceremony, theme, seal
}

/// 动作结果：引擎写入审计后返回。
public struct ActionOutcome: Sendable, Equatable {
    /// 与该动作等价的 CLI 命令（已写入审计记录）。
    public var cliCommand: String
    /// 给操作员看的结果说明（已本地化由引擎负责，或为空）。
    public var message: String
    public var auditId: String?
    public init(cliCommand: String, message: String, auditId: String? = nil) {
        self.cliCommand = cliCommand; self.message = message; self.auditId = auditId
    }
}

/// 控制台所驱动的引擎接口。由 WalletEngine 波次实现；控制台只依赖此协议，从不碰 SQL 或 C 加密。
///
/// 所有列表方法按 `PageQuery` 分页：控制台只请求可见行，10 万行也只取一屏。
public protocol ConsoleBackend: Sendable {
    func header() async throws -> HeaderSnapshot
    func dashboard(rowsPerPanel: Int) async throws -> DashboardModel
    func deposits(_ query: PageQuery) async throws -> Page<DepositRow>
    /// 按紧急度排序。
    func withdrawals(_ query: PageQuery) async throws -> Page<WithdrawalRow>
    func withdrawalDetail(id: String) async throws -> WithdrawalDetail
    func bulkPreview(ids: [String]) async throws -> BulkPreview
    func sweeps(_ query: PageQuery) async throws -> Page<SweepPlanRow>
    func feeHistory() async throws -> FeeHistory
    func keys() async throws -> KeysModel
    func audit(_ query: PageQuery) async throws -> Page<AuditRow>
    func deadLetters(_ query: PageQuery) async throws -> Page<DeadLetterRow>
    /// 告警（新到旧）。
    func alerts(_ query: PageQuery) async throws -> Page<AlertRow>
    /// 执行动作并写审计；权限不足或失败时抛出 `WalletError`。
    func perform(_ action: ConsoleAction) async throws -> ActionOutcome
    /// 动作的 CLI 孪生命令（确认对话框在执行前显示）。不得包含机密。
    func cliTwin(for action: ConsoleAction) -> String
    /// 开始密钥仪式（仅 admin）。
    func startCeremony() async throws -> any CeremonySession
}

extension ConsoleBackend {
    /// 没有告警来源的后端（演示夹具、基准）：空页。
    public func alerts(_ query: PageQuery) async throws -> Page<AlertRow> { Page(rows: [], total: 0, offset: query.offset) }
}
