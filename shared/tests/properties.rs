//! Property tests of the state machine: random command sequences from random actors
//! (including invalid commands, unknown and removed people) with a clock that only moves
//! forward. After every event we check the invariants, the view law, the privacy of every
//! view and projection, and that per-audience serialization is sound; at the end, that the
//! log replays to the same state.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::T0;
use proptest::prelude::*;
use serde_json::Value;

/// People whose personal view is followed event by event (besides Public and Facilitator).
const TRACKED_PEOPLE: usize = 7;

#[derive(Debug, Clone)]
enum Step {
    Join { role: u8, remote: bool },
    Presence { who: u8, online: bool },
    Expire,
    Cmd(Gen),
}

/// Raw material for one person command; `build` turns it into a command against the
/// current state, mostly aimed at things that exist, sometimes deliberately not.
#[derive(Debug, Clone)]
struct Gen {
    actor: u8,
    kind: u8,
    a: u8,
    b: u8,
    c: u8,
    flag: bool,
    n: u8,
}

const KINDS: u8 = 60;

/// Phases for `SetPhase`, weighted towards those where most happens; closed stays rare
/// because it refuses nearly everything.
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

fn step() -> impl Strategy<Value = (u32, Step)> {
    let s = prop_oneof![
        2 => (any::<u8>(), any::<bool>()).prop_map(|(role, remote)| Step::Join { role, remote }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(who, online)| Step::Presence { who, online }),
        1 => Just(Step::Expire),
        16 => (
            any::<u8>(),
            0..KINDS,
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<bool>(),
            any::<u8>()
        )
            .prop_map(|(actor, kind, a, b, c, flag, n)| Step::Cmd(Gen {
                actor,
                kind,
                a,
                b,
                c,
                flag,
                n
            })),
    ];
    (0u32..90_000, s)
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
    let all = people(s);
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
        _ => pick(&all, x, PersonId),
    }
}

fn text(n: u8, what: &str) -> String {
    match n % 23 {
        0 => String::new(),
        1 => "  ".into(),
        2 => "x".repeat(600),
        3 => "bad\u{7}".into(),
        _ => format!("{what} {n}"),
    }
}

