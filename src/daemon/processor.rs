//! The processor: what happens to one job taken from a queue.
//!
//! 1. Intake: the payload must be at most `daemon.max_payload_bytes`, valid JSON, in
//!    either envelope (seed-2 `DomainEvent` or seed-1 `{eventType, eventId, timestamp,
//!    data}`), of a catalogued type, and valid for that type. Anything else becomes a
//!    dead letter at once, with the reason; the job itself completes (it was handled).
//! 2. Each handler the registry lists for the type runs unless its effect for this event
//!    is already recorded. Its effects and its (event id, handler) key are applied in one
//!    store transaction, so redelivery, replay, or a crash between the effect and the queue
//!    ack never repeats an effect. A forward's effect lives on another queue: on a first
//!    delivery its push goes out while that transaction commits, and the job is acked only
//!    after both. A push that fails is logged as a failed run after the pass (whose
//!    record shows the forward applied) and retried; every later pass (redelivery, retry,
//!    replay) pushes a recorded forward again, which is a no-op while the job exists,
//!    because its id is derived from the event and the target.
//! 3. A failed handler is retried on its own policy through the retry queue (a delayed
//!    job that re-runs only that handler); one that exhausts its retries, or fails
//!    permanently, joins the event's dead letter with every error it had.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use crate::util::Field;

use super::adder::Adder;
use super::handlers::{self, EventCtx, HandlerError, NotifyConfig};
use super::retry::RetryPolicy;
use crate::event::{self, Format};
use crate::metrics::{self, Metrics};
use crate::notify::rules::Shape;
use crate::queue::{Failure, Job, JobOptions, NewJob, QueueBackend, Retry, now_ms};
use crate::settings::{ForwardTarget, Settings};
use crate::store::{
    Effect, EffectKey, EventMeta, HandlerRun, NewDeadLetter, ProcessingError, Store,
};

/// Job name of retry and replay jobs on the retry queue.
pub const RETRY_JOB_NAME: &str = "slotbase-retry";

/// Everything a job needs to be processed.
pub struct Processor {
    pub store: Arc<dyn Store>,
    pub queues: Arc<dyn QueueBackend>,
    /// Forwards and retries, coalesced across the events in flight.
    pub adder: Adder,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
}

/// A retry or replay job's payload, on the retry queue.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryJob {
    /// The event, as received.
    pub event: Value,
    /// The handlers to run; empty means every handler the registry lists.
    pub handlers: Vec<String>,
    /// The queue the event first came from.
    pub queue: String,
    /// The dead letter being replayed, if this is a replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<String>,
}

/// A normalised event, or why it cannot be processed.
struct Intake {
    ctx: EventCtx,
    meta: EventMeta,
}

struct Rejection {
    code: &'static str,
    message: String,
    meta: EventMeta,
    event: Option<Value>,
}

