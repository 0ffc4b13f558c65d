//! Keeps `docs/protocol.md` and the code in step: every tagged JSON example in the document
//! must parse into its Rust type and serialize back to the same JSON, and every frame,
//! command and event type must be shown at least once.
//!
//! Examples are tagged by an HTML comment on the line before the ```json fence:
//! `<!-- frame: client -->`, `<!-- frame: server -->`, `<!-- command -->`, `<!-- event -->`.

use cafe_shared::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

const DOC: &str = include_str!("../../docs/protocol.md");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    ClientFrame,
    ServerFrame,
    Command,
    Event,
}

struct Example {
    kind: Kind,
    line: usize,
    json: String,
}

/// Finds every tagged ```json block. A tag must be followed by a json block (and a json
/// block right after any `<!--` comment must carry a known tag), so a typo cannot make an
/// example silently untested.
fn examples() -> Vec<Example> {
    let lines: Vec<&str> = DOC.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(tag) = line
            .strip_prefix("<!--")
            .and_then(|l| l.strip_suffix("-->"))
        {
            let kind = match tag.trim() {
                "frame: client" => Kind::ClientFrame,
                "frame: server" => Kind::ServerFrame,
                "command" => Kind::Command,
                "event" => Kind::Event,
                other => panic!("line {}: unknown example tag '{other}'", i + 1),
            };
            assert_eq!(
                lines.get(i + 1).map(|l| l.trim()),
                Some("```json"),
                "line {}: a tag must be followed by a ```json block",
                i + 1
            );
            let start = i + 2;
            let end = (start..lines.len())
                .find(|j| lines[*j].trim() == "```")
                .unwrap_or_else(|| panic!("line {}: unclosed json block", i + 1));
            out.push(Example {
                kind,
                line: i + 1,
                json: lines[start..end].join("\n"),
            });
            i = end;
        }
        i += 1;
    }
    out
}

/// Parses into `T`, serializes back, and demands the very same JSON value; returns `type`.
fn round_trip<T: DeserializeOwned + Serialize>(ex: &Example) -> (T, String) {
    let value: Value = serde_json::from_str(&ex.json)
        .unwrap_or_else(|e| panic!("line {}: not JSON: {e}", ex.line));
    let parsed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("line {}: not a {:?}: {e}", ex.line, ex.kind));
    let back = serde_json::to_value(&parsed).expect("serializes");
    assert_eq!(
        back, value,
        "line {}: the example does not survive a round trip",
        ex.line
    );
    let ty = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("line {}: no type", ex.line))
        .to_owned();
    (parsed, ty)
}

/// Every variant name of a `type`-tagged enum, read from serde's own "unknown variant"
/// error, so a variant added to the code is required here without touching this test.
fn variant_names<T: DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
    let err = serde_json::from_str::<T>(r#"{"type":"__no_such_variant__"}"#)
        .expect_err("no such variant")
        .to_string();
    let list = err
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("unexpected serde message: {err}"));
    list.split(", ")
        .map(|n| {
            n.split('`')
                .nth(1)
                .unwrap_or_else(|| panic!("unexpected serde message: {err}"))
                .to_owned()
        })
        .collect()
}

#[test]
fn every_example_round_trips_and_every_type_is_documented() {
    let exs = examples();
    let mut seen: [BTreeSet<String>; 4] = Default::default();
    for ex in &exs {
        let ty = match ex.kind {
            Kind::ClientFrame => {
                let (frame, ty) = round_trip::<ClientFrame>(ex);
                // What a server sees goes through `ClientFrame::parse`, not plain serde.
                assert_eq!(
                    ClientFrame::parse(&ex.json).map_err(|e| e.message),
                    Ok(frame),
                    "line {}",
                    ex.line
                );
                ty
            }
            Kind::ServerFrame => {
                let (frame, ty) = round_trip::<ServerFrame>(ex);
                if let ServerFrame::Event { event, .. } = &frame {
                    assert_eq!(event.kind(), event_type(event));
                }
                ty
            }
            Kind::Command => round_trip::<Command>(ex).1,
            Kind::Event => {
                let (event, ty) = round_trip::<Event>(ex);
                assert_eq!(event.kind(), ty, "line {}: kind() disagrees", ex.line);
                ty
            }
        };
        seen[ex.kind as usize].insert(ty);
    }
    let expected = [
        variant_names::<ClientFrame>(),
        variant_names::<ServerFrame>(),
        variant_names::<Command>(),
        variant_names::<Event>(),
    ];
    for (kind, (want, got)) in [
        Kind::ClientFrame,
        Kind::ServerFrame,
        Kind::Command,
        Kind::Event,
    ]
    .iter()
    .zip(expected.iter().zip(seen.iter()))
    {
        let missing: Vec<_> = want.difference(got).collect();
        assert!(
            missing.is_empty(),
            "docs/protocol.md has no {kind:?} example for {missing:?}"
        );
        assert!(got.is_subset(want));
    }
    // The lists come from serde; make sure they really are complete lists.
    assert_eq!(expected[2].len(), 56);
    assert_eq!(expected[3].len(), 51);
}

