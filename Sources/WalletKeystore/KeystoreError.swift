// keystore 的全部用户可见错误：稳定机器码 + 中英文可操作说明。
import WalletCrypto

public enum KeystoreError: WalletError, Equatable {
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

    public var code: String {
        switch self {
        case .notInitialized: return "keystore.not_initialized"
        case .alreadyInitialized: return "keystore.already_initialized"
        case .sealed: return "keystore.sealed"
        case .wrongPassphrase: return "keystore.wrong_passphrase"
        case .wrongShare: return "keystore.wrong_share"
        case .invalidShare: return "keystore.invalid_share"
        case .tooManyFailures: return "keystore.backoff"
        case .corrupted: return "keystore.corrupted"
        case .unsupportedVersion: return "keystore.unsupported_version"
        case .insecurePermissions: return "keystore.insecure_permissions"
        case .keyNotFound: return "keystore.key_not_found"
        case .wrongMode: return "keystore.wrong_seal_mode"
        case .io: return "keystore.io"
        case .invalidInput: return "keystore.invalid_input"
        case .unsupportedTier: return "keystore.unsupported_tier"
        }
    }

    public var isBadInput: Bool {
        switch self {
        case .corrupted, .io, .insecurePermissions, .unsupportedVersion: return false
        default: return true
        }
    }

    public func message(_ lang: Language) -> String {
        let zh = lang == .zh
        switch self {
        case .notInitialized(let d):
            return zh ? "目录 \(d) 下没有 keystore：先运行 `wallet-console keystore init`。" : "no keystore in \(d): run `wallet-console keystore init` first."
        case .alreadyInitialized(let d):
            return zh ? "目录 \(d) 已有 keystore，拒绝覆盖。换一个 --home 或先备份后手动移走。" : "a keystore already exists in \(d); refusing to overwrite. Use another --home or move it away after backing up."
        case .sealed:
            return zh ? "keystore 处于封存状态：先用口令或足够的 Shamir 份额解封（--unseal-passphrase-file 或 keystore unseal）。" : "the keystore is sealed: unseal it with the passphrase or enough Shamir shares first."
        case .wrongPassphrase:
            return zh ? "解封口令错误（或 keystore 头文件被改动）。磁盘内容未改变；连续失败会逐步延长等待时间。" : "wrong unseal passphrase (or the keystore header was altered). Nothing changed on disk; repeated failures are slowed down."
        case .wrongShare:
            return zh ? "份额组合后无法解封：至少有一份是错的或属于另一个 keystore。进度已清零，请重新提交。" : "the combined shares do not unseal: at least one is wrong or from another keystore. Progress was reset; submit again."
        case .invalidShare(let d):
            return zh ? "份额格式错误：\(d)" : "malformed share: \(d)"
        case .tooManyFailures(let s):
            return zh ? "解封失败次数过多，请 \(s) 秒后再试（每次失败等待时间加倍，每次失败都记在 keystore/audit.log）。" : "too many failed unseal attempts; retry in \(s) s (the delay doubles per failure; each failure is recorded in keystore/audit.log)."
        case let .corrupted(f, d):
            return zh ? "keystore 文件 \(f) 已损坏或被篡改（\(d)）。文件未被改写；请从备份恢复。" : "keystore file \(f) is corrupted or tampered with (\(d)). It was not overwritten; restore it from a backup."
        case let .unsupportedVersion(f, v):
            return zh ? "文件 \(f) 的格式版本 \(v) 不受支持：请升级 wallet-console。" : "file \(f) has unsupported format version \(v): upgrade wallet-console."
        case let .insecurePermissions(p, m):
            return zh ? "\(p) 的权限是 \(m)，过宽：目录应为 0700、文件 0600（chmod 后重试）。" : "\(p) has permissions \(m), too open: directory must be 0700, files 0600 (chmod and retry)."
        case .keyNotFound(let id):
            return zh ? "keystore 中没有 id 为 '\(id)' 的密钥：用 `keystore list` 查看。" : "no key with id '\(id)' in the keystore: see `keystore list`."
        case .wrongMode(let m):
            return zh ? "此 keystore 的解封方式是 \(m)。" : "this keystore is unsealed with \(m)."
        case .io(let d):
            return zh ? "读写 keystore 失败：\(d)" : "keystore I/O failed: \(d)"
        case .invalidInput(let d):
            return zh ? "输入无效：\(d)" : "invalid input: \(d)"
        case .unsupportedTier(let d):
            return zh ? "该密钥层级不支持此操作：\(d)" : "this key tier does not support the operation: \(d)"
        }
    }
}
