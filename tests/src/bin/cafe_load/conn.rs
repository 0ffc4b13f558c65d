//! One member's WebSocket: hello, then read every frame (timestamping events for the
//! tracker) and write the commands the worker's scheduler hands it. Reconnects with
//! `resume` when the server says so (restart, resync) and re-sends unacknowledged commands
//! with their original ids, which the server must answer with the original ack.

use crate::frames::{scan, Scan};
use crate::plan::{ConnSpec, Phase, PhaseKind, Plan, Shared};
use crate::track::{now_ns, Local, Report};
use anyhow::{anyhow, bail, Context, Result};
use cafe_shared::ServerFrame;
use futures_util::{SinkExt, StreamExt};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

pub type Ws = WebSocketStream<TcpStream>;

/// What the scheduler asks a member to do; the member turns it into a concrete command
/// from its own state (e.g. raise or lower its hand), so no command is a no-op: a no-op
/// would be acked with an older seq and be mistaken for someone else's event.
#[derive(Debug, Clone, Copy)]
pub enum Cmd {
    Idea,
    Ready,
    Hand,
    Dot { vote: u64, item: u64 },
}

/// Largest snapshot frame seen: it sizes the server's per-connection write buffer.
pub static SNAPSHOT_BYTES_MAX: AtomicU64 = AtomicU64::new(0);

/// Bounds on reconnecting: every loop of the generator ends by itself.
const RECONNECT_ATTEMPTS: u32 = 120;
const RECONNECT_MAX_DELAY_MS: u64 = 2_000;
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// A slow consumer's socket buffer is kept small so its stall reaches the server quickly.
const STALLER_RCVBUF: u32 = 4 * 1024;

pub struct Opened {
    pub ws: Ws,
    pub epoch: u64,
    /// Where the stream starts: the snapshot's seq, or the resume point when resumed.
    pub seq: u64,
    pub resumed: bool,
    /// The snapshot text when one came (control connections parse it).
    pub snapshot: Option<String>,
}

