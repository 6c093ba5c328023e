// KMS 客户端：引擎通过它调用独立进程里的 KMS 服务。一条持久连接，断开自动重连；每次调用测延迟。
import Foundation
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

public final class KMSClient: @unchecked Sendable {
    public let socketPath: String
    private var fd: Int32 = -1
    private var reader: KMSWire.LineReader?
    private let lock = NSLock()
    /// 最近一次成功调用的往返时间（毫秒）。
    public private(set) var lastLatencyMillis: Int?

    public init(socketPath: String) { self.socketPath = socketPath }
    deinit { if fd >= 0 { close(fd) } }

    private func connectIfNeeded() throws {
        if fd >= 0 { return }
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw KMSError.unreachable(socketPath, "socket") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        guard socketPath.utf8.count < 108 else { close(s); throw KMSError.unreachable(socketPath, "path too long") }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in socketPath.utf8.enumerated() { p[i] = b }
            p[socketPath.utf8.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else {
            let why = String(cString: strerror(errno))
            close(s)
            throw KMSError.unreachable(socketPath, why)
        }
        fd = s
        reader = KMSWire.LineReader(fd: s)
    }

    private func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        reader = nil
    }

    /// 发送一个请求并等待响应；服务返回 error 时抛出对应的 KMSError。连接断开时重试一次。
    public func call(_ request: [String: Any]) throws -> [String: Any] {
        lock.lock(); defer { lock.unlock() }
        for attempt in 0..<2 {
            do {
                try connectIfNeeded()
                let start = Date()
                KMSWire.writeLine(fd, request)
                guard var line = reader?.next() else { throw KMSError.unreachable(socketPath, "connection closed") }
                defer { SecretBytes.wipe(&line) }
                lastLatencyMillis = Int(Date().timeIntervalSince(start) * 1000)
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw KMSError.badRequest("服务返回了无法解析的响应 / unparsable response")
                }
                if let e = obj["error"] as? [String: Any] {
                    let code = e["code"] as? String ?? "kms.internal"
                    if code == "kms.forbidden" { disconnect() }
                    throw KMSError(code, zh: e["messageZh"] as? String ?? e["message"] as? String ?? code,
                                   en: e["message"] as? String ?? code)
                }
                return obj
            } catch let e as KMSError where e.code == "kms.unreachable" && attempt == 0 {
                disconnect()
                continue
            }
        }
        throw KMSError.unreachable(socketPath, "retry failed")
    }

    public func ping() throws -> Int {
        _ = try call(["op": "Ping"])
        return lastLatencyMillis ?? 0
    }

    public func createKey(spec: String, label: String) throws -> String {
        guard let id = try call(["op": "CreateKey", "keySpec": spec, "label": label])["keyId"] as? String else {
            throw KMSError.badRequest("响应缺少 keyId / response lacks keyId")
        }
        return id
    }

    /// 返回 (明文数据密钥, 封装后的数据密钥)。明文只应短暂使用。
    public func generateDataKey(keyId: String, context: String = "") throws -> (plaintext: SecretBytes, ciphertextBlob: [UInt8]) {
        let r = try call(["op": "GenerateDataKey", "keyId": keyId, "context": context])
        guard var p = (r["plaintext"] as? String).flatMap({ try? Hex.decode($0) }),
              let c = (r["ciphertextBlob"] as? String).flatMap({ try? Hex.decode($0) }) else {
            throw KMSError.badRequest("响应字段缺失 / response fields missing")
        }
        return (SecretBytes(consuming: &p), c)
    }

    public func decrypt(ciphertextBlob: [UInt8], context: String = "") throws -> SecretBytes {
        let r = try call(["op": "Decrypt", "ciphertextBlob": ciphertextBlob.hex, "context": context])
        guard var p = (r["plaintext"] as? String).flatMap({ try? Hex.decode($0) }) else {
            throw KMSError.badRequest("响应缺少 plaintext / response lacks plaintext")
        }
        return SecretBytes(consuming: &p)
    }
}
