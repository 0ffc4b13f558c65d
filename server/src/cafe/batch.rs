//! One batch of the actor's work: what it produced, stored in one transaction, then
//! delivered. Nothing is sent before the commit, so nobody sees what might be lost.

use super::conn::{encode, CloseReason, ConnId, Out};
use super::frames::AudienceFrames;
use super::handle::RemoteOutcome;
use super::{Actor, AttachReply, StoreFailed};
use crate::cluster::{Broadcast, BusBatch, NamedEntry};
use crate::store::{CommandRecord, StoredEvent};
use cafe_shared::{Audience, ErrorCode, PersonId, ReactionCounts, Rejection, ServerFrame};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::oneshot;
use tungstenite::Utf8Bytes;

/// A connection that gets something other than its audience's shared list this batch.
#[derive(Default)]
pub(super) struct Private {
    pub(super) frames: Vec<Utf8Bytes>,
    /// Removed from the café: nothing after the removal event.
    pub(super) done: bool,
}

/// What one batch produced, released after the commit.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) events: Vec<StoredEvent>,
    pub(super) commands: Vec<CommandRecord>,
    /// The batch's frames per audience, in seq order, shared by every connection of that
    /// audience that needs nothing else.
    pub(super) public: AudienceFrames,
    pub(super) facilitator: AudienceFrames,
    /// Connections concerned by one of the batch's events (author, voter, a snapshot or a
    /// removal): their whole list for the batch, so per-connection order stays seq order.
    pub(super) private: HashMap<ConnId, Private>,
    pub(super) replies: Vec<(ConnId, Utf8Bytes)>,
    pub(super) joins: Vec<(oneshot::Sender<Result<PersonId, Rejection>>, PersonId)>,
    /// Attach answers wait for the commit too: a refusal may rest on uncommitted state.
    pub(super) attaches: Vec<(AttachReply, Result<ConnId, Rejection>)>,
    pub(super) closes: Vec<(ConnId, CloseReason)>,
    /// Cluster mode: answers to other nodes' commands, sent after the commit.
    pub(super) remote_replies: Vec<(oneshot::Sender<RemoteOutcome>, RemoteOutcome)>,
    /// Cluster mode: every event of the batch as each audience saw it, published when one
    /// of them names someone (`named`).
    pub(super) bus: Vec<BusEntry>,
    pub(super) named: bool,
    /// Reactions accepted this batch, sent after it to the projector and the facilitators.
    pub(super) reactions: ReactionCounts,
}

/// One event of the batch as each audience saw it (cluster mode), kept as the shared bytes
/// until the batch turns out to name someone and is published with them.
pub(super) struct BusEntry {
    pub(super) seq: u64,
    pub(super) public: Option<Utf8Bytes>,
    pub(super) facilitator: Option<Utf8Bytes>,
    pub(super) personal: Option<(PersonId, Option<Utf8Bytes>)>,
    pub(super) snapshot: Option<(PersonId, Audience, Utf8Bytes)>,
    pub(super) removed: Option<PersonId>,
    /// Why `removed`'s sessions end (see `ended_why`).
    pub(super) why: Option<&'static str>,
}

impl BusEntry {
    fn to_wire(&self) -> NamedEntry {
        let text = |x: &Option<Utf8Bytes>| x.as_ref().map(|b| b.as_str().to_owned());
        NamedEntry {
            seq: self.seq,
            public: text(&self.public),
            facilitator: text(&self.facilitator),
            personal: self.personal.as_ref().map(|(p, x)| (*p, text(x))),
            snapshot: self
                .snapshot
                .as_ref()
                .map(|(p, a, b)| (*p, *a, b.as_str().to_owned())),
            removed: self.removed,
            why: self.why.map(str::to_owned),
        }
    }
}

impl Batch {
    pub(super) fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.commands.is_empty()
            && self.public.frames.is_empty()
            && self.facilitator.frames.is_empty()
            && self.private.is_empty()
            && self.replies.is_empty()
            && self.joins.is_empty()
            && self.attaches.is_empty()
            && self.closes.is_empty()
            && self.remote_replies.is_empty()
            && self.reactions.is_empty()
    }
}

