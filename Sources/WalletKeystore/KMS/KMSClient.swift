// KMS 客户端：引擎通过它调用独立进程里的 KMS 服务。一条持久连接，断开自动重连；每次调用测延迟。
import Foundation
import Synchronization
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

// @unchecked Sendable：Mutex 之外可变的只有连接 fd 与 reader，只在 call() 持有 lock 时读写（connectIfNeeded/disconnect
// 只从 call 里调用），deinit 时已无并发。lock 包住的是一次完整的「写请求-读响应」阻塞往返，区间里全是抛错路径，
// 改成 Mutex<连接> 要改动这些抛错语句，所以保留 NSLock。
public final class KMSClient: @unchecked Sendable {
    public let socketPath: String
    private var fd: Int32 = -1
    private var reader: KMSWire.LineReader?
    private let lock = NSLock()
    private let latency = Mutex<Int?>(nil)
    /// 最近一次成功调用的往返时间（毫秒）。
    public var lastLatencyMillis: Int? { latency.withLock { $0 } }

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
    public func call(_ request: [String: Any]) throws -> [String: Any] { try call(request, secretField: nil).0 }

    /// secretField：响应里装着机密（十六进制）的字段。它在原始字节里就被解码成 SecretBytes，并在交给 JSON 解析器之前
    /// 用 '0' 覆盖——明文数据密钥从不变成 String / NSString（那些存储没法清零）。
    func call(_ request: [String: Any], secretField: String?) throws -> ([String: Any], SecretBytes?) {
        lock.lock(); defer { lock.unlock() }
        for attempt in 0..<2 {
            do {
                try connectIfNeeded()
                let start = Date()
                KMSWire.writeLine(fd, request)
                guard var line = reader?.next() else { throw KMSError.unreachable(socketPath, "connection closed") }
                defer { SecretBytes.wipe(&line) }
                latency.withLock { $0 = Int(Date().timeIntervalSince(start) * 1000) }
                let secret = secretField.flatMap { KMSClient.extractHexField($0, from: &line) }
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw KMSError.badRequest("服务返回了无法解析的响应 / unparsable response")
                }
                if let e = obj["error"] as? [String: Any] {
                    let code = e["code"] as? String ?? "kms.internal"
                    if code == "kms.forbidden" { disconnect() }
                    throw KMSError(code, zh: e["messageZh"] as? String ?? e["message"] as? String ?? code,
                                   en: e["message"] as? String ?? code, badInput: KMSError.badInputCodes.contains(code))
                }
                return (obj, secret)
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
        let (r, p) = try call(["op": "GenerateDataKey", "keyId": keyId, "context": context], secretField: "plaintext")
        guard let p, let c = (r["ciphertextBlob"] as? String).flatMap({ try? Hex.decode($0) }) else {
            throw KMSError.badRequest("响应字段缺失 / response fields missing")
        }
        return (p, c)
    }

    public func decrypt(ciphertextBlob: [UInt8], context: String = "") throws -> SecretBytes {
        let (_, p) = try call(["op": "Decrypt", "ciphertextBlob": ciphertextBlob.hex, "context": context], secretField: "plaintext")
        guard let p else { throw KMSError.badRequest("响应缺少 plaintext / response lacks plaintext") }
        return p
    }

    /// 在一行 JSON 的字节里找 "field":"<hex>"，解码成字节并把十六进制字符就地改成 '0'。找不到或不是十六进制返回 nil。
    static func extractHexField(_ field: String, from line: inout [UInt8]) -> SecretBytes? {
        let key = Array("\"\(field)\":\"".utf8)
        guard line.count >= key.count, let start = (0...(line.count - key.count)).first(where: { line[$0..<($0 + key.count)].elementsEqual(key) }) else { return nil }
        let from = start + key.count
        guard let end = line[from...].firstIndex(of: 0x22), (end - from) % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c { case 0x30...0x39: c - 0x30; case 0x61...0x66: c - 0x61 + 10; case 0x41...0x46: c - 0x41 + 10; default: nil }
        }
        var out = [UInt8](repeating: 0, count: (end - from) / 2)
        for i in 0..<out.count {
            guard let hi = nibble(line[from + 2 * i]), let lo = nibble(line[from + 2 * i + 1]) else { SecretBytes.wipe(&out); return nil }
            out[i] = hi << 4 | lo
        }
        for i in from..<end { line[i] = 0x30 }
        return SecretBytes(consuming: &out)
    }
}
