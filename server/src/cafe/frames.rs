//! Encoding events once per audience: the resume ring's entries, a batch's frames per
//! audience and snapshots.

use super::conn::encode;
use cafe_shared::{Audience, CafeState, Event, Millis, PersonId, Prior, ServerFrame};
use tungstenite::Utf8Bytes;

/// One event as every audience saw it, kept for resuming clients.
pub(super) struct RingEntry {
    pub(super) seq: u64,
    pub(super) public: Option<Utf8Bytes>,
    pub(super) facilitator: Option<Utf8Bytes>,
    /// The person whose projection differs, and what they got.
    pub(super) personal: Option<(PersonId, Option<Utf8Bytes>)>,
    /// This person's view changed shape here: they need a snapshot, not events.
    pub(super) snapshot_for: Option<PersonId>,
}

impl RingEntry {
    pub(super) fn pick(&self, person: Option<PersonId>, audience: Audience) -> Option<&Utf8Bytes> {
        if let (Some(p), Some((cp, bytes))) = (person, &self.personal) {
            if p == *cp {
                return bytes.as_ref();
            }
        }
        match audience {
            Audience::Facilitator => self.facilitator.as_ref(),
            _ => self.public.as_ref(),
        }
    }
}

/// Encodes an event for every audience, given the state after it was applied, sharing the
/// bytes when projections are equal.
pub(super) fn project_entry(
    state: &CafeState,
    prior: &Prior,
    event: &Event,
    seq: u64,
    at: Millis,
) -> RingEntry {
    project_entry_with(state, prior, event, seq, at).0
}

/// `project_entry`, also returning the public and facilitator projections.
pub(super) fn project_entry_with(
    state: &CafeState,
    prior: &Prior,
    event: &Event,
    seq: u64,
    at: Millis,
) -> (RingEntry, Option<Event>, Option<Event>) {
    let frame = |e: Event| encode(&ServerFrame::Event { seq, at, event: e });
    let public_ev = state.project(prior, event, Audience::Public);
    let fac_ev = state.project(prior, event, Audience::Facilitator);
    let public = public_ev.clone().map(frame);
    let facilitator = if fac_ev == public_ev {
        public.clone()
    } else {
        fac_ev.clone().map(frame)
    };
    let personal = state.concerned(prior, event).map(|p| {
        let ev = state.project(prior, event, Audience::Person(p));
        let bytes = match state.audience_of(p) {
            Audience::Facilitator if ev == fac_ev => facilitator.clone(),
            Audience::Public if ev == public_ev => public.clone(),
            _ => ev.map(frame),
        };
        (p, bytes)
    });
    let entry = RingEntry {
        seq,
        public,
        facilitator,
        personal,
        snapshot_for: state.needs_snapshot(prior, event),
    };
    (entry, public_ev, fac_ev)
}

/// One audience's frames of a batch. Its last frame, when a live-tally update, absorbs the
/// next one of the same vote: a vote storm of 1,000 dots reaches 1,000 screens as one
/// update per batch instead of a million frames.
#[derive(Default)]
pub(super) struct AudienceFrames {
    pub(super) frames: Vec<Utf8Bytes>,
    /// The event behind the last frame, while it can still absorb a later update.
    pub(super) tail: Option<Event>,
}

impl AudienceFrames {
    pub(super) fn push(
        &mut self,
        bytes: Option<&Utf8Bytes>,
        event: Option<Event>,
        seq: u64,
        at: Millis,
    ) {
        let (Some(bytes), Some(event)) = (bytes, event) else {
            // Nothing for this audience: its last frame is still the last one.
            return;
        };
        if let Some(tail) = self.tail.as_mut() {
            if tail.absorb_progress(&event) {
                if let Some(last) = self.frames.last_mut() {
                    *last = encode(&ServerFrame::Event {
                        seq,
                        at,
                        event: tail.clone(),
                    });
                    return;
                }
            }
        }
        self.frames.push(bytes.clone());
        self.tail = matches!(event, Event::VoteProgress { .. }).then_some(event);
    }
}

pub(super) fn snapshot_frame(
    state: &CafeState,
    epoch: u64,
    seq: u64,
    person: Option<PersonId>,
) -> Utf8Bytes {
    let view = match person {
        Some(p) => state.view(Audience::Person(p)),
        None => state.view(Audience::Public),
    };
    encode(&ServerFrame::Snapshot {
        epoch,
        seq,
        recovered: false,
        state: Box::new(view),
    })
}
