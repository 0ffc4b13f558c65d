//! The café actor: one tokio task per café owns its [`CafeState`] and is its only writer.
//!
//! Messages arrive on a bounded mpsc channel. The actor drains whatever is queued into one
//! batch: it decides each command with `cafe-shared`, applies the events, encodes each
//! event once per audience, then appends the whole batch to the store in one transaction
//! (group commit). Only after the commit does anyone see the events: frames go to the
//! connections' bounded outbound queues, then the acks. A connection whose queue is full is
//! closed with 4000 (resync) instead of growing memory or stalling the room.
//!
//! - `conn.rs`: a connection's outbound queue and close reason, shared with `crate::ws`.
//! - `handle.rs`: [`CafeHandle`] and the [`Msg`]s it sends.
//! - `frames.rs`: events encoded once per audience, the resume ring's entries, snapshots.
//! - `attach.rs`: welcoming a connection: snapshot or catch-up from the ring.
//! - `batch.rs`: what a batch produced, committed then delivered (`Actor::flush`).
//! - `outcomes.rs`: the answer each recent command id got, for re-sent commands.

mod attach;
mod batch;
mod conn;
mod frames;
mod handle;
mod outcomes;

pub use conn::{encode, now_millis, CloseReason, ConnId, ConnLink, Out};
pub use handle::{CafeHandle, Gone, Msg, RemoteOutcome, RemoteWelcome};

pub(crate) use batch::shows_reactions;
use batch::{Batch, BusEntry, Private};
use frames::{project_entry, project_entry_with, snapshot_frame, RingEntry};
use outcomes::{Outcome, Outcomes};

use crate::cluster::Owned;
use crate::config::Tuning;
use crate::metrics::Metrics;
use crate::store::{CommandRecord, LoadedCafe, Store, StoreError, StoredEvent};
use cafe_shared::{
    Audience, CafeId, CafeState, CloseCode, Command, Ctx, ErrorCode, Event, Grant, Millis,
    PersonId, ReactionCounts, ReactionLimiter, Rejection, ResumePoint, SystemCommand, Timer,
};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tungstenite::Utf8Bytes;

struct ConnEntry {
    person: Option<PersonId>,
    link: Arc<ConnLink>,
    /// Cached `audience_of(person)`: looking it up per recipient per event was a visible
    /// cost in big rooms. Only a snapshot (role change) or a removal changes it.
    audience: Audience,
}

type AttachReply = oneshot::Sender<Result<(), Rejection>>;

/// Everything needed to start an actor.
pub struct ActorInit {
    pub loaded: LoadedCafe,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub tuning: Tuning,
    /// Cluster mode: the lease this node holds on the café.
    pub owned: Option<Owned>,
}

pub struct Actor {
    id: CafeId,
    epoch: u64,
    seq: u64,
    state: CafeState,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    tuning: Tuning,
    rx: mpsc::Receiver<Msg>,
    conns: HashMap<ConnId, ConnEntry>,
    ring: VecDeque<RingEntry>,
    outcomes: Outcomes,
    offline_due: HashMap<PersonId, Instant>,
    snapshot_seq: u64,
    /// The encoded public snapshot at a seq: most newcomers' view is the public one, and
    /// encoding it costs ~1 ms per 1,000 people, so a crowd arriving together shares one.
    public_snapshot: Option<(u64, Utf8Bytes)>,
    /// The periodic snapshot being saved off the actor (see `snapshot_in_background`).
    snapshot_task: Option<tokio::task::JoinHandle<()>>,
    /// Cluster mode: the lease, and the sockets of other nodes (node, conn) with their
    /// person, for presence.
    owned: Option<Owned>,
    remote: HashMap<(String, ConnId), Option<PersonId>>,
    /// Reactions are transient (`cafe_shared::reactions`): who sent how many lately, and
    /// the counts since the café was loaded, in memory only.
    reactions: ReactionLimiter,
    reaction_totals: ReactionCounts,
}

/// Where a command's answer goes.
enum ReplyTo {
    Conn(ConnId),
    Remote(oneshot::Sender<RemoteOutcome>),
}