/// Opens a WebSocket from a 127.0.0.x source address and completes `hello`.
pub async fn open(
    plan: &Plan,
    conn_id: u32,
    token: &str,
    resume: Option<(u64, u64)>,
    small_rcvbuf: bool,
    keep_snapshot: bool,
) -> Result<Opened> {
    let sock = TcpSocket::new_v4()?;
    if plan.source_ips > 1 {
        // One loopback source address has ~28k ephemeral ports; spread beyond that.
        let last = 1 + (conn_id % plan.source_ips) as u8;
        sock.bind(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)),
            0,
        ))?;
    }
    if small_rcvbuf {
        sock.set_recv_buffer_size(STALLER_RCVBUF)?;
    }
    // Cluster runs spread the members over the nodes (any node serves any café).
    let node = match plan.nodes.len() {
        0 | 1 => plan.addr,
        n => plan.nodes[conn_id as usize % n],
    };
    let stream = timeout(HANDSHAKE_TIMEOUT, sock.connect(node))
        .await
        .context("tcp connect timed out")??;
    stream.set_nodelay(true)?;
    let url = if node == plan.addr {
        plan.ws_url.clone()
    } else {
        format!("ws://{node}/ws")
    };
    let mut req = url.as_str().into_client_request()?;
    if let Some(o) = &plan.origin {
        req.headers_mut()
            .insert("Origin", HeaderValue::from_str(o)?);
    }
    // tungstenite zero-fills its whole read buffer before every read: at the default 128 KiB
    // that memset was 31 % of the generator's CPU (perf), i.e. the generator, not the server,
    // set most of the fan-out spread. 8 KiB holds any event frame; snapshots just take more
    // reads.
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let (mut ws, _) = timeout(
        HANDSHAKE_TIMEOUT,
        tokio_tungstenite::client_async_with_config(req, stream, Some(config)),
    )
    .await
    .context("websocket handshake timed out")??;
    let hello = match resume {
        Some((epoch, seq)) => format!(
            r#"{{"type":"hello","protocol":{},"token":"{token}","resume":{{"epoch":{epoch},"seq":{seq}}}}}"#,
            cafe_shared::PROTOCOL_VERSION
        ),
        None => format!(
            r#"{{"type":"hello","protocol":{},"token":"{token}"}}"#,
            cafe_shared::PROTOCOL_VERSION
        ),
    };
    ws.send(Message::Text(hello.into())).await?;
    let (epoch, seq, resumed) = loop {
        let msg = timeout(HANDSHAKE_TIMEOUT, ws.next())
            .await
            .context("no welcome")?
            .ok_or_else(|| anyhow!("closed before welcome"))??;
        let Message::Text(t) = msg else {
            if let Message::Close(c) = msg {
                bail!("closed before welcome: {c:?}");
            }
            continue;
        };
        match serde_json::from_str::<ServerFrame>(t.as_str()) {
            Ok(ServerFrame::Welcome {
                epoch,
                seq,
                resumed,
                ..
            }) => break (epoch, seq, resumed),
            Ok(ServerFrame::Bye { code, message, .. }) => bail!("bye {code:?}: {message}"),
            Ok(ServerFrame::Error { code, message }) => bail!("error {code:?}: {message}"),
            _ => continue,
        }
    };
    if resumed {
        return Ok(Opened {
            ws,
            epoch,
            seq: resume.map(|r| r.1).unwrap_or(seq),
            resumed,
            snapshot: None,
        });
    }
    loop {
        let msg = timeout(HANDSHAKE_TIMEOUT, ws.next())
            .await
            .context("no snapshot")?
            .ok_or_else(|| anyhow!("closed before snapshot"))??;
        if let Message::Text(t) = msg {
            if let Scan::Snapshot { epoch, seq } = scan(t.as_str()) {
                SNAPSHOT_BYTES_MAX.fetch_max(t.len() as u64, Relaxed);
                return Ok(Opened {
                    ws,
                    epoch,
                    seq,
                    resumed: false,
                    // Members only need its seq; copying megabytes per member would cost.
                    snapshot: keep_snapshot.then(|| t.as_str().to_owned()),
                });
            }
        }
    }
}

pub struct Worker {
    pub plan: Arc<Plan>,
    pub shared: Arc<Shared>,
    pub local: RefCell<Local>,
    pub connect_gate: Semaphore,
}

struct Member {
    spec: ConnSpec,
    epoch: u64,
    last_seq: u64,
    ready: bool,
    hand: bool,
    next_n: u64,
    /// Unacknowledged commands by number: send time and text, for re-sending after a
    /// reconnect.
    pending: BTreeMap<u64, (u64, String)>,
    base: Option<Arc<Vec<u64>>>,
    stall: bool,
}

enum End {
    /// Lost the connection; `reconnect` is the server's advice (or true for plain I/O loss).
    Lost {
        reconnect: bool,
    },
    Done,
}

