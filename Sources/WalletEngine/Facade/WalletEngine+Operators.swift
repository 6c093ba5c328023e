// 操作员：登录、列出、添加。第一个管理员只由 init 创建（唯一的引导例外），之后添加操作员需要 admin。
import Foundation
import WalletCrypto
import WalletLedger

extension WalletEngine {
    /// 操作员登录（口令 scrypt 校验；名字不存在与口令错误同一个错误）。
    public func authenticate(name: String, passphrase: SecretBytes) throws -> Operator {
        do { return try gate.with { l in try l.authenticate(name: name, passphrase: passphrase) } } catch {
            // 登录失败进日志（只有名字与错误码，口令绝不出现），供监控发现撞口令。
            logger.warn("auth.failed", ["operator": .string(String(name.prefix(64))), "error": .string((WalletError.known(error)?.code.rawValue ?? "error"))])
            throw error
        }
    }

    public func operators() throws -> [Operator] { try gate.with { l in try l.operators() } }

    /// 按名字取操作员（演示模式免口令登录种子操作员时用）。
    public func operatorNamed(_ name: String) throws -> Operator? {
        try gate.with { l in try l.operators().first { $0.name == name } }
    }

    @discardableResult
    public func addOperator(name: String, role: OperatorRole, passphrase: SecretBytes, by op: Operator,
                            kdf: ScryptParams = .production) throws -> Operator {
        try authorize(op, .operatorAdd)
        // 提议里只存口令的验证数据（scrypt），口令本身不落库。
        func proposal() throws -> [String: String] {
            let cred = try Ledger.operatorCredential(passphrase, kdf: kdf)
            return ["name": name, "role": role.rawValue, "credential": String(decoding: try JSONEncoder().encode(cred), as: UTF8.self)]
        }
        try quorumGate(op, .operatorAdd, summary: "operator add \(name) (\(role.rawValue))", payload: try proposal())
        let o = try gate.with { l in try l.addOperator(name: name, role: role, passphrase: passphrase, by: op, kdf: kdf) }
        logger.info("operator.added", ["name": .string(name), "role": .string(role.rawValue), "operator": .string(op.name)])
        return o
    }
}
