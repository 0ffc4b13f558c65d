//! A worker thread: its own current_thread runtime, a share of the members, a scheduler
//! that hands out commands at the worker's share of the rate, and a flusher that feeds the
//! shared aggregator. A current_thread runtime per thread avoids work-stealing overhead and
//! keeps the per-worker tracker lock-free (`RefCell`).

use crate::conn::{self, Cmd, Worker};
use crate::plan::{ConnSpec, Phase, PhaseKind, Plan, Shared};
use crate::track::Local;
use anyhow::Result;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::LocalSet;

/// What the scheduler issues during Load steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drive {
    /// No commands (idle footprint).
    Nothing,
    /// Only new ideas (big room, slow consumer, churn).
    Ideas,
    /// Ideas, ready toggles and raised/lowered hands.
    Mix,
    /// Each tracked member casts one dot at a random moment of the first second.
    VoteStorm,
}

/// Handshakes in flight per worker: enough to connect thousands quickly without
/// overflowing the server's accept backlog.
const CONNECT_CONCURRENCY: usize = 128;
const FLUSH_EVERY: Duration = Duration::from_millis(20);

pub struct WorkerArgs {
    pub index: usize,
    pub workers: usize,
    pub specs: Vec<ConnSpec>,
    /// Tracked members of each café on this worker.
    pub expected_local: Vec<u32>,
    pub plan: Arc<Plan>,
    pub shared: Arc<Shared>,
    pub phase: watch::Receiver<Phase>,
    pub drive: Drive,
}

pub fn spawn(a: WorkerArgs) -> Result<std::thread::JoinHandle<()>> {
    Ok(std::thread::Builder::new()
        .name(format!("load-{}", a.index))
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    a.shared.note_error(format!("worker runtime: {e}"));
                    return;
                }
            };
            let local = LocalSet::new();
            local.block_on(&rt, run(a));
        })?)
}

async fn run(a: WorkerArgs) {
    let WorkerArgs {
        index,
        workers,
        specs,
        expected_local,
        plan,
        shared,
        phase,
        drive,
    } = a;
    let w = Rc::new(Worker {
        plan: plan.clone(),
        shared: shared.clone(),
        local: RefCell::new(Local::new(expected_local)),
        connect_gate: Semaphore::new(CONNECT_CONCURRENCY),
    });
    let mut senders = Vec::new();
    let mut tasks = Vec::new();
    for spec in specs {
        let (tx, rx) = mpsc::unbounded_channel();
        if spec.tracked {
            senders.push((spec.cafe, tx));
        }
        tasks.push(tokio::task::spawn_local(conn::run(
            w.clone(),
            spec,
            rx,
            phase.clone(),
        )));
    }
    let flusher = tokio::task::spawn_local(flush_loop(w.clone(), phase.clone()));
    let seed = 0x9E37_79B9_7F4A_7C15u64 ^ (index as u64 + 1);
    schedule(&plan, senders, phase, drive, workers, seed).await;
    for t in tasks {
        let _ = t.await;
    }
    let _ = flusher.await;
    let mut l = w.local.borrow_mut();
    l.flush_partial();
    let d = std::mem::take(&mut l.deliveries);
    shared
        .agg
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .absorb(&mut l.out, d);
}

async fn flush_loop(w: Rc<Worker>, phase: watch::Receiver<Phase>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tick.tick().await;
        let (mut out, d) = {
            let mut l = w.local.borrow_mut();
            (
                std::mem::take(&mut l.out),
                std::mem::take(&mut l.deliveries),
            )
        };
        if !out.is_empty() || d > 0 {
            w.shared
                .agg
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .absorb(&mut out, d);
        }
        if phase.borrow().kind == PhaseKind::Done {
            return;
        }
    }
}

/// xorshift64*: deterministic, allocation-free, plenty for picking members.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

async fn schedule(
    plan: &Plan,
    senders: Vec<(u32, mpsc::UnboundedSender<Cmd>)>,
    mut phase: watch::Receiver<Phase>,
    drive: Drive,
    workers: usize,
    seed: u64,
) {
    let mut rng = Rng(seed);
    let mut storm_done = false;
    loop {
        let p = phase.borrow_and_update().clone();
        match p.kind {
            PhaseKind::Done => return,
            PhaseKind::Load if !senders.is_empty() => match drive {
                Drive::Nothing => {}
                Drive::VoteStorm if !storm_done => {
                    storm_done = true;
                    vote_storm(plan, &senders, &mut rng).await;
                }
                Drive::VoteStorm => {}
                Drive::Ideas | Drive::Mix => {
                    let rate = p.rate / workers.max(1) as f64;
                    // Runs until the phase changes; returns so the new phase is read.
                    paced(&senders, &mut phase, rate, drive, &mut rng).await;
                    continue;
                }
            },
            _ => {}
        }
        if phase.changed().await.is_err() {
            return;
        }
    }
}

/// Issues commands at `rate` per second until the phase changes. The due count is derived
/// from elapsed time, so a late tick catches up instead of silently lowering the rate.
async fn paced(
    senders: &[(u32, mpsc::UnboundedSender<Cmd>)],
    phase: &mut watch::Receiver<Phase>,
    rate: f64,
    drive: Drive,
    rng: &mut Rng,
) {
    let start = tokio::time::Instant::now();
    let mut issued = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = phase.changed() => return,
            _ = tick.tick() => {
                let due = (start.elapsed().as_secs_f64() * rate) as u64;
                // At most 10k per tick so one late tick cannot monopolise the thread.
                let mut budget = 10_000u32;
                while issued < due && budget > 0 {
                    issued += 1;
                    budget -= 1;
                    let (_, tx) = &senders[rng.below(senders.len())];
                    let cmd = match drive {
                        Drive::Mix => match rng.below(10) {
                            0..=3 => Cmd::Idea,
                            4..=6 => Cmd::Ready,
                            _ => Cmd::Hand,
                        },
                        _ => Cmd::Idea,
                    };
                    let _ = tx.send(cmd);
                }
            }
        }
    }
}

/// One dot per member, at uniformly random moments within one second.
async fn vote_storm(plan: &Plan, senders: &[(u32, mpsc::UnboundedSender<Cmd>)], rng: &mut Rng) {
    let mut at: Vec<(u64, usize)> = (0..senders.len())
        .map(|i| (rng.next() % 1_000_000, i))
        .collect();
    at.sort_unstable();
    let start = tokio::time::Instant::now();
    for (us, i) in at {
        tokio::time::sleep_until(start + Duration::from_micros(us)).await;
        let (cafe, tx) = &senders[i];
        let Some(c) = plan.cafes.get(*cafe as usize) else {
            continue;
        };
        let (Some(vote), false) = (c.vote, c.items.is_empty()) else {
            continue;
        };
        let item = c.items[rng.below(c.items.len())];
        let _ = tx.send(Cmd::Dot { vote, item });
    }
}
