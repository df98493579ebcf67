//! Where endpoints and delivery attempts live: the [`WebhookStore`] trait and its SQLite
//! implementation on the shared [`Db`] (tables in `db/migrations/003_webhooks.sql`).
//!
//! Recording an attempt also keeps the endpoint's failure clock (`failing_since`) in the
//! same transaction, so the auto-disable decision never races with a success recorded by
//! another process.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};
use serde_json::{Map, Value, json};

use super::endpoint::{
    AuthConfig, AuthType, Endpoint, Filters, Method, RetryConfig, SigningScheme, StoredSecrets,
};
use crate::db::Db;
use crate::queue::now_ms;
use crate::store::Result;
use crate::util::iso_ms;

/// One attempt to be recorded. Times are ms since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAttempt {
    pub delivery_id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub url: String,
    pub method: String,
    /// Request headers, secrets already masked.
    pub headers: Vec<(String, String)>,
    pub payload: String,
    pub response_status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    /// When the attempt started.
    pub at: i64,
    pub next_retry_at: Option<i64>,
    /// `delivered`, `retrying` or `failed`.
    pub status: String,
    pub error_message: Option<String>,
    pub duration_ms: Option<u64>,
    /// `scheduled`, `replay`, `manual` or `test`.
    pub trigger: String,
    pub job_id: Option<String>,
}

/// A recorded attempt (seed 2's WebhookDelivery, one per attempt).
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub attempt: u32,
    pub first_attempt_at: i64,
    pub new: NewAttempt,
}

impl Attempt {
    /// The seed's WebhookDelivery JSON.
    pub fn to_json(&self) -> Value {
        let a = &self.new;
        let map = |pairs: &[(String, String)]| {
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect::<Map<_, _>>(),
            )
        };
        json!({
            "id": a.delivery_id,
            "webhookId": a.webhook_id,
            "eventId": a.event_id,
            "eventType": a.event_type,
            "url": a.url,
            "method": a.method,
            "headers": map(&a.headers),
            "payload": a.payload,
            "responseStatus": a.response_status,
            "responseBody": a.response_body,
            "responseHeaders": if a.response_status.is_some() { map(&a.response_headers) } else { Value::Null },
            "attemptCount": self.attempt,
            "firstAttemptAt": iso_ms(self.first_attempt_at),
            "lastAttemptAt": iso_ms(a.at),
            "nextRetryAt": a.next_retry_at.map(iso_ms),
            "status": a.status,
            "errorMessage": a.error_message,
            "durationMs": a.duration_ms,
            "trigger": a.trigger,
        })
    }
}

/// What recording an attempt did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The attempt's number within its delivery, from 1.
    pub attempt: u32,
    /// Set when this failure made the endpoint auto-disable: the reason recorded.
    pub disabled: Option<String>,
}

/// Which attempts to list.
#[derive(Clone, Debug, Default)]
pub struct AttemptFilter {
    pub webhook_id: Option<String>,
    pub delivery_id: Option<String>,
    pub event_id: Option<String>,
    pub status: Option<String>,
    pub job_id: Option<String>,
    /// 0 = no limit.
    pub limit: u64,
}

/// Endpoints and delivery attempts.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_endpoint(&self, e: &Endpoint) -> Result<()>;
    async fn endpoint(&self, id: &str) -> Result<Option<Endpoint>>;
    /// Every endpoint (of one facility), oldest first.
    async fn endpoints(&self, facility: Option<&str>) -> Result<Vec<Endpoint>>;
    /// Replace an endpoint's fields (its id and creation time stay). `false` if absent.
    async fn update_endpoint(&self, e: &Endpoint) -> Result<bool>;
    /// Delete an endpoint; its attempts stay for the record. `false` if absent.
    async fn remove_endpoint(&self, id: &str) -> Result<bool>;
    /// Enable (clearing the disable reason and the failure clock) or disable with a reason.
    async fn set_active(&self, id: &str, active: bool, reason: Option<&str>) -> Result<bool>;
    /// Record an attempt, numbering it within its delivery, and update the endpoint's
    /// failure clock; a failure when the endpoint has failed for `disable_after_ms` with no
    /// success disables it.
    async fn record_attempt(
        &self,
        a: NewAttempt,
        disable_after_ms: Option<u64>,
    ) -> Result<Recorded>;
    /// Attempts, newest first.
    async fn attempts(&self, f: &AttemptFilter) -> Result<Vec<Attempt>>;
    /// Where a delivery stands before another attempt: whether any attempt of it was
    /// delivered, and how many attempts the queue job `job_id` has made.
    async fn delivery_state(&self, delivery_id: &str, job_id: &str) -> Result<DeliveryState> {
        let delivered = self
            .attempts(&AttemptFilter {
                delivery_id: Some(delivery_id.to_string()),
                status: Some("delivered".into()),
                limit: 1,
                ..AttemptFilter::default()
            })
            .await?;
        let by_job = self
            .attempts(&AttemptFilter {
                delivery_id: Some(delivery_id.to_string()),
                job_id: Some(job_id.to_string()),
                ..AttemptFilter::default()
            })
            .await?;
        Ok(DeliveryState {
            delivered: !delivered.is_empty(),
            job_attempts: by_job.len() as u32,
        })
    }
}

