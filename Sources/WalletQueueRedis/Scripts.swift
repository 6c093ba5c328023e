// RedisStreamsJobQueue 的 Lua 脚本。每个状态迁移一个脚本：服务器单线程执行整段脚本，中途不会插进别的命令，
// 所以多键更新是原子的。脚本先检查、后写入：检查失败时用 error_reply 返回（不会留下写了一半的状态）。
// 业务错误前缀：WQ_NOTFOUND、WQ_TRANSITION <当前状态>、WQ_STALE（尝试次数已变，客户端重来）。

enum Scripts {
    /// 各脚本共用的辅助函数。ARGV[1] 恒为前缀。
    static let common = """
    local P = ARGV[1]
    local function jk(id) return P .. ':job:' .. id end
    -- 有序集合成员用补零的 id：分数相同时按字典序即按数值序
    local function pad(id) return string.format('%020d', tonumber(id)) end
    local function qp(qk) return P .. ':q:' .. qk end
    local function setState(id, qk, from, to)
      if from then
        redis.call('ZREM', P .. ':idx:s:' .. from, id)
        redis.call('ZREM', P .. ':idx:q:' .. qk .. ':s:' .. from, id)
      end
      redis.call('ZADD', P .. ':idx:s:' .. to, id, id)
      redis.call('ZADD', P .. ':idx:q:' .. qk .. ':s:' .. to, id, id)
      redis.call('HSET', jk(id), 'state', to)
    end

    """

    /// ARGV: P, qk, queue, kind, payload, hasUnique, uniqueKey, priority, maxAttempts, runAt
    static let enqueue = RedisScript(common + """
    local qk = ARGV[2]
    if ARGV[6] == '1' then
      local ex = redis.call('HGET', P .. ':uniq', ARGV[7])
      if ex then return redis.call('HGETALL', jk(ex)) end
    end
    local id = tostring(redis.call('INCR', P .. ':seq'))
    redis.call('HSET', jk(id), 'id', id, 'queue', ARGV[3], 'qk', qk, 'kind', ARGV[4], 'payload', ARGV[5],
      'priority', ARGV[8], 'attempts', 0, 'max_attempts', ARGV[9], 'run_at', ARGV[10], 'last_error', '',
      'created_at', ARGV[10], 'updated_at', ARGV[10])
    if ARGV[6] == '1' then
      redis.call('HSET', jk(id), 'unique_key', ARGV[7])
      redis.call('HSET', P .. ':uniq', ARGV[7], id)
    end
    redis.call('ZADD', P .. ':idx:all', id, id)
    redis.call('ZADD', P .. ':idx:q:' .. qk, id, id)
    setState(id, qk, nil, 'pending')
    -- 入队时不知道「现在」：一律先进延迟集合，lease 时按调用方的 now 搬进流
    redis.call('ZADD', qp(qk) .. ':delayed', ARGV[10], pad(id))
    return redis.call('HGETALL', jk(id))
    """)

