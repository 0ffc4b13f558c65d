//! The group-commit writer both back ends share.
//!
//! One fsync'd transaction per café batch capped the whole server at ~1 commit per fsync, so
//! every café's `append` (and every chunk of a new café, see [`create`]) goes through one
//! task: it waits for one request, takes everything else already queued (from all cafés),
//! writes it all in one transaction and commits once, then answers every waiter. Nobody is
//! answered before the commit that holds their rows. How a back end writes a group and
//! keeps one café's failure (a second writer for a seq, a stale fencing token) from failing
//! the others is its own business ([`GroupCommit`]).

use super::health::WriteHealth;
use super::{CafeRow, CommandRecord, StoreError, StoreResult, StoredEvent};
use async_trait::async_trait;
use cafe_shared::CafeState;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// How many requests may wait for the writer before callers wait to enqueue; the writer
/// takes all of them in its next transaction, so this only bounds memory.
pub const WRITE_QUEUE: usize = 4096;

/// Events per chunk of a new café: small enough that inserting one takes a few
/// milliseconds. (Measured on SQLite beside a live café during two parallel 200,000-event
/// imports, debug build: with 1,000 its acknowledgements' p99 was 290 ms, with 250 it is
/// 83 ms.)
pub const CHUNK_EVENTS: usize = 250;

/// One event row, serialised by the caller (the café actor) so the writer task spends its
/// time on the database only.
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub person: Option<i64>,
    pub id: Option<String>,
    pub body: String,
}

/// One command record: (person, client id, seq).
pub type CommandRow = (i64, String, i64);

pub struct AppendReq {
    pub cafe: String,
    pub events: Vec<EventRow>,
    pub commands: Vec<CommandRow>,
    /// What else this request does around its rows (a new café's chunks, see [`create`]).
    pub step: Step,
    /// Cluster mode: the lease token the writing node holds. The rows go in only if it is
    /// still the café's token, checked in the same transaction (else `Fenced`).
    pub fence: Option<i64>,
    pub done: oneshot::Sender<StoreResult<()>>,
}

/// A request's part in creating a café chunk by chunk (see [`create`]).
pub enum Step {
    /// A live café's group commit: rows only.
    Append,
    /// The first chunk: the café's row goes in before the events, visible at once when
    /// `ready` (a café that fits one chunk) or hidden until `Publish`.
    Create {
        code: String,
        epoch: i64,
        created_at: i64,
        snapshot: Option<(i64, String)>,
        ready: bool,
    },
    /// The last chunk: the café becomes visible after its events.
    Publish,
    /// A creation that failed midway: its hidden rows go.
    Discard,
}

pub enum WriteMsg {
    Append(AppendReq),
    /// Sent by `close`: everything queued before it is committed first (the channel is
    /// FIFO), then the writer answers and exits.
    Close(oneshot::Sender<()>),
}

/// How a back end writes a group of requests.
#[async_trait]
pub trait GroupCommit: Send + Sync + 'static {
    /// Writes `group` in one transaction and commits it. Returns one result per request, in
    /// order: `Ok` only if the request's rows are in the committed transaction; a request
    /// that fails alone (conflict, fenced) must leave the others' rows in.
    async fn commit(&self, group: &[AppendReq]) -> Vec<StoreResult<()>>;

    /// Does this error mean the storage, not the data, is at fault (disk full, I/O error,
    /// read-only, database unreachable)? Such failures make the store unready.
    fn is_storage_failure(&self, e: &StoreError) -> bool;
}

/// Seqs, epochs and person ids are stored as signed 64-bit integers. Epochs are chosen
/// below 2^53 and seqs never come near 2^63, so the conversion is lossless.
pub fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// The writer task: see the module doc.
pub async fn run<B: GroupCommit>(
    backend: B,
    mut rx: mpsc::Receiver<WriteMsg>,
    health: Arc<WriteHealth>,
) {
    let mut closing = None;
    while closing.is_none() {
        let Some(first) = rx.recv().await else {
            return;
        };
        let mut group = Vec::new();
        let mut next = Some(first);
        while let Some(m) = next {
            match m {
                WriteMsg::Append(r) => group.push(r),
                WriteMsg::Close(ack) => {
                    // Later messages were sent after `close` started; they get an error
                    // from their dropped oneshot rather than a write to a closing pool.
                    closing = Some(ack);
                    break;
                }
            }
            next = rx.try_recv().ok();
        }
        if group.is_empty() {
            continue;
        }
        let results = backend.commit(&group).await;
        // Health first: a waiter that probes right after its answer sees this commit.
        for e in results.iter().filter_map(|r| r.as_ref().err()) {
            if backend.is_storage_failure(e) {
                tracing::error!(error = %e, "the store cannot write");
                health.failed(&e.to_string());
            }
        }
        if results.iter().any(Result::is_ok) {
            health.succeeded();
        }
        for (r, res) in group.into_iter().zip(results) {
            let _ = r.done.send(res);
        }
    }
    if let Some(ack) = closing {
        let _ = ack.send(());
    }
}

