// 审计锚的适配：密钥与锚文件由密钥库模块管理（0600、原子写、flock），账本只见 AuditSealer 接口。
import WalletKeystore
import WalletLedger

public struct KeystoreAuditSealer: AuditSealer {
    let seal: AuditSeal
    public init(seal: AuditSeal) { self.seal = seal }
    /// home 的 keystore 目录里的审计密钥与锚。
    public init(home: HomeLayout) throws { seal = try AuditSeal(keystoreDir: home.keystoreDir) }
    public func mac(hash: String) -> String { seal.mac(hash: hash) }
    public func anchor() throws -> (id: Int64, hash: String, authentic: Bool)? {
        try seal.readAnchor().map { ($0.id, $0.hash, seal.isAuthentic($0)) }
    }
    public func advance(id: Int64, hash: String) throws { try seal.advance(id: id, hash: hash) }
}
