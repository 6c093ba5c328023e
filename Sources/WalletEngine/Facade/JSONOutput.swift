// 引擎给 CLI `--json` 的输出类型（status、signer status、fees、nonce status、sweep plan、init）。
// 字段名、值类型与「缺省 vs null」是运维脚本依赖的契约（docs/cli-json.md）：金额一律十进制字符串，id 与区块号是整数。
import Foundation
import WalletCrypto
import WalletKeystore

/// 值为 nil 时照样写出这个键（值为 null）。普通 Optional 在 nil 时省略这个键——两者都是契约的一部分，不能混用。
@propertyWrapper
public struct ExplicitNull<Value: Encodable>: Encodable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue { try c.encode(v) } else { try c.encodeNil() }
    }
}

extension ExplicitNull: Sendable where Value: Sendable {}

/// 签名器报告（status.signer、status.engine.signer、signer status 同一形状）。
public struct SignerReportJSON: Encodable, Sendable {
    public struct LastError: Encodable, Sendable {
        public var code: String
        public var message: String
        public var messageEn: String
        public var at: Int64
    }
    public var state: String
    public var keyId: String
    @ExplicitNull public var label: String?
    @ExplicitNull public var tier: String?
    @ExplicitNull public var address: String?
    @ExplicitNull public var matchesConfig: Bool?
    @ExplicitNull public var latencyMillis: Int?
    public var checkedAt: Int64
    @ExplicitNull public var lastError: LastError?

    public init(_ r: SignerReport) {
        state = r.state; keyId = r.keyId; label = r.label; tier = r.tier; address = r.address
        matchesConfig = r.matchesConfig; latencyMillis = r.latencyMillis; checkedAt = r.checkedAt
        lastError = r.lastErrorCode.map {
            LastError(code: $0, message: r.lastErrorMessage ?? "", messageEn: r.lastErrorMessageEn ?? "", at: r.lastErrorAt ?? 0)
        }
    }
}

/// `status --json` 中引擎给出的部分（settings、tiers、hardening 由 CLI 补）。
public struct EngineStatusJSON: Encodable, Sendable {
    public struct HotWallet: Encodable, Sendable {
        public var address: String
        /// 资产 → 链上余额（基本单位十进制字符串）；读取失败的资产不出现。
        public var balances: [String: String]
    }
    /// 一个节点端点的熔断器；lastError、latencyMs 没有时不出现。
    public struct Breaker: Encodable, Sendable {
        public var endpoint: String
        public var state: String
        public var failures: Int
        public var chainIdVerified: Bool
        public var disabled: Bool
        public var lastError: String?
        public var latencyMs: Int?
    }
    public struct Seal: Encodable, Sendable {
        public var sealed: Bool
        public var mode: String
        public var progress: Int
        @ExplicitNull public var threshold: Int?
        public var kekVersion: Int
        public var kekAgeSeconds: Int
        /// engine = 运行中引擎的心跳；this-process = 本查询进程自己的。
        public var source: String
    }
    /// 运行中的引擎：没有时只有 {"running": false}，有时另带心跳里的各字段。
    public struct Engine: Encodable, Sendable {
        public struct Running: Encodable, Sendable {
            public var pid: Int
            public var sealed: Bool
            @ExplicitNull public var signerTier: String?
            public var signerKeyId: String
            public var signerAddress: String
            public var heartbeatAt: Int64
            @ExplicitNull public var lastSealBy: String?
            @ExplicitNull public var lastSealAt: Int64?
            @ExplicitNull public var sealedSince: Int64?
            @ExplicitNull public var signer: SignerReportJSON?
            public var approvedWaiting: Int
            @ExplicitNull public var waitingReason: String?
        }
        public var running: Bool
        public var heartbeat: Running?
        public func encode(to encoder: Encoder) throws {
            enum K: String, CodingKey { case running }
            var c = encoder.container(keyedBy: K.self)
            try c.encode(running, forKey: .running)
            try heartbeat?.encode(to: encoder)
        }
    }

    public var chainId: UInt64
    public var chainKind: String
    public var demo: Bool
    public var hotWallet: HotWallet
    public var breakers: [Breaker]
    public var seal: Seal
    @ExplicitNull public var head: UInt64?
    @ExplicitNull public var scanHeight: UInt64?
    @ExplicitNull public var scanLag: UInt64?
    @ExplicitNull public var signerTier: String?
    public var engine: Engine
    @ExplicitNull public var signer: SignerReportJSON?
    /// 只在连不上节点时出现。
    public var nodeError: String?
    /// 只在演示链上出现。
    public var label: String?
    public var cluster: Cluster
    public var healthy: Bool
    public var problems: [String]

    public struct Cluster: Encodable, Sendable {
        public struct Engine: Encodable, Sendable {
            public var id: String, host: String, pid: Int64, heartbeatAgeSeconds: Int64, alive: Bool, roles: [String]
        }
        public struct Lease: Encodable, Sendable {
            public var name: String, holder: String, token: Int64, heldForSeconds: Int64, expiresInSeconds: Int64
        }
        public var engines: [Engine]
        public var leases: [Lease]
    }
}

