//! Realistic mock events.

use super::{EnvelopeDefaults, EventType, Format};

/// A reproducible generator of mock events.
pub struct MockGen {}

impl MockGen {
    /// A generator; the same seed gives the same events.
    pub fn new(seed: Option<u64>) -> Self {
        let _ = seed;
        MockGen {}
    }

    /// One complete envelope of `ty` in `format`.
    pub fn event(
        &mut self,
        ty: &EventType,
        format: Format,
        defaults: &EnvelopeDefaults,
    ) -> serde_json::Value {
        let _ = (ty, format, defaults);
        todo!("mock event")
    }
}
