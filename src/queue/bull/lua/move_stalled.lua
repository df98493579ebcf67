-- moveStalledJobsToWait: the mark-and-sweep stalled-job check. A job is recovered when
-- it was in active at the previous check (marked in `stalled`), its mark was not
-- cleared by a lock renewal or a fetch, and its lock is gone. One check per interval
-- across every worker, Bull's and ours, thanks to the stalled-check key.
-- KEYS: 1 stalled, 2 wait, 3 active, 4 failed, 5 stalled-check, 6 meta-paused,
--   7 paused, 8 meta
-- ARGV: 1 maxStalledCount, 2 base, 3 now, 4 interval ms
-- Returns {failed ids, requeued ids}.
local max_stalled = tonumber(ARGV[1])
local base, now = ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[5]) == 1 then
  return {{}, {}}
end
redis.call('SET', KEYS[5], now, 'PX', ARGV[4])
local failed, requeued = {}, {}
local marked = redis.call('SMEMBERS', KEYS[1])
if #marked > 0 then
  redis.call('DEL', KEYS[1])
  local target = target_list(KEYS[2], KEYS[7], KEYS[6], KEYS[8])
  for _, id in ipairs(marked) do
    local jk = base .. id
    if redis.call('EXISTS', jk .. ':lock') == 0 and redis.call('LREM', KEYS[3], '1', id) > 0 then
      local stalled = redis.call('HINCRBY', jk, 'stalledCounter', '1')
      if stalled > max_stalled then
        local f = redis.call('HMGET', jk, 'opts', 'deid')
        if f[2] and redis.call('PTTL', base .. 'de:' .. f[2]) == -1 then
          redis.call('DEL', base .. 'de:' .. f[2])
        end
        redis.call('ZADD', KEYS[4], now, id)
        redis.call('HSET', jk, 'failedReason', 'job stalled more than allowable limit',
          'finishedOn', now)
        redis.call('PUBLISH', KEYS[4],
          cjson.encode({jobId = id, val = 'job stalled more than maxStalledCount'}))
        local count, age = keep_jobs(f[1], 'removeOnFail')
        if count == 0 then
          redis.call('ZREM', KEYS[4], id)
          remove_job_data(base, id)
        elseif count > 0 or age > 0 then
          finish_into(KEYS[4], base, id, now, count, age, nil, nil)
        end
        failed[#failed + 1] = id
      else
        -- RPUSH: a recovered job runs next.
        redis.call('RPUSH', target, id)
        redis.call('PUBLISH', base .. 'stalled@', id)
        requeued[#requeued + 1] = id
      end
    end
  end
end
-- Mark every job active now; the next check recovers those whose lock is gone by then.
local active = redis.call('LRANGE', KEYS[3], 0, -1)
chunked(active, function(chunk)
  redis.call('SADD', KEYS[1], unpack(chunk))
end)
return {failed, requeued}
