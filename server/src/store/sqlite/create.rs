//! Creating a café, in chunks through the shared writer.
//!
//! An import may hold up to `--import-max-events` events. Written in one transaction it held
//! SQLite's write lock for seconds, so every live café's acknowledgements stalled behind it
//! (and a second import failed with "database is locked"; issue 10, #1). Instead the events
//! go to the group-commit writer [`CHUNK_EVENTS`] at a time, each chunk a request like a live
//! café's append, awaited before the next is sent: a live café's commit waits behind at most
//! one chunk. The café's row goes in with the first chunk, hidden (`ready = 0`, which also
//! reserves its join code), and the last chunk makes it visible, so nobody sees a half café
//! and the creator is answered only after everything is stored. A creation that fails midway
//! is discarded; one cut short by a crash is discarded at the next start.

use super::{corrupt, db, to_i64, AppendReq, EventRow, SqliteStore, Step, WriteMsg};
use crate::store::{CafeRow, StoreError, StoreResult, StoredEvent};
use cafe_shared::CafeState;
use sqlx::SqlitePool;
use tokio::sync::oneshot;

/// Events per chunk: small enough that inserting one takes a few milliseconds. (Measured
/// beside a live café during two parallel 200,000-event imports, debug build: with 1,000 its
/// acknowledgements' p99 was 290 ms, with 250 it is 83 ms.)
pub const CHUNK_EVENTS: usize = 250;

/// One event as the writer inserts it, serialised by the caller so the writer task spends
/// its time on SQLite only.
pub(super) fn event_row(e: &StoredEvent) -> StoreResult<EventRow> {
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

async fn send(
    store: &SqliteStore,
    cafe: &str,
    events: Vec<EventRow>,
    step: Step,
) -> StoreResult<()> {
    let (done, wait) = oneshot::channel();
    let req = AppendReq {
        cafe: cafe.to_owned(),
        events,
        commands: Vec::new(),
        step,
        done,
    };
    let gone = || StoreError::Db("store writer stopped".into());
    store
        .writer
        .send(WriteMsg::Append(req))
        .await
        .map_err(|_| gone())?;
    wait.await.map_err(|_| gone())?
}

/// See the module doc. `Conflict` if the id or join code is taken (from the first chunk, so
/// nothing else was written).
pub(super) async fn create(
    store: &SqliteStore,
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
    send(store, &row.id.0, rows, step).await?;
    let rest = async {
        while let Some(chunk) = chunks.next() {
            let rows = chunk.iter().map(event_row).collect::<StoreResult<_>>()?;
            let step = if chunks.peek().is_none() {
                Step::Publish
            } else {
                Step::Append
            };
            send(store, &row.id.0, rows, step).await?;
        }
        Ok::<(), StoreError>(())
    };
    if let Err(e) = rest.await {
        if let Err(d) = send(store, &row.id.0, Vec::new(), Step::Discard).await {
            tracing::warn!(cafe = %row.id, error = %d, "could not discard a half-written café");
        }
        return Err(e);
    }
    Ok(())
}

/// Inserts the café's row (and an import's starting snapshot) inside the writer's
/// transaction.
pub(super) async fn insert_cafe(
    tx: &mut sqlx::SqliteConnection,
    id: &str,
    code: &str,
    epoch: i64,
    created_at: i64,
    snapshot: &Option<(i64, String)>,
    ready: bool,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO cafes (id, code, epoch, created_at, ready) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(code)
        .bind(epoch)
        .bind(created_at)
        .bind(ready)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if let Some((seq, json)) = snapshot {
        sqlx::query("INSERT INTO snapshots (cafe_id, seq, state) VALUES (?, ?, ?)")
            .bind(id)
            .bind(*seq)
            .bind(json.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

const DISCARD: [&str; 4] = [
    "DELETE FROM events WHERE cafe_id IN (SELECT id FROM cafes WHERE ready = 0 AND id = ?1)",
    "DELETE FROM commands WHERE cafe_id IN (SELECT id FROM cafes WHERE ready = 0 AND id = ?1)",
    "DELETE FROM snapshots WHERE cafe_id IN (SELECT id FROM cafes WHERE ready = 0 AND id = ?1)",
    "DELETE FROM cafes WHERE ready = 0 AND id = ?1",
];

/// Deletes a café that never became ready (never one that did).
pub(super) async fn discard(tx: &mut sqlx::SqliteConnection, id: &str) -> StoreResult<()> {
    for q in DISCARD {
        sqlx::query(q)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

/// At start, before any writer runs: cafés whose creation a crash cut short.
pub(super) async fn discard_unready(pool: &SqlitePool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM cafes WHERE ready = 0")
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    for id in &ids {
        discard(&mut tx, id).await?;
    }
    tx.commit().await.map_err(db)?;
    if !ids.is_empty() {
        tracing::warn!(
            cafes = ids.len(),
            "discarded cafés whose creation was cut short"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use cafe_shared::{CafeId, Event, JoinCode, Phase};

    fn row(id: &str, code: &str) -> CafeRow {
        CafeRow {
            id: CafeId(id.into()),
            code: JoinCode::parse(code).unwrap(),
            epoch: 7,
            created_at: 1,
        }
    }

    fn events(n: u64) -> Vec<StoredEvent> {
        (1..=n)
            .map(|seq| StoredEvent {
                seq,
                at: 1,
                command: None,
                event: Event::PhaseChanged {
                    phase: Phase::Ideate,
                },
            })
            .collect()
    }

    #[tokio::test]
    async fn a_big_cafe_is_written_in_chunks_and_visible_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let s = SqliteStore::open(&url).await.unwrap();
        let n = CHUNK_EVENTS as u64 * 2 + 500;
        s.create_cafe(&row("big", "K7MQ2P"), None, &events(n))
            .await
            .unwrap();
        let loaded = s.load(&CafeId("big".into()), 10).await.unwrap().unwrap();
        assert_eq!(loaded.events.len() as u64, n);
        assert!(s
            .cafe_by_code(&JoinCode::parse("K7MQ2P").unwrap())
            .await
            .unwrap()
            .is_some());

        // A creation cut short after its first chunk: hidden, its code reserved, and gone
        // after a restart.
        let half = events(CHUNK_EVENTS as u64);
        let rows = half
            .iter()
            .map(event_row)
            .collect::<StoreResult<_>>()
            .unwrap();
        let step = Step::Create {
            code: "H4MQ2P".into(),
            epoch: 1,
            created_at: 1,
            snapshot: None,
            ready: false,
        };
        send(&s, "half", rows, step).await.unwrap();
        let code = JoinCode::parse("H4MQ2P").unwrap();
        assert!(s.cafe_by_code(&code).await.unwrap().is_none());
        assert!(s.load(&CafeId("half".into()), 10).await.unwrap().is_none());
        let taken = s
            .create_cafe(&row("other", "H4MQ2P"), None, &events(1))
            .await;
        assert!(matches!(taken, Err(StoreError::Conflict(_))));
        s.close().await;
        drop(s);
        let s = SqliteStore::open(&url).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE cafe_id = 'half'")
            .fetch_one(&s.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
        s.create_cafe(&row("other", "H4MQ2P"), None, &events(1))
            .await
            .unwrap();
        assert!(s.load(&CafeId("big".into()), 10).await.unwrap().is_some());
    }
}
