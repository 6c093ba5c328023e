// 机密字节：释放时清零、不可打印、常数时间比较。
// 用 class 而不是 struct：只有一份存储，deinit 可以可靠清零；复制机密必须显式 copy()。
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// @unchecked Sendable：pointer/count 都是 let；缓冲区只在构造时写入（withUnsafeMutableBytes 只用在刚创建、尚未交出的实例上），
// 之后只读；deinit 时已无其他引用，清零不会与读者竞争。
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Equatable
{
    private let pointer: UnsafeMutableRawPointer
    public let count: Int

    /// 全零的机密缓冲区；尽量 mlock，避免被换出到交换区（失败不致命，权限不足时常见）。
    public init(count: Int) {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        _ = mlock(pointer, max(count, 1))
    }

    /// 从普通字节构造；调用方应随后清除自己的副本（见 `SecretBytes.wipe`）。
    public convenience init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        self.init(count: bytes.count)
        var i = 0
        for b in bytes { pointer.storeBytes(of: b, toByteOffset: i, as: UInt8.self); i += 1 }
    }

    /// 从数组构造并立即清零原数组。
    public convenience init(consuming bytes: inout [UInt8]) {
        self.init(bytes)
        SecretBytes.wipe(&bytes)
    }

    deinit {
        SecretBytes.zeroize(pointer, count: max(count, 1))
        _ = munlock(pointer, max(count, 1))
        pointer.deallocate()
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
    }

    /// 显式取出为数组（例如要写入加密信封）；调用方负责 wipe。
    public func unsafeArray() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    public func copy() -> SecretBytes {
        withUnsafeBytes { SecretBytes($0) }
    }

    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return withUnsafeBytes { SecretBytes($0[range]) }
    }

    // 任何打印路径都只显示长度。
    public var description: String { "SecretBytes(<已隐藏 redacted>, \(count) bytes)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": count], displayStyle: .class) }

    /// 常数时间比较：不因第一个不同字节提前返回。
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in constantTimeEqual(a, b) } }
    }

    public static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in constantTimeEqual(x, y) } }
    }

    /// 清零普通数组（用于机密的临时副本）。
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buf in
            if let base = buf.baseAddress { zeroize(base, count: buf.count) }
        }
        bytes.removeAll()
    }

    /// 通过 volatile 写防止编译器把清零优化掉（同 OPENSSL_cleanse / explicit_bzero 的目的）。
    static func zeroize(_ p: UnsafeMutableRawPointer, count: Int) {
        #if canImport(Glibc)
        explicit_bzero(p, count)
        #else
        memset_s(p, count, 0, count)
        #endif
    }
}
