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
//! The per-state counts in `queues` change in the same transaction as the rows they count:
//! each transaction tallies what it moved ([`Tally`]) and applies the sum in one UPDATE.
//! (Triggers would do it per row, and a trigger makes SQLite keep a statement journal for
//! every single-row update: together they cost as much as the updates themselves.)
//!
//! Each operation is one write transaction on the database's writer thread, so two
//! processes sharing the file never claim a job twice: the second transaction starts only
//! after the first committed. The writer is the bottleneck, so it only runs SQL: JSON is
//! encoded before and decoded after. A blocked `claim` wakes at once for jobs added by
//! this process, and for other processes' through the file's doorbell ([`super::bell`]);
//! it also polls the file, in case a ring was lost.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use tokio::sync::Notify;

use super::bell::{Bell, Wakers};

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

/// Rows handled per transaction by bulk operations (clean, drain, retry_all, promotion),
/// so one operator action on a huge queue never holds the write lock for long.
const BATCH: usize = 1000;

/// Bull's reason for a job that stalled too often.
const STALLED_REASON: &str = "job stalled more than allowable limit";

/// How often a blocked claim looks at the file for other processes' jobs: starts fast
/// after activity and backs off to the slowest rate that still keeps the cross-process
/// latency well under 50 ms.
const POLL_MIN: Duration = Duration::from_millis(5);
const POLL_MAX: Duration = Duration::from_millis(25);