pub async fn run(
    w: Rc<Worker>,
    spec: ConnSpec,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    mut phase: watch::Receiver<Phase>,
) {
    let mut m = Member {
        spec,
        epoch: 0,
        last_seq: 0,
        ready: false,
        hand: false,
        next_n: 1,
        pending: BTreeMap::new(),
        base: None,
        stall: false,
    };
    let mut first = true;
    let mut attempts = 0u32;
    loop {
        let resume = (!first).then_some((m.epoch, m.last_seq));
        let opened = {
            let _permit = w.connect_gate.acquire().await;
            open(
                &w.plan,
                m.spec.id,
                &m.spec.token,
                resume,
                m.spec.staller,
                false,
            )
            .await
        };
        let opened = match opened {
            Ok(o) => o,
            Err(e) => {
                attempts += 1;
                if attempts >= RECONNECT_ATTEMPTS || phase.borrow().kind == PhaseKind::Done {
                    w.shared.connect_failed.fetch_add(1, Relaxed);
                    w.shared.note_error(format!("connect: {e:#}"));
                    if !first {
                        w.shared.down.fetch_sub(1, Relaxed);
                    }
                    return;
                }
                let delay = (50u64 << attempts.min(6)).min(RECONNECT_MAX_DELAY_MS);
                // Jitter so thousands of members do not retry in lockstep.
                let jitter = u64::from(m.spec.id) % (delay / 2 + 1);
                tokio::time::sleep(Duration::from_millis(delay / 2 + jitter)).await;
                drain_skipped(&w, &mut rx);
                continue;
            }
        };
        attempts = 0;
        if first {
            w.shared.connected.fetch_add(1, Relaxed);
            first = false;
        } else {
            w.shared.down.fetch_sub(1, Relaxed);
            w.shared.reconnects.fetch_add(1, Relaxed);
            w.shared.last_resume_ns.fetch_max(now_ns(), Relaxed);
            if opened.resumed {
                w.shared.resumed.fetch_add(1, Relaxed);
            } else {
                w.shared.resynced.fetch_add(1, Relaxed);
                // Events between our last seq and the snapshot never reached us one by one.
                if m.last_seq > 0 && opened.seq > m.last_seq {
                    w.shared
                        .resync_skipped
                        .fetch_add(opened.seq - m.last_seq, Relaxed);
                }
            }
        }
        m.epoch = opened.epoch;
        if !opened.resumed || m.last_seq == 0 {
            m.last_seq = opened.seq;
        }
        if m.base.is_none() {
            w.shared.note_seq(m.spec.cafe, m.last_seq);
        }
        let mut ws = opened.ws;
        // Commands in flight when the connection dropped: same id again, never applied twice.
        let resend: Vec<String> = m.pending.values().map(|(_, t)| t.clone()).collect();
        let mut ok = true;
        for t in resend {
            w.shared.resent.fetch_add(1, Relaxed);
            if ws.send(Message::Text(t.into())).await.is_err() {
                ok = false;
                break;
            }
        }
        let end = if ok {
            session(&w, &mut m, &mut ws, &mut rx, &mut phase).await
        } else {
            End::Lost { reconnect: true }
        };
        match end {
            End::Done => {
                // A polite close; the server then marks presence offline after its grace.
                let _ = timeout(Duration::from_secs(2), ws.close(None)).await;
                return;
            }
            End::Lost { reconnect } => {
                let done = phase.borrow().kind == PhaseKind::Done;
                if !reconnect || done || m.spec.staller {
                    return;
                }
                w.shared.down.fetch_add(1, Relaxed);
                w.shared.first_drop_ns.fetch_min(now_ns(), Relaxed);
                drain_skipped(&w, &mut rx);
            }
        }
    }
}

/// Commands that arrive while the member is offline are not queued: the offered load
/// simply was not delivered, and the report says how much.
fn drain_skipped(w: &Worker, rx: &mut mpsc::UnboundedReceiver<Cmd>) {
    while rx.try_recv().is_ok() {
        w.shared.skipped.fetch_add(1, Relaxed);
    }
}

