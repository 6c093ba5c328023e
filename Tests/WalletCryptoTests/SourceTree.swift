// 源码审计测试共用：包根目录与 Sources/ 下的文件（相对路径 + 内容）。随机源、并发、错误码三个审计都从这里读。
import Foundation

enum SourceTree {
    /// 测试文件位于 Tests/WalletCryptoTests/，向上三级是包根目录。
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Sources/ 下扩展名在 exts 里的文件（相对包根的路径, 内容），按路径排序。
    static func files(_ exts: Set<String> = ["swift"]) throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent("Sources")
        var out: [(String, String)] = []
        for case let u as URL in FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) ?? .init() where exts.contains(u.pathExtension) {
            out.append((String(u.path.dropFirst(root.path.count + 1)), try String(contentsOf: u, encoding: .utf8)))
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
