//! Persistence. A small trait so that SQLite (default, embedded) and Postgres (for cluster
//! mode) are interchangeable; the café actor is the only writer of a café's rows.
//!
//! Durability contract: `append` returns only after its transaction committed, and the
//! actor acknowledges commands only after `append` returned.
//!
//! Cluster mode adds leases: each café has one owner node at a time, holding a lease with a
//! fencing token. The owner writes with `append_fenced`, which the database refuses
//! (`Fenced`) once another node has taken the lease over, in the same transaction as the
//! rows, so an owner that was paused past its lease cannot write after its successor.

#[cfg(test)]
pub mod conformance;
pub mod health;
pub mod postgres;
pub mod sqlite;
mod writer;

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
    /// A fenced write whose token is no longer the café's lease token: another node owns
    /// the café now, and this node must stop writing it.
    #[error("fenced: {0}")]
    Fenced(String),
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

/// A café's lease (cluster mode). `expires_at` is in milliseconds since the Unix epoch, on
/// the database's clock for Postgres (so nodes' clocks need not agree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    /// The fencing token: grows by one each time the lease is (re)acquired; renewing keeps it.
    pub token: u64,
    pub expires_at: Millis,
}

/// The fencing check both back ends make inside the writing transaction.
fn check_fence(token: i64, held: Option<i64>) -> StoreResult<()> {
    match held {
        Some(h) if h == token => Ok(()),
        Some(h) => Err(StoreError::Fenced(format!(
            "lease token {token} is stale (the café's token is now {h})"
        ))),
        None => Err(StoreError::Fenced(format!(
            "lease token {token} names no lease (the café has none)"
        ))),
    }
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

    /// `append`, refused with `Fenced` (writing nothing) unless `token` is the café's
    /// current lease token, checked in the same transaction. With no events and no
    /// commands it only checks the token.
    async fn append_fenced(
        &self,
        cafe: &CafeId,
        token: u64,
        events: &[StoredEvent],
        commands: &[CommandRecord],
    ) -> StoreResult<()>;

    /// Takes the café's lease for `node` for `ttl` if it is free, expired or already
    /// `node`'s, with a new fencing token (one more than the last). `None` while another
    /// node holds it.
    async fn acquire_lease(
        &self,
        cafe: &CafeId,
        node: &str,
        ttl: std::time::Duration,
    ) -> StoreResult<Option<Lease>>;

    /// Extends `node`'s lease with `token` by `ttl` from now, keeping the token (also just
    /// after it expired, as long as nobody took it over). `None`: the lease was lost.
    async fn renew_lease(
        &self,
        cafe: &CafeId,
        node: &str,
        token: u64,
        ttl: std::time::Duration,
    ) -> StoreResult<Option<Lease>>;

    /// Ends `node`'s lease with `token` now (a clean hand-over), if it still holds it.
    async fn release_lease(&self, cafe: &CafeId, node: &str, token: u64) -> StoreResult<()>;

    /// The café's lease as stored (live or expired), if it ever had one.
    async fn lease(&self, cafe: &CafeId) -> StoreResult<Option<Lease>>;

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

/// Opens the store named by a database URL: `sqlite:` or `postgres://` (`postgresql://`).
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if postgres::is_postgres_url(url) {
        Ok(std::sync::Arc::new(postgres::PgStore::open(url).await?))
    } else {
        Err(StoreError::Db(format!(
            "unsupported database URL '{}': use sqlite:… or postgres://…",
            postgres::redact(url)
        )))
    }
}
