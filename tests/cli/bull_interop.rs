//! Interop with real Bull 4.16.5 (`tests/interop`, installed by
//! `npm ci --prefix tests/interop`): jobs cross in both directions, and what one side
//! does is what the other side sees.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use slotbase::queue::worker::{Worker, WorkerOptions};
use slotbase::queue::{
    Failure, Job, JobOptions, JobState, NewJob, QueueBackend, Retry, StalledCheck,
};
use tokio_util::sync::CancellationToken;

use crate::redis_support::{RedisServer, eventually};

const QUEUE: &str = "notifications";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// The interop tests never skip: without Bull installed they fail and say how to fix it.
fn require_bull() {
    let marker = interop_dir().join("node_modules/bull/package.json");
    assert!(
        marker.exists(),
        "real Bull is not installed for the interop tests: run `npm ci --prefix tests/interop` first"
    );
}

fn node_cmd(server: &RedisServer, queue: &str, command: &str, args: &Value) -> Command {
    require_bull();
    let mut cmd = Command::new("node");
    cmd.arg(interop_dir().join("bull.js"))
        .arg(command)
        .arg(args.to_string())
        .env("REDIS_URL", server.url())
        .env("PREFIX", "bull")
        .env("QUEUE", queue)
        .current_dir(interop_dir());
    cmd
}

fn parse_last_line(stdout: &str, what: &str) -> Value {
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap_or_else(|| panic!("bull {what} printed nothing"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("bull {what}: {e}: {line}"))
}

/// Run a Bull command to completion and return its JSON answer.
pub(crate) async fn bull(server: &RedisServer, queue: &str, command: &str, args: Value) -> Value {
    let mut cmd = node_cmd(server, queue, command, &args);
    let what = command.to_string();
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("run node");
        assert!(
            out.status.success(),
            "bull {what} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        parse_last_line(&String::from_utf8_lossy(&out.stdout), &what)
    })
    .await
    .unwrap()
}

/// A long-running Bull process, killed on drop.
struct BullProcess {
    child: Option<Child>,
    what: String,
    /// The rest of stdout after the line [`BullProcess::wait_line`] waited for.
    rest: Option<std::thread::JoinHandle<String>>,
}

impl BullProcess {
    fn spawn(server: &RedisServer, queue: &str, command: &str, args: Value) -> BullProcess {
        let child = node_cmd(server, queue, command, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn node");
        BullProcess {
            child: Some(child),
            what: command.to_string(),
            rest: None,
        }
    }

    /// Wait (bounded) for a progress line starting with `# <prefix>` and return the rest.
    async fn wait_line(&mut self, prefix: &str) -> String {
        let stdout = self
            .child
            .as_mut()
            .and_then(|c| c.stdout.take())
            .expect("stdout");
        let wanted = format!("# {prefix} ");
        let (tx, rx) = tokio::sync::oneshot::channel();
        let shown = wanted.clone();
        // The reader keeps reading after the match, so the process never writes into a
        // closed pipe, and keeps what follows for `finish`.
        self.rest = Some(std::thread::spawn(move || {
            use std::io::BufRead;
            let mut tx = Some(tx);
            let mut rest = String::new();
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match tx.take() {
                    Some(found) => match line.strip_prefix(&wanted) {
                        Some(value) => {
                            let _ = found.send(value.to_string());
                        }
                        None => tx = Some(found),
                    },
                    None => {
                        rest.push_str(&line);
                        rest.push('\n');
                    }
                }
            }
            rest
        }));
        tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .unwrap_or_else(|_| panic!("bull {} never printed {shown:?}", self.what))
            .expect("the Bull process ended early")
    }

