//! `slotbase bench`: this machine's queue throughput and latency for a backend, measured
//! through the same `QueueBackend` trait the daemon uses (like `river bench`).
//!
//! Phases, each on a fresh queue named `slotbase-bench-<random>` that is removed afterwards:
//! 1. add: N jobs in batches (what `emit --count` does);
//! 2. claim+complete: N jobs, claimed and completed in batches by several workers;
//! 3. idle latency: one job at a time added to an empty queue while a worker blocks on
//!    it; the time from add to claim.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use crate::cli::Context;
use crate::output;
use crate::queue::{JobOptions, JobState, NewJob, QueueBackend};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The backend to measure (redis needs --redis URL or redis.url)
    #[arg(long, value_enum, default_value = "sqlite")]
    pub backend: BenchBackend,
    /// Jobs for the add and claim+complete phases
    #[arg(long, default_value_t = 50_000)]
    pub jobs: u64,
    /// Jobs per add call and per claim call
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Concurrent workers in the claim+complete phase
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Samples for the idle-latency phase
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchBackend {
    Sqlite,
    Redis,
}

/// What `bench` measured.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub backend: String,
    pub location: String,
    pub jobs: u64,
    pub add_per_sec: f64,
    pub claim_complete_per_sec: f64,
    pub idle_latency_p50_ms: f64,
    pub idle_latency_p99_ms: f64,
    pub idle_latency_max_ms: f64,
}

pub async fn run(ctx: &Context, args: BenchArgs) -> anyhow::Result<i32> {
    anyhow::ensure!(args.jobs > 0, "--jobs must be at least 1");
    anyhow::ensure!(args.batch > 0, "--batch must be at least 1");
    anyhow::ensure!(args.workers > 0, "--workers must be at least 1");
    let mut settings = ctx.settings.clone();
    let _tmp; // keeps the temporary database alive for the run
    match args.backend {
        BenchBackend::Sqlite => {
            settings.redis.url.clear();
            if ctx.flags.db.is_none() {
                let dir = tempfile_dir()?;
                settings.store.path = dir.join("bench.db").display().to_string();
                _tmp = Some(TempDir(dir));
            } else {
                _tmp = None;
            }
        }
        BenchBackend::Redis => {
            anyhow::ensure!(
                !settings.redis.url.is_empty(),
                "bench --backend redis needs a Redis: pass --redis redis://127.0.0.1:6379 or set redis.url"
            );
            _tmp = None;
        }
    }
    let q = crate::queue::open(&settings).await?;
    let report = measure(q, &args).await?;
    if args.json {
        output::json(&report)?;
    } else {
        output::fields(&[
            (
                "backend",
                format!("{} ({})", report.backend, report.location),
            ),
            ("jobs", report.jobs.to_string()),
            ("add", format!("{:.0} jobs/s", report.add_per_sec)),
            (
                "claim+complete",
                format!(
                    "{:.0} jobs/s ({} workers, batches of {})",
                    report.claim_complete_per_sec, args.workers, args.batch
                ),
            ),
            (
                "idle latency",
                format!(
                    "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
                    report.idle_latency_p50_ms,
                    report.idle_latency_p99_ms,
                    report.idle_latency_max_ms,
                    args.samples
                ),
            ),
        ])?;
    }
    Ok(crate::exit::SUCCESS)
}

/// Run the three phases on `q`.
pub async fn measure(q: Arc<dyn QueueBackend>, args: &BenchArgs) -> anyhow::Result<BenchReport> {
    let queue = format!(
        "slotbase-bench-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let result = phases(&q, &queue, args).await;
    // Leave nothing behind, whatever happened.
    let _ = q.drain(&queue, true).await;
    for state in JobState::ALL {
        let _ = q.clean(&queue, state, Duration::ZERO, None).await;
    }
    result
}

async fn phases(
    q: &Arc<dyn QueueBackend>,
    queue: &str,
    args: &BenchArgs,
) -> anyhow::Result<BenchReport> {
    let payload = serde_json::json!({
        "id": "00000000-0000-4000-8000-000000000000",
        "type": "booking.confirmed",
        "data": {"bookingId": "BKG-000001", "priceAmount": 45.5, "priceCurrency": "EUR"}
    })
    .to_string();
    let opts = JobOptions {
        remove_on_complete: Some(crate::queue::KeepJobs {
            count: Some(0),
            age: None,
        }),
        ..JobOptions::default()
    };
    let job = |_: u64| NewJob {
        name: "bench".into(),
        data: payload.clone(),
        opts: opts.clone(),
    };

    // 1. add
    let started = Instant::now();
    let mut added = 0;
    while added < args.jobs {
        let n = (args.jobs - added).min(args.batch as u64);
        q.add(queue, (0..n).map(job).collect())
            .await
            .context("bench: add")?;
        added += n;
    }
    let add_per_sec = args.jobs as f64 / started.elapsed().as_secs_f64();

    // 2. claim + complete
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.workers {
        let q = q.clone();
        let queue = queue.to_string();
        let batch = args.batch;
        tasks.push(tokio::spawn(async move {
            let token = uuid::Uuid::new_v4().to_string();
            let mut done = 0u64;
            loop {
                let jobs = q
                    .claim(&queue, &token, Duration::from_secs(30), batch, None)
                    .await?;
                if jobs.is_empty() {
                    break;
                }
                let results: Vec<(String, String)> = jobs
                    .into_iter()
                    .map(|j| (j.id, "null".to_string()))
                    .collect();
                done += results.len() as u64;
                q.complete(&queue, &token, &results).await?;
            }
            Ok::<u64, crate::queue::QueueError>(done)
        }));
    }
    let mut consumed = 0;
    for t in tasks {
        consumed += t.await.context("bench worker panicked")??;
    }
    let claim_complete_per_sec = consumed as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(
        consumed == args.jobs,
        "bench: consumed {consumed} of {} jobs",
        args.jobs
    );

    // 3. idle latency: a blocked worker, one job at a time.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let consumer = {
        let q = q.clone();
        let queue = queue.to_string();
        let samples = args.samples;
        tokio::spawn(async move {
            let token = uuid::Uuid::new_v4().to_string();
            let mut got = 0;
            while got < samples {
                let jobs = q
                    .claim(
                        &queue,
                        &token,
                        Duration::from_secs(30),
                        1,
                        Some(Duration::from_secs(2)),
                    )
                    .await?;
                for j in jobs {
                    let _ = tx.send(Instant::now());
                    q.complete(&queue, &token, &[(j.id, "null".into())]).await?;
                    got += 1;
                }
            }
            Ok::<(), crate::queue::QueueError>(())
        })
    };
    let mut latencies = Vec::with_capacity(args.samples);
    for i in 0..args.samples {
        // Give the consumer time to go idle (blocked) before each add.
        tokio::time::sleep(Duration::from_millis(15)).await;
        let sent = Instant::now();
        q.add(queue, vec![job(i as u64)]).await?;
        let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .context("bench: a job was not claimed within 10 s")?
            .context("bench: the consumer stopped")?;
        latencies.push(got.saturating_duration_since(sent).as_secs_f64() * 1000.0);
    }
    consumer.await.context("bench consumer panicked")??;
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).copied().unwrap_or(0.0)
    };
    Ok(BenchReport {
        backend: q.kind().to_string(),
        location: q.location(),
        jobs: args.jobs,
        add_per_sec,
        claim_complete_per_sec,
        idle_latency_p50_ms: pct(0.50),
        idle_latency_p99_ms: pct(0.99),
        idle_latency_max_ms: latencies.last().copied().unwrap_or(0.0),
    })
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("slotbase-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