fn build(s: &CafeState, g: &Gen) -> Command {
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
    // Mostly the newest open vote, so that dots land where they can.
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
    let (a, b, c, flag, n) = (g.a, g.b, g.c, g.flag, g.n);
    // Kinds past 43 repeat the commands that need several steps of preparation to succeed
    // (votes, dots, hosts, clusters, rounds), so random sessions reach them often enough.
    let kind = match g.kind {
        44..=46 => 36,
        47..=51 => 37,
        52 => 18,
        53 => 31,
        54 => 33,
        55 => 20,
        56..=59 => 9,
        k => k,
    };
    match kind {
        0 => Command::UpdateCafe {
            title: (n % 3 == 0).then(|| text(n, "title")),
            description: None,
            mode: None,
            language: None,
            settings: flag.then(|| Settings {
                anonymous: a % 2 == 0,
                moderation: b % 2 == 0,
                default_budget: u32::from(c % 7),
                default_per_item_cap: u32::from(n % 4),
                default_visibility: VoteVisibility::Hidden,
                auto_advance: c % 3 == 0,
                planned_rounds: u32::from(n % 4),
                cluster_creators: if c % 3 == 0 {
                    ClusterCreators::Everyone
                } else {
                    ClusterCreators::Facilitators
                },
            }),
        },
        1 => Command::Rename {
            name: text(n, "name"),
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
        // One in four removals is a bulk one (all or nothing), one in eight opens or
        // closes joining, so both meet every other rule in random sessions.
        7 if n.is_multiple_of(8) => Command::SetJoining { open: flag },
        7 if n % 4 == 1 => Command::RemovePeople {
            people: vec![person(a), person(b)],
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
            duration_secs: u32::from(n) * 10,
        },
        12 => Command::PauseTimer,
        13 => Command::ResumeTimer,
        14 => Command::ExtendTimer {
            secs: u32::from(n) * 5,
        },
        15 => Command::StopTimer,
        16 => Command::CreateTable {
            name: text(n, "table"),
            kind: if flag {
                TableKind::Virtual
            } else {
                TableKind::InRoom
            },
        },
        17 => Command::RenameTable {
            table: table(a),
            name: text(n, "table"),
        },
        18 => Command::SetTableHost {
            table: table(a),
            person: (!flag).then(|| person(b)),
        },
        19 => Command::SetTableHeadcount {
            table: table(a),
            headcount: u32::from(n % 12),
        },
        20 => Command::StartRound {
            prompt: format!("round {n}"),
            duration_secs: if flag { 0 } else { u32::from(n) * 3 },
            assignment: match b % 3 {
                0 => Assignment::Shuffle,
                1 => Assignment::Keep,
                _ => Assignment::Manual {
                    seats: vec![Seat {
                        person: person(c),
                        table: table(a),
                    }],
                },
            },
        },
        21 => Command::AssignTable {
            person: person(a),
            table: table(b),
        },
        22..=24 => Command::PostIdea {
            board: board(a),
            text: text(n, "idea"),
            category: category(c),
        },
        25 => Command::EditIdea {
            idea: idea(a),
            text: text(n, "edited"),
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
        // A quarter of harvests are batches or whole themes, so both meet every other
        // rule in random sessions.
        28 if n % 4 == 1 => Command::HarvestIdeas {
            ideas: vec![idea(a), idea(b)],
        },
        28 if n % 4 == 2 => Command::HarvestCluster {
            cluster: cluster(a),
        },
        28 => Command::HarvestIdea { idea: idea(a) },
        29 => Command::LockBoard {
            board: board(a),
            locked: flag,
        },
        30 => Command::SetBoardColumns {
            board: board(a),
            columns: match n % 3 {
                0 => vec![],
                1 => vec!["A".into(), "B".into()],
                _ => vec!["A".into()],
            },
        },
        31 => Command::CreateCluster {
            board: board(a),
            title: text(n, "cluster"),
            ideas: if flag {
                vec![idea(b), idea(c)]
            } else {
                vec![idea(b)]
            },
        },
        32 => Command::RenameCluster {
            cluster: cluster(a),
            title: text(n, "cluster"),
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
            visibility: if b % 2 == 0 {
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
            let mut counts = vec![ItemCount {
                item: item(v, c),
                dots: u32::from(n % 7),
            }];
            if flag {
                counts.push(ItemCount {
                    item: item(v, c.wrapping_add(1)),
                    dots: u32::from(n % 3),
                });
            }
            Command::EnterTally {
                vote: v,
                table: table(b),
                counts,
            }
        }
        42 => Command::CloseVote { vote: vote(a) },
        _ => Command::RevealVote { vote: vote(a) },
    }
}

// ----- checks -----

/// The state invariants live in `shared` ([`CafeState::check_invariants`]), where imports
/// use them too; here they are checked after every decision.
fn invariants(s: &CafeState) {
    if let Err(e) = s.check_invariants() {
        panic!("invariant broken: {e}");
    }
}

/// Who a JSON payload is for: `None` is the public audience.
fn check_json_privacy(full: &CafeState, viewer: Option<PersonId>, v: &Value, path: &str) {
    let me = viewer.map(|p| p.0.to_string());
    let anonymous = full.settings().anonymous;
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match k.as_str() {
                    "ballots" => {
                        if let Value::Object(b) = x {
                            for who in b.keys() {
                                assert_eq!(Some(who), me.as_ref(), "foreign ballot at {path}");
                            }
                        }
                    }
                    "ballot" if !x.is_null() => {
                        let who = x.get("person").and_then(Value::as_u64);
                        assert_eq!(who, viewer.map(|p| p.0), "foreign ballot at {path}");
                    }
                    "author" if anonymous && !x.is_null() => {
                        assert_eq!(x.as_u64(), viewer.map(|p| p.0), "author leaked at {path}");
                    }
                    _ => {}
                }
                check_json_privacy(full, viewer, x, &format!("{path}.{k}"));
            }
        }
        Value::Array(xs) => {
            for x in xs {
                check_json_privacy(full, viewer, x, path);
            }
        }
        _ => {}
    }
}

