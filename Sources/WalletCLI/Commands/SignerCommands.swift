// signer use / status：由命令决定哪把密钥（加密库 / HSM / KMS / 仪式种子）为热钱包签名，不用手改 config.json。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine

struct SignerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signer", abstract: L("热钱包签名器：查看与切换", "hot-wallet signer: inspect and switch"),
                                                    subcommands: [Use.self, Status.self])

    struct UseJSON: Encodable {
        struct Previous: Encodable { var keyId: String; var address: String }
        var keyId: String
        var label: String
        var tier: String
        var address: String
        var addressChanged: Bool
        var previous: Previous
        init(_ c: SignerChange) {
            keyId = c.keyId; label = c.label; tier = c.tier; address = c.address; addressChanged = c.addressChanged
            previous = Previous(keyId: c.oldKeyId, address: c.oldAddress)
        }
    }

    /// signer status：签名器报告（与 status.signer 同形）再加 source（engine = 运行中的引擎，this-process = 本进程检查）。
    struct SourceField: Encodable { var source: String }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: L("让密钥库里的一把密钥为热钱包签名（admin；两位以上管理员时是提议，退出码 3；引擎须先停）", "make a key from the keystore sign for the hot wallet (admin; with two or more admins this is a proposal, exit code 3; stop the engine first)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var auth: OperatorOptions
        @Option(name: .long, help: ArgumentHelp(L("密钥 id（keystore list / hsm keygen / kms keygen / ceremony 打印的）", "key id (as printed by keystore list / hsm keygen / kms keygen / ceremony)"))) var key: String
        @Flag(name: .long, help: ArgumentHelp(L("确认热钱包地址随之改变（要求账上热钱包余额为 0、无在途交易、新地址从未发过交易）", "confirm that the hot-wallet address changes with it (requires a zero hot-wallet ledger balance, no in-flight transactions, and a new address that has never sent a transaction)"))) var newAddress = false
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                let op = try EngineCLI.authenticate(e, auth)
                let c = try await e.useSigner(keyId: key, allowNewAddress: newAddress, by: op)
                if g.json { CLI.printJSON(SignerCommand.UseJSON(c)); return }
                let zh = g.language == .zh
                print(zh ? "热钱包签名器：\(c.keyId)（\(c.label)，\(c.tier)），地址 \(c.address)" : "hot-wallet signer: \(c.keyId) (\(c.label), \(c.tier)), address \(c.address)")
                if c.addressChanged {
                    print(zh ? "热钱包地址已从 \(c.oldAddress) 换成 \(c.address)：给新地址注资（treasury fund 记账），之后的提现与补 gas 从新地址发出。"
                             : "the hot-wallet address moved from \(c.oldAddress) to \(c.address): fund the new address (record it with treasury fund); withdrawals and gas top-ups now leave from it.")
                }
                print(zh ? "启动 engine run 后用 status 确认签名器状态为 ✔。" : "start engine run, then check with status that the signer shows ✔.")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: L("热钱包签名器的真实状态（运行中的引擎的；没有引擎时本进程检查）；不是 ✔ 正常（含封存）退出 1", "actual state of the hot-wallet signer (from the running engine; checked by this process if no engine is running); exits 1 unless ✔ healthy (sealed included)"))
        @OptionGroup var g: GlobalOptions
        @OptionGroup var home: HomeOption
        @OptionGroup var u: UnsealOptions
        @Flag(name: .long, help: ArgumentHelp(L("没有运行中的引擎时，先解封再真实检查设备（否则只能报告「已封存」）", "if no engine is running, unseal first and really check the device (otherwise only \"sealed\" can be reported)"))) var unseal = false
        func run() async throws {
            await CLI.runAsync(g) {
                let e = try await EngineCLI.open(home)
                var report: SignerReport?
                if let h = e.runningEngine() { report = h.signer } else {
                    if unseal { try EngineCLI.unseal(e, u, lang: g.language) }
                    _ = try await e.usableHotSigner()
                    report = e.lastSignerReport
                    if unseal { e.seal() }
                }
                guard let r = report else {
                    throw EngineError("signer.no_report", zh: "运行中的引擎还没有报告签名器状态，稍后再试。", en: "the running engine has not reported its signer yet; retry shortly.", badInput: false)
                }
                if g.json {
                    CLI.printJSON(Merged(base: SignerReportJSON(r), extra: SignerCommand.SourceField(source: e.runningEngine() != nil ? "engine" : "this-process")))
                } else { print(EngineCLI.signerLine(r, zh: g.language == .zh)) }
                if r.state != "ok" {
                    let word = ["error": "错误", "sealed": "已封存"][r.state] ?? "不可用"
                    throw EngineError("signer.\(r.state)", zh: "热钱包签名器\(word)\(r.state == "sealed" ? "，不签名" : "：" + (r.lastErrorCode ?? ""))",
                                      en: "the hot-wallet signer is \(r.state)\(r.state == "sealed" ? " and does not sign" : ": " + (r.lastErrorCode ?? ""))", badInput: false)
                }
            }
        }
    }
}
