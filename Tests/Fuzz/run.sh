#!/usr/bin/env bash
# libFuzzer 跑全部模糊测试目标（issue 11）。
#   bash Tests/Fuzz/run.sh                      # 每个目标 5 秒（CI）
#   bash Tests/Fuzz/run.sh --seconds 60         # 每个目标 60 秒
#   bash Tests/Fuzz/run.sh --runs 1000000       # 每个目标 10^6 次执行，打印次数
#   bash Tests/Fuzz/run.sh --build-only         # 只构建
# 单独的构建目录（.build-fuzz）与 -sanitize=fuzzer，不影响普通构建。发现崩溃时 libFuzzer 写出 crash-* 文件：
# 把它复制成 Tests/Fuzz/regressions/<目标>-<说明>，修好缺陷，普通 `swift test`（WalletFuzzTests）从此回放它。
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=5; RUNS=""; BUILD_ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;   # 只构建（.ci/run 把构建与主测试并行）
    *) echo "未知参数 $1" >&2; exit 2 ;;
  esac
done
swift build -c release --product WalletFuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DWALLET_LIBFUZZER 2>&1 | tail -1
[ -n "$BUILD_ONLY" ] && exit 0
BIN=$(swift build -c release --product WalletFuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DWALLET_LIBFUZZER --show-bin-path)/WalletFuzz

WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
status=0
for t in rlp tx xkey mnemonic slip39 v3 jsonrpc config policy theme keymap; do
  mkdir -p "$WORK/$t"; cp Tests/Fuzz/corpus/$t/* "$WORK/$t/"
  if [ -n "$RUNS" ]; then limit="-runs=$RUNS"; else limit="-max_total_time=$SECONDS_PER"; fi
  if ! WALLET_FUZZ_TARGET=$t "$BIN" $limit -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$WORK/crash-$t-" "$WORK/$t" > "$WORK/$t.log" 2>&1; then
    echo "✘ $t：发现崩溃"; tail -30 "$WORK/$t.log"; ls "$WORK"/crash-$t-* 2>/dev/null; status=1
    mkdir -p .build-fuzz/crashes && cp "$WORK"/crash-$t-* .build-fuzz/crashes/ 2>/dev/null || true
  else
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$' || echo "?")
    echo "✔ $t：$runs 次执行，无崩溃"
  fi
done
exit $status
