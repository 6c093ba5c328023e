/// 密钥仪式：逐步驱动引擎的仪式状态机。机密步骤离开后应用层清屏重绘（见 ConsoleApp.applyCeremony）。
public final class CeremonyView: ConsoleView {
    public let id = ViewID.ceremony
    public var filter = ListFilter("")
    public var commands: [Command] {
        switch step {
        case nil, .finished?, .aborted?: return [.ceremony, .open, .back]
        case .summary?: return [.open, .copy, .abortCeremony, .back]
        default: return [.open, .abortCeremony, .back]
        }
    }
    public private(set) var step: CeremonyStep?
    public private(set) var error: String?
    /// 离开过视图后，本步骤的机密不再显示。
    public private(set) var secretHidden = false
    let field = TextField(secret: true)
    /// 测验：已收集的答案。
    var answers: [SecretBytesBox] = []

    public init() {}

    public var capturesText: Bool {
        switch step {
        case .quiz, .passphrase: return true
        default: return false
        }
    }

    public func dataRequest() -> DataRequest? { nil }

    public func apply(_ data: ViewData) {
        guard case .ceremony(let s) = data else { return }
        step = s; error = nil; field.clear(); answers = []; secretHidden = false
    }

    public func hideSecret() { secretHidden = true }

    public func fail(_ message: String) { error = message; field.clear(); answers = [] }

    public func handle(_ cmd: Command) -> ViewEffect {
        switch (cmd, step) {
        case (.ceremony, nil), (.open, nil), (.ceremony, .finished?), (.ceremony, .aborted?): return .startCeremony
        case (.open, .intro?), (.open, .showWords?), (.open, .summary?): return .ceremony(.proceed)
        case (.open, .showShare?): return .ceremony(.nextShare)
        // 摘要里的扩展公钥太长、常被截断：y 经 OSC 52 复制（只复制 xpub 本身，不含路径）。
        case (.copy, .summary(_, let xpub, _)?): return .copy(String(xpub.split(separator: " ").last ?? Substring(xpub)))
        case (.abortCeremony, .some(let s)):
            if case .finished = s { return .none }
            if case .aborted = s { return .none }
            return .abortCeremony
        default: return .none
        }
    }

    public func handleText(_ key: Key) -> ViewEffect {
        // 输入框里 Ctrl-X 中止（x 本身可能是口令或词的一部分）。
        if key == .ctrl("x") { return .abortCeremony }
        guard key == .enter else { field.handle(key); return .none }
        switch step {
        case .passphrase?:
            return .ceremony(.passphrase(field.takeSecret()))
        case .quiz(let positions)?:
            answers.append(SecretBytesBox(field.takeSecret()))
            if answers.count == positions.count {
                let a = answers.map(\.value); answers = []
                return .ceremony(.quizAnswers(a))
            }
            return .none
        default: return .none
        }
    }

    public func back() -> Bool { false }

    public func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) {
        let t = ctx.strings
        buf.box(rect, title: t[.viewCeremony])
        let x = rect.x + 2
        var y = rect.y + 2
        let w = rect.width - 4
        if let e = error { buf.put("✖ " + e, x: x, y: rect.y + rect.height - 2, maxWidth: w, style: Style(.bad, bold: true)) }
        switch step {
        case nil, .intro?:
            if case .intro(let d)? = step { buf.put(d, x: x, y: y, maxWidth: w); y += 2 }
            buf.put(t[.ceremonyStart], x: x, y: y, maxWidth: w, style: Style(.title))
        case .showWords? where secretHidden, .showShare? where secretHidden:
            for (i, l) in TextWidth.wrap(t[.ceremonyHidden], to: w).enumerated() {
                buf.put(l, x: x, y: y + i, maxWidth: w, style: Style(.warn, bold: true))
            }
        case .showWords(let words)?:
            buf.put(t[.ceremonyWords], x: x, y: y, maxWidth: w, style: Style(.warn, bold: true))
            grid(words, into: &buf, x: x, y: y + 2, width: w)
        case .quiz(let positions)?:
            let i = min(answers.count, positions.count - 1)
            buf.put(t.f(.ceremonyQuiz, String(positions[i])), x: x, y: y, maxWidth: w, style: Style(.title))
            field.render(into: &buf, x: x, y: y + 2, width: min(30, w))
        case .passphrase(let confirm)?:
            buf.put(confirm ? t[.ceremonyPassphraseAgain] : t[.ceremonyPassphrase], x: x, y: y, maxWidth: w, style: Style(.title))
            field.render(into: &buf, x: x, y: y + 2, width: min(30, w))
        case .showShare(let i, let n, let words)?:
            buf.put(t.f(.ceremonyShare, String(i), String(n)) + " — " + t[.ceremonyNextShare], x: x, y: y, maxWidth: w, style: Style(.warn, bold: true))
            grid(words, into: &buf, x: x, y: y + 2, width: w)
        case .summary(let fp, let xpub, let addrs)?:
            buf.put(t[.ceremonySummary], x: x, y: y, maxWidth: w, style: Style(.ok, bold: true))
            buf.put("\(t[.ceremonyFingerprint]): \(fp)", x: x, y: y + 2, maxWidth: w)
            // xpub 折行完整显示（不截断），便于在另一台设备上逐字核对。
            let xl = TextWidth.wrap("\(t[.ceremonyXpub]): \(xpub)", to: w)
            for (i, l) in xl.enumerated() { buf.put(l, x: x, y: y + 3 + i, maxWidth: w) }
            let ay = y + 4 + xl.count
            buf.put(t[.ceremonyAddresses] + ":", x: x, y: ay, maxWidth: w)
            for (i, a) in addrs.prefix(max(0, rect.y + rect.height - 4 - (ay + 1))).enumerated() { buf.put("  \(i): \(a)", x: x, y: ay + 1 + i, maxWidth: w) }
            buf.put(t[.ceremonyContinue], x: x, y: rect.y + rect.height - 3, maxWidth: w, style: Style(.dim))
        case .finished?:
            buf.put("✔ " + t[.ceremonyFinished], x: x, y: y, maxWidth: w, style: Style(.ok, bold: true))
        case .aborted(let reason)?:
            buf.put("✖ " + t.f(.ceremonyAborted, reason), x: x, y: y, maxWidth: w, style: Style(.bad, bold: true))
        }
    }

    /// 编号网格：每格 "NN. word"，按可用宽度排列若干列。
    func grid(_ words: SecretWords, into buf: inout CellBuffer, x: Int, y: Int, width: Int) {
        let cellW = 18
        let cols = max(1, width / cellW)
        for i in 0..<words.words.count {
            let label = (i + 1 < 10 ? " " : "") + "\(i + 1). " + words.reveal(i)
            buf.put(label, x: x + (i % cols) * cellW, y: y + i / cols, maxWidth: cellW - 1, style: Style(.normal, bold: true))
        }
    }
}

import WalletCrypto
/// SecretBytes 的小盒子（仅为在数组中持有）。
struct SecretBytesBox { let value: SecretBytes; init(_ v: SecretBytes) { value = v } }
