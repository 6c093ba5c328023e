// libsecp256k1 0.2.0（Debian 12）：核心 + 可恢复签名模块。
#include <secp256k1.h>
#include <secp256k1_recovery.h>
