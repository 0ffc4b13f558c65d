//! What every worker thread shares: the immutable plan of the run, the phase broadcast and
//! the counters. Counters are relaxed atomics: each is a tally read once per step.

use crate::track::Aggregator;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

pub struct CafeSetup {
    pub cafe_id: String,
    pub code: String,
    pub organiser_token: String,
    pub board: u64,
    pub vote: Option<u64>,
    pub items: Vec<u64>,
}

pub struct Plan {
    pub addr: SocketAddr,
    pub ws_url: String,
    /// Every node whose sockets members use, round robin by connection id (cluster mode:
    /// `--server` then `--also`); just `addr` for one server.
    pub nodes: Vec<SocketAddr>,
    pub origin: Option<String>,
    pub source_ips: u32,
    /// Appended to every idea text (see --idea-bytes).
    pub idea_pad: String,
    pub cafes: Vec<CafeSetup>,
}

#[derive(Debug, Clone)]
pub struct ConnSpec {
    pub id: u32,
    pub cafe: u32,
    pub token: String,
    /// Counted as a recipient for time-to-last-recipient and allowed to send commands.
    pub tracked: bool,
    /// The member that stops reading in the slow-consumer workload.
    pub staller: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseKind {
    Connect,
    Load,
    Drain,
    Done,
}

/// Broadcast by the main thread through a `watch` channel.
#[derive(Debug, Clone)]
pub struct Phase {
    pub kind: PhaseKind,
    /// Commands per second, for the whole run (each worker takes its share).
    pub rate: f64,
    /// Per café, the last seq before measuring began; set from the first Load on.
    pub base: Option<Arc<Vec<u64>>>,
    /// Slow-consumer workload: the staller stops reading.
    pub stall: bool,
}

impl Phase {
    pub fn connect() -> Self {
        Self {
            kind: PhaseKind::Connect,
            rate: 0.0,
            base: None,
            stall: false,
        }
    }
}

pub struct Shared {
    pub agg: Mutex<Aggregator>,
    pub cafe_max_seq: Vec<AtomicU64>,
    pub connected: AtomicU64,
    pub connect_failed: AtomicU64,
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    pub rejected: AtomicU64,
    pub skipped: AtomicU64,
    pub resent: AtomicU64,
    pub gaps: AtomicU64,
    /// Seqs skipped because the server folded live-tally updates into a later one.
    pub folded: AtomicU64,
    pub dups: AtomicU64,
    pub reconnects: AtomicU64,
    pub resumed: AtomicU64,
    pub resynced: AtomicU64,
    pub resync_skipped: AtomicU64,
    pub down: AtomicI64,
    pub first_drop_ns: AtomicU64,
    pub last_resume_ns: AtomicU64,
    pub notes: Mutex<BTreeMap<String, u64>>,
    pub staller: Mutex<Option<String>>,
}

impl Shared {
    pub fn new(agg: Aggregator, cafes: usize) -> Arc<Self> {
        Arc::new(Self {
            agg: Mutex::new(agg),
            cafe_max_seq: (0..cafes).map(|_| AtomicU64::new(0)).collect(),
            connected: AtomicU64::new(0),
            connect_failed: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            resent: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            folded: AtomicU64::new(0),
            dups: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            resumed: AtomicU64::new(0),
            resynced: AtomicU64::new(0),
            resync_skipped: AtomicU64::new(0),
            down: AtomicI64::new(0),
            first_drop_ns: AtomicU64::new(u64::MAX),
            last_resume_ns: AtomicU64::new(0),
            notes: Mutex::new(BTreeMap::new()),
            staller: Mutex::new(None),
        })
    }

    pub fn note_seq(&self, cafe: u32, seq: u64) {
        if let Some(a) = self.cafe_max_seq.get(cafe as usize) {
            a.fetch_max(seq, Relaxed);
        }
    }

    /// Rare happenings (close codes, reject codes, errors), counted by kind. Messages are
    /// cut so a flood of distinct errors cannot grow the map without bound.
    pub fn note(&self, what: String) {
        let mut n = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        let key: String = what.chars().take(120).collect();
        if n.len() < 200 || n.contains_key(&key) {
            *n.entry(key).or_insert(0) += 1;
        }
    }

    pub fn note_close(&self, code: u16) {
        self.note(format!("close {code}"));
    }

    pub fn note_bye(&self, code: &str) {
        self.note(format!("bye {code}"));
    }

    pub fn note_reject(&self, code: &str) {
        self.rejected.fetch_add(1, Relaxed);
        self.note(format!("reject {code}"));
    }

    pub fn note_error(&self, what: String) {
        self.note(what);
    }
}
