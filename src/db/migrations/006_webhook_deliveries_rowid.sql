-- Delivery attempts move to an ordinary (rowid) table.
--
-- An attempt row carries the body sent and the headers both ways, a few KB: too large
-- for a WITHOUT ROWID table, whose rows live in its primary-key b-tree and spill every
-- byte beyond about a kilobyte into overflow pages of their own. Keyed by the random
-- delivery id, each insert also landed on a random page. As a rowid table, new rows
-- are appended together on the last pages and only the small key index takes random
-- inserts, which makes recording an attempt several times cheaper in pages written.
-- Columns and their meaning are unchanged (see 004_webhooks.sql).

CREATE TABLE webhook_deliveries_next (
    id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    headers TEXT NOT NULL,
    payload TEXT NOT NULL,
    response_status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    first_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL,
    next_retry_at INTEGER,
    status TEXT NOT NULL,
    error_message TEXT,
    duration_ms INTEGER,
    trigger TEXT NOT NULL,
    job_id TEXT,
    -- The delivery id and its attempt number still identify an attempt.
    UNIQUE (id, attempt)
);
INSERT INTO webhook_deliveries_next (
    id, attempt, webhook_id, event_id, event_type, url, method, headers, payload,
    response_status, response_headers, response_body, first_attempt_at, last_attempt_at,
    next_retry_at, status, error_message, duration_ms, trigger, job_id)
SELECT
    id, attempt, webhook_id, event_id, event_type, url, method, headers, payload,
    response_status, response_headers, response_body, first_attempt_at, last_attempt_at,
    next_retry_at, status, error_message, duration_ms, trigger, job_id
FROM webhook_deliveries
ORDER BY last_attempt_at, id, attempt;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_next RENAME TO webhook_deliveries;
-- `webhook deliveries <endpoint>`, newest first.
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, last_attempt_at);
-- `events trace` and `webhook deliveries --event`.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
