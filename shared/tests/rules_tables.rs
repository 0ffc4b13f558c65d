//! Tables, hosts, headcounts, rounds and the World Café shuffle.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

#[test]
fn create_and_rename_tables() {
    let mut r = Room::new();
    let create = |name: &str| Command::CreateTable {
        name: name.into(),
        kind: TableKind::Virtual,
    };
    for p in [r.host, r.part, r.remote] {
        r.cafe.rejects(p, create("Mine"), ErrorCode::Forbidden);
        r.cafe.rejects(
            p,
            Command::RenameTable {
                table: r.table,
                name: "x".into(),
            },
            ErrorCode::Forbidden,
        );
    }
    r.cafe.rejects(r.fac, create(" "), ErrorCode::TooShort);
    r.cafe.rejects(
        r.fac,
        create(&"t".repeat(limits::TABLE_NAME_MAX + 1)),
        ErrorCode::TooLong,
    );
    // Tables can be made in every open phase.
    for phase in [
        Phase::Lobby,
        Phase::Ideate,
        Phase::Group,
        Phase::Vote,
        Phase::Results,
    ] {
        r.phase(phase);
        let (t, b) = r.cafe.table(" Breakout ", TableKind::Virtual);
        let table = &r.cafe.state.tables[&t];
        assert_eq!(
            (table.name.as_str(), table.kind, table.board, table.host),
            ("Breakout", TableKind::Virtual, b, None)
        );
        assert_eq!(r.cafe.state.boards[&b].table, Some(t));
    }
    r.cafe.ok(
        r.fac,
        Command::RenameTable {
            table: r.table,
            name: "Window".into(),
        },
    );
    assert_eq!(r.cafe.state.tables[&r.table].name, "Window");
    r.cafe.rejects(
        r.fac,
        Command::RenameTable {
            table: TableId(999),
            name: "x".into(),
        },
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.fac,
        Command::RenameTable {
            table: r.table,
            name: "".into(),
        },
        ErrorCode::TooShort,
    );
    r.cafe.assert_replays();
}

#[test]
fn table_limit() {
    let mut c = Cafe::new();
    for i in 0..limits::TABLES_PER_CAFE_MAX {
        c.table(&format!("T{i}"), TableKind::InRoom);
    }
    let org = c.org;
    c.rejects(
        org,
        Command::CreateTable {
            name: "one too many".into(),
            kind: TableKind::InRoom,
        },
        ErrorCode::LimitReached,
    );
}

#[test]
fn set_table_host() {
    let mut r = Room::new();
    let host = |table, person| Command::SetTableHost { table, person };
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, host(r.table2, Some(p)), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.fac, host(TableId(999), Some(r.part)), ErrorCode::NotFound);
    r.cafe.rejects(
        r.fac,
        host(r.table2, Some(PersonId(999))),
        ErrorCode::NotFound,
    );
    r.cafe
        .rejects(r.fac, host(r.table2, Some(r.fac)), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, host(r.table2, Some(r.remote)), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, host(r.vtable, Some(r.part)), ErrorCode::Invalid);
    r.cafe.noop(r.fac, host(r.table, Some(r.host)));
    r.cafe.noop(r.fac, host(r.table2, None));
    // Promotes a participant, and seats them at their table for the current round.
    let ev = r.cafe.ok(r.fac, host(r.table2, Some(r.other)));
    assert_eq!(
        ev,
        vec![
            Event::RoleChanged {
                person: r.other,
                role: Role::Host
            },
            Event::TableHostSet {
                table: r.table2,
                host: Some(r.other)
            }
        ]
    );
    assert_eq!(r.cafe.state.table_of(r.other), Some(r.table2));
    // Moving a host frees their old table first.
    let ev = r.cafe.ok(r.fac, host(r.table2, Some(r.host)));
    assert_eq!(
        ev,
        vec![
            Event::TableHostSet {
                table: r.table,
                host: None
            },
            Event::TableHostSet {
                table: r.table2,
                host: Some(r.host)
            }
        ]
    );
    assert_eq!(r.cafe.state.tables[&r.table].host, None);
    assert_eq!(r.cafe.state.table_of(r.host), Some(r.table2));
    assert!(r.cafe.person(r.host).visited.contains(&r.table2));
    r.cafe.ok(r.org, host(r.table2, None));
    assert_eq!(r.cafe.state.tables[&r.table2].host, None);
    r.cafe.assert_replays();
}