/// `Event::kind` by a match with no wildcard: a new variant fails to compile here until it is
/// named, which is the reminder to document it.
fn event_type(e: &Event) -> &'static str {
    match e {
        Event::CafeCreated { .. }
        | Event::CafeUpdated { .. }
        | Event::PersonJoined { .. }
        | Event::PersonRenamed { .. }
        | Event::LocationChanged { .. }
        | Event::PresenceChanged { .. }
        | Event::ReadyChanged { .. }
        | Event::HandRaised { .. }
        | Event::HandLowered { .. }
        | Event::HandCalled { .. }
        | Event::PersonRemoved { .. }
        | Event::RoleChanged { .. }
        | Event::JoiningSet { .. }
        | Event::PhaseChanged { .. }
        | Event::TimerChanged { .. }
        | Event::TableCreated { .. }
        | Event::TableRenamed { .. }
        | Event::TableHostSet { .. }
        | Event::TableHeadcountSet { .. }
        | Event::RoundStarted { .. }
        | Event::TableAssigned { .. }
        | Event::IdeaPosted { .. }
        | Event::IdeaEdited { .. }
        | Event::IdeaDeleted { .. }
        | Event::IdeaHidden { .. }
        | Event::IdeasApproved { .. }
        | Event::IdeaRejected { .. }
        | Event::PrivateWritingSet { .. }
        | Event::BoardLocked { .. }
        | Event::BoardColumnsSet { .. }
        | Event::ProjectorSet { .. }
        | Event::ClusterCreated { .. }
        | Event::ClusterRenamed { .. }
        | Event::IdeaMoved { .. }
        | Event::ClustersMerged { .. }
        | Event::ClusterDeleted { .. }
        | Event::VoteOpened { .. }
        | Event::VoteDraftSet { .. }
        | Event::DotCast { .. }
        | Event::DotRetracted { .. }
        | Event::TallyEntered { .. }
        | Event::VoteProgress { .. }
        | Event::VoteClosed { .. }
        | Event::VoteRevealed { .. }
        | Event::ActionCreated { .. }
        | Event::ActionEdited { .. }
        | Event::ActionStatusSet { .. }
        | Event::ActionDeleted { .. }
        | Event::LinkIssued { .. }
        | Event::LinkRotated { .. }
        | Event::LinkRevoked { .. } => e.kind(),
    }
}

#[test]
fn every_error_code_is_documented() {
    let section = DOC
        .split("## Error codes")
        .nth(1)
        .expect("an error code section");
    // `ErrorCode::ALL` is generated with the enum (`wire_enum!`), so a new code is required
    // here without touching this test.
    for c in ErrorCode::ALL {
        assert_eq!(
            serde_json::to_value(c).expect("serializes"),
            Value::String(c.as_str().into())
        );
        assert!(
            section.contains(&format!("| `{}` |", c.as_str())),
            "error code {} is not in the table",
            c.as_str()
        );
    }
}