impl Processor {
    /// Process one job; `Ok` carries the job's return value (JSON text).
    pub async fn process(&self, queue: &str, job: &Job) -> Result<String, Failure> {
        let (payload, only, origin_queue, replay_of) = if job.name == RETRY_JOB_NAME {
            match serde_json::from_str::<RetryJob>(&job.data) {
                Ok(r) => (r.event.to_string(), r.handlers, r.queue, r.replay_of),
                Err(e) => {
                    return Err(Failure {
                        message: format!("unreadable retry job: {e}"),
                        stack: None,
                        retry: Retry::Never,
                    });
                }
            }
        } else {
            (job.data.clone(), vec![], queue.to_string(), None)
        };
        let started = Instant::now();
        let intake = match self.intake(&payload, &origin_queue, &job.id) {
            Ok(i) => i,
            Err(rej) => return self.reject(*rej, &payload).await,
        };
        // A job seen for the first time (no failed attempt, never recovered from a stalled
        // worker, not a retry) cannot have applied effects unless its event id was reused
        // by another job; the store's effect keys still catch that case.
        let first_delivery =
            job.name != RETRY_JOB_NAME && job.attempts_made == 0 && job.stalled_counter == 0;
        let result = self
            .run_handlers(
                &intake,
                &only,
                &origin_queue,
                first_delivery,
                replay_of.as_deref(),
            )
            .await;
        let elapsed = started.elapsed().as_secs_f64();
        let ty = intake.ctx.event_type.as_str();
        self.metrics.observe(
            metrics::EVENTS_PROCESSING_DURATION,
            &[("type", ty)],
            elapsed,
        );
        match result {
            Ok(summary) => {
                if summary.retrying.is_empty() && summary.dead.is_empty() {
                    self.metrics.inc(metrics::EVENTS_PROCESSED, &[("type", ty)]);
                } else {
                    self.metrics.inc(metrics::EVENTS_FAILED, &[("type", ty)]);
                }
                let mut out = json!({
                    "eventId": intake.ctx.id,
                    "type": ty,
                    "applied": summary.applied,
                    "skipped": summary.skipped,
                });
                if !summary.retrying.is_empty() {
                    out["retrying"] = json!(summary.retrying);
                }
                if let Some(d) = summary.dead_letter {
                    out["deadLetter"] = json!(d);
                }
                if let Some(r) = replay_of {
                    out["replayOf"] = json!(r);
                }
                Ok(crate::util::json_text(&out))
            }
            Err(e) => {
                self.metrics.inc(metrics::EVENTS_FAILED, &[("type", ty)]);
                Err(Failure {
                    message: e,
                    stack: None,
                    retry: Retry::After(self.settings.retry.default_delay_ms),
                })
            }
        }
    }

    fn intake(&self, payload: &str, queue: &str, job_id: &str) -> Result<Intake, Box<Rejection>> {
        let fallback_meta = |id: String, ty: String| EventMeta {
            event_id: id,
            event_type: ty,
            timestamp: None,
            facility_id: None,
            user_id: None,
            booking_id: None,
            queue: queue.to_string(),
        };
        let unknown_id = || format!("{queue}/{job_id}");
        let limit = self.settings.daemon.max_payload_bytes;
        if payload.len() > limit {
            return Err(Box::new(Rejection {
                code: "payload_too_large",
                message: format!(
                    "payload of {} bytes is over the limit of {limit} (daemon.max_payload_bytes)",
                    payload.len()
                ),
                meta: fallback_meta(unknown_id(), "unknown".into()),
                event: None,
            }));
        }
        let value: Value = match serde_json::from_str(payload) {
            Ok(v) => v,
            Err(e) => {
                return Err(Box::new(Rejection {
                    code: "malformed_json",
                    message: format!("the payload is not valid JSON: {e}"),
                    meta: fallback_meta(unknown_id(), "unknown".into()),
                    event: None,
                }));
            }
        };
        let get = |k: &str| value.field(k).and_then(Value::as_str).map(str::to_string);
        let (format, id, ty) =
            if value.field("eventType").is_some() && value.field("type").is_none() {
                (Format::Legacy, get("eventId"), get("eventType"))
            } else {
                (Format::Domain, get("id"), get("type"))
            };
        let Some(ty) = ty.filter(|t| !t.is_empty()) else {
            return Err(Box::new(Rejection {
                code: "invalid_event",
                message: "the event has no type (\"type\", or \"eventType\" in the legacy shape)"
                    .into(),
                meta: fallback_meta(id.unwrap_or_else(unknown_id), "unknown".into()),
                event: Some(value),
            }));
        };
        let Some(id) = id.filter(|i| !i.is_empty()) else {
            return Err(Box::new(Rejection {
                code: "missing_id",
                message: "the event has no id (\"id\", or \"eventId\" in the legacy shape); it cannot be deduplicated".into(),
                meta: fallback_meta(unknown_id(), ty),
                event: Some(value),
            }));
        };
        let data = value.field("data").unwrap_or(&Value::Null);
        let s = |k: &str| data.field(k).and_then(Value::as_str).map(str::to_string);
        let timestamp = get("timestamp");
        let facility_id = get("facilityId").or_else(|| s("facilityId"));
        let user_id = get("userId").or_else(|| s("userId"));
        let catalogued = event::lookup(&ty);
        let shape = match &catalogued {
            Ok(t) if t.shape_seed(format) == event::Seed::Notification => Shape::Legacy,
            _ => Shape::Domain,
        };
        // The context owns the parsed envelope; a rejection takes it back for the dead
        // letter.
        let ctx = EventCtx {
            id: id.clone(),
            event_type: ty.clone(),
            timestamp: timestamp.clone(),
            facility_id: facility_id.clone(),
            user_id: user_id.clone(),
            shape,
            envelope: value,
            forward_bodies: Default::default(),
        };
        let meta = EventMeta {
            event_id: id,
            event_type: ty.clone(),
            timestamp,
            facility_id,
            user_id,
            booking_id: ctx.booking_id(),
            queue: queue.to_string(),
        };
        let ty_def = match catalogued {
            Ok(t) => t,
            Err(e) => {
                return Err(Box::new(Rejection {
                    code: "unknown_type",
                    message: e.to_string(),
                    meta,
                    event: Some(ctx.envelope),
                }));
            }
        };
        if let Err(e) = event::validate(&ctx.envelope, ty_def, format) {
            return Err(Box::new(Rejection {
                code: "invalid_event",
                message: e.to_string(),
                meta,
                event: Some(ctx.envelope),
            }));
        }
        Ok(Intake { ctx, meta })
    }