async fn session(
    w: &Worker,
    m: &mut Member,
    ws: &mut Ws,
    rx: &mut mpsc::UnboundedReceiver<Cmd>,
    phase: &mut watch::Receiver<Phase>,
) -> End {
    apply_phase(m, &phase.borrow_and_update());
    // Untracked members (the staller, churners) get no commands: their sender is dropped
    // at once, which must not end the session.
    let mut commands_open = true;
    loop {
        if m.stall {
            return stall(w, m, ws, phase).await;
        }
        tokio::select! {
            biased;
            r = phase.changed() => {
                if r.is_err() {
                    return End::Done;
                }
                let p = phase.borrow_and_update().clone();
                if p.kind == PhaseKind::Done {
                    return End::Done;
                }
                apply_phase(m, &p);
            }
            msg = ws.next() => {
                let at = now_ns();
                match msg {
                    Some(Ok(Message::Text(t))) => {
                        if let Some(end) = on_text(w, m, t.as_str(), at) {
                            return end;
                        }
                    }
                    Some(Ok(Message::Close(c))) => {
                        let code = c.as_ref().map(|c| u16::from(c.code)).unwrap_or(1005);
                        w.shared.note_close(code);
                        return End::Lost { reconnect: close_allows_reconnect(c.map(|c| c.code)) };
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        w.shared.note_close(1006);
                        return End::Lost { reconnect: true };
                    }
                }
            }
            cmd = rx.recv(), if commands_open => {
                let Some(cmd) = cmd else {
                    commands_open = false;
                    continue;
                };
                let (n, text) = build(w, m, cmd);
                let sent_at = now_ns();
                if ws.send(Message::Text(text.clone().into())).await.is_err() {
                    m.pending.insert(n, (sent_at, text));
                    w.shared.note_close(1006);
                    return End::Lost { reconnect: true };
                }
                m.pending.insert(n, (sent_at, text));
                w.shared.sent.fetch_add(1, Relaxed);
            }
        }
    }
}

fn close_allows_reconnect(code: Option<CloseCode>) -> bool {
    // The load generator retries only what the run itself may cause: a restart, a resync, or
    // a lost connection (1001 going away and 1006 abnormal are transport words, not the
    // server's, so they are not in the shared list). A policy or auth close is a finding.
    match code.map(u16::from) {
        None | Some(1001) | Some(1006) => true,
        Some(c) => matches!(
            cafe_shared::CloseCode::from_code(c),
            Some(cafe_shared::CloseCode::Restarting | cafe_shared::CloseCode::Resync)
        ),
    }
}

fn apply_phase(m: &mut Member, p: &Phase) {
    if p.base.is_some() {
        m.base.clone_from(&p.base);
    }
    m.stall = m.spec.staller && p.stall;
}

/// Handles one text frame; returns Some when the connection must end.
fn on_text(w: &Worker, m: &mut Member, text: &str, at: u64) -> Option<End> {
    match scan(text) {
        Scan::Event { seq } => {
            let mut local = w.local.borrow_mut();
            local.deliveries += 1;
            if seq <= m.last_seq {
                w.shared.dups.fetch_add(1, Relaxed);
                return None;
            }
            let prev = m.last_seq;
            m.last_seq = seq;
            match &m.base {
                Some(base) => {
                    let b = base.get(m.spec.cafe as usize).copied().unwrap_or(0);
                    if seq > b && m.spec.tracked {
                        // Every event of our workloads is public, so a jump in seq after
                        // the measured range began is an event this member never got...
                        let missing = seq - prev.max(b) - 1;
                        if missing > 0 && text.contains("\"type\":\"vote_progress\"") {
                            // ...unless the server folded the dots in between into this
                            // tally update: the screen is current through `seq` now.
                            w.shared.folded.fetch_add(missing, Relaxed);
                            for s in seq - missing..seq {
                                local.received((m.spec.cafe, s), at);
                            }
                        } else if missing > 0 {
                            w.shared.gaps.fetch_add(missing, Relaxed);
                        }
                        local.received((m.spec.cafe, seq), at);
                    }
                }
                None => w.shared.note_seq(m.spec.cafe, seq),
            }
        }
        Scan::Ack { id, seq } => {
            if let Some(n) = number_of(id) {
                if let Some((send_ns, _)) = m.pending.remove(&n) {
                    w.shared.acked.fetch_add(1, Relaxed);
                    w.local.borrow_mut().out.push(Report::Ack {
                        key: (m.spec.cafe, seq),
                        send_ns,
                    });
                }
            }
        }
        Scan::Reject { id, code } => {
            if let Some(n) = number_of(id) {
                m.pending.remove(&n);
            }
            w.shared.note_reject(code);
        }
        Scan::Snapshot { epoch, seq } => {
            // A fresh snapshot mid-stream (role change): continue from it.
            m.epoch = epoch;
            m.last_seq = seq;
        }
        Scan::Error { code } => w.shared.note_error(format!("error frame {code}")),
        Scan::Bye => {
            let reconnect = match serde_json::from_str::<ServerFrame>(text) {
                Ok(ServerFrame::Bye {
                    code, reconnect, ..
                }) => {
                    w.shared.note_bye(code.as_str());
                    reconnect
                }
                _ => true,
            };
            if !reconnect {
                return Some(End::Lost { reconnect: false });
            }
            // The close frame follows; let the read loop see it.
        }
        Scan::Welcome | Scan::Pong | Scan::Other => {}
    }
    None
}

