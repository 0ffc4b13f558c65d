//! `cafe_load`: a load generator for the café server (issue #5).
//!
//! It speaks the real protocol over real WebSockets to a running server: creates cafés and
//! joins members over HTTP, connects every member, drives a workload at a given rate and
//! measures, for every event, the time from the command leaving the sender to the LAST
//! tracked member of the café receiving it (ack `seq` ↔ event `seq` correlation). It also
//! reads the server's CPU time and RSS from `/proc/<pid>` and its own CPU time, because
//! generator and server share the machine's cores.
//!
//! Layout: `plan` (shared run state), `setup` (HTTP + organiser connection), `worker`
//! (one current_thread runtime per thread + scheduler), `conn` (one member's socket),
//! `frames` (cheap frame scanning), `track` (latency bookkeeping), `churn`, `procstat`,
//! `http` (minimal keep-alive client).
//!
//! Network rule: only 127.0.0.0/8 is ever targeted; every loop is bounded in count and
//! time.

// A crate root resolves `mod x;` next to itself, so the submodules in cafe_load/ are named
// by path (the layout keeps the binary's files together without a mod.rs).
#[path = "cafe_load/churn.rs"]
mod churn;
#[path = "cafe_load/conn.rs"]
mod conn;
#[path = "cafe_load/frames.rs"]
mod frames;
#[path = "cafe_load/http.rs"]
mod http;
#[path = "cafe_load/plan.rs"]
mod plan;
#[path = "cafe_load/procstat.rs"]
mod procstat;
#[path = "cafe_load/setup.rs"]
mod setup;
#[path = "cafe_load/track.rs"]
mod track;
#[path = "cafe_load/worker.rs"]
mod worker;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, ValueEnum};
use plan::{CafeSetup, ConnSpec, Phase, PhaseKind, Plan, Shared};
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;
use track::{now_ns, Aggregator};
use worker::Drive;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// Connect everyone, send nothing: server RSS per idle participant.
    Idle,
    /// New ideas only, at --rate per second ("big room").
    Ideas,
    /// Ideas, ready toggles, raised/lowered hands at --rate per second.
    Mix,
    /// The mix at increasing offered deliveries/s (--ramp), one step each.
    Ramp,
    /// Every member casts one dot on a live vote within one second.
    VoteStorm,
    /// Ideas at --rate; halfway through one member stops reading.
    SlowConsumer,
    /// Ideas at --rate plus --churn-rate joins and leaves per second.
    Churn,
    /// The mix at --rate while the server is restarted from outside; reconnect + resume.
    Restart,
    /// Re-open the café saved by a vote storm (--state-file) and check every acked dot is
    /// in the stored tally (run after killing and restarting the server).
    VerifyVote,
}