fn hidden_from(full: &CafeState, viewer: Option<PersonId>, idea: u64) -> bool {
    full.ideas
        .get(&IdeaId(idea))
        .is_some_and(|i| !i.public() && (viewer.is_none() || i.author != viewer))
}

fn totals_secret(full: &CafeState, vote: u64) -> bool {
    full.votes
        .get(&VoteId(vote))
        .is_some_and(|v| !v.results_visible_to_all())
}

fn empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(_) => false,
    }
}

/// Ballots and anonymous authors are private from everyone (facilitators included);
/// hidden ideas and secret totals only from non-facilitators (`privileged == false`).
fn check_snapshot_leaks(
    full: &CafeState,
    viewer: Option<PersonId>,
    privileged: bool,
    view: &CafeState,
) {
    let json = serde_json::to_value(view).expect("serializes");
    check_json_privacy(full, viewer, &json, "snapshot");
    if privileged {
        return;
    }
    if let Some(Value::Object(ideas)) = json.get("ideas") {
        for id in ideas.keys() {
            let id: u64 = id.parse().expect("numeric key");
            assert!(!hidden_from(full, viewer, id), "hidden idea {id} in view");
        }
    }
    if let Some(Value::Object(votes)) = json.get("votes") {
        for (id, v) in votes {
            let id: u64 = id.parse().expect("numeric key");
            if totals_secret(full, id) {
                assert!(empty(v.get("totals")), "secret totals of vote {id}");
                assert!(empty(v.get("tallies")), "secret tallies of vote {id}");
            }
        }
    }
}

fn check_event_leaks(full: &CafeState, viewer: Option<PersonId>, privileged: bool, e: &Event) {
    let json = serde_json::to_value(e).expect("serializes");
    check_json_privacy(full, viewer, &json, e.kind());
    if privileged {
        return;
    }
    let idea_of = |j: &Value| -> Option<u64> {
        j.get("idea")
            .and_then(|i| i.as_u64().or_else(|| i.get("id").and_then(Value::as_u64)))
    };
    match e {
        Event::DotCast { .. } | Event::DotRetracted { .. } | Event::TallyEntered { .. } => {
            panic!("raw {} sent to a non-facilitator", e.kind())
        }
        Event::IdeaPosted { .. }
        | Event::IdeaEdited { .. }
        | Event::IdeaMoved { .. }
        | Event::IdeaHidden { .. } => {
            let id = idea_of(&json).expect("idea id");
            assert!(
                !hidden_from(full, viewer, id),
                "{} of hidden idea",
                e.kind()
            );
        }
        Event::IdeasApproved { revealed, .. } | Event::PrivateWritingSet { revealed, .. } => {
            for i in revealed {
                assert!(
                    !hidden_from(full, viewer, i.id.0),
                    "{} reveals idea {} too early",
                    e.kind(),
                    i.id
                );
            }
        }
        Event::VoteProgress {
            vote,
            totals,
            tally,
            ..
        } if totals_secret(full, vote.0) => {
            assert!(totals.is_empty() && tally.is_none(), "secret totals leaked");
        }
        Event::VoteOpened { vote } => {
            assert!(vote.ballots.is_empty() && vote.totals.is_empty());
        }
        _ => {}
    }
}

struct Run {
    state: CafeState,
    log: Vec<Event>,
    /// Views followed by applying projected events, keyed by audience.
    views: Vec<(Audience, CafeState)>,
}

