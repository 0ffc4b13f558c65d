//! Persistence. A small trait so that SQLite (default, embedded) and later Postgres are
//! interchangeable; the café actor is the only writer of a café's rows.
//!
//! Durability contract: `append` returns only after its transaction committed, and the
//! actor acknowledges commands only after `append` returned.

pub mod health;
pub mod sqlite;

use async_trait::async_trait;
use cafe_shared::{CafeId, CafeState, Event, JoinCode, Millis, PersonId};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A unique key was taken (e.g. a join code); the caller may retry with another value.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Stored data could not be decoded.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafeRow {
    pub id: CafeId,
    pub code: JoinCode,
    pub epoch: u64,
    pub created_at: Millis,
}

/// One stored event, with the command (person, client id) that produced it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub at: Millis,
    pub command: Option<(PersonId, String)>,
    pub event: Event,
}

/// An accepted command and the seq it was acknowledged with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRecord {
    pub person: PersonId,
    pub id: String,
    pub seq: u64,
}

/// A starting state (seq, state) — `None` for the empty café — and the events after it.
pub type ReplaySource = (Option<(u64, CafeState)>, Vec<StoredEvent>);

/// Everything needed to rebuild a café in memory.
#[derive(Debug, Clone)]
pub struct LoadedCafe {
    pub row: CafeRow,
    /// The snapshot to start from, if any: (seq, state). Chosen at least `keep_events`
    /// before the end of the log when possible, so the events after it can refill the
    /// resume ring of a freshly loaded café.
    pub snapshot: Option<(u64, CafeState)>,
    /// Events after the snapshot, in order.
    pub events: Vec<StoredEvent>,
    /// Seq of the newest stored snapshot (0 if none).
    pub newest_snapshot: u64,
    pub commands: Vec<CommandRecord>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a café with its first events (and, for imports, a starting snapshot) in one
    /// transaction. `Conflict` if the id or code is taken.
    async fn create_cafe(
        &self,
        row: &CafeRow,
        snapshot: Option<(u64, &CafeState)>,
        events: &[StoredEvent],
    ) -> StoreResult<()>;

    async fn cafe_by_code(&self, code: &JoinCode) -> StoreResult<Option<CafeRow>>;

    /// Loads a café: a snapshot at least `keep_events` before the end of its log (if one
    /// exists, else the oldest kept, else none) and every event after it.
    async fn load(&self, id: &CafeId, keep_events: u64) -> StoreResult<Option<LoadedCafe>>;

    /// Appends events and command records in one transaction (the actor's group commit).
    async fn append(
        &self,
        cafe: &CafeId,
        events: &[StoredEvent],
        commands: &[CommandRecord],
    ) -> StoreResult<()>;

    /// What it takes to rebuild the café's history from just after `at_or_before` up to
    /// `upto`: the newest snapshot at or before `at_or_before` (none: start from nothing)
    /// and the events after it up to `upto`. `None` when that would be more than `max`
    /// events.
    async fn replay_source(
        &self,
        cafe: &CafeId,
        at_or_before: u64,
        upto: u64,
        max: u64,
    ) -> StoreResult<Option<ReplaySource>>;

    /// Events with `seq > after`, at most `limit`, in order.
    async fn events_after(
        &self,
        cafe: &CafeId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<StoredEvent>>;

    /// Stores a full state at `seq` and drops snapshots no longer needed: it keeps the
    /// newest one that is at least `keep_events` older than `seq`, and all after it.
    async fn save_snapshot(
        &self,
        cafe: &CafeId,
        seq: u64,
        state: &CafeState,
        keep_events: u64,
    ) -> StoreResult<()>;

    /// Writes and commits a tiny record, for readiness: `Err` when the store no longer takes
    /// writes (disk full, read-only, locked for too long).
    async fn probe_write(&self) -> StoreResult<()>;

    /// Flushes and closes (checkpoints the WAL for SQLite).
    async fn close(&self);
}

/// Opens the store named by a database URL.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(sqlite::SqliteStore::open(url).await?))
    } else {
        Err(StoreError::Db(format!(
            "unsupported database URL '{url}': only sqlite: is built in (postgres:// is planned)"
        )))
    }
}