    /// Dead-letter an event that cannot be processed; the job completes.
    async fn reject(&self, rej: Rejection, payload: &str) -> Result<String, Failure> {
        let ty = rej.meta.event_type.clone();
        let run = handler_run("intake", "failed", Some(rej.message.clone()), 1, 0);
        let store_err = |e: crate::store::StoreError| Failure {
            message: format!("cannot record the dead letter: {e}"),
            stack: None,
            retry: Retry::After(self.settings.retry.default_delay_ms),
        };
        self.store
            .log_run(&rej.meta, &run)
            .await
            .map_err(store_err)?;
        let raw = rej.event.is_none().then(|| {
            // Keep what an operator needs to see without storing megabytes.
            let cap = self.settings.daemon.max_payload_bytes.min(65536);
            let mut end = payload.len().min(cap);
            while !payload.is_char_boundary(end) {
                end -= 1;
            }
            payload[..end].to_string()
        });
        let id = self
            .store
            .dead_letter(NewDeadLetter {
                meta: rej.meta.clone(),
                event: rej.event,
                raw,
                errors: vec![ProcessingError {
                    handler_name: "intake".into(),
                    message: rej.message.clone(),
                    code: rej.code.into(),
                    attempt_count: 1,
                    max_retries: 0,
                    at: now_ms(),
                }],
                failed_handlers: vec![],
            })
            .await
            .map_err(store_err)?;
        self.metrics.inc(metrics::EVENTS_FAILED, &[("type", &ty)]);
        tracing::warn!(event_id = %rej.meta.event_id, code = rej.code, dead_letter = %id, reason = %rej.message, "event dead-lettered at intake");
        Ok(json!({"deadLetter": id, "code": rej.code, "reason": rej.message}).to_string())
    }

    fn handlers_for(&self, ty: &str) -> Vec<String> {
        self.settings
            .handlers
            .events
            .get(ty)
            .unwrap_or(&self.settings.handlers.default)
            .clone()
    }

