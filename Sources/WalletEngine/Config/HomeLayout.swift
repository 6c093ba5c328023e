// 数据目录布局：一个 home 装下一个钱包实例的全部状态。
//   <home>/config.json      引擎配置（0600）
//   <home>/wallet.db        账本数据库（SQLite WAL）
//   <home>/keystore/        密钥库（0700 目录、0600 文件）
//   <home>/logs/engine.log  结构化日志（JSON Lines，0600）
//   <home>/policy.json      审批策略（账本模块读取）
//   <home>/engine.lock      引擎进程锁（同一 home 只允许一个 engine run）
import Foundation

public struct HomeLayout: Sendable, Equatable {
    public let root: String

    public init(_ root: String) {
        self.root = (root as NSString).standardizingPath
    }

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    public var configFile: String { path("config.json") }
    public var databaseFile: String { path("wallet.db") }
    public var keystoreDir: String { path("keystore") }
    public var logsDir: String { path("logs") }
    public var policyFile: String { path("policy.json") }
    public var lockFile: String { path("engine.lock") }

    /// 日志文件的绝对路径（配置里可写相对 home 的路径）。
    public func logFile(_ config: EngineConfig) -> String {
        config.logPath.hasPrefix("/") ? config.logPath : path(config.logPath)
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: configFile) }

    /// 建目录：home 与 logs 均为 0700（日志虽无机密，但含地址与金额，属于内部运营数据）。
    public func createDirectories() throws {
        for dir in [root, logsDir] {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw EngineError("home.create_failed", zh: "无法创建目录 \(dir)：\(error.localizedDescription)。检查上级目录的权限。",
                                  en: "cannot create directory \(dir): \(error.localizedDescription). Check the parent's permissions.", badInput: false)
            }
        }
    }
}
