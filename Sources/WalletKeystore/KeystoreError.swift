// keystore 的全部用户可见错误：稳定机器码 + 中英文可操作说明。
import WalletCrypto

public enum KeystoreError: WalletErrorConvertible, Equatable {
    case notInitialized(String)
    case alreadyInitialized(String)
    case sealed
    case wrongPassphrase
    case wrongShare
    case invalidShare(String)
    case tooManyFailures(retryAfterSeconds: Int)
    case corrupted(file: String, detail: String)
    case unsupportedVersion(file: String, version: Int)
    case insecurePermissions(path: String, mode: String)
    case keyNotFound(String)
    case wrongMode(expected: String)
    case io(String)
    case invalidInput(String)
    case unsupportedTier(String)

    /// 码、中英文说明与类别（true = 输入错误，退出码 2）写在同一个 case 里。
    public var walletError: WalletError {
        // 细节常写成「中文 / English」：各语言只取自己那一半。
        let split = BilingualText.split
        switch self {
        case .notInitialized(let d):
            return WalletError("keystore.not_initialized", zh: "目录 \(d) 下没有 keystore：先运行 `wallet-console keystore init`。",
                               en: "no keystore in \(d): run `wallet-console keystore init` first.", badInput: true)
        case .alreadyInitialized(let d):
            return WalletError("keystore.already_initialized", zh: "目录 \(d) 已有 keystore，拒绝覆盖。换一个 --home 或先备份后手动移走。",
                               en: "a keystore already exists in \(d); refusing to overwrite. Use another --home or move it away after backing up.", badInput: true)
        case .sealed:
            return WalletError("keystore.sealed", zh: "keystore 处于封存状态：先用口令或足够的 Shamir 份额解封（--unseal-passphrase-file 或 keystore unseal）。",
                               en: "the keystore is sealed: unseal it with the passphrase or enough Shamir shares first.", badInput: true)
        case .wrongPassphrase:
            return WalletError("keystore.wrong_passphrase", zh: "解封口令错误（或 keystore 头文件被改动）。磁盘内容未改变；连续失败会逐步延长等待时间。",
                               en: "wrong unseal passphrase (or the keystore header was altered). Nothing changed on disk; repeated failures are slowed down.", badInput: true)
        case .wrongShare:
            return WalletError("keystore.wrong_share", zh: "份额组合后无法解封：至少有一份是错的或属于另一个 keystore。进度已清零，请重新提交。",
                               en: "the combined shares do not unseal: at least one is wrong or from another keystore. Progress was reset; submit again.", badInput: true)
        case .invalidShare(let d):
            return WalletError("keystore.invalid_share", zh: "份额格式错误：\(split(d).zh)",
                               en: "malformed share: \(split(d).en)", badInput: true)
        case .tooManyFailures(let s):
            return WalletError("keystore.backoff", zh: "解封失败次数过多，请 \(s) 秒后再试（每次失败等待时间加倍，每次失败都记在 keystore/audit.log）。",
                               en: "too many failed unseal attempts; retry in \(s) s (the delay doubles per failure; each failure is recorded in keystore/audit.log).", badInput: true)
        case let .corrupted(f, d):
            return WalletError("keystore.corrupted", zh: "keystore 文件 \(f) 已损坏或被篡改（\(split(d).zh)）。文件未被改写；请从备份恢复。",
                               en: "keystore file \(f) is corrupted or tampered with (\(split(d).en)). It was not overwritten; restore it from a backup.", badInput: false)
        case let .unsupportedVersion(f, v):
            return WalletError("keystore.unsupported_version", zh: "文件 \(f) 的格式版本 \(v) 不受支持：请升级 wallet-console。",
                               en: "file \(f) has unsupported format version \(v): upgrade wallet-console.", badInput: false)
        case let .insecurePermissions(p, m):
            return WalletError("keystore.insecure_permissions", zh: "\(p) 的权限是 \(m)，过宽：目录应为 0700、文件 0600（chmod 后重试）。",
                               en: "\(p) has permissions \(m), too open: directory must be 0700, files 0600 (chmod and retry).", badInput: false)
        case .keyNotFound(let id):
            return WalletError("keystore.key_not_found", zh: "keystore 中没有 id 为 '\(id)' 的密钥：用 `keystore list` 查看。",
                               en: "no key with id '\(id)' in the keystore: see `keystore list`.", badInput: true)
        case .wrongMode(let m):
            return WalletError("keystore.wrong_seal_mode", zh: "此 keystore 的解封方式是 \(m)。",
                               en: "this keystore is unsealed with \(m).", badInput: true)
        case .io(let d):
            return WalletError("keystore.io", zh: "读写 keystore 失败：\(split(d).zh)",
                               en: "keystore I/O failed: \(split(d).en)", badInput: false)
        case .invalidInput(let d):
            return WalletError("keystore.invalid_input", zh: "输入无效：\(split(d).zh)",
                               en: "invalid input: \(split(d).en)", badInput: true)
        case .unsupportedTier(let d):
            return WalletError("keystore.unsupported_tier", zh: "该密钥层级不支持此操作：\(split(d).zh)",
                               en: "this key tier does not support the operation: \(split(d).en)", badInput: true)
        }
    }
}
