-- moveToActive for up to `max` jobs: move from the right of wait onto the left of
-- active, lock each for the worker token, and return their hashes.
-- KEYS: 1 wait, 2 active, 3 priority, 4 stalled, 5 meta-paused, 6 meta
-- ARGV: 1 base, 2 token, 3 lock ms, 4 now ms, 5 max, 6 id already moved to active by a
--   blocking pop, or ''
-- Returns a flat array: id, HGETALL of the job (`joined`), per claimed job. processedOn
-- is set after the read; the caller fills it in from `now`.
return fetch_jobs(KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], true)
