//! Replaying a log from elsewhere: `check_replayed` accepts exactly what the rules could
//! have written, `check_invariants` what they could have reached, and `Renumber` gives a
//! log's entities the new café's own ids.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;
use std::collections::BTreeMap;

#[track_caller]
fn refused(state: &CafeState, e: &Event) -> String {
    match state.check_replayed(e) {
        Ok(()) => panic!("{e:?} was accepted"),
        Err(why) => why,
    }
}

#[test]
fn every_event_of_a_real_session_replays() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let idea = r.cafe.post(r.part, r.board, "Shorter meetings");
    r.cafe.ok(
        r.part,
        Command::EditIdea {
            idea,
            text: "Much shorter meetings".into(),
            category: None,
        },
    );
    r.cafe.ok(r.host, Command::HarvestIdea { idea });
    r.cafe.ok(r.org, Command::StartTimer { duration_secs: 60 });
    r.cafe.now += 10_000;
    r.cafe.ok(r.org, Command::PauseTimer);
    r.cafe.now += 10_000;
    r.cafe.ok(r.org, Command::ResumeTimer);
    r.cafe.ok(r.org, Command::ExtendTimer { secs: 30 });
    r.cafe.ok(r.part, Command::RaiseHand);
    r.cafe.ok(r.fac, Command::CallNextHand);
    let mut replay = CafeState::default();
    for e in &r.cafe.log {
        if let Err(why) = replay.check_replayed(e) {
            panic!("{} refused: {why}", e.kind());
        }
        replay.apply(e);
    }
    assert_eq!(replay, r.cafe.state);
    replay.check_invariants().expect("invariants");
}

/// Exports made before harvests recorded provenance hold copies without it: they still
/// import, and a copy whose provenance differs from the rules' is refused.
#[test]
fn harvested_copies_without_provenance_still_replay() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let idea = r.cafe.post(r.remote, r.vboard, "Old export");
    let before = r.cafe.state.clone();
    let events = r.cafe.ok(r.fac, Command::HarvestIdea { idea });
    let Some(Event::IdeaPosted { idea: copy }) = events.first() else {
        panic!("unexpected {events:?}");
    };
    assert!(copy.provenance.is_some());
    before.check_replayed(&events[0]).expect("as written today");
    let mut old = copy.clone();
    old.provenance = None;
    before
        .check_replayed(&Event::IdeaPosted { idea: old })
        .expect("as written before provenance existed");
    let mut forged = copy.clone();
    if let Some(p) = &mut forged.provenance {
        p.author_name = Some("Someone else".into());
    }
    assert!(before
        .check_replayed(&Event::IdeaPosted { idea: forged })
        .is_err());
    let mut moved = copy.clone();
    moved.provenance = None;
    moved.text = "Not what the table wrote".into();
    assert!(before
        .check_replayed(&Event::IdeaPosted { idea: moved })
        .is_err());
}

#[test]
fn forged_hosts_are_refused() {
    let mut r = Room::new();
    let s = &r.cafe.state;
    // A facilitator as host.
    let why = refused(
        s,
        &Event::TableHostSet {
            table: r.table2,
            host: Some(r.fac),
        },
    );
    assert!(why.contains("facilitators move between tables"), "{why}");
    // One person hosting two tables: the rules would free the first table first.
    let why = refused(
        s,
        &Event::TableHostSet {
            table: r.table2,
            host: Some(r.host),
        },
    );
    assert!(why.contains("another table_host_set"), "{why}");
    // A host without the host role: the rules would give the role first.
    let why = refused(
        s,
        &Event::TableHostSet {
            table: r.table2,
            host: Some(r.part),
        },
    );
    assert!(why.contains("first write role_changed"), "{why}");
    // A remote person hosting an in-room table, even with the host role.
    let role = Event::RoleChanged {
        person: r.remote,
        role: Role::Host,
    };
    r.cafe.state.check_replayed(&role).expect("role change");
    r.cafe.apply_all(&[role]);
    let why = refused(
        &r.cafe.state,
        &Event::TableHostSet {
            table: r.table2,
            host: Some(r.remote),
        },
    );
    assert!(
        why.contains("in-room table needs a host in the room"),
        "{why}"
    );
    // ... while the same person may host the virtual table.
    r.cafe
        .state
        .check_replayed(&Event::TableHostSet {
            table: r.vtable,
            host: Some(r.remote),
        })
        .expect("a remote host at a virtual table");
}

