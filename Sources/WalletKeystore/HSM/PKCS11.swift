// PKCS#11 客户端（经 CPKCS11 dlopen 任意模块）。只做本项目需要的：令牌初始化、登录、
// 在令牌上生成 secp256k1 密钥（敏感、不可导出）、读公钥、CKM_ECDSA 签 32 字节摘要。
import CPKCS11
import Foundation
import Synchronization
import WalletCrypto

public enum HSMError: WalletErrorConvertible, Equatable {
    case moduleLoad(path: String, reason: String)
    case tokenNotFound(String)
    case noFreeSlot
    case wrongPin
    case pinLocked
    case sessionLost
    case keyNotFound(String)
    case badPublicKey
    case call(function: String, rv: UInt)
    case tokenAmbiguous(String, Int)
    case badInput(String, String)

    /// 码、中英文说明与类别（true = 输入错误，退出码 2）写在同一个 case 里。
    public var walletError: WalletError {
        switch self {
        case let .moduleLoad(p, r):
            return WalletError("hsm.module_load", zh: "无法加载 PKCS#11 模块 \(p)：\(BilingualText.split(r).zh)。检查路径（SoftHSM2 为 /usr/lib/softhsm/libsofthsm2.so）。",
                               en: "cannot load PKCS#11 module \(p): \(BilingualText.split(r).en). Check the path (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so).", badInput: true)
        case .tokenNotFound(let l):
            return WalletError("hsm.token_not_found", zh: "找不到标签为 '\(l)' 的令牌：令牌未插入或未初始化（hsm init-token）。",
                               en: "no token labelled '\(l)': not present or not initialised (hsm init-token).", badInput: true)
        case .noFreeSlot:
            return WalletError("hsm.no_free_slot", zh: "没有可初始化的空槽位。",
                               en: "no free slot to initialise a token in.", badInput: false)
        case .wrongPin:
            return WalletError("hsm.wrong_pin", zh: "HSM PIN 错误。注意多次错误会锁定令牌。若 PIN 在令牌上改过，用 `hsm set-pin --key ID --pin-file F` 更新存着的 PIN。",
                               en: "wrong HSM PIN. Repeated failures lock the token. If the PIN was changed on the token, update the stored one with `hsm set-pin --key ID --pin-file F`.", badInput: true)
        case let .tokenAmbiguous(l, n):
            return WalletError("hsm.token_ambiguous", zh: "有 \(n) 个标签都是 '\(l)' 的令牌：无法确定用哪一个，拒绝登录（用错令牌会把它的 PIN 试锁）。给令牌起唯一的标签。",
                               en: "\(n) tokens are labelled '\(l)': cannot tell which to use, refusing to log in (trying the PIN on the wrong token can lock it). Give tokens unique labels.", badInput: true)
        case let .badInput(zhMsg, enMsg):
            return WalletError("hsm.bad_input", zh: zhMsg + "。没有改动任何令牌。",
                               en: enMsg + ". No token was changed.", badInput: true)
        case .pinLocked:
            return WalletError("hsm.pin_locked", zh: "HSM PIN 已被锁定：需由安全官（SO）解锁。",
                               en: "the HSM PIN is locked: the security officer must unlock it.", badInput: false)
        case .sessionLost:
            return WalletError("hsm.session_lost", zh: "与 HSM 的会话已断开（令牌被拔出或重启）。引擎继续运行，恢复后自动重连。",
                               en: "the HSM session was lost (token removed or restarted). The engine keeps running and reconnects when it is back.", badInput: false)
        case .keyNotFound(let k):
            return WalletError("hsm.key_not_found", zh: "令牌上找不到密钥 '\(k)'。",
                               en: "key '\(k)' not found on the token.", badInput: true)
        case .badPublicKey:
            return WalletError("hsm.bad_public_key", zh: "令牌返回的公钥不是未压缩的 secp256k1 点。",
                               en: "the token returned a public key that is not an uncompressed secp256k1 point.", badInput: false)
        case let .call(f, rv):
            return WalletError("hsm.call_failed", zh: "PKCS#11 调用 \(f) 失败：CKR 0x\(String(rv, radix: 16))。",
                               en: "PKCS#11 call \(f) failed: CKR 0x\(String(rv, radix: 16)).", badInput: false)
        }
    }

