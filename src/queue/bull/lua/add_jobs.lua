-- addJob for a batch of jobs in one atomic call.
-- KEYS: 1 wait, 2 paused, 3 meta-paused, 4 id, 5 delayed, 6 priority, 7 meta
-- ARGV: 1 base, 2 token, 3 number of shapes S, then 9 values per shape:
--   custom id or '', name, opts, timestamp, delay, delayed score base (due*4096
--   computed by the caller in 64-bit integers, '0' when not delayed), due ms, priority,
--   lifo ('1'/'0');
--   then 2 values per job: its shape (1-based), data.
-- Jobs of one call mostly share everything but their data, so each distinct rest is
-- sent and read once.
-- Returns the id counter before the first job, then the duplicate flag (1/0) of every
-- job with a custom id, in order; any other job's id is that counter plus its 1-based
-- position. A key it writes that holds another type fails the call (WRONGTYPE) before
-- anything is written.
local base, token = ARGV[1], ARGV[2]
local shapes = {}
local s_count = tonumber(ARGV[3])
for s = 1, s_count do
  local a = 4 + (s - 1) * 9
  shapes[s] = {
    custom = ARGV[a],
    name = ARGV[a + 1],
    opts = ARGV[a + 2],
    timestamp = ARGV[a + 3],
    delay = ARGV[a + 4],
    score_base = ARGV[a + 5],
    due = ARGV[a + 6],
    priority_text = ARGV[a + 7],
    priority = tonumber(ARGV[a + 7]) or 0,
    lifo = ARGV[a + 8] == '1',
  }
end
local first_job = 4 + s_count * 9
local n = (#ARGV - first_job + 1) / 2
local target = target_list(KEYS[1], KEYS[2], KEYS[3], KEYS[7])
local wrong = mistyped({target, 'list', KEYS[4], 'string', KEYS[5], 'zset', KEYS[6], 'zset'})
if wrong then
  return redis.error_reply('WRONGTYPE ' .. wrong .. ' is not in Bull\'s layout; nothing was added')
end
-- One INCRBY gives every job the counter value a sequence of INCRs would have given
-- it; the script is atomic, so the final counter and each job's value are the same.
local last = redis.call('INCRBY', KEYS[4], n)
local first = last - n
local waiting_channel = base .. 'waiting@' .. token
local out = {first}
-- Each event below is published only if someone can hear it (see `listened`), which is
-- found out once, at the first event.
local loud
local function publish(channel, message)
  if loud == nil then
    loud = listened({waiting_channel, base .. 'delayed', base .. 'duplicated@' .. token}, n)
  end
  if loud then
    redis.call('PUBLISH', channel, message)
  end
end
-- Plain FIFO ids are pushed together: LPUSH a b c equals three LPUSHes in that order.
-- The buffer is flushed before any positional insert, which reads the list's length.
local pending, npending = {}, 0
local function flush()
  if npending > 0 then
    redis.call('LPUSH', target, unpack(pending))
    pending, npending = {}, 0
  end
end
for i = 0, n - 1 do
  local a = first_job + i * 2
  local shape = shapes[tonumber(ARGV[a])]
  local counter = first + i + 1
  local custom = shape.custom
  local id = custom
  if id == '' then
    -- As an integer: tostring's '%.14g' costs twice as much, and writes 1e+14 once the
    -- counter gets there.
    id = string.format('%d', counter)
  end
  local jk = base .. id
  if custom ~= '' and redis.call('EXISTS', jk) == 1 then
    publish(base .. 'duplicated@' .. token, id)
    out[#out + 1] = 1
  else
    redis.call('HSET', jk, 'name', shape.name, 'data', ARGV[a + 1], 'opts', shape.opts,
      'timestamp', shape.timestamp, 'delay', shape.delay, 'priority', shape.priority_text)
    if shape.score_base ~= '0' then
      redis.call('ZADD', KEYS[5], tonumber(shape.score_base) + (counter % 4096), id)
      publish(base .. 'delayed', shape.due)
    else
      if shape.priority > 0 or shape.lifo then
        flush()
        push_job(target, KEYS[6], id, shape.priority, shape.lifo)
      else
        npending = npending + 1
        pending[npending] = id
        if npending >= 1000 then
          flush()
        end
      end
      publish(waiting_channel, id)
    end
    if custom ~= '' then
      out[#out + 1] = 0
    end
  end
end
flush()
return out
