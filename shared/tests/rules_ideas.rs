//! Ideas, boards, moderation, harvest and columns (themes: rules_themes.rs).

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

fn post_in(board: BoardId, text: &str, category: &str) -> Command {
    Command::PostIdea {
        board,
        text: text.into(),
        category: Some(category.into()),
    }
}

fn edit(idea: IdeaId, text: &str) -> Command {
    Command::EditIdea {
        idea,
        text: text.into(),
        category: None,
    }
}

#[test]
fn post_idea_by_role_and_phase() {
    let mut r = Room::new();
    // Ideate: everyone, on the plenary and on their own table's board.
    r.phase(Phase::Ideate);
    for p in r.everyone() {
        r.cafe.post(p, r.plenary, "plenary idea");
    }
    r.cafe.post(r.host, r.board, "scribed");
    r.cafe.post(r.part, r.board, "at my table");
    r.cafe.post(r.remote, r.vboard, "online");
    r.cafe.post(r.fac, r.board2, "facilitators write anywhere");
    r.cafe
        .rejects(r.part, post(r.board2, "x"), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.remote, post(r.board, "x"), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.host, post(r.board2, "x"), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.part, post(BoardId(999), "x"), ErrorCode::NotFound);
    // Group: facilitators and the board's host only.
    r.phase(Phase::Group);
    r.cafe.post(r.fac, r.plenary, "late");
    r.cafe.post(r.host, r.board, "late scribe");
    r.cafe
        .rejects(r.host, post(r.plenary, "x"), ErrorCode::NotAllowedInPhase);
    for p in [r.part, r.remote, r.other] {
        r.cafe
            .rejects(p, post(r.plenary, "x"), ErrorCode::NotAllowedInPhase);
    }
    // Lobby, vote, results: facilitators only.
    for phase in [Phase::Lobby, Phase::Vote, Phase::Results] {
        r.phase(phase);
        r.cafe.post(r.org, r.plenary, "seed idea");
        for p in [r.host, r.part, r.remote] {
            r.cafe
                .rejects(p, post(r.plenary, "x"), ErrorCode::NotAllowedInPhase);
        }
    }
    r.phase(Phase::Closed);
    r.cafe
        .rejects(r.org, post(r.plenary, "x"), ErrorCode::NotAllowedInPhase);
    r.cafe.assert_replays();
}

#[test]
fn posted_idea_fields_and_text_rules() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    r.cafe.now = T0 + 77;
    let id = r
        .cafe
        .post(r.host, r.board, "  Four-day week \r\n for all  ");
    let i = r.cafe.state.ideas[&id].clone();
    assert_eq!(i.text, "Four-day week \n for all");
    assert_eq!(i.author, Some(r.host));
    assert_eq!(i.table, Some(r.table));
    assert_eq!(i.round, Some(1));
    assert_eq!(i.origin, Location::Room);
    assert!(i.scribed, "a host typing on their table's board scribes");
    assert!(!i.hidden);
    assert_eq!(i.created_at, T0 + 77);
    let j = r.cafe.post(r.remote, r.vboard, "x");
    let j = &r.cafe.state.ideas[&j];
    assert_eq!((j.origin, j.scribed), (Location::Remote, false));
    r.cafe
        .rejects(r.part, post(r.board, " \n "), ErrorCode::TooShort);
    r.cafe.rejects(
        r.part,
        post(r.board, &"é".repeat(limits::IDEA_TEXT_MAX + 1)),
        ErrorCode::TooLong,
    );
    r.cafe
        .post(r.part, r.board, &"é".repeat(limits::IDEA_TEXT_MAX));
    r.cafe
        .rejects(r.part, post(r.board, "bell\u{7}"), ErrorCode::Invalid);
    r.cafe.rejects(
        r.part,
        post_in(r.board, "x", &"c".repeat(limits::CATEGORY_MAX + 1)),
        ErrorCode::TooLong,
    );
    // A blank category is no category.
    let k = r.cafe.ok(r.part, post_in(r.board, "x", "  "));
    assert_eq!(
        r.cafe.state.ideas[&posted(&k)].category,
        None,
        "blank category"
    );
}

