//! Two OS processes share one SQLite file, adding and claiming on the same queue at once:
//! nothing is lost and no job is claimed twice.
//!
//! The parent test starts two copies of this test binary, each running only [`child`]
//! with its role in an environment variable; `child` does nothing in a normal run.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use slotbase::queue::sqlite::SqliteQueue;
use slotbase::queue::{JobOptions, JobState, NewJob, QueueBackend};

use crate::support::TestEnv;

const ROLE: &str = "TWO_PROCESS_ROLE";
const DB: &str = "TWO_PROCESS_DB";
const OUT: &str = "TWO_PROCESS_OUT";
const QUEUE: &str = "shared";
/// Jobs each process adds with auto ids.
const PER_PROCESS: usize = 2000;
/// Custom ids both processes add: each must exist once.
const SHARED_IDS: usize = 100;

#[test]
fn two_processes_add_and_claim_on_one_file() {
    let env = TestEnv::new();
    let db = env.db();
    let exe = std::env::current_exe().expect("test executable");
    let children: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|role| {
            let out = env.path().join(format!("{role}.out"));
            let child = Command::new(&exe)
                .args([
                    "two_process::child",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(ROLE, role)
                .env(DB, &db)
                .env(OUT, &out)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a child process");
            (role, child, out)
        })
        .collect();

    let mut claimed: Vec<String> = Vec::new();
    let mut shared_added = 0;
    for (role, child, out) in children {
        let output = child.wait_with_output().expect("wait for a child");
        assert!(
            output.status.success(),
            "child {role} failed: {}\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = std::fs::read_to_string(&out).expect("child output");
        for line in text.lines() {
            match line.split_once(' ') {
                Some(("claimed", id)) => claimed.push(id.to_string()),
                Some(("added-shared", _)) => shared_added += 1,
                _ => panic!("unexpected child output line {line:?}"),
            }
        }
    }

    let total = 2 * PER_PROCESS + SHARED_IDS;
    assert_eq!(
        shared_added, SHARED_IDS,
        "each shared custom id is added exactly once"
    );
    let unique: HashSet<&String> = claimed.iter().collect();
    assert_eq!(unique.len(), claimed.len(), "a job was claimed twice");
    assert_eq!(claimed.len(), total, "jobs were lost");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let q = open(&db).await;
        let c = q.counts(QUEUE).await.unwrap();
        assert_eq!(
            (c.waiting, c.active, c.delayed, c.failed, c.completed),
            (0, 0, 0, 0, total as u64)
        );
        for id in claimed.iter().step_by(97) {
            let job = q.get(QUEUE, id).await.unwrap().expect("claimed job exists");
            assert_eq!(job.state, Some(JobState::Completed));
            assert!(job.returnvalue.is_some());
        }
    });
}

async fn open(db: &Path) -> SqliteQueue {
    SqliteQueue::open(db, Duration::from_secs(10))
        .await
        .expect("open the embedded queue")
}

fn job(data: serde_json::Value, id: Option<String>) -> NewJob {
    NewJob {
        name: "two-process".into(),
        data: data.to_string(),
        opts: JobOptions {
            job_id: id,
            ..JobOptions::default()
        },
    }
}

