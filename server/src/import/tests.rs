//! Imports of forged, damaged and anonymous exports. The export tests (`export/tests.rs`)
//! hold the round trip of a real café; these reuse its scenario.

use super::*;
use crate::export::tests::{doc_of, scenario, try_import, Cafe, NAMES, T0};
use crate::export::{export_json, StoredEvent};
use cafe_shared::limits::IDEA_TEXT_MAX;
use cafe_shared::{
    Board, BoardId, Command, Ctx, IdKind, IdeaId, Location, Mode, Phase, Role, Settings, Table,
    TableId, TableKind,
};
use std::collections::BTreeMap;

/// The scenario's export with `extra` appended at the end of its log.
fn with_events(c: &Cafe, extra: Vec<Event>) -> ExportDoc {
    let mut doc = doc_of(c);
    let last = doc.events.last().map_or(0, |s| s.seq);
    for (seq, event) in (last + 1..).zip(extra) {
        doc.events.push(StoredEvent { seq, at: T0, event });
    }
    doc
}

#[track_caller]
fn refused_as(doc: ExportDoc, want: &str) -> String {
    match try_import(doc) {
        Err(ImportError::InvalidEvent { kind, reason, .. }) => {
            assert_eq!(kind, want, "{reason}");
            reason.to_string()
        }
        other => panic!("expected {want} to be refused, got {other:?}"),
    }
}

fn person_named(state: &CafeState, name: &str) -> PersonId {
    state
        .people
        .values()
        .find(|p| p.name == name)
        .map(|p| p.id)
        .expect("person")
}

#[test]
fn forged_host_events_are_refused() {
    let (c, ids) = scenario(false);
    let s = &c.state;
    let window = ids.table_a;
    let online = s
        .tables
        .values()
        .find(|t| t.kind == TableKind::Virtual)
        .map(|t| t.id)
        .expect("virtual table");
    let hana = person_named(s, NAMES[3]);
    let rita = person_named(s, NAMES[4]);

    // The organiser (a facilitator) as host of the virtual table.
    let why = refused_as(
        with_events(
            &c,
            vec![Event::TableHostSet {
                table: online,
                host: Some(ids.org),
            }],
        ),
        "table_host_set",
    );
    assert!(why.contains("facilitators move between tables"), "{why}");

    // A remote person hosting the in-room table (after a valid role change).
    let why = refused_as(
        with_events(
            &c,
            vec![
                Event::TableHostSet {
                    table: window,
                    host: None,
                },
                Event::RoleChanged {
                    person: rita,
                    role: Role::Host,
                },
                Event::TableHostSet {
                    table: window,
                    host: Some(rita),
                },
            ],
        ),
        "table_host_set",
    );
    assert!(why.contains("in the room"), "{why}");

    // Hana hosting a second in-room table without leaving her first.
    let (t2, b2) = (c.state.next_id, c.state.next_id + 1);
    let why = refused_as(
        with_events(
            &c,
            vec![
                Event::TableCreated {
                    table: Table {
                        id: TableId(t2),
                        name: "Door".into(),
                        kind: TableKind::InRoom,
                        board: BoardId(b2),
                        host: None,
                        headcount: 0,
                    },
                    board: Board {
                        id: BoardId(b2),
                        table: Some(TableId(t2)),
                        locked: false,
                        columns: Vec::new(),
                        private: false,
                    },
                },
                Event::TableHostSet {
                    table: TableId(t2),
                    host: Some(hana),
                },
            ],
        ),
        "table_host_set",
    );
    assert!(why.contains("table_host_set"), "{why}");

    // The same moves the way the rules write them import fine.
    let doc = with_events(
        &c,
        vec![
            Event::TableHostSet {
                table: window,
                host: None,
            },
            Event::RoleChanged {
                person: rita,
                role: Role::Host,
            },
            Event::TableHostSet {
                table: online,
                host: Some(rita),
            },
        ],
    );
    let (_, state) = try_import(doc).expect("valid host moves");
    assert_eq!(state.tables[&online].host, Some(rita));
}

