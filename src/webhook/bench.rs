//! `slotbase bench --webhooks`: end-to-end webhook delivery through a real daemon.
//!
//! The harness (this process) plays the booking service and the facilities' receivers;
//! the daemon under test is this same binary, started as a child process on a temporary
//! store, so what is measured (and whose memory is read) is exactly `slotbase daemon`.
//!
//! 1. A receiver (axum, in this process) listens on loopback. Every request is checked as
//!    an integrator would: both signature schemes verified with the endpoint's secret,
//!    within the usual tolerance. It notes the time of receipt per delivery.
//! 2. `--webhook-endpoints` endpoints of one facility subscribe to `booking.confirmed`
//!    (loopback allowed through `webhooks.allowed_cidrs`, so the SSRF guard still runs).
//!    The daemon's registry runs only the `webhook` handler for that type, so the numbers
//!    are about delivery, not about the other handlers.
//! 3. Warm-up: one event, until each endpoint has it.
//! 4. Throughput: `--webhook-events` events are put on the domain-event queue as fast as
//!    the queue takes them; deliveries/s is every delivery over the time from the first
//!    event added to the last delivery received.
//! 5. Latency: events at a steady `--webhook-rate` deliveries/s for `--webhook-seconds`;
//!    each delivery's latency is from the moment its event was added (event creation) to
//!    the moment the receiver had the whole request.
//!
//! The daemon's resident memory is sampled from `/proc` throughout; its peak (`VmHWM`)
//! is read before it is stopped with SIGTERM.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::Serialize;
use serde_json::{Value, json};

use super::endpoint::{Endpoint, RetryConfig};
use super::signing::{self, Received, Scheme, Secret};
use crate::bench::BenchBackend;
use crate::cli::Context;
use crate::event::{EnvelopeDefaults, Format, MockGen};
use crate::output;
use crate::queue::{JobOptions, NewJob, QueueBackend, now_ms};
use crate::settings::Settings;

/// The event type every benchmark event has.
const EVENT_TYPE: &str = "booking.confirmed";

/// Events per `add` call in the throughput phase.
const ADD_CHUNK: usize = 500;

/// Give up when no delivery arrived for this long.
const STALL: Duration = Duration::from_secs(30);

/// Options of `bench --webhooks` (hidden: a developer's measurement, not an operator's).
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookBenchArgs {
    /// Measure webhook delivery end to end through a daemon and a signature-checking
    /// receiver instead of the queue
    #[arg(long, hide = true)]
    pub webhooks: bool,
    /// Events in the throughput phase (each is delivered to every endpoint)
    #[arg(long, hide = true, default_value_t = 20_000)]
    pub webhook_events: u64,
    /// Endpoints subscribed to the benchmark's events
    #[arg(long, hide = true, default_value_t = 4)]
    pub webhook_endpoints: usize,
    /// Deliveries per second offered in the latency phase
    #[arg(long, hide = true, default_value_t = 2000)]
    pub webhook_rate: u64,
    /// Length of the latency phase, in seconds
    #[arg(long, hide = true, default_value_t = 5)]
    pub webhook_seconds: u64,
    /// Override webhooks.concurrency of the daemon under test
    #[arg(long, hide = true)]
    pub webhook_concurrency: Option<usize>,
}

/// Latency percentiles of one phase, in ms.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub deliveries: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// What `bench --webhooks` measured.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookBenchReport {
    pub backend: String,
    pub endpoints: usize,
    pub concurrency: usize,
    pub per_endpoint_concurrency: usize,
    pub events: u64,
    pub deliveries: u64,
    pub seconds: f64,
    pub deliveries_per_second: f64,
    /// Latency of the throughput phase: mostly time spent waiting in the backlog.
    pub burst_latency: Latency,
    pub offered_rate: u64,
    pub steady_latency: Latency,
    pub signature_failures: u64,
    pub duplicates: u64,
    pub daemon_rss_max_mib: f64,
    pub daemon_rss_peak_mib: f64,
}

