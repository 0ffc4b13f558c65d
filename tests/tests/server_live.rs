//! Live behaviour driven by the server itself: presence with its grace period, timer
//! expiry, fresh snapshots on role changes, and closing a client too slow to read.

use cafe_shared::{
    Command, Event, Location, PersonId, Phase, Role, ServerFrame, Timer, TimerCause,
};
use cafe_tests::{Client, TestServer};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_follows_connections_after_a_grace_period() {
    let server = TestServer::start_with(|c| {
        c.tuning.presence_grace = Duration::from_millis(300);
    })
    .await;
    let (cafe, mut org) = server.open_cafe("Presence", json!({})).await;
    let (p, pat) = server.arrive(&cafe.code, "Pat", Location::Remote).await;
    let pat_id = PersonId(p.person_id);
    org.wait_for_event(
        |e| matches!(e, Event::PresenceChanged { person, online: true } if *person == pat_id),
    )
    .await;
    // Two tabs: closing one keeps Pat online.
    let tab2 = server.enter(&p.token).await;
    pat.drop_connection().await;
    tab2.drop_connection().await;
    org.wait_for_event(
        |e| matches!(e, Event::PresenceChanged { person, online: false } if *person == pat_id),
    )
    .await;
    org.barrier().await;
    assert!(!org.state().people[&pat_id].online);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_ends_a_running_timer() {
    let server = TestServer::start().await;
    let (_, mut org) = server.open_cafe("Timer", json!({})).await;
    org.ok(Command::StartTimer {
        duration_secs: cafe_shared::limits::TIMER_MIN_SECS,
    })
    .await;
    let Timer::Running { ends_at, .. } = org.state().timer else {
        panic!("timer not running")
    };
    let e = org
        .wait_for_event(|e| {
            matches!(
                e,
                Event::TimerChanged {
                    cause: TimerCause::Ended,
                    ..
                }
            )
        })
        .await;
    match e {
        Event::TimerChanged {
            timer: Timer::Ended { ended_at, .. },
            ..
        } => assert_eq!(ended_at, ends_at),
        other => panic!("{other:?}"),
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_bring_a_fresh_snapshot() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server
        .open_cafe(
            "Roles",
            json!({"settings": {"anonymous": false, "moderation": true,
                "default_budget": 5, "default_per_item_cap": 3, "default_visibility": "hidden"}}),
        )
        .await;
    let plenary = org.ideate().await;
    let (_, mut ann) = server.arrive(&cafe.code, "Ann", Location::Room).await;
    ann.post(plenary, "held for moderation").await;
    let (b, mut ben) = server.arrive(&cafe.code, "Ben", Location::Room).await;
    assert!(ben.state().ideas.is_empty());
    let snapshots = ben.snapshots;

    org.ok(Command::SetRole {
        person: PersonId(b.person_id),
        role: Role::Facilitator,
    })
    .await;
    ben.barrier().await;
    assert_eq!(
        ben.snapshots,
        snapshots + 1,
        "promoted: a facilitator snapshot"
    );
    assert_eq!(ben.state().ideas.len(), 1, "facilitators see held ideas");
    org.ok(Command::SetRole {
        person: PersonId(b.person_id),
        role: Role::Participant,
    })
    .await;
    ben.barrier().await;
    assert_eq!(ben.snapshots, snapshots + 2);
    assert!(ben.state().ideas.is_empty(), "demoted: held ideas are gone");
    server.assert_matches_fresh(&ben, &b.token).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_read_is_closed_with_4000() {
    let server = TestServer::start_with(|c| {
        c.tuning.outbound_queue = 4;
        c.tuning.rate_burst = 100_000.0;
    })
    .await;
    let (cafe, mut org) = server.open_cafe("Slow", json!({})).await;
    let plenary = org.ideate().await;
    let s = server
        .join(&cafe.code, "Slow phone", Location::Remote)
        .await;

    let mut slow = Client::connect_slow(&server.ws_url(), server.addr).await;
    slow.send_hello(&s.token).await;
    // It never reads while the room keeps posting long ideas.
    let text = "x".repeat(cafe_shared::limits::IDEA_TEXT_MAX);
    let mut rounds = 0;
    while server.metric("cafe_queue_drops_total").await < 1.0 {
        for _ in 0..50 {
            org.post(plenary, text.clone()).await;
        }
        rounds += 1;
        assert!(rounds < 400, "the slow client was never dropped");
    }
    // Now it reads: what was queued, then bye(resync) and close 4000.
    let closed = slow.until_closed().await;
    assert_eq!(closed.code, Some(4000));
    assert_eq!(closed.bye, Some((cafe_shared::ErrorCode::Resync, true)));
    // The room was not held up: the organiser's connection is fine.
    org.barrier().await;
    assert!(slow
        .frames
        .iter()
        .any(|f| matches!(f, ServerFrame::Welcome { .. })));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_cafes_leave_memory_and_come_back() {
    let server = TestServer::start_with(|c| {
        c.tuning.idle_unload = Duration::from_millis(200);
        c.tuning.presence_grace = Duration::from_millis(50);
    })
    .await;
    let (cafe, mut org) = server.open_cafe("Idle", json!({})).await;
    let plenary = org.ideate().await;
    org.post(plenary, "still here").await;
    let kept = org.state.clone();
    let point = org.resume_point();
    org.drop_connection().await;
    while server.metric("cafe_cafes_loaded").await > 0.0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Loaded again on the next visit; the browser resumes from where it was.
    let mut back = server.connect().await;
    back.state = kept;
    let w = back
        .hello(&cafe.organiser_token, Some(point))
        .await
        .unwrap();
    assert!(matches!(w, ServerFrame::Welcome { resumed: true, .. }));
    assert!(back.state().ideas.values().any(|i| i.text == "still here"));
    back.barrier().await;
    server
        .assert_matches_fresh(&back, &cafe.organiser_token)
        .await;
    server.stop().await;
}

/// A crowd voting at once: the server folds the batch's live-tally updates into one frame
/// per audience, and every screen must still end exactly where a fresh snapshot is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_storm_leaves_every_screen_on_the_true_tally() {
    use cafe_shared::{VoteDraft, VoteScope, VoteTarget, VoteVisibility};
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Storm", json!({})).await;
    let plenary = org.ideate().await;
    for n in 0..4 {
        org.post(plenary, format!("idea {n}")).await;
    }
    org.ok(Command::SetVoteDraft {
        draft: VoteDraft {
            scope: VoteScope::board(plenary),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 3,
            visibility: VoteVisibility::Live,
            title: None,
        },
    })
    .await;
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    let vote = *org.state().votes.keys().next().unwrap();
    let items: Vec<u64> = org.state().ideas.keys().map(|i| i.0).collect();
    let mut tokens = Vec::new();
    let mut crowd = Vec::new();
    for i in 0..30 {
        let (j, c) = server
            .arrive(&cafe.code, &format!("V{i}"), Location::Remote)
            .await;
        tokens.push(j.token);
        crowd.push(c);
    }
    let mut projector = server.enter(&cafe.projector_token).await;
    // Every voter's three dots in flight together, so batches hold many of them.
    let storm = crowd.iter_mut().enumerate().map(|(n, c)| {
        let items = &items;
        async move {
            for k in 0..3 {
                c.ok(Command::CastDot {
                    vote,
                    item: items[(n + k) % items.len()],
                })
                .await;
            }
        }
    });
    futures_util::future::join_all(storm).await;
    for c in crowd.iter_mut() {
        c.barrier().await;
    }
    org.barrier().await;
    projector.ping().await;
    let true_total: u32 = org.state().votes[&vote].totals.values().sum();
    assert_eq!(true_total, 90);
    assert_eq!(org.state().votes[&vote].dots_cast, 90);
    assert_eq!(projector.state().votes[&vote].dots_cast, 90);
    assert_eq!(
        projector.state().votes[&vote].totals,
        org.state().votes[&vote].totals
    );
    for (c, token) in crowd.iter().zip(&tokens) {
        server.assert_matches_fresh(c, token).await;
    }
    server
        .assert_matches_fresh(&org, &cafe.organiser_token)
        .await;
    server.stop().await;
}
