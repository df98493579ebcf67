//! Redis queues in Bull v4's layout.
// Implementation in progress.
use super::QueueError;

/// A Bull v4 compatible Redis backend.
pub struct BullQueue {}

impl BullQueue {
    pub async fn connect(url: &str, _prefix: &str) -> Result<Self, QueueError> {
        Err(QueueError::Backend(format!(
            "Redis queues at {url} are not available yet"
        )))
    }
}
