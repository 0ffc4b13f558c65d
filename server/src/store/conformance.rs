//! The store conformance suite: every case runs against SQLite and against PostgreSQL (the
//! way zed's collab runs its database tests on both), so the two back ends keep the same
//! semantics behind the `Store` trait.
//!
//! Each Postgres case works in its own schema of the `test` database on 127.0.0.1:5432 (or
//! `CAFE_TEST_POSTGRES_URL`), dropped at the end even when the case fails, so cases run in
//! parallel and re-runs start clean. Without a reachable Postgres the cases fail and say so.

use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::writer::{self, event_row, Step, WriteMsg, CHUNK_EVENTS};
use super::{CafeRow, CommandRecord, Store, StoreError, StoreResult, StoredEvent};
use cafe_shared::{CafeId, CafeState, Event, JoinCode, PersonId, Phase};
use sqlx::{AssertSqlSafe, Connection};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The database the Postgres cases use.
pub fn postgres_admin_url() -> String {
    std::env::var("CAFE_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES.to_owned())
}

/// Where a case's store lives; gone when this is dropped.
pub enum TestDb {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
        schema: String,
    },
}

/// A store opened on a [`TestDb`], with what some cases need beyond the trait.
pub enum Opened {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl std::ops::Deref for Opened {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        match self {
            Opened::Sqlite(s) => s,
            Opened::Postgres(s) => s,
        }
    }
}

impl Opened {
    fn writer(&self) -> &mpsc::Sender<WriteMsg> {
        match self {
            Opened::Sqlite(s) => s.writer(),
            Opened::Postgres(s) => s.writer(),
        }
    }

    async fn event_count(&self, cafe: &str) -> i64 {
        match self {
            Opened::Sqlite(s) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE cafe_id = ?")
                    .bind(cafe)
                    .fetch_one(s.pool())
                    .await
                    .expect("count")
            }
            Opened::Postgres(s) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE cafe_id = $1")
                    .bind(cafe)
                    .fetch_one(s.pool())
                    .await
                    .expect("count")
            }
        }
    }

    /// Makes every insert into `events` fail the way a full disk does (or stops it).
    async fn fail_event_writes(&self, fail: bool) {
        let sql: &[&'static str] = match (self, fail) {
            (Opened::Sqlite(_), true) => &["CREATE TRIGGER fail_events BEFORE INSERT ON events \
                 BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"],
            (Opened::Sqlite(_), false) => &["DROP TRIGGER fail_events"],
            (Opened::Postgres(_), true) => &[
                "CREATE FUNCTION fail_disk() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' \
                 USING ERRCODE = 'disk_full'; END $$",
                "CREATE TRIGGER fail_events BEFORE INSERT ON events \
                 FOR EACH STATEMENT EXECUTE FUNCTION fail_disk()",
            ],
            (Opened::Postgres(_), false) => &[
                "DROP TRIGGER fail_events ON events",
                "DROP FUNCTION fail_disk()",
            ],
        };
        for q in sql {
            match self {
                Opened::Sqlite(s) => sqlx::query(*q).execute(s.pool()).await.map(|_| ()),
                Opened::Postgres(s) => sqlx::query(*q).execute(s.pool()).await.map(|_| ()),
            }
            .expect("trigger");
        }
    }

    /// Makes a hidden café look abandoned long ago (Postgres discards only those at start,
    /// since another node may still be writing a young one; SQLite discards every one).
    async fn age_hidden(&self, cafe: &str) {
        if let Opened::Postgres(s) = self {
            sqlx::query("UPDATE cafes SET started_at = now() - interval '1 day' WHERE id = $1")
                .bind(cafe)
                .execute(s.pool())
                .await
                .expect("age");
        }
    }
}

static NEXT_SCHEMA: AtomicU32 = AtomicU32::new(0);

