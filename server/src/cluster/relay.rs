//! A café owned by another node, as this node's sockets see it: the same [`Msg`]s as an
//! actor takes, forwarded to the owner over NATS, and the owner's committed batches relayed
//! to the sockets, each socket from its own seq (the owner's welcome), so a socket neither
//! misses nor repeats an event. A socket that would (a lost message, a new owner) is closed
//! with 4000 and resumes from its (epoch, seq).
//!
//! The relay takes the café over when the owner has been silent (no heartbeat, no answer)
//! for a lease duration and the lease can be taken; its sockets then resume on this node.

use super::{Broadcast, BusBatch, Cluster, Envelope, NamedEntry, Reply, Request};
use crate::cafe::{CloseReason, ConnId, ConnLink, Msg, Out, RemoteOutcome};
use crate::store::{Lease, Store};
use cafe_shared::{Audience, CafeId, CloseCode, ErrorCode, PersonId, Rejection};
use futures_util::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tungstenite::Utf8Bytes;

/// Batches kept for sockets whose welcome is still on its way.
const RECENT_BATCHES: usize = 256;

pub enum RelayEnd {
    /// Idle, shut down, or the café moved: the next visitor looks again.
    Done,
    /// This node now holds the café's lease: start its actor.
    TookOver(Lease),
}

struct RConn {
    person: Option<PersonId>,
    audience: Audience,
    link: Arc<ConnLink>,
    /// The last seq this socket has (its welcome's, then each relayed batch's).
    seq: u64,
}

enum Pending {
    Attach {
        conn: ConnId,
        person: Option<PersonId>,
        link: Arc<ConnLink>,
        reply: oneshot::Sender<Result<(), Rejection>>,
        body: Request,
        sent: Instant,
    },
    Command {
        conn: ConnId,
        body: Request,
        sent: Instant,
    },
    Join {
        reply: oneshot::Sender<Result<PersonId, Rejection>>,
        sent: Instant,
    },
    /// A command from an HTTP request on this node (access links).
    Http {
        reply: oneshot::Sender<RemoteOutcome>,
        sent: Instant,
    },
}

/// A batch as relayed: its frames decoded once, shared by every socket.
struct Relayed {
    token: u64,
    first: u64,
    last: u64,
    public: Arc<[Utf8Bytes]>,
    facilitator: Arc<[Utf8Bytes]>,
    named: Vec<NamedEntry>,
}

impl From<BusBatch> for Relayed {
    fn from(b: BusBatch) -> Self {
        let bytes = |v: Vec<String>| v.into_iter().map(Utf8Bytes::from).collect();
        Self {
            token: b.token,
            first: b.first,
            last: b.last,
            public: bytes(b.public),
            facilitator: bytes(b.facilitator),
            named: b.named,
        }
    }
}

pub struct Relay {
    id: CafeId,
    cluster: Arc<Cluster>,
    store: Arc<dyn Store>,
    rx: mpsc::Receiver<Msg>,
    idle_unload: Duration,
    /// The owner's lease token this relay follows; another one means the café moved.
    token: Option<u64>,
    conns: HashMap<ConnId, RConn>,
    pending: HashMap<u64, Pending>,
    next_n: u64,
    recent: VecDeque<Arc<Relayed>>,
    /// Acks waiting until their socket has the events up to their seq.
    held: Vec<(ConnId, u64, Utf8Bytes)>,
    last_heard: Instant,
    inbox: String,
}

/// Why the relay stops.
struct Stop(RelayEnd);

fn moved() -> CloseReason {
    CloseReason::new(
        CloseCode::Resync,
        ErrorCode::Resync,
        "the café moved to another server; reconnect and resume",
    )
}

impl Relay {
    pub fn new(
        id: CafeId,
        cluster: Arc<Cluster>,
        store: Arc<dyn Store>,
        rx: mpsc::Receiver<Msg>,
        idle_unload: Duration,
    ) -> Self {
        let inbox = cluster.nats.new_inbox();
        Self {
            id,
            cluster,
            store,
            rx,
            idle_unload,
            token: None,
            conns: HashMap::new(),
            pending: HashMap::new(),
            next_n: 1,
            recent: VecDeque::new(),
            held: Vec::new(),
            last_heard: Instant::now(),
            inbox,
        }
    }

