//! The checks behind the cargo-fuzz targets in `fuzz/`, in one file that both the fuzz
//! targets and `tests/fuzz_regressions.rs` include with `#[path]`: the fuzzer explores, and
//! every input it kept (`fuzz/corpus/<target>/`) is replayed by the ordinary test run.
//!
//! Inputs are raw bytes decoded here by [`Bytes`], a reader that yields zeros once the input
//! runs out (the way `arbitrary::Unstructured` does). It is hand-written rather than taken
//! from `arbitrary` so that the regression test decodes a corpus file exactly as the fuzzer
//! did without `shared` gaining a dependency, dev or not.
//!
//! No rule is restated: the state must pass [`CafeState::check_invariants`], every decided
//! event [`CafeState::check_replayed`], and every followed view the view law of `view.rs`
//! (`view(apply(s, e), a) == apply(view(s, a), project(e, a))`), as in `properties.rs`.
#![allow(dead_code)]

use cafe_shared::*;

/// Decided sessions stop after this many steps, so that one input stays fast.
pub const MAX_STEPS: usize = 192;
/// Forged logs are cut at this many events.
pub const MAX_EVENTS: usize = 512;
/// People whose personal view is followed (besides the public and facilitator views).
const TRACKED_PEOPLE: usize = 4;
const T0: Millis = 1_700_000_000_000;

/// Reads fuzz bytes; past the end, every read is zero.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from(self.u8()) << 8 | u16::from(self.u8())
    }

    /// Up to `max` bytes as text (invalid UTF-8 replaced), its length read first.
    pub fn text(&mut self, max: usize) -> String {
        let len = usize::from(self.u8()).min(max).min(self.data.len());
        let (s, rest) = self.data.split_at(len);
        self.data = rest;
        String::from_utf8_lossy(s).into_owned()
    }
}

// ----- client_frame -----

/// `ClientFrame::parse` never panics, and a frame it accepts survives re-serialising.
pub fn client_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(frame) = ClientFrame::parse(text) {
        let again = serde_json::to_string(&frame).expect("a parsed frame serialises");
        let back = ClientFrame::parse(&again)
            .unwrap_or_else(|e| panic!("{again} does not parse again: {}", e.message));
        assert_eq!(back, frame, "the frame changed through {again}");
    }
}

// ----- decide_apply -----

/// One café driven by decoded steps, with the views the server would keep.
pub struct Session {
    pub state: CafeState,
    pub log: Vec<Event>,
    now: Millis,
    /// Followed views, each kept up to date by applying projected events.
    views: Vec<(Audience, CafeState)>,
    /// Whether every decided event is checked (the replay target only wants the log).
    checked: bool,
}

/// A warm start (a few people, tables, a host, a round, ideas and an open vote) in the same
/// step encoding as the input, so that short inputs reach more than the lobby. Steps are
/// `op, actor, a, b, c, n, dt` (see [`Session::step`]).
pub const PROLOGUE: &[u8] = &[
    0, 0, 0, 0, 0, 2, 1, // participant in the room
    0, 0, 1, 0, 0, 2, 1, // participant in the room
    0, 0, 0, 1, 0, 2, 1, // remote participant
    0, 0, 3, 0, 0, 2, 1, // facilitator
    0, 0, 0, 0, 0, 2, 1, // participant in the room
    22, 0, 0, 0, 0, 7, 1, // table (in the room)
    22, 0, 0, 0, 0, 8, 1, // table (in the room)
    22, 0, 0, 0, 128, 9, 1, // virtual table
    24, 0, 0, 2, 0, 0, 1, // table 0's host: person 2 (a participant in the room)
    26, 0, 0, 0, 128, 0, 1, // a round, shuffled, no timer
    15, 0, 1, 0, 0, 0, 1, // phase ideate
    28, 0, 0, 0, 0, 10, 1, // four ideas on the plenary
    28, 0, 0, 0, 0, 11, 1, //
    28, 0, 0, 0, 0, 12, 1, //
    28, 0, 0, 0, 0, 13, 1, //
    15, 0, 3, 0, 0, 0, 1, // phase vote
    42, 0, 0, 0, 2, 3, 1, // an open hidden vote
];

