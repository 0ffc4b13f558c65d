//! Time-to-last-recipient bookkeeping.
//!
//! A café's members are spread over worker threads. Each worker counts, per `(café, seq)`,
//! how many of its own tracked members received the event and the latest receive time;
//! once all of its members have it, it hands one small report to the shared
//! [`Aggregator`] (batched, so the lock is taken ~50 times a second, not per frame). The
//! sender's worker reports the command's send time when the `ack{id,seq}` arrives. When
//! every worker has reported and the send time is known, the latency is
//! `last receive − send`. Timestamps are taken on the receive path itself; batching delays
//! only the bookkeeping, not the measurement.

use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the generator started; one clock for every thread.
pub fn now_ns() -> u64 {
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

pub type Key = (u32, u64);

pub enum Report {
    /// `count` members of this worker got `seq`, the first at `min_ns`, the last at `max_ns`.
    Recv {
        key: Key,
        count: u32,
        min_ns: u64,
        max_ns: u64,
    },
    /// The command acknowledged with `seq` was written to the socket at `send_ns`.
    Ack { key: Key, send_ns: u64 },
}

/// One worker's partial counts. Lives in a `RefCell` on the worker thread.
pub struct Local {
    expected: Vec<u32>,
    pending: HashMap<Key, (u32, u64, u64)>,
    pub out: Vec<Report>,
    /// Event frames received by any connection of this worker since the last flush.
    pub deliveries: u64,
}

impl Local {
    pub fn new(expected: Vec<u32>) -> Self {
        Self {
            expected,
            pending: HashMap::new(),
            out: Vec::new(),
            deliveries: 0,
        }
    }

    pub fn received(&mut self, key: Key, at: u64) {
        let want = self.expected.get(key.0 as usize).copied().unwrap_or(0);
        let e = self.pending.entry(key).or_insert((0, u64::MAX, 0));
        e.0 += 1;
        e.1 = e.1.min(at);
        e.2 = e.2.max(at);
        if e.0 >= want {
            let (count, min_ns, max_ns) = *e;
            self.pending.remove(&key);
            self.out.push(Report::Recv {
                key,
                count,
                min_ns,
                max_ns,
            });
        }
    }

    /// At the end of a run: what never completed locally is reported as it stands, so the
    /// aggregator sees the shortfall and counts the event as not delivered everywhere.
    pub fn flush_partial(&mut self) {
        for (key, (count, min_ns, max_ns)) in self.pending.drain() {
            self.out.push(Report::Recv {
                key,
                count,
                min_ns,
                max_ns,
            });
        }
    }
}

struct Entry {
    remaining: i64,
    min_ns: u64,
    max_ns: u64,
    send_ns: u64,
    created_ns: u64,
}

/// Per-step results of latency measurement.
pub struct StepHist {
    pub start_ns: u64,
    pub end_ns: u64,
    pub hist: Histogram<u64>,
    /// Time to the FIRST recipient: the server's commit + first write; the gap to `hist`
    /// is the fan-out spread (server writes + generator reads).
    pub first: Histogram<u64>,
    /// Commands acknowledged whose event did not reach every tracked member.
    pub lost: u64,
}

pub struct Aggregator {
    expected: Vec<i64>,
    entries: HashMap<Key, Entry>,
    pub steps: Vec<StepHist>,
    /// Latencies of commands sent outside any step window (setup, drain).
    pub outside: u64,
    /// Events every member got but no command of ours caused (presence, organiser leaving).
    pub unattributed: u64,
    pub deliveries: u64,
    last_gc_ns: u64,
}

/// Histograms count microseconds up to one minute with three significant digits.
pub fn new_hist() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

impl Aggregator {
    pub fn new(expected: Vec<i64>) -> Self {
        Self {
            expected,
            entries: HashMap::new(),
            steps: Vec::new(),
            outside: 0,
            unattributed: 0,
            deliveries: 0,
            last_gc_ns: 0,
        }
    }

    pub fn begin_step(&mut self, start_ns: u64) -> anyhow::Result<()> {
        self.steps.push(StepHist {
            start_ns,
            end_ns: u64::MAX,
            hist: new_hist()?,
            first: new_hist()?,
            lost: 0,
        });
        Ok(())
    }

    pub fn end_step(&mut self, end_ns: u64) {
        if let Some(s) = self.steps.last_mut() {
            s.end_ns = end_ns;
        }
    }

    fn step_of(&mut self, send_ns: u64) -> Option<&mut StepHist> {
        self.steps
            .iter_mut()
            .find(|s| send_ns >= s.start_ns && send_ns < s.end_ns)
    }

    pub fn absorb(&mut self, reports: &mut Vec<Report>, deliveries: u64) {
        self.deliveries += deliveries;
        let now = now_ns();
        for r in reports.drain(..) {
            let (key, e) = match r {
                Report::Recv {
                    key,
                    count,
                    min_ns,
                    max_ns,
                } => {
                    let want = self.expected.get(key.0 as usize).copied().unwrap_or(0);
                    let e = self.entries.entry(key).or_insert(Entry {
                        remaining: want,
                        min_ns: u64::MAX,
                        max_ns: 0,
                        send_ns: 0,
                        created_ns: now,
                    });
                    e.remaining -= i64::from(count);
                    e.min_ns = e.min_ns.min(min_ns);
                    e.max_ns = e.max_ns.max(max_ns);
                    (key, e)
                }
                Report::Ack { key, send_ns } => {
                    let want = self.expected.get(key.0 as usize).copied().unwrap_or(0);
                    let e = self.entries.entry(key).or_insert(Entry {
                        remaining: want,
                        min_ns: u64::MAX,
                        max_ns: 0,
                        send_ns: 0,
                        created_ns: now,
                    });
                    e.send_ns = send_ns;
                    (key, e)
                }
            };
            if e.remaining <= 0 && e.send_ns != 0 {
                let lat_us = e.max_ns.saturating_sub(e.send_ns) / 1000;
                let first_us = e.min_ns.saturating_sub(e.send_ns) / 1000;
                let send = e.send_ns;
                self.entries.remove(&key);
                match self.step_of(send) {
                    Some(s) => {
                        // Saturates at the histogram's top instead of failing the run.
                        let _ = s.hist.record(lat_us.clamp(1, 60_000_000));
                        let _ = s.first.record(first_us.clamp(1, 60_000_000));
                    }
                    None => self.outside += 1,
                }
            }
        }
        // Events everyone got but that no ack claims within a few seconds were not ours.
        if now.saturating_sub(self.last_gc_ns) > 1_000_000_000 {
            self.last_gc_ns = now;
            let before = self.entries.len();
            self.entries.retain(|_, e| {
                !(e.remaining <= 0 && e.send_ns == 0 && now - e.created_ns > 5_000_000_000)
            });
            self.unattributed += (before - self.entries.len()) as u64;
        }
    }

    /// Acked commands whose event is still missing somewhere.
    pub fn outstanding(&self) -> usize {
        self.entries
            .values()
            .filter(|e| e.send_ns != 0 && e.remaining > 0)
            .count()
    }

    /// Closes the books: whatever an ack claims but not every member received is lost.
    pub fn finish(&mut self) -> FinishCounts {
        let mut f = FinishCounts::default();
        let entries: Vec<Entry> = self.entries.drain().map(|(_, e)| e).collect();
        for e in entries {
            if e.send_ns != 0 && e.remaining > 0 {
                match self.step_of(e.send_ns) {
                    Some(s) => s.lost += 1,
                    None => f.lost_outside += 1,
                }
            } else if e.send_ns == 0 && e.remaining > 0 {
                f.partial_unattributed += 1;
            } else if e.send_ns == 0 {
                self.unattributed += 1;
            }
        }
        f
    }
}

#[derive(Debug, Default)]
pub struct FinishCounts {
    pub lost_outside: u64,
    /// Events with no ack that some tracked members never got. Before the run these are
    /// setup leftovers; during it they are losses of server-made events (presence).
    pub partial_unattributed: u64,
}