/// Connects to the test Postgres, failing with a clear message when it is not there.
pub async fn connect_postgres() -> sqlx::PgConnection {
    let url = postgres_admin_url();
    match tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(&url)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => panic!(
            "these tests need PostgreSQL at {url} (127.0.0.1:5432, user postgres, trust auth, \
             database `test`; override with CAFE_TEST_POSTGRES_URL): {e}"
        ),
        Err(_) => panic!("these tests need PostgreSQL at {url}: connecting timed out"),
    }
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        TestDb::Sqlite { url, _dir: dir }
    }

    /// A fresh schema in the test database.
    pub async fn postgres() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "cafe_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT_SCHEMA.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = connect_postgres().await;
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut c)
            .await
            .expect("create schema");
        let _ = c.close().await;
        let admin = postgres_admin_url();
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
        TestDb::Postgres { url, schema }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub async fn open(&self) -> Opened {
        match self {
            TestDb::Sqlite { url, .. } => {
                Opened::Sqlite(SqliteStore::open(url).await.expect("open SQLite"))
            }
            TestDb::Postgres { url, .. } => {
                Opened::Postgres(PgStore::open(url).await.expect("open Postgres"))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let TestDb::Postgres { schema, .. } = self else {
            return;
        };
        // Drop runs inside the test's runtime (or during a panic), where blocking on a
        // future is not allowed: a thread with its own runtime drops the schema.
        let schema = schema.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&postgres_admin_url()).await?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE"
                )))
                .execute(&mut c)
                .await?;
                c.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema: {dropped:?}");
        }
    }
}

fn row(id: &str, code: &str) -> CafeRow {
    CafeRow {
        id: CafeId(id.into()),
        code: JoinCode::parse(code).expect("code"),
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

fn cmd(seq: u64) -> CommandRecord {
    CommandRecord {
        person: PersonId(2),
        id: format!("c{seq}"),
        seq,
    }
}

fn code(i: usize) -> String {
    format!("K7MQ2{}", JoinCode::ALPHABET[i] as char)
}

/// Runs each case against both back ends: `sqlite::<case>` and `postgres::<case>`.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::TestDb::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::TestDb::postgres().await).await;
                }
            )*
        }
    };
}

conformance!(
    codes_are_unique_and_logs_dense,
    snapshots_keep_enough_history_for_the_ring,
    concurrent_appends_group_and_a_conflict_fails_only_its_cafe,
    a_replayed_command_id_fails_its_whole_append,
    any_text_and_any_id_round_trip,
    an_import_starts_from_its_snapshot,
    a_big_cafe_is_written_in_chunks_and_visible_only_when_complete,
    everything_survives_a_reopen,
    the_probe_writes,
    a_storage_failure_makes_the_store_unready,
    leases_hand_over_with_a_new_token,
    a_stale_token_is_refused_and_writes_nothing,
    a_fenced_group_fails_only_the_stale_cafe,
);

async fn codes_are_unique_and_logs_dense(db: TestDb) {
    let s = db.open().await;
    s.create_cafe(&row("a", "K7MQ2P"), None, &[ev(1)])
        .await
        .expect("create");
    let dup = s.create_cafe(&row("b", "K7MQ2P"), None, &[]).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let dup_id = s.create_cafe(&row("a", "H4MQ2P"), None, &[]).await;
    assert!(matches!(dup_id, Err(StoreError::Conflict(_))), "{dup_id:?}");
    // A second writer for the same seq fails instead of forking the history.
    let again = s.append(&CafeId("a".into()), &[ev(1)], &[]).await;
    assert!(again.is_err());
    let found = s
        .cafe_by_code(&JoinCode::parse("k7m-q2p").expect("code"))
        .await
        .expect("look-up")
        .expect("found");
    assert_eq!(found, row("a", "K7MQ2P"));
    assert!(s
        .cafe_by_code(&JoinCode::parse("H4MQ2P").expect("code"))
        .await
        .expect("look-up")
        .is_none());
    assert!(s
        .load(&CafeId("nope".into()), 10)
        .await
        .expect("load")
        .is_none());
    s.close().await;
}

