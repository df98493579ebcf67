//! The integration test binary: one module per area.

mod assets;
mod bull_backend;
mod bull_interop;
mod bull_worker;
mod cli_basics;
mod conformance_redis;
mod conformance_sqlite;
mod daemon;
mod daemon_process;
mod emit;
mod events;
mod queue_cli;
mod redis_cli;
mod redis_support;
mod support;
mod two_process;
mod webhook_sign;
mod webhooks;