/// The columns [`RawJob::from_row`] reads, in order.
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
    wakers: Wakers,
    /// Wake-ups to and from the other processes using the file.
    bell: Bell,
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
        let bell = Bell::new(db.path());
        SqliteQueue {
            db,
            wakers: Wakers::default(),
            bell,
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
        self.write(move |tx| {
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
    }

    fn waker(&self, queue: &str) -> Arc<Notify> {
        let mut map = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(queue.to_string()).or_default().clone()
    }

    /// Wake the claims blocked on `queue`, in this process and the others: jobs may be
    /// ready.
    fn wake(&self, queue: &str) {
        {
            let map = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = map.get(queue) {
                n.notify_waiters();
            }
        }
        self.bell.ring(queue);
    }

    async fn write<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, DbError> + Send + 'static,
        R: Send + 'static,
    {
        self.db.write(f).await.map_err(Into::into)
    }

    /// [`Db::write_rerunnable`]: for the hot paths, whose closures can run twice.
    async fn write_rerunnable<R, F>(&self, f: F) -> Result<R>
    where
        F: Fn(&Transaction<'_>) -> Result<R, DbError> + Send + 'static,
        R: Send + 'static,
    {
        self.db.write_rerunnable(f).await.map_err(Into::into)
    }

    async fn read<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, DbError> + Send + 'static,
        R: Send + 'static,
    {
        self.db.read(f).await.map_err(Into::into)
    }

    /// Whether a claim on `queue` could find something now (a cheap read).
    async fn claimable(&self, queue: &str) -> Result<Probe> {
        let queue = queue.to_string();
        self.read(move |tx| {
            let Some(q) = queue_row(tx, &queue)? else {
                return Ok(Probe::default());
            };
            Ok(Probe {
                paused: q.paused,
                waiting: count_state(tx, q.qid, WAIT)? > 0,
                next_due: next_due(tx, q.qid)?,
            })
        })
        .await
    }

    /// Run `f` in batches (one transaction each) until it reports nothing left, at most
    /// `total(first transaction)` items in all: bulk operations stop at the amount there
    /// was when they started, so a busy producer cannot keep them going. `f` gets the
    /// queue and how many items it may still handle, and returns how many it handled plus
    /// that budget.
    async fn in_batches<F>(&self, queue: &str, f: F) -> Result<u64>
    where
        F: Fn(&Transaction<'_>, &QueueRow, Option<i64>) -> Result<(i64, i64), DbError>
            + Clone
            + Send
            + 'static,
    {
        let mut done: u64 = 0;
        let mut left: Option<i64> = None;
        loop {
            let (name, f) = (queue.to_string(), f.clone());
            let (n, budget) = self
                .write(move |tx| match queue_row(tx, &name)? {
                    Some(q) => f(tx, &q, left),
                    None => Ok((0, 0)),
                })
                .await?;
            done += n as u64;
            if n > 0 {
                self.wake(queue);
            }
            let rest = budget - n;
            if n == 0 || rest <= 0 {
                return Ok(done);
            }
            left = Some(rest);
        }
    }
}

struct ClaimOutcome {
    jobs: Vec<RawJob>,
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
        let prepared = PreparedJob::all(jobs)?;
        let name = queue.to_string();
        let added = self
            .write_rerunnable(move |tx| add_tx(tx, &name, &prepared, now_ms()))
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
        if deadline.is_some() {
            self.bell.listen(&self.wakers);
        }
        let lease = ms(lease);
        let mut poll = POLL_MIN;
        loop {
            // Register for wake-ups before looking, so an add that commits between the
            // attempt and the wait is not missed.
            let notified = waker.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();

            let (name, tok) = (queue.to_string(), token.to_string());
            let out = self
                .write_rerunnable(move |tx| claim_tx(tx, &name, &tok, lease, max, now_ms()))
                .await?;
            if out.promoted_left {
                self.wake(queue);
            }
            if !out.jobs.is_empty() {
                return out.jobs.into_iter().map(|r| r.into_job(false)).collect();
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
                    let until_due = due.saturating_sub(now_ms()).max(0) as u64;
                    wait = wait.min(Duration::from_millis(until_due));
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
            // Like Bull's extendLock: only the holder of a live lock can extend it.
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
        self.write_rerunnable(move |tx| complete_tx(tx, &queue, &token, &done, now_ms()))
            .await
    }

    async fn fail(
        &self,
        queue: &str,
        token: &str,
        id: &str,
        failure: &Failure,
    ) -> Result<Result<FailOutcome, FinishError>> {
        let (name, token, id) = (queue.to_string(), token.to_string(), id.to_string());
        let message = failure.message.clone();
        let stack = failure.stack.clone().unwrap_or_else(|| message.clone());
        let retry = failure.retry;
        let out = self
            .write(move |tx| fail_tx(tx, &name, &token, &id, (&message, &stack, retry), now_ms()))
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
                    let mut t = Tx::new(tx, &q);
                    let n = t.promote_due(now_ms(), BATCH)?;
                    t.finish()?;
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
                let mut t = Tx::new(tx, &q);
                let mut out = Vec::with_capacity(ids.len());
                for id in &ids {
                    out.push(match t.locate(id)? {
                        None => IdOutcome::NotFound,
                        Some(j) if j.state != DELAYED => IdOutcome::WrongState,
                        Some(j) => {
                            // Like Bull's promote: behind the jobs of its lane.
                            let to = t.wait_position(j.priority, false);
                            t.move_to_wait(&j, to, "delay = 0")?;
                            IdOutcome::Done
                        }
                    });
                }
                t.finish()?;
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
        let (raw, paused) = self
            .read(move |tx| {
                let Some(q) = queue_row(tx, &name)? else {
                    return Ok((Vec::new(), false));
                };
                let Some(code) = state_code(state, q.paused) else {
                    return Ok((Vec::new(), q.paused));
                };
                let order = if code == COMPLETED || code == FAILED {
                    "DESC"
                } else {
                    "ASC"
                };
                let sql = format!(
                    "SELECT {JOB_COLS} FROM queue_jobs WHERE qid = ?1 AND state = ?2
                     ORDER BY sort1 {order}, sort2 {order} LIMIT ?3 OFFSET ?4"
                );
                let rows = tx
                    .prepare_cached(&sql)?
                    .query_map(
                        params![q.qid, code, int(limit), int(offset)],
                        RawJob::from_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((rows, q.paused))
            })
            .await?;
        raw.into_iter().map(|r| r.into_job(paused)).collect()
    }

    async fn get(&self, queue: &str, id: &str) -> Result<Option<Job>> {
        let (name, id) = (queue.to_string(), id.to_string());
        let found = self
            .read(move |tx| {
                let Some(q) = queue_row(tx, &name)? else {
                    return Ok(None);
                };
                let sql = format!("SELECT {JOB_COLS} FROM queue_jobs WHERE qid = ?1 AND id = ?2");
                let raw = tx
                    .prepare_cached(&sql)?
                    .query_row(params![q.qid, id], RawJob::from_row)
                    .optional()?;
                Ok(raw.map(|r| (r, q.paused)))
            })
            .await?;
        found.map(|(raw, paused)| raw.into_job(paused)).transpose()
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
            let mut t = Tx::new(tx, &q);
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                out.push(match t.locate(id)? {
                    None => IdOutcome::NotFound,
                    // A worker may still be running it: removing would lose its result.
                    Some(j) if j.state == ACTIVE || j.lock_until.is_some_and(|t| t > now) => {
                        IdOutcome::Locked
                    }
                    Some(j) => {
                        t.delete(j.pk, j.state, j.sort1)?;
                        IdOutcome::Done
                    }
                });
            }
            t.finish()?;
            Ok(out)
        })
        .await
    }

    async fn drain(&self, queue: &str, delayed: bool) -> Result<u64> {
        let mut removed = 0;
        for state in [WAIT, DELAYED] {
            if state == DELAYED && !delayed {
                continue;
            }
            removed += self
                .in_batches(queue, move |tx, q, left| {
                    let budget = match left {
                        Some(b) => b,
                        None => count_state(tx, q.qid, state)?,
                    };
                    let rows: Vec<(i64, i64)> = tx
                        .prepare_cached(
                            "SELECT pk, sort1 FROM queue_jobs WHERE qid = ?1 AND state = ?2
                             LIMIT ?3",
                        )?
                        .query_map(params![q.qid, state, budget.min(BATCH as i64)], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })?
                        .collect::<rusqlite::Result<_>>()?;
                    let mut t = Tx::new(tx, q);
                    for &(pk, sort1) in &rows {
                        t.delete(pk, state, sort1)?;
                    }
                    t.finish()?;
                    Ok((rows.len() as i64, budget))
                })
                .await?;
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
                let mut t = Tx::new(tx, &q);
                let mut out = Vec::with_capacity(ids.len());
                for id in &ids {
                    out.push(match t.locate(id)? {
                        None => IdOutcome::NotFound,
                        Some(j) if j.state != FAILED => IdOutcome::WrongState,
                        Some(j) => {
                            // Bull's job.retry() ignores the priority but not lifo.
                            let to = t.wait_position(0, j.lifo);
                            t.move_to_wait(&j, to, RETRY_CLEARS)?;
                            tx.prepare_cached(
                                "UPDATE queue_jobs SET retried_on = ?2 WHERE pk = ?1",
                            )?
                            .execute(params![j.pk, now])?;
                            IdOutcome::Done
                        }
                    });
                }
                t.finish()?;
                Ok(out)
            })
            .await?;
        self.wake(queue);
        Ok(out)
    }

    async fn retry_all(&self, queue: &str) -> Result<u64> {
        self.in_batches(queue, |tx, q, left| {
            let budget = match left {
                Some(b) => b,
                None => count_state(tx, q.qid, FAILED)?,
            };
            let pks: Vec<i64> = tx
                .prepare_cached(
                    "SELECT pk FROM queue_jobs WHERE qid = ?1 AND state = 4
                     ORDER BY sort1, sort2 LIMIT ?2",
                )?
                .query_map(params![q.qid, budget.min(BATCH as i64)], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut t = Tx::new(tx, q);
            for &pk in &pks {
                // Bull's retryJobs pushes every job to the back, ignoring priority and lifo.
                let to = t.wait_position(0, false);
                let j = Located {
                    pk,
                    state: FAILED,
                    sort1: 0,
                    ..Located::default()
                };
                t.move_to_wait(&j, to, RETRY_CLEARS)?;
            }
            t.finish()?;
            Ok((pks.len() as i64, budget))
        })
        .await
    }
}

/// What a retry from `failed` clears (Bull keeps attemptsMade and the stack trace).
const RETRY_CLEARS: &str = "finished_on = NULL, processed_on = NULL, failed_reason = NULL";

/// The `state` code to read for a reported state, given whether the queue is paused
/// (`None`: nothing can be in that state now).
fn state_code(state: JobState, paused: bool) -> Option<i64> {
    match state {
        JobState::Wait if paused => None,
        JobState::Paused if !paused => None,
        JobState::Wait | JobState::Paused => Some(WAIT),
        JobState::Active => Some(ACTIVE),
        JobState::Delayed => Some(DELAYED),
        JobState::Completed => Some(COMPLETED),
        JobState::Failed => Some(FAILED),
    }
}

/// A job ready to insert: its options already encoded, so the writer only runs SQL.
struct PreparedJob {
    custom_id: Option<String>,
    name: String,
    data: String,
    /// The options with `timestamp` left out; it is filled in inside the transaction.
    opts: JobOptions,
    /// `opts` as JSON, when the job names its own timestamp (else encoded in the
    /// transaction, which knows "now").
    opts_json: Option<Arc<str>>,
}

impl PreparedJob {
    fn all(jobs: Vec<NewJob>) -> Result<Vec<Self>> {
        let encode = |o: &JobOptions| -> Result<Arc<str>> {
            serde_json::to_string(o)
                .map(Arc::from)
                .map_err(|e| QueueError::Invalid(format!("job options: {e}")))
        };
        // Jobs of one batch usually share their options: encode each distinct set once.
        let mut last: Option<(JobOptions, Arc<str>)> = None;
        jobs.into_iter()
            .map(|job| {
                if job.opts.job_id.as_deref() == Some("") {
                    return Err(QueueError::Invalid(
                        "a custom job id must not be empty".into(),
                    ));
                }
                let opts_json = match job.opts.timestamp {
                    None => None,
                    Some(_) => match &last {
                        Some((o, json)) if *o == job.opts => Some(json.clone()),
                        _ => {
                            let json = encode(&job.opts)?;
                            last = Some((job.opts.clone(), json.clone()));
                            Some(json)
                        }
                    },
                };
                Ok(PreparedJob {
                    custom_id: job.opts.job_id.clone(),
                    name: job.name,
                    data: job.data,
                    opts: job.opts,
                    opts_json,
                })
            })
            .collect()
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

fn job_pk(tx: &Transaction<'_>, queue: &str, id: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT pk FROM queue_jobs
         WHERE qid = (SELECT qid FROM queues WHERE name = ?1) AND id = ?2",
    )?
    .query_row([queue, id], |r| r.get(0))
    .optional()
}

/// The counter of one state, as of this transaction.
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

fn next_due(tx: &Transaction<'_>, qid: i64) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT sort1 FROM queue_jobs WHERE qid = ?1 AND state = 2 ORDER BY sort1 LIMIT 1",
    )?
    .query_row([qid], |r| r.get(0))
    .optional()
}

fn in_priority_lane(state: i64, sort1: i64) -> bool {
    state == WAIT && sort1 > LANE_FRONT && sort1 < LANE_PLAIN
}

/// Rows that entered and left each state in one transaction, applied to the counters in
/// `queues` with one UPDATE.
#[derive(Default)]
struct Tally {
    /// Indexed by state code.
    by_state: [i64; 5],
    prioritized: i64,
}

impl Tally {
    fn enter(&mut self, state: i64, sort1: i64) {
        self.by_state[state as usize] += 1;
        if in_priority_lane(state, sort1) {
            self.prioritized += 1;
        }
    }

    fn leave(&mut self, state: i64, sort1: i64) {
        self.by_state[state as usize] -= 1;
        if in_priority_lane(state, sort1) {
            self.prioritized -= 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.by_state == [0; 5] && self.prioritized == 0
    }
}

/// The identity and position of one job, as needed to move it.
#[derive(Default)]
struct Located {
    pk: i64,
    state: i64,
    sort1: i64,
    priority: i64,
    lifo: bool,
    lock_until: Option<i64>,
}

/// One write transaction's bookkeeping for a queue: the order counter it hands out and
/// the counts it moved, both written back by [`Tx::finish`].
struct Tx<'a, 'c> {
    tx: &'a Transaction<'c>,
    qid: i64,
    order_at_start: i64,
    order: i64,
    tally: Tally,
}

impl<'a, 'c> Tx<'a, 'c> {
    fn new(tx: &'a Transaction<'c>, q: &QueueRow) -> Self {
        Tx {
            tx,
            qid: q.qid,
            order_at_start: q.order_counter,
            order: q.order_counter,
            tally: Tally::default(),
        }
    }

    fn next_order(&mut self) -> i64 {
        self.order += 1;
        self.order
    }

    /// Where a job enters `wait`: (sort1, sort2). A priority wins over lifo, as in Bull.
    fn wait_position(&mut self, priority: i64, lifo: bool) -> (i64, i64) {
        let order = self.next_order();
        if priority > 0 {
            (priority, order)
        } else if lifo {
            (LANE_FRONT, -order)
        } else {
            (LANE_PLAIN, order)
        }
    }

    fn locate(&self, id: &str) -> rusqlite::Result<Option<Located>> {
        self.tx
            .prepare_cached(
                "SELECT pk, state, sort1, priority, lifo, lock_until
                 FROM queue_jobs WHERE qid = ?1 AND id = ?2",
            )?
            .query_row(params![self.qid, id], |r| {
                Ok(Located {
                    pk: r.get(0)?,
                    state: r.get(1)?,
                    sort1: r.get(2)?,
                    priority: r.get(3)?,
                    lifo: r.get(4)?,
                    lock_until: r.get(5)?,
                })
            })
            .optional()
    }

    /// Move a job to `wait` at `to`, dropping any lock, and apply `also` (extra
    /// assignments, a constant SQL fragment).
    fn move_to_wait(&mut self, j: &Located, to: (i64, i64), also: &str) -> rusqlite::Result<()> {
        let sql = format!(
            "UPDATE queue_jobs SET state = 0, sort1 = ?2, sort2 = ?3, lock_token = NULL,
                 lock_until = NULL, {also}
             WHERE pk = ?1"
        );
        self.tx
            .prepare_cached(&sql)?
            .execute(params![j.pk, to.0, to.1])?;
        self.tally.leave(j.state, j.sort1);
        self.tally.enter(WAIT, to.0);
        Ok(())
    }

    fn delete(&mut self, pk: i64, state: i64, sort1: i64) -> rusqlite::Result<()> {
        // Log lines go with the job (foreign key cascade).
        self.tx
            .prepare_cached("DELETE FROM queue_jobs WHERE pk = ?1")?
            .execute([pk])?;
        self.tally.leave(state, sort1);
        Ok(())
    }

    /// Move up to `limit` due delayed jobs to `wait`, at the back of their lane (Bull's
    /// updateDelaySet pushes them like new jobs, ignoring lifo).
    fn promote_due(&mut self, now: i64, limit: usize) -> rusqlite::Result<u64> {
        let due: Vec<(i64, i64, i64)> = self
            .tx
            .prepare_cached(
                "SELECT pk, priority, sort1 FROM queue_jobs
                 WHERE qid = ?1 AND state = 2 AND sort1 <= ?2
                 ORDER BY sort1, sort2 LIMIT ?3",
            )?
            .query_map(params![self.qid, now, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for &(pk, priority, sort1) in &due {
            let to = self.wait_position(priority, false);
            let j = Located {
                pk,
                state: DELAYED,
                sort1,
                ..Located::default()
            };
            self.move_to_wait(&j, to, "delay = 0")?;
        }
        Ok(due.len() as u64)
    }

    /// Trim the completed or failed set to a removeOnComplete/removeOnFail policy: drop
    /// jobs finished `age` seconds or more ago, then all but the newest `count`.
    fn apply_keep(
        &mut self,
        state: i64,
        (count, age): (Option<i64>, Option<i64>),
        now: i64,
    ) -> rusqlite::Result<()> {
        if let Some(age) = age {
            let n = self
                .tx
                .prepare_cached(
                    "DELETE FROM queue_jobs WHERE qid = ?1 AND state = ?2 AND sort1 <= ?3",
                )?
                .execute(params![self.qid, state, now - age.saturating_mul(1000)])?;
            self.tally.by_state[state as usize] -= n as i64;
        }
        if let Some(count) = count.filter(|&c| c > 0) {
            let current =
                count_state(self.tx, self.qid, state)? + self.tally.by_state[state as usize];
            if current > count {
                let n = self
                    .tx
                    .prepare_cached(
                        "DELETE FROM queue_jobs WHERE pk IN (
                             SELECT pk FROM queue_jobs WHERE qid = ?1 AND state = ?2
                             ORDER BY sort1 DESC, sort2 DESC LIMIT -1 OFFSET ?3)",
                    )?
                    .execute(params![self.qid, state, count])?;
                self.tally.by_state[state as usize] -= n as i64;
            }
        }
        Ok(())
    }

    /// Write back the order counter and the counts.
    fn finish(self) -> rusqlite::Result<()> {
        if self.order != self.order_at_start {
            self.tx
                .prepare_cached("UPDATE queues SET order_counter = ?2 WHERE qid = ?1")?
                .execute(params![self.qid, self.order])?;
        }
        if !self.tally.is_empty() {
            let [wait, active, delayed, completed, failed] = self.tally.by_state;
            self.tx
                .prepare_cached(
                    "UPDATE queues SET n_wait = n_wait + ?2, n_active = n_active + ?3,
                         n_delayed = n_delayed + ?4, n_completed = n_completed + ?5,
                         n_failed = n_failed + ?6, n_prioritized = n_prioritized + ?7
                     WHERE qid = ?1",
                )?
                .execute(params![
                    self.qid,
                    wait,
                    active,
                    delayed,
                    completed,
                    failed,
                    self.tally.prioritized
                ])?;
        }
        Ok(())
    }
}

fn add_tx(
    tx: &Transaction<'_>,
    queue: &str,
    jobs: &[PreparedJob],
    now: i64,
) -> Result<Vec<Added>, DbError> {
    let q = ensure_queue(tx, queue)?;
    let mut t = Tx::new(tx, &q);
    let mut id_counter = q.id_counter;
    let mut exists = tx.prepare_cached("SELECT 1 FROM queue_jobs WHERE qid = ?1 AND id = ?2")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO queue_jobs (qid, id, state, sort1, sort2, name, data, opts, timestamp,
             delay, priority, lifo, attempts, keep_completed_count, keep_completed_age,
             keep_failed_count, keep_failed_age)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (qid, id) DO NOTHING",
    )?;
    // The options of jobs stamped "now" are encoded here, once per distinct set.
    let mut now_opts: Option<(JobOptions, Arc<str>)> = None;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
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
        let timestamp = job.opts.timestamp.unwrap_or(now);
        let opts_json = match &job.opts_json {
            Some(json) => json.clone(),
            None => match &now_opts {
                Some((o, json)) if *o == job.opts => json.clone(),
                _ => {
                    let stamped = JobOptions {
                        timestamp: Some(now),
                        ..job.opts.clone()
                    };
                    let json: Arc<str> = serde_json::to_string(&stamped)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?
                        .into();
                    now_opts = Some((job.opts.clone(), json.clone()));
                    json
                }
            },
        };
        let delay = int(job.opts.delay);
        let priority = i64::from(job.opts.priority);
        let (state, (sort1, sort2)) = if delay > 0 {
            let order = t.next_order();
            (DELAYED, (timestamp.saturating_add(delay), order))
        } else {
            (WAIT, t.wait_position(priority, job.opts.lifo))
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
                &*opts_json,
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
                t.tally.enter(state, sort1);
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
    tx.prepare_cached("UPDATE queues SET id_counter = ?2 WHERE qid = ?1")?
        .execute(params![q.qid, id_counter])?;
    t.finish()?;
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
        return Ok(ClaimOutcome {
            jobs: Vec::new(),
            promoted_left: false,
            paused: false,
            next_due: None,
        });
    };
    if q.paused {
        return Ok(ClaimOutcome {
            jobs: Vec::new(),
            promoted_left: false,
            paused: true,
            next_due: None,
        });
    }
    let mut t = Tx::new(tx, &q);
    // Promote due jobs first, so a lone worker never misses them.
    let promoted = t.promote_due(now, BATCH)?;
    let sql = format!(
        "SELECT {JOB_COLS}, pk FROM queue_jobs WHERE qid = ?1 AND state = 0
         ORDER BY sort1, sort2 LIMIT ?2"
    );
    let mut jobs: Vec<(RawJob, i64)> = tx
        .prepare_cached(&sql)?
        .query_map(params![q.qid, max as i64], |r| {
            Ok((RawJob::from_row(r)?, r.get(17)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut upd = tx.prepare_cached(
        "UPDATE queue_jobs SET state = 1, sort1 = ?2, sort2 = ?3, processed_on = ?2,
             lock_token = ?4, lock_until = ?5
         WHERE pk = ?1",
    )?;
    for (job, pk) in &mut jobs {
        let order = t.next_order();
        upd.execute(params![*pk, now, order, token, now + lease_ms])?;
        t.tally.leave(WAIT, job.sort1);
        t.tally.enter(ACTIVE, now);
        job.state = ACTIVE;
        job.sort1 = now;
        job.processed_on = Some(now);
    }
    t.finish()?;
    let next_due = if jobs.is_empty() {
        next_due(tx, q.qid)?
    } else {
        None
    };
    Ok(ClaimOutcome {
        promoted_left: promoted > jobs.len() as u64,
        jobs: jobs.into_iter().map(|(j, _)| j).collect(),
        paused: false,
        next_due,
    })
}

/// The lock check Bull's finishing scripts do, in their order: missing or lapsed lock,
/// another token, not active.
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
    let mut t = Tx::new(tx, &q);
    let mut sel = tx.prepare_cached(
        "SELECT pk, state, lock_token, lock_until, keep_completed_count, keep_completed_age
         FROM queue_jobs WHERE qid = ?1 AND id = ?2",
    )?;
    let mut upd = tx.prepare_cached(
        "UPDATE queue_jobs SET state = 3, sort1 = ?2, sort2 = ?3, finished_on = ?2,
             returnvalue = ?4, lock_token = NULL, lock_until = NULL
         WHERE pk = ?1",
    )?;
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
                    (r.get::<_, Option<i64>>(4)?, r.get::<_, Option<i64>>(5)?),
                ))
            })
            .optional()?;
        let Some((pk, state, lock_token, lock_until, keep)) = row else {
            out.push(Err(FinishError::Missing));
            continue;
        };
        if let Err(e) = check_lock(state, lock_token.as_deref(), lock_until, token, now) {
            out.push(Err(e));
            continue;
        }
        if keep.0 == Some(0) {
            t.delete(pk, ACTIVE, 0)?;
        } else {
            let order = t.next_order();
            upd.execute(params![pk, now, order, value])?;
            t.tally.leave(ACTIVE, 0);
            t.tally.enter(COMPLETED, now);
            if keep != (None, None) && !policies.contains(&keep) {
                policies.push(keep);
            }
        }
        out.push(Ok(()));
    }
    for keep in policies {
        t.apply_keep(COMPLETED, keep, now)?;
    }
    t.finish()?;
    Ok(out)
}

