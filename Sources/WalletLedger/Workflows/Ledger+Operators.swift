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
        let c = try Self.operatorCredential(passphrase, kdf: kdf)
        return try insertOperator(name: name, role: role, credential: c, by: actor)
    }

    /// 口令的验证数据（盐 + scrypt 哈希 + 参数）：与 operators 表里存的一样，不是口令本身。
    /// 管理员提议「新增操作员」时先算好它，提议里只存这个（待批准期间口令不落库）。
    public struct OperatorCredential: Codable, Sendable, Equatable {
        public var salt: String
        public var hash: String
        public var n: UInt64, r: UInt64, p: UInt64
    }

    public static func operatorCredential(_ passphrase: SecretBytes, kdf: ScryptParams) throws -> OperatorCredential {
        guard passphrase.count >= 8 else { throw LedgerError.invalidArgument("passphrase", "口令至少 8 个字节", en: "the passphrase needs at least 8 bytes") }
        let salt = try SecureRandom.bytes(16)
        let hash = try KDF.scrypt(password: passphrase, salt: salt, n: kdf.n, r: kdf.r, p: kdf.p, keyLength: 32)
        return OperatorCredential(salt: Hex.encode(salt), hash: Hex.encode(hash.unsafeArray()), n: kdf.n, r: kdf.r, p: kdf.p)
    }

    /// 用预先算好的验证数据新增操作员（已批准的提议执行时）。
    @discardableResult
    public func insertOperator(name: String, role: OperatorRole, credential c: OperatorCredential, by actor: Operator?) throws -> Operator {
        let existing = try store.operators()
        if let clash = existing.first(where: { $0.name.lowercased() == name.lowercased() }) { throw LedgerError.operatorExists(clash.name) }
        if let actor { try requireRole(actor, [.admin], "operator add") }
        let op = Operator(name: name, role: role, createdAt: now)
        try store.transaction {
            try store.insertOperator(StoredOperator(op: op, salt: try Hex.decode(c.salt), hash: try Hex.decode(c.hash), n: c.n, r: c.r, p: c.p))
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
