// 操作员：角色 + scrypt 口令哈希（RFC 7914）。口令只以 SecretBytes 经过内存，比较用常量时间。
import WalletCrypto

extension Ledger {
    /// 添加操作员。库里还没有任何操作员时允许无认证创建第一个（必须是 admin）；之后只有 admin 能添加。
    @discardableResult
    public func addOperator(name: String, role: OperatorRole, passphrase: SecretBytes, by actor: Operator?,
                            kdf: ScryptParams = .production) throws -> Operator {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw LedgerError.invalidArgument("name", "1–64 个字母、数字或 - _ .", en: "1–64 letters, digits or - _ .")
        }
        guard passphrase.count >= 8 else { throw LedgerError.invalidArgument("passphrase", "口令至少 8 个字节", en: "the passphrase needs at least 8 bytes") }
        let existing = try store.operators()
        // 名字不区分大小写：「Bob」与「bob」在审计里会被看成同一个人，四眼原则就失去意义。
        if let clash = existing.first(where: { $0.name.lowercased() == name.lowercased() }) { throw LedgerError.operatorExists(clash.name) }
        if let actor {
            try requireRole(actor, [.admin], "operator add")
        } else {
            guard existing.isEmpty else { throw LedgerError.forbidden(operator: "(无)", role: "-", action: "operator add（需要管理员认证）") }
            guard role == .admin else { throw LedgerError.invalidArgument("role", "第一个操作员必须是 admin", en: "the first operator must be an admin") }
        }
        guard !existing.contains(where: { $0.name == name }) else { throw LedgerError.operatorExists(name) }
        let salt = try SecureRandom.bytes(16)
        let hash = try KDF.scrypt(password: passphrase, salt: salt, n: kdf.n, r: kdf.r, p: kdf.p, keyLength: 32)
        let op = Operator(name: name, role: role, createdAt: now)
        try store.transaction {
            try store.insertOperator(StoredOperator(op: op, salt: salt, hash: hash.unsafeArray(), n: kdf.n, r: kdf.r, p: kdf.p))
            try audit(actor?.name ?? name, "operator.add", name, ["role": role.rawValue])
        }
        return op
    }

    /// 校验操作员口令。名字不存在与口令错误返回同一个错误（不泄露哪个操作员存在）。
    public func authenticate(name: String, passphrase: SecretBytes) throws -> Operator {
        guard let s = try store.storedOperator(name) else {
            // 仍做一次同参数 KDF，避免用时差探测操作员名。
            _ = try? KDF.scrypt(password: passphrase, salt: [UInt8](repeating: 0, count: 16), n: ScryptParams.production.n, r: 8, p: 1, keyLength: 32)
            throw LedgerError.badPassphrase
        }
        let h = try KDF.scrypt(password: passphrase, salt: s.salt, n: s.n, r: s.r, p: s.p, keyLength: 32)
        guard SecretBytes.constantTimeEqual(h.unsafeArray(), s.hash) else { throw LedgerError.badPassphrase }
        return s.op
    }

    public func operators() throws -> [Operator] { try store.operators() }
}
