//! Configuration: command-line flags with environment-variable fallbacks (clap derive), plus
//! tuning knobs that only tests change.

use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Innovation Café server.
#[derive(Debug, Clone, Parser)]
#[command(name = "cafe-server", version, about)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CAFE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Directory for the SQLite database and the generated JWT secret.
    #[arg(long, env = "CAFE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://<file>` (default: `sqlite://<data dir>/cafe.db`) or
    /// `postgres://user:password@host:5432/db`. For Postgres, a schema other than `public`
    /// is chosen with `?options=-csearch_path%3D<schema>` (the schema must exist).
    #[arg(long, env = "CAFE_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Public base URL used in join links and QR codes, e.g. `https://cafe.example.org`.
    /// Default: `http://<addr>`.
    #[arg(long, env = "CAFE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Secret for signing tokens. Default: generated on first start and kept in
    /// `<data dir>/jwt_secret`, so tokens survive restarts.
    #[arg(long, env = "CAFE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Extra browser origins allowed to open the WebSocket (comma separated), besides the
    /// server's own origin and the public URL. `*` allows any.
    #[arg(long, env = "CAFE_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Reverse proxies (CIDRs, comma separated, e.g. `127.0.0.1/32,10.0.0.0/8`) whose
    /// `X-Forwarded-For` / `Forwarded` header names the client. Every per-IP limit keys on
    /// that address; from any other peer the headers are ignored. Default: none.
    #[arg(long, env = "CAFE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Serve `/metrics` on this address instead (e.g. `127.0.0.1:9090`, for a scraper on a
    /// private network); the main address then answers 404 there.
    #[arg(long, env = "CAFE_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Require `Authorization: Bearer <token>` on `/metrics`.
    #[arg(long, env = "CAFE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// An origin allowed to embed the app in a frame (e.g. a projector page of a venue's
    /// own site, `https://screens.example.org`). Default: no framing at all.
    #[arg(long, env = "CAFE_ALLOW_FRAMING")]
    pub allow_framing: Option<String>,

    /// Joins one client IP may make into one café at once (default 200: a hall behind one
    /// venue NAT). Raise it for a bigger event behind one address, or for load tests.
    #[arg(long, env = "CAFE_JOIN_BURST")]
    pub join_burst: Option<f64>,

    /// Joins per second one client IP may make into one café after the burst (default 1).
    #[arg(long, env = "CAFE_JOIN_RATE")]
    pub join_rate: Option<f64>,

    /// Largest import body in bytes (default 20 MiB, far above any real café's export).
    /// Larger uploads are refused with 413 `too_large` before they are read.
    #[arg(long, env = "CAFE_IMPORT_MAX_BYTES")]
    pub import_max_bytes: Option<usize>,

    /// Most events an import may hold (default 200,000). More: 413 `too_large`.
    #[arg(long, env = "CAFE_IMPORT_MAX_EVENTS")]
    pub import_max_events: Option<usize>,

    /// NATS server of a cluster (`nats://host:4222`). With a `postgres://` database URL
    /// this starts cluster mode: sockets may connect to any node, each café has one owner
    /// node at a time (a lease in Postgres), the others forward to it. Without it the
    /// server runs alone, as always, and never contacts NATS.
    #[arg(long, env = "CAFE_NATS_URL")]
    pub nats_url: Option<String>,

    /// This node's name in the cluster (lease owner, logs). Default: random, logged at start.
    #[arg(long, env = "CAFE_NODE_ID")]
    pub node_id: Option<String>,

    /// First part of every NATS subject this deployment uses, so that several
    /// deployments (or test runs) can share one NATS server.
    #[arg(long, env = "CAFE_NATS_PREFIX", default_value = "cafe")]
    pub nats_prefix: String,

    /// How long a café's owner lease lasts without renewal, in milliseconds: a dead or
    /// paused owner's cafés move to another node after about this long. Renewed every
    /// third of it.
    #[arg(long, env = "CAFE_LEASE_MS", default_value_t = 10_000)]
    pub lease_ms: u64,

    /// Log format.
    #[arg(long, env = "CAFE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[arg(skip)]
    pub tuning: Tuning,
}

