//! `slotbase bench`: this machine's queue throughput and latency for a backend, measured
//! through the same `QueueBackend` trait and worker the daemon uses (like `river bench`).
//!
//! Phases, each on a fresh queue (`bench-<phase>-<ms>`) that is removed afterwards:
//! 1. add: N jobs, [`ADD_CALL`] per call (what `emit --count` does);
//! 2. consume: a worker with a no-op handler at `--concurrency` runs the N jobs;
//! 3. batched claim+complete: N jobs claimed and completed `--batch` at a time by a few
//!    tasks (the embedded queue's raw capacity);
//! 4. idle latency: with a worker blocked on an empty queue, one job at a time is added and
//!    the time from the add call to the handler starting is recorded.
//!
//! With `--bull-peer benches/bull-peer.js` (Redis only), real Bull 4.16.5 runs `addBulk` and
//! a worker at the same concurrency on the same Redis in the same run, for the ratios.
//!
//! With `--rounds N`, phases 1 and 2 (and the Bull peer after them) run N times in turn.
//! The rates shown are the median round's and the ratios the median of the rounds'
//! ratios: on a shared host the rates move from minute to minute, and only figures taken
//! close together compare.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::cli::Context;
use crate::output;
use crate::queue::worker::{Worker, WorkerOptions};
use crate::queue::{Job, JobOptions, JobState, NewJob, QueueBackend, Result, now_ms};

/// Jobs per `add` call in [`add_rate`]: the backend pipelines within a call.
pub const ADD_CALL: usize = 10_000;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The backend to measure (redis needs --redis URL or redis.url; sqlite uses a
    /// temporary file unless --db is given)
    #[arg(long, value_enum, default_value = "sqlite")]
    pub backend: BenchBackend,
    /// Jobs for the throughput phases
    #[arg(long, default_value_t = 50_000)]
    pub jobs: u64,
    /// Worker concurrency in the consume phase (Bull's peer uses the same)
    #[arg(long, default_value_t = 50)]
    pub concurrency: usize,
    /// Jobs per claim and per complete in the batched phase
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Samples for the idle-latency phase
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Rounds of the add and consume phases, each followed by the Bull peer's; rates are
    /// the median round's, ratios the median of the rounds'
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
    /// Also run real Bull with this script (benches/bull-peer.js; needs node and
    /// `npm ci --prefix tests/interop`), on the same Redis
    #[arg(long, value_name = "SCRIPT")]
    pub bull_peer: Option<std::path::PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub webhooks: crate::webhook::bench::WebhookBenchArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchBackend {
    Sqlite,
    Redis,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Throughput {
    pub jobs: u64,
    pub seconds: f64,
    pub per_second: f64,
    /// CPU time per job over the phase. Unlike the rate, it barely moves when other
    /// processes compete for the cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_us_per_job: Option<CpuPerJob>,
}

#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpuPerJob {
    /// This process (producer or worker).
    pub slotbase: f64,
    /// The queue's server process (Redis), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<f64>,
}

/// CPU seconds used so far by this process and by the queue's server.
struct CpuMark {
    own: Option<f64>,
    server: Option<f64>,
}

impl CpuMark {
    async fn now(q: &dyn QueueBackend) -> CpuMark {
        CpuMark {
            own: own_cpu_seconds(),
            server: q.server_cpu_seconds().await,
        }
    }

    /// Fill in `t`'s CPU per job from this mark (taken before the phase) to now.
    async fn charge(&self, q: &dyn QueueBackend, mut t: Throughput) -> Throughput {
        let end = CpuMark::now(q).await;
        let per_job = |a: Option<f64>, b: Option<f64>| Some((b? - a?) * 1e6 / t.jobs as f64);
        t.cpu_us_per_job = per_job(self.own, end.own).map(|slotbase| CpuPerJob {
            slotbase,
            server: per_job(self.server, end.server),
        });
        t
    }
}

/// User plus system CPU seconds of this process, from `/proc/self/stat` (Linux; the
/// kernel reports it in USER_HZ, which is 100 on every architecture).
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// What `bench` measured.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub backend: String,
    pub location: String,
    /// The round with the median add rate.
    pub add: Throughput,
    /// The round with the median consume rate.
    pub consume: Throughput,
    pub concurrency: usize,
    pub batched_claim_complete: Throughput,
    pub idle_latency: Latency,
    /// The Bull peer's report in the round with the median consume ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bull: Option<serde_json::Value>,
    /// Medians of the rounds' ratios to Bull.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_bull: Option<VsBull>,
    pub rounds: Vec<Round>,
}