#[test]
fn locked_board() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let lock = |board, locked| Command::LockBoard { board, locked };
    for p in [r.host, r.part, r.remote] {
        r.cafe.rejects(p, lock(r.board, true), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.fac, lock(BoardId(999), true), ErrorCode::NotFound);
    let mine = r.cafe.post(r.part, r.board, "mine");
    r.cafe.ok(r.fac, lock(r.board, true));
    r.cafe.noop(r.fac, lock(r.board, true));
    assert!(r.cafe.state.boards[&r.board].locked);
    r.cafe
        .rejects(r.part, post(r.board, "x"), ErrorCode::BoardLocked);
    r.cafe
        .rejects(r.host, post(r.board, "x"), ErrorCode::BoardLocked);
    r.cafe
        .rejects(r.part, edit(mine, "changed"), ErrorCode::BoardLocked);
    r.cafe.rejects(
        r.part,
        Command::DeleteIdea { idea: mine },
        ErrorCode::BoardLocked,
    );
    // Facilitators still write on a locked board.
    r.cafe.post(r.fac, r.board, "facilitator");
    r.cafe.ok(r.org, lock(r.board, false));
    r.cafe.post(r.part, r.board, "open again");
    r.cafe.assert_replays();
}

#[test]
fn board_columns() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let cols = |board, columns: &[&str]| Command::SetBoardColumns {
        board,
        columns: columns.iter().map(|c| c.to_string()).collect(),
    };
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, cols(r.plenary, &["a"]), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.fac, cols(BoardId(999), &["a"]), ErrorCode::NotFound);
    r.cafe
        .rejects(r.fac, cols(r.plenary, &["a", " a "]), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, cols(r.plenary, &["a", ""]), ErrorCode::TooShort);
    r.cafe.rejects(
        r.fac,
        cols(r.plenary, &[&"c".repeat(limits::CATEGORY_MAX + 1)]),
        ErrorCode::TooLong,
    );
    let nine: Vec<String> = (0..=limits::BOARD_COLUMNS_MAX)
        .map(|i| format!("c{i}"))
        .collect();
    let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
    r.cafe
        .rejects(r.fac, cols(r.plenary, &nine), ErrorCode::LimitReached);
    r.cafe
        .ok(r.fac, cols(r.plenary, &[" Keep ", "Change", "Stop"]));
    assert_eq!(
        r.cafe.state.boards[&r.plenary].columns,
        vec!["Keep", "Change", "Stop"]
    );
    // With columns, every idea needs one of them.
    r.cafe
        .rejects(r.part, post(r.plenary, "x"), ErrorCode::Invalid);
    r.cafe
        .rejects(r.part, post_in(r.plenary, "x", "Other"), ErrorCode::Invalid);
    let i = posted(&r.cafe.ok(r.part, post_in(r.plenary, "x", "Keep")));
    r.cafe.rejects(r.part, edit(i, "y"), ErrorCode::Invalid);
    r.cafe.ok(
        r.part,
        Command::EditIdea {
            idea: i,
            text: "y".into(),
            category: Some("Stop".into()),
        },
    );
    assert_eq!(r.cafe.state.ideas[&i].category.as_deref(), Some("Stop"));
    r.cafe.ok(r.fac, cols(r.plenary, &[]));
    r.cafe.post(r.part, r.plenary, "free again");
    r.cafe.assert_replays();
}

#[test]
fn edit_idea() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let mine = r.cafe.post(r.part, r.board, "first");
    r.cafe.now = T0 + 500;
    r.cafe.ok(r.part, edit(mine, "second"));
    let i = &r.cafe.state.ideas[&mine];
    assert_eq!((i.text.as_str(), i.edited_at), ("second", Some(T0 + 500)));
    r.cafe.noop(r.part, edit(mine, " second "));
    // Nobody edits another person's words, not even a facilitator.
    for p in [r.org, r.fac, r.host, r.remote] {
        r.cafe
            .rejects(p, edit(mine, "theirs"), ErrorCode::Forbidden);
    }
    r.cafe.rejects(r.part, edit(mine, ""), ErrorCode::TooShort);
    r.cafe.rejects(
        r.part,
        edit(mine, &"x".repeat(limits::IDEA_TEXT_MAX + 1)),
        ErrorCode::TooLong,
    );
    r.cafe
        .rejects(r.part, edit(IdeaId(999), "x"), ErrorCode::NotFound);
    r.phase(Phase::Group);
    r.cafe.ok(r.part, edit(mine, "third"));
    for phase in [Phase::Lobby, Phase::Vote, Phase::Results] {
        r.phase(phase);
        r.cafe
            .rejects(r.part, edit(mine, "late"), ErrorCode::NotAllowedInPhase);
    }
    // A facilitator edits their own idea in any open phase.
    let f = r.cafe.post(r.fac, r.plenary, "fac idea");
    r.cafe.ok(r.fac, edit(f, "fac idea, edited"));
    // Moving seats: the author cannot edit on a table they left.
    r.phase(Phase::Ideate);
    r.cafe.ok(
        r.fac,
        Command::AssignTable {
            person: r.part,
            table: r.table2,
        },
    );
    r.cafe
        .rejects(r.part, edit(mine, "x"), ErrorCode::Forbidden);
    r.cafe.assert_replays();
}