    /// Wait (bounded) for the process to end on its own, after `wait_line`, and return
    /// its JSON answer.
    async fn finish(mut self) -> Value {
        let mut child = self.child.take().expect("a running process");
        let rest = self.rest.take().expect("wait_line first");
        let what = self.what.clone();
        let ended = tokio::task::spawn_blocking(move || {
            // Drained before the wait, so that a process writing more than a pipe holds
            // to stderr is not left blocked on it.
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut stderr);
            }
            let status = child.wait().expect("wait for node");
            assert!(status.success(), "bull {what} failed:\n{stderr}");
            rest.join().expect("stdout reader")
        });
        let stdout = tokio::time::timeout(Duration::from_secs(30), ended)
            .await
            .unwrap_or_else(|_| panic!("bull {} did not finish", self.what))
            .unwrap();
        parse_last_line(&stdout, &self.what)
    }

    /// SIGKILL, as a crash would.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for BullProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn legacy_event(n: u32) -> String {
    json!({
        "eventType": "booking.confirmed",
        "eventId": format!("evt-{n}"),
        "timestamp": "2026-11-25T10:00:00.000Z",
        "data": { "bookingId": format!("bk-{n}"), "userId": "u-1", "facilityId": "f-1" }
    })
    .to_string()
}

fn booking_job(n: u32) -> NewJob {
    NewJob {
        name: "booking-event".into(),
        data: legacy_event(n),
        opts: JobOptions::default(),
    }
}

/// A slotbase worker on the queue, recording the jobs it ran; fails jobs whose data
/// has `fail: true`.
struct RustWorker {
    stop: CancellationToken,
    handle: tokio::task::JoinHandle<slotbase::queue::worker::WorkerReport>,
    seen: Arc<Mutex<Vec<Job>>>,
}

fn quick_options(concurrency: usize) -> WorkerOptions {
    WorkerOptions {
        concurrency,
        lease: Duration::from_secs(2),
        block: Duration::from_millis(200),
        stalled: StalledCheck {
            max_stalled_count: 1,
            interval: Duration::from_millis(500),
        },
        promote_every: Duration::from_millis(100),
    }
}

fn start_worker(backend: Arc<dyn QueueBackend>, queue: &str, opts: WorkerOptions) -> RustWorker {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let worker = Worker::new(backend, queue, move |job: Job| {
        let record = record.clone();
        async move {
            let fail = serde_json::from_str::<Value>(&job.data)
                .ok()
                .and_then(|d| d.get("fail").and_then(Value::as_bool))
                .unwrap_or(false);
            let id = job.id.clone();
            record.lock().unwrap().push(job);
            if fail {
                Err(Failure {
                    message: format!("boom {id}"),
                    stack: Some(format!("Error: boom {id}\n    at slotbase")),
                    retry: Retry::Job,
                })
            } else {
                Ok(json!({ "ok": id }).to_string())
            }
        }
    })
    .with_options(opts);
    let stop = CancellationToken::new();
    let handle = tokio::spawn(worker.run(stop.clone()));
    RustWorker { stop, handle, seen }
}

impl RustWorker {
    async fn stop(self) -> (slotbase::queue::worker::WorkerReport, Vec<Job>) {
        self.stop.cancel();
        let report = self.handle.await.unwrap();
        let seen = self.seen.lock().unwrap().clone();
        (report, seen)
    }
}

async fn wait_finished(q: &Arc<dyn QueueBackend>, queue: &str, completed: u64, failed: u64) {
    let what = format!("{completed} completed and {failed} failed jobs");
    eventually(30, &what, || {
        let q = q.clone();
        async move {
            let c = q.counts(queue).await.ok()?;
            (c.completed == completed && c.failed == failed).then_some(())
        }
    })
    .await;
}

