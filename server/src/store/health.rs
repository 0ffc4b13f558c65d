//! Whether the store still takes writes, for `/readyz`.
//!
//! A probe write alone can succeed on a full disk (SQLite rewrites a page it already has,
//! in WAL frames it already has), while the cafés' appends, which grow the database, fail.
//! So the writer also reports every commit: a storage failure (disk full, I/O error,
//! read-only) makes the store unready until a later commit succeeds or, with nothing being
//! written, for [`FAILURE_MEMORY`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a storage failure keeps the store unready when nothing has been written since.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct WriteHealth {
    last_failure: Mutex<Option<(Instant, String)>>,
}

impl WriteHealth {
    pub fn failed(&self, message: &str) {
        if let Ok(mut f) = self.last_failure.lock() {
            *f = Some((Instant::now(), message.to_owned()));
        }
    }

    pub fn succeeded(&self) {
        if let Ok(mut f) = self.last_failure.lock() {
            *f = None;
        }
    }

    /// The recent storage failure, if any.
    pub fn recent_failure(&self) -> Option<String> {
        let f = self.last_failure.lock().ok()?;
        f.as_ref()
            .filter(|(at, _)| at.elapsed() < FAILURE_MEMORY)
            .map(|(_, m)| m.clone())
    }
}

/// Does this SQLite error mean the storage, not the data, is at fault? (SQLite's own
/// messages for SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY and SQLITE_CANTOPEN.)
pub fn is_storage_failure(message: &str) -> bool {
    const SIGNS: [&str; 4] = [
        "database or disk is full",
        "disk I/O error",
        "readonly database",
        "unable to open database file",
    ];
    SIGNS.iter().any(|s| message.contains(s))
}
