// swift-tools-version:6.1
// 模块分层（只能单向依赖）：C 垫片 → WalletCrypto → WalletKeys / WalletKeystore / WalletLedger / WalletChain
// → WalletEngine → WalletConsole / WalletCLI。详见 docs/architecture.md。
import PackageDescription

// 全部目标都是 Swift 6 语言模式（tools-version 6.0 的默认）：严格并发检查是编译错误，不是警告。

let package = Package(
    name: "wallet-console",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wallet-console", targets: ["WalletCLI"]),
        .executable(name: "wallet-bench", targets: ["WalletBench"]),
    ],
    // 特性（SwiftPM traits）：PostgreSQL 驱动（postgres-nio 带进 swift-nio、swift-nio-ssl、swift-crypto 两份 BoringSSL）默认编入产品；
    // README 的测试命令给 debug 测试构建关掉它（--disable-default-traits），PostgreSQL 路径由发布版二进制的端到端测试覆盖——
    // 否则这些包在 debug 与 release 各编一遍，CI 超出 20 分钟。见 docs/scale-out.md「构建与 CI」。
    traits: [
        .trait(name: "PostgreSQL", description: "PostgreSQL 账本后端（postgres-nio）"),
        .default(enabledTraits: ["PostgreSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // —— C 垫片（system library）——
        .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // hiredis 头文件在 /usr/include/hiredis，不用 pkgConfig（它带的 -D_FILE_OFFSET_BITS 会被 SwiftPM 当禁用标志告警）。
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(name: "CPKCS11", path: "Sources/CPKCS11", linkerSettings: [.linkedLibrary("dl")]),

        // —— 领域模块 ——
        .target(name: "WalletCrypto", dependencies: ["CSecp256k1", "COpenSSL"]),
        .target(name: "WalletKeys", dependencies: ["WalletCrypto"]),
        .target(name: "WalletKeystore", dependencies: ["WalletKeys", "WalletCrypto", "CPKCS11"]),
        .target(name: "WalletLedger", dependencies: ["WalletKeys", "WalletCrypto", "CSQLite"]),
        .target(name: "WalletChain", dependencies: ["WalletKeys", "WalletCrypto"]),
        // PostgreSQL 后端（issue 13）：同一套账本仓储代码的第二个数据库。单独一个目标，引擎与模糊测试不依赖它
        // （swift-nio 等包只在需要它的产品里编译）；CLI 在启动时把它登记为 postgresql:// 的打开方式。
        // 目标本身也只在 PostgreSQL 特性下依赖 postgres-nio（源文件整个在 #if PostgreSQL 里）：`swift build --build-tests` 会编所有目标，
        // 不这样的话关掉特性也照样编 swift-nio 一整套。
        .target(name: "WalletPostgres", dependencies: ["WalletLedger", "WalletCrypto",
                                                       .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"]))]),
        // Redis Streams 任务队列（issue 13）：多机部署时替换 SQLiteJobQueue。刻意不进 WalletEngine / WalletFuzzTargets
        // 的依赖——没有 Redis 的部署不链接 hiredis；由引擎的装配层按 --queue-url 选择实现。
        .target(name: "WalletQueueRedis", dependencies: ["WalletLedger", "WalletCrypto", "CHiredis"]),
        // 故障注入点只在 debug（测试）构建里存在；release 产品里没有、也不读环境变量。
        .target(name: "WalletEngine",
                dependencies: ["WalletKeys", "WalletCrypto", "WalletKeystore", "WalletLedger", "WalletChain",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "CoreMetrics", package: "swift-metrics"),
                               .product(name: "Prometheus", package: "swift-prometheus")],
                swiftSettings: [.define("WALLET_FAILPOINTS", .when(configuration: .debug))]),
        .target(name: "WalletConsole", dependencies: ["WalletEngine", "WalletCrypto", "CNcursesw"]),
        // 面（CLI 与控制台）只依赖引擎（与 WalletCrypto 的 SecretBytes/错误协议）；WalletKeys / WalletKeystore 只给离线工具
        // key、tx（WalletKeys）与 shamir split/combine（WalletKeystore 的 SLIP-39）。触及 home 的命令一律经引擎。
        .executableTarget(name: "WalletCLI",
                          dependencies: ["WalletConsole", "WalletEngine", "WalletKeystore", "WalletKeys", "WalletCrypto", "WalletQueueRedis",
                                         .target(name: "WalletPostgres", condition: .when(traits: ["PostgreSQL"])),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                         .product(name: "Logging", package: "swift-log")]),
        // 测试支撑程序：不是产品（不安装、release 产品里没有），只被 WalletCLITests 作为子进程启动。
        .executableTarget(name: "WalletTestWorker",
                          dependencies: ["WalletEngine", "WalletLedger", "WalletKeystore", "WalletCrypto"]),
        // 模糊测试（issue 11）：目标库 + libFuzzer 入口（Tests/Fuzz/run.sh 以 -sanitize=fuzzer 构建）。不是产品。
        .target(name: "WalletFuzzTargets",
                dependencies: ["WalletChain", "WalletConsole", "WalletCrypto", "WalletEngine", "WalletKeys", "WalletKeystore", "WalletLedger"]),
        .executableTarget(name: "WalletFuzz", dependencies: ["WalletFuzzTargets"]),
        .executableTarget(name: "WalletBench",
                          dependencies: ["WalletKeys", "WalletCrypto", "WalletLedger", "WalletChain", "WalletConsole",
                                         "CSecp256k1", "COpenSSL",
                                         .target(name: "WalletPostgres", condition: .when(traits: ["PostgreSQL"]))]),

        // —— 测试（与模块一一对应）——
        .testTarget(name: "WalletCryptoTests", dependencies: ["WalletCrypto"]),
        .testTarget(name: "WalletKeysTests", dependencies: ["WalletKeys"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WalletKeystoreTests", dependencies: ["WalletKeystore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WalletLedgerTests", dependencies: ["WalletLedger",
                                                               .target(name: "WalletPostgres", condition: .when(traits: ["PostgreSQL"]))]),
        .testTarget(name: "WalletQueueRedisTests", dependencies: ["WalletQueueRedis", "WalletLedger", "WalletCrypto"]),
        .testTarget(name: "WalletChainTests", dependencies: ["WalletChain"]),
        .testTarget(name: "WalletEngineTests", dependencies: ["WalletEngine", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WalletConsoleTests", dependencies: ["WalletConsole"]),
        .testTarget(name: "WalletCLITests", dependencies: ["WalletCrypto"]),
        .testTarget(name: "WalletFuzzTests", dependencies: ["WalletFuzzTargets"]),
    ]
)