    async fn run_handlers(
        &self,
        intake: &Intake,
        only: &[String],
        origin_queue: &str,
        first_delivery: bool,
        replay_of: Option<&str>,
    ) -> Result<Summary, String> {
        let ev = &intake.ctx;
        let mut wanted = self.handlers_for(&ev.event_type);
        if !only.is_empty() {
            wanted.retain(|h| only.contains(h));
            // A replay may name a handler the registry no longer lists: run it anyway.
            for h in only {
                if !wanted.contains(h) {
                    wanted.push(h.clone());
                }
            }
        }
        let applied = if first_delivery {
            Vec::new()
        } else {
            self.store
                .applied(&ev.id)
                .await
                .map_err(|e| format!("cannot read applied effects: {e}"))?
        };
        let mut summary = Summary::default();
        let mut gave_up = Vec::new();
        let mut done = Vec::new();
        let mut failed_runs = Vec::new();
        // Retries and replays may follow earlier failures: number their attempts.
        let later_pass = !only.is_empty();
        // A webhook delivery can die, be replayed, and die again: each replay of a dead
        // letter is an effect of its own, so a later replay is not taken for done.
        let key_name = |name: &str| match replay_of {
            Some(r) if name.starts_with("webhook:") => format!("{name}@{r}"),
            _ => name.to_string(),
        };
        let mut todo = Vec::new();
        for name in wanted {
            // A recorded forward is pushed again on a later pass: a first pass records it
            // while its push is under way (see below), so the key alone does not prove
            // that the job landed. The job id is derived from the event, so a push that
            // had landed changes nothing.
            if applied.contains(&key_name(&name)) && !name.starts_with("forward:") {
                summary.skipped.push(name);
            } else {
                todo.push(name);
            }
        }
        // The handlers of one event are independent: run them together, then record
        // their outcomes in the registry's order. On a first delivery, forwards leave
        // their push to the processor, which sends it beside the store's commit.
        let outcomes = futures_util::future::join_all(todo.iter().map(|name| async move {
            let started = Instant::now();
            let outcome = self
                .run_one(name, ev, origin_queue, replay_of, first_delivery)
                .await;
            (outcome, started.elapsed().as_millis() as u64)
        }))
        .await;
        let mut pushes = Vec::new();
        for (name, (outcome, duration_ms)) in todo.into_iter().zip(outcomes) {
            let key_name = key_name(&name);
            // Earlier failures number this attempt; a first pass that succeeded has none.
            let prior = if later_pass || outcome.is_err() {
                self.store
                    .handler_errors(&ev.id, &name)
                    .await
                    .map_err(|e| e.to_string())?
                    .len() as u32
            } else {
                0
            };
            let run = |status: &str, error: Option<String>, attempt: u32| {
                handler_run(&name, status, error, attempt, duration_ms)
            };
            match outcome {
                Ok((effects, after)) => {
                    if applied.contains(&key_name) {
                        // A recorded forward pushed again: its run is logged, its key
                        // stands, and it counts as applied only if the job was missing.
                        let pushed = !matches!(after, After::Pushed { duplicate: true });
                        let status = if pushed { "success" } else { "skipped" };
                        failed_runs.push(run(status, None, prior + 1));
                        self.tally(&mut summary, name, pushed);
                        continue;
                    }
                    if let After::Push(queue, job) = after {
                        pushes.push((name.clone(), duration_ms, queue, job));
                    }
                    let key = EffectKey {
                        event_id: ev.id.clone(),
                        handler: key_name.clone(),
                    };
                    done.push((key, effects, run("success", None, prior + 1)));
                }
                Err(err) => {
                    let (run, gave) = self
                        .handler_failed(ev, &name, err, prior + 1, duration_ms, origin_queue)
                        .await?;
                    failed_runs.push(run);
                    match gave {
                        Some(max) => gave_up.push((name, max)),
                        None => summary.retrying.push(name),
                    }
                }
            }
        }
        let names: Vec<String> = done.iter().map(|(k, _, _)| k.handler.clone()).collect();
        // The pushes go out while the pass is committed. Were the daemon to stop between
        // the two, the job is delivered again and the later pass pushes again (above).
        let record = self.store.record(&intake.meta, done, failed_runs);
        let sends = futures_util::future::join_all(pushes.into_iter().map(
            |(name, duration_ms, queue, job)| async move {
                let r = self.adder.add(&queue, *job).await;
                (name, duration_ms, queue, r)
            },
        ));
        let (fresh, sent) = futures_util::future::join(record, sends).await;
        let fresh = fresh.map_err(|e| format!("cannot record the handlers' effects: {e}"))?;
        // A push that failed is a failed run of its forward, logged after the pass; its
        // retry pushes again whatever the recorded key says.
        let mut unsent = Vec::new();
        for (name, duration_ms, queue, r) in sent {
            if let Err(e) = r {
                let prior = self
                    .store
                    .handler_errors(&ev.id, &name)
                    .await
                    .map_err(|e| e.to_string())?
                    .len() as u32;
                let err = HandlerError::Transient(format!("forward to {queue}: {e}"));
                let (run, gave) = self
                    .handler_failed(ev, &name, err, prior + 1, duration_ms, origin_queue)
                    .await?;
                self.store
                    .log_run(&intake.meta, &run)
                    .await
                    .map_err(|e| format!("cannot log the failed forward: {e}"))?;
                match gave {
                    Some(max) => gave_up.push((name.clone(), max)),
                    None => summary.retrying.push(name.clone()),
                }
                unsent.push(name);
            }
        }
        for (name, new) in names.into_iter().zip(fresh) {
            if !unsent.contains(&name) {
                self.tally(&mut summary, name, new);
            }
        }
        if !gave_up.is_empty() {
            let mut errors = Vec::new();
            for (name, max) in &gave_up {
                let mut errs = self
                    .store
                    .handler_errors(&ev.id, name)
                    .await
                    .map_err(|e| e.to_string())?;
                for e in &mut errs {
                    e.max_retries = *max;
                }
                errors.extend(errs);
            }
            let id = self
                .store
                .dead_letter(NewDeadLetter {
                    meta: intake.meta.clone(),
                    event: Some(ev.envelope.clone()),
                    raw: None,
                    errors,
                    failed_handlers: gave_up.iter().map(|(n, _)| n.clone()).collect(),
                })
                .await
                .map_err(|e| format!("cannot record the dead letter: {e}"))?;
            summary.dead = gave_up.into_iter().map(|(n, _)| n).collect();
            summary.dead_letter = Some(id);
        }
        Ok(summary)
    }

