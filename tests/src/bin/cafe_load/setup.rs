//! Setting the stage over the real HTTP API and protocol: create cafés, join members, and
//! drive each café into the phase the workload needs with the organiser's own connection.

use crate::conn::{self, Ws};
use crate::http::Http;
use crate::plan::Plan;
use anyhow::{anyhow, bail, Context, Result};
use cafe_shared::api::{CafeCreatedResponse, CreateCafeRequest, JoinRequest, JoinResponse};
use cafe_shared::{
    BoardId, CafeState, ClientFrame, Command, Location, Phase, ServerFrame, VoteDraft, VoteScope,
    VoteTarget, VoteVisibility,
};
use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// Runs `jobs` HTTP calls over `conc` kept-alive connections.
async fn parallel<T, F, Fut>(addr: SocketAddr, jobs: usize, conc: usize, f: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize, Http) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (Http, Result<T>)> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let out: Arc<Mutex<Vec<Option<T>>>> = Arc::new(Mutex::new((0..jobs).map(|_| None).collect()));
    let first_err: Arc<Mutex<Option<anyhow::Error>>> = Arc::new(Mutex::new(None));
    let f = Arc::new(f);
    let mut handles = Vec::new();
    for _ in 0..conc.clamp(1, jobs.max(1)) {
        let (next, out, first_err, f) = (next.clone(), out.clone(), first_err.clone(), f.clone());
        handles.push(tokio::spawn(async move {
            let mut http = Http::new(addr);
            loop {
                let i = next.fetch_add(1, Relaxed);
                if i >= jobs {
                    return;
                }
                let (h, r) = f(i, http).await;
                http = h;
                match r {
                    Ok(v) => {
                        if let Some(slot) = out.lock().unwrap_or_else(|e| e.into_inner()).get_mut(i)
                        {
                            *slot = Some(v);
                        }
                    }
                    Err(e) => {
                        first_err
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(e);
                        // Stop handing out work: the run cannot be what was asked for.
                        next.store(jobs, Relaxed);
                        return;
                    }
                }
            }
        }));
    }
    for h in handles {
        h.await?;
    }
    if let Some(e) = first_err.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    let v = std::mem::take(&mut *out.lock().unwrap_or_else(|e| e.into_inner()));
    v.into_iter()
        .map(|o| o.ok_or_else(|| anyhow!("a setup job did not finish")))
        .collect()
}

/// POST with bounded retries on 429/503 (the server may throttle setup bursts). The bodies
/// are the API's own types (`cafe_shared::api`).
async fn post_retry<T: DeserializeOwned>(
    http: &mut Http,
    path: &str,
    body: &impl Serialize,
    want: u16,
) -> Result<T> {
    let body = serde_json::to_string(body)?;
    let mut delay = 50u64;
    for _ in 0..20 {
        let r = http.post_json(path, &body).await?;
        if r.status == want || (want == 201 && r.status == 200) {
            return serde_json::from_str(&r.body)
                .with_context(|| format!("POST {path} answered {}", r.body));
        }
        if r.status == 429 || r.status == 503 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            delay = (delay * 2).min(2_000);
            continue;
        }
        bail!("POST {path} → {}: {}", r.status, r.body);
    }
    bail!("POST {path} still throttled after 20 tries")
}

pub async fn create_cafes(
    addr: SocketAddr,
    n: usize,
    conc: usize,
    tag: &str,
) -> Result<Vec<CafeCreatedResponse>> {
    let tag = tag.to_owned();
    parallel(addr, n, conc, move |i, _http| {
        let tag = tag.clone();
        async move {
            // 20 creations per source address stay under the server's per-IP limit (30 a
            // minute); 127.0.0.10 and up leave .1–.9 to the member sockets.
            let last = 10 + (i / 20).min(240) as u8;
            let mut http = Http::from_source(addr, std::net::Ipv4Addr::new(127, 0, 0, last));
            let body = CreateCafeRequest {
                title: format!("Load café {tag} {i}"),
                description: None,
                mode: None,
                language: None,
                settings: None,
                organiser_name: format!("Organiser {i}"),
            };
            let r = post_retry(&mut http, "/api/cafes", &body, 201).await;
            (http, r)
        }
    })
    .await
}

