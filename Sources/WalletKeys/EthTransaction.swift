// 以太坊交易：legacy（EIP-155 重放保护）与 EIP-1559（type 2，含访问列表）。
// 签名拆成两步：signingHash() 给出摘要，applying(signature:) 装配签名——HSM/KMS 可以在别处对摘要签名。
import WalletCrypto

public struct EthTxError: WalletErrorConvertible, Equatable {
    public let walletError: WalletError
    /// 都是输入错误：退出码 2。
    init(_ code: String, zh: String, en: String) { walletError = WalletError(code, zh: zh, en: en, badInput: true) }

    static let preEIP155 = EthTxError("tx.pre_eip155",
        zh: "拒绝签名没有链 ID 的旧式交易：它可以在任何链上被重放（EIP-155）。请在交易里给出 chainId（主网为 1）。",
        en: "refusing to sign a legacy transaction without chain id: it would be replayable on every chain (EIP-155). Set chainId (mainnet = 1).")
    static func unsupportedType(_ t: UInt8) -> EthTxError {
        EthTxError("tx.unsupported_type", zh: "不支持的交易类型 0x\(String(t, radix: 16))：只支持 legacy（0）与 EIP-1559（2）。",
                   en: "unsupported transaction type 0x\(String(t, radix: 16)): only legacy (0) and EIP-1559 (2).")
    }
    static func fieldCount(_ got: Int, _ want: Int) -> EthTxError {
        EthTxError("tx.field_count", zh: "交易字段数为 \(got)，应为 \(want)。", en: "transaction has \(got) fields, expected \(want).")
    }
    static func badField(_ name: String, _ why: String, _ whyEn: String) -> EthTxError {
        EthTxError("tx.bad_field", zh: "字段 \(name) 无效：\(why)", en: "field \(name) is invalid: \(whyEn)")
    }
    static let highS = EthTxError("tx.high_s", zh: "签名 s 值高于 n/2（EIP-2 规定无效），请用低 S 形式。",
                                  en: "signature s is above n/2 (invalid per EIP-2); use the low-S form.")
    static let unsigned = EthTxError("tx.unsigned", zh: "交易没有签名（r、s 为 0）。", en: "transaction is unsigned (r and s are zero).")
}

public struct AccessListEntry: Hashable, Sendable {
    public var address: EthereumAddress
    public var storageKeys: [[UInt8]]   // 每个 32 字节
    public init(address: EthereumAddress, storageKeys: [[UInt8]]) {
        self.address = address; self.storageKeys = storageKeys
    }
}

public enum EthTxType: UInt8, Sendable {
    case legacy = 0
    case eip1559 = 2
}

public struct EthTransaction: Hashable, Sendable {
    public var type: EthTxType
    /// nil 只会出现在解码来的 EIP-155 之前的旧交易上；这样的交易不能签名。
    public var chainId: UInt64?
    public var nonce: UInt64
    public var gasLimit: UInt64
    public var gasPrice: UInt256                 // legacy
    public var maxFeePerGas: UInt256             // type 2
    public var maxPriorityFeePerGas: UInt256     // type 2
    public var to: EthereumAddress?              // nil = 创建合约
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    public static func legacy(chainId: UInt64, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64,
                              to: EthereumAddress?, value: UInt256, data: [UInt8] = []) -> EthTransaction {
        EthTransaction(type: .legacy, chainId: chainId, nonce: nonce, gasLimit: gasLimit, gasPrice: gasPrice,
                       maxFeePerGas: .zero, maxPriorityFeePerGas: .zero, to: to, value: value, data: data, accessList: [])
    }

    public static func eip1559(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256,
                               gasLimit: UInt64, to: EthereumAddress?, value: UInt256, data: [UInt8] = [],
                               accessList: [AccessListEntry] = []) -> EthTransaction {
        EthTransaction(type: .eip1559, chainId: chainId, nonce: nonce, gasLimit: gasLimit, gasPrice: .zero,
                       maxFeePerGas: maxFeePerGas, maxPriorityFeePerGas: maxPriorityFeePerGas, to: to, value: value,
                       data: data, accessList: accessList)
    }