// (a) Jobs added by slotbase are run by a Bull worker registered for `booking-event`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bull_worker_runs_jobs_slotbase_added() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    let added = q
        .add(QUEUE, (1..=5).map(booking_job).collect())
        .await
        .unwrap();
    let ids: Vec<String> = added.into_iter().map(|a| a.id).collect();

    let result = bull(
        &server,
        QUEUE,
        "process",
        json!({ "name": "booking-event", "count": 5 }),
    )
    .await;
    let seen = result["seen"].as_array().unwrap();
    let seen_ids: Vec<&str> = seen.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(seen_ids, ids, "FIFO, every job once");
    for (n, s) in (1..=5).zip(seen) {
        assert_eq!(s["name"], "booking-event");
        let expected: Value = serde_json::from_str(&legacy_event(n)).unwrap();
        assert_eq!(s["data"], expected, "Bull sees the payload as added");
    }
    let c = q.counts(QUEUE).await.unwrap();
    assert_eq!((c.completed, c.waiting, c.active), (5, 0, 0));
    let job = q.get(QUEUE, &ids[0]).await.unwrap().unwrap();
    assert_eq!(job.returnvalue.as_deref(), Some(r#"{"ok":"1"}"#));
}

// (b) Jobs a Bull producer added run in the slotbase worker in Bull's order, and failures
// end where Bull would put them, with the fields Bull reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slotbase_worker_runs_jobs_bull_added() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    let jobs = json!([
        { "name": "booking-event", "data": { "n": 1 } },
        { "name": "booking-event", "data": { "n": 2 }, "opts": { "priority": 2 } },
        { "name": "booking-event", "data": { "n": 3 }, "opts": { "priority": 1 } },
        { "name": "booking-event", "data": { "n": 4 }, "opts": { "jobId": "custom-4" } },
        { "name": "booking-event", "data": { "n": 5 }, "opts": { "lifo": true } },
        { "name": "booking-event", "data": { "n": 6 }, "opts": { "priority": 2 } },
        { "name": "booking-event", "data": { "n": 7 } },
        { "name": "booking-event", "data": { "n": 8 }, "opts": { "jobId": "custom-4" } },
    ]);
    let added = bull(&server, QUEUE, "add", json!({ "jobs": jobs })).await;
    assert_eq!(
        added["ids"][7], "custom-4",
        "Bull deduplicated the custom id"
    );
    // Bull's own view of the run order.
    let lists = bull(&server, QUEUE, "lists", json!({})).await;
    let bull_order: Vec<String> = lists["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(bull_order.len(), 7);
    let ours: Vec<String> = q
        .list(QUEUE, JobState::Wait, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(ours, bull_order, "list(wait) is Bull's getWaiting order");

    let w = start_worker(q.clone(), QUEUE, quick_options(1));
    wait_finished(&q, QUEUE, 7, 0).await;
    let (report, seen) = w.stop().await;
    assert_eq!(report.completed, 7);
    let run_order: Vec<String> = seen.iter().map(|j| j.id.clone()).collect();
    assert_eq!(
        run_order, bull_order,
        "the slotbase worker runs jobs in Bull's order"
    );

    // Failures: attempts with fixed and exponential backoff, and a delayed job.
    let jobs = json!([
        { "name": "booking-event", "data": { "fail": true },
          "opts": { "attempts": 3, "backoff": { "type": "fixed", "delay": 100 } } },
        { "name": "booking-event", "data": { "fail": true },
          "opts": { "attempts": 2, "backoff": { "type": "exponential", "delay": 50 },
                    "removeOnFail": false } },
        { "name": "booking-event", "data": { "fail": true }, "opts": { "attempts": 1 } },
        { "name": "booking-event", "data": { "late": true }, "opts": { "delay": 300 } },
    ]);
    let added = bull(&server, QUEUE, "add", json!({ "jobs": jobs })).await;
    let ids: Vec<String> = added["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let w = start_worker(q.clone(), QUEUE, quick_options(4));
    wait_finished(&q, QUEUE, 8, 3).await;
    let (report, seen) = w.stop().await;
    assert_eq!((report.failed, report.retried), (3, 3));
    let attempts_of = |id: &str| seen.iter().filter(|j| j.id == id).count();
    assert_eq!(attempts_of(&ids[0]), 3);
    assert_eq!(attempts_of(&ids[1]), 2);
    assert_eq!(attempts_of(&ids[2]), 1);
    assert_eq!(attempts_of(&ids[3]), 1);

    let views = bull(&server, QUEUE, "jobs", json!({ "ids": ids })).await;
    let views = views["jobs"].as_array().unwrap();
    for (view, attempts) in views.iter().zip([3, 2, 1]) {
        let id = view["id"].as_str().unwrap();
        assert_eq!(view["state"], "failed", "{view}");
        assert_eq!(view["attemptsMade"], attempts, "{view}");
        assert_eq!(view["failedReason"], format!("boom {id}"));
        let stack = view["stacktrace"].as_array().unwrap();
        assert_eq!(stack.len(), attempts as usize);
        assert!(stack[0].as_str().unwrap().starts_with("Error: boom"));
        assert!(view["finishedOn"].as_i64().unwrap() > 0);
    }
    assert_eq!(views[3]["state"], "completed");
    assert_eq!(views[3]["returnvalue"], json!({ "ok": ids[3] }));
    assert_eq!(views[3]["attemptsMade"], 0);
}

// (c) After a mixed workload, slotbase's counts are Bull's getJobCounts().
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_equal_bulls_get_job_counts() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    let bull_jobs = json!([
        { "data": { "n": 1 } },
        { "data": { "n": 2 }, "opts": { "priority": 3 } },
        { "data": { "n": 3 }, "opts": { "delay": 600000 } },
        { "data": { "n": 4 } },
        { "data": { "n": 5 } },
    ]);
    bull(&server, QUEUE, "add", json!({ "jobs": bull_jobs })).await;
    let mut ours: Vec<NewJob> = (1..=6).map(booking_job).collect();
    ours[0].opts.delay = 900_000;
    ours[1].opts.priority = 1;
    ours[2].opts.attempts = 2;
    q.add(QUEUE, ours).await.unwrap();
    // Some active, some completed, some failed.
    let token = "counts-token";
    let lease = Duration::from_secs(60);
    let claimed = q.claim(QUEUE, token, lease, 5, None).await.unwrap();
    assert_eq!(claimed.len(), 5);
    q.complete(
        QUEUE,
        token,
        &[
            (claimed[0].id.clone(), "1".into()),
            (claimed[1].id.clone(), "2".into()),
        ],
    )
    .await
    .unwrap();
    for j in &claimed[2..4] {
        let f = Failure {
            message: "nope".into(),
            stack: None,
            retry: Retry::Never,
        };
        q.fail(QUEUE, token, &j.id, &f).await.unwrap().unwrap();
    }

    let compare = |ours: slotbase::queue::JobCounts, theirs: &Value| {
        let c = &theirs["counts"];
        assert_eq!(
            json!({
                "waiting": ours.waiting, "active": ours.active, "completed": ours.completed,
                "failed": ours.failed, "delayed": ours.delayed, "paused": ours.paused,
            }),
            *c
        );
        assert_eq!(ours.is_paused, theirs["isPaused"].as_bool().unwrap());
    };
    let theirs = bull(&server, QUEUE, "counts", json!({})).await;
    let ours = q.counts(QUEUE).await.unwrap();
    assert_eq!(ours.active, 1);
    assert_eq!(ours.delayed, 2);
    compare(ours, &theirs);

    // Paused by slotbase, with jobs added meanwhile from both sides.
    q.pause(QUEUE).await.unwrap();
    bull(
        &server,
        QUEUE,
        "add",
        json!({ "jobs": [ { "data": { "n": 9 } } ] }),
    )
    .await;
    q.add(QUEUE, vec![booking_job(10)]).await.unwrap();
    let theirs = bull(&server, QUEUE, "counts", json!({})).await;
    let ours = q.counts(QUEUE).await.unwrap();
    assert!(ours.is_paused && ours.paused > 0 && ours.waiting == 0);
    compare(ours, &theirs);
}

fn ids_of(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

// (d) Pause and resume done by one side are seen by the other, in both directions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_cross_over() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    q.add(QUEUE, vec![booking_job(1)]).await.unwrap();

    q.pause(QUEUE).await.unwrap();
    let theirs = bull(&server, QUEUE, "counts", json!({})).await;
    assert_eq!(theirs["isPaused"], true);
    bull(
        &server,
        QUEUE,
        "add",
        json!({ "jobs": [ { "data": { "n": 2 } } ] }),
    )
    .await;
    let theirs = bull(&server, QUEUE, "counts", json!({})).await;
    assert_eq!(
        theirs["counts"]["paused"], 2,
        "Bull's add honours slotbase's pause"
    );
    bull(&server, QUEUE, "resume", json!({})).await;
    let c = q.counts(QUEUE).await.unwrap();
    assert!(!c.is_paused);
    assert_eq!((c.waiting, c.paused), (2, 0));

    bull(&server, QUEUE, "pause", json!({})).await;
    let c = q.counts(QUEUE).await.unwrap();
    assert!(c.is_paused);
    assert!(
        q.claim(QUEUE, "t", Duration::from_secs(5), 5, None)
            .await
            .unwrap()
            .is_empty(),
        "nothing is claimed from a queue Bull paused"
    );
    q.add(QUEUE, vec![booking_job(3)]).await.unwrap();
    assert_eq!(q.counts(QUEUE).await.unwrap().paused, 3);
    q.resume(QUEUE).await.unwrap();
    let theirs = bull(&server, QUEUE, "counts", json!({})).await;
    assert_eq!(theirs["isPaused"], false);
    assert_eq!(theirs["counts"]["waiting"], 3);
    let lists = bull(&server, QUEUE, "lists", json!({})).await;
    assert_eq!(ids_of(&lists["waiting"]), ["1", "2", "3"]);
}

// (d) retry, clean, remove and promote done by one side are seen by the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_clean_remove_promote_cross_over() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    let token = "ops";
    let lease = Duration::from_secs(30);

    // retry: a job slotbase failed is retried by Bull, and the reverse.
    q.add(QUEUE, vec![booking_job(1)]).await.unwrap();
    q.claim(QUEUE, token, lease, 1, None).await.unwrap();
    let never = Failure {
        message: "nope".into(),
        stack: None,
        retry: Retry::Never,
    };
    q.fail(QUEUE, token, "1", &never).await.unwrap().unwrap();
    bull(&server, QUEUE, "retry", json!({ "ids": ["1"] })).await;
    let j = q.get(QUEUE, "1").await.unwrap().unwrap();
    assert_eq!(j.state, Some(JobState::Wait));
    assert_eq!((j.failed_reason, j.finished_on), (None, None));
    q.claim(QUEUE, token, lease, 1, None).await.unwrap();
    q.fail(QUEUE, token, "1", &never).await.unwrap().unwrap();
    let bull_failed = bull(
        &server,
        QUEUE,
        "add",
        json!({ "jobs": [ { "name": "booking-event", "data": { "fail": true } } ] }),
    )
    .await;
    let bull_failed = bull_failed["ids"][0].as_str().unwrap().to_string();
    bull(
        &server,
        QUEUE,
        "process",
        json!({ "name": "booking-event", "count": 1 }),
    )
    .await;
    assert_eq!(
        q.get(QUEUE, &bull_failed).await.unwrap().unwrap().state,
        Some(JobState::Failed)
    );
    assert_eq!(
        q.retry(QUEUE, &["1".to_string(), bull_failed.clone()])
            .await
            .unwrap(),
        [
            slotbase::queue::IdOutcome::Done,
            slotbase::queue::IdOutcome::Done
        ]
    );
    let views = bull(&server, QUEUE, "jobs", json!({ "ids": ["1", bull_failed] })).await;
    for (v, attempts) in views["jobs"].as_array().unwrap().iter().zip([2, 1]) {
        assert_eq!(v["state"], "waiting", "{v}");
        assert_eq!(v["attemptsMade"], attempts, "retry keeps attemptsMade: {v}");
        assert!(v["finishedOn"].is_null(), "{v}");
    }

    // clean: Bull cleans jobs slotbase completed, and the reverse.
    let claimed = q.claim(QUEUE, token, lease, 2, None).await.unwrap();
    let done: Vec<_> = claimed
        .iter()
        .map(|j| (j.id.clone(), "null".to_string()))
        .collect();
    q.complete(QUEUE, token, &done).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let cleaned = bull(
        &server,
        QUEUE,
        "clean",
        json!({ "grace": 0, "state": "completed" }),
    )
    .await;
    assert_eq!(cleaned["removed"].as_array().unwrap().len(), 2);
    assert_eq!(q.counts(QUEUE).await.unwrap().completed, 0);
    assert!(
        q.get(QUEUE, "1").await.unwrap().is_none(),
        "the hash is gone"
    );
    bull(
        &server,
        QUEUE,
        "add",
        json!({ "jobs": [ { "name": "booking-event" }, { "name": "booking-event" } ] }),
    )
    .await;
    bull(
        &server,
        QUEUE,
        "process",
        json!({ "name": "booking-event", "count": 2 }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        q.clean(QUEUE, JobState::Completed, Duration::ZERO, None)
            .await
            .unwrap(),
        2
    );
    let lists = bull(&server, QUEUE, "lists", json!({})).await;
    assert!(lists["completed"].as_array().unwrap().is_empty());

    // remove: each side removes a job the other added.
    let theirs = bull(&server, QUEUE, "add", json!({ "jobs": [ { "data": {} } ] })).await;
    let theirs = theirs["ids"][0].as_str().unwrap().to_string();
    let ours = q.add(QUEUE, vec![booking_job(9)]).await.unwrap()[0]
        .id
        .clone();
    assert_eq!(
        q.remove(QUEUE, std::slice::from_ref(&theirs))
            .await
            .unwrap(),
        [slotbase::queue::IdOutcome::Done]
    );
    bull(&server, QUEUE, "remove", json!({ "ids": [ours] })).await;
    assert!(q.get(QUEUE, &ours).await.unwrap().is_none());
    let views = bull(&server, QUEUE, "jobs", json!({ "ids": [theirs] })).await;
    assert!(views["jobs"][0].is_null());

    // promote: each side promotes a delayed job the other added.
    let theirs = bull(
        &server,
        QUEUE,
        "add",
        json!({ "jobs": [ { "data": {}, "opts": { "delay": 600000, "priority": 2 } } ] }),
    )
    .await;
    let theirs = theirs["ids"][0].as_str().unwrap().to_string();
    let mut late = booking_job(10);
    late.opts.delay = 600_000;
    let ours = q.add(QUEUE, vec![late]).await.unwrap()[0].id.clone();
    assert_eq!(
        q.promote(QUEUE, std::slice::from_ref(&theirs))
            .await
            .unwrap(),
        [slotbase::queue::IdOutcome::Done]
    );
    bull(&server, QUEUE, "promote", json!({ "ids": [ours] })).await;
    let views = bull(&server, QUEUE, "jobs", json!({ "ids": [theirs] })).await;
    assert_eq!(views["jobs"][0]["state"], "waiting");
    assert_eq!(views["jobs"][0]["delay"], 0);
    let ours = q.get(QUEUE, &ours).await.unwrap().unwrap();
    assert_eq!((ours.state, ours.delay), (Some(JobState::Wait), 0));
    // Bull's order: the promoted prioritized job runs before the plain one.
    let lists = bull(&server, QUEUE, "lists", json!({})).await;
    let ours_order: Vec<String> = q
        .list(QUEUE, JobState::Wait, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(ids_of(&lists["waiting"]), ours_order);
}

// (e) A slotbase worker that dies mid-job (its lock left to expire) is recovered by a
// Bull worker's stalled sweep, which then runs the job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bull_recovers_a_job_slotbase_abandoned() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    q.add(QUEUE, vec![booking_job(1)]).await.unwrap();
    // Claimed and never finished nor renewed: a SIGKILLed worker leaves exactly this.
    let claimed = q
        .claim(QUEUE, "dead-worker", Duration::from_millis(300), 1, None)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let result = bull(
        &server,
        QUEUE,
        "process",
        json!({ "name": "booking-event", "count": 1 }),
    )
    .await;
    assert_eq!(result["seen"][0]["id"], "1");
    let job = q.get(QUEUE, "1").await.unwrap().unwrap();
    assert_eq!(job.state, Some(JobState::Completed));
    assert_eq!(job.stalled_counter, 1);
}

// (e) A Bull worker SIGKILLed mid-job: slotbase's stalled sweep requeues the job and the
// slotbase worker completes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slotbase_recovers_a_job_bull_abandoned() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    q.add(QUEUE, vec![booking_job(1)]).await.unwrap();
    let mut hung = BullProcess::spawn(
        &server,
        QUEUE,
        "hang",
        json!({ "name": "booking-event",
                "settings": { "lockDuration": 500, "lockRenewTime": 250 } }),
    );
    let id = hung.wait_line("active").await;
    assert_eq!(id, "1");
    hung.kill();
    assert_eq!(
        q.get(QUEUE, "1").await.unwrap().unwrap().state,
        Some(JobState::Active)
    );

    let w = start_worker(q.clone(), QUEUE, quick_options(2));
    wait_finished(&q, QUEUE, 1, 0).await;
    let (report, seen) = w.stop().await;
    assert_eq!(report.completed, 1);
    assert_eq!(seen.len(), 1);
    let job = q.get(QUEUE, "1").await.unwrap().unwrap();
    assert_eq!(job.stalled_counter, 1);
    assert_eq!(job.returnvalue.as_deref(), Some(r#"{"ok":"1"}"#));
}

// Bull's global listeners (a dashboard, `job.finished()`) hear the waiting, active and
// completed events of jobs slotbase adds and runs, with Bull's payloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bull_listeners_hear_slotbase_events() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    let mut listener = BullProcess::spawn(&server, QUEUE, "listen", json!({ "count": 20 }));
    listener.wait_line("ready").await;
    // Calls of many jobs, as under load: those ask Redis whether anyone listens.
    q.add(QUEUE, (1..=20).map(booking_job).collect())
        .await
        .unwrap();
    let w = start_worker(q.clone(), QUEUE, quick_options(10));
    wait_finished(&q, QUEUE, 20, 0).await;
    w.stop().await;
    let events = listener.finish().await["events"].clone();
    let events = events.as_array().unwrap();
    for id in (1..=20).map(|n| n.to_string()) {
        let id = id.as_str();
        let at = |kind: &str| {
            events
                .iter()
                .position(|e| e[0] == kind && e[1] == id)
                .unwrap_or_else(|| panic!("no {kind} event for job {id}: {events:?}"))
        };
        assert!(at("waiting") < at("active") && at("active") < at("completed"));
        assert_eq!(events[at("completed")][2], json!({ "ok": id }).to_string());
    }
    assert_eq!(events.len(), 60, "{events:?}");
}

// A slotbase worker shows up in Bull's getWorkers(), like a Bull worker would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bull_lists_the_slotbase_worker() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    let w = start_worker(q.clone(), QUEUE, quick_options(1));
    let names = eventually(30, "getWorkers() to list the slotbase worker", || {
        let server = &server;
        async move {
            let v = bull(server, QUEUE, "workers", json!({})).await;
            let names = ids_of(&v["names"]);
            (!names.is_empty()).then_some(names)
        }
    })
    .await;
    // Bull matches the connection name `bull:<base64(queue)>` and reports the queue.
    assert_eq!(names, [QUEUE]);
    w.stop().await;
}

