//! The integration test binary: one module per area.

mod assets;
mod cli_basics;
mod conformance_sqlite;
mod daemon;
mod daemon_process;
mod emit;
mod events;
mod queue_cli;
mod support;
mod two_process;
mod webhook_sign;
