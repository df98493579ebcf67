//! The embedded queue: Bull v4's states and semantics in the SQLite file (WAL).
//!
//! Every job is a row of `queue_jobs` (see `db/migrations/001_queue.sql`): its state is a
//! column and one index on (queue, state, sort1, sort2) stands in for all of Bull's lists
//! and sorted sets. Waiting jobs sit in lanes that reproduce the order a Bull worker pops
//! them in: the front lane (lifo adds and stalled jobs, newest first), then one lane per
//! priority (1 first), then plain jobs, FIFO within each lane. A paused queue keeps its
//! waiting rows where they are and reports them as `paused` (Bull renames `wait` to
//! `paused`; the effect is the same and needs no row to move).
//!
//! Each operation is one write transaction on the database's writer thread, so two
//! processes sharing the file never claim a job twice: the second transaction starts only
//! after the first committed. A blocked `claim` wakes at once for jobs added by this
//! process and polls the file briefly to see other processes' adds.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use tokio::sync::Notify;

use super::{
    Added, Backoff, FailOutcome, Failure, FinishError, IdOutcome, Job, JobCounts, JobOptions,
    JobState, KeepJobs, NewJob, PromoteReport, QueueBackend, QueueError, Result, Retry,
    StalledCheck, StalledReport, now_ms,
};
use crate::db::{Db, DbError};

// Values of `queue_jobs.state`.
const WAIT: i64 = 0;
const ACTIVE: i64 = 1;
const DELAYED: i64 = 2;
const COMPLETED: i64 = 3;
const FAILED: i64 = 4;

/// `sort1` of the front lane of `wait`: runs before every priority.
const LANE_FRONT: i64 = 0;
/// `sort1` of plain FIFO jobs in `wait`: after every priority (priorities are u32).
const LANE_PLAIN: i64 = 1 << 32;

/// Rows handled per transaction by bulk operations (clean, retry_all, promotion), so one
/// operator action on a huge queue never holds the write lock for long.
const BATCH: usize = 1000;

/// Bull's reason for a job that stalled too often.
const STALLED_REASON: &str = "job stalled more than allowable limit";

/// How often a blocked claim looks at the file for other processes' jobs: starts fast
/// after activity and backs off to the slowest rate that still keeps the cross-process
/// latency well under 50 ms.
const POLL_MIN: Duration = Duration::from_millis(5);
const POLL_MAX: Duration = Duration::from_millis(25);

/// The columns `job_from_row` reads, in order.
const JOB_COLS: &str = "id, name, data, opts, timestamp, delay, priority, attempts_made, \
    stalled_counter, processed_on, finished_on, failed_reason, stacktrace, returnvalue, \
    progress, state, sort1";

impl From<DbError> for QueueError {
    fn from(e: DbError) -> Self {
        QueueError::Backend(e.to_string())
    }
}

/// The embedded SQLite queue backend.
pub struct SqliteQueue {
    db: Db,
    /// One wake-up per queue name for claims blocked in this process.
    wakers: Mutex<HashMap<String, Arc<Notify>>>,
}

impl SqliteQueue {
    /// Open (or create) the queue in the SQLite file at `path`. `busy_timeout` bounds how
    /// long a write waits for another process holding the file's write lock.
    pub async fn open(path: &Path, busy_timeout: Duration) -> Result<Self> {
        let db = Db::open(path, busy_timeout)
            .await
            .map_err(|e| QueueError::Connect {
                target: path.display().to_string(),
                reason: e.to_string(),
            })?;
        Ok(Self::with_db(db))
    }

    /// The queue in an already open database (shared with the store).
    pub fn with_db(db: Db) -> Self {
        SqliteQueue {
            db,
            wakers: Mutex::new(HashMap::new()),
        }
    }

    /// The database this queue lives in.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Append a line to a job's log. Returns the number of lines, or `None` when the job
    /// does not exist.
    pub async fn add_log(&self, queue: &str, id: &str, line: &str) -> Result<Option<u64>> {
        let (queue, id, line) = (queue.to_string(), id.to_string(), line.to_string());
        self.db
            .write(move |tx| -> Result<_, DbError> {
                let Some(pk) = job_pk(tx, &queue, &id)? else {
                    return Ok(None);
                };
                let seq: i64 = tx
                    .prepare_cached(
                        "SELECT coalesce(max(seq), 0) + 1 FROM queue_job_logs WHERE job_pk = ?1",
                    )?
                    .query_row([pk], |r| r.get(0))?;
                tx.prepare_cached(
                    "INSERT INTO queue_job_logs (job_pk, seq, line) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![pk, seq, line])?;
                Ok(Some(seq as u64))
            })
            .await
            .map_err(Into::into)
    }

    fn waker(&self, queue: &str) -> Arc<Notify> {
        let mut map = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(queue.to_string()).or_default().clone()
    }

    /// Wake this process's claims blocked on `queue`: jobs may be ready.
    fn wake(&self, queue: &str) {
        let map = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get(queue) {
            n.notify_waiters();
        }
    }

    async fn write<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, DbError> + Send + 'static,
        R: Send + 'static,
    {
        self.db.write(f).await.map_err(Into::into)
    }

    async fn read<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, DbError> + Send + 'static,
        R: Send + 'static,
    {
        self.db.read(f).await.map_err(Into::into)
    }

    /// One non-blocking claim attempt.
    async fn claim_once(
        &self,
        queue: &str,
        token: &str,
        lease: Duration,
        max: usize,
    ) -> Result<ClaimOutcome> {
        let (queue, token) = (queue.to_string(), token.to_string());
        let lease = ms(lease);
        self.write(move |tx| claim_tx(tx, &queue, &token, lease, max, now_ms()))
            .await
    }

    /// Whether a claim on `queue` could find something now (a cheap read).
    async fn claimable(&self, queue: &str) -> Result<Probe> {
        let queue = queue.to_string();
        self.read(move |tx| {
            let Some(q) = queue_row(tx, &queue)? else {
                return Ok(Probe::default());
            };
            let waiting: i64 = tx
                .prepare_cached("SELECT n_wait FROM queues WHERE qid = ?1")?
                .query_row([q.qid], |r| r.get(0))?;
            Ok(Probe {
                paused: q.paused,
                waiting: waiting > 0,
                next_due: next_due(tx, q.qid)?,
            })
        })
        .await
    }
}

#[derive(Default)]
struct ClaimOutcome {
    jobs: Vec<Job>,
    /// Jobs promoted from delayed beyond those claimed: other claimers may take them.
    promoted_left: bool,
    paused: bool,
    next_due: Option<i64>,
}

#[derive(Default)]
struct Probe {
    paused: bool,
    waiting: bool,
    next_due: Option<i64>,
}

impl Probe {
    fn ready(&self, now: i64) -> bool {
        !self.paused && (self.waiting || self.next_due.is_some_and(|d| d <= now))
    }
}

#[async_trait]
impl QueueBackend for SqliteQueue {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn location(&self) -> String {
        self.db.path().display().to_string()
    }

