//! Churn: members coming and going while the room is busy. Each "join" opens a connection
//! (hello, full snapshot, presence online); every fourth one is a brand-new person joining
//! over HTTP first. Each "leave" closes the oldest churner's connection (presence offline
//! after the server's grace period). Churners are not tracked recipients: the question is
//! how churn disturbs the stable members' latency, and how long a join takes under load.

use crate::conn;
use crate::http::Http;
use crate::plan::Plan;
use crate::track::{new_hist, now_ns};
use anyhow::Result;
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

#[derive(Default)]
pub struct ChurnStats {
    pub joins: AtomicU64,
    pub fresh_joins: AtomicU64,
    pub leaves: AtomicU64,
    pub failed: AtomicU64,
}

pub struct ChurnResult {
    pub joins: u64,
    pub fresh_joins: u64,
    pub leaves: u64,
    pub failed: u64,
    /// Join (HTTP join when fresh, then hello → snapshot) latency, µs.
    pub join_hist: Histogram<u64>,
}

/// Longest a churner stays connected, whatever happens to the driver.
const CHURNER_MAX_LIFE: Duration = Duration::from_secs(120);

pub async fn drive(
    plan: Arc<Plan>,
    cafe: usize,
    mut pool: VecDeque<String>,
    rate: f64,
    secs: f64,
) -> Result<ChurnResult> {
    let stats = Arc::new(ChurnStats::default());
    let hist = Arc::new(Mutex::new(new_hist()?));
    let code = plan
        .cafes
        .get(cafe)
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let period = Duration::from_secs_f64(1.0 / rate.max(0.1));
    // About one second online each: `rate` joins and `rate` leaves per second.
    let online_target = rate.max(1.0) as usize;
    let total = (rate * secs).max(0.0) as u64;
    let mut online: VecDeque<(
        String,
        oneshot::Sender<()>,
        tokio::task::JoinHandle<Option<String>>,
    )> = VecDeque::new();
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut fresh_n = 0u64;
    for i in 0..total {
        tick.tick().await;
        if online.len() >= online_target {
            if let Some((token, stop, _h)) = online.pop_front() {
                let _ = stop.send(());
                stats.leaves.fetch_add(1, Relaxed);
                // Fresh joiners (empty token here) leave for good; pool members come back.
                if !token.is_empty() {
                    pool.push_back(token);
                }
            }
        }
        let fresh = i % 4 == 3 || pool.is_empty();
        let token = if fresh { None } else { pool.pop_front() };
        if fresh {
            fresh_n += 1;
        }
        let (stop_tx, stop_rx) = oneshot::channel();
        let (plan, stats, hist, code) = (plan.clone(), stats.clone(), hist.clone(), code.clone());
        let name = format!("Churner {fresh_n}");
        let id = 2_000_000 + i as u32;
        let known = token.clone();
        let h = tokio::spawn(async move {
            let t0 = now_ns();
            let token = match token {
                Some(t) => t,
                None => match join(&plan, &code, &name).await {
                    Ok(t) => {
                        stats.fresh_joins.fetch_add(1, Relaxed);
                        t
                    }
                    Err(_) => {
                        stats.failed.fetch_add(1, Relaxed);
                        return None;
                    }
                },
            };
            let o = match conn::open(&plan, id, &token, None, false, false).await {
                Ok(o) => o,
                Err(_) => {
                    stats.failed.fetch_add(1, Relaxed);
                    return Some(token);
                }
            };
            stats.joins.fetch_add(1, Relaxed);
            let us = (now_ns() - t0) / 1000;
            let _ = hist
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .record(us.clamp(1, 60_000_000));
            let mut ws = o.ws;
            let reader = async {
                // Read (and drop) what the room sends until told to leave.
                while let Some(Ok(_)) = ws.next().await {}
            };
            tokio::select! {
                _ = stop_rx => {}
                _ = reader => {}
                _ = tokio::time::sleep(CHURNER_MAX_LIFE) => {}
            }
            let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
            Some(token)
        });
        online.push_back((known.unwrap_or_default(), stop_tx, h));
    }
    for (_, stop, h) in online.drain(..) {
        let _ = stop.send(());
        stats.leaves.fetch_add(1, Relaxed);
        let _ = h.await;
    }
    let join_hist = std::mem::replace(
        &mut *hist.lock().unwrap_or_else(|e| e.into_inner()),
        new_hist()?,
    );
    Ok(ChurnResult {
        joins: stats.joins.load(Relaxed),
        fresh_joins: stats.fresh_joins.load(Relaxed),
        leaves: stats.leaves.load(Relaxed),
        failed: stats.failed.load(Relaxed),
        join_hist,
    })
}

async fn join(plan: &Plan, code: &str, name: &str) -> Result<String> {
    let mut http = Http::new(plan.addr);
    let body = serde_json::to_string(&cafe_shared::api::JoinRequest {
        name: name.to_owned(),
        location: cafe_shared::Location::Remote,
    })?;
    let r = http
        .post_json(&format!("/api/cafes/by-code/{code}/join"), &body)
        .await?;
    if r.status != 200 {
        anyhow::bail!("join → {}: {}", r.status, r.body);
    }
    let joined: cafe_shared::api::JoinResponse = serde_json::from_str(&r.body)?;
    Ok(joined.token)
}
