// 本地 KMS 服务（云 KMS 的替身，语义相同）：独立进程，Unix 套接字（0600）+ SO_PEERCRED 检查，
// 每行一个 JSON 请求/响应。对称密钥只用来封装数据密钥（GenerateDataKey/Decrypt），
// secp256k1 密钥只在服务内签名（Sign/GetPublicKey）：密钥从不离开服务。所有请求限流并审计。
import CPKCS11
import Foundation
import Synchronization
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

public final class KMSServer: Sendable {
    public struct Config: Sendable {
        public var socketPath: String
        public var ratePerSecond: Double
        public var burst: Double
        /// 允许连接的 uid（默认只有服务自己的 euid）。
        public var allowedUIDs: Set<UInt32>
        public init(socketPath: String, ratePerSecond: Double = 50, burst: Double = 100, allowedUIDs: Set<UInt32> = [UInt32(geteuid())]) {
            self.socketPath = socketPath; self.ratePerSecond = ratePerSecond; self.burst = burst; self.allowedUIDs = allowedUIDs
        }
    }

    public static let symmetricSpec = "SYMMETRIC_DEFAULT"
    public static let secp256k1Spec = "ECC_SECG_P256K1"

    let keystore: Keystore
    public let config: Config
    public let audit: AuditLog
    // bind() 写、serve() 读、stop() 从别的线程关闭：用原子交换保证只关一次。
    private let listenFD = Atomic<Int32>(-1)
    private let buckets = Mutex<[UInt32: TokenBucket]>([:])
    private let stopped = Atomic<Bool>(false)

    /// keystore 必须已解封：KMS 的主密钥都在它里面（信封加密，tier = kms）。
    public init(keystore: Keystore, config: Config) {
        self.keystore = keystore
        self.config = config
        self.audit = AuditLog(path: keystore.directory + "/kms-audit.log")
    }