fn fail_tx(
    tx: &Transaction<'_>,
    queue: &str,
    token: &str,
    id: &str,
    (message, stack, retry): (&str, &str, Retry),
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
        backoff: Option<String>,
        priority: i64,
        lifo: bool,
        keep: (Option<i64>, Option<i64>),
    }
    let row = tx
        .prepare_cached(
            "SELECT pk, state, lock_token, lock_until, attempts, attempts_made,
                 json_extract(opts, '$.backoff'), priority, lifo, keep_failed_count,
                 keep_failed_age
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
                backoff: r.get(6)?,
                priority: r.get(7)?,
                lifo: r.get(8)?,
                keep: (r.get(9)?, r.get(10)?),
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
    let attempts_left = made < row.attempts;
    let retry_in: Option<u64> = match retry {
        Retry::Never => None,
        Retry::After(ms) => attempts_left.then_some(ms),
        Retry::Job if attempts_left => {
            // A backoff this build cannot read (another client's custom strategy) retries
            // at once, as Bull does when no backoff is set.
            let backoff: Option<Backoff> = row
                .backoff
                .as_deref()
                .and_then(|b| serde_json::from_str(b).ok());
            Some(backoff.map_or(0, |b| b.delay_for(made as u32)))
        }
        Retry::Job => None,
    };

    let mut t = Tx::new(tx, &q);
    // Bull appends every failure's stack to the job's JSON array.
    let record = "attempts_made = ?4, failed_reason = ?5,
         stacktrace = json_insert(coalesce(stacktrace, '[]'), '$[#]', ?6),
         lock_token = NULL, lock_until = NULL";
    let outcome = match retry_in {
        Some(delay) => {
            let (state, (sort1, sort2)) = if delay > 0 {
                let order = t.next_order();
                (DELAYED, (now.saturating_add(int(delay)), order))
            } else {
                (WAIT, t.wait_position(row.priority, row.lifo))
            };
            tx.prepare_cached(&format!(
                "UPDATE queue_jobs SET state = ?7, sort1 = ?2, sort2 = ?3, {record}
                 WHERE pk = ?1"
            ))?
            .execute(params![row.pk, sort1, sort2, made, message, stack, state])?;
            t.tally.leave(ACTIVE, 0);
            t.tally.enter(state, sort1);
            FailOutcome::Retrying { delay_ms: delay }
        }
        None if row.keep.0 == Some(0) => {
            t.delete(row.pk, ACTIVE, 0)?;
            FailOutcome::Failed
        }
        None => {
            let order = t.next_order();
            tx.prepare_cached(&format!(
                "UPDATE queue_jobs SET state = 4, sort1 = ?2, sort2 = ?3, finished_on = ?2,
                     {record}
                 WHERE pk = ?1"
            ))?
            .execute(params![row.pk, now, order, made, message, stack])?;
            t.tally.leave(ACTIVE, 0);
            t.tally.enter(FAILED, now);
            t.apply_keep(FAILED, row.keep, now)?;
            FailOutcome::Failed
        }
    };
    t.finish()?;
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
    let mut t = Tx::new(tx, &q);
    let mut policies: Vec<(Option<i64>, Option<i64>)> = Vec::new();
    for (pk, id, counter, keep_count, keep_age) in stalled {
        let counter = counter + 1;
        let j = Located {
            pk,
            state: ACTIVE,
            ..Located::default()
        };
        if counter > i64::from(check.max_stalled_count) {
            if keep_count == Some(0) {
                t.delete(pk, ACTIVE, 0)?;
            } else {
                let order = t.next_order();
                tx.prepare_cached(
                    "UPDATE queue_jobs SET state = 4, sort1 = ?2, sort2 = ?3, finished_on = ?2,
                         stalled_counter = ?4, failed_reason = ?5,
                         lock_token = NULL, lock_until = NULL
                     WHERE pk = ?1",
                )?
                .execute(params![pk, now, order, counter, STALLED_REASON])?;
                t.tally.leave(ACTIVE, 0);
                t.tally.enter(FAILED, now);
                let keep = (keep_count, keep_age);
                if keep != (None, None) && !policies.contains(&keep) {
                    policies.push(keep);
                }
            }
            report.failed.push(id);
        } else {
            // Bull RPUSHes a stalled job: it runs next.
            let to = t.wait_position(0, true);
            t.move_to_wait(&j, to, &format!("stalled_counter = {counter}"))?;
            report.requeued.push(id);
        }
    }
    for keep in policies {
        t.apply_keep(FAILED, keep, now)?;
    }
    t.finish()?;
    Ok(report)
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
    let Some(code) = state_code(state, q.paused) else {
        return Ok((0, None));
    };
    // Finished jobs are ordered by their finish time, so the scan can stop at the cutoff.
    let finished = code == COMPLETED || code == FAILED;
    let (c1, c2) = cursor.unwrap_or((i64::MIN, i64::MIN));
    let scan = (budget * 4).max(BATCH) as i64;
    /// (pk, sort1, sort2, time, lock_until)
    type Candidate = (i64, i64, i64, i64, Option<i64>);
    let rows: Vec<Candidate> = tx
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
    let mut t = Tx::new(tx, &q);
    let mut removed = 0u64;
    let mut last = None;
    for &(pk, s1, s2, time, lock_until) in &rows {
        last = Some((s1, s2));
        // Like Bull's clean: a job a worker holds is left alone.
        let locked = lock_until.is_some_and(|t| t > now);
        if time < cutoff && !locked {
            t.delete(pk, code, s1)?;
            removed += 1;
            if removed as usize == budget {
                break;
            }
        }
    }
    t.finish()?;
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

/// A job row as read; turned into a [`Job`] outside the writer thread, since decoding
/// its JSON is the costliest part.
struct RawJob {
    id: String,
    name: String,
    data: String,
    opts: String,
    timestamp: i64,
    delay: i64,
    priority: i64,
    attempts_made: i64,
    stalled_counter: i64,
    processed_on: Option<i64>,
    finished_on: Option<i64>,
    failed_reason: Option<String>,
    stacktrace: Option<String>,
    returnvalue: Option<String>,
    progress: Option<String>,
    state: i64,
    sort1: i64,
}

impl RawJob {
    /// Read the [`JOB_COLS`] columns, in order.
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawJob {
            id: r.get(0)?,
            name: r.get(1)?,
            data: r.get(2)?,
            opts: r.get(3)?,
            timestamp: r.get(4)?,
            delay: r.get(5)?,
            priority: r.get(6)?,
            attempts_made: r.get(7)?,
            stalled_counter: r.get(8)?,
            processed_on: r.get(9)?,
            finished_on: r.get(10)?,
            failed_reason: r.get(11)?,
            stacktrace: r.get(12)?,
            returnvalue: r.get(13)?,
            progress: r.get(14)?,
            state: r.get(15)?,
            sort1: r.get(16)?,
        })
    }

    fn into_job(self, queue_paused: bool) -> Result<Job> {
        let layout = |what: &str, e: serde_json::Error| QueueError::Layout {
            key: format!("job {}", self.id),
            detail: format!("{what} is not valid: {e}"),
        };
        let opts: JobOptions = serde_json::from_str(&self.opts).map_err(|e| layout("opts", e))?;
        let stacktrace = match &self.stacktrace {
            Some(s) => serde_json::from_str(s).map_err(|e| layout("stacktrace", e))?,
            None => Vec::new(),
        };
        let state = match self.state {
            WAIT if queue_paused => JobState::Paused,
            WAIT => JobState::Wait,
            ACTIVE => JobState::Active,
            DELAYED => JobState::Delayed,
            COMPLETED => JobState::Completed,
            _ => JobState::Failed,
        };
        let small = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
        Ok(Job {
            opts,
            stacktrace,
            timestamp: self.timestamp,
            delay: self.delay.max(0) as u64,
            priority: small(self.priority),
            attempts_made: small(self.attempts_made),
            stalled_counter: small(self.stalled_counter),
            processed_on: self.processed_on,
            finished_on: self.finished_on,
            state: Some(state),
            due_at: (self.state == DELAYED).then_some(self.sort1),
            id: self.id,
            name: self.name,
            data: self.data,
            failed_reason: self.failed_reason,
            returnvalue: self.returnvalue,
            progress: self.progress,
        })
    }
}

/// A duration in whole ms, as SQLite stores it.
fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A count or duration as SQLite's signed integer.
fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
