// 审计（issue 12）：Sources/ 里每个 `@unchecked Sendable` 的声明正上方都要有以「// @unchecked Sendable：」开头的理由注释；
// 不得出现 NSRecursiveLock（可重入锁掩盖了谁在重入，改用不可重入的 Mutex）。
import Foundation
import Testing

enum ConcurrencyAudit {
    static let marker = "// @unchecked Sendable："

    /// 返回违规（"行号: 说明"）。注释里提到这些名字不算。
    static func scan(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var hits = [String]()
        for (i, line) in lines.enumerated() {
            let code = line.components(separatedBy: "//").first ?? ""
            if code.contains("NSRecursiveLock") { hits.append("\(i + 1): NSRecursiveLock") }
            guard code.contains("@unchecked Sendable") else { continue }
            // 声明可能换行：从含 @unchecked 的行往上找到声明的首行。
            var decl = i
            while decl > 0, !isDeclarationStart(lines[decl]) { decl -= 1 }
            if !justified(lines, above: decl) { hits.append("\(decl + 1): @unchecked Sendable 缺少理由注释") }
        }
        return hits
    }

    static func isDeclarationStart(_ line: String) -> Bool {
        let code = line.components(separatedBy: "//").first ?? ""
        return ["class ", "struct ", "enum ", "extension ", "actor "].contains { code.contains($0) }
    }

    /// 声明正上方连续的注释/属性行里有以标记开头、且写了内容的一行。
    static func justified(_ lines: [String], above decl: Int) -> Bool {
        var j = decl - 1
        while j >= 0 {
            let t = lines[j].trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("//") || t.hasPrefix("@") else { return false }
            if t.hasPrefix(marker), t.dropFirst(marker.count).trimmingCharacters(in: .whitespaces).count >= 8 { return true }
            j -= 1
        }
        return false
    }
}

@Test func everyUncheckedSendableIsJustified() throws {
    let files = try SourceTree.files()
    let hits = files.flatMap { f in ConcurrencyAudit.scan(f.text).map { "\(f.path):\($0)" } }
    #expect(files.count > 10)
    #expect(hits.isEmpty, "并发审计不通过：\(hits)")
}

/// 审计本身必须能失败：没有理由、理由不紧贴声明、空理由、可重入锁都要被发现；注释里提到的不算。
@Test func concurrencyAuditDetectsViolations() {
    #expect(ConcurrencyAudit.scan("final class A: @unchecked Sendable {}") == ["1: @unchecked Sendable 缺少理由注释"])
    #expect(ConcurrencyAudit.scan("// @unchecked Sendable：句柄只在 lock 内使用\n\nfinal class A: @unchecked Sendable {}").count == 1)
    #expect(ConcurrencyAudit.scan("// @unchecked Sendable：\nfinal class A: @unchecked Sendable {}").count == 1)
    #expect(ConcurrencyAudit.scan("// @unchecked Sendable: 半角冒号不算数的理由\nfinal class A: @unchecked Sendable {}").count == 1)
    #expect(ConcurrencyAudit.scan("let l = NSRecursiveLock()") == ["1: NSRecursiveLock"])
    #expect(ConcurrencyAudit.scan("// 不要用 NSRecursiveLock，也不要随手写 @unchecked Sendable").isEmpty)
    // 合格的写法：理由紧贴声明（中间可以夹文档注释与属性），声明可以换行。
    #expect(ConcurrencyAudit.scan("/// 文档\n// @unchecked Sendable：句柄只在 lock 内使用\n@available(macOS 15, *)\nfinal class A: @unchecked Sendable {}").isEmpty)
    #expect(ConcurrencyAudit.scan("// @unchecked Sendable：缓冲区构造后只读，见 deinit\npublic final class B: Equatable,\n    @unchecked Sendable {}").isEmpty)
}
