//! Delivery: from an event to signed HTTP requests, with retries and a record of every
//! attempt.
//!
//! - [`fan_out`] (the `webhook` handler) puts one job per subscribed endpoint on the
//!   webhooks queue. The job id is the delivery id, derived from (event id, endpoint id),
//!   so fanning the same event out twice adds nothing; the processor's (event id,
//!   handler) effect key makes the fan-out itself happen once.
//! - [`prepare`] renders the body (the DomainEvent, or the endpoint's payload mapping),
//!   signs it through [`super::signing`] and adds the endpoint's auth.
//! - [`Sender`] sends through [`super::client`] on the runtime under a semaphore: a
//!   timeout, no redirects, no proxy from the environment, a bounded body read, and the
//!   SSRF guard at connect time.
//! - [`DeliveryWorker`] runs delivery jobs in the daemon: it records each attempt, retries
//!   through the queue's delayed retry on the endpoint's `retryConfig` (honouring
//!   Retry-After), disables endpoints that answer 410 Gone or fail for days, and turns an
//!   exhausted delivery into a dead letter that `dlq replay` sends again. A job's first
//!   run asks the store nothing but its endpoint, and takes even that from the worker's
//!   copy when the copy is the version the job was fanned out with (see `ENDPOINT_FRESH`).
//!
//! At-least-once: a crash after the receiver answered but before the attempt was recorded
//! sends the delivery again, with the same delivery id, for the receiver to dedupe.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::client::{self, Client};
use super::endpoint::{AuthType, Endpoint, delivery_id, mask};
use super::mapping;
use super::signing;
use super::ssrf::Policy;
use super::store::{AttemptFilter, DeliveryState, NewAttempt, WebhookStore};
use crate::daemon::handlers::{EventCtx, HandlerError};
use crate::daemon::retry::RetryPolicy;
use crate::metrics::{self, Metrics};
use crate::queue::{Failure, Job, JobOptions, NewJob, QueueBackend, Retry, now_ms};
use crate::settings::{Settings, WebhookSettings};
use crate::store::{Effect, EventMeta, NewDeadLetter, ProcessingError, Store};

/// Bull job name of delivery jobs.
pub const JOB_NAME: &str = "webhook-delivery";

/// At most this much of a response body is stored with an attempt (as Svix).
pub const STORED_BODY_BYTES: usize = 20_000;

/// Extra queue attempts a delivery job carries for deferrals: when its endpoint already
/// has `per_endpoint_concurrency` deliveries in flight, a job steps aside (a delayed
/// retry in the queue) instead of holding a worker slot, and that consumes one of the
/// queue's attempts. The endpoint's own retry budget is counted from the attempt records.
const DEFER_BUDGET: u32 = 10_000;

/// How long a job waits for its endpoint's lane before stepping aside.
const LANE_WAIT: Duration = Duration::from_millis(200);

/// Idle keep-alive connections the sender keeps at least, all hosts together.
const IDLE_CONNECTIONS: usize = 64;

/// How long the worker's copy of an endpoint may answer for the store. A copy is used
/// only for a job's first run and only if it is the version the job was fanned out
/// with, so a change made before the fan-out is always seen; one made after it (an
/// operator disabling the endpoint while its deliveries wait in the queue) reaches the
/// worker within this time, as if those deliveries had already been in flight.
const ENDPOINT_FRESH: Duration = Duration::from_secs(1);

/// The handler name dead letters of an endpoint's deliveries carry; `dlq replay` runs it.
pub fn handler_name(endpoint_id: &str) -> String {
    format!("webhook:{endpoint_id}")
}

/// A delivery job's payload.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryJob {
    pub delivery_id: String,
    pub webhook_id: String,
    /// The event as received (either envelope).
    pub event: Value,
    /// The queue the event came from.
    pub queue: String,
    /// `scheduled` or `replay`.
    pub trigger: String,
    /// The endpoint's `updated_at` when the event was fanned out: a worker may use its
    /// copy of the endpoint only if it is that version (jobs queued by older releases
    /// carry none and always read the endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_version: Option<i64>,
}

/// A [`DeliveryJob`] as written by [`fan_out`]: the same JSON, from borrowed parts and
/// an event already written out.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryJobOut<'a> {
    delivery_id: &'a str,
    webhook_id: &'a str,
    event: &'a RawValue,
    queue: &'a str,
    trigger: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_version: Option<i64>,
}

