// 信封加密 keystore：解封密钥(root) → 封装 KEK 版本环(keyring) → 每把密钥自己的数据密钥(DK) → 机密密文。
// 目录 <home>/keystore/（0700）：keystore.wcks（头 + 加密的 KEK 环）、keys/<id>.wcks、usage.json、audit.log。
// 线程安全：所有状态在 NSLock 内；跨进程写入用 flock。
import CPKCS11
import Foundation
import WalletCrypto

// @unchecked Sendable：meta 只在 init 里赋值；其余可变状态（headerContainer、mutableMeta、root、keyring、pendingShares、
// unsealedAtGeneration）只在持有 lock 时读写——公开方法先加锁，再调用不加锁的内部函数（openKeyring、reloadHeaderLocked、
// writeHeader、unwrapDataKey、sealEntry、recordSuccess）；跨进程写入另用 flock。状态分散在几个 extension 文件里、
// 加锁区间里有大量抛错路径，没有改成 Mutex<State>。
public final class Keystore: @unchecked Sendable {
    /// 可调参数：测试用小 scrypt N 和短退避。
    public struct Options: Sendable {
        public var scrypt: ScryptParams
        /// 第一次失败后的等待秒数；之后每次翻倍，封顶 backoffMax。
        public var backoffBase: Double
        public var backoffMax: Double
        public init(scrypt: ScryptParams = .standard, backoffBase: Double = 1, backoffMax: Double = 900) {
            self.scrypt = scrypt; self.backoffBase = backoffBase; self.backoffMax = backoffMax
        }
    }

    struct HeaderMeta: Codable {
        var formatVersion: Int
        var keystoreId: String
        var created: String
        var sealMode: SealMode
        var scrypt: ScryptParams?
        var salt: String?
        var threshold: Int?
        var shareCount: Int?
    }

    struct HeaderMutable: Codable {
        var currentKEK: Int
        var kekVersions: [KEKVersionInfo]
    }

    struct KeyMutable: Codable {
        var kekVersion: Int
    }

    struct FailureState: Codable {
        var failures: Int
        var last: Double
    }

    public let directory: String
    public let options: Options
    public let audit: AuditLog
    let lock = NSLock()
    var headerContainer: Container
    var meta: HeaderMeta
    var mutableMeta: HeaderMutable
    var root: SecretBytes?
    var keyring: [Int: SecretBytes] = [:]
    var pendingShares: [GF256.RawShare] = []
    /// 解封时看到的封存请求代次：之后有人（任何进程）再请求封存，代次变大，本进程就必须封存。
    var unsealedAtGeneration = 0
    let signerCache = SignerCache()

    var headerPath: String { directory + "/keystore.wcks" }
    var keysDir: String { directory + "/keys" }
    var failurePath: String { directory + "/unseal-failures.json" }
    var usagePath: String { directory + "/usage.json" }

    static func directory(home: String) -> String { (home as NSString).appendingPathComponent("keystore") }

    public static func exists(home: String) -> Bool { SecureFile.exists(directory(home: home) + "/keystore.wcks") }

    private init(directory: String, options: Options, container: Container) throws {
        self.directory = directory
        self.options = options
        self.audit = AuditLog(path: directory + "/audit.log")
        self.headerContainer = container
        let dec = JSONDecoder()
        do {
            meta = try dec.decode(HeaderMeta.self, from: Data(container.immutableMeta))
            mutableMeta = try dec.decode(HeaderMutable.self, from: Data(container.mutableMeta))
        } catch {
            throw KeystoreError.corrupted(file: directory + "/keystore.wcks", detail: "头部元数据无法解析 / header metadata unparsable")
        }
        guard container.kind == .header else {
            throw KeystoreError.corrupted(file: directory + "/keystore.wcks", detail: "不是头文件 / not a header")
        }
    }

    // MARK: 打开 / 初始化

