//! Live behaviour driven by the server itself: presence with its grace period, timer
//! expiry, fresh snapshots on role changes, and closing a client too slow to read.

use cafe_shared::{
    Command, Event, Location, PersonId, Phase, Role, ServerFrame, Timer, TimerCause,
};
use cafe_tests::{comparable, Client, TestServer};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_follows_connections_after_a_grace_period() {
    let server = TestServer::start_with(|c| {
        c.tuning.presence_grace = Duration::from_millis(300);
    })
    .await;
    let cafe = server.create_cafe("Presence", "Olga", json!({})).await;
    let p = server.join(&cafe.code, "Pat", Location::Remote).await;
    let pat_id = PersonId(p.person_id);
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.unwrap();

    let mut pat = server.connect().await;
    pat.hello(&p.token, None).await.unwrap();
    org.wait_for_event(
        |e| matches!(e, Event::PresenceChanged { person, online: true } if *person == pat_id),
    )
    .await;
    // Two tabs: closing one keeps Pat online.
    let mut tab2 = server.connect().await;
    tab2.hello(&p.token, None).await.unwrap();
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
    let cafe = server.create_cafe("Timer", "Olga", json!({})).await;
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.unwrap();
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
    let cafe = server
        .create_cafe(
            "Roles",
            "Olga",
            json!({"settings": {"anonymous": false, "moderation": true,
                "default_budget": 5, "default_per_item_cap": 3, "default_visibility": "hidden"}}),
        )
        .await;
    let a = server.join(&cafe.code, "Ann", Location::Room).await;
    let b = server.join(&cafe.code, "Ben", Location::Room).await;
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.unwrap();
    org.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;
    let plenary = org.state().plenary.unwrap();
    let mut ann = server.connect().await;
    ann.hello(&a.token, None).await.unwrap();
    ann.ok(Command::PostIdea {
        board: plenary,
        text: "held for moderation".into(),
        category: None,
    })
    .await;
    let mut ben = server.connect().await;
    ben.hello(&b.token, None).await.unwrap();
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
    let mut fresh = server.connect().await;
    fresh.hello(&b.token, None).await.unwrap();
    assert_eq!(comparable(ben.state()), comparable(fresh.state()));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_read_is_closed_with_4000() {
    let server = TestServer::start_with(|c| {
        c.tuning.outbound_queue = 4;
        c.tuning.rate_burst = 100_000.0;
    })
    .await;
    let cafe = server.create_cafe("Slow", "Olga", json!({})).await;
    let s = server
        .join(&cafe.code, "Slow phone", Location::Remote)
        .await;
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.unwrap();
    org.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;
    let plenary = org.state().plenary.unwrap();

    let mut slow = Client::connect_slow(&server.ws_url(), server.addr).await;
    slow.send_hello(&s.token).await;
    // It never reads while the room keeps posting long ideas.
    let text = "x".repeat(cafe_shared::limits::IDEA_TEXT_MAX);
    let mut rounds = 0;
    while server.metric("cafe_queue_drops_total").await < 1.0 {
        for _ in 0..50 {
            org.ok(Command::PostIdea {
                board: plenary,
                text: text.clone(),
                category: None,
            })
            .await;
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
    let cafe = server.create_cafe("Idle", "Olga", json!({})).await;
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.unwrap();
    org.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;
    let plenary = org.state().plenary.unwrap();
    org.ok(Command::PostIdea {
        board: plenary,
        text: "still here".into(),
        category: None,
    })
    .await;
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
    let mut fresh = server.connect().await;
    fresh.hello(&cafe.organiser_token, None).await.unwrap();
    back.barrier().await;
    assert_eq!(comparable(back.state()), comparable(fresh.state()));
    server.stop().await;
}

/// A crowd voting at once: the server folds the batch's live-tally updates into one frame
/// per audience, and every screen must still end exactly where a fresh snapshot is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_storm_leaves_every_screen_on_the_true_tally() {
    use cafe_shared::{VoteTarget, VoteVisibility};
    let server = TestServer::start().await;
    let cafe = server.create_cafe("Storm", "Olga", json!({})).await;
    let mut org = server.connect().await;
    org.hello(&cafe.organiser_token, None).await.unwrap();
    org.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;
    let plenary = org.state().plenary.unwrap();
    for n in 0..4 {
        org.ok(Command::PostIdea {
            board: plenary,
            text: format!("idea {n}"),
            category: None,
        })
        .await;
    }
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    org.ok(Command::OpenVote {
        board: plenary,
        target: VoteTarget::Ideas,
        budget: 3,
        per_item_cap: 3,
        visibility: VoteVisibility::Live,
    })
    .await;
    let vote = *org.state().votes.keys().next().unwrap();
    let items: Vec<u64> = org.state().ideas.keys().map(|i| i.0).collect();
    let mut tokens = Vec::new();
    let mut crowd = Vec::new();
    for i in 0..30 {
        let j = server
            .join(&cafe.code, &format!("V{i}"), Location::Remote)
            .await;
        let mut c = server.connect().await;
        c.hello(&j.token, None).await.unwrap();
        tokens.push(j.token);
        crowd.push(c);
    }
    let mut projector = server.connect().await;
    projector.hello(&cafe.projector_token, None).await.unwrap();
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
        let mut fresh = server.connect().await;
        fresh.hello(token, None).await.unwrap();
        assert_eq!(comparable(c.state()), comparable(fresh.state()));
    }
    let mut fresh = server.connect().await;
    fresh.hello(&cafe.organiser_token, None).await.unwrap();
    assert_eq!(comparable(org.state()), comparable(fresh.state()));
    server.stop().await;
}
