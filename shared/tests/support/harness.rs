//! Test harness shared by the rule tests (included with `#[path]`, so it is not a test
//! target of its own). States are built only through `decide`/`decide_system` + `apply`,
//! exactly as the server does, so a test can never reach a state the server cannot.
#![allow(dead_code)]

use cafe_shared::*;

pub const T0: Millis = 1_700_000_000_000;

/// One café plus its event log and a clock that only moves forward.
pub struct Cafe {
    pub state: CafeState,
    pub log: Vec<Event>,
    pub now: Millis,
    pub seed: u64,
    pub org: PersonId,
}

impl Cafe {
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    pub fn with_settings(settings: Settings) -> Self {
        let mut c = Cafe {
            state: CafeState::default(),
            log: Vec::new(),
            now: T0,
            seed: 42,
            org: PersonId(0),
        };
        let events = c
            .sys(create_cafe(settings))
            .expect("creating a café with valid input works");
        c.org = events
            .iter()
            .find_map(|e| match e {
                Event::PersonJoined { person } => Some(person.id),
                _ => None,
            })
            .expect("create_cafe adds the organiser");
        c
    }

    /// Decides and applies a system command at the current time.
    pub fn sys(&mut self, cmd: SystemCommand) -> Result<Vec<Event>, Rejection> {
        let events = self.state.decide_system(self.now, &cmd)?;
        self.apply_all(&events);
        Ok(events)
    }

    /// Decides and applies a person's command at the current time.
    pub fn run(&mut self, actor: PersonId, cmd: Command) -> Result<Vec<Event>, Rejection> {
        let ctx = Ctx {
            actor,
            now: self.now,
            seed: self.seed,
        };
        let events = self.state.decide(&ctx, &cmd)?;
        self.apply_all(&events);
        Ok(events)
    }

    pub fn apply_all(&mut self, events: &[Event]) {
        for e in events {
            self.state.apply(e);
            self.log.push(e.clone());
        }
    }

    /// The command must be accepted.
    #[track_caller]
    pub fn ok(&mut self, actor: PersonId, cmd: Command) -> Vec<Event> {
        match self.run(actor, cmd.clone()) {
            Ok(e) => e,
            Err(r) => panic!("{cmd:?} by {actor} was rejected: {r}"),
        }
    }

    /// The command must be refused; returns the code. A refusal must change nothing.
    #[track_caller]
    pub fn err(&mut self, actor: PersonId, cmd: Command) -> ErrorCode {
        let before = self.state.clone();
        match self.run(actor, cmd.clone()) {
            Ok(e) => panic!("{cmd:?} by {actor} was accepted: {e:?}"),
            Err(r) => {
                assert_eq!(self.state, before, "a rejection must not change the state");
                r.code
            }
        }
    }

    /// Asserts the exact rejection code.
    #[track_caller]
    pub fn rejects(&mut self, actor: PersonId, cmd: Command, code: ErrorCode) {
        let got = self.err(actor, cmd.clone());
        assert_eq!(got, code, "{cmd:?} by {actor}");
    }

    /// The command is accepted and changes nothing (idempotent no-op).
    #[track_caller]
    pub fn noop(&mut self, actor: PersonId, cmd: Command) {
        let events = self.ok(actor, cmd.clone());
        assert!(events.is_empty(), "{cmd:?} should be a no-op: {events:?}");
    }

    pub fn join(&mut self, name: &str, role: Role, location: Location) -> PersonId {
        let events = self
            .sys(SystemCommand::Join {
                name: name.into(),
                role,
                location,
            })
            .expect("join works");
        match events.as_slice() {
            [Event::PersonJoined { person }] => person.id,
            other => panic!("unexpected join events {other:?}"),
        }
    }

    pub fn plenary(&self) -> BoardId {
        self.state.plenary.expect("a café has a plenary board")
    }

    pub fn phase(&mut self, phase: Phase) {
        let org = self.org;
        self.ok(org, Command::SetPhase { phase });
        assert_eq!(self.state.phase, phase);
    }

