// 审计：Sources/ 里除 SecureRandom.swift 外不得出现任何其他随机源。
import Foundation
import Testing

@Test func noOtherRandomSourcesInSources() throws {
    // 测试文件位于 Tests/WalletCryptoTests/，向上两级是包根目录
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let sources = root.appendingPathComponent("Sources")
    #expect(FileManager.default.fileExists(atPath: sources.path))
    let banned = ["arc4random", "random()", "SystemRandomNumberGenerator", ".random(in:", "drand48", "srand", "rand()",
                  "RandomNumberGenerator", "UUID()", "/dev/urandom", "randomElement(", "shuffled("]
    var hits = [String]()
    var scanned = 0
    let e = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
    for case let url as URL in e where ["swift", "c", "h"].contains(url.pathExtension) {
        if url.lastPathComponent == "SecureRandom.swift" { continue }
        scanned += 1
        let text = try String(contentsOf: url, encoding: .utf8)
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.components(separatedBy: "//").first ?? ""   // 注释里讨论这些名字是允许的
            for b in banned where code.contains(b) { hits.append("\(url.lastPathComponent):\(n + 1): \(b)") }
        }
    }
    #expect(scanned > 10)
    #expect(hits.isEmpty, "发现非 SecureRandom 的随机源：\(hits)")
}

/// 审计本身必须能失败：对一段含 arc4random 的文本应报警（防止检查悄悄失效）。
@Test func auditDetectsPlantedSource() {
    let sample = "let x = arc4random_uniform(10)"
    #expect(["arc4random"].contains { sample.components(separatedBy: "//").first!.contains($0) })
}
