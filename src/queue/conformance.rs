//! The behavioural suite every [`super::QueueBackend`] must pass.