impl Run {
    fn apply(&mut self, e: &Event) {
        // Whatever the rules write, an import of the log accepts: `check_replayed` asks
        // the rules, so it must recognise every event they produce.
        if let Err(why) = self.state.check_replayed(e) {
            panic!("check_replayed refuses {e:?}: {why}");
        }
        let prior = self.state.prior(e);
        let mut after = self.state.clone();
        after.apply(e);
        let concerned = after.concerned(&prior, e);
        let resnap = after.needs_snapshot(&prior, e);
        // (e) Everyone not concerned gets exactly their audience's bytes.
        for p in after.people.keys() {
            if Some(*p) == concerned {
                continue;
            }
            assert_eq!(
                after.project(&prior, e, Audience::Person(*p)),
                after.project(&prior, e, after.audience_of(*p)),
                "{p} is not concerned by {e:?} but would need their own projection"
            );
        }
        // (c) The view law, with re-snapshots and removals as the server does them.
        if let Event::PersonRemoved { person } = e {
            self.views.retain(|(a, _)| *a != Audience::Person(*person));
        }
        for (a, view) in &mut self.views {
            let viewer = match a {
                Audience::Person(p) => Some(*p),
                _ => None,
            };
            let privileged = match a {
                Audience::Public => false,
                Audience::Facilitator => true,
                Audience::Person(p) => after.audience_of(*p) == Audience::Facilitator,
            };
            if viewer.is_some() && viewer == resnap {
                *view = after.view(*a);
            } else {
                let projected = after.project(&prior, e, *a);
                if let Some(pe) = &projected {
                    check_event_leaks(&after, viewer, privileged, pe);
                    if let Event::DotCast { .. }
                    | Event::DotRetracted { .. }
                    | Event::TallyEntered { .. } = pe
                    {
                        panic!("raw {} projected to {a:?}", pe.kind());
                    }
                    view.apply(pe);
                }
                assert_eq!(
                    *view,
                    after.view(*a),
                    "view law broken for {a:?} by {e:?} (projected {projected:?})"
                );
            }
            check_snapshot_leaks(&after, viewer, privileged, view);
        }
        self.state = after;
        self.log.push(e.clone());
    }

    fn apply_all(&mut self, events: &[Event]) {
        for e in events {
            self.apply(e);
        }
        invariants(&self.state);
        // Follow the personal view of the first few people from the moment they exist.
        let followed: Vec<PersonId> = self
            .views
            .iter()
            .filter_map(|(a, _)| match a {
                Audience::Person(p) => Some(*p),
                _ => None,
            })
            .collect();
        let newcomers: Vec<PersonId> = self
            .state
            .active_people()
            .map(|p| p.id)
            .filter(|p| !followed.contains(p))
            .take(TRACKED_PEOPLE.saturating_sub(followed.len()))
            .collect();
        for p in newcomers {
            let a = Audience::Person(p);
            self.views.push((a, self.state.view(a)));
        }
    }
}

