//! One function per workload: what it sets up, which steps it measures and which figures
//! of its own it adds. The common run is in `harness`.

use crate::harness::{Load, Report, Spec, Step};
use crate::plan::Plan;
use crate::setup;
use crate::worker::Drive;
use crate::Args;
use anyhow::{anyhow, Result};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;

/// Connect everyone, send nothing: server RSS per idle participant.
pub async fn idle(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    let mut load = Load::start(args, addr, nofile, Spec::drive(Drive::Nothing)).await?;
    load.step(&Step::new("idle", 0.0, args.duration)).await?;
    Ok(load.finish().await?.into_json())
}

/// New ideas only, at --rate per second ("big room").
pub async fn ideas(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    steady(args, addr, nofile, Spec::drive(Drive::Ideas), "ideas")
        .await
        .map(Report::into_json)
}

/// Ideas, ready toggles, raised/lowered hands at --rate per second.
pub async fn mix(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    steady(args, addr, nofile, Spec::drive(Drive::Mix), "mix")
        .await
        .map(Report::into_json)
}

/// The mix at increasing offered deliveries/s (--ramp), one step each; reports the highest
/// step sustained.
pub async fn ramp(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    let mut load = Load::start(args, addr, nofile, Spec::drive(Drive::Mix)).await?;
    let members_per_cafe = (args.members as f64).max(1.0);
    for d in &args.ramp {
        let label = format!("{d:.0} deliveries/s");
        load.step(&Step::new(label, d / members_per_cafe, args.step_secs))
            .await?;
    }
    let mut report = load.finish().await?;
    let best = best_sustained(report.steps());
    report
        .extra
        .insert("best_sustained_deliveries_per_s".into(), json!(best));
    Ok(report.into_json())
}

/// Every member casts one dot on a live vote within one second; then a fresh organiser
/// view must hold every acked dot.
pub async fn vote_storm(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    let spec = Spec {
        live_vote: true,
        ..Spec::drive(Drive::VoteStorm)
    };
    let mut load = Load::start(args, addr, nofile, spec).await?;
    let rate = load.connections() as f64;
    load.step(&Step::new("vote storm", rate, args.duration.max(3.0)))
        .await?;
    let mut report = load.finish().await?;
    let check = vote_check(args, &report.plan, report.shared.acked.load(Relaxed)).await?;
    report.extra.insert("vote_check".into(), check);
    Ok(report.into_json())
}

/// Ideas at --rate; halfway through one member stops reading (unless --no-stall).
pub async fn slow_consumer(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    let spec = Spec {
        staller: true,
        ..Spec::drive(Drive::Ideas)
    };
    let mut load = Load::start(args, addr, nofile, spec).await?;
    let half = args.duration / 2.0;
    load.step(&Step::new("all reading", args.rate, half))
        .await?;
    let second = if args.no_stall {
        Step::new("control: nobody stalled", args.rate, half)
    } else {
        Step {
            stall: true,
            ..Step::new("one member stalled", args.rate, half)
        }
    };
    load.step(&second).await?;
    Ok(load.finish().await?.into_json())
}

/// Ideas at --rate plus --churn-rate joins and leaves per second.
pub async fn churn(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    let spec = Spec {
        churn_rate: Some(args.churn_rate),
        ..Spec::drive(Drive::Ideas)
    };
    steady(args, addr, nofile, spec, "churn")
        .await
        .map(Report::into_json)
}

/// The mix at --rate while the server is restarted from outside (scripts/bench.sh times
/// the SIGTERM by --ready-file); members reconnect and resume.
pub async fn restart(args: &Args, addr: SocketAddr, nofile: u64) -> Result<Value> {
    let mut report = steady(args, addr, nofile, Spec::drive(Drive::Mix), "restart").await?;
    report.add_resume();
    Ok(report.into_json())
}

/// Re-opens the café saved by a vote storm (--state-file) and checks that every acked dot
/// is in the stored tally (run after killing and restarting the server).
pub async fn verify_vote(args: &Args, addr: SocketAddr) -> Result<Value> {
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
        nodes: vec![addr],
        origin: args.origin.clone(),
        source_ips: 1,
        idea_pad: String::new(),
        cafes: Vec::new(),
    };
    let cast = dots_cast(&plan, token, vote).await?;
    Ok(json!({
        "workload": "VerifyVote",
        "acked_dots_before_kill": acked,
        "dots_cast_after_restart": cast,
        "durable": u64::from(cast) >= acked,
    }))
}

/// One step at --rate for --duration.
async fn steady(
    args: &Args,
    addr: SocketAddr,
    nofile: u64,
    spec: Spec,
    label: &str,
) -> Result<Report> {
    let mut load = Load::start(args, addr, nofile, spec).await?;
    load.step(&Step::new(label, args.rate, args.duration))
        .await?;
    load.finish().await
}

/// Highest step sustained: p99 < 100 ms, nothing lost, ≥ 95 % of offered delivered.
fn best_sustained(steps: &[Value]) -> f64 {
    steps
        .iter()
        .filter(|s| {
            let p99 = s["p99_ms"].as_f64().unwrap_or(f64::MAX);
            let lost = s["lost"].as_u64().unwrap_or(1) + s["gaps"].as_u64().unwrap_or(1);
            let got = s["deliveries_per_s"].as_f64().unwrap_or(0.0);
            let want = s["offered_deliveries_per_s"].as_f64().unwrap_or(f64::MAX);
            p99 < 100.0 && lost == 0 && got >= 0.95 * want
        })
        .filter_map(|s| s["deliveries_per_s"].as_f64())
        .fold(0.0f64, f64::max)
}

/// The vote's `dots_cast` as a fresh organiser connection sees it.
async fn dots_cast(plan: &Plan, token: &str, vote: u64) -> Result<u32> {
    let ctl = setup::Control::open(plan, token).await?;
    let cast = ctl
        .state
        .votes
        .get(&cafe_shared::VoteId(vote))
        .map(|v| v.dots_cast)
        .unwrap_or(0);
    ctl.close().await;
    Ok(cast)
}

/// After the storm: does a fresh organiser view hold every acked dot? Also saves what a
/// later `verify-vote` (after kill -9 and restart) needs.
async fn vote_check(args: &Args, plan: &Plan, acked: u64) -> Result<Value> {
    let Some(c) = plan.cafes.first() else {
        return Ok(Value::Null);
    };
    let cast = match c.vote {
        Some(v) => dots_cast(plan, &c.organiser_token, v).await?,
        None => 0,
    };
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
