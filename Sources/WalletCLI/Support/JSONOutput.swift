// --json 输出：每个命令的输出都是一个 Encodable 结构（类型放在打印它的命令旁边），这里只放共用的部分。
// 「值为 nil 时写 null」用 WalletEngine 的 @ExplicitNull；普通 Optional 在 nil 时省略这个键。
// 字段名、值类型与「缺省 vs null」是运维脚本依赖的契约，形状见 docs/cli-json.md（测试逐条校验）。
import Foundation
import WalletEngine

extension CLI {
    /// 打印 JSON（键排序、不转义斜杠，便于比较与 grep）。
    static func printJSON<T: Encodable>(_ value: T) {
        FileHandle.standardOutput.write(encodeJSON(value, pretty: true) + Data("\n".utf8))
    }

    static func encodeJSON<T: Encodable>(_ value: T, pretty: Bool) -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // 输出类型只含字符串、整数、布尔与它们的组合：编码不会失败，失败就是程序错误。
        return try! enc.encode(value)
    }
}

/// stderr 上的错误对象：{"error":{"code","message"}}（单行）。
struct ErrorJSON: Encodable {
    struct Body: Encodable { var code: String; var message: String }
    var error: Body
}

/// 两个对象的键合并成一个对象（引擎给的部分 + CLI 补充的键）。
struct Merged<A: Encodable, B: Encodable>: Encodable {
    var base: A
    var extra: B
    func encode(to encoder: Encoder) throws {
        try base.encode(to: encoder)
        try extra.encode(to: encoder)
    }
}

/// 交给运行中的引擎执行时的回执（sweep run、scanner rescan、ledger reconcile --enqueue）。
struct EnqueuedJSON: Encodable {
    var enqueued = true
    var jobId: Int64
    var kind: String
    init(_ j: Job) { jobId = j.id; kind = j.kind }
}

extension EngineCLI {
    /// 人读输出：每行一个对象的若干字段（按属性名取值，与 JSON 键同名）。
    static func printRows<T>(_ rows: [T], keys: [String]) {
        if rows.isEmpty { print(CLI.language == .zh ? "（无）" : "(none)"); return }
        for r in rows {
            var fields: [String: Any] = [:]
            for c in Mirror(reflecting: r).children {
                guard var label = c.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }   // 属性包装器的存储属性
                fields[label] = c.value
            }
            print(keys.map { "\($0)=\(fields[$0].flatMap(cellText) ?? "-")" }.joined(separator: "  "))
        }
    }

    /// 取出 Optional / ExplicitNull 里的值；nil 显示为 "-"。
    private static func cellText(_ v: Any) -> String? {
        let m = Mirror(reflecting: v)
        if m.displayStyle == .optional { return m.children.first.flatMap { cellText($0.value) } }
        if String(describing: type(of: v)).hasPrefix("ExplicitNull<") { return m.children.first.flatMap { cellText($0.value) } }
        if let a = v as? [Any] { return a.map { cellText($0) ?? "-" }.joined(separator: ",") }
        return "\(v)"
    }
}
