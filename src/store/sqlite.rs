//! The store in the embedded SQLite file (tables in `db/migrations/002_store.sql`), on the
//! shared [`Db`] handle: writes on its writer thread, reads off the runtime.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use super::{
    DeadLetter, DeadLetterFilter, DocKind, Effect, EffectKey, EventLog, EventMeta, HandlerRun,
    LogLine, NewDeadLetter, Notification, NotificationFilter, ProcessingError, Result, Store,
    StoreError,
};
use crate::db::{Db, DbError};
use crate::notify::{Category, Channel, NotificationDraft, Preferences, Priority};
use crate::queue::now_ms;

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        StoreError::Backend(e.to_string())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Backend(format!("bad JSON in the store: {e}"))
    }
}

/// The store on the embedded SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    pub fn new(db: Db) -> Self {
        SqliteStore { db }
    }
}

fn apply_effect(
    tx: &Transaction<'_>,
    seq: i64,
    key: &EffectKey,
    effect: &Effect,
    now: i64,
) -> Result<()> {
    match effect {
        Effect::Notify(drafts) => {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO notifications (id, user_id, channel, template, subject, content,
                   priority, category, metadata, status, event_id, event_seq, handler,
                   created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?12, ?13)",
            )?;
            let mut prefs_stmt = tx.prepare_cached(&format!(
                "SELECT {PREFS_COLUMNS} FROM preferences WHERE user_id = ?1"
            ))?;
            let mut prefs: HashMap<String, Preferences> = HashMap::new();
            for d in drafts {
                if !prefs.contains_key(&d.user_id) {
                    let p = prefs_stmt
                        .query_row([&d.user_id], prefs_row)
                        .optional()?
                        .unwrap_or_else(|| Preferences::defaults(&d.user_id));
                    prefs.insert(d.user_id.clone(), p);
                }
                if !prefs[&d.user_id].allows(d.channel, d.category) {
                    continue;
                }
                stmt.execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    d.user_id,
                    d.channel.as_str(),
                    d.template,
                    d.subject,
                    crate::util::json_text(&d.content),
                    d.priority.as_str(),
                    category_str(d.category),
                    crate::util::json_text(&d.metadata),
                    key.event_id,
                    seq,
                    key.handler,
                    now
                ])?;
            }
        }
        Effect::Upsert { kind, id, fields } => {
            let current: Option<String> = tx
                .prepare_cached("SELECT doc FROM read_model WHERE kind = ?1 AND id = ?2")?
                .query_row(params![kind.as_str(), id], |r| r.get(0))
                .optional()?;
            let mut doc = match current {
                Some(text) => match serde_json::from_str::<Value>(&text)? {
                    Value::Object(m) => m,
                    _ => serde_json::Map::new(),
                },
                None => serde_json::Map::new(),
            };
            for (k, v) in fields {
                if v.is_null() {
                    doc.remove(k);
                } else {
                    doc.insert(k.clone(), v.clone());
                }
            }
            tx.prepare_cached(
                "INSERT INTO read_model (kind, id, doc, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
            )?
            .execute(params![
                kind.as_str(),
                id,
                crate::util::json_text(&Value::Object(doc)),
                now
            ])?;
        }
        Effect::Count {
            facility_id,
            event_type,
            day,
        } => {
            tx.prepare_cached(
                "INSERT INTO analytics_counters (facility_id, event_type, day, count)
                 VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (facility_id, event_type, day) DO UPDATE SET count = count + 1",
            )?
            .execute(params![facility_id, event_type, day])?;
        }
        Effect::Forwarded { .. } => {}
    }
    Ok(())
}

/// Insert the effect key and apply the effects, unless the key exists. Whether it was new.
fn apply_once(
    tx: &Transaction<'_>,
    seq: i64,
    key: &EffectKey,
    effects: &[Effect],
    now: i64,
) -> Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO effects (event_seq, handler, applied_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![seq, key.handler, now])?;
    if inserted == 0 {
        return Ok(false);
    }
    for effect in effects {
        apply_effect(tx, seq, key, effect, now)?;
    }
    Ok(true)
}

/// The event's log entry, created on first sight: its number (`event_log.seq`), and
/// whether this was the first sight.
fn insert_event_log(tx: &Transaction<'_>, meta: &EventMeta, now: i64) -> Result<(i64, bool)> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO event_log (event_id, event_type, timestamp, facility_id,
               user_id, booking_id, queue, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            meta.event_id,
            meta.event_type,
            meta.timestamp,
            meta.facility_id,
            meta.user_id,
            meta.booking_id,
            meta.queue,
            now
        ])?;
    if inserted == 1 {
        return Ok((tx.last_insert_rowid(), true));
    }
    let seq = event_seq(tx, &meta.event_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok((seq, false))
}

