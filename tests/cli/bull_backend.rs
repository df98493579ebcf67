//! The Redis backend on its own: Bull's layout, orderings, encodings and error reporting,
//! checked against the raw keys in a private redis-server.

use std::time::Duration;

use redis::AsyncCommands;
use slotbase::queue::bull::BullQueue;
use slotbase::queue::{
    Backoff, FailOutcome, Failure, FinishError, IdOutcome, JobOptions, JobState, NewJob,
    QueueBackend, QueueError, Retry, StalledCheck,
};

use crate::redis_support::RedisServer;

const LEASE: Duration = Duration::from_secs(30);

fn job(data: &str) -> NewJob {
    NewJob {
        name: "booking-event".into(),
        data: data.into(),
        opts: JobOptions::default(),
    }
}

fn with(data: &str, f: impl FnOnce(&mut JobOptions)) -> NewJob {
    let mut j = job(data);
    f(&mut j.opts);
    j
}

fn fail_msg(msg: &str, retry: Retry) -> Failure {
    Failure {
        message: msg.into(),
        stack: None,
        retry,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_writes_bulls_hash_and_lists() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;

    let added = q
        .add(
            "notifications",
            vec![
                job(r#"{"n":1}"#),
                with(r#"{"n":2}"#, |o| o.job_id = Some("custom-1".into())),
                with(r#"{"n":3}"#, |o| o.job_id = Some("custom-1".into())),
                with(r#"{"n":4}"#, |o| o.delay = 60_000),
                job("null"),
            ],
        )
        .await
        .unwrap();
    let ids: Vec<_> = added.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["1", "custom-1", "custom-1", "4", "5"]);
    assert!(added[2].duplicate && !added[1].duplicate);
    // The counter moves on every add, duplicates included.
    let counter: i64 = r.get("bull:notifications:id").await.unwrap();
    assert_eq!(counter, 5);

    let h: std::collections::HashMap<String, String> =
        r.hgetall("bull:notifications:1").await.unwrap();
    assert_eq!(h["name"], "booking-event");
    assert_eq!(h["data"], r#"{"n":1}"#);
    assert_eq!(h["delay"], "0");
    assert_eq!(h["priority"], "0");
    let opts: serde_json::Value = serde_json::from_str(&h["opts"]).unwrap();
    assert_eq!(opts["attempts"], 1);
    assert_eq!(opts["delay"], 0);
    assert_eq!(
        opts["timestamp"].as_i64(),
        h["timestamp"].parse::<i64>().ok()
    );
    let data5: String = r.hget("bull:notifications:5", "data").await.unwrap();
    assert_eq!(data5, "{}");
    let dup: String = r.hget("bull:notifications:custom-1", "data").await.unwrap();
    assert_eq!(dup, r#"{"n":2}"#);

    let wait: Vec<String> = r.lrange("bull:notifications:wait", 0, -1).await.unwrap();
    assert_eq!(wait, ["5", "custom-1", "1"]);
    let score: f64 = r.zscore("bull:notifications:delayed", "4").await.unwrap();
    let ts: i64 = r.hget("bull:notifications:4", "timestamp").await.unwrap();
    assert_eq!(score as i64, (ts + 60_000) * 4096 + 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_after_redis_forgot_its_scripts_reload_them_and_keep_the_order() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    let ids = |added: Vec<slotbase::queue::Added>| -> Vec<String> {
        added.into_iter().map(|a| a.id).collect()
    };
    assert_eq!(
        ids(q.add("q", vec![job("{}"), job("{}")]).await.unwrap()),
        ["1", "2"]
    );
    // As after a restart: Redis no longer knows the add script.
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut r)
        .await
        .unwrap();
    assert_eq!(
        ids(q
            .add("q", vec![job("{}"), job("{}"), job("{}")])
            .await
            .unwrap()),
        ["3", "4", "5"]
    );
    // An add too large for one script call takes the pipelined path.
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut r)
        .await
        .unwrap();
    let many = ids(q
        .add("q", (0..1500).map(|_| job("{}")).collect())
        .await
        .unwrap());
    let expected: Vec<String> = (6..1506).map(|i| i.to_string()).collect();
    assert_eq!(many, expected);
    let wait: Vec<String> = r.lrange("bull:q:wait", 0, -1).await.unwrap();
    let mut all: Vec<String> = (1..1506).map(|i| i.to_string()).collect();
    all.reverse();
    assert_eq!(wait, all, "each job once, newest first");

    // Ids stay whole numbers past 10^14, where Lua's own formatting turns to 1e+14.
    let _: () = r.set("bull:q:id", 99_999_999_999_999_i64).await.unwrap();
    assert_eq!(
        ids(q.add("q", vec![job("{}"), job("{}")]).await.unwrap()),
        ["100000000000000", "100000000000001"]
    );
    let stored: Vec<String> = r.lrange("bull:q:wait", 0, 1).await.unwrap();
    assert_eq!(stored, ["100000000000001", "100000000000000"]);
    let data: String = r.hget("bull:q:100000000000000", "data").await.unwrap();
    assert_eq!(data, "{}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priorities_and_lifo_take_bulls_positions() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    q.add(
        "q",
        vec![
            job("{}"),
            job("{}"),
            with("{}", |o| o.priority = 2),
            with("{}", |o| o.priority = 1),
            with("{}", |o| o.lifo = true),
            with("{}", |o| o.priority = 2),
            job("{}"),
        ],
    )
    .await
    .unwrap();
    let wait: Vec<String> = r.lrange("bull:q:wait", 0, -1).await.unwrap();
    // Left to right; the rightmost runs next. Bull's insert arithmetic counts the lifo
    // job at the right end as a prioritized one, so job 6 lands right of job 3.
    assert_eq!(wait, ["7", "2", "1", "3", "6", "4", "5"]);
    let order: Vec<String> = q
        .list("q", JobState::Wait, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(order, ["5", "4", "6", "3", "1", "2", "7"]);
    let claimed = q.claim("q", "tok", LEASE, 3, None).await.unwrap();
    let ids: Vec<_> = claimed.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["5", "4", "6"]);
    let counts = q.counts("q").await.unwrap();
    assert_eq!(counts.waiting, 4);
    assert_eq!(counts.active, 3);
    assert_eq!(counts.prioritized, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_locks_and_complete_records_the_result() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    q.add("q", vec![job(r#"{"a":1}"#), job("{}")])
        .await
        .unwrap();
    let jobs = q.claim("q", "tok-a", LEASE, 1, None).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].id, "1");
    assert_eq!(jobs[0].data, r#"{"a":1}"#);
    let lock: String = r.get("bull:q:1:lock").await.unwrap();
    assert_eq!(lock, "tok-a");
    let ttl: i64 = r.pttl("bull:q:1:lock").await.unwrap();
    assert!(ttl > 0 && ttl <= 30_000);

    // Another token cannot finish it.
    let res = q
        .complete("q", "tok-b", &[("1".into(), "1".into())])
        .await
        .unwrap();
    assert_eq!(res, [Err(FinishError::LockMismatch)]);
    let res = q
        .complete("q", "tok-a", &[("1".into(), r#""fine""#.into())])
        .await
        .unwrap();
    assert_eq!(res, [Ok(())]);
    let rv: String = r.hget("bull:q:1", "returnvalue").await.unwrap();
    assert_eq!(rv, r#""fine""#);
    let exists: bool = r.exists("bull:q:1:lock").await.unwrap();
    assert!(!exists);
    let job = q.get("q", "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Completed));
    assert!(job.finished_on.is_some());
    assert_eq!(job.attempts_made, 0);
    // Finishing twice is refused.
    let res = q
        .complete("q", "tok-a", &[("1".into(), "1".into())])
        .await
        .unwrap();
    assert_eq!(res, [Err(FinishError::LockMissing)]);
}

// A claim carries each job hash back joined into one string; hashes that cannot be
// joined (a value holding a NUL byte, more than 255 fields and values) still arrive
// whole, in claim order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_carry_any_job_hash_whole() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    let mut wide: Vec<(String, String)> = (0..140)
        .map(|i| (format!("extra{i}"), format!("v{i}")))
        .collect();
    wide.push(("data".into(), r#"{"wide":true}"#.into()));
    wide.push(("name".into(), "wide-job".into()));
    let _: () = r.hset_multiple("bull:q:wide", &wide).await.unwrap();
    let _: () = r
        .hset_multiple(
            "bull:q:nul",
            &[
                ("name", "has\0nul"),
                ("data", r#"{"n":1}"#),
                ("failedReason", "a\0b\0c"),
                ("attemptsMade", "1"),
            ],
        )
        .await
        .unwrap();
    let _: () = r
        .hset_multiple(
            "bull:q:plain",
            &[
                ("name", "plain"),
                ("data", r#"{"p":1}"#),
                ("timestamp", "5"),
            ],
        )
        .await
        .unwrap();
    // As Bull adds them: LPUSH, and claims take from the right, oldest first.
    let _: () = r
        .lpush("bull:q:wait", &["wide", "nul", "plain"])
        .await
        .unwrap();

    let jobs = q.claim("q", "tok", LEASE, 3, None).await.unwrap();
    let got: Vec<(&str, &str, &str)> = jobs
        .iter()
        .map(|j| (j.id.as_str(), j.name.as_str(), j.data.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("wide", "wide-job", r#"{"wide":true}"#),
            ("nul", "has\0nul", r#"{"n":1}"#),
            ("plain", "plain", r#"{"p":1}"#),
        ]
    );
    assert_eq!(jobs[1].failed_reason.as_deref(), Some("a\0b\0c"));
    assert_eq!(jobs[1].attempts_made, 1);
    assert_eq!(jobs[2].timestamp, 5);
    assert!(jobs.iter().all(|j| j.processed_on.is_some()));
    let done: Vec<(String, String)> = jobs.iter().map(|j| (j.id.clone(), "1".into())).collect();
    let res = q.complete("q", "tok", &done).await.unwrap();
    assert_eq!(res, vec![Ok(()); 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_follow_attempts_and_backoff() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    q.add(
        "q",
        vec![with("{}", |o| {
            o.attempts = 3;
            o.backoff = Some(Backoff::Exponential { delay: 1000 });
        })],
    )
    .await
    .unwrap();
    let j = q.claim("q", "t", LEASE, 1, None).await.unwrap();
    assert_eq!(j.len(), 1);
    let before = slotbase::queue::now_ms();
    let out = q
        .fail("q", "t", "1", &fail_msg("boom 1", Retry::Job))
        .await
        .unwrap();
    assert_eq!(out, Ok(FailOutcome::Retrying { delay_ms: 1000 }));
    let score: f64 = r.zscore("bull:q:delayed", "1").await.unwrap();
    let score = score as i64;
    assert_eq!(score & 0xFFF, 1);
    let due = score >> 12;
    assert!(due >= before + 1000 && due <= slotbase::queue::now_ms() + 1000);
    let job = q.get("q", "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Delayed));
    assert_eq!(job.attempts_made, 1);
    assert_eq!(job.failed_reason.as_deref(), Some("boom 1"));
    assert_eq!(job.stacktrace, ["boom 1"]);

    // Promote it and fail again: exponential 3000 ms.
    assert_eq!(
        q.promote("q", &["1".into()]).await.unwrap(),
        [IdOutcome::Done]
    );
    q.claim("q", "t", LEASE, 1, None).await.unwrap();
    let out = q
        .fail("q", "t", "1", &fail_msg("boom 2", Retry::Job))
        .await
        .unwrap();
    assert_eq!(out, Ok(FailOutcome::Retrying { delay_ms: 3000 }));
    q.promote("q", &["1".into()]).await.unwrap();
    q.claim("q", "t", LEASE, 1, None).await.unwrap();
    let out = q
        .fail("q", "t", "1", &fail_msg("boom 3", Retry::Job))
        .await
        .unwrap();
    assert_eq!(out, Ok(FailOutcome::Failed));
    let job = q.get("q", "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Failed));
    assert_eq!(job.attempts_made, 3);
    assert_eq!(job.stacktrace.len(), 3);
    assert!(job.finished_on.is_some());

    // Retry::Never fails at once; Retry::After(0) goes straight back to wait.
    q.add("q", vec![with("{}", |o| o.attempts = 5)])
        .await
        .unwrap();
    q.claim("q", "t", LEASE, 1, None).await.unwrap();
    let out = q
        .fail("q", "t", "2", &fail_msg("again", Retry::After(0)))
        .await
        .unwrap();
    assert_eq!(out, Ok(FailOutcome::Retrying { delay_ms: 0 }));
    assert_eq!(
        q.get("q", "2").await.unwrap().unwrap().state,
        Some(JobState::Wait)
    );
    q.claim("q", "t", LEASE, 1, None).await.unwrap();
    let out = q
        .fail("q", "t", "2", &fail_msg("bad payload", Retry::Never))
        .await
        .unwrap();
    assert_eq!(out, Ok(FailOutcome::Failed));

    // retry puts failed jobs back, keeping attemptsMade.
    assert_eq!(
        q.retry("q", &["1".into(), "nope".into()]).await.unwrap(),
        [IdOutcome::Done, IdOutcome::NotFound]
    );
    let job = q.get("q", "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Wait));
    assert_eq!(job.attempts_made, 3);
    assert_eq!(job.finished_on, None);
    assert_eq!(q.retry_all("q").await.unwrap(), 1);
    assert_eq!(q.counts("q").await.unwrap().waiting, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_on_complete_keeps_the_newest() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    let jobs = (0..5)
        .map(|_| {
            with("{}", |o| {
                o.remove_on_complete = Some(slotbase::queue::KeepJobs {
                    count: Some(2),
                    age: None,
                })
            })
        })
        .collect();
    q.add("q", jobs).await.unwrap();
    for _ in 0..5 {
        let j = q.claim("q", "t", LEASE, 1, None).await.unwrap();
        q.complete("q", "t", &[(j[0].id.clone(), "null".into())])
            .await
            .unwrap();
    }
    let done: Vec<String> = r.zrange("bull:q:completed", 0, -1).await.unwrap();
    assert_eq!(done.len(), 2);
    let exists: bool = r.exists("bull:q:1").await.unwrap();
    assert!(!exists, "trimmed jobs lose their hash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_jobs_are_recovered_by_mark_and_sweep() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    q.add("q", vec![job("{}")]).await.unwrap();
    q.claim("q", "t", Duration::from_millis(50), 1, None)
        .await
        .unwrap();
    let check = StalledCheck {
        max_stalled_count: 1,
        interval: Duration::from_millis(50),
    };
    // First sweep only marks.
    let rep = q.recover_stalled("q", check).await.unwrap();
    assert!(rep.requeued.is_empty());
    tokio::time::sleep(Duration::from_millis(120)).await;
    let rep = q.recover_stalled("q", check).await.unwrap();
    assert_eq!(rep.requeued, ["1"]);
    let counter: i64 = r.hget("bull:q:1", "stalledCounter").await.unwrap();
    assert_eq!(counter, 1);
    // Second stall fails it.
    q.claim("q", "t", Duration::from_millis(50), 1, None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(60)).await;
    q.recover_stalled("q", check).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    let rep = q.recover_stalled("q", check).await.unwrap();
    assert_eq!(rep.failed, ["1"]);
    let job = q.get("q", "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Failed));
    assert_eq!(
        job.failed_reason.as_deref(),
        Some("job stalled more than allowable limit")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_merge_instead_of_overwriting() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    q.add("q", vec![job("{}"), job("{}")]).await.unwrap();
    // A client that ignores the pause flag left a job in paused already.
    let _: () = r.lpush("bull:q:paused", "stray").await.unwrap();
    let _: () = r.hset("bull:q:stray", "data", "{}").await.unwrap();
    q.pause("q").await.unwrap();
    let paused: Vec<String> = r.lrange("bull:q:paused", 0, -1).await.unwrap();
    assert_eq!(paused, ["stray", "2", "1"]);
    assert!(q.counts("q").await.unwrap().is_paused);
    let mp: bool = r.exists("bull:q:meta-paused").await.unwrap();
    let meta: Option<String> = r.hget("bull:q:meta", "paused").await.unwrap();
    assert!(mp && meta.as_deref() == Some("1"));
    // Adds while paused go to paused; claims get nothing.
    q.add("q", vec![job("{}")]).await.unwrap();
    assert!(q.claim("q", "t", LEASE, 5, None).await.unwrap().is_empty());
    // A job sneaked into wait meanwhile survives the resume.
    let _: () = r.lpush("bull:q:wait", "sneaky").await.unwrap();
    let _: () = r.hset("bull:q:sneaky", "data", "{}").await.unwrap();
    q.resume("q").await.unwrap();
    let wait: Vec<String> = r.lrange("bull:q:wait", 0, -1).await.unwrap();
    assert_eq!(wait, ["sneaky", "3", "stray", "2", "1"]);
    let c = q.counts("q").await.unwrap();
    assert!(!c.is_paused);
    assert_eq!(c.paused, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_clean_remove_leave_no_orphans() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;
    let mut jobs: Vec<NewJob> = (0..2500).map(|_| job("{}")).collect();
    jobs.push(with("{}", |o| o.delay = 100_000));
    q.add("q", jobs).await.unwrap();
    assert_eq!(q.drain("q", false).await.unwrap(), 2500);
    assert_eq!(q.counts("q").await.unwrap().delayed, 1);
    assert_eq!(q.drain("q", true).await.unwrap(), 1);
    let keys: Vec<String> = r.keys("bull:q:*").await.unwrap();
    assert_eq!(keys, ["bull:q:id"], "only the counter is left");

    // clean: completed older than the grace, oldest first, by integer time.
    q.add("q", (0..1500).map(|_| job("{}")).collect())
        .await
        .unwrap();
    let jobs = q.claim("q", "t", LEASE, 1500, None).await.unwrap();
    let done: Vec<_> = jobs
        .iter()
        .map(|j| (j.id.clone(), "1".to_string()))
        .collect();
    q.complete("q", "t", &done).await.unwrap();
    assert_eq!(
        q.clean("q", JobState::Completed, Duration::from_secs(3600), None)
            .await
            .unwrap(),
        0
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        q.clean("q", JobState::Completed, Duration::ZERO, Some(1200))
            .await
            .unwrap(),
        1200
    );
    assert_eq!(
        q.clean("q", JobState::Completed, Duration::ZERO, None)
            .await
            .unwrap(),
        300
    );
    // clean of a list: waiting jobs.
    q.add("q", (0..3).map(|_| job("{}")).collect())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        q.clean("q", JobState::Wait, Duration::ZERO, Some(2))
            .await
            .unwrap(),
        2
    );
    let wait: Vec<String> = r.lrange("bull:q:wait", 0, -1).await.unwrap();
    assert_eq!(wait, ["4004"], "the oldest two went first");

    // remove refuses locked jobs.
    let claimed = q.claim("q", "t", LEASE, 1, None).await.unwrap();
    assert_eq!(
        q.remove("q", &[claimed[0].id.clone(), "zzz".into()])
            .await
            .unwrap(),
        [IdOutcome::Locked, IdOutcome::NotFound]
    );
    q.complete("q", "t", &[(claimed[0].id.clone(), "1".into())])
        .await
        .unwrap();
    assert_eq!(
        q.remove("q", std::slice::from_ref(&claimed[0].id))
            .await
            .unwrap(),
        [IdOutcome::Done]
    );
    let keys: Vec<String> = r.keys("bull:q:*").await.unwrap();
    assert_eq!(keys, ["bull:q:id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_jobs_are_promoted_when_due() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    q.add(
        "q",
        vec![
            with("{}", |o| o.delay = 150),
            with("{}", |o| o.delay = 100_000),
        ],
    )
    .await
    .unwrap();
    let rep = q.promote_due("q").await.unwrap();
    assert_eq!(rep.promoted, 0);
    assert!(rep.next_due.is_some());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rep = q.promote_due("q").await.unwrap();
    assert_eq!(rep.promoted, 1);
    let next = rep.next_due.unwrap();
    let job = q.get("q", "2").await.unwrap().unwrap();
    assert_eq!(job.due_at, Some(next));
    let job = q.get("q", "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Wait));
    assert_eq!(job.delay, 0);
    assert_eq!(
        q.promote("q", &["1".into(), "2".into(), "3".into()])
            .await
            .unwrap(),
        [IdOutcome::WrongState, IdOutcome::Done, IdOutcome::NotFound]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_claim_wakes_on_add_and_names_the_connection() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let q2 = q.clone();
    let waiter = tokio::spawn(async move {
        q2.claim(
            "notifications",
            "t",
            LEASE,
            4,
            Some(Duration::from_secs(10)),
        )
        .await
    });
    let mut r = server.client().await;
    let name = q.worker_client_name("notifications");
    assert_eq!(name, "bull:bm90aWZpY2F0aW9ucw==");
    crate::redis_support::eventually(10, "the blocking connection to be named", || {
        let mut r = r.clone();
        let name = name.clone();
        async move {
            let list: String = redis::cmd("CLIENT")
                .arg("LIST")
                .query_async(&mut r)
                .await
                .ok()?;
            list.contains(&format!("name={name} ")).then_some(())
        }
    })
    .await;
    q.add("notifications", vec![job("{}")]).await.unwrap();
    let got = waiter.await.unwrap().unwrap();
    assert_eq!(got.len(), 1);
    let lock: String = r.get("bull:notifications:1:lock").await.unwrap();
    assert_eq!(lock, "t");
    // An empty queue gives nothing after the block time.
    let got = q
        .claim(
            "notifications",
            "t",
            LEASE,
            1,
            Some(Duration::from_millis(100)),
        )
        .await
        .unwrap();
    assert!(got.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_problem() {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://user:s3cret@127.0.0.1:{port}");
    let Err(e) = BullQueue::connect(&url, "bull").await else {
        panic!("connected to nothing");
    };
    assert!(matches!(e, QueueError::Connect { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(!msg.contains("s3cret"), "{msg}");

    let server = RedisServer::start_with(&["--save", "", "--requirepass", "right"]);
    let bad = format!("redis://:wrong@127.0.0.1:{}", server.port);
    let Err(e) = BullQueue::connect(&bad, "bull").await else {
        panic!("wrong password accepted");
    };
    assert!(matches!(e, QueueError::Auth { .. }), "{e}");
    assert!(!e.to_string().contains("wrong@"), "{e}");
    let none = format!("redis://127.0.0.1:{}", server.port);
    let Err(e) = BullQueue::connect(&none, "bull").await else {
        panic!("no password accepted");
    };
    assert!(matches!(e, QueueError::Auth { .. }), "{e}");
    let good = format!("redis://:right@127.0.0.1:{}", server.port);
    let q = BullQueue::connect(&good, "bull").await.unwrap();
    q.add("q", vec![job("{}")]).await.unwrap();

    // A key of the wrong type is named.
    let mut r = redis::Client::open(good.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = r.set("bull:q:completed", "oops").await.unwrap();
    let e = q.counts("q").await.unwrap_err();
    match &e {
        QueueError::Layout { key, .. } => assert_eq!(key, "bull:q:completed"),
        other => panic!("expected a layout error, got {other}"),
    }
    assert!(e.to_string().contains("not in Bull's layout"), "{e}");
    let e = q.claim("q", "t", LEASE, 1, None).await;
    assert!(e.is_ok(), "claiming does not touch completed");
    let _: () = r.del("bull:q:completed").await.unwrap();
    let _: () = r.set("bull:q:wait", "oops").await.unwrap();
    match q.add("q", vec![job("{}")]).await {
        Err(QueueError::Layout { key, .. }) => assert_eq!(key, "bull:q:wait"),
        other => panic!("expected a layout error, got {other:?}"),
    }
    // The failed add wrote nothing: no job hash, and the id counter did not move.
    let written: bool = r.exists("bull:q:2").await.unwrap();
    assert!(!written, "a job hash was left behind");
    let counter: String = r.get("bull:q:id").await.unwrap();
    assert_eq!(counter, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_names_come_from_queue_level_keys() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    q.add("notifications", vec![job("{}")]).await.unwrap();
    q.add("a:b", vec![job("{}")]).await.unwrap();
    let other = server.bull("other").await;
    other.add("elsewhere", vec![job("{}")]).await.unwrap();
    assert_eq!(q.queue_names().await.unwrap(), ["a:b", "notifications"]);
}

/// Every message `sub` receives within `wait`, as (channel, payload).
async fn received(sub: &mut redis::aio::PubSub, wait: Duration) -> Vec<(String, String)> {
    use futures_util::StreamExt as _;
    let mut got = Vec::new();
    let mut stream = sub.on_message();
    while let Ok(Some(msg)) = tokio::time::timeout(wait, stream.next()).await {
        got.push((
            msg.get_channel_name().to_string(),
            msg.get_payload().unwrap(),
        ));
    }
    got
}

/// Subscribed to `bull:q:completed` and to `bull:q:active@*` and `bull:q:waiting@*` by
/// pattern, as Bull's global listeners are.
async fn bull_listener(url: &str) -> redis::aio::PubSub {
    let mut sub = redis::Client::open(url)
        .unwrap()
        .get_async_pubsub()
        .await
        .unwrap();
    sub.subscribe("bull:q:completed").await.unwrap();
    sub.psubscribe("bull:q:active@*").await.unwrap();
    sub.psubscribe("bull:q:waiting@*").await.unwrap();
    sub
}

/// Add 10 jobs in one call, claim them in one call and complete them in one call (the
/// event check is only made for calls of 8 events or more): returns their ids.
async fn run_batch(q: &BullQueue) -> Vec<String> {
    q.add("q", (0..10).map(|_| job("{}")).collect())
        .await
        .unwrap();
    let claimed = q.claim("q", "tok-a", LEASE, 10, None).await.unwrap();
    let done: Vec<(String, String)> = claimed
        .iter()
        .map(|j| (j.id.clone(), returned(&j.id)))
        .collect();
    let res = q.complete("q", "tok-a", &done).await.unwrap();
    assert_eq!(res, vec![Ok(()); 10]);
    claimed.into_iter().map(|j| j.id).collect()
}

/// A job's return value in `run_batch`: JSON with a slash, a quote and non-ASCII text,
/// which the completed event carries as a JSON string.
fn returned(id: &str) -> String {
    format!(r#"{{"ok":{id},"path":"a/b","note":"\"é\" ✓"}}"#)
}

fn channels_of(got: &[(String, String)]) -> Vec<&str> {
    got.iter()
        .map(|(c, _)| c.split_once('@').map_or(c.as_str(), |(c, _)| c))
        .collect()
}

// Bull's waiting/active/completed events reach a listener on the server and one on a
// replica, and are left out (one command per job and event spared) when nobody could
// hear them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_every_listener_and_are_skipped_without_one() {
    let server = RedisServer::start();
    let q = server.bull("bull").await;
    let mut r = server.client().await;

    // Nobody listens: the jobs run and nothing is published.
    run_batch(&q).await;
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut r)
        .await
        .unwrap();
    assert!(!stats.contains("cmdstat_publish"), "{stats}");

    // A listener on the server hears every event, with Bull's payloads.
    let mut sub = bull_listener(&server.url()).await;
    let ids = run_batch(&q).await;
    let got = received(&mut sub, Duration::from_millis(500)).await;
    let expected: Vec<&str> = ["bull:q:waiting", "bull:q:active", "bull:q:completed"]
        .iter()
        .flat_map(|c| std::iter::repeat_n(*c, 10))
        .collect();
    assert_eq!(channels_of(&got), expected);
    let payloads = |from: usize| got[from..from + 10].iter().map(|(_, p)| p.clone());
    assert!(payloads(0).eq(ids.iter().cloned()));
    assert!(payloads(10).eq(ids.iter().cloned()));
    assert!(got[10..20].iter().all(|(c, _)| c == "bull:q:active@tok-a"));
    let completed: Vec<serde_json::Value> = payloads(20)
        .map(|p| serde_json::from_str(&p).unwrap())
        .collect();
    let want: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({ "jobId": id, "val": returned(id) }))
        .collect();
    assert_eq!(completed, want);
    drop(sub);

    // A listener on a replica hears them too: Redis forwards PUBLISH to replicas.
    let replica = RedisServer::start_with(&[
        "--save",
        "",
        "--replicaof",
        "127.0.0.1",
        &server.port.to_string(),
    ]);
    let rr = replica.client().await;
    crate::redis_support::eventually(30, "the replica to sync", || {
        let mut rr = rr.clone();
        async move {
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut rr)
                .await
                .unwrap();
            info.contains("master_link_status:up").then_some(())
        }
    })
    .await;
    let mut sub = bull_listener(&replica.url()).await;
    run_batch(&q).await;
    let got = received(&mut sub, Duration::from_millis(1000)).await;
    assert_eq!(channels_of(&got), expected);
}