/// A [`DeliveryJob`] as the worker reads it: the event stays JSON text until something
/// needs more of it than its id and type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryJobIn<'a> {
    delivery_id: String,
    webhook_id: String,
    #[serde(borrow)]
    event: &'a RawValue,
    queue: String,
    trigger: String,
    #[serde(default)]
    endpoint_version: Option<i64>,
}

/// The id and type of a DomainEvent, as JSON text.
#[derive(Deserialize)]
struct DomainHead<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "type")]
    ty: Option<&'a RawValue>,
}

/// A string field's text, or "" when it is anything else (as [`str_field`]).
fn str_text(v: Option<&RawValue>) -> String {
    v.and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        .unwrap_or_default()
}

/// Build an attempt's request from the event a delivery job carries, or say why it
/// cannot be built, with the event's id and type. A DomainEvent that an endpoint
/// receives as it is (no payload mapping) is sent as the job's own text of it: the
/// compact JSON [`fan_out`] wrote, byte for byte what writing the parsed event out again
/// would give, so only its id and type are read.
fn prepare_job(
    endpoint: &Endpoint,
    event: &RawValue,
    delivery_id: &str,
    now: i64,
) -> Result<Prepared, (String, String, String)> {
    if endpoint.payload_mapping.is_none()
        && let Ok(DomainHead { id, ty: Some(ty) }) = serde_json::from_str(event.get())
    {
        let (id, ty) = (str_text(id), str_text(Some(ty)));
        return prepare_body(
            endpoint,
            event.get().to_string(),
            &id,
            &ty,
            delivery_id,
            None,
            now,
        )
        .map_err(|e| (e, id, ty));
    }
    let value: Value = serde_json::from_str(event.get()).unwrap_or(Value::Null);
    let domain = domain_of(&value);
    prepare_domain(endpoint, &domain, delivery_id, None, now)
        .map_err(|e| (e, str_field(&domain, "id"), str_field(&domain, "type")))
}

/// The `webhook` handler: one delivery job per active endpoint of the event's facility
/// that subscribes to its type and whose filters match. With `only`, the delivery to
/// that endpoint alone, whatever its filters say (a dead letter being replayed; `replay_of`
/// names it, so that each replay queues a job of its own).
pub async fn fan_out(
    webhooks: &dyn WebhookStore,
    queues: &dyn QueueBackend,
    settings: &Settings,
    ev: &EventCtx,
    origin_queue: &str,
    only: Option<&str>,
    replay_of: Option<&str>,
) -> Result<Vec<Effect>, HandlerError> {
    let facility = ev.facility();
    let targets: Vec<Endpoint> = match only {
        Some(id) => match webhooks.endpoint(id).await? {
            Some(e) => vec![e],
            None => {
                return Err(HandlerError::Permanent(format!(
                    "webhook endpoint {id} no longer exists"
                )));
            }
        },
        None => match &facility {
            Some(f) => webhooks
                .endpoints(Some(f))
                .await?
                .into_iter()
                .filter(|e| e.receives(&ev.event_type, Some(f), ev.data()))
                .collect(),
            None => Vec::new(),
        },
    };
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // One queue call for the whole fan-out: an event's deliveries go out together. The
    // event is written out once and shared by every job.
    let event = serde_json::value::to_raw_value(&ev.envelope)
        .map_err(|e| HandlerError::Permanent(format!("the event as JSON: {e}")))?;
    let mut jobs = Vec::with_capacity(targets.len());
    let mut effects = Vec::with_capacity(targets.len());
    for e in &targets {
        let id = delivery_id(&ev.id, &e.id);
        let (job_id, trigger) = match (only, replay_of) {
            (Some(_), Some(r)) => (format!("{id}-replay-{r}"), "replay"),
            (Some(_), None) => (format!("{id}-replay"), "replay"),
            (None, _) => (id.clone(), "scheduled"),
        };
        let job = DeliveryJobOut {
            delivery_id: &id,
            webhook_id: &e.id,
            event: &event,
            queue: origin_queue,
            trigger,
            endpoint_version: Some(e.updated_at),
        };
        jobs.push(NewJob {
            name: JOB_NAME.into(),
            data: serde_json::to_string(&job).unwrap_or_default(),
            opts: JobOptions {
                job_id: Some(job_id.clone()),
                attempts: e.retry_config.max_retries + 1 + DEFER_BUDGET,
                remove_on_complete: settings.webhooks.deliveries_kept(),
                ..JobOptions::default()
            },
        });
        effects.push(Effect::Forwarded {
            queue: settings.webhooks.queue.clone(),
            job_id,
        });
    }
    queues
        .add(&settings.webhooks.queue, jobs)
        .await
        .map_err(|err| {
            let ids: Vec<&str> = targets.iter().map(|e| e.id.as_str()).collect();
            HandlerError::Transient(format!(
                "queueing the deliveries to {} on {}: {err}",
                ids.join(", "),
                settings.webhooks.queue
            ))
        })?;
    Ok(effects)
}