    /// 绑定套接字：先 umask 0177 再 bind，避免出现权限过宽的窗口；随后 chmod 0600。
    public func bind() throws {
        let path = config.socketPath
        guard path.utf8.count < 108 else { throw KMSError.badRequest("套接字路径过长（>107 字节）/ socket path too long") }
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else {
                throw KMSError.badRequest("\(path) 已存在且不是套接字 / exists and is not a socket")
            }
            // 有人在听：另一个 KMS 正在服务这个 home，不能抢走它的套接字（抢走后新客户端全都连不上它）。
            // 连不上（ECONNREFUSED）才是上次异常退出留下的旧套接字，可以删。
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_un()
            a.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &a.sun_path) { p in
                for (i, b) in path.utf8.enumerated() { p[i] = b }
                p[path.utf8.count] = 0
            }
            let live = probe >= 0 && withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } } == 0
            if probe >= 0 { close(probe) }
            if live { throw KMSError.alreadyRunning(path) }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw KeystoreError.io("socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in path.utf8.enumerated() { p[i] = b }
            p[path.utf8.count] = 0
        }
        let old = umask(0o177)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        umask(old)
        guard rc == 0 else { close(fd); throw KeystoreError.io("bind \(path): \(String(cString: strerror(errno)))") }
        chmod(path, 0o600)
        guard listen(fd, 64) == 0 else { close(fd); throw KeystoreError.io("listen: \(String(cString: strerror(errno)))") }
        listenFD.store(fd, ordering: .releasing)
        audit.record("kms.start", result: "ok", detail: ["socket": path])
    }

    /// 阻塞接受连接，每个连接一个线程。stop() 后返回。
    public func serve() {
        while true {
            let c = accept(listenFD.load(ordering: .acquiring), nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                break
            }
            let t = Thread { [self] in self.handleConnection(c) }
            t.start()
        }
    }

    /// 先删套接字、记审计，再关闭监听：关闭会让 serve() 立即返回、进程随之退出，顺序反了会留下旧套接字。
    public func stop() {
        stopped.store(true, ordering: .releasing)
        unlink(config.socketPath)
        audit.record("kms.stop", result: "ok")
        let fd = listenFD.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    }

    private func bucket(_ uid: UInt32) -> TokenBucket {
        buckets.withLock { all in
            if let b = all[uid] { return b }
            let b = TokenBucket(ratePerSecond: config.ratePerSecond, burst: config.burst)
            all[uid] = b
            return b
        }
    }

    private func handleConnection(_ fd: Int32) {
        defer { close(fd) }
        var uid: UInt32 = 0, pid: Int32 = 0
        guard cpkcs11_peer_cred(fd, &uid, &pid) == 0, config.allowedUIDs.contains(uid) else {
            audit.record("kms.connect", result: "forbidden", detail: ["uid": "\(uid)", "pid": "\(pid)"])
            KMSWire.writeLine(fd, KMSWire.error(KMSError.forbidden))
            return
        }
        var reader = KMSWire.LineReader(fd: fd)
        while var line = reader.next() {
            let resp: [String: Any]
            if bucket(uid).tryTake() != nil {
                audit.record("kms.request", result: "rate_limited", detail: ["uid": "\(uid)", "pid": "\(pid)"])
                resp = KMSWire.error(KMSError.rateLimited)
            } else {
                resp = handle(line, uid: uid, pid: pid)
            }
            SecretBytes.wipe(&line)
            KMSWire.writeLine(fd, resp)
        }
    }

    func handle(_ line: [UInt8], uid: UInt32, pid: Int32) -> [String: Any] {
        guard let req = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let op = req["op"] as? String else {
            return KMSWire.error(KMSError.badRequest("不是 JSON 对象或缺少 op / not a JSON object or missing op"))
        }
        let keyId = req["keyId"] as? String
        do {
            let out = try dispatch(op, req)
            audit.record("kms.\(op)", result: "ok", detail: ["uid": "\(uid)", "pid": "\(pid)", "keyId": keyId ?? (out["keyId"] as? String ?? "-")])
            return out
        } catch {
            let code = WalletError.known(error)?.code.rawValue ?? "kms.internal"
            audit.record("kms.\(op)", result: "error", detail: ["uid": "\(uid)", "pid": "\(pid)", "code": code, "keyId": keyId ?? "-"])
            return KMSWire.error(error)
        }
    }

    func dispatch(_ op: String, _ req: [String: Any]) throws -> [String: Any] {
        switch op {
        case "Ping": return ["ok": true, "protocol": 1]
        case "CreateKey":
            let spec = req["keySpec"] as? String ?? KMSServer.symmetricSpec
            let label = req["label"] as? String ?? ""
            return try createKey(spec: spec, label: label)
        case "ListKeys":
            return ["keys": try keystore.list().map { ["keyId": $0.id, "keySpec": $0.algorithm, "label": $0.label, "created": $0.created] }]
        case "GenerateDataKey":
            return try generateDataKey(keyId: try string(req, "keyId"), context: req["context"] as? String ?? "")
        case "Decrypt":
            return try decrypt(blobHex: try string(req, "ciphertextBlob"), context: req["context"] as? String ?? "")
        case "Sign":
            return try sign(keyId: try string(req, "keyId"), digestHex: try string(req, "digest"))
        case "GetPublicKey":
            return try getPublicKey(keyId: try string(req, "keyId"))
        default:
            throw KMSError.badRequest("未知操作 \(op) / unknown op")
        }
    }

    func string(_ req: [String: Any], _ k: String) throws -> String {
        guard let v = req[k] as? String, !v.isEmpty else { throw KMSError.badRequest("缺少字段 \(k) / missing field \(k)") }
        return v
    }

    func createKey(spec: String, label: String) throws -> [String: Any] {
        switch spec {
        case KMSServer.symmetricSpec:
            let info = try keystore.store(secret: try SecureRandom.secret(32), kind: .privateKey, label: label, tier: .kms,
                                          algorithm: KMSServer.symmetricSpec)
            return ["keyId": info.id, "keySpec": spec]
        case KMSServer.secp256k1Spec:
            return try createSecp256k1Key(label: label)
        default:
            throw KMSError.badRequest("keySpec 只能是 \(KMSServer.symmetricSpec) 或 \(KMSServer.secp256k1Spec) / keySpec must be \(KMSServer.symmetricSpec) or \(KMSServer.secp256k1Spec)")
        }
    }

    func requireKey(_ keyId: String, spec: String) throws {
        let info: KeyInfo
        do { info = try keystore.info(id: keyId) } catch KeystoreError.keyNotFound { throw KMSError.keyNotFound(keyId) }
        guard info.algorithm == spec else { throw KMSError.badRequest("密钥 \(keyId) 不是 \(spec) / key is not \(spec)") }
    }

    /// 数据密钥封装格式：u8 版本(1) | u8 keyId 长度 | keyId | nonce | tag | 密文；AD 绑定 keyId 与调用方上下文。
    func generateDataKey(keyId: String, context: String) throws -> [String: Any] {
        try requireKey(keyId, spec: KMSServer.symmetricSpec)
        let dk = try SecureRandom.secret(32)
        let blob: [UInt8] = try keystore.withSecret(id: keyId) { master, _ in
            let s = try AESGCM.seal(dk, key: master, associatedData: KMSServer.ad(keyId, context))
            return [1, UInt8(keyId.utf8.count)] + Array(keyId.utf8) + s.nonce + s.tag + s.ciphertext
        }
        return ["keyId": keyId, "plaintext": dk.unsafeArray().hex, "ciphertextBlob": blob.hex]
    }

    func decrypt(blobHex: String, context: String) throws -> [String: Any] {
        guard let blob = try? Hex.decode(blobHex), blob.count > 2, blob[0] == 1 else { throw KMSError.invalidCiphertext }
        let n = Int(blob[1])
        guard blob.count >= 2 + n + 28 else { throw KMSError.invalidCiphertext }
        let keyId = String(decoding: blob[2..<(2 + n)], as: UTF8.self)
        try requireKey(keyId, spec: KMSServer.symmetricSpec)
        let rest = Array(blob[(2 + n)...])
        let sealed = AESGCM.Sealed(nonce: Array(rest[0..<12]), ciphertext: Array(rest[28...]), tag: Array(rest[12..<28]))
        let pt: SecretBytes = try keystore.withSecret(id: keyId) { master, _ in
            do { return try AESGCM.open(sealed, key: master, associatedData: KMSServer.ad(keyId, context)) }
            catch { throw KMSError.invalidCiphertext }
        }
        return ["keyId": keyId, "plaintext": pt.unsafeArray().hex]
    }

    static func ad(_ keyId: String, _ context: String) -> [UInt8] {
        Array("wkms/dk/v1".utf8) + [UInt8(keyId.utf8.count)] + Array(keyId.utf8) + Array(context.utf8)
    }
}

