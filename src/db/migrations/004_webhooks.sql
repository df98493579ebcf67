-- Facility webhooks: the endpoints (seed 2's WebhookConfig) and one row per delivery
-- attempt (seed 2's WebhookDelivery).

-- One row per endpoint a facility registered.
CREATE TABLE webhooks (
    -- wh_ + a time-ordered uuid (v7), hex.
    id TEXT PRIMARY KEY,
    -- Only events of this facility are delivered here.
    facility_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    -- http:// or https:// URL the deliveries are sent to.
    url TEXT NOT NULL,
    -- POST or PUT.
    method TEXT NOT NULL,
    -- none, header, basic, bearer or signature (seed's authType).
    auth_type TEXT NOT NULL,
    -- JSON object with the seed's authConfig keys (headerName, headerValue, username,
    -- password, bearerToken); secret values, never shown unmasked after `webhook add`.
    auth_config TEXT NOT NULL,
    -- JSON array of subscribed event types.
    events TEXT NOT NULL,
    -- JSON object {resourceIds?, bookingTypes?}: an event must match every list given.
    filters TEXT NOT NULL,
    -- JSON object {maxRetries, retryDelayMs, backoffMultiplier}.
    retry_config TEXT NOT NULL,
    -- Signature headers sent: slotbase (X-SlotBase-*), standard (webhook-*) or both.
    signing_scheme TEXT NOT NULL,
    -- JSON object {current, previous: [{secret, until}]}: the signing secret and, during
    -- a rotation's grace period, the replaced ones with the Unix second they stop signing.
    secrets TEXT NOT NULL,
    -- JSON object of Liquid templates (Zapier-style payload mapping), or NULL to send the
    -- event itself.
    payload_mapping TEXT,
    -- 1 when deliveries are sent; 0 when disabled by an operator or automatically.
    is_active INTEGER NOT NULL,
    -- Why the endpoint is disabled (410 Gone, failing for days, an operator's note).
    disabled_reason TEXT,
    -- ms since the epoch of the last disable.
    disabled_at INTEGER,
    -- ms since the epoch of the first failed attempt with no success since; NULL when the
    -- last attempt succeeded. Drives the auto-disable after webhooks.disable_after.
    failing_since INTEGER,
    -- ms since the epoch.
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Fan-out looks endpoints up by facility.
CREATE INDEX webhooks_facility ON webhooks (facility_id);

-- One row per delivery attempt. A delivery (one event to one endpoint) keeps its id
-- across retries, replays and manual redeliveries; `attempt` numbers its attempts.
CREATE TABLE webhook_deliveries (
    -- The delivery id, derived from (event id, endpoint id); sent as
    -- X-SlotBase-Delivery-ID and webhook-id.
    id TEXT NOT NULL,
    -- 1 for the first attempt of this delivery (the seed's attemptCount).
    attempt INTEGER NOT NULL,
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- Where this attempt went (the endpoint's URL then, or a redeliver --to URL).
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    -- JSON object of the request headers, signatures and auth values masked.
    headers TEXT NOT NULL,
    -- The body sent, exactly.
    payload TEXT NOT NULL,
    -- HTTP status of the answer; NULL when there was none (timeout, refused, blocked).
    response_status INTEGER,
    -- JSON object of the response headers.
    response_headers TEXT,
    -- The first 20 KB of the response body.
    response_body TEXT,
    -- ms since the epoch of this delivery's first attempt.
    first_attempt_at INTEGER NOT NULL,
    -- ms since the epoch of this attempt.
    last_attempt_at INTEGER NOT NULL,
    -- ms since the epoch of the next scheduled attempt, when one is scheduled.
    next_retry_at INTEGER,
    -- delivered, retrying (another attempt is scheduled) or failed (no more attempts).
    status TEXT NOT NULL,
    -- Why the attempt failed.
    error_message TEXT,
    -- Time from sending the request to the end of the response.
    duration_ms INTEGER,
    -- scheduled (the daemon), replay (a dead letter replayed), manual (webhook
    -- redeliver) or test (webhook test).
    trigger TEXT NOT NULL,
    -- The queue job that made the attempt; its retry budget counts only its own
    -- attempts. NULL for attempts made from the command line.
    job_id TEXT,
    PRIMARY KEY (id, attempt)
) WITHOUT ROWID;
-- `webhook deliveries <endpoint>`, newest first.
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, last_attempt_at);
-- `events trace` and `webhook deliveries --event`.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
