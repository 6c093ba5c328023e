// 账本与密钥模块的接线：EIP-55 校验（WalletCrypto Keccak）与从 settings 中的 xpub 派生充值地址（WalletKeys BIP-32）。
import Foundation
import WalletCrypto
import WalletLedger

enum LedgerIntegration {
    static var addressValidator: AddressValidator { .eip55 }

    /// settings 中有 deposit.xpub 时返回真实 BIP-32 派生器；没有则 nil（address assign 会报 setting_missing）。
    static func deriver(_ ledger: Ledger) throws -> (any DepositAddressDeriver)? {
        try ledger.configuredDeriver()
    }
}
