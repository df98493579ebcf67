//! The event model: the seed-2 `DomainEvent` envelope (canonical) and the seed-1 legacy
//! shape, the catalog of every event type of both seeds, mock generation, typed overrides,
//! validation, and parsing of incoming events of either shape.
//!
//! - `catalog`: every type, its fields per form, its seeds and envelope context fields.
//! - `envelope`: the envelopes as schemas; validation, `--set`, merge patches, parsing.
//! - `mock`: reproducible realistic events.

pub mod catalog;
pub mod envelope;
pub mod mock;

use serde::{Deserialize, Serialize};

pub use catalog::{
    ContextField, EventType, FACILITY_WEBHOOK_EVENTS, Field, FieldType, Seed, catalog, lookup,
    names,
};
pub use envelope::{Incoming, envelope_fields};
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
    #[error("unknown event type \"{name}\"{} See the catalog with: slotbase events list", did_you_mean(.suggestions))]
    UnknownType {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("unknown field \"{path}\" for {event_type}{} See its fields with: slotbase events show {event_type}", did_you_mean(.suggestions))]
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
        [] => ".".into(),
        [one] => format!("; did you mean \"{one}\"?"),
        [best, others @ ..] => format!(
            "; did you mean \"{best}\"? (also close: {})",
            others.join(", ")
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
/// `data.participants=[...]` (JSON), `data.participants.0.name=Léa Martin`, or an envelope
/// field such as `facilityId` or `metadata.clientIp`. Setting a data field that feeds a
/// context field of the domain envelope (e.g. `data.bookerId` → `userId`) updates both.
pub fn apply_set(
    envelope: &mut serde_json::Value,
    ty: &EventType,
    format: Format,
    path: &str,
    raw: &str,
) -> Result<(), EventError> {
    envelope::apply_set(envelope, ty, format, path, raw)
}

/// Merge a JSON object over an envelope: over `data` when the patch is a data object, over
/// the whole envelope when the patch itself has a `data` key. RFC 7386 semantics: nested
/// objects merge, `null` removes a field, anything else replaces.
pub fn merge_patch(
    envelope: &mut serde_json::Value,
    patch: serde_json::Value,
) -> Result<(), EventError> {
    envelope::merge_patch(envelope, patch)
}

/// Check an envelope against its type: envelope fields, required data fields present,
/// every value of the declared type, enum values from the seed's unions, no unknown fields.
pub fn validate(
    envelope: &serde_json::Value,
    ty: &EventType,
    format: Format,
) -> Result<(), EventError> {
    envelope::validate(envelope, ty, format)
}

/// Parse an event as it arrives from a queue or over HTTP, in either shape: a seed-2
/// `DomainEvent` (`id`, `type`) or a seed-1 event (`eventId`, `eventType`). Only what every
/// consumer relies on is checked (an id, a type, a data object, a valid timestamp if any);
/// check the rest with [`validate`] when the type is catalogued.
pub fn parse_incoming(bytes: &[u8]) -> Result<Incoming, EventError> {
    envelope::parse_incoming(bytes)
}

#[cfg(test)]
mod tests;
