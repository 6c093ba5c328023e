// 密钥仪式引擎：与界面无关的状态机，控制台和 CLI 都只做「显示 prompt → 提交答案」。
// 流程：词数 → 词表 → 可选骰子（哈希混入 CSPRNG 熵，绝不取代）→ 显示助记词 → 随机抽查词位 → 可选 BIP-39 口令（两次）
// → 可选 SLIP-39 拆分（逐份显示）→ 信封加密存入 keystore → 摘要（主指纹、账户 xpub、前几个地址）→ 审计（不含词）。
// 任何一步 abort：清零内存中的机密；若已写入 keystore 则删除该条目。
import Foundation
import WalletCrypto
import WalletKeys

public struct CeremonyError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    /// 仪式里的错都是输入错误（选错、抄错、口令不一致）：退出码 2。
    static func e(_ code: String, _ zh: String, _ en: String) -> CeremonyError {
        CeremonyError(walletError: WalletError(code, zh: zh, en: en, badInput: true))
    }
}

// @unchecked Sendable：可变状态（current、result、机密缓冲区、进度计数）只在持有 lock 时读写：submit/abort 加锁，
// 公开的 prompt/summary/isFinished 也加锁读取；其余 private 函数只从持锁的 submit/abort 里调用。
// 状态机很大、加锁区间里有抛错路径，没有改成 Mutex<State>。
public final class CeremonyEngine: @unchecked Sendable {
    public enum Step: String, Sendable, Equatable {
        case chooseStrength, chooseWordlist, dice, showWords, verifyWord, passphrase, confirmPassphrase, chooseSplit, showShare, summary, done, aborted
    }

    public enum Input: Sendable, Equatable {
        /// 只需确认（回车）。
        case confirm
        /// 普通文本（可回显）。
        case text
        /// 机密文本：界面不得回显。
        case secret
        /// 从给定选项中选一个。
        case choice([String])
    }

    /// 界面要显示的全部内容。`sensitive` 为真时内容含机密：离开此步后界面必须清屏，且绝不写日志。
    public struct Prompt: Sendable, Equatable {
        public var step: Step
        public var titleZh: String
        public var titleEn: String
        public var lines: [String]
        public var sensitive: Bool
        public var input: Input
        public var defaultAnswer: String?
        /// 上一次提交被拒的原因（中文/英文）。
        public var errorZh: String?
        public var errorEn: String?
        public func title(_ lang: Language) -> String { lang == .zh ? titleZh : titleEn }
        public func error(_ lang: Language) -> String? { lang == .zh ? errorZh : errorEn }
    }

    public struct Summary: Sendable, Equatable {
        public var keyId: String
        public var fingerprint: String
        /// 路径 → xpub（m/44'/60'/0'、m/44'/0'/0'、m/84'/0'/0'）。
        public var accountXpubs: [(path: String, xpub: String)]
        /// 前几个以太坊地址（m/44'/60'/0'/0/i）。
        public var addresses: [(path: String, address: String)]
        public var words: Int
        public var slip39: String?
        public static func == (a: Summary, b: Summary) -> Bool {
            a.keyId == b.keyId && a.fingerprint == b.fingerprint && a.words == b.words
                && a.accountXpubs.map(\.xpub) == b.accountXpubs.map(\.xpub) && a.addresses.map(\.address) == b.addresses.map(\.address)
        }
    }

    public static let verifyCount = 3
    public static let xpubPaths = ["m/44'/60'/0'", "m/44'/0'/0'", "m/84'/0'/0'"]

    let keystore: Keystore
    public let operatorName: String
    public let label: String
    private let lock = NSLock()
    private var current: Prompt
    private var result: Summary?
    /// 当前步骤（加锁读取：CLI 的 Ctrl-C 处理器会在另一个队列上中止仪式）。
    public var prompt: Prompt { lock.withLock { current } }
    public var summary: Summary? { lock.withLock { result } }