#[test]
fn delete_idea() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let del = |idea| Command::DeleteIdea { idea };
    let mine = r.cafe.post(r.part, r.board, "mine");
    let other = r.cafe.post(r.host, r.board, "host's");
    for p in [r.host, r.remote, r.other] {
        r.cafe.rejects(p, del(mine), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.part, del(IdeaId(999)), ErrorCode::NotFound);
    r.cafe.ok(r.part, del(mine));
    assert!(!r.cafe.state.ideas.contains_key(&mine));
    r.cafe.rejects(r.part, del(mine), ErrorCode::NotFound);
    let mine = r.cafe.post(r.part, r.board, "again");
    for phase in [Phase::Lobby, Phase::Vote, Phase::Results] {
        r.phase(phase);
        r.cafe
            .rejects(r.part, del(mine), ErrorCode::NotAllowedInPhase);
    }
    // Facilitators delete anything in any open phase.
    r.cafe.ok(r.fac, del(other));
    r.cafe.ok(r.org, del(mine));
    r.phase(Phase::Group);
    let g = r.cafe.post(r.host, r.board, "in group");
    r.cafe.ok(r.host, del(g));
    r.cafe.assert_replays();
}

#[test]
fn moderation_hides_participant_ideas() {
    let mut r = Room::with_settings(Settings {
        moderation: true,
        ..Settings::default()
    });
    r.phase(Phase::Ideate);
    let p = r.cafe.post(r.part, r.plenary, "needs approval");
    let f = r.cafe.post(r.fac, r.plenary, "facilitator");
    let h = r.cafe.post(r.host, r.board, "scribed");
    assert!(r.cafe.state.ideas[&p].hidden);
    assert!(r.cafe.state.ideas[&h].hidden);
    assert!(!r.cafe.state.ideas[&f].hidden);
    // Views: hidden ideas are for facilitators and their author only.
    let public = r.cafe.state.view(Audience::Public);
    assert!(!public.ideas.contains_key(&p) && public.ideas.contains_key(&f));
    assert!(r
        .cafe
        .state
        .view(Audience::Facilitator)
        .ideas
        .contains_key(&p));
    assert!(r
        .cafe
        .state
        .view(Audience::Person(r.part))
        .ideas
        .contains_key(&p));
    assert!(!r
        .cafe
        .state
        .view(Audience::Person(r.remote))
        .ideas
        .contains_key(&p));
    // The author can still edit and delete it; others cannot even find it.
    r.cafe.ok(r.part, edit(p, "needs approval!"));
    r.cafe.rejects(r.other, edit(p, "x"), ErrorCode::NotFound);
    r.cafe.rejects(
        r.other,
        Command::DeleteIdea { idea: p },
        ErrorCode::NotFound,
    );
    let hide = |idea, hidden| Command::HideIdea { idea, hidden };
    for who in [r.host, r.part, r.remote] {
        r.cafe.rejects(who, hide(p, false), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.fac, hide(IdeaId(999), false), ErrorCode::NotFound);
    r.cafe.ok(r.fac, hide(p, false));
    r.cafe.noop(r.fac, hide(p, false));
    assert!(r.cafe.state.view(Audience::Public).ideas.contains_key(&p));
    r.cafe.ok(r.org, hide(f, true));
    assert!(!r.cafe.state.view(Audience::Public).ideas.contains_key(&f));
    // Hiding works in every open phase.
    r.phase(Phase::Results);
    r.cafe.ok(r.org, hide(f, false));
    r.cafe.assert_replays();
}

#[test]
fn anonymous_cafe_hides_authors() {
    let mut r = Room::with_settings(Settings {
        anonymous: true,
        ..Settings::default()
    });
    r.phase(Phase::Ideate);
    let p = r.cafe.post(r.part, r.plenary, "anonymous");
    // The state keeps the author (they may edit); views strip it for all but the author.
    assert_eq!(r.cafe.state.ideas[&p].author, Some(r.part));
    for a in [
        Audience::Public,
        Audience::Facilitator,
        Audience::Person(r.fac),
        Audience::Person(r.remote),
    ] {
        assert_eq!(r.cafe.state.view(a).ideas[&p].author, None, "{a:?}");
    }
    assert_eq!(
        r.cafe.state.view(Audience::Person(r.part)).ideas[&p].author,
        Some(r.part)
    );
    // So the author's snapshot is their own; the server must not share the public one.
    assert!(!r.cafe.state.view_is_public(r.part));
    assert!(r.cafe.state.view_is_public(r.remote));
    r.cafe.ok(r.part, edit(p, "still mine"));
}

#[test]
fn harvest_to_plenary() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let harvest = |idea| Command::HarvestIdea { idea };
    let at_table = r.cafe.post(r.part, r.board, "worth sharing");
    let at_table2 = r.cafe.post(r.other, r.board2, "elsewhere");
    let on_plenary = r.cafe.post(r.part, r.plenary, "already there");
    r.cafe
        .rejects(r.part, harvest(at_table), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.host, harvest(at_table2), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.fac, harvest(IdeaId(999)), ErrorCode::NotFound);
    r.cafe
        .rejects(r.fac, harvest(on_plenary), ErrorCode::Invalid);
    r.cafe.now = T0 + 9;
    let copy = posted(&r.cafe.ok(r.host, harvest(at_table)));
    let c = &r.cafe.state.ideas[&copy];
    let o = &r.cafe.state.ideas[&at_table];
    assert_eq!(c.board, r.plenary);
    assert_eq!(c.harvested_from, Some(at_table));
    assert_eq!(
        (c.text.as_str(), c.author, c.table),
        (o.text.as_str(), o.author, o.table)
    );
    assert_eq!((c.cluster, c.created_at, c.hidden), (None, T0 + 9, false));
    r.cafe
        .rejects(r.fac, harvest(at_table), ErrorCode::Conflict);
    r.cafe.ok(r.fac, harvest(at_table2));
    // Harvesting works in any open phase (e.g. during results).
    let late = r.cafe.post(r.host, r.board, "late");
    r.phase(Phase::Results);
    r.cafe.ok(r.fac, harvest(late));
    r.cafe.assert_replays();
}

