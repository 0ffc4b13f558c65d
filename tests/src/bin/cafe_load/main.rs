//! `cafe_load`: a load generator for the café server (issue #5).
//!
//! It speaks the real protocol over real WebSockets to a running server: creates cafés and
//! joins members over HTTP, connects every member, drives a workload at a given rate and
//! measures, for every event, the time from the command leaving the sender to the LAST
//! tracked member of the café receiving it (ack `seq` ↔ event `seq` correlation). It also
//! reads the server's CPU time and RSS from `/proc/<pid>` and its own CPU time, because
//! generator and server share the machine's cores.
//!
//! Layout: `workloads` (one function per `--workload`), `harness` (the run they share:
//! setup, connect, measured steps, drain, figures), `plan` (shared run state), `setup`
//! (HTTP + organiser connection), `worker` (one current_thread runtime per thread +
//! scheduler), `conn` (one member's socket), `frames` (cheap frame scanning), `track`
//! (latency bookkeeping), `churn`, `procstat`, `http` (minimal keep-alive client),
//! `report` (the human summary).
//!
//! Network rule: only 127.0.0.0/8 is ever targeted; every loop is bounded in count and
//! time.

mod churn;
mod conn;
mod frames;
mod harness;
mod http;
mod plan;
mod procstat;
mod report;
mod setup;
mod track;
mod worker;
mod workloads;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, ValueEnum};
use serde_json::Value;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

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
    /// Further nodes of a cluster (http://…, loopback only): the members' sockets are spread
    /// round robin over --server and these; cafés are created and joined on --server.
    #[arg(long, value_delimiter = ',')]
    also: Vec<String>,
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
        report::print_human(&out);
    }
    Ok(())
}

async fn run(args: &Args, nofile: u64) -> Result<Value> {
    let addr = loopback_addr(&args.server)?;
    match args.workload {
        Workload::Idle => workloads::idle(args, addr, nofile).await,
        Workload::Ideas => workloads::ideas(args, addr, nofile).await,
        Workload::Mix => workloads::mix(args, addr, nofile).await,
        Workload::Ramp => workloads::ramp(args, addr, nofile).await,
        Workload::VoteStorm => workloads::vote_storm(args, addr, nofile).await,
        Workload::SlowConsumer => workloads::slow_consumer(args, addr, nofile).await,
        Workload::Churn => workloads::churn(args, addr, nofile).await,
        Workload::Restart => workloads::restart(args, addr, nofile).await,
        Workload::VerifyVote => workloads::verify_vote(args, addr).await,
    }
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