/// Runs one session; returns the event log and how many decisions were accepted.
fn run(anonymous: bool, moderation: bool, steps: &[(u32, Step)]) -> (Vec<Event>, usize) {
    let mut now = T0;
    let mut r = Run {
        state: CafeState::default(),
        log: Vec::new(),
        views: Vec::new(),
    };
    let create = SystemCommand::CreateCafe {
        id: CafeId("prop".into()),
        code: JoinCode::parse("K7MQ2P").expect("code"),
        title: "Property café".into(),
        description: String::new(),
        mode: Mode::Hybrid,
        language: Language::Fr,
        settings: Settings {
            anonymous,
            moderation,
            ..Settings::default()
        },
        organiser_name: "Org".into(),
    };
    let events = r.state.decide_system(now, &create).expect("create");
    r.views = vec![
        (
            Audience::Public,
            CafeState::default().view(Audience::Public),
        ),
        (
            Audience::Facilitator,
            CafeState::default().view(Audience::Facilitator),
        ),
    ];
    r.apply_all(&events);
    let (mut accepted, mut rejected) = (0, 0);
    for (dt, step) in steps {
        now += i64::from(*dt);
        let decision = match step {
            Step::Join { role, remote } => {
                let role = [
                    Role::Participant,
                    Role::Participant,
                    Role::Host,
                    Role::Facilitator,
                    Role::Organiser,
                ][usize::from(*role) % 5];
                let name = if role == Role::Host && *remote {
                    String::new()
                } else {
                    format!("P{}", r.state.people.len())
                };
                let location = if *remote {
                    Location::Remote
                } else {
                    Location::Room
                };
                r.state.decide_system(
                    now,
                    &SystemCommand::Join {
                        name,
                        role,
                        location,
                    },
                )
            }
            Step::Presence { who, online } => r.state.decide_system(
                now,
                &SystemCommand::SetPresence {
                    person: pick(&people(&r.state), *who, PersonId),
                    online: *online,
                },
            ),
            Step::Expire => {
                let ends_at = match r.state.timer {
                    Timer::Running { ends_at, .. } => ends_at,
                    _ => now,
                };
                now = now.max(ends_at);
                r.state
                    .decide_system(now, &SystemCommand::ExpireTimer { ends_at })
            }
            Step::Cmd(g) => {
                let ctx = Ctx {
                    actor: actor_of(&r.state, g.actor),
                    now,
                    seed: u64::from(g.n) << 8 | u64::from(g.c),
                };
                let cmd = build(&r.state, g);
                // Commands travel as JSON: what decide sees must survive the wire.
                let wire: Command =
                    serde_json::from_str(&serde_json::to_string(&cmd).expect("encode"))
                        .expect("decode");
                assert_eq!(wire, cmd);
                let decision = r.state.decide(&ctx, &cmd);
                if let (
                    Ok(_),
                    Command::StartRound {
                        assignment: Assignment::Shuffle,
                        ..
                    },
                ) = (&decision, &cmd)
                {
                    // Check the seating rules on the state the round started from.
                    let before = r.state.clone();
                    let mut after = before.clone();
                    for e in decision.as_ref().expect("ok") {
                        after.apply(e);
                    }
                    harness::check_shuffle(&before, &after);
                }
                decision
            }
        };
        match decision {
            Ok(events) => {
                accepted += 1;
                r.apply_all(&events);
            }
            Err(_) => rejected += 1,
        }
    }
    // (b) Replaying the log from nothing rebuilds the very same state.
    let mut replay = CafeState::default();
    for e in &r.log {
        replay.apply(e);
    }
    assert_eq!(replay, r.state, "replay differs");
    // The rules number entities in creation order, so renumbering their log for an import
    // changes nothing.
    let mut renumber = Renumber::new();
    for e in &r.log {
        let mut copy = e.clone();
        renumber
            .event(&mut copy)
            .expect("a log of the rules renumbers");
        assert_eq!(&copy, e, "renumbering changed a log of the rules");
    }
    for (a, view) in &r.views {
        assert_eq!(*view, r.state.view(*a), "final view of {a:?}");
    }
    // The server shares the public snapshot with whoever `view_is_public` names.
    let public = r.state.view(Audience::Public);
    for p in people(&r.state) {
        if r.state.view_is_public(p) {
            assert_eq!(
                r.state.view(Audience::Person(p)),
                public,
                "view_is_public({p:?}) but the views differ"
            );
        }
    }
    let _ = rejected;
    (r.log, accepted)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sessions_keep_every_law(
        anonymous in any::<bool>(),
        moderation in any::<bool>(),
        warm in any::<bool>(),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        // Half the sessions start from a café in full swing (people seated, ideas posted,
        // a vote open), so that 80 random steps explore more than the lobby.
        let mut all = if warm { prologue() } else { Vec::new() };
        all.extend(steps);
        run(anonymous, moderation, &all);
    }
}

fn cmd(kind: u8, a: u8, b: u8, c: u8, flag: bool, n: u8) -> (u32, Step) {
    (
        500,
        Step::Cmd(Gen {
            actor: 0,
            kind,
            a,
            b,
            c,
            flag,
            n,
        }),
    )
}

/// Organiser-driven steps: people join, two in-room tables and a virtual one, a host, a
/// shuffled round, ideas on the plenary, and an open hidden vote.
fn prologue() -> Vec<(u32, Step)> {
    let mut steps = Vec::new();
    for (role, remote) in [(0, false), (1, false), (0, true), (3, false), (0, false)] {
        steps.push((100, Step::Join { role, remote }));
    }
    steps.push(cmd(16, 0, 0, 0, false, 7));
    steps.push(cmd(16, 0, 0, 0, false, 8));
    steps.push(cmd(16, 0, 0, 0, true, 9));
    // Table 0 gets person 2 (a participant in the room) as host.
    steps.push(cmd(18, 0, 2, 0, false, 0));
    steps.push(cmd(20, 0, 0, 0, true, 0));
    steps.push(cmd(9, 1, 0, 0, false, 0));
    for i in 0..4 {
        steps.push(cmd(22, 0, 0, 0, false, 10 + i));
    }
    steps.push(cmd(9, 3, 0, 0, false, 0));
    steps.push(cmd(36, 0, 0, 2, false, 3));
    steps
}