/// 线协议：每行一个 JSON。
enum KMSWire {
    struct LineReader {
        let fd: Int32
        var buf: [UInt8] = []
        init(fd: Int32) { self.fd = fd }
        mutating func next() -> [UInt8]? {
            while true {
                if let i = buf.firstIndex(of: 0x0a) {
                    let line = Array(buf[..<i])
                    buf.removeSubrange(...i)
                    return line
                }
                guard buf.count < 1 << 20 else { return nil }  // 防止无换行的超大输入
                var tmp = [UInt8](repeating: 0, count: 8192)
                let n = tmp.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return nil }
                buf.append(contentsOf: tmp[0..<n])
            }
        }
    }

    static func writeLine(_ fd: Int32, _ obj: [String: Any]) {
        guard var d = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) else { return }
        d.append(0x0a)
        var off = 0
        d.withUnsafeBytes { p in
            while off < p.count {
                let n = send(fd, p.baseAddress! + off, p.count - off, Int32(MSG_NOSIGNAL))
                if n < 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }

    static func error(_ e: Error) -> [String: Any] {
        if let w = WalletError.known(e) { return ["error": ["code": w.code.rawValue, "message": w.en, "messageZh": w.zh]] }
        // 不认识的错误只报类型名：回复会到客户端、进日志，不能带着任意错误的描述（可能含机密）。
        let w = WalletError(e)
        return ["error": ["code": "kms.internal", "message": w.en, "messageZh": w.zh]]
    }
}
