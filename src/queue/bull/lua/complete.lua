-- moveToFinished into completed for a batch of jobs held by one token, then, like
-- Bull's moveToFinished with fetch-next, claim up to `fetch` more jobs for that token.
-- KEYS: 1 active, 2 completed, 3 stalled, 4 wait, 5 priority, 6 meta-paused, 7 meta
-- ARGV: 1 base, 2 token, 3 now (finishedOn, and processedOn of the jobs fetched),
--   4 lock ms, 5 fetch (0 for none), then per job (ids distinct): id, returnvalue JSON,
--   and '1' when the claim saw no removeOnComplete rule and no debounce id in the job's
--   hash (neither changes after the add), so opts need not be read, or ''.
-- Returns {refused, fetched}: for each job not completed its position (from 1) and
-- Bull's code (-1 missing hash, -2 no lock, -6 other token, -3 not in active), and the
-- fetched jobs as move_to_active returns them.
local base, token, now = ARGV[1], ARGV[2], ARGV[3]
local refused, nrefused = {}, 0
-- Lock DELs and stalled SREMs are gathered and sent once at the end: nothing else in
-- this script reads those keys, as the ids of one call are distinct (the caller
-- answers a repeated id itself). ZADDs into completed are gathered too, but sent before
-- any job with a keep rule, whose trimming must see every job finished before it.
local locks, unmarked, scored = {}, {}, {}
local function flush_scored()
  if #scored > 0 then
    chunked(scored, function(chunk)
      redis.call('ZADD', KEYS[2], unpack(chunk))
    end)
    scored = {}
  end
end
-- Whether the events are listened to, found out at the first event (see `listened`).
local loud
local jobs = (#ARGV - 5) / 3
-- The jobs' keys, then two reads for the whole call: every lock holder in one MGET, and
-- one EXISTS of the hashes that need no HMGET (below). All plain hashes exist when it
-- counts them all, the ids being distinct; otherwise each is asked again.
local job_keys, lock_keys, plain_keys = {}, {}, {}
for i = 1, jobs do
  local a = 3 + 3 * i
  local jk = base .. ARGV[a]
  job_keys[i] = jk
  lock_keys[i] = jk .. ':lock'
  if ARGV[a + 2] == '1' then
    plain_keys[#plain_keys + 1] = jk
  end
end
local existing = 0
chunked(plain_keys, function(chunk)
  existing = existing + redis.call('EXISTS', unpack(chunk))
end)
local plain_exist = existing == #plain_keys
local holders = {}
if token ~= '0' then
  holders = mget(lock_keys)
end
local nlocks = 0
for i = 1, jobs do
  local a = 3 + 3 * i
  local id, jk = ARGV[a], job_keys[i]
  local code = 0
  local f
  if ARGV[a + 2] == '1' then
    f = {}
    if not plain_exist and redis.call('EXISTS', jk) == 0 then
      code = -1
    end
  else
    -- Either field proves the hash exists (every writer stores opts); EXISTS only when
    -- both are absent.
    f = redis.call('HMGET', jk, 'opts', 'deid')
    if not (f[1] or f[2]) and redis.call('EXISTS', jk) == 0 then
      code = -1
    end
  end
  if code == 0 and token ~= '0' then
    local holder = holders[i]
    if holder == token then
      nlocks = nlocks + 1
      locks[nlocks] = lock_keys[i]
      unmarked[nlocks] = id
    elseif holder then
      code = -6
    else
      code = -2
    end
  end
  if code == 0 and redis.call('LREM', KEYS[1], '-1', id) == 0 then
    code = -3
  end
  if code == 0 then
    if f[2] and redis.call('PTTL', base .. 'de:' .. f[2]) == -1 then
      redis.call('DEL', base .. 'de:' .. f[2])
    end
    local count, age = keep_jobs(f[1], 'removeOnComplete')
    if count == -1 and age == 0 then
      scored[#scored + 1] = now
      scored[#scored + 1] = id
      redis.call('HSET', jk, 'returnvalue', ARGV[a + 1], 'finishedOn', now)
    else
      flush_scored()
      finish_into(KEYS[2], base, id, now, count, age, 'returnvalue', ARGV[a + 1])
    end
    if loud == nil then
      loud = listened({KEYS[2], base .. 'active@' .. token}, jobs + tonumber(ARGV[5]))
    end
    if loud then
      -- Bull's payload: the returnvalue as a JSON string.
      redis.call('PUBLISH', KEYS[2],
        '{"jobId":' .. cjson.encode(id) .. ',"val":' .. cjson.encode(ARGV[a + 1]) .. '}')
    end
  end
  if code ~= 0 then
    refused[nrefused + 1] = i
    refused[nrefused + 2] = code
    nrefused = nrefused + 2
  end
end
flush_scored()
chunked(locks, function(chunk)
  redis.call('DEL', unpack(chunk))
end)
chunked(unmarked, function(chunk)
  redis.call('SREM', KEYS[3], unpack(chunk))
end)
local fetched = {}
local fetch = tonumber(ARGV[5])
if fetch > 0 then
  fetched = fetch_jobs({KEYS[4], KEYS[1], KEYS[5], KEYS[3], KEYS[6], KEYS[7]}, base, token,
    ARGV[4], now, fetch, '', false, loud)
end
return {refused, fetched}
