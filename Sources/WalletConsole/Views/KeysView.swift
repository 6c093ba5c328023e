/// 密钥层级、封存状态与解封进度（t/n）。
public final class KeysView: ConsoleView {
    public let id = ViewID.keys
    public var filter = ListFilter("")
    /// 已解封时不提供「解封」（状态行与帮助都不列出，按了也没有对话框）。
    public var commands: [Command] {
        (model?.seal ?? .sealed) == .unsealed ? [.up, .down, .ceremony, .copy] : [.up, .down, .unseal, .ceremony, .copy]
    }
    public var strings: Strings
    public let table: TableWidget
    public private(set) var model: KeysModel?

    public init(strings t: Strings) {
        strings = t
        table = TableWidget(columns: [
            TableColumn(t[.colKeyId], width: 14, flex: true), TableColumn(t[.colTier], width: 6), TableColumn(t[.colHealth], width: 14),
            TableColumn(t[.colSignatures], width: 10, alignRight: true), TableColumn(t[.colLastUse], width: 19),
            TableColumn(t[.colKekAge], width: 8, alignRight: true),
        ])
    }

    public func dataRequest() -> DataRequest? { .keys }

    public func apply(_ data: ViewData) {
        guard case .keys(let m) = data else { return }
        model = m
        table.setPage(offset: 0, total: m.tiers.count, rows: m.tiers.map { k in
            let (health, role) = Fmt.tierHealth(k.health, strings)
            return TableRow(id: k.keyId, cells: [Fmt.keyLabel(k), k.tier, health, String(k.signatures), k.lastUse,
                                                 String(k.kekAgeDays)],
                            style: role, copyValue: k.keyId)
        })
    }

    public func handle(_ cmd: Command) -> ViewEffect {
        switch cmd {
        case .up, .down: table.move(cmd); return .none
        case .unseal:
            guard let m = model, m.seal != .unsealed else { return .none }
            if case .unsealing = m.seal { return .unseal(share: true) }
            return .unseal(share: false)
        case .ceremony: return .startCeremony
        case .copy: return table.selected.map { .copy($0.copyValue) } ?? .none
        default: return .none
        }
    }

    public func render(into buf: inout CellBuffer, rect: Rect, ctx: RenderContext) {
        let t = ctx.strings
        buf.box(Rect(x: rect.x, y: rect.y, width: rect.width, height: 4), title: t[.keysSeal])
        if let m = model {
            buf.put(sealText(m.seal, t), x: rect.x + 2, y: rect.y + 1, style: Style(m.seal == .unsealed ? .ok : .warn, bold: true))
            if case .unsealing(let p, let n) = m.seal {
                buf.put(t.f(.keysProgress, String(p), String(n)) + " " + ProgressBar.render(p, of: n, width: 20),
                        x: rect.x + 2, y: rect.y + 2, maxWidth: rect.width - 4, style: Style(.progress))
            } else if let n = m.nonce {
                // nonce 面板：缺口或外部使用时整行醒目（红底反显），这两种都会让提现停下。
                let none = t[.nonceNone]
                let line = t.f(.nonceLine, String(n.next), n.chainLatest.map(String.init) ?? "?", n.chainPending.map(String.init) ?? "?",
                               String(n.inFlight), n.gaps.isEmpty ? none : n.gaps.map(String.init).joined(separator: ","),
                               n.externalUse ? t[.nonceExternal] : none)
                buf.put((n.ok ? "● " : "✖ ") + line, x: rect.x + 2, y: rect.y + 2, maxWidth: rect.width - 4,
                        style: n.ok ? Style(.ok) : Style(.bad, bold: true, reverse: true))
            }
        }
        let r = Rect(x: rect.x, y: rect.y + 4, width: rect.width, height: rect.height - 4)
        buf.box(r, title: t[.panelKeys])
        table.render(into: &buf, rect: r.inset(1), strings: t)
    }
}
