#!/usr/bin/env bash
# wallet-console 安装脚本（幂等）。
#   ./install.sh              安装系统依赖 + 测试依赖，release 构建并安装到 $PREFIX/bin（默认 /usr/local）
#   ./install.sh --deps-only  只安装依赖，不构建
# 环境变量：PREFIX（安装前缀），WALLET_SKIP_PIP=1（不装 Python 测试依赖）
set -euo pipefail

PREFIX="${PREFIX:-/usr/local}"
DEPS_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) DEPS_ONLY=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "错误：未知参数 '$arg'。用法：./install.sh [--deps-only]" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")"

# 项目需要的全部 Debian 包：四个 C 库、真实 PKCS#11 令牌（SoftHSM2）、终端测试用的 tmux、测试里逐字节比对数据库用的 sqlite3、
# 校验指标格式的 promtool（prometheus 包）；扩展部署（issue 13）的 PostgreSQL 服务端、Redis 服务端与 hiredis 头文件/库。
APT_PACKAGES=(libncursesw5-dev libsqlite3-dev sqlite3 libssl-dev libsecp256k1-dev softhsm2 opensc tmux python3 python3-pip prometheus
              postgresql redis-server libhiredis-dev)
# 测试用的真实 EVM（py-evm + eth-tester，JSON-RPC 包装在 Tests/devnet/）。
PIP_PACKAGES=("py-evm==0.12.1b1" "eth-tester==0.14.0b1")

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "错误：安装系统包需要 root 权限，且没有 sudo。请用 root 运行：sudo ./install.sh" >&2
    exit 1
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "错误：找不到 apt-get。本脚本支持 Debian 12；其他系统请手动安装：${APT_PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> 安装系统包：${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
else
  echo "==> 系统包已齐全"
fi

if [ "${WALLET_SKIP_PIP:-0}" != "1" ]; then
  PY="${PYTHON:-python3}"
  if ! "$PY" -c 'import eth_tester, eth' >/dev/null 2>&1; then
    echo "==> 安装 Python 测试依赖：${PIP_PACKAGES[*]}"
    "$PY" -m pip install -q "${PIP_PACKAGES[@]}" 2>/dev/null \
      || "$PY" -m pip install -q --break-system-packages "${PIP_PACKAGES[@]}"
  else
    echo "==> Python 测试依赖已齐全"
  fi
fi

[ "$DEPS_ONLY" = 1 ] && { echo "==> 依赖已安装（--deps-only，未构建）"; exit 0; }

if ! command -v swift >/dev/null 2>&1; then
  echo "错误：找不到 swift。请安装 Swift 6.3（https://swift.org/install）并把它加入 PATH。" >&2
  exit 1
fi

echo "==> release 构建（首次约数分钟）"
swift build -c release --product wallet-console
BIN="$(swift build -c release --show-bin-path)/wallet-console"
$SUDO install -d "$PREFIX/bin" "$PREFIX/share/wallet-console/themes"
$SUDO install -m 0755 "$BIN" "$PREFIX/bin/wallet-console"
$SUDO install -m 0644 Themes/*.theme "$PREFIX/share/wallet-console/themes/" 2>/dev/null || true
# Shell 补全（ArgumentParser 从命令树生成，命令/选项改了补全自动跟着变）：bash、zsh、fish 的标准位置。
COMP_TMP="$(mktemp -d)"
"$BIN" --generate-completion-script bash > "$COMP_TMP/wallet-console"
"$BIN" --generate-completion-script zsh > "$COMP_TMP/_wallet-console"
"$BIN" --generate-completion-script fish > "$COMP_TMP/wallet-console.fish"
$SUDO install -D -m 0644 "$COMP_TMP/wallet-console" "$PREFIX/share/bash-completion/completions/wallet-console"
$SUDO install -D -m 0644 "$COMP_TMP/_wallet-console" "$PREFIX/share/zsh/site-functions/_wallet-console"
$SUDO install -D -m 0644 "$COMP_TMP/wallet-console.fish" "$PREFIX/share/fish/vendor_completions.d/wallet-console.fish"
rm -rf "$COMP_TMP"
echo "==> 已安装 shell 补全（bash / zsh / fish）：新开一个 shell 生效"
echo "==> 已安装：$PREFIX/bin/wallet-console"
