//! Every metric slotbase exports, in one place, and a small registry that renders the
//! Prometheus text exposition format (version 0.0.4).
//!
//! Names follow `slotbase_<name>_<unit>[_total]` and map the seed's EVENT_METRICS:
//!
//! | seed name | exported as |
//! |---|---|
//! | events.published.total | `slotbase_events_published_total{type}` |
//! | events.processed.total | `slotbase_events_processed_total{type}` |
//! | events.failed.total | `slotbase_events_failed_total{type}` |
//! | events.processing.duration | `slotbase_events_processing_duration_seconds{type}` (histogram) |
//! | webhooks.delivery.duration | `slotbase_webhooks_delivery_duration_seconds{endpoint}` (histogram) |
//! | events.queue.size | `slotbase_events_queue_size{queue,state}` (gauge) |
//! | webhooks.pending.count | `slotbase_webhooks_pending` (gauge; promtool rejects `_count` on a gauge) |
//! | dead_letter.size | `slotbase_dead_letter_size` (gauge) |
//!
//! A hand-rolled registry (a mutex around a few maps) keeps the exposition exact and lets
//! several daemons live in one test process, which a global recorder would not.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

pub const EVENTS_PUBLISHED: &str = "slotbase_events_published_total";
pub const EVENTS_PROCESSED: &str = "slotbase_events_processed_total";
pub const EVENTS_FAILED: &str = "slotbase_events_failed_total";
pub const EVENTS_PROCESSING_DURATION: &str = "slotbase_events_processing_duration_seconds";
pub const HANDLER_RUNS: &str = "slotbase_handler_runs_total";
pub const WEBHOOKS_DELIVERY_DURATION: &str = "slotbase_webhooks_delivery_duration_seconds";
pub const WEBHOOK_DELIVERIES: &str = "slotbase_webhook_deliveries_total";
pub const EVENTS_QUEUE_SIZE: &str = "slotbase_events_queue_size";
pub const WEBHOOKS_PENDING: &str = "slotbase_webhooks_pending";
pub const DEAD_LETTER_SIZE: &str = "slotbase_dead_letter_size";
pub const NOTIFICATIONS_CREATED: &str = "slotbase_notifications_created_total";

/// Help text of each metric, as exported.
const HELP: &[(&str, &str)] = &[
    (EVENTS_PUBLISHED, "Events published by this process."),
    (
        EVENTS_PROCESSED,
        "Events processed (every handler succeeded or was skipped).",
    ),
    (
        EVENTS_FAILED,
        "Events that failed (retried or dead-lettered).",
    ),
    (
        EVENTS_PROCESSING_DURATION,
        "Time to run every handler of an event.",
    ),
    (HANDLER_RUNS, "Handler runs by handler and outcome."),
    (
        WEBHOOKS_DELIVERY_DURATION,
        "Duration of webhook delivery attempts.",
    ),
    (
        WEBHOOK_DELIVERIES,
        "Webhook delivery attempts by endpoint and outcome.",
    ),
    (EVENTS_QUEUE_SIZE, "Jobs per queue and state."),
    (WEBHOOKS_PENDING, "Webhook deliveries waiting to be sent."),
    (DEAD_LETTER_SIZE, "Unresolved dead-letter entries."),
    (NOTIFICATIONS_CREATED, "Notifications created by channel."),
];

/// Histogram buckets, in seconds.
pub const DURATION_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A series' labels as the exposition writes them (`{queue="a",state="wait"}`, or empty
/// for none). Keying series by this text lets a hit find its series without allocating,
/// and rendering reuses it as is.
type SeriesKey = String;

struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; DURATION_BUCKETS.len()],
            sum: 0.0,
            count: 0,
        }
    }
}

#[derive(Default)]
struct Inner {
    counters: BTreeMap<&'static str, BTreeMap<SeriesKey, u64>>,
    gauges: BTreeMap<&'static str, BTreeMap<SeriesKey, f64>>,
    histograms: BTreeMap<&'static str, BTreeMap<SeriesKey, Histogram>>,
    /// The key being looked up, reused from call to call.
    scratch: String,
}

/// The metrics of one daemon.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// Write the series key of `pairs` into `out`.
fn series_key(out: &mut String, pairs: &[(&str, &str)]) {
    out.clear();
    if pairs.is_empty() {
        return;
    }
    out.push('{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push_str("=\"");
        if v.contains(['\\', '"', '\n']) {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
        } else {
            out.push_str(v);
        }
        out.push('"');
    }
    out.push('}');
}