    /// Count a handler's successful run: `new` when its effects were applied by this
    /// pass, or else found already applied.
    fn tally(&self, summary: &mut Summary, name: String, new: bool) {
        let status = if new { "success" } else { "skipped" };
        self.metrics.inc(
            metrics::HANDLER_RUNS,
            &[("handler", &name), ("outcome", status)],
        );
        if new {
            summary.applied.push(name);
        } else {
            summary.skipped.push(name);
        }
    }

    /// Decide what becomes of a handler's failed attempt (its `failures`-th): a retry on
    /// its policy, scheduled now, or giving up. Returns the attempt's run (`retrying` or
    /// `failed`) and, when it gave up, the handler's retry limit (the caller dead-letters
    /// the event).
    async fn handler_failed(
        &self,
        ev: &EventCtx,
        name: &str,
        err: HandlerError,
        failures: u32,
        duration_ms: u64,
        origin_queue: &str,
    ) -> Result<(HandlerRun, Option<u32>), String> {
        let policy = RetryPolicy::for_handler(&self.settings.retry, name);
        let permanent = matches!(err, HandlerError::Permanent(_));
        let message = err.to_string();
        let retry = !permanent && policy.can_retry(failures);
        let status = if retry { "retrying" } else { "failed" };
        self.metrics.inc(
            metrics::HANDLER_RUNS,
            &[("handler", name), ("outcome", status)],
        );
        tracing::warn!(event_id = %ev.id, handler = %name, attempt = failures, retry, error = %message, "handler failed");
        if retry {
            self.schedule_retry(ev, name, failures, &policy, origin_queue)
                .await
                .map_err(|e| format!("cannot schedule a retry: {e}"))?;
        }
        let run = handler_run(name, status, Some(message), failures, duration_ms);
        Ok((run, (!retry).then_some(policy.max_retries)))
    }

