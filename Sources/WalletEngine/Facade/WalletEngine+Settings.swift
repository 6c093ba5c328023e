// 设置：资产（新增 / 修改 / 停用 / 启用）、充值 xpub，以及 status 展示的生效值。
// 每个设置只有一个来源（docs/architecture.md「设置放在哪里」）：资产与确认策略、充值 xpub 在数据库（改动写审计、
// 记录改前改后）；节点、手续费、worker 间隔在 config.json（部署相关、启动时整体校验）；审批策略在 policy.json。
import Foundation
import WalletChain
import WalletCrypto
import WalletKeys
import WalletLedger

/// `asset update` 的可选字段：nil 表示不改。
public struct AssetChange: Sendable {
    public var confirmations: Int?
    /// 显示单位的十进制字符串（例如 "0.01"）。
    public var minDeposit: String?
    public var useFinalized: Bool?
    public init(confirmations: Int? = nil, minDeposit: String? = nil, useFinalized: Bool? = nil) {
        self.confirmations = confirmations; self.minDeposit = minDeposit; self.useFinalized = useFinalized
    }
    public var isEmpty: Bool { confirmations == nil && minDeposit == nil && useFinalized == nil }
}

/// status 展示的生效设置（各自来源见 source）。
public struct EffectiveSettings: Sendable {
    public var depositXpub: String?
    public var depositXpubPath: String?
    public var assets: [Asset]
    public var rpcURLs: [String]
    public var chainId: UInt64
    public var ownConfirmations: Int
    public var policyRules: [String]
    public var policySource: String
    /// 生效策略的哈希与磁盘文件的哈希；不同 = 手改过、等待批准（生效的仍是登记的那份）。
    public var policy: PolicyState = PolicyState(activeHash: nil, fileHash: nil)
}

extension WalletEngine {
    /// 显示用的节点地址（与错误消息、日志里的端点标签是同一个去敏实现）。
    public static func redactedURL(_ s: String) -> String { HTTPTransport.redacted(s) }

    public func assets() throws -> [Asset] { try gate.with { l in try l.store.allAssets() } }

    /// 查资产；不存在返回 nil。
    public func asset(_ symbol: String) -> Asset? { try? gate.with { l in try l.asset(symbol) } }

