// tx 命令组：离线签名以太坊交易、解码原始交易。私钥只从文件读入。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine
import WalletKeys

struct TxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx", abstract: L("以太坊交易签名与解码", "Ethereum transaction signing and decoding"),
        subcommands: [TxSign.self, TxDecode.self])
}

enum TxJSON {
    static func bad(_ zh: String, _ en: String) -> WalletError { WalletError("tx.bad_json", zh: zh, en: en, badInput: true) }

    /// 数量：十进制字符串、0x 十六进制字符串或 JSON 整数。
    static func quantity(_ obj: [String: Any], _ key: String, required: Bool = true) throws -> UInt256? {
        guard let v = obj[key], !(v is NSNull) else {
            if required { throw bad("交易文件缺少字段 \(key)。", "transaction file lacks field \(key).") }
            return nil
        }
        if let s = v as? String {
            do { return try UInt256(quantity: s) } catch {
                throw bad("字段 \(key) 的值 '\(s)' 不是十进制或 0x 十六进制数量。", "field \(key) value '\(s)' is not a decimal or 0x-hex quantity.")
            }
        }
        // JSON 布尔也会桥接成 NSNumber：按 objCType 排除（"c" 为 BOOL）
        if let num = v as? NSNumber, String(cString: num.objCType) != "c", let n = v as? Int, n >= 0 { return UInt256(UInt64(n)) }
        throw bad("字段 \(key) 必须是非负整数（十进制或 0x 字符串）。", "field \(key) must be a non-negative integer (decimal or 0x string).")
    }

    static func u64(_ obj: [String: Any], _ key: String) throws -> UInt64 {
        guard let v = try quantity(obj, key)!.uint64 else { throw bad("字段 \(key) 超出 64 位。", "field \(key) exceeds 64 bits.") }
        return v
    }

    static func hexBytes(_ obj: [String: Any], _ key: String) throws -> [UInt8] {
        guard let v = obj[key], !(v is NSNull) else { return [] }
        guard let s = v as? String, let b = try? Hex.decode(s) else {
            throw bad("字段 \(key) 必须是 0x 开头的十六进制字节串。", "field \(key) must be a 0x hex byte string.")
        }
        return b
    }

    static func parse(_ text: String) throws -> EthTransaction {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw bad("交易文件不是 JSON 对象。", "transaction file is not a JSON object.")
        }
        // 没写 type 时像 eth-account / ethers 一样按费用字段推断：gasPrice → 0（legacy），maxFeePerGas → 2（EIP-1559）。
        let has = { (k: String) in obj[k] != nil && !(obj[k] is NSNull) }
        let legacyFee = has("gasPrice"), dynamicFee = has("maxFeePerGas") || has("maxPriorityFeePerGas")
        let type: UInt64
        if let t = try quantity(obj, "type", required: false) {
            guard let v = t.uint64 else { throw bad("type 只能是 0 或 2。", "type must be 0 or 2.") }
            type = v
        } else if legacyFee && dynamicFee {
            throw bad("同时有 gasPrice 与 maxFeePerGas/maxPriorityFeePerGas：legacy 交易只用 gasPrice，EIP-1559 交易只用 maxFeePerGas + maxPriorityFeePerGas（或显式写 type）。",
                      "both gasPrice and maxFeePerGas/maxPriorityFeePerGas given: a legacy tx uses only gasPrice, an EIP-1559 tx only maxFeePerGas + maxPriorityFeePerGas (or set type explicitly).")
        } else if legacyFee {
            type = 0
        } else if dynamicFee {
            type = 2
        } else {
            throw bad("缺少费用字段：legacy 交易给 gasPrice，EIP-1559 交易给 maxFeePerGas 与 maxPriorityFeePerGas。",
                      "no fee fields: give gasPrice for a legacy tx, or maxFeePerGas and maxPriorityFeePerGas for an EIP-1559 tx.")
        }
        guard let chainId = try quantity(obj, "chainId")!.uint64, chainId > 0 else {
            throw bad("chainId 必须是 1 到 2^64-1 之间的整数（EIP-155 重放保护需要它）。", "chainId must be 1…2^64-1 (EIP-155 replay protection needs it).")
        }
        let to: EthereumAddress?
        if let t = obj["to"], !(t is NSNull) {
            guard let s = t as? String else { throw bad("to 必须是地址字符串或 null。", "to must be an address string or null.") }
            to = try EthereumAddress(string: s)
        } else { to = nil }
        let nonce = try u64(obj, "nonce"), gas = try u64(obj, "gas")
        let value = try quantity(obj, "value", required: false) ?? .zero
        let data = try hexBytes(obj, "data")
        switch type {
        case 0:
            guard obj["accessList"] == nil || (obj["accessList"] as? [Any])?.isEmpty == true else {
                throw bad("legacy（type 0）交易不能带 accessList。", "a legacy (type 0) transaction cannot carry an accessList.")
            }
            return .legacy(chainId: chainId, nonce: nonce, gasPrice: try quantity(obj, "gasPrice")!, gasLimit: gas,
                           to: to, value: value, data: data)
        case 2:
            var al = [AccessListEntry]()
            if let raw = obj["accessList"], !(raw is NSNull) {
                guard let list = raw as? [[String: Any]] else { throw bad("accessList 必须是对象数组。", "accessList must be an array of objects.") }
                for e in list {
                    guard let a = e["address"] as? String else { throw bad("accessList 项缺少 address。", "accessList entry lacks address.") }
                    let keys = try ((e["storageKeys"] as? [Any]) ?? []).map { k -> [UInt8] in
                        guard let s = k as? String, let b = try? Hex.decode(s), b.count == 32 else {
                            throw bad("storageKeys 每项必须是 32 字节的 0x 十六进制。", "each storageKey must be 32 bytes of 0x hex.")
                        }
                        return b
                    }
                    al.append(AccessListEntry(address: try EthereumAddress(string: a), storageKeys: keys))
                }
            }
            let maxFee = try quantity(obj, "maxFeePerGas")!, tip = try quantity(obj, "maxPriorityFeePerGas")!
            guard tip <= maxFee else {
                throw bad("maxPriorityFeePerGas 不能大于 maxFeePerGas（EIP-1559）。", "maxPriorityFeePerGas cannot exceed maxFeePerGas (EIP-1559).")
            }
            return .eip1559(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                            gasLimit: gas, to: to, value: value, data: data, accessList: al)
        default:
            throw bad("type 只能是 0（legacy）或 2（EIP-1559）。", "type must be 0 (legacy) or 2 (EIP-1559).")
        }
    }

    /// v 放得进 64 位时是 JSON 整数，否则（超大 chainId 的 EIP-155 v）是十进制字符串。
    enum Number: Encodable {
        case int(UInt64), decimal(String)
        init(_ v: UInt256) { self = v.uint64.map(Number.int) ?? .decimal(v.decimalString) }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .int(let n): try c.encode(n)
            case .decimal(let s): try c.encode(s)
            }
        }
    }

    /// tx sign 的输出；tx decode 在它之上加交易字段。
    struct SignedJSON: Encodable {
        var raw: String
        var hash: String
        var from: String
        var r: String
        var s: String
        var yParity: Int
        var v: Number
    }

    static func signedFields(_ s: SignedEthTransaction) -> SignedJSON {
        SignedJSON(raw: "0x" + s.raw.hex, hash: "0x" + s.hash.hex, from: s.from.checksummed, r: "0x" + s.r.hex,
                   s: "0x" + s.s.hex, yParity: Int(s.yParity), v: Number(s.v))
    }

    /// tx decode 补充的字段。数量（nonce、gas、value、各种 fee）都是十进制字符串；chainId 是整数，没有重放保护的 legacy 交易为 null。
    /// gasPrice、replayProtected 只在 legacy（type 0）出现；maxFeePerGas、maxPriorityFeePerGas、accessList 只在 type 2 出现。
    struct DecodedJSON: Encodable {
        struct AccessItem: Encodable { var address: String; var storageKeys: [String] }
        var type: Int
        @ExplicitNull var chainId: UInt64?
        var nonce: String
        var gas: String
        @ExplicitNull var to: String?
        var value: String
        var data: String
        var signer: String
        var gasPrice: String?
        var replayProtected: Bool?
        var maxFeePerGas: String?
        var maxPriorityFeePerGas: String?
        var accessList: [AccessItem]?
    }
}