fn number_of(id: &str) -> Option<u64> {
    let (_, n) = id.split_once('.')?;
    u64::from_str_radix(n, 16).ok()
}

fn build(w: &Worker, m: &mut Member, cmd: Cmd) -> (u64, String) {
    let n = m.next_n;
    m.next_n += 1;
    let id = format!("{:x}.{:x}", m.spec.id, n);
    let command = match cmd {
        Cmd::Idea => {
            let board = w
                .plan
                .cafes
                .get(m.spec.cafe as usize)
                .map(|c| c.board)
                .unwrap_or(0);
            format!(
                r#"{{"type":"post_idea","board":{board},"text":"Idea {id}: shorter queues at the coffee corner if we add a second grinder{}"}}"#,
                w.plan.idea_pad
            )
        }
        Cmd::Ready => {
            m.ready = !m.ready;
            format!(r#"{{"type":"set_ready","ready":{}}}"#, m.ready)
        }
        Cmd::Hand => {
            m.hand = !m.hand;
            if m.hand {
                r#"{"type":"raise_hand"}"#.to_string()
            } else {
                r#"{"type":"lower_hand"}"#.to_string()
            }
        }
        Cmd::Dot { vote, item } => {
            format!(r#"{{"type":"cast_dot","vote":{vote},"item":{item}}}"#)
        }
    };
    (
        n,
        format!(r#"{{"type":"command","id":"{id}","command":{command}}}"#),
    )
}

/// The slow consumer: stop reading until the run drains, then read what is left to learn
/// how the server treated us (expected: bye resync and close 4000).
async fn stall(w: &Worker, m: &mut Member, ws: &mut Ws, phase: &mut watch::Receiver<Phase>) -> End {
    let stalled_at = now_ns();
    loop {
        let kind = phase.borrow_and_update().kind;
        if kind == PhaseKind::Drain || kind == PhaseKind::Done {
            break;
        }
        if phase.changed().await.is_err() {
            break;
        }
    }
    let mut frames = 0u64;
    let mut outcome = String::from("still open: the server kept queueing for it");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    // Bounded drain: at most 10 s and 10 million frames.
    while frames < 10_000_000 {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                frames += 1;
                if let Scan::Bye = scan(t.as_str()) {
                    outcome = format!("bye {}", t.as_str());
                }
                if let Scan::Event { seq } = scan(t.as_str()) {
                    m.last_seq = seq;
                }
            }
            Ok(Some(Ok(Message::Close(c)))) => {
                let code = c.as_ref().map(|c| u16::from(c.code)).unwrap_or(1005);
                outcome = format!("{outcome}; close {code}");
                break;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => {
                outcome = format!("{outcome}; error {e}");
                break;
            }
            Ok(None) => {
                outcome = format!("{outcome}; eof");
                break;
            }
            Err(_) => break,
        }
    }
    let secs = (now_ns() - stalled_at) as f64 / 1e9;
    *w.shared.staller.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!(
        "{outcome}; {frames} frames buffered for it were read after {secs:.1} s of stall"
    ));
    End::Lost { reconnect: false }
}