#[test]
fn forged_tallies_over_the_headcount_are_refused() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let a = r.cafe.post(r.part, r.board, "A");
    let b = r.cafe.post(r.part, r.board, "B");
    r.cafe.ok(
        r.host,
        Command::SetTableHeadcount {
            table: r.table,
            headcount: 2,
        },
    );
    r.phase(Phase::Vote);
    let vote = r
        .cafe
        .open_vote(r.board, VoteTarget::Ideas, 3, 2, VoteVisibility::Hidden);
    let tally = |counts: &[(IdeaId, u32)]| Event::TallyEntered {
        vote,
        table: r.table,
        counts: counts.iter().map(|(i, n)| (i.0, *n)).collect(),
    };
    let s = &r.cafe.state;
    // Two people, at most 2 dots each per item: 5 on one item is over the cap.
    assert!(refused(s, &tally(&[(a, 5)])).contains("over_cap"));
    // Two people, 3 dots each: 4 + 4 is over the budget.
    assert!(refused(s, &tally(&[(a, 4), (b, 4)])).contains("over_budget"));
    // A table without a headcount has no tally at all.
    let mut other = tally(&[(a, 1)]);
    if let Event::TallyEntered { table, .. } = &mut other {
        *table = r.table2;
    }
    assert!(refused(s, &other).contains("conflict"));
    // A zero count is never written by the rules.
    refused(s, &tally(&[(a, 0)]));
    s.check_replayed(&tally(&[(a, 4), (b, 2)]))
        .expect("within the limits");
    // Shrinking the table under an entered tally is refused too.
    r.cafe.ok(
        r.host,
        Command::EnterTally {
            vote,
            table: r.table,
            counts: vec![ItemCount { item: a.0, dots: 4 }],
        },
    );
    let why = refused(
        &r.cafe.state,
        &Event::TableHeadcountSet {
            table: r.table,
            headcount: 1,
        },
    );
    assert!(why.contains("conflict"), "{why}");
}

#[test]
fn other_forgeries_are_refused() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let idea = r.cafe.post(r.part, r.board, "Mine");
    let s = &r.cafe.state;
    // Someone else's edit of an idea: the author is whoever posted it.
    let mut posted = (*s.ideas[&idea]).clone();
    posted.id = IdeaId(s.next_id);
    posted.author = Some(r.remote);
    refused(
        s,
        &Event::IdeaPosted {
            idea: posted.clone(),
        },
    );
    // An id that is not the counter's next.
    posted.author = Some(r.part);
    posted.id = IdeaId(s.next_id + 5);
    refused(s, &Event::IdeaPosted { idea: posted });
    // The organiser role cannot move, a second café cannot start.
    refused(
        s,
        &Event::RoleChanged {
            person: r.part,
            role: Role::Organiser,
        },
    );
    let first = r.cafe.log[0].clone();
    assert!(refused(s, &first).contains("exists already"));
    // View-only events never belong in a log.
    refused(
        s,
        &Event::VoteProgress {
            vote: VoteId(1),
            dots_cast: 0,
            voters: 0,
            totals: BTreeMap::new(),
            ballot: None,
            tally: None,
        },
    );
    // Times far outside any clock.
    refused(
        s,
        &Event::HandRaised {
            person: r.part,
            at: i64::MAX,
        },
    );
    // A timer that says it was paused while none runs.
    refused(
        s,
        &Event::TimerChanged {
            timer: Timer::Paused {
                remaining_ms: 1_000,
                duration_ms: 60_000,
            },
            cause: TimerCause::Paused,
        },
    );
}

