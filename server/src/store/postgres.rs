//! PostgreSQL store (sqlx), for cluster mode and for operators who already run Postgres.
//!
//! Same tables and semantics as SQLite's (see `migrations/postgres`), and the same
//! group-commit writer in front (see `writer`): one transaction, one WAL flush, for every
//! append queued meanwhile, from all cafés. With the default `synchronous_commit = on` a
//! commit returns only once its WAL is flushed, so an acknowledged command survives a crash
//! of the server and of Postgres. The schema is whatever the connection's `search_path`
//! names first: `postgres://…/db?options=-csearch_path%3Dcafe` keeps the tables in schema
//! `cafe` (which must exist).

use super::health::WriteHealth;
use super::writer::{
    self, corrupt, to_i64, to_u64, AppendReq, GroupCommit, Step, WriteMsg, WRITE_QUEUE,
};
use super::{
    check_fence, CafeRow, CommandRecord, Lease, LoadedCafe, ReplaySource, Store, StoreError,
    StoreResult, StoredEvent,
};
use async_trait::async_trait;
use cafe_shared::{CafeId, CafeState, Event, JoinCode, PersonId};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Row};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

mod create;

/// Connections per node: the writer's one, loads, replays and lease renewals. Postgres'
/// default `max_connections` (100) leaves room for a dozen nodes.
const POOL_SIZE: u32 = 8;

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// A failure and whether it is the request's own (a taken key, bad data, a stale token: the
/// group goes on without it) or the database's (every waiting request fails with it).
enum WriteErr {
    Own(StoreError),
    All(StoreError),
}

fn db(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(d.message().to_owned())
        }
        sqlx::Error::Database(d) => StoreError::Db(format!(
            "{} (SQLSTATE {})",
            d.message(),
            d.code().unwrap_or_default()
        )),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Db(format!("{UNREACHABLE}: {e}")),
        _ => StoreError::Db(e.to_string()),
    }
}

const UNREACHABLE: &str = "database unreachable";

/// Postgres' SQLSTATE classes and codes that blame the storage or the server, not the data:
/// insufficient resources (53: disk full, out of memory, too many connections), system
/// errors (58: I/O), connection exceptions (08), operator intervention (57P: shutting down,
/// starting up) and a read-only transaction (25006, e.g. a standby after a failover).
fn is_storage_failure(e: &StoreError) -> bool {
    let StoreError::Db(m) = e else {
        return false;
    };
    const SIGNS: [&str; 5] = [
        "(SQLSTATE 53",
        "(SQLSTATE 58",
        "(SQLSTATE 08",
        "(SQLSTATE 57P",
        "(SQLSTATE 25006)",
    ];
    m.starts_with(UNREACHABLE) || SIGNS.iter().any(|s| m.contains(s))
}

/// Errors of one request's statement: integrity (23: a key taken, a café that does not
/// exist) and data (22: e.g. bad JSON) failures are the request's own.
fn write_err(e: sqlx::Error) -> WriteErr {
    let own = matches!(&e, sqlx::Error::Database(d)
        if d.code().is_some_and(|c| c.starts_with("23") || c.starts_with("22")));
    if own {
        WriteErr::Own(db(e))
    } else {
        WriteErr::All(db(e))
    }
}

fn ttl_millis(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX)
}

pub struct PgStore {
    pool: PgPool,
    writer: mpsc::Sender<WriteMsg>,
    health: Arc<WriteHealth>,
}

