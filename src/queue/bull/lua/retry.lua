-- reprocessJob for many ids: a failed, unlocked job goes back to wait (or paused).
-- attemptsMade and stacktrace are kept, as Bull does.
-- KEYS: 1 failed, 2 wait, 3 paused, 4 meta-paused, 5 meta
-- ARGV: 1 base, 2 token, 3 now, 4.. ids
-- Returns per id: 1 retried, 0 no such job, -2 not failed, -1 locked (checked in that
-- order: an active job is reported as not failed).
local base, token, now = ARGV[1], ARGV[2], ARGV[3]
local target = target_list(KEYS[2], KEYS[3], KEYS[4], KEYS[5])
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local jk = base .. id
  if redis.call('EXISTS', jk) == 0 then
    out[#out + 1] = 0
  elseif not redis.call('ZSCORE', KEYS[1], id) then
    out[#out + 1] = -2
  elseif redis.call('EXISTS', jk .. ':lock') == 1 then
    out[#out + 1] = -1
  else
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', jk, 'finishedOn', 'processedOn', 'failedReason')
    redis.call('HSET', jk, 'retriedOn', now)
    if opts_lifo(redis.call('HGET', jk, 'opts')) then
      redis.call('RPUSH', target, id)
    else
      redis.call('LPUSH', target, id)
    end
    redis.call('PUBLISH', base .. 'waiting@' .. token, id)
    out[#out + 1] = 1
  end
end
return out