    /// Runs until the relay is no longer needed. The queue stays open until the relay is
    /// dropped, so that a take-over can start the actor before anyone finds this closed.
    pub async fn run(&mut self, shutdown: CancellationToken) -> RelayEnd {
        let c = self.cluster.clone();
        let subs = async {
            let out = c.nats.subscribe(c.out(&self.id)).await?;
            let inbox = c.nats.subscribe(self.inbox.clone()).await?;
            Ok::<_, async_nats::SubscribeError>((out, inbox))
        };
        let (mut out, mut inbox) = match subs.await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(cafe = %self.id, error = %e, "cannot subscribe for a relay");
                self.end(moved());
                return RelayEnd::Done;
            }
        };
        let mut tick = tokio::time::interval((c.lease / 4).max(Duration::from_millis(50)));
        let mut last_active = Instant::now();
        let result = loop {
            let idle = self.conns.is_empty() && self.pending.is_empty();
            let idle_at = last_active + self.idle_unload;
            let step = tokio::select! {
                _ = shutdown.cancelled() => Err(Stop(RelayEnd::Done)),
                m = self.rx.recv() => match m {
                    Some(m) => {
                        last_active = Instant::now();
                        self.local(m).await;
                        Ok(())
                    }
                    None => Err(Stop(RelayEnd::Done)),
                },
                m = out.next() => match m {
                    Some(m) => match serde_json::from_slice::<Broadcast>(&m.payload) {
                        Ok(b) => self.broadcast(b).await,
                        Err(e) => {
                            tracing::warn!(cafe = %self.id, error = %e, "unreadable broadcast");
                            Ok(())
                        }
                    },
                    None => Err(Stop(RelayEnd::Done)),
                },
                m = inbox.next() => match m {
                    Some(m) => {
                        match serde_json::from_slice::<Envelope<Reply>>(&m.payload) {
                            Ok(r) => self.reply(r),
                            Err(_) => Ok(()),
                        }
                    }
                    None => Err(Stop(RelayEnd::Done)),
                },
                _ = tick.tick() => self.check().await,
                _ = tokio::time::sleep_until(idle_at), if idle => Err(Stop(RelayEnd::Done)),
            };
            if let Err(Stop(end)) = step {
                break end;
            }
        };
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        self.end(moved());
        if matches!(result, RelayEnd::Done) {
            // The owner would otherwise keep these people online.
            for conn in conns {
                self.detach(c.node.clone(), conn).await;
            }
        }
        let _ = out.unsubscribe().await;
        let _ = inbox.unsubscribe().await;
        result
    }

    /// Closes every socket (they resume elsewhere or here) and answers what waits.
    fn end(&mut self, reason: CloseReason) {
        for c in self.conns.values() {
            c.link.close(reason.clone());
        }
        self.conns.clear();
        for p in std::mem::take(&mut self.pending).into_values() {
            match p {
                // Dropping the reply tells the socket to look the café up again.
                Pending::Attach { .. } | Pending::Command { .. } | Pending::Http { .. } => {}
                Pending::Join { reply, .. } => {
                    let _ = reply.send(Err(Rejection::new(
                        ErrorCode::ServerRestarting,
                        "the café is moving to another server; try again",
                    )));
                }
            }
        }
        self.held.clear();
    }

    async fn detach(&self, node: String, conn: ConnId) {
        let c = &self.cluster;
        let body = Request::Detach { node, conn };
        if let Ok(bytes) = serde_json::to_vec(&Envelope { n: 0, body }) {
            let _ = c.nats.publish(c.requests(&self.id), bytes.into()).await;
        }
    }

    async fn request(&mut self, body: &Request) -> u64 {
        let n = self.next_n;
        self.next_n += 1;
        self.send(n, body).await;
        n
    }

    async fn send(&self, n: u64, body: &Request) {
        let c = &self.cluster;
        let Ok(bytes) = serde_json::to_vec(&Envelope { n, body }) else {
            return;
        };
        if let Err(e) = c
            .nats
            .publish_with_reply(c.requests(&self.id), self.inbox.clone(), bytes.into())
            .await
        {
            tracing::warn!(cafe = %self.id, error = %e, "forwarding to the owner failed");
        }
    }

    async fn local(&mut self, msg: Msg) {
        let node = self.cluster.node.clone();
        let sent = Instant::now();
        match msg {
            Msg::Attach {
                conn,
                person,
                grant,
                resume,
                link,
                reply,
            } => {
                let body = Request::Attach {
                    node,
                    conn,
                    person,
                    grant,
                    resume,
                };
                let n = self.request(&body).await;
                self.pending.insert(
                    n,
                    Pending::Attach {
                        conn,
                        person,
                        link,
                        reply,
                        body,
                        sent,
                    },
                );
            }
            Msg::Detach { conn } => {
                self.pending
                    .retain(|_, p| !matches!(p, Pending::Attach { conn: c, .. } if *c == conn));
                self.held.retain(|(c, _, _)| *c != conn);
                // Also when its welcome is still on the way: the owner counts it online.
                self.conns.remove(&conn);
                self.detach(node, conn).await;
            }
            Msg::Command {
                conn,
                person,
                id,
                command,
            } => {
                let body = Request::Command {
                    person,
                    id,
                    command,
                };
                let n = self.request(&body).await;
                self.pending
                    .insert(n, Pending::Command { conn, body, sent });
            }
            Msg::Join {
                name,
                role,
                location,
                reply,
            } => {
                let body = Request::Join {
                    name,
                    role,
                    location,
                };
                let n = self.request(&body).await;
                self.pending.insert(n, Pending::Join { reply, sent });
            }
            Msg::Inspect(f) => {
                // Read-only questions (public info, exports) are answered from the store:
                // it holds everything the owner acknowledged.
                let (store, id) = (self.store.clone(), self.id.clone());
                tokio::spawn(async move {
                    match store.load(&id, 0).await {
                        Ok(Some(l)) => {
                            let (mut seq, mut state) = l.snapshot.unwrap_or_default();
                            for e in &l.events {
                                state.apply(&e.event);
                                seq = e.seq;
                            }
                            f(&state, l.row.epoch, seq);
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(cafe = %id, error = %e, "reading a café failed"),
                    }
                });
            }
            // Only an owner is asked these.
            Msg::RemoteAttach { reply, .. } => {
                let _ = reply.send(Err(Rejection::new(
                    ErrorCode::Resync,
                    "this node does not own the café",
                )));
            }
            // From this node's HTTP routes: forwarded like a socket's command.
            Msg::RemoteCommand {
                person,
                id,
                command,
                reply,
            } => {
                let body = Request::Command {
                    person,
                    id,
                    command,
                };
                let n = self.request(&body).await;
                self.pending.insert(n, Pending::Http { reply, sent });
            }
            Msg::RemoteDetach { .. } => {}
        }
    }

    fn reply(&mut self, r: Envelope<Reply>) -> Result<(), Stop> {
        let Some(p) = self.pending.remove(&r.n) else {
            return Ok(());
        };
        match (p, r.body) {
            (
                Pending::Attach {
                    conn,
                    person,
                    link,
                    reply,
                    ..
                },
                Reply::Welcome(w),
            ) => {
                if self.is_newer_owner(w.token) {
                    // The café moved: every socket here resumes through its new owner.
                    drop(reply);
                    return Err(Stop(RelayEnd::Done));
                }
                if self.token.is_some_and(|t| t != w.token) {
                    // From an owner that was replaced already: look again.
                    drop(reply);
                    return Ok(());
                }
                self.token = Some(w.token);
                let frames: Vec<Utf8Bytes> = w.frames.into_iter().map(Utf8Bytes::from).collect();
                if !link.push(Out::Frames(frames)) {
                    let _ = reply.send(Err(Rejection::new(ErrorCode::Resync, "connection closed")));
                    return Ok(());
                }
                let mut c = RConn {
                    person,
                    audience: w.audience,
                    link,
                    seq: w.seq,
                };
                // Batches that arrived before the welcome and follow it.
                let mut ok = true;
                for b in self.recent.iter().filter(|b| b.token == w.token) {
                    if !deliver(&mut c, b) {
                        ok = false;
                        break;
                    }
                }
                if ok {
                    self.conns.insert(conn, c);
                    let _ = reply.send(Ok(()));
                } else {
                    c.link.close(CloseReason::resync());
                    let _ = reply.send(Err(Rejection::new(ErrorCode::Resync, "fell behind")));
                }
            }
            (Pending::Attach { reply, .. }, Reply::Refused(code, message)) => {
                let _ = reply.send(Err(Rejection::new(code, message)));
            }
            (Pending::Command { conn, .. }, Reply::Outcome { frame, seq }) => {
                let Some(c) = self.conns.get(&conn) else {
                    return Ok(());
                };
                let frame = Utf8Bytes::from(frame);
                let behind = self.held.iter().any(|(h, _, _)| *h == conn);
                match seq {
                    Some(s) if s > c.seq => self.held.push((conn, s, frame)),
                    // Behind a held ack of the same socket: answers keep their order.
                    _ if behind => self.held.push((conn, 0, frame)),
                    _ => {
                        c.link.push(Out::Frame(frame));
                    }
                }
            }
            (Pending::Http { reply, .. }, Reply::Outcome { frame, seq }) => {
                let _ = reply.send(RemoteOutcome {
                    frame: Utf8Bytes::from(frame),
                    seq,
                });
            }
            (Pending::Join { reply, .. }, Reply::Joined(p)) => {
                let _ = reply.send(Ok(p));
            }
            (Pending::Join { reply, .. }, Reply::Refused(code, message)) => {
                let _ = reply.send(Err(Rejection::new(code, message)));
            }
            _ => {}
        }
        Ok(())
    }

    async fn broadcast(&mut self, b: Broadcast) -> Result<(), Stop> {
        match b {
            Broadcast::Batch(batch) => {
                let b = Arc::new(Relayed::from(batch));
                if self.is_newer_owner(b.token) {
                    return Err(Stop(RelayEnd::Done));
                }
                self.last_heard = Instant::now();
                self.recent.push_back(b.clone());
                if self.recent.len() > RECENT_BATCHES {
                    self.recent.pop_front();
                }
                if self.token != Some(b.token) {
                    return Ok(());
                }
                let mut gone = Vec::new();
                for (id, c) in self.conns.iter_mut() {
                    if !deliver(c, &b) {
                        gone.push(*id);
                    }
                }
                for id in gone {
                    if let Some(c) = self.conns.remove(&id) {
                        c.link.close(CloseReason::resync());
                    }
                }
                let conns = &self.conns;
                let mut blocked = Vec::new();
                self.held
                    .retain(|(conn, seq, frame)| match conns.get(conn) {
                        Some(c) if c.seq >= *seq && !blocked.contains(conn) => {
                            c.link.push(Out::Frame(frame.clone()));
                            false
                        }
                        Some(_) => {
                            blocked.push(*conn);
                            true
                        }
                        None => false,
                    });
            }
            Broadcast::Alive { token, seq } => {
                if self.is_newer_owner(token) {
                    return Err(Stop(RelayEnd::Done));
                }
                if self.token.is_none_or(|t| t == token) {
                    self.last_heard = Instant::now();
                }
                if self.token == Some(token) {
                    // Batches come before the heartbeat that counts them: a socket behind
                    // it missed one (NATS dropped it) and must resume.
                    let behind: Vec<ConnId> = self
                        .conns
                        .iter()
                        .filter(|(_, c)| c.seq < seq)
                        .map(|(id, _)| *id)
                        .collect();
                    for id in behind {
                        if let Some(c) = self.conns.remove(&id) {
                            c.link.close(CloseReason::resync());
                        }
                    }
                }
            }
            Broadcast::Reactions { token, frame } => {
                if self.token == Some(token) {
                    let frame = Utf8Bytes::from(frame);
                    for c in self.conns.values() {
                        if crate::cafe::shows_reactions(c.person, c.audience) {
                            // Full queue: the next batch finds it full too and resyncs it.
                            c.link.push(Out::Frame(frame.clone()));
                        }
                    }
                }
            }
            Broadcast::Leaving { token } => {
                if self.token.is_none_or(|t| t == token) {
                    return Err(self.take_over().await.unwrap_or(Stop(RelayEnd::Done)));
                }
            }
        }
        Ok(())
    }

    fn is_newer_owner(&self, token: u64) -> bool {
        self.token.is_some_and(|t| token > t)
    }

    /// Takes the lease if it is free; `None` while another node holds it.
    async fn take_over(&self) -> Option<Stop> {
        let c = &self.cluster;
        match self.store.acquire_lease(&self.id, &c.node, c.lease).await {
            Ok(Some(lease)) => {
                tracing::info!(cafe = %self.id, node = %c.node, token = lease.token, "taking the café over");
                Some(Stop(RelayEnd::TookOver(lease)))
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(cafe = %self.id, error = %e, "taking the lease failed");
                None
            }
        }
    }

    /// Every quarter lease: an owner silent for a whole lease, or a request unanswered
    /// that long, makes this node try to take the café over; otherwise unanswered
    /// commands and attaches are asked again (command ids make that safe).
    async fn check(&mut self) -> Result<(), Stop> {
        if self.conns.is_empty() && self.pending.is_empty() {
            return Ok(());
        }
        let lease = self.cluster.lease;
        let silent = self.last_heard.elapsed() > lease;
        let stuck = self.pending.values().any(|p| match p {
            Pending::Attach { sent, .. }
            | Pending::Command { sent, .. }
            | Pending::Join { sent, .. }
            | Pending::Http { sent, .. } => sent.elapsed() > lease,
        });
        if !silent && !stuck {
            return Ok(());
        }
        if let Some(stop) = self.take_over().await {
            return Err(stop);
        }
        let mut again = Vec::new();
        let mut failed = Vec::new();
        for (n, p) in self.pending.iter_mut() {
            match p {
                Pending::Attach { sent, body, .. } | Pending::Command { sent, body, .. } => {
                    if sent.elapsed() > lease {
                        *sent = Instant::now();
                        again.push((*n, body.clone()));
                    }
                }
                Pending::Join { sent, .. } | Pending::Http { sent, .. } => {
                    if sent.elapsed() > lease {
                        failed.push(*n);
                    }
                }
            }
        }
        for (n, body) in again {
            self.send(n, &body).await;
        }
        for n in failed {
            if let Some(Pending::Join { reply, .. }) = self.pending.remove(&n) {
                let _ = reply.send(Err(Rejection::new(
                    ErrorCode::ServerRestarting,
                    "the café's server did not answer; try again",
                )));
            }
        }
        Ok(())
    }
}