    static func from(_ fn: String, _ rv: CK_RV) -> HSMError {
        switch rv {
        case CK_RV(CKR_PIN_INCORRECT): return .wrongPin
        case CK_RV(CKR_PIN_LOCKED): return .pinLocked
        case CK_RV(CKR_SESSION_HANDLE_INVALID), CK_RV(CKR_SESSION_CLOSED), CK_RV(CKR_TOKEN_NOT_PRESENT), CK_RV(CKR_DEVICE_REMOVED):
            return .sessionLost
        default: return .call(function: fn, rv: UInt(rv))
        }
    }
}

@inline(__always) func ck(_ fn: String, _ rv: CK_RV) throws { if rv != CK_RV(CKR_OK) { throw HSMError.from(fn, rv) } }

/// 已加载的 PKCS#11 模块。一个进程内同一路径只加载一次（C_Initialize 是进程级的）。
// @unchecked Sendable：handle 是 C 模块的句柄（let），库以 CKF_OS_LOCKING_OK 初始化，可多线程调用；会话计数在 Mutex 里。
// 两把 NSLock 串行化的是 C 调用段而不是一个值：registryLock 让 load / reinitialize / unloadAll（C_Initialize、C_Finalize）
// 与注册表读写互斥（registry 只在持有它时访问），initLock 让同一模块上的 C_InitToken 串行，所以不换成 Mutex。
public final class PKCS11Module: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String
    private let initLock = NSLock()
    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [String: PKCS11Module] = [:]

    private init(handle: OpaquePointer, path: String) { self.handle = handle; self.path = path }

    public static func load(_ path: String) throws -> PKCS11Module {
        registryLock.lock(); defer { registryLock.unlock() }
        if let m = registry[path] { return m }
        var err = [CChar](repeating: 0, count: 512)
        guard let h = cpkcs11_load(path, &err, err.count) else {
            throw HSMError.moduleLoad(path: path, reason: String(cString: err))
        }
        let m = PKCS11Module(handle: h, path: path)
        registry[path] = m
        return m
    }

    /// 重新初始化（C_Finalize + C_Initialize，不卸载库）：令牌拔出再插回后，模块要重新枚举槽位才看得见它。
    /// 之前的会话全部失效，持有者下一次调用会拿到错误并重连。
    /// 只在这个模块上没有别的活会话时才做（否则会让正常工作的签名器、别的令牌上的会话一起失效），且两次之间至少 2 秒。
    /// 返回是否真的重新初始化了。
    @discardableResult
    public func reinitialize() throws -> Bool {
        PKCS11Module.registryLock.lock(); defer { PKCS11Module.registryLock.unlock() }
        let ok = sessions.withLock { st -> Bool in
            guard st.live == 0, Date().timeIntervalSince(st.lastReinit) >= 2 else { return false }
            st.lastReinit = Date()
            return true
        }
        guard ok else { return false }
        try ck("C_Initialize", cpkcs11_reinit(handle))
        return true
    }

    private let sessions = Mutex<(live: Int, lastReinit: Date)>((0, .distantPast))
    func sessionOpened() { sessions.withLock { $0.live += 1 } }
    func sessionClosed() { sessions.withLock { $0.live -= 1 } }

    /// 卸载（C_Finalize）——测试切换令牌目录时使用。
    public static func unloadAll() {
        registryLock.lock(); defer { registryLock.unlock() }
        for m in registry.values { cpkcs11_unload(m.handle) }
        registry = [:]
    }

    public struct Token: Sendable, Equatable {
        public var slot: UInt
        public var label: String
        public var initialized: Bool
        public var serial: String
    }

    public func tokens() throws -> [Token] {
        var n: CK_ULONG = 0
        try ck("C_GetSlotList", cpkcs11_get_slot_list(handle, 1, nil, &n))
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(n))
        try ck("C_GetSlotList", cpkcs11_get_slot_list(handle, 1, &slots, &n))
        return try slots.prefix(Int(n)).map { s in
            var info = CK_TOKEN_INFO()
            try ck("C_GetTokenInfo", cpkcs11_get_token_info(handle, s, &info))
            let label = withUnsafeBytes(of: info.label) { String(decoding: $0, as: UTF8.self) }.trimmingCharacters(in: .whitespaces)
            let serial = withUnsafeBytes(of: info.serialNumber) { String(decoding: $0, as: UTF8.self) }.trimmingCharacters(in: .whitespaces)
            return Token(slot: UInt(s), label: label, initialized: info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0, serial: serial)
        }
    }

    /// 标签必须唯一：两个同名令牌时拒绝（以前随便挑一个，引擎会拿存着的 PIN 去试另一个令牌，可能把它锁死）。
    public func slot(forToken label: String) throws -> UInt {
        let matches = try tokens().filter { $0.initialized && $0.label == label }
        guard let t = matches.first else { throw HSMError.tokenNotFound(label) }
        guard matches.count == 1 else { throw HSMError.tokenAmbiguous(label, matches.count) }
        return t.slot
    }

    /// 在一个空槽位上初始化令牌并设置用户 PIN（C_InitToken + C_InitPIN）。
    public func initToken(label: String, soPin: SecretBytes, userPin: SecretBytes) throws -> UInt {
        // 同一模块内串行初始化：两个线程抢同一个空槽位时，后者会把前者刚初始化的令牌覆盖掉。
        initLock.lock(); defer { initLock.unlock() }
        // 先检查、后动令牌：PKCS#11 没有「删除令牌」，半途失败会留下一个占着槽位的半成品。
        guard !label.isEmpty, label.utf8.count <= 32 else { throw HSMError.badInput("令牌标签须为 1–32 字节（收到 \(label.utf8.count)）", "the token label must be 1–32 bytes (got \(label.utf8.count))") }
        for (what, whatEn, pin) in [("用户 PIN", "user PIN", userPin), ("SO PIN", "SO PIN", soPin)] where !(4...255).contains(pin.count) {
            throw HSMError.badInput("\(what)须为 4–255 字节（收到 \(pin.count)）", "the \(whatEn) must be 4–255 bytes (got \(pin.count))")
        }
        guard try !tokens().contains(where: { $0.initialized && $0.label == label }) else {
            throw HSMError.badInput("已经有一个标签为 '\(label)' 的令牌：标签必须唯一，换一个标签", "a token labelled '\(label)' already exists: labels must be unique, pick another")
        }
        guard let free = try tokens().first(where: { !$0.initialized }) else { throw HSMError.noFreeSlot }
        var lab = [UInt8](repeating: 0x20, count: 32)
        for (i, b) in Array(label.utf8).prefix(32).enumerated() { lab[i] = b }
        try soPin.withUnsafeBytes { p in
            try ck("C_InitToken", cpkcs11_init_token(handle, CK_SLOT_ID(free.slot), p.bindMemory(to: CK_BYTE.self).baseAddress,
                                                     CK_ULONG(p.count), lab))
        }
        // 初始化后槽位号可能变化（SoftHSM 会重新编号），按标签重新找。
        let slot = try self.slot(forToken: label)
        let s = try PKCS11Session(module: self, slot: slot)
        try s.login(soPin, user: CK_USER_TYPE(CKU_SO))
        try userPin.withUnsafeBytes { p in
            try ck("C_InitPIN", cpkcs11_init_pin(handle, s.handle, p.bindMemory(to: CK_BYTE.self).baseAddress, CK_ULONG(p.count)))
        }
        return slot
    }
}