async fn snapshots_keep_enough_history_for_the_ring(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    s.create_cafe(&row("a", "K7MQ2P"), None, &[])
        .await
        .expect("create");
    let state = CafeState::default();
    for seq in 1..=100 {
        s.append(&id, &[ev(seq)], &[cmd(seq)])
            .await
            .expect("append");
        if seq.is_multiple_of(10) {
            s.save_snapshot(&id, seq, &state, 25)
                .await
                .expect("snapshot");
        }
    }
    // Loading for a ring of 25 starts at the newest snapshot at or before 75.
    let l = s.load(&id, 25).await.expect("load").expect("found");
    assert_eq!(l.snapshot.as_ref().map(|x| x.0), Some(70));
    assert_eq!(l.snapshot.as_ref().map(|x| &x.1), Some(&state));
    assert_eq!(l.events.first().map(|e| e.seq), Some(71));
    assert_eq!(l.events.len(), 30);
    assert_eq!(l.newest_snapshot, 100);
    assert_eq!(l.commands.len(), 100);
    assert_eq!(l.commands[41], cmd(42));
    assert_eq!(l.events[0], ev(71));
    // Snapshots older than the one kept for the ring are gone; a replay from before it
    // starts from the first event, bounded by `max`.
    let r = s
        .replay_source(&id, 40, 70, 1000)
        .await
        .expect("replay")
        .expect("within max");
    assert!(r.0.is_none());
    assert_eq!(r.1.len(), 70);
    assert!(s
        .replay_source(&id, 40, 70, 50)
        .await
        .expect("replay")
        .is_none());
    let r = s
        .replay_source(&id, 95, 100, 1000)
        .await
        .expect("replay")
        .expect("within max");
    assert_eq!(r.0.map(|x| x.0), Some(90));
    assert_eq!(r.1.len(), 10);
    let page = s.events_after(&id, 90, 5).await.expect("page");
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![91, 92, 93, 94, 95]
    );
    assert!(s.events_after(&id, 100, 5).await.expect("page").is_empty());
    s.close().await;
}

async fn concurrent_appends_group_and_a_conflict_fails_only_its_cafe(db: TestDb) {
    let s = Arc::new(db.open().await);
    for i in 0..20 {
        s.create_cafe(&row(&format!("c{i}"), &code(i)), None, &[ev(1)])
            .await
            .expect("create");
    }
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let id = CafeId(format!("c{i}"));
            // Café 0 re-sends seq 1 (a conflict); the others append seq 2..=6.
            let first = if i == 0 { 1 } else { 2 };
            s.append(
                &id,
                &(first..=6).map(ev).collect::<Vec<_>>(),
                &(first..=6).map(cmd).collect::<Vec<_>>(),
            )
            .await
        }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        let r = t.await.expect("task");
        assert_eq!(r.is_err(), i == 0, "café {i}: {r:?}");
    }
    for i in 1..20 {
        let l = s
            .load(&CafeId(format!("c{i}")), 100)
            .await
            .expect("load")
            .expect("found");
        assert_eq!(l.events, (1..=6).map(ev).collect::<Vec<_>>());
        assert_eq!(l.commands.len(), 5);
    }
    let l = s
        .load(&CafeId("c0".into()), 100)
        .await
        .expect("load")
        .expect("found");
    assert_eq!(l.events.len(), 1);
    assert!(l.commands.is_empty());
    // Close flushes and later appends fail instead of hanging.
    s.close().await;
    assert!(s.append(&CafeId("c1".into()), &[ev(7)], &[]).await.is_err());
}

async fn a_replayed_command_id_fails_its_whole_append(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    s.create_cafe(&row("a", "K7MQ2P"), None, &[])
        .await
        .expect("create");
    s.append(&id, &[ev(1)], &[cmd(1)]).await.expect("append");
    // The same (person, command id) again: neither its event nor its record goes in.
    let again = s
        .append(&id, &[ev(2)], &[CommandRecord { seq: 2, ..cmd(1) }])
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let l = s.load(&id, 10).await.expect("load").expect("found");
    assert_eq!(l.events, vec![ev(1)]);
    assert_eq!(l.commands, vec![cmd(1)]);
    // An append for a café that does not exist fails alone.
    let ghost = s.append(&CafeId("ghost".into()), &[ev(1)], &[]).await;
    assert!(ghost.is_err());
    s.append(&id, &[ev(2)], &[cmd(2)]).await.expect("append");
    s.close().await;
}

