//! Measurements for `slotbase bench --backend redis`.
