//! The event model: the seed-2 `DomainEvent` envelope (canonical) and the seed-1 legacy
//! shape, the catalog of every event type of both seeds, mock generation, typed overrides
//! and validation.

pub mod catalog;
pub mod mock;

use serde::{Deserialize, Serialize};

pub use catalog::{EventType, Field, FieldType, Seed, catalog, lookup};
pub use mock::MockGen;

/// The two wire shapes of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The seed-2 `DomainEvent` envelope: id, type, version, timestamp, occurredAt, source,
    /// correlationId, causationId, facilityId/userId/organizationId, data, metadata.
    Domain,
    /// The seed-1 booking-service shape: `{eventType, eventId, timestamp, data}`.
    Legacy,
}

/// Values that go into every generated envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeDefaults {
    /// `source` of domain events, e.g. `booking-service`.
    pub source: String,
    /// `metadata.environment`: production, staging or development.
    pub environment: String,
}

/// A mistake in an event or in an override, phrased for the user who made it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("unknown event type \"{name}\"{}; see the catalog with: slotbase events list", did_you_mean(.suggestions))]
    UnknownType {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("unknown field \"{path}\" for {event_type}{}; see its fields with: slotbase events show {event_type}", did_you_mean(.suggestions))]
    UnknownField {
        event_type: String,
        path: String,
        suggestions: Vec<String>,
    },
    #[error("field \"{path}\" expects {expected}, got {found}")]
    WrongType {
        path: String,
        expected: String,
        found: String,
    },
    #[error("required field \"{path}\" is missing")]
    Missing { path: String },
    #[error("invalid JSON in {origin} at line {line}, column {column}: {message}")]
    InvalidJson {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean \"{one}\"?"),
        many => format!(
            "; did you mean one of {}?",
            many.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Parse JSON text, reporting line and column of a syntax error. `origin` names the input
/// in messages (`--data`, a file path, `stdin`).
pub fn parse_json(text: &str, origin: &str) -> Result<serde_json::Value, EventError> {
    serde_json::from_str(text).map_err(|e| EventError::InvalidJson {
        origin: origin.to_string(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or("")
            .to_string(),
    })
}

/// Set one field of an envelope from a command-line string, typed by the catalog:
/// `data.userId=user_001`, `data.priceAmount=45.5`, `data.isRecurring=true`,
/// `data.participants=[...]` (JSON), or an envelope field such as `facilityId`.
pub fn apply_set(
    envelope: &mut serde_json::Value,
    ty: &EventType,
    format: Format,
    path: &str,
    raw: &str,
) -> Result<(), EventError> {
    let _ = (envelope, ty, format, path, raw);
    todo!("apply_set")
}

/// Merge a JSON object over an envelope: over `data` when the patch is a data object, over
/// the whole envelope when the patch itself has a `data` key.
pub fn merge_patch(
    envelope: &mut serde_json::Value,
    patch: serde_json::Value,
) -> Result<(), EventError> {
    let _ = (envelope, patch);
    todo!("merge_patch")
}

/// Check an envelope against its type: envelope fields, required data fields present,
/// every value of the declared type, enum values from the seed's unions.
pub fn validate(
    envelope: &serde_json::Value,
    ty: &EventType,
    format: Format,
) -> Result<(), EventError> {
    let _ = (envelope, ty, format);
    todo!("validate")
}