/// The number (`event_log.seq`) of an event seen before.
fn event_seq(conn: &rusqlite::Connection, event_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM event_log WHERE event_id = ?1")?
        .query_row([event_id], |r| r.get(0))
        .optional()?)
}

/// One run of a clean first pass in a batch row: handler, duration in ms, time (see
/// 008_first_pass_runs.sql).
type BatchRun<'a> = (std::borrow::Cow<'a, str>, u64, i64);

/// A run that a batch row can stand for: a success at the first attempt whose effect key
/// is the handler's own name.
fn batchable(key: &EffectKey, run: &HandlerRun) -> bool {
    run.status == "success" && run.error.is_none() && run.attempt == 1 && key.handler == run.handler
}

/// Log the runs of a clean first pass as one batch row.
fn insert_batch(
    tx: &Transaction<'_>,
    seq: i64,
    event_id: &str,
    runs: &[&HandlerRun],
) -> Result<()> {
    let batch: Vec<BatchRun<'_>> = runs
        .iter()
        .map(|r| (r.handler.as_str().into(), r.duration_ms, r.at))
        .collect();
    let summary = HandlerRun {
        handler: String::new(),
        status: "success".into(),
        duration_ms: runs.iter().map(|r| r.duration_ms).max().unwrap_or(0),
        error: None,
        attempt: 1,
        at: runs.iter().map(|r| r.at).max().unwrap_or(0),
    };
    insert_run_row(
        tx,
        seq,
        event_id,
        &summary,
        Some(&serde_json::to_string(&batch)?),
    )
}

/// The effect keys an event's clean first pass applied (none if it had no such pass).
fn batch_handlers(conn: &rusqlite::Connection, seq: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT batch FROM event_log_runs
         WHERE event_seq = ?1 AND handler = '' AND batch IS NOT NULL",
    )?;
    let mut out = Vec::new();
    for text in stmt.query_map([seq], |r| r.get::<_, String>(0))? {
        let runs: Vec<BatchRun<'_>> = serde_json::from_str(&text?)?;
        out.extend(runs.into_iter().map(|(h, _, _)| h.into_owned()));
    }
    Ok(out)
}

/// The runs a run row stands for: itself, or each run of a batch row.
fn expand_runs(run: HandlerRun, batch: Option<String>) -> Result<Vec<HandlerRun>> {
    let Some(text) = batch else {
        return Ok(vec![run]);
    };
    let runs: Vec<BatchRun<'_>> = serde_json::from_str(&text)?;
    Ok(runs
        .into_iter()
        .map(|(handler, duration_ms, at)| HandlerRun {
            handler: handler.into_owned(),
            status: "success".into(),
            duration_ms,
            error: None,
            attempt: 1,
            at,
        })
        .collect())
}

/// The number of an event seen before.
const EVENT_SEQ: &str = "(SELECT seq FROM event_log WHERE event_id = ?1)";

/// A notification filter on its event's id, through the event's number (one anonymous
/// parameter, for [`crate::db::where_all`]).
const BY_EVENT: &str = "event_seq = (SELECT seq FROM event_log WHERE event_id = ?)";

fn insert_run(tx: &Transaction<'_>, seq: i64, event_id: &str, run: &HandlerRun) -> Result<()> {
    insert_run_row(tx, seq, event_id, run, None)
}

fn insert_run_row(
    tx: &Transaction<'_>,
    seq: i64,
    event_id: &str,
    run: &HandlerRun,
    batch: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO event_log_runs (event_seq, event_id, handler, status, duration_ms, error,
           attempt, at, batch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        event_id,
        run.handler,
        run.status,
        run.duration_ms as i64,
        run.error,
        run.attempt,
        run.at,
        batch
    ])?;
    Ok(())
}

fn category_str(c: Category) -> &'static str {
    match c {
        Category::Transactional => "transactional",
        Category::Marketing => "marketing",
        Category::PartnerDigest => "partner_digest",
    }
}

fn parse_category(s: &str) -> Category {
    match s {
        "marketing" => Category::Marketing,
        "partner_digest" => Category::PartnerDigest,
        _ => Category::Transactional,
    }
}

fn parse_priority(s: &str) -> Priority {
    match s {
        "low" => Priority::Low,
        "high" => Priority::High,
        "urgent" => Priority::Urgent,
        _ => Priority::Normal,
    }
}

