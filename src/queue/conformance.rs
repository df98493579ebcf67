//! The behavioural suite every [`QueueBackend`] must pass.
//!
//! Each case is a public async function taking a backend and a queue name; it uses only
//! that queue (and names derived from it), so every case can share one backend. A
//! backend's integration tests expand one `#[tokio::test]` per case with
//! [`queue_conformance_tests!`](crate::queue_conformance_tests):
//!
//! ```ignore
//! slotbase::queue_conformance_tests!(|| async {
//!     let dir = tempfile::tempdir().unwrap();
//!     let q = SqliteQueue::open(&dir.path().join("q.db"), Duration::from_secs(5)).await.unwrap();
//!     (Arc::new(q), dir) // the backend, and anything to keep alive while the case runs
//! });
//! ```
//!
//! The cases check outcomes, never durations: delays and leases are short (100–200 ms) and
//! waits are polling loops bounded by a generous deadline, so a slow machine makes a case
//! slower, not red. Expected orders and codes are Bull v4's (see the protocol notes in
//! [`super`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{
    Backoff, FailOutcome, Failure, FinishError, IdOutcome, Job, JobOptions, JobState, KeepJobs,
    NewJob, QueueBackend, Retry, StalledCheck, now_ms,
};

/// A case's future.
pub type CaseFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
/// A case: runs against a backend on the named queue, panicking on a failed expectation.
pub type CaseFn = for<'a> fn(&'a dyn QueueBackend, &'a str) -> CaseFuture<'a>;

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        /// Every case, by name, in the order [`run_all`] runs them.
        pub const CASES: &[(&str, CaseFn)] = &[$((stringify!($case), |q, n| Box::pin($case(q, n)))),*];
    };
}

cases!(
    fifo_order,
    priority_order,
    lifo_order,
    delayed_promotion,
    dedupe_by_custom_id,
    attempts_with_fixed_backoff,
    attempts_with_exponential_backoff,
    retry_never_and_after,
    stalled_recovery,
    extend_keeps_the_lock,
    wrong_token_is_refused,
    pause_and_resume,
    drain,
    clean_by_age,
    retry_failed,
    remove,
    promote,
    counts_after_mixed_work,
    list_ordering_and_paging,
    get_returns_the_state,
    logs,
    keep_jobs,
    blocking_claim,
);

/// Expand one `#[tokio::test]` per conformance case. `$make` is a closure returning a
/// future of `(backend, guard)`: the backend (anything that derefs to a
/// [`QueueBackend`](crate::queue::QueueBackend)) and a value kept alive until the case
/// ends (a temp dir, a server process, or `()`).
#[macro_export]
macro_rules! queue_conformance_tests {
    ($make:expr) => {
        $crate::queue_conformance_tests!(@cases $make;
            fifo_order,
            priority_order,
            lifo_order,
            delayed_promotion,
            dedupe_by_custom_id,
            attempts_with_fixed_backoff,
            attempts_with_exponential_backoff,
            retry_never_and_after,
            stalled_recovery,
            extend_keeps_the_lock,
            wrong_token_is_refused,
            pause_and_resume,
            drain,
            clean_by_age,
            retry_failed,
            remove,
            promote,
            counts_after_mixed_work,
            list_ordering_and_paging,
            get_returns_the_state,
            logs,
            keep_jobs,
            blocking_claim,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (backend, _guard) = ($make)().await;
                let queue = $crate::queue::conformance::queue_name(stringify!($case));
                $crate::queue::conformance::$case(&*backend, &queue).await;
            }
        )*

        #[test]
        fn conformance_expands_every_case() {
            let expanded: &[&str] = &[$(stringify!($case)),*];
            let all: Vec<&str> = $crate::queue::conformance::CASES.iter().map(|c| c.0).collect();
            assert_eq!(expanded, all.as_slice());
        }
    };
}

