-- A failed attempt of a job held by one token, in one atomic step: save the attempt
-- (attemptsMade, stacktrace, failedReason), then moveToDelayed, retryJob or
-- moveToFinished into failed, as the caller decided from the job's attempts and
-- backoff.
-- KEYS: 1 active, 2 wait, 3 paused, 4 meta-paused, 5 meta, 6 priority, 7 delayed,
--   8 failed, 9 stalled
-- ARGV: 1 base, 2 token, 3 id, 4 now, 5 attemptsMade as read by the caller ('' if
--   absent), 6 new attemptsMade, 7 stacktrace JSON, 8 failedReason, 9 mode
--   ('delay' | 'retry' | 'fail'), 10 delayed score, 11 due ms, 12 failed event JSON
-- Returns 1 delayed, 2 retried, 3 failed, or a negative code: -1 missing hash,
-- -2 no lock, -6 other token, -3 not in active, -7 attemptsMade changed since the
-- caller read it (read again and retry).
local base, token, id, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local jk = base .. id
if redis.call('EXISTS', jk) == 0 then
  return -1
end
if (redis.call('HGET', jk, 'attemptsMade') or '') ~= ARGV[5] then
  return -7
end
local code = release_lock(base, id, token, KEYS[9])
if code ~= 0 then
  return code
end
if redis.call('LREM', KEYS[1], '-1', id) == 0 then
  return -3
end
redis.call('HSET', jk, 'attemptsMade', ARGV[6], 'stacktrace', ARGV[7], 'failedReason', ARGV[8])
local mode = ARGV[9]
if mode == 'delay' then
  redis.call('ZADD', KEYS[7], ARGV[10], id)
  redis.call('PUBLISH', KEYS[7], ARGV[11])
  return 1
end
if mode == 'retry' then
  local f = redis.call('HMGET', jk, 'priority', 'opts')
  local target = target_list(KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  push_job(target, KEYS[6], id, tonumber(f[1]) or 0, opts_lifo(f[2]))
  return 2
end
local f = redis.call('HMGET', jk, 'opts', 'deid')
if f[2] and redis.call('PTTL', base .. 'de:' .. f[2]) == -1 then
  redis.call('DEL', base .. 'de:' .. f[2])
end
local count, age = keep_jobs(f[1], 'removeOnFail')
finish_into(KEYS[8], base, id, now, count, age, nil, nil)
redis.call('PUBLISH', KEYS[8], ARGV[12])
return 3
