/// 无头驱动：把差异画进内存缓冲，供测试与基准使用。记录写出的格数，以验证“只写变化”。
public final class HeadlessDriver: TerminalDriver {
    public private(set) var size: Size
    public let colorDepth: ColorDepth
    public private(set) var screen: CellBuffer
    public private(set) var cellsWritten = 0
    public private(set) var lastChangeCount = 0
    public private(set) var rawWrites: [String] = []
    public private(set) var started = false
    private var input: [Key] = []

    public init(size: Size, colorDepth: ColorDepth = .truecolor) {
        self.size = size; self.colorDepth = colorDepth
        screen = CellBuffer(size: size)
    }

    public func start() throws { started = true }
    public func stop() { started = false }

    public func apply(_ changes: [CellChange], theme: ResolvedTheme) {
        if screen.size != size { screen = CellBuffer(size: size) }
        for c in changes where c.x < size.cols && c.y < size.rows {
            screen[c.x, c.y] = c.cell
            if TextWidth.of(c.cell.text) == 2, c.x + 1 < size.cols {
                screen[c.x + 1, c.y] = Cell("", style: c.cell.style, continuation: true)
            }
        }
        cellsWritten += changes.count
        lastChangeCount = changes.count
    }

    public private(set) var invalidations = 0
    /// 测试：最近一次设置的信号键状态。
    public private(set) var signalKeys = true
    public func setSignalKeys(_ enabled: Bool) { signalKeys = enabled }

    public func invalidate() { invalidations += 1; screen = CellBuffer(size: size) }
    public func readKey(timeoutMs: Int) -> Key? { input.isEmpty ? nil : input.removeFirst() }
    public func writeRaw(_ s: String) { rawWrites.append(s) }

    // —— 测试辅助 ——
    public func feed(_ keys: Key...) { input.append(contentsOf: keys) }
    public func feed(text: String) { input.append(contentsOf: text.map { Key.char($0) }) }
    public func resize(_ s: Size) { size = s; input.append(.resize) }
    public var pendingInput: Int { input.count }
    public var text: String { screen.text }
    public func line(_ y: Int) -> String { screen.line(y) }
    public func contains(_ s: String) -> Bool { screen.text.contains(s) }
}