/// The event as a DomainEvent: as received when it is one; a legacy event
/// (`{eventType, eventId, timestamp, data}`) gets the domain envelope around its data.
pub fn to_domain(event: &Value) -> Value {
    domain_of(event).into_owned()
}

/// [`to_domain`] without copying an event that already is a DomainEvent.
fn domain_of(event: &Value) -> Cow<'_, Value> {
    if event.get("type").is_some() {
        return Cow::Borrowed(event);
    }
    Cow::Owned(legacy_to_domain(event))
}

fn legacy_to_domain(event: &Value) -> Value {
    let s = |k: &str| event.get(k).cloned().unwrap_or(Value::Null);
    let data = s("data");
    let mut out = json!({
        "id": s("eventId"),
        "type": s("eventType"),
        "version": "1.0",
        "timestamp": s("timestamp"),
        "occurredAt": s("timestamp"),
        "source": "slotbase",
        "correlationId": s("eventId"),
    });
    for k in ["facilityId", "userId"] {
        if let Some(v) = data.get(k) {
            out[k] = v.clone();
        }
    }
    out["data"] = data;
    out["metadata"] = json!({"environment": "production"});
    out
}

/// A request ready to send, and its copy for the record.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// The headers with auth values masked, as recorded.
    pub recorded_headers: Vec<(String, String)>,
    pub body: String,
    pub event_id: String,
    pub event_type: String,
}

/// Render the body of `event` for `endpoint` (the mapping, or the DomainEvent itself).
pub fn render_body(endpoint: &Endpoint, event: &Value) -> Result<String, String> {
    render_domain(endpoint, &domain_of(event))
}

fn render_domain(endpoint: &Endpoint, domain: &Value) -> Result<String, String> {
    match &endpoint.payload_mapping {
        Some(m) => mapping::render(m, domain)
            .map(|v| v.to_string())
            .map_err(|e| format!("payload mapping: {e}")),
        None => Ok(domain.to_string()),
    }
}

/// Build the signed request of one attempt at Unix second `now`.
pub fn prepare(
    endpoint: &Endpoint,
    event: &Value,
    delivery_id: &str,
    url: Option<&str>,
    now: i64,
) -> Result<Prepared, String> {
    prepare_domain(endpoint, &domain_of(event), delivery_id, url, now)
}

/// [`prepare`] for an event already in its domain form.
fn prepare_domain(
    endpoint: &Endpoint,
    domain: &Value,
    delivery_id: &str,
    url: Option<&str>,
    now: i64,
) -> Result<Prepared, String> {
    let body = render_domain(endpoint, domain)?;
    prepare_body(
        endpoint,
        body,
        &str_field(domain, "id"),
        &str_field(domain, "type"),
        delivery_id,
        url,
        now,
    )
}

