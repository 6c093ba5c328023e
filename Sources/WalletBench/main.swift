// 基准测试入口：swift run -c release wallet-bench [节名…] [--only 节名,节名] [--n 数量]
// 每个模块（keys、ledger、chain、console）在自己的文件里实现一个 BenchSection，并在下面的 sections 里加一行。
import Foundation

protocol BenchSection {
    /// 命令行选择用的短名，如 "keys"。
    var name: String { get }
    func run(options: BenchOptions)
}

struct BenchOptions {
    var n: Int = 100_000
    var rounds: Int = 3
}

var sections: [BenchSection] = [
    KeysBench(),
    LedgerBench(),
    ChainBench(),
    ConsoleBench(),
]
#if PostgreSQL
sections.append(ClusterBench())
#endif

var options = BenchOptions()
var selected = Set<String>()
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--only":
        guard !args.isEmpty else { FileHandle.standardError.write(Data("--only 需要节名\n".utf8)); exit(2) }
        for s in args.removeFirst().split(separator: ",") { selected.insert(String(s)) }
    case "--n":
        guard let v = args.first.flatMap(Int.init), v > 0 else { FileHandle.standardError.write(Data("--n 需要正整数\n".utf8)); exit(2) }
        options.n = v; args.removeFirst()
    case "--rounds":
        guard let v = args.first.flatMap(Int.init), v > 0 else { FileHandle.standardError.write(Data("--rounds 需要正整数\n".utf8)); exit(2) }
        options.rounds = v; args.removeFirst()
    case "-h", "--help":
        print("用法：wallet-bench [节名…] [--only a,b] [--n N] [--rounds R]\n可用的节：\(sections.map(\.name).joined(separator: ", "))")
        exit(0)
    default:
        selected.insert(a)
    }
}
let unknown = selected.subtracting(sections.map(\.name))
guard unknown.isEmpty else {
    FileHandle.standardError.write(Data("未知的节：\(unknown.sorted().joined(separator: ", "))；可用：\(sections.map(\.name).joined(separator: ", "))\n".utf8))
    exit(2)
}
#if DEBUG
print("注意：这是 debug 构建，数字没有意义。请用 swift run -c release wallet-bench")
#endif
for s in sections where selected.isEmpty || selected.contains(s.name) {
    print("== \(s.name) ==")
    s.run(options: options)
}

/// 计时工具：返回秒。
func measure(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}