/// An attach waiting for the end of its batch's messages (see `Actor::settle`).
struct PendingAttach {
    conn: ConnId,
    person: Option<PersonId>,
    grant: Option<Grant>,
    resume: Option<ResumePoint>,
    link: Arc<ConnLink>,
    reply: AttachReply,
}

/// The actor could not persist; it stops and the café reloads from the store on next use.
struct StoreFailed(StoreError);

impl Actor {
    /// Rebuilds the café from the store's snapshot and events, refilling the resume ring.
    pub fn new(init: ActorInit) -> (Self, CafeHandle) {
        let (tx, rx) = mpsc::channel(init.tuning.cafe_queue.max(1));
        let LoadedCafe {
            row,
            snapshot,
            events,
            commands,
            newest_snapshot,
        } = init.loaded;
        let (snapshot_seq, state) = snapshot.unwrap_or_default();
        let mut outcomes = Outcomes::default();
        for c in commands {
            outcomes.insert((c.person, c.id), Outcome::Ack(c.seq));
        }
        let mut actor = Self {
            id: row.id.clone(),
            epoch: row.epoch,
            seq: snapshot_seq,
            state,
            store: init.store,
            metrics: init.metrics,
            tuning: init.tuning,
            rx,
            conns: HashMap::new(),
            ring: VecDeque::new(),
            outcomes,
            offline_due: HashMap::new(),
            snapshot_seq,
            public_snapshot: None,
            snapshot_task: None,
            owned: init.owned,
            remote: HashMap::new(),
            reactions: ReactionLimiter::default(),
            reaction_totals: ReactionCounts::new(),
        };
        // Replay after the snapshot; only the newest events need their projections (the
        // resume ring), the older ones are just applied.
        let ring_from = events
            .last()
            .map(|e| e.seq.saturating_sub(actor.tuning.ring_events as u64))
            .unwrap_or(0);
        for e in events {
            if e.seq <= ring_from {
                actor.state.apply(&e.event);
                actor.seq = e.seq;
                continue;
            }
            let prior = actor.state.prior(&e.event);
            actor.state.apply(&e.event);
            actor.seq = e.seq;
            let entry = project_entry(&actor.state, &prior, &e.event, e.seq, e.at);
            actor.push_ring(entry);
        }
        actor.snapshot_seq = actor.snapshot_seq.max(newest_snapshot.min(actor.seq));
        // Nobody is connected to a café that was just loaded. People marked online (the
        // server stopped or crashed) get the usual grace period to come back.
        let due = Instant::now() + actor.tuning.presence_grace;
        for p in actor.state.people.values().filter(|p| p.online) {
            actor.offline_due.insert(p.id, due);
        }
        let handle = CafeHandle { id: row.id, tx };
        (actor, handle)
    }