#[test]
fn forged_tallies_over_the_headcount_are_refused() {
    let (c, ids) = scenario(false);
    // The scenario's plenary vote is still open; table A seats 4 (headcount 4), and the
    // plenary vote allows 2 dots per person and 1 per item.
    let copy = c
        .state
        .ideas
        .values()
        .find(|i| i.harvested_from == Some(ids.vpn))
        .map(|i| i.id)
        .expect("harvested copy");
    let tally = |dots: u32| Event::TallyEntered {
        vote: ids.vote_plenary,
        table: ids.table_a,
        counts: BTreeMap::from([(copy.0, dots)]),
    };
    let why = refused_as(with_events(&c, vec![tally(5)]), "tally_entered");
    assert!(why.contains("over_cap"), "{why}");
    // Within the limits it imports.
    try_import(with_events(&c, vec![tally(4)])).expect("4 people, 1 dot each");
    // A table without a headcount takes no tally.
    let mut other = tally(1);
    if let Event::TallyEntered { table, .. } = &mut other {
        *table = c
            .state
            .tables
            .keys()
            .copied()
            .find(|t| *t != ids.table_a)
            .expect("table");
    }
    refused_as(with_events(&c, vec![other]), "tally_entered");
}

/// A café holding only a table whose ids are at the very end of the id space: the export
/// that, imported as it was, made every later join person 0.
fn huge_id_export() -> ExportDoc {
    let mut c = Cafe {
        state: CafeState::default(),
        log: Vec::new(),
        now: T0,
    };
    c.sys(SystemCommand::CreateCafe {
        id: CafeId("huge".into()),
        code: JoinCode::parse("ABCDEF").expect("code"),
        title: "Huge".into(),
        description: String::new(),
        mode: Mode::Hybrid,
        language: Default::default(),
        settings: Settings::default(),
        organiser_name: "Org".into(),
    });
    let (t, b) = (18_446_744_073_709_551_614, 18_446_744_073_709_551_615);
    let forged = Event::TableCreated {
        table: Table {
            id: TableId(t),
            name: "Far away".into(),
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
    let mut doc = doc_of(&c);
    doc.events.push(StoredEvent {
        seq: 3,
        at: T0,
        event: forged,
    });
    doc
}

fn apply(state: &mut CafeState, decided: Result<Vec<Event>, cafe_shared::Rejection>) -> Vec<Event> {
    let events = decided.unwrap_or_else(|r| panic!("refused: {r}"));
    for e in &events {
        state.apply(e);
    }
    events
}

fn run(state: &mut CafeState, actor: PersonId, cmd: Command) -> Vec<Event> {
    let ctx = Ctx {
        actor,
        now: T0,
        seed: 1,
    };
    let decided = state.decide(&ctx, &cmd);
    apply(state, decided)
}

#[test]
fn huge_ids_are_renumbered_and_the_cafe_keeps_working() {
    let (events, mut state) = try_import(huge_id_export()).expect("renumbered");
    state.check_invariants().expect("invariants");
    let plenary = state.plenary.expect("plenary");
    let (&table, t) = state.tables.iter().next().expect("table");
    assert!(table.0 < 10 && t.board.0 < 10, "{table} / {}", t.board);
    assert!(matches!(&events[2], Event::TableCreated { table: tc, .. } if tc.id == table));
    assert!(state.next_id < 10);

    let org = state.organiser().expect("organiser");
    let mut join = |name: &str| {
        let join = SystemCommand::Join {
            name: name.into(),
            role: Role::Participant,
            location: Location::Room,
        };
        let decided = state.decide_system(T0, &join);
        match apply(&mut state, decided).as_slice() {
            [Event::PersonJoined { person }] => person.id,
            other => panic!("unexpected {other:?}"),
        }
    };
    let (a, b) = (join("Ana"), join("Ben"));
    assert_ne!(a, b, "two joins, two people");
    assert_ne!(a, org);
    run(
        &mut state,
        org,
        Command::SetPhase {
            phase: Phase::Ideate,
        },
    );
    for (who, text) in [(a, "First"), (b, "Second")] {
        run(
            &mut state,
            who,
            Command::PostIdea {
                board: plenary,
                text: text.into(),
                category: None,
            },
        );
    }
    let texts: Vec<&str> = state.ideas.values().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, vec!["First", "Second"], "both ideas survive");
    let created = run(
        &mut state,
        org,
        Command::CreateTable {
            name: "New".into(),
            kind: TableKind::Virtual,
        },
    );
    match created.as_slice() {
        [Event::TableCreated { table: t2, board }] => {
            assert_ne!(
                board.id, plenary,
                "a new board never takes the plenary's id"
            );
            assert_ne!(t2.id, table);
            assert_eq!(state.tables.len(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    state.check_invariants().expect("invariants after use");
}

#[test]
fn unknown_and_reused_ids_are_typed_errors() {
    let (c, ids) = scenario(false);
    match try_import(with_events(
        &c,
        vec![Event::IdeaHidden {
            idea: IdeaId(9_999),
            hidden: true,
        }],
    )) {
        Err(ImportError::InvalidEvent {
            reason: Refusal::Ids(IdError::Unknown { kind, id }),
            ..
        }) => assert_eq!((kind, id), (IdKind::Idea, 9_999)),
        other => panic!("unexpected {other:?}"),
    }
    let mut twice = (*c.state.ideas[&ids.laptops]).clone();
    twice.text = "again".into();
    assert!(matches!(
        try_import(with_events(&c, vec![Event::IdeaPosted { idea: twice }])),
        Err(ImportError::InvalidEvent {
            reason: Refusal::Ids(IdError::Reused { .. }),
            ..
        })
    ));
}

#[test]
fn anonymous_imports_keep_authorship_but_no_names() {
    let (c, ids) = scenario(true);
    let doc = export_json(&c.state, &c.log, T0);
    // No name of anyone anywhere in the file: people are "Participant N".
    let text = serde_json::to_string(&doc).expect("json");
    for name in NAMES {
        assert!(!text.contains(name), "{name} in an anonymous export");
    }
    assert!(text.contains("Participant 1"));
    // Authors are kept as ids, so rights survive the import.
    let authors: Vec<Option<PersonId>> = doc
        .events
        .iter()
        .filter_map(|s| match &s.event {
            Event::IdeaPosted { idea } => Some(idea.author),
            _ => None,
        })
        .collect();
    assert!(!authors.is_empty() && authors.iter().all(Option::is_some));

    let (_, mut state) = try_import(doc).expect("import");
    assert_eq!(state.ideas[&ids.meetings].author, Some(ids.ana));
    assert_eq!(state.people[&ids.ana].name, "Participant 2");
    assert!(state.settings().anonymous);

    // The organiser, the one person holding a token for the new café, may still edit their
    // own idea and nobody else's.
    let org = state.organiser().expect("organiser");
    state.phase = Phase::Ideate;
    let mine = state
        .decide(
            &Ctx {
                actor: org,
                now: T0,
                seed: 0,
            },
            &Command::PostIdea {
                board: ids.board_a,
                text: "Organiser's own".into(),
                category: None,
            },
        )
        .expect("post");
    for e in &mine {
        state.apply(e);
    }
    let Some(Event::IdeaPosted { idea: mine }) = mine.first() else {
        panic!("no idea");
    };
    let mut c2 = Cafe {
        state,
        log: Vec::new(),
        now: T0,
    };
    let doc = export_json(&c2.state, &c2.log, T0);
    assert!(doc.events.is_empty());
    c2.cmd(
        org,
        Command::EditIdea {
            idea: mine.id,
            text: "Edited after the import".into(),
            category: None,
        },
    );
    let edit_other = c2.state.decide(
        &Ctx {
            actor: org,
            now: T0,
            seed: 0,
        },
        &Command::EditIdea {
            idea: ids.meetings,
            text: "Not mine".into(),
            category: None,
        },
    );
    assert!(edit_other.is_err(), "the organiser is not Ana");
}

#[test]
fn anonymous_authorship_survives_export_import_export() {
    let (c, ids) = scenario(true);
    let (events, state) = try_import(export_json(&c.state, &c.log, T0)).expect("import");
    let log: Vec<StoredEvent> = events
        .into_iter()
        .enumerate()
        .map(|(i, event)| StoredEvent {
            seq: i as u64 + 1,
            at: T0,
            event,
        })
        .collect();
    let (_, again) = try_import(export_json(&state, &log, T0)).expect("re-import");
    assert_eq!(
        again.ideas, c.state.ideas,
        "authors and ideas as in the original"
    );
    assert_eq!(again.people[&ids.ana].name, "Participant 2");
}

#[test]
fn legacy_anonymous_exports_without_authors_still_import() {
    let (c, ids) = scenario(true);
    let mut doc = export_json(&c.state, &c.log, T0);
    // What exports of anonymous cafés looked like before authorship was kept.
    for s in &mut doc.events {
        if let Event::IdeaPosted { idea } = &mut s.event {
            idea.author = None;
        }
    }
    // ... including an edit of such an idea.
    let last = doc.events.last().map_or(0, |s| s.seq);
    doc.events.push(StoredEvent {
        seq: last + 1,
        at: T0,
        event: Event::IdeaEdited {
            idea: ids.laptops,
            text: "Better laptops, soon".into(),
            category: None,
            at: T0 + 1,
        },
    });
    let (_, state) = try_import(doc).expect("legacy import");
    assert!(state.ideas.values().all(|i| i.author.is_none()));
    assert_eq!(state.ideas[&ids.laptops].text, "Better laptops, soon");
}

#[test]
fn renames_are_left_out_of_anonymous_exports() {
    let (mut c, ids) = scenario(true);
    c.cmd(
        ids.ana,
        Command::Rename {
            name: "Ana Q.".into(),
        },
    );
    let doc = export_json(&c.state, &c.log, T0);
    let text = serde_json::to_string(&doc).expect("json");
    assert!(!text.contains("Ana Q."), "a new name is a name too");
    assert!(!doc
        .events
        .iter()
        .any(|s| matches!(s.event, Event::PersonRenamed { .. })));
    // Only the rename is left out, and the file still imports.
    assert_eq!(doc.events.len(), c.log.len() - 1);
    let (_, state) = try_import(doc).expect("import");
    assert_eq!(state.people[&ids.ana].name, "Participant 2");
    // A named café's export keeps renames as they were.
    let (mut c, ids) = scenario(false);
    c.cmd(
        ids.ana,
        Command::Rename {
            name: "Ana Q.".into(),
        },
    );
    let (_, state) = try_import(export_json(&c.state, &c.log, T0)).expect("import");
    assert_eq!(state.people[&ids.ana].name, "Ana Q.");
}

#[test]
fn import_rejects_wrong_format_and_version() {
    let (c, _) = scenario(false);
    let mut doc = doc_of(&c);
    doc.format = "trello-board".into();
    assert_eq!(
        try_import(doc).unwrap_err(),
        ImportError::WrongFormat {
            found: "trello-board".into()
        }
    );
    let mut doc = doc_of(&c);
    doc.version = 2;
    let err = try_import(doc).unwrap_err();
    assert_eq!(err, ImportError::UnsupportedVersion { found: 2 });
    assert_eq!(err.code(), ErrorCode::Invalid);

    // A future version with another shape is "unsupported", not "malformed".
    let future = br#"{"format":"innovation-cafe-export","version":2,"everything":"new"}"#;
    assert_eq!(
        parse_export(future).unwrap_err(),
        ImportError::UnsupportedVersion { found: 2 }
    );
    let err = parse_export(b"{not json").unwrap_err();
    assert!(matches!(err, ImportError::Malformed(_)));
    assert_eq!(err.code(), ErrorCode::Malformed);
    let err = parse_export(&vec![b' '; MAX_IMPORT_BYTES + 1]).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { .. }));
    assert_eq!(err.code(), ErrorCode::TooLarge);

    let mut doc = doc_of(&c);
    doc.events.clear();
    assert_eq!(try_import(doc).unwrap_err(), ImportError::Empty);
}

#[test]
fn import_rejects_events_that_do_not_replay() {
    let (c, ids) = scenario(false);
    let next_seq = c.log.len() as u64 + 1;

    // A second cafe_created.
    let mut doc = doc_of(&c);
    let first = doc.events[0].event.clone();
    doc.events.push(StoredEvent {
        seq: next_seq,
        at: T0,
        event: first,
    });
    match try_import(doc).unwrap_err() {
        ImportError::InvalidEvent { seq, kind, .. } => {
            assert_eq!(seq, next_seq);
            assert_eq!(kind, "cafe_created");
        }
        e => panic!("unexpected {e:?}"),
    }

    // A log that does not start with cafe_created.
    let mut doc = doc_of(&c);
    doc.events.remove(0);
    assert!(matches!(
        try_import(doc).unwrap_err(),
        ImportError::InvalidEvent {
            kind: "person_joined",
            ..
        }
    ));

    // Out-of-order seq.
    let mut doc = doc_of(&c);
    doc.events[3].seq = 2;
    assert!(matches!(
        try_import(doc).unwrap_err(),
        ImportError::InvalidEvent { seq: 2, .. }
    ));

    // A reference to something that does not exist.
    refused_as(
        with_events(
            &c,
            vec![Event::IdeaHidden {
                idea: IdeaId(9_999),
                hidden: true,
            }],
        ),
        "idea_hidden",
    );

    // Forged totals in a reveal.
    let mut doc = doc_of(&c);
    for s in &mut doc.events {
        if let Event::VoteRevealed { totals, .. } = &mut s.event {
            totals.insert(ids.meetings.0, 99);
        }
    }
    assert!(matches!(
        try_import(doc).unwrap_err(),
        ImportError::InvalidEvent {
            kind: "vote_revealed",
            ..
        }
    ));

    // A dot beyond the budget (Ana already used all 3).
    let mut doc = doc_of(&c);
    let pos = doc
        .events
        .iter()
        .position(|s| matches!(s.event, Event::VoteRevealed { .. }))
        .expect("reveal");
    doc.events.insert(
        pos,
        StoredEvent {
            seq: doc.events[pos - 1].seq,
            at: T0,
            event: Event::DotCast {
                vote: ids.vote_a,
                person: ids.ana,
                item: ids.formula.0,
            },
        },
    );
    for (i, s) in doc.events.iter_mut().enumerate() {
        s.seq = i as u64 + 1;
    }
    assert!(matches!(
        try_import(doc).unwrap_err(),
        ImportError::InvalidEvent {
            kind: "dot_cast",
            ..
        }
    ));

    // View-only events never belong in a log.
    refused_as(
        with_events(
            &c,
            vec![Event::VoteProgress {
                vote: ids.vote_a,
                dots_cast: 0,
                voters: 0,
                totals: BTreeMap::new(),
                ballot: None,
                tally: None,
            }],
        ),
        "vote_progress",
    );

    // An id reused for a new entity.
    let mut idea = (*c.state.ideas[&ids.laptops]).clone();
    idea.text = "dup".into();
    refused_as(
        with_events(&c, vec![Event::IdeaPosted { idea }]),
        "idea_posted",
    );

    // Text the rules would never accept.
    refused_as(
        with_events(
            &c,
            vec![Event::IdeaEdited {
                idea: ids.vpn,
                text: "x".repeat(IDEA_TEXT_MAX + 1),
                category: None,
                at: T0,
            }],
        ),
        "idea_edited",
    );
    let _ = (ids.org, ids.board_b, ids.vote_b, ids.vote_plenary);
}
