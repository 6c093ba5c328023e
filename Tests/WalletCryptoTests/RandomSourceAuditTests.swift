// 审计：Sources/ 里除 SecureRandom.swift 外不得出现任何其他随机源。
import Foundation
import Testing

enum RandomAudit {
    static let banned = ["arc4random", "random()", "SystemRandomNumberGenerator", ".random(in:", "drand48", "srand", "rand()",
                         "RandomNumberGenerator", "/dev/urandom", "randomElement(", "shuffled("]
    // UUID() 不在列表里：它可以做非机密的请求 ID；把 UUID 当机密用的问题由代码审查把关。

    /// 返回命中行（"行号: 名字"）。注释里讨论这些名字是允许的。
    static func scan(_ text: String) -> [String] {
        var hits = [String]()
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.components(separatedBy: "//").first ?? ""
            for b in banned where code.contains(b) { hits.append("\(n + 1): \(b)") }
        }
        return hits
    }
}

@Test func noOtherRandomSourcesInSources() throws {
    let files = try SourceTree.files(["swift", "c", "h"]).filter { !$0.path.hasSuffix("/SecureRandom.swift") }
    let hits = files.flatMap { f in RandomAudit.scan(f.text).map { "\(f.path):\($0)" } }
    #expect(files.count > 10)
    #expect(hits.isEmpty, "发现非 SecureRandom 的随机源：\(hits)")
}

/// 审计本身必须能失败：植入的随机源要被同一个扫描函数发现，注释里的不算。
@Test func auditDetectsPlantedSource() {
    #expect(RandomAudit.scan("let x = arc4random_uniform(10)") == ["1: arc4random"])
    #expect(RandomAudit.scan("let a = 1\nlet b = Int.random(in: 0..<9)").contains("2: .random(in:"))
    #expect(RandomAudit.scan("var g = SystemRandomNumberGenerator()").count >= 1)
    #expect(RandomAudit.scan("// 不要用 arc4random").isEmpty)
}
