-- updateDelaySet: move delayed jobs whose score is <= now*4096 to wait (or paused),
-- at most `limit` per call.
-- KEYS: 1 delayed, 2 active, 3 wait, 4 priority, 5 paused, 6 meta-paused, 7 meta
-- ARGV: 1 base, 2 token, 3 now*4096 (integer computed by the caller), 4 limit
-- Returns {promoted, lowest remaining score or nothing}.
local base, token = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], 0, ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
if #ids > 0 then
  chunked(ids, function(chunk)
    redis.call('ZREM', KEYS[1], unpack(chunk))
  end)
  local target = target_list(KEYS[3], KEYS[5], KEYS[6], KEYS[7])
  local waiting_channel = base .. 'waiting@' .. token
  local loud = listened({waiting_channel}, #ids)
  for _, id in ipairs(ids) do
    local jk = base .. id
    if redis.call('EXISTS', jk) == 1 then
      redis.call('LREM', KEYS[2], '0', id)
      -- Bull always LPUSHes here, even for lifo jobs.
      push_job(target, KEYS[4], id, tonumber(redis.call('HGET', jk, 'priority')) or 0, false)
      if loud then
        redis.call('PUBLISH', waiting_channel, id)
      end
      redis.call('HSET', jk, 'delay', '0')
    end
  end
end
local next_due = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if next_due[2] then
  redis.call('PUBLISH', KEYS[1], tonumber(next_due[2]) / 4096)
  return {#ids, next_due[2]}
end
return {#ids}