    pub async fn run(mut self, shutdown: CancellationToken) {
        self.metrics.cafes_loaded.inc();
        let mut last_active = Instant::now();
        let fence = self
            .owned
            .as_ref()
            .map(|o| o.stop.clone())
            .unwrap_or_default();
        loop {
            let deadline = self.next_deadline();
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            // A café nobody uses leaves memory (it reloads from the store on next use).
            let idle = deadline.is_none() && self.conns.is_empty() && self.remote.is_empty();
            let idle_at = last_active + self.tuning.idle_unload;
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                _ = fence.cancelled() => {
                    self.step_down();
                    return;
                }
                msg = self.rx.recv() => {
                    let Some(first) = msg else { break };
                    last_active = Instant::now();
                    if let Err(e) = self.take_batch(first).await {
                        self.fail(e);
                        return;
                    }
                }
                _ = sleep => {
                    if let Err(e) = self.handle_deadlines().await {
                        self.fail(e);
                        return;
                    }
                }
                _ = tokio::time::sleep_until(idle_at), if idle => {
                    // No new messages from here on; finish the ones already queued.
                    self.rx.close();
                    while let Some(m) = self.rx.recv().await {
                        if let Err(e) = self.take_batch(m).await {
                            self.fail(e);
                            return;
                        }
                    }
                    for c in self.conns.values() {
                        c.link.close(CloseReason::new(
                            CloseCode::Resync,
                            ErrorCode::Resync,
                            "the café was reloaded; reconnect and resume",
                        ));
                    }
                    tracing::debug!(cafe = %self.id, "idle café unloaded");
                    break;
                }
            }
        }
        if let Some(task) = self.snapshot_task.take() {
            let _ = task.await;
        }
        self.snapshot().await;
        self.metrics.cafes_loaded.dec();
    }

    /// Group commit: `first` and everything already waiting, in one batch.
    async fn take_batch(&mut self, first: Msg) -> Result<(), StoreFailed> {
        let mut msgs = vec![first];
        while msgs.len() < 512 {
            match self.rx.try_recv() {
                Ok(m) => msgs.push(m),
                Err(_) => break,
            }
        }
        self.handle_batch(msgs).await
    }

    fn fail(&mut self, StoreFailed(e): StoreFailed) {
        if let StoreError::Fenced(_) = e {
            // Another node owns the café now: what this batch decided was never stored
            // nor acknowledged, and its clients resume from the new owner.
            tracing::warn!(cafe = %self.id, error = %e, "write fenced off; stepping down");
            self.step_down();
            return;
        }
        tracing::error!(cafe = %self.id, "store append failed; unloading the café");
        self.rx.close();
        for c in self.conns.values() {
            c.link.close(CloseReason::new(
                CloseCode::Resync,
                ErrorCode::Internal,
                "the server could not save; reconnect and resume",
            ));
        }
        self.metrics.cafes_loaded.dec();
    }

    /// Cluster mode: the lease is lost. Stops without writing anything more (not even a
    /// snapshot); the sockets reconnect and resume, through whichever node owns it now.
    fn step_down(&mut self) {
        tracing::warn!(cafe = %self.id, "lease lost; this node no longer owns the café");
        if let Some(o) = &self.owned {
            o.stop.cancel();
        }
        self.metrics.stepped_down.inc();
        self.rx.close();
        for c in self.conns.values() {
            c.link.close(CloseReason::new(
                CloseCode::Resync,
                ErrorCode::Resync,
                "the café moved to another server; reconnect and resume",
            ));
        }
        self.metrics.cafes_loaded.dec();
    }

    /// Whether any socket of `p`, here or on another node, is attached.
    fn connected(&self, p: PersonId) -> bool {
        self.conns.values().any(|c| c.person == Some(p))
            || self.remote.values().any(|r| *r == Some(p))
    }

    async fn snapshot(&mut self) {
        if self.seq == self.snapshot_seq {
            return;
        }
        match self
            .store
            .save_snapshot(
                &self.id,
                self.seq,
                &self.state,
                self.tuning.ring_events as u64,
            )
            .await
        {
            Ok(()) => self.snapshot_seq = self.seq,
            Err(e) => tracing::warn!(cafe = %self.id, error = %e, "snapshot failed"),
        }
    }

    /// The periodic snapshot, saved without stopping the café: encoding a big café's state
    /// (10 MB of JSON for 18,000 ideas) and writing it took tens of milliseconds inside the
    /// actor, every 500 events, and showed as the p99 of everyone's latency. The actor only
    /// clones the state; encoding and writing run on a blocking thread, one at a time.
    /// Every event it covers is committed already, and a failed one is retried 500 events
    /// later (the events stay in the store meanwhile, so nothing is lost either way).
    fn snapshot_in_background(&mut self) {
        if self.seq == self.snapshot_seq
            || self
                .snapshot_task
                .as_ref()
                .is_some_and(|t| !t.is_finished())
        {
            return;
        }
        let (store, id, seq, state) = (
            self.store.clone(),
            self.id.clone(),
            self.seq,
            self.state.clone(),
        );
        let keep = self.tuning.ring_events as u64;
        let runtime = tokio::runtime::Handle::current();
        self.snapshot_seq = seq;
        self.snapshot_task = Some(tokio::task::spawn_blocking(move || {
            if let Err(e) = runtime.block_on(store.save_snapshot(&id, seq, &state, keep)) {
                tracing::warn!(cafe = %id, error = %e, "snapshot failed");
            }
        }));
    }

    fn next_deadline(&self) -> Option<Instant> {
        let mut d = self.offline_due.values().min().copied();
        if let Timer::Running { ends_at, .. } = self.state.timer {
            let ms = u64::try_from(ends_at.saturating_sub(now_millis())).unwrap_or(0);
            // A little late rather than early: the rule fires only once the end has passed.
            let at = Instant::now() + Duration::from_millis(ms + 5);
            d = Some(d.map_or(at, |x| x.min(at)));
        }
        d
    }

    async fn handle_deadlines(&mut self) -> Result<(), StoreFailed> {
        let mut b = Batch::default();
        let now = now_millis();
        let instant = Instant::now();
        let due: Vec<PersonId> = self
            .offline_due
            .iter()
            .filter(|(_, at)| **at <= instant)
            .map(|(p, _)| *p)
            .collect();
        for p in due {
            self.offline_due.remove(&p);
            if !self.connected(p) {
                self.system(
                    &mut b,
                    &SystemCommand::SetPresence {
                        person: p,
                        online: false,
                    },
                    now,
                );
            }
        }
        if let Timer::Running { ends_at, .. } = self.state.timer {
            if now >= ends_at {
                self.system(&mut b, &SystemCommand::ExpireTimer { ends_at }, now);
            }
        }
        self.flush(&mut b).await
    }

    async fn handle_batch(&mut self, msgs: Vec<Msg>) -> Result<(), StoreFailed> {
        let mut b = Batch::default();
        let now = now_millis();
        let mut pending = Vec::new();
        for msg in msgs {
            match msg {
                Msg::Command {
                    conn,
                    person,
                    id,
                    command,
                } => self.command(&mut b, ReplyTo::Conn(conn), person, id, &command, now),
                Msg::RemoteCommand {
                    person,
                    id,
                    command,
                    reply,
                } => self.command(&mut b, ReplyTo::Remote(reply), person, id, &command, now),
                Msg::RemoteAttach {
                    node,
                    conn,
                    person,
                    grant,
                    resume,
                    reply,
                } => {
                    // Answered on committed state: the batches published after it are
                    // exactly what the other node relays to the socket next.
                    self.settle(&mut b, &mut pending, now).await;
                    self.flush(&mut b).await?;
                    if let Some(r) = resume.filter(|r| r.epoch == self.epoch && r.seq < self.seq) {
                        self.extend_ring_back(r.seq).await;
                    }
                    match self.remote_welcome(person, grant, resume, now) {
                        Ok(w) => {
                            let _ = reply.send(Ok(w));
                            self.remote.insert((node, conn), person);
                            if let Some(p) = person {
                                self.offline_due.remove(&p);
                                self.system(
                                    &mut b,
                                    &SystemCommand::SetPresence {
                                        person: p,
                                        online: true,
                                    },
                                    now,
                                );
                            }
                        }
                        Err(r) => {
                            let _ = reply.send(Err(r));
                        }
                    }
                }
                Msg::RemoteDetach { node, conn } => {
                    if let Some(Some(p)) = self.remote.remove(&(node, conn)) {
                        if !self.connected(p) {
                            self.offline_due
                                .insert(p, Instant::now() + self.tuning.presence_grace);
                        }
                    }
                }
                Msg::Join {
                    name,
                    role,
                    location,
                    reply,
                } => {
                    let cmd = SystemCommand::Join {
                        name,
                        role,
                        location,
                    };
                    match self.state.decide_system(now, &cmd) {
                        Ok(events) => {
                            let mut joined = None;
                            for e in events {
                                if let Event::PersonJoined { person } = &e {
                                    joined = Some(person.id);
                                }
                                self.emit(&mut b, e, None, now);
                            }
                            match joined {
                                Some(p) => b.joins.push((reply, p)),
                                None => {
                                    let _ = reply.send(Err(Rejection::new(
                                        ErrorCode::Internal,
                                        "joining produced no person",
                                    )));
                                }
                            }
                        }
                        Err(r) => {
                            let _ = reply.send(Err(r));
                        }
                    }
                }
                Msg::Attach {
                    conn,
                    person,
                    grant,
                    resume,
                    link,
                    reply,
                } => pending.push(PendingAttach {
                    conn,
                    person,
                    grant,
                    resume,
                    link,
                    reply,
                }),
                Msg::Detach { conn } => {
                    // Gone before it was attached: dropping the reply tells its task.
                    pending.retain(|a| a.conn != conn);
                    self.remove_conn(conn);
                }
                Msg::Inspect(f) => {
                    self.settle(&mut b, &mut pending, now).await;
                    self.flush(&mut b).await?;
                    f(&self.state, self.epoch, self.seq);
                }
            }
        }
        self.settle(&mut b, &mut pending, now).await;
        self.flush(&mut b).await
    }

    /// Attaches the batch's newcomers after its other messages, all at one seq, so that
    /// those who need the public snapshot share one encoding, and only then announces
    /// them (each announcement would move the seq and spoil the sharing). A newcomer's
    /// frames may show this batch's uncommitted events, so like everything else they are
    /// released with the batch after its commit (no commit per join).
    async fn settle(&mut self, b: &mut Batch, pending: &mut Vec<PendingAttach>, now: Millis) {
        if pending.is_empty() {
            return;
        }
        let mut arrived = Vec::new();
        for a in pending.drain(..) {
            if let Some(r) = a
                .resume
                .filter(|r| r.epoch == self.epoch && r.seq < self.seq)
            {
                self.extend_ring_back(r.seq).await;
            }
            if self.attach(
                b,
                a.conn,
                (a.person, a.grant),
                a.resume,
                a.link,
                a.reply,
                now,
            ) {
                arrived.extend(a.person);
            }
        }
        for p in arrived {
            self.offline_due.remove(&p);
            self.system(
                b,
                &SystemCommand::SetPresence {
                    person: p,
                    online: true,
                },
                now,
            );
        }
    }

    fn command(
        &mut self,
        b: &mut Batch,
        to: ReplyTo,
        person: PersonId,
        id: String,
        command: &Command,
        now: Millis,
    ) {
        let key = (person, id);
        if let Some(o) = self.outcomes.get(&key) {
            let frame = encode(&o.frame(&key.1));
            let seq = o.seq();
            reply(b, to, frame, seq);
            return;
        }
        let ctx = Ctx {
            actor: person,
            now,
            seed: rand::random(),
        };
        let outcome = match self.state.decide(&ctx, command) {
            // Allowed to react, and not too often: broadcast after the batch, stored
            // nowhere, not even as a command record (a re-send after a restart only floats
            // one more emoji).
            Ok(_) if matches!(command, Command::React { .. }) => {
                match (command, self.reactions.take(person, now)) {
                    (Command::React { reaction }, Ok(())) => {
                        *b.reactions.entry(*reaction).or_default() += 1;
                        *self.reaction_totals.entry(*reaction).or_default() += 1;
                        Outcome::Ack(self.seq)
                    }
                    (_, Err(r)) => {
                        self.metrics.rejects.inc();
                        Outcome::Reject(r.code, r.message)
                    }
                    _ => Outcome::Reject(ErrorCode::Internal, "not a reaction".into()),
                }
            }
            Ok(events) => {
                for e in events {
                    self.emit(b, e, Some((person, key.1.clone())), now);
                }
                b.commands.push(CommandRecord {
                    person,
                    id: key.1.clone(),
                    seq: self.seq,
                });
                Outcome::Ack(self.seq)
            }
            Err(r) => {
                self.metrics.rejects.inc();
                Outcome::Reject(r.code, r.message)
            }
        };
        reply(b, to, encode(&outcome.frame(&key.1)), outcome.seq());
        self.outcomes.insert(key, outcome);
    }

    fn system(&mut self, b: &mut Batch, cmd: &SystemCommand, now: Millis) {
        match self.state.decide_system(now, cmd) {
            Ok(events) => {
                for e in events {
                    self.emit(b, e, None, now);
                }
            }
            Err(r) => {
                tracing::debug!(cafe = %self.id, ?cmd, rejection = %r, "system command refused")
            }
        }
    }

    /// Applies one event and plans its delivery (released after the commit).
    fn emit(
        &mut self,
        b: &mut Batch,
        event: Event,
        command: Option<(PersonId, String)>,
        now: Millis,
    ) {
        let prior = self.state.prior(&event);
        self.state.apply(&event);
        self.seq += 1;
        let seq = self.seq;
        let (entry, public_ev, fac_ev) = project_entry_with(&self.state, &prior, &event, seq, now);
        // Removed, or their link got a new secret: their sessions end here.
        let removed = self.state.ends_sessions(&event);
        let concerned = entry.personal.as_ref().map(|(p, _)| *p);
        let names = |p: Option<PersonId>| {
            p.is_some() && (p == concerned || p == entry.snapshot_for || p == removed)
        };
        // Only connections this event names, or ones already private this batch, need
        // per-connection work; everyone else gets the audience lists in `flush`.
        if concerned.is_some() || entry.snapshot_for.is_some() || removed.is_some() {
            for (id, c) in &self.conns {
                if names(c.person) {
                    // Becoming private: start from what the audience list held so far, so
                    // the earlier events of the batch keep their order.
                    b.private.entry(*id).or_insert_with(|| Private {
                        frames: match c.audience {
                            Audience::Facilitator => b.facilitator.frames.clone(),
                            _ => b.public.frames.clone(),
                        },
                        done: false,
                    });
                }
            }
        }
        let mut snapshot_bytes = None;
        for (id, private) in b.private.iter_mut().filter(|(_, p)| !p.done) {
            let Some(c) = self.conns.get_mut(id) else {
                continue;
            };
            if let Some(p) = c.person {
                if entry.snapshot_for == Some(p) || removed == Some(p) {
                    c.audience = self.state.audience_of(p);
                }
            }
            if let Some(bytes) = entry.pick(c.person, c.audience) {
                private.frames.push(bytes.clone());
            }
            if c.person.is_some() && entry.snapshot_for == c.person {
                let bytes = snapshot_bytes
                    .get_or_insert_with(|| snapshot_frame(&self.state, self.epoch, seq, c.person))
                    .clone();
                private.frames.push(bytes);
            }
            if c.person.is_some() && removed == c.person {
                private.done = true;
                b.closes
                    .push((*id, CloseReason::unauthorized(ended_why(&event))));
            }
        }
        if self.owned.is_some() {
            b.named |=
                entry.personal.is_some() || entry.snapshot_for.is_some() || removed.is_some();
            b.bus.push(BusEntry {
                seq,
                public: entry.public.clone(),
                facilitator: entry.facilitator.clone(),
                personal: entry.personal.clone(),
                snapshot: entry.snapshot_for.map(|p| {
                    let bytes = snapshot_bytes
                        .get_or_insert_with(|| {
                            snapshot_frame(&self.state, self.epoch, seq, Some(p))
                        })
                        .clone();
                    (p, self.state.audience_of(p), bytes)
                }),
                removed,
                why: removed.map(|_| ended_why(&event)),
            });
        }
        b.public.push(entry.public.as_ref(), public_ev, seq, now);
        b.facilitator
            .push(entry.facilitator.as_ref(), fac_ev, seq, now);
        self.push_ring(entry);
        b.events.push(StoredEvent {
            seq,
            at: now,
            command,
            event,
        });
    }

    /// Forgets a connection; the person goes offline after the grace period unless another
    /// of their connections is open (or they come back).
    fn remove_conn(&mut self, conn: ConnId) -> Option<Arc<ConnLink>> {
        let c = self.conns.remove(&conn)?;
        if let Some(p) = c.person {
            if !self.connected(p) {
                self.offline_due
                    .insert(p, Instant::now() + self.tuning.presence_grace);
            }
        }
        Some(c.link)
    }
}

/// Why a session that `event` ended was closed (see [`CafeState::ends_sessions`]).
pub(crate) fn ended_why(event: &Event) -> &'static str {
    match event {
        Event::LinkRotated { .. } => "this access link was replaced; open the newest link",
        _ => "you were removed from this café",
    }
}

fn reply(b: &mut Batch, to: ReplyTo, frame: Utf8Bytes, seq: Option<u64>) {
    match to {
        ReplyTo::Conn(conn) => b.replies.push((conn, frame)),
        ReplyTo::Remote(tx) => b.remote_replies.push((tx, RemoteOutcome { frame, seq })),
    }
}