    async fn queue_names(&self) -> Result<Vec<String>> {
        self.read(|tx| {
            let mut st = tx.prepare_cached("SELECT name FROM queues ORDER BY name")?;
            let names = st.query_map([], |r| r.get(0))?;
            Ok(names.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await
    }

    async fn add(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<Added>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let prepared = jobs
            .into_iter()
            .map(PreparedJob::new)
            .collect::<Result<Vec<_>>>()?;
        let name = queue.to_string();
        let added = self
            .write(move |tx| add_tx(tx, &name, prepared, now_ms()))
            .await?;
        self.wake(queue);
        Ok(added)
    }

    async fn claim(
        &self,
        queue: &str,
        token: &str,
        lease: Duration,
        max: usize,
        block: Option<Duration>,
    ) -> Result<Vec<Job>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let deadline = block.map(|b| Instant::now() + b);
        let waker = self.waker(queue);
        let mut poll = POLL_MIN;
        loop {
            // Register for wake-ups before looking, so an add that commits between the
            // attempt and the wait is not missed.
            let notified = waker.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();

            let out = self.claim_once(queue, token, lease, max).await?;
            if out.promoted_left {
                self.wake(queue);
            }
            if !out.jobs.is_empty() {
                return Ok(out.jobs);
            }
            let Some(deadline) = deadline else {
                return Ok(Vec::new());
            };
            let mut next_due = if out.paused { None } else { out.next_due };
            loop {
                let now = Instant::now();
                if now >= deadline {
                    return Ok(Vec::new());
                }
                let mut wait = poll.min(deadline - now);
                if let Some(due) = next_due {
                    let until_due =
                        Duration::from_millis(due.saturating_sub(now_ms()).max(0) as u64);
                    wait = wait.min(until_due);
                }
                tokio::select! {
                    _ = &mut notified => {
                        poll = POLL_MIN;
                        break;
                    }
                    _ = tokio::time::sleep(wait) => {}
                }
                let probe = self.claimable(queue).await?;
                if probe.ready(now_ms()) {
                    poll = POLL_MIN;
                    break;
                }
                next_due = if probe.paused { None } else { probe.next_due };
                poll = (poll * 3 / 2).min(POLL_MAX);
            }
        }
    }

    async fn extend(
        &self,
        queue: &str,
        token: &str,
        ids: &[String],
        lease: Duration,
    ) -> Result<Vec<bool>> {
        let (queue, token, ids) = (queue.to_string(), token.to_string(), ids.to_vec());
        let lease = ms(lease);
        self.write(move |tx| {
            let now = now_ms();
            let Some(q) = queue_row(tx, &queue)? else {
                return Ok(vec![false; ids.len()]);
            };
            let mut st = tx.prepare_cached(
                "UPDATE queue_jobs SET lock_until = ?4
                 WHERE qid = ?1 AND id = ?2 AND lock_token = ?3 AND lock_until > ?5",
            )?;
            ids.iter()
                .map(|id| Ok(st.execute(params![q.qid, id, token, now + lease, now])? > 0))
                .collect()
        })
        .await
    }

    async fn complete(
        &self,
        queue: &str,
        token: &str,
        done: &[(String, String)],
    ) -> Result<Vec<Result<(), FinishError>>> {
        let (queue, token, done) = (queue.to_string(), token.to_string(), done.to_vec());
        self.write(move |tx| complete_tx(tx, &queue, &token, &done, now_ms()))
            .await
    }

    async fn fail(
        &self,
        queue: &str,
        token: &str,
        id: &str,
        failure: &Failure,
    ) -> Result<Result<FailOutcome, FinishError>> {
        let (name, token, id, failure) = (
            queue.to_string(),
            token.to_string(),
            id.to_string(),
            failure.clone(),
        );
        let out = self
            .write(move |tx| fail_tx(tx, &name, &token, &id, &failure, now_ms()))
            .await?;
        if let Ok(FailOutcome::Retrying { delay_ms: 0 }) = out {
            self.wake(queue);
        }
        Ok(out)
    }

    async fn promote_due(&self, queue: &str) -> Result<PromoteReport> {
        let mut report = PromoteReport::default();
        loop {
            let name = queue.to_string();
            let (promoted, next_due) = self
                .write(move |tx| {
                    let Some(q) = queue_row(tx, &name)? else {
                        return Ok((0, None));
                    };
                    let mut order = q.order_counter;
                    let n = promote_due_tx(tx, q.qid, now_ms(), &mut order, BATCH)?;
                    set_order(tx, &q, order)?;
                    Ok((n, next_due(tx, q.qid)?))
                })
                .await?;
            report.promoted += promoted;
            report.next_due = next_due;
            if promoted > 0 {
                self.wake(queue);
            }
            if promoted < BATCH as u64 {
                return Ok(report);
            }
        }
    }

    async fn promote(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>> {
        let (name, ids) = (queue.to_string(), ids.to_vec());
        let out = self
            .write(move |tx| {
                let Some(q) = queue_row(tx, &name)? else {
                    return Ok(vec![IdOutcome::NotFound; ids.len()]);
                };
                let mut order = q.order_counter;
                let mut sel = tx.prepare_cached(
                    "SELECT pk, state, priority FROM queue_jobs WHERE qid = ?1 AND id = ?2",
                )?;
                let mut upd = tx.prepare_cached(
                    "UPDATE queue_jobs SET state = 0, sort1 = ?2, sort2 = ?3, delay = 0
                     WHERE pk = ?1",
                )?;
                let mut out = Vec::with_capacity(ids.len());
                for id in &ids {
                    let row: Option<(i64, i64, i64)> = sel
                        .query_row(params![q.qid, id], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()?;
                    out.push(match row {
                        None => IdOutcome::NotFound,
                        Some((_, state, _)) if state != DELAYED => IdOutcome::WrongState,
                        Some((pk, _, priority)) => {
                            order += 1;
                            let (sort1, sort2) = lane(priority, false, order);
                            upd.execute(params![pk, sort1, sort2])?;
                            IdOutcome::Done
                        }
                    });
                }
                set_order(tx, &q, order)?;
                Ok(out)
            })
            .await?;
        self.wake(queue);
        Ok(out)
    }

    async fn recover_stalled(&self, queue: &str, check: StalledCheck) -> Result<StalledReport> {
        let name = queue.to_string();
        let report = self
            .write(move |tx| recover_stalled_tx(tx, &name, check, now_ms()))
            .await?;
        if !report.requeued.is_empty() {
            self.wake(queue);
        }
        Ok(report)
    }

    async fn counts(&self, queue: &str) -> Result<JobCounts> {
        let name = queue.to_string();
        self.read(move |tx| counts_tx(tx, &name)).await
    }

    async fn list(
        &self,
        queue: &str,
        state: JobState,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Job>> {
        let name = queue.to_string();
        self.read(move |tx| {
            let Some(q) = queue_row(tx, &name)? else {
                return Ok(Vec::new());
            };
            let (code, order) = match state {
                JobState::Wait if q.paused => return Ok(Vec::new()),
                JobState::Paused if !q.paused => return Ok(Vec::new()),
                JobState::Wait | JobState::Paused => (WAIT, "ASC"),
                JobState::Active => (ACTIVE, "ASC"),
                JobState::Delayed => (DELAYED, "ASC"),
                JobState::Completed => (COMPLETED, "DESC"),
                JobState::Failed => (FAILED, "DESC"),
            };
            let sql = format!(
                "SELECT {JOB_COLS} FROM queue_jobs WHERE qid = ?1 AND state = ?2
                 ORDER BY sort1 {order}, sort2 {order} LIMIT ?3 OFFSET ?4"
            );
            let mut st = tx.prepare_cached(&sql)?;
            let rows = st.query_map(params![q.qid, code, int(limit), int(offset)], |r| {
                job_from_row(r, q.paused)
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn get(&self, queue: &str, id: &str) -> Result<Option<Job>> {
        let (name, id) = (queue.to_string(), id.to_string());
        self.read(move |tx| {
            let Some(q) = queue_row(tx, &name)? else {
                return Ok(None);
            };
            let sql = format!("SELECT {JOB_COLS} FROM queue_jobs WHERE qid = ?1 AND id = ?2");
            Ok(tx
                .prepare_cached(&sql)?
                .query_row(params![q.qid, id], |r| job_from_row(r, q.paused))
                .optional()?)
        })
        .await
    }

    async fn logs(&self, queue: &str, id: &str) -> Result<Vec<String>> {
        let (name, id) = (queue.to_string(), id.to_string());
        self.read(move |tx| {
            let Some(pk) = job_pk(tx, &name, &id)? else {
                return Ok(Vec::new());
            };
            let mut st = tx
                .prepare_cached("SELECT line FROM queue_job_logs WHERE job_pk = ?1 ORDER BY seq")?;
            let lines = st.query_map([pk], |r| r.get(0))?;
            Ok(lines.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await
    }

    async fn remove(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>> {
        let (name, ids) = (queue.to_string(), ids.to_vec());
        self.write(move |tx| {
            let now = now_ms();
            let Some(q) = queue_row(tx, &name)? else {
                return Ok(vec![IdOutcome::NotFound; ids.len()]);
            };
            let mut sel = tx.prepare_cached(
                "SELECT pk, state, lock_until FROM queue_jobs WHERE qid = ?1 AND id = ?2",
            )?;
            let mut del = tx.prepare_cached("DELETE FROM queue_jobs WHERE pk = ?1")?;
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                let row: Option<(i64, i64, Option<i64>)> = sel
                    .query_row(params![q.qid, id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .optional()?;
                out.push(match row {
                    None => IdOutcome::NotFound,
                    // A worker may still be running it: removing would lose its result.
                    Some((_, state, lock_until))
                        if state == ACTIVE || lock_until.is_some_and(|t| t > now) =>
                    {
                        IdOutcome::Locked
                    }
                    Some((pk, _, _)) => {
                        del.execute([pk])?;
                        IdOutcome::Done
                    }
                });
            }
            Ok(out)
        })
        .await
    }

    async fn drain(&self, queue: &str, delayed: bool) -> Result<u64> {
        let mut states = vec![WAIT];
        if delayed {
            states.push(DELAYED);
        }
        let mut removed = 0;
        for state in states {
            // Bounded by the count at the start, so a busy producer cannot keep it going.
            let mut left: Option<i64> = None;
            loop {
                let name = queue.to_string();
                let budget = left;
                let (n, total) = self
                    .write(move |tx| {
                        let Some(q) = queue_row(tx, &name)? else {
                            return Ok((0, 0));
                        };
                        let total = match budget {
                            Some(b) => b,
                            None => count_state(tx, q.qid, state)?,
                        };
                        let batch = total.min(BATCH as i64 * 10);
                        let n = tx
                            .prepare_cached(
                                "DELETE FROM queue_jobs WHERE pk IN (
                                    SELECT pk FROM queue_jobs WHERE qid = ?1 AND state = ?2
                                    LIMIT ?3)",
                            )?
                            .execute(params![q.qid, state, batch])?;
                        Ok((n as i64, total))
                    })
                    .await?;
                removed += n as u64;
                let rest = total - n;
                if n == 0 || rest <= 0 {
                    break;
                }
                left = Some(rest);
            }
        }
        Ok(removed)
    }

    async fn clean(
        &self,
        queue: &str,
        state: JobState,
        grace: Duration,
        limit: Option<u64>,
    ) -> Result<u64> {
        let cutoff = now_ms() - ms(grace);
        let mut removed: u64 = 0;
        let mut cursor: Option<(i64, i64)> = None;
        loop {
            let budget = match limit {
                Some(l) if l > 0 => (l - removed).min(BATCH as u64) as usize,
                _ => BATCH,
            };
            if budget == 0 {
                return Ok(removed);
            }
            let name = queue.to_string();
            let (n, next) = self
                .write(move |tx| clean_batch(tx, &name, state, cutoff, budget, cursor))
                .await?;
            removed += n;
            match next {
                Some(c) => cursor = Some(c),
                None => return Ok(removed),
            }
        }
    }

    async fn pause(&self, queue: &str) -> Result<()> {
        let name = queue.to_string();
        self.write(move |tx| {
            let q = ensure_queue(tx, &name)?;
            tx.prepare_cached("UPDATE queues SET paused = 1 WHERE qid = ?1")?
                .execute([q.qid])?;
            Ok(())
        })
        .await
    }

    async fn resume(&self, queue: &str) -> Result<()> {
        let name = queue.to_string();
        self.write(move |tx| {
            tx.prepare_cached("UPDATE queues SET paused = 0 WHERE name = ?1")?
                .execute([name])?;
            Ok(())
        })
        .await?;
        self.wake(queue);
        Ok(())
    }

    async fn retry(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>> {
        let (name, ids) = (queue.to_string(), ids.to_vec());
        let out = self
            .write(move |tx| {
                let now = now_ms();
                let Some(q) = queue_row(tx, &name)? else {
                    return Ok(vec![IdOutcome::NotFound; ids.len()]);
                };
                let mut order = q.order_counter;
                let mut sel = tx.prepare_cached(
                    "SELECT pk, state, lifo FROM queue_jobs WHERE qid = ?1 AND id = ?2",
                )?;
                let mut out = Vec::with_capacity(ids.len());
                for id in &ids {
                    let row: Option<(i64, i64, bool)> = sel
                        .query_row(params![q.qid, id], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()?;
                    out.push(match row {
                        None => IdOutcome::NotFound,
                        Some((_, state, _)) if state != FAILED => IdOutcome::WrongState,
                        Some((pk, _, lifo)) => {
                            order += 1;
                            // Bull's job.retry() ignores the priority.
                            requeue_failed(tx, pk, lane(0, lifo, order), Some(now))?;
                            IdOutcome::Done
                        }
                    });
                }
                set_order(tx, &q, order)?;
                Ok(out)
            })
            .await?;
        self.wake(queue);
        Ok(out)
    }

    async fn retry_all(&self, queue: &str) -> Result<u64> {
        let mut retried: u64 = 0;
        // Bounded by the count at the start: jobs that fail again meanwhile stay failed.
        let mut left: Option<i64> = None;
        loop {
            let name = queue.to_string();
            let budget = left;
            let (n, total) = self
                .write(move |tx| {
                    let Some(q) = queue_row(tx, &name)? else {
                        return Ok((0, 0));
                    };
                    let total = match budget {
                        Some(b) => b,
                        None => count_state(tx, q.qid, FAILED)?,
                    };
                    let mut order = q.order_counter;
                    let pks: Vec<i64> = tx
                        .prepare_cached(
                            "SELECT pk FROM queue_jobs WHERE qid = ?1 AND state = 4
                             ORDER BY sort1, sort2 LIMIT ?2",
                        )?
                        .query_map(params![q.qid, total.min(BATCH as i64)], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for &pk in &pks {
                        order += 1;
                        // Bull's retryJobs pushes every job to the back, ignoring
                        // priority and lifo.
                        requeue_failed(tx, pk, (LANE_PLAIN, order), None)?;
                    }
                    set_order(tx, &q, order)?;
                    Ok((pks.len() as i64, total))
                })
                .await?;
            retried += n as u64;
            if n > 0 {
                self.wake(queue);
            }
            let rest = total - n;
            if n == 0 || rest <= 0 {
                return Ok(retried);
            }
            left = Some(rest);
        }
    }
}

/// A job ready to insert: everything that needs no transaction computed up front.
struct PreparedJob {
    custom_id: Option<String>,
    name: String,
    data: String,
    opts: JobOptions,
    timestamp: Option<i64>,
}

impl PreparedJob {
    fn new(job: NewJob) -> Result<Self> {
        if job.opts.job_id.as_deref() == Some("") {
            return Err(QueueError::Invalid(
                "a custom job id must not be empty".into(),
            ));
        }
        Ok(PreparedJob {
            custom_id: job.opts.job_id.clone(),
            timestamp: job.opts.timestamp,
            name: job.name,
            data: job.data,
            opts: job.opts,
        })
    }
}

/// The `queues` row fields operations need.
struct QueueRow {
    qid: i64,
    paused: bool,
    id_counter: i64,
    order_counter: i64,
    stalled_check_at: i64,
}

fn queue_row(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<Option<QueueRow>> {
    tx.prepare_cached(
        "SELECT qid, paused, id_counter, order_counter, stalled_check_at
         FROM queues WHERE name = ?1",
    )?
    .query_row([name], |r| {
        Ok(QueueRow {
            qid: r.get(0)?,
            paused: r.get(1)?,
            id_counter: r.get(2)?,
            order_counter: r.get(3)?,
            stalled_check_at: r.get(4)?,
        })
    })
    .optional()
}

fn ensure_queue(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<QueueRow> {
    if let Some(q) = queue_row(tx, name)? {
        return Ok(q);
    }
    tx.prepare_cached("INSERT INTO queues (name) VALUES (?1)")?
        .execute([name])?;
    queue_row(tx, name)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

fn set_order(tx: &Transaction<'_>, q: &QueueRow, order: i64) -> rusqlite::Result<()> {
    if order != q.order_counter {
        tx.prepare_cached("UPDATE queues SET order_counter = ?2 WHERE qid = ?1")?
            .execute(params![q.qid, order])?;
    }
    Ok(())
}

fn job_pk(tx: &Transaction<'_>, queue: &str, id: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT pk FROM queue_jobs
         WHERE qid = (SELECT qid FROM queues WHERE name = ?1) AND id = ?2",
    )?
    .query_row([queue, id], |r| r.get(0))
    .optional()
}

fn count_state(tx: &Transaction<'_>, qid: i64, state: i64) -> rusqlite::Result<i64> {
    let col = match state {
        WAIT => "n_wait",
        ACTIVE => "n_active",
        DELAYED => "n_delayed",
        COMPLETED => "n_completed",
        _ => "n_failed",
    };
    tx.prepare_cached(&format!("SELECT {col} FROM queues WHERE qid = ?1"))?
        .query_row([qid], |r| r.get(0))
}

/// Where a job enters `wait`: (sort1, sort2). A priority wins over lifo, as in Bull.
fn lane(priority: i64, lifo: bool, order: i64) -> (i64, i64) {
    if priority > 0 {
        (priority, order)
    } else if lifo {
        (LANE_FRONT, -order)
    } else {
        (LANE_PLAIN, order)
    }
}

fn next_due(tx: &Transaction<'_>, qid: i64) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT sort1 FROM queue_jobs WHERE qid = ?1 AND state = 2 ORDER BY sort1 LIMIT 1",
    )?
    .query_row([qid], |r| r.get(0))
    .optional()
}

fn add_tx(
    tx: &Transaction<'_>,
    queue: &str,
    jobs: Vec<PreparedJob>,
    now: i64,
) -> Result<Vec<Added>, DbError> {
    let q = ensure_queue(tx, queue)?;
    let mut id_counter = q.id_counter;
    let mut order = q.order_counter;
    let mut exists = tx.prepare_cached("SELECT 1 FROM queue_jobs WHERE qid = ?1 AND id = ?2")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO queue_jobs (qid, id, state, sort1, sort2, name, data, opts, timestamp,
             delay, priority, lifo, attempts, keep_completed_count, keep_completed_age,
             keep_failed_count, keep_failed_age)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (qid, id) DO NOTHING",
    )?;
    let mut out = Vec::with_capacity(jobs.len());
    for mut job in jobs {
        // Bull bumps its id counter on every add, custom ids and duplicates included.
        id_counter += 1;
        if let Some(id) = &job.custom_id
            && exists.exists(params![q.qid, id])?
        {
            out.push(Added {
                id: id.clone(),
                duplicate: true,
            });
            continue;
        }
        let timestamp = job.timestamp.unwrap_or(now);
        job.opts.timestamp = Some(timestamp);
        let opts_json = serde_json::to_string(&job.opts)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        order += 1;
        let delay = int(job.opts.delay);
        let priority = i64::from(job.opts.priority);
        let (state, (sort1, sort2)) = if delay > 0 {
            (DELAYED, (timestamp.saturating_add(delay), order))
        } else {
            (WAIT, lane(priority, job.opts.lifo, order))
        };
        let keep = |k: Option<KeepJobs>| {
            (
                k.and_then(|k| k.count).map(int),
                k.and_then(|k| k.age).map(int),
            )
        };
        let (kc_count, kc_age) = keep(job.opts.remove_on_complete);
        let (kf_count, kf_age) = keep(job.opts.remove_on_fail);
        loop {
            let id = match &job.custom_id {
                Some(id) => id.clone(),
                None => id_counter.to_string(),
            };
            let n = insert.execute(params![
                q.qid,
                id,
                state,
                sort1,
                sort2,
                job.name,
                job.data,
                opts_json,
                timestamp,
                delay,
                priority,
                job.opts.lifo,
                i64::from(job.opts.attempts),
                kc_count,
                kc_age,
                kf_count,
                kf_age,
            ])?;
            if n > 0 {
                out.push(Added {
                    id,
                    duplicate: false,
                });
                break;
            }
            if job.custom_id.is_some() {
                // Added twice within this batch.
                out.push(Added {
                    id,
                    duplicate: true,
                });
                break;
            }
            // A custom id took the counter's next value; Bull would overwrite that job,
            // we skip to the next free number instead.
            id_counter += 1;
        }
    }
    tx.prepare_cached("UPDATE queues SET id_counter = ?2, order_counter = ?3 WHERE qid = ?1")?
        .execute(params![q.qid, id_counter, order])?;
    Ok(out)
}

fn claim_tx(
    tx: &Transaction<'_>,
    queue: &str,
    token: &str,
    lease_ms: i64,
    max: usize,
    now: i64,
) -> Result<ClaimOutcome, DbError> {
    let Some(q) = queue_row(tx, queue)? else {
        return Ok(ClaimOutcome::default());
    };
    if q.paused {
        return Ok(ClaimOutcome {
            paused: true,
            ..Default::default()
        });
    }
    let mut order = q.order_counter;
    // Promote due jobs first, so a lone worker never misses them.
    let promoted = promote_due_tx(tx, q.qid, now, &mut order, BATCH)?;
    let pks: Vec<i64> = tx
        .prepare_cached(
            "SELECT pk FROM queue_jobs WHERE qid = ?1 AND state = 0
             ORDER BY sort1, sort2 LIMIT ?2",
        )?
        .query_map(params![q.qid, max as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let sql = format!(
        "UPDATE queue_jobs SET state = 1, sort1 = ?2, sort2 = ?3, processed_on = ?2,
             lock_token = ?4, lock_until = ?5
         WHERE pk = ?1 RETURNING {JOB_COLS}"
    );
    let mut upd = tx.prepare_cached(&sql)?;
    let mut jobs = Vec::with_capacity(pks.len());
    for pk in pks {
        order += 1;
        let job = upd.query_row(params![pk, now, order, token, now + lease_ms], |r| {
            job_from_row(r, false)
        })?;
        jobs.push(job);
    }
    set_order(tx, &q, order)?;
    let next_due = if jobs.is_empty() {
        next_due(tx, q.qid)?
    } else {
        None
    };
    Ok(ClaimOutcome {
        promoted_left: promoted > jobs.len() as u64,
        jobs,
        paused: false,
        next_due,
    })
}

/// Move up to `limit` due delayed jobs to `wait`, at the back of their lane (Bull's
/// updateDelaySet pushes them like new jobs, ignoring lifo).
fn promote_due_tx(
    tx: &Transaction<'_>,
    qid: i64,
    now: i64,
    order: &mut i64,
    limit: usize,
) -> rusqlite::Result<u64> {
    let due: Vec<(i64, i64)> = tx
        .prepare_cached(
            "SELECT pk, priority FROM queue_jobs WHERE qid = ?1 AND state = 2 AND sort1 <= ?2
             ORDER BY sort1, sort2 LIMIT ?3",
        )?
        .query_map(params![qid, now, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut upd = tx.prepare_cached(
        "UPDATE queue_jobs SET state = 0, sort1 = ?2, sort2 = ?3, delay = 0 WHERE pk = ?1",
    )?;
    for &(pk, priority) in &due {
        *order += 1;
        let (sort1, sort2) = lane(priority, false, *order);
        upd.execute(params![pk, sort1, sort2])?;
    }
    Ok(due.len() as u64)
}

/// The lock check Bull's finishing scripts do, in their order: missing job, missing or
/// lapsed lock, another token, not active.
fn check_lock(
    state: i64,
    lock_token: Option<&str>,
    lock_until: Option<i64>,
    token: &str,
    now: i64,
) -> Result<(), FinishError> {
    match lock_token {
        None => Err(FinishError::LockMissing),
        Some(_) if lock_until.is_none_or(|t| t <= now) => Err(FinishError::LockMissing),
        Some(t) if t != token => Err(FinishError::LockMismatch),
        Some(_) if state != ACTIVE => Err(FinishError::NotActive),
        Some(_) => Ok(()),
    }
}

fn complete_tx(
    tx: &Transaction<'_>,
    queue: &str,
    token: &str,
    done: &[(String, String)],
    now: i64,
) -> Result<Vec<Result<(), FinishError>>, DbError> {
    let Some(q) = queue_row(tx, queue)? else {
        return Ok(vec![Err(FinishError::Missing); done.len()]);
    };
    let mut order = q.order_counter;
    let mut sel = tx.prepare_cached(
        "SELECT pk, state, lock_token, lock_until, keep_completed_count, keep_completed_age
         FROM queue_jobs WHERE qid = ?1 AND id = ?2",
    )?;
    let mut upd = tx.prepare_cached(
        "UPDATE queue_jobs SET state = 3, sort1 = ?2, sort2 = ?3, finished_on = ?2,
             returnvalue = ?4, lock_token = NULL, lock_until = NULL
         WHERE pk = ?1",
    )?;
    let mut del = tx.prepare_cached("DELETE FROM queue_jobs WHERE pk = ?1")?;
    let mut policies: Vec<(Option<i64>, Option<i64>)> = Vec::new();
    let mut out = Vec::with_capacity(done.len());
    for (id, value) in done {
        let row = sel
            .query_row(params![q.qid, id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })
            .optional()?;
        let Some((pk, state, lock_token, lock_until, keep_count, keep_age)) = row else {
            out.push(Err(FinishError::Missing));
            continue;
        };
        if let Err(e) = check_lock(state, lock_token.as_deref(), lock_until, token, now) {
            out.push(Err(e));
            continue;
        }
        if keep_count == Some(0) {
            del.execute([pk])?;
        } else {
            order += 1;
            upd.execute(params![pk, now, order, value])?;
            if (keep_count.is_some() || keep_age.is_some())
                && !policies.contains(&(keep_count, keep_age))
            {
                policies.push((keep_count, keep_age));
            }
        }
        out.push(Ok(()));
    }
    set_order(tx, &q, order)?;
    for (count, age) in policies {
        apply_keep(tx, q.qid, COMPLETED, count, age, now)?;
    }
    Ok(out)
}

/// Trim the completed or failed set to a removeOnComplete/removeOnFail policy: drop jobs
/// finished `age` seconds or more ago, then all but the newest `count`.
fn apply_keep(
    tx: &Transaction<'_>,
    qid: i64,
    state: i64,
    count: Option<i64>,
    age: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    if let Some(age) = age {
        tx.prepare_cached("DELETE FROM queue_jobs WHERE qid = ?1 AND state = ?2 AND sort1 <= ?3")?
            .execute(params![qid, state, now - age.saturating_mul(1000)])?;
    }
    if let Some(count) = count.filter(|&c| c > 0)
        && count_state(tx, qid, state)? > count
    {
        tx.prepare_cached(
            "DELETE FROM queue_jobs WHERE pk IN (
                 SELECT pk FROM queue_jobs WHERE qid = ?1 AND state = ?2
                 ORDER BY sort1 DESC, sort2 DESC LIMIT -1 OFFSET ?3)",
        )?
        .execute(params![qid, state, count])?;
    }
    Ok(())
}

fn fail_tx(
    tx: &Transaction<'_>,
    queue: &str,
    token: &str,
    id: &str,
    failure: &Failure,
    now: i64,
) -> Result<Result<FailOutcome, FinishError>, DbError> {
    let Some(q) = queue_row(tx, queue)? else {
        return Ok(Err(FinishError::Missing));
    };
    struct Row {
        pk: i64,
        state: i64,
        lock_token: Option<String>,
        lock_until: Option<i64>,
        attempts: i64,
        attempts_made: i64,
        stacktrace: Option<String>,
        opts: String,
        priority: i64,
        lifo: bool,
        keep_count: Option<i64>,
        keep_age: Option<i64>,
    }
    let row = tx
        .prepare_cached(
            "SELECT pk, state, lock_token, lock_until, attempts, attempts_made, stacktrace,
                 opts, priority, lifo, keep_failed_count, keep_failed_age
             FROM queue_jobs WHERE qid = ?1 AND id = ?2",
        )?
        .query_row(params![q.qid, id], |r| {
            Ok(Row {
                pk: r.get(0)?,
                state: r.get(1)?,
                lock_token: r.get(2)?,
                lock_until: r.get(3)?,
                attempts: r.get(4)?,
                attempts_made: r.get(5)?,
                stacktrace: r.get(6)?,
                opts: r.get(7)?,
                priority: r.get(8)?,
                lifo: r.get(9)?,
                keep_count: r.get(10)?,
                keep_age: r.get(11)?,
            })
        })
        .optional()?;
    let Some(row) = row else {
        return Ok(Err(FinishError::Missing));
    };
    if let Err(e) = check_lock(
        row.state,
        row.lock_token.as_deref(),
        row.lock_until,
        token,
        now,
    ) {
        return Ok(Err(e));
    }

    let made = row.attempts_made + 1;
    let mut stack: Vec<String> = row
        .stacktrace
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    stack.push(
        failure
            .stack
            .clone()
            .unwrap_or_else(|| failure.message.clone()),
    );
    let stack = serde_json::to_string(&stack)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;

    let attempts_left = made < row.attempts;
    let retry_in: Option<u64> = match failure.retry {
        Retry::Never => None,
        Retry::After(ms) => attempts_left.then_some(ms),
        Retry::Job if attempts_left => {
            // Only the backoff is needed from the stored options; a job written by an
            // older build without one simply retries at once.
            let backoff: Option<Backoff> = serde_json::from_str::<serde_json::Value>(&row.opts)
                .ok()
                .and_then(|v| v.get("backoff").cloned())
                .and_then(|b| serde_json::from_value(b).ok());
            Some(backoff.map_or(0, |b| b.delay_for(made as u32)))
        }
        Retry::Job => None,
    };

    let order = q.order_counter + 1;
    let outcome = match retry_in {
        Some(delay) => {
            let (state, (sort1, sort2)) = if delay > 0 {
                (DELAYED, (now.saturating_add(int(delay)), order))
            } else {
                (WAIT, lane(row.priority, row.lifo, order))
            };
            tx.prepare_cached(
                "UPDATE queue_jobs SET state = ?2, sort1 = ?3, sort2 = ?4, attempts_made = ?5,
                     stacktrace = ?6, failed_reason = ?7, lock_token = NULL, lock_until = NULL
                 WHERE pk = ?1",
            )?
            .execute(params![
                row.pk,
                state,
                sort1,
                sort2,
                made,
                stack,
                failure.message
            ])?;
            FailOutcome::Retrying { delay_ms: delay }
        }
        None if row.keep_count == Some(0) => {
            tx.prepare_cached("DELETE FROM queue_jobs WHERE pk = ?1")?
                .execute([row.pk])?;
            FailOutcome::Failed
        }
        None => {
            tx.prepare_cached(
                "UPDATE queue_jobs SET state = 4, sort1 = ?2, sort2 = ?3, finished_on = ?2,
                     attempts_made = ?4, stacktrace = ?5, failed_reason = ?6,
                     lock_token = NULL, lock_until = NULL
                 WHERE pk = ?1",
            )?
            .execute(params![row.pk, now, order, made, stack, failure.message])?;
            apply_keep(tx, q.qid, FAILED, row.keep_count, row.keep_age, now)?;
            FailOutcome::Failed
        }
    };
    set_order(tx, &q, order)?;
    Ok(Ok(outcome))
}

fn recover_stalled_tx(
    tx: &Transaction<'_>,
    queue: &str,
    check: StalledCheck,
    now: i64,
) -> Result<StalledReport, DbError> {
    let mut report = StalledReport::default();
    let Some(q) = queue_row(tx, queue)? else {
        return Ok(report);
    };
    // With several workers sweeping, only one sweep per interval does the work.
    if now < q.stalled_check_at.saturating_add(ms(check.interval)) {
        return Ok(report);
    }
    tx.prepare_cached("UPDATE queues SET stalled_check_at = ?2 WHERE qid = ?1")?
        .execute(params![q.qid, now])?;
    /// (pk, id, stalled_counter, keep_failed_count, keep_failed_age)
    type StalledRow = (i64, String, i64, Option<i64>, Option<i64>);
    let stalled: Vec<StalledRow> = tx
        .prepare_cached(
            "SELECT pk, id, stalled_counter, keep_failed_count, keep_failed_age
             FROM queue_jobs
             WHERE qid = ?1 AND state = 1 AND (lock_until IS NULL OR lock_until <= ?2)
             ORDER BY sort1, sort2",
        )?
        .query_map(params![q.qid, now], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut order = q.order_counter;
    let mut policies: Vec<(Option<i64>, Option<i64>)> = Vec::new();
    for (pk, id, counter, keep_count, keep_age) in stalled {
        let counter = counter + 1;
        order += 1;
        if counter > i64::from(check.max_stalled_count) {
            if keep_count == Some(0) {
                tx.prepare_cached("DELETE FROM queue_jobs WHERE pk = ?1")?
                    .execute([pk])?;
            } else {
                tx.prepare_cached(
                    "UPDATE queue_jobs SET state = 4, sort1 = ?2, sort2 = ?3, finished_on = ?2,
                         stalled_counter = ?4, failed_reason = ?5,
                         lock_token = NULL, lock_until = NULL
                     WHERE pk = ?1",
                )?
                .execute(params![pk, now, order, counter, STALLED_REASON])?;
                if (keep_count.is_some() || keep_age.is_some())
                    && !policies.contains(&(keep_count, keep_age))
                {
                    policies.push((keep_count, keep_age));
                }
            }
            report.failed.push(id);
        } else {
            // Bull RPUSHes a stalled job: it runs next.
            let (sort1, sort2) = lane(0, true, order);
            tx.prepare_cached(
                "UPDATE queue_jobs SET state = 0, sort1 = ?2, sort2 = ?3, stalled_counter = ?4,
                     lock_token = NULL, lock_until = NULL
                 WHERE pk = ?1",
            )?
            .execute(params![pk, sort1, sort2, counter])?;
            report.requeued.push(id);
        }
    }
    set_order(tx, &q, order)?;
    for (count, age) in policies {
        apply_keep(tx, q.qid, FAILED, count, age, now)?;
    }
    Ok(report)
}

/// Put a failed job back in `wait` at `pos`, clearing what Bull's retry clears
/// (attempts made and the stack trace are kept).
fn requeue_failed(
    tx: &Transaction<'_>,
    pk: i64,
    (sort1, sort2): (i64, i64),
    retried_on: Option<i64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE queue_jobs SET state = 0, sort1 = ?2, sort2 = ?3, finished_on = NULL,
             processed_on = NULL, failed_reason = NULL, retried_on = coalesce(?4, retried_on)
         WHERE pk = ?1",
    )?
    .execute(params![pk, sort1, sort2, retried_on])?;
    Ok(())
}

/// One batch of `clean`: remove up to `budget` jobs in `state` whose time is before
/// `cutoff`, scanning from `cursor`. Returns how many were removed and where to go on
/// (`None` when the state has been scanned to the end).
fn clean_batch(
    tx: &Transaction<'_>,
    queue: &str,
    state: JobState,
    cutoff: i64,
    budget: usize,
    cursor: Option<(i64, i64)>,
) -> Result<(u64, Option<(i64, i64)>), DbError> {
    let now = now_ms();
    let Some(q) = queue_row(tx, queue)? else {
        return Ok((0, None));
    };
    let code = match state {
        JobState::Wait if q.paused => return Ok((0, None)),
        JobState::Paused if !q.paused => return Ok((0, None)),
        JobState::Wait | JobState::Paused => WAIT,
        JobState::Active => ACTIVE,
        JobState::Delayed => DELAYED,
        JobState::Completed => COMPLETED,
        JobState::Failed => FAILED,
    };
    // Finished jobs are ordered by their finish time, so the scan can stop at the cutoff.
    let finished = code == COMPLETED || code == FAILED;
    let (c1, c2) = cursor.unwrap_or((i64::MIN, i64::MIN));
    let scan = (budget * 4).max(BATCH) as i64;
    let rows: Vec<(i64, i64, i64, i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT pk, sort1, sort2, coalesce(finished_on, processed_on, timestamp), lock_until
             FROM queue_jobs
             WHERE qid = ?1 AND state = ?2 AND (sort1, sort2) > (?3, ?4)
                 AND (?5 = 0 OR sort1 < ?6)
             ORDER BY sort1, sort2 LIMIT ?7",
        )?
        .query_map(
            params![q.qid, code, c1, c2, finished as i64, cutoff, scan],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut del = tx.prepare_cached("DELETE FROM queue_jobs WHERE pk = ?1")?;
    let mut removed = 0u64;
    let mut last = None;
    for &(pk, s1, s2, time, lock_until) in &rows {
        last = Some((s1, s2));
        let locked = lock_until.is_some_and(|t| t > now);
        if time < cutoff && !locked {
            del.execute([pk])?;
            removed += 1;
            if removed as usize == budget {
                break;
            }
        }
    }
    let exhausted = (rows.len() as i64) < scan && removed < budget as u64;
    Ok((removed, if exhausted { None } else { last }))
}

fn counts_tx(tx: &Transaction<'_>, queue: &str) -> Result<JobCounts, DbError> {
    let row = tx
        .prepare_cached(
            "SELECT qid, paused, n_wait, n_active, n_delayed, n_completed, n_failed,
                 n_prioritized
             FROM queues WHERE name = ?1",
        )?
        .query_row([queue], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, bool>(1)?,
                [
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                ],
            ))
        })
        .optional()?;
    let Some((qid, paused, [wait, active, delayed, completed, failed, prioritized])) = row else {
        return Ok(JobCounts::default());
    };
    let n = |v: i64| v.max(0) as u64;
    Ok(JobCounts {
        waiting: if paused { 0 } else { n(wait) },
        active: n(active),
        completed: n(completed),
        failed: n(failed),
        delayed: n(delayed),
        paused: if paused { n(wait) } else { 0 },
        prioritized: n(prioritized),
        oldest_waiting: if wait > 0 {
            oldest_waiting(tx, qid)?
        } else {
            None
        },
        is_paused: paused,
    })
}

/// Creation time of the job that entered `wait` first. Within a lane jobs are ordered by
/// entry, so only the head of each lane needs looking at: a few index probes, however
/// long the queue.
fn oldest_waiting(tx: &Transaction<'_>, qid: i64) -> rusqlite::Result<Option<i64>> {
    // (entry order, timestamp) of each lane's earliest entrant.
    let mut heads: Vec<(i64, i64)> = Vec::new();
    let head = |sql: &str, lo: i64| -> rusqlite::Result<Option<(i64, i64, i64)>> {
        tx.prepare_cached(sql)?
            .query_row(params![qid, lo], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()
    };
    if let Some((_, s2, ts)) = head(
        "SELECT sort1, sort2, timestamp FROM queue_jobs
         WHERE qid = ?1 AND state = 0 AND sort1 = ?2 ORDER BY sort2 DESC LIMIT 1",
        LANE_FRONT,
    )? {
        heads.push((-s2, ts));
    }
    if let Some((_, s2, ts)) = head(
        "SELECT sort1, sort2, timestamp FROM queue_jobs
         WHERE qid = ?1 AND state = 0 AND sort1 = ?2 ORDER BY sort2 LIMIT 1",
        LANE_PLAIN,
    )? {
        heads.push((s2, ts));
    }
    // Priority lanes, one probe each; a queue rarely uses more than a handful.
    let mut lo = LANE_FRONT;
    for _ in 0..64 {
        let Some((s1, s2, ts)) = head(
            "SELECT sort1, sort2, timestamp FROM queue_jobs
             WHERE qid = ?1 AND state = 0 AND sort1 > ?2 AND sort1 < 4294967296
             ORDER BY sort1, sort2 LIMIT 1",
            lo,
        )?
        else {
            break;
        };
        heads.push((s2, ts));
        lo = s1;
    }
    Ok(heads.into_iter().min().map(|(_, ts)| ts))
}

fn job_from_row(r: &Row<'_>, queue_paused: bool) -> rusqlite::Result<Job> {
    let opts_text: String = r.get(3)?;
    let opts: JobOptions = serde_json::from_str(&opts_text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
    })?;
    let stacktrace: Option<String> = r.get(12)?;
    let stacktrace = match stacktrace {
        Some(s) => serde_json::from_str(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, e.into())
        })?,
        None => Vec::new(),
    };
    let code: i64 = r.get(15)?;
    let sort1: i64 = r.get(16)?;
    let state = match code {
        WAIT if queue_paused => JobState::Paused,
        WAIT => JobState::Wait,
        ACTIVE => JobState::Active,
        DELAYED => JobState::Delayed,
        COMPLETED => JobState::Completed,
        _ => JobState::Failed,
    };
    Ok(Job {
        id: r.get(0)?,
        name: r.get(1)?,
        data: r.get(2)?,
        opts,
        timestamp: r.get(4)?,
        delay: r.get::<_, i64>(5)?.max(0) as u64,
        priority: r.get::<_, i64>(6)?.clamp(0, u32::MAX as i64) as u32,
        attempts_made: r.get::<_, i64>(7)?.clamp(0, u32::MAX as i64) as u32,
        stalled_counter: r.get::<_, i64>(8)?.clamp(0, u32::MAX as i64) as u32,
        processed_on: r.get(9)?,
        finished_on: r.get(10)?,
        failed_reason: r.get(11)?,
        stacktrace,
        returnvalue: r.get(13)?,
        progress: r.get(14)?,
        state: Some(state),
        due_at: (code == DELAYED).then_some(sort1),
    })
}

/// A duration in whole ms, as SQLite stores it.
fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A count or duration as SQLite's signed integer.
fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
