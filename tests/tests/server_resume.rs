//! Resume after a dropped connection: exactly the missed events, in order, once; commands
//! re-sent with the same id are applied once; an unknown epoch gets a fresh snapshot.

use cafe_shared::{Command, Event, Location, Phase, ResumePoint, ServerFrame};
use cafe_tests::{comparable, TestServer};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_client_receives_exactly_what_it_missed() {
    // A long presence grace keeps "went offline" events out of the counted window.
    let server = TestServer::start_with(|c| {
        c.tuning.presence_grace = Duration::from_secs(3600);
        // This test is about resuming, not about the flood limit.
        c.tuning.rate_burst = 1000.0;
    })
    .await;
    let (cafe, mut org) = server.open_cafe("Resume", json!({})).await;
    let plenary = org.ideate().await;
    let (_, mut p) = server.arrive(&cafe.code, "Poster", Location::Remote).await;
    let (phone, mut ph) = server.arrive(&cafe.code, "Phone", Location::Remote).await;
    ph.barrier().await;
    let left_at = ph.resume_point();
    let kept_state = ph.state.clone();
    // The phone loses its network.
    ph.drop_connection().await;

    let mut acked = Vec::new();
    for i in 0..50 {
        acked.push(p.post(plenary, format!("missed idea {i}")).await);
    }

    let mut back = server.connect().await;
    // Like a browser, it continues from the state it kept.
    back.state = kept_state;
    let w = back.hello(&phone.token, Some(left_at)).await.unwrap();
    let ServerFrame::Welcome { resumed, seq, .. } = w else {
        unreachable!()
    };
    assert!(resumed, "the ring holds everything missed");
    assert_eq!(seq, *acked.last().unwrap());
    assert_eq!(back.snapshots, 0);
    let seqs: Vec<u64> = back.events.iter().map(|(s, _)| *s).collect();
    let expected: Vec<u64> = (left_at.seq + 1..=left_at.seq + 50).collect();
    assert_eq!(
        seqs, expected,
        "exactly the 50 missed events, in order, no duplicates"
    );
    assert_eq!(seqs, acked);
    for (i, (_, e)) in back.events.iter().enumerate() {
        match e {
            Event::IdeaPosted { idea } => assert_eq!(idea.text, format!("missed idea {i}")),
            other => panic!("unexpected {other:?}"),
        }
    }
    // Nothing else arrives twice afterwards either: a barrier shows only its own ack.
    let before = back.events.len();
    back.barrier().await;
    assert_eq!(back.events.len(), before);
    server.assert_matches_fresh(&back, &phone.token).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumed_state_converges_and_commands_apply_once() {
    let server = TestServer::start_with(|c| {
        c.tuning.presence_grace = Duration::from_secs(3600);
    })
    .await;
    let (cafe, mut org) = server.open_cafe("Dedup", json!({})).await;
    let plenary = org.ideate().await;
    let (joined, mut c) = server.arrive(&cafe.code, "Pat", Location::Room).await;
    let post = Command::PostIdea {
        board: plenary,
        text: "only once".into(),
        category: None,
    };
    let first = c.command_with_id("same-id", post.clone()).await.unwrap();
    let again = c.command_with_id("same-id", post.clone()).await.unwrap();
    assert_eq!(first, again, "the original ack");

    // Reconnect (keeping state, like a browser) and re-send after the reconnect.
    let mut state = c.state.clone();
    let point = c.resume_point();
    c.drop_connection().await;
    org.post(plenary, "while away").await;
    let mut c = server.connect().await;
    // Keep the old state so resumed events apply onto it.
    c.state = state.take();
    let w = c.hello(&joined.token, Some(point)).await.unwrap();
    assert!(matches!(w, ServerFrame::Welcome { resumed: true, .. }));
    let third = c.command_with_id("same-id", post.clone()).await.unwrap();
    assert_eq!(first, third);
    // A rejected command keeps its rejection too.
    let r1 = c
        .command_with_id(
            "bad-id",
            Command::SetPhase {
                phase: Phase::Closed,
            },
        )
        .await
        .unwrap_err();
    let r2 = c
        .command_with_id(
            "bad-id",
            Command::SetPhase {
                phase: Phase::Closed,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(r1.0, r2.0);
    c.barrier().await;
    let count = c
        .state()
        .ideas
        .values()
        .filter(|i| i.text == "only once")
        .count();
    assert_eq!(count, 1, "applied once");
    server.assert_matches_fresh(&c, &joined.token).await;

    // Dedup survives a restart (the command id is stored with its events).
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    let mut c = server.enter(&joined.token).await;
    let after_restart = c.command_with_id("same-id", post).await.unwrap();
    assert_eq!(first, after_restart);
    assert_eq!(
        c.state()
            .ideas
            .values()
            .filter(|i| i.text == "only once")
            .count(),
        1
    );
    server.stop().await;
    drop(tmp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impossible_resume_gets_a_snapshot() {
    let server = TestServer::start().await;
    let (cafe, org) = server.open_cafe("Epochs", json!({})).await;
    let epoch = org.epoch;
    let seq = org.seq;

    for resume in [
        ResumePoint {
            epoch: epoch ^ 1,
            seq,
        },
        ResumePoint {
            epoch,
            seq: seq + 100,
        },
    ] {
        let mut c = server.connect().await;
        let w = c.hello(&cafe.organiser_token, Some(resume)).await.unwrap();
        assert!(matches!(w, ServerFrame::Welcome { resumed: false, .. }));
        let snap = c
            .frames
            .iter()
            .find(|f| matches!(f, ServerFrame::Snapshot { .. }))
            .expect("a snapshot");
        assert!(matches!(
            snap,
            ServerFrame::Snapshot {
                recovered: false,
                ..
            }
        ));
        assert_eq!(c.epoch, epoch);
    }
    // Up to date: resumed with nothing to send.
    let mut c = server.connect().await;
    let w = c
        .hello(&cafe.organiser_token, Some(ResumePoint { epoch, seq }))
        .await
        .unwrap();
    assert!(matches!(w, ServerFrame::Welcome { resumed: true, .. }));
    assert_eq!(c.snapshots, 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_works_across_a_restart() {
    // Small numbers so that snapshots are taken and the ring is outgrown within the test.
    let tune = |c: &mut cafe_server::Config| {
        c.tuning.presence_grace = Duration::from_secs(3600);
        c.tuning.rate_burst = 1000.0;
        c.tuning.snapshot_every = 7;
        c.tuning.ring_events = 20;
    };
    let server = TestServer::start_with(tune).await;
    let (cafe, mut org) = server.open_cafe("Restart", json!({})).await;
    let plenary = org.ideate().await;
    let mut points = Vec::new();
    let mut states = Vec::new();
    for i in 0..60 {
        points.push(org.resume_point());
        states.push(org.state.clone());
        org.post(plenary, format!("idea {i}")).await;
    }
    let end = org.seq;
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, tune).await;

    // 15 behind: within the ring rebuilt from the store.
    let mut c = server.connect().await;
    c.state = states[45].clone();
    let w = c
        .hello(&cafe.organiser_token, Some(points[45]))
        .await
        .unwrap();
    assert!(matches!(w, ServerFrame::Welcome { resumed: true, .. }));
    let seqs: Vec<u64> = c.events.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (points[45].seq + 1..=end).collect::<Vec<_>>());
    let fresh = server.enter(&cafe.organiser_token).await;
    assert_eq!(comparable(c.state()), comparable(fresh.state()));

    // 50 behind: older than the ring, so the events are replayed from the store.
    let mut c = server.connect().await;
    c.state = states[10].clone();
    let w = c
        .hello(&cafe.organiser_token, Some(points[10]))
        .await
        .unwrap();
    assert!(matches!(w, ServerFrame::Welcome { resumed: true, .. }));
    let seqs: Vec<u64> = c.events.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (points[10].seq + 1..=end).collect::<Vec<_>>());
    assert_eq!(comparable(c.state()), comparable(fresh.state()));
    // A second phone from almost as far back finds the ring extended already.
    let mut c = server.connect().await;
    c.state = states[12].clone();
    c.hello(&cafe.organiser_token, Some(points[12]))
        .await
        .unwrap();
    assert_eq!(c.snapshots, 0);
    assert_eq!(comparable(c.state()), comparable(fresh.state()));
    server.stop().await;

    // When replaying would cost too much, a snapshot instead.
    let server = TestServer::start_in(&dir, |c| {
        tune(c);
        c.tuning.replay_max_events = 10;
    })
    .await;
    let mut c = server.connect().await;
    let w = c
        .hello(&cafe.organiser_token, Some(points[10]))
        .await
        .unwrap();
    assert!(matches!(w, ServerFrame::Welcome { resumed: false, .. }));
    assert_eq!(c.snapshots, 1);
    assert_eq!(comparable(c.state()), comparable(fresh.state()));
    server.stop().await;
    drop(tmp);
}