#[test]
fn harvest_of_hidden_idea() {
    let mut r = Room::with_settings(Settings {
        moderation: true,
        ..Settings::default()
    });
    r.phase(Phase::Ideate);
    let hidden = r.cafe.post(r.part, r.board, "pending");
    let own = r.cafe.post(r.host, r.board, "host pending");
    r.cafe.rejects(
        r.fac,
        Command::HarvestIdea { idea: hidden },
        ErrorCode::Conflict,
    );
    r.cafe.rejects(
        r.host,
        Command::HarvestIdea { idea: own },
        ErrorCode::Conflict,
    );
    // The host must not learn that someone else's hidden idea exists.
    r.cafe.rejects(
        r.host,
        Command::HarvestIdea { idea: hidden },
        ErrorCode::NotFound,
    );
    // Harvesting copies the category only if the plenary has that column.
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    r.cafe.ok(
        r.fac,
        Command::SetBoardColumns {
            board: r.board,
            columns: vec!["A".into(), "B".into()],
        },
    );
    let a = posted(&r.cafe.ok(r.part, post_in(r.board, "x", "A")));
    let copy = posted(&r.cafe.ok(r.fac, Command::HarvestIdea { idea: a }));
    assert_eq!(r.cafe.state.ideas[&copy].category.as_deref(), Some("A"));
    r.cafe.ok(
        r.fac,
        Command::SetBoardColumns {
            board: r.plenary,
            columns: vec!["Only".into()],
        },
    );
    let b = posted(&r.cafe.ok(r.part, post_in(r.board, "y", "B")));
    let copy = posted(&r.cafe.ok(r.fac, Command::HarvestIdea { idea: b }));
    assert_eq!(r.cafe.state.ideas[&copy].category, None);
}

#[test]
fn idea_limit_counts_every_idea() {
    let mut c = Cafe::new();
    let org = c.org;
    let plenary = c.plenary();
    c.phase(Phase::Ideate);
    // Cheaper than 20 000 decisions: the limit check reads the state's idea count.
    for i in 0..limits::IDEAS_PER_CAFE_MAX {
        let id = IdeaId(1_000_000 + i as u64);
        c.state.ideas.insert(
            id,
            Box::new(Idea {
                id,
                board: plenary,
                text: "x".into(),
                category: None,
                author: Some(org),
                table: None,
                round: None,
                origin: Location::Room,
                scribed: false,
                hidden: false,
                rejected: false,
                private: false,
                cluster: None,
                created_at: T0,
                edited_at: None,
                harvested_from: None,
                provenance: None,
            }),
        );
    }
    c.rejects(org, post(plenary, "too many"), ErrorCode::LimitReached);
}

/// Every event of the log passes the import's rule check, in order.
#[track_caller]
fn assert_imports(c: &Cafe) {
    let mut s = CafeState::default();
    for e in &c.log {
        if let Err(why) = s.check_replayed(e) {
            panic!("{} refused on import: {why}", e.kind());
        }
        s.apply(e);
    }
    assert_eq!(s, c.state);
    s.check_invariants().expect("invariants");
}

