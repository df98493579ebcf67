-- Arrival-ordered keys for the event log, effects and handler runs; read-model lookup
-- indexes only for the documents they serve.
--
-- A busy daemon writes a handful of rows per event. Keyed by the event's uuid, each of
-- them landed on a random B-tree page, and every commit wrote those pages out again. Now
-- each event gets a number in arrival order (`event_log.seq`), effects and runs are keyed
-- by it and so append, and only the event-id lookup index stays in uuid order.

-- The seed's EventLog: one row per event the daemon saw.
CREATE TABLE event_log_v5 (
    -- Arrival order; effects and handler runs refer to the event by it.
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    -- The event's own timestamp, as given.
    timestamp TEXT,
    facility_id TEXT,
    user_id TEXT,
    booking_id TEXT,
    -- The queue it came from.
    queue TEXT NOT NULL,
    -- ms since the epoch of first sight.
    received_at INTEGER NOT NULL
);
INSERT INTO event_log_v5 (event_id, event_type, timestamp, facility_id, user_id, booking_id,
                          queue, received_at)
    SELECT event_id, event_type, timestamp, facility_id, user_id, booking_id, queue, received_at
    FROM event_log ORDER BY received_at, rowid;
-- Effects and runs of an event with no log entry (none are written that way, but keep
-- them rather than drop them).
INSERT INTO event_log_v5 (event_id, event_type, queue, received_at)
    SELECT event_id, 'unknown', '', min(at) FROM (
        SELECT event_id, applied_at AS at FROM effects
        UNION ALL SELECT event_id, at FROM event_log_runs)
    WHERE event_id NOT IN (SELECT event_id FROM event_log_v5)
    GROUP BY event_id;

-- One row per (event, handler) whose effects were applied, inserted in the same
-- transaction as the effects: a redelivered or replayed event finds it and applies
-- nothing twice.
CREATE TABLE effects_v5 (
    -- event_log.seq
    event_seq INTEGER NOT NULL,
    -- The handler name as configured (notification, projection, forward:refunds...).
    handler TEXT NOT NULL,
    -- ms since the epoch.
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (event_seq, handler)
) WITHOUT ROWID;
INSERT INTO effects_v5 (event_seq, handler, applied_at)
    SELECT l.seq, e.handler, e.applied_at FROM effects e JOIN event_log_v5 l USING (event_id);
DROP TABLE effects;
ALTER TABLE effects_v5 RENAME TO effects;

-- Handler runs (`events trace`, `events tail`) now also carry the event's number, and
-- are found by it.
ALTER TABLE event_log_runs ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;
UPDATE event_log_runs
    SET event_seq = (SELECT seq FROM event_log_v5 l WHERE l.event_id = event_log_runs.event_id);
DROP INDEX event_log_runs_event;
CREATE INDEX event_log_runs_event ON event_log_runs (event_seq, handler, seq);

DROP TABLE event_log;
ALTER TABLE event_log_v5 RENAME TO event_log;

-- "Roles in facility F" and "parents of child C": only role and parent-child documents
-- have these fields, so bookings and users no longer each add two index entries.
DROP INDEX read_model_scope;
CREATE INDEX read_model_scope ON read_model (kind, json_extract(doc, '$.scopeId'))
    WHERE json_extract(doc, '$.scopeId') IS NOT NULL;
DROP INDEX read_model_child;
CREATE INDEX read_model_child ON read_model (kind, json_extract(doc, '$.childId'))
    WHERE json_extract(doc, '$.childId') IS NOT NULL;
-- Nothing reads bookings by start time yet; whatever schedules reminders adds the index
-- its query needs.
DROP INDEX read_model_start;
