/// 详情窗格的一个字段：标签、显示值、复制值。
///
/// 详情窗格只显示账本与链上的公开事实（哈希、区块、地址、金额、错误原文）。机密（助记词、份额、口令、私钥）
/// 从不进入视图模型，也就不会出现在这里；`copyValue` 为 nil 的字段（状态、派生的说明文字）不可复制。
public struct DetailField: Sendable, Equatable {
    public var label: String
    public var value: String
    public var style: StyleRole
    public var copyValue: String?
    public init(_ label: String, _ value: String, style: StyleRole = .normal, copy: String? = nil) {
        self.label = label; self.value = value; self.style = style; self.copyValue = copy
    }
    /// 复制值就是显示值的字段。
    public static func copyable(_ label: String, _ value: String, style: StyleRole = .normal) -> DetailField {
        DetailField(label, value, style: style, copy: value)
    }
}

/// 详情窗格：一列「标签  值」，长值按宽度折行（死信的错误全文、交易哈希不截断）；
/// j/k（↑↓）在字段间移动，y 复制选中的字段（经 OSC 52），Esc 关闭。
public final class DetailPane {
    public var title: String
    public private(set) var fields: [DetailField]
    /// 选中的字段序号。
    public private(set) var cursor = 0
    /// 滚动：第一个可见字段。
    private var top = 0
    /// 还在取数据（提现详情要另取一次）。
    public var loading: Bool

    public init(title: String, fields: [DetailField], loading: Bool = false) {
        self.title = title; self.fields = fields; self.loading = loading
        cursor = fields.firstIndex { $0.copyValue != nil } ?? 0
    }

    /// 刷新字段（确认数、状态会变）：按标签保持选中的字段。
    public func update(_ new: [DetailField]) {
        let label = selected?.label
        let hadFields = !fields.isEmpty
        fields = new; loading = false
        if let label, hadFields, let i = new.firstIndex(where: { $0.label == label }) { cursor = i }
        else if !hadFields { cursor = new.firstIndex { $0.copyValue != nil } ?? 0 }
        cursor = max(0, min(cursor, new.count - 1))
    }

    public var selected: DetailField? { fields.indices.contains(cursor) ? fields[cursor] : nil }

    /// 移动选中的字段；返回是否处理了这个命令。
    @discardableResult
    public func move(_ cmd: Command) -> Bool {
        guard !fields.isEmpty else { return false }
        switch cmd {
        case .up: cursor = max(0, cursor - 1)
        case .down: cursor = min(fields.count - 1, cursor + 1)
        case .pageUp: cursor = max(0, cursor - 5)
        case .pageDown: cursor = min(fields.count - 1, cursor + 5)
        case .top: cursor = 0
        case .bottom: cursor = fields.count - 1
        default: return false
        }
        return true
    }

    /// 标签列宽：最长的标签（不超过 24 列）。
    func labelWidth() -> Int { min(24, fields.map { TextWidth.of($0.label) }.max() ?? 8) }

    /// 绘制。最后一行是按键提示（由调用方按键位表生成）。
    public func render(into buf: inout CellBuffer, rect: Rect, strings: Strings, hint: String) {
        buf.box(rect, title: title)
        let inner = Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 2)
        guard inner.height > 1, inner.width > 10 else { return }
        if fields.isEmpty {
            buf.put(loading ? strings[.loading] : strings[.empty], x: inner.x + 1, y: inner.y, style: Style(.dim))
            return
        }
        let lw = labelWidth()
        let valueX = inner.x + 2 + lw + 2
        let valueW = max(8, inner.x + inner.width - valueX - 1)
        let lines = fields.map { TextWidth.wrap($0.value.isEmpty ? "—" : $0.value, to: valueW) }
        let room = inner.height - 1
        // 选中的字段整段可见：向下滚到它的最后一行进入窗口，向上滚到它的第一行。
        if cursor < top { top = cursor }
        while top < cursor && lines[top...cursor].reduce(0, { $0 + $1.count }) > room { top += 1 }
        var y = inner.y
        for i in top..<fields.count {
            let f = fields[i]
            let isSel = i == cursor
            for (j, part) in lines[i].enumerated() {
                if y >= inner.y + room { break }
                if isSel { buf.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: Style(.selected)) }
                if j == 0 {
                    buf.put(isSel ? "▶" : " ", x: inner.x, y: y, style: isSel ? Style(.selected) : Style(.normal))
                    buf.put(TextWidth.fit(f.label, to: lw), x: inner.x + 2, y: y, style: isSel ? Style(.selected, bold: true) : Style(.title))
                }
                buf.put(part, x: valueX, y: y, maxWidth: valueW, style: isSel ? Style(.selected) : Style(f.style))
                y += 1
            }
            if y >= inner.y + room { break }
        }
        buf.put(hint, x: inner.x + 1, y: inner.y + inner.height - 1, maxWidth: inner.width - 2, style: Style(.dim))
    }
}
