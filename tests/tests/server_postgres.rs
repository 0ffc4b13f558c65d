//! The real `cafe-server` binary on PostgreSQL (`--database-url postgres://…`): kill -9
//! during a burst of acknowledged commands loses none of them, a restart on the same schema
//! has everything, and a client resumes from its (epoch, seq) with exactly what it missed.
//!
//! Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth, database `test`; or
//! `CAFE_TEST_POSTGRES_URL`). Each test works in its own schema, dropped at the end.

use cafe_shared::{ClientFrame, Command, Event, Location, ServerFrame};
use cafe_tests::BinaryServer;
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

fn admin_url() -> String {
    std::env::var("CAFE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

async fn connect() -> sqlx::PgConnection {
    let url = admin_url();
    match tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(&url)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => panic!(
            "this test needs PostgreSQL at {url} (127.0.0.1:5432, user postgres, trust auth, \
             database `test`; override with CAFE_TEST_POSTGRES_URL): {e}"
        ),
        Err(_) => panic!("this test needs PostgreSQL at {url}: connecting timed out"),
    }
}

/// A schema of its own in the test database, dropped when this is.
struct Schema {
    name: String,
    /// The server's `--database-url`: the test database with this schema first in the
    /// search path.
    url: String,
}

impl Schema {
    async fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "cafe_e2e_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = connect().await;
        sqlx::query(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE"
        )))
        .execute(&mut c)
        .await
        .expect("drop old schema");
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut c)
            .await
            .expect("create schema");
        let admin = admin_url();
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-csearch_path%3D{name}");
        Self { name, url }
    }

    async fn count(&self, table: &str) -> i64 {
        let mut c = connect().await;
        sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}.{table}",
            self.name
        )))
        .fetch_one(&mut c)
        .await
        .expect("count")
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime (or a panic): a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&admin_url()).await?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE"
                )))
                .execute(&mut c)
                .await
                .map(|_| ())
            })
        })
        .join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_command_through_kill_9_and_clients_resume() {
    let schema = Schema::new().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = ["--database-url", schema.url.as_str()];
    let server = BinaryServer::start_with(dir.path(), &flags).await;
    let (cafe, mut org) = server.open_cafe("On Postgres", json!({})).await;
    let plenary = org.ideate().await;

    // Wanda watches the first part of the burst, then loses her network.
    let (wanda, mut watcher) = server.arrive(&cafe.code, "Wanda", Location::Room).await;
    let mut people = Vec::new();
    for i in 0..4 {
        people.push(
            server
                .arrive(&cafe.code, &format!("P{i}"), Location::Remote)
                .await,
        );
    }
    for (i, (_, c)) in people.iter_mut().enumerate() {
        for n in 0..25 {
            c.send_frame(&ClientFrame::Command {
                id: format!("p{i}-{n}"),
                command: Command::PostIdea {
                    board: plenary,
                    text: format!("idea {i}-{n}"),
                    category: None,
                },
            })
            .await;
        }
    }
    let mut seen = 0;
    while seen < 10 {
        if let ServerFrame::Event {
            event: Event::IdeaPosted { .. },
            ..
        } = watcher.next().await.expect("the watcher is connected")
        {
            seen += 1;
        }
    }
    let point = watcher.resume_point();
    let known = watcher.state.clone();
    watcher.drop_connection().await;

    // Some acks on the first connection, then pull the plug.
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    {
        let (_, c) = &mut people[0];
        while acked.len() < 10 {
            match c.next().await {
                Some(ServerFrame::Ack { id, seq }) => {
                    acked.insert(id, seq);
                }
                Some(ServerFrame::Reject { id, code, .. }) => panic!("{id} refused: {code:?}"),
                Some(_) => {}
                None => panic!("closed early"),
            }
        }
    }
    server.kill9().await;
    for (_, c) in people.iter_mut() {
        while let Some(f) = c.next().await {
            if let ServerFrame::Ack { id, seq } = f {
                acked.insert(id, seq);
            }
        }
    }
    assert!(acked.len() >= 10);
    // The rows are in Postgres, in this test's schema, and SQLite was never opened.
    assert!(schema.count("events").await >= acked.len() as i64);
    assert!(schema.count("commands").await >= acked.len() as i64);
    assert!(!dir.path().join("cafe.db").exists());

    let server = BinaryServer::start_with(dir.path(), &flags).await;
    let fresh = server.enter(&cafe.organiser_token).await;
    let texts: Vec<&str> = fresh
        .state()
        .ideas
        .values()
        .map(|i| i.text.as_str())
        .collect();
    for id in acked.keys() {
        let want = format!("idea {}", id.trim_start_matches('p'));
        let copies = texts.iter().filter(|t| **t == want).count();
        assert_eq!(copies, 1, "acknowledged {id} survived kill -9, once");
    }

    // Wanda comes back where she left off: same epoch, exactly the events she missed.
    let mut back = server.connect().await;
    back.state = known;
    let welcome = back
        .hello(&wanda.token, Some(point))
        .await
        .expect("welcome");
    assert!(
        matches!(welcome, ServerFrame::Welcome { resumed: true, .. }),
        "{welcome:?}"
    );
    let seqs: Vec<u64> = back.events.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs.first(), Some(&(point.seq + 1)), "resumes right after");
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "no gap, no repeat"
    );
    assert_eq!(back.state().ideas, fresh.state().ideas);

    // Re-sending an acknowledged command after the crash gets its original ack.
    let (j, _) = &people[0];
    let mut again = server.enter(&j.token).await;
    let (id, seq) = acked
        .iter()
        .find(|(k, _)| k.starts_with("p0-"))
        .expect("an ack of P0");
    let got = again
        .command_with_id(
            id,
            Command::PostIdea {
                board: plenary,
                text: "duplicate".into(),
                category: None,
            },
        )
        .await
        .expect("acknowledged");
    assert_eq!(got, *seq);
    // /readyz probes Postgres.
    let ready = server.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 200);
    server.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_postgres_stops_the_start_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Port 1 on loopback: nothing listens there.
    let out = tokio::process::Command::new(cafe_tests::server_binary())
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .args([
            "--database-url",
            "postgres://cafe:s3cret@127.0.0.1:1/cafe",
            "--log-format",
            "json",
        ])
        .env("RUST_LOG", "error")
        .kill_on_drop(true)
        .output()
        .await
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = format!("{stdout}{stderr}");
    assert!(log.contains("cannot connect to Postgres"), "{log}");
    assert!(
        !log.contains("s3cret"),
        "the password stays out of logs: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_and_imports_work_on_postgres_across_a_restart() {
    let schema = Schema::new().await;
    let url = schema.url.clone();
    let tune = |c: &mut cafe_server::Config| {
        c.database_url = Some(url.clone());
        c.tuning.snapshot_every = 10;
    };
    let server = cafe_tests::TestServer::start_with(tune).await;
    let (cafe, mut org) = server.open_cafe("Snapshots", json!({})).await;
    let plenary = org.ideate().await;
    for n in 0..35 {
        org.post(plenary, format!("idea {n}")).await;
    }
    let r = server
        .get_with_token(
            &format!("/api/cafes/{}/export.json", cafe.cafe_id),
            &cafe.organiser_token,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let export: serde_json::Value = r.json().await.expect("export");
    let before = org.state().ideas.clone();
    assert_eq!(before.len(), 35);
    let (dir, tmp) = server.stop().await;
    // Periodic and shutdown snapshots went to Postgres.
    assert!(schema.count("snapshots").await >= 1);

    let server = cafe_tests::TestServer::start_in(&dir, tune).await;
    let back = server.enter(&cafe.organiser_token).await;
    assert_eq!(back.state().ideas, before);
    // The export imports into a new café on the same store, with the same board.
    let r = server
        .http
        .post(server.url("/api/cafes/import"))
        .header("content-type", "application/json")
        .body(export.to_string())
        .send()
        .await
        .expect("import request");
    assert_eq!(r.status().as_u16(), 201);
    let imported: cafe_tests::CreatedCafe = r.json().await.expect("created");
    let copy = server.enter(&imported.organiser_token).await;
    let texts = |s: &cafe_shared::CafeState| {
        let mut t: Vec<String> = s.ideas.values().map(|i| i.text.clone()).collect();
        t.sort();
        t
    };
    assert_eq!(texts(copy.state()), texts(back.state()));
    server.stop().await;
    drop(tmp);
}
