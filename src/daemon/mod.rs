//! `slotbase daemon`: processors, handlers, the HTTP listener and systemd integration,
//! all under one cancellation token.

pub mod handlers;
pub mod processor;
pub mod retry;
