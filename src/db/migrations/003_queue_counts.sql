-- The per-state counters of `queues` are now kept by the queue code itself: each write
-- transaction tallies the jobs it moved and applies the sum in one UPDATE (see
-- queue/sqlite.rs). The row triggers of 001_queue go: besides running once per row, a
-- trigger makes SQLite keep a statement journal for every single-row update, which
-- together cost as much as the claims and completions they counted.
DROP TRIGGER IF EXISTS queue_jobs_count_insert;
DROP TRIGGER IF EXISTS queue_jobs_count_delete;
DROP TRIGGER IF EXISTS queue_jobs_count_update;

-- Start from the truth, whatever the triggers had counted.
UPDATE queues SET
    n_wait = (SELECT count(*) FROM queue_jobs j WHERE j.qid = queues.qid AND j.state = 0),
    n_active = (SELECT count(*) FROM queue_jobs j WHERE j.qid = queues.qid AND j.state = 1),
    n_delayed = (SELECT count(*) FROM queue_jobs j WHERE j.qid = queues.qid AND j.state = 2),
    n_completed = (SELECT count(*) FROM queue_jobs j WHERE j.qid = queues.qid AND j.state = 3),
    n_failed = (SELECT count(*) FROM queue_jobs j WHERE j.qid = queues.qid AND j.state = 4),
    n_prioritized = (
        SELECT count(*) FROM queue_jobs j
        WHERE j.qid = queues.qid AND j.state = 0 AND j.sort1 BETWEEN 1 AND 4294967295
    );
