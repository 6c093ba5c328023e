// 封存请求：恐慌按钮必须到达每个正在运行的进程。`keystore seal` 在密钥库目录（0700，只有属主能写）里把代次 +1，
// 运行中的引擎每 500 ms、以及每次取签名器之前比较代次：变大了就丢掉全部密钥材料。
// 只能用来「封」不能用来「解」：解封仍然只有持有口令或份额的人（重启 engine run，或在控制台里）。
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WalletCrypto

extension Keystore {
    public struct SealRequest: Codable, Sendable, Equatable {
        public var generation: Int
        public var at: Int64
        public var operatorName: String
        public var via: String
    }

    static func sealRequestPath(_ dir: String) -> String { dir + "/seal.request" }

    static func sealRequest(_ dir: String) -> SealRequest? {
        guard let b = try? SecureFile.read(sealRequestPath(dir)) else { return nil }
        return try? JSONDecoder().decode(SealRequest.self, from: Data(b))
    }

    /// 请求所有进程封存（代次 +1，flock 下读-改-写），并封存本进程。
    @discardableResult
    public func requestSeal(by operatorName: String, via: String) throws -> SealRequest {
        let req = try SecureFile.withLock(directory) { () -> SealRequest in
            let next = SealRequest(generation: (Self.sealRequest(directory)?.generation ?? 0) + 1,
                                   at: Int64(Date().timeIntervalSince1970), operatorName: operatorName, via: via)
            try SecureFile.atomicWrite(Self.sealRequestPath(directory), try Keystore.encodeJSON(next))
            return next
        }
        seal()
        audit.record("keystore.seal_request", result: "ok", detail: ["operator": operatorName, "via": via, "generation": String(req.generation)])
        return req
    }

    /// 最近一次封存请求（没有则 nil）。
    public var lastSealRequest: SealRequest? { Self.sealRequest(directory) }

    /// 解封之后有新的封存请求 → 立即封存并返回那个请求；否则 nil。每次取签名器之前调用。
    @discardableResult
    public func enforceSealRequests() -> SealRequest? {
        guard !isSealed, let r = Self.sealRequest(directory) else { return nil }
        lock.lock(); let seen = unsealedAtGeneration; lock.unlock()
        guard r.generation > seen else { return nil }
        seal()
        audit.record("keystore.sealed_by_request", result: "ok", detail: ["operator": r.operatorName, "generation": String(r.generation)])
        return r
    }
}
