-- The creation time of the job that has waited longest, for counts. Prioritized and
-- lifo jobs sit at the consumer (right) end, so the oldest job is either the rightmost
-- one or the rightmost plain job just left of the prioritized block; both are read, in
-- wait and in paused, and the smallest timestamp wins. O(1).
-- KEYS: 1 wait, 2 paused, 3 priority
-- ARGV: 1 base
-- Returns the timestamp, or nothing when no job waits.
local base = ARGV[1]
local prioritized = redis.call('ZCARD', KEYS[3])
local oldest
for k = 1, 2 do
  local seen = {}
  for _, index in ipairs({-1, -(prioritized + 1)}) do
    local id = redis.call('LINDEX', KEYS[k], index)
    if id and not seen[id] then
      seen[id] = true
      local ts = tonumber(redis.call('HGET', base .. id, 'timestamp'))
      if ts and (not oldest or ts < oldest) then
        oldest = ts
      end
    end
  end
end
if oldest then
  return tostring(oldest)
end
return nil
