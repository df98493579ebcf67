//! The worker on the Redis backend: concurrency, graceful stop, and riding out a Redis
//! restart without losing jobs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use slotbase::queue::worker::{Worker, WorkerOptions};
use slotbase::queue::{Job, JobOptions, NewJob, QueueBackend, StalledCheck};
use tokio_util::sync::CancellationToken;

use crate::redis_support::{RedisServer, eventually};

fn options(concurrency: usize) -> WorkerOptions {
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

fn job(id: &str) -> NewJob {
    NewJob {
        name: "booking-event".into(),
        data: format!(r#"{{"n":"{id}"}}"#),
        opts: JobOptions {
            job_id: Some(id.into()),
            ..JobOptions::default()
        },
    }
}

async fn completed(q: &Arc<dyn QueueBackend>, queue: &str) -> Option<u64> {
    q.counts(queue).await.ok().map(|c| c.completed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_finishes_jobs_in_flight() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    q.add("q", (0..4).map(|i| job(&format!("j{i}"))).collect())
        .await
        .unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let release = Arc::new(tokio::sync::Notify::new());
    let r = release.clone();
    let worker = Worker::new(q.clone(), "q", move |_job: Job| {
        let s = s.clone();
        let r = r.clone();
        async move {
            s.fetch_add(1, Ordering::SeqCst);
            r.notified().await;
            Ok("true".to_string())
        }
    })
    .with_options(options(4));
    let stop = CancellationToken::new();
    let run = tokio::spawn(worker.run(stop.clone()));
    eventually(30, "four jobs to start", || {
        let n = started.load(Ordering::SeqCst);
        async move { (n == 4).then_some(()) }
    })
    .await;
    stop.cancel();
    // Stopping waits for the handlers; let them finish now.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!run.is_finished(), "stop must wait for jobs in flight");
    release.notify_waiters();
    let report = run.await.unwrap();
    assert_eq!(report.completed, 4);
    let c = q.counts("q").await.unwrap();
    assert_eq!((c.completed, c.active), (4, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_rides_out_a_redis_restart() {
    let mut server = RedisServer::start_durable();
    let q = server.backend("bull").await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let worker = Worker::new(q.clone(), "q", move |job: Job| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(job.id);
            Ok("null".to_string())
        }
    })
    .with_options(options(2));
    let stop = CancellationToken::new();
    let run = tokio::spawn(worker.run(stop.clone()));

    q.add("q", (0..5).map(|i| job(&format!("before-{i}"))).collect())
        .await
        .unwrap();
    eventually(30, "the first five jobs to complete", || {
        let q = q.clone();
        async move { (completed(&q, "q").await? == 5).then_some(()) }
    })
    .await;

    server.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.restart();

    // Custom ids make a retried add harmless if the first attempt hit the dead socket.
    eventually(30, "adding after the restart", || {
        let q = q.clone();
        async move {
            q.add("q", (0..5).map(|i| job(&format!("after-{i}"))).collect())
                .await
                .ok()
        }
    })
    .await;
    eventually(30, "the jobs added after the restart to complete", || {
        let q = q.clone();
        async move { (completed(&q, "q").await? == 10).then_some(()) }
    })
    .await;
    stop.cancel();
    let report = run.await.unwrap();
    assert_eq!(report.lost, 0);
    let mut ids = seen.lock().unwrap().clone();
    ids.sort();
    let mut expected: Vec<String> = (0..5)
        .flat_map(|i| [format!("after-{i}"), format!("before-{i}")])
        .collect();
    expected.sort();
    assert_eq!(ids, expected, "every job ran exactly once");
}