async fn any_text_and_any_id_round_trip(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    s.create_cafe(&row("a", "K7MQ2P"), None, &[])
        .await
        .expect("create");
    // A client may put any character in a command id (NUL included); stored data may hold
    // the largest ids and any escape.
    let odd = "a\u{0}b\u{1}\"q\"\\ é 🎉".to_owned();
    let event = StoredEvent {
        seq: 1,
        at: i64::MAX,
        command: Some((PersonId(u64::MAX >> 1), odd.clone())),
        event: Event::TableRenamed {
            table: cafe_shared::TableId(u64::MAX),
            name: odd.clone(),
        },
    };
    let record = CommandRecord {
        person: PersonId(u64::MAX >> 1),
        id: odd.clone(),
        seq: 1,
    };
    s.append(
        &id,
        std::slice::from_ref(&event),
        std::slice::from_ref(&record),
    )
    .await
    .expect("append");
    let l = s.load(&id, 10).await.expect("load").expect("found");
    assert_eq!(l.events, vec![event.clone()]);
    assert_eq!(l.commands, vec![record]);
    assert_eq!(s.events_after(&id, 0, 10).await.expect("page"), vec![event]);
    s.close().await;
}

async fn an_import_starts_from_its_snapshot(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("imp".into());
    let state = CafeState::default();
    s.create_cafe(
        &row("imp", "K7MQ2P"),
        Some((40, &state)),
        &(41..=45).map(ev).collect::<Vec<_>>(),
    )
    .await
    .expect("import");
    let l = s.load(&id, 1000).await.expect("load").expect("found");
    assert_eq!(l.snapshot, Some((40, state)));
    assert_eq!(l.events, (41..=45).map(ev).collect::<Vec<_>>());
    assert_eq!(l.newest_snapshot, 40);
    let r = s
        .replay_source(&id, 42, 45, 100)
        .await
        .expect("replay")
        .expect("within max");
    assert_eq!(r.0.map(|x| x.0), Some(40));
    assert_eq!(r.1.len(), 5);
    s.close().await;
}