    pub fn table(&mut self, name: &str, kind: TableKind) -> (TableId, BoardId) {
        let org = self.org;
        let events = self.ok(
            org,
            Command::CreateTable {
                name: name.into(),
                kind,
            },
        );
        match events.as_slice() {
            [Event::TableCreated { table, board }] => (table.id, board.id),
            other => panic!("unexpected events {other:?}"),
        }
    }

    pub fn post(&mut self, actor: PersonId, board: BoardId, text: &str) -> IdeaId {
        let events = self.ok(
            actor,
            Command::PostIdea {
                board,
                text: text.into(),
                category: None,
            },
        );
        posted(&events)
    }

    pub fn cluster(&mut self, actor: PersonId, board: BoardId, ideas: &[IdeaId]) -> ClusterId {
        let events = self.ok(
            actor,
            Command::CreateCluster {
                board,
                title: "cluster".into(),
                ideas: ideas.to_vec(),
            },
        );
        match events.first() {
            Some(Event::ClusterCreated { cluster }) => cluster.id,
            other => panic!("unexpected events {other:?}"),
        }
    }

    pub fn open_vote(
        &mut self,
        board: BoardId,
        target: VoteTarget,
        budget: u32,
        cap: u32,
        visibility: VoteVisibility,
    ) -> VoteId {
        let org = self.org;
        // Entering the vote phase opened the default vote; these tests ask for their own.
        let auto = self
            .state
            .open_vote_on(board)
            .filter(|v| v.dots_cast == 0)
            .map(|v| v.id);
        if let Some(vote) = auto {
            self.ok(org, Command::CloseVote { vote });
        }
        let events = self.ok(
            org,
            Command::OpenVote {
                scope: VoteScope::board(board),
                target,
                budget,
                per_item_cap: cap,
                visibility,
                title: None,
            },
        );
        match events.as_slice() {
            [Event::VoteOpened { vote }] => vote.id,
            other => panic!("unexpected events {other:?}"),
        }
    }

    pub fn person(&self, p: PersonId) -> &Person {
        &self.state.people[&p]
    }

    pub fn vote(&self, v: VoteId) -> &Vote {
        &self.state.votes[&v]
    }

    /// Replaying the log from nothing gives the same state.
    #[track_caller]
    pub fn assert_replays(&self) {
        let mut s = CafeState::default();
        for e in &self.log {
            s.apply(e);
        }
        assert_eq!(s, self.state);
    }
}

pub fn posted(events: &[Event]) -> IdeaId {
    match events {
        [Event::IdeaPosted { idea }] => idea.id,
        other => panic!("unexpected events {other:?}"),
    }
}

pub fn create_cafe(settings: Settings) -> SystemCommand {
    SystemCommand::CreateCafe {
        id: CafeId("cafe-1".into()),
        code: JoinCode::parse("K7M-Q2P").expect("valid code"),
        title: "Futures of work".into(),
        description: "How will we work in 2040?".into(),
        mode: Mode::Hybrid,
        language: Language::En,
        settings,
        organiser_name: "Olga".into(),
    }
}

/// A café with one of every role, two tables and a first round:
/// - `org` organiser, `fac` facilitator (both in the room, unseated),
/// - `host` hosts the in-room table `table`, `part` sits there,
/// - `remote` sits at the virtual table `vtable`, `other` (room) sits at `table2`.
pub struct Room {
    pub cafe: Cafe,
    pub org: PersonId,
    pub fac: PersonId,
    pub host: PersonId,
    pub part: PersonId,
    pub remote: PersonId,
    pub other: PersonId,
    pub table: TableId,
    pub board: BoardId,
    pub table2: TableId,
    pub board2: BoardId,
    pub vtable: TableId,
    pub vboard: BoardId,
    pub plenary: BoardId,
}

