//! Messages larger than the server's chunk size go out as fragmented WebSocket messages
//! (so no socket keeps a snapshot-sized write buffer); clients must get them whole. And the
//! hand-written upgrade refuses what is not a WebSocket handshake.

use cafe_shared::{Location, PersonId};
use cafe_tests::TestServer;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_larger_than_64_kib_arrives_whole() {
    let server = TestServer::start().await;
    let cafe = server.create_cafe("Big room", "Olga", json!({})).await;
    // Joined concurrently in groups: the café commits them in few transactions.
    let mut joined = Vec::new();
    for group in 0..12 {
        let joins = (0..50).map(|i| {
            let name = format!("Participant number {:03}", group * 50 + i);
            let server = &server;
            let code = cafe.code.clone();
            async move { server.join(&code, &name, Location::Room).await }
        });
        joined.extend(futures_util::future::join_all(joins).await);
    }
    assert_eq!(joined.len(), 600);

    for token in [&cafe.organiser_token, &joined[0].token] {
        let mut c = server.enter(token).await;
        let snapshot = c
            .raw
            .iter()
            .find(|t| t.starts_with(r#"{"type":"snapshot""#))
            .expect("a snapshot frame");
        assert!(
            snapshot.len() > 64 * 1024,
            "the snapshot ({} bytes) must need many fragments",
            snapshot.len()
        );
        assert_eq!(c.snapshots, 1);
        let state = c.state();
        assert_eq!(
            state.people.len(),
            601,
            "the organiser and 600 participants"
        );
        for j in &joined {
            let person = state
                .people
                .get(&PersonId(j.person_id))
                .expect("every participant is listed");
            assert!(person.name.starts_with("Participant number "));
        }
        // The connection goes on normally after the fragmented message.
        c.ping().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upgrade_refuses_what_is_not_a_websocket_handshake() {
    let server = TestServer::start().await;
    let url = server.url("/ws");
    let key = "dGhlIHNhbXBsZSBub25jZQ==";

    // Plain GET: 426 with the JSON error and the protocol to upgrade to.
    let r = server.http.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 426);
    assert_eq!(r.headers()["upgrade"], "websocket");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "malformed");

    // Another WebSocket version: 426 naming version 13.
    let r = server
        .http
        .get(&url)
        .header("connection", "keep-alive, Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "8")
        .header("sec-websocket-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 426);
    assert_eq!(r.headers()["sec-websocket-version"], "13");

    // No key: 400.
    let r = server
        .http
        .get(&url)
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "malformed");
    server.stop().await;
}
