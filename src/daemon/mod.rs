//! `slotbase daemon`: processors, handlers, the HTTP listener and systemd integration,
//! all under one cancellation token.
//!
//! Start-up: open the store and the queues, bind the HTTP listener, start one consumer per
//! configured queue (plus the retry queue), then tell systemd READY. Shutdown (SIGTERM,
//! SIGINT, or the token): tell systemd STOPPING, stop fetching, let jobs in flight finish
//! within `daemon.shutdown_grace_ms` (a job still running then keeps its lock until it
//! lapses, and the stalled sweep of the next daemon runs it again: nothing is lost), stop
//! the HTTP listener, and let the store's writer drain.

pub mod adder;
pub mod handlers;
pub mod http;
pub mod processor;
pub mod retry;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::metrics::{self, Metrics};
use crate::queue::QueueBackend;
use crate::settings::Settings;
use crate::store::Store;

/// Options of one daemon run beyond the settings.
#[derive(Clone, Debug, Default)]
pub struct DaemonOptions {
    /// Override `daemon.concurrency`.
    pub concurrency: Option<usize>,
    /// Do not start the HTTP listener.
    pub no_http: bool,
    /// Override `http.listen`.
    pub listen: Option<String>,
}

/// What the components share.
pub struct Shared {
    pub settings: Arc<Settings>,
    pub store: Arc<dyn Store>,
    pub queues: Arc<dyn QueueBackend>,
    pub metrics: Arc<Metrics>,
}

impl Shared {
    /// Whether the store and the queues answer.
    pub async fn check_ready(&self) -> Result<(), String> {
        self.store
            .ping()
            .await
            .map_err(|e| format!("store unreachable: {e}"))?;
        let first = self
            .settings
            .daemon
            .queues
            .first()
            .cloned()
            .unwrap_or_else(|| self.settings.daemon.retry_queue.clone());
        self.queues
            .counts(&first)
            .await
            .map_err(|e| format!("queues unreachable ({}): {e}", self.queues.location()))?;
        Ok(())
    }

    /// Update the gauges (queue sizes, dead letters) from the source of truth.
    pub async fn refresh_gauges(&self) {
        let mut names = self.settings.daemon.queues.clone();
        names.push(self.settings.daemon.retry_queue.clone());
        for q in &names {
            if let Ok(c) = self.queues.counts(q).await {
                for (state, n) in [
                    ("waiting", c.waiting),
                    ("active", c.active),
                    ("delayed", c.delayed),
                    ("paused", c.paused),
                    ("completed", c.completed),
                    ("failed", c.failed),
                ] {
                    self.metrics.set(
                        metrics::EVENTS_QUEUE_SIZE,
                        &[("queue", q), ("state", state)],
                        n as f64,
                    );
                }
            }
        }
        if let Ok(n) = self.store.open_dead_letters().await {
            self.metrics.set(metrics::DEAD_LETTER_SIZE, &[], n as f64);
        }
        if let Ok(c) = self.queues.counts(&self.settings.webhooks.queue).await {
            self.metrics.set(
                metrics::WEBHOOKS_PENDING,
                &[],
                (c.waiting + c.delayed) as f64,
            );
        }
    }
}

/// A running daemon.
pub struct Daemon {
    /// Cancel to stop the daemon.
    pub stop: CancellationToken,
    /// The HTTP listener's address, when it runs.
    pub http_addr: Option<SocketAddr>,
    pub shared: Arc<Shared>,
    tracker: TaskTracker,
    grace: Duration,
}

impl Daemon {
    /// Open everything and start the components.
    pub async fn start(settings: Settings, opts: DaemonOptions) -> anyhow::Result<Daemon> {
        let mut settings = settings;
        if let Some(c) = opts.concurrency {
            anyhow::ensure!(c > 0, "--concurrency must be at least 1");
            settings.daemon.concurrency = c;
        }
        if let Some(l) = &opts.listen {
            settings.http.listen = l.clone();
        }
        let settings = Arc::new(settings);
        let store = crate::store::open(&settings).await?;
        let queues = crate::queue::open(&settings).await?;
        let metrics = Arc::new(Metrics::new());
        http::declare(&metrics);
        let shared = Arc::new(Shared {
            settings: settings.clone(),
            store,
            queues,
            metrics,
        });
        let stop = CancellationToken::new();
        let tracker = TaskTracker::new();

        let mut http_addr = None;
        if settings.http.enabled && !opts.no_http {
            let listener = http::bind(&settings.http.listen).await?;
            http_addr = Some(listener.local_addr()?);
            let (s, t) = (shared.clone(), stop.child_token());
            tracker.spawn(async move {
                if let Err(e) = http::serve(listener, s, t).await {
                    tracing::error!(error = %format!("{e:#}"), "HTTP listener failed");
                }
            });
        }

        let processor = Arc::new(processor::Processor {
            store: shared.store.clone(),
            queues: shared.queues.clone(),
            adder: adder::Adder::new(shared.queues.clone()),
            settings: settings.clone(),
            metrics: shared.metrics.clone(),
        });
        let mut queue_names = settings.daemon.queues.clone();
        if !queue_names.contains(&settings.daemon.retry_queue) {
            queue_names.push(settings.daemon.retry_queue.clone());
        }
        for q in queue_names {
            consume::spawn(
                &tracker,
                shared.clone(),
                processor.clone(),
                q,
                stop.child_token(),
            );
        }

        if let Some(webhooks) = shared.store.webhooks() {
            let worker = crate::webhook::delivery::DeliveryWorker::new(
                webhooks,
                shared.store.clone(),
                settings.clone(),
                shared.metrics.clone(),
            )?;
            consume::spawn_deliveries(
                &tracker,
                shared.clone(),
                Arc::new(worker),
                stop.child_token(),
            );
        }

        {
            let (s, t) = (shared.clone(), stop.child_token());
            tracker.spawn(async move { housekeeping(s, t).await });
        }
        tracing::info!(
            backend = shared.queues.kind(),
            location = %shared.queues.location(),
            queues = ?settings.daemon.queues,
            concurrency = settings.daemon.concurrency,
            http = ?http_addr,
            "daemon started"
        );
        Ok(Daemon {
            stop,
            http_addr,
            shared,
            tracker,
            grace: Duration::from_millis(settings.daemon.shutdown_grace_ms),
        })
    }

