// 原子写文件：临时文件 + fsync + rename + fsync 目录。崩溃时要么是旧文件，要么是完整的新文件。
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum AtomicFile {
    static func write(_ data: Data, to path: String, mode: mode_t) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ioError(path, errno) }
        var ok = data.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress!.advanced(by: off), buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
        ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0
        let err = errno
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw ioError(path, err)
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    static func ioError(_ path: String, _ code: Int32) -> EngineError {
        let why = String(cString: strerror(code))
        return EngineError("file.write_failed", zh: "无法写入 \(path)：\(why)。检查磁盘空间与目录权限。",
                           en: "cannot write \(path): \(why). Check disk space and directory permissions.", badInput: false)
    }
}