fn copies(s: &CafeState) -> Vec<&Idea> {
    s.ideas
        .values()
        .map(Box::as_ref)
        .filter(|i| i.harvested_from.is_some())
        .collect()
}

#[test]
fn harvest_batch_is_all_or_nothing() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let batch = |ideas: Vec<IdeaId>| Command::HarvestIdeas { ideas };
    let a = r.cafe.post(r.part, r.board, "first");
    let b = r.cafe.post(r.part, r.board, "second");
    let elsewhere = r.cafe.post(r.other, r.board2, "elsewhere");
    // The host may harvest their own table only: one foreign note refuses the whole batch.
    r.cafe
        .rejects(r.host, batch(vec![a, elsewhere]), ErrorCode::Forbidden);
    r.cafe.rejects(r.part, batch(vec![a]), ErrorCode::Forbidden);
    r.cafe.rejects(r.fac, batch(vec![]), ErrorCode::Invalid);
    r.cafe.rejects(r.fac, batch(vec![a, a]), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, batch(vec![a, IdeaId(999)]), ErrorCode::NotFound);
    assert!(copies(&r.cafe.state).is_empty(), "nothing was written");
    let events = r.cafe.ok(r.host, batch(vec![b, a]));
    assert_eq!(events.len(), 2, "one idea_posted per note");
    let got: Vec<Option<IdeaId>> = events
        .iter()
        .map(|e| match e {
            Event::IdeaPosted { idea } => idea.harvested_from,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(got, vec![Some(b), Some(a)], "in the order listed");
    // Already harvested: refused (not skipped), and the other note is not copied either.
    r.cafe
        .rejects(r.fac, batch(vec![elsewhere, a]), ErrorCode::Conflict);
    assert_eq!(copies(&r.cafe.state).len(), 2);
    r.cafe.ok(r.fac, batch(vec![elsewhere]));
    assert_eq!(copies(&r.cafe.state).len(), 3);
    let too_many: Vec<IdeaId> = (0..=limits::HARVEST_BATCH_MAX as u64).map(IdeaId).collect();
    r.cafe
        .rejects(r.fac, batch(too_many), ErrorCode::LimitReached);
    assert_imports(&r.cafe);
}

#[test]
fn harvest_records_provenance() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let remote_note = r.cafe.post(r.remote, r.vboard, "from afar");
    let scribed = r.cafe.post(r.host, r.board, "typed for paper");
    r.cafe.ok(
        r.fac,
        Command::HarvestIdeas {
            ideas: vec![remote_note, scribed],
        },
    );
    let s = &r.cafe.state;
    let p = s
        .harvest_copy_of(remote_note)
        .and_then(|c| c.provenance.clone());
    assert_eq!(
        p,
        Some(Provenance {
            table: r.vtable,
            table_name: "Online 1".into(),
            round: Some(1),
            author_name: Some("Rémy".into()),
            origin: Location::Remote,
            scribed: false,
            dots: None,
        })
    );
    let p = s
        .harvest_copy_of(scribed)
        .and_then(|c| c.provenance.clone())
        .expect("provenance");
    assert_eq!(p.author_name, None, "the scribe is not the author");
    assert!(p.scribed);
    // Every audience sees the provenance of a non-anonymous café.
    let public = s.view(Audience::Public);
    let copy = public.harvest_copy_of(remote_note).expect("copy in view");
    assert_eq!(
        copy.provenance
            .as_ref()
            .and_then(|p| p.author_name.as_deref()),
        Some("Rémy")
    );
    assert_imports(&r.cafe);
}

#[test]
fn anonymous_cafe_harvest_names_nobody() {
    let mut r = Room::with_settings(Settings {
        anonymous: true,
        ..Settings::default()
    });
    r.phase(Phase::Ideate);
    let note = r.cafe.post(r.part, r.board, "secret author");
    r.cafe
        .ok(r.host, Command::HarvestIdeas { ideas: vec![note] });
    let copy = r.cafe.state.harvest_copy_of(note).expect("copy");
    let p = copy.provenance.clone().expect("provenance");
    assert_eq!(p.author_name, None);
    assert_eq!(p.table_name, "Table 1");
    assert_eq!(p.origin, Location::Room);
    let text = serde_json::to_string(&r.cafe.log).expect("json");
    assert!(!text.contains("\"author_name\":\"Pia\""), "{text}");
    for audience in [Audience::Public, Audience::Person(r.host)] {
        let v = r.cafe.state.view(audience);
        let c = v.harvest_copy_of(note).expect("copy");
        assert_eq!(c.author, None);
        assert_eq!(
            c.provenance.as_ref().map(|p| p.author_name.clone()),
            Some(None)
        );
    }
    assert_imports(&r.cafe);
}

