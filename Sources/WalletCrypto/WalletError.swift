// 一个错误模型（issue 12）：各模块的类型化错误都映射成同一个 WalletError 结构体；
// 面（CLI、控制台状态行、引擎日志、告警）只渲染它。做法同 SwiftNIO / swift-log：错误是带稳定码的值，不是一棵协议树。

import Foundation

public enum Language: String, Sendable, CaseIterable {
    case zh, en
}

/// 面向人的错误：稳定机器码（脚本依赖，不要改名）+ 同一处写成的中英文说明 + 明确的类别（决定退出码）。
public struct WalletError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 稳定机器码，形如 "bip39.unknown_word"。是结构体不是 enum：加新码不破坏 API（NIO 的 *Error.Code 同理）；
    /// 每个码必须在 ErrorCodes.swift 登记恰好一次（ErrorRegistryTests 扫描 Sources/ 核对）。
    public struct Code: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
        /// 是否已登记（ErrorCodes.swift）。
        public var isRegistered: Bool { WalletError.registeredCodes.contains(rawValue) }
    }

    public let code: Code
    public let zh: String
    public let en: String
    /// 输入错误（退出码 2）还是检查失败/运行错误（退出码 1）。没有默认值：每个抛错处自己说清。
    public let isBadInput: Bool

    public init(_ code: Code, zh: String, en: String, badInput: Bool) {
        self.code = code; self.zh = zh; self.en = en; self.isBadInput = badInput
    }

    public init(_ code: String, zh: String, en: String, badInput: Bool) {
        self.init(Code(code), zh: zh, en: en, badInput: badInput)
    }

    public func message(_ lang: Language) -> String { lang == .zh ? zh : en }

    /// CLI 退出码约定：输入错误 2，检查失败/运行错误 1（提议待批准的 3 不是错误，见 AdminProposalPending）。
    public var exitCode: Int32 { isBadInput ? 2 : 1 }

    /// 与旧协议的 description 一致（中文）；要英文用 message(.en)。
    public var description: String { "\(code.rawValue): \(zh)" }
}

/// 模块的类型化错误（LedgerError、KeystoreError…）：保留给 catch 做模式匹配，但码、说明、类别都来自 `walletError`。
public protocol WalletErrorConvertible: Error, CustomStringConvertible {
    var walletError: WalletError { get }
}

extension WalletErrorConvertible {
    public var code: String { walletError.code.rawValue }
    public func message(_ lang: Language) -> String { walletError.message(lang) }
    public var isBadInput: Bool { walletError.isBadInput }
    public var description: String { walletError.description }
}

extension WalletError {
    /// 任何错误 → WalletError。不认识的错误只报类型名：绝不 String(describing:)，那可能带着机密（口令、密钥字节）。
    public init(_ error: any Error) {
        if let w = error as? WalletError { self = w; return }
        if let c = error as? any WalletErrorConvertible { self = c.walletError; return }
        if error is CancellationError {
            self = WalletError("cancelled", zh: "操作已取消。", en: "the operation was cancelled.", badInput: false)
            return
        }
        let type = String(reflecting: Swift.type(of: error))
        self = WalletError("internal", zh: "内部错误（\(type)）。这是程序缺陷：请把命令和这行输出交给开发。",
                           en: "internal error (\(type)). This is a bug: report the command and this line to the developers.",
                           badInput: false)
    }
}

// 以前没有采用错误协议的底层错误。它们漏到面上时以前走「internal」、退出码 1：类别保持 false，不改退出码。
// 说明里不回显输入本身（十六进制可能是私钥）。

extension CipherError: WalletErrorConvertible {
    public var walletError: WalletError {
        switch self {
        case .authenticationFailed:
            return WalletError("cipher.authentication_failed", zh: "解密认证失败：密钥不对，或密文被改动。",
                               en: "decryption failed authentication: wrong key, or the ciphertext was altered.", badInput: false)
        case .invalidKeyLength(let n):
            return WalletError("cipher.invalid_key_length", zh: "密钥长度 \(n) 字节无效。", en: "invalid key length \(n) bytes.", badInput: false)
        case .invalidNonceLength(let n):
            return WalletError("cipher.invalid_nonce_length", zh: "nonce 长度 \(n) 字节无效。", en: "invalid nonce length \(n) bytes.", badInput: false)
        case .failed(let what):
            return WalletError("cipher.failed", zh: "加解密失败（\(what)）。", en: "cipher operation failed (\(what)).", badInput: false)
        }
    }
}

