//! # cafe-server: the Innovation Café server
//!
//! Layout (read in this order):
//!
//! - [`config`]: flags and environment variables (clap), plus test-only tuning.
//! - [`http`]: HTTP routes: create / look up / join cafés, QR codes, exports and imports,
//!   health, metrics and the OpenAPI document. Their bodies are `cafe_shared::api`'s;
//!   [`errors`]: the `{code, message}` error and body extractors; [`throttle`]: per-IP
//!   limits on creating cafés, on join-code misses and on joins per café, keyed by
//!   [`client_ip`] (the peer, or the forwarded client behind `--trusted-proxies`);
//!   [`headers`]: CSP and the other security headers on every response.
//! - [`ws`]: one WebSocket connection, split into a reader (`ws/reader.rs`: hello, rate
//!   limit, parsing) and a writer (`ws/writer.rs`: bounded outbound queue, coalesced
//!   flushes, `bye` + close codes from `cafe_shared::CloseCode`); ends gracefully.
//! - [`cafe`]: the café actor, the only writer of a café's state. Decides commands with
//!   `cafe-shared`, commits them to the store in groups, then acks and broadcasts per
//!   audience; keeps the resume ring, presence and timer expiry. A connection as the actor
//!   sees it (outbound queue, close reason) is `cafe/conn.rs`.
//! - [`registry`]: `DashMap<CafeId, CafeHandle>`; loads cafés lazily and creates new ones.
//! - [`cluster`]: cluster mode (`--nats-url` with Postgres): the owner of a café (its lease
//!   holder) runs the actor and answers the other nodes over NATS (`cluster/owner.rs`); the
//!   other nodes run a relay in its place (`cluster/relay.rs`) that forwards and relays.
//! - [`store`]: the persistence trait, its SQLite (default) and PostgreSQL implementations
//!   (`store/sqlite.rs`, `store/postgres.rs`), the group-commit writer both share
//!   (`store/writer.rs`) and one conformance suite run on both (`store/conformance.rs`).
//! - [`export`]: JSON / CSV / Markdown exports (pure functions).
//! - [`import`]: a JSON export replayed under the rules as a new café.
//! - [`auth`]: JWT tokens. [`metrics`]: Prometheus counters. [`assets`]: the embedded
//!   browser app. [`shutdown`]: the accept loop (header-read/idle timeouts), signals and
//!   the shutdown sequence. [`files`]: private data-directory files and the open-file limit.
//!
//! [`start`] runs a server in-process (tests use port 0) and returns a [`ServerHandle`].

pub mod assets;
pub mod auth;
pub mod cafe;
pub mod client_ip;
pub mod cluster;
pub mod config;
pub mod errors;
pub mod export;
pub mod files;
pub mod headers;
pub mod http;
pub mod import;
pub mod join_page;
pub mod links;
pub mod metrics;
pub mod registry;
pub mod shutdown;
pub mod store;
pub mod throttle;
pub mod ws;

pub use config::{Config, LogFormat, Tuning};

use axum::http::{header, HeaderMap};
use cafe_shared::JoinCode;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Everything the routes and connections share.
pub struct App {
    pub config: Config,
    pub keys: auth::Keys,
    pub registry: registry::Registry,
    pub metrics: Arc<metrics::Metrics>,
    /// Cancelled when shutdown begins: stop accepting, say goodbye to every socket.
    pub shutdown: CancellationToken,
    /// Upgraded sockets (axum's graceful shutdown does not track them).
    pub connections: TaskTracker,
    pub next_conn: AtomicU64,
    pub throttles: throttle::Throttles,
    /// Base of join links, without a trailing slash.
    pub public_url: String,
}

impl App {
    pub fn join_url(&self, code: &JoinCode) -> String {
        format!("{}/j/{}", self.public_url, code.as_str())
    }