/// Build the signed request of one attempt with an already rendered body (a
/// redelivery sends the recorded body again, signed afresh).
pub fn prepare_body(
    endpoint: &Endpoint,
    body: String,
    event_id: &str,
    event_type: &str,
    delivery_id: &str,
    url: Option<&str>,
    now: i64,
) -> Result<Prepared, String> {
    let (event_id, event_type) = (event_id.to_string(), event_type.to_string());
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), "application/json".into()),
        (
            "User-Agent".into(),
            format!("slotbase-webhooks/{}", env!("CARGO_PKG_VERSION")),
        ),
        ("X-SlotBase-Event".into(), event_type.clone()),
        ("X-SlotBase-Event-ID".into(), event_id.clone()),
        ("X-SlotBase-Delivery-ID".into(), delivery_id.to_string()),
    ];
    let secrets = endpoint.secrets.to_set();
    if endpoint.signing_scheme.slotbase() {
        // The SlotBase scheme carries one signature: the newest secret's.
        for (k, v) in signing::slotbase_headers(secrets.current(), now, body.as_bytes()) {
            headers.push((k.into(), v));
        }
    } else {
        headers.push((signing::SLOTBASE_TIMESTAMP.into(), now.to_string()));
    }
    if endpoint.signing_scheme.standard() {
        let std = secrets
            .standard_headers(delivery_id, now, body.as_bytes())
            .map_err(|e| format!("signing: {e}"))?;
        for (k, v) in std {
            headers.push((k.into(), v));
        }
    }
    let mut recorded = headers.clone();
    let a = &endpoint.auth_config;
    let auth: Option<(String, String)> = match endpoint.auth_type {
        AuthType::Header => match (&a.header_name, &a.header_value) {
            (Some(n), Some(v)) => Some((n.clone(), v.clone())),
            _ => return Err("auth type header needs a header name and value".into()),
        },
        AuthType::Basic => {
            use base64::Engine as _;
            let user = a.username.clone().unwrap_or_default();
            let pass = a.password.clone().unwrap_or_default();
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            Some(("Authorization".into(), format!("Basic {token}")))
        }
        AuthType::Bearer => match &a.bearer_token {
            Some(t) => Some(("Authorization".into(), format!("Bearer {t}"))),
            None => return Err("auth type bearer needs a bearer token".into()),
        },
        AuthType::None | AuthType::Signature => None,
    };
    if let Some((k, v)) = auth {
        recorded.push((k.clone(), mask(&v)));
        headers.push((k, v));
    }
    Ok(Prepared {
        url: url.unwrap_or(&endpoint.url).to_string(),
        method: endpoint.method.as_str().into(),
        headers,
        recorded_headers: recorded,
        body,
        event_id,
        event_type,
    })
}

/// What came of one HTTP attempt.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// The first [`STORED_BODY_BYTES`] of the body.
    pub body: Option<String>,
    /// Why the attempt failed when there was no answer (or why the answer is a failure).
    pub error: Option<String>,
    /// Refused by the SSRF guard: retrying cannot help.
    pub blocked: bool,
    pub duration: Duration,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The wait a 429 or 503 asks for with Retry-After (seconds or an HTTP date).
    pub fn retry_after(&self, now_ms: i64) -> Option<Duration> {
        if !matches!(self.status, Some(429) | Some(503)) {
            return None;
        }
        parse_retry_after(self.header("retry-after")?, now_ms)
    }
}

/// Retry-After as seconds, or as an HTTP date (the wait until then, zero if past).
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    Some(Duration::from_millis(
        (at.timestamp_millis() - now_ms).max(0) as u64,
    ))
}

/// Sends attempts on the runtime, under a semaphore.
pub struct Sender {
    client: Client,
    timeout: Duration,
    max_response_bytes: usize,
    permits: Arc<Semaphore>,
}

impl Sender {
    pub fn new(cfg: &WebhookSettings, policy: Policy) -> Sender {
        let timeout = Duration::from_millis(cfg.timeout_ms);
        let client = Client::new(
            policy,
            client::Options {
                connect_timeout: timeout.min(Duration::from_secs(10)),
                // Keep a connection for every delivery that may be in flight, even when
                // all endpoints live on one host: otherwise a busy receiver pays a new TCP
                // (and TLS) handshake for most deliveries.
                per_host: cfg.concurrency.max(1),
                total: cfg.concurrency.max(IDLE_CONNECTIONS),
                roots: None,
            },
        );
        Sender {
            client,
            timeout,
            max_response_bytes: cfg.max_response_bytes,
            permits: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
        }
    }

