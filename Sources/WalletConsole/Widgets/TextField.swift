import WalletCrypto

/// 单行输入框。secret 模式不回显、不以 String 保存：字节存在可清零的数组里，取出即为 SecretBytes。
public final class TextField {
    public let secret: Bool
    private var chars: [Character] = []
    private var secretBytes: [UInt8] = []
    private var secretLens: [Int] = []

    public init(secret: Bool = false) { self.secret = secret }
    deinit { SecretBytes.wipe(&secretBytes) }

    public var text: String { secret ? "" : String(chars) }
    public var count: Int { secret ? secretLens.count : chars.count }

    public func set(_ s: String) { precondition(!secret); chars = Array(s) }

    /// 处理编辑键；返回 true 表示已消费。
    @discardableResult
    public func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            if secret {
                let u = Array(String(c).utf8); secretBytes.append(contentsOf: u); secretLens.append(u.count)
            } else { chars.append(c) }
            return true
        case .backspace, .delete, .ctrl("h"):
            if secret {
                if let n = secretLens.popLast() {
                    for i in (secretBytes.count - n)..<secretBytes.count { secretBytes[i] = 0 }
                    secretBytes.removeLast(n)
                }
            } else if !chars.isEmpty { chars.removeLast() }
            return true
        case .ctrl("u"):
            clear(); return true
        default: return false
        }
    }

    /// 取出机密并清空输入框。
    public func takeSecret() -> SecretBytes {
        let s = SecretBytes(secretBytes)
        clear()
        return s
    }

    public func clear() {
        SecretBytes.wipe(&secretBytes); secretBytes = []; secretLens = []; chars = []
    }

    /// 绘制；超出宽度时显示尾部（光标处）。
    public func render(into buf: inout CellBuffer, x: Int, y: Int, width: Int, style: Style = Style(.button, underline: true)) {
        let shown = secret ? String(repeating: "•", count: secretLens.count) : String(chars)
        var tail = shown
        while TextWidth.of(tail) > width - 1, !tail.isEmpty { tail.removeFirst() }
        buf.fill(Rect(x: x, y: y, width: width, height: 1), style: style)
        buf.put(tail + "▏", x: x, y: y, maxWidth: width, style: style)
    }
}
