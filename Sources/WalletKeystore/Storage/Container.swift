// keystore 文件容器（二进制，版本化）：
//   "WCKS" | u8 格式版本 | u8 类型 | u32 len | 不可变元数据 JSON | u32 len | 可变元数据 JSON
//   | u32 len | 密文块 A | u32 len | 密文块 B | 32 字节 SHA-256（以上全部）
// SHA-256 用于在封存状态下就发现意外损坏/截断；恶意篡改靠 AES-GCM 认证（元数据字节作为关联数据）发现。
import WalletCrypto

struct Container: Equatable {
    static let magic: [UInt8] = Array("WCKS".utf8)
    static let currentVersion: UInt8 = 1

    enum Kind: UInt8 { case header = 1, key = 2 }

    var kind: Kind
    var immutableMeta: [UInt8]
    var mutableMeta: [UInt8]
    var blobA: [UInt8]
    var blobB: [UInt8]

    func encode() -> [UInt8] {
        var out = Container.magic + [Container.currentVersion, kind.rawValue]
        for part in [immutableMeta, mutableMeta, blobA, blobB] {
            let n = UInt32(part.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            out += part
        }
        return out + Hash.sha256(out)
    }

    static func decode(_ bytes: [UInt8], file: String) throws -> Container {
        func bad(_ d: String) -> KeystoreError { .corrupted(file: file, detail: d) }
        guard bytes.count >= 6 + 16 + 32 else { throw bad("文件过短（截断）/ truncated") }
        guard Array(bytes[0..<4]) == magic else { throw bad("文件头魔数不符 / bad magic") }
        let body = Array(bytes[0..<(bytes.count - 32)])
        guard SecretBytes.constantTimeEqual(Hash.sha256(body), Array(bytes[(bytes.count - 32)...])) else {
            throw bad("校验和不符（损坏或截断）/ checksum mismatch")
        }
        guard bytes[4] == currentVersion else { throw KeystoreError.unsupportedVersion(file: file, version: Int(bytes[4])) }
        guard let kind = Kind(rawValue: bytes[5]) else { throw bad("未知类型 / unknown kind") }
        var off = 6
        var parts: [[UInt8]] = []
        for _ in 0..<4 {
            guard off + 4 <= body.count else { throw bad("长度字段越界 / length out of range") }
            let n = Int(body[off]) << 24 | Int(body[off + 1]) << 16 | Int(body[off + 2]) << 8 | Int(body[off + 3])
            off += 4
            guard n <= body.count - off else { throw bad("长度字段越界 / length out of range") }
            parts.append(Array(body[off..<(off + n)]))
            off += n
        }
        guard off == body.count else { throw bad("多余字节 / trailing bytes") }
        return Container(kind: kind, immutableMeta: parts[0], mutableMeta: parts[1], blobA: parts[2], blobB: parts[3])
    }
}

extension AESGCM.Sealed {
    /// nonce(12) | tag(16) | 密文
    var packed: [UInt8] { nonce + tag + ciphertext }

    init(packed: [UInt8], file: String) throws {
        guard packed.count >= 28 else { throw KeystoreError.corrupted(file: file, detail: "密文块过短 / sealed blob too short") }
        self.init(nonce: Array(packed[0..<12]), ciphertext: Array(packed[28...]), tag: Array(packed[12..<28]))
    }
}
