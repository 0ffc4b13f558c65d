//! The browser's copy of its café and the bookkeeping around it: where we are in the event
//! stream (epoch, seq), the outbox, the server clock offset and the connection status.
//!
//! Pure code (no DOM, no socket) so it is unit-tested on the host and in headless Chrome.
//! Café rules are never re-implemented here: events go through `CafeState::apply`, the same
//! function the server runs.

use crate::outbox::Outbox;
use cafe_shared::{
    Audience, CafeState, Command, ErrorCode, Event, Millis, PersonId, ReactionCounts, ResumePoint,
    Role, ServerFrame,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnStatus {
    Connecting,
    Connected,
    Reconnecting,
    Offline,
}

/// What the connection layer must do after a frame was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Nothing,
    /// Welcome arrived: (re)send every unanswered outbox entry with its original id.
    FlushOutbox,
    /// The server says our token is no good: forget it and go back to the landing page.
    Leave {
        message: String,
    },
}

/// Something to tell the person (a refused command, a connection problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub code: ErrorCode,
    pub message: String,
}

/// Who this browser is in the café; stored next to the snapshot so a reload while offline
/// still knows which notes are mine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Who {
    pub me: Option<PersonId>,
    pub role: Option<Role>,
}

/// What is kept in localStorage so a reload can resume instead of starting over: the last
/// `snapshot` frame and the `event` frames applied since (one per line), exactly as they came
/// off the socket, and [`Who`]. Keeping the server's text rather than re-serializing our
/// `CafeState` keeps every state `Serialize` impl out of the bundle; a reload replays the
/// log through `apply`, and the next snapshot compacts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub snapshot: String,
    pub log: String,
    pub who: String,
}

/// A resume replays the whole log after a reload; past this many events, the next hello asks
/// for a fresh snapshot instead, which also compacts what is stored.
const MAX_LOG: usize = 2_000;

/// Reads a server frame (`None` for one from a newer server we cannot read).
///
/// Size note: the state types reach the bundle through serde's buffered `Content` anyway
/// (events are internally tagged and carry ideas, people, votes…), so the snapshot is read
/// the same way; reading it straight from the text would add a second copy of every state
/// deserializer (measured: +4 KB gzip).
pub fn parse_frame(text: &str) -> Option<ServerFrame> {
    crate::json::from_str(text).ok()
}

/// The `reactions` frames received: how many (a new one is what the projector floats), the
/// latest frame's `added`, and the running totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reactions {
    pub frames: u64,
    pub added: ReactionCounts,
    pub totals: ReactionCounts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientState {
    pub state: CafeState,
    /// `None` until the first welcome or a restored snapshot: nothing to resume from.
    pub epoch: Option<u64>,
    /// Last event applied; events at or below it are duplicates and skipped.
    pub seq: u64,
    /// True once `state` holds a real snapshot (restored or received).
    pub loaded: bool,
    pub me: Option<PersonId>,
    pub role: Option<Role>,
    pub audience: Option<Audience>,
    pub outbox: Outbox,
    pub status: ConnStatus,
    /// server clock − browser clock, in ms; timers show `ends_at − (now + offset)`.
    pub clock_offset: Millis,
    /// Best (smallest) round trip seen; the offset from the fastest ping is the most exact.
    best_rtt: Option<Millis>,
    pub notice: Option<Notice>,
    /// The id of the last refused command and why, so a form can tell its own refusal
    /// from someone else's.
    pub rejected: Option<(String, Notice)>,
    /// A bye frame's advice, consulted when the socket then closes.
    pub bye_reconnect: Option<bool>,
    /// State changed since it was last written to localStorage.
    pub dirty: bool,
    /// The seq of the latest `hand_called` for me received live, until they dismiss it: the
    /// board tells the person they have the floor. Not kept in the state (nobody else needs
    /// it) nor restored from storage (a reload later must not call them again).
    pub floor: Option<u64>,
    /// Reactions heard live (projector and facilitators only; they are never stored).
    pub reactions: Reactions,
    /// When I last reacted (at most ten times), so the buttons grey out when the café's rule
    /// ([`cafe_shared::next_reaction_at`]) says no. A plain list, not the server's
    /// `ReactionLimiter`: a phone only counts its own, and a map would cost bundle bytes.
    pub my_reactions: Vec<Millis>,
    /// When the server last refused one of my reactions as too many (a clock that differs
    /// from the server's by a little): the reaction bar says "wait a moment" quietly.
    pub reaction_refused: bool,
    /// The last snapshot frame's text and the event frames applied since (see [`Stored`]).
    raw_snapshot: Option<String>,
    raw_log: Vec<String>,
}

