//! SQLite store (sqlx). WAL mode with `synchronous=FULL`: every commit is fsynced before
//! `append` returns, so an acknowledged command survives a process kill *and* a power loss.
//! (In WAL mode `NORMAL` would survive a process kill as well, since committed frames are in
//! the WAL file, but could lose the last commits on power loss; group commit keeps the cost
//! of FULL to one fsync per batch.)

use super::health::{is_storage_failure, WriteHealth};
use super::{
    CafeRow, CommandRecord, LoadedCafe, ReplaySource, Store, StoreError, StoreResult, StoredEvent,
};
use async_trait::async_trait;
use cafe_shared::{CafeId, CafeState, Event, JoinCode, PersonId};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

mod create;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The group-commit writer (see `writer`). SQLite has one writer at a time, so one
    /// fsync'd transaction per café batch capped the whole server at ~1 commit per fsync;
    /// funnelling every café's `append` through one task lets one commit cover them all.
    writer: mpsc::Sender<WriteMsg>,
    health: Arc<WriteHealth>,
}

/// How many `append`s may wait for the writer before callers wait to enqueue; the writer
/// takes all of them in its next transaction, so this only bounds memory.
const WRITE_QUEUE: usize = 4096;

/// One event row, serialised by the caller (the café actor) so the single writer task
/// spends its time on SQLite only.
struct EventRow {
    seq: i64,
    at: i64,
    person: Option<i64>,
    id: Option<String>,
    body: String,
}

struct AppendReq {
    cafe: String,
    events: Vec<EventRow>,
    commands: Vec<(i64, String, i64)>,
    /// What else this request does around its rows (a new café's chunks, see `create`).
    step: Step,
    done: oneshot::Sender<StoreResult<()>>,
}

/// A request's part in creating a café chunk by chunk (see `create`).
enum Step {
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

enum WriteMsg {
    Append(AppendReq),
    /// Sent by `close`: everything queued before it is committed first (the channel is
    /// FIFO), then the writer answers and exits.
    Close(oneshot::Sender<()>),
}

fn db(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict(d.message().to_owned());
        }
    }
    StoreError::Db(e.to_string())
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Seqs, epochs and person ids are stored as SQLite integers (i64). Epochs are chosen below
/// 2^53 and seqs never come near 2^63, so the conversion is lossless.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl SqliteStore {
    pub async fn open(url: &str) -> StoreResult<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Db(format!("migration failed: {e}")))?;
        create::discard_unready(&pool).await?;
        let (tx, rx) = mpsc::channel(WRITE_QUEUE);
        let health = Arc::new(WriteHealth::default());
        tokio::spawn(writer(pool.clone(), rx, health.clone()));
        Ok(Self {
            pool,
            writer: tx,
            health,
        })
    }

    fn row_to_cafe(r: &sqlx::sqlite::SqliteRow) -> StoreResult<CafeRow> {
        let id: String = r.try_get("id").map_err(db)?;
        let code: String = r.try_get("code").map_err(db)?;
        let epoch: i64 = r.try_get("epoch").map_err(db)?;
        let created_at: i64 = r.try_get("created_at").map_err(db)?;
        Ok(CafeRow {
            id: CafeId(id),
            code: JoinCode::parse(&code).map_err(corrupt)?,
            epoch: to_u64(epoch),
            created_at,
        })
    }

    fn row_to_event(r: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredEvent> {
        let seq: i64 = r.try_get("seq").map_err(db)?;
        let at: i64 = r.try_get("at").map_err(db)?;
        let person: Option<i64> = r.try_get("command_person").map_err(db)?;
        let id: Option<String> = r.try_get("command_id").map_err(db)?;
        let body: String = r.try_get("body").map_err(db)?;
        let event: Event = serde_json::from_str(&body).map_err(corrupt)?;
        Ok(StoredEvent {
            seq: to_u64(seq),
            at,
            command: match (person, id) {
                (Some(p), Some(i)) => Some((PersonId(to_u64(p)), i)),
                _ => None,
            },
            event,
        })
    }
}

