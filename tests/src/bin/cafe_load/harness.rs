//! The run every workload shares: set up cafés and members over HTTP, connect everyone on
//! the worker threads, measure one or more steps, drain, and gather the figures. A workload
//! (see `workloads`) says what it needs in a [`Spec`] and which [`Step`]s to measure.

use crate::churn;
use crate::http;
use crate::plan::{CafeSetup, ConnSpec, Phase, PhaseKind, Plan, Shared};
use crate::procstat;
use crate::setup;
use crate::track::{now_ns, Aggregator};
use crate::worker::{self, Drive};
use crate::Args;
use anyhow::{bail, Result};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// What a workload needs from the common run.
pub struct Spec {
    /// What the worker threads send during measured steps.
    pub drive: Drive,
    /// Each café opens a live vote on 20 ideas instead of only moving to ideation.
    pub live_vote: bool,
    /// The first member of the first café is the slow consumer (not tracked; it stops
    /// reading in steps with `stall`).
    pub staller: bool,
    /// Joins and leaves per second during every step, by a pool of pre-joined regulars.
    pub churn_rate: Option<f64>,
}

impl Spec {
    pub fn drive(drive: Drive) -> Self {
        Self {
            drive,
            live_vote: false,
            staller: false,
            churn_rate: None,
        }
    }
}

/// One measured step.
pub struct Step {
    pub label: String,
    /// Commands per second over the whole run.
    pub rate: f64,
    pub secs: f64,
    /// The staller (if any) stops reading.
    pub stall: bool,
}

impl Step {
    pub fn new(label: impl Into<String>, rate: f64, secs: f64) -> Self {
        Self {
            label: label.into(),
            rate,
            secs,
            stall: false,
        }
    }
}

/// The server's process, for CPU time and RSS.
struct ServerProc {
    pid: Option<u32>,
    pid_file: Option<String>,
}

impl ServerProc {
    fn sample(&self) -> Option<procstat::ProcSample> {
        let pid = match &self.pid_file {
            Some(f) => std::fs::read_to_string(f).ok()?.trim().parse().ok()?,
            None => self.pid?,
        };
        procstat::sample(Some(pid))
    }
}

/// A run with every member connected, between setup and the final figures.
pub struct Load<'a> {
    args: &'a Args,
    spec: Spec,
    server: ServerProc,
    pub plan: Arc<Plan>,
    pub shared: Arc<Shared>,
    phase_tx: watch::Sender<Phase>,
    handles: Vec<JoinHandle<()>>,
    /// Per café, the last seq before measuring began.
    base: Arc<Vec<u64>>,
    churn_pool: VecDeque<String>,
    /// Top-level figures gathered so far (setup, connect, RSS, …).
    out: Map<String, Value>,
    steps: Vec<Value>,
    churn_out: Value,
    rss_start: Option<procstat::ProcSample>,
    rss_joined: Option<procstat::ProcSample>,
    rss_connected: Option<procstat::ProcSample>,
    gen_start: Option<procstat::ProcSample>,
    t_start: u64,
}

/// The run's figures; a workload may add its own to `extra` before printing.
pub struct Report {
    pub out: Map<String, Value>,
    pub extra: Map<String, Value>,
    pub plan: Arc<Plan>,
    pub shared: Arc<Shared>,
}

