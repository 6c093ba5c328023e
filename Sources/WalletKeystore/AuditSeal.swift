// 审计链在数据库之外的锚：能写数据库的人（数据库账号、被恢复的旧备份、将来的 PostgreSQL 用户）不应能改写历史。
// - 每条记录带 MAC = HMAC-SHA256(K, 域标签 ‖ 记录哈希)；记录哈希串起了之前的全部历史，没有 K 就无法「改完重算整条链」。
// - 锚文件（keystore/audit.anchor）记下已提交的最新 (id, hash) 及其 MAC，只前进不后退：删掉尾部记录会落到锚之下。
// K 在 keystore/audit.key（0600，唯一随机源生成）。它不经 KEK 包裹：每个写审计的进程都要用它，而多数命令不解封。
// 所以它挡的是「只有数据库写权限」的人，挡不住 home 目录的属主（见 docs/threat-model.md）。
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WalletCrypto

public final class AuditSeal: Sendable {
    static let domain = Array("wallet-console/audit/v1".utf8)
    let key: SecretBytes
    let anchorPath: String
    let lockPath: String

    public struct Anchor: Sendable, Equatable {
        public var id: Int64
        public var hash: String
        public var mac: String
    }

    /// 打开（没有则创建）keystore 目录里的审计密钥。两个进程同时创建时只有一个生效（link 原子占位），另一个读回它。
    public init(keystoreDir dir: String) throws {
        try SecureFile.ensureDirectory(dir)
        let keyPath = dir + "/audit.key"
        anchorPath = dir + "/audit.anchor"
        lockPath = dir + "/.audit.lock"
        if !SecureFile.exists(keyPath) {
            var fresh = try SecureRandom.bytes(32)
            defer { SecretBytes.wipe(&fresh) }
            let tmp = dir + "/.audit.key.tmp-" + (try SecureRandom.bytes(6)).hex
            try SecureFile.atomicWrite(tmp, fresh)
            defer { unlink(tmp) }
            if link(tmp, keyPath) != 0 && errno != EEXIST {
                throw KeystoreError.io("link \(keyPath): \(String(cString: strerror(errno)))")
            }
        }
        var raw = try SecureFile.read(keyPath)
        defer { SecretBytes.wipe(&raw) }
        guard raw.count == 32 else { throw KeystoreError.io("\(keyPath) 长度不是 32 字节 / is not 32 bytes") }
        key = SecretBytes(raw)
    }

    /// 一条审计记录（以其哈希代表）的 MAC，十六进制。
    public func mac(hash: String) -> String {
        key.withUnsafeBytes { k in
            var copy = Array(k)   // HMAC 接口要数组：用完即清零，密钥不在堆上残留
            defer { SecretBytes.wipe(&copy) }
            return Hash.hmacSHA256(key: copy, data: Self.domain + Array(hash.utf8)).hex
        }
    }

    func anchorMac(id: Int64, hash: String) -> String { mac(hash: "anchor:\(id):\(hash)") }

    /// 读锚；文件不存在返回 nil，内容坏了抛错（由 verify 报告）。
    public func readAnchor() throws -> Anchor? {
        guard SecureFile.exists(anchorPath) else { return nil }
        let text = String(decoding: try SecureFile.read(anchorPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let id = Int64(parts[0]) else { throw KeystoreError.io("\(anchorPath) 格式不对 / malformed") }
        return Anchor(id: id, hash: parts[1], mac: parts[2])
    }

    /// 锚的 MAC 是否由我们的密钥生成。
    public func isAuthentic(_ a: Anchor) -> Bool { a.mac == anchorMac(id: a.id, hash: a.hash) }

    /// 把锚推进到 (id, hash)；只前进（多个进程各自提交后都来推，旧的不覆盖新的）。
    public func advance(id: Int64, hash: String) throws {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KeystoreError.io("lock \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw KeystoreError.io("flock") } }
        defer { flock(fd, LOCK_UN) }
        if let cur = try? readAnchor(), cur.id >= id { return }
        try SecureFile.atomicWrite(anchorPath, Array("\(id):\(hash):\(anchorMac(id: id, hash: hash))\n".utf8))
    }
}