    /// Run one handler. A forward's push is left to the caller (`After::Push`) when
    /// `defer_push` is set, and made here otherwise.
    async fn run_one(
        &self,
        name: &str,
        ev: &EventCtx,
        origin_queue: &str,
        replay_of: Option<&str>,
        defer_push: bool,
    ) -> Result<(Vec<Effect>, After), HandlerError> {
        let effects = match name {
            "notification" => {
                let cfg = NotifyConfig {
                    ticket_manager_id: self.settings.notifications.ticket_manager_id.clone(),
                };
                handlers::notification(ev, self.store.as_ref(), &cfg).await
            }
            "projection" => handlers::projection(ev),
            "analytics" => handlers::analytics(ev),
            "webhook" => self.webhook(ev, origin_queue, None, None).await,
            other if other.starts_with("webhook:") => {
                self.webhook(ev, origin_queue, other.strip_prefix("webhook:"), replay_of)
                    .await
            }
            other => match other.strip_prefix("forward:") {
                Some(target) => {
                    let Some(t) = self.settings.handlers.forward.get(target) else {
                        return Err(HandlerError::Permanent(format!(
                            "no forward target [handlers.forward.{target}] is configured"
                        )));
                    };
                    return self.forward(ev, target, t, defer_push).await;
                }
                None => Err(HandlerError::Permanent(format!(
                    "unknown handler \"{other}\""
                ))),
            },
        }?;
        Ok((effects, After::Nothing))
    }

    /// Queue the event's webhook deliveries (all subscribed endpoints, or one when a dead
    /// letter of that endpoint is replayed).
    async fn webhook(
        &self,
        ev: &EventCtx,
        origin_queue: &str,
        only: Option<&str>,
        replay_of: Option<&str>,
    ) -> Result<Vec<Effect>, HandlerError> {
        let Some(webhooks) = self.store.webhooks() else {
            return Err(HandlerError::Permanent(
                "this store keeps no webhook endpoints".into(),
            ));
        };
        crate::webhook::delivery::fan_out(
            webhooks.as_ref(),
            self.queues.as_ref(),
            &self.settings,
            ev,
            origin_queue,
            only,
            replay_of,
        )
        .await
    }

    /// Push the event onto the target's queue, or with `defer` leave the job for the
    /// caller to push. The job id is derived from the event id and the target, so a
    /// second push of the same event is a no-op while the job exists.
    async fn forward(
        &self,
        ev: &EventCtx,
        target_name: &str,
        target: &ForwardTarget,
        defer: bool,
    ) -> Result<(Vec<Effect>, After), HandlerError> {
        let slot = &ev.forward_bodies[match target.format {
            Format::Domain => 0,
            Format::Legacy => 1,
        }];
        let body = match slot.get() {
            Some(body) => body.clone(),
            None => {
                let body = forward_body(ev, target.format).map_err(|e| {
                    HandlerError::Permanent(format!("cannot encode the forward: {e}"))
                })?;
                let _ = slot.set(body.clone());
                body
            }
        };
        let job_id = ["fwd-", &ev.id, "-", target_name].concat();
        let effects = vec![Effect::Forwarded {
            queue: target.queue.clone(),
            job_id: job_id.clone(),
        }];
        let job = NewJob {
            name: target.job_name.clone(),
            data: body,
            opts: JobOptions {
                job_id: Some(job_id),
                attempts: 3,
                backoff: Some(crate::queue::Backoff::Exponential { delay: 1000 }),
                ..JobOptions::default()
            },
        };
        if defer {
            return Ok((effects, After::Push(target.queue.clone(), Box::new(job))));
        }
        let added =
            self.adder.add(&target.queue, job).await.map_err(|e| {
                HandlerError::Transient(format!("forward to {}: {e}", target.queue))
            })?;
        Ok((
            effects,
            After::Pushed {
                duplicate: added.duplicate,
            },
        ))
    }

