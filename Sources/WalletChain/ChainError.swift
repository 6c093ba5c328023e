import WalletCrypto

/// 链访问层的全部错误。`code` 稳定（--json 与告警依赖它）。
public enum ChainError: WalletError, Equatable, Sendable {
    /// 节点返回的 JSON 不合法或字段不符合规范（field 指出哪个字段）。
    case malformedResponse(method: String, field: String, detail: String)
    /// 节点返回 JSON-RPC error 对象。
    case rpcError(method: String, code: Int, message: String)
    /// 网络/HTTP 层失败（连接、状态码）。
    case transport(endpoint: String, detail: String)
    case timeout(endpoint: String, method: String, seconds: Double)
    /// 所有端点都不可用（熔断打开或全部失败）。
    case noHealthyEndpoint(method: String, lastError: String)
    /// 端点返回的链高度比已见过的更旧（负载均衡后面的落后节点）。
    case staleHead(endpoint: String, seen: UInt64, got: UInt64)
    case chainIdMismatch(endpoint: String, expected: UInt64, got: UInt64)
    /// 广播结果未知：请求可能已到达节点。必须通过已保存的交易哈希查询，绝不重新签名。
    case broadcastUnknown(endpoint: String, detail: String)
    /// 重组深度超过本地保存的区块窗口，需要人工处理。
    case deepReorg(depth: Int, window: Int)
    /// 读取过程中链发生变化（同一高度返回了不同区块），本轮放弃，下轮重试。
    case inconsistentView(detail: String)
    case invalidConfiguration(key: String, detail: String)

    public var code: String {
        switch self {
        case .malformedResponse: return "chain.malformed_response"
        case .rpcError: return "chain.rpc_error"
        case .transport: return "chain.transport"
        case .timeout: return "chain.timeout"
        case .noHealthyEndpoint: return "chain.no_healthy_endpoint"
        case .staleHead: return "chain.stale_head"
        case .chainIdMismatch: return "chain.chain_id_mismatch"
        case .broadcastUnknown: return "chain.broadcast_unknown"
        case .deepReorg: return "chain.deep_reorg"
        case .inconsistentView: return "chain.inconsistent_view"
        case .invalidConfiguration: return "chain.invalid_configuration"
        }
    }

    public var isBadInput: Bool {
        if case .invalidConfiguration = self { return true }
        return false
    }

    /// 可重试（对幂等读）：网络类、超时、节点临时错误、落后节点、视图不一致。
    public var isRetryable: Bool {
        switch self {
        case .transport, .timeout, .staleHead, .inconsistentView, .malformedResponse: return true
        case .rpcError(_, let code, _):
            // -32005 限流 / -32603 内部错误 / -32000 常见的“header not found”等临时错误
            return code == -32005 || code == -32603 || code == -32000 || code == 429
        default: return false
        }
    }

    public func message(_ lang: Language) -> String {
        switch (self, lang) {
        case let (.malformedResponse(m, f, d), .zh):
            return "节点对 \(m) 的响应不合法（字段 \(f)：\(d)）。该端点可能有故障或被篡改，已视为失败；请检查节点或换用其他 RPC 端点。"
        case let (.malformedResponse(m, f, d), .en):
            return "The node's response to \(m) is invalid (field \(f): \(d)). Treated as a failure; check the node or use another RPC endpoint."
        case let (.rpcError(m, c, msg), .zh):
            return "节点拒绝了 \(m)（错误码 \(c)：\(msg.prefix(200))）。请检查请求参数或节点状态。"
        case let (.rpcError(m, c, msg), .en):
            return "The node rejected \(m) (code \(c): \(msg.prefix(200))). Check the request parameters or the node."
        case let (.transport(e, d), .zh):
            return "无法与 RPC 端点 \(e) 通信：\(d)。请检查网络与 --rpc 配置。"
        case let (.transport(e, d), .en):
            return "Cannot talk to RPC endpoint \(e): \(d). Check the network and the --rpc configuration."
        case let (.timeout(e, m, s), .zh):
            return "RPC 端点 \(e) 在 \(s) 秒内没有响应 \(m)。请检查节点负载或调大超时。"
        case let (.timeout(e, m, s), .en):
            return "RPC endpoint \(e) did not answer \(m) within \(s) s. Check the node's load or raise the timeout."
        case let (.noHealthyEndpoint(m, last), .zh):
            return "没有可用的 RPC 端点来执行 \(m)（熔断打开或全部失败；最后错误：\(last)）。请检查节点，或增加 --rpc 端点。"
        case let (.noHealthyEndpoint(m, last), .en):
            return "No healthy RPC endpoint for \(m) (breakers open or all failed; last error: \(last)). Check the nodes or add --rpc endpoints."
        case let (.staleHead(e, seen, got), .zh):
            return "端点 \(e) 返回的链高度 \(got) 低于已见过的 \(seen)（可能是负载均衡后的落后节点），本次响应不可信，已切换端点。"
        case let (.staleHead(e, seen, got), .en):
            return "Endpoint \(e) answered head \(got), older than the \(seen) already seen (a lagging node behind a load balancer?); not trusted, failing over."
        case let (.chainIdMismatch(e, exp, got), .zh):
            return "端点 \(e) 的 chainId 是 \(got)，配置要求 \(exp)。拒绝运行：请确认 --rpc 指向正确的网络，或修正配置中的 chain-id。"
        case let (.chainIdMismatch(e, exp, got), .en):
            return "Endpoint \(e) reports chainId \(got) but the configuration requires \(exp). Refusing to run: point --rpc at the right network or fix chain-id."
        case let (.broadcastUnknown(e, d), .zh):
            return "向 \(e) 广播交易的结果未知（\(d)）。交易可能已上链：请按已保存的交易哈希查询，切勿重新签名。"
        case let (.broadcastUnknown(e, d), .en):
            return "Broadcasting to \(e) ended in an unknown state (\(d)). The transaction may be on chain: look it up by its stored hash, never re-sign."
        case let (.deepReorg(d, w), .zh):
            return "检测到深度重组：超过本地保存的 \(w) 个区块仍未找到共同祖先（已回溯 \(d)）。扫描已停止，请人工核对后处理。"
        case let (.deepReorg(d, w), .en):
            return "Deep reorg: no common ancestor within the \(w) stored blocks (walked back \(d)). Scanning stopped; an operator must review."
        case let (.inconsistentView(d), .zh):
            return "读取期间链发生变化（\(d)），本轮已放弃，下一轮会重新扫描。"
        case let (.inconsistentView(d), .en):
            return "The chain changed while being read (\(d)); this round was abandoned and will be rescanned."
        case let (.invalidConfiguration(k, d), .zh):
            return "链配置项 \(k) 无效：\(d)"
        case let (.invalidConfiguration(k, d), .en):
            return "Chain configuration key \(k) is invalid: \(d)"
        }
    }
}