#[test]
fn harvest_carries_public_dots_only() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let a = r.cafe.post(r.part, r.board, "dotted");
    let b = r.cafe.post(r.part, r.board, "less dotted");
    let c = r.cafe.post(r.part, r.board, "newest, undotted");
    r.phase(Phase::Vote);
    let hidden = r
        .cafe
        .open_vote(r.board, VoteTarget::Ideas, 3, 3, VoteVisibility::Hidden);
    for item in [a.0, a.0, b.0] {
        r.cafe.ok(r.part, Command::CastDot { vote: hidden, item });
    }
    // The facilitator's state knows the totals: the ranking follows the dots…
    assert_eq!(r.cafe.state.harvest_ranking(r.board), vec![a, b, c]);
    // …but a public copy must not leak unrevealed totals.
    r.cafe.ok(r.fac, Command::HarvestIdea { idea: b });
    let p = r
        .cafe
        .state
        .harvest_copy_of(b)
        .and_then(|i| i.provenance.clone());
    assert_eq!(p.map(|p| p.dots), Some(None));
    r.cafe.ok(r.org, Command::CloseVote { vote: hidden });
    r.cafe.ok(r.org, Command::RevealVote { vote: hidden });
    r.cafe.ok(r.fac, Command::HarvestIdea { idea: a });
    let p = r
        .cafe
        .state
        .harvest_copy_of(a)
        .and_then(|i| i.provenance.clone());
    assert_eq!(p.map(|p| p.dots), Some(Some(2)));
    // Harvested notes leave the ranking.
    assert_eq!(r.cafe.state.harvest_ranking(r.board), vec![c]);
    assert_imports(&r.cafe);
}

#[test]
fn harvest_ranking_without_a_vote_is_newest_first() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let old = r.cafe.post(r.part, r.board, "old");
    r.cafe.now += 5;
    let new = r.cafe.post(r.part, r.board, "new");
    let hidden = r.cafe.post(r.part, r.board, "hidden");
    r.cafe.ok(
        r.org,
        Command::HideIdea {
            idea: hidden,
            hidden: true,
        },
    );
    let _ = r.cafe.post(r.other, r.board2, "other table");
    assert_eq!(r.cafe.state.harvest_ranking(r.board), vec![new, old]);
    assert!(r.cafe.state.harvest_ranking(r.plenary).is_empty());
}

#[test]
fn harvest_a_whole_theme() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let a = r.cafe.post(r.part, r.board, "theme note a");
    let b = r.cafe.post(r.part, r.board, "theme note b");
    let loose = r.cafe.post(r.part, r.board, "not in the theme");
    let theme = r.cafe.cluster(r.host, r.board, &[a, b]);
    let other_theme = {
        let o = r.cafe.post(r.other, r.board2, "o");
        r.cafe.cluster(r.fac, r.board2, &[o])
    };
    // Sent on its own before: it will join the theme, not be copied twice.
    r.cafe.ok(r.fac, Command::HarvestIdea { idea: a });
    let harvest = |cluster| Command::HarvestCluster { cluster };
    // Hosts group the plenary only in the group phase.
    r.cafe
        .rejects(r.host, harvest(theme), ErrorCode::NotAllowedInPhase);
    r.phase(Phase::Group);
    r.cafe.rejects(r.part, harvest(theme), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.host, harvest(other_theme), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.host, harvest(ClusterId(999)), ErrorCode::NotFound);
    let events = r.cafe.ok(r.host, harvest(theme));
    let kinds: Vec<&str> = events.iter().map(Event::kind).collect();
    assert_eq!(
        kinds,
        vec!["cluster_created", "idea_moved", "idea_posted", "idea_moved"],
        "a's existing copy moves in, b is copied then moved, in the theme's order"
    );
    let s = &r.cafe.state;
    let pc = s
        .clusters
        .values()
        .find(|c| c.board == r.plenary)
        .expect("plenary theme");
    assert_eq!(pc.title, s.clusters[&theme].title);
    for src in [a, b] {
        let copy = s.harvest_copy_of(src).expect("copy");
        assert_eq!(copy.board, r.plenary);
        assert_eq!(copy.cluster, Some(pc.id), "{src} is in the plenary theme");
    }
    assert!(s.harvest_copy_of(loose).is_none());
    assert_eq!(copies(s).len(), 2, "a was not copied twice");
    let pc = pc.id;
    // Wholly on the plenary already: nothing to do.
    r.cafe.rejects(r.fac, harvest(theme), ErrorCode::Conflict);
    r.cafe.rejects(r.fac, harvest(pc), ErrorCode::Invalid);
    // A new note of the theme joins the same plenary theme.
    let c = r.cafe.post(r.host, r.board, "late note");
    r.cafe.ok(
        r.host,
        Command::MoveIdea {
            idea: c,
            cluster: Some(theme),
        },
    );
    let events = r.cafe.ok(r.fac, harvest(theme));
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        r.cafe.state.harvest_copy_of(c).and_then(|i| i.cluster),
        Some(pc)
    );
    r.phase(Phase::Vote);
    r.cafe
        .rejects(r.fac, harvest(theme), ErrorCode::NotAllowedInPhase);
    assert_imports(&r.cafe);
}