/// `repeat:<hash>:<millis>` of an occurrence of a repeatable job.
fn occurrence(id: &str) -> (String, i64) {
    let mut parts = id.split(':');
    assert_eq!(parts.next(), Some("repeat"), "an occurrence id: {id}");
    let hash = parts.next().unwrap().to_string();
    let millis = parts.next().unwrap().parse().unwrap();
    (hash, millis)
}

fn named(seen: &[Job], name: &str) -> Vec<(String, i64)> {
    seen.iter()
        .filter(|j| j.name == name)
        .map(|j| occurrence(&j.id))
        .collect()
}

fn seen_named(worker: &RustWorker, name: &str) -> Vec<(String, i64)> {
    named(&worker.seen.lock().unwrap(), name)
}

/// Occurrences come one after the other, on the definition's grid, under one id hash.
fn assert_chain(name: &str, runs: &[(String, i64)], grid: i64) {
    for pair in runs.windows(2) {
        assert_eq!(pair[0].0, pair[1].0, "{name}: one definition, one id hash");
        assert!(pair[0].1 < pair[1].1, "{name}: later each time: {runs:?}");
    }
    for (_, millis) in runs {
        assert_eq!(millis % grid, 0, "{name}: on the {grid} ms grid: {runs:?}");
    }
}