    /// ARGV: P, qk, owner, now, visibility, group, promoteBatch
    static let lease = RedisScript(common + """
    local qk, owner, G = ARGV[2], ARGV[3], ARGV[6]
    local now = tonumber(ARGV[4])
    local base = qp(qk)
    -- 1. 到期的延迟任务按 (runAt, id) 进各自优先级的流（流与消费组按需创建）
    local due = redis.call('ZRANGEBYSCORE', base .. ':delayed', '-inf', now, 'LIMIT', 0, tonumber(ARGV[7]))
    for _, m in ipairs(due) do
      local id = tostring(tonumber(m))
      local prio = redis.call('HGET', jk(id), 'priority')
      local s = base .. ':p:' .. prio
      if not redis.call('ZSCORE', base .. ':prios', prio) then
        local ok = redis.pcall('XGROUP', 'CREATE', s, G, '0', 'MKSTREAM')
        if type(ok) == 'table' and ok.err and not string.find(ok.err, 'BUSYGROUP') then return ok end
        redis.call('ZADD', base .. ':prios', tonumber(prio), prio)
      end
      local sid = redis.call('XADD', s, '*', 'id', id)
      redis.call('HSET', jk(id), 'sid', sid)
      redis.call('ZREM', base .. ':delayed', m)
    end
    -- 2. 候选：过期租约（lease_until <= now）与每个优先级流的下一条未投递条目；取 (priority 降, runAt 升, id 升) 最优
    local best = nil
    local function better(a, b)
      if b == nil then return true end
      if a[1] ~= b[1] then return a[1] > b[1] end
      if a[2] ~= b[2] then return a[2] < b[2] end
      return a[3] < b[3]
    end
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', base .. ':leases', '-inf', now, 'LIMIT', 0, 100)) do
      local id = tostring(tonumber(m))
      local f = redis.call('HMGET', jk(id), 'priority', 'run_at', 'sid')
      local c = {tonumber(f[1]), tonumber(f[2]), tonumber(id), 'claim', base .. ':p:' .. f[1], f[3]}
      if better(c, best) then best = c end
    end
    for _, prio in ipairs(redis.call('ZREVRANGE', base .. ':prios', 0, -1)) do
      if best and best[1] > tonumber(prio) then break end
      local s = base .. ':p:' .. prio
      local last = '0-0'
      for _, g in ipairs(redis.call('XINFO', 'GROUPS', s)) do
        local name, ldi
        for i = 1, #g, 2 do
          if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then ldi = g[i + 1] end
        end
        if name == G then last = ldi end
      end
      local head = redis.call('XRANGE', s, '(' .. last, '+', 'COUNT', 1)
      if #head > 0 then
        local id = head[1][2][2]
        local rat = tonumber(redis.call('HGET', jk(id), 'run_at'))
        local c = {tonumber(prio), rat, tonumber(id), 'new', s, head[1][1]}
        if better(c, best) then best = c end
        break
      end
    end
    if not best then return false end
    -- 3. 领取：新条目用 XREADGROUP >；过期条目用 XAUTOCLAIM 把 PEL 所有权转给新消费者
    local id = tostring(best[3])
    if best[4] == 'new' then
      local r = redis.call('XREADGROUP', 'GROUP', G, owner, 'COUNT', 1, 'STREAMS', best[5], '>')
      if not r or r[1][2][1][1] ~= best[6] then return redis.error_reply('WQ_INTERNAL stream head moved') end
      setState(id, qk, 'pending', 'leased')
    else
      local pend = redis.call('XPENDING', best[5], G, best[6], best[6], 1)
      if #pend ~= 1 then return redis.error_reply('WQ_INTERNAL leased job ' .. id .. ' is not in the PEL') end
      local c = redis.call('XAUTOCLAIM', best[5], G, owner, 0, best[6], 'COUNT', 1)
      if not c[2][1] or c[2][1][1] ~= best[6] then return redis.error_reply('WQ_INTERNAL XAUTOCLAIM took another entry') end
    end
    local untilTs = now + tonumber(ARGV[5])
    redis.call('HSET', jk(id), 'lease_owner', owner, 'lease_until', untilTs, 'updated_at', now)
    -- 租约过期被重新取走也算一次尝试（处理者可能在处理中崩溃），与 SQLite 相同
    redis.call('HINCRBY', jk(id), 'attempts', 1)
    redis.call('ZADD', base .. ':leases', untilTs, pad(id))
    return redis.call('HGETALL', jk(id))
    """)

    /// ARGV: P, id, owner, group
    static let complete = RedisScript(common + """
    local id, owner, G = ARGV[2], ARGV[3], ARGV[4]
    local f = redis.call('HMGET', jk(id), 'state', 'lease_owner', 'qk', 'priority', 'sid')
    if not f[1] then return redis.error_reply('WQ_NOTFOUND') end
    if f[1] ~= 'leased' or f[2] ~= owner then return redis.error_reply('WQ_TRANSITION ' .. f[1]) end
    local s = qp(f[3]) .. ':p:' .. f[4]
    redis.call('XACK', s, G, f[5])
    redis.call('XDEL', s, f[5])
    redis.call('ZREM', qp(f[3]) .. ':leases', pad(id))
    redis.call('HDEL', jk(id), 'lease_owner', 'lease_until', 'sid')
    setState(id, f[3], 'leased', 'done')
    return 1
    """)