/// A queue name for `case`, unique to this process run so that cases sharing a
/// long-lived store (a Redis server) never see each other's jobs.
pub fn queue_name(case: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    format!(
        "conformance-{case}-{}-{}-{}",
        std::process::id(),
        now_ms(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Run every case in turn on one backend, each on its own queue.
pub async fn run_all(q: &dyn QueueBackend) {
    for (name, case) in CASES {
        case(q, &queue_name(name)).await;
    }
}

/// Lease for claims that must not stall during a case.
const LONG: Duration = Duration::from_secs(60);
/// How long a polling wait may take before the case fails.
const DEADLINE: Duration = Duration::from_secs(30);
/// Pause between polls.
const TICK: Duration = Duration::from_millis(20);

fn job(tag: &str) -> NewJob {
    job_with(tag, |_| {})
}

fn job_with(tag: &str, f: impl FnOnce(&mut JobOptions)) -> NewJob {
    let mut opts = JobOptions::default();
    f(&mut opts);
    NewJob {
        name: "conformance".into(),
        data: serde_json::json!({ "tag": tag }).to_string(),
        opts,
    }
}

/// The tag a job was added with.
fn tag(job: &Job) -> String {
    let data: serde_json::Value = serde_json::from_str(&job.data).unwrap_or_else(|e| {
        panic!(
            "job {} has data that is not JSON ({e}): {}",
            job.id, job.data
        )
    });
    data["tag"].as_str().unwrap_or_default().to_string()
}

fn tags(jobs: &[Job]) -> Vec<String> {
    jobs.iter().map(tag).collect()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Add jobs that must all be new; their ids.
async fn add(q: &dyn QueueBackend, queue: &str, jobs: Vec<NewJob>) -> Vec<String> {
    let n = jobs.len();
    let added = q.add(queue, jobs).await.expect("add");
    assert_eq!(added.len(), n, "one outcome per job");
    for a in &added {
        assert!(
            !a.duplicate,
            "job {} unexpectedly reported as a duplicate",
            a.id
        );
    }
    added.into_iter().map(|a| a.id).collect()
}

async fn add_one(q: &dyn QueueBackend, queue: &str, job: NewJob) -> String {
    add(q, queue, vec![job]).await.remove(0)
}

async fn claim(q: &dyn QueueBackend, queue: &str, token: &str, max: usize) -> Vec<Job> {
    q.claim(queue, token, LONG, max, None).await.expect("claim")
}

/// Claim exactly one job, which must be there.
async fn claim_one(q: &dyn QueueBackend, queue: &str, token: &str) -> Job {
    let mut jobs = claim(q, queue, token, 1).await;
    assert_eq!(jobs.len(), 1, "expected a job to claim in {queue}");
    jobs.remove(0)
}

async fn complete_ok(q: &dyn QueueBackend, queue: &str, token: &str, ids: &[String]) {
    let done: Vec<(String, String)> = ids.iter().map(|id| (id.clone(), "null".into())).collect();
    let out = q.complete(queue, token, &done).await.expect("complete");
    assert!(out.iter().all(Result::is_ok), "complete {ids:?}: {out:?}");
}

async fn fail_with(
    q: &dyn QueueBackend,
    queue: &str,
    token: &str,
    id: &str,
    message: &str,
    retry: Retry,
) -> FailOutcome {
    let failure = Failure {
        message: message.into(),
        stack: Some(format!("Error: {message}\n    at conformance")),
        retry,
    };
    q.fail(queue, token, id, &failure)
        .await
        .expect("fail")
        .unwrap_or_else(|e| panic!("fail {id}: {e}"))
}

/// Claim and complete one job at a time until none is waiting; the tags in run order.
async fn run_order(q: &dyn QueueBackend, queue: &str) -> Vec<String> {
    let mut order = Vec::new();
    loop {
        let jobs = claim(q, queue, "runner", 1).await;
        let Some(job) = jobs.into_iter().next() else {
            return order;
        };
        complete_ok(q, queue, "runner", std::slice::from_ref(&job.id)).await;
        order.push(tag(&job));
    }
}

async fn get(q: &dyn QueueBackend, queue: &str, id: &str) -> Job {
    q.get(queue, id)
        .await
        .expect("get")
        .unwrap_or_else(|| panic!("job {id} should exist in {queue}"))
}

async fn state_of(q: &dyn QueueBackend, queue: &str, id: &str) -> Option<JobState> {
    get(q, queue, id).await.state
}

/// Poll `f` until it returns `Some`, failing the case after [`DEADLINE`].
async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < DEADLINE, "gave up waiting: {what}");
        tokio::time::sleep(TICK).await;
    }
}

/// Claim one job, promoting due delayed jobs while waiting for it.
async fn claim_when_due(q: &dyn QueueBackend, queue: &str, token: &str) -> Job {
    eventually("a delayed job to become claimable", || async {
        q.promote_due(queue).await.expect("promote_due");
        claim(q, queue, token, 1).await.into_iter().next()
    })
    .await
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Jobs run in the order they were added; auto ids are increasing decimal numbers.
pub async fn fifo_order(q: &dyn QueueBackend, queue: &str) {
    let mut ids = add(q, queue, vec![job("a"), job("b"), job("c")]).await;
    ids.extend(add(q, queue, vec![job("d"), job("e")]).await);
    let numbers: Vec<u64> = ids
        .iter()
        .map(|id| {
            id.parse()
                .unwrap_or_else(|_| panic!("auto id {id:?} is not decimal"))
        })
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "auto ids not increasing: {ids:?}"
    );

    let first = claim(q, queue, "w1", 2).await;
    assert_eq!(
        tags(&first),
        strs(&["a", "b"]),
        "a batched claim takes the oldest first"
    );
    for j in &first {
        assert_eq!(j.state, Some(JobState::Active));
        assert!(j.processed_on.is_some(), "a claimed job has processedOn");
    }
    let first_ids: Vec<String> = first.iter().map(|j| j.id.clone()).collect();
    complete_ok(q, queue, "w1", &first_ids).await;
    assert_eq!(run_order(q, queue).await, strs(&["c", "d", "e"]));

    let counts = q.counts(queue).await.unwrap();
    assert_eq!((counts.waiting, counts.active, counts.completed), (0, 0, 5));
}

/// Priorities (1 highest) run ahead of plain jobs, FIFO within a priority; a lifo job
/// runs before everything (Bull's exact order).
pub async fn priority_order(q: &dyn QueueBackend, queue: &str) {
    let p = |tag: &str, priority: u32| job_with(tag, |o| o.priority = priority);
    add(
        q,
        queue,
        vec![
            job("plain1"),
            job("plain2"),
            p("p2", 2),
            p("p1", 1),
            job_with("lifo", |o| o.lifo = true),
        ],
    )
    .await;
    assert_eq!(
        run_order(q, queue).await,
        strs(&["lifo", "p1", "p2", "plain1", "plain2"])
    );

    let q2 = format!("{queue}-within");
    add(
        q,
        &q2,
        vec![
            p("p2a", 2),
            p("p1a", 1),
            job("plain"),
            p("p2b", 2),
            p("p1b", 1),
        ],
    )
    .await;
    let counts = q.counts(&q2).await.unwrap();
    assert_eq!((counts.waiting, counts.prioritized), (5, 4));
    assert_eq!(
        run_order(q, &q2).await,
        strs(&["p1a", "p1b", "p2a", "p2b", "plain"])
    );
}

/// lifo jobs run next, the newest first.
pub async fn lifo_order(q: &dyn QueueBackend, queue: &str) {
    let l = |tag: &str| job_with(tag, |o| o.lifo = true);
    add(
        q,
        queue,
        vec![job("a"), job("b"), l("l1"), l("l2"), job("c")],
    )
    .await;
    assert_eq!(
        run_order(q, queue).await,
        strs(&["l2", "l1", "a", "b", "c"])
    );
}

/// A delayed job waits in `delayed` until due, is never claimed before, then runs.
pub async fn delayed_promotion(q: &dyn QueueBackend, queue: &str) {
    let before = now_ms();
    let d = add_one(q, queue, job_with("d", |o| o.delay = 200)).await;
    let after = now_ms();
    add(q, queue, vec![job("plain")]).await;
    let later = add_one(q, queue, job_with("later", |o| o.delay = 3_600_000)).await;

    let dj = get(q, queue, &d).await;
    assert_eq!(dj.state, Some(JobState::Delayed));
    let due = dj.due_at.expect("a delayed job has a due time");
    assert!(
        (before + 200..=after + 200).contains(&due),
        "due {due} not 200 ms after the add ({before}..={after})"
    );
    let counts = q.counts(queue).await.unwrap();
    assert_eq!((counts.delayed, counts.waiting), (2, 1));

    // Whatever this claim returns, nothing may run before it is due.
    for j in claim(q, queue, "w", 10).await {
        if j.id == d {
            assert!(now_ms() >= due, "delayed job claimed before it was due");
        }
        assert_ne!(j.id, later, "a job due in an hour was claimed");
        complete_ok(q, queue, "w", std::slice::from_ref(&j.id)).await;
    }
    if q.get(queue, &d).await.unwrap().and_then(|j| j.state) == Some(JobState::Delayed) {
        let j = claim_when_due(q, queue, "w").await;
        assert_eq!(j.id, d);
        assert!(now_ms() >= due, "delayed job claimed before it was due");
        complete_ok(q, queue, "w", std::slice::from_ref(&j.id)).await;
    }
    let done = get(q, queue, &d).await;
    assert_eq!(done.state, Some(JobState::Completed));
    assert_eq!(done.delay, 0, "promotion resets delay to 0, as Bull does");

    let report = q.promote_due(queue).await.unwrap();
    assert_eq!(report.promoted, 0);
    assert_eq!(report.next_due, get(q, queue, &later).await.due_at);
    assert_eq!(q.counts(queue).await.unwrap().delayed, 1);
}

/// Adding a custom id that exists changes nothing and reports a duplicate; once the job
/// is removed the id is free again.
pub async fn dedupe_by_custom_id(q: &dyn QueueBackend, queue: &str) {
    let with_id = |tag: &str, id: &str| {
        let id = id.to_string();
        job_with(tag, move |o| o.job_id = Some(id))
    };
    let first = q.add(queue, vec![with_id("A", "order-1")]).await.unwrap();
    assert_eq!(first[0].id, "order-1");
    assert!(!first[0].duplicate);

    let again = q
        .add(queue, vec![with_id("B", "order-1"), job("plain")])
        .await
        .unwrap();
    assert_eq!(again[0].id, "order-1");
    assert!(
        again[0].duplicate,
        "the second add of order-1 is a duplicate"
    );
    assert!(!again[1].duplicate);
    assert_eq!(
        tag(&get(q, queue, "order-1").await),
        "A",
        "a duplicate add changes nothing"
    );
    assert_eq!(q.counts(queue).await.unwrap().waiting, 2);

    let same_batch = q
        .add(queue, vec![with_id("X", "x-1"), with_id("Y", "x-1")])
        .await
        .unwrap();
    assert_eq!(
        same_batch.iter().map(|a| a.duplicate).collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(tag(&get(q, queue, "x-1").await), "X");

    assert_eq!(
        q.remove(queue, &strs(&["order-1"])).await.unwrap(),
        vec![IdOutcome::Done]
    );
    let readd = q.add(queue, vec![with_id("C", "order-1")]).await.unwrap();
    assert!(!readd[0].duplicate, "a removed job's id can be used again");
    assert_eq!(tag(&get(q, queue, "order-1").await), "C");
}

/// Fail a claimed job and check it waits in `delayed` for `delay` ms with the failure
/// recorded.
async fn fail_and_expect_delay(
    q: &dyn QueueBackend,
    queue: &str,
    id: &str,
    attempt: u32,
    delay: u64,
) {
    let t0 = now_ms();
    let outcome = fail_with(q, queue, "w", id, &format!("boom {attempt}"), Retry::Job).await;
    let t1 = now_ms();
    assert_eq!(outcome, FailOutcome::Retrying { delay_ms: delay });
    let j = get(q, queue, id).await;
    assert_eq!(
        j.state,
        Some(JobState::Delayed),
        "a retry with backoff waits in delayed"
    );
    assert_eq!(j.attempts_made, attempt);
    assert_eq!(
        j.failed_reason.as_deref(),
        Some(format!("boom {attempt}").as_str())
    );
    assert_eq!(
        j.stacktrace.len(),
        attempt as usize,
        "one stack entry per failure"
    );
    let due = j.due_at.expect("due time");
    let d = delay as i64;
    assert!(
        (t0 + d..=t1 + d).contains(&due),
        "due {due} not {delay} ms after the failure ({t0}..={t1})"
    );
}

async fn attempts_then_failed(
    q: &dyn QueueBackend,
    queue: &str,
    backoff: Backoff,
    delays: [u64; 2],
) {
    let id = add_one(
        q,
        queue,
        job_with("job", |o| {
            o.attempts = 3;
            o.backoff = Some(backoff);
        }),
    )
    .await;
    for (i, delay) in delays.into_iter().enumerate() {
        let j = claim_when_due(q, queue, "w").await;
        assert_eq!(j.id, id);
        fail_and_expect_delay(q, queue, &id, i as u32 + 1, delay).await;
    }
    let j = claim_when_due(q, queue, "w").await;
    assert_eq!(j.attempts_made, 2);
    assert_eq!(
        fail_with(q, queue, "w", &id, "boom 3", Retry::Job).await,
        FailOutcome::Failed
    );
    let j = get(q, queue, &id).await;
    assert_eq!(j.state, Some(JobState::Failed));
    assert_eq!(j.attempts_made, 3);
    assert_eq!(j.failed_reason.as_deref(), Some("boom 3"));
    assert_eq!(j.stacktrace.len(), 3);
    assert!(j.finished_on.is_some());
    let counts = q.counts(queue).await.unwrap();
    assert_eq!((counts.failed, counts.delayed, counts.waiting), (1, 0, 0));
}

/// attempts: 3 with a fixed 200 ms backoff: two delayed retries, then failed.
pub async fn attempts_with_fixed_backoff(q: &dyn QueueBackend, queue: &str) {
    attempts_then_failed(q, queue, Backoff::Fixed { delay: 200 }, [200, 200]).await;
}

/// attempts: 3 with exponential backoff of 100 ms: Bull v4 waits (2^n − 1)·100 = 100,
/// then 300 ms.
pub async fn attempts_with_exponential_backoff(q: &dyn QueueBackend, queue: &str) {
    attempts_then_failed(q, queue, Backoff::Exponential { delay: 100 }, [100, 300]).await;
}

/// Retry::Never fails at once whatever attempts are left; Retry::After overrides the
/// backoff (0 = straight back to wait).
pub async fn retry_never_and_after(q: &dyn QueueBackend, queue: &str) {
    let never = add_one(q, queue, job_with("never", |o| o.attempts = 5)).await;
    claim_one(q, queue, "w").await;
    assert_eq!(
        fail_with(q, queue, "w", &never, "bad payload", Retry::Never).await,
        FailOutcome::Failed
    );
    let j = get(q, queue, &never).await;
    assert_eq!((j.state, j.attempts_made), (Some(JobState::Failed), 1));

    let now = add_one(
        q,
        queue,
        job_with("now", |o| {
            o.attempts = 2;
            o.backoff = Some(Backoff::Fixed { delay: 3_600_000 });
        }),
    )
    .await;
    claim_one(q, queue, "w").await;
    assert_eq!(
        fail_with(q, queue, "w", &now, "retry now", Retry::After(0)).await,
        FailOutcome::Retrying { delay_ms: 0 }
    );
    assert_eq!(state_of(q, queue, &now).await, Some(JobState::Wait));
    assert_eq!(claim_one(q, queue, "w").await.id, now);
    assert_eq!(
        fail_with(q, queue, "w", &now, "again", Retry::Job).await,
        FailOutcome::Failed,
        "no attempts left"
    );

    let later = add_one(q, queue, job_with("later", |o| o.attempts = 3)).await;
    claim_one(q, queue, "w").await;
    assert_eq!(
        fail_with(q, queue, "w", &later, "later", Retry::After(150)).await,
        FailOutcome::Retrying { delay_ms: 150 }
    );
    assert_eq!(state_of(q, queue, &later).await, Some(JobState::Delayed));
}

/// A job whose lease lapses is put back to run next (stalledCounter 1), its old token is
/// refused, and the second stall fails it (maxStalledCount 1).
pub async fn stalled_recovery(q: &dyn QueueBackend, queue: &str) {
    let check = StalledCheck {
        max_stalled_count: 1,
        interval: Duration::from_millis(50),
    };
    let lease = Duration::from_millis(100);
    let id = add_one(q, queue, job("stalls")).await;
    let claimed = q.claim(queue, "w1", lease, 1, None).await.unwrap();
    assert_eq!(claimed[0].id, id);
    add(q, queue, vec![job("other")]).await;

    eventually("the stalled job to be requeued", || async {
        let report = q
            .recover_stalled(queue, check)
            .await
            .expect("recover_stalled");
        assert!(!report.failed.contains(&id), "failed on its first stall");
        report.requeued.contains(&id).then_some(())
    })
    .await;
    let j = get(q, queue, &id).await;
    assert_eq!((j.state, j.stalled_counter), (Some(JobState::Wait), 1));
    assert_eq!(j.attempts_made, 0, "a stall is not a failed attempt");
    let late = q
        .complete(queue, "w1", &[(id.clone(), "null".into())])
        .await
        .unwrap();
    assert_eq!(late, vec![Err(FinishError::LockMissing)]);

    let again = q.claim(queue, "w2", lease, 1, None).await.unwrap();
    assert_eq!(tags(&again), strs(&["stalls"]), "a recovered job runs next");
    eventually("the job to fail after its second stall", || async {
        let report = q
            .recover_stalled(queue, check)
            .await
            .expect("recover_stalled");
        report.failed.contains(&id).then_some(())
    })
    .await;
    let j = get(q, queue, &id).await;
    assert_eq!(j.state, Some(JobState::Failed));
    assert_eq!(
        j.failed_reason.as_deref(),
        Some("job stalled more than allowable limit")
    );
    assert_eq!(j.stalled_counter, 2);
    assert!(j.finished_on.is_some());
}

/// Extending the lock keeps a job from stalling past its original lease; only the
/// holder can extend.
pub async fn extend_keeps_the_lock(q: &dyn QueueBackend, queue: &str) {
    let check = StalledCheck {
        max_stalled_count: 1,
        interval: Duration::from_millis(50),
    };
    let lease = Duration::from_secs(2);
    let id = add_one(q, queue, job("kept")).await;
    q.claim(queue, "w1", lease, 1, None).await.unwrap();
    let ids = vec![id.clone()];
    assert_eq!(
        q.extend(queue, "w2", &ids, lease).await.unwrap(),
        vec![false]
    );

    // Run well past the first lease, extending often.
    let start = Instant::now();
    while start.elapsed() < lease + Duration::from_secs(1) {
        assert_eq!(
            q.extend(queue, "w1", &ids, lease).await.unwrap(),
            vec![true]
        );
        let report = q.recover_stalled(queue, check).await.unwrap();
        assert!(
            report.requeued.is_empty() && report.failed.is_empty(),
            "{report:?}"
        );
        sleep_ms(100).await;
    }
    assert_eq!(state_of(q, queue, &id).await, Some(JobState::Active));
    complete_ok(q, queue, "w1", &ids).await;
    assert_eq!(
        q.extend(queue, "w1", &ids, lease).await.unwrap(),
        vec![false]
    );
}

/// Finishing with another worker's token is refused with LockMismatch; a job that was
/// never claimed has no lock; a missing job is Missing.
pub async fn wrong_token_is_refused(q: &dyn QueueBackend, queue: &str) {
    let ids = add(q, queue, vec![job("a"), job("b")]).await;
    let (a, b) = (ids[0].clone(), ids[1].clone());
    claim_one(q, queue, "w1").await;

    let out = q
        .complete(queue, "w2", &[(a.clone(), "1".into())])
        .await
        .unwrap();
    assert_eq!(out, vec![Err(FinishError::LockMismatch)]);
    let failure = Failure {
        message: "x".into(),
        stack: None,
        retry: Retry::Job,
    };
    assert_eq!(
        q.fail(queue, "w2", &a, &failure).await.unwrap(),
        Err(FinishError::LockMismatch)
    );
    let out = q
        .complete(
            queue,
            "w1",
            &[("no-such-job".into(), "1".into()), (b.clone(), "1".into())],
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![Err(FinishError::Missing), Err(FinishError::LockMissing)]
    );

    let out = q
        .complete(queue, "w1", &[(a.clone(), r#"{"ok":true}"#.into())])
        .await
        .unwrap();
    assert_eq!(out, vec![Ok(())]);
    let j = get(q, queue, &a).await;
    assert_eq!(j.state, Some(JobState::Completed));
    assert_eq!(j.returnvalue.as_deref(), Some(r#"{"ok":true}"#));
    assert!(j.finished_on.is_some());
    assert_eq!(j.attempts_made, 0, "success does not count as an attempt");

    let twice = q
        .complete(queue, "w1", &[(a.clone(), "1".into())])
        .await
        .unwrap();
    assert_eq!(
        twice,
        vec![Err(FinishError::LockMissing)],
        "completing twice"
    );

    // An id given twice in one call: the first completion counts, the second is refused
    // as a later call would be; a refused id is refused both times.
    claim_one(q, queue, "w1").await;
    let out = q
        .complete(
            queue,
            "w2",
            &[(b.clone(), "1".into()), (b.clone(), "2".into())],
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![
            Err(FinishError::LockMismatch),
            Err(FinishError::LockMismatch)
        ]
    );
    let out = q
        .complete(
            queue,
            "w1",
            &[
                (b.clone(), r#""first""#.into()),
                ("no-such-job".into(), "1".into()),
                (b.clone(), r#""second""#.into()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![
            Ok(()),
            Err(FinishError::Missing),
            Err(FinishError::LockMissing)
        ]
    );
    let j = get(q, queue, &b).await;
    assert_eq!(j.state, Some(JobState::Completed));
    assert_eq!(j.returnvalue.as_deref(), Some(r#""first""#));
}

/// A paused queue claims nothing, keeps and counts jobs added meanwhile as `paused`, and
/// runs them all in order once resumed (a blocked claim wakes up on resume).
pub async fn pause_and_resume(q: &dyn QueueBackend, queue: &str) {
    let ids = add(q, queue, vec![job("a"), job("b")]).await;
    q.pause(queue).await.unwrap();
    add(q, queue, vec![job("c")]).await;

    let counts = q.counts(queue).await.unwrap();
    assert!(counts.is_paused);
    assert_eq!((counts.waiting, counts.paused), (0, 3));
    assert_eq!(state_of(q, queue, &ids[0]).await, Some(JobState::Paused));
    assert_eq!(
        tags(&q.list(queue, JobState::Paused, 0, 10).await.unwrap()),
        strs(&["a", "b", "c"])
    );
    assert!(
        q.list(queue, JobState::Wait, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        claim(q, queue, "w", 10).await.is_empty(),
        "claimed from a paused queue"
    );
    let blocked = q
        .claim(queue, "w", LONG, 10, Some(Duration::from_millis(100)))
        .await
        .unwrap();
    assert!(blocked.is_empty(), "claimed from a paused queue");

    let (claimed, resumed) = tokio::join!(q.claim(queue, "w", LONG, 1, Some(DEADLINE)), async {
        sleep_ms(100).await;
        q.resume(queue).await
    });
    resumed.unwrap();
    let claimed = claimed.unwrap();
    assert_eq!(
        tags(&claimed),
        strs(&["a"]),
        "the blocked claim gets the oldest job"
    );
    let counts = q.counts(queue).await.unwrap();
    assert!(!counts.is_paused);
    assert_eq!((counts.waiting, counts.paused, counts.active), (2, 0, 1));
    assert_eq!(run_order(q, queue).await, strs(&["b", "c"]));
}

/// drain removes waiting (and paused) jobs, and delayed ones only when asked; active and
/// finished jobs stay.
pub async fn drain(q: &dyn QueueBackend, queue: &str) {
    add(q, queue, vec![job("active")]).await;
    claim_one(q, queue, "w").await;
    add(q, queue, vec![job("done")]).await;
    let done = claim_one(q, queue, "w").await;
    complete_ok(q, queue, "w", std::slice::from_ref(&done.id)).await;

    let waiting = add(q, queue, vec![job("w1"), job("w2"), job("w3")]).await;
    let hour = |tag: &str| job_with(tag, |o| o.delay = 3_600_000);
    add(q, queue, vec![hour("d1"), hour("d2")]).await;

    assert_eq!(q.drain(queue, false).await.unwrap(), 3);
    let c = q.counts(queue).await.unwrap();
    assert_eq!((c.waiting, c.delayed, c.active, c.completed), (0, 2, 1, 1));
    assert!(
        q.get(queue, &waiting[0]).await.unwrap().is_none(),
        "drained job data is gone"
    );

    add(q, queue, vec![job("w4"), job("w5")]).await;
    assert_eq!(q.drain(queue, true).await.unwrap(), 4);
    let c = q.counts(queue).await.unwrap();
    assert_eq!((c.waiting, c.delayed, c.active, c.completed), (0, 0, 1, 1));

    q.pause(queue).await.unwrap();
    add(q, queue, vec![job("p1"), job("p2")]).await;
    assert_eq!(q.drain(queue, false).await.unwrap(), 2);
    assert_eq!(q.counts(queue).await.unwrap().paused, 0);
    q.resume(queue).await.unwrap();
}

/// clean removes jobs older than the grace period (finished, else processed, else
/// created), at most `limit`.
pub async fn clean_by_age(q: &dyn QueueBackend, queue: &str) {
    let old = now_ms() - 2 * 3_600_000;
    let aged = |tag: &str| job_with(tag, |o| o.timestamp = Some(old));
    let hour = Duration::from_secs(3600);
    let tiny = Duration::from_millis(1);

    add(
        q,
        queue,
        vec![aged("o1"), job("n1"), aged("o2"), job("n2"), job("n3")],
    )
    .await;
    assert_eq!(q.clean(queue, JobState::Wait, hour, None).await.unwrap(), 2);
    assert_eq!(
        tags(&q.list(queue, JobState::Wait, 0, 10).await.unwrap()),
        strs(&["n1", "n2", "n3"])
    );

    let jobs = claim(q, queue, "w", 3).await;
    let ids: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
    complete_ok(q, queue, "w", &ids).await;
    assert_eq!(
        q.clean(queue, JobState::Completed, hour, None)
            .await
            .unwrap(),
        0
    );
    sleep_ms(20).await;
    assert_eq!(
        q.clean(queue, JobState::Completed, tiny, Some(2))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        q.clean(queue, JobState::Completed, tiny, None)
            .await
            .unwrap(),
        1
    );

    add(q, queue, vec![job("f1"), job("f2")]).await;
    for j in claim(q, queue, "w", 2).await {
        fail_with(q, queue, "w", &j.id, "x", Retry::Never).await;
    }
    assert_eq!(
        q.clean(queue, JobState::Failed, hour, None).await.unwrap(),
        0
    );
    sleep_ms(20).await;
    assert_eq!(
        q.clean(queue, JobState::Failed, tiny, None).await.unwrap(),
        2
    );

    add(
        q,
        queue,
        vec![job_with("d", |o| {
            o.timestamp = Some(old);
            o.delay = 3_600_000;
        })],
    )
    .await;
    assert_eq!(
        q.clean(queue, JobState::Delayed, hour, None).await.unwrap(),
        1
    );

    let c = q.counts(queue).await.unwrap();
    assert_eq!(
        (c.waiting, c.active, c.delayed, c.completed, c.failed),
        (0, 0, 0, 0, 0)
    );
}

/// retry moves failed jobs back to wait (clearing finishedOn, processedOn and
/// failedReason, keeping attemptsMade) and leaves jobs in other states alone; retry_all
/// has no cap.
pub async fn retry_failed(q: &dyn QueueBackend, queue: &str) {
    const N: usize = 1200;
    let all: Vec<NewJob> = (0..N).map(|i| job(&format!("j{i}"))).collect();
    let ids = add(q, queue, all).await;
    let mut failed = 0;
    while failed < N {
        let jobs = claim(q, queue, "w", 500).await;
        assert!(
            !jobs.is_empty(),
            "jobs went missing: {failed} of {N} failed"
        );
        for j in jobs {
            fail_with(q, queue, "w", &j.id, "x", Retry::Never).await;
            failed += 1;
        }
    }
    assert_eq!(q.counts(queue).await.unwrap().failed, N as u64);
    assert_eq!(q.retry_all(queue).await.unwrap(), N as u64);
    let c = q.counts(queue).await.unwrap();
    assert_eq!((c.failed, c.waiting), (0, N as u64));
    let j = get(q, queue, &ids[0]).await;
    assert_eq!(j.state, Some(JobState::Wait));
    assert_eq!(
        (
            j.failed_reason,
            j.finished_on,
            j.processed_on,
            j.attempts_made
        ),
        (None, None, None, 1)
    );

    let q2 = format!("{queue}-ids");
    let ids = add(q, &q2, vec![job("x"), job("y"), job("z")]).await;
    let x = claim_one(q, &q2, "w").await.id;
    claim_one(q, &q2, "w").await;
    fail_with(q, &q2, "w", &x, "x", Retry::Never).await;
    let out = q
        .retry(
            &q2,
            &[
                x.clone(),
                ids[1].clone(),
                ids[2].clone(),
                "no-such-job".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![
            IdOutcome::Done,
            IdOutcome::WrongState,
            IdOutcome::WrongState,
            IdOutcome::NotFound
        ]
    );
    let j = get(q, &q2, &x).await;
    assert_eq!(j.state, Some(JobState::Wait));
    assert_eq!((j.attempts_made, j.failed_reason), (1, None));
}

/// remove deletes jobs in any state but refuses a job a worker holds.
pub async fn remove(q: &dyn QueueBackend, queue: &str) {
    let ids = add(q, queue, vec![job("a"), job("b"), job("c")]).await;
    let a = claim_one(q, queue, "w").await.id;
    let out = q
        .remove(queue, &[a.clone(), ids[1].clone(), "no-such-job".into()])
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![IdOutcome::Locked, IdOutcome::Done, IdOutcome::NotFound]
    );
    assert!(q.get(queue, &ids[1]).await.unwrap().is_none());
    assert_eq!(state_of(q, queue, &a).await, Some(JobState::Active));
    let c = q.counts(queue).await.unwrap();
    assert_eq!((c.waiting, c.active), (1, 1));

    complete_ok(q, queue, "w", std::slice::from_ref(&a)).await;
    assert_eq!(
        q.remove(queue, std::slice::from_ref(&a)).await.unwrap(),
        vec![IdOutcome::Done]
    );
    let d = add_one(q, queue, job_with("d", |o| o.delay = 3_600_000)).await;
    assert_eq!(q.remove(queue, &[d]).await.unwrap(), vec![IdOutcome::Done]);
    let c = q.counts(queue).await.unwrap();
    assert_eq!((c.waiting, c.active, c.completed, c.delayed), (1, 0, 0, 0));
}

/// promote moves delayed jobs to wait at once (behind plain jobs, by priority).
pub async fn promote(q: &dyn QueueBackend, queue: &str) {
    let hour = 3_600_000;
    let p = add_one(q, queue, job("plain")).await;
    let d = add_one(q, queue, job_with("delayed", |o| o.delay = hour)).await;
    let dp = add_one(
        q,
        queue,
        job_with("delayed-p1", |o| {
            o.delay = hour;
            o.priority = 1;
        }),
    )
    .await;

    let out = q
        .promote(queue, &[d.clone(), p.clone(), "no-such-job".into()])
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![IdOutcome::Done, IdOutcome::WrongState, IdOutcome::NotFound]
    );
    let j = get(q, queue, &d).await;
    assert_eq!(
        (j.state, j.delay, j.due_at),
        (Some(JobState::Wait), 0, None)
    );
    let c = q.counts(queue).await.unwrap();
    assert_eq!((c.waiting, c.delayed), (2, 1));

    assert_eq!(
        q.promote(queue, &[dp]).await.unwrap(),
        vec![IdOutcome::Done]
    );
    assert_eq!(
        run_order(q, queue).await,
        strs(&["delayed-p1", "plain", "delayed"])
    );
}

/// Exact counts after a workload touching every state, paused or not.
pub async fn counts_after_mixed_work(q: &dyn QueueBackend, queue: &str) {
    add(
        q,
        queue,
        vec![job("c1"), job("c2"), job("f1"), job("a1"), job("a2")],
    )
    .await;
    let claimed = claim(q, queue, "w", 5).await;
    assert_eq!(claimed.len(), 5);
    let id = |t: &str| claimed.iter().find(|j| tag(j) == t).unwrap().id.clone();
    complete_ok(q, queue, "w", &[id("c1"), id("c2")]).await;
    fail_with(q, queue, "w", &id("f1"), "x", Retry::Never).await;

    let now = now_ms();
    add(
        q,
        queue,
        vec![
            job_with("w1", |o| o.timestamp = Some(now - 3000)),
            job_with("w2", |o| o.timestamp = Some(now - 2000)),
            job_with("wp", |o| {
                o.timestamp = Some(now - 1000);
                o.priority = 2;
            }),
        ],
    )
    .await;
    let hour = |tag: &str| job_with(tag, |o| o.delay = 3_600_000);
    add(q, queue, vec![hour("d1"), hour("d2")]).await;

    let c = q.counts(queue).await.unwrap();
    assert_eq!(
        (
            c.waiting,
            c.active,
            c.completed,
            c.failed,
            c.delayed,
            c.paused
        ),
        (3, 2, 2, 1, 2, 0)
    );
    assert_eq!(c.prioritized, 1);
    assert_eq!(c.oldest_waiting, Some(now - 3000));
    assert!(!c.is_paused);

    q.pause(queue).await.unwrap();
    let c = q.counts(queue).await.unwrap();
    assert_eq!(
        (
            c.waiting,
            c.active,
            c.completed,
            c.failed,
            c.delayed,
            c.paused
        ),
        (0, 2, 2, 1, 2, 3)
    );
    assert_eq!(c.prioritized, 1);
    assert!(c.is_paused);
    q.resume(queue).await.unwrap();

    assert!(q.queue_names().await.unwrap().contains(&queue.to_string()));
    let none = q.counts(&format!("{queue}-never-used")).await.unwrap();
    assert_eq!(
        (
            none.waiting,
            none.active,
            none.completed,
            none.failed,
            none.delayed,
            none.paused
        ),
        (0, 0, 0, 0, 0, 0)
    );
}

/// list returns waiting, active and delayed jobs next-to-run first, completed and failed
/// newest first, paged by offset and limit.
pub async fn list_ordering_and_paging(q: &dyn QueueBackend, queue: &str) {
    let list = |state: JobState, offset: u64, limit: u64| async move {
        tags(&q.list(queue, state, offset, limit).await.unwrap())
    };
    add(
        q,
        queue,
        vec![
            job("a"),
            job("b"),
            job("c"),
            job_with("p1", |o| o.priority = 1),
            job_with("l", |o| o.lifo = true),
        ],
    )
    .await;
    assert_eq!(
        list(JobState::Wait, 0, 10).await,
        strs(&["l", "p1", "a", "b", "c"])
    );
    assert_eq!(list(JobState::Wait, 1, 2).await, strs(&["p1", "a"]));
    assert!(list(JobState::Wait, 5, 10).await.is_empty());

    let at = |tag: &str, h: u64| job_with(tag, move |o| o.delay = h * 3_600_000);
    add(q, queue, vec![at("d3", 3), at("d1", 1), at("d2", 2)]).await;
    let delayed = q.list(queue, JobState::Delayed, 0, 10).await.unwrap();
    assert_eq!(tags(&delayed), strs(&["d1", "d2", "d3"]));
    assert!(delayed.windows(2).all(|w| w[0].due_at < w[1].due_at));
    assert_eq!(list(JobState::Delayed, 2, 10).await, strs(&["d3"]));

    let l = claim_one(q, queue, "w").await.id;
    sleep_ms(5).await;
    let p1 = claim_one(q, queue, "w").await.id;
    assert_eq!(list(JobState::Active, 0, 10).await, strs(&["l", "p1"]));

    complete_ok(q, queue, "w", std::slice::from_ref(&l)).await;
    sleep_ms(5).await;
    complete_ok(q, queue, "w", std::slice::from_ref(&p1)).await;
    assert_eq!(list(JobState::Completed, 0, 10).await, strs(&["p1", "l"]));
    assert_eq!(list(JobState::Completed, 1, 1).await, strs(&["l"]));

    let a = claim_one(q, queue, "w").await.id;
    fail_with(q, queue, "w", &a, "x", Retry::Never).await;
    sleep_ms(5).await;
    let b = claim_one(q, queue, "w").await.id;
    fail_with(q, queue, "w", &b, "x", Retry::Never).await;
    assert_eq!(list(JobState::Failed, 0, 10).await, strs(&["b", "a"]));
    assert_eq!(list(JobState::Wait, 0, 10).await, strs(&["c"]));
}

/// get returns each job with the state it is in, and None for an unknown id.
pub async fn get_returns_the_state(q: &dyn QueueBackend, queue: &str) {
    let active = add_one(q, queue, job("active")).await;
    claim_one(q, queue, "w").await;
    let completed = add_one(q, queue, job("completed")).await;
    claim_one(q, queue, "w").await;
    complete_ok(q, queue, "w", std::slice::from_ref(&completed)).await;
    let failed = add_one(q, queue, job("failed")).await;
    claim_one(q, queue, "w").await;
    fail_with(q, queue, "w", &failed, "x", Retry::Never).await;
    let waiting = add_one(q, queue, job("waiting")).await;
    let delayed = add_one(q, queue, job_with("delayed", |o| o.delay = 3_600_000)).await;

    for (id, state) in [
        (&active, JobState::Active),
        (&completed, JobState::Completed),
        (&failed, JobState::Failed),
        (&waiting, JobState::Wait),
        (&delayed, JobState::Delayed),
    ] {
        assert_eq!(state_of(q, queue, id).await, Some(state), "job {id}");
    }
    let j = get(q, queue, &waiting).await;
    assert_eq!(
        (j.id.as_str(), j.name.as_str()),
        (waiting.as_str(), "conformance")
    );
    assert_eq!(tag(&j), "waiting");
    assert_eq!(j.opts.attempts, 1);
    assert!(j.timestamp > 0);
    assert!(q.get(queue, "no-such-job").await.unwrap().is_none());

    q.pause(queue).await.unwrap();
    assert_eq!(state_of(q, queue, &waiting).await, Some(JobState::Paused));
    q.resume(queue).await.unwrap();
    assert_eq!(state_of(q, queue, &waiting).await, Some(JobState::Wait));
}

/// A job starts with no log lines; an unknown job has none either.
pub async fn logs(q: &dyn QueueBackend, queue: &str) {
    let id = add_one(q, queue, job("logged")).await;
    assert!(q.logs(queue, &id).await.unwrap().is_empty());
    assert!(q.logs(queue, "no-such-job").await.unwrap().is_empty());
}

/// removeOnComplete / removeOnFail: count 0 deletes at once, count N keeps the newest N,
/// age drops jobs finished that many seconds before.
pub async fn keep_jobs(q: &dyn QueueBackend, queue: &str) {
    let gone = add_one(
        q,
        queue,
        job_with("gone", |o| {
            o.remove_on_complete = Some(KeepJobs {
                count: Some(0),
                age: None,
            })
        }),
    )
    .await;
    claim_one(q, queue, "w").await;
    complete_ok(q, queue, "w", std::slice::from_ref(&gone)).await;
    assert!(q.get(queue, &gone).await.unwrap().is_none());
    assert_eq!(q.counts(queue).await.unwrap().completed, 0);

    let keep2 = |tag: &str| {
        job_with(tag, |o| {
            o.remove_on_complete = Some(KeepJobs {
                count: Some(2),
                age: None,
            })
        })
    };
    add(
        q,
        queue,
        vec![keep2("k1"), keep2("k2"), keep2("k3"), keep2("k4")],
    )
    .await;
    for _ in 0..4 {
        let j = claim_one(q, queue, "w").await;
        complete_ok(q, queue, "w", std::slice::from_ref(&j.id)).await;
        sleep_ms(3).await;
    }
    assert_eq!(
        tags(&q.list(queue, JobState::Completed, 0, 10).await.unwrap()),
        strs(&["k4", "k3"])
    );
    assert_eq!(q.counts(queue).await.unwrap().completed, 2);

    // age: a job finished a second or more before another job finishes is deleted then.
    let one_second = |tag: &str| {
        job_with(tag, |o| {
            o.remove_on_complete = Some(KeepJobs {
                count: None,
                age: Some(1),
            })
        })
    };
    let q2 = format!("{queue}-age");
    let ids = add(q, &q2, vec![one_second("old"), one_second("new")]).await;
    claim_one(q, &q2, "w").await;
    complete_ok(q, &q2, "w", &ids[..1]).await;
    sleep_ms(1100).await;
    claim_one(q, &q2, "w").await;
    complete_ok(q, &q2, "w", &ids[1..]).await;
    assert!(q.get(&q2, &ids[0]).await.unwrap().is_none(), "aged out");
    assert_eq!(state_of(q, &q2, &ids[1]).await, Some(JobState::Completed));

    let failed = add_one(
        q,
        queue,
        job_with("failed", |o| {
            o.remove_on_fail = Some(KeepJobs {
                count: Some(0),
                age: None,
            })
        }),
    )
    .await;
    claim_one(q, queue, "w").await;
    fail_with(q, queue, "w", &failed, "x", Retry::Never).await;
    assert!(q.get(queue, &failed).await.unwrap().is_none());
    assert_eq!(q.counts(queue).await.unwrap().failed, 0);
}

/// A blocked claim returns the job added while it waits, and nothing once its wait ends.
pub async fn blocking_claim(q: &dyn QueueBackend, queue: &str) {
    let (claimed, added) = tokio::join!(q.claim(queue, "w", LONG, 5, Some(DEADLINE)), async {
        sleep_ms(100).await;
        q.add(queue, vec![job("late")]).await
    });
    added.unwrap();
    assert_eq!(tags(&claimed.unwrap()), strs(&["late"]));
    let none = q
        .claim(queue, "w", LONG, 5, Some(Duration::from_millis(100)))
        .await
        .unwrap();
    assert!(none.is_empty());
}
