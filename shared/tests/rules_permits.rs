//! The `may_…` predicates against `decide`. Random sessions build many states; in each, for
//! every person (also removed and unknown ones) and every target (also missing ones), each
//! predicate is compared with `decide` on its command with a well-formed payload:
//! - a refusal by the predicate is exactly `decide`'s refusal (same code, same message), so
//!   a page that greys out a button can show the server's reason;
//! - when the predicate allows, `decide` accepts, or refuses for something other than who
//!   asks, the phase or the target (payload, limits, conflicts the predicate leaves to it).

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;
use proptest::prelude::*;

/// Codes a predicate must have caught if `decide` answers with them.
const PERMISSION: [ErrorCode; 5] = [
    ErrorCode::Unauthorized,
    ErrorCode::Forbidden,
    ErrorCode::NotAllowedInPhase,
    ErrorCode::BoardLocked,
    ErrorCode::NotFound,
];

/// Compares one predicate answer with `decide` on `cmd`; returns whether it allowed.
#[track_caller]
fn agree(state: &CafeState, now: Millis, me: PersonId, may: Result<(), Rejection>, cmd: Command) {
    let ctx = Ctx {
        actor: me,
        now,
        seed: 7,
    };
    let got = state.decide(&ctx, &cmd);
    match (may, got) {
        (Err(want), got) => assert_eq!(
            got,
            Err(want.clone()),
            "{cmd:?} by {me}: the predicate refuses with {want}, decide answers otherwise"
        ),
        (Ok(()), Err(r)) => assert!(
            !PERMISSION.contains(&r.code),
            "{cmd:?} by {me}: the predicate allows, decide refuses with {r}"
        ),
        (Ok(()), Ok(_)) => {}
    }
}

