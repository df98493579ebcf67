//! A Bull-compatible worker over any [`QueueBackend`]: it claims, renews, finishes and
//! recovers jobs the way a Bull v4 worker does, so it can share a Redis queue with Bull
//! workers (or run the embedded queue alone).
//!
//! One worker instance has one token (a UUID v4, like a Bull `Queue`), shared by the
//! locks of all its concurrent jobs. Its tasks:
//! - a fetch loop that claims as many jobs as there are free slots, blocking on an empty
//!   queue, and hands each to the handler;
//! - a finisher that batches completions into one backend call, which also claims as
//!   many new jobs as the batch frees slots (Bull's moveToFinished with fetch-next), with
//!   up to two such calls in flight so that Redis never waits for the worker. A job
//!   holds its slot until its outcome is recorded, as in Bull;
//! - lock renewal of every job in flight every `lease / 2`;
//! - delayed-job promotion on a timer of at most `promote_every`, earlier when the next
//!   delayed job is due sooner or a job of ours was scheduled for a retry;
//! - the stalled-job sweep every `stalled.interval` (once at start, like Bull).
//!
//! Stopping (cancelling the token) stops claiming, lets every job in flight finish and
//! be recorded, then returns. Backend errors (Redis restarting, say) are logged and
//! retried with backoff; nothing is dropped on the floor: a job whose result could not
//! be recorded keeps its lock until it expires and the stalled sweep requeues it.

use std::collections::HashSet;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::FutureExt as _;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{FailOutcome, Failure, Job, QueueBackend, Retry, StalledCheck, now_ms};

/// What runs a job: the result is the job's return value as JSON text, stored as Bull's
/// `returnvalue`; a [`Failure`] counts as a failed attempt.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn handle(&self, job: Job) -> Result<String, Failure>;
}

#[async_trait]
impl<F, Fut> Handler for F
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, Failure>> + Send + 'static,
{
    async fn handle(&self, job: Job) -> Result<String, Failure> {
        self(job).await
    }
}

/// Worker settings, with Bull's defaults.
#[derive(Clone, Copy, Debug)]
pub struct WorkerOptions {
    /// Jobs run at once (Bull's `concurrency`).
    pub concurrency: usize,
    /// Lock duration (Bull's `lockDuration`, 30 s); renewed every half of it.
    pub lease: Duration,
    /// How long one blocking claim waits on an empty queue. Stopping waits for the claim
    /// in progress, so this bounds the stop latency of an idle worker.
    pub block: Duration,
    /// The stalled-job sweep (Bull's `stalledInterval` and `maxStalledCount`).
    pub stalled: StalledCheck,
    /// Longest wait between delayed-job promotions (Bull's `guardInterval`, 5 s).
    pub promote_every: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 1,
            lease: Duration::from_secs(30),
            block: Duration::from_secs(2),
            stalled: StalledCheck::default(),
            promote_every: Duration::from_secs(5),
        }
    }
}

/// What a worker did before it stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerReport {
    pub completed: u64,
    /// Attempts that failed and will be retried.
    pub retried: u64,
    /// Jobs that ended in `failed`.
    pub failed: u64,
    /// Jobs whose result was refused because the lock was lost (stalled and recovered
    /// elsewhere) or could not be recorded.
    pub lost: u64,
}

#[derive(Default)]
struct Counters {
    completed: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    lost: AtomicU64,
}

/// A Bull-compatible worker for one queue.
pub struct Worker {
    backend: Arc<dyn QueueBackend>,
    queue: String,
    token: String,
    opts: WorkerOptions,
    handler: Arc<dyn Handler>,
}

struct Shared {
    backend: Arc<dyn QueueBackend>,
    queue: String,
    token: String,
    opts: WorkerOptions,
    handler: Arc<dyn Handler>,
    /// Claimed jobs whose outcome is not recorded yet (their locks are renewed).
    in_flight: Mutex<HashSet<String>>,
    /// Handler slots, `concurrency` of them: a job holds one from its claim until its
    /// outcome is recorded, so no more than `concurrency` jobs are ever locked.
    slots: Arc<Semaphore>,
    /// The tasks running jobs.
    jobs: TaskTracker,
    counters: Arc<Counters>,
    /// Wakes the promotion loop early (a retry of ours was scheduled).
    promote_now: Notify,
    completions: mpsc::UnboundedSender<Completion>,
}

/// A finished job on its way to the finisher: id, return value, and its slot, which the
/// finisher reuses for the job it fetches in its place.
type Completion = (String, String, OwnedSemaphorePermit);