impl Report {
    pub fn steps(&self) -> &[Value] {
        self.out
            .get("steps")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Reconnect and resume figures (always for the restart workload, otherwise only when
    /// something reconnected).
    pub fn add_resume(&mut self) {
        let s = &self.shared;
        let first = s.first_drop_ns.load(Relaxed);
        let last = s.last_resume_ns.load(Relaxed);
        self.extra.insert(
            "resume".into(),
            json!({
                "reconnects": s.reconnects.load(Relaxed),
                "resumed": s.resumed.load(Relaxed),
                "resynced_with_snapshot": s.resynced.load(Relaxed),
                "events_skipped_by_resync": s.resync_skipped.load(Relaxed),
                "commands_resent": s.resent.load(Relaxed),
                "still_down": s.down.load(Relaxed),
                "first_drop_to_last_resume_s": if first != u64::MAX && last > first { (last - first) as f64 / 1e9 } else { 0.0 },
            }),
        );
    }

    pub fn into_json(mut self) -> Value {
        self.out.insert("extra".into(), Value::Object(self.extra));
        Value::Object(self.out)
    }
}

impl<'a> Load<'a> {
    /// Creates the cafés, joins the members, starts the workers and waits (bounded) until
    /// every member connected, then lets the server settle.
    pub async fn start(args: &'a Args, addr: SocketAddr, nofile: u64, spec: Spec) -> Result<Self> {
        let t_start = now_ns();
        let server = ServerProc {
            pid: args.server_pid,
            pid_file: args.server_pid_file.clone(),
        };
        let total_conns = args.cafes * args.members;
        let source_ips = match args.source_ips {
            0 => (total_conns / 25_000 + 1) as u32,
            n => n.min(254),
        };
        let mut nodes = vec![addr];
        for url in &args.also {
            nodes.push(crate::loopback_addr(url)?);
        }
        let mut plan = Plan {
            addr,
            ws_url: format!("ws://{addr}/ws"),
            nodes,
            origin: args.origin.clone(),
            source_ips,
            idea_pad: "x".repeat(args.idea_bytes.min(500).saturating_sub(80)),
            cafes: Vec::new(),
        };
        let rss_start = server.sample();
        let tag = format!("{:?}", args.workload);

        // ---- setup: cafés, phases, members (all over the public API) ----
        let t0 = now_ns();
        let created = setup::create_cafes(addr, args.cafes, args.http_concurrency, &tag).await?;
        for c in created {
            let mut ctl = setup::Control::open(&plan, &c.organiser_token).await?;
            let (board, vote, items) = if spec.live_vote {
                let (v, items) = setup::open_live_vote(&mut ctl, 20).await?;
                (ctl.plenary()?.0, Some(v), items)
            } else {
                (setup::to_ideate(&mut ctl).await?, None, Vec::new())
            };
            ctl.close().await;
            plan.cafes.push(CafeSetup {
                cafe_id: c.cafe_id,
                code: c.code,
                organiser_token: c.organiser_token,
                board,
                vote,
                items,
            });
        }
        let codes: Vec<String> = plan.cafes.iter().map(|c| c.code.clone()).collect();
        let tokens =
            setup::join_members(addr, codes, args.members, args.http_concurrency, "Member").await?;
        let churn_pool = match spec.churn_rate {
            Some(rate) => {
                let code = plan
                    .cafes
                    .first()
                    .map(|c| c.code.clone())
                    .unwrap_or_default();
                let n = (rate * 2.0) as usize;
                setup::join_members(addr, vec![code], n, args.http_concurrency, "Regular")
                    .await?
                    .into_iter()
                    .flatten()
                    .collect()
            }
            None => VecDeque::new(),
        };
        let setup_secs = (now_ns() - t0) as f64 / 1e9;
        let rss_joined = server.sample();

        // ---- members: spread every café over all workers ----
        let workers = args.workers.max(1);
        let mut per_worker: Vec<Vec<ConnSpec>> = vec![Vec::new(); workers];
        let mut expected_local = vec![vec![0u32; args.cafes]; workers];
        let mut expected = vec![0i64; args.cafes];
        let mut id = 0u32;
        for (cafe, ts) in tokens.into_iter().enumerate() {
            for (j, token) in ts.into_iter().enumerate() {
                let staller = spec.staller && cafe == 0 && j == 0;
                let w = id as usize % workers;
                let conn = ConnSpec {
                    id,
                    cafe: cafe as u32,
                    token,
                    tracked: !staller,
                    staller,
                };
                if conn.tracked {
                    expected_local[w][cafe] += 1;
                    expected[cafe] += 1;
                }
                per_worker[w].push(conn);
                id += 1;
            }
        }
        let shared = Shared::new(Aggregator::new(expected), args.cafes);
        let plan = Arc::new(plan);
        let (phase_tx, phase_rx) = watch::channel(Phase::connect());
        let mut handles = Vec::new();
        for (i, (specs, exp)) in per_worker.into_iter().zip(expected_local).enumerate() {
            handles.push(worker::spawn(worker::WorkerArgs {
                index: i,
                workers,
                specs,
                expected_local: exp,
                plan: plan.clone(),
                shared: shared.clone(),
                phase: phase_rx.clone(),
                drive: spec.drive,
            })?);
        }

        // ---- wait for everyone to connect (bounded) ----
        let t_conn = now_ns();
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(args.connect_timeout);
        let mut last_print = 0u64;
        loop {
            let ok = shared.connected.load(Relaxed);
            let failed = shared.connect_failed.load(Relaxed);
            if ok + failed >= total_conns as u64 {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                bail!("only {ok} of {total_conns} members connected in time ({failed} failed)");
            }
            if now_ns() - last_print > 5_000_000_000 && !args.json {
                last_print = now_ns();
                eprintln!("connecting: {ok}/{total_conns} ({failed} failed)");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let connect_secs = (now_ns() - t_conn) as f64 / 1e9;
        tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
        let rss_connected = server.sample();
        let base: Arc<Vec<u64>> = Arc::new(
            shared
                .cafe_max_seq
                .iter()
                .map(|a| a.load(Relaxed))
                .collect(),
        );

        let mut out = Map::new();
        out.insert("label".into(), json!(args.label));
        out.insert("workload".into(), json!(format!("{:?}", args.workload)));
        out.insert("server".into(), json!(args.server));
        out.insert("cafes".into(), json!(args.cafes));
        out.insert("members_per_cafe".into(), json!(args.members));
        out.insert("connections".into(), json!(total_conns));
        out.insert("workers".into(), json!(workers));
        out.insert("source_ips".into(), json!(source_ips));
        out.insert("nofile_limit".into(), json!(nofile));
        out.insert("setup_secs".into(), json!(setup_secs));
        out.insert("connect_secs".into(), json!(connect_secs));
        Ok(Self {
            args,
            spec,
            server,
            plan,
            shared,
            phase_tx,
            handles,
            base,
            churn_pool,
            out,
            steps: Vec::new(),
            churn_out: Value::Null,
            rss_start,
            rss_joined,
            rss_connected,
            gen_start: procstat::sample(None),
            t_start,
        })
    }

    /// Every member of every café (the vote storm's rate: one dot each).
    pub fn connections(&self) -> usize {
        self.args.cafes * self.args.members
    }

    fn agg_deliveries(&self) -> u64 {
        self.shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .deliveries
    }

    fn send_phase(&self, kind: PhaseKind, rate: f64, stall: bool) {
        self.phase_tx.send_replace(Phase {
            kind,
            rate,
            base: Some(self.base.clone()),
            stall,
        });
    }

    /// Measures one step: the workers send at `st.rate` for `st.secs`.
    pub async fn step(&mut self, st: &Step) -> Result<()> {
        let args = self.args;
        let addr = self.plan.addr;
        let s0 = self.server.sample();
        let g0 = procstat::sample(None);
        let mc0 = procstat::machine();
        let m0 = scrape_metrics(addr).await;
        let c0 = Counters::read(&self.shared);
        let start_ns = now_ns();
        self.shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .begin_step(start_ns)?;
        let d0 = self.agg_deliveries();
        self.send_phase(PhaseKind::Load, st.rate, st.stall);
        if let Some(f) = &args.ready_file {
            std::fs::write(f, format!("{}\n", std::process::id()))?;
        }
        let churn_task = self.spec.churn_rate.map(|rate| {
            tokio::spawn(churn::drive(
                self.plan.clone(),
                0,
                self.churn_pool.clone(),
                rate,
                st.secs,
            ))
        });
        // Sample the server's RSS through the step (the slow consumer's memory matters).
        let mut rss_max = s0.map(|s| s.rss_kib).unwrap_or(0);
        let end = tokio::time::Instant::now() + Duration::from_secs_f64(st.secs);
        while tokio::time::Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Some(s) = self.server.sample() {
                rss_max = rss_max.max(s.rss_kib);
            }
        }
        let end_ns = now_ns();
        self.shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .end_step(end_ns);
        // Let the step's last events arrive and be flushed before counting deliveries.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let s1 = self.server.sample();
        let g1 = procstat::sample(None);
        let mc1 = procstat::machine();
        let m1 = scrape_metrics(addr).await;
        let c1 = Counters::read(&self.shared);
        let d1 = self.agg_deliveries();
        if let Some(t) = churn_task {
            let r = t.await??;
            self.churn_out = json!({
                "joins": r.joins, "fresh_http_joins": r.fresh_joins, "leaves": r.leaves,
                "failed": r.failed,
                "join_p50_ms": ms(r.join_hist.value_at_quantile(0.5)),
                "join_p99_ms": ms(r.join_hist.value_at_quantile(0.99)),
            });
        }
        let secs = (end_ns - start_ns) as f64 / 1e9;
        let deliveries = d1 - d0;
        let cpu = |a: Option<procstat::ProcSample>, b: Option<procstat::ProcSample>| match (a, b) {
            (Some(a), Some(b)) => b.cpu_us.saturating_sub(a.cpu_us),
            _ => 0,
        };
        let server_cpu_us = cpu(s0, s1);
        let gen_cpu_us = cpu(g0, g1);
        // Busy share of the whole machine (2 cores = 200 %) left over for everything else.
        let (machine_pct, irq_pct, steal_pct) = match (mc0, mc1) {
            (Some(a), Some(b)) if b.total_us > a.total_us => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
                let pct = |x: u64| x as f64 / (b.total_us - a.total_us) as f64 * 100.0 * cores;
                (
                    pct(b.busy_us - a.busy_us),
                    pct(b.irq_us - a.irq_us),
                    pct(b.steal_us - a.steal_us),
                )
            }
            _ => (0.0, 0.0, 0.0),
        };
        let server_pct = server_cpu_us as f64 / 1e4 / secs;
        let gen_pct = gen_cpu_us as f64 / 1e4 / secs;
        let members_per_cafe = args.members as f64;
        self.steps.push(json!({
            "label": st.label,
            "offered_cmds_per_s": st.rate,
            "offered_deliveries_per_s": st.rate * members_per_cafe,
            "secs": secs,
            "sent": c1.sent - c0.sent,
            "acked": c1.acked - c0.acked,
            "rejected": c1.rejected - c0.rejected,
            "skipped_while_offline": c1.skipped - c0.skipped,
            "gaps": c1.gaps - c0.gaps,
            "folded": c1.folded - c0.folded,
            "deliveries": deliveries,
            "deliveries_per_s": deliveries as f64 / secs,
            "server_cpu_pct": server_pct,
            "server_cpu_us_per_delivery": if deliveries > 0 { server_cpu_us as f64 / deliveries as f64 } else { 0.0 },
            "server_rss_start_mib": s0.map(|s| mib(s.rss_kib)),
            "server_rss_end_mib": s1.map(|s| mib(s.rss_kib)),
            "server_rss_max_mib": mib(rss_max),
            "generator_cpu_pct": gen_pct,
            "machine_cpu_pct": machine_pct,
            "irq_cpu_pct": irq_pct,
            "steal_cpu_pct": steal_pct,
            // Neither ours nor the kernel's loopback work: other people's processes.
            "other_cpu_pct": (machine_pct - server_pct - gen_pct - irq_pct - steal_pct).max(0.0),
            "loadavg_1m_end": procstat::loadavg(),
            "server_metrics_delta": metrics_delta(&m0, &m1),
        }));
        Ok(())
    }

    /// Drains (late events may still arrive), stops the workers and gathers the figures.
    pub async fn finish(mut self) -> Result<Report> {
        self.drain().await;
        let gen_end = procstat::sample(None);
        self.send_phase(PhaseKind::Done, 0.0, false);
        for h in std::mem::take(&mut self.handles) {
            let _ = tokio::task::spawn_blocking(move || h.join()).await;
        }
        let shared = self.shared.clone();
        let finish = shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .finish();
        self.add_latencies();

        let mut extra = Map::new();
        let participants = self.connections().max(1) as f64;
        if let (Some(a), Some(c)) = (self.rss_start, self.rss_connected) {
            extra.insert(
                "server_rss_per_participant_kib".into(),
                json!((c.rss_kib.saturating_sub(a.rss_kib)) as f64 / participants),
            );
        }
        if let (Some(j), Some(c)) = (self.rss_joined, self.rss_connected) {
            extra.insert(
                "server_rss_per_connection_kib".into(),
                json!((c.rss_kib.saturating_sub(j.rss_kib)) as f64 / participants),
            );
        }
        if let Some(s) = shared
            .staller
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            extra.insert("slow_consumer".into(), json!(s));
        }
        if !self.churn_out.is_null() {
            extra.insert("churn".into(), self.churn_out.take());
        }
        let notes: BTreeMap<String, u64> = shared
            .notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let gen_cpu = match (self.gen_start, gen_end) {
            (Some(a), Some(b)) => b.cpu_us.saturating_sub(a.cpu_us),
            _ => 0,
        };
        let mib_of = |s: Option<procstat::ProcSample>| s.map(|s| mib(s.rss_kib));
        let figures = [
            ("connected", json!(shared.connected.load(Relaxed))),
            ("connect_failed", json!(shared.connect_failed.load(Relaxed))),
            (
                "snapshot_bytes_max",
                json!(crate::conn::SNAPSHOT_BYTES_MAX.load(Relaxed)),
            ),
            ("server_rss_start_mib", json!(mib_of(self.rss_start))),
            ("server_rss_joined_mib", json!(mib_of(self.rss_joined))),
            (
                "server_rss_connected_mib",
                json!(mib_of(self.rss_connected)),
            ),
            ("generator_cpu_s_measured", json!(gen_cpu as f64 / 1e6)),
            ("steps", Value::Array(std::mem::take(&mut self.steps))),
            ("dups", json!(shared.dups.load(Relaxed))),
            ("lost_outside_steps", json!(finish.lost_outside)),
            ("partial_unattributed", json!(finish.partial_unattributed)),
            ("notes", json!(notes)),
            ("wall_secs", json!((now_ns() - self.t_start) as f64 / 1e9)),
        ];
        for (k, v) in figures {
            self.out.insert(k.into(), v);
        }
        let mut report = Report {
            out: self.out,
            extra,
            plan: self.plan,
            shared,
        };
        if report.shared.reconnects.load(Relaxed) > 0 {
            report.add_resume();
        }
        Ok(report)
    }

    /// Lets late events arrive (bounded), and gives a slow consumer its time to read its
    /// backlog.
    async fn drain(&self) {
        self.send_phase(PhaseKind::Drain, 0.0, false);
        for _ in 0..100 {
            let outstanding = self
                .shared
                .agg
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .outstanding();
            if outstanding == 0 && self.shared.down.load(Relaxed) <= 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if self.spec.staller {
            for _ in 0..120 {
                if self
                    .shared
                    .staller
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_some()
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// Per-step latency from the aggregator, into each step's figures.
    fn add_latencies(&mut self) {
        let agg = self.shared.agg.lock().unwrap_or_else(|e| e.into_inner());
        for (o, s) in self.steps.iter_mut().zip(agg.steps.iter()) {
            let h = &s.hist;
            if let Some(obj) = o.as_object_mut() {
                obj.insert("samples".into(), json!(h.len()));
                obj.insert("lost".into(), json!(s.lost));
                obj.insert("p50_ms".into(), json!(ms(h.value_at_quantile(0.50))));
                obj.insert("p90_ms".into(), json!(ms(h.value_at_quantile(0.90))));
                obj.insert("p99_ms".into(), json!(ms(h.value_at_quantile(0.99))));
                obj.insert("p999_ms".into(), json!(ms(h.value_at_quantile(0.999))));
                obj.insert("max_ms".into(), json!(ms(h.max())));
                let f = &s.first;
                obj.insert("first_p50_ms".into(), json!(ms(f.value_at_quantile(0.50))));
                obj.insert("first_p99_ms".into(), json!(ms(f.value_at_quantile(0.99))));
            }
        }
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[derive(Clone, Copy)]
struct Counters {
    sent: u64,
    acked: u64,
    rejected: u64,
    skipped: u64,
    gaps: u64,
    folded: u64,
}

impl Counters {
    fn read(s: &Shared) -> Self {
        Self {
            sent: s.sent.load(Relaxed),
            acked: s.acked.load(Relaxed),
            rejected: s.rejected.load(Relaxed),
            skipped: s.skipped.load(Relaxed),
            gaps: s.gaps.load(Relaxed),
            folded: s.folded.load(Relaxed),
        }
    }
}

/// Prometheus text → series → value. Missing endpoint: empty map.
async fn scrape_metrics(addr: SocketAddr) -> BTreeMap<String, f64> {
    let mut http = http::Http::new(addr);
    let fetch = tokio::time::timeout(Duration::from_secs(2), http.get("/metrics")).await;
    let Ok(Ok(r)) = fetch else {
        return BTreeMap::new();
    };
    if r.status != 200 {
        return BTreeMap::new();
    }
    r.body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_owned(), v.parse().ok()?))
        })
        .collect()
}

fn metrics_delta(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> Value {
    let m: Map<String, Value> = b
        .iter()
        .filter_map(|(k, v1)| {
            let d = v1 - a.get(k).copied().unwrap_or(0.0);
            (d != 0.0).then(|| (k.clone(), json!(d)))
        })
        .collect();
    Value::Object(m)
}
