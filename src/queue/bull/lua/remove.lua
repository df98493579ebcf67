-- removeJob for many ids: refused while the job is locked; otherwise the job leaves
-- every list and set and its data is deleted.
-- KEYS: 1 active, 2 wait, 3 paused, 4 delayed, 5 completed, 6 failed, 7 priority
-- ARGV: 1 base, 2.. ids
-- Returns per id: 1 removed, 0 no such job, -1 locked.
local base = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local jk = base .. id
  if redis.call('EXISTS', jk .. ':lock') == 1 then
    out[#out + 1] = -1
  else
    local found = redis.call('EXISTS', jk)
    found = found + redis.call('LREM', KEYS[1], '0', id) + redis.call('LREM', KEYS[2], '0', id)
      + redis.call('LREM', KEYS[3], '0', id)
    for k = 4, 7 do
      found = found + redis.call('ZREM', KEYS[k], id)
    end
    if found == 0 then
      out[#out + 1] = 0
    else
      remove_job_data(base, id)
      out[#out + 1] = 1
    end
  end
end
return out
