//! One batch of the actor's work: what it produced, stored in one transaction, then
//! delivered. Nothing is sent before the commit, so nobody sees what might be lost.

use super::conn::{CloseReason, ConnId, Out};
use super::frames::AudienceFrames;
use super::{Actor, AttachReply, StoreFailed};
use crate::store::{CommandRecord, StoredEvent};
use cafe_shared::{Audience, ErrorCode, PersonId, Rejection};
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
            if let Err(e) = self
                .store
                .append(&self.id, &batch.events, &batch.commands)
                .await
            {
                tracing::error!(cafe = %self.id, error = %e, "append failed");
                return Err(StoreFailed);
            }
            self.metrics.commits.inc();
            self.metrics.events.inc_by(batch.events.len() as u64);
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
        for conn in failed {
            // Too slow or gone: it resumes (or says goodbye) on its own.
            self.remove_conn(conn);
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
