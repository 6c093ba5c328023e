// 一个错误模型（issue 12）：错误码登记表、抛错处、文档码表、英文说明三者一致。
// 扫描的是源码文本（不是运行时）：新加一个抛错处忘了登记、英文说明里混进中文，都在这里失败。
// 每个检查都先在故意写坏的样本上证明自己能失败（见各 …CatchesX 测试）。
import Foundation
import Testing
import WalletCrypto

enum ErrorScan {
    static let root = SourceTree.root
    static let registryFile = "Sources/WalletCrypto/ErrorCodes.swift"

    /// Sources/ 下全部 .swift（相对路径, 内容），不含登记表本身。
    static func sources() throws -> [(path: String, text: String)] {
        try SourceTree.files().filter { $0.path != registryFile }
    }

    /// 抛错处的码：`XxxError("a.b"`、`WalletError(code: "a.b"`、`code: "a.b"`、辅助构造 `e(`/`make(`/`error(`/`badInput(` 的第一个参数。
    /// 没有点的码只认 `WalletError("internal"` 这种直接构造（`code: "nonce_reused"` 是账本检查的违规码，不是错误码）。
    static let codePosition = try! NSRegularExpression(pattern:
        #"(?:\b\w*Error|(?<![.\w])(?:make|e|error)|\.e|\bbadInput)\(\s*(?:code:\s*)?"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)""#
        + #"|\bcode:\s*"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)""#
        + #"|\bWalletError\(\s*"([a-z][a-z0-9_]*)""#)

    static func thrownCodes(in text: String) -> [String] {
        let ns = text as NSString
        return codePosition.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            (1...3).lazy.map { m.range(at: $0) }.first { $0.location != NSNotFound }.map { ns.substring(with: $0) }
        }
    }

