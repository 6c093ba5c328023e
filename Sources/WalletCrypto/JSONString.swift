// JSON 字符串转义：全项目一个实现（节点请求的规范 JSON、审计哈希链的规范形式、JSON 行日志共用）。
// 审计链的哈希依赖这里的输出，所以默认形式一经发布就不能改；日志另外转义 DEL 与 U+2028/2029（防日志注入与 JS 解析器断行）。
public enum JSONString {
    /// 带引号的 JSON 字符串。控制字符用小写 \u00xx；strict 时另转义 0x7f、U+2028、U+2029。
    public static func quote(_ s: String, strict: Bool = false) -> String {
        var o = "\""
        o.reserveCapacity(s.utf8.count + 2)
        append(s, to: &o, strict: strict)
        return o + "\""
    }

    /// 把转义后的内容（不含引号）追加到 out。
    public static func append(_ s: String, to out: inout String, strict: Bool = false) {
        // 快路径：没有要转义的字节就整段追加（审计详情在入账热路径上，几乎总是这种情况）。
        // 0xE2 是 U+2028/U+2029 的 UTF-8 首字节：strict 时交给逐个标量的慢路径判断。
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c || (strict && ($0 == 0x7f || $0 == 0xe2)) }) {
            out += s
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || (strict && (u.value == 0x7f || u.value == 0x2028 || u.value == 0x2029)) {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - h.count)) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
    }
}