/// Every predicate, for every person and target of `state`.
fn check_all(state: &CafeState, now: Millis) {
    let mut people: Vec<PersonId> = state.people.keys().copied().collect();
    people.push(PersonId(9_999));
    let mut tables: Vec<TableId> = state.tables.keys().copied().collect();
    tables.push(TableId(9_998));
    let mut boards: Vec<BoardId> = state.boards.keys().copied().collect();
    boards.push(BoardId(9_997));
    let mut ideas: Vec<IdeaId> = state.ideas.keys().copied().collect();
    ideas.push(IdeaId(9_996));
    let mut clusters: Vec<Option<ClusterId>> = state.clusters.keys().copied().map(Some).collect();
    clusters.push(Some(ClusterId(9_995)));
    let mut votes: Vec<VoteId> = state.votes.keys().copied().collect();
    votes.push(VoteId(9_994));
    let s = state;
    for &me in &people {
        let a = |may, cmd| agree(s, now, me, may, cmd);
        let person = s.people.get(&me);
        a(s.may_act(me), Command::Rename { name: "Zed".into() });
        a(
            s.may_act(me),
            Command::SetReady {
                ready: !person.is_some_and(|p| p.ready),
            },
        );
        a(s.may_raise_hand(me), Command::RaiseHand);
        a(s.may_raise_hand(me), Command::LowerHand);
        a(s.may_call_next_hand(me), Command::CallNextHand);
        let elsewhere = match person.map(|p| p.location) {
            Some(Location::Remote) => Location::Room,
            _ => Location::Remote,
        };
        a(
            s.may_set_location(me),
            Command::SetLocation {
                location: elsewhere,
            },
        );
        for phase in Phase::ALL {
            a(s.may_set_phase(me), Command::SetPhase { phase });
        }
        a(
            s.may_facilitate(me),
            Command::UpdateCafe {
                title: Some("New title".into()),
                description: None,
                mode: None,
                language: None,
                settings: None,
            },
        );
        a(
            s.may_facilitate(me),
            Command::StartTimer { duration_secs: 60 },
        );
        a(s.may_facilitate(me), Command::StopTimer);
        a(
            s.may_facilitate(me),
            Command::CreateTable {
                name: "New".into(),
                kind: TableKind::Virtual,
            },
        );
        a(s.may_pause_timer(me, now), Command::PauseTimer);
        a(s.may_resume_timer(me), Command::ResumeTimer);
        a(s.may_extend_timer(me), Command::ExtendTimer { secs: 60 });
        a(
            s.may_start_round(me),
            Command::StartRound {
                prompt: "Next".into(),
                duration_secs: 0,
                assignment: Assignment::Keep,
            },
        );
        a(
            s.may_set_joining(me),
            Command::SetJoining {
                open: !s.joining_open,
            },
        );
        a(
            s.may_remove_people(me, &people),
            Command::RemovePeople {
                people: people.clone(),
            },
        );
        for &p in &people {
            a(
                s.may_remove_person(me, p),
                Command::RemovePerson { person: p },
            );
            a(
                s.may_remove_people(me, &[p]),
                Command::RemovePeople { people: vec![p] },
            );
            for role in [
                Role::Organiser,
                Role::Facilitator,
                Role::Host,
                Role::Participant,
            ] {
                a(
                    s.may_set_role(me, p, role),
                    Command::SetRole { person: p, role },
                );
            }
        }
        for &t in &tables {
            a(
                s.may_rename_table(me, t),
                Command::RenameTable {
                    table: t,
                    name: "Renamed".into(),
                },
            );
            a(
                s.may_set_table_host(me, t, None),
                Command::SetTableHost {
                    table: t,
                    person: None,
                },
            );
            a(
                s.may_set_headcount(me, t),
                Command::SetTableHeadcount {
                    table: t,
                    headcount: 4,
                },
            );
            for &p in &people {
                a(
                    s.may_set_table_host(me, t, Some(p)),
                    Command::SetTableHost {
                        table: t,
                        person: Some(p),
                    },
                );
                a(
                    s.may_assign_table(me, p, t),
                    Command::AssignTable {
                        person: p,
                        table: t,
                    },
                );
            }
            for &v in &votes {
                a(
                    s.may_enter_tally(me, v, t),
                    Command::EnterTally {
                        vote: v,
                        table: t,
                        counts: vec![],
                    },
                );
            }
        }
        for &b in &boards {
            let category = s.boards.get(&b).and_then(|b| b.columns.first().cloned());
            a(
                s.may_post(me, b),
                Command::PostIdea {
                    board: b,
                    text: "An idea".into(),
                    category,
                },
            );
            a(
                s.may_manage_board(me, b),
                Command::LockBoard {
                    board: b,
                    locked: !s.boards.get(&b).is_some_and(|b| b.locked),
                },
            );
            a(
                s.may_manage_board(me, b),
                Command::SetBoardColumns {
                    board: b,
                    columns: vec![],
                },
            );
            a(
                s.may_create_cluster(me, b),
                Command::CreateCluster {
                    board: b,
                    title: "Group".into(),
                    ideas: vec![],
                },
            );
            a(
                s.may_open_vote(me, &VoteScope::board(b)),
                Command::OpenVote {
                    scope: VoteScope::board(b),
                    target: VoteTarget::Ideas,
                    budget: 3,
                    per_item_cap: 2,
                    visibility: VoteVisibility::Live,
                    title: None,
                },
            );
        }
        for &i in &ideas {
            let idea = s.ideas.get(&i);
            a(
                s.may_edit_idea(me, i),
                Command::EditIdea {
                    idea: i,
                    text: "Edited idea".into(),
                    category: idea.and_then(|i| i.category.clone()),
                },
            );
            a(s.may_delete_idea(me, i), Command::DeleteIdea { idea: i });
            a(
                s.may_hide_idea(me, i),
                Command::HideIdea {
                    idea: i,
                    hidden: !idea.is_some_and(|i| i.hidden),
                },
            );
            a(s.may_harvest(me, i), Command::HarvestIdea { idea: i });
            // A batch of one is refused exactly like the single harvest.
            a(
                s.may_harvest(me, i),
                Command::HarvestIdeas { ideas: vec![i] },
            );
            a(
                s.may_move_idea(me, i, None),
                Command::MoveIdea {
                    idea: i,
                    cluster: None,
                },
            );
            for &c in &clusters {
                a(
                    s.may_move_idea(me, i, c),
                    Command::MoveIdea {
                        idea: i,
                        cluster: c,
                    },
                );
            }
        }
        for c in clusters.iter().flatten().copied() {
            a(
                s.may_change_cluster(me, c),
                Command::RenameCluster {
                    cluster: c,
                    title: "Retitled".into(),
                },
            );
            a(
                s.may_change_cluster(me, c),
                Command::DeleteCluster { cluster: c },
            );
            a(
                s.may_harvest_cluster(me, c),
                Command::HarvestCluster { cluster: c },
            );
            for into in clusters.iter().flatten().copied() {
                a(
                    s.may_merge_clusters(me, c, into),
                    Command::MergeClusters { from: c, into },
                );
            }
        }
        for &v in &votes {
            a(s.may_manage_vote(me, v), Command::CloseVote { vote: v });
            a(s.may_manage_vote(me, v), Command::RevealVote { vote: v });
            let mut items = s.votes.get(&v).map(|v| v.items.clone()).unwrap_or_default();
            items.push(9_993);
            for item in items {
                // `may_vote` is the first part of both dot predicates.
                if let Err(e) = s.may_vote(me, v) {
                    assert_eq!(s.may_cast_dot(me, v, item), Err(e.clone()));
                    assert_eq!(s.may_retract_dot(me, v, item), Err(e));
                }
                a(
                    s.may_cast_dot(me, v, item),
                    Command::CastDot { vote: v, item },
                );
                a(
                    s.may_retract_dot(me, v, item),
                    Command::RetractDot { vote: v, item },
                );
            }
        }
    }
}

