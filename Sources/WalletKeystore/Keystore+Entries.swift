// 密钥条目：每把密钥一个文件 keys/<id>.wcks。
//   blobA = KEK_v 封装的数据密钥（AD = 不可变元数据 ‖ 可变元数据{kekVersion}）
//   blobB = 数据密钥加密的机密（AD = 不可变元数据：id、层级、类型、版本……），两份密文互换即认证失败。
import Foundation
import WalletCrypto

extension Keystore {
    struct Entry {
        var info: KeyInfo
        var kekVersion: Int
        var container: Container
    }

    static func dkAD(_ imm: [UInt8], _ mut: [UInt8]) -> [UInt8] { Array("wcks/dk/v1".utf8) + imm + mut }
    static func secretAD(_ imm: [UInt8]) -> [UInt8] { Array("wcks/secret/v1".utf8) + imm }

    func entryPath(_ id: String) -> String { keysDir + "/" + id + ".wcks" }

    func entryIds() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: keysDir)) ?? []
        return names.filter { $0.hasSuffix(".wcks") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }.sorted()
    }

    func loadEntry(_ id: String) throws -> Entry {
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), !id.isEmpty else { throw KeystoreError.keyNotFound(id) }
        let path = entryPath(id)
        guard SecureFile.exists(path) else { throw KeystoreError.keyNotFound(id) }
        let c = try Container.decode(try SecureFile.read(path), file: path)
        guard c.kind == .key,
              let info = try? JSONDecoder().decode(KeyInfo.self, from: Data(c.immutableMeta)),
              let mut = try? JSONDecoder().decode(KeyMutable.self, from: Data(c.mutableMeta)),
              info.id == id
        else { throw KeystoreError.corrupted(file: path, detail: "条目元数据 / entry metadata") }
        return Entry(info: info, kekVersion: mut.kekVersion, container: c)
    }

    /// 调用方须持有 lock 且已解封。
    /// 解开条目的数据密钥。条目引用的 KEK 版本不在内存环里时（别的进程刚轮换过），持文件锁重读头部再试一次。
    func unwrapDataKey(_ e: Entry, reloadOnMiss: Bool = true) throws -> SecretBytes {
        if keyring[e.kekVersion] == nil, reloadOnMiss, let root {
            try SecureFile.withLock(directory) { try reloadHeaderLocked(root: root) }
        }
        guard let kek = keyring[e.kekVersion] else {
            throw KeystoreError.corrupted(file: entryPath(e.info.id), detail: "引用了已退役的 KEK v\(e.kekVersion) / retired KEK")
        }
        do {
            return try AESGCM.open(try AESGCM.Sealed(packed: e.container.blobA, file: entryPath(e.info.id)), key: kek,
                                   associatedData: Keystore.dkAD(e.container.immutableMeta, e.container.mutableMeta))
        } catch CipherError.authenticationFailed {
            throw KeystoreError.corrupted(file: entryPath(e.info.id), detail: "数据密钥认证失败 / data key authentication failed")
        }
    }

    // MARK: 公开 API

    /// 列出全部密钥（封存状态下也可用：只读元数据）。损坏的条目直接报错而不是悄悄略过。
    public func list() throws -> [KeyInfo] {
        try entryIds().map { try loadEntry($0).info }.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }

    public func info(id: String) throws -> KeyInfo { try loadEntry(id).info }

    /// 以信封加密保存一个机密（需已解封）。返回新条目的元数据。
    @discardableResult
    public func store(secret: SecretBytes, kind: KeyKind, label: String, tier: KeyTier = .encryptedDB,
                      algorithm: String = "secp256k1", address: String? = nil, publicKey: String? = nil,
                      fingerprint: String? = nil, hsm: HSMReference? = nil, kms: KMSReference? = nil) throws -> KeyInfo
    {
        lock.lock(); defer { lock.unlock() }
        guard let root else { throw KeystoreError.sealed }
        guard label.count <= 128, !label.contains("\n") else { throw KeystoreError.invalidInput("标签过长或含换行 / label too long or multi-line") }
        let info = KeyInfo(formatVersion: 1, id: try Keystore.newId(prefix: "key"), label: label, tier: tier, kind: kind,
                           algorithm: algorithm, address: address, publicKey: publicKey, fingerprint: fingerprint,
                           created: ISOTime.now(), hsm: hsm, kms: kms)
        try sealEntry(id: info.id, imm: try Keystore.encodeJSON(info), secret: secret, root: root)
        audit.record("keystore.store", result: "ok", detail: ["id": info.id, "kind": kind.rawValue, "tier": tier.rawValue])
        return info
    }

    /// 换掉一个条目的机密（HSM 条目的 PIN 在令牌上改了之后）：元数据不变，新数据密钥，用磁盘上当前的 KEK 封装。
    func replaceSecret(id: String, secret: SecretBytes) throws {
        lock.lock(); defer { lock.unlock() }
        guard let root else { throw KeystoreError.sealed }
        try sealEntry(id: id, imm: try loadEntry(id).container.immutableMeta, secret: secret, root: root)
        audit.record("keystore.replace_secret", result: "ok", detail: ["id": id])
    }

    /// 新数据密钥加密机密，再用磁盘上「当前」的 KEK 封装并原子写入（调用方持有 lock）。store 与 replaceSecret 共用：
    /// 别的进程可能刚轮换过 KEK，用打开时的旧版本会让条目引用一个即将退役的 KEK。
    private func sealEntry(id: String, imm: [UInt8], secret: SecretBytes, root: SecretBytes) throws {
        let dk = try SecureRandom.secret(32)
        let body = try AESGCM.seal(secret, key: dk, associatedData: Keystore.secretAD(imm))
        try SecureFile.withLock(directory) {
            try reloadHeaderLocked(root: root)
            guard let kek = keyring[mutableMeta.currentKEK] else { throw KeystoreError.sealed }
            let mut = try Keystore.encodeJSON(KeyMutable(kekVersion: mutableMeta.currentKEK))
            let wrapped = try AESGCM.seal(dk, key: kek, associatedData: Keystore.dkAD(imm, mut))
            let c = Container(kind: .key, immutableMeta: imm, mutableMeta: mut, blobA: wrapped.packed, blobB: body.packed)
            try SecureFile.ensureDirectory(keysDir)
            try SecureFile.atomicWrite(entryPath(id), c.encode())
        }
    }

    /// 在闭包内短暂使用机密；返回后机密被清零。
    public func withSecret<R>(id: String, _ body: (SecretBytes, KeyInfo) throws -> R) throws -> R {
        lock.lock()
        guard root != nil else { lock.unlock(); throw KeystoreError.sealed }
        let secret: SecretBytes, info: KeyInfo
        do {
            let e = try loadEntry(id)
            let dk = try unwrapDataKey(e)
            do {
                secret = try AESGCM.open(try AESGCM.Sealed(packed: e.container.blobB, file: entryPath(id)), key: dk,
                                         associatedData: Keystore.secretAD(e.container.immutableMeta))
            } catch CipherError.authenticationFailed {
                throw KeystoreError.corrupted(file: entryPath(id), detail: "机密认证失败 / secret authentication failed")
            }
            info = e.info
        } catch { lock.unlock(); throw error }
        lock.unlock()
        return try body(secret, info)
    }

    /// 删除条目（审计）。
    public func remove(id: String) throws {
        _ = try loadEntry(id)
        try SecureFile.withLock(directory) {
            guard unlink(entryPath(id)) == 0 else { throw KeystoreError.io("unlink \(id)") }
        }
        audit.record("keystore.remove", result: "ok", detail: ["id": id])
    }

    // MARK: 使用统计（非机密）

    struct Usage: Codable { var lastUsed: String; var signatures: Int }

    func readUsage() -> [String: Usage] {
        guard let b = try? SecureFile.read(usagePath) else { return [:] }
        return (try? JSONDecoder().decode([String: Usage].self, from: Data(b))) ?? [:]
    }

    /// 记录一次签名（签名器调用）。
    public func recordSignature(id: String) {
        _ = try? SecureFile.withLock(directory) {
            var u = readUsage()
            u[id] = Usage(lastUsed: ISOTime.now(), signatures: (u[id]?.signatures ?? 0) + 1)
            try SecureFile.atomicWrite(usagePath, try Keystore.encodeJSON(u))
        }
    }

    public func usage(id: String) -> (lastUsed: String?, signatures: Int) {
        let u = readUsage()[id]
        return (u?.lastUsed, u?.signatures ?? 0)
    }

    /// 条目当前使用的 KEK 版本。
    public func kekVersion(id: String) throws -> Int { try loadEntry(id).kekVersion }
}
