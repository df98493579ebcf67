//! Exit codes, documented and stable.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | a negative answer (a signature does not verify, a check finds a problem) |
//! | 2 | an error or bad usage |
//! | 78 | an invalid configuration (EX_CONFIG: systemd need not restart-loop) |

use crate::settings::ConfigError;

pub const SUCCESS: i32 = 0;
pub const NEGATIVE: i32 = 1;
pub const ERROR: i32 = 2;
pub const CONFIG: i32 = 78;

/// A command's negative answer: printed, then exit 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Negative(pub String);

/// The exit code for an error, and whether to stay quiet about it.
pub fn code_for(err: &anyhow::Error) -> (i32, bool) {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return (SUCCESS, true);
        }
        if cause.downcast_ref::<ConfigError>().is_some() {
            return (CONFIG, false);
        }
        if cause.downcast_ref::<Negative>().is_some() {
            return (NEGATIVE, false);
        }
    }
    (ERROR, false)
}
