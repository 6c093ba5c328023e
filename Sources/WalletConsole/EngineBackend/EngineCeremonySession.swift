// 把密钥库的 CeremonyEngine（逐题 prompt）适配成控制台的 CeremonySession（步骤枚举）。
// 机密（助记词、份额）只在这里短暂变成 SecretBytes 交给界面渲染；从不写日志或磁盘。
import Foundation
import Synchronization
import WalletCrypto
import WalletEngine

public final class EngineCeremonySession: CeremonySession, Sendable {
    let engine: CeremonyEngine
    let lang: Language
    /// 控制台没有单独的“拆分”步骤：固定生成 SLIP-39 2-of-3 份额（引言里写明）。
    static let split = "2-of-3"
    // 串行化对同一场仪式的读（prompt）与推进（submit/abort）：锁的是一段调用序列，不是一个值，所以是 Mutex<Void>。
    private let lock = Mutex<Void>(())
    /// 结束（完成 true / 中止 false）时调用一次：后端把它写进账本审计。
    let onEnd: @Sendable (CeremonyEngine, Bool) -> Void
    private let ended = Mutex(false)

    init(_ engine: CeremonyEngine, lang: Language, onEnd: @escaping @Sendable (CeremonyEngine, Bool) -> Void = { _, _ in }) {
        self.engine = engine; self.lang = lang; self.onEnd = onEnd
    }

    /// 只报一次（完成后再按中止、或重复中止都不再记）。
    func end(completed: Bool) {
        guard ended.withLock({ e in defer { e = true }; return !e }) else { return }
        onEnd(engine, completed)
    }

    public func current() async -> CeremonyStep { lock.withLock { _ in step() } }

    /// 取出 "NN. word" 行里的词。
    static func words(_ lines: [String]) -> SecretWords {
        SecretWords(words: lines.compactMap { l -> SecretBytes? in
            guard let dot = l.firstIndex(of: "."), l[..<dot].trimmingCharacters(in: .whitespaces).allSatisfy(\.isNumber) else { return nil }
            return SecretBytes(Array(l[l.index(after: dot)...].trimmingCharacters(in: .whitespaces).utf8))
        })
    }

    /// 标题里的两个数（"… #7 (1/3)" 或 "… share 2/3"）。
    static func numbers(_ s: String) -> [Int] {
        var out: [Int] = []
        var cur = ""
        for c in s { if c.isNumber { cur.append(c) } else if !cur.isEmpty { out.append(Int(cur)!); cur = "" } }
        if !cur.isEmpty { out.append(Int(cur)!) }
        return out
    }

    func step() -> CeremonyStep {
        let p = engine.prompt
        switch p.step {
        case .chooseStrength, .chooseWordlist, .dice:
            return .intro(description: lang == .zh
                ? "24 词助记词 · 核对 3 词 · 可选口令 · SLIP-39 2-of-3。确认无人旁观。"
                : "24-word mnemonic · verify 3 · optional passphrase · SLIP-39 2-of-3. No one watching.")
        case .showWords: return .showWords(Self.words(p.lines))
        case .verifyWord: return .quiz(positions: [Self.numbers(p.titleEn).first ?? 0])
        case .passphrase: return .passphrase(confirm: false)
        case .confirmPassphrase: return .passphrase(confirm: true)
        case .chooseSplit: return .intro(description: "SLIP-39 \(Self.split)")
        case .showShare:
            let n = Self.numbers(p.titleEn)
            return .showShare(index: n.first ?? 1, of: n.dropFirst().first ?? 1, words: Self.words(Array(p.lines.dropFirst())))
        case .summary:
            let s = engine.summary
            return .summary(fingerprint: s?.fingerprint ?? "", xpub: s?.accountXpubs.first.map { "\($0.path) \($0.xpub)" } ?? "",
                            firstAddresses: s?.addresses.map { "\($0.path) \($0.address)" } ?? [])
        case .done: return .finished
        case .aborted: return .aborted(reason: p.error(lang) ?? "")
        }
    }

    func text(_ s: String) -> SecretBytes { SecretBytes(Array(s.utf8)) }

    public func submit(_ input: CeremonyInput) async throws -> CeremonyStep {
        try lock.withLock { _ in
            switch (engine.prompt.step, input) {
            case (.chooseStrength, .proceed), (.chooseWordlist, .proceed), (.dice, .proceed):
                // 默认：24 词、英文词表、不掷骰子。
                while [.chooseStrength, .chooseWordlist, .dice].contains(engine.prompt.step) { try engine.submit(text("")) }
            case (.showWords, .proceed), (.showShare, .nextShare), (.showShare, .proceed), (.summary, .proceed):
                try engine.submit()
            case (.chooseSplit, _):
                try engine.submit(text(Self.split))
            case (.verifyWord, .quizAnswers(let answers)):
                for a in answers where engine.prompt.step == .verifyWord { try engine.submit(a) }
            case (.passphrase, .passphrase(let p)), (.confirmPassphrase, .passphrase(let p)):
                try engine.submit(p)
            default:
                break
            }
            // 拆分步骤没有界面：直接按固定规格生成份额。
            if engine.prompt.step == .chooseSplit { try engine.submit(text(Self.split)) }
            if engine.prompt.step == .done { end(completed: true) }
            return step()
        }
    }

    public func abort() async {
        lock.withLock { _ in
            guard engine.prompt.step != .done else { return }
            engine.abort()
            end(completed: false)
        }
    }
}
