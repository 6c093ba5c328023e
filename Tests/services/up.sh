#!/usr/bin/env bash
# 启动测试用的 PostgreSQL 与 Redis：只听 127.0.0.1、空闲端口、数据目录都在 DIR 下。标准输出是几行 export，供 eval。
#   eval "$(bash Tests/services/up.sh DIR)"      停止：bash Tests/services/down.sh DIR
# PostgreSQL 用 scram-sha-256 口令认证，口令随机生成写进 DIR/pgpass（0600）——测试走的是产品的口令文件路径（PGPASSFILE）。
# 以 root 运行时（CI）PostgreSQL 拒绝以 root 启动，改用 Debian 包建的 postgres 用户跑服务进程。
set -euo pipefail
DIR=${1:?用法：up.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "找不到 PostgreSQL 服务端（/usr/lib/postgresql/*/bin/initdb）：先运行 ./install.sh --deps-only" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "找不到 redis-server：先运行 ./install.sh --deps-only" >&2; exit 1; }

PGPORT=$(free_port)
PASS=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
mkdir -p "$DIR/pg"
umask 077
printf '%s\n' "$PASS" > "$DIR/pgpw"
printf '127.0.0.1:%s:*:wallet:%s\n' "$PGPORT" "$PASS" > "$DIR/pgpass"
chmod 600 "$DIR/pgpass" "$DIR/pgpw"
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$DIR/pg" && chown postgres "$DIR/pgpw" && chmod 755 "$DIR"
  RUNAS=(runuser -u postgres --)
fi
"${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR/pg/data" -U wallet --auth=scram-sha-256 --pwfile="$DIR/pgpw" -E UTF8 --locale=C.UTF-8 >"$DIR/pg/initdb.log" 2>&1 \
  || { cat "$DIR/pg/initdb.log" >&2; exit 1; }
rm -f "$DIR/pgpw"
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories='$DIR/pg' -c max_connections=200" start >/dev/null 2>&1 \
  || { cat "$DIR/pg/server.log" >&2; exit 1; }
PGPASSFILE="$DIR/pgpass" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U wallet wallet_test

RPORT=$(free_port)
mkdir -p "$DIR/redis"
echo "$RPORT" > "$DIR/redis/port"   # down.sh 用它 `redis-cli shutdown`
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR/redis" \
  --daemonize yes --pidfile "$DIR/redis/redis.pid" --logfile "$DIR/redis/redis.log" >/dev/null 2>&1 </dev/null
for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$RPORT" ping >/dev/null || { cat "$DIR/redis/redis.log" >&2; exit 1; }

echo "export WALLET_TEST_PG_URL=postgresql://wallet@127.0.0.1:$PGPORT/wallet_test"
echo "export WALLET_TEST_PGPASSFILE=$DIR/pgpass"
echo "export WALLET_TEST_REDIS_URL=redis://127.0.0.1:$RPORT"
echo "export WALLET_TEST_SERVICES_DIR=$DIR"