/// Completion calls the finisher keeps in flight: one being served while the next batch
/// gathers. More calls in flight make each batch smaller: with four, the daemon's
/// end-to-end benchmark made a fifth more script calls per event and processed about 6%
/// fewer events per second.
const RECORDING_CALLS: usize = 2;

/// Most completions per recording call.
const RECORDING_BATCH: usize = 1000;

/// Most times the finisher yields to let completions gather before a recording call.
const GATHER_YIELDS: usize = 4;

impl Worker {
    pub fn new(backend: Arc<dyn QueueBackend>, queue: &str, handler: impl Handler) -> Worker {
        Worker {
            backend,
            queue: queue.to_string(),
            token: uuid::Uuid::new_v4().to_string(),
            opts: WorkerOptions::default(),
            handler: Arc::new(handler),
        }
    }

    pub fn with_options(mut self, opts: WorkerOptions) -> Worker {
        self.opts = opts;
        self.opts.concurrency = self.opts.concurrency.max(1);
        self
    }

    /// The token on this worker's locks.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Run until `stop` is cancelled, then finish the jobs in flight and return.
    pub async fn run(self, stop: CancellationToken) -> WorkerReport {
        let (tx, rx) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let shared = Arc::new(Shared {
            backend: self.backend,
            queue: self.queue,
            token: self.token,
            opts: self.opts,
            handler: self.handler,
            in_flight: Mutex::new(HashSet::new()),
            slots: Arc::new(Semaphore::new(self.opts.concurrency)),
            jobs: TaskTracker::new(),
            counters: counters.clone(),
            promote_now: Notify::new(),
            completions: tx,
        });
        // Background loops outlive the fetch loop: locks must be renewed until the last
        // job in flight is recorded.
        let background = CancellationToken::new();
        let mut loops = JoinSet::new();
        loops.spawn(renew_loop(shared.clone(), background.clone()));
        loops.spawn(promote_loop(shared.clone(), background.clone()));
        loops.spawn(stalled_loop(shared.clone(), background.clone()));

        // The finisher stops fetching when `stop` is cancelled, and ends once the fetch
        // loop is done and every job it or the fetch loop claimed is recorded.
        let fetching_done = CancellationToken::new();
        let finisher = tokio::spawn(finish_loop(
            shared.clone(),
            rx,
            stop.clone(),
            fetching_done.clone(),
        ));
        fetch_loop(&shared, &stop).await;
        fetching_done.cancel();
        let _ = finisher.await;
        shared.jobs.close();
        shared.jobs.wait().await;

        background.cancel();
        while loops.join_next().await.is_some() {}
        WorkerReport {
            completed: counters.completed.load(Ordering::Relaxed),
            retried: counters.retried.load(Ordering::Relaxed),
            failed: counters.failed.load(Ordering::Relaxed),
            lost: counters.lost.load(Ordering::Relaxed),
        }
    }
}

/// Start claimed jobs, one slot each.
fn start_jobs(shared: &Arc<Shared>, jobs: Vec<Job>, permits: &mut Vec<OwnedSemaphorePermit>) {
    for job in jobs {
        let Some(permit) = permits.pop() else {
            break;
        };
        shared
            .in_flight
            .lock()
            .expect("in flight")
            .insert(job.id.clone());
        shared.jobs.spawn(run_job(shared.clone(), job, permit));
    }
}

