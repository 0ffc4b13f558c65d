//! The actor's side of attaching a connection: welcome, snapshot or catch-up from the
//! resume ring, and extending the ring from the store for a client that was away long.

use super::conn::{encode, ConnId, ConnLink};
use super::frames::{project_entry, snapshot_frame, RingEntry};
use super::handle::RemoteWelcome;
use super::{Actor, AttachReply, Batch, ConnEntry, Private};
use cafe_shared::{
    Audience, ErrorCode, Grant, Millis, PersonId, Rejection, ResumePoint, ServerFrame,
    PROTOCOL_VERSION,
};
use std::sync::Arc;
use tungstenite::Utf8Bytes;

impl Actor {
    /// Registers a connection and queues its welcome and catch-up; false if refused. Its
    /// person is announced online by the caller.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn attach(
        &mut self,
        b: &mut Batch,
        conn: ConnId,
        (person, grant): (Option<PersonId>, Option<Grant>),
        resume: Option<ResumePoint>,
        link: Arc<ConnLink>,
        reply: AttachReply,
        now: Millis,
    ) -> bool {
        let (audience, frames) = match self.welcome(person, grant, resume, now) {
            Ok(w) => w,
            Err(r) => {
                b.attaches.push((reply, Err(r)));
                return false;
            }
        };
        // Private from the start: later events of this batch follow the welcome in this
        // list, and none of the batch's earlier events (already in the snapshot or the
        // catch-up) are repeated.
        b.private.insert(
            conn,
            Private {
                frames,
                done: false,
            },
        );
        self.conns.insert(
            conn,
            ConnEntry {
                person,
                link,
                audience,
            },
        );
        b.attaches.push((reply, Ok(conn)));
        true
    }

    /// A newcomer's audience and first frames (welcome, then a snapshot or the missed
    /// events), or why it is refused.
    fn welcome(
        &mut self,
        person: Option<PersonId>,
        grant: Option<Grant>,
        resume: Option<ResumePoint>,
        now: Millis,
    ) -> Result<(Audience, Vec<Utf8Bytes>), Rejection> {
        let role = match person {
            Some(p) => {
                // Removed, unknown, or from a link that was replaced since: all 4001.
                self.state.admits(p, grant).map_err(|r| Rejection {
                    code: ErrorCode::Unauthorized,
                    ..r
                })?;
                self.state.people.get(&p).map(|x| x.role)
            }
            None => {
                self.state.admits_screen(grant)?;
                None
            }
        };
        let audience = self.audience(person);
        let (resumed, catch_up) = match self.catch_up(person, audience, resume) {
            Some(events) => (true, events),
            None => (false, vec![self.snapshot_for(person)]),
        };
        let welcome = encode(&ServerFrame::Welcome {
            protocol: PROTOCOL_VERSION,
            cafe: self.id.clone(),
            you: person,
            role,
            audience,
            epoch: self.epoch,
            seq: self.seq,
            resumed,
            server_time: now,
        });
        let mut frames = Vec::with_capacity(catch_up.len() + 1);
        frames.push(welcome);
        frames.extend(catch_up);
        Ok((audience, frames))
    }

    /// Cluster mode: the welcome for a socket on another node, on committed state.
    pub(super) fn remote_welcome(
        &mut self,
        person: Option<PersonId>,
        grant: Option<Grant>,
        resume: Option<ResumePoint>,
        now: Millis,
    ) -> Result<RemoteWelcome, Rejection> {
        let (audience, frames) = self.welcome(person, grant, resume, now)?;
        Ok(RemoteWelcome {
            seq: self.seq,
            audience,
            frames,
        })
    }

    pub(super) fn audience(&self, person: Option<PersonId>) -> Audience {
        match person {
            Some(p) => self.state.audience_of(p),
            None => Audience::Public,
        }
    }

    /// The snapshot frame for a newcomer, shared with everyone whose view is the public one.
    pub(super) fn snapshot_for(&mut self, person: Option<PersonId>) -> Utf8Bytes {
        if person.is_some_and(|p| !self.state.view_is_public(p)) {
            return snapshot_frame(&self.state, self.epoch, self.seq, person);
        }
        match &self.public_snapshot {
            Some((seq, bytes)) if *seq == self.seq => bytes.clone(),
            _ => {
                let bytes = snapshot_frame(&self.state, self.epoch, self.seq, None);
                self.public_snapshot = Some((self.seq, bytes.clone()));
                bytes
            }
        }
    }

    /// The missed events that bring a client from `resume` to now, or None when it needs a
    /// snapshot instead (no resume point, another epoch, or the ring lacks some).
    pub(super) fn catch_up(
        &self,
        person: Option<PersonId>,
        audience: Audience,
        resume: Option<ResumePoint>,
    ) -> Option<Vec<Utf8Bytes>> {
        let r = resume?;
        if r.epoch != self.epoch || r.seq > self.seq {
            return None;
        }
        if r.seq == self.seq {
            return Some(Vec::new());
        }
        let first = r.seq + 1;
        match self.ring.front() {
            Some(e) if e.seq <= first => {}
            _ => return None,
        }
        let mut frames = Vec::new();
        for e in self.ring.iter().filter(|e| e.seq >= first) {
            if person.is_some() && e.snapshot_for == person {
                return None;
            }
            if let Some(bytes) = e.pick(person, audience) {
                frames.push(bytes.clone());
            }
        }
        Some(frames)
    }

    pub(super) fn push_ring(&mut self, entry: RingEntry) {
        self.ring.push_back(entry);
        // Two out per one in: a ring extended from the store (see `extend_ring_back`)
        // shrinks back to its size gradually instead of all at once, so that a crowd of
        // phones reconnecting after a long outage all find their events.
        for _ in 0..2 {
            if self.ring.len() > self.tuning.ring_events.max(1) {
                self.ring.pop_front();
            }
        }
    }

    /// Rebuilds the ring's older part from the store so that it starts right after `seq`:
    /// the newest snapshot at or before `seq`, replayed up to the ring. Gives up (the
    /// client then gets a snapshot) when that is more than `replay_max_events` events or
    /// the store fails.
    pub(super) async fn extend_ring_back(&mut self, seq: u64) {
        let front = self.ring.front().map(|e| e.seq).unwrap_or(self.seq + 1);
        if seq + 1 >= front || self.seq - seq > self.tuning.replay_max_events {
            return;
        }
        let upto = front - 1;
        let source = self
            .store
            .replay_source(&self.id, seq, upto, self.tuning.replay_max_events)
            .await;
        let (base, events) = match source {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(cafe = %self.id, error = %e, "replay from the store failed");
                return;
            }
        };
        let (mut at_seq, mut state) = base.unwrap_or_default();
        let mut entries = Vec::new();
        for e in events {
            if e.seq != at_seq + 1 {
                tracing::warn!(cafe = %self.id, seq = e.seq, "gap in the stored log");
                return;
            }
            let prior = state.prior(&e.event);
            state.apply(&e.event);
            at_seq = e.seq;
            if e.seq > seq {
                entries.push(project_entry(&state, &prior, &e.event, e.seq, e.at));
            }
        }
        if at_seq != upto {
            return;
        }
        for entry in entries.into_iter().rev() {
            self.ring.push_front(entry);
        }
    }
}
