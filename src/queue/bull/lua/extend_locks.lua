-- extendLock for many jobs of one token: renew each lock still held by the token and
-- clear its stalled mark.
-- KEYS: 1 stalled
-- ARGV: 1 base, 2 token, 3 lock ms, 4.. ids
-- Returns 1 (renewed) or 0 (lost) per id.
local base, token, lease = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local lock_key = base .. id .. ':lock'
  if redis.call('GET', lock_key) == token then
    redis.call('SET', lock_key, token, 'PX', lease)
    redis.call('SREM', KEYS[1], id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