impl Actor {
    /// Commits the batch, then releases its frames, acks and closes.
    pub(super) async fn flush(&mut self, b: &mut Batch) -> Result<(), StoreFailed> {
        if b.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(b);
        if self
            .public_snapshot
            .as_ref()
            .is_some_and(|(seq, _)| *seq != self.seq)
        {
            // Stale for good: it would only hold a big room's worth of memory.
            self.public_snapshot = None;
        }
        if !batch.events.is_empty() || !batch.commands.is_empty() {
            let stored = match &self.owned {
                // The database refuses it once another node has taken the café over.
                Some(o) => {
                    self.store
                        .append_fenced(&self.id, o.lease.token, &batch.events, &batch.commands)
                        .await
                }
                None => {
                    self.store
                        .append(&self.id, &batch.events, &batch.commands)
                        .await
                }
            };
            if let Err(e) = stored {
                tracing::error!(cafe = %self.id, error = %e, "append failed");
                return Err(StoreFailed(e));
            }
            self.metrics.commits.inc();
            self.metrics.events.inc_by(batch.events.len() as u64);
            self.publish(&batch).await;
        }
        let mut replies: HashMap<ConnId, Vec<Utf8Bytes>> = HashMap::new();
        for (conn, bytes) in batch.replies {
            replies.entry(conn).or_default().push(bytes);
        }
        let public: Arc<[Utf8Bytes]> = batch.public.frames.into();
        let facilitator: Arc<[Utf8Bytes]> = batch.facilitator.frames.into();
        let mut private = batch.private;
        let mut failed = Vec::new();
        for (id, c) in &self.conns {
            let reply = replies.remove(id);
            // Acks go after the batch's events, so a client sees its own event first.
            let ok = if let Some(mut p) = private.remove(id) {
                p.frames.extend(reply.into_iter().flatten());
                p.frames.is_empty() || c.link.push(Out::Frames(p.frames))
            } else {
                let shared = match c.audience {
                    Audience::Facilitator => &facilitator,
                    _ => &public,
                };
                (shared.is_empty() || c.link.push(Out::Shared(shared.clone())))
                    && reply.is_none_or(|r| c.link.push(Out::Frames(r)))
            };
            if !ok {
                failed.push(*id);
            }
        }
        if !batch.reactions.is_empty() {
            failed.extend(self.send_reactions(batch.reactions).await);
        }
        for conn in failed {
            // Too slow or gone: it resumes (or says goodbye) on its own.
            self.remove_conn(conn);
        }
        for (reply, outcome) in batch.remote_replies {
            let _ = reply.send(outcome);
        }
        for (reply, person) in batch.joins {
            let _ = reply.send(Ok(person));
        }
        for (reply, outcome) in batch.attaches {
            let answer = match outcome {
                // Gone here means its welcome could not be queued (or it left already).
                Ok(conn) if self.conns.contains_key(&conn) => Ok(()),
                Ok(_) => Err(Rejection::new(ErrorCode::Resync, "connection closed")),
                Err(r) => Err(r),
            };
            let _ = reply.send(answer);
        }
        for (conn, reason) in batch.closes {
            if let Some(link) = self.remove_conn(conn) {
                link.close(reason);
            }
        }
        if self.seq >= self.snapshot_seq + self.tuning.snapshot_every.max(1) {
            self.snapshot_in_background();
        }
        Ok(())
    }
}

impl Actor {
    /// The batch's reactions to the screens that show them (the projector, which is
    /// nobody, and the facilitators), here and, in cluster mode, on the other nodes.
    /// Returns the connections that could not take it.
    async fn send_reactions(&self, added: ReactionCounts) -> Vec<ConnId> {
        let frame = encode(&ServerFrame::Reactions {
            added,
            totals: self.reaction_totals.clone(),
        });
        if let Some(o) = &self.owned {
            let msg = Broadcast::Reactions {
                token: o.lease.token,
                frame: frame.as_str().to_owned(),
            };
            o.cluster.publish(o.cluster.out(&self.id), &msg).await;
        }
        self.conns
            .iter()
            .filter(|(_, c)| shows_reactions(c.person, c.audience))
            .filter(|(_, c)| !c.link.push(Out::Frame(frame.clone())))
            .map(|(id, _)| *id)
            .collect()
    }
}

/// Who is sent reactions: the projector and the facilitators (a thousand phones need not
/// hear each other's taps).
pub(crate) fn shows_reactions(person: Option<PersonId>, audience: Audience) -> bool {
    person.is_none() || audience == Audience::Facilitator
}

impl Actor {
    /// Cluster mode: the committed batch for the other nodes' sockets, once per audience.
    async fn publish(&self, batch: &Batch) {
        let (Some(o), Some(first), Some(last)) =
            (&self.owned, batch.events.first(), batch.events.last())
        else {
            return;
        };
        let strings = |v: &[Utf8Bytes]| v.iter().map(|b| b.as_str().to_owned()).collect();
        let msg = Broadcast::Batch(BusBatch {
            token: o.lease.token,
            epoch: self.epoch,
            first: first.seq,
            last: last.seq,
            public: strings(&batch.public.frames),
            facilitator: strings(&batch.facilitator.frames),
            named: if batch.named {
                batch.bus.iter().map(BusEntry::to_wire).collect()
            } else {
                Vec::new()
            },
        });
        o.cluster.publish(o.cluster.out(&self.id), &msg).await;
        o.published
            .store(last.seq, std::sync::atomic::Ordering::Release);
    }
}