    private var wordCount = 24
    private var wordlist: Wordlist = .english
    private var entropy: SecretBytes?
    private var mnemonic: SecretBytes?
    private var passphrase: SecretBytes?
    private var positions: [Int] = []
    private var verified = 0
    /// SLIP-39 份额（字节）；只在画当前这一份时逐词解码成文字。
    private var shares: [[SecretBytes]] = []
    private var shareCursor = 0
    private var splitDescription: String?
    private var storedId: String?

    /// keystore 必须已解封（最后一步要加密写入）。
    public init(keystore: Keystore, operatorName: String, label: String) throws {
        guard !keystore.isSealed else { throw KeystoreError.sealed }
        self.keystore = keystore
        self.operatorName = operatorName
        self.label = label
        current = CeremonyEngine.strengthPrompt()
        keystore.audit.record("ceremony.start", result: "ok", detail: ["operator": operatorName, "label": label])
    }

    public var isFinished: Bool { lock.withLock { finished } }
    private var finished: Bool { current.step == .done || current.step == .aborted }

    // MARK: 各步 prompt

    static func strengthPrompt() -> Prompt {
        Prompt(step: .chooseStrength, titleZh: "选择助记词长度", titleEn: "Choose mnemonic length",
               lines: ["24 词 = 256 位熵（推荐）；12 词 = 128 位。", "24 words = 256-bit entropy (recommended); 12 words = 128-bit."],
               sensitive: false, input: .choice(["12", "15", "18", "21", "24"]), defaultAnswer: "24")
    }

    private func wordlistPrompt() -> Prompt {
        Prompt(step: .chooseWordlist, titleZh: "选择词表", titleEn: "Choose wordlist",
               lines: ["en = 英文（兼容性最好）；zh-Hans / zh-Hant = 中文。", "en = English (most compatible); zh-Hans / zh-Hant = Chinese."],
               sensitive: false, input: .choice(Wordlist.allCases.map(\.rawValue)), defaultAnswer: Wordlist.english.rawValue)
    }

    private func dicePrompt() -> Prompt {
        Prompt(step: .dice, titleZh: "可选：掷骰子加入熵", titleEn: "Optional: add dice rolls",
               lines: ["输入一串 1–6 的骰子点数（建议 ≥ 99 次），直接回车跳过。骰子只会被哈希混入 CSPRNG 熵，不会取代它。",
                       "Enter dice rolls 1–6 (≥ 99 recommended) or press Enter to skip. Rolls are hashed into the CSPRNG entropy, never replace it."],
               sensitive: false, input: .text, defaultAnswer: "")
    }

    private func wordsPrompt() -> Prompt {
        let words = mnemonicWords()
        var lines: [String] = []
        for (i, w) in words.enumerated() { lines.append(String(format: "%2d. ", i + 1) + w) }
        return Prompt(step: .showWords, titleZh: "抄写助记词（只显示这一次）", titleEn: "Write down the mnemonic (shown once)",
                      lines: lines, sensitive: true, input: .confirm)
    }

    private func verifyPrompt() -> Prompt {
        let pos = positions[verified]
        return Prompt(step: .verifyWord, titleZh: "核对第 \(pos + 1) 个词（\(verified + 1)/\(CeremonyEngine.verifyCount)）",
                      titleEn: "Verify word #\(pos + 1) (\(verified + 1)/\(CeremonyEngine.verifyCount))",
                      lines: [], sensitive: false, input: .secret)
    }

    private func passphrasePrompt() -> Prompt {
        Prompt(step: .passphrase, titleZh: "可选：BIP-39 口令（第 25 个词）", titleEn: "Optional: BIP-39 passphrase (25th word)",
               lines: ["直接回车表示不用口令。口令丢失 = 资金丢失，且不会被保存到份额里。",
                       "Press Enter for none. A lost passphrase means lost funds; it is not part of the shares."],
               sensitive: false, input: .secret, defaultAnswer: "")
    }

