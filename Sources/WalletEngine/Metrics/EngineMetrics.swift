// 引擎的全部指标（名字即文档）。业务指标按资产/状态分维度，技术指标按端点序号/worker 名分维度。
// 没有任何一个标签能装下交易哈希、地址或用户 id（MetricsRegistry 在注册时就拒绝这类标签名）。
import WalletCrypto

public final class EngineMetrics: Sendable {
    public let registry: MetricsRegistry

    // —— 业务 ——
    public let depositsSeen: CounterFamily
    public let depositsCredited: CounterFamily
    public let depositsReversed: CounterFamily
    public let depositsOrphaned: CounterFamily
    public let depositsSuspicious: CounterFamily
    public let withdrawalsByState: GaugeFamily
    public let withdrawalTransitions: CounterFamily
    public let approvals: CounterFamily
    public let sweepFeesPaidWei: CounterFamily
    public let sweepsByDecision: GaugeFamily
    public let pendingJobs: GaugeFamily
    public let deadJobs: GaugeFamily
    public let scanLagBlocks: GaugeFamily
    public let chainHead: GaugeFamily
    public let scanHeight: GaugeFamily
    public let reorgs: CounterFamily
    public let scannerHalted: GaugeFamily
    public let nonceGaps: GaugeFamily
    public let reconciliationMismatches: GaugeFamily
    public let alerts: GaugeFamily

    // —— 技术 ——
    public let rpcLatency: HistogramFamily
    public let rpcErrors: CounterFamily
    public let breakerState: GaugeFamily
    public let workerRounds: CounterFamily
    public let workerErrors: CounterFamily
    public let workerRoundSeconds: HistogramFamily
    public let sealed: GaugeFamily
    public let signerHealthy: GaugeFamily
    public let signerLatency: HistogramFamily
    public let up: GaugeFamily

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        let r = registry
        depositsSeen = r.counter("wallet_deposits_seen_total", help: "扫到的充值笔数（按资产）", labels: ["asset"])
        depositsCredited = r.counter("wallet_deposits_credited_total", help: "达到确认数后入账的充值笔数", labels: ["asset"])
        depositsReversed = r.counter("wallet_deposits_reversed_total", help: "入账后因重组被冲正的充值笔数", labels: ["asset"])
        depositsOrphaned = r.counter("wallet_deposits_orphaned_total", help: "入账前因重组作废的充值笔数", labels: ["asset"])
        depositsSuspicious = r.counter("wallet_deposits_suspicious_total", help: "可疑转账（假币合约、失败交易）", labels: ["reason"])
        withdrawalsByState = r.gauge("wallet_withdrawals", help: "各状态的提现笔数", labels: ["state"])
        withdrawalTransitions = r.counter("wallet_withdrawal_transitions_total", help: "引擎驱动的提现状态变化", labels: ["state"])
        approvals = r.counter("wallet_approvals_total", help: "审批动作（approve/reject）", labels: ["decision"])
        sweepFeesPaidWei = r.wideCounter("wallet_sweep_fees_paid_wei_total", help: "归集已付链上手续费（wei，含补 gas）", labels: ["asset"])
        sweepsByDecision = r.gauge("wallet_sweep_plan", help: "最近一次归集计划中各决策的地址数", labels: ["decision"])
        pendingJobs = r.gauge("wallet_jobs_pending", help: "任务队列中待处理的任务数", labels: ["queue"])
        deadJobs = r.gauge("wallet_jobs_dead", help: "死信队列中的任务数")
        scanLagBlocks = r.gauge("wallet_scan_lag_blocks", help: "扫块高度落后链头的区块数")
        chainHead = r.gauge("wallet_chain_head", help: "节点报告的链头高度")
        scanHeight = r.gauge("wallet_scan_height", help: "已扫描到的高度")
        reorgs = r.counter("wallet_reorgs_total", help: "发现的链重组次数")
        scannerHalted = r.gauge("wallet_scanner_halted", help: "扫块器因超过窗口的深度重组而停机（1）；scanner rescan 恢复")
        nonceGaps = r.gauge("wallet_nonce_gaps", help: "热钱包 nonce 缺口数（应为 0）")
        reconciliationMismatches = r.gauge("wallet_reconciliation_mismatches", help: "最近一次对账不一致的账户数")
        alerts = r.gauge("wallet_alerts", help: "账本里的告警条数（按类别；引擎心跳时刷新）", labels: ["kind"])

        rpcLatency = r.histogram("wallet_rpc_latency_seconds", help: "JSON-RPC 请求延迟", labels: ["method"])
        rpcErrors = r.counter("wallet_rpc_errors_total", help: "JSON-RPC 失败次数", labels: ["method"])
        breakerState = r.gauge("wallet_rpc_breaker_state", help: "各节点熔断器状态（0 闭合，1 半开，2 断开）", labels: ["endpoint"])
        workerRounds = r.counter("wallet_worker_rounds_total", help: "worker 完成的轮次", labels: ["worker"])
        workerErrors = r.counter("wallet_worker_errors_total", help: "worker 轮次失败次数", labels: ["worker"])
        workerRoundSeconds = r.histogram("wallet_worker_round_seconds", help: "worker 每轮耗时", labels: ["worker"],
                                         buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30])
        sealed = r.gauge("wallet_keystore_sealed", help: "密钥库是否封存（1 封存，0 已解封）")
        signerHealthy = r.gauge("wallet_hot_signer_healthy", help: "热钱包签名器最近一次真实检查通过（1），封存、不可用或错误为 0")
        signerLatency = r.histogram("wallet_signer_latency_seconds", help: "一次交易签名的耗时（按密钥层级：hsm / kms / encrypted-db）",
                                    labels: ["tier"], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5])
        up = r.gauge("wallet_engine_up", help: "引擎运行中")
    }
}
