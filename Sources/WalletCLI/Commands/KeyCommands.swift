// key 命令组：助记词生成、派生、xpub 只读派生、扩展密钥检查。机密只从文件读入，绝不走 argv。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine
import WalletKeys

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: L("助记词与 HD 密钥（BIP-39/32/44）", "mnemonics and HD keys (BIP-39/32/44)"),
        subcommands: [KeyNew.self, KeyDerive.self, KeyXpubDerive.self, KeyInspect.self])
}

enum KeyCLI {
    static func badInput(_ code: String, _ zh: String, _ en: String) -> WalletError {
        WalletError(code, zh: zh, en: en, badInput: true)
    }

    static func wordlist(_ name: String, allowAuto: Bool) throws -> Wordlist? {
        if allowAuto && name == "auto" { return nil }
        guard let wl = Wordlist(rawValue: name) else {
            throw badInput("cli.bad_wordlist", "--wordlist 只能是 \(allowAuto ? "auto、" : "")en、zh-Hans 或 zh-Hant（收到 '\(name)'）。",
                           "--wordlist must be \(allowAuto ? "auto, " : "")en, zh-Hans or zh-Hant (got '\(name)').")
        }
        return wl
    }

    static func hexSecret(_ s: SecretBytes, what: String) throws -> SecretBytes {
        var text = s.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { text = "" }
        guard var b = try? Hex.decode(text) else {
            throw badInput("cli.bad_hex", "\(what)文件内容不是十六进制。", "\(CLI.englishName(what)) file does not contain hex.")
        }
        return SecretBytes(consuming: &b)
    }

    /// 按路径决定地址格式：币种 60 → EIP-55；币种 0/1 + 用途 44 → P2PKH，用途 84 → P2WPKH；其他 → nil（JSON 里是 null）。
    static func addressAndWIF(path: DerivationPath, key: ExtendedPrivateKey) throws -> (String?, String?) {
        let c = path.components.map { $0 & 0x7fff_ffff }
        guard c.count >= 2 else { return (nil, nil) }
        let purpose = c[0], coin = c[1]
        if coin == 60 { return (try EthereumAddress(publicKey: key.publicKey).checksummed, nil) }
        guard let net = BitcoinNetwork(coinType: coin) else { return (nil, nil) }
        let wif = try BitcoinAddress.wif(privateKey: key.privateKey, network: net)
        switch purpose {
        case 44: return (try BitcoinAddress.p2pkh(publicKey: key.publicKey, network: net), wif)
        case 84: return (try BitcoinAddress.p2wpkh(publicKey: key.publicKey, network: net), wif)
        default: return (nil, wif)
        }
    }
}

struct KeyNew: ParsableCommand {
    struct MnemonicJSON: Encodable { var mnemonic: String }

    static let configuration = CommandConfiguration(commandName: "new", abstract: L("生成新的 BIP-39 助记词", "generate a new BIP-39 mnemonic"))
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp(L("词数：12/15/18/21/24", "word count: 12/15/18/21/24"))) var words: Int = 24
    @Option(name: .long, help: ArgumentHelp(L("词表：en|zh-Hans|zh-Hant", "wordlist: en|zh-Hans|zh-Hant"))) var wordlist: String = "en"

    func run() throws {
        CLI.run(global) {
            let wl = try KeyCLI.wordlist(wordlist, allowAuto: false)!
            let m = try BIP39.generate(words: words, wordlist: wl)
            CLI.warn("警告：助记词就是全部资产的钥匙。只抄在纸上离线保存，不要截图、不要存进聊天或网盘。",
                     "WARNING: these words are the keys to all funds. Write them on paper offline; never screenshot or upload them.",
                     global.language)
            CLI.printJSON(MnemonicJSON(mnemonic: m.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }))
        }
    }
}

struct KeyDerive: ParsableCommand {
    /// 每个 --path 一项；address 按路径的币种决定格式，不认识的币种为 null；wif 只有比特币路径有，否则 null。
    struct DeriveJSON: Encodable {
        struct Key: Encodable {
            var path: String
            var privateKey: String
            var publicKey: String
            var xprv: String
            var xpub: String
            @ExplicitNull var address: String?
            @ExplicitNull var wif: String?
        }
        var seed: String
        var masterFingerprint: String
        var keys: [Key]
    }