/// Joins `per_cafe` members to each café; returns tokens, café-major.
pub async fn join_members(
    addr: SocketAddr,
    codes: Vec<String>,
    per_cafe: usize,
    conc: usize,
    name_prefix: &str,
) -> Result<Vec<Vec<String>>> {
    let cafes = codes.len();
    let codes = Arc::new(codes);
    let prefix = name_prefix.to_owned();
    let flat = parallel(addr, cafes * per_cafe, conc, move |i, mut http| {
        let codes = codes.clone();
        let prefix = prefix.clone();
        async move {
            // Interleave cafés so concurrent joins hit different café actors.
            let cafe = i % cafes;
            let code = codes.get(cafe).cloned().unwrap_or_default();
            let body = JoinRequest {
                name: format!("{prefix} {}", i / cafes),
                location: if i % 3 == 0 {
                    Location::Remote
                } else {
                    Location::Room
                },
            };
            let path = format!("/api/cafes/by-code/{code}/join");
            let r = post_retry::<JoinResponse>(&mut http, &path, &body, 200).await;
            (http, r.map(|j| j.token))
        }
    })
    .await?;
    let mut out = vec![Vec::with_capacity(per_cafe); cafes];
    for (i, t) in flat.into_iter().enumerate() {
        if let Some(v) = out.get_mut(i % cafes) {
            v.push(t);
        }
    }
    Ok(out)
}

/// The organiser's connection, used only for setup and verification. Parses everything
/// fully (it sees few frames) and keeps the organiser's view of the café.
pub struct Control {
    ws: Ws,
    pub state: CafeState,
    n: u64,
}

const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

impl Control {
    pub async fn open(plan: &Plan, token: &str) -> Result<Self> {
        let o = conn::open(plan, u32::MAX, token, None, false, true).await?;
        let snap = o
            .snapshot
            .ok_or_else(|| anyhow!("organiser got no snapshot"))?;
        let state = match serde_json::from_str::<ServerFrame>(&snap)? {
            ServerFrame::Snapshot { state, .. } => *state,
            _ => bail!("expected a snapshot"),
        };
        Ok(Self {
            ws: o.ws,
            state,
            n: 0,
        })
    }

    pub fn plenary(&self) -> Result<BoardId> {
        self.state
            .plenary
            .ok_or_else(|| anyhow!("café has no plenary board"))
    }

    /// Sends one command and applies events until its ack; a reject is an error.
    pub async fn command(&mut self, command: Command) -> Result<u64> {
        self.n += 1;
        let id = format!("ctl.{:x}", self.n);
        let frame = ClientFrame::Command {
            id: id.clone(),
            command,
        };
        self.ws
            .send(Message::Text(serde_json::to_string(&frame)?.into()))
            .await?;
        // Bounded: one timeout per frame and at most a million frames.
        for _ in 0..1_000_000 {
            let msg = timeout(CONTROL_TIMEOUT, self.ws.next())
                .await
                .context("organiser waited too long for an answer")?
                .ok_or_else(|| anyhow!("organiser connection closed"))??;
            let Message::Text(t) = msg else { continue };
            match serde_json::from_str::<ServerFrame>(t.as_str())? {
                ServerFrame::Event { event, .. } => self.state.apply(&event),
                ServerFrame::Ack { id: a, seq } if a == id => return Ok(seq),
                ServerFrame::Reject {
                    id: a,
                    code,
                    message,
                } if a == id => bail!("organiser command rejected: {code:?} {message}"),
                ServerFrame::Snapshot { state, .. } => self.state = *state,
                ServerFrame::Bye { code, message, .. } => bail!("bye {code:?}: {message}"),
                _ => {}
            }
        }
        bail!("no ack after a million frames")
    }

    pub async fn close(mut self) {
        let _ = self
            .ws
            .send(Message::Text(r#"{"type":"bye"}"#.into()))
            .await;
        let _ = timeout(Duration::from_secs(2), self.ws.close(None)).await;
    }
}

/// Moves a café to ideation (members may post) and returns its plenary board.
pub async fn to_ideate(c: &mut Control) -> Result<u64> {
    if c.state.phase != Phase::Ideate {
        c.command(Command::SetPhase {
            phase: Phase::Ideate,
        })
        .await?;
    }
    Ok(c.plenary()?.0)
}

/// Posts `ideas` ideas, opens a live vote (totals public, so every screen's tally updates
/// with each dot) with one dot per member; returns (vote, items).
pub async fn open_live_vote(c: &mut Control, ideas: usize) -> Result<(u64, Vec<u64>)> {
    let board = to_ideate(c).await?;
    for i in 0..ideas {
        c.command(Command::PostIdea {
            board: BoardId(board),
            text: format!("Vote storm option {i}"),
            category: None,
        })
        .await?;
    }
    // The prepared vote opens with the vote phase.
    c.command(Command::SetVoteDraft {
        draft: VoteDraft {
            scope: VoteScope::board(BoardId(board)),
            target: VoteTarget::Ideas,
            budget: 1,
            per_item_cap: 1,
            visibility: VoteVisibility::Live,
            title: None,
        },
    })
    .await?;
    c.command(Command::SetPhase { phase: Phase::Vote }).await?;
    let v = c
        .state
        .votes
        .values()
        .last()
        .ok_or_else(|| anyhow!("vote not opened"))?;
    Ok((v.id.0, v.items.clone()))
}
