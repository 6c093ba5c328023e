// TEE 层级：只做如实探测。本项目没有在飞地里运行签名代码的实现，所以即使探测到设备，
// 也报告 "detected-not-integrated"，绝不假装密钥受 TEE 保护。
import Foundation

public struct TEEStatus: Sendable, Equatable {
    public enum State: String, Sendable { case unavailable, detectedNotIntegrated = "detected-not-integrated" }
    public var state: State
    /// 发现的设备节点（/dev/sgx_enclave、/dev/nitro_enclaves…）。
    public var devices: [String]
    public var reason: String
}

public enum TEE {
    public static let candidates = ["/dev/sgx_enclave", "/dev/sgx/enclave", "/dev/isgx", "/dev/nitro_enclaves", "/dev/sev-guest", "/dev/tdx_guest"]

    public static func detect(root: String = "") -> TEEStatus {
        let found = candidates.filter { FileManager.default.fileExists(atPath: root + $0) }
        if found.isEmpty {
            return TEEStatus(state: .unavailable, devices: [],
                             reason: "未发现飞地设备（SGX /dev/sgx_enclave、Nitro /dev/nitro_enclaves、SEV/TDX guest）/ no enclave device found")
        }
        return TEEStatus(state: .detectedNotIntegrated, devices: found,
                         reason: "发现设备但本版本没有飞地内签名实现，TEE 层级不可用 / device present but no in-enclave signer in this build")
    }
}