    public init(type: EthTxType, chainId: UInt64?, nonce: UInt64, gasLimit: UInt64, gasPrice: UInt256,
                maxFeePerGas: UInt256, maxPriorityFeePerGas: UInt256, to: EthereumAddress?, value: UInt256,
                data: [UInt8], accessList: [AccessListEntry]) {
        self.type = type; self.chainId = chainId; self.nonce = nonce; self.gasLimit = gasLimit
        self.gasPrice = gasPrice; self.maxFeePerGas = maxFeePerGas; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.to = to; self.value = value; self.data = data; self.accessList = accessList
    }

    // MARK: 编码

    var toItem: RLP.Item { .bytes(to?.bytes ?? []) }
    var accessListItem: RLP.Item {
        .list(accessList.map { .list([.bytes($0.address.bytes), .list($0.storageKeys.map { .bytes($0) })]) })
    }

    func fieldsLegacy() -> [RLP.Item] {
        [.uint(nonce), .uint(gasPrice), .uint(gasLimit), toItem, .uint(value), .bytes(data)]
    }

    func fields1559(chainId: UInt64) -> [RLP.Item] {
        [.uint(chainId), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit), toItem,
         .uint(value), .bytes(data), accessListItem]
    }

    /// 被签名的字节（legacy：RLP[…, chainId, 0, 0]；type 2：0x02 ‖ RLP[9 个字段]）。
    public func signingPayload() throws -> [UInt8] {
        guard let chainId, chainId > 0 else { throw EthTxError.preEIP155 }
        return payload(fields: fields(chainId: chainId), chainId: chainId)
    }

    /// 不含签名的字段列表（签名载荷与原始交易共用，热路径只算一次）。
    func fields(chainId: UInt64) -> [RLP.Item] {
        type == .legacy ? fieldsLegacy() : fields1559(chainId: chainId)
    }

    func payload(fields: [RLP.Item], chainId: UInt64) -> [UInt8] {
        switch type {
        case .legacy:
            return RLP.encode(.list(fields + [.uint(chainId), .bytes([]), .bytes([])]))
        case .eip1559:
            var out: [UInt8] = [0x02]
            RLP.append(.list(fields), to: &out)
            return out
        }
    }

    public func signingHash() throws -> [UInt8] { Keccak.keccak256(try signingPayload()) }

    public func sign(privateKey: SecretBytes) throws -> SignedEthTransaction {
        guard let chainId, chainId > 0 else { throw EthTxError.preEIP155 }
        let f = fields(chainId: chainId)
        let sig = try Secp256k1.signRecoverable(digest32: Keccak.keccak256(payload(fields: f, chainId: chainId)), privateKey: privateKey)
        // 自己签的签名必然可恢复：发送方延迟到首次读取 from 时再算，省掉热路径上一次 ecdsa_recover（约 30 µs）
        return try assemble(signature: sig, from: nil, fields: f)
    }

    /// 装配外部（HSM/KMS）签名：s 必须是低 S（先用 Secp256k1.normalizeLowS），recoveryId 0/1。
    public func applying(signature sig: RecoverableSignature) throws -> SignedEthTransaction {
        guard let chainId, chainId > 0 else { throw EthTxError.preEIP155 }
        guard sig.r.count == 32, sig.s.count == 32, sig.recoveryId <= 1 else { throw Secp256k1Error(.invalidSignature) }
        guard !Secp256k1.normalizeLowS(r: sig.r, s: sig.s).flipped else { throw EthTxError.highS }
        // 外部签名必须当场恢复：签名与摘要不匹配时在这里报错，而不是广播后才发现
        let pub = try Secp256k1.recover(digest32: try signingHash(), signature: sig)
        return try assemble(signature: sig, from: try EthereumAddress(publicKey: pub))
    }

    func assemble(signature sig: RecoverableSignature, from: EthereumAddress?, fields f: [RLP.Item]? = nil) throws -> SignedEthTransaction {
        guard let chainId, chainId > 0 else { throw EthTxError.preEIP155 }
        let f = f ?? fields(chainId: chainId)
        let r = try UInt256(bigEndian: sig.r), s = try UInt256(bigEndian: sig.s)
        let raw: [UInt8]
        let v: UInt256
        switch type {
        case .legacy:
            v = UInt256(chainId) * UInt256(2) + UInt256(UInt64(35 + Int(sig.recoveryId)))
            raw = RLP.encode(.list(f + [.uint(v), .uint(r), .uint(s)]))
        case .eip1559:
            v = UInt256(UInt64(sig.recoveryId))
            var out: [UInt8] = [0x02]
            RLP.append(.list(f + [.uint(v), .uint(r), .uint(s)]), to: &out)
            raw = out
        }
        return SignedEthTransaction(transaction: self, raw: raw, hash: Keccak.keccak256(raw), knownFrom: from,
                                    r: sig.r, s: sig.s, yParity: sig.recoveryId, v: v)
    }
}

