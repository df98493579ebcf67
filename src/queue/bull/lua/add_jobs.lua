-- addJob for a batch of jobs in one atomic call.
-- KEYS: 1 wait, 2 paused, 3 meta-paused, 4 id, 5 delayed, 6 priority, 7 meta
-- ARGV: 1 base, 2 token, then 10 values per job:
--   custom id or '', name, data, opts, timestamp, delay, delayed score base
--   (due*4096 computed by the caller in 64-bit integers, '0' when not delayed), due ms,
--   priority, lifo ('1'/'0')
-- Returns a flat array: id, duplicate flag (1/0) per job.
local base, token = ARGV[1], ARGV[2]
local per_job = 10
local n = (#ARGV - 2) / per_job
-- One INCRBY gives every job the counter value a sequence of INCRs would have given
-- it; the script is atomic, so the final counter and each job's value are the same.
local last = redis.call('INCRBY', KEYS[4], n)
local first = last - n
local target = target_list(KEYS[1], KEYS[2], KEYS[3], KEYS[7])
local waiting_channel = base .. 'waiting@' .. token
local out = {}
-- Plain FIFO ids are pushed together: LPUSH a b c equals three LPUSHes in that order.
-- The buffer is flushed before any positional insert, which reads the list's length.
local pending = {}
local function flush()
  if #pending > 0 then
    redis.call('LPUSH', target, unpack(pending))
    pending = {}
  end
end
for i = 0, n - 1 do
  local a = 3 + i * per_job
  local counter = first + i + 1
  local custom = ARGV[a]
  local id = custom
  if id == '' then
    id = tostring(counter)
  end
  local jk = base .. id
  if custom ~= '' and redis.call('EXISTS', jk) == 1 then
    redis.call('PUBLISH', base .. 'duplicated@' .. token, id)
    out[#out + 1] = id
    out[#out + 1] = 1
  else
    local priority = tonumber(ARGV[a + 8]) or 0
    redis.call('HSET', jk, 'name', ARGV[a + 1], 'data', ARGV[a + 2], 'opts', ARGV[a + 3],
      'timestamp', ARGV[a + 4], 'delay', ARGV[a + 5], 'priority', ARGV[a + 8])
    if ARGV[a + 6] ~= '0' then
      redis.call('ZADD', KEYS[5], tonumber(ARGV[a + 6]) + (counter % 4096), id)
      redis.call('PUBLISH', base .. 'delayed', ARGV[a + 7])
    else
      if priority > 0 or ARGV[a + 9] == '1' then
        flush()
        push_job(target, KEYS[6], id, priority, ARGV[a + 9] == '1')
      else
        pending[#pending + 1] = id
        if #pending >= 1000 then
          flush()
        end
      end
      redis.call('PUBLISH', waiting_channel, id)
    end
    out[#out + 1] = id
    out[#out + 1] = 0
  end
end
flush()
return out