#[test]
fn set_table_headcount() {
    let mut r = Room::new();
    let hc = |table, headcount| Command::SetTableHeadcount { table, headcount };
    r.cafe.ok(r.host, hc(r.table, 6));
    assert_eq!(r.cafe.state.tables[&r.table].headcount, 6);
    r.cafe.ok(r.fac, hc(r.table2, 4));
    r.cafe.ok(r.org, hc(r.vtable, 0));
    // The host of another table and travellers may not.
    r.cafe
        .rejects(r.host, hc(r.table2, 3), ErrorCode::Forbidden);
    r.cafe.rejects(r.part, hc(r.table, 3), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.remote, hc(r.vtable, 3), ErrorCode::Forbidden);
    r.cafe.rejects(
        r.host,
        hc(r.table, limits::TABLE_HEADCOUNT_MAX + 1),
        ErrorCode::Invalid,
    );
    r.cafe.ok(r.host, hc(r.table, limits::TABLE_HEADCOUNT_MAX));
    r.cafe
        .rejects(r.fac, hc(TableId(999), 3), ErrorCode::NotFound);
}

#[test]
fn start_round_rules() {
    let mut r = Room::new();
    let start = |secs, assignment| Command::StartRound {
        prompt: "Next".into(),
        duration_secs: secs,
        assignment,
    };
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, start(0, Assignment::Keep), ErrorCode::Forbidden);
    }
    for phase in [Phase::Vote, Phase::Results] {
        r.phase(phase);
        r.cafe.rejects(
            r.fac,
            start(0, Assignment::Keep),
            ErrorCode::NotAllowedInPhase,
        );
    }
    for phase in [Phase::Lobby, Phase::Ideate, Phase::Group] {
        r.phase(phase);
        r.cafe.ok(r.fac, start(0, Assignment::Keep));
    }
    r.cafe.rejects(
        r.fac,
        start(limits::TIMER_MIN_SECS - 1, Assignment::Keep),
        ErrorCode::Invalid,
    );
    r.cafe.rejects(
        r.fac,
        Command::StartRound {
            prompt: "p".repeat(limits::ROUND_PROMPT_MAX + 1),
            duration_secs: 0,
            assignment: Assignment::Keep,
        },
        ErrorCode::TooLong,
    );
    // A round with a duration starts the timer too.
    r.cafe.now = T0 + 1_000;
    let ev = r.cafe.ok(r.fac, start(600, Assignment::Keep));
    assert_eq!(ev.len(), 2);
    assert_eq!(
        r.cafe.state.timer,
        Timer::Running {
            ends_at: T0 + 601_000,
            duration_ms: 600_000
        }
    );
    let round = r.cafe.state.current_round().expect("round").clone();
    assert_eq!(round.number, 5);
    assert_eq!(round.started_at, T0 + 1_000);
    // Keep: everyone where they were, hosts at their tables.
    assert_eq!(round.assignments[&r.part], r.table);
    assert_eq!(round.assignments[&r.host], r.table);
    assert_eq!(round.assignments[&r.remote], r.vtable);
    // Manual seating is checked.
    let seat = |person, table| Seat { person, table };
    r.cafe.rejects(
        r.fac,
        start(
            0,
            Assignment::Manual {
                seats: vec![seat(r.part, r.table2), seat(r.part, r.table)],
            },
        ),
        ErrorCode::Invalid,
    );
    r.cafe.rejects(
        r.fac,
        start(
            0,
            Assignment::Manual {
                seats: vec![seat(r.part, r.vtable)],
            },
        ),
        ErrorCode::Invalid,
    );
    r.cafe.rejects(
        r.fac,
        start(
            0,
            Assignment::Manual {
                seats: vec![seat(PersonId(999), r.table)],
            },
        ),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.fac,
        start(
            0,
            Assignment::Manual {
                seats: vec![seat(r.part, TableId(999))],
            },
        ),
        ErrorCode::NotFound,
    );
    // A host stays at their table: seating them elsewhere is refused.
    r.cafe.rejects(
        r.fac,
        start(
            0,
            Assignment::Manual {
                seats: vec![seat(r.host, r.table2)],
            },
        ),
        ErrorCode::Conflict,
    );
    r.cafe.ok(
        r.fac,
        start(
            0,
            Assignment::Manual {
                seats: vec![seat(r.part, r.table2), seat(r.host, r.table)],
            },
        ),
    );
    let round = r.cafe.state.current_round().expect("round");
    assert_eq!(round.assignments[&r.part], r.table2);
    assert_eq!(
        round.assignments[&r.other], r.table2,
        "unlisted people keep"
    );
    r.cafe.assert_replays();
}

#[test]
fn start_round_needs_tables_and_stops_at_limit() {
    let mut c = Cafe::new();
    let org = c.org;
    let start = Command::StartRound {
        prompt: String::new(),
        duration_secs: 0,
        assignment: Assignment::Shuffle,
    };
    c.rejects(org, start.clone(), ErrorCode::Conflict);
    c.table("T", TableKind::InRoom);
    for _ in 0..limits::ROUNDS_PER_CAFE_MAX {
        c.ok(org, start.clone());
    }
    c.rejects(org, start, ErrorCode::LimitReached);
}