public struct SignedEthTransaction: Hashable, Sendable {
    public let transaction: EthTransaction
    public let raw: [UInt8]
    public let hash: [UInt8]
    let knownFrom: EthereumAddress?
    /// 发送方（从签名恢复）。解码与外部签名路径已在构造时验证过。
    public var from: EthereumAddress {
        if let knownFrom { return knownFrom }
        let digest = try! transaction.signingHash()
        return try! EthereumAddress(publicKey: Secp256k1.recover(digest32: digest, signature: signature))
    }
    public let r: [UInt8]
    public let s: [UInt8]
    public let yParity: UInt8
    /// legacy：chainId·2 + 35 + yParity（旧交易 27/28）；type 2：等于 yParity。
    public let v: UInt256

    public var signature: RecoverableSignature { RecoverableSignature(r: r, s: s, recoveryId: yParity) }

    // 相等性只看原始字节（同一笔已签名交易），与发送方是否已缓存无关。
    public static func == (a: SignedEthTransaction, b: SignedEthTransaction) -> Bool { a.raw == b.raw }
    public func hash(into h: inout Hasher) { h.combine(raw) }

    /// 解码已签名的原始交易并恢复发送方。任何畸形输入都抛出带原因的错误，不会崩溃。
    public static func decode(raw: [UInt8]) throws -> SignedEthTransaction {
        guard let first = raw.first else { throw RLPError(.empty) }
        if first >= 0xc0 { return try decodeLegacy(raw) }
        guard first == 0x02 else { throw EthTxError.unsupportedType(first) }
        let f = try RLP.decode(Array(raw.dropFirst())).asList()
        guard f.count == 12 else { throw EthTxError.fieldCount(f.count, 12) }
        let chainId = try u64(f[0], "chainId")
        guard chainId > 0 else { throw EthTxError.badField("chainId", "不能为 0。", "must not be 0.") }
        let al = try f[8].asList().map { e -> AccessListEntry in
            let pair = try e.asList()
            guard pair.count == 2 else { throw EthTxError.badField("accessList", "每项必须是 [地址, 存储键列表]。", "each entry must be [address, storageKeys].") }
            let keys = try pair[1].asList().map { k -> [UInt8] in
                let b = try k.asBytes()
                guard b.count == 32 else { throw EthTxError.badField("accessList", "存储键必须 32 字节。", "storage keys must be 32 bytes.") }
                return b
            }
            return AccessListEntry(address: try EthereumAddress(bytes: try pair[0].asBytes()), storageKeys: keys)
        }
        let tx = EthTransaction.eip1559(
            chainId: chainId, nonce: try u64(f[1], "nonce"), maxPriorityFeePerGas: try u256(f[2], "maxPriorityFeePerGas"),
            maxFeePerGas: try u256(f[3], "maxFeePerGas"), gasLimit: try u64(f[4], "gas"), to: try toField(f[5]),
            value: try u256(f[6], "value"), data: try f[7].asBytes(), accessList: al)
        let yp = try u64(f[9], "yParity")
        guard yp <= 1 else { throw EthTxError.badField("yParity", "只能是 0 或 1。", "must be 0 or 1.") }
        let signed = try tx.applying(signature: try sig(f[10], f[11], UInt8(yp)))
        guard signed.raw == raw else { throw EthTxError.badField("raw", "重新编码结果不同（非规范编码）。", "re-encoding differs (non-canonical).") }
        return signed
    }

