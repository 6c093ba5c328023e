// 基准测试入口：swift run -c release wallet-bench
print("wallet-bench")
