import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// 把请求体送到一个端点、取回响应体。单独成协议，测试可注入会超时/出错/返回恶意数据的端点。
public protocol RPCTransport: Sendable {
    /// 用于日志和健康面板的端点名（不含凭据：URL 里的 user:pass 和 query 会被去掉）。
    var label: String { get }
    func send(_ body: [UInt8], timeout: Double) async throws -> [UInt8]
}

/// 基于 URLSession 的 HTTP 传输。
public final class HTTPTransport: RPCTransport, Sendable {
    public let url: URL
    public let label: String
    private let session: URLSession
    /// 响应体上限，防止恶意节点用超大响应耗尽内存。
    public let maxResponseBytes: Int

    /// 节点地址的显示形式（status、错误消息、日志都用它）：去掉用户名/口令、查询串与片段，路径只留「/…」——
    /// 服务商常把 API key 放在这几处（Infura 放在路径里）。全项目只有这一个去敏实现。
    public static func redacted(_ s: String) -> String {
        guard var c = URLComponents(string: s) else { return "(invalid url)" }
        c.user = nil; c.password = nil; c.query = nil; c.fragment = nil
        let hidden = !c.path.isEmpty && c.path != "/"
        if hidden { c.path = "" }   // 省略号拼在外面：放进 path 会被百分号编码成 %E2%80%A6
        return (c.string ?? "(invalid url)") + (hidden ? "/…" : "")
    }

    public init(url: URL, maxResponseBytes: Int = 32 << 20) throws {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw ChainError.invalidConfiguration(key: "rpc", detail: "只支持 http/https URL：\(url.absoluteString.prefix(100)) / only http/https URLs are supported: \(url.absoluteString.prefix(100))")
        }
        self.url = url
        self.label = Self.redacted(url.absoluteString)
        let cfg = URLSessionConfiguration.ephemeral
        cfg.httpMaximumConnectionsPerHost = 4
        cfg.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: cfg)
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ body: [UInt8], timeout: Double) async throws -> [UInt8] {
        var req = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = Data(body)
        let request = req   // 不可变副本交给子任务（Swift 6：不能把可变 var 捕获进并发闭包）
        let label = self.label
        let session = self.session
        // URLSession 的超时在 Linux 上不总是可靠，再套一层任务级超时。
        return try await withThrowingTaskGroup(of: [UInt8].self) { g in
            g.addTask {
                let data: Data, resp: URLResponse
                do { (data, resp) = try await session.data(for: request) } catch {
                    if let u = error as? URLError, u.code == .timedOut {
                        throw ChainError.timeout(endpoint: label, method: "", seconds: timeout)
                    }
                    throw ChainError.transport(endpoint: label, detail: String(describing: error).prefix(200).description)
                }
                guard let h = resp as? HTTPURLResponse else { throw ChainError.transport(endpoint: label, detail: "非 HTTP 响应 / not an HTTP response") }
                guard h.statusCode == 200 else { throw ChainError.transport(endpoint: label, detail: "HTTP \(h.statusCode)") }
                return [UInt8](data)
            }
            g.addTask {
                try await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
                throw ChainError.timeout(endpoint: label, method: "", seconds: timeout)
            }
            defer { g.cancelAll() }
            let r = try await g.next()!
            guard r.count <= maxResponseBytes else { throw ChainError.transport(endpoint: label, detail: "响应过大 / response too large") }
            return r
        }
    }
}

/// 单个端点的 JSON-RPC 2.0 编解码：校验 jsonrpc 版本、id 回显、result/error 二选一。
public struct JSONRPCEndpoint: RPCCaller {
    public let transport: RPCTransport
    public let timeout: Double
    private let ids = IDCounter()

    public init(transport: RPCTransport, timeout: Double = 10) {
        self.transport = transport; self.timeout = timeout
    }

    public func call(_ method: String, _ params: [JSONValue]) async throws -> JSONValue {
        let id = ids.next()
        let body = JSON.serialize(.object([
            "jsonrpc": .string("2.0"), "id": .number(String(id)), "method": .string(method), "params": .array(params),
        ]))
        let raw: [UInt8]
        do { raw = try await transport.send(Array(body.utf8), timeout: timeout) } catch let e as ChainError {
            if case .timeout(let ep, _, let s) = e { throw ChainError.timeout(endpoint: ep, method: method, seconds: s) }
            throw e
        }
        return try Self.decodeResponse(raw, method: method, id: id)
    }

    /// 独立出来便于对恶意响应做单元测试。
    public static func decodeResponse(_ raw: [UInt8], method: String, id: UInt64) throws -> JSONValue {
        let v: JSONValue
        do { v = try JSON.parse(raw) } catch let e as JSONParseError {
            throw ChainError.malformedResponse(method: method, field: "(body)", detail: "JSON 无法解析：\(e.reason) @\(e.offset) / JSON cannot be parsed: \(e.reason) @\(e.offset)")
        }
        guard case .object(let o) = v else {
            throw ChainError.malformedResponse(method: method, field: "(body)", detail: "不是 JSON 对象（批量响应不接受） / not a JSON object (batch responses are not accepted)")
        }
        guard o["jsonrpc"] == .string("2.0") else {
            throw ChainError.malformedResponse(method: method, field: "jsonrpc", detail: "不是 \"2.0\" / not \"2.0\"")
        }
        guard o["id"] == .number(String(id)) else {
            throw ChainError.malformedResponse(method: method, field: "id", detail: "与请求 id 不一致 / does not match the request id")
        }
        switch (o["result"], o["error"]) {
        case (let r?, nil):
            return r
        case (nil, let e?):
            guard case .object(let eo) = e, case .number(let cs)? = eo["code"], let code = Int(cs) else {
                throw ChainError.malformedResponse(method: method, field: "error", detail: "error 对象不合法 / invalid error object")
            }
            var msg = ""
            if case .string(let s)? = eo["message"] { msg = String(s.prefix(300)) }
            throw ChainError.rpcError(method: method, code: code, message: msg)
        default:
            throw ChainError.malformedResponse(method: method, field: "result", detail: "result 与 error 必须恰有一个 / exactly one of result and error is required")
        }
    }
}

final class IDCounter: Sendable {
    private let n = Atomic<UInt64>(0)
    func next() -> UInt64 { n.wrappingAdd(1, ordering: .relaxed).newValue }
}
