//! SQLite store (sqlx). WAL mode with `synchronous=FULL`: every commit is fsynced before
//! `append` returns, so an acknowledged command survives a process kill *and* a power loss.
//! (In WAL mode `NORMAL` would survive a process kill as well, since committed frames are in
//! the WAL file, but could lose the last commits on power loss; group commit keeps the cost
//! of FULL to one fsync per batch.)

use super::health::{is_storage_failure, WriteHealth};
use super::writer::{
    self, corrupt, to_i64, to_u64, AppendReq, GroupCommit, Step, WriteMsg, WRITE_QUEUE,
};
use super::{
    check_fence, CafeRow, CommandRecord, Lease, LoadedCafe, ReplaySource, Store, StoreError,
    StoreResult, StoredEvent,
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
use tokio::sync::mpsc;

mod create;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The group-commit writer (see `writer`). SQLite has one writer at a time, so one
    /// transaction per café batch would cap the whole server at ~1 commit per fsync.
    writer: mpsc::Sender<WriteMsg>,
    health: Arc<WriteHealth>,
}

fn db(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict(d.message().to_owned());
        }
    }
    StoreError::Db(e.to_string())
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
        tokio::spawn(writer::run(
            SqliteWriter { pool: pool.clone() },
            rx,
            health.clone(),
        ));
        Ok(Self {
            pool,
            writer: tx,
            health,
        })
    }

    /// The pool, for tests that look at the rows themselves.
    #[cfg(test)]
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The writer, for tests that cut a creation short.
    #[cfg(test)]
    pub(crate) fn writer(&self) -> &mpsc::Sender<WriteMsg> {
        &self.writer
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

fn ttl_millis(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX)
}

fn row_to_lease(r: &sqlx::sqlite::SqliteRow) -> StoreResult<Lease> {
    Ok(Lease {
        owner: r.try_get("owner_node").map_err(db)?,
        token: to_u64(r.try_get("token").map_err(db)?),
        expires_at: r.try_get("expires_at").map_err(db)?,
    })
}

/// SQLite's side of the group commit: one transaction, each request under a savepoint so
/// that one café's failed insert (e.g. a second writer for a seq) fails only that café's
/// append, not the whole group.
struct SqliteWriter {
    pool: SqlitePool,
}

#[async_trait]
impl GroupCommit for SqliteWriter {
    async fn commit(&self, group: &[AppendReq]) -> Vec<StoreResult<()>> {
        let mut tx = match self.pool.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                let e = db(e);
                return group.iter().map(|_| Err(e.clone())).collect();
            }
        };
        let mut results = Vec::with_capacity(group.len());
        for r in group {
            results.push(insert_req(&mut tx, r).await);
        }
        if let Err(e) = tx.commit().await.map_err(db) {
            for r in results.iter_mut().filter(|r| r.is_ok()) {
                *r = Err(e.clone());
            }
        }
        results
    }

    fn is_storage_failure(&self, e: &StoreError) -> bool {
        is_storage_failure(&e.to_string())
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
    if let Some(token) = r.fence {
        let held: Option<i64> =
            sqlx::query_scalar("SELECT token FROM cafe_leases WHERE cafe_id = ?")
                .bind(&r.cafe)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        check_fence(token, held)?;
    }
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
        writer::create(&self.writer, row, snapshot, events).await
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
        writer::append(&self.writer, &cafe.0, events, commands, None).await
    }

    async fn append_fenced(
        &self,
        cafe: &CafeId,
        token: u64,
        events: &[StoredEvent],
        commands: &[CommandRecord],
    ) -> StoreResult<()> {
        writer::append(&self.writer, &cafe.0, events, commands, Some(to_i64(token))).await
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

    async fn acquire_lease(
        &self,
        cafe: &CafeId,
        node: &str,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        let now = crate::cafe::now_millis();
        let r = sqlx::query(
            "INSERT INTO cafe_leases (cafe_id, owner_node, token, expires_at) \
             VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (cafe_id) DO UPDATE SET owner_node = excluded.owner_node, \
             token = cafe_leases.token + 1, expires_at = excluded.expires_at \
             WHERE cafe_leases.expires_at <= ?4 OR cafe_leases.owner_node = excluded.owner_node \
             RETURNING owner_node, token, expires_at",
        )
        .bind(&cafe.0)
        .bind(node)
        .bind(now.saturating_add(ttl_millis(ttl)))
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        r.as_ref().map(row_to_lease).transpose()
    }

    async fn renew_lease(
        &self,
        cafe: &CafeId,
        node: &str,
        token: u64,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        let r = sqlx::query(
            "UPDATE cafe_leases SET expires_at = ? \
             WHERE cafe_id = ? AND owner_node = ? AND token = ? \
             RETURNING owner_node, token, expires_at",
        )
        .bind(crate::cafe::now_millis().saturating_add(ttl_millis(ttl)))
        .bind(&cafe.0)
        .bind(node)
        .bind(to_i64(token))
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        r.as_ref().map(row_to_lease).transpose()
    }

    async fn release_lease(&self, cafe: &CafeId, node: &str, token: u64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE cafe_leases SET expires_at = ? \
             WHERE cafe_id = ? AND owner_node = ? AND token = ?",
        )
        .bind(crate::cafe::now_millis())
        .bind(&cafe.0)
        .bind(node)
        .bind(to_i64(token))
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db)
    }

    async fn lease(&self, cafe: &CafeId) -> StoreResult<Option<Lease>> {
        let r =
            sqlx::query("SELECT owner_node, token, expires_at FROM cafe_leases WHERE cafe_id = ?")
                .bind(&cafe.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        r.as_ref().map(row_to_lease).transpose()
    }

    async fn close(&self) {
        // Let the writer commit everything queued before the checkpoint and pool close.
        writer::close(&self.writer).await;
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