fn approve(ideas: &[IdeaId]) -> Command {
    Command::ApproveIdeas {
        ideas: ideas.to_vec(),
    }
}

/// What one audience learns of the events a command wrote, as the server projects them.
fn projected(before: &CafeState, events: &[Event], a: Audience) -> Vec<Event> {
    let mut s = before.clone();
    let mut out = Vec::new();
    for e in events {
        let prior = s.prior(e);
        s.apply(e);
        out.extend(s.project(&prior, e, a));
    }
    out
}

#[test]
fn moderation_queue_approve_all_in_one_event_and_reject() {
    let mut r = Room::with_settings(Settings {
        moderation: true,
        ..Settings::default()
    });
    r.phase(Phase::Ideate);
    let a = r.cafe.post(r.part, r.plenary, "first");
    let b = r.cafe.post(r.other, r.plenary, "second");
    let c = r.cafe.post(r.remote, r.plenary, "third");
    let seed = r
        .cafe
        .post(r.fac, r.plenary, "facilitators are not moderated");
    assert_eq!(r.cafe.state.awaiting_approval(), vec![a, b, c]);
    // The author sees their own idea waiting, not rejected; nobody else sees it.
    let mine = r.cafe.state.view(Audience::Person(r.part));
    assert!(mine.ideas[&a].awaiting_approval());
    assert_eq!(mine.awaiting_approval(), vec![a]);
    assert!(!mine.ideas.contains_key(&b));
    assert!(!r.cafe.state.view(Audience::Public).ideas.contains_key(&a));
    assert!(r
        .cafe
        .state
        .view(Audience::Public)
        .ideas
        .contains_key(&seed));

    for who in [r.host, r.part, r.remote] {
        r.cafe.rejects(who, approve(&[a]), ErrorCode::Forbidden);
        r.cafe
            .rejects(who, Command::RejectIdea { idea: a }, ErrorCode::Forbidden);
    }
    r.cafe.rejects(r.fac, approve(&[]), ErrorCode::Invalid);
    // All or nothing: one unknown id refuses the lot.
    r.cafe
        .rejects(r.fac, approve(&[a, IdeaId(999)]), ErrorCode::NotFound);
    assert_eq!(r.cafe.state.awaiting_approval(), vec![a, b, c]);

    // "Approve all" of what the console showed: one event, whatever the count; an idea
    // already approved (the facilitator's seed) is left out, repeats count once.
    let before = r.cafe.state.clone();
    let events = r.cafe.ok(r.fac, approve(&[b, a, seed, a]));
    assert_eq!(
        events,
        vec![Event::IdeasApproved {
            ideas: vec![a, b],
            revealed: vec![],
        }]
    );
    assert_eq!(r.cafe.state.awaiting_approval(), vec![c]);
    // A participant's copy carries the texts it sees for the first time; a facilitator's
    // only the ids.
    let public = projected(&before, &events, Audience::Public);
    match public.as_slice() {
        [Event::IdeasApproved { ideas, revealed }] => {
            assert_eq!(ideas, &vec![a, b]);
            let texts: Vec<&str> = revealed.iter().map(|i| i.text.as_str()).collect();
            assert_eq!(texts, ["first", "second"]);
        }
        other => panic!("unexpected public projection {other:?}"),
    }
    let fac = projected(&before, &events, Audience::Facilitator);
    assert!(
        matches!(fac.as_slice(), [Event::IdeasApproved { revealed, .. }] if revealed.is_empty())
    );
    let public = r.cafe.state.view(Audience::Public);
    assert!(public.ideas.contains_key(&a) && public.ideas.contains_key(&b));
    r.cafe.noop(r.fac, approve(&[a, b]));

    // Reject: kept, hidden, marked; the author sees the verdict, others nothing.
    let events = r.cafe.ok(r.org, Command::RejectIdea { idea: c });
    assert_eq!(events, vec![Event::IdeaRejected { idea: c }]);
    assert!(r.cafe.state.awaiting_approval().is_empty());
    let author = r.cafe.state.view(Audience::Person(r.remote));
    assert!(author.ideas[&c].rejected && author.ideas[&c].hidden);
    assert!(!r.cafe.state.view(Audience::Public).ideas.contains_key(&c));
    r.cafe.noop(r.fac, Command::RejectIdea { idea: c });
    // Rejecting an idea everyone saw takes it down for them.
    let before = r.cafe.state.clone();
    let events = r.cafe.ok(r.fac, Command::RejectIdea { idea: a });
    assert_eq!(
        projected(&before, &events, Audience::Public),
        vec![Event::IdeaDeleted { idea: a }]
    );
    // A change of mind: approving a rejected idea shows it.
    r.cafe.ok(r.fac, approve(&[c]));
    let shown = &r.cafe.state.ideas[&c];
    assert!(!shown.hidden && !shown.rejected);
    // The author may still delete their rejected idea.
    r.cafe.ok(r.part, Command::DeleteIdea { idea: a });
    r.cafe.assert_replays();
}

