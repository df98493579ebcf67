//! Measurements behind `slotbase bench --backend redis` (they take any backend, so the
//! embedded queue can be measured the same way): add throughput, consume throughput of
//! the worker with a no-op handler, and the idle-queue latency from add to handler start.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::queue::worker::{Worker, WorkerOptions};
use crate::queue::{Job, JobOptions, NewJob, QueueBackend, Result, now_ms};

/// Jobs per `add` call in [`add_rate`]: the backend pipelines within a call.
pub const ADD_CALL: usize = 10_000;

#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    pub jobs: u64,
    pub seconds: f64,
    pub per_second: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn throughput(jobs: u64, elapsed: Duration) -> Throughput {
    let seconds = elapsed.as_secs_f64();
    Throughput {
        jobs,
        seconds,
        per_second: jobs as f64 / seconds.max(1e-9),
    }
}

/// A small legacy-shaped payload, like the seed's `booking-event` jobs.
fn bench_job(n: u64) -> NewJob {
    NewJob {
        name: "booking-event".into(),
        data: format!(
            r#"{{"eventType":"booking.confirmed","eventId":"bench-{n}","timestamp":"2026-11-25T10:00:00.000Z","data":{{"bookingId":"bk-{n}"}}}}"#
        ),
        opts: JobOptions::default(),
    }
}

/// Add `n` jobs to `queue`, [`ADD_CALL`] per call.
pub async fn add_rate(q: &dyn QueueBackend, queue: &str, n: u64) -> Result<Throughput> {
    let start = Instant::now();
    let mut added = 0u64;
    while added < n {
        let take = (n - added).min(ADD_CALL as u64);
        let jobs = (added..added + take).map(bench_job).collect();
        q.add(queue, jobs).await?;
        added += take;
    }
    Ok(throughput(n, start.elapsed()))
}

/// Run a worker with a no-op handler at `concurrency` until `n` jobs (already waiting)
/// are completed.
pub async fn consume_rate(
    q: Arc<dyn QueueBackend>,
    queue: &str,
    n: u64,
    concurrency: usize,
) -> Result<Throughput> {
    let base = q.counts(queue).await?.completed;
    let worker = Worker::new(q.clone(), queue, |_job: Job| async {
        Ok("null".to_string())
    })
    .with_options(WorkerOptions {
        concurrency,
        block: Duration::from_millis(200),
        ..WorkerOptions::default()
    });
    let stop = CancellationToken::new();
    let start = Instant::now();
    let run = tokio::spawn(worker.run(stop.clone()));
    loop {
        if q.counts(queue).await?.completed >= base + n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = start.elapsed();
    stop.cancel();
    let _ = run.await;
    Ok(throughput(n, elapsed))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// On an idle queue with a running worker, add one job at a time and measure the time
/// from the add call to the handler starting.
pub async fn idle_latency(
    q: Arc<dyn QueueBackend>,
    queue: &str,
    samples: usize,
) -> Result<Latency> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Instant>();
    let worker = Worker::new(q.clone(), queue, move |_job: Job| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(Instant::now());
            Ok("null".to_string())
        }
    })
    .with_options(WorkerOptions {
        concurrency: 1,
        block: Duration::from_secs(2),
        ..WorkerOptions::default()
    });
    let stop = CancellationToken::new();
    let run = tokio::spawn(worker.run(stop.clone()));
    let sent = AtomicU64::new(0);
    // Let the worker reach its blocking wait before the first sample.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut ms = Vec::with_capacity(samples);
    for n in 0..samples as u64 {
        let t0 = Instant::now();
        q.add(queue, vec![bench_job(n)]).await?;
        sent.fetch_add(1, Ordering::Relaxed);
        let Some(started) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .ok()
            .flatten()
        else {
            break;
        };
        ms.push(started.duration_since(t0).as_secs_f64() * 1000.0);
        // Idle again: the worker is back in its blocking wait.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.cancel();
    let _ = run.await;
    ms.sort_by(|a, b| a.total_cmp(b));
    Ok(Latency {
        samples: ms.len(),
        p50_ms: percentile(&ms, 50.0),
        p99_ms: percentile(&ms, 99.0),
        max_ms: ms.last().copied().unwrap_or(0.0),
    })
}

/// A queue name for one bench run, so runs never mix.
pub fn bench_queue(kind: &str) -> String {
    format!("bench-{kind}-{}", now_ms())
}
