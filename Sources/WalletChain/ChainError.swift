import WalletCrypto

/// 链访问层的全部错误。`code` 稳定（--json 与告警依赖它）。
public enum ChainError: WalletErrorConvertible, Equatable, Sendable {
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

    /// 码、中英文说明与类别（true = 输入错误，退出码 2）写在同一个 case 里。
    public var walletError: WalletError {
        // 细节常写成「中文 / English」：各语言只取自己那一半。
        let split = BilingualText.split
        switch self {
        case let .malformedResponse(m, f, d):
            return WalletError("chain.malformed_response", zh: "节点对 \(m) 的响应不合法（字段 \(f)：\(split(d).zh)）。该端点可能有故障或被篡改，已视为失败；请检查节点或换用其他 RPC 端点。",
                               en: "The node's response to \(m) is invalid (field \(f): \(split(d).en)). Treated as a failure; check the node or use another RPC endpoint.", badInput: false)
        case let .rpcError(m, c, msg):
            return WalletError("chain.rpc_error", zh: "节点拒绝了 \(m)（错误码 \(c)：\(msg.prefix(200))）。请检查请求参数或节点状态。",
                               en: "The node rejected \(m) (code \(c): \(msg.prefix(200))). Check the request parameters or the node.", badInput: false)
        case let .transport(e, d):
            return WalletError("chain.transport", zh: "无法与 RPC 端点 \(e) 通信：\(split(d).zh)。请检查网络与 --rpc 配置。",
                               en: "Cannot talk to RPC endpoint \(e): \(split(d).en). Check the network and the --rpc configuration.", badInput: false)
        case let .timeout(e, m, s):
            return WalletError("chain.timeout", zh: "RPC 端点 \(e) 在 \(s) 秒内没有响应 \(m)。请检查节点负载或调大超时。",
                               en: "RPC endpoint \(e) did not answer \(m) within \(s) s. Check the node's load or raise the timeout.", badInput: false)
        case let .noHealthyEndpoint(m, last):
            return WalletError("chain.no_healthy_endpoint", zh: "没有可用的 RPC 端点来执行 \(m)（熔断打开或全部失败；最后错误：\(split(last).zh)）。请检查节点，或增加 --rpc 端点。",
                               en: "No healthy RPC endpoint for \(m) (breakers open or all failed; last error: \(split(last).en)). Check the nodes or add --rpc endpoints.", badInput: false)
        case let .staleHead(e, seen, got):
            return WalletError("chain.stale_head", zh: "端点 \(e) 返回的链高度 \(got) 低于已见过的 \(seen)（可能是负载均衡后的落后节点），本次响应不可信，已切换端点。",
                               en: "Endpoint \(e) answered head \(got), older than the \(seen) already seen (a lagging node behind a load balancer?); not trusted, failing over.", badInput: false)
        case let .chainIdMismatch(e, exp, got):
            return WalletError("chain.chain_id_mismatch", zh: "端点 \(e) 的 chainId 是 \(got)，配置要求 \(exp)。拒绝运行：请确认 --rpc 指向正确的网络，或修正配置中的 chain-id。",
                               en: "Endpoint \(e) reports chainId \(got) but the configuration requires \(exp). Refusing to run: point --rpc at the right network or fix chain-id.", badInput: false)
        case let .broadcastUnknown(e, d):
            return WalletError("chain.broadcast_unknown", zh: "向 \(e) 广播交易的结果未知（\(split(d).zh)）。交易可能已上链：请按已保存的交易哈希查询，切勿重新签名。",
                               en: "Broadcasting to \(e) ended in an unknown state (\(split(d).en)). The transaction may be on chain: look it up by its stored hash, never re-sign.", badInput: false)
        case let .deepReorg(d, w):
            return WalletError("chain.deep_reorg", zh: "检测到深度重组：超过本地保存的 \(w) 个区块仍未找到共同祖先（已回溯 \(d)）。扫描已停止，请人工核对后处理。",
                               en: "Deep reorg: no common ancestor within the \(w) stored blocks (walked back \(d)). Scanning stopped; an operator must review.", badInput: false)
        case let .inconsistentView(d):
            return WalletError("chain.inconsistent_view", zh: "读取期间链发生变化（\(split(d).zh)），本轮已放弃，下一轮会重新扫描。",
                               en: "The chain changed while being read (\(split(d).en)); this round was abandoned and will be rescanned.", badInput: false)
        case let .invalidConfiguration(k, d):
            return WalletError("chain.invalid_configuration", zh: "链配置项 \(k) 无效：\(split(d).zh)",
                               en: "Chain configuration key \(k) is invalid: \(split(d).en)", badInput: true)
        }
    }
}

// 以前没有采用错误协议的解析错误：漏到面上时以前走「internal」、退出码 1，类别保持 false。
extension StrictHexError: WalletErrorConvertible {
    public var walletError: WalletError {
        switch self {
        case let .badLength(expected, text):
            return WalletError("chain.bad_hex", zh: "十六进制长度不对：需要 \(expected)（收到 \(text.prefix(80))）。",
                               en: "hex has the wrong length: expected \(expected) (got \(text.prefix(80))).", badInput: false)
        case .badCharacter(let text):
            return WalletError("chain.bad_hex", zh: "不是十六进制文本：\(text.prefix(80))。", en: "not hex text: \(text.prefix(80)).", badInput: false)
        case .notQuantity(let text):
            return WalletError("chain.bad_hex", zh: "不是规范的 quantity（0x 开头、无前导零）：\(text.prefix(80))。",
                               en: "not a canonical quantity (0x, no leading zeros): \(text.prefix(80)).", badInput: false)
        }
    }
}

extension JSONParseError: WalletErrorConvertible {
    public var walletError: WalletError {
        WalletError("chain.bad_json", zh: "JSON 无法解析：\(reason)（偏移 \(offset)）。", en: "JSON cannot be parsed: \(reason) (offset \(offset)).", badInput: false)
    }
}