/// Serialises one event for the writer.
pub fn event_row(e: &StoredEvent) -> StoreResult<EventRow> {
    let (person, id) = match &e.command {
        Some((p, i)) => (Some(to_i64(p.0)), Some(i.clone())),
        None => (None, None),
    };
    Ok(EventRow {
        seq: to_i64(e.seq),
        at: e.at,
        person,
        id,
        body: serde_json::to_string(&e.event).map_err(corrupt)?,
    })
}

/// Sends one request to the writer and waits for its commit.
pub async fn send(
    writer: &mpsc::Sender<WriteMsg>,
    cafe: &str,
    events: Vec<EventRow>,
    commands: Vec<CommandRow>,
    step: Step,
    fence: Option<i64>,
) -> StoreResult<()> {
    let (done, wait) = oneshot::channel();
    let req = AppendReq {
        cafe: cafe.to_owned(),
        events,
        commands,
        step,
        fence,
        done,
    };
    let gone = || StoreError::Db("store writer stopped".into());
    writer
        .send(WriteMsg::Append(req))
        .await
        .map_err(|_| gone())?;
    wait.await.map_err(|_| gone())?
}

/// A live café's group commit through the writer.
pub async fn append(
    writer: &mpsc::Sender<WriteMsg>,
    cafe: &str,
    events: &[StoredEvent],
    commands: &[CommandRecord],
    fence: Option<i64>,
) -> StoreResult<()> {
    if events.is_empty() && commands.is_empty() && fence.is_none() {
        return Ok(());
    }
    let events = events
        .iter()
        .map(event_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let commands = commands
        .iter()
        .map(|c| (to_i64(c.person.0), c.id.clone(), to_i64(c.seq)))
        .collect();
    send(writer, cafe, events, commands, Step::Append, fence).await
}

/// Creates a café in chunks through the writer.
///
/// An import may hold up to `--import-max-events` events. Written in one transaction it held
/// SQLite's write lock for seconds, so every live café's acknowledgements stalled behind it
/// (and a second import failed with "database is locked"; issue 10, #1). Instead the events
/// go to the group-commit writer [`CHUNK_EVENTS`] at a time, each chunk a request like a live
/// café's append, awaited before the next is sent: a live café's commit waits behind at most
/// one chunk. The café's row goes in with the first chunk, hidden (`ready` false, which also
/// reserves its join code), and the last chunk makes it visible, so nobody sees a half café
/// and the creator is answered only after everything is stored. A creation that fails midway
/// is discarded; one cut short by a crash is discarded at the next start.
///
/// `Conflict` if the id or join code is taken (from the first chunk, so nothing else was
/// written).
pub async fn create(
    writer: &mpsc::Sender<WriteMsg>,
    row: &CafeRow,
    snapshot: Option<(u64, &CafeState)>,
    events: &[StoredEvent],
) -> StoreResult<()> {
    let snapshot = match snapshot {
        Some((seq, state)) => Some((to_i64(seq), serde_json::to_string(state).map_err(corrupt)?)),
        None => None,
    };
    let mut chunks = events.chunks(CHUNK_EVENTS).peekable();
    let first = chunks.next().unwrap_or(&[]);
    let single = chunks.peek().is_none();
    let rows = first.iter().map(event_row).collect::<StoreResult<_>>()?;
    let step = Step::Create {
        code: row.code.as_str().to_owned(),
        epoch: to_i64(row.epoch),
        created_at: row.created_at,
        snapshot,
        ready: single,
    };
    send(writer, &row.id.0, rows, Vec::new(), step, None).await?;
    let rest = async {
        while let Some(chunk) = chunks.next() {
            let rows = chunk.iter().map(event_row).collect::<StoreResult<_>>()?;
            let step = if chunks.peek().is_none() {
                Step::Publish
            } else {
                Step::Append
            };
            send(writer, &row.id.0, rows, Vec::new(), step, None).await?;
        }
        Ok::<(), StoreError>(())
    };
    if let Err(e) = rest.await {
        if let Err(d) = send(
            writer,
            &row.id.0,
            Vec::new(),
            Vec::new(),
            Step::Discard,
            None,
        )
        .await
        {
            tracing::warn!(cafe = %row.id, error = %d, "could not discard a half-written café");
        }
        return Err(e);
    }
    Ok(())
}

/// Asks the writer to commit everything queued and stop.
pub async fn close(writer: &mpsc::Sender<WriteMsg>) {
    let (ack, done) = oneshot::channel();
    if writer.send(WriteMsg::Close(ack)).await.is_ok() {
        let _ = done.await;
    }
}