    /// Send one attempt; never fails, the outcome says what happened.
    pub async fn send(&self, req: &Prepared) -> Outcome {
        let _permit = self.permits.acquire().await;
        let started = Instant::now();
        let deadline = tokio::time::Instant::from_std(started + self.timeout);
        let mut out = Outcome::default();
        let sent = self
            .client
            .send(&req.method, &req.url, &req.headers, req.body.clone());
        match tokio::time::timeout_at(deadline, sent).await {
            Ok(Ok(answer)) => {
                let status = answer.status;
                out.status = Some(status);
                out.headers = answer
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let mut buf = Vec::new();
                let read = match tokio::time::timeout_at(
                    deadline,
                    answer.read_body(&mut buf, self.max_response_bytes),
                )
                .await
                {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err(self.timed_out("receive body", self.timeout)),
                };
                let end = buf.len().min(STORED_BODY_BYTES);
                out.body = Some(String::from_utf8_lossy(&buf[..end]).into_owned());
                if let Err(e) = read {
                    out.error = Some(format!("HTTP {status}, then reading the body failed: {e}"));
                } else if (300..400).contains(&status) {
                    out.error = Some(format!(
                        "HTTP {status} redirect{} not followed: webhooks must answer 2xx at the registered URL",
                        out.header("location")
                            .map(|l| format!(" to {l}"))
                            .unwrap_or_default()
                    ));
                } else if !(200..300).contains(&status) {
                    out.error = Some(format!("HTTP {status} from the receiver"));
                }
            }
            Ok(Err(e)) => {
                out.blocked = matches!(e, client::Error::Blocked(_));
                out.error = Some(match e {
                    client::Error::ConnectTimeout => {
                        self.timed_out("connect", self.client.connect_timeout())
                    }
                    e => e.to_string(),
                });
            }
            Err(_) => out.error = Some(self.timed_out("global", self.timeout)),
        }
        out.duration = started.elapsed();
        out
    }

    fn timed_out(&self, which: &str, after: Duration) -> String {
        format!(
            "timed out ({which}) after {} (webhooks.timeout_ms)",
            crate::util::human_duration(after)
        )
    }
}

/// The delay before retry number `retry` (1 = the first) of an endpoint: its
/// retryDelayMs × backoffMultiplier^(retry−1), jittered, capped at the webhook handler's
/// `max_delay_ms` (the seed's 1 h); a Retry-After raises it, up to that cap.
pub fn retry_delay(
    settings: &Settings,
    endpoint: &Endpoint,
    retry: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let base = RetryPolicy::for_handler(&settings.retry, "webhook");
    let policy = RetryPolicy {
        max_retries: endpoint.retry_config.max_retries,
        delay_ms: endpoint.retry_config.retry_delay_ms,
        multiplier: endpoint.retry_config.backoff_multiplier,
        ..base
    };
    let cap = Duration::from_millis(policy.max_delay_ms);
    let mut delay = policy.delay(retry);
    if let Some(asked) = retry_after {
        let floor = Duration::from_millis(policy.delay_ms);
        delay = delay.max(asked.clamp(floor, cap.max(floor)));
    }
    delay
}

/// Runs delivery jobs in the daemon.
pub struct DeliveryWorker {
    pub webhooks: Arc<dyn WebhookStore>,
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub sender: Arc<Sender>,
    lanes: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Endpoints as last read, with when: see [`ENDPOINT_FRESH`].
    endpoints: Mutex<HashMap<String, (Arc<Endpoint>, Instant)>>,
}

