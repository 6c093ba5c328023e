#!/usr/bin/env bash
# 停掉 up.sh 在 DIR 下启动的 PostgreSQL 与 Redis，并删除 DIR。
DIR=${1:?用法：down.sh DIR}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
RUNAS=(); [ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)
[ -d "$DIR/pg/data" ] && "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m immediate -w stop >/dev/null 2>&1
# 先按端口让 Redis 自己关（不依赖信号：从屏蔽了 SIGTERM 的进程里启动的 redis-server 收不到 kill），再补一个 kill。
[ -f "$DIR/redis/port" ] && redis-cli -p "$(cat "$DIR/redis/port")" shutdown nosave >/dev/null 2>&1
[ -f "$DIR/redis/redis.pid" ] && kill "$(cat "$DIR/redis/redis.pid")" 2>/dev/null
rm -rf "$DIR"
exit 0