struct TxSign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: L("用私钥文件签名交易 JSON", "sign a transaction JSON with a private key file"))
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp(L("十六进制私钥文件（0600）", "hex private key file (0600)"))) var keyFile: String
    @Option(name: .long, help: ArgumentHelp(L("交易 JSON 文件", "transaction JSON file"))) var txFile: String

    func run() throws {
        CLI.run(global) {
            let tx = try TxJSON.parse(try CLI.readTextFile(txFile, what: "交易"))
            let key = try KeyCLI.hexSecret(try CLI.readSecretFile(keyFile, what: "私钥"), what: "私钥")
            guard Secp256k1.isValidPrivateKey(key) else { throw Secp256k1Error(.invalidPrivateKey) }
            CLI.printJSON(TxJSON.signedFields(try tx.sign(privateKey: key)))
        }
    }
}

struct TxDecode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: L("解码已签名的原始交易并恢复签名者", "decode a signed raw transaction and recover the signer"))
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp(L("含 0x 十六进制原始交易的文件", "file containing the 0x-prefixed hex raw transaction"))) var rawFile: String

    func run() throws {
        CLI.run(global) {
            let text = try CLI.readTextFile(rawFile, what: "原始交易").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = try? Hex.decode(text), !raw.isEmpty else {
                throw WalletError("tx.bad_hex", zh: "原始交易必须是非空的（0x）十六进制文本。", en: "raw transaction must be non-empty (0x) hex text.", badInput: true)
            }
            let s = try SignedEthTransaction.decode(raw: raw)
            let t = s.transaction
            var out = TxJSON.DecodedJSON(type: Int(t.type.rawValue), chainId: t.chainId, nonce: t.nonce.description, gas: t.gasLimit.description,
                                         to: t.to?.checksummed, value: t.value.decimalString, data: "0x" + t.data.hex, signer: s.from.checksummed)
            switch t.type {
            case .legacy:
                out.gasPrice = t.gasPrice.decimalString
                out.replayProtected = t.chainId != nil
            case .eip1559:
                out.maxFeePerGas = t.maxFeePerGas.decimalString
                out.maxPriorityFeePerGas = t.maxPriorityFeePerGas.decimalString
                out.accessList = t.accessList.map { .init(address: $0.address.checksummed, storageKeys: $0.storageKeys.map { "0x" + $0.hex }) }
            }
            CLI.printJSON(Merged(base: TxJSON.signedFields(s), extra: out))
        }
    }
}