impl Room {
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    pub fn with_settings(settings: Settings) -> Self {
        let mut cafe = Cafe::with_settings(settings);
        let org = cafe.org;
        let fac = cafe.join("Fatou", Role::Facilitator, Location::Room);
        let host = cafe.join("Hiro", Role::Participant, Location::Room);
        let part = cafe.join("Pia", Role::Participant, Location::Room);
        let remote = cafe.join("Rémy", Role::Participant, Location::Remote);
        let other = cafe.join("Omar", Role::Participant, Location::Room);
        let (table, board) = cafe.table("Table 1", TableKind::InRoom);
        let (table2, board2) = cafe.table("Table 2", TableKind::InRoom);
        let (vtable, vboard) = cafe.table("Online 1", TableKind::Virtual);
        cafe.ok(
            org,
            Command::SetTableHost {
                table,
                person: Some(host),
            },
        );
        cafe.ok(
            org,
            Command::StartRound {
                prompt: "What should change?".into(),
                duration_secs: 0,
                assignment: Assignment::Manual {
                    seats: vec![
                        Seat {
                            person: part,
                            table,
                        },
                        Seat {
                            person: remote,
                            table: vtable,
                        },
                        Seat {
                            person: other,
                            table: table2,
                        },
                    ],
                },
            },
        );
        let plenary = cafe.plenary();
        Room {
            cafe,
            org,
            fac,
            host,
            part,
            remote,
            other,
            table,
            board,
            table2,
            board2,
            vtable,
            vboard,
            plenary,
        }
    }

    pub fn everyone(&self) -> [PersonId; 6] {
        [
            self.org,
            self.fac,
            self.host,
            self.part,
            self.remote,
            self.other,
        ]
    }

    pub fn phase(&mut self, phase: Phase) {
        self.cafe.phase(phase);
    }
}

/// Checks the shuffle rules on the round that just started.
pub fn check_shuffle(before: &CafeState, after: &CafeState) {
    let round = after.current_round().expect("round");
    for t in before.tables.values() {
        if let Some(h) = t.host {
            assert_eq!(round.assignments.get(&h), Some(&t.id), "hosts stay");
        }
    }
    let travellers = shuffle::travellers(before);
    for kind in [TableKind::InRoom, TableKind::Virtual] {
        let tables: Vec<TableId> = before
            .tables
            .values()
            .filter(|t| t.kind == kind)
            .map(|t| t.id)
            .collect();
        let mine: Vec<PersonId> = travellers
            .iter()
            .copied()
            .filter(|p| kind.fits(before.people[p].location))
            .collect();
        let cap = shuffle::capacity(mine.len(), tables.len());
        let mut load: std::collections::BTreeMap<TableId, usize> =
            tables.iter().map(|t| (*t, 0)).collect();
        for p in &mine {
            let t = round.assignments.get(p);
            if tables.is_empty() {
                assert_eq!(t, None, "no fitting table: unseated");
                continue;
            }
            let t = *t.expect("every traveller is seated when a table fits");
            assert_eq!(before.tables[&t].kind, kind, "location matches kind");
            *load.get_mut(&t).expect("table of this kind") += 1;
        }
        for (t, n) in &load {
            assert!(*n <= cap, "table {t} has {n} > capacity {cap}");
        }
        for p in mine.iter().filter(|_| !tables.is_empty()) {
            let t = round.assignments[p];
            if before.people[p].visited.contains(&t) {
                let free_unvisited = tables
                    .iter()
                    .any(|o| load[o] < cap && !before.people[p].visited.contains(o));
                assert!(
                    !free_unvisited,
                    "{p} went back to {t} although an unvisited table had room"
                );
            }
        }
    }
    for (p, t) in &round.assignments {
        let person = &after.people[p];
        assert!(!person.removed);
        assert!(!person.role.is_facilitator(), "facilitators are not seated");
        assert!(after.tables[t].kind.fits(person.location));
    }
}

/// The command that posts `text` on `board`, without a column.
pub fn post(board: BoardId, text: &str) -> Command {
    Command::PostIdea {
        board,
        text: text.into(),
        category: None,
    }
}
