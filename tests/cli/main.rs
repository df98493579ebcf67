//! The integration test binary: one module per area.

mod assets;
mod cli_basics;
mod conformance_redis;
mod conformance_sqlite;
mod redis_support;
mod support;
mod two_process;
mod webhook_sign;

mod bull_backend;
mod bull_bench;
mod bull_interop;
mod bull_worker;
