//! The integration test binary: one module per area.

mod assets;
mod cli_basics;
mod redis_support;
mod support;
mod webhook_sign;

mod bull_backend;
mod bull_interop;