    private func confirmPassphrasePrompt() -> Prompt {
        Prompt(step: .confirmPassphrase, titleZh: "再次输入 BIP-39 口令", titleEn: "Enter the BIP-39 passphrase again",
               lines: [], sensitive: false, input: .secret)
    }

    private func splitPrompt() -> Prompt {
        Prompt(step: .chooseSplit, titleZh: "可选：SLIP-39 拆分备份", titleEn: "Optional: SLIP-39 split backup",
               lines: ["例：2-of-3；分组：2:2-of-3,3-of-5（需 2 组）。直接回车跳过。份额恢复的是助记词的熵。",
                       "e.g. 2-of-3; groups: 2:2-of-3,3-of-5 (2 groups needed). Enter to skip. Shares restore the mnemonic's entropy."],
               sensitive: false, input: .text, defaultAnswer: "")
    }

    private func sharePrompt() -> Prompt {
        var flat: [(Int, Int, SecretBytes)] = []
        for (g, list) in shares.enumerated() { for (i, s) in list.enumerated() { flat.append((g, i, s)) } }
        let (g, i, s) = flat[shareCursor]
        let words = s.unsafeArray().split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
        var lines = ["组 \(g + 1)，份额 \(i + 1)/\(shares[g].count)  —  group \(g + 1), share \(i + 1)/\(shares[g].count)"]
        for (k, w) in words.enumerated() { lines.append(String(format: "%2d. ", k + 1) + w) }
        return Prompt(step: .showShare, titleZh: "交给持有人：份额 \(shareCursor + 1)/\(flat.count)",
                      titleEn: "Hand to holder: share \(shareCursor + 1)/\(flat.count)", lines: lines, sensitive: true, input: .confirm)
    }

    private func summaryPrompt(_ s: Summary) -> Prompt {
        var lines = ["密钥 id / key id: \(s.keyId)", "主指纹 / master fingerprint: \(s.fingerprint)"]
        for x in s.accountXpubs { lines.append("\(x.path)  \(x.xpub)") }
        for a in s.addresses { lines.append("\(a.path)  \(a.address)") }
        lines.append("请在另一台设备上用助记词核对以上指纹与地址。/ Cross-check these on another device.")
        return Prompt(step: .summary, titleZh: "完成：核对摘要", titleEn: "Done: verify the summary", lines: lines, sensitive: false, input: .confirm)
    }

    // MARK: 提交

    /// 提交当前步骤的答案。答案无效时抛错且停留在（或退回到）合适的步骤，prompt.error 说明原因。
    public func submit(_ answer: SecretBytes = SecretBytes(count: 0)) throws {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { throw CeremonyError.e("ceremony.finished", "仪式已结束。", "the ceremony has finished.") }
        do {
            try advance(answer)
        } catch let e as any WalletErrorConvertible {
            current.errorZh = e.message(.zh)
            current.errorEn = e.message(.en)
            throw e
        }
    }

