// PKCS#11 动态加载垫片（由 WalletKeystore 的 HSM 层使用）。
#pragma once
int cpkcs11_placeholder(void);
