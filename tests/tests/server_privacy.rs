//! Privacy on the wire: a participant's socket never receives another person's individual
//! votes, ideas hidden by moderation, or the authors of an anonymous café. The checks run on
//! the raw text frames, not on parsed state.

use cafe_shared::{
    Command, Location, PersonId, Phase, TableKind, VoteDraft, VoteScope, VoteTarget, VoteVisibility,
};
use cafe_tests::{comparable, TestServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_never_receive_private_data() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server
        .open_cafe(
            "Secret ballot",
            json!({"settings": {
                "anonymous": true,
                "moderation": true,
                "default_budget": 5,
                "default_per_item_cap": 3,
                "default_visibility": "hidden"
            }}),
        )
        .await;
    let (a, mut alice) = server.arrive(&cafe.code, "Alice", Location::Room).await;
    let (b, mut bruno) = server.arrive(&cafe.code, "Bruno", Location::Room).await;
    let a_id = PersonId(a.person_id);
    let b_id = PersonId(b.person_id);
    let projector = server.enter(&cafe.projector_token).await;

    org.ok(Command::CreateTable {
        name: "T".into(),
        kind: TableKind::InRoom,
    })
    .await;
    let plenary = org.ideate().await;

    // Alice's idea is held for moderation: only she and the facilitators see it.
    alice.post(plenary, "ALICE-SECRET-DRAFT").await;
    bruno.post(plenary, "BRUNO-IDEA").await;
    bruno.barrier().await;
    org.barrier().await;
    let hidden = org
        .state()
        .ideas
        .values()
        .find(|i| i.text == "ALICE-SECRET-DRAFT")
        .unwrap()
        .clone();
    assert!(hidden.hidden);
    assert_eq!(
        hidden.author, None,
        "anonymous: even facilitators see no author"
    );
    assert!(alice
        .state()
        .ideas
        .values()
        .any(|i| i.text == "ALICE-SECRET-DRAFT" && i.author == Some(a_id)));
    assert!(!bruno.raw.iter().any(|f| f.contains("ALICE-SECRET-DRAFT")));

    // Another idea is approved: Bruno now sees it, still without its author.
    alice.post(plenary, "ALICE-APPROVED").await;
    org.barrier().await;
    let approved = org
        .state()
        .ideas
        .values()
        .find(|i| i.text == "ALICE-APPROVED")
        .unwrap()
        .id;
    org.ok(Command::HideIdea {
        idea: approved,
        hidden: false,
    })
    .await;
    let bruno_idea = org
        .state()
        .ideas
        .values()
        .find(|i| i.text == "BRUNO-IDEA")
        .unwrap()
        .id;
    org.ok(Command::HideIdea {
        idea: bruno_idea,
        hidden: false,
    })
    .await;
    bruno.barrier().await;
    assert!(bruno
        .state()
        .ideas
        .values()
        .any(|i| i.text == "ALICE-APPROVED" && i.author.is_none()));

    // A hidden vote: Alice's dots stay hers.
    org.ok(Command::SetVoteDraft {
        draft: VoteDraft {
            scope: VoteScope::board(plenary),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 3,
            visibility: VoteVisibility::Hidden,
            title: None,
        },
    })
    .await;
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    let vote = *org.state().votes.keys().next().unwrap();
    alice.barrier().await;
    for _ in 0..2 {
        alice
            .ok(Command::CastDot {
                vote,
                item: bruno_idea.0,
            })
            .await;
    }
    bruno
        .ok(Command::CastDot {
            vote,
            item: approved.0,
        })
        .await;
    for c in [&mut alice, &mut bruno, &mut org] {
        c.barrier().await;
    }
    org.ping().await;
    assert_eq!(org.state().votes[&vote].totals.get(&bruno_idea.0), Some(&2));
    assert!(
        org.state().votes[&vote].ballots.is_empty(),
        "not even facilitators get ballots"
    );
    assert_eq!(alice.state().votes[&vote].ballots.len(), 1);
    assert!(bruno.state().votes[&vote].totals.is_empty());

    // The raw frames of each participant and of the projector.
    let a_author = format!("\"author\":{}", a_id.0);
    let b_author = format!("\"author\":{}", b_id.0);
    let a_ballot = format!("\"ballot\":{{\"person\":{}", a_id.0);
    let b_ballot = format!("\"ballot\":{{\"person\":{}", b_id.0);
    let a_in_ballots = format!("\"ballots\":{{\"{}\"", a_id.0);
    for f in &bruno.raw {
        assert!(!f.contains("ALICE-SECRET-DRAFT"), "hidden idea leaked: {f}");
        assert!(!f.contains(&a_author), "anonymous author leaked: {f}");
        assert!(!f.contains(&a_ballot), "another's ballot leaked: {f}");
        assert!(!f.contains(&a_in_ballots), "another's ballot leaked: {f}");
        assert!(!f.contains("\"dot_cast\""), "raw dot event leaked: {f}");
    }
    for f in &alice.raw {
        assert!(!f.contains(&b_author), "anonymous author leaked: {f}");
        assert!(!f.contains(&b_ballot), "another's ballot leaked: {f}");
    }
    for f in &projector.raw {
        assert!(!f.contains("ALICE-SECRET-DRAFT"));
        assert!(!f.contains(&a_author) && !f.contains(&b_author));
        assert!(!f.contains("\"ballot\":{"));
        assert!(!f.contains("\"dot_cast\""));
    }
    for f in &org.raw {
        assert!(!f.contains(&a_author) && !f.contains(&b_author));
        assert!(!f.contains(&a_ballot) && !f.contains(&b_ballot));
    }

    // Each view still converges with a fresh snapshot of it.
    for (token, c) in [(&a.token, &alice), (&b.token, &bruno)] {
        let fresh = server.enter(token).await;
        assert_eq!(comparable(c.state()), comparable(fresh.state()));
        for f in &fresh.raw {
            assert!(!f.contains("\"dot_cast\""));
        }
    }
    server.stop().await;
}

