-- Helpers shared by every script. Each script file is appended to this one at compile
-- time, so a script is still one atomic EVAL. `base` is always the job base key
-- `<prefix>:<queue>:`; job keys and channels are built from it as Bull does.
-- Constant arguments of per-job calls are written as strings ('-1', not -1): Redis
-- formats every Lua number it is handed through printf.

-- Paused if either flag is set: Bull writes `meta-paused`, BullMQ (bull-repl) only
-- `meta.paused`. Honouring both keeps jobs out of `wait` while anyone considers the
-- queue paused.
local function is_paused(meta_paused_key, meta_key)
  return redis.call('EXISTS', meta_paused_key) == 1
    or redis.call('HEXISTS', meta_key, 'paused') == 1
end

local function target_list(wait_key, paused_key, meta_paused_key, meta_key)
  if is_paused(meta_paused_key, meta_key) then
    return paused_key
  end
  return wait_key
end

-- Whether an event published now could reach anyone: a client subscribed to one of
-- `channels`, any pattern subscriber (Bull's `global:active` and `global:waiting`
-- listen by pattern), or a replica or cluster node, to which Redis forwards every
-- PUBLISH for the clients subscribed there. A script is atomic, so skipping the
-- per-job PUBLISHes when this is false changes nothing any client can see; it spares
-- Redis one command per job and event. Anything else (a replica once attached, whose
-- backlog may be replayed; an older server) counts as listened. The check (two PUBSUBs
-- and an INFO) costs Redis about as much as 8 PUBLISHes, so a call about to publish
-- fewer `events` than that publishes them without asking.
local function listened(channels, events)
  if events < 8 or redis.call('PUBSUB', 'NUMPAT') > 0 then
    return true
  end
  local counts = redis.call('PUBSUB', 'NUMSUB', unpack(channels))
  for i = 2, #counts, 2 do
    if counts[i] > 0 then
      return true
    end
  end
  local info = redis.pcall('INFO', 'replication', 'cluster')
  if type(info) ~= 'string' then
    return true
  end
  return not (string.find(info, 'repl_backlog_active:0', 1, true)
    and string.find(info, 'cluster_enabled:0', 1, true))
end

-- The first of `keys` (pairs of key and Redis type) that holds a value of another
-- type, or nil. add_jobs checks the keys it writes with it first: a script's writes are
-- not undone when a later command fails, so a push failing on a mistyped list would
-- leave job hashes behind, which a retried add would take for duplicates.
local function mistyped(keys)
  for i = 1, #keys, 2 do
    local t = redis.call('TYPE', keys[i])['ok']
    if t ~= 'none' and t ~= keys[i + 1] then
      return keys[i]
    end
  end
  return nil
end

-- Bull's positional insert: prioritized jobs sit at the consumer (right) end of the
-- list, ordered by priority and FIFO within one priority. The arithmetic, including
-- its behaviour with stale priority entries, is Bull's, so both implementations put a
-- job at the same place.
local function insert_with_priority(list_key, priority_key, id, priority)
  redis.call('ZADD', priority_key, priority, id)
  local k = redis.call('ZCOUNT', priority_key, 0, priority)
  local len = redis.call('LLEN', list_key)
  local pivot = redis.call('LINDEX', list_key, len - (k - 1))
  if pivot then
    redis.call('LINSERT', list_key, 'BEFORE', pivot, id)
  else
    redis.call('RPUSH', list_key, id)
  end
end

-- Put a job on a waiting list: priority insert, RPUSH (lifo, runs next) or LPUSH.
local function push_job(list_key, priority_key, id, priority, lifo)
  if priority and priority > 0 then
    insert_with_priority(list_key, priority_key, id, priority)
  elseif lifo then
    redis.call('RPUSH', list_key, id)
  else
    redis.call('LPUSH', list_key, id)
  end
end

