// 充值地址派生：全系统只有这一个实现。address assign 用它派生并把（地址, 完整路径）落库；
// 扫块器监视的正是落库的地址，归集按落库的路径签名——三者由构造保证一致（见 docs/architecture.md「一条路径」）。
//
// 约定：设置项 deposit.xpub 是路径 deposit.xpub_path（默认 m/44'/60'/0'/0，BIP-44 外部链）上的扩展公钥，
// 第 i 个地址 = xpub 的第 i 个非硬化子节点，完整路径 = deposit.xpub_path/i。主机上只需公钥。
import Foundation
import Synchronization
import WalletCrypto
import WalletKeys

public final class XpubDepositAddressDeriver: DepositAddressDeriver, Sendable {
    /// BIP-44 以太坊外部链：init 写入的就是这一层的 xpub。
    public static let defaultXpubPath = "m/44'/60'/0'/0"

    // WatchOnlyDeriver 复用内部缓冲区（不可并发）：放进 Mutex。
    private let deriver: Mutex<WatchOnlyDeriver>
    /// xpub 自身所在的完整路径（例如 m/44'/60'/0'/0）。
    public let xpubPath: String

    public init(xpub: String, xpubPath: String = XpubDepositAddressDeriver.defaultXpubPath) throws {
        let node = try ExtendedPublicKey(string: xpub)
        let parsed = try DerivationPath(string: xpubPath)
        // 路径深度必须与 xpub 记录的深度一致：否则落库的「完整路径」与真实派生不符，归集会用错私钥。
        guard parsed.isAbsolute, parsed.components.count == Int(node.depth),
              parsed.components.last.map({ $0 == node.childNumber }) ?? (node.depth == 0) else {
            throw LedgerError.invalidArgument("xpub-path", "路径 \(xpubPath) 与 xpub 不符（xpub 深度 \(node.depth)、子索引 \(node.childNumber)）",
                                                 en: "path \(xpubPath) does not match the xpub (depth \(node.depth), child index \(node.childNumber))")
        }
        deriver = Mutex(try WatchOnlyDeriver(base: node, coin: .eth))
        self.xpubPath = xpubPath
    }

    public func derive(index: UInt32) throws -> (address: String, path: String) {
        let address = try deriver.withLock { d in try d.derive(index: index).1 }
        return (address, "\(xpubPath)/\(index)")
    }
}

extension Ledger {
    /// 设置项 deposit.xpub_path：deposit.xpub 所在的完整路径。
    public static let depositXpubPathKey = "deposit.xpub_path"

    /// 从 settings 里的 deposit.xpub / deposit.xpub_path 构造派生器（没有则 nil）。
    public func configuredDeriver() throws -> (any DepositAddressDeriver)? {
        guard let x = try store.setting(Settings.depositXpub), !x.isEmpty else { return nil }
        let path = try store.setting(Ledger.depositXpubPathKey) ?? XpubDepositAddressDeriver.defaultXpubPath
        do { return try XpubDepositAddressDeriver(xpub: x, xpubPath: path) } catch let e as any WalletErrorConvertible {
            throw LedgerError.deriver("设置 deposit.xpub 无效：\(e.message(.zh))")
        }
    }

    /// 写入充值 xpub 及其完整路径（先校验能解析为扩展公钥、深度与路径一致；拒绝 xprv）。
    /// 已分配过地址后拒绝更换：否则新旧地址来自两棵树，已落库的路径对新种子失效。
    public func setDepositXpub(_ xpub: String, xpubPath: String = XpubDepositAddressDeriver.defaultXpubPath,
                               by op: String = "system") throws {
        let d: XpubDepositAddressDeriver
        do { d = try XpubDepositAddressDeriver(xpub: xpub, xpubPath: xpubPath) } catch let e as any WalletErrorConvertible {
            throw LedgerError.invalidArgument("xpub", e.message(.zh), en: e.message(.en))
        }
        try store.transaction {
            let before = try store.setting(Settings.depositXpub)
            let beforePath = try store.setting(Ledger.depositXpubPathKey) ?? XpubDepositAddressDeriver.defaultXpubPath
            // 换 xpub 或只换路径都不行：已落库的地址、路径与新设置不再对应，归集会用错私钥。
            if let before, before != xpub || beforePath != xpubPath, try store.nextDepositIndex() > 0 {
                throw LedgerError.invalidArgument("xpub", "已经分配过充值地址，不能更换充值 xpub（会让已分配地址与新种子脱节）",
                                              en: "deposit addresses were already assigned; the deposit xpub cannot change (assigned addresses would lose their seed)")
            }
            try store.setSetting(Settings.depositXpub, xpub)
            try store.setSetting(Ledger.depositXpubPathKey, xpubPath)
            try audit(op, "setting.set", Settings.depositXpub, ["before": before ?? "", "after": xpub, "path": xpubPath])
        }
        deriver = d
    }
}