#[test]
fn huge_ids_are_renumbered_from_the_counter() {
    let c = Cafe::new();
    let mut renumber = Renumber::new();
    let mut log = c.log.clone();
    for e in &mut log {
        renumber.event(e).expect("renumbers");
    }
    assert_eq!(log, c.log, "a log of the rules keeps its ids");
    let next = c.state.next_id;

    let (t, b) = (u64::MAX - 1, u64::MAX);
    let mut created = Event::TableCreated {
        table: Table {
            id: TableId(t),
            name: "Huge".into(),
            kind: TableKind::InRoom,
            board: BoardId(b),
            host: None,
            headcount: 0,
        },
        board: Board {
            id: BoardId(b),
            table: Some(TableId(t)),
            locked: false,
            columns: Vec::new(),
            private: false,
        },
    };
    renumber.event(&mut created).expect("renumbers");
    match &created {
        Event::TableCreated { table, board } => {
            assert_eq!(table.id, TableId(next));
            assert_eq!(board.id, BoardId(next + 1));
            assert_eq!(table.board, board.id);
            assert_eq!(board.table, Some(table.id));
        }
        e => panic!("unexpected {e:?}"),
    }
    c.state
        .check_replayed(&created)
        .expect("the renumbered table is what the rules write");

    // References follow, wherever they sit.
    let mut renamed = Event::TableRenamed {
        table: TableId(t),
        name: "Big".into(),
    };
    renumber.event(&mut renamed).expect("renumbers");
    assert_eq!(
        renamed,
        Event::TableRenamed {
            table: TableId(next),
            name: "Big".into()
        }
    );
    let mut revealed = Event::VoteRevealed {
        vote: VoteId(7),
        totals: BTreeMap::new(),
        tallies: BTreeMap::from([(TableId(t), BTreeMap::new())]),
    };
    assert_eq!(
        renumber.event(&mut revealed),
        Err(IdError::Unknown {
            kind: IdKind::Vote,
            id: 7
        })
    );
    // An id created twice, or used as another kind.
    let mut again = created.clone();
    if let Event::TableCreated { table, board } = &mut again {
        table.id = TableId(t);
        board.id = BoardId(b);
    }
    assert!(matches!(
        renumber.event(&mut again),
        Err(IdError::Reused { id, .. }) if id == t
    ));
    let mut wrong = Event::IdeaHidden {
        idea: IdeaId(b),
        hidden: true,
    };
    assert!(matches!(
        renumber.event(&mut wrong),
        Err(IdError::WrongKind {
            kind: IdKind::Idea,
            actual: IdKind::Board,
            ..
        })
    ));
}

#[test]
fn invariants_refuse_a_counter_behind_its_ids() {
    let mut r = Room::new();
    r.cafe.state.check_invariants().expect("a real café");
    let mut broken = r.cafe.state.clone();
    broken.next_id = 1;
    assert!(broken
        .check_invariants()
        .unwrap_err()
        .contains("not below the counter"));
    let mut broken = r.cafe.state.clone();
    if let Some(t) = broken.tables.get_mut(&r.table2) {
        t.host = Some(r.fac);
    }
    assert!(broken.check_invariants().is_err());
    r.phase(Phase::Ideate);
    let idea = r.cafe.post(r.part, r.board, "x");
    let mut broken = r.cafe.state.clone();
    if let Some(i) = broken.ideas.get_mut(&idea) {
        i.author = Some(PersonId(9_999));
    }
    assert!(broken.check_invariants().is_err());
}

#[test]
fn authorless_ideas_of_old_anonymous_exports_replay_as_a_facilitators() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let idea = r.cafe.post(r.part, r.board, "Old");
    // What an old anonymous export held: the idea without its author.
    if let Some(i) = r.cafe.state.ideas.get_mut(&idea) {
        i.author = None;
    }
    let edit = |text: &str| Event::IdeaEdited {
        idea,
        text: text.into(),
        category: None,
        at: T0,
    };
    let s = &r.cafe.state;
    s.check_replayed(&edit("New"))
        .expect("an edit as a facilitator's");
    assert!(refused(s, &edit("Old")).contains("change nothing"));
    assert!(refused(s, &edit(" New ")).contains("another text"));
    refused(s, &edit(""));
    // Frozen while on an open ballot, like any idea.
    r.phase(Phase::Vote);
    r.cafe
        .open_vote(r.board, VoteTarget::Ideas, 3, 2, VoteVisibility::Hidden);
    assert!(refused(&r.cafe.state, &edit("New")).contains("conflict"));
}