impl DeliveryWorker {
    pub fn new(
        webhooks: Arc<dyn WebhookStore>,
        store: Arc<dyn Store>,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<DeliveryWorker> {
        let policy = Policy::new(
            settings.webhooks.allow_private,
            &settings.webhooks.allowed_cidrs,
        )
        .map_err(anyhow::Error::msg)?;
        let sender = Arc::new(Sender::new(&settings.webhooks, policy));
        Ok(DeliveryWorker {
            webhooks,
            store,
            settings,
            metrics,
            sender,
            lanes: Mutex::new(HashMap::new()),
            endpoints: Mutex::new(HashMap::new()),
        })
    }

    /// The endpoint of a delivery: the worker's copy when `first_run` and it is still
    /// the fanned-out `version` and fresh, else read from the store.
    async fn endpoint(
        &self,
        id: &str,
        version: Option<i64>,
        first_run: bool,
    ) -> crate::store::Result<Option<Arc<Endpoint>>> {
        if first_run && let Some(version) = version {
            let cached = self
                .endpoints
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(id)
                .cloned();
            if let Some((e, read_at)) = cached
                && e.updated_at == version
                && read_at.elapsed() < ENDPOINT_FRESH
            {
                return Ok(Some(e));
            }
        }
        let read_at = Instant::now();
        let found = self.webhooks.endpoint(id).await?.map(Arc::new);
        let mut cache = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
        match &found {
            Some(e) => {
                cache.insert(id.to_string(), (e.clone(), read_at));
            }
            None => {
                cache.remove(id);
            }
        }
        Ok(found)
    }

    /// Forget the copy of an endpoint this worker just changed.
    fn forget_endpoint(&self, id: &str) {
        self.endpoints
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    fn lane(&self, endpoint_id: &str) -> Arc<Semaphore> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        lanes
            .entry(endpoint_id.to_string())
            .or_insert_with(|| {
                Arc::new(Semaphore::new(
                    self.settings.webhooks.per_endpoint_concurrency,
                ))
            })
            .clone()
    }

    /// Run one delivery job. `Ok` carries the job's return value.
    pub async fn handle(&self, job: &Job) -> Result<String, Failure> {
        let never = |message: String| Failure {
            message,
            stack: None,
            retry: Retry::Never,
        };
        let transient = |message: String| Failure {
            message,
            stack: None,
            retry: Retry::After(1000),
        };
        let dj: DeliveryJobIn = serde_json::from_str(&job.data)
            .map_err(|e| never(format!("unreadable delivery job: {e}")))?;
        // A scheduled job on its first run (never failed, never recovered from a stalled
        // worker) has made no attempt, and its delivery was fanned out once (the
        // processor's effect key), so nothing can have delivered it yet: the store needs
        // asking only on later runs.
        let first_run =
            dj.trigger == "scheduled" && job.attempts_made == 0 && job.stalled_counter == 0;
        let Some(endpoint) = self
            .endpoint(&dj.webhook_id, dj.endpoint_version, first_run)
            .await
            .map_err(|e| transient(e.to_string()))?
        else {
            return Ok(
                json!({"deliveryId": dj.delivery_id, "skipped": "the endpoint was removed"})
                    .to_string(),
            );
        };
        if !endpoint.is_active {
            return Ok(json!({
                "deliveryId": dj.delivery_id,
                "skipped": format!("the endpoint is disabled: {}", endpoint.disabled_reason.as_deref().unwrap_or("by an operator")),
            })
            .to_string());
        }
        let state = if first_run {
            DeliveryState::default()
        } else {
            self.webhooks
                .delivery_state(&dj.delivery_id, &job.id)
                .await
                .map_err(|e| transient(e.to_string()))?
        };
        if state.delivered && dj.trigger != "replay" {
            return Ok(
                json!({"deliveryId": dj.delivery_id, "skipped": "already delivered"}).to_string(),
            );
        }

        // One slow endpoint must not hold every worker slot: wait briefly for its lane,
        // else step aside and let other endpoints' jobs run.
        let lane = self.lane(&endpoint.id);
        let Ok(Ok(_lane_permit)) = tokio::time::timeout(LANE_WAIT, lane.acquire_owned()).await
        else {
            let unit = (uuid::Uuid::new_v4().as_u128() % 500) as u64;
            return Err(Failure {
                message: format!(
                    "deferred: {} deliveries to {} in flight (webhooks.per_endpoint_concurrency)",
                    self.settings.webhooks.per_endpoint_concurrency, endpoint.id
                ),
                stack: None,
                retry: Retry::After(250 + unit),
            });
        };

        let n = state.job_attempts + 1;
        let max_attempts = endpoint.retry_config.max_retries + 1;
        let started_at = now_ms();
        let now = started_at / 1000;
        let (prepared, mut outcome) = match prepare_job(&endpoint, dj.event, &dj.delivery_id, now) {
            Ok(p) => {
                let o = self.sender.send(&p).await;
                (p, o)
            }
            // A request that cannot be built fails the same way every time.
            Err((e, event_id, event_type)) => (
                Prepared {
                    url: endpoint.url.clone(),
                    method: endpoint.method.as_str().into(),
                    headers: vec![],
                    recorded_headers: vec![],
                    body: String::new(),
                    event_id,
                    event_type,
                },
                Outcome {
                    blocked: true,
                    error: Some(e),
                    ..Outcome::default()
                },
            ),
        };
        let gone = outcome.status == Some(410);
        let retryable = !outcome.delivered() && !outcome.blocked && !gone;
        let status = if outcome.delivered() {
            "delivered"
        } else if retryable && n < max_attempts {
            "retrying"
        } else {
            "failed"
        };
        let delay = (status == "retrying")
            .then(|| retry_delay(&self.settings, &endpoint, n, outcome.retry_after(now_ms())));
        let disable_after = (self.settings.webhooks.disable_after_ms > 0)
            .then_some(self.settings.webhooks.disable_after_ms);
        let recorded = self
            .webhooks
            .record_attempt(
                NewAttempt {
                    delivery_id: dj.delivery_id.clone(),
                    webhook_id: endpoint.id.clone(),
                    event_id: prepared.event_id,
                    event_type: prepared.event_type,
                    url: prepared.url.clone(),
                    method: prepared.method,
                    headers: prepared.recorded_headers,
                    payload: prepared.body,
                    response_status: outcome.status,
                    response_headers: std::mem::take(&mut outcome.headers),
                    response_body: outcome.body.take(),
                    at: started_at,
                    next_retry_at: delay.map(|d| now_ms() + d.as_millis() as i64),
                    status: status.into(),
                    error_message: outcome.error.clone(),
                    duration_ms: Some(outcome.duration.as_millis() as u64),
                    trigger: dj.trigger.clone(),
                    job_id: Some(job.id.clone()),
                },
                disable_after,
            )
            .await
            .map_err(|e| transient(format!("cannot record the attempt: {e}")))?;
        self.metrics.observe(
            metrics::WEBHOOKS_DELIVERY_DURATION,
            &[("endpoint", &endpoint.id)],
            outcome.duration.as_secs_f64(),
        );
        self.metrics.inc(
            metrics::WEBHOOK_DELIVERIES,
            &[("endpoint", &endpoint.id), ("outcome", status)],
        );
        if let Some(reason) = &recorded.disabled {
            self.forget_endpoint(&endpoint.id);
            tracing::warn!(endpoint = %endpoint.id, reason = %reason, "webhook endpoint auto-disabled");
        }
        if gone {
            let reason = format!(
                "410 Gone from {} at {}: the receiver asked for no more deliveries",
                prepared.url,
                crate::util::iso_ms(started_at)
            );
            self.webhooks
                .set_active(&endpoint.id, false, Some(&reason))
                .await
                .map_err(|e| transient(e.to_string()))?;
            self.forget_endpoint(&endpoint.id);
            tracing::warn!(endpoint = %endpoint.id, "webhook endpoint disabled: 410 Gone");
        }
        let error = outcome.error.clone().unwrap_or_default();
        match status {
            "delivered" => Ok(json!({
                "deliveryId": dj.delivery_id,
                "status": outcome.status,
                "attempt": recorded.attempt,
            })
            .to_string()),
            "retrying" => {
                let ms = delay.map(|d| d.as_millis() as u64).unwrap_or(1000);
                tracing::info!(delivery = %dj.delivery_id, endpoint = %endpoint.id, attempt = n, retry_in_ms = ms, error = %error, "webhook attempt failed; retrying");
                Err(Failure {
                    message: error,
                    stack: None,
                    retry: Retry::After(ms),
                })
            }
            _ => {
                let dead = self
                    .dead_letter(&dj, &endpoint, &job.id, max_attempts)
                    .await
                    .map_err(|e| transient(format!("cannot record the dead letter: {e}")))?;
                tracing::warn!(delivery = %dj.delivery_id, endpoint = %endpoint.id, attempts = n, dead_letter = %dead, error = %error, "webhook delivery failed");
                Err(never(format!("{error} (dead letter {dead})")))
            }
        }
    }

    async fn dead_letter(
        &self,
        dj: &DeliveryJobIn<'_>,
        endpoint: &Endpoint,
        job_id: &str,
        max_attempts: u32,
    ) -> Result<String, crate::store::StoreError> {
        let mut attempts = self
            .webhooks
            .attempts(&AttemptFilter {
                delivery_id: Some(dj.delivery_id.clone()),
                job_id: Some(job_id.to_string()),
                ..AttemptFilter::default()
            })
            .await?;
        attempts.sort_by_key(|a| a.attempt);
        let handler = handler_name(&endpoint.id);
        let errors = attempts
            .iter()
            .map(|a| ProcessingError {
                handler_name: handler.clone(),
                message: format!(
                    "delivery {} to {}: {}",
                    a.new.delivery_id,
                    a.new.url,
                    a.new.error_message.as_deref().unwrap_or("failed")
                ),
                code: "webhook_failed".into(),
                attempt_count: a.attempt,
                max_retries: max_attempts.saturating_sub(1),
                at: a.new.at,
            })
            .collect();
        let event: Value = serde_json::from_str(dj.event.get()).unwrap_or(Value::Null);
        let domain = to_domain(&event);
        let data = domain.get("data").cloned().unwrap_or(Value::Null);
        let meta = EventMeta {
            event_id: str_field(&domain, "id"),
            event_type: str_field(&domain, "type"),
            timestamp: domain
                .get("timestamp")
                .and_then(Value::as_str)
                .map(str::to_string),
            facility_id: Some(endpoint.facility_id.clone()),
            user_id: domain
                .get("userId")
                .and_then(Value::as_str)
                .map(str::to_string),
            booking_id: data
                .get("bookingId")
                .and_then(Value::as_str)
                .map(str::to_string),
            queue: dj.queue.clone(),
        };
        self.store
            .dead_letter(NewDeadLetter {
                meta,
                event: Some(event),
                raw: None,
                errors,
                failed_handlers: vec![handler],
            })
            .await
    }
}

fn str_field(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:29:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn fanned_out_jobs_read_back_as_delivery_jobs() {
        let event = json!({"id": "e1", "type": "booking.confirmed", "amount": 12.5,
            "data": {"note": "café \"quoted\"\n", "n": [1, -2, 3e300]}});
        let raw = RawValue::from_string(event.to_string()).unwrap();
        for version in [Some(7), None] {
            let out = DeliveryJobOut {
                delivery_id: "dlv_1",
                webhook_id: "wh_1",
                event: &raw,
                queue: "domain-events",
                trigger: "scheduled",
                endpoint_version: version,
            };
            let job = DeliveryJob {
                delivery_id: "dlv_1".into(),
                webhook_id: "wh_1".into(),
                event: event.clone(),
                queue: "domain-events".into(),
                trigger: "scheduled".into(),
                endpoint_version: version,
            };
            let text = serde_json::to_string(&out).unwrap();
            assert_eq!(text, serde_json::to_string(&job).unwrap());
            assert_eq!(serde_json::from_str::<DeliveryJob>(&text).unwrap(), job);
        }
    }

    #[test]
    fn a_jobs_event_is_sent_as_parsing_it_would_send_it() {
        use super::super::signing::Secret;
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let retry = super::super::endpoint::RetryConfig {
            max_retries: 1,
            retry_delay_ms: 1000,
            backoff_multiplier: 2.0,
        };
        let plain = Endpoint::new("fac_1", "https://example.com/h", &secret, retry, 0);
        let mapped = Endpoint {
            payload_mapping: Some(json!({"Booking": "{{data.bookingId}}", "Kind": "{{type}}"})),
            ..plain.clone()
        };
        let events = [
            json!({"id": "e1", "type": "booking.confirmed", "amount": 12.5,
                "data": {"bookingId": "b1", "note": "café \"q\"\n", "n": [1, -2, 3e300]}}),
            json!({"id": 7, "type": "booking.confirmed", "data": {}}),
            json!({"type": null, "id": "e3", "data": {}}),
            json!({"eventType": "booking.confirmed", "eventId": "e4",
                "timestamp": "2026-01-01T00:00:00Z", "data": {"bookingId": "b4"}}),
        ];
        for event in &events {
            let raw = RawValue::from_string(event.to_string()).unwrap();
            for e in [&plain, &mapped] {
                let sent = prepare_job(e, &raw, "dlv_1", 1_767_225_600).unwrap();
                let parsed = prepare(e, event, "dlv_1", None, 1_767_225_600).unwrap();
                assert_eq!(sent, parsed, "{event}");
            }
        }
        // An endpoint whose auth cannot be built still names the event.
        let broken = Endpoint {
            auth_type: AuthType::Bearer,
            ..plain.clone()
        };
        let raw = RawValue::from_string(events[0].to_string()).unwrap();
        let (why, id, ty) = prepare_job(&broken, &raw, "dlv_1", 0).unwrap_err();
        assert!(why.contains("bearer"), "{why}");
        assert_eq!((id.as_str(), ty.as_str()), ("e1", "booking.confirmed"));
    }

    #[test]
    fn legacy_events_become_domain_events() {
        let legacy = json!({"eventType": "booking.confirmed", "eventId": "e1",
            "timestamp": "2026-01-01T00:00:00Z", "data": {"facilityId": "f1", "userId": "u1"}});
        let d = to_domain(&legacy);
        assert_eq!(d["id"], "e1");
        assert_eq!(d["type"], "booking.confirmed");
        assert_eq!(d["facilityId"], "f1");
        assert_eq!(d["data"]["userId"], "u1");
        let domain = json!({"id": "e2", "type": "x", "data": {}});
        assert_eq!(to_domain(&domain), domain);
    }
}