impl Session {
    pub fn create(anonymous: bool, moderation: bool, checked: bool) -> Self {
        let mut s = Session {
            state: CafeState::default(),
            log: Vec::new(),
            now: T0,
            views: vec![
                (
                    Audience::Public,
                    CafeState::default().view(Audience::Public),
                ),
                (
                    Audience::Facilitator,
                    CafeState::default().view(Audience::Facilitator),
                ),
            ],
            checked,
        };
        let create = SystemCommand::CreateCafe {
            id: CafeId("fuzz".into()),
            code: JoinCode::parse("K7MQ2P").expect("a valid code"),
            title: "Fuzz café".into(),
            description: String::new(),
            mode: Mode::Hybrid,
            language: Language::En,
            settings: Settings {
                anonymous,
                moderation,
                ..Settings::default()
            },
            organiser_name: "Org".into(),
        };
        let events = s.state.decide_system(s.now, &create).expect("create");
        s.apply_all(&events);
        s
    }

    /// Runs every step of the input (at most [`MAX_STEPS`]).
    pub fn run(&mut self, input: &mut Bytes) {
        for _ in 0..MAX_STEPS {
            if input.is_empty() {
                break;
            }
            self.step(input);
        }
    }

    /// Decodes one step (`op, actor, a, b, c, n, dt`, plus text bytes for some texts),
    /// decides it and, if accepted, applies it.
    pub fn step(&mut self, input: &mut Bytes) {
        let (op, actor, a, b, c, n) = (
            input.u8(),
            input.u8(),
            input.u8(),
            input.u8(),
            input.u8(),
            input.u8(),
        );
        self.now += i64::from(input.u8()) * 250;
        let op = op % 50;
        let decision = match op {
            0..=3 => {
                let role = [
                    Role::Participant,
                    Role::Participant,
                    Role::Host,
                    Role::Facilitator,
                    Role::Organiser,
                ][usize::from(a) % 5];
                let name = match n % 8 {
                    0 if role == Role::Host => String::new(),
                    1 => text(n, input, "name"),
                    _ => format!("P{}", self.state.people.len()),
                };
                let location = if b % 2 == 1 {
                    Location::Remote
                } else {
                    Location::Room
                };
                self.state.decide_system(
                    self.now,
                    &SystemCommand::Join {
                        name,
                        role,
                        location,
                    },
                )
            }
            4 => self.state.decide_system(
                self.now,
                &SystemCommand::SetPresence {
                    person: pick(&people(&self.state), a, PersonId),
                    online: b % 2 == 0,
                },
            ),
            5 => {
                let ends_at = match self.state.timer {
                    Timer::Running { ends_at, .. } if c != 255 => ends_at,
                    _ => self.now + i64::from(b) * 1000,
                };
                self.now = self.now.max(ends_at);
                self.state
                    .decide_system(self.now, &SystemCommand::ExpireTimer { ends_at })
            }
            _ => {
                let ctx = Ctx {
                    actor: actor_of(&self.state, actor),
                    now: self.now,
                    seed: u64::from(n) << 8 | u64::from(c),
                };
                let cmd = build(&self.state, op - 6, a, b, c, n, input);
                if self.checked {
                    // Commands travel as JSON: what decide sees must survive the wire.
                    let json = serde_json::to_string(&cmd).expect("a command serialises");
                    let wire: Command = serde_json::from_str(&json).expect("and parses back");
                    assert_eq!(wire, cmd);
                }
                self.state.decide(&ctx, &cmd)
            }
        };
        if let Ok(events) = decision {
            self.apply_all(&events);
        }
    }

    fn apply_all(&mut self, events: &[Event]) {
        for e in events {
            self.apply(e);
        }
        if !self.checked {
            return;
        }
        if let Err(e) = self.state.check_invariants() {
            panic!("invariant broken after {events:?}: {e}");
        }
        let followed = self.views.len() - 2;
        let newcomers: Vec<PersonId> = self
            .state
            .active_people()
            .map(|p| p.id)
            .filter(|p| !self.views.iter().any(|(a, _)| *a == Audience::Person(*p)))
            .take(TRACKED_PEOPLE.saturating_sub(followed))
            .collect();
        for p in newcomers {
            let a = Audience::Person(p);
            self.views.push((a, self.state.view(a)));
        }
    }

