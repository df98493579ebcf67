//! Realistic mock events: the envelope of either form around data of the seed whose shape
//! the form carries, reproducible from a seed.
//!
//! With a seed, everything (ids, names, amounts and times) comes from one SplitMix64 stream
//! and a clock that starts at a fixed base, so the same seed gives byte-identical events on
//! any machine, any day. Without one, the stream is seeded from the clock and times are now.

mod rng;
mod seed1;
mod seed2;
mod words;

use chrono::{DateTime, TimeZone as _};
use serde_json::{Map, Value, json};

use super::catalog::Seed;
use super::{EnvelopeDefaults, EventType, Format};
use crate::util::iso_ms;

pub(crate) use rng::Rand;

pub(crate) const MINUTE_MS: i64 = 60_000;
pub(crate) const HOUR_MS: i64 = 60 * MINUTE_MS;

/// Where the seeded clock starts: 2026-01-01T00:00:00Z.
const SEEDED_BASE_MS: i64 = 1_767_225_600_000;

/// A reproducible generator of mock events.
pub struct MockGen {
    rng: Rand,
    /// The seeded clock, advanced a little for every event; `None` means wall-clock time.
    clock_ms: Option<i64>,
}

impl MockGen {
    /// A generator; the same seed gives the same events.
    pub fn new(seed: Option<u64>) -> Self {
        match seed {
            Some(seed) => {
                let mut rng = Rand::new(seed);
                let start = SEEDED_BASE_MS + rng.below(60 * 24 * 3600) as i64 * 1000;
                MockGen {
                    rng,
                    clock_ms: Some(start),
                }
            }
            None => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0);
                let entropy = nanos ^ (u64::from(std::process::id()) << 40);
                MockGen {
                    rng: Rand::new(entropy),
                    clock_ms: None,
                }
            }
        }
    }

    /// The time of the next event.
    fn tick(&mut self) -> i64 {
        match &mut self.clock_ms {
            Some(clock) => {
                *clock += self.rng.between(1_000, 120_000);
                *clock
            }
            None => chrono::Utc::now().timestamp_millis(),
        }
    }

    /// One complete envelope of `ty` in `format`.
    pub fn event(
        &mut self,
        ty: &EventType,
        format: Format,
        defaults: &EnvelopeDefaults,
    ) -> serde_json::Value {
        let now = self.tick();
        let r = &mut self.rng;
        let data = match ty.shape_seed(format) {
            Seed::Notification => seed1::data(r, ty.name, now),
            Seed::Hooks => seed2::data(r, ty.name, now),
        };
        match format {
            Format::Legacy => json!({
                "eventType": ty.name,
                "eventId": r.uuid(),
                "timestamp": iso_ms(now),
                "data": data,
            }),
            Format::Domain => {
                let mut env = Map::new();
                env.insert("id".into(), json!(r.uuid()));
                env.insert("type".into(), json!(ty.name));
                env.insert("version".into(), json!("1.0"));
                env.insert("timestamp".into(), json!(iso_ms(now)));
                // The bus stamps `timestamp` a moment after the service saw it happen.
                env.insert(
                    "occurredAt".into(),
                    json!(iso_ms(now - r.between(0, 1_500))),
                );
                env.insert("source".into(), json!(defaults.source));
                env.insert("correlationId".into(), json!(r.uuid()));
                // Events caused by another event carry its id; the field is omitted, never
                // null, when there is none.
                if r.chance(50) {
                    env.insert("causationId".into(), json!(r.uuid()));
                }
                for c in ty.context {
                    let value = match c.from {
                        Some(field) => data.get(field).cloned(),
                        None => Some(json!(r.uuid())),
                    };
                    if let Some(v) = value {
                        env.insert(c.name.into(), v);
                    }
                }
                env.insert("data".into(), data);
                let mut meta = Map::new();
                meta.insert("environment".into(), json!(defaults.environment));
                // Events from scheduled jobs have no client; most come from one.
                if r.chance(80) {
                    let ip = format!(
                        "{}.{}",
                        r.pick(&["203.0.113", "198.51.100", "192.0.2"]),
                        r.between(1, 254)
                    );
                    meta.insert("clientIp".into(), json!(ip));
                    meta.insert("userAgent".into(), json!(r.pick(words::USER_AGENTS)));
                }
                env.insert("metadata".into(), Value::Object(meta));
                Value::Object(env)
            }
        }
    }
}

/// An ISO-8601 UTC time to the second, as the seeds write business times.
pub(crate) fn iso_s(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

/// Round to cents.
pub(crate) fn money(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// A slot of `minutes`, `days` after the local date of `now` (negative: before), starting on the hour or half hour
/// between `hours` local time in `tz`. Returns UTC ms (start, end).
pub(crate) fn local_slot(
    r: &mut Rand,
    now: i64,
    tz: &str,
    days: (i64, i64),
    hours: (i64, i64),
    minutes: i64,
) -> (i64, i64) {
    let zone: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let day = r.between(days.0, days.1);
    let hour = r.between(hours.0, hours.1) as u32;
    let minute = if r.chance(50) { 0 } else { 30 };
    let fallback = (now / HOUR_MS + day * 24) * HOUR_MS;
    let start = DateTime::from_timestamp_millis(now)
        .map(|t| t.with_timezone(&zone).date_naive())
        .and_then(|d| {
            if day >= 0 {
                d.checked_add_days(chrono::Days::new(day as u64))
            } else {
                d.checked_sub_days(chrono::Days::new(day.unsigned_abs()))
            }
        })
        .and_then(|d| d.and_hms_opt(hour, minute, 0))
        // In a DST gap the local time does not exist; the slot then starts in UTC terms.
        .and_then(|naive| zone.from_local_datetime(&naive).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or(fallback);
    (start, start + minutes * MINUTE_MS)
}
