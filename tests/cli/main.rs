//! The integration test binary: one module per area.

mod support;
mod webhook_sign;