    fn apply(&mut self, e: &Event) {
        if !self.checked {
            self.state.apply(e);
            self.log.push(e.clone());
            return;
        }
        if let Err(why) = self.state.check_replayed(e) {
            panic!("check_replayed refuses a decided {e:?}: {why}");
        }
        let prior = self.state.prior(e);
        let mut after = self.state.clone();
        after.apply(e);
        let resnap = after.needs_snapshot(&prior, e);
        // Views are followed as the server sends them: a removed person's view ends, and
        // whoever `needs_snapshot` names gets a fresh view instead of the event.
        if let Event::PersonRemoved { person } = e {
            self.views.retain(|(a, _)| *a != Audience::Person(*person));
        }
        for (a, view) in &mut self.views {
            let viewer = match a {
                Audience::Person(p) => Some(*p),
                _ => None,
            };
            if viewer.is_some() && viewer == resnap {
                *view = after.view(*a);
                continue;
            }
            let projected = after.project(&prior, e, *a);
            if let Some(pe) = &projected {
                view.apply(pe);
            }
            assert_eq!(
                *view,
                after.view(*a),
                "view law broken for {a:?} by {e:?} (projected {projected:?})"
            );
        }
        self.state = after;
        self.log.push(e.clone());
    }

    /// What holds at the end of any session: its log replays to the same state, and
    /// renumbering a log of the rules changes nothing.
    pub fn finish(&self) {
        let mut replay = CafeState::default();
        for e in &self.log {
            replay.apply(e);
        }
        assert_eq!(replay, self.state, "the log replays to another state");
        let mut renumber = Renumber::new();
        for e in &self.log {
            let mut copy = e.clone();
            renumber
                .event(&mut copy)
                .expect("a log of the rules renumbers");
            assert_eq!(&copy, e, "renumbering changed a log of the rules");
        }
        for (a, view) in &self.views {
            assert_eq!(*view, self.state.view(*a), "final view of {a:?}");
        }
    }
}

/// Random sessions of people's and system commands through decide → apply, every law
/// checked after every accepted decision. The first byte picks the café's settings and
/// whether the [`PROLOGUE`] runs first.
pub fn decide_apply(data: &[u8]) {
    let mut input = Bytes::new(data);
    let flags = input.u8();
    let mut s = Session::create(flags & 1 != 0, flags & 2 != 0, true);
    if flags & 4 != 0 {
        s.run(&mut Bytes::new(PROLOGUE));
    }
    s.run(&mut input);
    s.finish();
}

/// Picks an element, or (rarely, or when there is none) a made-up id that may not exist.
fn pick<T: Copy>(list: &[T], x: u8, raw: impl Fn(u64) -> T) -> T {
    if x >= 245 || list.is_empty() {
        raw(u64::from(x))
    } else {
        list[usize::from(x) % list.len()]
    }
}

fn people(s: &CafeState) -> Vec<PersonId> {
    s.people.keys().copied().collect()
}

fn actor_of(s: &CafeState, x: u8) -> PersonId {
    match x {
        255 => PersonId(9_999),
        // Facilitators get a large share so that phases, votes and tables happen at all.
        0..=99 => {
            let facs: Vec<PersonId> = s
                .active_people()
                .filter(|p| p.role.is_facilitator())
                .map(|p| p.id)
                .collect();
            pick(&facs, x, PersonId)
        }
        _ => pick(&people(s), x, PersonId),
    }
}

/// Texts the rules must clean or refuse, and now and then raw bytes from the input.
const ODD_TEXTS: [&str; 12] = [
    "\u{202E}rotatilicaF",
    "Olga\u{200B}",
    "  two  spaces  ",
    "line\r\nbreak",
    "e\u{301}",
    "\u{FEFF}",
    "\0",
    "🦀🦀🦀",
    "\u{0627}\u{0644}\u{0639}\u{0631}\u{0628}\u{064A}\u{0629}",
    "\t",
    "x\u{7F}",
    "<script>",
];

fn text(n: u8, input: &mut Bytes, what: &str) -> String {
    match n % 23 {
        0 => String::new(),
        1 => "  ".into(),
        2 => "x".repeat(600),
        3 => "bad\u{7}".into(),
        4 => input.text(64),
        5 => ODD_TEXTS[usize::from(n / 23) % ODD_TEXTS.len()].into(),
        _ => format!("{what} {n}"),
    }
}

const PHASES: [Phase; 11] = [
    Phase::Lobby,
    Phase::Ideate,
    Phase::Group,
    Phase::Vote,
    Phase::Results,
    Phase::Closed,
    Phase::Ideate,
    Phase::Vote,
    Phase::Ideate,
    Phase::Group,
    Phase::Vote,
];