const NOTIFICATION_COLUMNS: &str = "id, user_id, channel, template, subject, content, priority, \
     category, metadata, status, event_id, handler, created_at, sent_at";

fn notification_row(r: &Row<'_>) -> rusqlite::Result<Notification> {
    let channel: String = r.get(2)?;
    let content: String = r.get(5)?;
    let priority: String = r.get(6)?;
    let category: String = r.get(7)?;
    let metadata: String = r.get(8)?;
    Ok(Notification {
        id: r.get(0)?,
        draft: NotificationDraft {
            user_id: r.get(1)?,
            channel: Channel::parse(&channel).unwrap_or(Channel::InApp),
            template: r.get(3)?,
            subject: r.get(4)?,
            content: serde_json::from_str(&content).unwrap_or(Value::Null),
            priority: parse_priority(&priority),
            category: parse_category(&category),
            metadata: serde_json::from_str(&metadata).unwrap_or(Value::Null),
        },
        status: r.get(9)?,
        event_id: r.get(10)?,
        handler: r.get(11)?,
        created_at: r.get(12)?,
        sent_at: r.get(13)?,
    })
}

fn prefs_row(r: &Row<'_>) -> rusqlite::Result<Preferences> {
    Ok(Preferences {
        user_id: r.get(0)?,
        email_enabled: r.get(1)?,
        push_enabled: r.get(2)?,
        sms_enabled: r.get(3)?,
        in_app_enabled: r.get(4)?,
        marketing_enabled: r.get(5)?,
        partner_digest_enabled: r.get(6)?,
    })
}

const PREFS_COLUMNS: &str = "user_id, email_enabled, push_enabled, sms_enabled, in_app_enabled, \
     marketing_enabled, partner_digest_enabled";

const DLQ_COLUMNS: &str = "id, event_id, event_type, queue, booking_id, event, raw, errors, \
     failed_handlers, status, created_at, last_attempt_at, resolved_at, resolved_by, resolution";

fn dead_letter_row(r: &Row<'_>) -> rusqlite::Result<DeadLetter> {
    let event: Option<String> = r.get(5)?;
    let errors: String = r.get(7)?;
    let failed: String = r.get(8)?;
    Ok(DeadLetter {
        id: r.get(0)?,
        event_id: r.get(1)?,
        event_type: r.get(2)?,
        queue: r.get(3)?,
        booking_id: r.get(4)?,
        event: event.and_then(|e| serde_json::from_str(&e).ok()),
        raw: r.get(6)?,
        errors: serde_json::from_str(&errors).unwrap_or_default(),
        failed_handlers: serde_json::from_str(&failed).unwrap_or_default(),
        status: r.get(9)?,
        created_at: r.get(10)?,
        last_attempt_at: r.get(11)?,
        resolved_at: r.get(12)?,
        resolved_by: r.get(13)?,
        resolution: r.get(14)?,
    })
}