/// One round of the add and consume phases, and Bull's peer after them.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Round {
    pub add: Throughput,
    pub consume: Throughput,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bull: Option<serde_json::Value>,
}

impl Round {
    /// (add ÷ Bull's addBulk, consume ÷ Bull's worker), when Bull ran.
    fn ratios(&self) -> Option<(f64, f64)> {
        let b = self.bull.as_ref()?;
        let rate = |phase: &str| b[phase]["perSecond"].as_f64().filter(|r| *r > 0.0);
        Some((
            self.add.per_second / rate("addBulk")?,
            self.consume.per_second / rate("worker")?,
        ))
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VsBull {
    pub add_to_add_bulk: f64,
    pub consume_to_worker: f64,
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The item whose `key` is the median (the lower middle one for an even count).
fn median_by<T>(items: &[T], key: impl Fn(&T) -> f64) -> &T {
    let mut order: Vec<&T> = items.iter().collect();
    order.sort_by(|a, b| key(a).total_cmp(&key(b)));
    order[(order.len() - 1) / 2]
}

fn throughput(jobs: u64, elapsed: Duration) -> Throughput {
    let seconds = elapsed.as_secs_f64();
    Throughput {
        jobs,
        seconds,
        per_second: jobs as f64 / seconds.max(1e-9),
        cpu_us_per_job: None,
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

/// A queue name for one phase, so runs never mix.
pub fn bench_queue(phase: &str) -> String {
    format!("bench-{phase}-{}", now_ms())
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
    while q.counts(queue).await?.completed < base + n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = start.elapsed();
    stop.cancel();
    let _ = run.await;
    Ok(throughput(n, elapsed))
}

/// Claim and complete `n` waiting jobs, `batch` per call, from `tasks` concurrent tasks.
pub async fn batched_rate(
    q: Arc<dyn QueueBackend>,
    queue: &str,
    n: u64,
    batch: usize,
    tasks: usize,
) -> Result<Throughput> {
    let start = Instant::now();
    let mut running = Vec::new();
    for _ in 0..tasks {
        let (q, queue) = (q.clone(), queue.to_string());
        running.push(tokio::spawn(async move {
            let token = uuid::Uuid::new_v4().to_string();
            let mut done = 0u64;
            loop {
                let jobs = q
                    .claim(&queue, &token, Duration::from_secs(30), batch, None)
                    .await?;
                if jobs.is_empty() {
                    return Ok::<u64, crate::queue::QueueError>(done);
                }
                let results: Vec<(String, String)> =
                    jobs.into_iter().map(|j| (j.id, "null".into())).collect();
                done += results.len() as u64;
                q.complete(&queue, &token, &results).await?;
            }
        }));
    }
    let mut done = 0;
    for t in running {
        done += t
            .await
            .map_err(|e| crate::queue::QueueError::Backend(e.to_string()))??;
    }
    debug_assert_eq!(done, n);
    Ok(throughput(done, start.elapsed()))
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
    // Let the worker reach its blocking wait before the first sample.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut ms = Vec::with_capacity(samples);
    for n in 0..samples as u64 {
        let t0 = Instant::now();
        q.add(queue, vec![bench_job(n)]).await?;
        let Some(started) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .ok()
            .flatten()
        else {
            break;
        };
        ms.push(started.duration_since(t0).as_secs_f64() * 1000.0);
        // Idle again: the worker goes back to its blocking wait.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    let _ = run.await;
    ms.sort_by(f64::total_cmp);
    Ok(Latency {
        samples: ms.len(),
        p50_ms: percentile(&ms, 50.0),
        p99_ms: percentile(&ms, 99.0),
        max_ms: ms.last().copied().unwrap_or(0.0),
    })
}

/// Remove every job of a bench queue.
async fn cleanup(q: &dyn QueueBackend, queue: &str) {
    let _ = q.drain(queue, true).await;
    for state in JobState::ALL {
        let _ = q.clean(queue, state, Duration::ZERO, None).await;
    }
}

pub async fn run(ctx: &Context, args: BenchArgs) -> anyhow::Result<i32> {
    if args.webhooks.webhooks {
        return crate::webhook::bench::run(ctx, args.backend, args.json, &args.webhooks).await;
    }
    anyhow::ensure!(args.jobs > 0, "--jobs must be at least 1");
    anyhow::ensure!(args.batch > 0, "--batch must be at least 1");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.rounds > 0, "--rounds must be at least 1");
    let mut settings = ctx.settings.clone();
    let tmp = match args.backend {
        BenchBackend::Sqlite => {
            settings.redis.url.clear();
            if ctx.flags.db.is_none() {
                let dir = std::env::temp_dir()
                    .join(format!("slotbase-bench-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                settings.store.path = dir.join("bench.db").display().to_string();
                Some(TempDir(dir))
            } else {
                None
            }
        }
        BenchBackend::Redis => {
            anyhow::ensure!(
                !settings.redis.url.is_empty(),
                "bench --backend redis needs a Redis: pass --redis redis://127.0.0.1:6379 or set redis.url"
            );
            None
        }
    };
    if args.bull_peer.is_some() && matches!(args.backend, BenchBackend::Sqlite) {
        anyhow::bail!("--bull-peer compares with Bull on Redis; use it with --backend redis");
    }
    let q = crate::queue::open(&settings).await?;
    let progress = |what: &str| {
        if !args.json {
            eprintln!("bench: {what}...");
        }
    };

    // A failed peer still lets slotbase's own numbers be printed; its error comes after.
    let mut peer_failed = None;
    let mut rounds = Vec::new();
    for round in 1..=args.rounds {
        let phase = |what: &str| match args.rounds {
            1 => what.to_string(),
            n => format!("{what} (round {round} of {n})"),
        };
        progress(&phase("add"));
        let queue = bench_queue("consume");
        let mark = CpuMark::now(q.as_ref()).await;
        let add = add_rate(q.as_ref(), &queue, args.jobs).await?;
        let add = mark.charge(q.as_ref(), add).await;
        progress(&phase("consume"));
        let mark = CpuMark::now(q.as_ref()).await;
        let consume = consume_rate(q.clone(), &queue, args.jobs, args.concurrency).await?;
        let consume = mark.charge(q.as_ref(), consume).await;
        progress(&phase("clean up"));
        cleanup(q.as_ref(), &queue).await;
        let mut bull = None;
        if let Some(script) = &args.bull_peer {
            progress(&phase("Bull 4.16.5 peer"));
            match bull_peer(script, &settings, args.jobs, args.concurrency).await {
                Ok(v) => bull = Some(v),
                Err(e) => peer_failed = Some(e),
            }
        }
        rounds.push(Round { add, consume, bull });
        if peer_failed.is_some() {
            break;
        }
    }

    progress("batched claim+complete");
    let queue = bench_queue("batched");
    add_rate(q.as_ref(), &queue, args.jobs).await?;
    let mark = CpuMark::now(q.as_ref()).await;
    let batched = batched_rate(q.clone(), &queue, args.jobs, args.batch, 4).await?;
    let batched = mark.charge(q.as_ref(), batched).await;
    progress("clean up");
    cleanup(q.as_ref(), &queue).await;

    progress("idle latency");
    let queue = bench_queue("latency");
    let latency = idle_latency(q.clone(), &queue, args.samples).await?;
    cleanup(q.as_ref(), &queue).await;

    drop(tmp);
    // Each round Bull ran in, with its (add, consume) ratios.
    let compared: Vec<(&Round, (f64, f64))> = rounds
        .iter()
        .filter_map(|r| Some((r, r.ratios()?)))
        .collect();
    let vs_bull = (!compared.is_empty()).then(|| VsBull {
        add_to_add_bulk: median(compared.iter().map(|(_, r)| r.0).collect()),
        consume_to_worker: median(compared.iter().map(|(_, r)| r.1).collect()),
    });
    let bull = (!compared.is_empty())
        .then(|| median_by(&compared, |(_, r)| r.1).0.bull.clone())
        .flatten();
    let report = BenchReport {
        backend: q.kind().to_string(),
        location: q.location(),
        add: median_by(&rounds, |r| r.add.per_second).add.clone(),
        consume: median_by(&rounds, |r| r.consume.per_second).consume.clone(),
        concurrency: args.concurrency,
        batched_claim_complete: batched,
        idle_latency: latency,
        bull,
        vs_bull,
        rounds,
    };
    if args.json {
        output::json(&report)?;
    } else {
        print_table(&report, &args)?;
    }
    match peer_failed {
        Some(e) => Err(e),
        None => Ok(crate::exit::SUCCESS),
    }
}

fn print_table(report: &BenchReport, args: &BenchArgs) -> anyhow::Result<()> {
    let mut rows = vec![
        (
            "backend",
            format!("{} ({})", report.backend, report.location),
        ),
        ("jobs", args.jobs.to_string()),
        (
            "add",
            format!(
                "{:.0} jobs/s{}",
                report.add.per_second,
                report.add.cpu_note()
            ),
        ),
        (
            "consume",
            format!(
                "{:.0} jobs/s (worker, no-op handler, concurrency {}){}",
                report.consume.per_second,
                args.concurrency,
                report.consume.cpu_note()
            ),
        ),
        (
            "claim+complete",
            format!(
                "{:.0} jobs/s (batches of {}){}",
                report.batched_claim_complete.per_second,
                args.batch,
                report.batched_claim_complete.cpu_note()
            ),
        ),
        (
            "idle latency",
            format!(
                "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples, add to handler start)",
                report.idle_latency.p50_ms,
                report.idle_latency.p99_ms,
                report.idle_latency.max_ms,
                report.idle_latency.samples
            ),
        ),
    ];
    if let (Some(b), Some(vs)) = (&report.bull, report.vs_bull) {
        let rate = |phase: &str| b[phase]["perSecond"].as_f64().unwrap_or(0.0);
        // The peer reports its CPU per job as `{"bull": µs, "server": µs}`.
        let bull_cpu = |phase: &str| {
            let cpu = &b[phase]["cpuUsPerJob"];
            cpu_note("node", cpu["bull"].as_f64(), cpu["server"].as_f64())
        };
        let of_rounds = match report.rounds.len() {
            1 => String::new(),
            n => format!(", median of {n} rounds"),
        };
        rows.push((
            "Bull addBulk",
            format!(
                "{:.0} jobs/s (slotbase add is {:.1}x{of_rounds}){}",
                rate("addBulk"),
                vs.add_to_add_bulk,
                bull_cpu("addBulk")
            ),
        ));
        rows.push((
            "Bull worker",
            format!(
                "{:.0} jobs/s at concurrency {} (slotbase consume is {:.1}x{of_rounds}){}",
                rate("worker"),
                args.concurrency,
                vs.consume_to_worker,
                bull_cpu("worker")
            ),
        ));
    }
    let mut round_rows = Vec::new();
    if report.rounds.len() > 1 {
        for (i, r) in report.rounds.iter().enumerate() {
            let mut line = format!(
                "add {:.0} jobs/s, consume {:.0} jobs/s",
                r.add.per_second, r.consume.per_second
            );
            if let Some((add, consume)) = r.ratios() {
                line.push_str(&format!("; {add:.1}x addBulk, {consume:.1}x Bull's worker"));
            }
            round_rows.push((format!("round {}", i + 1), line));
        }
    }
    rows.extend(round_rows.iter().map(|(k, v)| (k.as_str(), v.clone())));
    output::fields(&rows)?;
    Ok(())
}

/// `; CPU 10.2 + 18.5 µs/job (slotbase + redis)` for a table row: `who`'s CPU per job and
/// the Redis server's, or only `who`'s, or nothing.
fn cpu_note(who: &str, own: Option<f64>, server: Option<f64>) -> String {
    match (own, server) {
        (Some(own), Some(server)) => format!("; CPU {own:.1} + {server:.1} µs/job ({who} + redis)"),
        (Some(own), None) => format!("; CPU {own:.1} µs/job"),
        _ => String::new(),
    }
}

impl Throughput {
    fn cpu_note(&self) -> String {
        let cpu = self.cpu_us_per_job;
        cpu_note(
            "slotbase",
            cpu.map(|c| c.slotbase),
            cpu.and_then(|c| c.server),
        )
    }
}

/// Run real Bull's `addBulk` and worker on the same Redis.
async fn bull_peer(
    script: &std::path::Path,
    settings: &crate::settings::Settings,
    jobs: u64,
    concurrency: usize,
) -> anyhow::Result<serde_json::Value> {
    let out = tokio::process::Command::new("node")
        .arg(script)
        .arg(&settings.redis.url)
        .arg(&settings.redis.prefix)
        .arg(jobs.to_string())
        .arg(concurrency.to_string())
        .output()
        .await
        .context("running node for --bull-peer")?;
    anyhow::ensure!(
        out.status.success(),
        "the Bull peer failed (is Bull installed? npm ci --prefix tests/interop): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).context("the Bull peer printed no JSON")
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
