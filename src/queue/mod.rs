//! Queues: one trait, two backends.
//!
//! [`QueueBackend`] is the contract every queue store fulfils. Its vocabulary is Bull v4's
//! (states `wait`, `active`, `delayed`, `paused`, `completed`, `failed`; per-job locks held
//! by a worker token; attempts and backoff decided when a job fails; a stalled sweep that
//! returns jobs whose lock expired), so the Redis backend ([`bull`]) is a direct mapping of
//! Bull's own layout and the embedded backend ([`sqlite`]) behaves the same way. Every
//! `queue` command and the daemon's processors talk only to this trait, which is why the
//! CLI prints the same thing for both backends.
//!
//! [`conformance`] holds the behavioural suite that both backends must pass.

pub mod bell;
pub mod bull;
pub mod conformance;
pub mod sqlite;
pub mod worker;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::settings::Settings;

/// The state a job is in, with Bull's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Ready to run (Bull's `wait` list; `waiting` in Bull's API).
    #[value(alias = "waiting")]
    Wait,
    /// Claimed by a worker that holds its lock.
    Active,
    /// Scheduled for later: added with a delay, or waiting out a retry backoff.
    Delayed,
    /// Ready to run but the queue is paused.
    Paused,
    Completed,
    Failed,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Wait,
        JobState::Active,
        JobState::Delayed,
        JobState::Paused,
        JobState::Completed,
        JobState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Wait => "wait",
            JobState::Active => "active",
            JobState::Delayed => "delayed",
            JobState::Paused => "paused",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long to wait before retrying a failed attempt, with Bull v4's formulas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Backoff {
    /// The same delay (ms) before every retry.
    Fixed { delay: u64 },
    /// `round((2^n − 1) · delay)` ms, where n is the number of failed attempts so far
    /// (Bull v4's formula; BullMQ's differs).
    Exponential { delay: u64 },
}

impl Backoff {
    /// The delay in ms before the next attempt, after `attempts_made` failures (≥ 1).
    pub fn delay_for(&self, attempts_made: u32) -> u64 {
        match *self {
            Backoff::Fixed { delay } => delay,
            Backoff::Exponential { delay } => {
                let n = attempts_made.min(62);
                let factor = (1u64 << n).saturating_sub(1);
                factor.saturating_mul(delay)
            }
        }
    }
}

/// What to keep of finished jobs (Bull's `removeOnComplete` / `removeOnFail`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepJobs {
    /// Keep at most this many finished jobs in the set (0 = delete at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Delete finished jobs older than this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u64>,
}

/// Options of a job, as Bull stores them in the `opts` field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobOptions {
    /// Total tries, the first run included (Bull's default 1).
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// ms before the job becomes waiting.
    pub delay: u64,
    /// 1 is the highest priority, 0 none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: u32,
    /// Run next instead of last.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lifo: bool,
    /// A custom id: adding a job whose id exists is a no-op (dedupe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Creation time in ms since the epoch; `None` means now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_on_complete: Option<KeepJobs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_on_fail: Option<KeepJobs>,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions {
            attempts: 1,
            backoff: None,
            delay: 0,
            priority: 0,
            lifo: false,
            job_id: None,
            timestamp: None,
            remove_on_complete: None,
            remove_on_fail: None,
        }
    }
}

/// A job to add.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// The job name (Bull's `name`; `booking-event` for the seed's NestJS processor).
    pub name: String,
    /// The payload, as JSON text.
    pub data: String,
    pub opts: JobOptions,
}

/// A job as stored, with everything an operator may want to see.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub name: String,
    /// The payload, as JSON text.
    pub data: String,
    pub opts: JobOptions,
    /// Creation time, ms since the epoch.
    pub timestamp: i64,
    pub delay: u64,
    pub priority: u32,
    /// Failed attempts so far (Bull counts failures only).
    pub attempts_made: u32,
    pub stalled_counter: u32,
    pub processed_on: Option<i64>,
    pub finished_on: Option<i64>,
    pub failed_reason: Option<String>,
    pub stacktrace: Vec<String>,
    /// The handler's result, as JSON text.
    pub returnvalue: Option<String>,
    /// Progress, as JSON text.
    pub progress: Option<String>,
    /// Filled in by `get` and `list`; `None` when the job is in no state set.
    pub state: Option<JobState>,
    /// For delayed jobs: when the job becomes due, ms since the epoch.
    pub due_at: Option<i64>,
}

/// Per-state counts of one queue. The first six fields are exactly Bull's `getJobCounts()`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCounts {
    pub waiting: u64,
    pub active: u64,
    pub completed: u64,
    pub failed: u64,
    pub delayed: u64,
    pub paused: u64,
    /// Jobs with a priority among waiting + paused (Bull counts them inside `waiting`).
    pub prioritized: u64,
    /// Creation time (ms) of the job that has waited longest, if any job waits.
    pub oldest_waiting: Option<i64>,
    /// Whether the queue is globally paused.
    pub is_paused: bool,
}