/// Every number in the JSON of `v` (values and numeric map keys).
fn numbers(v: &serde_json::Value, out: &mut Vec<u64>) {
    match v {
        serde_json::Value::Number(n) => out.extend(n.as_u64()),
        serde_json::Value::Array(xs) => xs.iter().for_each(|x| numbers(x, out)),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                out.extend(k.parse::<u64>().ok());
                numbers(x, out);
            }
        }
        _ => {}
    }
}

/// The events with ids in the most places, every id in 10_000.. and every other number
/// (counts, budgets, times) far from that range: `map_ids` must reach each id.
#[test]
fn map_ids_reaches_every_id() {
    let (p, q, t, b, i, j, c, v) = (
        10_001, 10_002, 10_003, 10_004, 10_005, 10_006, 10_007, 10_008,
    );
    let items = |n: u32| BTreeMap::from([(i, n), (c, n)]);
    let tallies = || BTreeMap::from([(TableId(t), items(2))]);
    let person: Person = serde_json::from_value(serde_json::json!({
        "id": p, "name": "P", "role": "participant", "location": "room", "online": false,
        "ready": false, "hand_raised_at": null, "removed": false, "joined_at": 5,
        "visited": [t]
    }))
    .expect("person");
    let mut round: Round = serde_json::from_value(serde_json::json!({
        "number": 1, "prompt": "", "duration_secs": 0, "started_at": 5,
        "assignments": {}
    }))
    .expect("round");
    round.assignments.insert(PersonId(q), TableId(t));
    let idea = Idea {
        id: IdeaId(j),
        board: BoardId(b),
        text: "x".into(),
        category: None,
        author: Some(PersonId(p)),
        table: Some(TableId(t)),
        round: Some(1),
        origin: Location::Room,
        scribed: false,
        hidden: false,
        rejected: false,
        private: false,
        cluster: Some(ClusterId(c)),
        created_at: 5,
        edited_at: None,
        harvested_from: Some(IdeaId(i)),
        provenance: Some(Provenance {
            table: TableId(t),
            table_name: "T".into(),
            round: Some(1),
            author_name: Some("P".into()),
            origin: Location::Remote,
            scribed: false,
            dots: Some(3),
        }),
    };
    let vote = Vote {
        id: VoteId(v),
        boards: vec![BoardId(b)],
        target: VoteTarget::Ideas,
        budget: 3,
        per_item_cap: 2,
        visibility: VoteVisibility::Hidden,
        status: VoteStatus::Open,
        revealed: false,
        items: vec![i, c],
        opened_at: 5,
        dots_cast: 4,
        voters: 1,
        totals: items(2),
        ballots: BTreeMap::from([(PersonId(p), items(1))]),
        tallies: tallies(),
        title: None,
    };
    let events = vec![
        Event::PersonJoined { person },
        Event::RoundStarted { round },
        Event::IdeaPosted { idea },
        Event::VoteOpened { vote },
        Event::TallyEntered {
            vote: VoteId(v),
            table: TableId(t),
            counts: items(3),
        },
        Event::VoteRevealed {
            vote: VoteId(v),
            totals: items(4),
            tallies: tallies(),
        },
        Event::VoteProgress {
            vote: VoteId(v),
            dots_cast: 4,
            voters: 0,
            totals: items(2),
            ballot: Some(Ballot {
                person: PersonId(p),
                dots: items(1),
            }),
            tally: Some(Tally {
                table: TableId(t),
                counts: items(2),
            }),
        },
        Event::DotCast {
            vote: VoteId(v),
            person: PersonId(p),
            item: c,
        },
        Event::ClustersMerged {
            from: ClusterId(c),
            into: ClusterId(c + 100),
        },
    ];
    for mut e in events {
        let kind = e.kind();
        e.map_ids(&mut |_, _, id| Ok(id + 1_000_000)).expect("maps");
        let mut all = Vec::new();
        numbers(&serde_json::to_value(&e).expect("json"), &mut all);
        assert!(
            all.iter().all(|n| !(10_000..1_000_000).contains(n)),
            "{kind}: an id was not visited: {all:?}"
        );
        assert!(all.iter().any(|n| *n > 1_000_000), "{kind}");
    }
}