/// One random step of a session; most are refused, which is fine: they still vary the state.
#[derive(Debug, Clone)]
struct Step {
    kind: u8,
    who: u8,
    a: u8,
    b: u8,
    flag: bool,
}

fn pick<T: Copy>(list: &[T], x: u8) -> Option<T> {
    (!list.is_empty()).then(|| list[usize::from(x) % list.len()])
}

fn run_step(r: &mut Room, st: &Step) {
    let s = &r.cafe.state;
    let people: Vec<PersonId> = s.people.keys().copied().collect();
    let tables: Vec<TableId> = s.tables.keys().copied().collect();
    let boards: Vec<BoardId> = s.boards.keys().copied().collect();
    let ideas: Vec<IdeaId> = s.ideas.keys().copied().collect();
    let clusters: Vec<ClusterId> = s.clusters.keys().copied().collect();
    let votes: Vec<VoteId> = s.votes.keys().copied().collect();
    // Facilitators act half of the time, so phases, votes and tables move.
    let who = if st.who < 128 {
        [r.org, r.fac][usize::from(st.who) % 2]
    } else {
        pick(&people, st.who).unwrap_or(r.org)
    };
    let (a, b) = (st.a, st.b);
    let board = pick(&boards, a).unwrap_or(r.plenary);
    let cmd = match st.kind % 26 {
        0 | 1 => Command::SetPhase {
            phase: [
                Phase::Lobby,
                Phase::Ideate,
                Phase::Group,
                Phase::Vote,
                Phase::Results,
                Phase::Closed,
                Phase::Ideate,
                Phase::Group,
                Phase::Vote,
            ][usize::from(a) % 9],
        },
        2 | 3 => Command::PostIdea {
            board,
            text: format!("idea {b}"),
            category: s
                .boards
                .get(&board)
                .and_then(|b| b.columns.first().cloned()),
        },
        4 => Command::CreateCluster {
            board,
            title: format!("cluster {b}"),
            ideas: ideas
                .iter()
                .copied()
                .filter(|i| s.ideas[i].board == board)
                .take(usize::from(b % 3))
                .collect(),
        },
        5 => match (pick(&ideas, a), pick(&clusters, b)) {
            (Some(idea), c) => Command::MoveIdea {
                idea,
                cluster: c.filter(|_| st.flag),
            },
            _ => return,
        },
        6 => Command::OpenVote {
            scope: VoteScope::board(board),
            target: if st.flag {
                VoteTarget::Ideas
            } else {
                VoteTarget::Clusters
            },
            budget: 3,
            per_item_cap: 2,
            visibility: VoteVisibility::Live,
            title: None,
        },
        7 | 8 | 22..=25 => {
            let Some(vote) = pick(&votes, a) else { return };
            let Some(item) = pick(&s.votes[&vote].items, b) else {
                return;
            };
            if st.flag {
                Command::CastDot { vote, item }
            } else {
                Command::RetractDot { vote, item }
            }
        }
        9 => match pick(&tables, a) {
            Some(table) => Command::SetTableHost {
                table,
                person: pick(&people, b).filter(|_| st.flag),
            },
            None => return,
        },
        10 => match pick(&ideas, a) {
            Some(idea) => Command::HideIdea {
                idea,
                hidden: st.flag,
            },
            None => return,
        },
        11 => Command::LockBoard {
            board,
            locked: st.flag,
        },
        12 => match pick(&people, a) {
            Some(_) if b < 8 => Command::SetJoining { open: st.flag },
            Some(person) if b < 16 => Command::RemovePeople {
                people: vec![person, pick(&people, b).unwrap_or(person)],
            },
            Some(person) if b < 40 => Command::RemovePerson { person },
            Some(person) => Command::SetRole {
                person,
                role: [Role::Facilitator, Role::Host, Role::Participant][usize::from(b) % 3],
            },
            None => return,
        },
        13 => {
            if st.flag {
                Command::StartTimer { duration_secs: 60 }
            } else {
                Command::PauseTimer
            }
        }
        14 => Command::StartRound {
            prompt: "again".into(),
            duration_secs: 0,
            assignment: if st.flag {
                Assignment::Shuffle
            } else {
                Assignment::Keep
            },
        },
        15 => {
            let location = if st.flag {
                Location::Remote
            } else {
                Location::Room
            };
            let role = if b % 5 == 0 {
                Role::Host
            } else {
                Role::Participant
            };
            let _ = r.cafe.sys(SystemCommand::Join {
                name: format!("P{a}"),
                role,
                location,
            });
            return;
        }
        16 => match (pick(&votes, a), pick(&tables, b)) {
            (Some(vote), Some(table)) if st.flag => {
                let counts = s.votes[&vote]
                    .items
                    .iter()
                    .take(1)
                    .map(|item| ItemCount {
                        item: *item,
                        dots: 1,
                    })
                    .collect();
                Command::EnterTally {
                    vote,
                    table,
                    counts,
                }
            }
            (_, Some(table)) => Command::SetTableHeadcount {
                table,
                headcount: u32::from(b % 4),
            },
            _ => return,
        },
        17 => Command::SetLocation {
            location: if st.flag {
                Location::Remote
            } else {
                Location::Room
            },
        },
        18 => match pick(&ideas, a) {
            Some(idea) => Command::HarvestIdea { idea },
            None => return,
        },
        19 => {
            if st.flag {
                Command::RaiseHand
            } else {
                Command::CallNextHand
            }
        }
        20 => match pick(&votes, a) {
            Some(vote) => Command::CloseVote { vote },
            None => return,
        },
        _ => Command::SetBoardColumns {
            board,
            columns: if st.flag {
                vec!["A".into(), "B".into()]
            } else {
                vec![]
            },
        },
    };
    let _ = r.cafe.run(who, cmd);
    r.cafe.now += 7_000;
}

