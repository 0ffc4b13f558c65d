//! The cluster tests' deployment: a PostgreSQL schema and a NATS subject prefix of its own
//! per test, and `cafe-server` binaries started on them. Fails clearly, never skips, when
//! either service is missing.

use cafe_shared::Event;
use cafe_tests::BinaryServer;
use sqlx::{AssertSqlSafe, Connection};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const LEASE_MS: &str = "1500";

fn admin_url() -> String {
    std::env::var("CAFE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn nats_url() -> String {
    std::env::var("CAFE_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
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

/// Fails clearly (never skips) when NATS is not there.
async fn require_nats() {
    let url = nats_url();
    let hostport = url.trim_start_matches("nats://").to_owned();
    match tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::TcpStream::connect(&hostport),
    )
    .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => panic!(
            "this test needs NATS at {url} (start nats-server -js; override with \
             CAFE_TEST_NATS_URL): {e}"
        ),
        Err(_) => panic!("this test needs NATS at {url}: connecting timed out"),
    }
}

/// A Postgres schema and a NATS subject prefix of its own; the schema is dropped with it.
pub struct Deployment {
    schema: String,
    url: String,
    prefix: String,
    pub dir: tempfile::TempDir,
}

impl Deployment {
    pub async fn new() -> Self {
        require_nats().await;
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let schema = format!("cafe_cluster_{}_{n}", std::process::id());
        let mut c = connect().await;
        sqlx::query(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&mut c)
        .await
        .expect("drop old schema");
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut c)
            .await
            .expect("create schema");
        let admin = admin_url();
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
        Self {
            prefix: format!("test{}x{n}", std::process::id()),
            schema,
            url,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub async fn node(&self, name: &str) -> BinaryServer {
        let dir = self.dir.path().join(name);
        std::fs::create_dir_all(&dir).expect("node dir");
        self.node_in(&dir, name).await
    }

    pub async fn node_in(&self, dir: &Path, name: &str) -> BinaryServer {
        let nats = nats_url();
        let flags = [
            "--database-url",
            self.url.as_str(),
            "--nats-url",
            nats.as_str(),
            "--nats-prefix",
            self.prefix.as_str(),
            "--node-id",
            name,
            "--lease-ms",
            LEASE_MS,
            "--join-burst",
            "1000",
        ];
        BinaryServer::start_with(dir, &flags).await
    }

    /// Each stored command's seq, and the texts of the ideas stored, in seq order.
    pub async fn stored(&self) -> (Vec<(Vec<u8>, i64)>, Vec<(i64, String)>) {
        let mut c = connect().await;
        let commands: Vec<(Vec<u8>, i64)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT id, seq FROM {}.commands ORDER BY seq",
            self.schema
        )))
        .fetch_all(&mut c)
        .await
        .expect("commands");
        let events: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT seq, body FROM {}.events ORDER BY seq",
            self.schema
        )))
        .fetch_all(&mut c)
        .await
        .expect("events");
        (commands, events)
    }

    /// Every stored seq once, 1..=n without a gap; every idea text at most once; returns
    /// the idea texts.
    pub async fn check_log(&self) -> HashMap<String, i64> {
        let (_, events) = self.stored().await;
        for (i, (seq, _)) in events.iter().enumerate() {
            assert_eq!(*seq, i as i64 + 1, "the stored log is dense");
        }
        let mut ideas = HashMap::new();
        for (seq, body) in &events {
            let e: Event = serde_json::from_str(body).expect("stored event");
            if let Event::IdeaPosted { idea } = e {
                let prev = ideas.insert(idea.text.clone(), *seq);
                assert!(prev.is_none(), "idea {:?} stored twice", idea.text);
            }
        }
        ideas
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        let name = self.schema.clone();
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