#[test]
fn private_writing_shows_each_their_own_until_the_reveal() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let earlier = r.cafe.post(r.part, r.plenary, "said out loud already");
    let private = |boards: Vec<BoardId>, private| Command::SetPrivateWriting { boards, private };
    for who in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(who, private(vec![r.plenary], true), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.fac, private(vec![], true), ErrorCode::Invalid);
    r.cafe.rejects(
        r.fac,
        private(vec![BoardId(999)], true),
        ErrorCode::NotFound,
    );
    let events = r.cafe.ok(r.fac, private(vec![r.plenary, r.board], true));
    assert!(
        matches!(events.as_slice(), [Event::PrivateWritingSet { private: true, boards, .. }] if boards.len() == 2)
    );
    r.cafe.noop(r.fac, private(vec![r.plenary, r.board], true));
    assert_eq!(r.cafe.state.private_boards(), vec![r.plenary, r.board]);

    let before = r.cafe.state.clone();
    let a = r.cafe.post(r.part, r.plenary, "mine alone");
    let posted_a = r.cafe.log.last().cloned().into_iter().collect::<Vec<_>>();
    let b = r.cafe.post(r.other, r.plenary, "theirs alone");
    let t = r.cafe.post(r.part, r.board, "at my table");
    // Nobody else receives a private idea, live or in a snapshot; facilitators see all.
    assert!(projected(&before, &posted_a, Audience::Public).is_empty());
    let pia = r.cafe.state.view(Audience::Person(r.part));
    assert!(pia.ideas.contains_key(&a) && pia.ideas.contains_key(&t));
    assert!(!pia.ideas.contains_key(&b));
    assert!(
        pia.ideas.contains_key(&earlier),
        "ideas shared before stay shared"
    );
    let omar = r.cafe.state.view(Audience::Person(r.other));
    assert!(omar.ideas.contains_key(&b) && !omar.ideas.contains_key(&a));
    let public = r.cafe.state.view(Audience::Public);
    assert!(![a, b, t].iter().any(|i| public.ideas.contains_key(i)));
    assert!(!r.cafe.state.view_is_public(r.part));
    let fac = r.cafe.state.view(Audience::Facilitator);
    assert!([a, b, t].iter().all(|i| fac.ideas.contains_key(i)));
    assert_eq!(r.cafe.state.unrevealed_on(r.plenary), 2);
    // Others cannot reach it; it cannot be harvested before the reveal.
    r.cafe.rejects(r.other, edit(a, "x"), ErrorCode::NotFound);
    r.cafe
        .rejects(r.fac, Command::HarvestIdea { idea: t }, ErrorCode::Conflict);

    // The reveal: one event; participants get the texts they had not seen.
    let before = r.cafe.state.clone();
    let events = r.cafe.ok(r.fac, private(vec![r.plenary, r.board], false));
    let public = projected(&before, &events, Audience::Public);
    match public.as_slice() {
        [Event::PrivateWritingSet {
            private: false,
            revealed,
            ..
        }] => {
            let ids: Vec<IdeaId> = revealed.iter().map(|i| i.id).collect();
            assert_eq!(ids, vec![a, b, t]);
        }
        other => panic!("unexpected public projection {other:?}"),
    }
    let omar = r.cafe.state.view(Audience::Person(r.other));
    assert!([a, b, t].iter().all(|i| omar.ideas.contains_key(i)));
    assert!(r.cafe.state.private_boards().is_empty());
    assert_eq!(r.cafe.state.unrevealed_on(r.plenary), 0);
    r.cafe.ok(r.fac, Command::HarvestIdea { idea: t });
    // After the reveal, new ideas are shared at once.
    let late = r.cafe.post(r.other, r.plenary, "after");
    assert!(r
        .cafe
        .state
        .view(Audience::Public)
        .ideas
        .contains_key(&late));
    r.cafe.assert_replays();
}
