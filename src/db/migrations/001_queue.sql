-- The embedded queue: Bull v4's states and semantics in three tables.
--
-- Bull keeps a queue in several Redis lists and sorted sets (wait, active, delayed,
-- completed, failed) plus one hash per job. Here every job is one row of `queue_jobs`,
-- its state is a column, and one index on (queue, state, sort1, sort2) plays the part of
-- all of Bull's lists and sets: the meaning of the two sort keys depends on the state (see
-- `queue_jobs.sort1`). The per-state counts live in `queues`, kept exact by triggers, so
-- counting a queue of millions of jobs reads one row.

-- One row per queue, created the first time a queue is used (add, pause).
CREATE TABLE queues (
    -- Short numeric key that jobs refer to (keeps the job indexes small).
    qid INTEGER PRIMARY KEY,
    -- The queue name as callers spell it.
    name TEXT NOT NULL UNIQUE,
    -- 1 while the queue is globally paused (Bull's `meta-paused`). Waiting jobs of a
    -- paused queue are reported as `paused`; nothing is claimed.
    paused INTEGER NOT NULL DEFAULT 0,
    -- Bull's `id` counter: bumped on every add, duplicates included; an auto job id is
    -- its decimal value.
    id_counter INTEGER NOT NULL DEFAULT 0,
    -- Bumped each time a job enters a state, to order jobs that share a sort1 value
    -- (FIFO within a lane, newest-first among lifo jobs, ties among delayed jobs).
    order_counter INTEGER NOT NULL DEFAULT 0,
    -- ms since the epoch of the last stalled-job sweep (Bull's `stalled-check` key): with
    -- several workers only one sweeps per interval.
    stalled_check_at INTEGER NOT NULL DEFAULT 0,
    -- Number of jobs per state (kept by the queue code since 003_queue_counts; at first
    -- by the triggers below).
    n_wait INTEGER NOT NULL DEFAULT 0,
    n_active INTEGER NOT NULL DEFAULT 0,
    n_delayed INTEGER NOT NULL DEFAULT 0,
    n_completed INTEGER NOT NULL DEFAULT 0,
    n_failed INTEGER NOT NULL DEFAULT 0,
    -- Waiting jobs that sit in a priority lane (Bull counts them inside `waiting`).
    n_prioritized INTEGER NOT NULL DEFAULT 0
);

-- One row per job (Bull's job hash, plus which list or set holds it).
CREATE TABLE queue_jobs (
    -- Row key; log lines refer to it and are deleted with the job.
    pk INTEGER PRIMARY KEY,
    -- The queue (queues.qid).
    qid INTEGER NOT NULL,
    -- The job id: Bull's decimal counter value, or the custom id given at add.
    id TEXT NOT NULL,
    -- 0 wait, 1 active, 2 delayed, 3 completed, 4 failed.
    state INTEGER NOT NULL,
    -- Position within the state, smallest first:
    --   wait:      the lane: 0 = front (lifo adds and stalled jobs, which run next),
    --              1..2^32-1 = the job's priority, 2^32 = plain FIFO jobs;
    --   active:    ms when claimed;
    --   delayed:   ms when due;
    --   completed, failed: ms when finished (listed newest first).
    sort1 INTEGER NOT NULL,
    -- Tie-break within sort1: queues.order_counter when the job entered the state,
    -- negated in the front lane so the newest front job runs first.
    sort2 INTEGER NOT NULL,
    -- Bull's `name` (handlers are looked up by it).
    name TEXT NOT NULL,
    -- The payload, JSON text.
    data TEXT NOT NULL,
    -- Bull's `opts`, JSON text with `attempts`, `delay` and `timestamp` filled in.
    opts TEXT NOT NULL,
    -- Creation time, ms since the epoch.
    timestamp INTEGER NOT NULL,
    -- The delay asked for at add, ms; 0 once promoted (as Bull does).
    delay INTEGER NOT NULL,
    -- 1 highest, 0 none.
    priority INTEGER NOT NULL,
    -- 1 when added with lifo: an immediate retry goes to the front too.
    lifo INTEGER NOT NULL,
    -- Total tries allowed, the first run included.
    attempts INTEGER NOT NULL,
    -- Failed attempts so far (Bull counts failures only; retry does not reset it).
    attempts_made INTEGER NOT NULL DEFAULT 0,
    -- Times the job was recovered from a stalled worker; never reset.
    stalled_counter INTEGER NOT NULL DEFAULT 0,
    -- ms when the latest attempt started.
    processed_on INTEGER,
    -- ms when the job completed or finally failed.
    finished_on INTEGER,
    -- ms of the last manual retry.
    retried_on INTEGER,
    -- The latest failure message (plain text).
    failed_reason TEXT,
    -- JSON array of the stack of every failed attempt, oldest first.
    stacktrace TEXT,
    -- The handler's result, JSON text.
    returnvalue TEXT,
    -- Progress, JSON text.
    progress TEXT,
    -- The worker token holding the lock while active, else NULL.
    lock_token TEXT,
    -- ms when the lock lapses unless extended; an active job past it has stalled.
    lock_until INTEGER,
    -- removeOnComplete / removeOnFail, copied out of opts so finishing a job need not
    -- parse JSON: keep at most `count` finished jobs (0 = delete at once), delete those
    -- older than `age` seconds. NULL = no limit.
    keep_completed_count INTEGER,
    keep_completed_age INTEGER,
    keep_failed_count INTEGER,
    keep_failed_age INTEGER
);

-- Job lookup by id, and the dedupe of custom ids.
CREATE UNIQUE INDEX queue_jobs_id ON queue_jobs (qid, id);
-- Every ordered walk: next to claim, due delayed jobs, newest finished, clean by age.
CREATE INDEX queue_jobs_order ON queue_jobs (qid, state, sort1, sort2);

-- Log lines of a job (Bull's `<id>:logs` list); deleted with the job.
CREATE TABLE queue_job_logs (
    -- The job (queue_jobs.pk).
    job_pk INTEGER NOT NULL REFERENCES queue_jobs (pk) ON DELETE CASCADE,
    -- Line order within the job.
    seq INTEGER NOT NULL,
    -- The line, as given.
    line TEXT NOT NULL,
    PRIMARY KEY (job_pk, seq)
) WITHOUT ROWID;

-- The counters in `queues` follow every insert, delete and state change of a job.
CREATE TRIGGER queue_jobs_count_insert AFTER INSERT ON queue_jobs
BEGIN
    UPDATE queues SET
        n_wait = n_wait + (NEW.state = 0),
        n_active = n_active + (NEW.state = 1),
        n_delayed = n_delayed + (NEW.state = 2),
        n_completed = n_completed + (NEW.state = 3),
        n_failed = n_failed + (NEW.state = 4),
        n_prioritized = n_prioritized + (NEW.state = 0 AND NEW.sort1 BETWEEN 1 AND 4294967295)
    WHERE qid = NEW.qid;
END;

CREATE TRIGGER queue_jobs_count_delete AFTER DELETE ON queue_jobs
BEGIN
    UPDATE queues SET
        n_wait = n_wait - (OLD.state = 0),
        n_active = n_active - (OLD.state = 1),
        n_delayed = n_delayed - (OLD.state = 2),
        n_completed = n_completed - (OLD.state = 3),
        n_failed = n_failed - (OLD.state = 4),
        n_prioritized = n_prioritized - (OLD.state = 0 AND OLD.sort1 BETWEEN 1 AND 4294967295)
    WHERE qid = OLD.qid;
END;

CREATE TRIGGER queue_jobs_count_update AFTER UPDATE OF state, sort1 ON queue_jobs
WHEN OLD.state <> NEW.state OR OLD.sort1 <> NEW.sort1
BEGIN
    UPDATE queues SET
        n_wait = n_wait + (NEW.state = 0) - (OLD.state = 0),
        n_active = n_active + (NEW.state = 1) - (OLD.state = 1),
        n_delayed = n_delayed + (NEW.state = 2) - (OLD.state = 2),
        n_completed = n_completed + (NEW.state = 3) - (OLD.state = 3),
        n_failed = n_failed + (NEW.state = 4) - (OLD.state = 4),
        n_prioritized = n_prioritized
            + (NEW.state = 0 AND NEW.sort1 BETWEEN 1 AND 4294967295)
            - (OLD.state = 0 AND OLD.sort1 BETWEEN 1 AND 4294967295)
    WHERE qid = NEW.qid;
END;