#[test]
fn assign_table() {
    let mut c = Cafe::new();
    let org = c.org;
    let (t, _) = c.table("T", TableKind::InRoom);
    let (v, _) = c.table("V", TableKind::Virtual);
    let ana = c.join("Ana", Role::Participant, Location::Room);
    let assign = |person, table| Command::AssignTable { person, table };
    c.rejects(org, assign(ana, t), ErrorCode::Conflict);
    c.ok(
        org,
        Command::StartRound {
            prompt: String::new(),
            duration_secs: 0,
            assignment: Assignment::Keep,
        },
    );
    c.rejects(ana, assign(ana, t), ErrorCode::Forbidden);
    c.rejects(org, assign(ana, v), ErrorCode::Invalid);
    c.rejects(org, assign(PersonId(999), t), ErrorCode::NotFound);
    c.rejects(org, assign(ana, TableId(999)), ErrorCode::NotFound);
    c.ok(org, assign(ana, t));
    assert_eq!(c.state.table_of(ana), Some(t));
    assert!(c.person(ana).visited.contains(&t));
    let hiro = c.join("Hiro", Role::Participant, Location::Room);
    c.ok(
        org,
        Command::SetTableHost {
            table: t,
            person: Some(hiro),
        },
    );
    c.rejects(org, assign(hiro, t), ErrorCode::Conflict);
    c.assert_replays();
}

/// Builds a hybrid café: `rooms` in-room tables, `virt` virtual tables, one host per in-room
/// table, `n_room` and `n_remote` travellers.
fn shuffle_cafe(rooms: usize, virt: usize, n_room: usize, n_remote: usize) -> Cafe {
    let mut c = Cafe::new();
    let org = c.org;
    for i in 0..rooms {
        let (t, _) = c.table(&format!("R{i}"), TableKind::InRoom);
        let h = c.join(&format!("host{i}"), Role::Participant, Location::Room);
        c.ok(
            org,
            Command::SetTableHost {
                table: t,
                person: Some(h),
            },
        );
    }
    for i in 0..virt {
        c.table(&format!("V{i}"), TableKind::Virtual);
    }
    for i in 0..n_room {
        c.join(&format!("room{i}"), Role::Participant, Location::Room);
    }
    for i in 0..n_remote {
        c.join(&format!("remote{i}"), Role::Participant, Location::Remote);
    }
    // A facilitator never travels.
    c.join("fac", Role::Facilitator, Location::Room);
    c
}

#[test]
fn shuffle_rounds_follow_the_rules() {
    for (rooms, virt, n_room, n_remote) in [(3, 2, 9, 4), (4, 1, 13, 3), (2, 0, 7, 2), (5, 3, 5, 7)]
    {
        for seed in 0..4u64 {
            let mut c = shuffle_cafe(rooms, virt, n_room, n_remote);
            c.seed = seed;
            let org = c.org;
            for round in 0..(rooms.max(virt) + 2) {
                let before = c.state.clone();
                c.ok(
                    org,
                    Command::StartRound {
                        prompt: format!("round {round}"),
                        duration_secs: 0,
                        assignment: Assignment::Shuffle,
                    },
                );
                check_shuffle(&before, &c.state);
                c.seed = shuffle::mix(c.seed);
            }
            c.assert_replays();
        }
    }
}

#[test]
fn shuffle_visits_every_table_before_repeating() {
    // 3 tables, 6 travellers: three rounds seat everyone at each table exactly once.
    let mut c = shuffle_cafe(0, 0, 6, 0);
    for i in 0..3 {
        c.table(&format!("T{i}"), TableKind::InRoom);
    }
    let org = c.org;
    for round in 0..3 {
        c.seed = round;
        c.ok(
            org,
            Command::StartRound {
                prompt: String::new(),
                duration_secs: 0,
                assignment: Assignment::Shuffle,
            },
        );
    }
    for p in c
        .state
        .active_people()
        .filter(|p| p.role == Role::Participant)
    {
        assert_eq!(p.visited.len(), 3, "{} visited {:?}", p.name, p.visited);
    }
}

#[test]
fn shuffle_is_deterministic_and_skips_removed() {
    let c = shuffle_cafe(2, 1, 6, 2);
    assert_eq!(shuffle::shuffle(&c.state, 7), shuffle::shuffle(&c.state, 7));
    let mut c = c;
    let org = c.org;
    let victim = c
        .state
        .active_people()
        .find(|p| p.name == "room0")
        .expect("room0")
        .id;
    c.ok(org, Command::RemovePerson { person: victim });
    let seats = shuffle::shuffle(&c.state, 7);
    assert!(!seats.contains_key(&victim));
    assert_eq!(shuffle::capacity(7, 3), 3);
    assert_eq!(shuffle::capacity(6, 3), 2);
    assert_eq!(shuffle::capacity(5, 0), 0);
}
