// keystore 导入导出（Web3 v3、助记词）——依赖 WalletKeys，合并后启用。
import ArgumentParser

enum KeystoreImportExport {
    static let commands: [ParsableCommand.Type] = []
}
