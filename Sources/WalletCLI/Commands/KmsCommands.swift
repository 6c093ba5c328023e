// `wallet-console kms serve|status`：本地 KMS 服务（独立进程）。
import ArgumentParser
import Logging
import Foundation
import WalletCrypto
import WalletEngine
#if canImport(Glibc)
import Glibc
#endif

struct KmsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kms", abstract: L("本地 KMS 服务（GenerateDataKey/Decrypt/Sign/GetPublicKey）", "local KMS service (GenerateDataKey/Decrypt/Sign/GetPublicKey)"),
                                                    subcommands: [KmsServe.self, KmsStatus.self, KmsKeygen.self])
}

enum KmsCLI {
    /// KMS 自己的 keystore 放在 <home>/kms/（与操作员 keystore 分开，用自己的口令）。
    static func kmsHome(_ home: HomeOption) -> String { (home.resolved as NSString).appendingPathComponent("kms") }
    static func defaultSocket(_ home: HomeOption) -> String { (home.resolved as NSString).appendingPathComponent("kms.sock") }
}

struct KmsServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve",
        abstract: L("启动 KMS 服务（前台运行）；首次运行用口令创建 KMS 自己的 keystore", "start the KMS service (in the foreground); the first run creates the KMS's own keystore with a passphrase"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("Unix 套接字路径（默认 <home>/kms.sock）", "Unix socket path (default <home>/kms.sock)"))) var socket: String?
    @Option(name: .long, help: ArgumentHelp(L("每个 uid 每秒请求数上限", "maximum requests per second per uid"))) var rate: Double = 50
    @Option(name: .long, help: ArgumentHelp(L("突发上限", "burst limit"))) var burst: Double = 100
    @Option(name: .long, help: ArgumentHelp(L("scrypt log2(N)（仅首次创建）", "scrypt log2(N) (first creation only)"), visibility: .hidden)) var scryptLogN: Int = 17

    func run() async throws {
        await CLI.runAsync(g) {
            ProcessHardening.apply()
            let kh = KmsCLI.kmsHome(home)
            let ks: HomeKeystore
            if HomeKeystore.exists(home: kh) {
                ks = try HomeKeystore.open(home: kh)
                try EngineCLI.unseal(ks, u, lang: g.language)
            } else {
                let p = try KeystoreCLI.readSecret(file: u.unsealPassphraseFile, what: g.language == .zh ? "KMS 口令" : "KMS passphrase",
                                                   prompt: g.language == .zh ? "新 KMS 口令：" : "New KMS passphrase: ")
                ks = try HomeKeystore.create(home: kh, passphrase: p, scryptLogN: max(10, min(20, scryptLogN)))
            }
            let server = ks.kmsServer(KMSServer.Config(socketPath: socket ?? KmsCLI.defaultSocket(home), ratePerSecond: rate, burst: burst))
            try server.bind()
            // SIGTERM/SIGINT（ServiceGroup 接）：关闭监听、删除套接字，循环返回后封存再退出。
            FileHandle.standardError.write(Data((g.language == .zh ? "KMS 服务已启动：\(server.config.socketPath)\n" : "KMS listening on \(server.config.socketPath)\n").utf8))
            try await Lifecycle.run([BlockingLoopService(name: "kms-accept", loop: { server.serve() }, stop: { server.stop() })],
                                    logger: Logger(label: "wallet.kms") { _ in SwiftLogNoOpLogHandler() }, graceSeconds: 5)
            ks.seal(via: "kms")
        }
    }
}

struct KmsStatus: AsyncParsableCommand {
    struct StatusJSON: Encodable {
        struct Key: Encodable { var keyId: String; var keySpec: String; var label: String; var created: String }
        var reachable = true
        var latencyMillis: Int
        var socket: String
        var keys: [Key]
    }

    static let configuration = CommandConfiguration(commandName: "status", abstract: L("检查 KMS 服务是否可达及延迟、密钥数", "check whether the KMS service is reachable, plus its latency and key count"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @Option(name: .long, help: ArgumentHelp(L("Unix 套接字路径（默认 <home>/kms.sock）", "Unix socket path (default <home>/kms.sock)"))) var socket: String?

    func run() async throws {
        await CLI.runAsync(g) {
            let path = socket ?? KmsCLI.defaultSocket(home)
            let c = KMSClient(socketPath: path)
            let ms = try c.ping()
            // KMS 线协议的回复是无类型的 JSON：在这里落成固定的形状，缺的字段给空串，不把对方多给的键原样转出去。
            let keys = ((try c.call(["op": "ListKeys"])["keys"] as? [[String: Any]]) ?? []).map {
                StatusJSON.Key(keyId: $0["keyId"] as? String ?? "", keySpec: $0["keySpec"] as? String ?? "",
                               label: $0["label"] as? String ?? "", created: $0["created"] as? String ?? "")
            }
            if g.json { CLI.printJSON(StatusJSON(latencyMillis: ms, socket: path, keys: keys)); return }
            print(g.language == .zh ? "KMS 可达：\(path)，延迟 \(ms) ms，\(keys.count) 把密钥" : "KMS reachable at \(path), \(ms) ms, \(keys.count) keys")
        }
    }
}

struct KmsKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen",
        abstract: L("在 KMS 服务里生成 secp256k1 密钥并登记到本 home 的 keystore（admin）；之后 signer use 让它为热钱包签名", "generate a secp256k1 key in the KMS service and register it in this home's keystore (admin); then use signer use to make it sign for the hot wallet"))
    @OptionGroup var g: GlobalOptions
    @OptionGroup var home: HomeOption
    @OptionGroup var auth: OperatorOptions
    @OptionGroup var u: UnsealOptions
    @Option(name: .long, help: ArgumentHelp(L("Unix 套接字路径（默认 <home>/kms.sock）", "Unix socket path (default <home>/kms.sock)"))) var socket: String?
    @Option(name: .long, help: ArgumentHelp(L("密钥标签", "key label"))) var label: String

    func run() async throws {
        await CLI.runAsync(g) {
            let ks = try await EngineCLI.keystore(home, unseal: u, manage: auth, lang: g.language)
            defer { ks.seal(via: "cli") }
            let info = try ks.createKMSKey(socket: socket ?? KmsCLI.defaultSocket(home), label: label)
            if g.json { CLI.printJSON(HsmCommand.KeygenJSON(id: info.id, address: info.address ?? "", tier: info.tier.rawValue)) } else {
                print(g.language == .zh ? "已在 KMS 里生成密钥 \(info.id)，地址 \(info.address ?? "")" : "generated key \(info.id) in the KMS, address \(info.address ?? "")")
            }
        }
    }
}
