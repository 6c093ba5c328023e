import ArgumentParser

// 命令组注册表：新增命令组时在这里加一行（每个 issue 的命令组放在各自的文件里）。
enum CommandRegistry {
    static let all: [ParsableCommand.Type] = [
        KeyCommand.self,
        TxCommand.self,
        OperatorCommand.self, AdminCommand.self, PolicyCommand.self, AddressCommand.self, DepositCommand.self, WithdrawCommand.self,
        LedgerCommand.self, AuditCommand.self, JobsCommand.self,  // 账本（issue 4）
        ConsoleCommand.self, DemoCommand.self,  // 控制台接线（issue 6）
        KeystoreCommand.self, ShamirCommand.self, HsmCommand.self, KmsCommand.self, CeremonyCommand.self,  // 密钥库（issue 3）
        InitCommand.self, StatusCommand.self, EngineCommand.self, FeesCommand.self, SweepCommand.self, NonceCommand.self,
        AssetCommand.self,  // 引擎（issue 5）
        TreasuryCommand.self, ScannerCommand.self, SuspenseCommand.self,  // 账与链相等（issue 10）
        SignerCommand.self,  // 密钥层级（issue 15）
    ]
}