/// See [`WebhookStore::delivery_state`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryState {
    pub delivered: bool,
    pub job_attempts: u32,
}

/// The SQLite implementation.
#[derive(Clone, Debug)]
pub struct SqliteWebhooks {
    db: Db,
}

impl SqliteWebhooks {
    pub fn new(db: Db) -> Self {
        SqliteWebhooks { db }
    }
}

const ENDPOINT_COLUMNS: &str = "id, facility_id, name, description, url, method, auth_type, \
     auth_config, events, filters, retry_config, signing_scheme, secrets, payload_mapping, \
     is_active, disabled_reason, disabled_at, failing_since, created_at, updated_at";

fn bad(what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("bad {what} in webhooks: {text}").into(),
    )
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| bad(what, &e.to_string()))
}

fn endpoint_row(r: &Row<'_>) -> rusqlite::Result<Endpoint> {
    let method: String = r.get(5)?;
    let auth: String = r.get(6)?;
    let scheme: String = r.get(11)?;
    let mapping: Option<String> = r.get(13)?;
    Ok(Endpoint {
        id: r.get(0)?,
        facility_id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        url: r.get(4)?,
        method: Method::parse(&method).ok_or_else(|| bad("method", &method))?,
        auth_type: AuthType::parse(&auth).ok_or_else(|| bad("auth_type", &auth))?,
        auth_config: from_json::<AuthConfig>("auth_config", &r.get::<_, String>(7)?)?,
        events: from_json("events", &r.get::<_, String>(8)?)?,
        filters: from_json::<Filters>("filters", &r.get::<_, String>(9)?)?,
        retry_config: from_json::<RetryConfig>("retry_config", &r.get::<_, String>(10)?)?,
        signing_scheme: SigningScheme::parse(&scheme)
            .ok_or_else(|| bad("signing_scheme", &scheme))?,
        secrets: from_json::<StoredSecrets>("secrets", &r.get::<_, String>(12)?)?,
        payload_mapping: mapping
            .map(|m| from_json::<Value>("payload_mapping", &m))
            .transpose()?,
        is_active: r.get(14)?,
        disabled_reason: r.get(15)?,
        disabled_at: r.get(16)?,
        failing_since: r.get(17)?,
        created_at: r.get(18)?,
        updated_at: r.get(19)?,
    })
}

fn endpoint_params(e: &Endpoint) -> Result<Vec<rusqlite::types::Value>> {
    use rusqlite::types::Value as V;
    let opt = |v: &Option<String>| v.clone().map(V::Text).unwrap_or(V::Null);
    let opt_i = |v: Option<i64>| v.map(V::Integer).unwrap_or(V::Null);
    Ok(vec![
        V::Text(e.id.clone()),
        V::Text(e.facility_id.clone()),
        V::Text(e.name.clone()),
        opt(&e.description),
        V::Text(e.url.clone()),
        V::Text(e.method.as_str().into()),
        V::Text(e.auth_type.as_str().into()),
        V::Text(serde_json::to_string(&e.auth_config)?),
        V::Text(serde_json::to_string(&e.events)?),
        V::Text(serde_json::to_string(&e.filters)?),
        V::Text(serde_json::to_string(&e.retry_config)?),
        V::Text(e.signing_scheme.as_str().into()),
        V::Text(serde_json::to_string(&e.secrets)?),
        e.payload_mapping
            .as_ref()
            .map(|m| V::Text(m.to_string()))
            .unwrap_or(V::Null),
        V::Integer(e.is_active as i64),
        opt(&e.disabled_reason),
        opt_i(e.disabled_at),
        opt_i(e.failing_since),
        V::Integer(e.created_at),
        V::Integer(e.updated_at),
    ])
}

