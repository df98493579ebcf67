//! The embedded queue: Bull's states and semantics in one SQLite file (WAL).
// Implementation in progress.
use std::path::Path;

use super::QueueError;

/// The embedded SQLite queue backend.
pub struct SqliteQueue {}

impl SqliteQueue {
    pub async fn open(path: &Path) -> Result<Self, QueueError> {
        Err(QueueError::Backend(format!(
            "embedded queue at {} is not available yet",
            path.display()
        )))
    }
}