/// A person's command of kind `kind` (0..44), aimed mostly at things that exist.
fn build(s: &CafeState, kind: u8, a: u8, b: u8, c: u8, n: u8, input: &mut Bytes) -> Command {
    let tables: Vec<TableId> = s.tables.keys().copied().collect();
    let boards: Vec<BoardId> = s.boards.keys().copied().collect();
    let ideas: Vec<IdeaId> = s.ideas.keys().copied().collect();
    let clusters: Vec<ClusterId> = s.clusters.keys().copied().collect();
    let votes: Vec<VoteId> = s.votes.keys().copied().collect();
    let all = people(s);
    let person = |x| pick(&all, x, PersonId);
    let table = |x| pick(&tables, x, TableId);
    let plenary = s.plenary.unwrap_or(BoardId(0));
    let board = |x: u8| {
        if x < 100 {
            plenary
        } else {
            pick(&boards, x, BoardId)
        }
    };
    let idea = |x| pick(&ideas, x, IdeaId);
    let cluster = |x| pick(&clusters, x, ClusterId);
    let open_vote = s
        .votes
        .values()
        .rev()
        .find(|v| v.status == VoteStatus::Open)
        .map(|v| v.id);
    let vote = |x: u8| match open_vote {
        Some(v) if x < 160 => v,
        _ => pick(&votes, x, VoteId),
    };
    let item = |v: VoteId, x: u8| {
        let items = s.votes.get(&v).map(|v| v.items.clone()).unwrap_or_default();
        pick(&items, x, |r| r)
    };
    let role = |x: u8| {
        [
            Role::Organiser,
            Role::Facilitator,
            Role::Host,
            Role::Participant,
        ][usize::from(x) % 4]
    };
    let category = |x: u8| match x % 4 {
        0 => None,
        1 => Some("A".to_string()),
        2 => Some("B".to_string()),
        _ => Some("Z".to_string()),
    };
    let flag = c >= 128;
    match kind % 44 {
        0 => Command::UpdateCafe {
            title: n.is_multiple_of(3).then(|| text(n, input, "title")),
            description: (n % 5 == 1).then(|| text(a, input, "description")),
            mode: a.is_multiple_of(7).then_some(Mode::Online),
            language: a.is_multiple_of(11).then_some(Language::Ar),
            settings: flag.then(|| Settings {
                anonymous: a.is_multiple_of(2),
                moderation: b.is_multiple_of(2),
                default_budget: u32::from(c % 7),
                default_per_item_cap: u32::from(n % 4),
                default_visibility: VoteVisibility::Hidden,
                auto_advance: c.is_multiple_of(3),
                planned_rounds: u32::from(n % 4),
                cluster_creators: if c.is_multiple_of(3) {
                    ClusterCreators::Everyone
                } else {
                    ClusterCreators::Facilitators
                },
            }),
        },
        1 => Command::Rename {
            name: text(n, input, "name"),
        },
        2 => Command::SetLocation {
            location: if flag {
                Location::Remote
            } else {
                Location::Room
            },
        },
        3 => Command::SetReady { ready: flag },
        4 => Command::RaiseHand,
        5 => Command::LowerHand,
        6 => Command::CallNextHand,
        7 if n.is_multiple_of(8) => Command::SetJoining { open: flag },
        7 if n % 4 == 1 => Command::RemovePeople {
            people: (0..=(c % 4)).map(|i| person(a.wrapping_add(i))).collect(),
        },
        7 => Command::RemovePerson { person: person(a) },
        8 => Command::SetRole {
            person: person(a),
            role: role(b),
        },
        9 | 10 => Command::SetPhase {
            phase: PHASES[usize::from(a) % PHASES.len()],
        },
        11 => Command::StartTimer {
            duration_secs: u32::from(n) * 10 + u32::from(b % 4) * 10_000,
        },
        12 => Command::PauseTimer,
        13 => Command::ResumeTimer,
        14 => Command::ExtendTimer {
            secs: u32::from(n) * 5 + u32::from(b % 4) * 10_000,
        },
        15 => Command::StopTimer,
        16 => Command::CreateTable {
            name: text(n, input, "table"),
            kind: if flag {
                TableKind::Virtual
            } else {
                TableKind::InRoom
            },
        },
        17 => Command::RenameTable {
            table: table(a),
            name: text(n, input, "table"),
        },
        18 => Command::SetTableHost {
            table: table(a),
            person: (!flag).then(|| person(b)),
        },
        19 => Command::SetTableHeadcount {
            table: table(a),
            headcount: u32::from(n % 12) + u32::from(b % 2) * 95,
        },
        20 => Command::StartRound {
            prompt: text(n.wrapping_add(6), input, "round"),
            duration_secs: if flag { 0 } else { u32::from(n) * 3 },
            assignment: match b % 3 {
                0 => Assignment::Shuffle,
                1 => Assignment::Keep,
                _ => Assignment::Manual {
                    seats: (0..=(c % 4))
                        .map(|i| Seat {
                            person: person(c.wrapping_add(i)),
                            table: table(a.wrapping_add(i)),
                        })
                        .collect(),
                },
            },
        },
        21 => Command::AssignTable {
            person: person(a),
            table: table(b),
        },
        22..=24 => Command::PostIdea {
            board: board(a),
            text: text(n, input, "idea"),
            category: category(c),
        },
        25 => Command::EditIdea {
            idea: idea(a),
            text: text(n, input, "edited"),
            category: category(c),
        },
        26 => Command::DeleteIdea { idea: idea(a) },
        // Half of moderation is the queue (approve several, reject) or private writing,
        // so both meet every other rule in random sessions.
        27 if n % 4 == 1 => Command::ApproveIdeas {
            ideas: vec![idea(a), idea(b)],
        },
        27 if n % 8 == 2 => Command::RejectIdea { idea: idea(a) },
        27 if n % 4 == 3 || n % 8 == 6 => Command::SetPrivateWriting {
            boards: vec![board(a)],
            private: flag,
        },
        27 => Command::HideIdea {
            idea: idea(a),
            hidden: flag,
        },
        28 => Command::HarvestIdea { idea: idea(a) },
        29 => Command::LockBoard {
            board: board(a),
            locked: flag,
        },
        30 => Command::SetBoardColumns {
            board: board(a),
            columns: match n % 4 {
                0 => vec![],
                1 => vec!["A".into(), "B".into()],
                2 => vec!["A".into(), "A".into()],
                _ => (0..=(b % 10)).map(|i| format!("C{i}")).collect(),
            },
        },
        31 => Command::CreateCluster {
            board: board(a),
            title: text(n, input, "cluster"),
            ideas: (0..(c % 4)).map(|i| idea(b.wrapping_add(i))).collect(),
        },
        32 => Command::RenameCluster {
            cluster: cluster(a),
            title: text(n, input, "cluster"),
        },
        33 => Command::MoveIdea {
            idea: idea(a),
            cluster: (!flag).then(|| cluster(b)),
        },
        34 => Command::MergeClusters {
            from: cluster(a),
            into: cluster(b),
        },
        35 => Command::DeleteCluster {
            cluster: cluster(a),
        },
        36 => Command::OpenVote {
            scope: VoteScope::board(board(a)),
            target: if flag {
                VoteTarget::Clusters
            } else {
                VoteTarget::Ideas
            },
            budget: u32::from(n % 6),
            per_item_cap: u32::from(c % 4),
            visibility: if b.is_multiple_of(2) {
                VoteVisibility::Hidden
            } else {
                VoteVisibility::Live
            },
            title: None,
        },
        37..=39 => {
            let v = vote(a);
            Command::CastDot {
                vote: v,
                item: item(v, b),
            }
        }
        40 => {
            let v = vote(a);
            Command::RetractDot {
                vote: v,
                item: item(v, b),
            }
        }
        41 => {
            let v = vote(a);
            Command::EnterTally {
                vote: v,
                table: table(b),
                counts: (0..=(n % 3))
                    .map(|i| ItemCount {
                        item: item(v, c.wrapping_add(i)),
                        dots: u32::from(n.wrapping_mul(i + 1) % 7),
                    })
                    .collect(),
            }
        }
        42 => Command::CloseVote { vote: vote(a) },
        _ => Command::RevealVote { vote: vote(a) },
    }
}