    /// 打开已存在的 keystore（封存状态）。同时关闭本进程的 core dump。
    public static func open(home: String, options: Options = Options()) throws -> Keystore {
        ProcessHardening.apply()
        let dir = directory(home: home)
        guard exists(home: home) else { throw KeystoreError.notInitialized(dir) }
        try SecureFile.ensureDirectory(dir)
        let path = dir + "/keystore.wcks"
        // 清理被杀掉的写入者留下的临时文件（持锁进行：所有写入都在同一把锁内，不会删到正在写的文件）。
        try SecureFile.withLock(dir) {
            for d in [dir, dir + "/keys"] {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
                    unlink(d + "/" + name)
                }
            }
        }
        let c = try Container.decode(try SecureFile.read(path), file: path)
        return try Keystore(directory: dir, options: options, container: c)
    }

    /// 以操作员口令初始化；返回已解封的 keystore。
    public static func initialize(home: String, passphrase: SecretBytes, options: Options = Options()) throws -> Keystore {
        guard passphrase.count >= 8 else {
            throw KeystoreError.invalidInput("解封口令至少 8 个字节 / passphrase must be at least 8 bytes")
        }
        let salt = try SecureRandom.bytes(32)
        let root = try KDF.scrypt(password: passphrase, salt: salt, n: options.scrypt.n, r: options.scrypt.r,
                                  p: options.scrypt.p, keyLength: 32)
        let meta = HeaderMeta(formatVersion: 1, keystoreId: try newId(prefix: "ks"), created: ISOTime.now(),
                              sealMode: .passphrase, scrypt: options.scrypt, salt: salt.hex)
        return try create(home: home, meta: meta, root: root, options: options)
    }

    /// 以 t-of-n Shamir 份额初始化：返回已解封的 keystore 和 n 份份额文本（字节，只此一次，分发给各持有人）。
    public static func initialize(home: String, threshold: Int, shares: Int, options: Options = Options()) throws
        -> (Keystore, [SecretBytes])
    {
        guard threshold >= 2, threshold <= shares, shares <= 16 else {
            throw ShamirError.invalidThreshold(threshold: threshold, count: shares)
        }
        let root = try SecureRandom.secret(32)
        let meta = HeaderMeta(formatVersion: 1, keystoreId: try newId(prefix: "ks"), created: ISOTime.now(),
                              sealMode: .shares, threshold: threshold, shareCount: shares)
        let texts = try KEKShares.split(root, threshold: threshold, count: shares, keystoreId: meta.keystoreId)
        let ks = try create(home: home, meta: meta, root: root, options: options)
        return (ks, texts)
    }

    private static func create(home: String, meta: HeaderMeta, root: SecretBytes, options: Options) throws -> Keystore {
        ProcessHardening.apply()
        let dir = directory(home: home)
        if !FileManager.default.fileExists(atPath: home) {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        }
        try SecureFile.ensureDirectory(dir)
        return try SecureFile.withLock(dir) {
            guard !exists(home: home) else { throw KeystoreError.alreadyInitialized(dir) }
            try SecureFile.ensureDirectory(dir + "/keys")
            let kek = try SecureRandom.secret(32)
            let now = ISOTime.now()
            let mut = HeaderMutable(currentKEK: 1, kekVersions: [KEKVersionInfo(version: 1, created: now)])
            let c = try sealHeader(meta: meta, mutable: mut, root: root, keyring: [1: kek])
            try SecureFile.atomicWrite(dir + "/keystore.wcks", c.encode())
            let ks = try Keystore(directory: dir, options: options, container: c)
            ks.root = root
            ks.keyring = [1: kek]
            ks.audit.record("keystore.init", result: "ok", detail: ["mode": meta.sealMode.rawValue, "id": meta.keystoreId])
            return ks
        }
    }

    static func newId(prefix: String) throws -> String { prefix + "-" + (try SecureRandom.bytes(8)).hex }

    static func encodeJSON<T: Encodable>(_ v: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return Array(try e.encode(v))
    }

    static func sealHeader(meta: HeaderMeta, mutable: HeaderMutable, root: SecretBytes, keyring: [Int: SecretBytes]) throws
        -> Container
    {
        let imm = try encodeJSON(meta), mut = try encodeJSON(mutable)
        // 直接在 SecretBytes 里拼装，KEK 不经过普通数组。
        let ring = keyring.sorted(by: { $0.key < $1.key })
        let secret = SecretBytes(count: ring.count * 36)
        secret.withUnsafeMutableBytes { out in
            for (i, (v, k)) in ring.enumerated() {
                let o = i * 36
                out[o] = UInt8(v >> 24 & 0xFF); out[o + 1] = UInt8(v >> 16 & 0xFF); out[o + 2] = UInt8(v >> 8 & 0xFF); out[o + 3] = UInt8(v & 0xFF)
                k.withUnsafeBytes { kb in for j in 0..<32 { out[o + 4 + j] = kb[j] } }
            }
        }
        let sealed = try AESGCM.seal(secret, key: root, associatedData: Array("wcks/keyring/v1".utf8) + imm + mut)
        return Container(kind: .header, immutableMeta: imm, mutableMeta: mut, blobA: sealed.packed, blobB: [])
    }

    /// 用 root 打开 KEK 环；失败说明 root 错（口令/份额错）或头部被恶意改过。
    func openKeyring(root: SecretBytes) throws -> [Int: SecretBytes] {
        let c = headerContainer
        let sealed = try AESGCM.Sealed(packed: c.blobA, file: headerPath)
        let plain = try AESGCM.open(sealed, key: root, associatedData: Array("wcks/keyring/v1".utf8) + c.immutableMeta + c.mutableMeta)
        guard plain.count % 36 == 0 else { throw KeystoreError.corrupted(file: headerPath, detail: "KEK 环长度 / keyring length") }
        var ring: [Int: SecretBytes] = [:]
        plain.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let v = Int(p[off]) << 24 | Int(p[off + 1]) << 16 | Int(p[off + 2]) << 8 | Int(p[off + 3])
                ring[v] = SecretBytes(p[(off + 4)..<(off + 36)])
                off += 36
            }
        }
        return ring
    }

    // MARK: 封存 / 解封

    public var isSealed: Bool { lock.lock(); defer { lock.unlock() }; return root == nil }

    /// 封存：丢弃内存中的 root 与全部 KEK（SecretBytes 释放时清零），清空份额进度。
    public func seal() {
        lock.lock()
        let was = root != nil
        root = nil
        keyring = [:]
        pendingShares = []
        lock.unlock()
        // 丢弃签名器（释放 HSM 会话即登出令牌）。
        signerCache.removeAll()
        if was { audit.record("keystore.seal", result: "ok") }
    }

    /// 口令解封。失败不改动 keystore 文件；连续失败按指数退避并审计。
    public func unseal(passphrase: SecretBytes) throws {
        lock.lock(); defer { lock.unlock() }
        guard meta.sealMode == .passphrase else { throw KeystoreError.wrongMode(expected: "shares（Shamir 份额）") }
        if root != nil { return }
        try checkBackoff()
        guard let params = meta.scrypt, let saltHex = meta.salt, let salt = try? Hex.decode(saltHex) else {
            throw KeystoreError.corrupted(file: headerPath, detail: "缺少 scrypt 参数 / missing scrypt params")
        }
        // 头部元数据要到 scrypt 之后才能被认证：先限制参数，防止被改过的头让解封吃掉数 GB 内存。
        guard params.n >= 2, params.n <= 1 << 20, params.r >= 1, params.r <= 16, params.p >= 1, params.p <= 4,
              128 * params.n * params.r * params.p <= 1 << 30 else {
            throw KeystoreError.corrupted(file: headerPath, detail: "scrypt 参数超出允许范围 / scrypt parameters out of range")
        }
        let candidate = try KDF.scrypt(password: passphrase, salt: salt, n: params.n, r: params.r, p: params.p, keyLength: 32)
        do {
            keyring = try openKeyring(root: candidate)
        } catch CipherError.authenticationFailed {
            recordFailure(event: "keystore.unseal.passphrase")
            throw KeystoreError.wrongPassphrase
        }
        root = candidate
        recordSuccess(event: "keystore.unseal.passphrase")
    }

    public struct UnsealProgress: Sendable, Equatable {
        public var submitted: Int
        public var threshold: Int
        public var unsealed: Bool
    }

    /// 提交一份 Shamir 份额；凑够阈值后自动尝试解封。组合失败则清空进度并计一次失败。
    @discardableResult
    public func unseal(share: SecretBytes) throws -> UnsealProgress {
        lock.lock(); defer { lock.unlock() }
        guard meta.sealMode == .shares, let t = meta.threshold else { throw KeystoreError.wrongMode(expected: "passphrase（口令）") }
        if root != nil { return UnsealProgress(submitted: t, threshold: t, unsealed: true) }
        try checkBackoff()
        let s: GF256.RawShare
        do { s = try KEKShares.parse(share, keystoreId: meta.keystoreId) } catch {
            audit.record("keystore.unseal.share", result: "rejected", detail: ["reason": "malformed"])
            throw error
        }
        if pendingShares.contains(where: { $0.x == s.x }) {
            throw KeystoreError.invalidShare("这份份额已经提交过 / this share was already submitted")
        }
        pendingShares.append(s)
        audit.record("keystore.unseal.share", result: "accepted", detail: ["progress": "\(pendingShares.count)/\(t)"])
        guard pendingShares.count >= t else { return UnsealProgress(submitted: pendingShares.count, threshold: t, unsealed: false) }
        let candidate = try KEKShares.combine(pendingShares)
        pendingShares = []
        do {
            keyring = try openKeyring(root: candidate)
        } catch CipherError.authenticationFailed {
            recordFailure(event: "keystore.unseal.shares")
            throw KeystoreError.wrongShare
        }
        root = candidate
        recordSuccess(event: "keystore.unseal.shares")
        return UnsealProgress(submitted: t, threshold: t, unsealed: true)
    }

    /// 清空已提交的份额（Vault 的 unseal -reset）。
    public func resetUnseal() {
        lock.lock(); pendingShares = []; lock.unlock()
        audit.record("keystore.unseal.reset", result: "ok")
    }

    private func readFailures() -> FailureState {
        guard let b = try? SecureFile.read(failurePath), let s = try? JSONDecoder().decode(FailureState.self, from: Data(b))
        else { return FailureState(failures: 0, last: 0) }
        return s
    }

    func backoffDelay(failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        return min(options.backoffBase * pow(2, Double(min(failures - 1, 30))), options.backoffMax)
    }

    private func checkBackoff() throws {
        let st = readFailures()
        let now = Date().timeIntervalSince1970
        // 计数文件可能被改坏（时间在未来、NaN、天文数字）：把等待限制在 backoffMax 之内，既不陷阱也不永久锁死。
        let last = st.last.isFinite ? min(st.last, now) : now
        let wait = min(last + backoffDelay(failures: st.failures) - now, options.backoffMax)
        if wait > 0 {
            audit.record("keystore.unseal", result: "throttled", detail: ["failures": "\(st.failures)"])
            throw KeystoreError.tooManyFailures(retryAfterSeconds: Int(wait.rounded(.up)))
        }
    }

    private func recordFailure(event: String) {
        _ = try? SecureFile.withLock(directory) {
            var st = readFailures()
            st.failures = min(max(st.failures, 0), 1_000_000) + 1  // 计数文件被改成极值时也不陷阱
            st.last = Date().timeIntervalSince1970
            try SecureFile.atomicWrite(failurePath, try Keystore.encodeJSON(st))
            audit.record(event, result: "failed", detail: ["failures": "\(st.failures)"])
        }
    }

    private func recordSuccess(event: String) {
        unsealedAtGeneration = Self.sealRequest(directory)?.generation ?? 0
        _ = try? SecureFile.withLock(directory) {
            if readFailures().failures != 0 {
                try SecureFile.atomicWrite(failurePath, try Keystore.encodeJSON(FailureState(failures: 0, last: 0)))
            }
        }
        audit.record(event, result: "ok")
    }

    // MARK: 状态

    public func status() -> SealStatus {
        lock.lock(); defer { lock.unlock() }
        let cur = mutableMeta.kekVersions.first { $0.version == mutableMeta.currentKEK }
        let age = cur.flatMap { ISOTime.parse($0.created) }.map { Int(Date().timeIntervalSince($0)) } ?? 0
        return SealStatus(initialized: true, sealed: root == nil, mode: meta.sealMode, threshold: meta.threshold,
                          shareCount: meta.shareCount, progress: pendingShares.count, kekVersion: mutableMeta.currentKEK,
                          kekCreated: cur?.created ?? "", kekAgeSeconds: age, failedAttempts: readFailures().failures,
                          keystoreId: meta.keystoreId)
    }

    public var keystoreId: String { meta.keystoreId }

    // MARK: KEK 轮换

    /// 生成新 KEK 版本并重新封装所有数据密钥（机密密文不动），然后退役不再被引用的旧版本。返回新版本号。
    @discardableResult
    public func rotateKEK() throws -> Int {
        lock.lock(); defer { lock.unlock() }
        guard let root else { throw KeystoreError.sealed }
        return try SecureFile.withLock(directory) {
            // 别的进程（另一个 rotate-kek、KMS 的 store）可能已改过头部：持锁后先重读并重新认证，绝不基于打开时的旧 KEK 环写回。
            try reloadHeaderLocked(root: root)
            let newV = (mutableMeta.kekVersions.map(\.version).max() ?? 0) + 1
            let newKEK = try SecureRandom.secret(32)
            var ring = keyring
            ring[newV] = newKEK
            var mut = mutableMeta
            mut.currentKEK = newV
            mut.kekVersions.append(KEKVersionInfo(version: newV, created: ISOTime.now()))
            // 1) 先持久化含新旧两版的 KEK 环：任何时刻崩溃，条目引用的版本都在环里。
            try writeHeader(mutable: mut, ring: ring, root: root)
            // 2) 逐个重新封装数据密钥。
            for id in try entryIds() {
                var entry = try loadEntry(id)
                let dk = try unwrapDataKey(entry, reloadOnMiss: false)
                let newMut = try Keystore.encodeJSON(KeyMutable(kekVersion: newV))
                let wrapped = try AESGCM.seal(dk, key: newKEK, associatedData: Keystore.dkAD(entry.container.immutableMeta, newMut))
                entry.container.mutableMeta = newMut
                entry.container.blobA = wrapped.packed
                try SecureFile.atomicWrite(entryPath(id), entry.container.encode())
            }
            // 3) 退役旧版本。
            let keep = mut.kekVersions.filter { $0.version == newV }
            mut.kekVersions = keep
            try writeHeader(mutable: mut, ring: [newV: newKEK], root: root)
            audit.record("keystore.rotate_kek", result: "ok", detail: ["version": "\(newV)"])
            return newV
        }
    }

    /// 从磁盘重读头部，用内存中的 root 重新认证并解开 KEK 环。调用方必须已持有文件锁与 `lock`。
    /// 头部身份（不可变元数据）变了、或认证失败（被改过/换了 root），都按损坏报错，内存状态不变。
    func reloadHeaderLocked(root: SecretBytes) throws {
        let c = try Container.decode(try SecureFile.read(headerPath), file: headerPath)
        guard c.kind == .header, c.immutableMeta == headerContainer.immutableMeta else {
            throw KeystoreError.corrupted(file: headerPath, detail: "头部身份变了 / header identity changed")
        }
        let mut: HeaderMutable
        do { mut = try JSONDecoder().decode(HeaderMutable.self, from: Data(c.mutableMeta)) } catch {
            throw KeystoreError.corrupted(file: headerPath, detail: "头部元数据无法解析 / header metadata unparsable")
        }
        let saved = headerContainer
        headerContainer = c
        do { keyring = try openKeyring(root: root) } catch {
            headerContainer = saved
            throw KeystoreError.corrupted(file: headerPath, detail: "头部认证失败 / header authentication failed")
        }
        mutableMeta = mut
    }

    private func writeHeader(mutable: HeaderMutable, ring: [Int: SecretBytes], root: SecretBytes) throws {
        let c = try Keystore.sealHeader(meta: meta, mutable: mutable, root: root, keyring: ring)
        try SecureFile.atomicWrite(headerPath, c.encode())
        headerContainer = c
        mutableMeta = mutable
        keyring = ring
    }
}

/// 进程加固：关闭 core dump（RLIMIT_CORE=0、PR_SET_DUMPABLE=0），只做一次；每个命令在入口处就调用（main.swift），
/// 不等到打开密钥库——口令文件、助记词文件在那之前就进了内存。
public enum ProcessHardening {
    private static let once: Bool = { cpkcs11_harden_process() == 0 }()
    /// 内存锁定的结果：locked（mlockall 成功）、perBuffer（限额不允许，机密缓冲区逐个 mlock）、failed。
    public static let memoryLock: String = {
        switch cpkcs11_lock_memory() { case 0: return "locked"; case 1: return "perBuffer"; default: return "failed" }
    }()
    @discardableResult
    public static func apply() -> Bool { once }
    public static var coreLimit: Int { Int(cpkcs11_core_limit()) }
    public static var dumpable: Int { Int(cpkcs11_dumpable()) }
}