impl Default for ClientState {
    fn default() -> Self {
        Self {
            state: CafeState::default(),
            epoch: None,
            seq: 0,
            loaded: false,
            me: None,
            role: None,
            audience: None,
            outbox: Outbox::default(),
            status: ConnStatus::Connecting,
            clock_offset: 0,
            best_rtt: None,
            notice: None,
            rejected: None,
            bye_reconnect: None,
            dirty: false,
            floor: None,
            reactions: Reactions::default(),
            my_reactions: Vec::new(),
            reaction_refused: false,
            raw_snapshot: None,
            raw_log: Vec::new(),
        }
    }
}

impl ClientState {
    /// Rebuilds the client from what [`ClientState::stored`] wrote; anything unreadable
    /// is ignored (the server sends a fresh snapshot then).
    pub fn restore(
        snapshot: Option<&str>,
        log: Option<&str>,
        who: Option<&str>,
        outbox: Outbox,
    ) -> Self {
        let mut s = Self {
            outbox,
            ..Self::default()
        };
        let Some(text) = snapshot else {
            return s;
        };
        if let Some(ServerFrame::Snapshot {
            epoch, seq, state, ..
        }) = parse_frame(text)
        {
            s.state = *state;
            s.epoch = Some(epoch);
            s.seq = seq;
            s.loaded = true;
            s.raw_snapshot = Some(text.to_owned());
            for line in log.unwrap_or_default().lines() {
                if let Some(ServerFrame::Event { seq, event, .. }) = parse_frame(line) {
                    if seq > s.seq {
                        s.state.apply(&event);
                        s.seq = seq;
                        s.raw_log.push(line.to_owned());
                    }
                }
            }
            if let Some(w) = who.and_then(|j| crate::json::from_str::<Who>(j).ok()) {
                s.me = w.me;
                s.role = w.role;
            }
        }
        s
    }

    pub fn stored(&self) -> Option<Stored> {
        self.epoch?;
        let who = Who {
            me: self.me,
            role: self.role,
        };
        Some(Stored {
            snapshot: self.raw_snapshot.clone()?,
            log: self.raw_log.join("\n"),
            who: serde_json::to_string(&who).ok()?,
        })
    }

    /// Handles a frame as received from the socket, keeping its text for [`Stored`].
    /// `None` when the frame cannot be read (e.g. from a newer server): skipping it beats
    /// crashing.
    pub fn handle_text(&mut self, text: &str, now: Millis) -> Option<(Next, bool)> {
        let frame = parse_frame(text)?;
        let welcome = matches!(frame, ServerFrame::Welcome { .. });
        match &frame {
            ServerFrame::Snapshot { .. } => {
                self.raw_snapshot = Some(text.to_owned());
                self.raw_log.clear();
            }
            // A raw newline can only be whitespace between JSON tokens (inside strings it is
            // escaped), so replacing it keeps the frame's meaning and lines separate frames.
            ServerFrame::Event { seq, .. } if *seq > self.seq => {
                self.raw_log.push(text.replace('\n', " "));
            }
            _ => {}
        }
        Some((self.handle(frame, now), welcome))
    }

    /// Sent in `hello` so the server replays only what we missed.
    pub fn resume_point(&self) -> Option<ResumePoint> {
        match (self.loaded, self.epoch) {
            (true, Some(epoch)) if self.raw_log.len() <= MAX_LOG => Some(ResumePoint {
                epoch,
                seq: self.seq,
            }),
            _ => None,
        }
    }

