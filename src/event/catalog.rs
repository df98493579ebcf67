//! Every event type of both seeds, with its fields.
use super::EventError;

/// Which design document defines an event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Seed {
    /// Seed 1: the notification service (booking-service events, reminders, tickets).
    #[serde(rename = "notification-service")]
    Notification,
    /// Seed 2: the SlotBase hooks and events spec.
    #[serde(rename = "hooks-and-events")]
    Hooks,
}

/// The type of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Integer,
    Boolean,
    /// An ISO-8601 date-time string.
    DateTime,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// An array of values of one type.
    Array(&'static FieldType),
    /// An object with these fields.
    Object(&'static [Field]),
    /// Any JSON object.
    AnyObject,
}

/// One field of an event's `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

/// One catalogued event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventType {
    pub name: &'static str,
}

/// Every catalogued type.
pub fn catalog() -> &'static [EventType] {
    &[]
}

/// Find a type by name, or say which names are closest.
pub fn lookup(name: &str) -> Result<&'static EventType, EventError> {
    Err(EventError::UnknownType {
        name: name.to_string(),
        suggestions: vec![],
    })
}
