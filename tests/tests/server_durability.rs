//! Durability and shutdown with the real `cafe-server` binary: kill -9 during a burst of
//! acknowledged commands loses none of them; SIGTERM says goodbye with 1012, exits 0 and
//! keeps everything.
//!
//! The binary is `target/<profile>/cafe-server` (CI builds it first; `server_binary` builds
//! it when missing).

use cafe_shared::{ClientFrame, Command, ErrorCode, Location, ServerFrame};
use cafe_tests::BinaryServer;
use serde_json::json;
use std::collections::BTreeMap;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_command() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(dir.path()).await;
    let (cafe, mut org) = server.open_cafe("Durable", json!({})).await;
    let plenary = org.ideate().await;

    // Five people each pipeline 30 ideas (within the per-connection burst), then the
    // server is killed while the acks are still arriving.
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(
            server
                .arrive(&cafe.code, &format!("P{i}"), Location::Remote)
                .await,
        );
    }
    for (i, (_, c)) in people.iter_mut().enumerate() {
        for n in 0..30 {
            c.send_frame(&ClientFrame::Command {
                id: format!("p{i}-{n}"),
                command: Command::PostIdea {
                    board: plenary,
                    text: format!("idea {i}-{n}"),
                    category: None,
                },
            })
            .await;
        }
    }
    // Wait for some acks on the first connection, then pull the plug.
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    {
        let (_, c) = &mut people[0];
        while acked.len() < 10 {
            match c.next().await {
                Some(ServerFrame::Ack { id, seq }) => {
                    acked.insert(id, seq);
                }
                Some(ServerFrame::Reject { id, code, .. }) => panic!("{id} refused: {code:?}"),
                Some(_) => {}
                None => panic!("closed early"),
            }
        }
    }
    server.kill9().await;
    // Collect every ack that made it out before the kill.
    for (_, c) in people.iter_mut() {
        while let Some(f) = c.next().await {
            if let ServerFrame::Ack { id, seq } = f {
                acked.insert(id, seq);
            }
        }
    }
    assert!(acked.len() >= 10);

    let server = BinaryServer::start(dir.path()).await;
    let check = server.enter(&cafe.organiser_token).await;
    let texts: Vec<String> = check
        .state()
        .ideas
        .values()
        .map(|i| i.text.clone())
        .collect();
    for id in acked.keys() {
        let rest = id.trim_start_matches('p');
        let want = format!("idea {}", rest);
        assert!(texts.contains(&want), "acknowledged {id} survived kill -9");
    }
    // Re-sending an acknowledged command after the crash gets its original ack.
    let (j, _) = &people[0];
    let mut again = server.enter(&j.token).await;
    let (id, seq) = acked.iter().find(|(k, _)| k.starts_with("p0-")).unwrap();
    let got = again
        .command_with_id(
            id,
            Command::PostIdea {
                board: plenary,
                text: "duplicate".into(),
                category: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(got, *seq);
    server.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_says_goodbye_exits_0_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(dir.path()).await;
    let (cafe, mut org) = server.open_cafe("Graceful", json!({})).await;
    let plenary = org.ideate().await;
    org.post(plenary, "before the restart").await;
    let (_, mut pat) = server.arrive(&cafe.code, "Pat", Location::Room).await;
    // Both have received everything (Pat's arrival included) before the signal.
    pat.barrier().await;
    org.barrier().await;

    server.signal(libc::SIGTERM);
    for c in [&mut org, &mut pat] {
        let closed = c.until_closed().await;
        assert_eq!(closed.code, Some(1012));
        assert_eq!(closed.bye, Some((ErrorCode::ServerRestarting, true)));
    }
    // Where the organiser's browser left off: everything it received before the close.
    let point = org.resume_point();
    let status = server.wait().await;
    assert!(status.success(), "exit status {status:?}");

    let server = BinaryServer::start(dir.path()).await;
    let mut back = server.connect().await;
    back.state = org.state.clone();
    let w = back
        .hello(&cafe.organiser_token, Some(point))
        .await
        .unwrap();
    // The epoch survived and the client had everything: it resumes.
    assert!(matches!(w, ServerFrame::Welcome { resumed: true, .. }));
    assert!(back
        .state()
        .ideas
        .values()
        .any(|i| i.text == "before the restart"));
    // A fresh snapshot holds the same board. (Presence may still change after the restart,
    // when the grace period of people who have not come back ends, so only the board is
    // compared here.)
    let fresh = server.enter(&cafe.organiser_token).await;
    assert_eq!(back.state().ideas, fresh.state().ideas);
    assert_eq!(back.state().phase, fresh.state().phase);
    server.signal(libc::SIGTERM);
    assert!(server.wait().await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_shutdown_closes_sockets_with_1012() {
    let server = cafe_tests::TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Stop", json!({})).await;
    let stopping = tokio::spawn(server.stop());
    let closed = org.until_closed().await;
    assert_eq!(closed.code, Some(1012));
    let (dir, tmp) = stopping.await.unwrap();
    // Restart on the same directory: the café is there.
    let server = cafe_tests::TestServer::start_in(&dir, |_| {}).await;
    let r = server
        .get(&format!("/api/cafes/by-code/{}", cafe.code))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    server.stop().await;
    drop(tmp);
}
