import ArgumentParser

// 命令组注册表：新增命令组时在这里加一行（每个 issue 的命令组放在各自的文件里）。
enum CommandRegistry {
    static let all: [ParsableCommand.Type] = [
        KeyCommand.self,
        TxCommand.self,
    ]
}