/// The outcome of adding one job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub id: String,
    /// A job with this custom id already existed; nothing was changed.
    pub duplicate: bool,
}

/// How a failed attempt is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Use the job's own `attempts` and `backoff` (Bull's behaviour).
    Job,
    /// Permanent failure: straight to `failed`, whatever attempts are left.
    Never,
    /// Retry after this many ms if attempts are left (overrides the job's backoff).
    After(u64),
}

/// A failed attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Stored as `failedReason`.
    pub message: String,
    /// Appended to `stacktrace`; the message is used when `None`.
    pub stack: Option<String>,
    pub retry: Retry,
}

/// Why finishing a job (complete, fail, extend) was refused, with Bull's codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishError {
    /// The job no longer exists (-1).
    Missing,
    /// The job has no lock: it stalled and was recovered, or was never claimed (-2).
    LockMissing,
    /// Another worker holds the lock (-6).
    LockMismatch,
    /// The job is not in `active` (-3).
    NotActive,
}

impl fmt::Display for FinishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FinishError::Missing => "the job no longer exists",
            FinishError::LockMissing => "the job's lock is gone (it stalled and was recovered?)",
            FinishError::LockMismatch => "another worker holds the job's lock",
            FinishError::NotActive => "the job is not active",
        })
    }
}

/// What happened to a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOutcome {
    /// Back in `delayed` for this many ms (0 = straight back to `wait`).
    Retrying { delay_ms: u64 },
    /// Final: the job is in `failed`.
    Failed,
}

/// What a stalled-job sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StalledReport {
    /// Jobs whose lock had expired, put back to run next.
    pub requeued: Vec<String>,
    /// Jobs that stalled more than the allowed count, moved to `failed`.
    pub failed: Vec<String>,
}

/// What a delayed-job promotion pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoteReport {
    pub promoted: u64,
    /// When the next delayed job is due, ms since the epoch.
    pub next_due: Option<i64>,
}

/// The outcome for one id of a bulk per-id operation (remove, retry, promote).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdOutcome {
    Done,
    NotFound,
    /// The job is locked by a worker (remove refuses active jobs).
    Locked,
    /// The job exists but is not in a state the operation applies to.
    WrongState,
}

/// Settings for the stalled-job sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StalledCheck {
    /// Recoveries allowed before a job is failed (Bull's `maxStalledCount`, default 1).
    pub max_stalled_count: u32,
    /// The sweep period; with several workers only one sweeps per period.
    pub interval: Duration,
}

impl Default for StalledCheck {
    fn default() -> Self {
        StalledCheck {
            max_stalled_count: 1,
            interval: Duration::from_secs(30),
        }
    }
}

/// Errors of a queue backend. Callers branch on these (exit codes, retries).
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The backend cannot be reached.
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    /// The server refused our credentials.
    #[error("authentication failed for {target}: {reason}")]
    Auth { target: String, reason: String },
    /// A key or row is not in the layout we expect.
    #[error("{key} is not in Bull's layout: {detail}")]
    Layout { key: String, detail: String },
    /// A caller mistake (bad id, bad option).
    #[error("{0}")]
    Invalid(String),
    /// Any other backend failure.
    #[error("{0}")]
    Backend(String),
}

pub type Result<T, E = QueueError> = std::result::Result<T, E>;

/// A queue store: Redis in Bull v4's layout, or the embedded SQLite file.
///
/// Every method takes the queue name; one backend serves many queues. Methods that act on
/// a claimed job take the worker `token` that holds its lock.
#[async_trait]
pub trait QueueBackend: Send + Sync {
    /// `redis` or `sqlite`.
    fn kind(&self) -> &'static str;

    /// Where the queues live, for messages (a URL with the password masked, or a path).
    fn location(&self) -> String;

    /// Names of the queues that exist (have any key or row).
    async fn queue_names(&self) -> Result<Vec<String>>;

    /// CPU seconds the queue's server process has used since it started, when the queues
    /// live in one (Redis's `INFO cpu`); `None` for the embedded queue. For `bench`.
    async fn server_cpu_seconds(&self) -> Option<f64> {
        None
    }