#[derive(Debug, Parser)]
#[command(about = "Load generator for the Innovation Café server (real WebSockets)")]
struct Args {
    /// Server base URL; must be a loopback address (127.0.0.0/8 or localhost).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Number of cafés.
    #[arg(long, default_value_t = 1)]
    cafes: usize,
    /// Participants per café (joined over HTTP, each with its own WebSocket).
    #[arg(long, default_value_t = 100)]
    members: usize,
    /// Commands per second over the whole run (each makes one event).
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Seconds of measurement (per step for --workload ramp: see --step-secs).
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    #[arg(long, value_enum, default_value = "mix")]
    workload: Workload,
    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    json: bool,
    /// Server process id, for CPU and RSS from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// File holding the server pid, re-read at every sample (survives restarts).
    #[arg(long)]
    server_pid_file: Option<String>,
    /// Worker threads, each with its own current_thread runtime.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Origin header to send, if the server checks it.
    #[arg(long)]
    origin: Option<String>,
    /// Ramp: offered deliveries per second, one step each.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,25000,50000,100000,200000,300000,400000,500000"
    )]
    ramp: Vec<f64>,
    /// Ramp: seconds per step.
    #[arg(long, default_value_t = 10.0)]
    step_secs: f64,
    /// Churn: joins (and as many leaves) per second.
    #[arg(long, default_value_t = 200.0)]
    churn_rate: f64,
    /// Source addresses 127.0.0.1..=N for the member sockets; 0 picks one per 25k sockets.
    #[arg(long, default_value_t = 0)]
    source_ips: u32,
    /// Seconds to wait after everyone connected, before measuring.
    #[arg(long, default_value_t = 3.0)]
    settle: f64,
    /// Concurrent HTTP connections for setup.
    #[arg(long, default_value_t = 32)]
    http_concurrency: usize,
    /// Longest wait for all members to connect, seconds.
    #[arg(long, default_value_t = 900.0)]
    connect_timeout: f64,
    /// Vote storm writes (verify-vote reads) the café, vote and acked dots here.
    #[arg(long)]
    state_file: Option<String>,
    /// Pad each idea's text to about this many characters (≤ 500, the café's limit). Longer
    /// ideas fill a stalled member's socket buffers sooner (slow-consumer workload).
    #[arg(long, default_value_t = 0)]
    idea_bytes: usize,
    /// Slow-consumer control run: the second half runs like the first, nobody stalls, so
    /// what the room's growth alone does to the second half's latency can be told apart.
    #[arg(long)]
    no_stall: bool,
    /// Touched when the first measured step begins (scripts time outside events by it,
    /// e.g. the restart workload's SIGTERM).
    #[arg(long)]
    ready_file: Option<String>,
    /// Free-form label copied into the output.
    #[arg(long, default_value = "")]
    label: String,
}

fn main() -> Result<()> {
    let args = Args::parse();
    // Thousands of sockets: lift the soft open-file limit to the hard one.
    let nofile = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let out = rt.block_on(run(&args, nofile))?;
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        print_human(&out);
    }
    Ok(())
}

/// Only loopback targets: this tool must never load anything but this machine.
fn loopback_addr(url: &str) -> Result<SocketAddr> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("--server must start with http://"))?;
    let hostport = rest.split('/').next().unwrap_or(rest);
    let addr = hostport
        .to_socket_addrs()
        .with_context(|| format!("resolving {hostport}"))?
        .find(|a| a.is_ipv4())
        .ok_or_else(|| anyhow!("{hostport} has no IPv4 address"))?;
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => Ok(addr),
        ip => bail!("refusing to load {ip}: only 127.0.0.0/8 may be targeted"),
    }
}

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

