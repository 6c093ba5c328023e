import WalletCrypto

/// 确认对话框。安全默认：
/// - 默认按钮是“取消”，直接按 Enter 即取消；
/// - 若设置了 `mustType`，必须在输入框里输入它（不区分大小写）后“确认”按钮才可用、才能被选中；
/// - 若 `requireText`，输入框非空后才可确认（拒绝原因）。
public final class Dialog {
    public enum Button: Sendable, Equatable { case cancel, confirm }
    public enum Result { case none, cancelled, confirmed(text: String, secret: SecretBytes?) }

    public let title: String
    public let body: [String]
    public let prompt: String?
    public let mustType: String?
    public let requireText: Bool
    public let confirmLabel: String
    public let cliTwin: String?
    public let field: TextField?
    /// 不允许确认的原因（例如「你已经批准过」「已拒绝」）：只显示原因和「关闭」，不给输入框和确认按钮。
    public let blocked: String?
    public private(set) var selected: Button = .cancel

    public init(title: String, body: [String], prompt: String? = nil, mustType: String? = nil, requireText: Bool = false,
                secret: Bool = false, confirmLabel: String, cliTwin: String? = nil, blocked: String? = nil) {
        self.title = title; self.body = body; self.prompt = blocked == nil ? prompt : nil; self.mustType = blocked == nil ? mustType : nil
        self.requireText = requireText; self.confirmLabel = confirmLabel; self.cliTwin = blocked == nil ? cliTwin : nil
        self.blocked = blocked
        field = blocked == nil && (prompt != nil || mustType != nil) ? TextField(secret: secret) : nil
    }

    public var confirmEnabled: Bool {
        if blocked != nil { return false }
        if let m = mustType { return field?.text.lowercased() == m.lowercased() }
        if requireText { return (field?.count ?? 0) > 0 }
        return true
    }

    public func handle(_ key: Key) -> Result {
        switch key {
        case .esc: field?.clear(); return .cancelled
        case .tab, .backTab, .left, .right:
            selected = (selected == .cancel && confirmEnabled) ? .confirm : .cancel
            return .none
        case .enter:
            if selected == .confirm && confirmEnabled {
                let text = field?.text ?? ""
                let sec = (field?.secret ?? false) ? field!.takeSecret() : nil
                return .confirmed(text: text, secret: sec)
            }
            field?.clear()
            return .cancelled
        default:
            if let f = field, f.handle(key) {
                if !confirmEnabled { selected = .cancel }
            }
            return .none
        }
    }

    /// 居中绘制。
    public func render(into buf: inout CellBuffer, screen: Size, strings: Strings) {
        let w = min(screen.cols - 4, 72)
        // 等价命令带 --home 与 --operator，常常比对话框宽：折行完整显示（最多 4 行），便于核对与复制。
        let twinLines = cliTwin.map { Array(TextWidth.wrap(strings[.dlgCliTwin] + strings[.colon] + $0, to: max(10, w - 4)).prefix(4)) } ?? []
        let h = min(screen.rows, body.count + (prompt != nil || mustType != nil ? 3 : 0) + (twinLines.isEmpty ? 0 : twinLines.count + 1)
                    + (blocked != nil ? 2 : 0) + 5)
        let r = Rect(x: (screen.cols - w) / 2, y: max(0, (screen.rows - h) / 2), width: w, height: h)
        buf.fill(r, style: Style(.dialog))
        buf.box(r, title: title, style: Style(.dialog, bold: true))
        var y = r.y + 2
        for line in body where y < r.y + r.height - 2 { buf.put(line, x: r.x + 2, y: y, maxWidth: w - 4, style: Style(.dialog)); y += 1 }
        if let b = blocked {
            y += 1
            buf.put("✖ " + b, x: r.x + 2, y: y, maxWidth: w - 4, style: Style(.bad, bold: true)); y += 1
        }
        if !twinLines.isEmpty {
            y += 1
            for l in twinLines { buf.put(l, x: r.x + 2, y: y, maxWidth: w - 4, style: Style(.dim)); y += 1 }
        }
        if let f = field {
            y += 1
            buf.put(prompt ?? "", x: r.x + 2, y: y, maxWidth: w - 4, style: Style(.dialog)); y += 1
            f.render(into: &buf, x: r.x + 2, y: y, width: min(40, w - 4)); y += 1
        }
        y = r.y + r.height - 2
        let cancel = (selected == .cancel ? "▶[ " : " [ ") + strings[blocked == nil ? .dlgCancel : .dlgClose] + " ]"
        if blocked != nil {
            buf.put(cancel, x: r.x + 2, y: y, style: Style(.buttonFocus)); return
        }
        let confirm = (selected == .confirm ? "▶[ " : " [ ") + confirmLabel + " ]" + (confirmEnabled ? "" : " ✖")
        var x = r.x + 2
        x += buf.put(cancel, x: x, y: y, style: Style(selected == .cancel ? .buttonFocus : .button)) + 2
        buf.put(confirm, x: x, y: y, style: Style(confirmEnabled ? (selected == .confirm ? .buttonFocus : .button) : .disabled))
    }
}
