import WalletCrypto

public struct KMSError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    public init(_ code: String, zh: String, en: String, badInput: Bool) {
        walletError = WalletError(code, zh: zh, en: en, badInput: badInput)
    }
    /// 服务端回来的错误只带码：客户端按码恢复类别（与服务端抛出时一致）。
    static let badInputCodes: Set<String> = ["kms.bad_request", "kms.key_not_found", "kms.already_running"]

    static func unreachable(_ path: String, _ why: String) -> KMSError {
        KMSError("kms.unreachable", zh: "连不上 KMS 服务 \(path)（\(why)）：确认 `wallet-console kms serve` 正在运行且套接字路径正确。",
                 en: "cannot reach the KMS service at \(path) (\(why)): check that `wallet-console kms serve` is running and the socket path is right.", badInput: false)
    }
    static func alreadyRunning(_ path: String) -> KMSError {
        KMSError("kms.already_running", zh: "已经有一个 KMS 在 \(path) 上服务：不启动第二个（它会抢走套接字，让新客户端连不上正在运行的那个）。先停掉它（SIGTERM），或用 --socket 换一个路径。",
                 en: "a KMS is already serving at \(path): not starting a second one (it would take the socket over and strand the running one). Stop it first (SIGTERM), or use another --socket.", badInput: true)
    }
    static let rateLimited = KMSError("kms.rate_limited", zh: "KMS 请求过于频繁，已被限流：稍后重试。", en: "too many KMS requests; rate limited: retry shortly.", badInput: false)
    static let forbidden = KMSError("kms.forbidden", zh: "调用者的 uid 不在 KMS 允许列表中（SO_PEERCRED 检查）。", en: "caller uid is not allowed by the KMS (SO_PEERCRED check).", badInput: false)
    static func badRequest(_ d: String) -> KMSError {
        let (zh, en) = BilingualText.split(d)
        return KMSError("kms.bad_request", zh: "KMS 请求无效：\(zh)", en: "invalid KMS request: \(en)", badInput: true)
    }
    static func keyNotFound(_ id: String) -> KMSError { KMSError("kms.key_not_found", zh: "KMS 中没有密钥 \(id)。", en: "no key \(id) in the KMS.", badInput: true) }
    static let invalidCiphertext = KMSError("kms.invalid_ciphertext", zh: "密文无法解密：被改动、不是这把 KMS 密钥加密的，或上下文不符。", en: "ciphertext cannot be decrypted: altered, wrapped by another KMS key, or context mismatch.", badInput: false)
}