/// Queues a batch for one socket; false when the socket cannot have it in order (a gap)
/// or its queue is full: it must resume.
fn deliver(c: &mut RConn, b: &Relayed) -> bool {
    if b.last <= c.seq {
        return true;
    }
    if b.first != c.seq + 1 {
        return false;
    }
    c.seq = b.last;
    let named = c.person.is_some_and(|p| b.named.iter().any(|e| e.names(p)));
    if !named {
        let shared = match c.audience {
            Audience::Facilitator => &b.facilitator,
            _ => &b.public,
        };
        return shared.is_empty() || c.link.push(Out::Shared(shared.clone()));
    }
    let mut frames = Vec::new();
    let mut removed = None;
    for e in &b.named {
        if let Some(f) = e.pick(c.person, c.audience) {
            frames.push(Utf8Bytes::from(f.clone()));
        }
        if let Some((p, audience, snapshot)) = &e.snapshot {
            if c.person == Some(*p) {
                c.audience = *audience;
                frames.push(Utf8Bytes::from(snapshot.clone()));
            }
        }
        if e.removed.is_some() && e.removed == c.person {
            removed = Some(
                e.why
                    .as_deref()
                    .unwrap_or("you were removed from this café"),
            );
            break;
        }
    }
    let ok = frames.is_empty() || c.link.push(Out::Frames(frames));
    if let Some(why) = removed {
        c.link.close(CloseReason::unauthorized(why));
    }
    ok
}
