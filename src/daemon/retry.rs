//! Per-handler retry policies: the seed's RETRY_CONFIG (3 retries, 1 s, ×2, capped at
//! 60 s) with per-handler overrides (notification 5, payment 0, webhook 5 capped at 1 h),
//! and jitter so that retries of many events do not arrive together.

use std::time::Duration;

use crate::settings::RetrySettings;

/// How one handler is retried.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = dead-letter on the first failure).
    pub max_retries: u32,
    pub delay_ms: u64,
    pub max_delay_ms: u64,
    pub multiplier: f64,
    /// Each delay is scaled by a random factor in [1 − jitter, 1 + jitter].
    pub jitter: f64,
}

impl RetryPolicy {
    /// The policy of `handler` (`forward:refunds` also matches an override named `forward`).
    pub fn for_handler(cfg: &RetrySettings, handler: &str) -> RetryPolicy {
        let base = RetryPolicy {
            max_retries: cfg.default_max_retries,
            delay_ms: cfg.default_delay_ms,
            max_delay_ms: cfg.max_delay_ms,
            multiplier: cfg.backoff_multiplier,
            jitter: cfg.jitter,
        };
        let family = handler.split(':').next().unwrap_or(handler);
        let Some(o) = cfg
            .handlers
            .get(handler)
            .or_else(|| cfg.handlers.get(family))
        else {
            return base;
        };
        RetryPolicy {
            max_retries: o.max_retries.unwrap_or(base.max_retries),
            delay_ms: o.delay_ms.unwrap_or(base.delay_ms),
            max_delay_ms: o.max_delay_ms.unwrap_or(base.max_delay_ms),
            multiplier: o.backoff_multiplier.unwrap_or(base.multiplier),
            jitter: base.jitter,
        }
    }

    /// Whether another attempt is allowed after `failures` failed attempts.
    pub fn can_retry(&self, failures: u32) -> bool {
        failures <= self.max_retries
    }

    /// The delay before retry number `retry` (1 for the first retry), without jitter:
    /// delay × multiplier^(retry−1), capped.
    pub fn base_delay(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(64) as i32;
        let ms = (self.delay_ms as f64) * self.multiplier.powi(exp);
        Duration::from_millis(ms.min(self.max_delay_ms as f64) as u64)
    }

    /// The delay before retry number `retry`, with jitter (never above the cap).
    pub fn delay(&self, retry: u32) -> Duration {
        let base = self.base_delay(retry).as_millis() as f64;
        let unit = (uuid::Uuid::new_v4().as_u128() % 1_000_000) as f64 / 1_000_000.0;
        let factor = 1.0 + self.jitter * (2.0 * unit - 1.0);
        Duration::from_millis((base * factor).min(self.max_delay_ms as f64).max(0.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{FlagOverrides, Settings};

    fn cfg() -> RetrySettings {
        Settings::load_from(&FlagOverrides::default(), &[])
            .unwrap()
            .0
            .retry
    }

    #[test]
    fn seed_defaults_and_overrides() {
        let c = cfg();
        let d = RetryPolicy::for_handler(&c, "analytics");
        assert_eq!(d.max_retries, 3);
        assert_eq!(d.base_delay(1), Duration::from_secs(1));
        assert_eq!(d.base_delay(2), Duration::from_secs(2));
        assert_eq!(d.base_delay(3), Duration::from_secs(4));
        assert_eq!(d.base_delay(20), Duration::from_secs(60));
        assert_eq!(RetryPolicy::for_handler(&c, "notification").max_retries, 5);
        assert_eq!(RetryPolicy::for_handler(&c, "payment").max_retries, 0);
        let w = RetryPolicy::for_handler(&c, "webhook");
        assert_eq!(w.base_delay(30), Duration::from_secs(3600));
        assert!(!RetryPolicy::for_handler(&c, "payment").can_retry(1));
        assert!(d.can_retry(3) && !d.can_retry(4));
    }

    #[test]
    fn jitter_stays_in_bounds() {
        let p = RetryPolicy::for_handler(&cfg(), "analytics");
        for _ in 0..200 {
            let ms = p.delay(2).as_millis();
            assert!((1600..=2400).contains(&ms), "{ms}");
        }
    }
}
