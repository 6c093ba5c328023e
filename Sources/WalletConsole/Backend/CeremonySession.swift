import WalletCrypto

/// 仪式中展示给人看的机密词表。只在渲染时短暂转成字符串；离开该步骤后由会话清零。
public struct SecretWords: Sendable, CustomStringConvertible {
    public let words: [SecretBytes]
    public init(words: [SecretBytes]) { self.words = words }
    public var description: String { "SecretWords(<已隐藏 redacted>, \(words.count))" }
    /// 第 i 个词（渲染专用）。
    public func reveal(_ i: Int) -> String { String(decoding: words[i].unsafeArray(), as: UTF8.self) }
}

/// 仪式步骤：由引擎的仪式状态机给出，控制台逐步驱动。
public enum CeremonyStep: Sendable {
    case intro(description: String)
    /// 助记词以编号网格展示。
    case showWords(SecretWords)
    /// 验证测验：请输入这些位置（1 起）的词。
    case quiz(positions: [Int])
    /// 设置口令：confirm=false 为第一次，true 为再次输入。
    case passphrase(confirm: Bool)
    /// SLIP-39 份额逐份展示，需确认“下一份”。
    case showShare(index: Int, of: Int, words: SecretWords)
    case summary(fingerprint: String, xpub: String, firstAddresses: [String])
    case finished
    case aborted(reason: String)

    /// 该步骤是否显示机密：离开后控制台必须清屏重绘。
    public var showsSecret: Bool {
        switch self {
        case .showWords, .showShare: return true
        default: return false
        }
    }
}

public enum CeremonyInput: Sendable {
    case proceed
    case quizAnswers([SecretBytes])
    case passphrase(SecretBytes)
    case nextShare
}

/// 由引擎实现的仪式状态机。
public protocol CeremonySession: AnyObject, Sendable {
    func current() async -> CeremonyStep
    /// 提交输入，返回下一步；输入错误抛 `WalletError`（例如测验答错），步骤不前进。
    func submit(_ input: CeremonyInput) async throws -> CeremonyStep
    func abort() async
}