// ----- replay_log -----

/// An imported log through renumbering, `check_replayed`, `apply` and `check_invariants`.
/// Input starting with `[` is a JSON array of events (an export's log, as a forger would
/// write it); anything else is a session decoded as in [`decide_apply`] whose log is then
/// damaged by [`forge`].
pub fn replay_log(data: &[u8]) {
    if data.first() == Some(&b'[') {
        if let Ok(events) = serde_json::from_slice::<Vec<Event>>(data) {
            replay(events);
        }
        return;
    }
    let mut input = Bytes::new(data);
    let flags = input.u8();
    let mut s = Session::create(flags & 1 != 0, flags & 2 != 0, false);
    if flags & 4 != 0 {
        s.run(&mut Bytes::new(PROLOGUE));
    }
    let forgeries = usize::from(input.u8() % 8);
    let steps = usize::from(input.u8());
    for _ in 0..steps.min(MAX_STEPS) {
        if input.is_empty() {
            break;
        }
        s.step(&mut input);
    }
    let mut log = s.log;
    for _ in 0..forgeries {
        forge(&mut log, &mut input);
    }
    replay(log);
}

/// One damage to a log: an event dropped, repeated or moved, an id or a time changed, or
/// an event's JSON field replaced.
fn forge(log: &mut Vec<Event>, input: &mut Bytes) {
    if log.is_empty() {
        return;
    }
    let i = usize::from(input.u16()) % log.len();
    let j = usize::from(input.u16()) % log.len();
    match input.u8() % 6 {
        0 => {
            log.remove(i);
        }
        1 => {
            let e = log[i].clone();
            log.insert(j, e);
        }
        2 => log.swap(i, j),
        3 => {
            // The k-th id of the event, made another.
            let k = input.u8() % 8;
            let delta = u64::from(input.u8());
            let mut seen = 0;
            let _ = log[i].map_ids(&mut |_, _, id| {
                seen += 1;
                Ok(if seen == k + 1 { id ^ delta } else { id })
            });
        }
        _ => {
            // Any scalar field of the event's JSON, replaced by a small number, a string
            // or a boolean (whatever still parses as an event).
            let Ok(mut json) = serde_json::to_value(&log[i]) else {
                return;
            };
            let k = usize::from(input.u8());
            let new = match input.u8() % 4 {
                0 => serde_json::json!(input.u16()),
                1 => serde_json::json!(-i64::from(input.u16())),
                2 => serde_json::json!(input.text(16)),
                _ => serde_json::json!(input.u8().is_multiple_of(2)),
            };
            let mut seen = 0;
            replace_scalar(&mut json, k, &new, &mut seen);
            if let Ok(e) = serde_json::from_value(json) {
                log[i] = e;
            }
        }
    }
}

