-- The daemon's store: effects applied exactly once, the read model, preferences,
-- notifications, the event log, dead letters and analytics counters.

-- One row per (event, handler) whose effects were applied. Inserted in the same
-- transaction as the effects, so a redelivered or replayed event finds it and applies
-- nothing twice.
CREATE TABLE effects (
    event_id TEXT NOT NULL,
    -- The handler name as configured (notification, projection, forward:refunds...).
    handler TEXT NOT NULL,
    -- ms since the epoch.
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, handler)
) WITHOUT ROWID;

-- The projection's read model: one JSON document per entity, merged field by field by
-- the projection handler (see store::DocKind for the kinds and their ids).
CREATE TABLE read_model (
    -- booking, hold, user, role, parent_child, subscription, facility, resource.
    kind TEXT NOT NULL,
    -- The entity id (bookingId, userId...; composite ids are joined with `|`).
    id TEXT NOT NULL,
    -- The document, a JSON object with the seed's field names.
    doc TEXT NOT NULL,
    -- ms since the epoch of the last change.
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
-- Lookups such as "roles in facility F" or "parents of child C".
CREATE INDEX read_model_scope ON read_model (kind, json_extract(doc, '$.scopeId'));
CREATE INDEX read_model_child ON read_model (kind, json_extract(doc, '$.childId'));
-- Bookings by start time (reminders).
CREATE INDEX read_model_start ON read_model (kind, json_extract(doc, '$.startAt'));

-- Per-user notification preferences (seed 1's notificationPreference). A user without a
-- row has the defaults: every channel on, marketing and partner digests off.
CREATE TABLE preferences (
    user_id TEXT PRIMARY KEY,
    email_enabled INTEGER NOT NULL,
    push_enabled INTEGER NOT NULL,
    sms_enabled INTEGER NOT NULL,
    in_app_enabled INTEGER NOT NULL,
    marketing_enabled INTEGER NOT NULL,
    partner_digest_enabled INTEGER NOT NULL,
    -- ms since the epoch.
    updated_at INTEGER NOT NULL
);

-- Notifications created by the notification handler (seed 1's notificationsService
-- fields); channel senders pick up `pending` rows.
CREATE TABLE notifications (
    -- A time-ordered uuid (v7).
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    -- email, push, sms or in_app (seed 1 stores it as both `type` and `channel`).
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- JSON object: the template's variables.
    content TEXT NOT NULL,
    -- low, normal, high or urgent.
    priority TEXT NOT NULL,
    -- transactional, marketing or partner_digest.
    category TEXT NOT NULL,
    -- JSON object: eventId, eventType, bookingId...
    metadata TEXT NOT NULL,
    -- pending, sent or failed.
    status TEXT NOT NULL,
    -- The event and handler that created it.
    event_id TEXT NOT NULL,
    handler TEXT NOT NULL,
    -- ms since the epoch.
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_event ON notifications (event_id);
CREATE INDEX notifications_status ON notifications (status, created_at);

-- The seed's EventLog: one row per event the daemon saw...
CREATE TABLE event_log (
    event_id TEXT PRIMARY KEY,
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

-- ...and one row per handler run (`events trace`, `events tail`).
CREATE TABLE event_log_runs (
    -- Increasing position, for `events tail`.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    handler TEXT NOT NULL,
    -- success, failed, skipped or retrying.
    status TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    error TEXT,
    -- 1 for the first attempt.
    attempt INTEGER NOT NULL,
    -- ms since the epoch.
    at INTEGER NOT NULL
);
CREATE INDEX event_log_runs_event ON event_log_runs (event_id, handler, seq);

-- The seed's DeadLetterEntry: events whose handlers gave up, or that could not be read.
-- An event has at most one open entry; later failures append to it.
CREATE TABLE dead_letters (
    -- A time-ordered uuid (v7).
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The queue the event came from.
    queue TEXT NOT NULL,
    -- For `dlq replay --booking`.
    booking_id TEXT,
    -- The event as JSON, or NULL when it could not be parsed...
    event TEXT,
    -- ...in which case the raw payload (lossy UTF-8).
    raw TEXT,
    -- JSON array of the seed's EventProcessingError, oldest first.
    errors TEXT NOT NULL,
    -- JSON array of handler names that gave up; replay re-runs only these.
    failed_handlers TEXT NOT NULL,
    -- open or resolved.
    status TEXT NOT NULL,
    -- ms since the epoch.
    created_at INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    -- reprocessed, ignored or manual.
    resolution TEXT
);
CREATE INDEX dead_letters_status ON dead_letters (status, created_at);
CREATE INDEX dead_letters_event ON dead_letters (event_id, status);
CREATE INDEX dead_letters_booking ON dead_letters (booking_id);

-- Analytics: events per facility, type and UTC day.
CREATE TABLE analytics_counters (
    facility_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- YYYY-MM-DD, UTC.
    day TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (facility_id, event_type, day)
) WITHOUT ROWID;