    static func decodeLegacy(_ raw: [UInt8]) throws -> SignedEthTransaction {
        let f = try RLP.decode(raw).asList()
        guard f.count == 9 else { throw EthTxError.fieldCount(f.count, 9) }
        let v = try u256(f[6], "v")
        guard let v64 = v.uint64, v64 >= 27 else { throw EthTxError.badField("v", "值超出范围。", "out of range.") }
        let chainId: UInt64?
        let recid: UInt8
        if v64 == 27 || v64 == 28 {
            chainId = nil; recid = UInt8(v64 - 27)
        } else {
            guard v64 >= 37 else { throw EthTxError.badField("v", "既不是 27/28 也不是 EIP-155 形式。", "neither 27/28 nor EIP-155 form.") }
            chainId = (v64 - 35) / 2; recid = UInt8((v64 - 35) % 2)
        }
        var tx = EthTransaction.legacy(chainId: chainId ?? 1, nonce: try u64(f[0], "nonce"), gasPrice: try u256(f[1], "gasPrice"),
                                       gasLimit: try u64(f[2], "gas"), to: try toField(f[3]), value: try u256(f[4], "value"),
                                       data: try f[5].asBytes())
        let signature = try sig(f[7], f[8], recid)
        guard let chainId else {
            // EIP-155 之前的交易：只解码与恢复发送方，不提供签名能力。
            tx.chainId = nil
            let digest = Keccak.keccak256(RLP.encode(.list(tx.fieldsLegacy())))
            let pub = try Secp256k1.recover(digest32: digest, signature: signature)
            return SignedEthTransaction(transaction: tx, raw: raw, hash: Keccak.keccak256(raw),
                                        knownFrom: try EthereumAddress(publicKey: pub), r: signature.r, s: signature.s,
                                        yParity: recid, v: v)
        }
        tx.chainId = chainId
        let signed = try tx.applying(signature: signature)
        guard signed.raw == raw else { throw EthTxError.badField("raw", "重新编码结果不同（非规范编码）。", "re-encoding differs (non-canonical).") }
        return signed
    }

    static func u256(_ i: RLP.Item, _ name: String) throws -> UInt256 {
        do { return try i.asUInt256() } catch let e as RLPError {
            throw EthTxError.badField(name, e.message(.zh), e.message(.en))
        }
    }
    static func u64(_ i: RLP.Item, _ name: String) throws -> UInt64 {
        guard let v = try u256(i, name).uint64 else { throw EthTxError.badField(name, "超出 64 位。", "exceeds 64 bits.") }
        return v
    }
    static func toField(_ i: RLP.Item) throws -> EthereumAddress? {
        let b = try i.asBytes()
        if b.isEmpty { return nil }
        guard b.count == 20 else { throw EthTxError.badField("to", "必须为空（创建合约）或 20 字节。", "must be empty (contract creation) or 20 bytes.") }
        return try EthereumAddress(bytes: b)
    }
    static func sig(_ r: RLP.Item, _ s: RLP.Item, _ recid: UInt8) throws -> RecoverableSignature {
        let rv = try u256(r, "r"), sv = try u256(s, "s")
        guard !rv.isZero, !sv.isZero else { throw EthTxError.unsigned }
        let sig = RecoverableSignature(r: rv.bigEndianBytes, s: sv.bigEndianBytes, recoveryId: recid)
        guard !Secp256k1.normalizeLowS(r: sig.r, s: sig.s).flipped else { throw EthTxError.highS }
        return sig
    }
}