/// The series of metric `name` whose key is in `scratch`, created on first use.
fn series<'a, T: Default>(
    metric: &'a mut BTreeMap<&'static str, BTreeMap<SeriesKey, T>>,
    name: &'static str,
    scratch: &str,
) -> &'a mut T {
    let all = metric.entry(name).or_default();
    if !all.contains_key(scratch) {
        all.insert(scratch.to_string(), T::default());
    }
    all.get_mut(scratch).expect("inserted above")
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn inc(&self, name: &'static str, pairs: &[(&str, &str)]) {
        self.add(name, pairs, 1);
    }

    pub fn add(&self, name: &'static str, pairs: &[(&str, &str)], n: u64) {
        let mut inner = self.lock();
        let Inner {
            counters, scratch, ..
        } = &mut *inner;
        series_key(scratch, pairs);
        *series(counters, name, scratch) += n;
    }

    pub fn set(&self, name: &'static str, pairs: &[(&str, &str)], value: f64) {
        let mut inner = self.lock();
        let Inner {
            gauges, scratch, ..
        } = &mut *inner;
        series_key(scratch, pairs);
        *series(gauges, name, scratch) = value;
    }

    pub fn observe(&self, name: &'static str, pairs: &[(&str, &str)], seconds: f64) {
        let mut inner = self.lock();
        let Inner {
            histograms,
            scratch,
            ..
        } = &mut *inner;
        series_key(scratch, pairs);
        let h = series(histograms, name, scratch);
        for (i, le) in DURATION_BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The value of a counter (0 when never incremented), for tests and summaries.
    pub fn counter(&self, name: &'static str, pairs: &[(&str, &str)]) -> u64 {
        let mut key = String::new();
        series_key(&mut key, pairs);
        self.lock()
            .counters
            .get(name)
            .and_then(|m| m.get(&key))
            .copied()
            .unwrap_or(0)
    }

    /// Render the Prometheus text format.
    pub fn render(&self) -> String {
        let inner = self.lock();
        let mut out = String::new();
        let help = |name: &str| {
            HELP.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, h)| *h)
                .unwrap_or("")
        };
        // Counters and gauges that were declared always appear, so dashboards see zeros.
        for (name, series) in &inner.counters {
            let _ = writeln!(out, "# HELP {name} {}", help(name));
            let _ = writeln!(out, "# TYPE {name} counter");
            for (l, v) in series {
                let _ = writeln!(out, "{name}{l} {v}");
            }
        }
        for (name, series) in &inner.gauges {
            let _ = writeln!(out, "# HELP {name} {}", help(name));
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (l, v) in series {
                let _ = writeln!(out, "{name}{l} {}", fmt_f64(*v));
            }
        }
        for (name, series) in &inner.histograms {
            let _ = writeln!(out, "# HELP {name} {}", help(name));
            let _ = writeln!(out, "# TYPE {name} histogram");
            for (l, h) in series {
                for (i, le) in DURATION_BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{} {}",
                        with_le(l, &fmt_f64(*le)),
                        h.counts[i]
                    );
                }
                let _ = writeln!(out, "{name}_bucket{} {}", with_le(l, "+Inf"), h.count);
                let _ = writeln!(out, "{name}_sum{l} {}", fmt_f64(h.sum));
                let _ = writeln!(out, "{name}_count{l} {}", h.count);
            }
        }
        out
    }
}

fn fmt_f64(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A histogram series' key with its bucket's `le` label added.
fn with_le(key: &str, le: &str) -> String {
    match key.strip_suffix('}') {
        Some(open) => format!("{open},le=\"{le}\"}}"),
        None => format!("{{le=\"{le}\"}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_histograms() {
        let m = Metrics::new();
        m.inc(EVENTS_PROCESSED, &[("type", "booking.confirmed")]);
        m.inc(EVENTS_PROCESSED, &[("type", "booking.confirmed")]);
        m.set(DEAD_LETTER_SIZE, &[], 3.0);
        m.observe(EVENTS_PROCESSING_DURATION, &[("type", "a\"b")], 0.003);
        let text = m.render();
        assert!(text.contains("slotbase_events_processed_total{type=\"booking.confirmed\"} 2"));
        assert!(text.contains("# TYPE slotbase_dead_letter_size gauge\n"));
        assert!(text.contains("slotbase_dead_letter_size 3\n"));
        assert!(text.contains("le=\"0.0025\"} 0"), "{text}");
        assert!(text.contains("le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 1"));
        assert!(text.contains("type=\"a\\\"b\""));
    }
}
