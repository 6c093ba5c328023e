// 模糊测试的回放（issue 11）：提交的种子语料（Tests/Fuzz/corpus/<目标>/）与 libFuzzer 找到过的每个崩溃输入
// （Tests/Fuzz/regressions/<目标>-*）在普通 `swift test` 里逐个跑一遍。崩溃 = 测试进程被信号结束，所以它能失败。
// 外加每个目标一批确定性的变异（翻转、截断、重复）：不用 libFuzzer 也能碰到解析器的边角。
import Foundation
import Testing
import WalletFuzzTargets

@Suite struct FuzzReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func files(_ dir: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []).sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTargets.names)
    func corpusAndRegressionsReplayWithoutCrashing(target: String) throws {
        let seeds = Self.files(Self.root.appendingPathComponent("corpus/\(target)"))
        #expect(!seeds.isEmpty, "目标 \(target) 没有种子语料")
        let regressions = Self.files(Self.root.appendingPathComponent("regressions")).filter { $0.lastPathComponent.hasPrefix(target + "-") }
        var n = 0
        for f in seeds + regressions {
            let d = [UInt8](try Data(contentsOf: f))
            #expect(FuzzTargets.run(target, d))
            n += 1
            // 确定性变异：每个字节位置翻转一位（最多 256 处）、逐段截断、整体重复一次。
            for i in stride(from: 0, to: d.count, by: max(1, d.count / 256)) { var m = d; m[i] ^= 0x5a; FuzzTargets.run(target, m) }
            for cut in stride(from: 0, to: d.count, by: max(1, d.count / 32)) { FuzzTargets.run(target, Array(d.prefix(cut))) }
            FuzzTargets.run(target, d + d)
        }
        #expect(n == seeds.count + regressions.count)
    }
}
