// WalletKeystore 模块占位：由对应 issue 填充。
