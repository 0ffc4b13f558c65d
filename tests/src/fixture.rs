//! The set-up the end-to-end tests share, so each test shows only what it is about: a café
//! with its organiser connected, people who joined and connected, the move to ideation, a
//! plain idea, and the check that a client's state equals a fresh snapshot of its view.
//!
//! These are methods on [`Api`] (so they work on [`crate::TestServer`] and
//! [`crate::BinaryServer`] alike) and on [`Client`]; like the rest of this crate they panic
//! on anything unexpected.

use crate::{
    comparable, server_binary, Api, BinaryServer, Client, CreatedCafe, Joined, RECV_GUARD,
    TEST_SECRET,
};
use cafe_shared::{BoardId, Command, Location, Phase};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;

/// The organiser's name in every fixture café.
pub const ORGANISER: &str = "Olga";

impl Api {
    /// Connects and says `hello` with `token`; the connection must be welcomed.
    pub async fn enter(&self, token: &str) -> Client {
        let mut c = self.connect().await;
        if let Err(closed) = c.hello(token, None).await {
            panic!("hello was refused: {closed:?}");
        }
        c
    }

    /// Creates a café (organised by [`ORGANISER`]; `extra` fields are merged into the
    /// request) and connects its organiser.
    pub async fn open_cafe(&self, title: &str, extra: Value) -> (CreatedCafe, Client) {
        let cafe = self.create_cafe(title, ORGANISER, extra).await;
        let org = self.enter(&cafe.organiser_token).await;
        (cafe, org)
    }

    /// Joins `name` by code and connects them.
    pub async fn arrive(&self, code: &str, name: &str, location: Location) -> (Joined, Client) {
        let joined = self.join(code, name, location).await;
        let client = self.enter(&joined.token).await;
        (joined, client)
    }

    /// `client` holds exactly what a fresh snapshot of the view of `token` shows.
    pub async fn assert_matches_fresh(&self, client: &Client, token: &str) {
        let fresh = self.enter(token).await;
        assert_eq!(
            comparable(client.state()),
            comparable(fresh.state()),
            "the state of {:?} after its events equals a fresh snapshot",
            client.you
        );
    }
}

impl Client {
    /// Moves the café to ideation (a facilitator's command) and returns the plenary board.
    pub async fn ideate(&mut self) -> BoardId {
        self.ok(Command::SetPhase {
            phase: Phase::Ideate,
        })
        .await;
        self.state().plenary.expect("a café has a plenary board")
    }

    /// Posts an idea without a category; it must be accepted. Returns the ack's seq.
    pub async fn post(&mut self, board: BoardId, text: impl Into<String>) -> u64 {
        self.ok(Command::PostIdea {
            board,
            text: text.into(),
            category: None,
        })
        .await
    }
}

impl BinaryServer {
    /// [`BinaryServer::start`] with extra command-line flags (e.g. `--database-url`).
    pub async fn start_with(dir: &Path, flags: &[&str]) -> Self {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(server_binary())
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(dir)
            .arg("--jwt-secret")
            .arg(TEST_SECRET)
            .args(flags)
            // CAFE_TEST_SERVER_LOG=debug shows what the servers do while a test runs.
            .env(
                "RUST_LOG",
                std::env::var("CAFE_TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("cafe-server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let addr = loop {
            let line = tokio::time::timeout(RECV_GUARD, lines.next_line())
                .await
                .expect("server prints its address")
                .expect("stdout readable")
                .expect("server exited before listening");
            if let Some(a) = line.strip_prefix("listening on ") {
                break a.trim().parse::<SocketAddr>().expect("address");
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        let echo = std::env::var_os("CAFE_TEST_SERVER_LOG").is_some();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if echo {
                    eprintln!("[{addr}] {line}");
                }
            }
        });
        Self {
            child,
            api: Api::new(addr),
            addr,
        }
    }
}
