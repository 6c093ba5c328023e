import WalletCrypto

public struct KMSError: WalletError, Equatable {
    public let code: String
    public let zh: String
    public let en: String
    public init(_ code: String, zh: String, en: String) { self.code = code; self.zh = zh; self.en = en }
    public func message(_ lang: Language) -> String { lang == .zh ? zh : en }
    public var isBadInput: Bool { code == "kms.bad_request" || code == "kms.key_not_found" || code == "kms.already_running" }

    static func unreachable(_ path: String, _ why: String) -> KMSError {
        KMSError("kms.unreachable", zh: "连不上 KMS 服务 \(path)（\(why)）：确认 `wallet-console kms serve` 正在运行且套接字路径正确。",
                 en: "cannot reach the KMS service at \(path) (\(why)): check that `wallet-console kms serve` is running and the socket path is right.")
    }
    static func alreadyRunning(_ path: String) -> KMSError {
        KMSError("kms.already_running", zh: "已经有一个 KMS 在 \(path) 上服务：不启动第二个（它会抢走套接字，让新客户端连不上正在运行的那个）。先停掉它（SIGTERM），或用 --socket 换一个路径。",
                 en: "a KMS is already serving at \(path): not starting a second one (it would take the socket over and strand the running one). Stop it first (SIGTERM), or use another --socket.")
    }
    static let rateLimited = KMSError("kms.rate_limited", zh: "KMS 请求过于频繁，已被限流：稍后重试。", en: "too many KMS requests; rate limited: retry shortly.")
    static let forbidden = KMSError("kms.forbidden", zh: "调用者的 uid 不在 KMS 允许列表中（SO_PEERCRED 检查）。", en: "caller uid is not allowed by the KMS (SO_PEERCRED check).")
    static func badRequest(_ d: String) -> KMSError { KMSError("kms.bad_request", zh: "KMS 请求无效：\(d)", en: "invalid KMS request: \(d)") }
    static func keyNotFound(_ id: String) -> KMSError { KMSError("kms.key_not_found", zh: "KMS 中没有密钥 \(id)。", en: "no key \(id) in the KMS.") }
    static let invalidCiphertext = KMSError("kms.invalid_ciphertext", zh: "密文无法解密：被改动、不是这把 KMS 密钥加密的，或上下文不符。", en: "ciphertext cannot be decrypted: altered, wrapped by another KMS key, or context mismatch.")
}