/// What the receiver knows and has seen.
struct Receiver {
    /// Each endpoint's signing secret, by endpoint index.
    secrets: Vec<Secret>,
    endpoints: usize,
    base: Instant,
    /// When each event was added, ns after `base` (+1, so 0 means not yet).
    created: Vec<AtomicU64>,
    /// Latency of each (event, endpoint) delivery in µs (+1, so 0 means not received).
    latency: Vec<AtomicU32>,
    received: AtomicU64,
    last_ns: AtomicU64,
    bad: AtomicU64,
    duplicates: AtomicU64,
}

impl Receiver {
    fn ns(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    fn check(&self, k: usize, headers: &HeaderMap, body: &[u8]) -> Result<usize, String> {
        let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let secret = self.secrets.get(k).ok_or("unknown endpoint")?;
        let now = now_ms() / 1000;
        let tolerance = signing::DEFAULT_TOLERANCE_SECS;
        let slotbase = Received {
            scheme: Scheme::Slotbase,
            msg_id: None,
            timestamp: h(signing::SLOTBASE_TIMESTAMP).ok_or("no X-SlotBase-Timestamp")?,
            signature: h(signing::SLOTBASE_SIGNATURE).ok_or("no X-SlotBase-Signature")?,
            payload: body,
        };
        signing::verify(&slotbase, std::slice::from_ref(secret), now, tolerance)
            .map_err(|e| e.to_string())?;
        let standard = Received {
            scheme: Scheme::Standard,
            msg_id: h(signing::WEBHOOK_ID),
            timestamp: h(signing::WEBHOOK_TIMESTAMP).ok_or("no webhook-timestamp")?,
            signature: h(signing::WEBHOOK_SIGNATURE).ok_or("no webhook-signature")?,
            payload: body,
        };
        signing::verify(&standard, std::slice::from_ref(secret), now, tolerance)
            .map_err(|e| e.to_string())?;
        let event = h("X-SlotBase-Event-ID").ok_or("no X-SlotBase-Event-ID")?;
        seq_of(event).ok_or_else(|| format!("event id {event} is not the benchmark's"))
    }
}

async fn receive(
    State(r): State<Arc<Receiver>>,
    UrlPath(k): UrlPath<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at = r.ns();
    let seq = match r.check(k, &headers, &body) {
        Ok(seq) => seq,
        Err(reason) => {
            if r.bad.fetch_add(1, Ordering::Relaxed) == 0 {
                eprintln!("bench: a delivery failed the receiver's checks: {reason}");
            }
            return StatusCode::BAD_REQUEST;
        }
    };
    let created = r
        .created
        .get(seq)
        .map(|c| c.load(Ordering::Acquire))
        .unwrap_or(0);
    let Some(slot) = r.latency.get(seq * r.endpoints + k) else {
        return StatusCode::BAD_REQUEST;
    };
    let micros = (at.saturating_sub(created.saturating_sub(1)) / 1000).min(u32::MAX as u64 - 1);
    if slot
        .compare_exchange(0, micros as u32 + 1, Ordering::AcqRel, Ordering::Relaxed)
        .is_ok()
    {
        r.received.fetch_add(1, Ordering::AcqRel);
        r.last_ns.fetch_max(at, Ordering::AcqRel);
    } else {
        r.duplicates.fetch_add(1, Ordering::Relaxed);
    }
    StatusCode::OK
}

/// Event ids carry their sequence number in the last group, as a valid UUID.
fn event_id(run: u32, seq: usize) -> String {
    format!("{run:08x}-0000-4000-8000-{seq:012x}")
}

fn seq_of(event_id: &str) -> Option<usize> {
    let (_, tail) = event_id.rsplit_once('-')?;
    usize::from_str_radix(tail, 16).ok()
}

fn percentiles(micros: &[AtomicU32]) -> Latency {
    let mut ms: Vec<f64> = micros
        .iter()
        .map(|m| m.load(Ordering::Acquire))
        .filter(|&m| m > 0)
        .map(|m| (m - 1) as f64 / 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| {
        if ms.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * (ms.len() - 1) as f64).round() as usize;
        ms[rank.min(ms.len() - 1)]
    };
    Latency {
        deliveries: ms.len() as u64,
        p50_ms: at(50.0),
        p99_ms: at(99.0),
        max_ms: ms.last().copied().unwrap_or(0.0),
    }
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The daemon under test.
struct Daemon {
    child: tokio::process::Child,
    pid: u32,
    log: PathBuf,
}

impl Daemon {
    async fn start(config: &Path, log: PathBuf) -> anyhow::Result<Daemon> {
        let exe = std::env::current_exe().context("finding the slotbase binary")?;
        let mut cmd = tokio::process::Command::new(exe);
        cmd.arg("--config")
            .arg(config)
            .args(["daemon", "--no-http"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).context("creating the daemon's log")?)
            .kill_on_drop(true);
        // The config file says everything; no setting may come from this environment.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("SLOTBASE_") && k != "SLOTBASE_LOG" {
                cmd.env_remove(k);
            }
        }
        let child = cmd.spawn().context("starting the daemon")?;
        let pid = child.id().context("the daemon exited at once")?;
        Ok(Daemon { child, pid, log })
    }

