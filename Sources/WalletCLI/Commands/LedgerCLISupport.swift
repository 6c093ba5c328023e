// 账本类命令（operator/address/deposit/withdraw/ledger/audit/jobs）共用：打开数据库、加载策略、操作员认证、JSON 形状。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletLedger

/// --operator / --operator-passphrase-file（无文件且在 TTY 上时提示输入）。
struct OperatorOptions: ParsableArguments {
    @Option(name: .long, help: "执行操作的操作员名") var `operator`: String?
    @Option(name: .long, help: "操作员口令文件（不给则在终端上提示输入）") var operatorPassphraseFile: String?
}

enum LedgerCLI {
    /// 打开 <home>/wallet.db，装上 <home>/policy.json（若存在）与充值地址派生器。
    static func open(_ home: HomeOption, create: Bool = false) throws -> Ledger {
        let dir = home.resolved
        // 打错 --home 时不要悄悄建一个空库：只有 operator add（引导第一个管理员）与 init 才创建。
        if !create && !FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("wallet.db")) {
            throw SimpleWalletError("ledger.no_database", zh: "在 \(dir) 下没有 wallet.db：检查 --home，或先运行 init / operator add。",
                                    en: "no wallet.db under \(dir): check --home, or run init / operator add first.")
        }
        let ledger = try Ledger.open(home: dir)
        let policyPath = (dir as NSString).appendingPathComponent("policy.json")
        if FileManager.default.fileExists(atPath: policyPath) { ledger.policy = try ApprovalPolicy.load(path: policyPath) }
        ledger.addresses = LedgerIntegration.addressValidator
        ledger.deriver = try LedgerIntegration.deriver(ledger)
        return ledger
    }

    static func readPassphrase(file: String?, prompt: String) throws -> SecretBytes {
        if let file { return try CLI.readSecretFile(file, what: "口令") }
        guard isatty(0) == 1, let p = getpass(prompt) else {
            throw SimpleWalletError("operator.passphrase_required", zh: "需要操作员口令：用 --operator-passphrase-file 指定文件，或在终端上运行以便提示输入。",
                                    en: "operator passphrase needed: pass --operator-passphrase-file or run on a terminal to be prompted.")
        }
        var bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
        memset(p, 0, strlen(p))
        return SecretBytes(consuming: &bytes)
    }

    static func authenticate(_ ledger: Ledger, _ o: OperatorOptions) throws -> Operator {
        guard let name = o.operator else {
            throw SimpleWalletError("operator.required", zh: "该操作需要 --operator NAME（以及 --operator-passphrase-file）。",
                                    en: "this action needs --operator NAME (and --operator-passphrase-file).")
        }
        let pw = try readPassphrase(file: o.operatorPassphraseFile, prompt: "操作员 \(name) 的口令: ")
        return try ledger.authenticate(name: name, passphrase: pw)
    }

    static func parseState<T: RawRepresentable & CaseIterable>(_ s: String?, _ type: T.Type, key: String) throws -> T? where T.RawValue == String {
        guard let s else { return nil }
        guard let v = T(rawValue: s) else {
            throw LedgerError.invalidArgument(key, "只能是 \(T.allCases.map(\.rawValue).joined(separator: "|"))（收到 '\(s)'）")
        }
        return v
    }

    static func format(_ ledger: Ledger, _ asset: String, _ v: UInt256) -> String {
        (try? ledger.asset(asset).format(v)) ?? v.decimalString
    }

    static func depositJSON(_ l: Ledger, _ d: Deposit) -> [String: Any] {
        ["id": d.id, "asset": d.asset, "amount": format(l, d.asset, d.amount), "amountBaseUnits": d.amount.decimalString,
         "address": AddressValidator.eip55.display(d.address), "user": d.user, "txHash": d.txHash, "logIndex": d.logIndex, "blockNumber": d.blockNumber,
         "confirmations": d.confirmations, "required": d.required, "state": d.state.rawValue]
    }

    static func withdrawalJSON(_ l: Ledger, _ w: Withdrawal) -> [String: Any] {
        let now = l.now
        let valid = w.approvals.filter { $0.expiresAt > now }
        var o: [String: Any] = [
            "id": w.id, "requestId": w.requestID, "user": w.user, "asset": w.asset, "amount": format(l, w.asset, w.amount),
            "amountBaseUnits": w.amount.decimalString, "to": AddressValidator.eip55.display(w.to), "state": w.state.rawValue, "requestedBy": w.requestedBy,
            "rule": w.rule, "approvalsRequired": w.approvalsRequired, "approvals": valid.count,
            "approvedBy": valid.map(\.operatorName), "createdAt": w.createdAt, "expiresAt": w.expiresAt,
        ]
        if !w.reason.isEmpty { o["reason"] = w.reason }
        if let n = w.nonce { o["nonce"] = n }
        if let h = w.txHash { o["txHash"] = h }
        return o
    }

    static func balanceJSON(_ l: Ledger, _ b: AccountBalance) -> [String: Any] {
        let net = b.net
        let text = format(l, b.ref.asset, net.magnitude)
        return ["account": b.ref.code, "kind": b.ref.kind.rawValue, "asset": b.ref.asset, "owner": b.ref.owner,
                "balance": net.negative ? "-" + text : text,
                "balanceBaseUnits": (net.negative ? "-" : "") + net.magnitude.decimalString]
    }

    static func jobJSON(_ j: Job) -> [String: Any] {
        ["id": j.id, "queue": j.queue, "kind": j.kind, "state": j.state.rawValue, "priority": j.priority,
         "attempts": j.attempts, "maxAttempts": j.maxAttempts, "runAt": j.runAt, "lastError": j.lastError]
    }

    static func auditJSON(_ r: AuditRecord) -> [String: Any] {
        ["id": r.id, "ts": r.ts, "operator": r.operatorName, "action": r.action, "subject": r.subject,
         "details": r.details, "hash": r.hash]
    }

    /// 人读输出：每行一个对象的若干键。
    static func printRows(_ rows: [[String: Any]], keys: [String]) {
        if rows.isEmpty { print("（无 / none）"); return }
        for r in rows { print(keys.map { "\($0)=\(r[$0].map { "\($0)" } ?? "-")" }.joined(separator: "  ")) }
    }
}
