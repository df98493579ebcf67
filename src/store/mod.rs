//! The daemon's store: effects recorded exactly once, the read model, preferences,
//! notifications, the event log and dead letters.
//!
//! Handlers never touch storage directly: they return [`Effect`]s, and the processor hands
//! them to [`Store::apply`] together with the (event id, handler) key, which records the key
//! and the effects in one transaction. A redelivered or replayed event therefore never
//! creates a second notification or projection update. The trait keeps handlers independent
//! of the engine: the embedded SQLite store implements it, and a PostgreSQL store can too.

pub mod sqlite;

use std::collections::HashMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::notify::{NotificationDraft, Preferences};

/// Open the configured store: the embedded SQLite file at `store.path`.
pub async fn open(
    settings: &crate::settings::Settings,
) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    let db = crate::db::Db::open(
        &settings.store_path()?,
        std::time::Duration::from_millis(settings.store.busy_timeout_ms),
    )
    .await
    .map_err(|e| anyhow::anyhow!("opening the store: {e}"))?;
    Ok(std::sync::Arc::new(sqlite::SqliteStore::new(db)))
}

/// Errors of a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Backend(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Identifies one handler's effect for one event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EffectKey {
    pub event_id: String,
    pub handler: String,
}

/// The kinds of read-model documents the projection keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Booking,
    Hold,
    User,
    /// id = `<userId>|<scopeType>|<scopeId>|<role>`.
    Role,
    /// id = `<parentId>|<childId>`.
    ParentChild,
    Subscription,
    Facility,
    Resource,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Booking => "booking",
            DocKind::Hold => "hold",
            DocKind::User => "user",
            DocKind::Role => "role",
            DocKind::ParentChild => "parent_child",
            DocKind::Subscription => "subscription",
            DocKind::Facility => "facility",
            DocKind::Resource => "resource",
        }
    }
}

/// One change a handler wants made.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Create these notification rows (status `pending`), each only if its recipient's
    /// preferences, as they are when the effect is recorded, allow its channel and
    /// category.
    Notify(Vec<NotificationDraft>),
    /// Merge these fields into a read-model document (created if absent). Fields set to
    /// null are removed.
    Upsert {
        kind: DocKind,
        id: String,
        fields: serde_json::Map<String, Value>,
    },
    /// Add one to the analytics counter of (facility, event type, UTC day `YYYY-MM-DD`).
    Count {
        facility_id: String,
        event_type: String,
        day: String,
    },
    /// The event was pushed onto another queue as this job (recorded for traces).
    Forwarded { queue: String, job_id: String },
}

/// A created notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    #[serde(flatten)]
    pub draft: NotificationDraft,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub event_id: String,
    pub handler: String,
    /// ms since the epoch.
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Filters of `notifications list`.
#[derive(Clone, Debug, Default)]
pub struct NotificationFilter {
    pub user_id: Option<String>,
    pub status: Option<String>,
    pub template: Option<String>,
    pub event_id: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

/// What we know of an event for logs and dead letters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMeta {
    pub event_id: String,
    pub event_type: String,
    /// The event's own timestamp, as given.
    pub timestamp: Option<String>,
    pub facility_id: Option<String>,
    pub user_id: Option<String>,
    pub booking_id: Option<String>,
    /// The queue the event came from.
    pub queue: String,
}

/// One handler run, for the event log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandlerRun {
    pub handler: String,
    /// `success`, `failed`, `skipped` (already applied) or `retrying`.
    pub status: String,
    pub duration_ms: u64,
    pub error: Option<String>,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// ms since the epoch.
    pub at: i64,
}

/// The seed's EventLog: an event and each handler's runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventLog {
    #[serde(flatten)]
    pub meta: EventMeta,
    /// ms since the epoch of the first time the daemon saw the event.
    pub received_at: i64,
    pub handlers: Vec<HandlerRun>,
}

/// One line of the live log (`events tail`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Increasing position, to resume from.
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    #[serde(flatten)]
    pub run: HandlerRun,
}

/// The seed's EventProcessingError.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessingError {
    pub handler_name: String,
    pub message: String,
    /// A short machine-readable code: `handler_failed`, `malformed_json`, `unknown_type`,
    /// `invalid_event`, `payload_too_large`, `missing_id`.
    pub code: String,
    pub attempt_count: u32,
    pub max_retries: u32,
    /// ms since the epoch.
    pub at: i64,
}

