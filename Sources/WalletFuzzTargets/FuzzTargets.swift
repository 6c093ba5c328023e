// 模糊测试目标（issue 11）：每个目标把一段任意字节交给一个解析外来输入的入口。抛错是正常的（坏输入就该被拒），
// 陷入、越界、无限循环、巨量分配才是缺陷。同一组函数两种用法：
//   - libFuzzer（`Tests/Fuzz/run.sh`：WalletFuzz 以 -sanitize=fuzzer 构建，按 WALLET_FUZZ_TARGET 选目标）；
//   - 回放（`WalletFuzzTests`：把提交的种子语料与每个发现过的崩溃输入在普通 `swift test` 里跑一遍，防回归）。
// 不是产品：wallet-console 不依赖它。
import Foundation
import WalletChain
import WalletConsole
import WalletCrypto
import WalletEngine
import WalletKeys
import WalletKeystore
import WalletLedger

public enum FuzzTargets {
    public static let names = ["rlp", "tx", "xkey", "mnemonic", "slip39", "v3", "jsonrpc", "config", "policy", "theme", "keymap"]

    /// 跑一个目标；未知的名字返回 false。
    @discardableResult
    public static func run(_ name: String, _ data: [UInt8]) -> Bool {
        switch name {
        case "rlp": _ = try? RLP.decode(data)
        case "tx": _ = try? SignedEthTransaction.decode(raw: data)
        case "xkey":
            if let s = String(bytes: data, encoding: .utf8) {
                _ = try? ExtendedKey(string: s)
                _ = try? DerivationPath(string: s)
            }
        case "mnemonic": _ = try? BIP39.validate(SecretBytes(data))
        case "slip39":
            if let s = String(bytes: data, encoding: .utf8) {
                let lines = s.split(separator: "\n").map(String.init)
                _ = try? SLIP39Share(mnemonic: s)
                if lines.count > 1 { _ = try? SLIP39.combine(lines) }
            }
        case "v3":
            // KDF 参数在解析时按预算界定（N ≤ 2^18）；模糊测试里再收紧到 2^14 量级，否则每次执行要 0.6 s。
            if let o = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
               let kp = ((o["crypto"] ?? o["Crypto"]) as? [String: Any])?["kdfparams"] as? [String: Any] {
                let n = kp["n"] as? Int ?? 0, r = kp["r"] as? Int ?? 0, p = kp["p"] as? Int ?? 0, c = kp["c"] as? Int ?? 0
                guard n.multipliedReportingOverflow(by: max(r, 1)).partialValue <= 1 << 14, p <= 4, c <= 1 << 14 else { return true }
            }
            _ = try? Web3SecretStorage.decrypt(json: Data(data), password: SecretBytes(Array("fuzz".utf8)))
        case "jsonrpc":
            // 节点应答：外层信封（id、error、result）→ 区块 / 收据 / 日志 / 交易 / 手续费历史的字段解析。
            guard let v = try? JSONRPCEnvelope.decode(data) else { return true }
            _ = try? ChainBlock.parse(v)
            _ = try? ChainReceipt.parse(v)
            _ = try? ChainLog.parse(v)
            _ = try? ChainTransaction.parse(v)
            if let h = try? FeeHistory.parse(v, blockCount: 20, percentiles: 3) {
                _ = try? FeeEstimator.estimate(history: h, nodeTip: nil, policy: FeePolicy())
            }
        case "config": _ = try? EngineConfig.parse(Data(data))
        case "policy": _ = try? ApprovalPolicy.parse(Data(data))
        case "theme": if let s = String(bytes: data, encoding: .utf8) { _ = try? ThemeParser.parse(s) }
        case "keymap": if let s = String(bytes: data, encoding: .utf8) { _ = try? KeyMap.parse(s) }
        default: return false
        }
        return true
    }
}

/// JSON-RPC 应答信封：先按 HTTPTransport 的严格规则解析（id 必须对得上），取出 result。
enum JSONRPCEnvelope {
    static func decode(_ raw: [UInt8]) throws -> JSONValue {
        // 模糊输入里的 id 不可预知：先整体解析，拿到它的 id 再走与生产相同的 decodeResponse。
        let whole = try JSON.parse(raw)
        if case .object(let o) = whole, let idv = o["id"], case .number(let n) = idv, let id = UInt64(n) {
            return try JSONRPCEndpoint.decodeResponse(raw, method: "fuzz", id: id)
        }
        return whole
    }
}