// Repeatable jobs a Bull producer defines go on under a slotbase worker: taking an
// occurrence adds the next one exactly as Bull's worker does (time, repeat key, id, opts),
// the limit is honoured, and a Bull worker can take the chain over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeatable_jobs_go_on_under_a_slotbase_worker() {
    const TICKS: &str = "repeat-ticks";
    const OTHERS: &str = "repeat-others";
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    bull(
        &server,
        TICKS,
        "add",
        json!({"jobs": [{"name": "tick", "data": {"n": 1}, "opts": {"repeat": {"every": 300}}}]}),
    )
    .await;
    bull(
        &server,
        OTHERS,
        "add",
        json!({"jobs": [
            {"name": "limited", "opts": {"repeat": {"every": 200, "limit": 3}}},
            {"name": "cron", "opts": {"repeat": {"cron": "*/2 * * * * *", "tz": "America/New_York"}}},
        ]}),
    )
    .await;

    let ticks = start_worker(q.clone(), TICKS, quick_options(2));
    let others = start_worker(q.clone(), OTHERS, quick_options(2));
    eventually(30, "5 ticks, 3 limited runs and 2 cron runs", || {
        let done = seen_named(&ticks, "tick").len() >= 5
            && seen_named(&others, "limited").len() >= 3
            && seen_named(&others, "cron").len() >= 2;
        async move { done.then_some(()) }
    })
    .await;
    // Long enough for a fourth `limited` run, were the limit ignored.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, tick_seen) = ticks.stop().await;
    let (_, other_seen) = others.stop().await;
    let tick_runs = named(&tick_seen, "tick");
    let limited_runs = named(&other_seen, "limited");
    let cron_runs = named(&other_seen, "cron");
    assert_chain("tick", &tick_runs, 300);
    assert_chain("limited", &limited_runs, 200);
    assert_chain("cron", &cron_runs, 2000);
    assert_eq!(limited_runs.len(), 3, "limit 3: {limited_runs:?}");

    // Bull sees the definition rescheduled to the pending occurrence slotbase added.
    let view = bull(&server, TICKS, "repeatables", json!({})).await;
    let defs = view["defs"].as_array().unwrap();
    assert_eq!(defs.len(), 1, "{view}");
    assert_eq!(defs[0]["key"], "tick:::300");
    let pending = view["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "one pending occurrence: {view}");
    let (hash, next) = occurrence(pending[0]["id"].as_str().unwrap());
    assert_eq!(
        hash, tick_runs[0].0,
        "the id Bull gave the first occurrence"
    );
    assert!(next > tick_runs.last().unwrap().1);
    assert_eq!(defs[0]["next"], json!(next), "{view}");
    assert_eq!(
        pending[0]["due"],
        json!(next),
        "due when the definition says"
    );
    let opts = &pending[0]["opts"];
    assert_eq!(opts["prevMillis"], json!(next), "{opts}");
    assert_eq!(opts["repeat"]["key"], "tick:::300", "{opts}");
    assert_eq!(
        opts["repeat"]["count"],
        json!(tick_runs.len() + 1),
        "the count goes on from Bull's first occurrence: {opts}"
    );

    // A Bull worker takes the chain over: it runs slotbase's occurrence and adds the next
    // one under the same definition.
    let result = bull(
        &server,
        TICKS,
        "process",
        json!({"name": "tick", "count": 1}),
    )
    .await;
    let took = result["seen"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(occurrence(&took), (hash.clone(), next));
    let view = bull(&server, TICKS, "repeatables", json!({})).await;
    let pending = view["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{view}");
    let (bull_hash, bull_next) = occurrence(pending[0]["id"].as_str().unwrap());
    assert_eq!(bull_hash, hash);
    assert!(bull_next > next && bull_next % 300 == 0, "{view}");
    assert_eq!(view["defs"][0]["next"], json!(bull_next), "{view}");

    // Bull's cron key, and a definition removed while its next occurrence is pending
    // (Bull's own add-after-check race, forced here): the occurrence still runs, and no
    // further one is added.
    let view = bull(&server, OTHERS, "repeatables", json!({})).await;
    let cron_key = view["defs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "cron")
        .map(|d| d["key"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(cron_key, "cron:::America/New_York:*/2 * * * * *");
    let pending_cron = view["pending"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "cron")
        .count();
    assert_eq!(pending_cron, 1, "{view}");
    let _: i64 = redis::cmd("ZREM")
        .arg("bull:repeat-others:repeat")
        .arg(&cron_key)
        .query_async(&mut server.client().await)
        .await
        .unwrap();
    let others = start_worker(q.clone(), OTHERS, quick_options(2));
    eventually(10, "the pending cron occurrence to run", || {
        let ran = seen_named(&others, "cron").len() == 1;
        async move { ran.then_some(()) }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = others.stop().await;
    let view = bull(&server, OTHERS, "repeatables", json!({})).await;
    assert!(
        !view["pending"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "cron"),
        "no occurrence after the definition was removed: {view}"
    );
}
