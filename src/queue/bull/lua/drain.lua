-- One batch of a drain: take up to `batch` jobs from the consumer end of wait, then
-- paused, then (when asked) the earliest delayed ones, and delete their data so that
-- nothing is orphaned. The pause flags are left alone.
-- KEYS: 1 wait, 2 paused, 3 delayed, 4 priority
-- ARGV: 1 base, 2 include delayed ('1'/'0'), 3 batch
-- Returns how many jobs were removed.
local base = ARGV[1]
local budget = tonumber(ARGV[3])
local removed = {}
for k = 1, 2 do
  if budget > 0 then
    local ids = redis.call('LRANGE', KEYS[k], -budget, -1)
    if #ids > 0 then
      redis.call('LTRIM', KEYS[k], 0, -(#ids + 1))
      for _, id in ipairs(ids) do
        removed[#removed + 1] = id
      end
      budget = budget - #ids
    end
  end
end
if ARGV[2] == '1' and budget > 0 then
  local ids = redis.call('ZRANGE', KEYS[3], 0, budget - 1)
  if #ids > 0 then
    redis.call('ZREMRANGEBYRANK', KEYS[3], 0, #ids - 1)
    for _, id in ipairs(ids) do
      removed[#removed + 1] = id
    end
  end
end
chunked(removed, function(chunk)
  redis.call('ZREM', KEYS[4], unpack(chunk))
end)
for _, id in ipairs(removed) do
  remove_job_data(base, id)
end
return #removed
