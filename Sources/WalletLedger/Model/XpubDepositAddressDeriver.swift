// 真实的充值地址派生：账户级 xpub（如 m/44'/60'/0'）→ 外部链 0 → 第 index 个地址（EIP-55）。只需公钥。
import Foundation
import WalletCrypto
import WalletKeys

public final class XpubDepositAddressDeriver: DepositAddressDeriver, @unchecked Sendable {
    private let deriver: WatchOnlyDeriver
    private let lock = NSLock()
    /// xpub 所在的账户路径（仅用于显示，例如 m/44'/60'/0'）。
    public let accountPath: String

    public init(xpub: String, accountPath: String = "m/44'/60'/0'") throws {
        let account = try ExtendedPublicKey(string: xpub)
        deriver = try WatchOnlyDeriver(base: try account.child(0), coin: .eth)
        self.accountPath = accountPath
    }

    public func derive(index: UInt32) throws -> (address: String, path: String) {
        lock.lock(); defer { lock.unlock() }
        let (_, address) = try deriver.derive(index: index)
        return (address, "\(accountPath)/0/\(index)")
    }
}

extension Ledger {
    /// 设置项 deposit.xpub_path：xpub 对应的账户路径（默认 m/44'/60'/0'）。
    public static let depositXpubPathKey = "deposit.xpub_path"

    /// 从 settings 里的 deposit.xpub 构造派生器（没有则 nil）。引擎的 init 命令通过 setSetting 写入 xpub。
    public func configuredDeriver() throws -> (any DepositAddressDeriver)? {
        guard let x = try store.setting(Settings.depositXpub), !x.isEmpty else { return nil }
        let path = try store.setting(Ledger.depositXpubPathKey) ?? "m/44'/60'/0'"
        do { return try XpubDepositAddressDeriver(xpub: x, accountPath: path) } catch let e as WalletError {
            throw LedgerError.deriver("设置 deposit.xpub 无效：\(e.message(.zh))")
        }
    }

    /// 写入充值账户 xpub（先校验能解析为扩展公钥；拒绝 xprv）。
    public func setDepositXpub(_ xpub: String, accountPath: String = "m/44'/60'/0'", by op: String = "system") throws {
        do { _ = try XpubDepositAddressDeriver(xpub: xpub, accountPath: accountPath) } catch let e as WalletError {
            throw LedgerError.invalidArgument("xpub", e.message(.zh))
        }
        try store.transaction {
            try setSetting(Settings.depositXpub, xpub, by: op)
            try setSetting(Ledger.depositXpubPathKey, accountPath, by: op)
        }
        deriver = try configuredDeriver()
    }
}