    /// Stop and wait for the components, within the grace period.
    pub async fn shutdown(self) {
        self.stop.cancel();
        self.tracker.close();
        if tokio::time::timeout(self.grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                grace_ms = self.grace.as_millis() as u64,
                "jobs still running after the grace period; their locks will lapse and they will run again"
            );
        }
    }
}

/// Periodic work: gauges, the dead-letter capacity warning, the systemd watchdog.
async fn housekeeping(shared: Arc<Shared>, stop: CancellationToken) {
    let watchdog = sd_notify::watchdog_enabled();
    let every = watchdog
        .map(|w| (w / 2).min(Duration::from_secs(5)))
        .unwrap_or(Duration::from_secs(5));
    let mut warned_at = 0u64;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        shared.refresh_gauges().await;
        let healthy = shared.store.ping().await.is_ok();
        if healthy && watchdog.is_some() {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        }
        if let Ok(open) = shared.store.open_dead_letters().await {
            let cap = shared.settings.dead_letter.capacity;
            if open >= cap && open != warned_at {
                warned_at = open;
                tracing::error!(
                    open,
                    capacity = cap,
                    "dead letters are over capacity (dead_letter.capacity); nothing is evicted: replay, ignore or purge them (slotbase dlq list)"
                );
            }
        }
    }
}

/// Run the daemon until SIGTERM or SIGINT, with systemd notifications.
pub async fn run(settings: Settings, opts: DaemonOptions) -> anyhow::Result<()> {
    // Handle SIGTERM before telling systemd we are ready: it may stop us right after.
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let daemon = Daemon::start(settings, opts).await?;
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = int.recv() => tracing::info!("SIGINT: shutting down"),
        _ = daemon.stop.cancelled() => {}
    }
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    daemon.shutdown().await;
    tracing::info!("daemon stopped");
    Ok(())
}

mod consume {
    //! One Bull-compatible worker per queue, running the processor.
    use std::sync::Arc;
    use std::time::Duration;

    use tokio_util::sync::CancellationToken;
    use tokio_util::task::TaskTracker;

    use super::Shared;
    use super::processor::Processor;
    use crate::queue::StalledCheck;
    use crate::queue::worker::{Worker, WorkerOptions};

    pub fn spawn(
        tracker: &TaskTracker,
        shared: Arc<Shared>,
        processor: Arc<Processor>,
        queue: String,
        stop: CancellationToken,
    ) {
        let d = &shared.settings.daemon;
        let opts = WorkerOptions {
            concurrency: d.concurrency,
            lease: Duration::from_millis(d.lease_ms),
            block: Duration::from_secs(1),
            stalled: StalledCheck {
                max_stalled_count: d.max_stalled_count,
                interval: Duration::from_millis(d.stalled_interval_ms),
            },
            promote_every: Duration::from_secs(1),
        };
        let q = queue.clone();
        let handler = move |job: crate::queue::Job| {
            let processor = processor.clone();
            let q = q.clone();
            async move { processor.process(&q, &job).await }
        };
        let worker = Worker::new(shared.queues.clone(), &queue, handler).with_options(opts);
        tracker.spawn(async move {
            let report = worker.run(stop).await;
            tracing::info!(queue = %queue, completed = report.completed, retried = report.retried,
                failed = report.failed, lost = report.lost, "consumer stopped");
        });
    }

    /// The webhook delivery worker on `webhooks.queue`.
    pub fn spawn_deliveries(
        tracker: &TaskTracker,
        shared: Arc<Shared>,
        delivery: Arc<crate::webhook::delivery::DeliveryWorker>,
        stop: CancellationToken,
    ) {
        let d = &shared.settings.daemon;
        let w = &shared.settings.webhooks;
        let opts = WorkerOptions {
            // Twice as many jobs as requests in flight: while `webhooks.concurrency`
            // requests are on the wire (the sender's own limit), the next jobs are
            // already claimed and prepared, and finished ones are being recorded.
            concurrency: w.concurrency.saturating_mul(2),
            // Locks are renewed while a delivery runs, so the lease need not cover the timeout.
            lease: Duration::from_millis(d.lease_ms),
            block: Duration::from_secs(1),
            stalled: StalledCheck {
                max_stalled_count: d.max_stalled_count,
                interval: Duration::from_millis(d.stalled_interval_ms),
            },
            promote_every: Duration::from_millis(250),
        };
        let handler = move |job: crate::queue::Job| {
            let delivery = delivery.clone();
            async move { delivery.handle(&job).await }
        };
        let queue = w.queue.clone();
        let worker = Worker::new(shared.queues.clone(), &queue, handler).with_options(opts);
        tracker.spawn(async move {
            let report = worker.run(stop).await;
            tracing::info!(queue = %queue, completed = report.completed, retried = report.retried,
                failed = report.failed, lost = report.lost, "delivery worker stopped");
        });
    }
}
