//! The facilitator's moderation queue and private writing, over real sockets: what a second
//! participant's socket receives (raw frames, live, on resume and in a fresh snapshot) before
//! and after the facilitator approves or reveals.

use cafe_shared::{Command, Event, IdeaId, Location};
use cafe_tests::{Client, TestServer};
use serde_json::json;

fn holds(c: &Client, text: &str) -> bool {
    c.raw.iter().any(|f| f.contains(text))
}

fn idea_id(c: &Client, text: &str) -> IdeaId {
    c.state()
        .ideas
        .values()
        .find(|i| i.text == text)
        .unwrap_or_else(|| panic!("{text:?} is in this client's state"))
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_writing_reaches_nobody_else_until_the_reveal() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Private writing", json!({})).await;
    let (a, mut alice) = server.arrive(&cafe.code, "Alice", Location::Room).await;
    let (b, mut bruno) = server.arrive(&cafe.code, "Bruno", Location::Remote).await;
    let plenary = org.ideate().await;
    org.ok(Command::SetPrivateWriting {
        boards: vec![plenary],
        private: true,
    })
    .await;
    bruno.barrier().await;
    assert!(bruno.state().boards[&plenary].private);
    // Bruno's phone will come back later from here, having missed the private ideas.
    let left_at = bruno.resume_point();
    let kept = bruno.state.clone();

    alice.post(plenary, "ALICE-PRIVATE-NOTE").await;
    bruno.post(plenary, "BRUNO-PRIVATE-NOTE").await;
    for c in [&mut alice, &mut bruno, &mut org] {
        c.barrier().await;
    }
    // Live: each sees their own; the facilitator sees both.
    assert!(!holds(&bruno, "ALICE-PRIVATE-NOTE"));
    assert!(!holds(&alice, "BRUNO-PRIVATE-NOTE"));
    idea_id(&alice, "ALICE-PRIVATE-NOTE");
    idea_id(&bruno, "BRUNO-PRIVATE-NOTE");
    idea_id(&org, "ALICE-PRIVATE-NOTE");
    idea_id(&org, "BRUNO-PRIVATE-NOTE");
    assert_eq!(org.state().unrevealed_on(plenary), 2);
    let projector = server.enter(&cafe.projector_token).await;
    assert!(!holds(&projector, "PRIVATE-NOTE"));

    // A fresh snapshot (a rejoin) and a resume from before: still nothing of Alice's.
    let fresh = server.enter(&b.token).await;
    assert!(!holds(&fresh, "ALICE-PRIVATE-NOTE"));
    assert!(holds(&fresh, "BRUNO-PRIVATE-NOTE"), "his own comes back");
    let mut back = server.connect().await;
    back.state = kept;
    back.hello(&b.token, Some(left_at)).await.expect("welcome");
    assert_eq!(back.snapshots, 0, "resumed from the ring");
    assert!(!holds(&back, "ALICE-PRIVATE-NOTE"));
    idea_id(&back, "BRUNO-PRIVATE-NOTE");

    // The reveal: one event, and now everyone receives everyone's.
    let seq = org
        .ok(Command::SetPrivateWriting {
            boards: vec![plenary],
            private: false,
        })
        .await;
    for c in [&mut alice, &mut bruno, &mut back] {
        c.barrier().await;
    }
    let reveals = bruno
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::PrivateWritingSet { private: false, .. }))
        .count();
    assert_eq!(reveals, 1, "the reveal is one event");
    let got = bruno
        .events
        .iter()
        .find(|(s, _)| *s == seq)
        .map(|(_, e)| e.clone());
    match got {
        Some(Event::PrivateWritingSet {
            private: false,
            revealed,
            ..
        }) => {
            let texts: Vec<&str> = revealed.iter().map(|i| i.text.as_str()).collect();
            assert!(texts.contains(&"ALICE-PRIVATE-NOTE"), "{texts:?}");
        }
        other => panic!("Bruno got {other:?} for the reveal"),
    }
    idea_id(&bruno, "ALICE-PRIVATE-NOTE");
    idea_id(&alice, "BRUNO-PRIVATE-NOTE");
    idea_id(&back, "ALICE-PRIVATE-NOTE");
    assert!(!bruno.state().boards[&plenary].private);
    // What the events built is what a fresh snapshot shows, for both.
    server.assert_matches_fresh(&bruno, &b.token).await;
    server.assert_matches_fresh(&alice, &a.token).await;
    let fresh = server.enter(&b.token).await;
    idea_id(&fresh, "ALICE-PRIVATE-NOTE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_all_is_one_event_and_the_author_sees_the_verdict() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server
        .open_cafe(
            "Moderated",
            json!({"settings": {
                "anonymous": false,
                "moderation": true,
                "default_budget": 5,
                "default_per_item_cap": 3,
                "default_visibility": "hidden"
            }}),
        )
        .await;
    let (a, mut alice) = server.arrive(&cafe.code, "Alice", Location::Room).await;
    let (b, mut bruno) = server.arrive(&cafe.code, "Bruno", Location::Room).await;
    let plenary = org.ideate().await;
    for i in 1..=3 {
        alice.post(plenary, format!("PENDING-{i}")).await;
    }
    for c in [&mut alice, &mut bruno, &mut org] {
        c.barrier().await;
    }
    // Alice sees her ideas waiting for approval; Bruno receives nothing of them.
    for i in 1..=3 {
        let id = idea_id(&alice, &format!("PENDING-{i}"));
        assert!(alice.state().ideas[&id].awaiting_approval());
    }
    assert!(!holds(&bruno, "PENDING-"));
    let queue = org.state().awaiting_approval();
    assert_eq!(queue.len(), 3);
    assert_eq!(
        bruno
            .refused(Command::ApproveIdeas {
                ideas: queue.clone()
            })
            .await,
        cafe_shared::ErrorCode::Forbidden
    );

    // Approve all: one command, one event.
    let before = org.seq;
    let seq = org
        .ok(Command::ApproveIdeas {
            ideas: queue.clone(),
        })
        .await;
    assert_eq!(seq, before + 1, "approve-all is a single event");
    bruno.barrier().await;
    alice.barrier().await;
    let approved: Vec<&Event> = bruno
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::IdeasApproved { .. }))
        .map(|(_, e)| e)
        .collect();
    assert_eq!(approved.len(), 1, "Bruno got one event for the three ideas");
    for i in 1..=3 {
        idea_id(&bruno, &format!("PENDING-{i}"));
        let id = idea_id(&alice, &format!("PENDING-{i}"));
        assert!(!alice.state().ideas[&id].hidden);
    }
    assert!(org.state().awaiting_approval().is_empty());

    // Reject: Alice keeps seeing it, marked; Bruno never receives it.
    alice.post(plenary, "NOT-APPROVED-IDEA").await;
    org.barrier().await;
    let id = idea_id(&org, "NOT-APPROVED-IDEA");
    org.ok(Command::RejectIdea { idea: id }).await;
    alice.barrier().await;
    bruno.barrier().await;
    let mine = &alice.state().ideas[&id];
    assert!(mine.hidden && mine.rejected);
    assert!(!holds(&bruno, "NOT-APPROVED-IDEA"));
    // Her fresh snapshot says the same; a participant's own pending idea is not public.
    let fresh = server.enter(&a.token).await;
    assert!(fresh.state().ideas[&id].rejected);
    assert!(
        fresh.snapshots > 0,
        "a fresh connection starts from a snapshot"
    );
    server.assert_matches_fresh(&alice, &a.token).await;
    server.assert_matches_fresh(&bruno, &b.token).await;
}