    async fn schedule_retry(
        &self,
        ev: &EventCtx,
        handler: &str,
        failures: u32,
        policy: &RetryPolicy,
        origin_queue: &str,
    ) -> Result<(), crate::queue::QueueError> {
        let delay = policy.delay(failures);
        let job = RetryJob {
            event: ev.envelope.clone(),
            handlers: vec![handler.to_string()],
            queue: origin_queue.to_string(),
            replay_of: None,
        };
        self.adder
            .add(
                &self.settings.daemon.retry_queue,
                NewJob {
                    name: RETRY_JOB_NAME.into(),
                    data: serde_json::to_string(&job).unwrap_or_default(),
                    opts: JobOptions {
                        delay: delay.as_millis() as u64,
                        job_id: Some(format!("retry-{}-{handler}-{failures}", ev.id)),
                        remove_on_complete: self.settings.daemon.own_jobs_kept(),
                        ..JobOptions::default()
                    },
                },
            )
            .await
            .map(|_| ())
    }
}

/// The event in the envelope a forward target wants, written straight from the event
/// without building (and copying into) a new JSON tree.
fn forward_body(ev: &EventCtx, format: Format) -> serde_json::Result<String> {
    match format {
        Format::Domain if ev.envelope.field("type").is_some() => {
            serde_json::to_string(&ev.envelope)
        }
        Format::Domain => serde_json::to_string(&DomainOut {
            id: &ev.id,
            r#type: &ev.event_type,
            version: "1.0",
            timestamp: &ev.timestamp,
            occurred_at: &ev.timestamp,
            source: "slotbase",
            correlation_id: &ev.id,
            data: ev.data(),
            metadata: DomainOutMeta {
                environment: "production",
            },
        }),
        Format::Legacy => serde_json::to_string(&LegacyOut {
            event_type: &ev.event_type,
            event_id: &ev.id,
            timestamp: &ev.timestamp,
            data: ev.data(),
        }),
    }
}

/// A forward in the seed-2 envelope, for an event that came in the legacy one.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DomainOut<'a> {
    id: &'a str,
    r#type: &'a str,
    version: &'a str,
    timestamp: &'a Option<String>,
    occurred_at: &'a Option<String>,
    source: &'a str,
    correlation_id: &'a str,
    data: &'a Value,
    metadata: DomainOutMeta<'a>,
}

#[derive(serde::Serialize)]
struct DomainOutMeta<'a> {
    environment: &'a str,
}

/// A forward in the seed-1 (legacy) envelope.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct LegacyOut<'a> {
    event_type: &'a str,
    event_id: &'a str,
    timestamp: &'a Option<String>,
    data: &'a Value,
}

/// What a handler leaves to the processor besides its effects.
enum After {
    Nothing,
    /// A forward's job, to push onto this queue beside the commit of the pass.
    Push(String, Box<NewJob>),
    /// A forward's job was pushed; `duplicate` when it was already on its queue.
    Pushed {
        duplicate: bool,
    },
}

/// A handler's run as logged now.
fn handler_run(
    handler: &str,
    status: &str,
    error: Option<String>,
    attempt: u32,
    duration_ms: u64,
) -> HandlerRun {
    HandlerRun {
        handler: handler.to_string(),
        status: status.to_string(),
        duration_ms,
        error,
        attempt,
        at: now_ms(),
    }
}

#[derive(Default)]
struct Summary {
    applied: Vec<String>,
    skipped: Vec<String>,
    retrying: Vec<String>,
    dead: Vec<String>,
    dead_letter: Option<String>,
}