    /// ARGV: P, id, owner, group, error, now, delay, expectedAttempts
    static let fail = RedisScript(common + """
    local id, owner, G = ARGV[2], ARGV[3], ARGV[4]
    local now = tonumber(ARGV[6])
    local f = redis.call('HMGET', jk(id), 'state', 'lease_owner', 'qk', 'priority', 'sid', 'attempts', 'max_attempts', 'kind', 'queue')
    if not f[1] then return redis.error_reply('WQ_NOTFOUND') end
    if f[1] ~= 'leased' or f[2] ~= owner then return redis.error_reply('WQ_TRANSITION ' .. f[1]) end
    if f[6] ~= ARGV[8] then return redis.error_reply('WQ_STALE') end
    local base = qp(f[3])
    local s = base .. ':p:' .. f[4]
    redis.call('XACK', s, G, f[5])
    redis.call('XDEL', s, f[5])
    redis.call('ZREM', base .. ':leases', pad(id))
    redis.call('HDEL', jk(id), 'lease_owner', 'lease_until', 'sid')
    redis.call('HSET', jk(id), 'last_error', ARGV[5], 'updated_at', now)
    if tonumber(f[6]) >= tonumber(f[7]) then
      local dsid = redis.call('XADD', base .. ':dead', '*', 'id', id, 'queue', f[9], 'kind', f[8], 'attempts', f[6], 'error', ARGV[5])
      redis.call('HSET', jk(id), 'dsid', dsid)
      setState(id, f[3], 'leased', 'dead')
    else
      local runAt = now + tonumber(ARGV[7])
      redis.call('HSET', jk(id), 'run_at', runAt)
      redis.call('ZADD', base .. ':delayed', runAt, pad(id))
      setState(id, f[3], 'leased', 'pending')
    end
    return redis.call('HGETALL', jk(id))
    """)

    /// ARGV: P, id, now
    static let requeue = RedisScript(common + """
    local id = ARGV[2]
    local f = redis.call('HMGET', jk(id), 'state', 'qk', 'dsid')
    if not f[1] then return redis.error_reply('WQ_NOTFOUND') end
    if f[1] ~= 'dead' then return redis.error_reply('WQ_TRANSITION ' .. f[1]) end
    local base = qp(f[2])
    if f[3] then redis.call('XDEL', base .. ':dead', f[3]) end
    redis.call('HDEL', jk(id), 'dsid')
    redis.call('HSET', jk(id), 'attempts', 0, 'run_at', ARGV[3], 'updated_at', ARGV[3])
    redis.call('ZADD', base .. ':delayed', ARGV[3], pad(id))
    setState(id, f[2], 'dead', 'pending')
    return redis.call('HGETALL', jk(id))
    """)

    /// ARGV: P, indexKey, offset, limit —— 一次往返、同一快照里取出一页（按 id 降序，与 SQLite 相同）
    static let list = RedisScript(common + """
    local off, lim = tonumber(ARGV[3]), tonumber(ARGV[4])
    local out = {}
    for _, id in ipairs(redis.call('ZREVRANGE', ARGV[2], off, off + lim - 1)) do
      table.insert(out, redis.call('HGETALL', jk(id)))
    end
    return out
    """)

    /// 租约锁。ARGV: P, lockKey, owner, now, ttl —— 别人持有且未过期 → 0；否则（无人、已过期、自己续约）占用 → 1
    static let acquireLock = RedisScript(common + """
    local f = redis.call('HMGET', ARGV[2], 'owner', 'until')
    if f[1] and f[1] ~= ARGV[3] and tonumber(f[2]) > tonumber(ARGV[4]) then return 0 end
    redis.call('HSET', ARGV[2], 'owner', ARGV[3], 'until', tonumber(ARGV[4]) + tonumber(ARGV[5]))
    return 1
    """)

    /// ARGV: P, lockKey, owner —— 只删自己的锁（与 SQLite 的 DELETE … WHERE owner = ? 相同）
    static let releaseLock = RedisScript(common + """
    if redis.call('HGET', ARGV[2], 'owner') == ARGV[3] then redis.call('DEL', ARGV[2]) end
    return 1
    """)
}