    private func text(_ a: SecretBytes) -> String {
        String(decoding: a.unsafeArray(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func advance(_ answer: SecretBytes) throws {
        switch current.step {
        case .chooseStrength:
            let t = text(answer)
            let n = t.isEmpty ? 24 : Int(t) ?? 0
            guard BIP39.validWordCounts.contains(n) else {
                throw CeremonyError.e("ceremony.bad_strength", "只能选 12、15、18、21、24。", "choose 12, 15, 18, 21 or 24.")
            }
            wordCount = n
            current = wordlistPrompt()
        case .chooseWordlist:
            let t = text(answer)
            guard let wl = t.isEmpty ? .english : Wordlist(rawValue: t) else {
                throw CeremonyError.e("ceremony.bad_wordlist", "未知词表 '\(t)'。", "unknown wordlist '\(t)'.")
            }
            wordlist = wl
            current = dicePrompt()
        case .dice:
            let t = text(answer).filter { !$0.isWhitespace }
            guard t.allSatisfy({ ("1"..."6").contains($0) }) else {
                throw CeremonyError.e("ceremony.bad_dice", "骰子点数只能是 1–6 的数字。", "dice rolls must be digits 1–6.")
            }
            try makeEntropy(dice: Array(t.utf8))
            current = wordsPrompt()
        case .showWords:
            positions = try randomPositions()
            verified = 0
            current = verifyPrompt()
        case .verifyWord:
            let words = mnemonicWords()
            let want = words[positions[verified]]
            let got = text(answer).lowercased()
            guard got.decomposedStringWithCompatibilityMapping == want.decomposedStringWithCompatibilityMapping else {
                let p = positions[verified] + 1
                current = wordsPrompt()
                throw CeremonyError.e("ceremony.verify_failed", "第 \(p) 个词不对：请重新核对抄写的助记词。", "word #\(p) is wrong: re-check your written copy.")
            }
            verified += 1
            current = verified < CeremonyEngine.verifyCount ? verifyPrompt() : passphrasePrompt()
        case .passphrase:
            if answer.count == 0 {
                passphrase = nil
                current = splitPrompt()
            } else {
                passphrase = answer.copy()
                current = confirmPassphrasePrompt()
            }
        case .confirmPassphrase:
            guard let p = passphrase, p == answer else {
                passphrase = nil
                current = passphrasePrompt()
                throw CeremonyError.e("ceremony.passphrase_mismatch", "两次输入的口令不一致，请重新输入。", "the passphrases differ; enter it again.")
            }
            current = splitPrompt()
        case .chooseSplit:
            let t = text(answer)
            if t.isEmpty {
                try store()
            } else {
                let (gt, groups) = try CeremonyEngine.parseSplit(t)
                shares = try SLIP39.generate(groupThreshold: gt, groups: groups, masterSecret: entropy!)
                splitDescription = t
                shareCursor = 0
                current = sharePrompt()
            }
        case .showShare:
            shareCursor += 1
            if shareCursor < shares.reduce(0, { $0 + $1.count }) { current = sharePrompt() } else {
                shares = []
                try store()
            }
        case .summary:
            wipe()
            keystore.audit.record("ceremony.complete", result: "ok",
                                  detail: ["operator": operatorName, "fingerprint": result?.fingerprint ?? "", "keyId": storedId ?? "",
                                           "words": "\(wordCount)", "slip39": splitDescription ?? "none"])
            current = Prompt(step: .done, titleZh: "仪式完成", titleEn: "Ceremony complete", lines: [], sensitive: false, input: .confirm)
        case .done, .aborted:
            break
        }
        current.errorZh = nil
        current.errorEn = nil
    }

    /// "2-of-3" 或 "2:2-of-3,3-of-5"。
    static func parseSplit(_ t: String) throws -> (Int, [(threshold: Int, count: Int)]) {
        let bad = CeremonyError.e("ceremony.bad_split", "拆分格式应为 M-of-N 或 组阈值:M-of-N,M-of-N。", "split must be M-of-N or T:M-of-N,M-of-N.")
        var gt = 1
        var spec = Substring(t)
        if let c = t.firstIndex(of: ":") {
            guard let v = Int(t[..<c]) else { throw bad }
            gt = v
            spec = t[t.index(after: c)...]
        }
        let groups: [(threshold: Int, count: Int)] = try spec.split(separator: ",").map { g in
            let p = g.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-")
            guard p.count == 3, p[1] == "of", let m = Int(p[0]), let n = Int(p[2]) else { throw bad }
            return (m, n)
        }
        guard !groups.isEmpty else { throw bad }
        return (gt, groups)
    }

    private func makeEntropy(dice: [UInt8]) throws {
        let n = wordCount / 3 * 4
        let base = try SecureRandom.secret(n)
        if dice.isEmpty {
            entropy = base
        } else {
            // 熵 = SHA-256(CSPRNG 熵 ‖ 域分隔 ‖ 骰子) 截断：骰子可被攻击者知道也不会降低 CSPRNG 的强度。
            var input = base.unsafeArray() + Array("wallet-console/dice/v1".utf8) + dice
            var h = Hash.sha256(input)
            SecretBytes.wipe(&input)
            entropy = SecretBytes(h[0..<n])
            SecretBytes.wipe(&h)
        }
        mnemonic = try BIP39.mnemonic(entropy: entropy!, wordlist: wordlist)
    }

    private func mnemonicWords() -> [String] {
        guard let m = mnemonic else { return [] }
        return String(decoding: m.unsafeArray(), as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).map(String.init)
    }

    private func randomPositions() throws -> [Int] {
        var out: [Int] = []
        while out.count < CeremonyEngine.verifyCount {
            let p = Int(try SecureRandom.uniform(UInt64(wordCount)))
            if !out.contains(p) { out.append(p) }
        }
        return out.sorted()
    }

    private func store() throws {
        guard let m = mnemonic else { throw CeremonyError.e("ceremony.state", "内部状态错误：没有助记词。", "internal state: no mnemonic.") }
        let info = try keystore.importMnemonic(m, passphrase: passphrase, label: label)
        storedId = info.id
        let seed = try BIP39.seed(mnemonic: m, passphrase: passphrase)
        let master = try ExtendedPrivateKey(seed: seed)
        let (xpubs, addrs) = try CeremonyEngine.crossCheck(master: master)
        let s = Summary(keyId: info.id, fingerprint: master.fingerprint.hex, accountXpubs: xpubs, addresses: addrs,
                        words: wordCount, slip39: splitDescription)
        result = s
        current = summaryPrompt(s)
    }

    /// 核对用的公开信息：三条账户 xpub，以太坊前 3 个地址，比特币 BIP-44（P2PKH）与 BIP-84（P2WPKH）第一个地址。
    /// 地址从账户 xpub 公钥派生（与另一台设备只看 xpub 时得到的一致）。
    public static func crossCheck(master: ExtendedPrivateKey) throws -> (xpubs: [(path: String, xpub: String)], addresses: [(path: String, address: String)]) {
        var xpubs: [(path: String, xpub: String)] = []
        var accounts: [String: ExtendedPublicKey] = [:]
        for p in xpubPaths {
            let x = try master.derive(path: try DerivationPath(string: p)).extendedPublicKey
            accounts[p] = x
            xpubs.append((p, x.serialized))
        }
        var addrs: [(path: String, address: String)] = []
        let eth = try accounts["m/44'/60'/0'"]!.child(0)
        for i in 0..<3 {
            addrs.append(("m/44'/60'/0'/0/\(i)", try EthereumAddress(publicKey: try eth.child(UInt32(i)).publicKey).checksummed))
        }
        addrs.append(("m/44'/0'/0'/0/0", try BitcoinAddress.p2pkh(publicKey: try accounts["m/44'/0'/0'"]!.child(0).child(0).publicKey, network: .mainnet)))
        addrs.append(("m/84'/0'/0'/0/0", try BitcoinAddress.p2wpkh(publicKey: try accounts["m/84'/0'/0'"]!.child(0).child(0).publicKey, network: .mainnet)))
        return (xpubs, addrs)
    }

    private func wipe() {
        entropy = nil; mnemonic = nil; passphrase = nil
        shares = []; positions = []
    }

    /// 中止：清除内存中的机密；若已写入 keystore 则删除条目。之后引擎不可再用。
    public func abort() {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        wipe()
        if let id = storedId { try? keystore.remove(id: id) }
        storedId = nil
        result = nil
        keystore.audit.record("ceremony.abort", result: "ok", detail: ["operator": operatorName, "step": current.step.rawValue])
        current = Prompt(step: .aborted, titleZh: "仪式已中止，未留下任何数据", titleEn: "Ceremony aborted; nothing was kept",
                        lines: [], sensitive: false, input: .confirm)
    }
}
