-- One batch of retryJobs: the oldest failed jobs back to wait (or paused), LPUSHed,
-- priority and lifo ignored, no event, as Bull's retryJobs does.
-- KEYS: 1 failed, 2 wait, 3 paused, 4 meta-paused, 5 meta
-- ARGV: 1 base, 2 batch
-- Returns how many jobs were moved.
local base = ARGV[1]
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if #ids == 0 then
  return 0
end
local target = target_list(KEYS[2], KEYS[3], KEYS[4], KEYS[5])
for _, id in ipairs(ids) do
  redis.call('HDEL', base .. id, 'finishedOn', 'processedOn', 'failedReason')
end
chunked(ids, function(chunk)
  redis.call('ZREM', KEYS[1], unpack(chunk))
  redis.call('LPUSH', target, unpack(chunk))
end)
return #ids