    static let configuration = CommandConfiguration(commandName: "derive", abstract: L("从助记词或种子派生密钥与地址", "derive keys and addresses from a mnemonic or seed"))
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp(L("助记词文件（UTF-8）", "mnemonic file (UTF-8)"))) var mnemonicFile: String?
    @Option(name: .long, help: ArgumentHelp(L("BIP-39 口令文件（UTF-8）", "BIP-39 passphrase file (UTF-8)"))) var passphraseFile: String?
    @Option(name: .long, help: ArgumentHelp(L("词表：auto|en|zh-Hans|zh-Hant", "wordlist: auto|en|zh-Hans|zh-Hant"))) var wordlist: String = "auto"
    @Option(name: .long, help: ArgumentHelp(L("十六进制种子文件", "hex seed file"))) var seedFile: String?
    @Option(name: .long, help: ArgumentHelp(L("派生路径，可重复，如 m/44'/60'/0'/0/0", "derivation path; repeatable, e.g. m/44'/60'/0'/0/0"))) var path: [String] = []

    func run() throws {
        CLI.run(global) {
            guard (mnemonicFile == nil) != (seedFile == nil) else {
                throw KeyCLI.badInput("cli.bad_args", "必须且只能给出 --mnemonic-file 或 --seed-file 之一。", "give exactly one of --mnemonic-file or --seed-file.")
            }
            guard !path.isEmpty else {
                throw KeyCLI.badInput("cli.bad_args", "至少需要一个 --path。", "at least one --path is required.")
            }
            if seedFile != nil && passphraseFile != nil {
                throw KeyCLI.badInput("cli.bad_args", "--passphrase-file 只能与 --mnemonic-file 一起使用。", "--passphrase-file only works with --mnemonic-file.")
            }
            let paths = try path.map { try DerivationPath(string: $0) }
            for p in paths where !p.isAbsolute {
                throw KeyCLI.badInput("path.invalid", "路径 '\(p)' 必须以 m/ 开头。", "path '\(p)' must start with m/.")
            }
            let seed: SecretBytes
            if let mnemonicFile {
                let m = try CLI.readSecretFile(mnemonicFile, what: "助记词")
                try BIP39.validate(m, wordlist: try KeyCLI.wordlist(wordlist, allowAuto: true))
                let pass = try passphraseFile.map { try CLI.readSecretFile($0, what: "口令") }
                seed = try BIP39.seed(mnemonic: m, passphrase: pass)
            } else {
                seed = try KeyCLI.hexSecret(try CLI.readSecretFile(seedFile!, what: "种子"), what: "种子")
            }
            let master = try ExtendedPrivateKey(seed: seed)
            var keys = [DeriveJSON.Key]()
            for p in paths {
                let k = try master.derive(path: p)
                let (addr, wif) = try KeyCLI.addressAndWIF(path: p, key: k)
                keys.append(DeriveJSON.Key(path: p.description, privateKey: k.privateKey.unsafeArray().hex, publicKey: k.publicKey.hex,
                                           xprv: k.serializedSecret(), xpub: k.extendedPublicKey.serialized, address: addr, wif: wif))
            }
            CLI.printJSON(DeriveJSON(seed: seed.unsafeArray().hex, masterFingerprint: master.fingerprint.hex, keys: keys))
        }
    }
}

