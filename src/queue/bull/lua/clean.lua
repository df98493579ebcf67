-- One batch of cleanJobsInSet: look at up to `scan` jobs of one state, oldest first,
-- from position `start`, and remove those without a lock whose time (finishedOn, else
-- processedOn, else timestamp) is older than the cutoff, at most `limit` of them.
-- Times are compared as numbers.
-- KEYS: 1 the state's list or sorted set, 2 priority
-- ARGV: 1 base, 2 kind ('list' | 'zset' | 'finished'), 3 cutoff ms, 4 start, 5 scan,
--   6 limit
-- Returns {removed, kept, scanned}: the caller resumes at start + kept and stops when
-- scanned < scan.
local base, kind = ARGV[1], ARGV[2]
local cutoff = tonumber(ARGV[3])
local start, scan, limit = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local items
local lo = 0
if kind == 'list' then
  -- Lists are read from the consumer (right) end, where the oldest jobs are.
  local len = redis.call('LLEN', KEYS[1])
  local hi = len - start - 1
  lo = math.max(0, hi - scan + 1)
  if hi < 0 then
    items = {}
  else
    items = redis.call('LRANGE', KEYS[1], lo, hi)
  end
elseif kind == 'finished' then
  -- completed/failed scores are finishedOn: only jobs scored before the cutoff can
  -- qualify, so the scan stops at the cutoff.
  items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3], 'LIMIT', start, scan)
else
  items = redis.call('ZRANGE', KEYS[1], start, start + scan - 1)
end
local removed, kept = {}, 0
local examined = 0
local order_first, order_last, step = 1, #items, 1
if kind == 'list' then
  order_first, order_last, step = #items, 1, -1
end
for j = order_first, order_last, step do
  if #removed >= limit then
    break
  end
  examined = examined + 1
  local id = items[j]
  local jk = base .. id
  local remove = false
  if redis.call('EXISTS', jk .. ':lock') == 0 then
    local t = redis.call('HMGET', jk, 'finishedOn', 'processedOn', 'timestamp')
    local ts = tonumber(t[1] or t[2] or t[3])
    remove = (ts == nil) or (ts < cutoff)
  end
  if remove then
    removed[#removed + 1] = id
    if kind == 'list' then
      -- Tombstone now, one LREM at the end: indexes stay valid meanwhile.
      redis.call('LSET', KEYS[1], lo + j - 1, '')
    end
  else
    kept = kept + 1
  end
end
if #removed > 0 then
  if kind == 'list' then
    redis.call('LREM', KEYS[1], 0, '')
  else
    chunked(removed, function(chunk)
      redis.call('ZREM', KEYS[1], unpack(chunk))
    end)
  end
  chunked(removed, function(chunk)
    redis.call('ZREM', KEYS[2], unpack(chunk))
  end)
  for _, id in ipairs(removed) do
    remove_job_data(base, id)
  end
end
return {#removed, kept, examined}
