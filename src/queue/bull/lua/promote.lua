-- job.promote for many ids: a delayed job goes to wait (or paused) now.
-- KEYS: 1 delayed, 2 wait, 3 priority, 4 paused, 5 meta-paused, 6 meta
-- ARGV: 1 base, 2 token, 3.. ids
-- Returns per id: 1 promoted, 0 no such job, -1 the job is not delayed.
local base, token = ARGV[1], ARGV[2]
local target = target_list(KEYS[2], KEYS[4], KEYS[5], KEYS[6])
local out = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local jk = base .. id
  if redis.call('ZREM', KEYS[1], id) == 0 then
    out[#out + 1] = -redis.call('EXISTS', jk)
  else
    push_job(target, KEYS[3], id, tonumber(redis.call('HGET', jk, 'priority')) or 0, false)
    redis.call('PUBLISH', base .. 'waiting@' .. token, id)
    redis.call('HSET', jk, 'delay', '0')
    out[#out + 1] = 1
  end
end
return out