    /// Add jobs in one round trip. A custom id that exists is reported as a duplicate and
    /// left unchanged.
    async fn add(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<Added>>;

    /// [`QueueBackend::add`] for payloads this process wrote itself with `serde_json`,
    /// which are JSON by construction: a backend may skip proving it (on Redis, a full
    /// parse of each payload). Debug builds still check.
    async fn add_serialized(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<Added>> {
        self.add(queue, jobs).await
    }

    /// Claim up to `max` waiting jobs for the worker `token`, locking each for `lease`.
    /// When none is waiting and `block` is set, wait up to that long for one to arrive.
    /// Nothing is claimed while the queue is paused.
    async fn claim(
        &self,
        queue: &str,
        token: &str,
        lease: Duration,
        max: usize,
        block: Option<Duration>,
    ) -> Result<Vec<Job>>;

    /// Renew the locks `token` holds on `ids`; `false` where the lock was lost.
    async fn extend(
        &self,
        queue: &str,
        token: &str,
        ids: &[String],
        lease: Duration,
    ) -> Result<Vec<bool>>;

    /// Complete claimed jobs, each with its result as JSON text.
    async fn complete(
        &self,
        queue: &str,
        token: &str,
        done: &[(String, String)],
    ) -> Result<Vec<Result<(), FinishError>>>;

    /// Complete claimed jobs, then claim up to `max` more for `token` without blocking:
    /// what a worker does when results come in and slots free up. Backends that can do
    /// both in one step (Bull's moveToFinished with fetch-next) override this.
    async fn complete_and_claim(
        &self,
        queue: &str,
        token: &str,
        done: &[(String, String)],
        lease: Duration,
        max: usize,
    ) -> Result<(Vec<Result<(), FinishError>>, Vec<Job>)> {
        let results = self.complete(queue, token, done).await?;
        let jobs = self.claim(queue, token, lease, max, None).await?;
        Ok((results, jobs))
    }

    /// Record a failed attempt of a claimed job: retry it (delayed by its backoff) or fail it.
    async fn fail(
        &self,
        queue: &str,
        token: &str,
        id: &str,
        failure: &Failure,
    ) -> Result<Result<FailOutcome, FinishError>>;

    /// Move delayed jobs that are due to `wait` (or `paused`).
    async fn promote_due(&self, queue: &str) -> Result<PromoteReport>;

    /// Move delayed jobs to `wait` now, whatever their due time.
    async fn promote(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>>;

    /// Put active jobs whose lock expired back to run next; fail those that stalled too often.
    async fn recover_stalled(&self, queue: &str, check: StalledCheck) -> Result<StalledReport>;

    /// Counts per state, read in O(1) per state.
    async fn counts(&self, queue: &str) -> Result<JobCounts>;

    /// Jobs in one state, `offset`/`limit` paged. Waiting, active and delayed come
    /// next-to-run first; completed and failed newest first.
    async fn list(&self, queue: &str, state: JobState, offset: u64, limit: u64)
    -> Result<Vec<Job>>;

    /// One job with its state, or `None`.
    async fn get(&self, queue: &str, id: &str) -> Result<Option<Job>>;

    /// A job's log lines.
    async fn logs(&self, queue: &str, id: &str) -> Result<Vec<String>>;

    /// Remove jobs (hash, logs, every set). Locked jobs are refused.
    async fn remove(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>>;

    /// Remove every waiting (and paused) job, and delayed ones too when `delayed` is set.
    /// Returns how many were removed. Leaves no orphaned job data.
    async fn drain(&self, queue: &str, delayed: bool) -> Result<u64>;

    /// Remove jobs in `state` whose time (finished, processed or created) is older than
    /// `grace`, at most `limit` of them. Works in batches. Returns how many were removed.
    async fn clean(
        &self,
        queue: &str,
        state: JobState,
        grace: Duration,
        limit: Option<u64>,
    ) -> Result<u64>;

    /// Pause the queue globally: workers stop claiming, jobs added meanwhile are kept.
    async fn pause(&self, queue: &str) -> Result<()>;

    /// Resume a paused queue, whoever paused it, losing no job.
    async fn resume(&self, queue: &str) -> Result<()>;

    /// Move failed jobs back to `wait`.
    async fn retry(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>>;

    /// Move every failed job back to `wait`, in batches, with no cap. Returns the count.
    async fn retry_all(&self, queue: &str) -> Result<u64>;
}

/// Open the configured backend: Redis in Bull's layout when `redis.url` is set, else the
/// embedded SQLite file.
pub async fn open(settings: &Settings) -> anyhow::Result<Arc<dyn QueueBackend>> {
    if settings.redis.url.is_empty() {
        let path = settings.store_path()?;
        let busy_timeout = Duration::from_millis(settings.store.busy_timeout_ms);
        Ok(Arc::new(
            sqlite::SqliteQueue::open(&path, busy_timeout).await?,
        ))
    } else {
        Ok(Arc::new(
            bull::BullQueue::connect(&settings.redis.url, &settings.redis.prefix).await?,
        ))
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