/// Limits and intervals. Defaults are the production values; tests shrink some of them.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Frames (deliveries) a connection may have queued before it is closed with 4000.
    pub outbound_queue: usize,
    /// Messages waiting for a café actor.
    pub cafe_queue: usize,
    /// Events kept in memory per café for resuming clients.
    pub ring_events: usize,
    /// A client resuming from before the ring gets its events replayed from the store if
    /// that means replaying at most this many events; otherwise a snapshot.
    pub replay_max_events: u64,
    /// A snapshot is written every this many events (and on shutdown).
    pub snapshot_every: u64,
    /// How long a person stays online after their last connection closed.
    pub presence_grace: Duration,
    pub hello_timeout: Duration,
    /// Per-connection token bucket: sustained messages per second and burst.
    pub rate_per_sec: f64,
    pub rate_burst: f64,
    /// Messages over the limit (or bad frames) tolerated before closing with 1008; the
    /// allowance refills at `strike_refill_per_sec`.
    pub strike_burst: f64,
    pub strike_refill_per_sec: f64,
    /// Failed join-code look-ups per IP before 429, and the window they count in. Generous
    /// because a whole venue may share one public IP and people mistype; a 6-character
    /// code still takes hundreds of millions of guesses.
    pub join_failures: u32,
    pub join_failure_window: Duration,
    /// Cafés an IP may create or import per window.
    pub creates_per_window: u32,
    /// Token lifetime for participant, organiser and projector tokens.
    pub token_ttl: Duration,
    /// Largest HTTP body (imports; `--import-max-bytes`).
    pub max_body_bytes: usize,
    /// Most events an import may hold (`--import-max-events`).
    pub import_max_events: usize,
    /// Imports replayed and written at once, server-wide: each holds its whole export in
    /// memory, so parallel imports multiplied the server's memory (issue 10, #1).
    pub imports_at_once: usize,
    /// How long an import waits for a free slot (before its body is read) until it is
    /// refused with 429 `rate_limited` and `Retry-After`.
    pub import_wait: Duration,
    /// Imports per client IP per `import_window`: far fewer than café creations, since one
    /// import costs the server as much as thousands of commands.
    pub imports_per_window: u32,
    pub import_window: Duration,
    /// How long shutdown waits for sockets to say goodbye.
    pub shutdown_grace: Duration,
    /// A café with no connections and nothing scheduled leaves memory after this long.
    pub idle_unload: Duration,
    /// Joins per client IP into one café: a burst, then a sustained rate. A hall behind
    /// one venue NAT shares an IP, so the burst admits a full room at once; after it one
    /// IP needs hours to fill a café (`PEOPLE_PER_CAFE_MAX`).
    pub join_burst: f64,
    pub joins_per_sec: f64,
    /// An HTTP connection must send a request's complete headers within this long of
    /// opening, or of its previous response (so it is also the keep-alive idle timeout).
    pub header_read_timeout: Duration,
    /// A request body that sends nothing for this long is abandoned (408).
    pub body_read_timeout: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            outbound_queue: 1024,
            cafe_queue: 1024,
            ring_events: 4096,
            replay_max_events: 50_000,
            snapshot_every: 500,
            presence_grace: Duration::from_secs(5),
            hello_timeout: Duration::from_secs(10),
            rate_per_sec: 20.0,
            rate_burst: 40.0,
            strike_burst: 60.0,
            strike_refill_per_sec: 2.0,
            join_failures: 60,
            join_failure_window: Duration::from_secs(60),
            creates_per_window: 30,
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_body_bytes: crate::import::MAX_IMPORT_BYTES,
            import_max_events: crate::import::MAX_IMPORT_EVENTS,
            imports_at_once: 1,
            import_wait: Duration::from_secs(20),
            imports_per_window: 3,
            import_window: Duration::from_secs(10 * 60),
            shutdown_grace: Duration::from_secs(5),
            idle_unload: Duration::from_secs(15 * 60),
            join_burst: 200.0,
            joins_per_sec: 1.0,
            header_read_timeout: Duration::from_secs(20),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}

impl Config {
    /// A configuration for tests and embedding: listen on 127.0.0.1 with a free port and keep
    /// data in `data_dir`.
    pub fn for_tests(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            database_url: None,
            public_url: None,
            jwt_secret: None,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            metrics_addr: None,
            metrics_token: None,
            allow_framing: None,
            join_burst: None,
            join_rate: None,
            import_max_bytes: None,
            import_max_events: None,
            nats_url: None,
            node_id: None,
            nats_prefix: "cafe".into(),
            lease_ms: 10_000,
            log_format: LogFormat::Text,
            tuning: Tuning::default(),
        }
    }

    /// The tuning with the operator's overrides applied.
    pub fn apply_overrides(&mut self) {
        if let Some(b) = self.join_burst.filter(|b| *b >= 1.0) {
            self.tuning.join_burst = b;
        }
        if let Some(r) = self.join_rate.filter(|r| *r >= 0.0) {
            self.tuning.joins_per_sec = r;
        }
        if let Some(b) = self.import_max_bytes.filter(|b| *b > 0) {
            self.tuning.max_body_bytes = b;
        }
        if let Some(n) = self.import_max_events.filter(|n| *n > 0) {
            self.tuning.import_max_events = n;
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("cafe.db").display()),
        }
    }
}
