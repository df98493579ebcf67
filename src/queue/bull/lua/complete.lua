-- moveToFinished into completed for a batch of jobs held by one token.
-- KEYS: 1 active, 2 completed, 3 stalled
-- ARGV: 1 base, 2 token, 3 now (finishedOn), then per job: id, returnvalue JSON,
--   completed event JSON
-- Returns per job 0 or Bull's code: -1 missing hash, -2 no lock, -6 other token,
-- -3 not in active.
local base, token, now = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for a = 4, #ARGV, 3 do
  local id = ARGV[a]
  local jk = base .. id
  local code = 0
  if redis.call('EXISTS', jk) == 0 then
    code = -1
  else
    code = release_lock(base, id, token, KEYS[3])
    if code == 0 and redis.call('LREM', KEYS[1], -1, id) == 0 then
      code = -3
    end
  end
  if code == 0 then
    local f = redis.call('HMGET', jk, 'opts', 'deid')
    if f[2] and redis.call('PTTL', base .. 'de:' .. f[2]) == -1 then
      redis.call('DEL', base .. 'de:' .. f[2])
    end
    local count, age = keep_jobs(f[1], 'removeOnComplete')
    finish_into(KEYS[2], base, id, now, count, age, 'returnvalue', ARGV[a + 1])
    redis.call('PUBLISH', KEYS[2], ARGV[a + 2])
  end
  out[#out + 1] = code
end
return out