extension KDFError: WalletErrorConvertible {
    public var walletError: WalletError {
        switch self {
        case .invalidParameters:
            return WalletError("kdf.invalid_parameters", zh: "密钥派生参数无效。", en: "invalid key-derivation parameters.", badInput: false)
        case .failed:
            return WalletError("kdf.failed", zh: "密钥派生失败（OpenSSL）。", en: "key derivation failed (OpenSSL).", badInput: false)
        }
    }
}

extension HexError: WalletErrorConvertible {
    public var walletError: WalletError {
        switch self {
        case .oddLength(let n):
            return WalletError("hex.odd_length", zh: "十六进制文本长度 \(n) 是奇数。", en: "hex text has odd length \(n).", badInput: false)
        case .invalidCharacter(_, let offset):
            return WalletError("hex.invalid_character", zh: "十六进制文本第 \(offset) 个字符不是十六进制数字。",
                               en: "hex text has a non-hex character at offset \(offset).", badInput: false)
        }
    }
}

extension SecureRandomError: WalletErrorConvertible {
    public var walletError: WalletError {
        switch self {
        case .systemFailure(let code):
            return WalletError("random.system_failure", zh: "系统随机数源失败（OpenSSL 错误 \(code)）：拒绝退化到弱随机源，检查系统后重试。",
                               en: "the system random source failed (OpenSSL error \(code)): refusing to fall back to a weak source; check the system and retry.",
                               badInput: false)
        }
    }
}

/// WalletError 本身也「可转换」：`catch let e as any WalletErrorConvertible` 一处接住所有已知错误（e.code 是 String）。
extension WalletError: WalletErrorConvertible {
    public var walletError: WalletError { self }
}

extension WalletError {
    /// 已知错误（WalletError 或模块的类型化错误）才返回；不认识的给 nil，由调用方决定怎么报（例如 KMS 回 kms.internal）。
    public static func known(_ error: any Error) -> WalletError? {
        (error as? any WalletErrorConvertible)?.walletError
    }
    /// 日志、告警、任务错误栏用：稳定码 + 英文说明（便于 grep；说明不含机密）。
    public var logText: String { "\(code.rawValue): \(en)" }
}

/// 存进库里、之后按界面语言显示的系统文字（例如引擎写的提现失败原因）：两种语言一起存，显示时挑一种。
/// 操作员自己写的文字（驳回原因）没有分隔符，原样显示。
public enum BilingualText {
    /// 单元分隔符：操作员输入的单行文字里不会出现。
    static let separator: Character = "\u{1F}"
    public static func join(zh: String, en: String) -> String { zh + String(separator) + en }
    /// 也认旧写法「中文 / English」（见 split）。
    public static func pick(_ stored: String, _ lang: Language) -> String {
        guard let i = stored.firstIndex(of: separator) else { return lang == .zh ? split(stored).zh : split(stored).en }
        return lang == .zh ? String(stored[..<i]) : String(stored[stored.index(after: i)...])
    }

    /// 底层常把细节写成「中文 / English」一个字符串（keystore、KMS、PKCS#11 垫片、TEE 探测）：拆开，各用各的。
    /// 分隔符是后面跟空格的 /（路径里的 / 后面不跟空格），且左边有中文、右边没有；拆不开就两边都用原文
    /// （运行时 --lang en 测试会发现漏网的）。
    public static func split(_ detail: String) -> (zh: String, en: String) {
        var from = detail.startIndex
        while let r = detail.range(of: "/ ", range: from..<detail.endIndex) {
            let zh = detail[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            let en = detail[r.upperBound...].trimmingCharacters(in: .whitespaces)
            if hasCJK(zh), !en.isEmpty, !hasCJK(en) { return (zh, en) }
            from = r.upperBound
        }
        return (detail, detail)
    }

    /// 中日韩文字与全角标点。
    public static func hasCJK(_ s: String) -> Bool {
        s.unicodeScalars.contains { u in
            (0x4E00...0x9FFF).contains(u.value) || (0x3400...0x4DBF).contains(u.value)
                || (0x3000...0x303F).contains(u.value) || (0xFF00...0xFFEF).contains(u.value)
        }
    }
}