    fn status_kib(&self, field: &str) -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let line = text.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Ok(Some(status)) = self.child.try_wait() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            bail!(
                "the daemon under test exited ({status}); its last log lines:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    async fn stop(mut self) {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// Wait until `target` deliveries have arrived in all; `None` if they stopped coming.
async fn wait_for(r: &Receiver, daemon: &mut Daemon, target: u64) -> anyhow::Result<bool> {
    let mut last = r.received.load(Ordering::Acquire);
    let mut since = Instant::now();
    loop {
        let now = r.received.load(Ordering::Acquire);
        if now >= target {
            return Ok(true);
        }
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() > STALL {
            return Ok(false);
        }
        daemon.check_alive()?;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

struct Producer {
    queues: Arc<dyn QueueBackend>,
    queue: String,
    job_name: String,
    template: Value,
    run: u32,
}

impl Producer {
    fn job(&self, seq: usize) -> NewJob {
        let mut ev = self.template.clone();
        let id = event_id(self.run, seq);
        ev["id"] = json!(id);
        ev["correlationId"] = json!(id);
        NewJob {
            name: self.job_name.clone(),
            data: ev.to_string(),
            opts: JobOptions {
                attempts: 3,
                ..JobOptions::default()
            },
        }
    }

    /// Add events `seqs`, stamping their creation time just before the call.
    async fn add(&self, r: &Receiver, seqs: std::ops::Range<usize>) -> anyhow::Result<()> {
        let jobs: Vec<NewJob> = seqs.clone().map(|s| self.job(s)).collect();
        let at = r.ns() + 1;
        for s in seqs {
            r.created[s].store(at, Ordering::Release);
        }
        self.queues.add(&self.queue, jobs).await?;
        Ok(())
    }
}

pub async fn run(
    ctx: &Context,
    backend: BenchBackend,
    json_out: bool,
    args: &WebhookBenchArgs,
) -> anyhow::Result<i32> {
    anyhow::ensure!(
        args.webhook_endpoints > 0,
        "--webhook-endpoints must be at least 1"
    );
    anyhow::ensure!(
        args.webhook_events > 0,
        "--webhook-events must be at least 1"
    );
    let progress = |what: &str| {
        if !json_out {
            eprintln!("bench: {what}...");
        }
    };
    let k = args.webhook_endpoints;
    let run_tag = (uuid::Uuid::new_v4().as_u128() as u32) & 0x7fff_ffff;
    let dir = std::env::temp_dir().join(format!("slotbase-webhook-bench-{run_tag:08x}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let _tmp = TempDir(dir.clone());

    let mut settings: Settings = ctx.settings.clone();
    settings.store.path = dir.join("bench.db").display().to_string();
    match backend {
        BenchBackend::Sqlite => settings.redis.url.clear(),
        BenchBackend::Redis => {
            anyhow::ensure!(
                !settings.redis.url.is_empty(),
                "bench --webhooks --backend redis needs a Redis: pass --redis redis://127.0.0.1:PORT (a private one: the run adds keys under its own prefix)"
            );
            settings.redis.prefix = format!("slotbase-bench-{run_tag:08x}");
        }
    }
    settings.http.enabled = false;
    settings.daemon.queues = vec![settings.emit.domain_queue.clone()];
    settings.webhooks.allow_private = false;
    settings.webhooks.allowed_cidrs = vec!["127.0.0.0/8".into()];
    if let Some(c) = args.webhook_concurrency {
        settings.webhooks.concurrency = c;
    }
    settings
        .handlers
        .events
        .insert(EVENT_TYPE.into(), vec!["webhook".into()]);

    // The receiver.
    let secrets: Vec<Secret> = (0..k).map(|_| Secret::generate()).collect();
    let steady_events = ((args.webhook_rate * args.webhook_seconds) as usize).div_ceil(k);
    let total_events = 1 + args.webhook_events as usize + steady_events;
    let receiver = Arc::new(Receiver {
        secrets: secrets.clone(),
        endpoints: k,
        base: Instant::now(),
        created: (0..total_events).map(|_| AtomicU64::new(0)).collect(),
        latency: (0..total_events * k).map(|_| AtomicU32::new(0)).collect(),
        received: AtomicU64::new(0),
        last_ns: AtomicU64::new(0),
        bad: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let app = Router::new()
        .route("/hook/{k}", post(receive))
        .with_state(receiver.clone());
    let stop_receiver = tokio_util::sync::CancellationToken::new();
    let serving = {
        let stop = stop_receiver.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        })
    };

    // The endpoints, the config and the daemon.
    let facility = uuid::Uuid::new_v4().to_string();
    let store = crate::store::open(&settings).await?;
    let webhooks = store
        .webhooks()
        .context("the store keeps no webhook endpoints")?;
    let now = now_ms();
    for (i, secret) in secrets.iter().enumerate() {
        webhooks
            .create_endpoint(&Endpoint {
                name: format!("bench receiver {i}"),
                events: vec![EVENT_TYPE.into()],
                ..Endpoint::new(
                    &facility,
                    &format!("http://127.0.0.1:{port}/hook/{i}"),
                    secret,
                    RetryConfig {
                        max_retries: 5,
                        retry_delay_ms: 1000,
                        backoff_multiplier: 2.0,
                    },
                    now,
                )
            })
            .await?;
    }
    let config = dir.join("daemon.toml");
    std::fs::write(&config, toml::to_string(&settings)?)
        .with_context(|| format!("writing {}", config.display()))?;
    let mut daemon = Daemon::start(&config, dir.join("daemon.log")).await?;

    let ty = crate::event::lookup(EVENT_TYPE)?;
    let mut template = MockGen::new(Some(1)).event(
        ty,
        Format::Domain,
        &EnvelopeDefaults {
            source: settings.emit.source.clone(),
            environment: settings.emit.environment.clone(),
        },
    );
    template["facilityId"] = json!(facility);
    template["data"]["facilityId"] = json!(facility);
    let producer = Producer {
        queues: crate::queue::open(&settings).await?,
        queue: settings.emit.domain_queue.clone(),
        job_name: settings.emit.domain_job_name.clone(),
        template,
        run: run_tag,
    };

    // Sample the daemon's memory throughout.
    let rss_max = Arc::new(AtomicU64::new(0));
    let sampling = {
        let (pid, rss_max) = (daemon.pid, rss_max.clone());
        tokio::spawn(async move {
            loop {
                if let Some(kib) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                    .ok()
                    .and_then(|t| {
                        let l = t.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
                        l.split_whitespace().nth(1)?.parse::<u64>().ok()
                    })
                {
                    rss_max.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let result = async {
        progress("warm-up");
        producer.add(&receiver, 0..1).await?;
        if !wait_for(&receiver, &mut daemon, k as u64).await? {
            bail!(
                "the warm-up event was not delivered (daemon log: {})",
                daemon.log.display()
            );
        }

        progress("throughput");
        let n = args.webhook_events as usize;
        let start_ns = receiver.ns();
        let mut next = 1;
        while next <= n {
            let end = (next + ADD_CHUNK).min(n + 1);
            producer.add(&receiver, next..end).await?;
            next = end;
        }
        let target = ((1 + n) * k) as u64;
        let complete = wait_for(&receiver, &mut daemon, target).await?;
        let received = receiver.received.load(Ordering::Acquire) - k as u64;
        let seconds = (receiver
            .last_ns
            .load(Ordering::Acquire)
            .saturating_sub(start_ns)) as f64
            / 1e9;
        if !complete {
            eprintln!("bench: only {received} of {} deliveries arrived", n * k);
        }
        let burst = percentiles(&receiver.latency[k..(1 + n) * k]);

        progress("steady latency");
        let first = 1 + n;
        let event_rate = (args.webhook_rate as f64 / k as f64).max(1e-3);
        let t0 = Instant::now();
        let mut sent = 0usize;
        while sent < steady_events {
            let due = ((t0.elapsed().as_secs_f64() * event_rate) as usize + 1).min(steady_events);
            if due > sent {
                producer.add(&receiver, first + sent..first + due).await?;
                sent = due;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        wait_for(&receiver, &mut daemon, ((first + steady_events) * k) as u64).await?;
        let steady = percentiles(&receiver.latency[first * k..(first + steady_events) * k]);
        Ok((received, seconds, burst, steady))
    }
    .await;

    let peak_kib = daemon.status_kib("VmHWM:").unwrap_or(0);
    sampling.abort();
    progress("stopping the daemon");
    daemon.stop().await;
    stop_receiver.cancel();
    let _ = serving.await;
    // The jobs of the run go with it (the Redis may serve several runs).
    for q in [
        &settings.emit.domain_queue,
        &settings.webhooks.queue,
        &settings.daemon.retry_queue,
    ] {
        let _ = producer.queues.drain(q, true).await;
        for state in crate::queue::JobState::ALL {
            let _ = producer.queues.clean(q, state, Duration::ZERO, None).await;
        }
    }
    let (received, seconds, burst, steady) = result?;

    let report = WebhookBenchReport {
        backend: producer.queues.kind().to_string(),
        endpoints: k,
        concurrency: settings.webhooks.concurrency,
        per_endpoint_concurrency: settings.webhooks.per_endpoint_concurrency,
        events: args.webhook_events,
        deliveries: received,
        seconds,
        deliveries_per_second: received as f64 / seconds.max(1e-9),
        burst_latency: burst,
        offered_rate: args.webhook_rate,
        steady_latency: steady,
        signature_failures: receiver.bad.load(Ordering::Relaxed),
        duplicates: receiver.duplicates.load(Ordering::Relaxed),
        daemon_rss_max_mib: rss_max.load(Ordering::Relaxed) as f64 / 1024.0,
        daemon_rss_peak_mib: peak_kib as f64 / 1024.0,
    };
    if json_out {
        output::json(&report)?;
        return Ok(crate::exit::SUCCESS);
    }
    let lat = |l: &Latency| {
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} deliveries)",
            l.p50_ms, l.p99_ms, l.max_ms, l.deliveries
        )
    };
    output::fields(&[
        ("backend", report.backend.clone()),
        (
            "endpoints",
            format!(
                "{} (webhooks.concurrency {}, per endpoint {})",
                k, report.concurrency, report.per_endpoint_concurrency
            ),
        ),
        (
            "throughput",
            format!(
                "{:.0} deliveries/s ({} deliveries of {} events in {:.2} s, signed, verified)",
                report.deliveries_per_second, report.deliveries, report.events, report.seconds
            ),
        ),
        ("burst latency", lat(&report.burst_latency)),
        (
            "steady latency",
            format!(
                "{} at {} deliveries/s, event added to delivery received",
                lat(&report.steady_latency),
                report.offered_rate
            ),
        ),
        (
            "receiver",
            format!(
                "{} failed checks, {} duplicates",
                report.signature_failures, report.duplicates
            ),
        ),
        (
            "daemon RSS",
            format!(
                "max sampled {:.1} MiB, peak {:.1} MiB",
                report.daemon_rss_max_mib, report.daemon_rss_peak_mib
            ),
        ),
    ])?;
    Ok(crate::exit::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_uuids_that_carry_their_sequence() {
        let id = event_id(0x1234abcd, 4242);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        assert_eq!(seq_of(&id), Some(4242));
    }
}
