//! Outgoing webhooks: endpoints, fan-out, signed delivery and how a receiver checks it.
//!
//! - [`signing`]: the two wire schemes slotbase speaks (SlotBase's hex HMAC over
//!   `{timestamp}.{payload}` and Standard Webhooks' `v1,<base64>` over
//!   `{id}.{timestamp}.{payload}`), secrets and their rotation, verification with a reason
//!   for every failure, and the parsing of a captured HTTP request. The CLI's
//!   `webhook sign|verify` and the delivery worker use this one module so both agree on
//!   every byte.
//! - [`endpoint`]: seed 2's WebhookConfig, which events an endpoint receives, delivery ids.
//! - [`store`]: endpoints and one record per delivery attempt (seed 2's WebhookDelivery).
//! - [`mapping`]: Zapier-style payload mapping with Liquid templates.
//! - [`ssrf`]: the connect-time guard against private and internal addresses.
//! - [`client`]: the HTTP client deliveries go out through, with that guard and kept
//!   connections.
//! - [`delivery`]: fan-out of an event to its endpoints, the HTTP attempt, and the daemon's
//!   delivery worker with retries, dead letters and auto-disable.
//! - [`bench`]: `bench --webhooks`, delivery measured end to end through a real daemon.

pub mod bench;
pub mod client;
pub mod delivery;
pub mod endpoint;
pub mod mapping;
pub mod signing;
pub mod ssrf;
pub mod store;
