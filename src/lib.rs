//! slotbase: the operator's command line and the daemon of an event-driven booking platform.
//!
//! One binary does both. The layout follows the architecture:
//!
//! - [`cli`]: one module per command group (`emit`, `events`, `queue`, `config`, ...), each
//!   parsing its flags, calling the library and handing results to [`output`].
//! - [`settings`]: configuration layers (embedded `config.example.toml`, file, `SLOTBASE_*`
//!   environment, flags).
//! - [`event`]: the `DomainEvent` envelope and the seed-1 legacy shape, the catalog of every
//!   event type, mock generation and validation.
//! - [`queue`]: the [`queue::QueueBackend`] trait with Bull v4's semantics, its Redis
//!   backend in Bull's own layout, its embedded SQLite backend and their shared
//!   conformance suite.
//! - [`webhook`]: signing and verification of webhooks (SlotBase and Standard Webhooks
//!   schemes), shared by the CLI and the delivery worker.
//! - [`db`]: the embedded SQLite file: one writer thread, pooled readers, migrations.
//! - [`output`]: the only code that writes to stdout (tables, JSON).
//! - [`exit`]: the stable exit codes and the mapping from errors to them.

pub mod bench;
pub mod cli;
pub mod daemon;
pub mod db;
pub mod event;
pub mod exit;
pub mod metrics;
pub mod notify;
pub mod output;
pub mod queue;
pub mod settings;
pub mod store;
pub mod util;
pub mod webhook;
