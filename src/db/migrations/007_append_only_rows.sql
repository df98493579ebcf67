-- Read-model documents and notification lookups stop landing on random pages.
--
-- Counted from the WAL of a busy daemon (legacy booking.confirmed events), a commit
-- wrote about five pages per event, and almost half of them were the read model's:
-- a WITHOUT ROWID table keeps each document (a few hundred bytes) in its key's b-tree,
-- so every new booking went into a random, nearly full leaf and split it, rewriting
-- that leaf, its new sibling and often their parent. Another page in seven was the
-- notifications' event-id index, one more random leaf per notification.

-- The read model as a rowid table: new documents are appended together on the last
-- pages, and only the small (kind, id) index takes a random insert. Columns and their
-- meaning are unchanged (see 002_store.sql).
CREATE TABLE read_model_v7 (
    -- booking, hold, user, role, parent_child, subscription, facility, resource.
    kind TEXT NOT NULL,
    -- The entity id (bookingId, userId...; composite ids are joined with `|`).
    id TEXT NOT NULL,
    -- The document, a JSON object with the seed's field names.
    doc TEXT NOT NULL,
    -- ms since the epoch of the last change.
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, id)
);
INSERT INTO read_model_v7 (kind, id, doc, updated_at)
    SELECT kind, id, doc, updated_at FROM read_model ORDER BY updated_at;
DROP TABLE read_model;
ALTER TABLE read_model_v7 RENAME TO read_model;
-- "Roles in facility F" and "parents of child C", as in 005_event_seq.sql.
CREATE INDEX read_model_scope ON read_model (kind, json_extract(doc, '$.scopeId'))
    WHERE json_extract(doc, '$.scopeId') IS NOT NULL;
CREATE INDEX read_model_child ON read_model (kind, json_extract(doc, '$.childId'))
    WHERE json_extract(doc, '$.childId') IS NOT NULL;

-- Notifications are found by their event's number (event_log.seq), which grows with
-- arrival, instead of by its uuid. 0 for a notification whose event has no log entry
-- (none are written that way).
ALTER TABLE notifications ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;
UPDATE notifications
    SET event_seq = coalesce(
        (SELECT seq FROM event_log l WHERE l.event_id = notifications.event_id), 0);
DROP INDEX notifications_event;
CREATE INDEX notifications_event_seq ON notifications (event_seq);