const ATTEMPT_COLUMNS: &str = "id, attempt, webhook_id, event_id, event_type, url, method, \
     headers, payload, response_status, response_headers, response_body, first_attempt_at, \
     last_attempt_at, next_retry_at, status, error_message, duration_ms, trigger, job_id";

fn pairs_from(text: Option<String>) -> Vec<(String, String)> {
    let Some(text) = text else { return Vec::new() };
    match serde_json::from_str::<Map<String, Value>>(&text) {
        Ok(m) => m
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_default()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Header pairs as a JSON object. A name given twice keeps its first place and its last
/// value, as an object built from the pairs would; pairs with distinct names (nearly
/// always) are written out as they are, without building one.
fn pairs_to(pairs: &[(String, String)]) -> String {
    struct Pairs<'a>(&'a [(String, String)]);
    impl serde::Serialize for Pairs<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap as _;
            let mut map = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }
    let distinct = pairs
        .iter()
        .enumerate()
        .all(|(i, (k, _))| pairs[..i].iter().all(|(seen, _)| seen != k));
    if distinct {
        return serde_json::to_string(&Pairs(pairs)).unwrap_or_default();
    }
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
    .to_string()
}

fn attempt_row(r: &Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        attempt: r.get(1)?,
        first_attempt_at: r.get(12)?,
        new: NewAttempt {
            delivery_id: r.get(0)?,
            webhook_id: r.get(2)?,
            event_id: r.get(3)?,
            event_type: r.get(4)?,
            url: r.get(5)?,
            method: r.get(6)?,
            headers: pairs_from(r.get(7)?),
            payload: r.get(8)?,
            response_status: r.get(9)?,
            response_headers: pairs_from(r.get(10)?),
            response_body: r.get(11)?,
            at: r.get(13)?,
            next_retry_at: r.get(14)?,
            status: r.get(15)?,
            error_message: r.get(16)?,
            duration_ms: r.get::<_, Option<i64>>(17)?.map(|d| d.max(0) as u64),
            trigger: r.get(18)?,
            job_id: r.get(19)?,
        },
    })
}

#[async_trait]
impl WebhookStore for SqliteWebhooks {
    async fn create_endpoint(&self, e: &Endpoint) -> Result<()> {
        let args = endpoint_params(e)?;
        self.db
            .write(move |tx| {
                let marks = vec!["?"; args.len()].join(", ");
                tx.execute(
                    &format!("INSERT INTO webhooks ({ENDPOINT_COLUMNS}) VALUES ({marks})"),
                    rusqlite::params_from_iter(args),
                )?;
                Ok(())
            })
            .await
    }

    async fn endpoint(&self, id: &str) -> Result<Option<Endpoint>> {
        let id = id.to_string();
        self.db
            .read(move |tx| {
                Ok(tx
                    .prepare_cached(&format!(
                        "SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE id = ?1"
                    ))?
                    .query_row([id], endpoint_row)
                    .optional()?)
            })
            .await
    }

