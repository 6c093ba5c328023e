// 各层级是否可用（控制台的层级总览）：如实探测，不可用时给出原因。
import Foundation
import WalletCrypto

public struct TierAvailability: Sendable, Equatable {
    public var tier: KeyTier
    public var available: Bool
    public var detail: String
    public var latencyMillis: Int?
}

extension Keystore {
    /// hsmModule / kmsSocket 为 nil 表示未配置该层级。
    public static func tierAvailability(hsmModule: String?, kmsSocket: String?) -> [TierAvailability] {
        var out: [TierAvailability] = []
        if let hsmModule {
            let start = Date()
            do {
                let tokens = try PKCS11Module.load(hsmModule).tokens().filter(\.initialized)
                out.append(TierAvailability(tier: .hsm, available: !tokens.isEmpty,
                                            detail: tokens.isEmpty ? "模块已加载但没有已初始化的令牌 / no initialised token"
                                                : "令牌 / tokens: " + tokens.map(\.label).joined(separator: ", "),
                                            latencyMillis: Int(Date().timeIntervalSince(start) * 1000)))
            } catch {
                let w = WalletError(error)
                out.append(TierAvailability(tier: .hsm, available: false, detail: BilingualText.join(zh: w.zh, en: w.en), latencyMillis: nil))
            }
        } else {
            out.append(TierAvailability(tier: .hsm, available: false, detail: "未配置 PKCS#11 模块 / no PKCS#11 module configured", latencyMillis: nil))
        }
        let tee = TEE.detect()
        out.append(TierAvailability(tier: .tee, available: false, detail: tee.state.rawValue + ": " + tee.reason, latencyMillis: nil))
        if let kmsSocket {
            do {
                let ms = try KMSClient(socketPath: kmsSocket).ping()
                out.append(TierAvailability(tier: .kms, available: true, detail: kmsSocket, latencyMillis: ms))
            } catch {
                let w = WalletError(error)
                out.append(TierAvailability(tier: .kms, available: false, detail: BilingualText.join(zh: w.zh, en: w.en), latencyMillis: nil))
            }
        } else {
            out.append(TierAvailability(tier: .kms, available: false, detail: "未配置 KMS 套接字 / no KMS socket configured", latencyMillis: nil))
        }
        out.append(TierAvailability(tier: .encryptedDB, available: true, detail: "信封加密 keystore / envelope-encrypted keystore", latencyMillis: nil))
        return out
    }
}