-- Lock release shared by the finishing scripts: 0 when released (or token "0", which
-- skips the check), -6 when another token holds it, -2 when there is no lock.
local function release_lock(base, id, token, stalled_key)
  if token == '0' then
    return 0
  end
  local lock_key = base .. id .. ':lock'
  local holder = redis.call('GET', lock_key)
  if holder == token then
    redis.call('DEL', lock_key)
    redis.call('SREM', stalled_key, id)
    return 0
  end
  if holder then
    return -6
  end
  return -2
end

-- A debounce key (`de:<id>`, Bull 4.16) is freed when its job goes away, but only if
-- it still points at that job.
local function remove_debounce(base, id, deid)
  if deid then
    local dk = base .. 'de:' .. deid
    if redis.call('GET', dk) == id then
      redis.call('DEL', dk)
    end
  end
end

-- Delete everything a job owns outside the state sets: hash, logs, debounce key and
-- rate-limiter bookkeeping.
local function remove_job_data(base, id)
  local jk = base .. id
  remove_debounce(base, id, redis.call('HGET', jk, 'deid'))
  local index_key = base .. 'limiter:index'
  local limited = redis.call('HGET', index_key, id)
  if limited then
    redis.call('SREM', limited, id)
    redis.call('HDEL', index_key, id)
  end
  redis.call('DEL', jk, jk .. ':logs')
end

-- `removeOnComplete` / `removeOnFail` from the stored opts JSON as (count, age):
-- count -1 keeps every job, 0 deletes this one, N keeps the newest N; age in seconds,
-- 0 for none. `true` means count 0, an integer N count N, an object is taken as given.
local function keep_jobs(opts, field)
  if not opts or not string.find(opts, field, 1, true) then
    return -1, 0
  end
  local ok, o = pcall(cjson.decode, opts)
  if not ok or type(o) ~= 'table' then
    return -1, 0
  end
  local v = o[field]
  if v == true then
    return 0, 0
  end
  if type(v) == 'number' then
    return math.max(v, 0), 0
  end
  if type(v) == 'table' then
    local count = tonumber(v['count']) or -1
    local age = tonumber(v['age']) or 0
    return count, age
  end
  return -1, 0
end

-- Record a finished job in `set_key` (completed or failed) and trim the set by the
-- job's keep rule. Returns false when the rule deleted the job instead.
local function finish_into(set_key, base, id, now, count, age, field, value)
  local jk = base .. id
  if count == 0 then
    remove_job_data(base, id)
    return false
  end
  redis.call('ZADD', set_key, now, id)
  if field then
    redis.call('HSET', jk, field, value, 'finishedOn', now)
  else
    redis.call('HSET', jk, 'finishedOn', now)
  end
  if age > 0 then
    local cutoff = tonumber(now) - age * 1000
    local old = redis.call('ZRANGEBYSCORE', set_key, '-inf', cutoff)
    for _, old_id in ipairs(old) do
      remove_job_data(base, old_id)
    end
    if #old > 0 then
      redis.call('ZREMRANGEBYSCORE', set_key, '-inf', cutoff)
    end
  end
  if count > 0 then
    local old = redis.call('ZRANGE', set_key, 0, -(count + 1))
    for _, old_id in ipairs(old) do
      remove_job_data(base, old_id)
    end
    if #old > 0 then
      redis.call('ZREMRANGEBYRANK', set_key, 0, -(count + 1))
    end
  end
  return true
end

-- Whether the stored opts ask for lifo (lenient: bull-repl stores "true" as a string).
local function opts_lifo(opts)
  if not opts or not string.find(opts, 'lifo', 1, true) then
    return false
  end
  local ok, o = pcall(cjson.decode, opts)
  if not ok or type(o) ~= 'table' then
    return false
  end
  return o['lifo'] == true or o['lifo'] == 'true'
end

