// 安全文件操作：0700 目录、0600 文件、原子写（临时文件 + fsync + rename + 目录 fsync）、进程间文件锁。
// 失败的写入不会碰到原文件：rename 之前出错只会留下（并清理）临时文件。
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WalletCrypto

enum SecureFile {
    /// 创建（或校验）0700 目录。已存在但权限过宽时报错而不是静默修改。
    static func ensureDirectory(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw KeystoreError.io("\(path) 不是目录 / not a directory") }
            let mode = st.st_mode & 0o777
            guard mode & 0o077 == 0 else {
                throw KeystoreError.insecurePermissions(path: path, mode: String(mode, radix: 8))
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw KeystoreError.io("mkdir \(path): \(String(cString: strerror(errno)))") }
        _ = chmod(path, 0o700)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// 读取文件并检查权限（组/其他用户不可读写）。
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw KeystoreError.io("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw KeystoreError.io("fstat \(path)") }
        let mode = st.st_mode & 0o777
        guard mode & 0o077 == 0 else { throw KeystoreError.insecurePermissions(path: path, mode: String(mode, radix: 8)) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw KeystoreError.io("read \(path)") }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// 原子写：同目录临时文件（O_EXCL, 0600）→ 写满 → fsync → rename → fsync 目录。
    static func atomicWrite(_ path: String, _ bytes: [UInt8]) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = dir + "/." + (path as NSString).lastPathComponent + ".tmp-" + (try SecureRandom.bytes(6)).hex
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw KeystoreError.io("create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        do {
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
                if n < 0 { if errno == EINTR { continue }; throw KeystoreError.io("write \(tmp): \(String(cString: strerror(errno)))") }
                off += n
            }
            guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else { throw KeystoreError.io("fsync \(tmp)") }
            close(fd)
        } catch {
            close(fd)
            throw error
        }
        guard rename(tmp, path) == 0 else { throw KeystoreError.io("rename \(tmp): \(String(cString: strerror(errno)))") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// 追加一行（审计日志）：O_APPEND 单次 write，0600。
    static func appendLine(_ path: String, _ line: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw KeystoreError.io("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        _ = fsync(fd)
    }

    /// 进程间排他锁（flock）；body 结束即释放。
    static func withLock<R>(_ dir: String, _ body: () throws -> R) throws -> R {
        let fd = open(dir + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KeystoreError.io("lock \(dir): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw KeystoreError.io("flock") } }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
