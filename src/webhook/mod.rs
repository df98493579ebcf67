//! Outgoing webhooks: how a delivery is signed and how a receiver checks it.
//!
//! - [`signing`]: the two wire schemes slotbase speaks (SlotBase's hex HMAC over
//!   `{timestamp}.{payload}` and Standard Webhooks' `v1,<base64>` over
//!   `{id}.{timestamp}.{payload}`), secrets and their rotation, verification with a reason
//!   for every failure, and the parsing of a captured HTTP request. The CLI's
//!   `webhook sign|verify` and the delivery worker use this one module so both agree on
//!   every byte.

pub mod signing;