/// The single writer: waits for one `append`, takes everything else already queued (from
/// all cafés), inserts it all in one transaction and commits once (one fsync), then answers
/// every waiter. Nobody is answered before the commit that holds their rows.
async fn writer(pool: SqlitePool, mut rx: mpsc::Receiver<WriteMsg>, health: Arc<WriteHealth>) {
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
        if !group.is_empty() {
            commit_group(&pool, group, &health).await;
        }
    }
    if let Some(ack) = closing {
        let _ = ack.send(());
    }
}

/// Reports a failed write to `health` when the storage is at fault.
fn note_failure(health: &WriteHealth, e: &StoreError) {
    let message = e.to_string();
    if is_storage_failure(&message) {
        tracing::error!(error = %message, "the store cannot write");
        health.failed(&message);
    }
}

async fn commit_group(pool: &SqlitePool, group: Vec<AppendReq>, health: &WriteHealth) {
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            let e = db(e);
            note_failure(health, &e);
            for r in group {
                let _ = r.done.send(Err(e.clone()));
            }
            return;
        }
    };
    // Each café's rows go in under a savepoint, so one café's failed insert (e.g. a second
    // writer for a seq) fails only that café's append, not the whole group.
    let mut ok = Vec::with_capacity(group.len());
    for r in group {
        let res = insert_req(&mut tx, &r).await;
        match res {
            Ok(()) => ok.push(r.done),
            Err(e) => {
                note_failure(health, &e);
                let _ = r.done.send(Err(e));
            }
        }
    }
    match tx.commit().await.map_err(db) {
        Ok(()) => {
            if !ok.is_empty() {
                health.succeeded();
            }
            for done in ok {
                let _ = done.send(Ok(()));
            }
        }
        Err(e) => {
            note_failure(health, &e);
            for done in ok {
                let _ = done.send(Err(e.clone()));
            }
        }
    }
}

async fn insert_req(tx: &mut sqlx::SqliteConnection, r: &AppendReq) -> StoreResult<()> {
    sqlx::query("SAVEPOINT append")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    match insert_rows(tx, r).await {
        Ok(()) => {
            sqlx::query("RELEASE append")
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            Ok(())
        }
        Err(e) => {
            // If even the rollback fails the transaction is unusable; the commit then
            // fails and every waiter of the group gets that error.
            if sqlx::query("ROLLBACK TO append")
                .execute(&mut *tx)
                .await
                .is_ok()
            {
                let _ = sqlx::query("RELEASE append").execute(&mut *tx).await;
            }
            Err(e)
        }
    }
}