    async fn endpoints(&self, facility: Option<&str>) -> Result<Vec<Endpoint>> {
        let facility = facility.map(str::to_string);
        self.db
            .read(move |tx| {
                // One statement per case: with `?1 IS NULL OR facility_id = ?1` the planner
                // cannot use webhooks_facility, and every event's fan-out would read every
                // facility's endpoints.
                let mut stmt = match &facility {
                    Some(_) => tx.prepare_cached(&format!(
                        "SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE facility_id = ?1
                         ORDER BY created_at, id"
                    ))?,
                    None => tx.prepare_cached(&format!(
                        "SELECT {ENDPOINT_COLUMNS} FROM webhooks ORDER BY created_at, id"
                    ))?,
                };
                let rows = match &facility {
                    Some(f) => stmt.query_map([f], endpoint_row)?,
                    None => stmt.query_map([], endpoint_row)?,
                };
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn update_endpoint(&self, e: &Endpoint) -> Result<bool> {
        let mut args = endpoint_params(e)?;
        self.db
            .write(move |tx| {
                // Every column but id (first) and created_at (second to last).
                let id = args.remove(0);
                let cols: Vec<&str> = ENDPOINT_COLUMNS.split(", ").skip(1).collect();
                let created = cols.iter().position(|c| *c == "created_at").unwrap_or(0);
                args.remove(created);
                let sets: Vec<String> = cols
                    .iter()
                    .filter(|c| **c != "created_at")
                    .map(|c| format!("{c} = ?"))
                    .collect();
                args.push(id);
                let n = tx.execute(
                    &format!("UPDATE webhooks SET {} WHERE id = ?", sets.join(", ")),
                    rusqlite::params_from_iter(args),
                )?;
                Ok(n > 0)
            })
            .await
    }

    async fn remove_endpoint(&self, id: &str) -> Result<bool> {
        let id = id.to_string();
        self.db
            .write(move |tx| Ok(tx.execute("DELETE FROM webhooks WHERE id = ?1", [id])? > 0))
            .await
    }

    async fn set_active(&self, id: &str, active: bool, reason: Option<&str>) -> Result<bool> {
        let (id, reason) = (id.to_string(), reason.map(str::to_string));
        self.db
            .write(move |tx| {
                let now = now_ms();
                let n = if active {
                    tx.execute(
                        "UPDATE webhooks SET is_active = 1, disabled_reason = NULL, disabled_at = NULL,
                           failing_since = NULL, updated_at = ?2 WHERE id = ?1",
                        params![id, now],
                    )?
                } else {
                    tx.execute(
                        "UPDATE webhooks SET is_active = 0, disabled_reason = ?2, disabled_at = ?3,
                           updated_at = ?3 WHERE id = ?1",
                        params![id, reason, now],
                    )?
                };
                Ok(n > 0)
            })
            .await
    }

    async fn record_attempt(
        &self,
        a: NewAttempt,
        disable_after_ms: Option<u64>,
    ) -> Result<Recorded> {
        self.db
            .write(move |tx| {
                let (last, first): (Option<u32>, Option<i64>) = tx
                    .prepare_cached(
                        "SELECT max(attempt), min(first_attempt_at) FROM webhook_deliveries WHERE id = ?1",
                    )?
                    .query_row([&a.delivery_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let attempt = last.unwrap_or(0) + 1;
                let first = first.unwrap_or(a.at);
                tx.prepare_cached(&format!(
                    "INSERT INTO webhook_deliveries ({ATTEMPT_COLUMNS}) VALUES
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
                ))?
                .execute(params![
                    a.delivery_id,
                    attempt,
                    a.webhook_id,
                    a.event_id,
                    a.event_type,
                    a.url,
                    a.method,
                    pairs_to(&a.headers),
                    a.payload,
                    a.response_status,
                    a.response_status.map(|_| pairs_to(&a.response_headers)),
                    a.response_body,
                    first,
                    a.at,
                    a.next_retry_at,
                    a.status,
                    a.error_message,
                    a.duration_ms.map(|d| d as i64),
                    a.trigger,
                    a.job_id,
                ])?;
                let mut disabled = None;
                if a.status == "delivered" {
                    // Most successes follow successes: leave the row (and its page) alone.
                    tx.prepare_cached(
                        "UPDATE webhooks SET failing_since = NULL
                         WHERE id = ?1 AND failing_since IS NOT NULL",
                    )?
                    .execute([&a.webhook_id])?;
                } else {
                    tx.prepare_cached(
                        "UPDATE webhooks SET failing_since = coalesce(failing_since, ?2) WHERE id = ?1",
                    )?
                    .execute(params![a.webhook_id, a.at])?;
                    if let Some(after) = disable_after_ms {
                        let since: Option<Option<i64>> = tx
                            .prepare_cached(
                                "SELECT failing_since FROM webhooks WHERE id = ?1 AND is_active = 1",
                            )?
                            .query_row([&a.webhook_id], |r| r.get(0))
                            .optional()?;
                        if let Some(Some(since)) = since
                            && a.at - since >= after as i64
                        {
                            let reason = format!(
                                "auto-disabled: every attempt failed since {} ({} with no success; webhooks.disable_after); last error: {}",
                                iso_ms(since),
                                crate::util::human_duration(std::time::Duration::from_millis(
                                    (a.at - since) as u64
                                )),
                                a.error_message.as_deref().unwrap_or("unknown")
                            );
                            tx.execute(
                                "UPDATE webhooks SET is_active = 0, disabled_reason = ?2, disabled_at = ?3,
                                   updated_at = ?3 WHERE id = ?1",
                                params![a.webhook_id, reason, now_ms()],
                            )?;
                            disabled = Some(reason);
                        }
                    }
                }
                Ok(Recorded { attempt, disabled })
            })
            .await
    }

    async fn attempts(&self, f: &AttemptFilter) -> Result<Vec<Attempt>> {
        let (wh, mut args) = crate::db::where_all(&[
            ("webhook_id = ?", &f.webhook_id),
            ("id = ?", &f.delivery_id),
            ("event_id = ?", &f.event_id),
            ("status = ?", &f.status),
            ("job_id = ?", &f.job_id),
        ]);
        args.push(rusqlite::types::Value::Integer(if f.limit == 0 {
            -1
        } else {
            f.limit as i64
        }));
        self.db
            .read(move |tx| {
                let mut stmt = tx.prepare(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM webhook_deliveries{wh}
                     ORDER BY last_attempt_at DESC, id, attempt DESC LIMIT ?"
                ))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), attempt_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn delivery_state(&self, delivery_id: &str, job_id: &str) -> Result<DeliveryState> {
        let (delivery_id, job_id) = (delivery_id.to_string(), job_id.to_string());
        self.db
            .read(move |tx| {
                // One snapshot, one trip to the blocking pool, no row bodies decoded.
                Ok(tx
                    .prepare_cached(
                        "SELECT coalesce(max(status = 'delivered'), 0),
                                coalesce(sum(job_id IS ?2), 0)
                         FROM webhook_deliveries WHERE id = ?1",
                    )?
                    .query_row(params![delivery_id, job_id], |r| {
                        Ok(DeliveryState {
                            delivered: r.get::<_, i64>(0)? != 0,
                            job_attempts: r.get::<_, i64>(1)? as u32,
                        })
                    })?)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_pairs_are_written_as_an_object_of_them_would_be() {
        let p = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let as_object = |pairs: &[(String, String)]| {
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            )
            .to_string()
        };
        for pairs in [
            p(&[]),
            p(&[
                ("Content-Type", "application/json"),
                ("X-A", "q\"uote\\ é \n"),
            ]),
            p(&[("set-cookie", "a=1"), ("x", "y"), ("set-cookie", "b=2")]),
            p(&[("X", "1"), ("x", "2")]),
        ] {
            assert_eq!(pairs_to(&pairs), as_object(&pairs));
        }
    }
    use crate::webhook::signing::Secret;

    fn endpoint(id: &str) -> Endpoint {
        let retry = RetryConfig {
            max_retries: 1,
            retry_delay_ms: 10,
            backoff_multiplier: 2.0,
        };
        Endpoint {
            id: id.into(),
            name: "n".into(),
            auth_type: AuthType::None,
            events: vec!["booking.confirmed".into()],
            ..Endpoint::new(
                "fac_1",
                "https://example.com/h",
                &Secret::generate(),
                retry,
                1,
            )
        }
    }

    fn attempt(delivery: &str, at: i64, status: &str) -> NewAttempt {
        NewAttempt {
            delivery_id: delivery.into(),
            webhook_id: "wh_1".into(),
            event_id: "evt".into(),
            event_type: "booking.confirmed".into(),
            url: "https://example.com/h".into(),
            method: "POST".into(),
            headers: vec![],
            payload: "{}".into(),
            response_status: Some(500),
            response_headers: vec![],
            response_body: None,
            at,
            next_retry_at: None,
            status: status.into(),
            error_message: Some("HTTP 500 from the receiver".into()),
            duration_ms: Some(3),
            trigger: "scheduled".into(),
            job_id: None,
        }
    }

    #[tokio::test]
    async fn only_failures_for_the_whole_period_disable_an_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), std::time::Duration::from_secs(1))
            .await
            .unwrap();
        let ws = SqliteWebhooks::new(db);
        ws.create_endpoint(&endpoint("wh_1")).await.unwrap();
        let day = 86_400_000;
        let after = Some(5 * day as u64);
        let r = ws
            .record_attempt(attempt("d1", 0, "failed"), after)
            .await
            .unwrap();
        assert_eq!((r.attempt, r.disabled.clone()), (1, None));
        // A success in between restarts the clock.
        ws.record_attempt(attempt("d2", 3 * day, "delivered"), after)
            .await
            .unwrap();
        ws.record_attempt(attempt("d3", 4 * day, "failed"), after)
            .await
            .unwrap();
        let r = ws
            .record_attempt(attempt("d3", 8 * day, "failed"), after)
            .await
            .unwrap();
        assert_eq!((r.attempt, r.disabled.clone()), (2, None));
        assert!(ws.endpoint("wh_1").await.unwrap().unwrap().is_active);
        let r = ws
            .record_attempt(attempt("d4", 9 * day, "failed"), after)
            .await
            .unwrap();
        let reason = r.disabled.expect("disabled after 5 days of failures");
        let e = ws.endpoint("wh_1").await.unwrap().unwrap();
        assert!(!e.is_active);
        assert_eq!(e.disabled_reason.as_deref(), Some(reason.as_str()));
        assert!(
            reason.contains("auto-disabled") && reason.contains("5d"),
            "{reason}"
        );
        // Enabling clears the reason and the clock.
        ws.set_active("wh_1", true, None).await.unwrap();
        let e = ws.endpoint("wh_1").await.unwrap().unwrap();
        assert!(e.is_active && e.disabled_reason.is_none() && e.failing_since.is_none());
    }

    #[tokio::test]
    async fn delivery_state_counts_the_jobs_attempts_and_sees_a_success() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), std::time::Duration::from_secs(1))
            .await
            .unwrap();
        let ws = SqliteWebhooks::new(db);
        ws.create_endpoint(&endpoint("wh_1")).await.unwrap();
        assert_eq!(
            ws.delivery_state("d1", "job-a").await.unwrap(),
            DeliveryState::default()
        );
        let by = |job: Option<&str>, at: i64, status: &str| NewAttempt {
            job_id: job.map(str::to_string),
            ..attempt("d1", at, status)
        };
        ws.record_attempt(by(Some("job-a"), 1, "retrying"), None)
            .await
            .unwrap();
        ws.record_attempt(by(Some("job-a"), 2, "retrying"), None)
            .await
            .unwrap();
        // An attempt from the command line belongs to no job.
        ws.record_attempt(by(None, 3, "retrying"), None)
            .await
            .unwrap();
        let state = ws.delivery_state("d1", "job-a").await.unwrap();
        assert_eq!(
            state,
            DeliveryState {
                delivered: false,
                job_attempts: 2
            }
        );
        ws.record_attempt(by(Some("job-b"), 4, "delivered"), None)
            .await
            .unwrap();
        let state = ws.delivery_state("d1", "job-b").await.unwrap();
        assert_eq!(
            state,
            DeliveryState {
                delivered: true,
                job_attempts: 1
            }
        );
        assert!(!ws.delivery_state("d2", "job-b").await.unwrap().delivered);
    }

    #[tokio::test]
    async fn attempts_recorded_before_the_rowid_table_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // A file as the release before it left it: schema steps 1 to 4, one attempt.
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in [
                include_str!("../db/migrations/001_queue.sql"),
                include_str!("../db/migrations/002_store.sql"),
                include_str!("../db/migrations/003_queue_counts.sql"),
                include_str!("../db/migrations/004_webhooks.sql"),
            ] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 4).unwrap();
            conn.execute(
                &format!(
                    "INSERT INTO webhook_deliveries ({ATTEMPT_COLUMNS}) VALUES
                     ('d1', 1, 'wh_1', 'evt', 'booking.confirmed', 'https://example.com/h',
                      'POST', '{{}}', '{{\"a\":1}}', 500, '{{}}', 'no', 10, 10, 20,
                      'retrying', 'HTTP 500 from the receiver', 3, 'scheduled', 'job-a')"
                ),
                [],
            )
            .unwrap();
        }
        let db = Db::open(&path, std::time::Duration::from_secs(1))
            .await
            .unwrap();
        let ws = SqliteWebhooks::new(db);
        let old = ws.attempts(&AttemptFilter::default()).await.unwrap();
        assert_eq!(old.len(), 1);
        assert_eq!(
            (
                old[0].attempt,
                old[0].new.payload.as_str(),
                old[0].new.next_retry_at
            ),
            (1, "{\"a\":1}", Some(20))
        );
        // Numbering carries on, and (id, attempt) stays unique.
        ws.create_endpoint(&endpoint("wh_1")).await.unwrap();
        let r = ws
            .record_attempt(attempt("d1", 30, "delivered"), None)
            .await
            .unwrap();
        assert_eq!(r.attempt, 2);
        let dup = ws
            .db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO webhook_deliveries (id, attempt, webhook_id, event_id, event_type,
                       url, method, headers, payload, first_attempt_at, last_attempt_at, status,
                       trigger)
                     VALUES ('d1', 2, 'wh_1', 'e', 't', 'u', 'POST', '{}', '', 1, 1, 'failed',
                       'manual')",
                    [],
                )
                .map_err(crate::store::StoreError::from)
            })
            .await;
        assert!(dup.is_err(), "a second attempt 2 of d1 must be refused");
    }
}
