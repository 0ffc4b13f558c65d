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
    assert_eq!(expected[2].len(), 39);
    assert_eq!(expected[3].len(), 38);
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
        | Event::BoardLocked { .. }
        | Event::BoardColumnsSet { .. }
        | Event::ClusterCreated { .. }
        | Event::ClusterRenamed { .. }
        | Event::IdeaMoved { .. }
        | Event::ClustersMerged { .. }
        | Event::ClusterDeleted { .. }
        | Event::VoteOpened { .. }
        | Event::DotCast { .. }
        | Event::DotRetracted { .. }
        | Event::TallyEntered { .. }
        | Event::VoteProgress { .. }
        | Event::VoteClosed { .. }
        | Event::VoteRevealed { .. } => e.kind(),
    }
}

#[test]
fn every_error_code_is_documented() {
    let section = DOC
        .split("## Error codes")
        .nth(1)
        .expect("an error code section");
    let codes = [
        ErrorCode::Malformed,
        ErrorCode::UnknownFrame,
        ErrorCode::ProtocolVersion,
        ErrorCode::HelloRequired,
        ErrorCode::Unauthorized,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::NotAllowedInPhase,
        ErrorCode::OverBudget,
        ErrorCode::OverCap,
        ErrorCode::TooLong,
        ErrorCode::TooShort,
        ErrorCode::Invalid,
        ErrorCode::LimitReached,
        ErrorCode::BoardLocked,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::TooLarge,
        ErrorCode::Resync,
        ErrorCode::ServerRestarting,
        ErrorCode::Internal,
    ];
    for c in codes {
        // Exhaustive on purpose: a new code breaks the build here until it is listed.
        match c {
            ErrorCode::Malformed
            | ErrorCode::UnknownFrame
            | ErrorCode::ProtocolVersion
            | ErrorCode::HelloRequired
            | ErrorCode::Unauthorized
            | ErrorCode::TokenExpired
            | ErrorCode::Forbidden
            | ErrorCode::NotFound
            | ErrorCode::NotAllowedInPhase
            | ErrorCode::OverBudget
            | ErrorCode::OverCap
            | ErrorCode::TooLong
            | ErrorCode::TooShort
            | ErrorCode::Invalid
            | ErrorCode::LimitReached
            | ErrorCode::BoardLocked
            | ErrorCode::Conflict
            | ErrorCode::RateLimited
            | ErrorCode::TooLarge
            | ErrorCode::Resync
            | ErrorCode::ServerRestarting
            | ErrorCode::Internal => {}
        }
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
        ("category / column", limits::CATEGORY_MAX),
        ("round prompt", limits::ROUND_PROMPT_MAX),
        ("columns per board", limits::BOARD_COLUMNS_MAX),
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