/// Where a session starts: the bare room (0), with ideas and a cluster on several boards
/// (1), or also in the vote phase with a vote open on the plenary and dots cast (2), so that
/// the rarer states are reached often.
fn prepare(r: &mut Room, start: u8) {
    if start == 0 {
        return;
    }
    r.phase(Phase::Ideate);
    let (plenary, board, vboard) = (r.plenary, r.board, r.vboard);
    let mut ideas = vec![];
    for (who, b) in [
        (r.part, plenary),
        (r.part, board),
        (r.host, board),
        (r.remote, vboard),
        (r.other, plenary),
        (r.fac, plenary),
    ] {
        if let Ok(events) = r.cafe.run(
            who,
            Command::PostIdea {
                board: b,
                text: "seed idea".into(),
                category: None,
            },
        ) {
            ideas.push(posted(&events));
        }
    }
    let fac = r.fac;
    let _ = r.cafe.run(
        fac,
        Command::CreateCluster {
            board: plenary,
            title: "seed cluster".into(),
            ideas: ideas.iter().copied().take(1).collect(),
        },
    );
    if start == 2 {
        r.phase(Phase::Vote);
        let vote = r
            .cafe
            .open_vote(plenary, VoteTarget::Ideas, 3, 2, VoteVisibility::Live);
        let items = r.cafe.state.votes[&vote].items.clone();
        for (who, n) in [(r.part, 0), (r.host, 0), (r.org, 1)] {
            let item = items[n % items.len()];
            let _ = r.cafe.run(who, Command::CastDot { vote, item });
        }
        let (org, host, table) = (r.org, r.host, r.table);
        let _ = r.cafe.run(
            org,
            Command::SetTableHeadcount {
                table,
                headcount: 3,
            },
        );
        let _ = r.cafe.run(
            host,
            Command::EnterTally {
                vote,
                table,
                counts: vec![ItemCount {
                    item: items[0],
                    dots: 2,
                }],
            },
        );
    }
}

