// keystore 相关命令共用：TTY 无回显读取机密与 JSON 形状。打开与解封经引擎（EngineCLI.keystore / EngineCLI.unseal）。
// 机密只来自文件、stdin 或 TTY，绝不来自 argv/环境变量。
import ArgumentParser
import Foundation
import WalletCrypto
import WalletEngine
#if canImport(Glibc)
import Glibc
#endif

struct UnsealOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(L("解封口令文件（口令模式）；缺省时在 TTY 上提示输入", "unseal passphrase file (passphrase mode); prompted for on the TTY if omitted")))
    var unsealPassphraseFile: String?
    @Option(name: .long, help: ArgumentHelp(L("解封份额文件：每行一份 KEK 份额（份额模式）；缺省时在 TTY 上逐份提示", "unseal share file: one KEK share per line (share mode); if omitted, each share is prompted for on the TTY")))
    var unsealSharesFile: String?
}

enum KeystoreCLI {
    static func noTTY(_ what: String) -> WalletError {
        WalletError("cli.no_tty", zh: "需要\(what)，但没有给出文件参数且没有可交互的终端（/dev/tty）。请用对应的 --…-file 选项。",
                          en: "\(CLI.englishName(what)) is required but no file option was given and there is no terminal (/dev/tty). Use the matching --…-file option.", badInput: true)
    }

    /// 在 /dev/tty 上关闭回显读取一行（不经 stdin，避免与管道数据混淆）。
    static func promptSecret(_ prompt: String, what: String) throws -> SecretBytes {
        let fd = Glibc.open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw noTTY(what) }
        defer { close(fd) }
        // 先关回显再显示提示：否则提示后立即到达的输入会被回显出来（TCSANOW：不丢弃已键入的内容）。
        var old = termios()
        let hasTermios = tcgetattr(fd, &old) == 0
        if hasTermios {
            var t = old
            t.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSANOW, &t)
        }
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        defer {
            if hasTermios { var o = old; tcsetattr(fd, TCSANOW, &o) }
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1 {
            if c == 0x0a || c == 0x0d { break }
            bytes.append(c)
        }
        return SecretBytes(consuming: &bytes)
    }

    static func readSecret(file: String?, what: String, prompt: String) throws -> SecretBytes {
        if let file { return try CLI.readSecretFile(file, what: what) }
        return try promptSecret(prompt, what: what)
    }

    /// 读取多行机密文件（每行一项，忽略空行）。
    static func readSecretLines(_ path: String, what: String) throws -> [SecretBytes] {
        let all = try CLI.readSecretFile(path, what: what)
        var out: [SecretBytes] = []
        var cur: [UInt8] = []
        all.withUnsafeBytes { b in
            for x in b {
                if x == 0x0a || x == 0x0d {
                    if !cur.isEmpty { out.append(SecretBytes(consuming: &cur)) }
                } else { cur.append(x) }
            }
        }
        if !cur.isEmpty { out.append(SecretBytes(consuming: &cur)) }
        return out
    }

    /// 各层级此刻是否可用（HSM 模块能加载、KMS 套接字能连上、加密库总在）：keystore status 与 status 共用。
    static func tiers(_ ks: HomeKeystore, _ home: HomeOption) -> [TierAvailability] {
        let sock = (home.resolved as NSString).appendingPathComponent("kms.sock")
        let module = FileManager.default.fileExists(atPath: HsmCommand.defaultModule) ? HsmCommand.defaultModule : nil
        return ks.tierAvailability(hsmModule: module, kmsSocket: FileManager.default.fileExists(atPath: sock) ? sock : nil)
    }

    /// 一个层级此刻是否可用；latencyMillis 只在探测过时出现。
    struct TierJSON: Encodable {
        var tier: String
        var available: Bool
        var detail: String
        var latencyMillis: Int?
    }

    /// 给别的对象补一个 tiers 键（keystore status、status）。
    struct TiersField: Encodable { var tiers: [TierJSON] }

    static func tiersJSON(_ tiers: [TierAvailability]) -> [TierJSON] {
        tiers.map { TierJSON(tier: $0.tier.rawValue, available: $0.available, detail: BilingualText.pick($0.detail, CLI.language), latencyMillis: $0.latencyMillis) }
    }

    /// 封存状态；threshold、shareCount 只在份额模式出现，keys 只在能数密钥时出现。
    struct StatusJSON: Encodable {
        var initialized: Bool
        var sealed: Bool
        var mode: String
        var progress: Int
        var kekVersion: Int
        var kekCreated: String
        var kekAgeSeconds: Int
        var failedAttempts: Int
        var keystoreId: String
        var threshold: Int?
        var shareCount: Int?
        var keys: Int?
    }

    /// 还没有 keystore 时 keystore status 只输出这一个键。
    struct NotInitializedJSON: Encodable { var initialized = false }

    static func statusJSON(_ s: SealStatus, keys: Int?) -> StatusJSON {
        StatusJSON(initialized: s.initialized, sealed: s.sealed, mode: s.mode.rawValue, progress: s.progress, kekVersion: s.kekVersion,
                   kekCreated: s.kekCreated, kekAgeSeconds: s.kekAgeSeconds, failedAttempts: s.failedAttempts, keystoreId: s.keystoreId,
                   threshold: s.threshold, shareCount: s.shareCount, keys: keys)
    }

    /// keystore list、hsm list 的一把密钥；种子条目没有地址（null）。
    struct KeyJSON: Encodable {
        var id: String
        var label: String
        var tier: String
        @ExplicitNull var address: String?
        var created: String
        var kind: String
    }

    static func keyJSON(_ k: KeyInfo) -> KeyJSON {
        KeyJSON(id: k.id, label: k.label, tier: k.tier.rawValue, address: k.address, created: k.created, kind: k.kind.rawValue)
    }
}

extension KeystoreCLI {
    /// 在 TTY 上读一行（回显），用于非机密的选项输入。
    static func promptLine(_ prompt: String, tty: Int32) throws -> SecretBytes {
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(tty, &c, 1) == 1 {
            if c == 0x0a || c == 0x0d { break }
            bytes.append(c)
        }
        return SecretBytes(consuming: &bytes)
    }
}
