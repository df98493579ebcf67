//! The store in the embedded SQLite file.