#[test]
fn documented_limits_match_the_code() {
    let section = DOC.split("## Limits").nth(1).expect("a limits section");
    for (what, n) in [
        ("idea text", limits::IDEA_TEXT_MAX),
        ("display name", limits::DISPLAY_NAME_MAX),
        ("café title", limits::CAFE_TITLE_MAX),
        ("table name", limits::TABLE_NAME_MAX),
        ("cluster title", limits::CLUSTER_TITLE_MAX),
        ("vote title", limits::VOTE_TITLE_MAX),
        ("category / column", limits::CATEGORY_MAX),
        ("round prompt", limits::ROUND_PROMPT_MAX),
        ("columns per board", limits::BOARD_COLUMNS_MAX),
        ("notes per `harvest_ideas`", limits::HARVEST_BATCH_MAX),
        ("tables per café", limits::TABLES_PER_CAFE_MAX),
        ("rounds per café", limits::ROUNDS_PER_CAFE_MAX as usize),
        ("votes per café", limits::VOTES_PER_CAFE_MAX),
        (
            "paper-table headcount",
            limits::TABLE_HEADCOUNT_MAX as usize,
        ),
        ("command id", limits::COMMAND_ID_MAX),
    ] {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| {what} |")))
            .unwrap_or_else(|| panic!("no limits row for {what}"));
        assert!(
            row.contains(&format!("| {n} |")) || row.contains(&format!("–{n} ")),
            "{what}: the doc says {row:?}, the code {n}"
        );
    }
    let spaced = |n: usize| {
        let s = n.to_string();
        if n >= 1000 {
            format!("{} {}", &s[..s.len() - 3], &s[s.len() - 3..])
        } else {
            s
        }
    };
    for (what, n) in [
        ("café description", limits::CAFE_DESCRIPTION_MAX),
        ("people per café", limits::PEOPLE_PER_CAFE_MAX),
        ("clusters per café", limits::CLUSTERS_PER_CAFE_MAX),
        ("ideas per café", limits::IDEAS_PER_CAFE_MAX),
    ] {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| {what}")))
            .unwrap_or_else(|| panic!("no limits row for {what}"));
        assert!(row.contains(&spaced(n)), "{what}: {row:?} vs {n}");
    }
    assert!(section.contains(&format!(
        "| dot budget | {}–{};",
        limits::VOTE_BUDGET_MIN,
        limits::VOTE_BUDGET_MAX
    )));
    assert!(section.contains(&format!(
        "{}–{} s",
        limits::TIMER_MIN_SECS,
        spaced(limits::TIMER_MAX_SECS as usize)
    )));
    assert!(section.contains(&format!("{} KiB", limits::MAX_FRAME_BYTES / 1024)));
    assert!(DOC.starts_with(&format!(
        "# Innovation Café wire protocol (version {PROTOCOL_VERSION})"
    )));
}

