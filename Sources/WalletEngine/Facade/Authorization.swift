// 授权只在引擎里做：每个改变状态的引擎操作都先查这张角色矩阵（CLI 与控制台不各自判断）。
// 矩阵也是文档（docs/architecture.md「角色矩阵」由它生成说明），测试逐项枚举它。
import Foundation
import WalletCrypto
import WalletLedger

/// 引擎的全部改变状态的操作。rawValue 与审计动作名、文档一致。
public enum EngineOperation: String, CaseIterable, Sendable {
    case operatorAdd = "operator.add"
    case assetAdd = "asset.add"
    case assetUpdate = "asset.update"
    case assetDisable = "asset.disable"
    case assetEnable = "asset.enable"
    case depositXpubSet = "deposit.set_xpub"
    case addressAssign = "address.assign"
    case withdrawRequest = "withdraw.request"
    case withdrawApprove = "withdraw.approve"
    case withdrawReject = "withdraw.reject"
    case allowlistAdd = "allowlist.add"
    case allowlistActivate = "allowlist.activate"
    case hotWalletFund = "hot_wallet.fund"
    case jobRequeue = "jobs.requeue"
    case scannerRescan = "scanner.rescan"
    /// 给运行中的引擎入队一次对账（只读链、写告警）。
    case reconcileEnqueue = "reconcile.enqueue"
    case coldWalletAdd = "treasury.cold_wallet_add"
    /// 处理待处理入账（两个不同的管理员：一人提议、一人确认）。
    case suspenseResolve = "suspense.resolve"
    case keystoreUnseal = "keystore.unseal"
    /// 恐慌按钮：封存本进程并要求每个运行中的引擎 2 秒内封存。
    case keystoreSeal = "keystore.seal"
    /// 操作员手动触发的归集（签名并广播：资金移动）。引擎自动归集以系统身份运行。
    case sweepRun = "sweep.run"
    /// 改动密钥库的命令（轮换 KEK、导入、HSM 生成、封存）——home 里有账本（有操作员）时。
    case keystoreManage = "keystore.manage"
    case ceremonyStart = "ceremony.start"
    /// 批准或驳回另一位管理员的提议（法定人数）。
    case adminDecide = "admin.decide"
    /// 让 policy.json 生效（审批策略；法定人数）。
    case policySet = "policy.set"
    case signerUse = "signer.use"
    case withdrawCancel = "withdraw.cancel"
    case hsmSetPin = "hsm.set_pin"

    /// 允许的角色。viewer 只读，永远不在任何一行里。
    public var roles: Set<OperatorRole> {
        switch self {
        case .withdrawRequest: [.approver, .custodian, .admin]
        case .withdrawApprove, .withdrawReject, .allowlistAdd, .withdrawCancel: [.approver, .admin]
        case .addressAssign, .reconcileEnqueue: [.approver, .custodian, .admin]
        case .keystoreUnseal, .keystoreSeal, .sweepRun: [.custodian, .admin]
        case .keystoreManage: [.admin]
        case .operatorAdd, .assetAdd, .assetUpdate, .assetDisable, .assetEnable, .depositXpubSet,
             .allowlistActivate, .hotWalletFund, .jobRequeue, .scannerRescan, .ceremonyStart, .coldWalletAdd, .suspenseResolve, .adminDecide, .policySet,
             .signerUse: [.admin]
        case .hsmSetPin: [.custodian, .admin]
        }
    }
}

public struct AuthorizationError: WalletErrorConvertible, Equatable {
    public let operatorName: String
    public let role: String
    public let operation: EngineOperation
    /// 换一个有权限的操作员即可：输入错误，退出码 2。
    public var walletError: WalletError {
        let allowed = operation.roles.map(\.rawValue).sorted().joined(separator: "/")
        return WalletError("auth.forbidden",
            zh: "操作员 \(operatorName)（角色 \(role)）无权执行 \(operation.rawValue)；需要角色 \(allowed)。换一个有该角色的操作员（--operator）。",
            en: "operator \(operatorName) (role \(role)) may not perform \(operation.rawValue); it needs role \(allowed). Use an operator with that role (--operator).",
            badInput: true)
    }
}

extension WalletEngine {
    /// 检查角色；不符则抛出 auth.forbidden（输入错误，退出码 2），并记一条日志（不写库：被拒的操作不留痕于业务数据）。
    public func authorize(_ op: Operator, _ operation: EngineOperation) throws {
        guard operation.roles.contains(op.role) else {
            logger.warn("auth.forbidden", ["operator": .string(op.name), "role": .string(op.role.rawValue), "operation": .string(operation.rawValue)])
            throw AuthorizationError(operatorName: op.name, role: op.role.rawValue, operation: operation)
        }
    }
}
