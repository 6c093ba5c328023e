// 模糊测试入口（不是产品）。两种构建：
//   - `Tests/Fuzz/run.sh`：-sanitize=fuzzer -DWALLET_LIBFUZZER，libFuzzer 提供 main，按环境变量 WALLET_FUZZ_TARGET 选目标；
//   - 普通构建：回放模式，`WalletFuzz <目标> <文件或目录>…` 把输入逐个跑一遍（复现 libFuzzer 报出的崩溃输入）。
import Foundation
import WalletFuzzTargets

#if WALLET_LIBFUZZER
nonisolated(unsafe) let fuzzTarget: String = {
    let t = ProcessInfo.processInfo.environment["WALLET_FUZZ_TARGET"] ?? ""
    guard FuzzTargets.names.contains(t) else {
        FileHandle.standardError.write(Data("WALLET_FUZZ_TARGET 必须是：\(FuzzTargets.names.joined(separator: " "))\n".utf8))
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTargets.run(fuzzTarget, bytes)
    return 0
}

// SwiftPM 链接可执行文件时把 main 指向 <模块>_main：这里把它交给 libFuzzer 的驱动（LLVMFuzzerRunDriver，LLVM ≥ 11）。
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ cb: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("WalletFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
#else
@main
struct Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let target = args.first, FuzzTargets.names.contains(target) else {
            print("用法：WalletFuzz <\(FuzzTargets.names.joined(separator: "|"))> <文件或目录>…")
            exit(2)
        }
        var n = 0
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 } : [path]
            for f in files { if let d = FileManager.default.contents(atPath: f) { FuzzTargets.run(target, [UInt8](d)); n += 1 } }
        }
        print("\(target): \(n) inputs replayed")
    }
}
#endif
