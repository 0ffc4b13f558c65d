//! Prometheus metrics (prometheus-client). One registry per server instance, so several
//! servers in one test process do not share counters.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections (after upgrade).
    pub connections: Gauge,
    /// Café actors in memory.
    pub cafes_loaded: Gauge,
    /// Events stored and broadcast.
    pub events: Counter,
    /// Commands received from sockets (before deciding).
    pub commands: Counter,
    /// Commands refused (by the rules, rate limits or protocol checks).
    pub rejects: Counter,
    /// Connections closed with 4000 because they could not keep up.
    pub resync_closes: Counter,
    /// Store transactions (group commits).
    pub commits: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("cafe");
        let m = Self {
            connections: Gauge::default(),
            cafes_loaded: Gauge::default(),
            events: Counter::default(),
            commands: Counter::default(),
            rejects: Counter::default(),
            resync_closes: Counter::default(),
            commits: Counter::default(),
            registry: Registry::default(),
        };
        registry.register(
            "connections",
            "Open WebSocket connections",
            m.connections.clone(),
        );
        registry.register(
            "cafes_loaded",
            "Cafés loaded in memory",
            m.cafes_loaded.clone(),
        );
        registry.register("events", "Events stored and broadcast", m.events.clone());
        registry.register(
            "commands",
            "Commands received from clients",
            m.commands.clone(),
        );
        registry.register("rejects", "Commands refused", m.rejects.clone());
        registry.register(
            "queue_drops",
            "Connections closed with 4000 resync because their outbound queue overflowed",
            m.resync_closes.clone(),
        );
        registry.register("commits", "Store transactions", m.commits.clone());
        Self { registry, ..m }
    }
}

impl Metrics {
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        out
    }
}