/// A new dead letter (or more errors for an open one of the same event).
#[derive(Clone, Debug, PartialEq)]
pub struct NewDeadLetter {
    pub meta: EventMeta,
    /// The event as JSON, or `None` when it could not be parsed.
    pub event: Option<Value>,
    /// The raw bytes when the event could not be parsed (lossy UTF-8).
    pub raw: Option<String>,
    /// Every error of the handlers that gave up (all their attempts).
    pub errors: Vec<ProcessingError>,
    /// The handlers that gave up; replay re-runs only these. Empty for unreadable events.
    pub failed_handlers: Vec<String>,
}

/// The seed's DeadLetterEntry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub queue: String,
    pub booking_id: Option<String>,
    pub event: Option<Value>,
    pub raw: Option<String>,
    pub errors: Vec<ProcessingError>,
    pub failed_handlers: Vec<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// ms since the epoch.
    pub created_at: i64,
    pub last_attempt_at: i64,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    /// `reprocessed`, `ignored` or `manual`.
    pub resolution: Option<String>,
}

/// Which dead letters a command acts on.
#[derive(Clone, Debug, Default)]
pub struct DeadLetterFilter {
    pub ids: Vec<String>,
    pub event_type: Option<String>,
    pub booking_id: Option<String>,
    /// ms since the epoch (inclusive).
    pub since: Option<i64>,
    /// ms since the epoch (exclusive).
    pub until: Option<i64>,
    /// `open`, `resolved`, or `None` for both.
    pub status: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

/// The daemon's store.
#[async_trait]
pub trait Store: Send + Sync {
    /// Record what one pass over an event did, in one transaction: for each applied
    /// handler, its key and effects (skipped when the key exists) and its run; for each
    /// failed handler, its run. Returns, per applied handler, whether it was fresh.
    async fn record(
        &self,
        meta: &EventMeta,
        applied: Vec<(EffectKey, Vec<Effect>, HandlerRun)>,
        failed: Vec<HandlerRun>,
    ) -> Result<Vec<bool>>;

    /// The handlers already applied for an event.
    async fn applied(&self, event_id: &str) -> Result<Vec<String>>;

    /// A read-model document.
    async fn doc(&self, kind: DocKind, id: &str) -> Result<Option<Value>>;

    /// Read-model documents of a kind whose top-level `field` equals `value`.
    async fn docs_where(&self, kind: DocKind, field: &str, value: &str) -> Result<Vec<Value>>;

    /// Preferences of these users (defaults for users who set none).
    async fn preferences(&self, user_ids: &[String]) -> Result<HashMap<String, Preferences>>;
    async fn set_preferences(&self, prefs: &Preferences) -> Result<()>;
    /// Users who set preferences.
    async fn list_preferences(&self) -> Result<Vec<Preferences>>;

    async fn notifications(&self, filter: &NotificationFilter) -> Result<Vec<Notification>>;
    async fn notification(&self, id: &str) -> Result<Option<Notification>>;

    /// Record a handler run in the event log (creating the event's entry on first sight).
    /// Returns how many failed runs the handler has for this event, this one included.
    async fn log_run(&self, meta: &EventMeta, run: &HandlerRun) -> Result<u32>;
    /// An event's log, with every handler run.
    async fn event_log(&self, event_id: &str) -> Result<Option<EventLog>>;
    /// Log lines after `after_seq` (oldest first), at most `limit`.
    async fn log_tail(&self, after_seq: i64, limit: u64) -> Result<Vec<LogLine>>;
    /// Failed runs of (event, handler), as processing errors, oldest first.
    async fn handler_errors(&self, event_id: &str, handler: &str) -> Result<Vec<ProcessingError>>;

    /// Add a dead letter; if the event already has an open entry, append the errors and
    /// failed handlers to it. Returns the entry's id.
    async fn dead_letter(&self, entry: NewDeadLetter) -> Result<String>;
    async fn dead_letters(&self, filter: &DeadLetterFilter) -> Result<Vec<DeadLetter>>;
    async fn get_dead_letter(&self, id: &str) -> Result<Option<DeadLetter>>;
    /// Mark entries resolved. Returns how many changed (open ones only).
    async fn resolve_dead_letters(&self, ids: &[String], resolution: &str, by: &str)
    -> Result<u64>;
    /// Delete entries. Returns how many.
    async fn purge_dead_letters(&self, ids: &[String]) -> Result<u64>;
    /// Open entries.
    async fn open_dead_letters(&self) -> Result<u64>;

    /// Analytics counters: (facility, type, day) → count.
    async fn counters(
        &self,
        facility_id: Option<&str>,
    ) -> Result<Vec<(String, String, String, u64)>>;

    /// Whether the store answers (for /readyz).
    async fn ping(&self) -> Result<()>;

    /// Webhook endpoints and delivery attempts, when this store keeps them.
    fn webhooks(&self) -> Option<std::sync::Arc<dyn crate::webhook::store::WebhookStore>> {
        None
    }
}