-- Run `fn(chunk)` over `items` in slices small enough for `unpack` (Lua's C stack);
-- `items` itself when it is small enough, and nothing when it is empty.
local function chunked(items, fn)
  local size = 5000
  if #items <= size then
    if #items > 0 then
      fn(items)
    end
    return
  end
  for i = 1, #items, size do
    local chunk = {}
    for j = i, math.min(i + size - 1, #items) do
      chunk[#chunk + 1] = items[j]
    end
    fn(chunk)
  end
end

-- MGET of `keys` (none for no keys), in slices when there are too many for one `unpack`:
-- the first slice's reply is the result, later ones are appended to it.
local function mget(keys)
  local values
  chunked(keys, function(chunk)
    local got = redis.call('MGET', unpack(chunk))
    if values == nil then
      values = got
    else
      for _, v in ipairs(got) do
        values[#values + 1] = v
      end
    end
  end)
  return values or {}
end

-- A job hash as HGETALL gave it, joined into one string for the reply: each field and
-- value followed by a NUL byte, then the number of fields and values as one byte. Redis
-- turns every string of a returned table into a reply of its own, which costs it more
-- than the join. A value holding a NUL byte makes the count disagree, and the caller
-- reads that hash itself; a hash of more than 255 strings goes back as the table.
local function joined(hash)
  local n = #hash
  if n > 255 then
    return hash
  end
  hash[n + 1] = string.char(n)
  return table.concat(hash, '\0')
end

-- moveToActive for up to `max` jobs: move them from the right of `wait` onto the left
-- of `active`, lock each for `token`, and return a flat array of id, HGETALL of the job
-- (`joined`) per claimed job (processedOn is set after the read; the caller knows `now`).
-- `popped` is an id a blocking pop already moved to active, or ''. With `drained` an
-- empty fetch publishes `drained`, as Bull's moveToActive does (its fetch-next after a
-- completion does not). `loud` says whether the `active` events are listened to (see
-- `listened`); nil has it found out here when a job is claimed.
local function fetch_jobs(keys, base, token, lease, now, max, popped, drained, loud)
  local wait_key, active_key, priority_key = keys[1], keys[2], keys[3]
  local active_channel = base .. 'active@' .. token
  local out, n = {}, 0
  -- Every id that left wait, when there are prioritized jobs: one ZREM priority at the
  -- end instead of one per job (the script is atomic and nothing else here reads that
  -- set).
  local taken = {}
  -- Asked at the first job claimed, so that a claim that finds none costs no more.
  local prioritized
  local function activate(id)
    local jk = base .. id
    if prioritized == nil then
      prioritized = redis.call('EXISTS', priority_key) == 1
    end
    if prioritized then
      taken[#taken + 1] = id
    end
    local hash = redis.call('HGETALL', jk)
    if #hash == 0 then
      -- An id without a job hash cannot be run by anyone; drop it rather than leave it
      -- to stall forever.
      redis.call('LREM', active_key, '-1', id)
      return
    end
    redis.call('SET', jk .. ':lock', token, 'PX', lease)
    if loud == nil then
      loud = listened({active_channel}, max)
    end
    if loud then
      redis.call('PUBLISH', active_channel, id)
    end
    redis.call('HSET', jk, 'processedOn', now)
    out[n + 1] = id
    out[n + 2] = joined(hash)
    n = n + 2
  end
  if popped ~= '' then
    redis.call('SREM', keys[4], popped)
    activate(popped)
    max = max - 1
  end
  if max > 0 and not is_paused(keys[5], keys[6]) then
    -- The same end state as `max` RPOPLPUSHes, in three calls: the rightmost job is
    -- taken first, and the last one taken ends up leftmost in active.
    local ids = redis.call('LRANGE', wait_key, -max, -1)
    if #ids > 0 then
      redis.call('LTRIM', wait_key, 0, -(#ids + 1))
      local order = {}
      for i = #ids, 1, -1 do
        order[#ids - i + 1] = ids[i]
      end
      chunked(order, function(chunk)
        redis.call('LPUSH', active_key, unpack(chunk))
      end)
      for _, id in ipairs(order) do
        activate(id)
      end
    end
  end
  if #taken > 0 then
    chunked(taken, function(chunk)
      redis.call('ZREM', priority_key, unpack(chunk))
    end)
  end
  if drained and n == 0 and popped == '' then
    redis.call('PUBLISH', base .. 'drained', '')
  end
  return out
end
