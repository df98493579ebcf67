//! The integration test binary: one module per area.

mod redis_support;
mod support;

mod bull_backend;
