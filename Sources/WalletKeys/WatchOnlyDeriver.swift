// 只读（xpub）存款地址派生：联网主机只持有账户级 xpub，按索引批量生成地址，永远接触不到私钥。
// 热路径：父公钥只解析一次、HMAC 密钥只设置一次、输出写进复用缓冲区（见 WalletCrypto/CKD.swift）。
import WalletCrypto

public enum WatchOnlyCoin: String, CaseIterable, Sendable {
    case eth
    case btc                      // P2PKH
    case btcSegwit = "btc-segwit" // P2WPKH
}

public final class WatchOnlyDeriver {
    public let base: ExtendedPublicKey
    public let coin: WatchOnlyCoin
    private let deriver: PublicChildDeriver
    private var compressed = [UInt8](repeating: 0, count: 33)
    private var uncompressed = [UInt8](repeating: 0, count: 65)

    /// `base` 是子地址的父节点（通常是 xpub 再往下 0 = 外部链）。
    public init(base: ExtendedPublicKey, coin: WatchOnlyCoin) throws {
        self.base = base; self.coin = coin
        deriver = try PublicChildDeriver(compressedPublicKey: base.publicKey, chainCode: base.chainCode)
    }

    /// 派生第 index 个子节点的压缩公钥与地址。
    public func derive(index: UInt32) throws -> (publicKey: [UInt8], address: String) {
        guard index < DerivationPath.hardenedOffset else { throw XKeyError.hardenedFromPublic }
        let ok = compressed.withUnsafeMutableBufferPointer { c in
            uncompressed.withUnsafeMutableBufferPointer { u in
                deriver.derive(index: index, compressed: c.baseAddress, uncompressed: coin == .eth ? u.baseAddress : nil, chainCode: nil)
            }
        }
        guard ok else { throw XKeyError.invalidChild }
        let net: BitcoinNetwork = base.network == .mainnet ? .mainnet : .testnet
        switch coin {
        case .eth:
            let a = uncompressed.withUnsafeBytes { EthereumAddress(uncompressedPublicKey: $0) }
            return (compressed, a.checksummed)
        case .btc: return (compressed, Base58.encodeCheck([net.p2pkhVersion] + Hash.hash160(compressed)))
        case .btcSegwit: return (compressed, try Bech32.encodeSegwit(hrp: net.hrp, version: 0, program: Hash.hash160(compressed)))
        }
    }

    /// 只要以太坊地址字节（基准测试与批量预生成用，不做 EIP-55 字符串）。
    @inline(__always)
    public func ethereumAddressBytes(index: UInt32, into out: UnsafeMutableRawPointer) -> Bool {
        uncompressed.withUnsafeMutableBufferPointer { u -> Bool in
            guard deriver.derive(index: index, compressed: nil, uncompressed: u.baseAddress, chainCode: nil) else { return false }
            withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { h in
                Keccak.keccak256(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(u)[1..<65]), into: h.baseAddress!)
                out.copyMemory(from: h.baseAddress! + 12, byteCount: 20)
            }
            return true
        }
    }
}
