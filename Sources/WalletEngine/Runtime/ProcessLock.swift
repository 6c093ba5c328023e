// 同一 home 只允许一个 `engine run`：flock(2) 排他锁，进程死亡（含 kill -9）时内核自动释放，不会留下僵尸锁。
// 两个引擎同时跑会各自分配 nonce、各自广播——这是“同一 nonce 两笔交易”的经典来源。
import Foundation
import Synchronization
import WalletCrypto
#if canImport(Glibc)
import Glibc
#endif

public final class ProcessLock: Sendable {
    // 描述符在 release() 里关闭并置 -1：放进 Mutex，重复/并发 release 也只关一次。
    private let fdBox: Mutex<Int32>
    /// 这把锁文件在本机本次开机里的身份：sha256(boot_id ‖ st_dev ‖ st_ino) 前 12 个十六进制。
    /// 同一个身份 = 同一个锁文件（容器里各自一份拷贝的 home 是不同的 inode，换一台机器或重启 boot_id 不同）。
    public let identity: String

    /// 非阻塞获取；已被占用时抛出带对方 pid 的错误。
    public init(path: String) throws {
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw EngineError("engine.lock_failed", zh: "无法打开锁文件 \(path)：\(why)。", en: "cannot open lock file \(path): \(why).")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 31, 0)
            let other = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd); fd = -1
            throw EngineError("engine.already_running", zh: "该数据目录已有引擎在运行（pid \(other)）。同一 home 只能运行一个引擎，否则会重复分配 nonce。",
                              en: "an engine is already running on this home (pid \(other)). Only one engine may run per home, or nonces would be allocated twice.")
        }
        var st = stat()
        identity = fstat(fd, &st) == 0 ? Self.identity(st) : ""
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        fdBox = Mutex(fd)
    }

    /// 不加锁、只看文件：这个锁文件的身份（文件不存在时空）。`status` 用它找本 home 引擎的心跳。
    public static func identity(ofFileAt path: String) -> String {
        var st = stat()
        return stat(path, &st) == 0 ? identity(st) : ""
    }

    static func identity(_ st: stat) -> String {
        guard !bootID.isEmpty else { return "" }
        return Hex.encode(Hash.sha256(Array("\(bootID)|\(st.st_dev)|\(st.st_ino)".utf8)).prefix(6))
    }

    /// 本次开机的 id：进程内不变，读一次（心跳每 2 秒要算一次身份）。
    static let bootID = ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines)

    public func release() {
        fdBox.withLock { fd in
            if fd >= 0 { flock(fd, LOCK_UN); close(fd); fd = -1 }
        }
    }

    deinit { release() }
}

/// 受锁保护的值：异步代码里不能直接 lock()/unlock()，经由同步方法访问即可。
public final class Protected<T: Sendable>: Sendable {
    private let value: Mutex<T>
    public init(_ v: T) { value = Mutex(v) }
    public func read<R: Sendable>(_ f: (T) throws -> R) rethrows -> R { try value.withLock { try f($0) } }
    public func write<R: Sendable>(_ f: (inout T) throws -> R) rethrows -> R { try value.withLock { try f(&$0) } }
    public var get: T { read { $0 } }
}

/// 「这个进程在哪台机器、哪个 pid 命名空间里」：租约持有人名里带上它，别的进程才能判断「持有人是不是本机上的、pid 还在不在」。
/// 只用 pid 不行：另一台主机（或同机另一个容器）的引擎的 pid 在这里 kill(pid, 0) 也是 ESRCH，会被误当成死进程接管。
/// boot_id 区分主机与重启，pid 命名空间的 inode 区分同一台主机上的容器。
public enum LocalProcess {
    public static let hostTag: String = {
        let boot = ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var buf = [CChar](repeating: 0, count: 128)
        let n = readlink("/proc/self/ns/pid", &buf, 127)
        let ns = n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return Hex.encode(Hash.sha256(Array("\(boot)|\(ns)".utf8)).prefix(4))
    }()

    /// 持有人名：engine-<hostTag>-<pid>。
    public static var ownerName: String { "engine-\(hostTag)-\(getpid())" }

    /// 持有人是本机同一 pid 命名空间里、已经不存在的进程（可以接管）。别处的、或认不出格式的，一律不算死（宁可等租约到期）。
    public static func isDeadLocalOwner(_ holder: String) -> Bool {
        let parts = holder.split(separator: "-")
        guard parts.count == 3, parts[0] == "engine", parts[1] == Substring(hostTag), let pid = Int32(parts[2]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