#[test]
fn client_frame_errors_are_as_documented() {
    let err = |s: &str| ClientFrame::parse(s).expect_err("bad frame");
    assert_eq!(err("{not json").code, ErrorCode::Malformed);
    assert_eq!(err(r#"{"no":"type"}"#).code, ErrorCode::Malformed);
    assert_eq!(err(r#"[1,2]"#).code, ErrorCode::Malformed);
    assert_eq!(err(r#"{"type":"subscribe"}"#).code, ErrorCode::UnknownFrame);
    assert_eq!(
        err(r#"{"type":"hello","protocol":1}"#).code,
        ErrorCode::Malformed
    );
    // A bad command whose id is readable is refused *with* the id.
    let e = err(r#"{"type":"command","id":"c-1","command":{"type":"fly"}}"#);
    assert_eq!(
        (e.code, e.id.as_deref()),
        (ErrorCode::Malformed, Some("c-1"))
    );
    let e = err(r#"{"type":"command","id":"c-2","command":{"type":"rename","name":"A","x":1}}"#);
    assert_eq!(
        (e.code, e.id.as_deref()),
        (ErrorCode::Malformed, Some("c-2")),
        "unknown fields are refused"
    );
    // serde lets extra fields through on variants without fields; the doc says so.
    assert!(ClientFrame::parse(
        r#"{"type":"command","id":"c-3","command":{"type":"raise_hand","x":1}}"#
    )
    .is_ok());
    let e = err(r#"{"type":"ping","t":1,"extra":true}"#);
    assert_eq!(e.code, ErrorCode::Malformed);
    // Only a command's id is echoed, and only a usable one.
    let e = err(r#"{"type":"ping","id":"p-1"}"#);
    assert_eq!((e.code, e.id), (ErrorCode::Malformed, None));
    let long_id = "x".repeat(limits::COMMAND_ID_MAX + 1);
    let e = err(&format!(
        r#"{{"type":"command","id":"{long_id}","command":{{"type":"fly"}}}}"#
    ));
    assert_eq!((e.code, e.id), (ErrorCode::Malformed, None));
    // Ids: 1 to 64 characters.
    let e = err(r#"{"type":"command","id":"","command":{"type":"raise_hand"}}"#);
    assert_eq!(e.code, ErrorCode::Invalid);
    let long = "é".repeat(limits::COMMAND_ID_MAX + 1);
    let e = err(&format!(
        r#"{{"type":"command","id":"{long}","command":{{"type":"raise_hand"}}}}"#
    ));
    assert_eq!(e.code, ErrorCode::Invalid);
    let ok = "é".repeat(limits::COMMAND_ID_MAX);
    assert!(ClientFrame::parse(&format!(
        r#"{{"type":"command","id":"{ok}","command":{{"type":"raise_hand"}}}}"#
    ))
    .is_ok());
    // A resume point is optional.
    assert_eq!(
        ClientFrame::parse(r#"{"type":"hello","protocol":1,"token":"t"}"#),
        Ok(ClientFrame::Hello {
            protocol: 1,
            token: "t".into(),
            resume: None
        })
    );
}

#[test]
fn biggest_legal_command_fits_a_frame() {
    let frame = ClientFrame::Command {
        id: "x".repeat(limits::COMMAND_ID_MAX),
        command: Command::PostIdea {
            board: BoardId(u64::MAX),
            text: "\u{1F600}".repeat(limits::IDEA_TEXT_MAX),
            category: Some("\u{1F600}".repeat(limits::CATEGORY_MAX)),
        },
    };
    let ascii = serde_json::to_string(&frame).expect("serializes");
    assert!(ascii.len() < limits::MAX_FRAME_BYTES);
    // Even fully \u-escaped (12 bytes per emoji) it fits.
    assert!(ascii.len() + 540 * 12 < limits::MAX_FRAME_BYTES);
}

#[test]
fn server_frames_encode_with_to_json() {
    let f = ServerFrame::Ack {
        id: "c-1".into(),
        seq: 9,
    };
    assert_eq!(f.to_json(), r#"{"type":"ack","id":"c-1","seq":9}"#);
    let a: Value = serde_json::to_value(Audience::Public).expect("serializes");
    assert_eq!(a, serde_json::json!({"kind": "public"}));
    let a: Value = serde_json::to_value(Audience::Person(PersonId(7))).expect("serializes");
    assert_eq!(a, serde_json::json!({"kind": "person", "person": 7}));
}

// ----- statements of the prose checked against the code -----

#[path = "support/harness.rs"]
mod harness;

/// The text under `heading` (a whole line, e.g. "#### `post_idea`") up to the next heading of
/// the same or a higher level.
fn doc_section(heading: &str) -> &'static str {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let start = DOC
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("docs/protocol.md has no heading {heading}"))
        + heading.len()
        + 2;
    let rest = &DOC[start..];
    let end = rest
        .match_indices("\n#")
        .find(|(i, _)| {
            let line = &rest[i + 1..];
            let hashes = line.chars().take_while(|c| *c == '#').count();
            hashes <= level && line[hashes..].starts_with(' ')
        })
        .map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

/// The cells of every row of the first markdown table in `text`, header and rule excluded.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// Prose collapsed to single spaces, so a statement may wrap anywhere.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tagged_examples(kind: Kind, ty: &str) -> Vec<Value> {
    examples()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| serde_json::from_str::<Value>(&e.json).expect("checked JSON"))
        .filter(|v| v["type"] == ty)
        .collect()
}

#[test]
fn the_welcome_example_shows_the_audience_the_server_gives() {
    let welcomes = tagged_examples(Kind::ServerFrame, "welcome");
    assert!(!welcomes.is_empty());
    for w in welcomes {
        let ServerFrame::Welcome {
            you,
            role,
            audience,
            ..
        } = serde_json::from_value(w).expect("a welcome")
        else {
            unreachable!("tagged welcome")
        };
        // The server's welcome carries `audience_of(person)` (the projector: public).
        let got = match (you, role) {
            (None, _) => Audience::Public,
            (Some(_), Some(role)) => {
                let mut c = harness::Cafe::new();
                let p = match role {
                    Role::Organiser => c.org,
                    r => c.join("Pia", r, Location::Room),
                };
                c.state.audience_of(p)
            }
            (Some(_), None) => panic!("a welcome with a person has a role"),
        };
        assert_eq!(audience, got, "welcome example for {role:?}");
    }
    // The prose says the same for every role.
    let mut c = harness::Cafe::new();
    let org = c.org;
    for (role, want) in [
        (Role::Participant, Audience::Public),
        (Role::Host, Audience::Public),
        (Role::Facilitator, Audience::Facilitator),
    ] {
        // Names are unique in a café by how they look.
        let p = c.join(
            &format!("Someone {}", role.as_str()),
            role,
            Location::Remote,
        );
        assert_eq!(c.state.audience_of(p), want, "{role:?}");
    }
    assert_eq!(c.state.audience_of(org), Audience::Facilitator);
    let text = flat(doc_section("#### `welcome`"));
    assert!(text.contains(
        r#"`{"kind":"facilitator"}` for the organiser and facilitators, `{"kind":"public"}` for everyone else"#
    ));
    assert!(text.contains(r#"never `{"kind":"person",…}`"#));
}

#[test]
fn cafe_ids_in_the_examples_look_like_the_servers() {
    // The server makes ids of 12 random bytes in URL-safe base64 without padding.
    let looks_right = |id: &str| {
        id.len() == 16
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let mut ids = Vec::new();
    for ex in examples() {
        let v: Value = serde_json::from_str(&ex.json).expect("checked JSON");
        for id in [
            &v["cafe"],
            &v["state"]["info"]["id"],
            &v["info"]["id"],
            &v["event"]["info"]["id"],
        ] {
            if let Some(id) = id.as_str() {
                ids.push((ex.line, id.to_owned()));
            }
        }
    }
    assert!(
        ids.len() >= 3,
        "welcome, snapshot and cafe_created name a café"
    );
    for (line, id) in ids {
        assert!(looks_right(&id), "line {line}: café id {id:?}");
    }
    let conventions = flat(DOC.split("## Transport").next().expect("a preamble"));
    assert!(conventions.contains("16 URL-safe base64 characters"));
}

#[test]
fn visited_is_sent_in_ascending_table_order() {
    let mut room = harness::Room::new();
    let (org, other) = (room.org, room.other);
    let (table, table2) = (room.table, room.table2);
    assert!(table < table2);
    // Round 1 seated Omar at table 2; now he moves to table 1: visited in descending order.
    room.cafe.ok(
        org,
        Command::StartRound {
            prompt: String::new(),
            duration_secs: 0,
            assignment: Assignment::Manual {
                seats: vec![Seat {
                    person: other,
                    table,
                }],
            },
        },
    );
    let person = serde_json::to_value(room.cafe.person(other)).expect("serializes");
    assert_eq!(person["visited"], serde_json::json!([table.0, table2.0]));
    let row = DOC
        .lines()
        .find(|l| l.starts_with("| `people` |"))
        .expect("a people row in the State table");
    assert!(row.contains("**ascending id order**"), "{row}");
}

#[test]
fn a_category_is_required_on_a_board_with_columns() {
    let mut c = harness::Cafe::new();
    let org = c.org;
    let board = c.plenary();
    c.phase(Phase::Ideate);
    let pia = c.join("Pia", Role::Participant, Location::Room);
    c.ok(
        org,
        Command::SetBoardColumns {
            board,
            columns: vec!["Keep".into(), "Change".into()],
        },
    );
    for category in [None, Some("  "), Some("Other")] {
        let post = Command::PostIdea {
            board,
            text: "An idea".into(),
            category: category.map(str::to_owned),
        };
        c.rejects(pia, post, ErrorCode::Invalid);
    }
    let idea = harness::posted(&c.ok(
        pia,
        Command::PostIdea {
            board,
            text: "An idea".into(),
            category: Some("Change".into()),
        },
    ));
    c.rejects(
        pia,
        Command::EditIdea {
            idea,
            text: "Edited".into(),
            category: None,
        },
        ErrorCode::Invalid,
    );
    let text = flat(doc_section("#### `post_idea`"));
    assert!(text.contains(
        "when the board **has** columns it is **required** and must equal one of them exactly (missing, blank or another value → `invalid`)"
    ));
}

#[test]
fn vote_progress_carries_tallies_and_counts_paper_dots() {
    let mut room = harness::Room::new();
    let (org, host, part) = (room.org, room.host, room.part);
    let (table, board) = (room.table, room.board);
    room.phase(Phase::Ideate);
    let a = room.cafe.post(part, board, "A");
    let b = room.cafe.post(part, board, "B");
    room.phase(Phase::Vote);
    let vote = room
        .cafe
        .open_vote(board, VoteTarget::Ideas, 5, 5, VoteVisibility::Hidden);
    room.cafe.ok(
        host,
        Command::SetTableHeadcount {
            table,
            headcount: 4,
        },
    );
    room.cafe.ok(part, Command::CastDot { vote, item: a.0 });
    let before = room.cafe.state.clone();
    let events = room.cafe.ok(
        org,
        Command::EnterTally {
            vote,
            table,
            counts: vec![
                ItemCount { item: a.0, dots: 4 },
                ItemCount { item: b.0, dots: 7 },
            ],
        },
    );
    let [event] = events.as_slice() else {
        panic!("one tally_entered: {events:?}")
    };
    let prior = before.prior(event);
    let after = &room.cafe.state;
    // A facilitator gets the tally as {table, counts}; dots_cast counts paper dots too.
    let fac = after
        .project(&prior, event, Audience::Facilitator)
        .expect("facilitators hear of tallies");
    let fac = serde_json::to_value(&fac).expect("serializes");
    assert_eq!(fac["type"], "vote_progress");
    assert_eq!(fac["dots_cast"], 1 + 4 + 7);
    assert_eq!(
        fac["tally"],
        serde_json::json!({"table": table.0, "counts": {a.0.to_string(): 4, b.0.to_string(): 7}})
    );
    // Everyone else, in a hidden vote: the count only, paper dots included.
    let public = after
        .project(&prior, event, Audience::Public)
        .expect("everyone hears of progress");
    let public = serde_json::to_value(&public).expect("serializes");
    assert_eq!(public["dots_cast"], 1 + 4 + 7);
    assert!(public.get("tally").is_none());
    assert_eq!(public["totals"], serde_json::json!({}));
    let text = flat(doc_section("#### `vote_progress`"));
    assert!(text.contains("`tally` (optional): `{table, counts}`"));
    assert!(text.contains("**including the dots of paper tallies**"));
}

#[test]
fn errors_take_the_documented_precedence() {
    let mut room = harness::Room::new();
    let (fac, part, other) = (room.fac, room.part, room.other);
    room.phase(Phase::Ideate);
    let own = room.cafe.post(part, room.plenary, "Pia's idea");
    let facs = room.cafe.post(fac, room.plenary, "Fatou's idea");
    // Group phase: a participant posting on a board she may not write on is told about the
    // phase, not about the board.
    room.phase(Phase::Group);
    for board in [room.plenary, room.board, room.board2] {
        room.cafe.rejects(
            part,
            Command::PostIdea {
                board,
                text: "late".into(),
                category: None,
            },
            ErrorCode::NotAllowedInPhase,
        );
    }
    // Facilitator-only commands are refused by role before their targets are looked up.
    room.cafe.rejects(
        other,
        Command::CloseVote { vote: VoteId(999) },
        ErrorCode::Forbidden,
    );
    // Vote phase, the idea on an open ballot: the author hears about the phase, a
    // facilitator about the ballot.
    room.phase(Phase::Vote);
    room.cafe.open_vote(
        room.plenary,
        VoteTarget::Ideas,
        3,
        3,
        VoteVisibility::Hidden,
    );
    let edit = Command::EditIdea {
        idea: own,
        text: "changed".into(),
        category: None,
    };
    room.cafe
        .rejects(part, edit.clone(), ErrorCode::NotAllowedInPhase);
    room.cafe.rejects(
        part,
        Command::DeleteIdea { idea: own },
        ErrorCode::NotAllowedInPhase,
    );
    let edit_own = Command::EditIdea {
        idea: facs,
        text: "changed".into(),
        category: None,
    };
    room.cafe.rejects(fac, edit_own, ErrorCode::Conflict);
    room.cafe
        .rejects(fac, Command::DeleteIdea { idea: own }, ErrorCode::Conflict);
    let text = flat(doc_section("## Commands"));
    for said in [
        "a participant posting in the `group` phase gets `not_allowed_in_phase`, not `forbidden`",
        "a participant editing or deleting their own idea that is on an open ballot during `vote` gets `not_allowed_in_phase`, while a facilitator gets `conflict`",
        "a participant gets `forbidden` even for a vote that does not exist",
    ] {
        assert!(text.contains(said), "the doc no longer says: {said}");
    }
}

#[test]
fn the_error_table_has_one_row_and_one_status_per_code() {
    let rows = table_rows(doc_section("## Error codes"));
    let mut seen = BTreeSet::new();
    for row in &rows {
        assert_eq!(row.len(), 3, "code | HTTP | meaning: {row:?}");
        let code: ErrorCode =
            serde_json::from_value(Value::String(row[0].trim_matches('`').into()))
                .unwrap_or_else(|e| panic!("{}: not an error code: {e}", row[0]));
        assert!(seen.insert(code.as_str()), "{} is listed twice", row[0]);
        let status: u16 = row[1]
            .parse()
            .unwrap_or_else(|_| panic!("{}: HTTP status {:?}", row[0], row[1]));
        assert!((400..600).contains(&status), "{row:?}");
    }
    for code in ErrorCode::ALL {
        assert!(seen.contains(code.as_str()), "{code} has no row");
    }
    // The statuses themselves are compared with the server's mapping in
    // tests/tests/server_security.rs.
    let unauthorized = rows
        .iter()
        .find(|r| r[0] == "`unauthorized`")
        .expect("an unauthorized row");
    assert!(
        unauthorized[2].contains("A valid token of **another** café is `forbidden` instead"),
        "an export with another café's token answers 403 forbidden"
    );
}

#[test]
fn close_codes_are_listed_once_in_numeric_order() {
    let rows = table_rows(doc_section("### Close codes"));
    let mut documented = Vec::new();
    for r in &rows {
        assert_eq!(r.len(), 4, "code | meaning | bye.code | reconnect?: {r:?}");
        let n: u16 = r[0]
            .parse()
            .unwrap_or_else(|_| panic!("close code {:?}", r[0]));
        let code = CloseCode::from_code(n)
            .unwrap_or_else(|| panic!("the doc lists close {n}, which the server never sends"));
        // "no …" exactly for the codes after which reconnecting cannot help.
        assert_eq!(
            !r[3].starts_with("no"),
            code.reconnect(),
            "close {n}: reconnect? {:?}",
            r[3]
        );
        for bye in r[2].split('`').skip(1).step_by(2) {
            assert!(
                serde_json::from_value::<ErrorCode>(Value::String(bye.into())).is_ok(),
                "close {n}: `{bye}` is not an error code"
            );
        }
        documented.push(n);
    }
    let mut sorted = documented.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(documented, sorted, "one row per code, in numeric order");
    for code in CloseCode::ALL {
        assert!(
            documented.contains(&code.code()),
            "close code {} ({code:?}) is not documented",
            code.code()
        );
    }
}

#[test]
fn an_unknown_enum_value_is_invalid_as_documented() {
    let e = ClientFrame::parse(
        r#"{"type":"command","id":"c-1","command":{"type":"set_location","location":"moon"}}"#,
    )
    .expect_err("no such location");
    assert_eq!((e.code, e.id.as_deref()), (ErrorCode::Invalid, Some("c-1")));
    let text = flat(doc_section("## Connection lifecycle"));
    assert!(text.contains(
        r#"a known shape with a value outside its set (an unknown enum value such as `"location":"moon"` or `"phase":"later"`) → `invalid`"#
    ));
}
