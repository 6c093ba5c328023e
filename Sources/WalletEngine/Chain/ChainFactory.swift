// 按配置造链客户端：rpc → 多端点容错 JSON-RPC（启动时校验 chainId，不符拒绝运行）；demo → 进程内模拟链（醒目标注）。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys

/// 链访问：客户端 + （rpc 时）端点健康。
public struct ChainAccess: Sendable {
    public let client: ChainClient
    public let rpc: ResilientRPC?
    /// 演示链（WalletChain.DemoChain：SimChain + 确定性随机事件）。
    public let demo: DemoChain?

    public var health: [EndpointHealth] { rpc?.health ?? [] }

    public static func make(config: EngineConfig, metrics: EngineMetrics) throws -> ChainAccess {
        switch config.chain.kind {
        case .rpc:
            let rc = ResilienceConfig(expectedChainId: config.chain.id, timeoutSeconds: Double(config.chain.requestTimeoutMs) / 1000,
                                      ratePerSecond: Double(config.chain.rpcRatePerSecond), burst: Double(config.chain.rpcBurst),
                                      maxChainRollback: UInt64(config.deposits.reorgWindow))
            let observer: RPCObserver = { endpoint, method, seconds, ok in
                metrics.rpcLatency.observe(seconds, [method])
                if !ok { metrics.rpcErrors.inc([method]) }
            }
            let rpc = try ResilientRPC.http(urls: config.chain.rpcURLs, config: rc, observer: observer)
            return ChainAccess(client: JSONRPCChainClient(rpc: rpc), rpc: rpc, demo: nil)
        case .demo:
            let d = DemoChain(config: DemoChainConfig(chainId: config.chain.id, seed: config.chain.demoSeed,
                                                      blockInterval: Double(config.chain.demoBlockIntervalMs) / 1000))
            return ChainAccess(client: d, rpc: nil, demo: d)
        }
    }

    /// 启动检查：节点的 chainId 必须与配置一致（防止把主网签名的交易发到别的链，或反过来）。
    public func verify(expected: UInt64) async throws {
        if let rpc { try await rpc.verifyChainId(); return }
        let got = try await client.chainId()
        guard got == expected else { throw ChainError.chainIdMismatch(endpoint: "demo", expected: expected, got: got) }
    }

    /// 熔断器状态写进指标（0 闭合 1 半开 2 断开）；标签是端点序号，不是 URL（URL 可能带 API key）。
    public func exportBreakers(_ m: EngineMetrics) {
        for (i, h) in health.enumerated() {
            let v: Double = h.breaker == .closed ? 0 : (h.breaker == .open ? 2 : 1)
            m.breakerState.set(v, ["\(i)"])
        }
    }
}