    /// 新增资产（只创建，不覆盖；原生币由 init 创建，不能再加一个无合约资产）。
    public func addAsset(symbol: String, contract: String?, decimals: Int, confirmations: Int,
                         minDeposit: String? = nil, useFinalized: Bool = false, by op: Operator) async throws -> Asset {
        try authorize(op, .assetAdd)
        guard (1...10_000).contains(confirmations) else {
            throw EngineError("asset.confirmations", zh: "--confirmations 必须在 1…10000 之间。", en: "--confirmations must be within 1…10000.", badInput: true)
        }
        guard (0...36).contains(decimals) else {
            throw EngineError("asset.decimals", zh: "--decimals 必须在 0…36 之间。", en: "--decimals must be within 0…36.", badInput: true)
        }
        guard let c = contract else {
            throw EngineError("asset.contract_required", zh: "新增资产必须给 --contract（原生币 ETH 由 init 创建，不能再添加或改绑）。",
                              en: "a new asset needs --contract (the native ETH is created by init and cannot be added again or rebound).", badInput: true)
        }
        let canonical: String
        do { canonical = try EthereumAddress(string: c).lowercased } catch {
            throw EngineError("asset.contract", zh: "合约地址 '\(c)' 无效（需 0x + 40 位十六进制；大小写混合时必须符合 EIP-55 校验和）。",
                              en: "contract address '\(c)' is invalid (0x + 40 hex digits; mixed case must match the EIP-55 checksum).", badInput: true)
        }
        guard !symbol.isEmpty, symbol.count <= 16, symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
            throw EngineError("asset.symbol", zh: "资产符号须为 1–16 个 ASCII 字母、数字、. 或 -。", en: "the symbol must be 1–16 ASCII letters, digits, . or -.", badInput: true)
        }
        // 同名（不区分大小写）即拒绝：add 只新建，修改用 asset update；原生币 ETH 因此也不能被改绑。
        if let clash = try assets().first(where: { $0.symbol.lowercased() == symbol.lowercased() }) {
            throw EngineError("asset.exists", zh: "资产 \(clash.symbol) 已存在（符号不区分大小写）：add 只新建；修改用 `asset update \(clash.symbol)`。",
                              en: "asset \(clash.symbol) already exists (symbols are case-insensitive): add only creates; use `asset update \(clash.symbol)` to change it.", badInput: true)
        }
        if config.chain.kind == .rpc { try await verifyTokenContract(canonical, decimals: decimals) }
        // 输入与链上核对都通过之后才记提议：坏输入立刻得到错误，不会变成一条待批准的提议。
        var pl = ["symbol": symbol, "decimals": String(decimals), "confirmations": String(confirmations), "useFinalized": String(useFinalized)]
        if let contract { pl["contract"] = contract }
        if let minDeposit { pl["minDeposit"] = minDeposit }
        try quorumGate(op, .assetAdd, summary: "asset add \(symbol) \(contract ?? "")", payload: pl)
        var a = Asset(symbol: symbol, decimals: decimals, contract: canonical, confirmations: confirmations, useFinalized: useFinalized)
        if let m = minDeposit { a.minDeposit = try a.parse(m) }
        let added = a
        try gate.with { l in try l.addAsset(added, by: op.name) }
        logger.info("asset.added", ["symbol": .string(symbol), "decimals": .int(Int64(decimals)), "confirmations": .int(Int64(confirmations)),
                                    "operator": .string(op.name)])
        return a
    }

    /// 登记代币之前先问链：地址上必须有合约代码、不是我们自己的地址，且合约报告的 decimals 与 --decimals 一致——
    /// 精度写错会让所有金额与审批阈值差 10^n 倍。
    func verifyTokenContract(_ contract: String, decimals: Int) async throws {
        let own = try gate.with { l in try l.store.depositAddress(address: contract) != nil } || contract == hotAddress
        guard !own else {
            throw EngineError("asset.not_a_contract", zh: "\(contract) 是本钱包自己的地址，不是代币合约。", en: "\(contract) is one of our own addresses, not a token contract.", badInput: true)
        }
        guard let rpc = chain.rpc else { return }   // 只有真实节点才核对（演示链是模拟器）
        let code: JSONValue
        do { code = try await rpc.call("eth_getCode", [.string(contract), .string("latest")]) } catch {
            throw EngineError("asset.node_unreachable", zh: "无法向节点核对合约（\(WalletError(error).code.rawValue)）；节点恢复后重试。",
                              en: "cannot check the contract with the node (\(WalletError(error).code.rawValue)); retry when the node is back.", badInput: false)
        }
        guard case .string(let hex) = code, hex.count > 2, hex != "0x" else {
            throw EngineError("asset.not_a_contract", zh: "\(contract) 上没有合约代码（是普通账户或地址写错了）。", en: "there is no contract code at \(contract) (an ordinary account, or a wrong address).", badInput: true)
        }
        let out: [UInt8]
        do { out = try await client.call(CallRequest(to: try ChainAddress(hex: contract), data: [0x31, 0x3c, 0xe5, 0x67]), .latest) } catch {
            throw EngineError("asset.no_decimals", zh: "合约 \(contract) 不响应 decimals()：不像 ERC-20。", en: "contract \(contract) does not answer decimals(): not an ERC-20.", badInput: true)
        }
        guard out.count >= 32, let onChain = (try? UInt256(bigEndian: Array(out.suffix(32))))?.uint64 else {
            throw EngineError("asset.no_decimals", zh: "合约 \(contract) 的 decimals() 返回无效。", en: "contract \(contract) returned an invalid decimals().", badInput: true)
        }
        guard onChain == UInt64(decimals) else {
            throw EngineError("asset.decimals_mismatch", zh: "合约报告 decimals = \(onChain)，与 --decimals \(decimals) 不符。", en: "the contract reports decimals = \(onChain), not --decimals \(decimals).", badInput: true)
        }
    }

    /// 只改给出的字段；审计记下改前改后。
    public func updateAsset(_ symbol: String, _ change: AssetChange, by op: Operator) throws -> Asset {
        try authorize(op, .assetUpdate)
        guard !change.isEmpty else {
            throw EngineError("asset.nothing_to_change", zh: "没有要改的字段：给出 --confirmations、--min-deposit 或 --use-finalized。",
                              en: "nothing to change: pass --confirmations, --min-deposit or --use-finalized.", badInput: true)
        }
        var pl = ["symbol": symbol]
        if let c = change.confirmations { pl["confirmations"] = String(c) }
        if let m = change.minDeposit { pl["minDeposit"] = m }
        if let f = change.useFinalized { pl["useFinalized"] = String(f) }
        try quorumGate(op, .assetUpdate, summary: "asset update \(symbol)", payload: pl)
        let a = try gate.with { l in
            try l.updateAsset(symbol, by: op.name) { a in
                if let c = change.confirmations { a.confirmations = c }
                if let m = change.minDeposit { a.minDeposit = try a.parse(m) }
                if let f = change.useFinalized { a.useFinalized = f }
            }
        }
        logger.info("asset.updated", ["symbol": .string(symbol), "operator": .string(op.name)])
        return a
    }

    public func setAssetEnabled(_ symbol: String, _ enabled: Bool, by op: Operator) throws -> Asset {
        try authorize(op, enabled ? .assetEnable : .assetDisable)
        if !enabled, let a = asset(symbol), a.contract == nil {
            throw EngineError("asset.native", zh: "原生币 \(symbol) 不能停用（手续费以它支付）。", en: "the native asset \(symbol) cannot be disabled (fees are paid in it).", badInput: true)
        }
        try quorumGate(op, enabled ? .assetEnable : .assetDisable, summary: "asset \(enabled ? "enable" : "disable") \(symbol)", payload: ["symbol": symbol])
        let a = try gate.with { l in try l.updateAsset(symbol, by: op.name) { $0.enabled = enabled } }
        logger.info(enabled ? "asset.enabled" : "asset.disabled", ["symbol": .string(symbol), "operator": .string(op.name)])
        return a
    }

    /// 设置充值 xpub（只接受扩展公钥；路径是 xpub 自身的完整 BIP-32 路径）。已分配地址后不可更换。
    public func setDepositXpub(_ xpub: String, xpubPath: String, by op: Operator) throws -> (address: String, path: String) {
        try authorize(op, .depositXpubSet)
        try quorumGate(op, .depositXpubSet, summary: "address set-xpub \(xpubPath)", payload: ["xpub": xpub, "xpubPath": xpubPath])
        return try gate.with { l in
            try l.setDepositXpub(xpub, xpubPath: xpubPath, by: op.name)
            guard let d = l.deriver else { throw LedgerError.settingMissing(Ledger.Settings.depositXpub) }
            return try d.derive(index: 0)
        }
    }

    public func effectiveSettings() throws -> EffectiveSettings {
        let ps = try policyState()
        var s = try gate.with { l in
            EffectiveSettings(depositXpub: try l.setting(Ledger.Settings.depositXpub),
                              depositXpubPath: try l.setting(Ledger.depositXpubPathKey) ?? (try l.setting(Ledger.Settings.depositXpub) == nil ? nil : XpubDepositAddressDeriver.defaultXpubPath),
                              assets: try l.store.allAssets(), rpcURLs: config.chain.rpcURLs.map(Self.redactedURL), chainId: config.chain.id,
                              ownConfirmations: config.deposits.confirmations, policyRules: l.policy.rules.map(\.name),
                              policySource: FileManager.default.fileExists(atPath: home.policyFile) ? "policy.json" : "default")
        }
        s.policy = ps
        return s
    }
}