struct KeyXpubDerive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xpub-derive", abstract: L("只用 xpub 派生只读存款地址（流式输出）", "derive watch-only deposit addresses from an xpub alone (streamed output)"),
        discussion: L("不给 --count/--start 时输出 --path 本身；给出时输出 --path/i（i 从 start 到 start+count-1）。", "Without --count/--start, prints --path itself; with them, prints --path/i for i from start to start+count-1."))
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp(L("含 xpub/tpub 的文件", "file containing an xpub/tpub"))) var xpubFile: String
    @Option(name: .long, help: ArgumentHelp(L("相对路径，如 0 或 0/5", "relative path, e.g. 0 or 0/5"))) var path: String
    @Option(name: .long, help: ArgumentHelp(L("连续派生的地址个数", "number of consecutive addresses to derive"))) var count: Int?
    @Option(name: .long, help: ArgumentHelp(L("起始索引", "starting index"))) var start: Int?
    @Option(name: .long, help: ArgumentHelp(L("地址类型：eth|btc|btc-segwit", "address type: eth|btc|btc-segwit"))) var coin: String = "eth"

    func run() throws {
        CLI.run(global) {
            guard let c = WatchOnlyCoin(rawValue: coin) else {
                throw KeyCLI.badInput("cli.bad_coin", "--coin 只能是 eth、btc 或 btc-segwit。", "--coin must be eth, btc or btc-segwit.")
            }
            let xpubText = try CLI.readTextFile(xpubFile, what: "xpub").trimmingCharacters(in: .whitespacesAndNewlines)
            let xpub = try ExtendedPublicKey(string: xpubText)
            let rel = try DerivationPath(string: path)
            guard !rel.isAbsolute else { throw XKeyErrorCLI.relative }
            guard !rel.hasHardened else {
                throw KeyCLI.badInput("xkey.hardened_from_public", "xpub 不能派生硬化路径（' 或 h）。", "an xpub cannot derive hardened components (' or h).")
            }
            let batch = count != nil || start != nil
            let n = count ?? 1, s = start ?? 0
            guard n >= 1, s >= 0, s <= Int(DerivationPath.hardenedOffset), n <= Int(DerivationPath.hardenedOffset) - s else {
                throw KeyCLI.badInput("cli.bad_range", "--count 必须 ≥ 1，--start ≥ 0，且 start+count ≤ 2^31。", "--count must be ≥ 1, --start ≥ 0, start+count ≤ 2^31.")
            }
            var base = xpub
            var comps = rel.components
            if !batch { _ = comps.popLast() }
            for i in comps { base = try base.child(i) }
            let deriver = try WatchOnlyDeriver(base: base, coin: c)
            let prefix = comps.map { String($0) }.joined(separator: "/")
            let indices: [UInt32] = batch ? [] : [rel.components.last ?? 0]
            let out = StreamWriter()
            out.write("[\n")
            var first = true
            func emit(_ i: UInt32) throws {
                let (pub, addr) = try deriver.derive(index: i)
                let p = prefix.isEmpty ? "\(i)" : "\(prefix)/\(i)"
                out.write((first ? "  " : ",\n  ") + "{\"address\":\"\(addr)\",\"index\":\(i),\"path\":\"\(p)\",\"publicKey\":\"\(pub.hex)\"}")
                first = false
            }
            if batch { for i in s..<(s + n) { try emit(UInt32(i)) } } else { for i in indices { try emit(i) } }
            out.write("\n]\n")
            out.flush()
        }
    }
}

enum XKeyErrorCLI {
    static let relative = WalletError("path.invalid", zh: "xpub-derive 的 --path 必须是相对路径（如 0 或 0/5），不要以 m 开头。",
                                            en: "xpub-derive --path must be relative (e.g. 0 or 0/5), not starting with m.", badInput: true)
}

/// 边生成边写 stdout（64 KiB 一块），--count 100000 不会在内存里攒整份输出。
final class StreamWriter {
    private var buf = [UInt8]()
    init() { buf.reserveCapacity(1 << 16) }
    func write(_ s: String) {
        buf.append(contentsOf: s.utf8)
        if buf.count >= 1 << 16 { flush() }
    }
    func flush() {
        buf.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = Foundation.write(1, p.baseAddress! + off, p.count - off)
                if n <= 0 { if errno == EINTR { continue }; Foundation.exit(1) }
                off += n
            }
        }
        buf.removeAll(keepingCapacity: true)
    }
}

struct KeyInspect: ParsableCommand {
    struct InspectJSON: Encodable {
        var depth: Int
        var parentFingerprint: String
        var childNumber: Int
        var child: String
        var hardened: Bool
        var chainCode: String
        var publicKey: String
        var fingerprint: String
        var network: String
        var isPrivate: Bool
        var xpub: String
    }

    static let configuration = CommandConfiguration(commandName: "inspect", abstract: L("检查扩展密钥（xprv/xpub/tprv/tpub）", "inspect an extended key (xprv/xpub/tprv/tpub)"))
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp(L("含扩展密钥的文件", "file containing the extended key"))) var xkeyFile: String

    func run() throws {
        CLI.run(global) {
            let secret = try CLI.readSecretFile(xkeyFile, what: "扩展密钥")
            let text = secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }.trimmingCharacters(in: .whitespacesAndNewlines)
            let pub: ExtendedPublicKey, isPrivate: Bool
            switch try ExtendedKey(string: text) {
            case .public(let x): pub = x; isPrivate = false
            case .private(let x): pub = x.extendedPublicKey; isPrivate = true
            }
            CLI.printJSON(InspectJSON(
                depth: Int(pub.depth), parentFingerprint: pub.parentFingerprint.hex, childNumber: Int(pub.childNumber),
                child: DerivationPath.format(index: pub.childNumber), hardened: pub.childNumber >= DerivationPath.hardenedOffset,
                chainCode: pub.chainCode.hex, publicKey: pub.publicKey.hex, fingerprint: pub.fingerprint.hex,
                network: pub.network.rawValue, isPrivate: isPrivate, xpub: pub.serialized))
        }
    }
}
