// --help 也遵守界面语言：中文是默认语言，`--lang en` 是完整的第二语言，输出绝不混排。
// 驱动发布版二进制：从 --experimental-dump-help 的命令树取出根与每一个子命令，逐个看 --help：
// `--lang en` 下不许有中日韩文字或全角标点；默认（zh）下必须有中文（说明文字确实是中文，而不是只剩英文）。
import Foundation
import Testing
import WalletCrypto

@Suite(.serialized) struct HelpLanguageTests {
    /// 根（空路径）与每个子命令的路径，来自发布版二进制自己的命令树。
    /// 不含 ArgumentParser 内建的 `help` 命令：它自己没有说明文字（显示的是别的命令的帮助），也不认 --help-hidden；
    /// `help <子命令> --lang en` 在 langIsHonouredWhereverItAppears 里单独测。
    static func commandPaths(_ bin: URL) throws -> [[String]] {
        let r = try CLIRunner.run(["--experimental-dump-help"], executable: bin)
        guard r.status == 0, let root = (r.json as? [String: Any])?["command"] as? [String: Any] else {
            throw CLIDevnetError(message: "--experimental-dump-help 失败（退出码 \(r.status)）：\(r.stderr.prefix(300))")
        }
        var paths: [[String]] = []
        func walk(_ c: [String: Any], _ path: [String]) {
            if path != ["help"] { paths.append(path) }
            for s in c["subcommands"] as? [[String: Any]] ?? [] { walk(s, path + [s["commandName"] as? String ?? "?"]) }
        }
        walk(root, [])
        return paths
    }

    /// 命令的显示名（出错信息里用）。
    static func name(_ path: [String]) -> String { (["wallet-console"] + path).joined(separator: " ") }

    /// 确实是这条命令的帮助（不是被默认子命令 console 接走）：USAGE 行以它的完整路径开头。
    static func isHelpOf(_ path: [String], _ r: CLIResult) -> Bool {
        if path.isEmpty { return r.stdout.contains("USAGE: wallet-console <subcommand>") }
        return r.stdout.contains("USAGE: \(name(path)) ") || r.stdout.contains("USAGE: \(name(path))\n")
    }

    /// 第一行含中日韩文字或全角标点的输出（nil = 没有）。
    static func firstCJKLine(_ r: CLIResult) -> String? {
        (r.stdout + "\n" + r.stderr).split(separator: "\n").first { BilingualText.hasCJK(String($0)) }.map(String.init)
    }

    /// 每条命令路径 × 每种参数写法跑一次帮助：退出码非 0、不是这条命令的帮助、或 problem 给出问题，就记一条（带命令与写法）。
    static func helpProblems(_ bin: URL, _ paths: [[String]], variants: [[String]], problem: (CLIResult) -> String?) throws -> [String] {
        var bad: [String] = []
        for path in paths {
            for v in variants {
                let r = try CLIRunner.run(path + v, executable: bin)
                let what = "\(name(path)) \(v.joined(separator: " "))"
                if r.crashed || r.status != 0 || !isHelpOf(path, r) {
                    bad.append("\(what): 退出码 \(r.status)、不是它的帮助：\(r.stdout.prefix(120))\(r.stderr.prefix(200))")
                } else if let p = problem(r) {
                    bad.append("\(what): \(p)")
                }
            }
        }
        return bad
    }

    @Test func everyHelpIsEnglishUnderLangEn() throws {
        let bin = try CLIRunner.releaseBinary()
        let paths = try Self.commandPaths(bin)
        #expect(paths.count > 50, "命令树解析可能坏了：\(paths.map(Self.name))")
        // --help 与 --help-hidden（含隐藏选项）都要是英文。
        let bad = try Self.helpProblems(bin, paths, variants: [["--lang", "en", "--help"], ["--lang", "en", "--help-hidden"]]) { r in
            Self.firstCJKLine(r).map { String($0.prefix(200)) }
        }
        #expect(bad.isEmpty, "--lang en 的帮助里有中文（共 \(bad.count) 处）：\n\(bad.joined(separator: "\n"))")
    }

    @Test func everyHelpIsChineseByDefault() throws {
        let bin = try CLIRunner.releaseBinary()
        let paths = try Self.commandPaths(bin)
        #expect(paths.count > 50, "命令树解析可能坏了：\(paths.map(Self.name))")
        // 默认就是中文；显式 --lang zh 也一样。
        let bad = try Self.helpProblems(bin, paths, variants: [["--help"], ["--lang", "zh", "--help"]]) { r in
            Self.firstCJKLine(r) == nil ? "帮助里没有中文：\(r.stdout.prefix(200))" : nil
        }
        #expect(bad.isEmpty, "默认（zh）的帮助不是中文（共 \(bad.count) 处）：\n\(bad.joined(separator: "\n"))")
    }

    /// --lang 的各种写法与位置：--lang=en、放在 --help 之后、重复给出、写在子命令之前、`help <子命令>` 形式；
    /// 中英两份说明的内容各自完整。
    @Test func langIsHonouredWhereverItAppears() throws {
        let bin = try CLIRunner.releaseBinary()
        // (参数, 应显示谁的帮助)
        let en: [([String], [String])] = [
            (["withdraw", "request", "--lang=en", "--help"], ["withdraw", "request"]),
            (["engine", "run", "--help", "--lang", "en"], ["engine", "run"]),
            (["withdraw", "--lang", "zh", "--lang", "en", "--help"], ["withdraw"]),   // 最后一个为准
            (["--lang", "en", "withdraw", "request", "--help"], ["withdraw", "request"]),   // 写在子命令之前
            (["--lang", "en", "--help"], []),   // 根命令自己的帮助，不是默认子命令 console 的
            (["help", "withdraw", "request", "--lang", "en"], ["withdraw", "request"]),
            (["--lang=en", "help", "engine", "run"], ["engine", "run"]),
        ]
        for (args, path) in en {
            let r = try CLIRunner.run(args, executable: bin)
            #expect(r.status == 0 && Self.firstCJKLine(r) == nil && Self.isHelpOf(path, r),
                    "\(args.joined(separator: " ")): \(Self.firstCJKLine(r) ?? (String(r.stdout.prefix(200)) + r.stderr))")
        }
        let root = try CLIRunner.run(["--lang", "en", "--help"], executable: bin)
        #expect(root.stdout.contains("custodial exchange hot-wallet operations console"), "\(root.stdout)")
        let enReq = try CLIRunner.run(["withdraw", "request", "--lang", "en", "--help"], executable: bin)
        #expect(enReq.stdout.contains("request a withdrawal") && enReq.stdout.contains("--request-id"), "\(enReq.stdout)")
        let zhReq = try CLIRunner.run(["withdraw", "request", "--help"], executable: bin)
        #expect(zhReq.stdout.contains("发起提现") && !zhReq.stdout.contains("request a withdrawal"), "\(zhReq.stdout)")
        // 行尾的 --lang 没有值：清楚的参数错误（退出 2），不是越界崩溃。
        for args in [["--lang"], ["--lang", "en", "--lang"]] {
            let r = try CLIRunner.run(args, executable: bin)
            #expect(!r.crashed && r.status == 2 && r.stderr.contains("--lang"), "\(args): \(r.status) \(r.stderr.prefix(300))")
        }
                // 无效的 --lang 值不改变帮助语言（仍是默认中文），正常校验照样报错。
        let badLang = try CLIRunner.run(["withdraw", "list", "--lang", "fr", "--home", "/nonexistent"], executable: bin)
        #expect(badLang.status == 2 && badLang.stderr.contains("--lang"), "\(badLang.status) \(badLang.stderr)")
    }
}