/// Newcomers arriving together share one encoded public snapshot, except those whose view
/// is their own: the anonymous author and the voter must still get theirs, and nobody
/// else may get it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_arriving_together_gets_the_right_snapshots() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server
        .open_cafe(
            "Crowd",
            json!({"settings": {
                "anonymous": true,
                "moderation": false,
                "default_budget": 3,
                "default_per_item_cap": 3,
                "default_visibility": "hidden"
            }}),
        )
        .await;
    let plenary = org.ideate().await;
    let (a, mut alice) = server.arrive(&cafe.code, "Alice", Location::Room).await;
    let a_id = PersonId(a.person_id);
    alice.post(plenary, "ALICE-IDEA").await;
    org.ok(Command::SetVoteDraft {
        draft: VoteDraft {
            scope: VoteScope::board(plenary),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 3,
            visibility: VoteVisibility::Hidden,
            title: None,
        },
    })
    .await;
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    let vote = *org.state().votes.keys().next().unwrap();
    let idea = org.state().ideas.keys().next().unwrap().0;
    alice.barrier().await;
    alice.ok(Command::CastDot { vote, item: idea }).await;
    alice.drop_connection().await;

    let mut tokens = vec![a.token.clone()];
    for i in 0..24 {
        tokens.push(
            server
                .join(&cafe.code, &format!("P{i}"), Location::Remote)
                .await
                .token,
        );
    }
    let mut crowd = Vec::new();
    for _ in &tokens {
        crowd.push(server.connect().await);
    }
    // All hellos in flight at once, so the café takes many of them in one batch.
    let hellos = crowd.iter_mut().zip(&tokens).map(|(c, t)| c.hello(t, None));
    for welcome in futures_util::future::join_all(hellos).await {
        welcome.unwrap();
    }
    let a_author = format!("\"author\":{}", a_id.0);
    let a_ballot = format!("\"ballots\":{{\"{}\"", a_id.0);
    let alice = &crowd[0];
    let own = &alice.state().ideas.values().next().unwrap();
    assert_eq!(own.author, Some(a_id), "the author's snapshot names her");
    assert_eq!(alice.state().votes[&vote].ballots.len(), 1, "her ballot");
    for c in &crowd[1..] {
        let s = c.state();
        assert_eq!(s.ideas.values().next().unwrap().author, None);
        assert!(s.votes[&vote].ballots.is_empty());
        assert!(s.votes[&vote].totals.is_empty(), "hidden vote");
        for f in &c.raw {
            assert!(!f.contains(&a_author), "anonymous author leaked: {f}");
            assert!(!f.contains(&a_ballot), "another's ballot leaked: {f}");
        }
    }
    // Everyone's presence reached everyone: each newcomer is online in each view.
    for c in crowd.iter_mut() {
        c.barrier().await;
    }
    let online = |c: &cafe_tests::Client| c.state().people.values().filter(|p| p.online).count();
    for c in &crowd {
        assert!(online(c) >= tokens.len(), "{} online", online(c));
    }
    server.stop().await;
}