/// A long scripted-random session that reaches votes, tallies and reveals for sure, so the
/// properties above are not only checked on lobby chatter.
#[test]
fn long_session_reaches_voting() {
    let mut rng = 0x5eed_u64;
    let mut next = move || {
        rng = shuffle::mix(rng);
        rng
    };
    let mut steps = Vec::new();
    for round in 0..6u8 {
        for _ in 0..3 {
            steps.push((
                1_000,
                Step::Join {
                    role: (next() % 3) as u8,
                    remote: next() % 2 == 0,
                },
            ));
        }
        let phase_of = |k: u8| Gen {
            actor: 0,
            kind: 9,
            a: k,
            b: 0,
            c: 0,
            flag: false,
            n: 7,
        };
        steps.push((
            1_000,
            Step::Cmd(Gen {
                actor: 0,
                kind: 16,
                a: 0,
                b: 0,
                c: 0,
                flag: round % 2 == 0,
                n: 7,
            }),
        ));
        steps.push((
            1_000,
            Step::Cmd(Gen {
                actor: 0,
                kind: 18,
                a: round,
                b: round + 2,
                c: 0,
                flag: false,
                n: 7,
            }),
        ));
        steps.push((
            1_000,
            Step::Cmd(Gen {
                actor: 0,
                kind: 20,
                a: 0,
                b: 0,
                c: 0,
                flag: false,
                n: 20,
            }),
        ));
        steps.push((1_000, Step::Cmd(phase_of(1))));
        for _ in 0..25 {
            let b = next();
            steps.push((
                (b % 5_000) as u32,
                Step::Cmd(Gen {
                    actor: 100 + (b % 150) as u8,
                    kind: [22, 22, 23, 25, 31, 33, 27, 28][(b >> 8) as usize % 8],
                    a: (b >> 16) as u8,
                    b: (b >> 24) as u8,
                    c: (b >> 32) as u8,
                    flag: b & 1 == 0,
                    n: 5 + (b >> 40) as u8 % 15,
                }),
            ));
        }
        steps.push((1_000, Step::Cmd(phase_of(3))));
        steps.push((
            1_000,
            Step::Cmd(Gen {
                actor: 0,
                kind: 19,
                a: round,
                b: 0,
                c: 0,
                flag: false,
                n: 5,
            }),
        ));
        steps.push((
            1_000,
            Step::Cmd(Gen {
                actor: 0,
                kind: 36,
                a: 0,
                b: round,
                c: 2,
                flag: false,
                n: 5,
            }),
        ));
        for _ in 0..40 {
            let b = next();
            steps.push((
                (b % 3_000) as u32,
                Step::Cmd(Gen {
                    actor: 100 + (b % 150) as u8,
                    kind: [37, 38, 39, 40, 41][(b >> 8) as usize % 5],
                    a: 0,
                    b: (b >> 24) as u8,
                    c: (b >> 32) as u8,
                    flag: b & 1 == 0,
                    n: (b >> 40) as u8,
                }),
            ));
            if b % 7 == 0 {
                steps.push((
                    10,
                    Step::Cmd(Gen {
                        actor: 0,
                        kind: 41,
                        a: 0,
                        b: round,
                        c: (b >> 48) as u8,
                        flag: true,
                        n: 3,
                    }),
                ));
            }
        }
        steps.push((
            1_000,
            Step::Cmd(Gen {
                actor: 0,
                kind: 43,
                a: 0,
                b: 0,
                c: 0,
                flag: false,
                n: 0,
            }),
        ));
        steps.push((1_000, Step::Expire));
    }
    for (anonymous, moderation) in [(false, false), (true, true)] {
        let (log, accepted) = run(anonymous, moderation, &steps);
        let kinds: std::collections::BTreeSet<&str> = log.iter().map(Event::kind).collect();
        for k in [
            "round_started",
            "idea_posted",
            "cluster_created",
            "vote_opened",
            "dot_cast",
            "dot_retracted",
            "tally_entered",
            "vote_revealed",
            "timer_changed",
        ] {
            assert!(
                kinds.contains(k),
                "{k} never happened; {accepted} accepted: {kinds:?}"
            );
        }
    }
}
