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
    /// Cluster mode: cafés this node stopped owning because it lost their lease (renewal
    /// refused, or a write fenced off).
    pub stepped_down: Counter,
    /// Cluster mode: cafés this node took over from an owner that went silent or left.
    pub took_over: Counter,
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
            stepped_down: Counter::default(),
            took_over: Counter::default(),
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
        registry.register(
            "stepped_down",
            "Cafés this node stopped owning because their lease was lost (cluster mode)",
            m.stepped_down.clone(),
        );
        registry.register(
            "took_over",
            "Cafés this node took over from a silent or departing owner (cluster mode)",
            m.took_over.clone(),
        );
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