async fn insert_rows(tx: &mut sqlx::SqliteConnection, r: &AppendReq) -> StoreResult<()> {
    match &r.step {
        Step::Append | Step::Publish => {}
        Step::Create {
            code,
            epoch,
            created_at,
            snapshot,
            ready,
        } => create::insert_cafe(tx, &r.cafe, code, *epoch, *created_at, snapshot, *ready).await?,
        Step::Discard => return create::discard(tx, &r.cafe).await,
    }
    for e in &r.events {
        sqlx::query(
            "INSERT INTO events (cafe_id, seq, at, command_person, command_id, body) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.cafe)
        .bind(e.seq)
        .bind(e.at)
        .bind(e.person)
        .bind(e.id.as_deref())
        .bind(e.body.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    for (person, id, seq) in &r.commands {
        sqlx::query("INSERT INTO commands (cafe_id, person, id, seq) VALUES (?, ?, ?, ?)")
            .bind(&r.cafe)
            .bind(*person)
            .bind(id.as_str())
            .bind(*seq)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    if let Step::Publish = r.step {
        sqlx::query("UPDATE cafes SET ready = 1 WHERE id = ?")
            .bind(&r.cafe)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_cafe(
        &self,
        row: &CafeRow,
        snapshot: Option<(u64, &CafeState)>,
        events: &[StoredEvent],
    ) -> StoreResult<()> {
        create::create(self, row, snapshot, events).await
    }

    async fn cafe_by_code(&self, code: &JoinCode) -> StoreResult<Option<CafeRow>> {
        let r = sqlx::query(
            "SELECT id, code, epoch, created_at FROM cafes WHERE code = ? AND ready = 1",
        )
        .bind(code.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        r.as_ref().map(Self::row_to_cafe).transpose()
    }

    async fn load(&self, id: &CafeId, keep_events: u64) -> StoreResult<Option<LoadedCafe>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let Some(r) =
            sqlx::query("SELECT id, code, epoch, created_at FROM cafes WHERE id = ? AND ready = 1")
                .bind(&id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?
        else {
            return Ok(None);
        };
        let row = Self::row_to_cafe(&r)?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE cafe_id = ?")
            .bind(&id.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM snapshots WHERE cafe_id = ?")
                .bind(&id.0)
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
        let target = to_u64(last.unwrap_or(0)).saturating_sub(keep_events);
        let mut snap = sqlx::query(
            "SELECT seq, state FROM snapshots WHERE cafe_id = ? AND seq <= ? \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(&id.0)
        .bind(to_i64(target))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        if snap.is_none() {
            // A young café: replay from the oldest snapshot kept (an import's), or from
            // the first event.
            snap = sqlx::query(
                "SELECT seq, state FROM snapshots WHERE cafe_id = ? ORDER BY seq ASC LIMIT 1",
            )
            .bind(&id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
            let has_first: Option<i64> =
                sqlx::query_scalar("SELECT seq FROM events WHERE cafe_id = ? AND seq = 1")
                    .bind(&id.0)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db)?;
            if has_first.is_some() {
                snap = None;
            }
        }
        let snapshot = match snap {
            Some(s) => {
                let seq: i64 = s.try_get("seq").map_err(db)?;
                let state: String = s.try_get("state").map_err(db)?;
                let state: CafeState = serde_json::from_str(&state).map_err(corrupt)?;
                Some((to_u64(seq), state))
            }
            None => None,
        };
        let after = snapshot.as_ref().map(|s| s.0).unwrap_or(0);
        let rows = sqlx::query(
            "SELECT seq, at, command_person, command_id, body FROM events \
             WHERE cafe_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(&id.0)
        .bind(to_i64(after))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let events = rows
            .iter()
            .map(Self::row_to_event)
            .collect::<StoreResult<Vec<_>>>()?;
        let cmds =
            sqlx::query("SELECT person, id, seq FROM commands WHERE cafe_id = ? ORDER BY seq")
                .bind(&id.0)
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?;
        let mut commands = Vec::with_capacity(cmds.len());
        for c in &cmds {
            let person: i64 = c.try_get("person").map_err(db)?;
            let cid: String = c.try_get("id").map_err(db)?;
            let seq: i64 = c.try_get("seq").map_err(db)?;
            commands.push(CommandRecord {
                person: PersonId(to_u64(person)),
                id: cid,
                seq: to_u64(seq),
            });
        }
        Ok(Some(LoadedCafe {
            row,
            snapshot,
            events,
            commands,
            newest_snapshot: to_u64(newest.unwrap_or(0)),
        }))
    }

    async fn append(
        &self,
        cafe: &CafeId,
        events: &[StoredEvent],
        commands: &[CommandRecord],
    ) -> StoreResult<()> {
        if events.is_empty() && commands.is_empty() {
            return Ok(());
        }
        let events = events
            .iter()
            .map(create::event_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let commands = commands
            .iter()
            .map(|c| (to_i64(c.person.0), c.id.clone(), to_i64(c.seq)))
            .collect();
        let (done, wait) = oneshot::channel();
        let req = AppendReq {
            cafe: cafe.0.clone(),
            events,
            commands,
            step: Step::Append,
            done,
        };
        let gone = || StoreError::Db("store writer stopped".into());
        self.writer
            .send(WriteMsg::Append(req))
            .await
            .map_err(|_| gone())?;
        wait.await.map_err(|_| gone())?
    }

    async fn replay_source(
        &self,
        cafe: &CafeId,
        at_or_before: u64,
        upto: u64,
        max: u64,
    ) -> StoreResult<Option<ReplaySource>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let snap_seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM snapshots WHERE cafe_id = ? AND seq <= ?")
                .bind(&cafe.0)
                .bind(to_i64(at_or_before))
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
        let from = to_u64(snap_seq.unwrap_or(0));
        if upto.saturating_sub(from) > max {
            return Ok(None);
        }
        let base = match snap_seq {
            Some(seq) => {
                let state: String =
                    sqlx::query_scalar("SELECT state FROM snapshots WHERE cafe_id = ? AND seq = ?")
                        .bind(&cafe.0)
                        .bind(seq)
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(db)?;
                let state: CafeState = serde_json::from_str(&state).map_err(corrupt)?;
                Some((to_u64(seq), state))
            }
            None => None,
        };
        let rows = sqlx::query(
            "SELECT seq, at, command_person, command_id, body FROM events \
             WHERE cafe_id = ? AND seq > ? AND seq <= ? ORDER BY seq",
        )
        .bind(&cafe.0)
        .bind(to_i64(from))
        .bind(to_i64(upto))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let events = rows
            .iter()
            .map(Self::row_to_event)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some((base, events)))
    }

    async fn events_after(
        &self,
        cafe: &CafeId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT seq, at, command_person, command_id, body FROM events \
             WHERE cafe_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(&cafe.0)
        .bind(to_i64(after))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(Self::row_to_event).collect()
    }

    async fn save_snapshot(
        &self,
        cafe: &CafeId,
        seq: u64,
        state: &CafeState,
        keep_events: u64,
    ) -> StoreResult<()> {
        let json = serde_json::to_string(state).map_err(corrupt)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("INSERT OR REPLACE INTO snapshots (cafe_id, seq, state) VALUES (?, ?, ?)")
            .bind(&cafe.0)
            .bind(to_i64(seq))
            .bind(json)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "DELETE FROM snapshots WHERE cafe_id = ?1 AND seq < \
             (SELECT MAX(seq) FROM snapshots WHERE cafe_id = ?1 AND seq <= ?2)",
        )
        .bind(&cafe.0)
        .bind(to_i64(seq.saturating_sub(keep_events)))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn probe_write(&self) -> StoreResult<()> {
        if let Some(failure) = self.health.recent_failure() {
            return Err(StoreError::Db(format!("a recent write failed: {failure}")));
        }
        sqlx::query(
            "INSERT INTO health (id, checked_at) VALUES (1, ?) \
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        )
        .bind(crate::cafe::now_millis())
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db)
    }

    async fn close(&self) {
        // Let the writer commit everything queued before the checkpoint and pool close.
        let (ack, done) = oneshot::channel();
        if self.writer.send(WriteMsg::Close(ack)).await.is_ok() {
            let _ = done.await;
        }
        // Fold the WAL back into the main file so the next start opens quickly.
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
        }
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cafe_shared::{Event, PersonId, Phase};

    fn row(id: &str, code: &str) -> CafeRow {
        CafeRow {
            id: CafeId(id.into()),
            code: JoinCode::parse(code).unwrap(),
            epoch: 7,
            created_at: 1,
        }
    }

    fn ev(seq: u64) -> StoredEvent {
        StoredEvent {
            seq,
            at: seq as i64,
            command: Some((PersonId(2), format!("c{seq}"))),
            event: Event::PhaseChanged {
                phase: if seq.is_multiple_of(2) {
                    Phase::Ideate
                } else {
                    Phase::Group
                },
            },
        }
    }

    async fn store() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (SqliteStore::open(&url).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn codes_are_unique_and_logs_dense() {
        let (s, _d) = store().await;
        s.create_cafe(&row("a", "K7MQ2P"), None, &[ev(1)])
            .await
            .unwrap();
        let dup = s.create_cafe(&row("b", "K7MQ2P"), None, &[]).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))));
        // A second writer for the same seq fails instead of forking the history.
        let again = s.append(&CafeId("a".into()), &[ev(1)], &[]).await;
        assert!(again.is_err());
        let found = s
            .cafe_by_code(&JoinCode::parse("k7m-q2p").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.epoch, 7);
    }

    #[tokio::test]
    async fn snapshots_keep_enough_history_for_the_ring() {
        let (s, _d) = store().await;
        let id = CafeId("a".into());
        s.create_cafe(&row("a", "K7MQ2P"), None, &[]).await.unwrap();
        let state = CafeState::default();
        for seq in 1..=100 {
            s.append(
                &id,
                &[ev(seq)],
                &[CommandRecord {
                    person: PersonId(2),
                    id: format!("c{seq}"),
                    seq,
                }],
            )
            .await
            .unwrap();
            if seq.is_multiple_of(10) {
                s.save_snapshot(&id, seq, &state, 25).await.unwrap();
            }
        }
        // Loading for a ring of 25 starts at the newest snapshot at or before 75.
        let l = s.load(&id, 25).await.unwrap().unwrap();
        assert_eq!(l.snapshot.as_ref().map(|x| x.0), Some(70));
        assert_eq!(l.events.first().map(|e| e.seq), Some(71));
        assert_eq!(l.events.len(), 30);
        assert_eq!(l.newest_snapshot, 100);
        assert_eq!(l.commands.len(), 100);
        assert_eq!(l.events[0].command, Some((PersonId(2), "c71".into())));
        // Snapshots older than the one kept for the ring are gone; a replay from before
        // it starts from the first event, bounded by `max`.
        let r = s.replay_source(&id, 40, 70, 1000).await.unwrap().unwrap();
        assert!(r.0.is_none());
        assert_eq!(r.1.len(), 70);
        assert!(s.replay_source(&id, 40, 70, 50).await.unwrap().is_none());
        let r = s.replay_source(&id, 95, 100, 1000).await.unwrap().unwrap();
        assert_eq!(r.0.map(|x| x.0), Some(90));
        assert_eq!(r.1.len(), 10);
        let page = s.events_after(&id, 90, 5).await.unwrap();
        assert_eq!(
            page.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![91, 92, 93, 94, 95]
        );
    }

    #[tokio::test]
    async fn concurrent_appends_group_and_a_conflict_fails_only_its_cafe() {
        let (s, _d) = store().await;
        let s = std::sync::Arc::new(s);
        for i in 0..20 {
            s.create_cafe(
                &row(
                    &format!("c{i}"),
                    &format!("K7MQ2{}", JoinCode::ALPHABET[i] as char),
                ),
                None,
                &[ev(1)],
            )
            .await
            .unwrap();
        }
        let mut tasks = Vec::new();
        for i in 0..20 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let id = CafeId(format!("c{i}"));
                // Café 0 re-sends seq 1 (a conflict); the others append seq 2..=6.
                let first = if i == 0 { 1 } else { 2 };
                s.append(&id, &(first..=6).map(ev).collect::<Vec<_>>(), &[])
                    .await
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            let r = t.await.unwrap();
            assert_eq!(r.is_err(), i == 0, "café {i}: {r:?}");
        }
        for i in 1..20 {
            let l = s
                .load(&CafeId(format!("c{i}")), 100)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(l.events.len(), 6);
        }
        let l = s.load(&CafeId("c0".into()), 100).await.unwrap().unwrap();
        assert_eq!(l.events.len(), 1);
        // Close flushes and later appends fail instead of hanging.
        s.close().await;
        assert!(s.append(&CafeId("c1".into()), &[ev(7)], &[]).await.is_err());
    }
}