struct Step {
    label: String,
    rate: f64,
    secs: f64,
    stall: bool,
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

async fn run(args: &Args, nofile: u64) -> Result<Value> {
    let t_start = now_ns();
    let addr = loopback_addr(&args.server)?;
    let server = ServerProc {
        pid: args.server_pid,
        pid_file: args.server_pid_file.clone(),
    };
    if args.workload == Workload::VerifyVote {
        return verify_vote(args, addr).await;
    }
    let total_conns = args.cafes * args.members;
    let source_ips = match args.source_ips {
        0 => (total_conns / 25_000 + 1) as u32,
        n => n.min(254),
    };
    let mut plan = Plan {
        addr,
        ws_url: format!("ws://{addr}/ws"),
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
        let (board, vote, items) = if args.workload == Workload::VoteStorm {
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
    let churn_pool: VecDeque<String> = if args.workload == Workload::Churn {
        let code = plan
            .cafes
            .first()
            .map(|c| c.code.clone())
            .unwrap_or_default();
        let n = (args.churn_rate * 2.0) as usize;
        setup::join_members(addr, vec![code], n, args.http_concurrency, "Regular")
            .await?
            .into_iter()
            .flatten()
            .collect()
    } else {
        VecDeque::new()
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
            let staller = args.workload == Workload::SlowConsumer && cafe == 0 && j == 0;
            let w = id as usize % workers;
            let spec = ConnSpec {
                id,
                cafe: cafe as u32,
                token,
                tracked: !staller,
                staller,
            };
            if spec.tracked {
                expected_local[w][cafe] += 1;
                expected[cafe] += 1;
            }
            per_worker[w].push(spec);
            id += 1;
        }
    }
    let shared = Shared::new(Aggregator::new(expected), args.cafes);
    let plan = Arc::new(plan);
    let (phase_tx, phase_rx) = tokio::sync::watch::channel(Phase::connect());
    let drive = match args.workload {
        Workload::Idle => Drive::Nothing,
        Workload::Ideas | Workload::SlowConsumer | Workload::Churn => Drive::Ideas,
        Workload::Mix | Workload::Ramp | Workload::Restart => Drive::Mix,
        Workload::VoteStorm => Drive::VoteStorm,
        Workload::VerifyVote => Drive::Nothing,
    };
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
            drive,
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

    // ---- steps ----
    let members_per_cafe = args.members as f64;
    let steps: Vec<Step> = match args.workload {
        Workload::Ramp => args
            .ramp
            .iter()
            .map(|d| Step {
                label: format!("{d:.0} deliveries/s"),
                rate: d / members_per_cafe.max(1.0),
                secs: args.step_secs,
                stall: false,
            })
            .collect(),
        Workload::SlowConsumer => vec![
            Step {
                label: "all reading".into(),
                rate: args.rate,
                secs: args.duration / 2.0,
                stall: false,
            },
            Step {
                label: if args.no_stall {
                    "control: nobody stalled".into()
                } else {
                    "one member stalled".into()
                },
                rate: args.rate,
                secs: args.duration / 2.0,
                stall: !args.no_stall,
            },
        ],
        Workload::Idle => vec![Step {
            label: "idle".into(),
            rate: 0.0,
            secs: args.duration,
            stall: false,
        }],
        Workload::VoteStorm => vec![Step {
            label: "vote storm".into(),
            rate: total_conns as f64,
            secs: args.duration.max(3.0),
            stall: false,
        }],
        _ => vec![Step {
            label: format!("{:?}", args.workload).to_lowercase(),
            rate: args.rate,
            secs: args.duration,
            stall: false,
        }],
    };
    let mut step_out = Vec::new();
    let mut churn_out = Value::Null;
    let gen_start = procstat::sample(None);
    for st in &steps {
        let s0 = server.sample();
        let g0 = procstat::sample(None);
        let mc0 = procstat::machine();
        let m0 = scrape_metrics(addr).await;
        let c0 = counters(&shared);
        let start_ns = now_ns();
        {
            let mut agg = shared.agg.lock().unwrap_or_else(|e| e.into_inner());
            agg.begin_step(start_ns)?;
        }
        let d0 = shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .deliveries;
        phase_tx.send_replace(Phase {
            kind: PhaseKind::Load,
            rate: st.rate,
            base: Some(base.clone()),
            stall: st.stall,
        });
        if let Some(f) = &args.ready_file {
            std::fs::write(f, format!("{}\n", std::process::id()))?;
        }
        let churn_task = (args.workload == Workload::Churn).then(|| {
            tokio::spawn(churn::drive(
                plan.clone(),
                0,
                churn_pool.clone(),
                args.churn_rate,
                st.secs,
            ))
        });
        // Sample the server's RSS through the step (the slow consumer's memory matters).
        let mut rss_max = s0.map(|s| s.rss_kib).unwrap_or(0);
        let end = tokio::time::Instant::now() + Duration::from_secs_f64(st.secs);
        while tokio::time::Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Some(s) = server.sample() {
                rss_max = rss_max.max(s.rss_kib);
            }
        }
        let end_ns = now_ns();
        shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .end_step(end_ns);
        // Let the step's last events arrive and be flushed before counting deliveries.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let s1 = server.sample();
        let g1 = procstat::sample(None);
        let mc1 = procstat::machine();
        let m1 = scrape_metrics(addr).await;
        let c1 = counters(&shared);
        let d1 = shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .deliveries;
        if let Some(t) = churn_task {
            let r = t.await??;
            churn_out = json!({
                "joins": r.joins, "fresh_http_joins": r.fresh_joins, "leaves": r.leaves,
                "failed": r.failed,
                "join_p50_ms": ms(r.join_hist.value_at_quantile(0.5)),
                "join_p99_ms": ms(r.join_hist.value_at_quantile(0.99)),
            });
        }
        let secs = (end_ns - start_ns) as f64 / 1e9;
        let deliveries = d1 - d0;
        let server_cpu_us = match (s0, s1) {
            (Some(a), Some(b)) => b.cpu_us.saturating_sub(a.cpu_us),
            _ => 0,
        };
        let gen_cpu_us = match (g0, g1) {
            (Some(a), Some(b)) => b.cpu_us.saturating_sub(a.cpu_us),
            _ => 0,
        };
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
        step_out.push(json!({
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
    }

    // ---- drain: let late events arrive, then stop ----
    phase_tx.send_replace(Phase {
        kind: PhaseKind::Drain,
        rate: 0.0,
        base: Some(base.clone()),
        stall: false,
    });
    for _ in 0..100 {
        let outstanding = shared
            .agg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .outstanding();
        if outstanding == 0 && shared.down.load(Relaxed) <= 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The staller reads its backlog during drain; give it its bounded time.
    if args.workload == Workload::SlowConsumer {
        for _ in 0..120 {
            if shared
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
    let gen_end = procstat::sample(None);
    phase_tx.send_replace(Phase {
        kind: PhaseKind::Done,
        rate: 0.0,
        base: Some(base.clone()),
        stall: false,
    });
    for h in handles {
        let _ = tokio::task::spawn_blocking(move || h.join()).await;
    }
    let finish = shared
        .agg
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .finish();

    // ---- per-step latency from the aggregator ----
    {
        let agg = shared.agg.lock().unwrap_or_else(|e| e.into_inner());
        for (o, s) in step_out.iter_mut().zip(agg.steps.iter()) {
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

    // ---- workload-specific figures ----
    let mut extra = serde_json::Map::new();
    let participants = total_conns.max(1) as f64;
    if let (Some(a), Some(c)) = (rss_start, rss_connected) {
        extra.insert(
            "server_rss_per_participant_kib".into(),
            json!((c.rss_kib.saturating_sub(a.rss_kib)) as f64 / participants),
        );
    }
    if let (Some(j), Some(c)) = (rss_joined, rss_connected) {
        extra.insert(
            "server_rss_per_connection_kib".into(),
            json!((c.rss_kib.saturating_sub(j.rss_kib)) as f64 / participants),
        );
    }
    if args.workload == Workload::Ramp {
        // Highest step sustained: p99 < 100 ms, nothing lost, ≥ 95 % of offered delivered.
        let best = step_out
            .iter()
            .filter(|s| {
                let p99 = s["p99_ms"].as_f64().unwrap_or(f64::MAX);
                let lost = s["lost"].as_u64().unwrap_or(1) + s["gaps"].as_u64().unwrap_or(1);
                let got = s["deliveries_per_s"].as_f64().unwrap_or(0.0);
                let want = s["offered_deliveries_per_s"].as_f64().unwrap_or(f64::MAX);
                p99 < 100.0 && lost == 0 && got >= 0.95 * want
            })
            .filter_map(|s| s["deliveries_per_s"].as_f64())
            .fold(0.0f64, f64::max);
        extra.insert("best_sustained_deliveries_per_s".into(), json!(best));
    }
    if args.workload == Workload::VoteStorm {
        extra.insert("vote_check".into(), vote_check(args, &plan, &shared).await?);
    }
    if args.workload == Workload::Restart || shared.reconnects.load(Relaxed) > 0 {
        let first = shared.first_drop_ns.load(Relaxed);
        let last = shared.last_resume_ns.load(Relaxed);
        extra.insert(
            "resume".into(),
            json!({
                "reconnects": shared.reconnects.load(Relaxed),
                "resumed": shared.resumed.load(Relaxed),
                "resynced_with_snapshot": shared.resynced.load(Relaxed),
                "events_skipped_by_resync": shared.resync_skipped.load(Relaxed),
                "commands_resent": shared.resent.load(Relaxed),
                "still_down": shared.down.load(Relaxed),
                "first_drop_to_last_resume_s": if first != u64::MAX && last > first { (last - first) as f64 / 1e9 } else { 0.0 },
            }),
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
    if !churn_out.is_null() {
        extra.insert("churn".into(), churn_out);
    }
    let notes: BTreeMap<String, u64> = shared
        .notes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let gen_cpu = match (gen_start, gen_end) {
        (Some(a), Some(b)) => b.cpu_us.saturating_sub(a.cpu_us),
        _ => 0,
    };
    Ok(json!({
        "label": args.label,
        "workload": format!("{:?}", args.workload),
        "server": args.server,
        "cafes": args.cafes,
        "members_per_cafe": args.members,
        "connections": total_conns,
        "workers": workers,
        "source_ips": source_ips,
        "nofile_limit": nofile,
        "setup_secs": setup_secs,
        "connect_secs": connect_secs,
        "connected": shared.connected.load(Relaxed),
        "connect_failed": shared.connect_failed.load(Relaxed),
        "snapshot_bytes_max": conn::SNAPSHOT_BYTES_MAX.load(Relaxed),
        "server_rss_start_mib": rss_start.map(|s| mib(s.rss_kib)),
        "server_rss_joined_mib": rss_joined.map(|s| mib(s.rss_kib)),
        "server_rss_connected_mib": rss_connected.map(|s| mib(s.rss_kib)),
        "generator_cpu_s_measured": gen_cpu as f64 / 1e6,
        "steps": step_out,
        "dups": shared.dups.load(Relaxed),
        "lost_outside_steps": finish.lost_outside,
        "partial_unattributed": finish.partial_unattributed,
        "notes": notes,
        "extra": Value::Object(extra),
        "wall_secs": (now_ns() - t_start) as f64 / 1e9,
    }))
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

fn counters(s: &Shared) -> Counters {
    Counters {
        sent: s.sent.load(Relaxed),
        acked: s.acked.load(Relaxed),
        rejected: s.rejected.load(Relaxed),
        skipped: s.skipped.load(Relaxed),
        gaps: s.gaps.load(Relaxed),
        folded: s.folded.load(Relaxed),
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
    let m: serde_json::Map<String, Value> = b
        .iter()
        .filter_map(|(k, v1)| {
            let d = v1 - a.get(k).copied().unwrap_or(0.0);
            (d != 0.0).then(|| (k.clone(), json!(d)))
        })
        .collect();
    Value::Object(m)
}

/// After the storm: does a fresh organiser view hold every acked dot? Also saves what a
/// later `verify-vote` (after kill -9 and restart) needs.
async fn vote_check(args: &Args, plan: &Plan, shared: &Shared) -> Result<Value> {
    let Some(c) = plan.cafes.first() else {
        return Ok(Value::Null);
    };
    let acked = shared.acked.load(Relaxed);
    let ctl = setup::Control::open(plan, &c.organiser_token).await?;
    let cast = c
        .vote
        .and_then(|v| ctl.state.votes.get(&cafe_shared::VoteId(v)))
        .map(|v| v.dots_cast)
        .unwrap_or(0);
    ctl.close().await;
    if let Some(f) = &args.state_file {
        let saved = json!({
            "server": args.server, "cafe_id": c.cafe_id, "organiser_token": c.organiser_token,
            "vote": c.vote, "acked_dots": acked,
        });
        std::fs::write(f, serde_json::to_string_pretty(&saved)?)?;
    }
    Ok(
        json!({ "acked_dots": acked, "dots_cast_in_state": cast, "all_acked_counted": u64::from(cast) >= acked }),
    )
}

async fn verify_vote(args: &Args, addr: SocketAddr) -> Result<Value> {
    let f = args
        .state_file
        .as_ref()
        .ok_or_else(|| anyhow!("verify-vote needs --state-file"))?;
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(f)?)?;
    let token = saved["organiser_token"]
        .as_str()
        .ok_or_else(|| anyhow!("state file lacks organiser_token"))?;
    let vote = saved["vote"].as_u64().unwrap_or(0);
    let acked = saved["acked_dots"].as_u64().unwrap_or(0);
    let plan = Plan {
        addr,
        ws_url: format!("ws://{addr}/ws"),
        origin: args.origin.clone(),
        source_ips: 1,
        idea_pad: String::new(),
        cafes: Vec::new(),
    };
    let ctl = setup::Control::open(&plan, token).await?;
    let cast = ctl
        .state
        .votes
        .get(&cafe_shared::VoteId(vote))
        .map(|v| v.dots_cast)
        .unwrap_or(0);
    ctl.close().await;
    Ok(json!({
        "workload": "VerifyVote",
        "acked_dots_before_kill": acked,
        "dots_cast_after_restart": cast,
        "durable": u64::from(cast) >= acked,
    }))
}

fn print_human(v: &Value) {
    if v["workload"] == "VerifyVote" {
        println!("{v}");
        return;
    }
    println!(
        "workload {} — {} cafés × {} members = {} connections ({} connected, {} failed), {} worker(s)",
        v["workload"].as_str().unwrap_or(""),
        v["cafes"],
        v["members_per_cafe"],
        v["connections"],
        v["connected"],
        v["connect_failed"],
        v["workers"],
    );
    println!("largest snapshot frame: {} bytes", v["snapshot_bytes_max"]);
    println!(
        "setup {:.1} s, connect {:.1} s; server RSS start {} MiB, joined {} MiB, connected {} MiB",
        v["setup_secs"].as_f64().unwrap_or(0.0),
        v["connect_secs"].as_f64().unwrap_or(0.0),
        fmt_f(&v["server_rss_start_mib"]),
        fmt_f(&v["server_rss_joined_mib"]),
        fmt_f(&v["server_rss_connected_mib"]),
    );
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>5} {:>5} {:>9} {:>6} {:>7} {:>8} {:>6} {:>7}",
        "step", "samples", "first50", "p50 ms", "p99 ms", "p999 ms", "max ms", "lost", "gaps",
        "deliv/s", "srv %", "µs/del", "RSS MiB", "gen %", "other %"
    );
    for s in v["steps"].as_array().into_iter().flatten() {
        println!(
            "{:<22} {:>8} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>5} {:>5} {:>9.0} {:>6.1} {:>7.2} {:>8.1} {:>6.1} {:>7.1}",
            s["label"].as_str().unwrap_or(""),
            s["samples"].as_u64().unwrap_or(0),
            s["first_p50_ms"].as_f64().unwrap_or(0.0),
            s["p50_ms"].as_f64().unwrap_or(0.0),
            s["p99_ms"].as_f64().unwrap_or(0.0),
            s["p999_ms"].as_f64().unwrap_or(0.0),
            s["max_ms"].as_f64().unwrap_or(0.0),
            s["lost"].as_u64().unwrap_or(0),
            s["gaps"].as_u64().unwrap_or(0),
            s["deliveries_per_s"].as_f64().unwrap_or(0.0),
            s["server_cpu_pct"].as_f64().unwrap_or(0.0),
            s["server_cpu_us_per_delivery"].as_f64().unwrap_or(0.0),
            s["server_rss_max_mib"].as_f64().unwrap_or(0.0),
            s["generator_cpu_pct"].as_f64().unwrap_or(0.0),
            s["other_cpu_pct"].as_f64().unwrap_or(0.0),
        );
    }
    if let Some(e) = v["extra"].as_object() {
        for (k, x) in e {
            println!("{k}: {x}");
        }
    }
    if let Some(n) = v["notes"].as_object() {
        if !n.is_empty() {
            println!("notes: {}", Value::Object(n.clone()));
        }
    }
}

fn fmt_f(v: &Value) -> String {
    v.as_f64()
        .map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "?".into())
}