    /// Browsers always send `Origin` on WebSocket handshakes; other clients (tests, tools)
    /// need not. Allowed: the server's own origin (the Host header), the public URL, and
    /// the configured extras.
    pub fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
            return true;
        };
        let origin = origin.trim_end_matches('/');
        if self
            .config
            .allowed_origins
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return true;
        }
        if origin.eq_ignore_ascii_case(&self.public_url) {
            return true;
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        matches!((host, origin_host), (Some(h), Some(o)) if h.eq_ignore_ascii_case(o))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("JWT secret: {0}")]
    Secret(String),
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    #[error("cluster: {0}")]
    Cluster(#[from] cluster::ClusterError),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    app: Arc<App>,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where `/metrics` is served when `--metrics-addr` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Begins the graceful shutdown without waiting for it.
    pub fn trigger_shutdown(&self) {
        self.app.shutdown.cancel();
    }

    /// Shuts down gracefully and waits until everything is stored.
    pub async fn shutdown(self) {
        self.trigger_shutdown();
        self.wait().await;
    }

    /// Waits until the server has stopped (after a shutdown was triggered).
    pub async fn wait(self) {
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "server task failed");
        }
    }
}

/// Opens the store, binds the address and serves until shutdown is triggered.
pub async fn start(mut config: Config) -> Result<ServerHandle, StartError> {
    config.apply_overrides();
    files::raise_open_file_limit();
    let data_dir = || config.data_dir.display().to_string();
    files::create_data_dir(&config.data_dir).map_err(|e| StartError::DataDir(data_dir(), e))?;
    let secret = auth::load_or_create_secret(config.jwt_secret.as_deref(), &config.data_dir)
        .map_err(StartError::Secret)?;
    files::private_database(&config.database_url())
        .map_err(|e| StartError::DataDir(data_dir(), e))?;
    let store = store::open(&config.database_url()).await?;
    // Cluster mode only with both: a single node never needs NATS.
    let cluster = match &config.nats_url {
        Some(url) if !url.trim().is_empty() => {
            if !store::postgres::is_postgres_url(&config.database_url()) {
                return Err(cluster::ClusterError::NotPostgres.into());
            }
            let c = cluster::Cluster::connect(
                url,
                config.node_id.clone(),
                &config.nats_prefix,
                std::time::Duration::from_millis(config.lease_ms),
            )
            .await?;
            tracing::info!(node = %c.node, prefix = %c.prefix, lease_ms = c.lease.as_millis() as u64, "cluster mode");
            Some(Arc::new(c))
        }
        _ => None,
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| StartError::Bind(config.addr, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Bind(config.addr, e))?;
    let metrics_listener = match config.metrics_addr {
        Some(m) => Some(
            tokio::net::TcpListener::bind(m)
                .await
                .map_err(|e| StartError::Bind(m, e))?,
        ),
        None => None,
    };
    let metrics_addr = match &metrics_listener {
        Some(l) => Some(
            l.local_addr()
                .map_err(|e| StartError::Bind(config.addr, e))?,
        ),
        None => None,
    };
    let public_url = config
        .public_url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    let keys = auth::Keys::new(&secret, config.tuning.token_ttl)
        .map_err(|e| StartError::Secret(e.to_string()))?;
    let metrics = Arc::new(metrics::Metrics::default());
    let app = Arc::new(App {
        keys,
        registry: registry::Registry::new(
            store.clone(),
            metrics.clone(),
            config.tuning.clone(),
            cluster,
        ),
        metrics,
        shutdown: CancellationToken::new(),
        connections: TaskTracker::new(),
        next_conn: AtomicU64::new(1),
        throttles: throttle::Throttles::default(),
        public_url,
        config,
    });
    if let Some(l) = metrics_listener {
        let router = http::metrics_router(app.clone());
        tokio::spawn(shutdown::serve_plain(l, router, app.clone()));
    }
    let router = http::router(app.clone());
    let task = tokio::spawn(shutdown::serve(listener, router, app.clone(), store));
    tracing::info!(%addr, ?metrics_addr, "café server listening");
    Ok(ServerHandle {
        addr,
        metrics_addr,
        app,
        task,
    })
}