/// 一个读写会话。
// @unchecked Sendable：字段都是 let（模块与 C 会话句柄），但 PKCS#11 不允许同一会话上的操作交错：会跨线程共享会话的
// 只有 HSMSigner，它只在自己的 Mutex（session.withLock）里使用会话；其余调用方（initToken、generateHSMKey、updateHSMPin、
// 测试）都在一个函数里创建、用完即弃。
public final class PKCS11Session: @unchecked Sendable {
    let module: PKCS11Module
    let handle: CK_SESSION_HANDLE

    public init(module: PKCS11Module, slot: UInt) throws {
        self.module = module
        var h: CK_SESSION_HANDLE = 0
        try ck("C_OpenSession", cpkcs11_open_session(module.handle, CK_SLOT_ID(slot),
                                                     CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), &h))
        handle = h
        module.sessionOpened()
    }

    deinit { _ = cpkcs11_close_session(module.handle, handle); module.sessionClosed() }

    /// 在设备端关闭会话（模拟令牌重启/会话被回收），本对象随后的调用会得到 sessionLost。
    func closeOnDevice() { _ = cpkcs11_close_session(module.handle, handle) }

    public func login(_ pin: SecretBytes, user: CK_USER_TYPE = CK_USER_TYPE(CKU_USER)) throws {
        let rv = pin.withUnsafeBytes { p in
            cpkcs11_login(module.handle, handle, user, p.bindMemory(to: CK_BYTE.self).baseAddress, CK_ULONG(p.count))
        }
        if rv == CK_RV(CKR_USER_ALREADY_LOGGED_IN) { return }
        try ck("C_Login", rv)
    }

    /// secp256k1 的 DER OID（1.3.132.0.10）。
    static let secp256k1Params: [UInt8] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a]

    /// 在令牌上生成 secp256k1 密钥对：私钥 token/private/sensitive/不可导出。返回 65 字节未压缩公钥。
    public func generateSecp256k1(label: String, id: [UInt8]) throws -> [UInt8] {
        var t: CK_BBOOL = 1, f: CK_BBOOL = 0
        var params = PKCS11Session.secp256k1Params
        var lab = Array(label.utf8), idv = id
        var mech = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN), pParameter: nil, ulParameterLen: 0)
        var pub: CK_OBJECT_HANDLE = 0, priv: CK_OBJECT_HANDLE = 0
        let rv: CK_RV = withUnsafeMutablePointer(to: &t) { tp in
            withUnsafeMutablePointer(to: &f) { fp in
                params.withUnsafeMutableBytes { pp in
                    lab.withUnsafeMutableBytes { lp in
                        idv.withUnsafeMutableBytes { ip in
                            func a(_ type: UInt, _ p: UnsafeMutableRawPointer?, _ n: Int) -> CK_ATTRIBUTE {
                                CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(type), pValue: p, ulValueLen: CK_ULONG(n))
                            }
                            var pubT = [a(UInt(CKA_TOKEN), tp, 1), a(UInt(CKA_VERIFY), tp, 1),
                                        a(UInt(CKA_EC_PARAMS), pp.baseAddress, pp.count),
                                        a(UInt(CKA_LABEL), lp.baseAddress, lp.count), a(UInt(CKA_ID), ip.baseAddress, ip.count)]
                            var privT = [a(UInt(CKA_TOKEN), tp, 1), a(UInt(CKA_PRIVATE), tp, 1), a(UInt(CKA_SIGN), tp, 1),
                                         a(UInt(CKA_SENSITIVE), tp, 1), a(UInt(CKA_EXTRACTABLE), fp, 1),
                                         a(UInt(CKA_LABEL), lp.baseAddress, lp.count), a(UInt(CKA_ID), ip.baseAddress, ip.count)]
                            return cpkcs11_generate_key_pair(module.handle, handle, &mech, &pubT, CK_ULONG(pubT.count),
                                                             &privT, CK_ULONG(privT.count), &pub, &priv)
                        }
                    }
                }
            }
        }
        try ck("C_GenerateKeyPair", rv)
        return try ecPoint(pub)
    }

    func find(cls: UInt, id: [UInt8]) throws -> CK_OBJECT_HANDLE {
        var c = CK_OBJECT_CLASS(cls)
        var idv = id
        var out = [CK_OBJECT_HANDLE](repeating: 0, count: 2)
        var found: CK_ULONG = 0
        let rv = withUnsafeMutablePointer(to: &c) { cp in
            idv.withUnsafeMutableBytes { ip in
                var tmpl = [CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_CLASS), pValue: cp, ulValueLen: CK_ULONG(MemoryLayout<CK_OBJECT_CLASS>.size)),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_ID), pValue: ip.baseAddress, ulValueLen: CK_ULONG(ip.count))]
                return cpkcs11_find_objects(module.handle, handle, &tmpl, 2, &out, 2, &found)
            }
        }
        try ck("C_FindObjects", rv)
        guard found >= 1 else { throw HSMError.keyNotFound(id.hex) }
        return out[0]
    }

    func attribute(_ obj: CK_OBJECT_HANDLE, _ type: UInt) throws -> [UInt8] {
        var tmpl = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(type), pValue: nil, ulValueLen: 0)
        try ck("C_GetAttributeValue", cpkcs11_get_attribute_value(module.handle, handle, obj, &tmpl, 1))
        var buf = [UInt8](repeating: 0, count: Int(tmpl.ulValueLen))
        try buf.withUnsafeMutableBytes { b in
            tmpl.pValue = b.baseAddress
            try ck("C_GetAttributeValue", cpkcs11_get_attribute_value(module.handle, handle, obj, &tmpl, 1))
        }
        return Array(buf.prefix(Int(tmpl.ulValueLen)))
    }

    /// CKA_EC_POINT 是 DER OCTET STRING 包着的 0x04‖X‖Y。
    func ecPoint(_ pub: CK_OBJECT_HANDLE) throws -> [UInt8] {
        let der = try attribute(pub, UInt(CKA_EC_POINT))
        if der.count == 67, der[0] == 0x04, der[1] == 0x41, der[2] == 0x04 { return Array(der[2...]) }
        if der.count == 65, der[0] == 0x04 { return der }
        throw HSMError.badPublicKey
    }

    public func publicKey(id: [UInt8]) throws -> [UInt8] { try ecPoint(try find(cls: UInt(CKO_PUBLIC_KEY), id: id)) }

    /// 私钥属性（证明不可导出）：(sensitive, extractable, neverExtractable)。
    public func privateKeyFlags(id: [UInt8]) throws -> (sensitive: Bool, extractable: Bool, neverExtractable: Bool) {
        let h = try find(cls: UInt(CKO_PRIVATE_KEY), id: id)
        return (try attribute(h, UInt(CKA_SENSITIVE)) == [1], try attribute(h, UInt(CKA_EXTRACTABLE)) == [1],
                try attribute(h, UInt(CKA_NEVER_EXTRACTABLE)) == [1])
    }

    /// CKM_ECDSA 对 32 字节摘要签名，返回原始 r‖s（64 字节；未做 low-S 规范化）。
    public func signDigest(_ digest: [UInt8], id: [UInt8]) throws -> [UInt8] {
        precondition(digest.count == 32)
        let key = try find(cls: UInt(CKO_PRIVATE_KEY), id: id)
        var mech = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_ECDSA), pParameter: nil, ulParameterLen: 0)
        var sig = [UInt8](repeating: 0, count: 128)
        var n = CK_ULONG(sig.count)
        try ck("C_Sign", cpkcs11_sign(module.handle, handle, &mech, key, digest, CK_ULONG(digest.count), &sig, &n))
        guard n == 64 else { throw HSMError.call(function: "C_Sign(len \(n))", rv: 0) }
        return Array(sig.prefix(64))
    }
}