/// The WHERE clause and parameters of a dead-letter filter.
fn dlq_where(f: &DeadLetterFilter) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let mut clauses = Vec::new();
    let mut args: Vec<V> = Vec::new();
    if !f.ids.is_empty() {
        let marks = vec!["?"; f.ids.len()].join(",");
        clauses.push(format!("id IN ({marks})"));
        args.extend(f.ids.iter().map(|i| V::Text(i.clone())));
    }
    if let Some(t) = &f.event_type {
        clauses.push("event_type = ?".into());
        args.push(V::Text(t.clone()));
    }
    if let Some(b) = &f.booking_id {
        clauses.push("booking_id = ?".into());
        args.push(V::Text(b.clone()));
    }
    if let Some(s) = f.since {
        clauses.push("created_at >= ?".into());
        args.push(rusqlite::types::Value::Integer(s));
    }
    if let Some(u) = f.until {
        clauses.push("created_at < ?".into());
        args.push(rusqlite::types::Value::Integer(u));
    }
    if let Some(s) = &f.status {
        clauses.push("status = ?".into());
        args.push(V::Text(s.clone()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

#[async_trait]
impl Store for SqliteStore {
    async fn record(
        &self,
        meta: &EventMeta,
        applied: Vec<(EffectKey, Vec<Effect>, HandlerRun)>,
        failed: Vec<HandlerRun>,
    ) -> Result<Vec<bool>> {
        // The writer borrows the event's effects and this task frees them: after a
        // successful run the writer drops its handle before it answers (a failed one may
        // free them itself). Value trees freed on the thread that built them cost the
        // allocator less, and the writer is the daemon's one serial stage.
        let input = Arc::new((meta.clone(), applied, failed));
        let lent = input.clone();
        let out = self
            .db
            .write_rerunnable(move |tx| {
                let (meta, applied, failed) = &*lent;
                let now = now_ms();
                let (seq, first_sight) = insert_event_log(tx, meta, now)?;
                // The common case: a new event whose handlers all succeeded at once. Its
                // effects cannot have been applied before, and one batch row logs it.
                if first_sight
                    && failed.is_empty()
                    && !applied.is_empty()
                    && applied.iter().all(|(key, _, run)| batchable(key, run))
                {
                    for (key, effects, _) in applied {
                        for effect in effects {
                            apply_effect(tx, seq, key, effect, now)?;
                        }
                    }
                    let runs: Vec<&HandlerRun> = applied.iter().map(|(_, _, run)| run).collect();
                    insert_batch(tx, seq, &meta.event_id, &runs)?;
                    return Ok(vec![true; applied.len()]);
                }
                let in_batch = if first_sight {
                    Vec::new()
                } else {
                    batch_handlers(tx, seq)?
                };
                let mut fresh = Vec::with_capacity(applied.len());
                for (key, effects, run) in applied {
                    let new =
                        !in_batch.contains(&key.handler) && apply_once(tx, seq, key, effects, now)?;
                    if new {
                        insert_run(tx, seq, &meta.event_id, run)?;
                    } else {
                        let skipped = HandlerRun {
                            status: "skipped".into(),
                            ..run.clone()
                        };
                        insert_run(tx, seq, &meta.event_id, &skipped)?;
                    }
                    fresh.push(new);
                }
                for run in failed {
                    insert_run(tx, seq, &meta.event_id, run)?;
                }
                Ok(fresh)
            })
            .await;
        drop(input);
        out
    }

    async fn applied(&self, event_id: &str) -> Result<Vec<String>> {
        let id = event_id.to_string();
        self.db
            .read(move |tx| {
                let Some(seq) = event_seq(tx, &id)? else {
                    return Ok(Vec::new());
                };
                let mut stmt =
                    tx.prepare_cached("SELECT handler FROM effects WHERE event_seq = ?1")?;
                let mut done = stmt
                    .query_map([seq], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                done.extend(batch_handlers(tx, seq)?);
                Ok(done)
            })
            .await
    }

    async fn doc(&self, kind: DocKind, id: &str) -> Result<Option<Value>> {
        let id = id.to_string();
        self.db
            .read(move |tx| {
                let text: Option<String> = tx
                    .prepare_cached("SELECT doc FROM read_model WHERE kind = ?1 AND id = ?2")?
                    .query_row(params![kind.as_str(), id], |r| r.get(0))
                    .optional()?;
                Ok(match text {
                    Some(t) => Some(serde_json::from_str::<Value>(&t)?),
                    None => None,
                })
            })
            .await
    }

    async fn docs_where(&self, kind: DocKind, field: &str, value: &str) -> Result<Vec<Value>> {
        if !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Invalid(format!("bad field name {field}")));
        }
        let path = format!("$.{field}");
        // The partial indexes of 005_event_seq.sql; without table statistics the planner
        // would rather scan every document of the kind.
        let index = match field {
            "scopeId" => " INDEXED BY read_model_scope",
            "childId" => " INDEXED BY read_model_child",
            _ => "",
        };
        let value = value.to_string();
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT doc FROM read_model{index} WHERE kind = ?1
                       AND json_extract(doc, '{path}') = ?2
                       AND json_extract(doc, '{path}') IS NOT NULL"
                ))?;
                let rows =
                    stmt.query_map(params![kind.as_str(), value], |r| r.get::<_, String>(0))?;
                let mut out = Vec::new();
                for text in rows {
                    out.push(serde_json::from_str(&text?)?);
                }
                Ok(out)
            })
            .await
    }

    async fn preferences(&self, user_ids: &[String]) -> Result<HashMap<String, Preferences>> {
        let ids = user_ids.to_vec();
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {PREFS_COLUMNS} FROM preferences WHERE user_id = ?1"
                ))?;
                let mut out = HashMap::new();
                for id in ids {
                    let p = stmt
                        .query_row([&id], prefs_row)
                        .optional()?
                        .unwrap_or_else(|| Preferences::defaults(&id));
                    out.insert(id, p);
                }
                Ok(out)
            })
            .await
    }

    async fn set_preferences(&self, p: &Preferences) -> Result<()> {
        let p = p.clone();
        self.db
            .write(move |tx| {
                tx.execute(
                    &format!(
                        "INSERT INTO preferences ({PREFS_COLUMNS}, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (user_id) DO UPDATE SET email_enabled = excluded.email_enabled,
                           push_enabled = excluded.push_enabled, sms_enabled = excluded.sms_enabled,
                           in_app_enabled = excluded.in_app_enabled,
                           marketing_enabled = excluded.marketing_enabled,
                           partner_digest_enabled = excluded.partner_digest_enabled,
                           updated_at = excluded.updated_at"
                    ),
                    params![
                        p.user_id,
                        p.email_enabled,
                        p.push_enabled,
                        p.sms_enabled,
                        p.in_app_enabled,
                        p.marketing_enabled,
                        p.partner_digest_enabled,
                        now_ms()
                    ],
                )?;
                Ok(())
            })
            .await
    }

    async fn list_preferences(&self) -> Result<Vec<Preferences>> {
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {PREFS_COLUMNS} FROM preferences ORDER BY user_id"
                ))?;
                let rows = stmt.query_map([], prefs_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn notifications(&self, f: &NotificationFilter) -> Result<Vec<Notification>> {
        // Notifications are indexed by their event's number (see 007_append_only_rows.sql).
        let (wh, mut args) = crate::db::where_all(&[
            ("user_id = ?", &f.user_id),
            ("status = ?", &f.status),
            ("template = ?", &f.template),
            (BY_EVENT, &f.event_id),
        ]);
        let limit = if f.limit == 0 { -1 } else { f.limit as i64 };
        args.push(rusqlite::types::Value::Integer(limit));
        args.push(rusqlite::types::Value::Integer(f.offset as i64));
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare(&format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM notifications{wh}
                     ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
                ))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), notification_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn notification(&self, id: &str) -> Result<Option<Notification>> {
        let id = id.to_string();
        self.db
            .read(move |tx| {
                Ok(tx
                    .prepare_cached(&format!(
                        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = ?1"
                    ))?
                    .query_row([id], notification_row)
                    .optional()?)
            })
            .await
    }

    async fn log_run(&self, meta: &EventMeta, run: &HandlerRun) -> Result<u32> {
        let meta = meta.clone();
        let run = run.clone();
        self.db
            .write(move |tx| {
                let (seq, _) = insert_event_log(tx, &meta, now_ms())?;
                insert_run(tx, seq, &meta.event_id, &run)?;
                let failures: u32 = tx
                    .prepare_cached(
                        "SELECT count(*) FROM event_log_runs
                         WHERE event_seq = ?1 AND handler = ?2 AND status IN ('failed', 'retrying')",
                    )?
                    .query_row(params![seq, run.handler], |r| r.get(0))?;
                Ok(failures)
            })
            .await
    }

    async fn event_log(&self, event_id: &str) -> Result<Option<EventLog>> {
        let id = event_id.to_string();
        self.db
            .read(move |tx| {
                let head = tx
                    .prepare_cached(
                        "SELECT event_id, event_type, timestamp, facility_id, user_id, booking_id,
                           queue, received_at, seq FROM event_log WHERE event_id = ?1",
                    )?
                    .query_row([&id], |r| {
                        Ok((
                            EventMeta {
                                event_id: r.get(0)?,
                                event_type: r.get(1)?,
                                timestamp: r.get(2)?,
                                facility_id: r.get(3)?,
                                user_id: r.get(4)?,
                                booking_id: r.get(5)?,
                                queue: r.get(6)?,
                            },
                            r.get::<_, i64>(7)?,
                            r.get::<_, i64>(8)?,
                        ))
                    })
                    .optional()?;
                let Some((meta, received_at, seq)) = head else {
                    return Ok(None);
                };
                let mut stmt = tx.prepare_cached(
                    "SELECT handler, status, duration_ms, error, attempt, at, batch
                     FROM event_log_runs WHERE event_seq = ?1 ORDER BY seq",
                )?;
                let rows = stmt
                    .query_map([seq], |r| Ok((run_row(r)?, r.get(6)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut runs = Vec::with_capacity(rows.len());
                for (run, batch) in rows {
                    runs.extend(expand_runs(run, batch)?);
                }
                Ok(Some(EventLog {
                    meta,
                    received_at,
                    handlers: runs,
                }))
            })
            .await
    }

    async fn log_tail(&self, after_seq: i64, limit: u64) -> Result<Vec<LogLine>> {
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare_cached(
                    "SELECT r.handler, r.status, r.duration_ms, r.error, r.attempt, r.at, r.seq,
                       r.event_id, coalesce(l.event_type, ''), r.batch
                     FROM event_log_runs r LEFT JOIN event_log l ON l.seq = r.event_seq
                     WHERE r.seq > ?1 ORDER BY r.seq LIMIT ?2",
                )?;
                let rows = stmt
                    .query_map(params![after_seq, limit as i64], |r| {
                        Ok((
                            run_row(r)?,
                            r.get::<_, i64>(6)?,
                            r.get::<_, String>(7)?,
                            r.get::<_, String>(8)?,
                            r.get::<_, Option<String>>(9)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                // A batch row's runs share its position.
                let mut lines = Vec::with_capacity(rows.len());
                for (run, seq, event_id, event_type, batch) in rows {
                    for run in expand_runs(run, batch)? {
                        lines.push(LogLine {
                            run,
                            seq,
                            event_id: event_id.clone(),
                            event_type: event_type.clone(),
                        });
                    }
                }
                Ok(lines)
            })
            .await
    }

    async fn handler_errors(&self, event_id: &str, handler: &str) -> Result<Vec<ProcessingError>> {
        let (id, h) = (event_id.to_string(), handler.to_string());
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT error, attempt, at FROM event_log_runs
                     WHERE event_seq = {EVENT_SEQ} AND handler = ?2
                       AND status IN ('failed', 'retrying')
                     ORDER BY seq"
                ))?;
                let rows = stmt.query_map(params![id, h], |r| {
                    Ok(ProcessingError {
                        handler_name: h.clone(),
                        message: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        code: "handler_failed".into(),
                        attempt_count: r.get(1)?,
                        max_retries: 0,
                        at: r.get(2)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn dead_letter(&self, entry: NewDeadLetter) -> Result<String> {
        self.db
            .write(move |tx| {
                let now = now_ms();
                let open: Option<(String, String, String)> = tx
                    .prepare_cached(
                        "SELECT id, errors, failed_handlers FROM dead_letters
                         WHERE event_id = ?1 AND status = 'open' LIMIT 1",
                    )?
                    .query_row([&entry.meta.event_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                if let Some((id, errors, failed)) = open {
                    let mut errs: Vec<ProcessingError> = serde_json::from_str(&errors)?;
                    errs.extend(entry.errors);
                    let mut handlers: Vec<String> = serde_json::from_str(&failed)?;
                    for h in entry.failed_handlers {
                        if !handlers.contains(&h) {
                            handlers.push(h);
                        }
                    }
                    tx.execute(
                        "UPDATE dead_letters SET errors = ?1, failed_handlers = ?2, last_attempt_at = ?3
                         WHERE id = ?4",
                        params![
                            serde_json::to_string(&errs)?,
                            serde_json::to_string(&handlers)?,
                            now,
                            id
                        ],
                    )?;
                    return Ok(id);
                }
                let id = uuid::Uuid::now_v7().to_string();
                tx.execute(
                    &format!(
                        "INSERT INTO dead_letters ({DLQ_COLUMNS}) VALUES
                         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open', ?10, ?10, NULL, NULL, NULL)"
                    ),
                    params![
                        id,
                        entry.meta.event_id,
                        entry.meta.event_type,
                        entry.meta.queue,
                        entry.meta.booking_id,
                        entry.event.as_ref().map(|e| e.to_string()),
                        entry.raw,
                        serde_json::to_string(&entry.errors)?,
                        serde_json::to_string(&entry.failed_handlers)?,
                        now
                    ],
                )?;
                Ok(id)
            })
            .await
    }

    async fn dead_letters(&self, f: &DeadLetterFilter) -> Result<Vec<DeadLetter>> {
        let (wh, mut args) = dlq_where(f);
        let limit = if f.limit == 0 { -1 } else { f.limit as i64 };
        args.push(rusqlite::types::Value::Integer(limit));
        args.push(rusqlite::types::Value::Integer(f.offset as i64));
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare(&format!(
                    "SELECT {DLQ_COLUMNS} FROM dead_letters{wh} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
                ))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), dead_letter_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn get_dead_letter(&self, id: &str) -> Result<Option<DeadLetter>> {
        let id = id.to_string();
        self.db
            .read(move |tx| {
                Ok(tx
                    .prepare_cached(&format!(
                        "SELECT {DLQ_COLUMNS} FROM dead_letters WHERE id = ?1"
                    ))?
                    .query_row([id], dead_letter_row)
                    .optional()?)
            })
            .await
    }

    async fn resolve_dead_letters(
        &self,
        ids: &[String],
        resolution: &str,
        by: &str,
    ) -> Result<u64> {
        let (ids, resolution, by) = (ids.to_vec(), resolution.to_string(), by.to_string());
        self.db
            .write(move |tx| {
                let now = now_ms();
                let mut stmt = tx.prepare_cached(
                    "UPDATE dead_letters SET status = 'resolved', resolution = ?1, resolved_by = ?2,
                       resolved_at = ?3 WHERE id = ?4 AND status = 'open'",
                )?;
                let mut n = 0;
                for id in ids {
                    n += stmt.execute(params![resolution, by, now, id])? as u64;
                }
                Ok(n)
            })
            .await
    }

    async fn purge_dead_letters(&self, ids: &[String]) -> Result<u64> {
        let ids = ids.to_vec();
        self.db
            .write(move |tx| {
                let mut stmt = tx.prepare_cached("DELETE FROM dead_letters WHERE id = ?1")?;
                let mut n = 0;
                for id in ids {
                    n += stmt.execute([id])? as u64;
                }
                Ok(n)
            })
            .await
    }

    async fn open_dead_letters(&self) -> Result<u64> {
        self.db
            .read(move |tx| {
                Ok(tx
                    .prepare_cached("SELECT count(*) FROM dead_letters WHERE status = 'open'")?
                    .query_row([], |r| r.get::<_, i64>(0))? as u64)
            })
            .await
    }

    async fn counters(
        &self,
        facility_id: Option<&str>,
    ) -> Result<Vec<(String, String, String, u64)>> {
        let fac = facility_id.map(str::to_string);
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare_cached(
                    "SELECT facility_id, event_type, day, count FROM analytics_counters
                     WHERE ?1 IS NULL OR facility_id = ?1 ORDER BY day, facility_id, event_type",
                )?;
                let rows = stmt.query_map([fac], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? as u64))
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    fn webhooks(&self) -> Option<std::sync::Arc<dyn crate::webhook::store::WebhookStore>> {
        Some(std::sync::Arc::new(
            crate::webhook::store::SqliteWebhooks::new(self.db.clone()),
        ))
    }

    async fn ping(&self) -> Result<()> {
        self.db
            .read(|tx| {
                Ok(tx
                    .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                    .map(|_| ())?)
            })
            .await
    }
}

fn run_row(r: &Row<'_>) -> rusqlite::Result<HandlerRun> {
    Ok(HandlerRun {
        handler: r.get(0)?,
        status: r.get(1)?,
        duration_ms: r.get::<_, i64>(2)? as u64,
        error: r.get(3)?,
        attempt: r.get(4)?,
        at: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::db::Db;

    async fn store() -> (tempfile::TempDir, Db, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("s.db"), Duration::from_secs(5))
            .await
            .unwrap();
        (dir, db.clone(), SqliteStore::new(db))
    }

    fn meta(event_id: &str) -> EventMeta {
        EventMeta {
            event_id: event_id.into(),
            event_type: "booking.confirmed".into(),
            timestamp: None,
            facility_id: Some("F1".into()),
            user_id: None,
            booking_id: Some("B1".into()),
            queue: "notifications".into(),
        }
    }

    fn run(handler: &str, status: &str, attempt: u32, error: Option<&str>) -> HandlerRun {
        HandlerRun {
            handler: handler.into(),
            status: status.into(),
            duration_ms: 3,
            error: error.map(str::to_string),
            attempt,
            at: 1_000 + attempt as i64,
        }
    }

    fn key(event_id: &str, handler: &str) -> EffectKey {
        EffectKey {
            event_id: event_id.into(),
            handler: handler.into(),
        }
    }

    /// A projection effect of `handler` that counts its applications in the document.
    fn applied_once(event_id: &str, handler: &str) -> (EffectKey, Vec<Effect>, HandlerRun) {
        let mut fields = serde_json::Map::new();
        fields.insert(format!("by_{handler}"), json!(true));
        (
            key(event_id, handler),
            vec![
                Effect::Upsert {
                    kind: DocKind::Booking,
                    id: "B1".into(),
                    fields,
                },
                Effect::Count {
                    facility_id: "F1".into(),
                    event_type: "booking.confirmed".into(),
                    day: "2026-11-26".into(),
                },
            ],
            run(handler, "success", 1, None),
        )
    }

    async fn counted(db: &Db) -> i64 {
        db.read(|tx| {
            Ok::<_, StoreError>(tx.query_row(
                "SELECT coalesce(sum(count), 0) FROM analytics_counters",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap()
    }

    async fn rows(db: &Db, table: &'static str) -> i64 {
        db.read(move |tx| {
            Ok::<_, StoreError>(tx.query_row(
                &format!("SELECT count(*) FROM {table}"),
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap()
    }

    fn statuses(runs: &[HandlerRun]) -> Vec<(String, String, u32)> {
        runs.iter()
            .map(|r| (r.handler.clone(), r.status.clone(), r.attempt))
            .collect()
    }

    #[tokio::test]
    async fn a_clean_first_pass_is_logged_once_and_still_applied_exactly_once() {
        let (_dir, db, store) = store().await;
        let handlers = ["notification", "projection", "analytics"];
        let pass = || handlers.iter().map(|h| applied_once("e1", h)).collect();
        assert_eq!(
            store.record(&meta("e1"), pass(), vec![]).await.unwrap(),
            [true, true, true]
        );
        // One log row and no effect keys stand for the whole pass...
        assert_eq!(rows(&db, "event_log_runs").await, 1);
        assert_eq!(rows(&db, "effects").await, 0);
        // ...yet every reader sees each handler's run.
        let mut applied = store.applied("e1").await.unwrap();
        applied.sort();
        assert_eq!(applied, ["analytics", "notification", "projection"]);
        let log = store.event_log("e1").await.unwrap().unwrap();
        assert_eq!(
            statuses(&log.handlers),
            handlers.map(|h| (h.to_string(), "success".to_string(), 1))
        );
        assert!(
            log.handlers
                .iter()
                .all(|r| r.duration_ms == 3 && r.at == 1_001)
        );
        let tail = store.log_tail(0, 10).await.unwrap();
        let lines: Vec<_> = tail.iter().map(|l| l.run.handler.as_str()).collect();
        assert_eq!(lines, handlers);
        assert!(
            tail.iter()
                .all(|l| l.event_id == "e1" && l.seq == tail[0].seq)
        );
        assert_eq!(counted(&db).await, 3);

        // Redelivered: every handler is found applied, nothing happens twice, and the
        // skipped runs follow the pass in the log.
        assert_eq!(
            store.record(&meta("e1"), pass(), vec![]).await.unwrap(),
            [false, false, false]
        );
        assert_eq!(counted(&db).await, 3);
        let log = store.event_log("e1").await.unwrap().unwrap();
        assert_eq!(log.handlers.len(), 6);
        assert!(log.handlers[3..].iter().all(|r| r.status == "skipped"));
        let tail = store.log_tail(tail[0].seq, 10).await.unwrap();
        assert_eq!(tail.len(), 3, "only the runs after the pass");

        // A handler the registry gained since is applied, once.
        let later = vec![applied_once("e1", "forward:refunds")];
        assert_eq!(
            store
                .record(&meta("e1"), later.clone(), vec![])
                .await
                .unwrap(),
            [true]
        );
        assert_eq!(
            store.record(&meta("e1"), later, vec![]).await.unwrap(),
            [false]
        );
        assert_eq!(counted(&db).await, 4);
        assert_eq!(store.applied("e1").await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn a_first_pass_with_a_failure_is_logged_run_by_run() {
        let (_dir, db, store) = store().await;
        let failed = run("forward:refunds", "retrying", 1, Some("refused"));
        assert_eq!(
            store
                .record(
                    &meta("e2"),
                    vec![applied_once("e2", "projection")],
                    vec![failed]
                )
                .await
                .unwrap(),
            [true]
        );
        assert_eq!(rows(&db, "effects").await, 1);
        let errors = store.handler_errors("e2", "forward:refunds").await.unwrap();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "refused");

        // The retry applies the failed handler only; its run is attempt 2.
        let mut retried = applied_once("e2", "forward:refunds");
        retried.2 = run("forward:refunds", "success", 2, None);
        assert_eq!(
            store
                .record(&meta("e2"), vec![retried], vec![])
                .await
                .unwrap(),
            [true]
        );
        let mut applied = store.applied("e2").await.unwrap();
        applied.sort();
        assert_eq!(applied, ["forward:refunds", "projection"]);
        let log = store.event_log("e2").await.unwrap().unwrap();
        assert_eq!(
            statuses(&log.handlers),
            [
                ("projection".into(), "success".into(), 1),
                ("forward:refunds".into(), "retrying".into(), 1),
                ("forward:refunds".into(), "success".into(), 2),
            ]
        );
        assert_eq!(counted(&db).await, 2);
        assert!(store.applied("no-such-event").await.unwrap().is_empty());
    }
}