async fn fetch_loop(shared: &Arc<Shared>, stop: &CancellationToken) {
    let slots = &shared.slots;
    let mut backoff = Duration::from_millis(100);
    loop {
        let first = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("semaphore open"),
            _ = stop.cancelled() => return,
        };
        let mut permits = vec![first];
        while let Ok(p) = slots.clone().try_acquire_owned() {
            permits.push(p);
        }
        if stop.is_cancelled() {
            return;
        }
        // The claim is never abandoned half-way: a blocking pop cut short could leave a
        // job in active without a lock.
        let claimed = shared
            .backend
            .claim(
                &shared.queue,
                &shared.token,
                shared.opts.lease,
                permits.len(),
                Some(shared.opts.block),
            )
            .await;
        match claimed {
            Ok(claimed) => {
                backoff = Duration::from_millis(100);
                start_jobs(shared, claimed, &mut permits);
            }
            Err(e) => {
                tracing::warn!(queue = %shared.queue, error = %e, retry_in_ms = backoff.as_millis() as u64, "claiming jobs failed");
                drop(permits);
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.cancelled() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// A returnvalue must be JSON for Bull; anything else is stored as a JSON string.
fn as_json(value: String) -> String {
    if serde_json::from_str::<serde::de::IgnoredAny>(&value).is_ok() {
        value
    } else {
        serde_json::Value::String(value).to_string()
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

/// Run one job in its handler slot (`slot`), then record the outcome: a completion goes
/// to the finisher with the slot, a failure is recorded here.
async fn run_job(shared: Arc<Shared>, job: Job, slot: OwnedSemaphorePermit) {
    let id = job.id.clone();
    // A panicking handler is a failed attempt, not a dead slot.
    let outcome = match AssertUnwindSafe(shared.handler.handle(job))
        .catch_unwind()
        .await
    {
        Ok(r) => r,
        Err(panic) => Err(Failure {
            message: format!("the handler panicked: {}", panic_message(panic.as_ref())),
            stack: None,
            retry: Retry::Job,
        }),
    };
    match outcome {
        Ok(value) => {
            if let Err(unsent) = shared.completions.send((id, as_json(value), slot)) {
                // Only when the worker is torn down: the lock expires and the stalled
                // sweep requeues the job.
                let (id, _, _) = unsent.0;
                shared.in_flight.lock().expect("in flight").remove(&id);
                shared.counters.lost.fetch_add(1, Ordering::Relaxed);
            }
        }
        Err(failure) => {
            record_failure(&shared, &id, &failure).await;
            shared.in_flight.lock().expect("in flight").remove(&id);
            drop(slot);
        }
    }
}

/// Retry a recording call through backend errors until the lock would have expired
/// anyway (after which the stalled sweep owns the job).
async fn persist<T, F, Fut>(queue: &str, lease: Duration, what: &str, mut call: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = super::Result<T>>,
{
    let deadline = tokio::time::Instant::now() + lease;
    let mut backoff = Duration::from_millis(50);
    loop {
        match call().await {
            Ok(v) => return Some(v),
            Err(e) if tokio::time::Instant::now() + backoff < deadline => {
                tracing::warn!(queue, error = %e, "{what} failed; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            Err(e) => {
                tracing::error!(queue, error = %e, "{what} failed; the stalled sweep will requeue the job");
                return None;
            }
        }
    }
}

async fn record_failure(shared: &Shared, id: &str, failure: &Failure) {
    let outcome = persist(
        &shared.queue,
        shared.opts.lease,
        "recording a failed attempt",
        || {
            shared
                .backend
                .fail(&shared.queue, &shared.token, id, failure)
        },
    )
    .await;
    let c = &shared.counters;
    match outcome {
        Some(Ok(FailOutcome::Retrying { delay_ms })) => {
            c.retried.fetch_add(1, Ordering::Relaxed);
            if delay_ms > 0 {
                shared.promote_now.notify_one();
            }
        }
        Some(Ok(FailOutcome::Failed)) => {
            c.failed.fetch_add(1, Ordering::Relaxed);
        }
        Some(Err(e)) => {
            tracing::warn!(queue = %shared.queue, job = id, reason = %e, "failure not recorded");
            c.lost.fetch_add(1, Ordering::Relaxed);
        }
        None => {
            c.lost.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Records completions in batches: whatever finished while the previous calls were
/// being served goes out in the next one. Ends once `fetching_done` is cancelled and no
/// claimed job is left unrecorded.
async fn finish_loop(
    shared: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<Completion>,
    stop: CancellationToken,
    fetching_done: CancellationToken,
) {
    let mut calls = JoinSet::new();
    loop {
        if calls.len() >= RECORDING_CALLS {
            calls.join_next().await;
            continue;
        }
        let first = if fetching_done.is_cancelled() {
            if calls.is_empty()
                && rx.is_empty()
                && shared.in_flight.lock().expect("in flight").is_empty()
            {
                break;
            }
            // Jobs whose failure is being recorded leave `in_flight` without a message:
            // look again shortly.
            tokio::select! {
                m = rx.recv() => m,
                Some(_) = calls.join_next(), if !calls.is_empty() => continue,
                _ = tokio::time::sleep(Duration::from_millis(20)) => continue,
            }
        } else {
            tokio::select! {
                m = rx.recv() => m,
                Some(_) = calls.join_next(), if !calls.is_empty() => continue,
                _ = fetching_done.cancelled() => continue,
            }
        };
        let Some(first) = first else {
            break;
        };
        // The first completion wakes this task ahead of the jobs still queued to run
        // (tokio runs a task just woken next). Yielding lets them finish, so they join
        // this batch instead of going out alone; again while more keep arriving.
        let mut queued = rx.len();
        for _ in 0..GATHER_YIELDS {
            tokio::task::yield_now().await;
            let now = rx.len();
            if now == queued {
                break;
            }
            queued = now;
        }
        let mut batch = vec![first];
        while batch.len() < RECORDING_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        calls.spawn(record_completions(shared.clone(), batch, stop.clone()));
    }
    while calls.join_next().await.is_some() {}
}

/// Record one batch of completions and, unless stopping, claim as many new jobs as the
/// batch frees slots, in the same backend call; the new jobs start in those slots.
async fn record_completions(shared: Arc<Shared>, batch: Vec<Completion>, stop: CancellationToken) {
    let mut done = Vec::with_capacity(batch.len());
    let mut permits = Vec::with_capacity(batch.len());
    for (id, value, permit) in batch {
        done.push((id, value));
        permits.push(permit);
    }
    let fetch = if stop.is_cancelled() {
        0
    } else {
        permits.len()
    };
    let mut attempt = 0;
    let recorded = persist(
        &shared.queue,
        shared.opts.lease,
        "recording completed jobs",
        || {
            // A retried call does not fetch: the first may have claimed jobs already.
            attempt += 1;
            let max = if attempt == 1 { fetch } else { 0 };
            shared.backend.complete_and_claim(
                &shared.queue,
                &shared.token,
                &done,
                shared.opts.lease,
                max,
            )
        },
    )
    .await;
    let (results, fetched) = match recorded {
        Some((results, fetched)) => (Some(results), fetched),
        None => (None, Vec::new()),
    };
    let counters = &shared.counters;
    {
        let mut in_flight = shared.in_flight.lock().expect("in flight");
        for (i, (id, _)) in done.iter().enumerate() {
            match results.as_ref().and_then(|r| r.get(i)) {
                Some(Ok(())) => {
                    counters.completed.fetch_add(1, Ordering::Relaxed);
                }
                Some(Err(e)) => {
                    tracing::warn!(queue = %shared.queue, job = %id, reason = %e, "completion not recorded");
                    counters.lost.fetch_add(1, Ordering::Relaxed);
                }
                None => {
                    counters.lost.fetch_add(1, Ordering::Relaxed);
                }
            }
            in_flight.remove(id);
        }
    }
    // The finisher does not end while this call runs, so the fetched jobs may join
    // `in_flight` after the finished ones left it. Slots not refilled are freed for the
    // fetch loop.
    start_jobs(&shared, fetched, &mut permits);
}

async fn renew_loop(shared: Arc<Shared>, stop: CancellationToken) {
    let every = (shared.opts.lease / 2).max(Duration::from_millis(10));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.cancelled() => return,
        }
        let ids: Vec<String> = shared
            .in_flight
            .lock()
            .expect("in flight")
            .iter()
            .cloned()
            .collect();
        if ids.is_empty() {
            continue;
        }
        match shared
            .backend
            .extend(&shared.queue, &shared.token, &ids, shared.opts.lease)
            .await
        {
            Ok(renewed) => {
                for (id, ok) in ids.iter().zip(renewed) {
                    if !ok {
                        tracing::warn!(queue = %shared.queue, job = %id, "lock lost; the job may run twice");
                    }
                }
            }
            Err(e) => tracing::warn!(queue = %shared.queue, error = %e, "renewing locks failed"),
        }
    }
}

async fn promote_loop(shared: Arc<Shared>, stop: CancellationToken) {
    loop {
        let wait = match shared.backend.promote_due(&shared.queue).await {
            Ok(report) => match report.next_due {
                Some(due) => Duration::from_millis((due - now_ms()).max(1) as u64)
                    .min(shared.opts.promote_every),
                None => shared.opts.promote_every,
            },
            Err(e) => {
                tracing::warn!(queue = %shared.queue, error = %e, "promoting delayed jobs failed");
                shared.opts.promote_every
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shared.promote_now.notified() => {}
            _ = stop.cancelled() => return,
        }
    }
}

async fn stalled_loop(shared: Arc<Shared>, stop: CancellationToken) {
    loop {
        match shared
            .backend
            .recover_stalled(&shared.queue, shared.opts.stalled)
            .await
        {
            Ok(report) => {
                for id in &report.requeued {
                    tracing::info!(queue = %shared.queue, job = %id, "stalled job requeued");
                }
                for id in &report.failed {
                    tracing::warn!(queue = %shared.queue, job = %id, "job stalled too often; failed");
                }
            }
            Err(e) => tracing::warn!(queue = %shared.queue, error = %e, "stalled-job sweep failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(shared.opts.stalled.interval) => {}
            _ = stop.cancelled() => return,
        }
    }
}