fn step() -> impl Strategy<Value = Step> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
    )
        .prop_map(|(kind, who, a, b, flag)| Step {
            kind,
            who,
            a,
            b,
            flag,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn predicates_agree_with_decide(
        moderation in any::<bool>(),
        everyone_makes_themes in any::<bool>(),
        start in 0u8..3,
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let cluster_creators = if everyone_makes_themes {
            ClusterCreators::Everyone
        } else {
            ClusterCreators::Facilitators
        };
        let mut r = Room::with_settings(Settings { moderation, cluster_creators, ..Settings::default() });
        prepare(&mut r, start);
        check_all(&r.cafe.state, r.cafe.now);
        for (n, st) in steps.iter().enumerate() {
            run_step(&mut r, st);
            if n % 4 == 3 {
                check_all(&r.cafe.state, r.cafe.now);
            }
        }
        check_all(&r.cafe.state, r.cafe.now);
    }
}

/// The case the browser got wrong: a table host may not post in the lobby, vote or results
/// (only facilitators may), and a participant posting while grouping is told it is the
/// wrong phase rather than forbidden.
#[test]
fn hosts_post_while_ideating_and_at_their_table_while_grouping() {
    let mut r = Room::new();
    for phase in [Phase::Lobby, Phase::Vote, Phase::Results] {
        r.phase(phase);
        for b in [r.board, r.plenary] {
            assert_eq!(
                r.cafe.state.may_post(r.host, b).map_err(|e| e.code),
                Err(ErrorCode::NotAllowedInPhase)
            );
            assert_eq!(r.cafe.state.may_post(r.fac, b), Ok(()));
        }
    }
    r.phase(Phase::Group);
    assert_eq!(r.cafe.state.may_post(r.host, r.board), Ok(()));
    assert_eq!(
        r.cafe.state.may_post(r.part, r.board).map_err(|e| e.code),
        Err(ErrorCode::NotAllowedInPhase)
    );
    r.phase(Phase::Ideate);
    assert_eq!(r.cafe.state.may_post(r.part, r.board), Ok(()));
    assert_eq!(
        r.cafe.state.may_post(r.part, r.board2).map_err(|e| e.code),
        Err(ErrorCode::Forbidden)
    );
    r.phase(Phase::Closed);
    assert_eq!(
        r.cafe.state.may_post(r.fac, r.plenary).map_err(|e| e.code),
        Err(ErrorCode::NotAllowedInPhase)
    );
    assert_eq!(r.cafe.state.may_set_phase(r.fac), Ok(()));
}

#[test]
fn who_may_host_a_table() {
    let r = Room::new();
    let s = &r.cafe.state;
    assert_eq!(s.may_set_table_host(r.fac, r.table2, Some(r.other)), Ok(()));
    let code = |res: Result<(), Rejection>| res.map_err(|e| e.code);
    assert_eq!(
        code(s.may_set_table_host(r.fac, r.vtable, Some(r.other))),
        Err(ErrorCode::Invalid),
        "an in-room person cannot host a virtual table"
    );
    assert_eq!(
        code(s.may_set_table_host(r.fac, r.table2, Some(r.fac))),
        Err(ErrorCode::Invalid),
        "facilitators do not host"
    );
    assert_eq!(
        code(s.may_set_table_host(r.part, r.table2, Some(r.other))),
        Err(ErrorCode::Forbidden)
    );
    assert_eq!(
        code(s.may_set_table_host(r.fac, r.table2, Some(PersonId(9_999)))),
        Err(ErrorCode::NotFound)
    );
}
