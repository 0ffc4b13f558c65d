//! Import through the real server: an export whose ids sit at the end of the id space is
//! renumbered, so the imported café keeps working (and stays working after a restart),
//! and a forged event is refused with a typed error.

use cafe_shared::{Command, Location, Phase, TableKind};
use cafe_tests::TestServer;
use serde_json::{json, Value};

/// The organiser's JSON export of a fresh café, as a JSON value.
async fn export_of(server: &TestServer) -> Value {
    let cafe = server.create_cafe("Far away", "Olga", json!({})).await;
    let r = server
        .get_with_token(
            &format!("/api/cafes/{}/export.json", cafe.cafe_id),
            &cafe.organiser_token,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("export")
}

async fn import(server: &TestServer, doc: &Value) -> reqwest::Response {
    server.import(doc).await
}

fn append(doc: &mut Value, event: Value) {
    let events = doc["events"].as_array_mut().expect("events");
    let seq = events.last().and_then(|e| e["seq"].as_u64()).unwrap_or(0) + 1;
    events.push(json!({"seq": seq, "at": 0, "event": event}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_ids_are_renumbered_and_survive_a_restart() {
    let server = TestServer::start().await;
    let mut doc = export_of(&server).await;
    // Before the fix this was accepted as it was: the counter wrapped to 0, every join got
    // person 0 and new ideas overwrote each other, for good.
    append(
        &mut doc,
        json!({"type": "table_created",
            "table": {"id": 18446744073709551614u64, "name": "Edge", "kind": "in_room",
                      "board": 18446744073709551615u64, "host": null, "headcount": 0},
            "board": {"id": 18446744073709551615u64, "table": 18446744073709551614u64,
                      "locked": false, "columns": []}}),
    );
    let r = import(&server, &doc).await;
    assert_eq!(r.status().as_u16(), 201);
    let imported: cafe_tests::CreatedCafe = r.json().await.expect("created");

    let mut org = server.connect().await;
    org.hello(&imported.organiser_token, None)
        .await
        .expect("hello");
    let plenary = org.state().plenary.expect("plenary");
    let table = *org.state().tables.keys().next().expect("table");
    assert!(table.0 < 1_000, "renumbered, not {table}");
    org.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;

    let ana = server.join(&imported.code, "Ana", Location::Room).await;
    let ben = server.join(&imported.code, "Ben", Location::Remote).await;
    assert_ne!(ana.person_id, ben.person_id, "two joins, two people");
    for (who, text) in [(&ana, "Idea of Ana"), (&ben, "Idea of Ben")] {
        let mut c = server.connect().await;
        c.hello(&who.token, None).await.expect("hello");
        c.ok(Command::PostIdea {
            board: plenary,
            text: text.into(),
            category: None,
        })
        .await;
    }

    // A restart rebuilds the café from what was stored.
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    let mut org = server.connect().await;
    org.hello(&imported.organiser_token, None)
        .await
        .expect("hello");
    let s = org.state();
    let mut texts: Vec<&str> = s.ideas.values().map(|i| i.text.as_str()).collect();
    texts.sort_unstable();
    assert_eq!(texts, vec!["Idea of Ana", "Idea of Ben"], "both ideas kept");
    let names: Vec<(u64, &str)> = s
        .people
        .values()
        .map(|p| (p.id.0, p.name.as_str()))
        .collect();
    assert!(names.contains(&(ana.person_id, "Ana")), "{names:?}");
    assert!(names.contains(&(ben.person_id, "Ben")), "{names:?}");
    assert_eq!(s.people.len(), 3, "organiser, Ana and Ben: three ids");

    // A new table takes a fresh id, never the plenary's.
    // Its own command id: the server answers a repeated id of the same person with the
    // earlier ack, and this client's counter starts where the first connection's did.
    let outcome = org
        .command_with_id(
            "new-table-after-restart",
            Command::CreateTable {
                name: "New".into(),
                kind: TableKind::Virtual,
            },
        )
        .await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let s = org.state();
    assert_eq!(s.tables.len(), 2);
    assert!(s.boards.contains_key(&plenary));
    assert_eq!(s.plenary, Some(plenary));
    assert!(s.tables.values().all(|t| t.board != plenary));
    server.stop().await;
    drop(tmp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_events_are_refused_with_a_typed_error() {
    let server = TestServer::start().await;
    let mut doc = export_of(&server).await;
    let org = doc["events"][1]["event"]["person"]["id"].clone();
    // The organiser, a facilitator, as host of a table.
    let events = doc["events"].as_array().expect("events").len() as u64;
    let (t, b) = (events + 10, events + 11);
    append(
        &mut doc,
        json!({"type": "table_created",
            "table": {"id": t, "name": "T", "kind": "in_room", "board": b, "host": null,
                      "headcount": 0},
            "board": {"id": b, "table": t, "locked": false, "columns": []}}),
    );
    append(
        &mut doc,
        json!({"type": "table_host_set", "table": t, "host": org}),
    );
    let r = import(&server, &doc).await;
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.expect("error body");
    assert_eq!(body["code"], "invalid");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("table_host_set"), "{message}");

    // A reference to a table that was never created.
    let mut doc = export_of(&server).await;
    append(
        &mut doc,
        json!({"type": "table_renamed", "table": 424242, "name": "Ghost"}),
    );
    let r = import(&server, &doc).await;
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.expect("error body");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("table 424242"), "{message}");
    server.stop().await;
}
