-- The guard of Bull's nextRepeatableJob: the next occurrence of a repeatable job is added
-- only while its definition is still in `repeat` (removeRepeatable ends the chain by
-- removing it); the definition's score becomes the next run.
-- KEYS: 1 repeat
-- ARGV: 1 repeat key, 2 next run (ms)
-- Returns 1 when the definition exists and was rescheduled, 0 when it is gone.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