    /// 文本里所有字符串字面量的内容（理解 \( 插值与其中嵌套的字面量），带紧挨着的前导标签（如 "en"）。
    static func labelledLiterals(in text: String) -> [(label: String?, body: String)] {
        let s = Array(text.unicodeScalars)
        var out: [(String?, String)] = []
        var i = 0
        func label(before start: Int) -> String? {
            var j = start - 1
            while j >= 0, s[j] == " " || s[j] == "\n" { j -= 1 }
            guard j >= 0, s[j] == ":" else { return nil }
            j -= 1
            var name = ""
            while j >= 0, CharacterSet.alphanumerics.contains(s[j]) || s[j] == "_" { name = String(s[j]) + name; j -= 1 }
            return name.isEmpty ? nil : name
        }
        /// 从 s[k]（引号）起读一个字面量，返回结束下标；内容（含插值里的文本）追加到 body。
        func literal(_ k: Int, _ body: inout String) -> Int {
            let triple = k + 2 < s.count && s[k + 1] == "\"" && s[k + 2] == "\""
            var j = k + (triple ? 3 : 1)
            while j < s.count {
                if s[j] == "\\" {
                    if j + 1 < s.count, s[j + 1] == "(" {
                        var depth = 0
                        j += 1
                        while j < s.count {
                            if s[j] == "\"" { var inner = ""; j = literal(j, &inner); body += inner; continue }
                            if s[j] == "(" { depth += 1 } else if s[j] == ")" { depth -= 1; if depth == 0 { j += 1; break } }
                            j += 1
                        }
                        continue
                    }
                    j += 2; continue
                }
                if triple ? (j + 2 < s.count && s[j] == "\"" && s[j + 1] == "\"" && s[j + 2] == "\"") : s[j] == "\"" {
                    return j + (triple ? 3 : 1)
                }
                body.unicodeScalars.append(s[j]); j += 1
            }
            return j
        }
        while i < s.count {
            if s[i] == "/", i + 1 < s.count, s[i + 1] == "/" {           // 注释里的引号不算
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            if s[i] == "\"" {
                var body = ""
                let lab = label(before: i)
                i = literal(i, &body)
                out.append((lab, body))
                continue
            }
            i += 1
        }
        return out
    }

    /// 中日韩文字与全角标点（，：（）。、「」）。
    static func hasCJK(_ s: String) -> Bool {
        s.unicodeScalars.contains { u in
            (0x4E00...0x9FFF).contains(u.value) || (0x3400...0x4DBF).contains(u.value)
                || (0x3000...0x303F).contains(u.value) || (0xFF00...0xFFEF).contains(u.value)
        }
    }

    /// 英文说明的标签：`en:`、`messageEn:`、`reasonEn:`。
    static func englishLiteralsWithCJK(in text: String) -> [String] {
        labelledLiterals(in: text).filter { ["en", "messageEn", "reasonEn"].contains($0.label ?? "") && hasCJK($0.body) }.map(\.body)
    }

    static func duplicates(_ list: [String]) -> [String] {
        var seen: Set<String> = [], dups: [String] = []
        for c in list where !seen.insert(c).inserted { dups.append(c) }
        return dups
    }

    /// docs/errors.md 码表的码：形如 "| `a.b` | …" 的行。
    static func docCodes(_ doc: String) -> [String] {
        doc.split(separator: "\n").compactMap { line in
            guard let m = line.firstMatch(of: #/^\|\s*`([a-z][a-z0-9_.]*)`\s*\|/#) else { return nil }
            return String(m.1)
        }
    }
}

@Suite struct ErrorRegistryTests {
    @Test func registryHasNoDuplicates() {
        let dups = ErrorScan.duplicates(WalletError.registry)
        #expect(dups.isEmpty, "登记表里重复的码：\(dups)")
        #expect(WalletError.registry.count > 300, "登记表不该是空的或被截断：\(WalletError.registry.count)")
    }

    @Test func everyThrownCodeIsRegisteredAndEveryRegisteredCodeIsUsed() throws {
        let files = try ErrorScan.sources()
        #expect(files.count > 100, "没扫到源码：\(ErrorScan.root.path)")
        var thrown: [String: String] = [:]
        for f in files { for c in ErrorScan.thrownCodes(in: f.text) { thrown[c] = thrown[c] ?? f.path } }
        let registered = Set(WalletError.registry)
        let missing = thrown.filter { !registered.contains($0.key) }.map { "\($0.key)（\($0.value)）" }.sorted()
        #expect(missing.isEmpty, "抛错处用了未登记的码（加到 \(ErrorScan.registryFile) 与 docs/errors.md）：\(missing)")
        // 「有人用」：码作为字符串字面量出现在登记表以外的源码里（少数码是变量传进来的，例如 signer.error、kms.internal）。
        let all = files.map(\.text).joined(separator: "\n")
        let unused = WalletError.registry.filter { !all.contains("\"\($0)\"") }
        #expect(unused.isEmpty, "登记了却没有任何源码用到的码（删掉或找回抛错处）：\(unused)")
        #expect(thrown.count > 300, "扫描规则失效了？只找到 \(thrown.count) 个码")
    }

    @Test func englishMessagesHaveNoChinese() throws {
        var bad: [String] = []
        for f in try ErrorScan.sources() {
            for b in ErrorScan.englishLiteralsWithCJK(in: f.text) { bad.append("\(f.path): \(b.prefix(80))") }
        }
        #expect(bad.isEmpty, "英文说明里有中文或全角标点（--lang en 会显示出来）：\n\(bad.joined(separator: "\n"))")
    }

    @Test func docTableMatchesTheRegistry() throws {
        let doc = try String(contentsOf: ErrorScan.root.appendingPathComponent("docs/errors.md"), encoding: .utf8)
        let codes = ErrorScan.docCodes(doc)
        #expect(ErrorScan.duplicates(codes).isEmpty, "docs/errors.md 码表有重复行：\(ErrorScan.duplicates(codes))")
        let d = Set(codes), r = Set(WalletError.registry)
        #expect(d.subtracting(r).isEmpty, "文档里有、登记表里没有：\(d.subtracting(r).sorted())")
        #expect(r.subtracting(d).isEmpty, "登记表里有、文档里没有：\(r.subtracting(d).sorted())")
    }

    // —— 检查本身能失败：在故意写坏的样本上 ——

    @Test func codeScanCatchesAnUnregisteredThrow() {
        let sample = #"""
            throw EngineError("engine.brand_new_code", zh: "新", en: "new", badInput: false)
            throw KeyCLI.badInput("cli.also_new", "中", "en")
            throw LedgerCheckFailed(code: "thing.failed", what: "thing")
            throw WalletError("internal", zh: "", en: "", badInput: false)
            logger.error("log.event_not_a_code", [:])
            ctx.logger.warn("also.not_a_code")
            v.append(InvariantViolation(code: "nonce_reused", detail: ""))
            """#
        let found = ErrorScan.thrownCodes(in: sample)
        #expect(found == ["engine.brand_new_code", "cli.also_new", "thing.failed", "internal"], "\(found)")
        #expect(!WalletError.registry.contains("engine.brand_new_code"))
    }

    @Test func cjkScanCatchesChineseInEnglishText() {
        let sample = #"""
            WalletError("x.y", zh: "中文，没问题", en: "ok: \(n) items", badInput: true)
            EngineError("x.z", zh: "好", en: "bad\(flag ? "（未设置）" : "")", badInput: true)
            WalletError("x.w", zh: "好", en: "comma，fullwidth", badInput: true)
            insertAlert(kind: "k", message: "中文", messageEn: "英文")
            // en: "注释里的不算"
            """#
        let bad = ErrorScan.englishLiteralsWithCJK(in: sample)
        #expect(bad.count == 3, "\(bad)")
        #expect(ErrorScan.hasCJK("：") && ErrorScan.hasCJK("，") && !ErrorScan.hasCJK("a: b, c (d)"))
    }

    @Test func duplicateCheckCatchesARepeatedCode() {
        #expect(ErrorScan.duplicates(["a.b", "c.d", "a.b"]) == ["a.b"])
        #expect(ErrorScan.duplicates(["a.b", "c.d"]).isEmpty)
    }

    @Test func docScanReadsTheTable() {
        let doc = "# x\n\n| 码 | 模块 |\n|---|---|\n| `ledger.storage` | WalletLedger |\n| `internal` | WalletCrypto |\n正文 `not.a.row`\n"
        #expect(ErrorScan.docCodes(doc) == ["ledger.storage", "internal"])
    }

    // —— 映射：任何错误都变成 WalletError，不认识的不泄露描述 ——

    struct SecretCarrying: Error, CustomStringConvertible { var description: String { "passphrase=hunter2" } }

    @Test func unknownErrorsBecomeInternalWithoutTheirDescription() {
        let w = WalletError(SecretCarrying())
        #expect(w.code == "internal" && w.exitCode == 1)
        #expect(!w.zh.contains("hunter2") && !w.en.contains("hunter2"), "\(w.en)")
        #expect(w.en.contains("SecretCarrying"), "类型名帮助排查：\(w.en)")
        #expect(!ErrorScan.hasCJK(w.en))
    }

    @Test func moduleErrorsMapThroughTheirWalletError() {
        let hex: Error = HexError.invalidCharacter("k", offset: 3)
        let w = WalletError(hex)
        #expect(w.code == "hex.invalid_character" && w.code.isRegistered)
        #expect(!w.en.contains("'k'") && !w.zh.contains("'k'"), "不回显输入字符（可能是私钥的一部分）")
        let rlp = RLPError(.truncated, offset: 7)
        #expect(rlp.code == "rlp.truncated" && rlp.isBadInput && WalletError(rlp).exitCode == 2)
        #expect(rlp.message(.en).hasSuffix("(offset 7)"))
        #expect(WalletError(CancellationError()).code == "cancelled")
        #expect(WalletError.known(SecretCarrying()) == nil)
        #expect(WalletError.Code("no.such_code").isRegistered == false)
    }

    @Test func bilingualDetailsSplitByLanguage() {
        let d = "份额格式错误 / malformed share"
        #expect(BilingualText.split(d) == ("份额格式错误", "malformed share"))
        // 路径里的 / 不是分隔符；「）/ 」是（TEE 探测的写法）
        let tee = "unavailable: 未发现飞地设备（SGX /dev/sgx_enclave）/ no enclave device found"
        #expect(BilingualText.pick(tee, .en) == "no enclave device found")
        #expect(BilingualText.split("无法读取 /etc/x") == ("无法读取 /etc/x", "无法读取 /etc/x"))
        let stored = BilingualText.join(zh: "已取消", en: "cancelled")
        #expect(BilingualText.pick(stored, .zh) == "已取消" && BilingualText.pick(stored, .en) == "cancelled")
        #expect(BilingualText.pick("operator typed this", .zh) == "operator typed this")
        let k = KDFError.invalidParameters("中文细节")
        #expect(!BilingualText.hasCJK(WalletError(k).en), "底层错误的英文说明不带中文细节")
    }
}
