#!/usr/bin/env bash
# 全部测试（README 的测试命令）：bash Tests/run.sh [swift test 的参数，如 --filter X]
# 发布版二进制（一致性测试等端到端测试驱动它）与 debug 测试构建**并行**编：发布版的整模块优化有长段单线程，另一个核空着。
# 两个 SwiftPM 各用自己的构建目录（同一目录有锁）：发布版在 .build（运维的 `swift build -c release` 同一处），测试在 .build-tests。
# debug 测试构建不带 PostgreSQL 特性（见 Package.swift：swift-nio 等不在 debug 再编一遍；PostgreSQL 路径经发布版二进制测）。
set -euo pipefail
cd "$(dirname "$0")/.."
swift package resolve > /dev/null          # 先解析一次，免得两个 SwiftPM 同时写 Package.resolved
swift build -c release --product wallet-console &
REL=$!
trap 'kill "$REL" 2>/dev/null || true' EXIT
swift build --build-tests --disable-default-traits --scratch-path .build-tests
wait "$REL"
trap - EXIT
swift test --skip-build --disable-default-traits --scratch-path .build-tests "$@"
