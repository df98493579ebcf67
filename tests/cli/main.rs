//! The integration test binary: one module per area.

mod support;
mod assets;
mod cli_basics;
