// --help 文字的语言选择。
import WalletCrypto

/// 按界面语言二选一：help/abstract/discussion 都写成 L("中文", "English")。
/// 为什么能用：CommandConfiguration 是惰性的 static let，@Option 等的 help 在 ArgumentParser 解析时才实例化命令时求值，
/// 两者都晚于 main() 预扫 argv 里的 --lang 并设置 CLI.language，所以 --lang en 的 --help 全是英文、默认全是中文，不混排。
func L(_ zh: String, _ en: String) -> String { CLI.language == .en ? en : zh }