    /// Server time now, as well as this browser can tell.
    pub fn server_now(&self, browser_now: Millis) -> Millis {
        browser_now + self.clock_offset
    }

    pub fn is_facilitator(&self) -> bool {
        self.role.is_some_and(Role::is_facilitator)
    }

    /// Queues a command; the connection layer sends it when it can.
    pub fn enqueue(&mut self, id: String, command: &Command, now: Millis) {
        self.outbox.push(id, command, now);
    }

    pub fn handle(&mut self, frame: ServerFrame, now: Millis) -> Next {
        match frame {
            ServerFrame::Welcome {
                you,
                role,
                audience,
                epoch,
                resumed,
                server_time,
                ..
            } => {
                self.me = you;
                self.role = role;
                self.audience = Some(audience);
                if self.best_rtt.is_none() {
                    // Rough until the first pong; good enough for a timer's seconds.
                    self.clock_offset = server_time - now;
                }
                if !resumed || self.epoch != Some(epoch) {
                    // A snapshot follows and replaces whatever we held.
                    self.loaded = false;
                }
                self.epoch = Some(epoch);
                self.status = ConnStatus::Connected;
                self.bye_reconnect = None;
                Next::FlushOutbox
            }
            ServerFrame::Snapshot {
                epoch, seq, state, ..
            } => {
                self.state = *state;
                self.epoch = Some(epoch);
                self.seq = seq;
                self.loaded = true;
                self.dirty = true;
                self.refresh_role();
                self.outbox.settle(self.seq, now);
                Next::Nothing
            }
            ServerFrame::Event { seq, event, .. } => {
                if seq <= self.seq {
                    return Next::Nothing;
                }
                if let Event::HandCalled { person } = &event {
                    if Some(*person) == self.me {
                        self.floor = Some(seq);
                    }
                }
                self.state.apply(&event);
                self.seq = seq;
                self.dirty = true;
                self.refresh_role();
                self.outbox.settle(self.seq, now);
                Next::Nothing
            }
            ServerFrame::Ack { id, seq } => {
                self.outbox.ack(&id, seq, self.seq, now);
                self.dirty = true;
                Next::Nothing
            }
            ServerFrame::Reject { id, code, message } => {
                let entry = self.outbox.reject(&id);
                // Too many reactions is no error to alarm anyone with: the reaction bar
                // says it quietly.
                if code == ErrorCode::RateLimited
                    && entry.is_some_and(|e| e.command.starts_with(r#"{"type":"react""#))
                {
                    self.reaction_refused = true;
                    return Next::Nothing;
                }
                let notice = Notice { code, message };
                self.rejected = Some((id, notice.clone()));
                self.notice = Some(notice);
                self.dirty = true;
                Next::Nothing
            }
            ServerFrame::Pong { t, server_time } => {
                let rtt = (now - t).max(0);
                if self.best_rtt.is_none_or(|b| rtt <= b) {
                    self.best_rtt = Some(rtt);
                    self.clock_offset = server_time + rtt / 2 - now;
                }
                Next::Nothing
            }
            ServerFrame::Reactions { added, totals } => {
                self.reactions.frames += 1;
                self.reactions.added = added;
                self.reactions.totals = totals;
                Next::Nothing
            }
            ServerFrame::Error { code, message } => {
                self.notice = Some(Notice { code, message });
                Next::Nothing
            }
            ServerFrame::Bye {
                code,
                message,
                reconnect,
            } => {
                self.bye_reconnect = Some(reconnect);
                if matches!(code, ErrorCode::Unauthorized | ErrorCode::TokenExpired) {
                    return Next::Leave { message };
                }
                if !reconnect {
                    self.notice = Some(Notice { code, message });
                }
                Next::Nothing
            }
        }
    }

    /// The role in the welcome can be outdated after a `role_changed` event.
    fn refresh_role(&mut self) {
        if let Some(p) = self.me.and_then(|me| self.state.people.get(&me)) {
            self.role = Some(p.role);
        }
    }
}

/// Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 10 s, each scaled by a
/// random factor in [0.5, 1.0) so a room full of phones does not reconnect in lockstep
/// after the Wi-Fi comes back.
pub fn backoff_ms(attempt: u32, random01: f64) -> u32 {
    let base = 500u64.saturating_mul(1u64 << attempt.min(6));
    // 10 s, not more: after a tunnel or a dead zone a phone should be back within seconds of
    // its link, and even a hall of 1,000 retrying at the cap is ~100 cheap attempts a second.
    let capped = base.min(10_000) as f64;
    let jitter = 0.5 + 0.5 * random01.clamp(0.0, 1.0);
    (capped * jitter) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use cafe_shared::{
        AfterClose, BoardId, CafeId, CafeInfo, CloseCode, Event, Idea, IdeaId, JoinCode, Location,
        Person, Phase,
    };
    use std::collections::BTreeSet;

    fn welcome(resumed: bool, epoch: u64) -> ServerFrame {
        ServerFrame::Welcome {
            protocol: 1,
            cafe: CafeId("c1".into()),
            you: Some(PersonId(2)),
            role: Some(Role::Participant),
            audience: Audience::Public,
            epoch,
            seq: 3,
            resumed,
            server_time: 1_000,
        }
    }

    fn base_state() -> CafeState {
        let mut s = CafeState::default();
        s.apply(&Event::CafeCreated {
            info: CafeInfo {
                id: CafeId("c1".into()),
                code: JoinCode::parse("K7MQ2P").unwrap(),
                title: "T".into(),
                description: String::new(),
                mode: Default::default(),
                language: Default::default(),
                settings: Default::default(),
                created_at: 0,
            },
            plenary: cafe_shared::Board {
                id: BoardId(1),
                table: None,
                locked: false,
                columns: vec![],
                private: false,
            },
        });
        s.apply(&Event::PersonJoined {
            person: Person {
                id: PersonId(2),
                name: "Ana".into(),
                role: Role::Participant,
                location: Location::Remote,
                online: true,
                ready: false,
                hand_raised_at: None,
                removed: false,
                joined_at: 0,
                visited: BTreeSet::new(),
            },
        });
        s
    }

    fn idea(id: u64, text: &str) -> Event {
        Event::IdeaPosted {
            idea: Idea {
                id: IdeaId(id),
                board: BoardId(1),
                text: text.into(),
                category: None,
                author: Some(PersonId(2)),
                table: None,
                round: None,
                origin: Location::Remote,
                scribed: false,
                hidden: false,
                rejected: false,
                private: false,
                cluster: None,
                created_at: 0,
                edited_at: None,
                harvested_from: None,
                provenance: None,
            },
        }
    }

    fn snapshot(seq: u64) -> ServerFrame {
        ServerFrame::Snapshot {
            epoch: 9,
            seq,
            recovered: false,
            state: Box::new(base_state()),
        }
    }

    #[test]
    fn snapshot_then_events_in_order_skipping_duplicates() {
        let mut c = ClientState::default();
        assert_eq!(c.resume_point(), None);
        assert_eq!(c.handle(welcome(false, 9), 900), Next::FlushOutbox);
        assert_eq!(c.clock_offset, 100);
        c.handle(snapshot(3), 900);
        assert!(c.loaded);
        c.handle(
            ServerFrame::Event {
                seq: 5,
                at: 0,
                event: idea(10, "a"),
            },
            900,
        );
        // A replayed (duplicate) event must not apply twice.
        c.handle(
            ServerFrame::Event {
                seq: 5,
                at: 0,
                event: Event::IdeaDeleted { idea: IdeaId(10) },
            },
            900,
        );
        assert_eq!(c.state.ideas.len(), 1);
        assert_eq!(c.resume_point(), Some(ResumePoint { epoch: 9, seq: 5 }));
        c.handle(
            ServerFrame::Event {
                seq: 6,
                at: 0,
                event: Event::PhaseChanged {
                    phase: Phase::Ideate,
                },
            },
            900,
        );
        assert_eq!(c.state.phase, Phase::Ideate);
    }

    #[test]
    fn only_my_own_call_gives_me_the_floor() {
        let mut c = ClientState::default();
        c.handle(welcome(false, 9), 0);
        c.handle(snapshot(3), 0);
        let called = |seq, p| ServerFrame::Event {
            seq,
            at: 0,
            event: Event::HandCalled {
                person: PersonId(p),
            },
        };
        c.handle(called(4, 7), 0);
        assert_eq!(c.floor, None, "someone else was called");
        c.handle(called(5, 2), 0);
        assert_eq!(c.floor, Some(5));
        // The same event again (a resume replays it) is no new call.
        c.handle(called(5, 2), 0);
        c.handle(called(6, 7), 0);
        assert_eq!(c.floor, Some(5));
    }

    #[test]
    fn pending_idea_lives_until_its_event_and_reject_drops() {
        let mut c = ClientState::default();
        c.handle(welcome(false, 9), 0);
        c.handle(snapshot(3), 0);
        let post = Command::PostIdea {
            board: BoardId(1),
            text: "x".into(),
            category: None,
        };
        c.enqueue("id1".into(), &post, 0);
        c.enqueue("id2".into(), &post, 0);
        c.handle(
            ServerFrame::Ack {
                id: "id1".into(),
                seq: 4,
            },
            1,
        );
        assert_eq!(c.outbox.pending_ideas().len(), 2);
        c.handle(
            ServerFrame::Event {
                seq: 4,
                at: 0,
                event: idea(11, "x"),
            },
            2,
        );
        assert_eq!(c.outbox.pending_ideas().len(), 1);
        c.handle(
            ServerFrame::Reject {
                id: "id2".into(),
                code: ErrorCode::BoardLocked,
                message: "locked".into(),
            },
            3,
        );
        assert!(c.outbox.is_empty());
        assert_eq!(
            c.notice.as_ref().map(|n| n.code),
            Some(ErrorCode::BoardLocked)
        );
    }

    #[test]
    fn resume_bookkeeping_survives_reload() {
        let mut c = ClientState::default();
        let feed = |c: &mut ClientState, f: ServerFrame| {
            c.handle_text(&serde_json::to_string(&f).unwrap(), 0)
                .unwrap()
        };
        feed(&mut c, welcome(false, 9));
        feed(&mut c, snapshot(5));
        feed(
            &mut c,
            ServerFrame::Event {
                seq: 7,
                at: 0,
                event: idea(10, "a"),
            },
        );
        // A duplicate is neither applied nor logged.
        feed(
            &mut c,
            ServerFrame::Event {
                seq: 6,
                at: 0,
                event: Event::IdeaDeleted { idea: IdeaId(10) },
            },
        );
        c.enqueue("x".into(), &Command::RaiseHand, 0);
        let stored = c.stored().unwrap();
        assert_eq!(stored.log.lines().count(), 1);
        let outbox = Outbox::from_json(&c.outbox.to_json());
        let mut r = ClientState::restore(
            Some(&stored.snapshot),
            Some(&stored.log),
            Some(&stored.who),
            outbox,
        );
        assert_eq!(r.me, Some(PersonId(2)));
        assert_eq!(r.state, c.state);
        assert_eq!(r.state.ideas.len(), 1);
        assert!(!ClientState::restore(Some("{}"), None, None, Outbox::default()).loaded);
        assert_eq!(r.resume_point(), Some(ResumePoint { epoch: 9, seq: 7 }));
        // A new snapshot compacts the log.
        feed(&mut r, snapshot(8));
        assert_eq!(r.stored().unwrap().log, "");
        assert_eq!(r.outbox.unanswered_count(), 1);
        // Resumed: our state continues. Another epoch: the state is replaced by a snapshot.
        r.handle(welcome(true, 9), 0);
        assert!(r.loaded);
        r.handle(welcome(true, 10), 0);
        assert!(!r.loaded);
    }

    #[test]
    fn clock_offset_from_pong_and_close_codes() {
        let mut c = ClientState::default();
        c.handle(
            ServerFrame::Pong {
                t: 1_000,
                server_time: 5_100,
            },
            1_200,
        );
        assert_eq!(c.clock_offset, 5_100 + 100 - 1_200);
        assert_eq!(CloseCode::policy(4001, None), AfterClose::Leave);
        assert_eq!(CloseCode::policy(4000, Some(true)), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(1012, Some(true)), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(1006, None), AfterClose::Reconnect);
        assert_eq!(CloseCode::policy(4004, None), AfterClose::Stop);
        let bye = ServerFrame::Bye {
            code: ErrorCode::Unauthorized,
            message: "removed".into(),
            reconnect: false,
        };
        assert!(matches!(c.handle(bye, 0), Next::Leave { .. }));
    }

    #[test]
    fn every_frame_parses_like_the_shared_type() {
        let frames = [
            welcome(true, 3),
            snapshot(4),
            ServerFrame::Event {
                seq: 5,
                at: 7,
                event: idea(1, "x"),
            },
            ServerFrame::Ack {
                id: "a".into(),
                seq: 2,
            },
            ServerFrame::Reject {
                id: "a".into(),
                code: ErrorCode::OverBudget,
                message: "m".into(),
            },
            ServerFrame::Pong {
                t: 1,
                server_time: 2,
            },
            ServerFrame::Error {
                code: ErrorCode::Malformed,
                message: "m".into(),
            },
            ServerFrame::Bye {
                code: ErrorCode::ServerRestarting,
                message: "m".into(),
                reconnect: true,
            },
            ServerFrame::Reactions {
                added: [(cafe_shared::Reaction::Party, 1)].into(),
                totals: [(cafe_shared::Reaction::Party, 3)].into(),
            },
        ];
        for f in frames {
            let text = serde_json::to_string(&f).unwrap();
            assert_eq!(parse_frame(&text), Some(f), "{text}");
        }
        assert_eq!(parse_frame(r#"{"type":"new_thing"}"#), None);
        assert_eq!(parse_frame("nope"), None);
    }

    #[test]
    fn reactions_are_counted_and_a_refused_reaction_raises_no_alarm() {
        use cafe_shared::Reaction;
        let mut c = ClientState::default();
        c.handle(
            ServerFrame::Reactions {
                added: [(Reaction::Party, 2)].into(),
                totals: [(Reaction::Party, 5), (Reaction::Heart, 1)].into(),
            },
            0,
        );
        assert_eq!(c.reactions.frames, 1);
        assert_eq!(c.reactions.totals.get(&Reaction::Party), Some(&5));
        // Too many reactions: the bar says so quietly, no notice.
        c.enqueue(
            "r1".into(),
            &Command::React {
                reaction: Reaction::Heart,
            },
            0,
        );
        c.handle(
            ServerFrame::Reject {
                id: "r1".into(),
                code: ErrorCode::RateLimited,
                message: "wait".into(),
            },
            0,
        );
        assert!(c.reaction_refused);
        assert_eq!(c.notice, None);
        assert!(c.outbox.is_empty());
        // Any other refusal is still shown.
        c.enqueue("h1".into(), &Command::RaiseHand, 0);
        c.handle(
            ServerFrame::Reject {
                id: "h1".into(),
                code: ErrorCode::RateLimited,
                message: "slow down".into(),
            },
            0,
        );
        assert_eq!(c.notice.map(|n| n.code), Some(ErrorCode::RateLimited));
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        assert_eq!(backoff_ms(0, 1.0), 500);
        assert_eq!(backoff_ms(0, 0.0), 250);
        assert!(backoff_ms(3, 0.5) > backoff_ms(2, 0.5));
        assert_eq!(backoff_ms(40, 1.0), 10_000);
    }
}