/// One side of the pair: add its jobs in small batches while claiming and completing
/// whatever either side added, until every job of both is completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let db = std::env::var(DB).expect("database path");
    let out_path = std::env::var(OUT).expect("output path");
    let q = open(Path::new(&db)).await;
    if role == "latency" {
        return latency_consumer(&q, &out_path).await;
    }
    let total = (2 * PER_PROCESS + SHARED_IDS) as u64;
    let mut out = String::new();

    let mut pending: Vec<NewJob> = (0..PER_PROCESS)
        .map(|i| job(serde_json::json!({ "from": role, "i": i }), None))
        .collect();
    pending.extend((0..SHARED_IDS).map(|i| {
        job(
            serde_json::json!({ "from": role, "shared": i }),
            Some(format!("shared-{i}")),
        )
    }));
    pending.reverse();

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < deadline,
            "{role}: gave up before every job completed"
        );
        if !pending.is_empty() {
            let batch: Vec<NewJob> = (0..25).filter_map(|_| pending.pop()).collect();
            for added in q.add(QUEUE, batch).await.unwrap() {
                if added.id.starts_with("shared-") && !added.duplicate {
                    out.push_str(&format!("added-shared {}\n", added.id));
                }
            }
        }
        let jobs = q
            .claim(
                QUEUE,
                &role,
                Duration::from_secs(60),
                16,
                Some(Duration::from_millis(20)),
            )
            .await
            .unwrap();
        if !jobs.is_empty() {
            let done: Vec<(String, String)> = jobs
                .iter()
                .map(|j| (j.id.clone(), format!("\"{role}\"")))
                .collect();
            let results = q.complete(QUEUE, &role, &done).await.unwrap();
            assert!(results.iter().all(Result::is_ok), "{role}: {results:?}");
            for (id, _) in done {
                out.push_str(&format!("claimed {id}\n"));
            }
        }
        if pending.is_empty() && q.counts(QUEUE).await.unwrap().completed == total {
            break;
        }
    }
    std::fs::write(out_path, out).expect("write child output");
}

const LATENCY_SAMPLES: usize = 300;

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// A measurement, not a check (run it with `--ignored --nocapture`): the time from an add
/// in one process to the claim in another process blocked on an idle queue. The claim
/// only learns of another process's add by polling the file, so this is the embedded
/// queue's worst case.
#[test]
#[ignore = "a measurement; prints the latency percentiles"]
fn cross_process_idle_latency() {
    let env = TestEnv::new();
    let db = env.db();
    let out = env.path().join("latency.out");
    let child = Command::new(std::env::current_exe().expect("test executable"))
        .args([
            "two_process::child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ROLE, "latency")
        .env(DB, &db)
        .env(OUT, &out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the consumer");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let q = open(&db).await;
        // Let the consumer start and go idle.
        tokio::time::sleep(Duration::from_secs(1)).await;
        for i in 0..LATENCY_SAMPLES {
            // Uneven gaps, so adds do not line up with the consumer's polling.
            tokio::time::sleep(Duration::from_millis(40 + (i as u64 * 7) % 23)).await;
            let data = serde_json::json!({ "sent_us": now_us() });
            q.add("latency", vec![job(data, None)]).await.unwrap();
        }
    });
    let output = child.wait_with_output().expect("wait for the consumer");
    assert!(
        output.status.success(),
        "consumer failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut ms: Vec<f64> = std::fs::read_to_string(&out)
        .expect("consumer output")
        .lines()
        .map(|l| l.parse::<f64>().expect("a latency"))
        .collect();
    assert_eq!(ms.len(), LATENCY_SAMPLES, "every job was claimed");
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "cross-process idle latency over {} jobs: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}

/// The consumer side of [`cross_process_idle_latency`].
async fn latency_consumer(q: &SqliteQueue, out_path: &str) {
    let mut out = String::new();
    for _ in 0..LATENCY_SAMPLES {
        let jobs = q
            .claim(
                "latency",
                "consumer",
                Duration::from_secs(60),
                1,
                Some(Duration::from_secs(30)),
            )
            .await
            .unwrap();
        let got = now_us();
        let job = jobs.into_iter().next().expect("a job within 30 s");
        let data: serde_json::Value = serde_json::from_str(&job.data).unwrap();
        let sent = data["sent_us"].as_i64().unwrap();
        out.push_str(&format!("{}\n", (got - sent) as f64 / 1000.0));
        q.complete("latency", "consumer", &[(job.id, "null".into())])
            .await
            .unwrap();
    }
    std::fs::write(out_path, out).expect("write consumer output");
}