impl PgStore {
    pub async fn open(url: &str) -> StoreResult<Self> {
        let opts = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|e| {
                StoreError::Db(format!(
                    "cannot connect to Postgres at {}: {e}",
                    redact(url)
                ))
            })?;
        // Several nodes may start at once: sqlx serialises their migrations with an
        // advisory lock.
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Db(format!("migration failed: {e}")))?;
        create::discard_abandoned(&pool).await?;
        let (tx, rx) = mpsc::channel(WRITE_QUEUE);
        let health = Arc::new(WriteHealth::default());
        tokio::spawn(writer::run(
            PgWriter { pool: pool.clone() },
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
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The writer, for tests that cut a creation short.
    #[cfg(test)]
    pub(crate) fn writer(&self) -> &mpsc::Sender<WriteMsg> {
        &self.writer
    }
}

fn row_to_cafe(r: &PgRow) -> StoreResult<CafeRow> {
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

/// The columns `row_to_event` reads (a macro, so queries stay `&'static str` for sqlx).
macro_rules! event_columns {
    () => {
        "seq, at, command_person, command_id, body"
    };
}

fn row_to_event(r: &PgRow) -> StoreResult<StoredEvent> {
    let seq: i64 = r.try_get("seq").map_err(db)?;
    let at: i64 = r.try_get("at").map_err(db)?;
    let person: Option<i64> = r.try_get("command_person").map_err(db)?;
    let id: Option<Vec<u8>> = r.try_get("command_id").map_err(db)?;
    let id = id.map(command_id).transpose()?;
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

/// The columns `row_to_lease` reads: `expires_at` in milliseconds.
macro_rules! lease_columns {
    () => {
        "owner_node, token, (extract(epoch FROM expires_at) * 1000)::bigint AS expires_ms"
    };
}

fn row_to_lease(r: &PgRow) -> StoreResult<Lease> {
    Ok(Lease {
        owner: r.try_get("owner_node").map_err(db)?,
        token: to_u64(r.try_get("token").map_err(db)?),
        expires_at: r.try_get("expires_ms").map_err(db)?,
    })
}

/// Command ids are stored as bytes (see the migration); they were a Rust `String`.
fn command_id(bytes: Vec<u8>) -> StoreResult<String> {
    String::from_utf8(bytes).map_err(corrupt)
}

fn decode_state(json: &str) -> StoreResult<CafeState> {
    serde_json::from_str(json).map_err(corrupt)
}

/// Postgres' side of the group commit. A failed statement aborts a Postgres transaction, so
/// rather than a savepoint per request (two more round trips each) the group is written
/// optimistically: the live cafés' appends all in one statement (and their fencing checks in
/// one more), so a group costs a handful of round trips however many cafés it holds. When
/// that statement fails on a request's own account (a taken seq), the group is written again
/// request by request to find which; a request that fails on its own is answered and the
/// group written again without it.
struct PgWriter {
    pool: PgPool,
}

#[async_trait]
impl GroupCommit for PgWriter {
    async fn commit(&self, group: &[AppendReq]) -> Vec<StoreResult<()>> {
        let mut results: Vec<Option<StoreResult<()>>> = group.iter().map(|_| None).collect();
        let mut bulk = true;
        loop {
            let pending: Vec<usize> = (0..group.len()).filter(|i| results[*i].is_none()).collect();
            if pending.is_empty() {
                break;
            }
            match self.try_group(group, &pending, bulk).await {
                Ok(()) => {
                    for i in pending {
                        results[i] = Some(Ok(()));
                    }
                }
                // Each retry drops one request, so this ends.
                Err((Some(i), WriteErr::Own(e))) => results[i] = Some(Err(e)),
                Err((None, WriteErr::Own(_))) if bulk => bulk = false,
                Err((_, WriteErr::All(e) | WriteErr::Own(e))) => {
                    for i in pending {
                        results[i] = Some(Err(e.clone()));
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(StoreError::Db("not written".into()))))
            .collect()
    }

    fn is_storage_failure(&self, e: &StoreError) -> bool {
        is_storage_failure(e)
    }
}

impl PgWriter {
    /// Writes the `pending` requests in one transaction and commits; on failure, which
    /// request failed (if that is known) and how. With `bulk`, live cafés' appends share
    /// one statement (a failure of it names no request).
    async fn try_group(
        &self,
        group: &[AppendReq],
        pending: &[usize],
        bulk: bool,
    ) -> Result<(), (Option<usize>, WriteErr)> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| (None, WriteErr::All(db(e))))?;
        let (together, alone): (Vec<usize>, Vec<usize>) = pending
            .iter()
            .partition(|i| bulk && matches!(group[**i].step, Step::Append));
        // Dropping the transaction on an error rolls it back.
        for i in alone {
            write_req(&mut tx, &group[i])
                .await
                .map_err(|e| (Some(i), e))?;
        }
        if !together.is_empty() {
            check_fences(&mut tx, group, &together).await?;
            insert_rows(&mut tx, together.iter().map(|i| &group[*i]))
                .await
                .map_err(|e| (None, write_err(e)))?;
        }
        tx.commit().await.map_err(|e| (None, WriteErr::All(db(e))))
    }
}

/// The fencing checks of several requests in one query (see `write_req`).
async fn check_fences(
    tx: &mut PgConnection,
    group: &[AppendReq],
    which: &[usize],
) -> Result<(), (Option<usize>, WriteErr)> {
    let fenced: Vec<usize> = which
        .iter()
        .copied()
        .filter(|i| group[*i].fence.is_some())
        .collect();
    if fenced.is_empty() {
        return Ok(());
    }
    let cafes: Vec<&str> = fenced.iter().map(|i| group[*i].cafe.as_str()).collect();
    let held: Vec<(String, i64)> = sqlx::query_as(
        "SELECT cafe_id, token FROM cafe_leases WHERE cafe_id = ANY($1) \
         ORDER BY cafe_id FOR SHARE",
    )
    .bind(cafes)
    .fetch_all(&mut *tx)
    .await
    .map_err(|e| (None, WriteErr::All(db(e))))?;
    let held: std::collections::HashMap<&str, i64> =
        held.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    for i in fenced {
        let r = &group[i];
        let token = r.fence.unwrap_or_default();
        check_fence(token, held.get(r.cafe.as_str()).copied())
            .map_err(|e| (Some(i), WriteErr::Own(e)))?;
    }
    Ok(())
}

async fn write_req(tx: &mut PgConnection, r: &AppendReq) -> Result<(), WriteErr> {
    if let Some(token) = r.fence {
        // FOR SHARE: a takeover (an UPDATE of this row) waits until this transaction ends,
        // so no append with the old token commits after the new owner got its token.
        let held: Option<i64> =
            sqlx::query_scalar("SELECT token FROM cafe_leases WHERE cafe_id = $1 FOR SHARE")
                .bind(&r.cafe)
                .fetch_optional(&mut *tx)
                .await
                .map_err(write_err)?;
        check_fence(token, held).map_err(WriteErr::Own)?;
    }
    match &r.step {
        Step::Append | Step::Publish => {}
        Step::Create {
            code,
            epoch,
            created_at,
            snapshot,
            ready,
        } => create::insert_cafe(tx, &r.cafe, code, *epoch, *created_at, snapshot, *ready)
            .await
            .map_err(write_err)?,
        Step::Discard => return create::discard(tx, &r.cafe).await.map_err(write_err),
    }
    if !r.events.is_empty() || !r.commands.is_empty() {
        insert_rows(tx, std::iter::once(r))
            .await
            .map_err(write_err)?;
    }
    if let Step::Publish = r.step {
        sqlx::query("UPDATE cafes SET ready = true WHERE id = $1")
            .bind(&r.cafe)
            .execute(&mut *tx)
            .await
            .map_err(write_err)?;
    }
    Ok(())
}

/// Requests' events and command records in one statement (arrays, so one round trip
/// whatever the number of cafés and rows).
async fn insert_rows<'a>(
    tx: &mut PgConnection,
    reqs: impl Iterator<Item = &'a AppendReq>,
) -> Result<(), sqlx::Error> {
    let (mut cafe, mut seq, mut at, mut person, mut id, mut body) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let (mut c_cafe, mut c_person, mut c_id, mut c_seq) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in reqs {
        for e in &r.events {
            cafe.push(r.cafe.as_str());
            seq.push(e.seq);
            at.push(e.at);
            person.push(e.person);
            id.push(e.id.as_deref().map(str::as_bytes));
            body.push(e.body.as_str());
        }
        for c in &r.commands {
            c_cafe.push(r.cafe.as_str());
            c_person.push(c.0);
            c_id.push(c.1.as_bytes());
            c_seq.push(c.2);
        }
    }
    sqlx::query(
        "WITH ev AS ( \
           INSERT INTO events (cafe_id, seq, at, command_person, command_id, body) \
           SELECT e.cafe, e.seq, e.at, e.person, e.id, e.body \
           FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bytea[], \
                       $6::text[]) AS e(cafe, seq, at, person, id, body) \
         ) \
         INSERT INTO commands (cafe_id, person, id, seq) \
         SELECT c.cafe, c.person, c.id, c.seq \
         FROM UNNEST($7::text[], $8::bigint[], $9::bytea[], $10::bigint[]) \
           AS c(cafe, person, id, seq)",
    )
    .bind(cafe)
    .bind(seq)
    .bind(at)
    .bind(person)
    .bind(id)
    .bind(body)
    .bind(c_cafe)
    .bind(c_person)
    .bind(c_id)
    .bind(c_seq)
    .execute(&mut *tx)
    .await
    .map(|_| ())
}

#[async_trait]
impl Store for PgStore {
    async fn create_cafe(
        &self,
        row: &CafeRow,
        snapshot: Option<(u64, &CafeState)>,
        events: &[StoredEvent],
    ) -> StoreResult<()> {
        writer::create(&self.writer, row, snapshot, events).await
    }

    async fn cafe_by_code(&self, code: &JoinCode) -> StoreResult<Option<CafeRow>> {
        let r =
            sqlx::query("SELECT id, code, epoch, created_at FROM cafes WHERE code = $1 AND ready")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        r.as_ref().map(row_to_cafe).transpose()
    }

    async fn load(&self, id: &CafeId, keep_events: u64) -> StoreResult<Option<LoadedCafe>> {
        // One snapshot of the database for all the reads (a cluster's other nodes may be
        // writing other cafés meanwhile; this café's writer is the caller).
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let Some(r) =
            sqlx::query("SELECT id, code, epoch, created_at FROM cafes WHERE id = $1 AND ready")
                .bind(&id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
        else {
            return Ok(None);
        };
        let row = row_to_cafe(&r)?;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE cafe_id = $1")
                .bind(&id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM snapshots WHERE cafe_id = $1")
                .bind(&id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        let target = to_u64(last.unwrap_or(0)).saturating_sub(keep_events);
        let mut snap = sqlx::query(
            "SELECT seq, state FROM snapshots WHERE cafe_id = $1 AND seq <= $2 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(&id.0)
        .bind(to_i64(target))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if snap.is_none() {
            // A young café: replay from the oldest snapshot kept (an import's), or from
            // the first event.
            snap = sqlx::query(
                "SELECT seq, state FROM snapshots WHERE cafe_id = $1 \
                 ORDER BY seq ASC LIMIT 1",
            )
            .bind(&id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            let has_first: Option<i64> =
                sqlx::query_scalar("SELECT seq FROM events WHERE cafe_id = $1 AND seq = 1")
                    .bind(&id.0)
                    .fetch_optional(&mut *tx)
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
                Some((to_u64(seq), decode_state(&state)?))
            }
            None => None,
        };
        let after = snapshot.as_ref().map(|s| s.0).unwrap_or(0);
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE cafe_id = $1 AND seq > $2 ORDER BY seq"
        ))
        .bind(&id.0)
        .bind(to_i64(after))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let events = rows
            .iter()
            .map(row_to_event)
            .collect::<StoreResult<Vec<_>>>()?;
        let cmds =
            sqlx::query("SELECT person, id, seq FROM commands WHERE cafe_id = $1 ORDER BY seq")
                .bind(&id.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        tx.commit().await.map_err(db)?;
        let mut commands = Vec::with_capacity(cmds.len());
        for c in &cmds {
            let person: i64 = c.try_get("person").map_err(db)?;
            let cid = command_id(c.try_get("id").map_err(db)?)?;
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

    async fn acquire_lease(
        &self,
        cafe: &CafeId,
        node: &str,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        let r = sqlx::query(concat!(
            "INSERT INTO cafe_leases AS l (cafe_id, owner_node, token, expires_at) \
             VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond') \
             ON CONFLICT (cafe_id) DO UPDATE SET owner_node = excluded.owner_node, \
               token = l.token + 1, expires_at = excluded.expires_at \
             WHERE l.expires_at <= clock_timestamp() OR l.owner_node = excluded.owner_node \
             RETURNING ",
            lease_columns!(),
            ""
        ))
        .bind(&cafe.0)
        .bind(node)
        .bind(ttl_millis(ttl))
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
        let r = sqlx::query(concat!(
            "UPDATE cafe_leases SET expires_at = clock_timestamp() + $4 * interval '1 millisecond' \
             WHERE cafe_id = $1 AND owner_node = $2 AND token = $3 \
             RETURNING ", lease_columns!(), ""
        ))
        .bind(&cafe.0)
        .bind(node)
        .bind(to_i64(token))
        .bind(ttl_millis(ttl))
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        r.as_ref().map(row_to_lease).transpose()
    }

    async fn release_lease(&self, cafe: &CafeId, node: &str, token: u64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE cafe_leases SET expires_at = clock_timestamp() \
             WHERE cafe_id = $1 AND owner_node = $2 AND token = $3",
        )
        .bind(&cafe.0)
        .bind(node)
        .bind(to_i64(token))
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db)
    }

    async fn lease(&self, cafe: &CafeId) -> StoreResult<Option<Lease>> {
        let r = sqlx::query(concat!(
            "SELECT ",
            lease_columns!(),
            " FROM cafe_leases WHERE cafe_id = $1"
        ))
        .bind(&cafe.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        r.as_ref().map(row_to_lease).transpose()
    }

    async fn replay_source(
        &self,
        cafe: &CafeId,
        at_or_before: u64,
        upto: u64,
        max: u64,
    ) -> StoreResult<Option<ReplaySource>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let snap = sqlx::query(
            "SELECT seq, state FROM snapshots WHERE cafe_id = $1 AND seq <= $2 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(&cafe.0)
        .bind(to_i64(at_or_before))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        let snap_seq: Option<i64> = match &snap {
            Some(s) => Some(s.try_get("seq").map_err(db)?),
            None => None,
        };
        let from = to_u64(snap_seq.unwrap_or(0));
        if upto.saturating_sub(from) > max {
            return Ok(None);
        }
        let base = match (snap_seq, snap) {
            (Some(seq), Some(s)) => {
                let state: String = s.try_get("state").map_err(db)?;
                Some((to_u64(seq), decode_state(&state)?))
            }
            _ => None,
        };
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events \
             WHERE cafe_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq"
        ))
        .bind(&cafe.0)
        .bind(to_i64(from))
        .bind(to_i64(upto))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let events = rows
            .iter()
            .map(row_to_event)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some((base, events)))
    }

    async fn events_after(
        &self,
        cafe: &CafeId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<StoredEvent>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE cafe_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        ))
        .bind(&cafe.0)
        .bind(to_i64(after))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(row_to_event).collect()
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
        sqlx::query(
            "INSERT INTO snapshots (cafe_id, seq, state) VALUES ($1, $2, $3) \
             ON CONFLICT (cafe_id, seq) DO UPDATE SET state = excluded.state",
        )
        .bind(&cafe.0)
        .bind(to_i64(seq))
        .bind(json)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "DELETE FROM snapshots WHERE cafe_id = $1 AND seq < \
             (SELECT MAX(seq) FROM snapshots WHERE cafe_id = $1 AND seq <= $2)",
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
            "INSERT INTO health (id, checked_at) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        )
        .bind(crate::cafe::now_millis())
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db)
    }

    async fn close(&self) {
        writer::close(&self.writer).await;
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://cafe:s3cret@db:5432/cafe?sslmode=require"),
            "postgres://cafe:***@db:5432/cafe?sslmode=require"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
    }
}
