// 机密只画在终端的备用屏幕（alternate screen，DEC 1049）上：离开时清屏并回到主屏幕，
// 终端模拟器与 tmux 都不把备用屏幕的内容放进回滚区（scrollback），助记词、份额不会留在值班电脑的历史里。
import Foundation
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

final class SecretScreen {
    let fd: Int32
    private var closed = false

    /// 打开 /dev/tty 并进入备用屏幕；没有终端时 nil（调用方改走文件或拒绝）。
    init?() {
        let fd = Glibc.open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
        raw("\u{1b}[?1049h\u{1b}[2J\u{1b}[H")
    }

    deinit { close() }

    func raw(_ s: String) { _ = s.withCString { write(fd, $0, strlen($0)) } }

    /// 清屏后画一页：普通文字与机密字节（机密直接写字节，不经过 String）。
    func page(_ title: String, secret: SecretBytes, footer: String) {
        raw("\u{1b}[2J\u{1b}[H" + title + "\n\n  ")
        secret.withUnsafeBytes { p in _ = write(fd, p.baseAddress, p.count) }
        raw("\n\n" + footer)
    }

    /// 等回车（或文件结束）。
    func waitForEnter() {
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1 { if c == 0x0a || c == 0x0d { break } }
    }

    /// 清屏、离开备用屏幕（回到原来的主屏幕内容）。
    func close() {
        guard !closed else { return }
        closed = true
        raw("\u{1b}[2J\u{1b}[H\u{1b}[?1049l")
        Glibc.close(fd)
    }
}