extension EngineStatus {
    public var json: EngineStatusJSON {
        let e = engine
        // 运行中引擎的真实状态优先：封存按钮按下后这里 2 秒内变成 sealed。
        let running = e.map {
            EngineStatusJSON.Engine.Running(pid: Int($0.pid), sealed: $0.sealed, signerTier: $0.signerTier, signerKeyId: $0.signerKeyId,
                                            signerAddress: $0.signerAddress, heartbeatAt: $0.at, lastSealBy: $0.lastSealBy,
                                            lastSealAt: $0.lastSealAt, sealedSince: $0.sealedSince, signer: $0.signer.map(SignerReportJSON.init),
                                            approvedWaiting: $0.approvedWaiting ?? 0, waitingReason: $0.waitingReason)
        }
        return EngineStatusJSON(
            chainId: chainId, chainKind: chainKind, demo: demo,
            hotWallet: .init(address: hotWalletAddress, balances: hotWalletBalances),
            breakers: endpoints.map {
                .init(endpoint: $0.endpoint, state: $0.breaker.rawValue, failures: $0.consecutiveFailures, chainIdVerified: $0.chainIdVerified,
                      disabled: $0.disabled, lastError: $0.lastErrorCode, latencyMs: $0.lastLatencyMs.map { Int($0) })
            },
            seal: .init(sealed: e?.sealed ?? seal.sealed, mode: seal.mode.rawValue, progress: seal.progress, threshold: seal.threshold,
                        kekVersion: seal.kekVersion, kekAgeSeconds: seal.kekAgeSeconds, source: e == nil ? "this-process" : "engine"),
            head: head, scanHeight: scanHeight, scanLag: scanLag, signerTier: e.map { $0.signerTier } ?? signerTier,
            engine: .init(running: e != nil, heartbeat: running),
            signer: (e?.signer ?? signer).map(SignerReportJSON.init),
            nodeError: nodeError, label: demo ? "DEMO CHAIN — not a real network" : nil,   // 机器读的字段不分语言（--lang en 不许有中文）
            cluster: .init(engines: cluster.engines.map { .init(id: $0.id, host: $0.host, pid: $0.pid, heartbeatAgeSeconds: $0.heartbeatAgeSeconds,
                                                                alive: $0.alive, roles: $0.roles) },
                           leases: cluster.leases.map { .init(name: $0.name, holder: $0.holder, token: $0.token, heldForSeconds: $0.heldForSeconds,
                                                              expiresInSeconds: $0.expiresInSeconds) }),
            healthy: healthy, problems: problems)
    }
}

/// `nonce status --json`。
public struct NonceStatusJSON: Encodable, Sendable {
    public struct InFlight: Encodable, Sendable {
        public var nonce: Int64
        public var kind: String
        public var ref: Int64
        public var state: String
        public var attempts: Int
    }
    public var address: String
    public var nextNonce: Int64
    @ExplicitNull public var chainLatest: UInt64?
    @ExplicitNull public var chainPending: UInt64?
    public var inFlight: [InFlight]
    public var gaps: [Int64]
    public var externalUse: Bool
    public var reorged: [Int64]
    public var ok: Bool
}

extension NonceStatus {
    public var json: NonceStatusJSON {
        NonceStatusJSON(address: address, nextNonce: nextNonce, chainLatest: chainLatest, chainPending: chainPending,
                        inFlight: inFlight.map { .init(nonce: $0.nonce, kind: $0.kind, ref: $0.ref, state: $0.state, attempts: $0.attempts) },
                        gaps: gaps, externalUse: externalUse, reorged: reorged, ok: ok)
    }
}

/// `fees --json`：费用都是 wei 的十进制字符串。
public struct FeesJSON: Encodable, Sendable {
    public struct Tier: Encodable, Sendable {
        public var maxFeePerGas: String
        public var maxPriorityFeePerGas: String
        init(_ d: [String: String]) { maxFeePerGas = d["maxFeePerGas"] ?? ""; maxPriorityFeePerGas = d["maxPriorityFeePerGas"] ?? "" }
    }
    public struct Inputs: Encodable, Sendable {
        public var oldestBlock: UInt64
        public var blockCount: Int
        public var percentiles: [Int]
        public var baseFeeMarginPercent: Int
        @ExplicitNull public var nodeSuggestedTip: String?
    }
    public var baseFee: String
    public var nextBaseFee: String
    public var slow: Tier
    public var normal: Tier
    public var fast: Tier
    public var inputs: Inputs
    public var warnings: [String]
}

/// `sweep plan --json` 的一行：金额与费用是 wei（或代币基本单位）的十进制字符串。
public struct SweepPlanLineJSON: Encodable, Sendable {
    public struct FeeRange: Encodable, Sendable { public var slow: String; public var expected: String; public var fast: String }
    public var address: String
    public var asset: String
    public var amount: String
    public var gasLimit: UInt64
    public var fee: String
    public var feeRange: FeeRange
    public var net: String
    public var topUp: String
    public var decision: String
    public var reasonCode: String
    public var reason: String
}

/// `init --json` 中引擎给出的部分（backup、unseal 份额文件由 CLI 补）。
public struct InitResultJSON: Encodable, Sendable {
    public struct HotWallet: Encodable, Sendable { public var address: String; public var keyId: String }
    public struct Seed: Encodable, Sendable { public var keyId: String; public var fingerprint: String; public var generated: Bool }
    public var home: String
    public var chainId: UInt64
    public var hotWallet: HotWallet
    public var seed: Seed
    public var depositXpub: String
    public var admin: String
}