fn plain_events(n: u64) -> Vec<StoredEvent> {
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

async fn a_big_cafe_is_written_in_chunks_and_visible_only_when_complete(db: TestDb) {
    let s = db.open().await;
    let n = CHUNK_EVENTS as u64 * 2 + 500;
    s.create_cafe(&row("big", "K7MQ2P"), None, &plain_events(n))
        .await
        .expect("create");
    let loaded = s
        .load(&CafeId("big".into()), 10)
        .await
        .expect("load")
        .expect("found");
    assert_eq!(loaded.events.len() as u64, n);
    assert!(s
        .cafe_by_code(&JoinCode::parse("K7MQ2P").expect("code"))
        .await
        .expect("look-up")
        .is_some());

    // A creation cut short after its first chunk: hidden, its code reserved, and gone
    // after a restart.
    let rows = plain_events(CHUNK_EVENTS as u64)
        .iter()
        .map(event_row)
        .collect::<StoreResult<_>>()
        .expect("rows");
    let step = Step::Create {
        code: "H4MQ2P".into(),
        epoch: 1,
        created_at: 1,
        snapshot: None,
        ready: false,
    };
    writer::send(s.writer(), "half", rows, Vec::new(), step, None)
        .await
        .expect("first chunk");
    let code = JoinCode::parse("H4MQ2P").expect("code");
    assert!(s.cafe_by_code(&code).await.expect("look-up").is_none());
    assert!(s
        .load(&CafeId("half".into()), 10)
        .await
        .expect("load")
        .is_none());
    let taken = s
        .create_cafe(&row("other", "H4MQ2P"), None, &plain_events(1))
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    s.age_hidden("half").await;
    s.close().await;
    drop(s);
    let s = db.open().await;
    assert_eq!(s.event_count("half").await, 0);
    s.create_cafe(&row("other", "H4MQ2P"), None, &plain_events(1))
        .await
        .expect("the code is free again");
    assert!(s
        .load(&CafeId("big".into()), 10)
        .await
        .expect("load")
        .is_some());
    s.close().await;
}

async fn everything_survives_a_reopen(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    s.create_cafe(&row("a", "K7MQ2P"), None, &[ev(1)])
        .await
        .expect("create");
    s.append(&id, &[ev(2), ev(3)], &[cmd(2), cmd(3)])
        .await
        .expect("append");
    s.save_snapshot(&id, 2, &CafeState::default(), 0)
        .await
        .expect("snapshot");
    s.close().await;
    drop(s);
    let s = db.open().await;
    let l = s.load(&id, 0).await.expect("load").expect("found");
    assert_eq!(l.row, row("a", "K7MQ2P"));
    assert_eq!(l.snapshot.map(|x| x.0), Some(2));
    assert_eq!(l.events, vec![ev(3)]);
    assert_eq!(l.commands, vec![cmd(2), cmd(3)]);
    s.close().await;
}

async fn the_probe_writes(db: TestDb) {
    let s = db.open().await;
    s.probe_write().await.expect("probe");
    s.probe_write().await.expect("probe again");
    s.close().await;
}

async fn a_storage_failure_makes_the_store_unready(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    s.create_cafe(&row("a", "K7MQ2P"), None, &[ev(1)])
        .await
        .expect("create");
    // A request's own failure (a taken seq) says nothing about the storage.
    assert!(s.append(&id, &[ev(1)], &[]).await.is_err());
    s.probe_write().await.expect("still ready");
    // The cafés' appends fail as on a full disk; the probe's own write would still pass.
    s.fail_event_writes(true).await;
    let full = s.append(&id, &[ev(2)], &[]).await;
    assert!(matches!(full, Err(StoreError::Db(_))), "{full:?}");
    assert!(
        s.probe_write().await.is_err(),
        "unready after a failed commit"
    );
    s.fail_event_writes(false).await;
    s.append(&id, &[ev(2)], &[])
        .await
        .expect("writes work again");
    s.probe_write().await.expect("ready again");
    s.close().await;
}

const TTL: Duration = Duration::from_secs(60);

async fn leases_hand_over_with_a_new_token(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    assert!(s.lease(&id).await.expect("lease").is_none());
    let a = s
        .acquire_lease(&id, "node-a", TTL)
        .await
        .expect("acquire")
        .expect("free");
    assert_eq!((a.owner.as_str(), a.token), ("node-a", 1));
    assert_eq!(s.lease(&id).await.expect("lease"), Some(a.clone()));
    // Held and live: another node cannot take it; renewing keeps the token.
    assert!(s
        .acquire_lease(&id, "node-b", TTL)
        .await
        .expect("acquire")
        .is_none());
    let renewed = s
        .renew_lease(&id, "node-a", 1, TTL)
        .await
        .expect("renew")
        .expect("still ours");
    assert_eq!(renewed.token, 1);
    assert!(renewed.expires_at >= a.expires_at);
    assert!(s
        .renew_lease(&id, "node-b", 1, TTL)
        .await
        .expect("renew")
        .is_none());
    // Released (or expired): the next owner gets the next token, and the old one can no
    // longer renew.
    s.release_lease(&id, "node-a", 1).await.expect("release");
    let b = s
        .acquire_lease(&id, "node-b", TTL)
        .await
        .expect("acquire")
        .expect("released");
    assert_eq!((b.owner.as_str(), b.token), ("node-b", 2));
    assert!(s
        .renew_lease(&id, "node-a", 1, TTL)
        .await
        .expect("renew")
        .is_none());
    // A lease that ran out is taken over without a release.
    let short = Duration::from_millis(1);
    s.renew_lease(&id, "node-b", 2, short)
        .await
        .expect("renew")
        .expect("ours");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let c = s
        .acquire_lease(&id, "node-c", TTL)
        .await
        .expect("acquire")
        .expect("expired");
    assert_eq!(c.token, 3);
    // A node that acquires again (a restart with the same id) gets a new token too, so its
    // previous incarnation's writes are fenced.
    let c2 = s
        .acquire_lease(&id, "node-c", TTL)
        .await
        .expect("acquire")
        .expect("ours");
    assert_eq!(c2.token, 4);
    // Leases are per café.
    let other = s
        .acquire_lease(&CafeId("b".into()), "node-a", TTL)
        .await
        .expect("acquire")
        .expect("free");
    assert_eq!(other.token, 1);
    s.close().await;
}

async fn a_stale_token_is_refused_and_writes_nothing(db: TestDb) {
    let s = db.open().await;
    let id = CafeId("a".into());
    s.create_cafe(&row("a", "K7MQ2P"), None, &[ev(1)])
        .await
        .expect("create");
    // No lease at all: a fenced write is refused.
    let none = s.append_fenced(&id, 1, &[ev(2)], &[cmd(2)]).await;
    assert!(matches!(none, Err(StoreError::Fenced(_))), "{none:?}");
    let old = s
        .acquire_lease(&id, "node-a", Duration::from_millis(1))
        .await
        .expect("acquire")
        .expect("free");
    s.append_fenced(&id, old.token, &[ev(2)], &[cmd(2)])
        .await
        .expect("the owner writes");
    // node-a is paused past its lease; node-b takes over and writes seq 3.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let new = s
        .acquire_lease(&id, "node-b", TTL)
        .await
        .expect("acquire")
        .expect("expired");
    assert!(new.token > old.token);
    // node-a wakes up: its late write is refused, whatever seq it uses.
    for seq in [3, 4] {
        let late = s
            .append_fenced(&id, old.token, &[ev(seq)], &[cmd(seq)])
            .await;
        assert!(matches!(late, Err(StoreError::Fenced(_))), "{late:?}");
    }
    // A token check alone tells a node it was fenced.
    let check = s.append_fenced(&id, old.token, &[], &[]).await;
    assert!(matches!(check, Err(StoreError::Fenced(_))), "{check:?}");
    s.append_fenced(&id, new.token, &[], &[])
        .await
        .expect("current token");
    s.append_fenced(&id, new.token, &[ev(3)], &[cmd(3)])
        .await
        .expect("the new owner writes");
    let l = s.load(&id, 100).await.expect("load").expect("found");
    assert_eq!(l.events, vec![ev(1), ev(2), ev(3)]);
    assert_eq!(l.commands, vec![cmd(2), cmd(3)]);
    s.close().await;
}

async fn a_fenced_group_fails_only_the_stale_cafe(db: TestDb) {
    let s = Arc::new(db.open().await);
    let mut tokens = Vec::new();
    for i in 0..10 {
        let id = CafeId(format!("c{i}"));
        s.create_cafe(&row(&id.0, &code(i)), None, &[ev(1)])
            .await
            .expect("create");
        let l = s
            .acquire_lease(&id, "node-a", TTL)
            .await
            .expect("acquire")
            .expect("free");
        tokens.push(l.token);
    }
    // Café 3 was taken over (same node id, e.g. a restart: a new token).
    s.acquire_lease(&CafeId("c3".into()), "node-a", TTL)
        .await
        .expect("acquire")
        .expect("ours");
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let id = CafeId(format!("c{i}"));
            s.append_fenced(&id, token, &(2..=4).map(ev).collect::<Vec<_>>(), &[cmd(2)])
                .await
        }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        let r = t.await.expect("task");
        if i == 3 {
            assert!(matches!(r, Err(StoreError::Fenced(_))), "{r:?}");
        } else {
            r.expect("a current token writes");
        }
        let l = s
            .load(&CafeId(format!("c{i}")), 100)
            .await
            .expect("load")
            .expect("found");
        assert_eq!(l.events.len(), if i == 3 { 1 } else { 4 }, "café {i}");
    }
    s.close().await;
}
