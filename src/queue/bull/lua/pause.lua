-- Global pause or resume. Both flags are written (Bull's `meta-paused`, BullMQ's
-- `meta.paused`), and the waiting list is renamed between wait and paused. RENAME alone
-- would overwrite a destination that already holds jobs (left there by a client that
-- ignores one of the flags), so an existing destination is merged instead: the renamed
-- list's jobs keep their order and run first, the destination's jobs follow.
-- KEYS: 1 source list, 2 destination list, 3 meta-paused, 4 meta
-- ARGV: 1 base, 2 'paused' | 'resumed'
local src, dst = KEYS[1], KEYS[2]
if ARGV[2] == 'paused' then
  redis.call('SET', KEYS[3], 1)
  redis.call('HSET', KEYS[4], 'paused', 1)
else
  redis.call('DEL', KEYS[3])
  redis.call('HDEL', KEYS[4], 'paused')
end
local src_len = redis.call('LLEN', src)
if src_len > 0 then
  local dst_len = redis.call('LLEN', dst)
  if dst_len == 0 then
    redis.call('RENAME', src, dst)
  elseif src_len <= dst_len then
    -- Append the source, in order, to the consumer end of the destination.
    while true do
      local chunk = redis.call('LRANGE', src, 0, 4999)
      if #chunk == 0 then
        break
      end
      redis.call('RPUSH', dst, unpack(chunk))
      redis.call('LTRIM', src, #chunk, -1)
    end
  else
    -- Prepend the destination, in order, to the far end of the source, then rename.
    while true do
      local chunk = redis.call('LRANGE', dst, -5000, -1)
      if #chunk == 0 then
        break
      end
      local reversed = {}
      for i = #chunk, 1, -1 do
        reversed[#reversed + 1] = chunk[i]
      end
      redis.call('LPUSH', src, unpack(reversed))
      redis.call('LTRIM', dst, 0, -(#chunk + 1))
    end
    redis.call('RENAME', src, dst)
  end
end
redis.call('PUBLISH', ARGV[1] .. ARGV[2], ARGV[2])
return 0
