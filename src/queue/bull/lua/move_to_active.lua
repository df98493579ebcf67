-- moveToActive for up to `max` jobs: move from the right of wait onto the left of
-- active, lock each for the worker token, and return their hashes.
-- KEYS: 1 wait, 2 active, 3 priority, 4 stalled, 5 meta-paused, 6 meta
-- ARGV: 1 base, 2 token, 3 lock ms, 4 now ms, 5 max, 6 id already moved to active by a
--   blocking pop, or ''
-- Returns a flat array: id, HGETALL of the job, per claimed job. processedOn is set
-- after the read; the caller fills it in from `now`.
local base, token, lease, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local max = tonumber(ARGV[5])
local active_channel = base .. 'active@' .. token
local out = {}
-- Every id that left wait: one ZREM priority at the end instead of one per job (the
-- script is atomic and nothing else here reads that set).
local taken = {}
local function activate(id)
  local jk = base .. id
  taken[#taken + 1] = id
  local hash = redis.call('HGETALL', jk)
  if #hash == 0 then
    -- An id without a job hash cannot be run by anyone; drop it rather than leave it
    -- to stall forever.
    redis.call('LREM', KEYS[2], -1, id)
    return
  end
  redis.call('SET', jk .. ':lock', token, 'PX', lease)
  redis.call('PUBLISH', active_channel, id)
  redis.call('HSET', jk, 'processedOn', now)
  out[#out + 1] = id
  out[#out + 1] = hash
end
if ARGV[6] ~= '' then
  redis.call('SREM', KEYS[4], ARGV[6])
  activate(ARGV[6])
  max = max - 1
end
if max > 0 and not is_paused(KEYS[5], KEYS[6]) then
  -- The same end state as `max` RPOPLPUSHes, in three calls: the rightmost job is
  -- taken first, and the last one taken ends up leftmost in active.
  local ids = redis.call('LRANGE', KEYS[1], -max, -1)
  if #ids > 0 then
    redis.call('LTRIM', KEYS[1], 0, -(#ids + 1))
    local order = {}
    for i = #ids, 1, -1 do
      order[#order + 1] = ids[i]
    end
    chunked(order, function(chunk)
      redis.call('LPUSH', KEYS[2], unpack(chunk))
    end)
    for _, id in ipairs(order) do
      activate(id)
    end
  end
end
if #taken > 0 then
  chunked(taken, function(chunk)
    redis.call('ZREM', KEYS[3], unpack(chunk))
  end)
end
if #out == 0 and ARGV[6] == '' then
  redis.call('PUBLISH', base .. 'drained', '')
end
return out
