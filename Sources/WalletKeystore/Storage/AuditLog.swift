// 审计日志：每行一个 JSON（时间、事件、uid、pid、结果、细节），0600 追加写。绝不写入机密。
#if canImport(Glibc)
import Glibc
#endif
import Foundation

public struct AuditLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func record(_ event: String, result: String, detail: [String: String] = [:]) {
        var obj: [String: Any] = ["time": ISOTime.now(), "event": event, "result": result,
                                  "uid": Int(getuid()), "pid": Int(getpid())]
        if !detail.isEmpty { obj["detail"] = detail }
        if let d = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) {
            try? SecureFile.appendLine(path, String(decoding: d, as: UTF8.self))
        }
    }

    /// 读取全部记录（测试与 `keystore status` 使用）。
    public func entries() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
