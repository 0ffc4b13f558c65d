//! Security and bad input: roles, tokens, origins, frame sizes, floods, join-code guessing,
//! malformed frames. Every refusal is a typed error or close code, and nothing accepted is
//! lost.

use cafe_server::auth::Claims;
use cafe_shared::{
    Assignment, Command, ErrorCode, IdeaId, Location, PersonId, Phase, Role, ServerFrame, Settings,
    TableId, TableKind, VoteId, VoteScope, VoteTarget, VoteVisibility,
};
use cafe_tests::{Client, TestServer, TEST_SECRET};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

fn sign(claims: &Claims, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).expect("key"),
    )
    .expect("signs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_cannot_run_facilitator_commands() {
    let server = TestServer::start_with(|c| c.tuning.rate_burst = 1000.0).await;
    let (cafe, mut org) = server.open_cafe("Roles", json!({})).await;
    let p = server.join(&cafe.code, "Pia", Location::Room).await;
    let other = server.join(&cafe.code, "Otto", Location::Room).await;
    org.ok(Command::CreateTable {
        name: "T".into(),
        kind: TableKind::InRoom,
    })
    .await;
    let plenary = org.ideate().await;
    org.post(plenary, "an idea").await;
    let table: TableId = *org.state().tables.keys().next().unwrap();
    let idea: IdeaId = *org.state().ideas.keys().next().unwrap();
    let mut c = server.enter(&p.token).await;

    let other = PersonId(other.person_id);
    let facilitator_only = vec![
        Command::UpdateCafe {
            title: Some("Mine".into()),
            description: None,
            mode: None,
            language: None,
            settings: Some(Settings::default()),
        },
        Command::CallNextHand,
        Command::RemovePerson { person: other },
        Command::SetRole {
            person: other,
            role: Role::Host,
        },
        Command::SetPhase { phase: Phase::Vote },
        Command::StartTimer { duration_secs: 60 },
        Command::PauseTimer,
        Command::ResumeTimer,
        Command::ExtendTimer { secs: 30 },
        Command::StopTimer,
        Command::CreateTable {
            name: "X".into(),
            kind: TableKind::Virtual,
        },
        Command::RenameTable {
            table,
            name: "Y".into(),
        },
        Command::SetTableHost {
            table,
            person: Some(other),
        },
        Command::SetTableHeadcount {
            table,
            headcount: 3,
        },
        Command::StartRound {
            prompt: "p".into(),
            duration_secs: 0,
            assignment: Assignment::Shuffle,
        },
        Command::AssignTable {
            person: other,
            table,
        },
        Command::HideIdea { idea, hidden: true },
        Command::HarvestIdea { idea },
        Command::LockBoard {
            board: plenary,
            locked: true,
        },
        Command::SetBoardColumns {
            board: plenary,
            columns: vec!["A".into()],
        },
        Command::OpenVote {
            scope: VoteScope::board(plenary),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 1,
            visibility: VoteVisibility::Hidden,
            title: None,
        },
        Command::EnterTally {
            vote: VoteId(999),
            table,
            counts: vec![],
        },
        Command::CloseVote { vote: VoteId(999) },
        Command::RevealVote { vote: VoteId(999) },
    ];
    for cmd in facilitator_only {
        let code = c.refused(cmd.clone()).await;
        // Votes that do not exist may be reported as such only after the role check.
        assert_eq!(code, ErrorCode::Forbidden, "{cmd:?}");
    }
    // Nothing changed.
    let before = org.seq;
    org.barrier().await;
    assert_eq!(org.state().phase, Phase::Ideate);
    assert_eq!(org.state().tables.len(), 1);
    assert!(org.seq - before <= 1, "only presence may have changed");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_checked() {
    let server = TestServer::start().await;
    let a = server.create_cafe("Café A", "Ann", json!({})).await;
    let b = server.create_cafe("Café B", "Ben", json!({})).await;
    let pa = server.join(&a.code, "Pia", Location::Room).await;

    // A token of café A does not export café B, and participants cannot export at all.
    let r = server
        .get_with_token(
            &format!("/api/cafes/{}/export.json", b.cafe_id),
            &a.organiser_token,
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");

    // A token of café A opens café A only: its welcome names café A.
    let mut c = server.connect().await;
    let w = c.hello(&pa.token, None).await.unwrap();
    let ServerFrame::Welcome { cafe, .. } = w else {
        unreachable!()
    };
    assert_eq!(cafe.0, a.cafe_id);

    // A person id of café A inside a token for café B (forged without the secret).
    let now = now_secs();
    let forged = Claims {
        cafe: b.cafe_id.clone(),
        sub: Some(pa.person_id),
        role: "organiser".into(),
        iat: now,
        exp: now + 3600,
        link: None,
    };
    for (token, code, close) in [
        (
            sign(&forged, "not-the-secret"),
            ErrorCode::Unauthorized,
            4001,
        ),
        (
            {
                // Altered payload: swap in café B's claims but keep A's signature.
                let t = &pa.token;
                let parts: Vec<&str> = t.split('.').collect();
                let other = sign(&forged, TEST_SECRET);
                let other_parts: Vec<&str> = other.split('.').collect();
                format!("{}.{}.{}", parts[0], other_parts[1], parts[2])
            },
            ErrorCode::Unauthorized,
            4001,
        ),
        (
            sign(
                &Claims {
                    cafe: a.cafe_id.clone(),
                    sub: Some(pa.person_id),
                    role: "participant".into(),
                    iat: now - 7200,
                    exp: now - 3600,
                    link: None,
                },
                TEST_SECRET,
            ),
            ErrorCode::TokenExpired,
            4002,
        ),
        ("garbage".to_owned(), ErrorCode::Unauthorized, 4001),
        (
            // Validly signed, but for a person café B does not have.
            sign(
                &Claims {
                    cafe: b.cafe_id.clone(),
                    sub: Some(9999),
                    role: "participant".into(),
                    iat: now,
                    exp: now + 3600,
                    link: None,
                },
                TEST_SECRET,
            ),
            ErrorCode::Unauthorized,
            4001,
        ),
    ] {
        let mut c = server.connect().await;
        let closed = c.hello(&token, None).await.unwrap_err();
        assert_eq!(closed.code, Some(close), "{token}");
        assert_eq!(closed.bye.map(|b| b.0), Some(code));
    }

    // Wrong protocol version.
    let mut c = server.connect().await;
    let closed = c.hello_protocol(&pa.token, None, 99).await.unwrap_err();
    assert_eq!(closed.code, Some(4004));
    assert_eq!(closed.bye, Some((ErrorCode::ProtocolVersion, false)));

    // A removed person's socket is closed and their token stops working.
    let mut org = server.enter(&a.organiser_token).await;
    let mut victim = server.enter(&pa.token).await;
    org.ok(Command::RemovePerson {
        person: PersonId(pa.person_id),
    })
    .await;
    let closed = victim.until_closed().await;
    assert_eq!(closed.code, Some(4001));
    let mut again = server.connect().await;
    assert_eq!(
        again.hello(&pa.token, None).await.unwrap_err().code,
        Some(4001)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origins_sizes_and_guessing() {
    let server = TestServer::start_with(|c| {
        c.allowed_origins = vec!["https://cafe.example.org".into()];
        c.tuning.join_failures = 5;
    })
    .await;
    let cafe = server.create_cafe("Origins", "Olga", json!({})).await;
    let url = server.ws_url();

    let refused = Client::connect_with(&url, Some("https://evil.example.com")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status().as_u16(), 403)
        }
        Err(e) => panic!("expected 403, got {e}"),
        Ok(_) => panic!("a foreign origin was accepted"),
    }
    for ok in ["https://cafe.example.org".to_owned(), server.base.clone()] {
        let mut c = Client::connect_with(&url, Some(&ok)).await.unwrap();
        c.hello(&cafe.organiser_token, None).await.unwrap();
    }

    // Oversized frame: close 1009, and the café is unharmed.
    let mut c = server.enter(&cafe.organiser_token).await;
    c.send_text("x".repeat(cafe_shared::limits::MAX_FRAME_BYTES + 1))
        .await;
    let closed = c.until_closed().await;
    assert_eq!(closed.code, Some(1009));
    let mut c = server.enter(&cafe.organiser_token).await;
    c.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;

    // Guessing join codes: after 5 misses this IP gets 429, even for a valid code.
    for guess in ["222222", "333333", "444444", "555555", "666666"] {
        let r = server.get(&format!("/api/cafes/by-code/{guess}")).await;
        assert_eq!(r.status().as_u16(), 404);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "not_found");
    }
    let r = server
        .get(&format!("/api/cafes/by-code/{}", cafe.code))
        .await;
    assert_eq!(r.status().as_u16(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    let r = server.join_raw(&cafe.code, "Eve", "room").await;
    assert_eq!(r.status().as_u16(), 429);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_get_typed_errors_and_the_connection_survives() {
    let server = TestServer::start().await;
    let cafe = server.create_cafe("Bad input", "Olga", json!({})).await;
    let mut c = server.connect().await;

    // Before hello.
    c.send_text(r#"{"type":"command","id":"early","command":{"type":"raise_hand"}}"#)
        .await;
    match c.next().await {
        Some(ServerFrame::Error { code, .. }) => assert_eq!(code, ErrorCode::HelloRequired),
        other => panic!("{other:?}"),
    }
    c.hello(&cafe.organiser_token, None).await.unwrap();
    let plenary = c.ideate().await;
    c.post(plenary, "accepted before the garbage").await;

    let cases: [(&str, ErrorCode); 5] = [
        ("this is not json", ErrorCode::Malformed),
        ("[1,2,3]", ErrorCode::Malformed),
        (r#"{"type":"shout","loud":true}"#, ErrorCode::UnknownFrame),
        (r#"{"type":"ping"}"#, ErrorCode::Malformed),
        (
            r#"{"type":"hello","protocol":1,"token":"x"}"#,
            ErrorCode::Conflict,
        ),
    ];
    for (text, code) in cases {
        c.send_text(text).await;
        loop {
            match c.next().await {
                Some(ServerFrame::Error { code: got, .. }) => {
                    assert_eq!(got, code, "{text}");
                    break;
                }
                Some(_) => continue,
                None => panic!("closed after {text}"),
            }
        }
    }
    // A bad command whose id is readable is rejected by id.
    c.send_text(r#"{"type":"command","id":"b1","command":{"type":"launch_rockets"}}"#)
        .await;
    let r = c.await_outcome("b1").await.unwrap_err();
    assert_eq!(r.0, ErrorCode::Malformed);
    // Binary frames are refused politely.
    c.send_message(tokio_tungstenite::tungstenite::Message::binary(vec![
        1, 2, 3,
    ]))
    .await;
    loop {
        match c.next().await {
            Some(ServerFrame::Error { code, .. }) => {
                assert_eq!(code, ErrorCode::Malformed);
                break;
            }
            Some(_) => continue,
            None => panic!("closed after a binary frame"),
        }
    }
    // Still alive, and the earlier idea is still there.
    c.post(plenary, "accepted after the garbage").await;
    let fresh = server.enter(&cafe.organiser_token).await;
    let texts: Vec<&str> = fresh
        .state()
        .ideas
        .values()
        .map(|i| i.text.as_str())
        .collect();
    assert!(texts.contains(&"accepted before the garbage"));
    assert!(texts.contains(&"accepted after the garbage"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_are_limited_then_closed() {
    // A bucket that never refills makes the limit exact, whatever the machine's speed.
    let server = TestServer::start_with(|c| {
        c.tuning.rate_per_sec = 0.000_001;
        c.tuning.rate_burst = 5.0;
        c.tuning.strike_refill_per_sec = 0.000_001;
        c.tuning.strike_burst = 3.0;
    })
    .await;
    // hello + ping: 2 of 5
    let (cafe, mut c) = server.open_cafe("Flood", json!({})).await;
    c.ok(Command::RaiseHand).await; // 3
    c.ok(Command::LowerHand).await; // 4
    c.ok(Command::RaiseHand).await; // 5
    for i in 0..3 {
        let r = c
            .command_with_id(&format!("flood-{i}"), Command::LowerHand)
            .await
            .unwrap_err();
        assert_eq!(r.0, ErrorCode::RateLimited);
    }
    // The sustained flood: the next one closes the connection with 1008.
    c.send_text(r#"{"type":"command","id":"last","command":{"type":"lower_hand"}}"#)
        .await;
    let closed = c.until_closed().await;
    assert_eq!(closed.code, Some(1008));
    assert_eq!(closed.bye.map(|b| b.0), Some(ErrorCode::RateLimited));
    // What was accepted stayed: the hand is up.
    let fresh = server.enter(&cafe.organiser_token).await;
    assert_eq!(fresh.state().hands.len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_timeout_closes_with_4008() {
    let server = TestServer::start_with(|c| {
        c.tuning.hello_timeout = Duration::from_millis(200);
    })
    .await;
    let mut c = server.connect().await;
    let closed = c.until_closed().await;
    assert_eq!(closed.code, Some(4008));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_are_typed() {
    let server = TestServer::start_with(|c| c.tuning.max_body_bytes = 4096).await;
    let post = |body: String| {
        server
            .http
            .post(server.url("/api/cafes"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let cases = [
        ("{not json".to_owned(), 400, "malformed"),
        (r#"{"title":"No organiser"}"#.to_owned(), 422, "invalid"),
        (
            r#"{"title":"   ","organiser_name":"Olga"}"#.to_owned(),
            422,
            "too_short",
        ),
        (
            format!(
                r#"{{"title":"{}","organiser_name":"Olga"}}"#,
                "t".repeat(500)
            ),
            422,
            "too_long",
        ),
        (
            format!(
                r#"{{"title":"{}","organiser_name":"Olga"}}"#,
                "t".repeat(5000)
            ),
            413,
            "too_large",
        ),
        // An enum value outside its set, or of the wrong JSON type, is a value that cannot
        // be used: `invalid`, like an unknown one (docs/protocol.md, "Errors").
        (
            r#"{"title":"T","organiser_name":"Olga","mode":"underwater"}"#.to_owned(),
            422,
            "invalid",
        ),
        (
            r#"{"title":"T","organiser_name":"Olga","mode":3}"#.to_owned(),
            422,
            "invalid",
        ),
    ];
    for (body, status, code) in cases {
        let r = post(body.clone()).await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{body:.60}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], code, "{body:.60}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let cafe = server.create_cafe("Errors", "Olga", json!({})).await;
    let r = server.join_raw(&cafe.code, "", "room").await;
    assert_eq!(r.status().as_u16(), 422);
    let r = server.join_raw(&cafe.code, "Ann", "moon").await;
    assert_eq!(r.status().as_u16(), 422);
    let r = server.get("/api/cafes/nope/qr.svg").await;
    assert_eq!(r.status().as_u16(), 404);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "not_found");
    let r = server.get("/api/nothing/here").await;
    assert_eq!(r.status().as_u16(), 404);
    // Non-API paths serve the app (or its fallback page).
    let r = server.get(&format!("/j/{}", cafe.code)).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("<html"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_cafes_is_throttled_per_ip() {
    let server = TestServer::start_with(|c| c.tuning.creates_per_window = 3).await;
    for i in 0..3 {
        server
            .create_cafe(&format!("Café {i}"), "Olga", json!({}))
            .await;
    }
    let r = server
        .http
        .post(server.url("/api/cafes"))
        .json(&json!({"title": "One too many", "organiser_name": "Olga"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "rate_limited");
    server.stop().await;
}

/// docs/protocol.md states the server's limits and statuses for third-party clients; they
/// must be the server's own (`Tuning::default()`, `status_of`).
#[test]
fn the_protocol_doc_states_the_servers_limits_and_statuses() {
    const DOC: &str = include_str!("../../docs/protocol.md");
    let section = |heading: &str| -> &str {
        let start = DOC
            .find(&format!("\n{heading}\n"))
            .unwrap_or_else(|| panic!("docs/protocol.md has no {heading}"));
        let rest = &DOC[start + heading.len() + 2..];
        &rest[..rest.find("\n## ").unwrap_or(rest.len())]
    };
    let rows = |text: &str| -> Vec<Vec<String>> {
        text.lines()
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
    };
    let limits = rows(section("## Rate limits"));
    let value = |what: &str| -> String {
        limits
            .iter()
            .find(|r| r[0] == what)
            .unwrap_or_else(|| panic!("no rate-limit row {what:?}"))[1]
            .clone()
    };
    let t = cafe_server::config::Tuning::default();
    let minute = Duration::from_secs(60);
    assert_eq!(t.join_failure_window, minute, "the doc says per minute");
    for (what, want) in [
        (
            "WebSocket messages per connection, sustained",
            format!("{} per second", t.rate_per_sec),
        ),
        (
            "WebSocket messages per connection, burst",
            format!("{}", t.rate_burst),
        ),
        (
            "strikes before close 1008",
            format!(
                "{}, refilling {} per second",
                t.strike_burst, t.strike_refill_per_sec
            ),
        ),
        (
            "failed join-code look-ups per IP",
            format!("{} per minute", t.join_failures),
        ),
        (
            "cafés created or imported per IP",
            format!("{} per minute", t.creates_per_window),
        ),
        (
            "HTTP body (imports)",
            format!("{} MiB", t.max_body_bytes / (1024 * 1024)),
        ),
    ] {
        assert_eq!(value(what), want, "{what}");
    }
    // The prose repeats the numbers.
    let prose = section("## Rate limits")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for said in [
        format!(
            "holds at most {} and refills at {} per second",
            t.rate_burst, t.rate_per_sec
        ),
        format!(
            "A connection starts with {} strikes, which refill at {} per second",
            t.strike_burst, t.strike_refill_per_sec
        ),
        format!("past {}, both answer 429", t.creates_per_window),
        format!("past {} misses", t.join_failures),
    ] {
        assert!(prose.contains(&said), "the doc no longer says: {said}");
    }
    let lifecycle = section("## Connection lifecycle");
    assert!(lifecycle.contains(&format!("within **{} s**", t.hello_timeout.as_secs())));
    assert!(lifecycle.contains(&format!("`offline` {} s after", t.presence_grace.as_secs())));

    // Each error code's HTTP status, as the server maps it.
    for row in rows(section("## Error codes")) {
        let name = row[0].trim_matches('`');
        let code: ErrorCode = serde_json::from_value(json!(name))
            .unwrap_or_else(|e| panic!("{name}: not an error code: {e}"));
        assert_eq!(
            row[1],
            cafe_server::errors::status_of(code).as_u16().to_string(),
            "HTTP status of {name}"
        );
    }
}
