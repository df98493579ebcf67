//! The integration test binary: one module per area.

mod assets;
mod cli_basics;
mod support;
mod webhook_sign;