fn replace_scalar(v: &mut serde_json::Value, k: usize, new: &serde_json::Value, seen: &mut usize) {
    match v {
        serde_json::Value::Object(map) => {
            for (_, x) in map.iter_mut() {
                replace_scalar(x, k, new, seen);
            }
        }
        serde_json::Value::Array(xs) => {
            for x in xs {
                replace_scalar(x, k, new, seen);
            }
        }
        scalar => {
            if *seen == k {
                *scalar = new.clone();
            }
            *seen += 1;
        }
    }
}

/// The import's checks over a log, stopping at the first event refused: every accepted
/// event leaves a state that passes `check_invariants` (once the café has its organiser),
/// and the renumbered ids are dense and below the state's counter.
pub fn replay(events: Vec<Event>) {
    let mut renumber = Renumber::new();
    let first = CafeState::default().next_id;
    let mut state = CafeState::default();
    let mut created: Vec<u64> = Vec::new();
    for mut e in events.into_iter().take(MAX_EVENTS) {
        if renumber.event(&mut e).is_err() {
            break;
        }
        if state.check_replayed(&e).is_err() {
            break;
        }
        let mut new_ids = Vec::new();
        e.clone()
            .map_ids(&mut |use_, _, id| {
                if use_ == IdUse::Creates {
                    new_ids.push(id);
                }
                Ok(id)
            })
            .expect("an identity map cannot fail");
        state.apply(&e);
        created.extend(new_ids);
        for id in &created {
            assert!(*id < state.next_id, "id {id} is not below the counter");
        }
        // A log of the rules passes after every event but `cafe_created`, whose decision
        // goes on to seat the organiser; a forged log must do no worse.
        if !state.people.is_empty() {
            if let Err(why) = state.check_invariants() {
                panic!("an accepted {e:?} breaks an invariant: {why}");
            }
        }
    }
    let dense: Vec<u64> = (first..).take(created.len()).collect();
    assert_eq!(created, dense, "renumbered ids are not dense");
    // Whatever was accepted, the views of it can be computed.
    for a in [Audience::Public, Audience::Facilitator] {
        let _ = state.view(a);
    }
}
